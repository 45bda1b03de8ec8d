"""The paper's study on the demo panel with every column renamed to an awkward name.

Spaces, dots, parentheses, Chinese, a leading digit, a name that reads like Python
(``np.exp(lnHCL)`` next to a column literally named ``lnHCL``) and a name that would write a file
if it were evaluated: every stage must run, give the numbers of the plain-named study, and show
the names in the tables.
"""

import numpy as np
import pytest

from pilotdid.study.config import load_study
from pilotdid.study.pipeline import run_study

INJECTION = "np.save('pwned', 0)"
RENAME = {
    "code": "城市 代码",
    "year": "年份 (t)",
    "province": "省份",
    "lnESF": "出口 复杂度",
    "lnHCL": "np.exp(lnHCL)",
    "FIN": "lnHCL",  # a column named like the argument of the one above
    "lnPERgdp": "2nd gdp",
    "HUM": "FIN ratio",
    "MAR": INJECTION,
    "lnAOL": "ln.AOL",
    "lnFINA": "金融 发展",
    "RD": "研发 R&D",
    "TFP": "T.F.P",
    "freedom": "开放度",
}
DID = "处理 × 政策"

STUDY = """
[study]
seed = 2024

[data]
path = "panel.csv"
unit = "城市 代码"
time = "年份 (t)"

[treatment]
roster = "bigdata"
definition = "provinces"
later_zones_year = 2017
names = {{ did = "{did}" }}

[model]
outcome = "出口 复杂度"
controls = {controls}

[matching]
mode = "base_year"
base = "pre_mean"
method = "kernel"
common_support = true

[placebo]
draws = 40

[event_study]
window = [-4, 3]

[[exclusions]]
name = "Excluding minority areas"
column = "省份"
values = ["Inner Mongolia", "Ningxia", "Xinjiang", "Guangxi"]

[mechanisms]
mediators = ["研发 R&D", "T.F.P"]

[heterogeneity]
split_by = ["研发 R&D", "T.F.P"]
permutations = 40

[moderation]
moderators = ["开放度"]

[report]
output = "out"
formats = ["md"]
figures = ["png"]
"""
CONTROLS = ["lnHCL", "FIN", "lnPERgdp", "HUM", "MAR", "lnAOL", "lnFINA"]


@pytest.fixture(scope="module")
def odd_study(tmp_path_factory):
    from pilotdid.datasets import demo_panel

    folder = tmp_path_factory.mktemp("odd_names")
    demo = demo_panel(2024, definition="provinces", later_zones_year=2017)
    data = demo.data.drop(columns=["treat", "TP", "adoption_year"]).rename(columns=RENAME)
    data.to_csv(folder / "panel.csv", index=False)
    controls = "[" + ", ".join(f'"{RENAME[c]}"' for c in CONTROLS) + "]"
    toml = STUDY.format(did=DID, controls=controls)
    (folder / "study.toml").write_text(toml, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def odd_result(odd_study):
    import os

    cwd = os.getcwd()
    os.chdir(odd_study)  # an evaluated name would write pwned.npy here
    try:
        res = run_study(load_study(odd_study / "study.toml"))
        out = res.write_report(odd_study / "out")
    finally:
        os.chdir(cwd)
    return res, out


def test_every_stage_runs_with_awkward_names(odd_result, odd_study):
    res, _ = odd_result
    assert not (odd_study / "pwned.npy").exists()
    assert list(res.tables) == [
        "table1", "table2", "vif", "balance", "balance_overall", "table3", "event_table",
        "sensitivity_table", "staggered_att", "staggered_dynamic", "bacon",
        "sensitivity_staggered", "table4", "table5",
    ]  # fmt: skip
    assert res.moderation is not None and res.moderation.results[0].moderator == "开放度"
    assert res.mechanisms is not None
    assert [h.by for h in res.mechanisms.heterogeneity] == ["研发 R&D", "T.F.P"]
    assert res.event_study is not None and res.placebo is not None


def test_estimates_equal_the_plain_named_study(odd_result, example_result):
    res, _ = odd_result
    plain, odd = example_result.main, res.main
    assert odd.names == (DID, *(RENAME[c] for c in CONTROLS))
    np.testing.assert_allclose(odd.coef_values, plain.coef_values, rtol=1e-9)
    np.testing.assert_allclose(odd.se().to_numpy(), plain.se().to_numpy(), rtol=1e-9)
    mod_plain = example_result.moderation.results[0].models["interaction"]
    mod_odd = res.moderation.results[0].models["interaction"]
    np.testing.assert_allclose(mod_odd.coef_values, mod_plain.coef_values, rtol=1e-9)
    assert f"{DID}:开放度" in mod_odd.names
    es_plain, es_odd = example_result.event_study.tidy(), res.event_study.tidy()
    np.testing.assert_allclose(es_odd["estimate"], es_plain["estimate"], rtol=1e-9)
    np.testing.assert_allclose(
        res.placebo.estimate["coef"], example_result.placebo.estimate["coef"], rtol=1e-9
    )


def test_tables_show_the_names(odd_result):
    _, out = odd_result
    text = (out / "tables.md").read_text(encoding="utf-8")
    for name in [
        RENAME["lnESF"],
        DID,
        "np.exp(lnHCL)",
        "FIN ratio",
        INJECTION,
        "研发 R&D",
        "开放度",
    ]:
        assert name in text, name


def test_names_a_formula_cannot_hold_are_listed_by_validate(tmp_path):
    from pilotdid.errors import StudyFileError
    from pilotdid.study.prepare import prepare_panel

    from .conftest import MINIMAL, small_panel

    panel = small_panel().rename(columns={"x2": "x`2", "city": "city^id"})
    panel.to_csv(tmp_path / "panel.csv", index=False)
    toml = MINIMAL.replace('"x2"', '"x`2"').replace('unit = "city"', 'unit = "city^id"')
    (tmp_path / "study.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(StudyFileError) as info:
        prepare_panel(load_study(tmp_path / "study.toml"))
    lines = list(info.value.problems)
    assert (
        "model.controls[1]: column name 'x`2' contains a backtick (`); rename the column" in lines
    )
    assert any(line.startswith("data.unit: column name 'city^id' contains '^'") for line in lines)
