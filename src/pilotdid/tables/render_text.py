"""Plain-text rendering of a :class:`~pilotdid.tables.table.Table` (fixed width, CJK-aware).

Chinese characters take two terminal columns, so widths are measured with
:func:`display_width`, not ``len``.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pilotdid.tables.table import ColumnGroup, Table

__all__ = ["content_widths", "display_width", "render_text"]

_SEP = "  "


def display_width(text: str) -> int:
    """Terminal columns taken by ``text``: wide/full-width (CJK) characters count twice.

    Examples
    --------
    >>> display_width("R²"), display_width("观测值")
    (2, 6)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def content_widths(table: Table, header_cap: int = 16) -> list[int]:
    """Display width of the widest text per column, the stub first.

    Single-column header labels count up to ``header_cap`` (longer ones may wrap in Word and
    Excel); spanning labels do not count.
    """
    texts = table.text_cells()
    stub = max(display_width(s) for s in [table.stub_header, *table.row_labels()])
    widths = [max((display_width(r[j]) for r in texts), default=0) for j in range(table.n_columns)]
    for level in table.header_rows():
        start = 0
        for group in level:
            if group.span == 1:
                widths[start] = max(widths[start], min(display_width(group.label), header_cap))
            start += group.span
    return [stub, *widths]


def _pad(text: str, width: int, align: str) -> str:
    room = max(width - display_width(text), 0)
    if align == "left":
        return text + " " * room
    left = room // 2
    return " " * left + text + " " * (room - left)


def _column_widths(table: Table) -> list[int]:
    names = table.header_rows()[-1]
    widths = [display_width(g.label) for g in names]
    for row in table.text_cells():
        widths = [max(w, display_width(c)) for w, c in zip(widths, row, strict=True)]
    # A spanning label wider than its columns widens the last column it covers.
    for level in table.header_rows()[:-1]:
        start = 0
        for group in level:
            stop = start + group.span
            room = sum(widths[start:stop]) + len(_SEP) * (group.span - 1)
            widths[stop - 1] += max(display_width(group.label) - room, 0)
            start = stop
    return widths


def _header_line(level: tuple[ColumnGroup, ...], widths: list[int]) -> tuple[str, str | None]:
    cells, underline, start, any_span = [], [], 0, False
    for group in level:
        stop = start + group.span
        width = sum(widths[start:stop]) + len(_SEP) * (group.span - 1)
        cells.append(_pad(group.label, width, "center"))
        spans = group.span > 1 and bool(group.label)
        any_span |= spans
        underline.append(("-" if spans else " ") * width)
        start = stop
    return _SEP.join(cells), (_SEP.join(underline) if any_span else None)


def render_text(table: Table) -> str:
    """Render ``table`` as fixed-width plain text with ``=`` and ``-`` rules.

    Examples
    --------
    >>> import pandas as pd
    >>> from pilotdid.tables.table import Table
    >>> print(Table(pd.DataFrame({"N": ["3,025"]}, index=["lnESF"])).to_text(), end="")
    ============
             N
    ------------
    lnESF  3,025
    ============
    """
    stub = [table.stub_header, *table.row_labels()]
    stub_width = max(display_width(s) for s in stub)
    widths = _column_widths(table)
    total = stub_width + sum(len(_SEP) + w for w in widths)
    lines = [table.title] if table.title else []
    lines.append("=" * total)
    levels = table.header_rows()
    for i, level in enumerate(levels):
        label = table.stub_header if i == len(levels) - 1 else ""
        text, underline = _header_line(level, widths)
        lines.append(_pad(label, stub_width, "left") + _SEP + text)
        if underline is not None:
            lines.append(" " * stub_width + _SEP + underline)
    lines.append("-" * total)
    for r, (label, row) in enumerate(zip(table.row_labels(), table.text_cells(), strict=True)):
        if r in table.rules:
            lines.append("-" * total)
        cells = [_pad(c, w, "center") for c, w in zip(row, widths, strict=True)]
        lines.append(_pad(label, stub_width, "left") + _SEP + _SEP.join(cells))
    lines.append("=" * total)
    lines.extend(table.notes)
    return "\n".join(line.rstrip() for line in lines) + "\n"
