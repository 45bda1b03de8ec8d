"""Markdown (pipe table) rendering of a :class:`~pilotdid.tables.table.Table`.

Pipe tables have one header row, so the header levels of a column are joined with a space
("(1) lnESF", as the paper's text shows them); a spanning label is written over the first
column it covers. Markdown punctuation in cells is escaped so stars stay stars.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pilotdid.tables.table import Table

__all__ = ["escape_markdown", "render_markdown"]

_ESCAPES = {"\\": "\\\\", "*": "\\*", "_": "\\_", "|": "\\|", "`": "\\`", "<": "&lt;", ">": "&gt;"}


def escape_markdown(text: str) -> str:
    r"""Escape characters Markdown would read as emphasis, code, cell breaks or HTML.

    Examples
    --------
    >>> escape_markdown("0.0424***")
    '0.0424\\*\\*\\*'
    """
    return "".join(_ESCAPES.get(ch, ch) for ch in text).replace("\n", " ")


def _header_cells(table: Table) -> list[str]:
    parts: list[list[str]] = [[] for _ in range(table.n_columns)]
    for level in table.header_rows():
        start = 0
        for group in level:
            if group.label:
                parts[start].append(group.label)
            start += group.span
    return [" ".join(p) for p in parts]


def render_markdown(table: Table) -> str:
    """Render ``table`` as a Markdown pipe table; title in bold above, notes below.

    Examples
    --------
    >>> import pandas as pd
    >>> from pilotdid.tables.table import Table
    >>> print(Table(pd.DataFrame({"N": [3025]}, index=["lnESF"]), stub_header="Variables").to_markdown())
    | Variables | N |
    |:---|:---:|
    | lnESF | 3,025 |
    <BLANKLINE>
    """
    esc = escape_markdown
    lines = [f"**{esc(table.title)}**", ""] if table.title else []
    header = [table.stub_header, *_header_cells(table)]
    lines.append("| " + " | ".join(esc(h) for h in header) + " |")
    lines.append("|:---|" + ":---:|" * table.n_columns)
    for label, row in zip(table.row_labels(), table.text_cells(), strict=True):
        lines.append("| " + " | ".join(esc(c) for c in [label, *row]) + " |")
    if table.notes:
        lines.append("")
        # Two trailing spaces make a Markdown line break between the note lines.
        lines.extend(esc(note) + "  " for note in table.notes[:-1])
        lines.append(esc(table.notes[-1]))
    return "\n".join(lines) + "\n"
