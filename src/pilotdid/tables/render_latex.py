r"""LaTeX rendering of a :class:`~pilotdid.tables.table.Table`: booktabs rules, notes under the table.

The output is a ``table`` float needing only ``\usepackage{booktabs}`` (Chinese labels also need
``ctex`` or ``xeCJK`` under XeLaTeX). Stars are superscripts, minus signs are math minus, and
the notes sit in full-width rows under ``\bottomrule`` as esttab writes them. LaTeX numbers the
table itself, so a leading "Table 3." in the title is left out of the ``\caption``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pilotdid.tables.cells import Number, as_number, cell_text
from pilotdid.tables.table import split_title_number

if TYPE_CHECKING:
    from pilotdid.tables.table import Table

__all__ = ["escape_latex", "render_latex"]

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"$<$",
    ">": r"$>$",
    "×": r"$\times$",
    "−": r"$-$",
    "²": r"$^{2}$",
}


def escape_latex(text: str) -> str:
    r"""Escape LaTeX special characters (and <, >, ×, −, ² which text fonts garble).

    Examples
    --------
    >>> escape_latex("R² & 50% <script>")
    'R$^{2}$ \\& 50\\% $<$script$>$'
    """
    return "".join(_SPECIAL.get(ch, ch) for ch in text)


def _latex_cell(cell: object) -> str:
    number = as_number(cell)
    if number is not None:
        cell = number
    if isinstance(cell, Number):
        core = cell.core()
        if not core:
            return ""
        core = core.replace("-", "$-$", 1) if core.startswith("-") else core
        stars = f"$^{{{cell.stars}}}$" if cell.stars else ""
        return f"{cell.enclose[:1]}{core}{cell.enclose[1:]}{stars}"
    return escape_latex(cell_text(cell))


def _note(text: str) -> str:
    return re.sub(r"\*+", lambda m: f"$^{{{m[0]}}}$", escape_latex(text))


def _header_lines(table: Table) -> list[str]:
    lines, levels = [], table.header_rows()
    for i, level in enumerate(levels):
        stub = escape_latex(table.stub_header) if i == len(levels) - 1 else ""
        cells, rules, col = [stub], [], 2
        for group in level:
            label = escape_latex(group.label)
            cells.append(
                label if group.span == 1 else f"\\multicolumn{{{group.span}}}{{c}}{{{label}}}"
            )
            if group.span > 1 and group.label:
                rules.append(f"\\cmidrule(lr){{{col}-{col + group.span - 1}}}")
            col += group.span
        lines.append(" & ".join(cells) + r" \\")
        if rules:
            lines.append(" ".join(rules))
    return lines


def render_latex(table: Table) -> str:
    r"""Render ``table`` as a booktabs LaTeX ``table`` float.

    Examples
    --------
    >>> import pandas as pd
    >>> from pilotdid.tables.table import Table
    >>> tex = Table(pd.DataFrame({"N": [3025]}, index=["ln_ESF"])).to_latex()
    >>> "ln\\_ESF & 3,025 \\\\" in tex and "\\toprule" in tex
    True
    """
    n = table.n_columns
    lines = [
        r"% requires \usepackage{booktabs}; Chinese text also needs ctex/xeCJK (XeLaTeX)",
        r"\begin{table}[htbp]",
        r"\centering",
    ]
    if table.title:
        lines.append(f"\\caption{{{escape_latex(split_title_number(table.title)[1])}}}")
    if table.key:
        lines.append(f"\\label{{tab:{escape_latex(table.key)}}}")
    lines += [
        f"\\begin{{tabular}}{{l*{{{n}}}{{c}}}}",
        r"\toprule",
        *_header_lines(table),
        r"\midrule",
    ]
    for r, (label, row) in enumerate(zip(table.row_labels(), table.cells(), strict=True)):
        if r in table.rules:
            lines.append(r"\midrule")
        lines.append(" & ".join([escape_latex(label), *(_latex_cell(c) for c in row)]) + r" \\")
    lines.append(r"\bottomrule")
    lines += [
        f"\\multicolumn{{{n + 1}}}{{l}}{{\\footnotesize {_note(t)}}} \\\\" for t in table.notes
    ]
    lines += [r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines) + "\n"
