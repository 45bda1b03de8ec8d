"""The :class:`Table` value: data first, rendered second.

A table is a body (a DataFrame whose index is the row labels and whose cells are strings or
:class:`~pilotdid.tables.cells.Number`), a title, notes, spanning column headers and the rows
above which a thin rule is drawn. Renderers turn it into text, Markdown, LaTeX, HTML, Word and
Excel; :meth:`Table.save` picks the format from the file suffix and writes atomically.

Examples
--------
>>> import pandas as pd
>>> from pilotdid.tables.table import Table
>>> body = pd.DataFrame({"Mean": ["9.548"]}, index=["lnESF"])
>>> t = Table(body, title="Descriptive statistics", stub_header="Variables")
>>> print(t.to_markdown().splitlines()[2])
| Variables | Mean |
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pilotdid.errors import PilotdidError, did_you_mean
from pilotdid.tables._io import atomic_write, atomic_write_text
from pilotdid.tables.cells import Number, cell_text

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from openpyxl import Workbook

__all__ = ["SUFFIXES", "ColumnGroup", "Table", "as_notes", "save_tables", "split_title_number"]

#: File suffixes :meth:`Table.save` and :func:`save_tables` understand.
SUFFIXES = (".txt", ".md", ".tex", ".html", ".docx", ".xlsx")


_NUMBERED_TITLE = re.compile(
    r"^\s*((?:table|tab\.|表)\s*[\w-]*?\d(?:[\w-]|\.\d)*)\s*[.:：]?\s*", re.I
)


def split_title_number(title: str) -> tuple[str, str]:
    """Split "Table 3. Results" into ("Table 3", "Results"); ("", title) when unnumbered.

    LaTeX numbers tables itself and Excel names sheets by the number, so both need the parts.

    Examples
    --------
    >>> split_title_number("Table 3. PSM-DID Estimation Results"), split_title_number("表3 估计结果")
    (('Table 3', 'PSM-DID Estimation Results'), ('表3', '估计结果'))
    """
    match = _NUMBERED_TITLE.match(title)
    return (match[1], title[match.end() :]) if match else ("", title)


def as_notes(*groups: Sequence[str] | str) -> tuple[str, ...]:
    """Join note lines given as strings or sequences of strings into one tuple.

    Examples
    --------
    >>> as_notes(["Standard errors in parentheses"], "Sample: matched")
    ('Standard errors in parentheses', 'Sample: matched')
    """
    return tuple(str(n) for g in groups for n in ([g] if isinstance(g, str) else g))


@dataclass(frozen=True)
class ColumnGroup:
    """One cell of a spanning header row: ``label`` over ``span`` adjacent data columns."""

    label: str
    span: int = 1


@dataclass(frozen=True, eq=False)
class Table:
    r"""A publication table as data.

    Parameters
    ----------
    body : pandas.DataFrame
        Index: the row labels (the stub). Columns: the lowest header row. Cells:
        :class:`~pilotdid.tables.cells.Number` (exact value plus display), strings, plain
        numbers (shown with the default number rule) or NA (empty).
    title : str
        Caption above the table, e.g. ``"Table 3. PSM-DID estimation results"``.
    notes : tuple of str
        Lines printed under the table.
    column_groups : tuple of tuples of ColumnGroup
        Header rows above the column names, top first; each row's spans cover every data
        column (use an empty label for a gap). Plain strings count as span 1.
    stub_header : str
        Text above the row labels, on the lowest header row (e.g. ``"Variables"``).
    rules : tuple of int
        Body row positions above which a thin horizontal rule separates sections.
    key : str
        Short identifier: the LaTeX ``\label`` and the default Excel sheet name.

    Examples
    --------
    >>> import pandas as pd
    >>> body = pd.DataFrame([["0.0424***"], ["(0.00945)"]], index=["TP", ""], columns=["lnESF"])
    >>> t = Table(body, column_groups=[["(1)"]], stub_header="Variables")
    >>> [[g.label for g in row] for row in t.header_rows()]
    [['(1)'], ['lnESF']]
    """

    body: pd.DataFrame
    title: str = ""
    notes: tuple[str, ...] = ()
    column_groups: tuple[tuple[ColumnGroup, ...], ...] = ()
    stub_header: str = ""
    rules: tuple[int, ...] = ()
    key: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.body, pd.DataFrame):
            raise PilotdidError(
                f"Table(body=...) must be a pandas DataFrame, got {type(self.body)}."
            )
        object.__setattr__(self, "notes", as_notes(self.notes))
        object.__setattr__(self, "column_groups", self._checked_groups(self.column_groups))
        n_rows = len(self.body)
        rules = tuple(sorted({int(r) for r in self.rules}))
        if any(not 0 <= r < n_rows for r in rules):
            raise PilotdidError(
                f"Table(rules={rules}) must be row positions from 0 to {n_rows - 1}."
            )
        object.__setattr__(self, "rules", rules)

    def _checked_groups(
        self, groups: Iterable[Iterable[Any]]
    ) -> tuple[tuple[ColumnGroup, ...], ...]:
        n_cols = self.body.shape[1]
        levels = []
        for level in groups:
            row = tuple(g if isinstance(g, ColumnGroup) else ColumnGroup(str(g)) for g in level)
            if sum(g.span for g in row) != n_cols or any(g.span < 1 for g in row):
                raise PilotdidError(
                    f"Table(column_groups=...): the spans {[g.span for g in row]} of header row "
                    f"{[g.label for g in row]} must be positive and add up to the {n_cols} columns."
                )
            levels.append(row)
        return tuple(levels)

    # --- accessors used by the renderers ---------------------------------------------------
    @property
    def n_columns(self) -> int:
        """Number of data columns (without the stub)."""
        return int(self.body.shape[1])

    def header_rows(self) -> list[tuple[ColumnGroup, ...]]:
        """All header rows, top first: the column groups, then the column names."""
        names = tuple(ColumnGroup(cell_text(c)) for c in self.body.columns)
        return [*self.column_groups, names]

    def row_labels(self) -> list[str]:
        """Return the stub: one display label per body row."""
        return [cell_text(label) for label in self.body.index]

    def cells(self) -> list[list[Any]]:
        """Return the body cells as a list of rows (objects as stored)."""
        return [list(row) for row in self.body.itertuples(index=False, name=None)]

    def text_cells(self) -> list[list[str]]:
        """Return the body cells as display strings."""
        return [[cell_text(c) for c in row] for row in self.cells()]

    def to_frame(self, numeric: bool = True) -> pd.DataFrame:
        """Return the body as a DataFrame: exact numbers where a cell is a number, else its text.

        Parameters
        ----------
        numeric : bool, default True
            ``False`` gives every cell as its display string instead.
        """
        if numeric:
            out = self.body.map(lambda c: c.value if isinstance(c, Number) else c)
        else:
            out = self.body.map(cell_text)
        out.index = self.row_labels()
        return out

    # --- renderers ------------------------------------------------------------------------
    def to_text(self) -> str:
        """Plain-text rendering (fixed width, CJK-aware), with title and notes."""
        from pilotdid.tables.render_text import render_text

        return render_text(self)

    def to_markdown(self) -> str:
        """Markdown (pipe table) rendering, with the title above and notes below."""
        from pilotdid.tables.render_markdown import render_markdown

        return render_markdown(self)

    def to_latex(self) -> str:
        """LaTeX rendering: a booktabs ``table`` float with the notes under the rule."""
        from pilotdid.tables.render_latex import render_latex

        return render_latex(self)

    def to_html(self, full_document: bool = False) -> str:
        """HTML rendering (every string escaped); ``full_document`` wraps it in a page."""
        from pilotdid.tables.render_html import render_html, wrap_html_document

        fragment = render_html(self)
        return wrap_html_document([fragment], self.title) if full_document else fragment

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_docx(self, path_or_document: str | os.PathLike[str] | DocxDocument) -> Any:
        """Add the table to a python-docx ``Document`` or write a new .docx file.

        Returns the ``Document`` when one is given, else the written path.
        """
        from pilotdid.tables.render_docx import add_table, new_document

        if isinstance(path_or_document, str | os.PathLike):
            document = new_document()
            add_table(document, self)
            return atomic_write(path_or_document, lambda tmp: document.save(str(tmp)))
        add_table(path_or_document, self)
        return path_or_document

    def to_xlsx(
        self, path_or_workbook: str | os.PathLike[str] | Workbook, sheet_name: str | None = None
    ) -> Any:
        """Add the table as a sheet of an openpyxl ``Workbook`` or write a new .xlsx file.

        Numeric cells hold real numbers with an Excel number format showing stars and brackets.
        Returns the ``Workbook`` when one is given, else the written path.
        """
        from pilotdid.tables.render_xlsx import add_sheet, new_workbook

        if isinstance(path_or_workbook, str | os.PathLike):
            workbook = new_workbook()
            add_sheet(workbook, self, sheet_name)
            return atomic_write(path_or_workbook, lambda tmp: workbook.save(str(tmp)))
        add_sheet(path_or_workbook, self, sheet_name)
        return path_or_workbook

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the table to ``path`` in the format its suffix names (.txt .md .tex .html .docx .xlsx).

        Examples
        --------
        >>> import pandas as pd, tempfile, pathlib
        >>> t = Table(pd.DataFrame({"N": [3025]}, index=["lnESF"]))
        >>> out = t.save(pathlib.Path(tempfile.mkdtemp()) / "t1.md")
        >>> out.suffix
        '.md'
        """
        return save_tables([self], path)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()


def _suffix(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        hint = did_you_mean(suffix, SUFFIXES)
        raise PilotdidError(
            f"cannot tell the table format of {str(path)!r} from its suffix {suffix!r}{hint}; "
            f"use one of {', '.join(SUFFIXES)}."
        )
    return suffix


def save_tables(tables: Sequence[Table] | Table, path: str | os.PathLike[str]) -> Path:
    """Write one or several tables into one file; the suffix picks the format.

    .docx: one document, tables one after another. .xlsx: one sheet per table. .tex, .md, .txt,
    .html: the renderings one after another (HTML as one self-contained page). The file is
    written atomically.

    Parameters
    ----------
    tables : Table or sequence of Table
        The tables, in order.
    path : str or os.PathLike
        Target file; its suffix is one of :data:`SUFFIXES`.

    Returns
    -------
    pathlib.Path
        The written path.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> t1 = Table(pd.DataFrame({"Mean": [9.548]}, index=["lnESF"]), title="Table 1")
    >>> t2 = Table(pd.DataFrame({"(1)": ["1.000"]}, index=["(1) TP"]), title="Table 2")
    >>> save_tables([t1, t2], pathlib.Path(tempfile.mkdtemp()) / "tables.xlsx").name
    'tables.xlsx'
    """
    items = [tables] if isinstance(tables, Table) else list(tables)
    bad = [type(t).__name__ for t in items if not isinstance(t, Table)]
    if bad or not items:
        raise PilotdidError(
            f"save_tables() needs one or more pilotdid Table values, got {bad or 'nothing'}."
        )
    suffix = _suffix(path)
    if suffix == ".docx":
        from pilotdid.tables.render_docx import document_with_tables

        document = document_with_tables(items)
        return atomic_write(path, lambda tmp: document.save(str(tmp)))
    if suffix == ".xlsx":
        from pilotdid.tables.render_xlsx import workbook_with_tables

        workbook = workbook_with_tables(items)
        return atomic_write(path, lambda tmp: workbook.save(str(tmp)))
    if suffix == ".html":
        from pilotdid.tables.render_html import render_html, wrap_html_document

        title = items[0].title if len(items) == 1 else "Tables"
        return atomic_write_text(path, wrap_html_document([render_html(t) for t in items], title))
    render = {".txt": Table.to_text, ".md": Table.to_markdown, ".tex": Table.to_latex}[suffix]
    return atomic_write_text(path, "\n\n".join(render(t).rstrip("\n") for t in items) + "\n")
