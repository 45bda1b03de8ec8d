"""StudyResult.to_stata and report.formats = ["dta"]: the panel and the coefficients, read back."""

from __future__ import annotations

import numpy as np
import pytest

from pilotdid.study.config import load_study
from pilotdid.study.pipeline import run_study

pyreadstat = pytest.importorskip("pyreadstat")


def test_study_writes_panel_and_results(example_result, tmp_path):
    files = example_result.to_stata(tmp_path)
    assert set(files) == {"panel", "results"}
    panel, meta = pyreadstat.read_dta(str(tmp_path / "panel.dta"))
    match = example_result.matching.result
    assert len(panel) == len(match.data)
    assert panel["_insample"].sum() == len(example_result.sample)
    np.testing.assert_allclose(panel["_pscore"], match.data["_pscore"].to_numpy(), equal_nan=True)
    assert meta.column_names_to_labels["_weight"].startswith("psmatch2:")

    res, rmeta = pyreadstat.read_dta(str(tmp_path / "results.dta"))
    assert list(res.columns) == ["table", "column", "term", "b", "se", "p", "N", "depvar"]
    assert all(rmeta.column_names_to_labels[c] for c in res.columns)
    assert {"table3", "event_table", "table4", "table5"} <= set(res["table"])
    # every Table 3 coefficient, exactly as the model has it
    for title, fit in example_result.baseline.models.items():
        rows = res[(res["table"] == "table3") & (res["column"] == title)].set_index("term")
        coefs = fit.model_summary().coefs
        assert list(rows.index) == [str(t) for t in coefs.index]
        np.testing.assert_allclose(rows["b"], coefs["estimate"], rtol=1e-12)
        np.testing.assert_allclose(rows["se"], coefs["std_error"], rtol=1e-12)
        np.testing.assert_allclose(rows["p"], coefs["p_value"], rtol=1e-12)
        assert (rows["N"] == fit.nobs).all()
    title = example_result.baseline.main_title
    main = res[(res["table"] == "table3") & (res["column"] == title) & (res["term"] == "TP")]
    assert main["b"].iloc[0] == pytest.approx(example_result.main.coef()["TP"], rel=1e-12)


def test_report_folder_holds_dta_when_asked(project):
    toml = (project / "study.toml").read_text(encoding="utf-8")
    (project / "study.toml").write_text(
        toml.replace('formats = ["html", "md", "tex"]', 'formats = ["md", "dta"]'), encoding="utf-8"
    )
    result = run_study(load_study(project / "study.toml"))
    out = result.write_report(project / "out")
    assert (out / "panel.dta").is_file() and (out / "results.dta").is_file()
    res, _ = pyreadstat.read_dta(str(out / "results.dta"))
    assert (res["table"] == "table3").any()
    assert not list(out.glob(".*.tmp"))


def test_report_folder_without_dta_has_none(project):
    result = run_study(load_study(project / "study.toml"))
    out = result.write_report(project / "out")
    assert not list(out.glob("*.dta"))


def test_dta_without_pyreadstat_is_a_study_file_problem(project, monkeypatch):
    import importlib.util

    from pilotdid.errors import StudyFileError

    toml = (project / "study.toml").read_text(encoding="utf-8")
    (project / "study.toml").write_text(
        toml.replace('formats = ["html", "md", "tex"]', 'formats = ["dta"]'), encoding="utf-8"
    )
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "pyreadstat" else real(name, *a),
    )
    with pytest.raises(StudyFileError, match=r"report.formats: \"dta\".*pilotdid\[stata\]"):
        load_study(project / "study.toml")


def test_renamed_columns_are_reported(project):
    import pandas as pd

    from pilotdid.errors import PilotdidWarning

    panel = pd.read_csv(project / "panel.csv")
    panel["GDP per capita"] = 1.0
    panel.to_csv(project / "panel.csv", index=False)
    toml = (project / "study.toml").read_text(encoding="utf-8")
    (project / "study.toml").write_text(
        toml.replace('formats = ["html", "md", "tex"]', 'formats = ["dta"]'), encoding="utf-8"
    )
    result = run_study(load_study(project / "study.toml"))
    with pytest.warns(PilotdidWarning, match=r"panel.dta: .*'GDP per capita' -> GDP_per_capita"):
        out = result.write_report(project / "out")
    data, meta = pyreadstat.read_dta(str(out / "panel.dta"))
    assert "GDP_per_capita" in data.columns
    assert meta.column_names_to_labels["GDP_per_capita"] == "GDP per capita"
