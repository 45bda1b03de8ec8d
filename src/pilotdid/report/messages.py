"""Python warnings raised while a study runs, kept as one-line messages.

Warnings printed by Python carry a source line and land between the command line's progress
lines. The pipeline catches them around each stage (and the report writer around the figures)
and keeps each as one line, ``"<stage>: <text>"``; the report lists them and ``pilotdid run``
prints them as notes after the progress lines.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator

__all__ = ["GLYPH", "capture", "summarise"]

#: matplotlib's warning for a character the font cannot draw.
GLYPH = re.compile(r"Glyph \d+ \((.*?)\) missing from font")


def summarise(stage: str, caught: list[warnings.WarningMessage]) -> list[str]:
    """One line per distinct warning; missing-glyph warnings folded into one line."""
    from pilotdid.errors import PilotdidWarning

    lines: dict[str, None] = {}
    glyphs: dict[str, None] = {}
    for w in caught:
        text = str(w.message).strip().splitlines()[0] if str(w.message).strip() else ""
        hit = GLYPH.search(text)
        if hit:
            glyphs[hit.group(1)] = None
            continue
        kind = (
            ""
            if issubclass(w.category, PilotdidWarning | UserWarning)
            else f"{w.category.__name__}: "
        )
        lines[f"{stage}: {kind}{text}"] = None
    if glyphs:
        from pilotdid.tables.fonts import MISSING_CJK_FONT

        lines[f"{stage}: {len(glyphs):,} characters could not be drawn; {MISSING_CJK_FONT}"] = None
    return list(lines)


@contextlib.contextmanager
def capture(stage: str, into: list[str]) -> Iterator[None]:
    """Catch every warning raised in the block; append its one-line summaries to ``into``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for line in summarise(stage, caught):
        if line not in into:
            into.append(line)
