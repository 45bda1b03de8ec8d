"""Excel rendering of a :class:`~pilotdid.tables.table.Table` with openpyxl, one sheet per table.

Numbers stay numbers: a coefficient cell holds the exact estimate (not a rounded copy) and an
Excel number format shows it as the paper does, stars and brackets included
(``0.0232**`` is the value 0.02317… with format ``0.0000"**"``; a standard error is the value
with format ``"("0.00000")"``). A co-author can compute with every cell and still sees the
published layout; observation counts are integers. Text cells (labels, "Yes"/"No",
confidence intervals) are strings. Title above, notes below, three-line borders.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from pilotdid.tables.cells import as_number, cell_text
from pilotdid.tables.render_text import content_widths
from pilotdid.tables.table import split_title_number

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from pilotdid.tables.table import Table

__all__ = ["add_sheet", "new_workbook", "sheet_title", "workbook_with_tables"]

_FONT = "Times New Roman"
_THICK, _THIN = Side(style="medium"), Side(style="thin")
_CENTER, _LEFT = Alignment(horizontal="center"), Alignment(horizontal="left")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def new_workbook() -> Workbook:
    """Return an empty workbook (openpyxl's default blank sheet is removed once a table is added)."""
    return Workbook()


def sheet_title(table: Table, taken: Sequence[str], position: int = 1) -> str:
    """Return a valid, unused sheet name: the table key, else "Table 3" from the title, else the title."""
    base = table.key or split_title_number(table.title)[0] or table.title or f"Table {position}"
    base = _BAD_SHEET_CHARS.sub(" ", base).strip()[:31] or f"Table {position}"
    name, k = base, 2
    lowered = {t.lower() for t in taken}
    while name.lower() in lowered:  # Excel sheet names are unique regardless of case
        suffix = f" ({k})"
        name, k = base[: 31 - len(suffix)] + suffix, k + 1
    return name


def _put(ws: Worksheet, row: int, col: int, cell: object, align: Alignment = _CENTER) -> Any:
    target = ws.cell(row=row, column=col)
    number = as_number(cell)
    if number is not None and number.core():
        target.value = number.value
        target.number_format = number.excel_format()
    else:
        target.value = cell_text(cell) or None
    target.font = Font(name=_FONT, size=11)
    target.alignment = align
    return target


def _border(
    ws: Worksheet, row: int, n_cols: int, top: Side | None = None, bottom: Side | None = None
) -> None:
    for col in range(1, n_cols + 1):
        cell = ws.cell(row=row, column=col)
        old = cell.border
        cell.border = Border(top=top or old.top, bottom=bottom or old.bottom)


def _write_header(ws: Worksheet, table: Table, first: int) -> int:
    levels = table.header_rows()
    for i, level in enumerate(levels):
        row = first + i
        _put(ws, row, 1, table.stub_header if i == len(levels) - 1 else "", _LEFT)
        col = 2
        for group in level:
            _put(ws, row, col, group.label)
            if group.span > 1:
                ws.merge_cells(
                    start_row=row, start_column=col, end_row=row, end_column=col + group.span - 1
                )
                if group.label:
                    for c in range(col, col + group.span):
                        ws.cell(row=row, column=c).border = Border(bottom=_THIN)
            col += group.span
    n_cols = table.n_columns + 1
    _border(ws, first, n_cols, top=_THICK)
    _border(ws, first + len(levels) - 1, n_cols, bottom=_THIN)
    return first + len(levels)


def add_sheet(workbook: Workbook, table: Table, sheet_name: str | None = None) -> Worksheet:
    """Add ``table`` as a new sheet of ``workbook`` and return the sheet.

    Examples
    --------
    >>> import pandas as pd
    >>> from pilotdid.tables.table import Table
    >>> ws = add_sheet(new_workbook(), Table(pd.DataFrame({"N": [3025]}, index=["lnESF"])))
    >>> ws["B2"].value, ws["B2"].number_format
    (3025, '#,##0;"-"#,##0')
    """
    default = workbook.worksheets[0] if len(workbook.worksheets) == 1 else None
    names = [ws.title for ws in workbook.worksheets]
    name = sheet_title(table, names, len(names) + 1) if sheet_name is None else sheet_name[:31]
    ws = workbook.create_sheet(title=name)
    if (
        default is not None
        and default.title == "Sheet"
        and default.max_row == 1
        and default["A1"].value is None
    ):
        workbook.remove(default)  # openpyxl's placeholder sheet, never wanted in the output
    row = 1
    if table.title:
        _put(ws, 1, 1, table.title, _LEFT).font = Font(name=_FONT, size=11, bold=True)
        row = 2
    row = _write_header(ws, table, row)
    n_cols = table.n_columns + 1
    for r, (label, cells) in enumerate(zip(table.row_labels(), table.cells(), strict=True)):
        _put(ws, row + r, 1, label, _LEFT)
        for j, cell in enumerate(cells):
            _put(ws, row + r, j + 2, cell)
        if r in table.rules:
            _border(ws, row + r, n_cols, top=_THIN)
    last = row + len(table.body) - 1
    if len(table.body):
        _border(ws, last, n_cols, bottom=_THICK)
    for k, note in enumerate(table.notes):
        _put(ws, last + 1 + k, 1, note, _LEFT).font = Font(name=_FONT, size=9)
    _set_widths(ws, table)
    # Print a wide table on one page width rather than splitting its columns across pages.
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    return ws


def _set_widths(ws: Worksheet, table: Table) -> None:
    stub, *widths = content_widths(table)
    ws.column_dimensions["A"].width = max(stub, 8) + 2
    for j, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(j + 2)].width = max(width, 6) + 3


def workbook_with_tables(tables: Sequence[Table]) -> Workbook:
    """Return a new workbook with one sheet per table, in order."""
    workbook = new_workbook()
    for table in tables:
        add_sheet(workbook, table)
    return workbook
