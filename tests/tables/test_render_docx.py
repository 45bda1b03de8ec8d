import shutil
import subprocess

import docx
import pandas as pd
import pytest
from docx.oxml.ns import qn

from pilotdid.tables.etable import etable
from pilotdid.tables.render_docx import CJK_FONT, LATIN_FONT, new_document
from pilotdid.tables.table import ColumnGroup, Table, save_tables


def grid_text(table):
    return [[c.text for c in row.cells] for row in table.rows]


def test_word_table_cells(tmp_path, table3):
    path = table3.save(tmp_path / "t3.docx")
    doc = docx.Document(str(path))
    assert len(doc.tables) == 1
    rows = grid_text(doc.tables[0])
    assert rows[0] == ["", "(1)", "(2)", "(3)"]
    assert rows[1] == ["Variables", "lnESF", "lnESF", "lnESF"]
    assert rows[2] == ["TP", "0.0424***", "0.0232**", "-0.0819**"]
    assert rows[3] == ["", "(0.00945)", "(0.00948)", "(0.0314)"]
    assert rows[6] == ["FIN", "", "488.0***", "1,645***"]
    assert rows[-4:] == [
        ["Observations", "2,963", "2,963", "218"],
        ["R-squared", "0.973", "0.976", "0.988"],
        ["City Fe", "Yes", "Yes", "Yes"],
        ["Year Fe", "Yes", "Yes", "Yes"],
    ]
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "Table 3. PSM-DID Estimation Results"
    assert paragraphs[-2:] == [
        "Standard errors in parentheses, clustered by city",
        "*** p<0.01, ** p<0.05, * p<0.1",
    ]


def _borders(cell):
    found = cell._tc.tcPr.find(qn("w:tcBorders"))
    return {} if found is None else {el.tag.split("}")[1]: int(el.get(qn("w:sz"))) for el in found}


def test_three_line_style_and_fonts(tmp_path, models):
    t = etable(models, language="zh", title="表3 估计结果")
    doc = docx.Document(str(t.save(tmp_path / "zh.docx")))
    table = doc.tables[0]
    assert _borders(table.rows[0].cells[1])["top"] == 12  # 1.5 pt above the header
    assert _borders(table.rows[1].cells[1])["bottom"] == 6  # 0.75 pt under the header
    assert _borders(table.rows[-1].cells[1])["bottom"] == 12  # 1.5 pt under the last row
    assert _borders(table.rows[20].cells[0])["top"] == 4  # thin rule above Observations
    assert table.rows[20].cells[0].text == "观测值"
    assert _borders(table.rows[5].cells[1]) == {}  # no inner lines
    run = table.rows[1].cells[0].paragraphs[0].runs[0]
    assert run.text == "变量" and run.font.name == LATIN_FONT
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == CJK_FONT
    assert doc.paragraphs[-1].text == "***、**、*分别表示在1%、5%、10%的水平上显著"


def test_spanning_header_is_merged(tmp_path):
    body = pd.DataFrame([["1", "2", "3"]], index=["x"], columns=["Mean", "SD", "p"])
    t = Table(body, column_groups=[[ColumnGroup("Full sample", 2), ColumnGroup("")]])
    doc = docx.Document(str(t.save(tmp_path / "g.docx")))
    first = doc.tables[0].rows[0].cells
    assert first[1]._tc is first[2]._tc and first[1].text == "Full sample"
    assert _borders(first[1])["bottom"] == 4


def test_several_tables_in_one_document(tmp_path, table3, models):
    zh = etable(models, language="zh")
    path = save_tables([table3, zh], tmp_path / "all.docx")
    doc = docx.Document(str(path))
    assert len(doc.tables) == 2
    assert doc.tables[1].rows[-1].cells[0].text == "年份固定效应"
    mine = new_document()
    mine.add_paragraph("My paper")
    assert table3.to_docx(mine) is mine and len(mine.tables) == 1


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_opens_the_document(tmp_path, table3, models):
    path = save_tables([table3, etable(models, language="zh")], tmp_path / "t.docx")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)  # fmt: skip
    assert (tmp_path / "t.pdf").stat().st_size > 5000
