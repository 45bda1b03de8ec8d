"""A control absorbed by the fixed effects is named in the result, the table notes and the reading."""

import warnings

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.study.config import load_study
from pilotdid.study.pipeline import run_study
from pilotdid.tables.labels import Labels
from tests.study.conftest import MINIMAL, small_panel


@pytest.fixture
def df():
    rng = np.random.default_rng(1)
    out = pd.DataFrame(
        {"city": np.repeat(np.arange(40), 6), "year": np.tile(range(2010, 2016), 40)}
    )
    out["lpop"] = np.log(1 + out["city"] % 7)  # time-invariant
    out["x"] = rng.normal(size=len(out))
    out["x_copy"] = 2 * out["x"]
    out["u"] = rng.normal(size=40)[out["city"]]
    out["treat"] = out["u"] + rng.normal(size=len(out)).reshape(40, 6)[:, 0][out["city"]] > 0.5
    out["treat"] = out["treat"].astype(int)
    out["did"] = out["treat"] * (out["year"] >= 2013)
    out["y"] = 0.5 * out["did"] + out["x"] + rng.normal(size=len(out))
    return out


def test_feols_records_why_a_regressor_was_dropped(df):
    with pytest.warns(pdid.PilotdidWarning):
        fit = pdid.feols("y ~ did + lpop + x + x_copy | city + year", df)
    assert fit.collinear == ("lpop", "x_copy")
    assert fit.absorbed == ("lpop",)
    summary = fit.model_summary()
    assert summary.collinear == ("lpop", "x_copy") and summary.absorbed == ("lpop",)


def test_etable_notes_name_the_dropped_regressors(df):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = pdid.feols("y ~ did | city + year", df)
        full = pdid.feols("y ~ did + lpop + x + x_copy | city + year", df)
    notes = pdid.etable([base, full]).notes
    assert "Dropped as collinear with the fixed effects: lpop in (2)" in notes
    assert "Dropped as collinear with other regressors: x_copy in (2)" in notes
    zh = pdid.etable([full], labels=Labels(zh={"lpop": "人口"}), language="zh").notes
    assert "因与固定效应共线而剔除：人口" in zh


def test_psm_did_carries_the_dropped_control(df):
    m = pdid.match(df, "treat", ["x", "u"], unit="city", time="year")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, second = m.did("y", "did", controls=["x", "lpop"])
    assert second.absorbed == ("lpop",)


def test_study_table_and_reading_say_which_control_was_dropped(tmp_path):
    panel = small_panel()
    panel["pop"] = (panel["city"] * 7 % 11) * 0.3 + 1
    panel.to_csv(tmp_path / "panel.csv", index=False)
    text = MINIMAL.replace('controls = ["x1", "x2"]', 'controls = ["x1", "x2", "pop"]')
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_study(load_study(tmp_path / "study.toml"))
    assert "Dropped as collinear with the fixed effects: pop in (2)" in result.baseline.table.notes
    from pilotdid.report.readings import read_table3

    reading = read_table3(result).text()
    assert "With the controls (pop dropped as collinear with the fixed effects)" in reading
