import pandas as pd

from pilotdid.tables.etable import etable
from pilotdid.tables.table import ColumnGroup, Table
from tests.tables.paper import check_golden


def test_table3_golden(table3):
    check_golden("table3.html", table3.to_html())


def test_user_strings_are_escaped(models):
    evil = "<script>alert(1)</script>"
    t = etable(models[:1], labels={"TP": evil, "lnESF": evil}, title=evil, notes=[evil])
    html = t.to_html(full_document=True)
    assert "<script>" not in html
    # row label, depvar header, caption, page <title>, note
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5
    body = pd.DataFrame([[evil]], index=["x"], columns=[evil])
    html2 = Table(body, stub_header=evil, column_groups=[[ColumnGroup(evil)]]).to_html()
    assert "<script>" not in html2 and html2.count("&lt;script&gt;") == 4


def test_structure():
    body = pd.DataFrame(
        [["1", "2", "3"], ["4", "5", "6"]], index=["a", "b"], columns=["x", "y", "z"]
    )
    t = Table(body, title="T", notes=("n1", "n2"), rules=(1,), stub_header="Variables",
              column_groups=[[ColumnGroup("G", 2), ColumnGroup("")]])  # fmt: skip
    html = t.to_html()
    assert '<th scope="col" colspan="2" class="span">G</th>' in html
    assert '<tr class="rule"><th class="stub" scope="row">b</th>' in html
    assert '<tfoot><tr><td colspan="4"><div>n1<br>n2</div></td></tr></tfoot>' in html
    assert "<caption>T</caption>" in html
    assert t._repr_html_() == html
    page = t.to_html(full_document=True)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
