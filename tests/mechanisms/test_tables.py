"""Table 4 and Table 5 layouts built from the mechanism results."""

import numpy as np
import pytest

import pilotdid as pdid
from pilotdid.tables.cells import Number

from .conftest import CONTROLS, DEMO_FML


@pytest.fixture(scope="module")
def table4_parts(demo):
    mech = pdid.mechanism(demo.data, "TP", ["RD", "TFP"], controls=CONTROLS, fixef="code + year")
    hets = [
        pdid.heterogeneity(demo.data, DEMO_FML, by, cohort="adoption_year", permutations=99, seed=1)
        for by in ("RD", "TFP")
    ]
    return mech, hets


def test_table4_layout(table4_parts):
    mech, hets = table4_parts
    table = mech.table(hets, title="Table 4. Influence Mechanism")
    headers = [[g.label for g in row] for row in table.header_rows()]
    assert headers[0] == [f"({k})" for k in range(1, 7)]
    assert headers[1] == ["D → M", "D → M", "High RD", "Low RD", "High TFP", "Low TFP"]
    assert headers[2] == ["RD", "TFP", "lnESF", "lnESF", "lnESF", "lnESF"]
    labels = table.row_labels()
    assert labels[0] == "TP" and "Controls" in labels and "Observations" in labels
    assert "lnHCL" not in labels  # controls are summarised, as in the paper
    cells = table.body.iloc[0].tolist()
    fits = [mech.models["RD"], mech.models["TFP"], *hets[0].models.values(),
            *hets[1].models.values()]  # fmt: skip
    assert [c.value for c in cells] == [f.coef()["TP"] for f in fits]
    diff_row = labels.index("Difference (High − Low)")
    row = table.body.iloc[diff_row].tolist()
    assert row[0] == row[1] == row[3] == row[5] == ""
    assert isinstance(row[2], Number) and isinstance(row[4], Number)
    assert row[2].value == hets[0].differences.iloc[0]["estimate"]
    assert row[4].value == hets[1].differences.iloc[0]["estimate"]
    perm_row = table.body.loc["p-value, permutation test"].tolist()
    assert perm_row[2].value == hets[0].permutation.p_coef
    assert any("Columns (3)–(4)" in n for n in table.notes)
    assert any("Jiang" in n for n in table.notes)
    text = table.to_text()
    assert "High RD" in text and "Difference (High − Low)" in text


def test_table4_renders_everywhere(table4_parts, tmp_path):
    mech, hets = table4_parts
    table = mech.table(hets, language="zh", labels={"RD": "研发投入"})
    headers = [[g.label for g in row] for row in table.header_rows()]
    assert headers[1][2:4] == ["高研发投入组", "低研发投入组"]
    assert "组间系数差异（高−低）" in table.row_labels()
    for suffix in (".tex", ".html", ".docx", ".xlsx", ".md"):
        assert table.save(tmp_path / f"t4{suffix}").exists()


def test_heterogeneity_table_alone(table4_parts):
    het = table4_parts[1][0]
    table = het.table()
    assert table.body.shape[1] == 2
    assert "p-value, pooled test" in table.row_labels()


def test_three_step_table(demo):
    res = pdid.mechanism(demo.data, "TP", "RD", outcome="lnESF", controls=CONTROLS, fixef="code + year", method="three_step", bootstrap=50, seed=1)  # fmt: skip
    table = res.table()
    headers = [[g.label for g in row] for row in table.header_rows()]
    assert headers[1] == ["Total effect", "D → M", "Direct effect"]
    assert headers[2] == ["lnESF", "RD", "lnESF"]
    ind = table.body.loc["Indirect effect (a×b)"].tolist()
    assert ind[:2] == ["", ""] and ind[2].value == res.effects.loc["RD", "indirect"]
    assert table.body.loc["Bootstrap 95% CI"].tolist()[2].startswith("[")
    assert any("Jiang" in n for n in table.notes)
    zh = res.table(language="zh")
    assert "间接效应（a×b）" in zh.row_labels() and any("江艇" in n for n in zh.notes)


def test_table5_layout(demo):
    res = pdid.moderation(demo.data, DEMO_FML, "freedom", treatment="TP")
    table = res.table(title="Table 5. Regulatory Mechanism")
    assert table.body.shape[1] == 2
    labels = table.row_labels()
    assert labels[:6] == ["TP", "", "freedom", "", "TP × freedom", ""]
    assert "lnHCL" in labels  # the paper's Table 5 shows the controls
    assert table.body.loc["TP × freedom"].tolist()[0] == ""
    assert table.body.iloc[4, 1].value == res.models["interaction"].coef()["TP:freedom"]
    assert any("centred" in n for n in table.notes)
    raw = pdid.moderation(demo.data, DEMO_FML, "freedom", treatment="TP", center=False).table()
    assert any("uncentred" in n for n in raw.notes)
    assert np.isfinite(table.body.iloc[0, 1].value)


def test_results_work_with_etable(table4_parts):
    mech, hets = table4_parts
    t = pdid.etable(mech.models)
    assert [g.label for g in t.header_rows()[1]] == ["RD", "TFP"]
    t2 = pdid.etable(hets[0].models)
    assert t2.body.shape[1] == 2


def test_text_and_html_displays(table4_parts, demo):
    mech, hets = table4_parts
    het = hets[0]
    assert "Fisher permutation test" in het.summary() and "High RD − Low RD" in het.summary()
    assert het._repr_html_().startswith("<div>") and "&lt;" not in het.permutation.summary()
    assert "HeterogeneityResult(by='RD'" in repr(het)
    assert "D → M" in mech.summary() and "<table" in mech._repr_html_()
    assert list(het.tidy().index) == ["High RD", "Low RD"]
    three = pdid.mechanism(demo.data, "TP", "RD", outcome="lnESF", controls=CONTROLS, fixef="code + year", method="three_step", bootstrap=0)  # fmt: skip
    assert "Sobel test." in three.notes[0] and "Jiang" in three.summary()
