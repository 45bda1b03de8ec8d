"""HTML rendering of a :class:`~pilotdid.tables.table.Table` in the three-line journal style.

Every string (labels, titles, notes, cells) goes through :func:`html.escape`; the style is
scoped to ``table.pilotdid-table`` so a fragment can sit inside any page or notebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pilotdid.tables.table import Table

__all__ = ["TABLE_CSS", "render_html", "wrap_html_document"]

#: The three-line style: thick top and bottom rules, a thin rule under the header and
#: above each section, short rules under spanning headers.
TABLE_CSS = """\
table.pilotdid-table{border-collapse:collapse;margin:1em auto;font-size:11pt;
 font-family:"Times New Roman","Liberation Serif","SimSun","Noto Serif CJK SC",serif}
table.pilotdid-table caption{font-weight:bold;padding:0 0 .5em;caption-side:top}
table.pilotdid-table th,table.pilotdid-table td{padding:.12em .9em;text-align:center;
 font-weight:normal;white-space:nowrap}
table.pilotdid-table .stub{text-align:left}
table.pilotdid-table thead tr:first-child>*{border-top:2px solid #000}
table.pilotdid-table thead tr:last-child>*{border-bottom:1px solid #000}
table.pilotdid-table th.span{border-bottom:1px solid #000}
table.pilotdid-table tbody tr:last-child>*{border-bottom:2px solid #000}
table.pilotdid-table tr.rule>*{border-top:1px solid #000}
table.pilotdid-table tfoot td{text-align:left;font-size:.85em;padding-top:.2em;white-space:normal}
table.pilotdid-table tfoot div{width:0;min-width:100%}
"""


def _header(table: Table) -> list[str]:
    rows, levels = [], table.header_rows()
    for i, level in enumerate(levels):
        stub = escape(table.stub_header) if i == len(levels) - 1 else ""
        cells = [f'<th class="stub" scope="col">{stub}</th>']
        for group in level:
            spans = group.span > 1 and bool(group.label)
            attrs = (f' colspan="{group.span}"' if group.span > 1 else "") + (
                ' class="span"' if spans else ""
            )
            cells.append(f'<th scope="col"{attrs}>{escape(group.label)}</th>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return rows


def render_html(table: Table) -> str:
    """Render ``table`` as an HTML ``<table>`` fragment with its own scoped ``<style>``.

    Examples
    --------
    >>> import pandas as pd
    >>> from pilotdid.tables.table import Table
    >>> html = Table(pd.DataFrame({"N": [1]}, index=["<script>x</script>"])).to_html()
    >>> "<script>" in html, "&lt;script&gt;x&lt;/script&gt;" in html
    (False, True)
    """
    parts = [f"<style>\n{TABLE_CSS}</style>", '<table class="pilotdid-table">']
    if table.title:
        parts.append(f"<caption>{escape(table.title)}</caption>")
    parts += ["<thead>", *_header(table), "</thead>", "<tbody>"]
    for r, (label, row) in enumerate(zip(table.row_labels(), table.text_cells(), strict=True)):
        cls = ' class="rule"' if r in table.rules else ""
        cells = "".join(f"<td>{escape(c)}</td>" for c in row)
        parts.append(f'<tr{cls}><th class="stub" scope="row">{escape(label)}</th>{cells}</tr>')
    parts.append("</tbody>")
    if table.notes:
        notes = "<br>".join(escape(n) for n in table.notes)
        # The zero-width div lets the notes wrap at the table's width instead of widening it.
        cell = f'<td colspan="{table.n_columns + 1}"><div>{notes}</div></td>'
        parts.append(f"<tfoot><tr>{cell}</tr></tfoot>")
    parts.append("</table>")
    return "\n".join(parts) + "\n"


def wrap_html_document(fragments: Sequence[str], title: str = "") -> str:
    """Wrap rendered table fragments in one self-contained UTF-8 HTML page."""
    body = "\n".join(fragments)
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )
