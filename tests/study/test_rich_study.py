"""Richer study files: treatment from an indicator, regression weights, several outcomes and
interacted fixed effects, run end to end; weighted estimates against pyfixest at 1e-8."""

import warnings

import numpy as np
import pandas as pd
import pytest

from pilotdid.study.config import load_study
from pilotdid.study.pipeline import run_study

from .rich_panel import rich_panel, write_study

pf = pytest.importorskip("pyfixest")
from pyfixest.demeaners import MapDemeaner  # noqa: E402

RTOL = 1e-8
STUDY = """
[treatment]
indicator = "TP"
[model]
outcomes = ["lnESF", "TFP"]
controls = ["lnHCL", "FIN"]
weights = "pop0"
fixed_effects = ["code", "year", "region^year"]
[placebo]
draws = 20
[[exclusions]]
name = "no Beijing"
column = "province"
values = ["Beijing"]
[mechanisms]
mediators = ["RD"]
[moderation]
moderators = ["HUM"]
[staggered]
enabled = true
bootstrap = 0
"""


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rich")
    return run_study(load_study(write_study(folder, STUDY)))


def _pyfixest(fml, data, weights):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(
            fml, data, vcov={"CRV1": "code"}, weights=weights,
            demeaner=MapDemeaner(fixef_tol=1e-14, fixef_maxiter=100_000),
        )  # fmt: skip


def _same(ours, theirs):
    names = list(theirs.coef().index)
    np.testing.assert_allclose(ours.coef()[names], theirs.coef()[names], rtol=RTOL)
    np.testing.assert_allclose(ours.se()[names], theirs.se()[names], rtol=RTOL)
    assert ours.nobs == theirs._N


def test_the_indicator_gives_the_adoption_periods(rich):
    first_one = rich_panel().query("TP == 1").groupby("code")["year"].min()
    cohorts = rich.panel.treatment.cohorts().dropna().astype(int)
    pd.testing.assert_series_equal(
        cohorts.sort_index(), first_one.sort_index(), check_names=False, check_dtype=False
    )
    assert any("read from the indicator 'TP'" in n for n in rich.panel.notes)


def test_table3_columns_match_pyfixest_with_weights_and_interacted_fixed_effects(rich):
    sample, fe = rich.sample, "code + year + region^year"
    assert rich.matching.weights == "pop0"
    models = list(rich.baseline.models.values())
    _same(models[0], _pyfixest(f"lnESF ~ did | {fe}", sample, "pop0"))
    _same(models[1], _pyfixest(f"lnESF ~ did + lnHCL + FIN | {fe}", sample, "pop0"))
    kept = rich.baseline.exclusions[0].data
    _same(models[2], _pyfixest(f"lnESF ~ did + lnHCL + FIN | {fe}", kept, "pop0"))
    (tfp,) = rich.baseline.outcomes.values()
    _same(tfp, _pyfixest(f"TFP ~ did + lnHCL + FIN | {fe}", sample, "pop0"))


def test_weights_change_the_estimate(rich):
    main = rich.main
    unweighted = _pyfixest(
        "lnESF ~ did + lnHCL + FIN | code + year + region^year", rich.sample, None
    )
    assert abs(main.coef()["did"] - unweighted.coef()["did"]) > 1e-6
    assert main.weights == "analytic"


def test_table3_gains_a_column_per_further_outcome(rich):
    table = rich.tables["table3"]
    text = table.to_text()
    assert table.body.shape[1] == 4  # baseline, with controls, exclusion, TFP
    assert "Region × Year FE" in text
    assert "Columns (4): the specification of column (2)" in text
    assert "Regressions weighted by pop0." in text
    assert "TFP" in list(rich.descriptives.summary.index)  # Table 1 describes every outcome


def test_event_table_has_one_column_per_outcome(rich):
    assert list(rich.outcome_events) == ["TFP"]
    table = rich.tables["event_table"]
    assert table.body.shape[1] == 2
    tfp = rich.outcome_events["TFP"]
    assert not np.allclose(tfp.tidy()["estimate"], rich.event_study.tidy()["estimate"])


def test_every_regression_stage_is_weighted(rich):
    from pilotdid import event_study

    fe = ["code", "year", "region^year"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        es = event_study(
            rich.sample, "lnESF", unit="code", time="year", cohort="cohort",
            controls=["lnHCL", "FIN"], fixef=fe, window=(-4, 3), weights="pop0",
        )  # fmt: skip
    pd.testing.assert_frame_equal(es.tidy(), rich.event_study.tidy())
    np.testing.assert_allclose(rich.placebo.estimate["coef"], rich.main.coef()["did"], rtol=RTOL)
    models = rich.mechanisms.mechanism.models
    fml = "RD ~ did + lnHCL + FIN | code + year + region^year"
    _same(models["RD"], _pyfixest(fml, rich.sample, "pop0"))
    assert all(m.weights == "analytic" for m in models.values())
    (moderation,) = rich.moderation.results
    assert all(m.weights == "analytic" for m in moderation.models.values())
    assert "region^year" in moderation.fml
    assert rich.staggered is not None and "cs" not in rich.staggered.failed
    assert "model.weights (pop0) do not enter it" in rich.tables["bacon"].to_text()


def test_the_report_is_written_with_the_outcome_columns(rich, tmp_path):
    out = rich.write_report(tmp_path / "out")
    tables = (out / "tables.md").read_text(encoding="utf-8")
    assert "Regressions weighted by pop0." in tables
    assert "One column per outcome (model.outcomes)" in tables
    assert (out / "report.html").is_file()
