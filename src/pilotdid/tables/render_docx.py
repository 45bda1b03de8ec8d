"""Word rendering of a :class:`~pilotdid.tables.table.Table` with python-docx.

The table is a real Word table in the three-line style (三线表) journals ask for: a 1.5 pt rule
above the header, a 0.75 pt rule under it, a 1.5 pt rule under the last row, thin rules above
sections and under spanning headers, no vertical lines. Text is Times New Roman for Latin and
SimSun (宋体) for Chinese, set on every run so the table looks the same pasted into any document.
The title sits above the table and the notes below it, in a smaller size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from pilotdid.tables.render_text import content_widths

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

    from pilotdid.tables.table import Table

__all__ = ["CJK_FONT", "LATIN_FONT", "add_table", "document_with_tables", "new_document"]

LATIN_FONT = "Times New Roman"
CJK_FONT = "SimSun"
_BODY_PT = 10.5  # 五号, the usual size of table text in Chinese journals
_NOTE_PT = 9.0
_MIN_PT = 7.5  # smallest table text before columns are squeezed
_CELL_MARGIN_CM = 0.6  # Word's default left + right cell margins (0.38) and some air
_NARROW_CM = 10.0  # below this width, notes may extend past the table's right edge
_THICK, _THIN, _HAIR = 12, 6, 4  # border widths in eighths of a point
# Children of w:tcPr that must come after w:tcBorders (the schema fixes the order).
_AFTER_BORDERS = (
    "w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
)  # fmt: skip


def new_document() -> DocxDocument:
    """Return a new A4 document whose Normal style is Times New Roman / SimSun."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.54))
    style: Any = document.styles["Normal"]
    style.font.name = LATIN_FONT
    style.font.size = Pt(_BODY_PT)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    return document


def _style_run(run: Any, size: float, bold: bool = False) -> None:
    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)


def _write(
    paragraph: Any, text: str, align: Any, size: float = _BODY_PT, bold: bool = False
) -> None:
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    if text:
        _style_run(paragraph.add_run(text), size, bold)


def _set_borders(cell: Any, **edges: int) -> None:
    """Set the given edges (``top=``, ``bottom=``) of one cell to single black lines."""
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.insert_element_before(borders, *_AFTER_BORDERS)
    for edge in ("top", "bottom"):  # schema order: top before bottom
        if edge not in edges:
            continue
        old = borders.find(qn(f"w:{edge}"))
        if old is not None:
            borders.remove(old)
        line = OxmlElement(f"w:{edge}")
        for attr, value in (("val", "single"), ("sz", str(edges[edge])), ("space", "0")):
            line.set(qn(f"w:{attr}"), value)
        line.set(qn("w:color"), "000000")
        if edge == "top":
            borders.insert(0, line)
        else:
            borders.append(line)


@dataclass(frozen=True)
class _Layout:
    size: float  # font size of the table text, pt
    widths: list[float]  # column widths, cm, the stub first


def _layout(table: Table, usable_cm: float) -> _Layout:
    """Font size and column widths: the body size if the table fits, else a smaller size.

    A character is taken as 0.5 em wide (CJK double), plus Word's default cell margins; a
    table too wide for the page is set in a smaller font (down to 7.5 pt) rather than wrapping
    numbers, and only squeezed when even that is too wide.
    """
    chars = [max(w, 4) for w in content_widths(table)]
    cm_per_char_pt = 0.5 * 0.03528  # digits are 0.5 em in Times; 1 pt = 0.03528 cm
    margins = _CELL_MARGIN_CM * len(chars)
    fit = (usable_cm - margins) / (sum(chars) * cm_per_char_pt)
    size = min(_BODY_PT, max(_MIN_PT, fit))
    widths = [c * cm_per_char_pt * size + _CELL_MARGIN_CM for c in chars]
    scale = min(1.0, usable_cm / sum(widths))
    return _Layout(round(size * 2) / 2, [w * scale for w in widths])


def _usable_width_cm(document: DocxDocument) -> float:
    section = document.sections[-1]
    page = section.page_width if section.page_width is not None else Cm(21.0)
    margins = (section.left_margin or 0) + (section.right_margin or 0)
    return float(page - margins) / 360000  # EMU per cm


def _fill_header(grid: Any, table: Table, size: float) -> None:
    levels = table.header_rows()
    for i, level in enumerate(levels):
        row = grid.rows[i]
        stub = table.stub_header if i == len(levels) - 1 else ""
        _write(row.cells[0].paragraphs[0], stub, WD_ALIGN_PARAGRAPH.LEFT, size)
        col = 1
        for group in level:
            cell = row.cells[col]
            if group.span > 1:
                cell = cell.merge(row.cells[col + group.span - 1])
                if group.label:
                    _set_borders(cell, bottom=_HAIR)
            _write(cell.paragraphs[0], group.label, WD_ALIGN_PARAGRAPH.CENTER, size)
            col += group.span
        _repeat_as_header(row)
    for cell in grid.rows[0].cells:
        _set_borders(cell, top=_THICK)
    for cell in grid.rows[len(levels) - 1].cells:
        _set_borders(cell, bottom=_THIN)


def _fill_body(grid: Any, table: Table, first: int, size: float) -> None:
    rows = list(zip(table.row_labels(), table.text_cells(), strict=True))
    for r, (label, texts) in enumerate(rows):
        cells = grid.rows[first + r].cells
        _write(cells[0].paragraphs[0], label, WD_ALIGN_PARAGRAPH.LEFT, size)
        for cell, text in zip(cells[1:], texts, strict=True):
            _write(cell.paragraphs[0], text, WD_ALIGN_PARAGRAPH.CENTER, size)
        if r in table.rules:
            for cell in cells:
                _set_borders(cell, top=_HAIR)
    if rows:
        for cell in grid.rows[first + len(rows) - 1].cells:
            _set_borders(cell, bottom=_THICK)


def add_table(document: DocxDocument, table: Table) -> DocxDocument:
    """Append ``table`` (title, three-line Word table, notes) to a python-docx ``Document``.

    Examples
    --------
    >>> import pandas as pd
    >>> from pilotdid.tables.table import Table
    >>> doc = add_table(new_document(), Table(pd.DataFrame({"N": [3025]}, index=["lnESF"])))
    >>> doc.tables[0].cell(1, 1).text
    '3,025'
    """
    if table.title:
        title = document.add_paragraph()
        _write(title, table.title, WD_ALIGN_PARAGRAPH.CENTER, bold=True)
        title.paragraph_format.space_after = Pt(4)
        title.paragraph_format.keep_with_next = True
    n_header = len(table.header_rows())
    grid = document.add_table(rows=n_header + len(table.body), cols=table.n_columns + 1)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    usable = _usable_width_cm(document)
    layout = _layout(table, usable)
    # Word reads the cell widths, LibreOffice the grid: set both so the table is as narrow as
    # its content (centred, like a journal table) instead of stretched to the margins.
    grid_cols = grid._tbl.tblGrid.gridCol_lst
    for column, grid_col, width in zip(grid.columns, grid_cols, layout.widths, strict=True):
        grid_col.w = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    _fill_header(grid, table, layout.size)
    _fill_body(grid, table, n_header, layout.size)
    _keep_together(grid)
    _add_notes(document, table.notes, layout)
    return document


def _repeat_as_header(row: Any) -> None:
    """Mark a header row to repeat at the top of each page a long table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _keep_together(grid: Any) -> None:
    """Keep the table on one page where it fits: rows never split, each keeps with the next."""
    for row in grid.rows:  # the last row too: it keeps with the notes
        row._tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _add_notes(document: DocxDocument, notes: Sequence[str], layout: _Layout) -> None:
    """Add the notes under the table, from its left edge (to its right edge if wide)."""
    usable = _usable_width_cm(document)
    width_cm = sum(layout.widths)
    left_cm = (usable - width_cm) / 2
    size = max(min(_NOTE_PT, layout.size - 1), 6.5)  # a little smaller than the table text
    for i, note in enumerate(notes):
        paragraph = document.add_paragraph()
        _write(paragraph, note, WD_ALIGN_PARAGRAPH.LEFT, size=size)
        fmt = paragraph.paragraph_format
        fmt.keep_with_next = i < len(notes) - 1
        fmt.left_indent = Cm(max(left_cm, 0))
        # A narrow table's notes may run past its right edge rather than wrap every few words.
        if width_cm >= _NARROW_CM:
            fmt.right_indent = Cm(max(usable - left_cm - width_cm, 0))
        if i == 0:
            fmt.space_before = Pt(3)


def document_with_tables(tables: Sequence[Table]) -> DocxDocument:
    """Return a new document holding ``tables`` one after another, separated by an empty line."""
    document = new_document()
    for i, table in enumerate(tables):
        if i:
            document.add_paragraph()
        add_table(document, table)
    return document
