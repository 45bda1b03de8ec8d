"""Placebo tests on designs that cannot identify a DID: a clear error, never p = 1.0."""

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import EstimationError, PilotdidWarning
from pilotdid.estimation.randomization import ri_pvalue
from pilotdid.panel.identification import did_design_problem


def panel(cohort_of_unit, n_units=30, years=range(2000, 2006), seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {"unit": np.repeat(np.arange(n_units), len(years)), "year": np.tile(list(years), n_units)}
    )
    df["cohort"] = df["unit"].map(cohort_of_unit).astype(float)
    df["did"] = (df["year"] >= df["cohort"]).astype(float)
    df["x"] = rng.normal(size=len(df))
    df["y"] = 0.5 * df["did"] + df["x"] + rng.normal(size=len(df))
    return df


@pytest.mark.parametrize("vcov", [None, "iid", "hetero"])
def test_every_unit_treated_at_one_date_is_named(vcov):
    df = panel(dict.fromkeys(range(30), 2003))
    with pytest.raises(EstimationError, match="every unit is treated, all from 2003"):
        pdid.placebo(
            df,
            "y ~ did | unit + year",
            unit="unit",
            time="year",
            cohort="cohort",
            draws=20,
            vcov=vcov,
        )


def test_adoption_in_the_first_period_is_named():
    df = panel(dict.fromkeys(range(8), 2000))
    with pytest.raises(EstimationError, match="no pre-treatment period"):
        pdid.placebo(
            df, "y ~ did | unit + year", unit="unit", time="year", cohort="cohort", draws=20, seed=1
        )


def test_observed_estimate_collinear_with_a_control_is_an_error():
    df = panel(dict.fromkeys(range(8), 2003)).assign(copy=lambda d: 2 * d["did"])
    for vcov in (None, "hetero"):  # unit-level shortcut and row-level engine
        with pytest.raises(EstimationError, match="cannot be estimated"):
            pdid.placebo(
                df,
                "y ~ did + copy | unit + year",
                unit="unit",
                time="year",
                cohort="cohort",
                draws=20,
                vcov=vcov,
            )


def test_unestimable_draws_are_counted_and_left_out():
    # units 20-29 are observed only from 2004 on: a fake adoption in 2003 is constant within them
    df = panel({0: 2003})
    df = df[(df["unit"] < 20) | (df["year"] >= 2004)].reset_index(drop=True)
    with pytest.warns(PilotdidWarning, match="placebo draws could not be estimated"):
        res = pdid.placebo(
            df,
            "y ~ did | unit + year",
            unit="unit",
            time="year",
            cohort="cohort",
            draws=200,
            seed=3,
        )
    assert 0 < res.n_failed < 200
    assert res.n_failed == int(res.draws["coef"].isna().sum())
    finite = res.draws["coef"].dropna().abs()
    expected = (1 + (finite >= abs(res.estimate["coef"]) * (1 - 1e-12)).sum()) / (1 + finite.size)
    assert res.p_ri_coef == pytest.approx(expected)
    assert "not estimable" in res.summary()


def test_ri_pvalues_are_undefined_without_an_estimate_or_draws():
    assert np.isnan(ri_pvalue(np.array([0.1, 0.2]), float("nan"), two_sided=True))
    assert np.isnan(ri_pvalue(np.array([np.nan, np.nan]), 0.3, two_sided=True))
    assert np.isnan(ri_pvalue(np.array([0.1, 0.2]), float("nan"), two_sided=False))
    assert np.isnan(ri_pvalue(np.array([np.nan]), 0.1, two_sided=False))


@pytest.mark.parametrize(
    ("cohorts", "first", "last", "expected"),
    [
        ([2016.0, 2016.0], 2012.0, 2019.0, "every unit is treated"),
        ([2025.0, np.nan], 2012.0, 2019.0, "no post-treatment period"),
        ([2012.0, np.nan], 2012.0, 2019.0, "no pre-treatment period"),
        ([2012.0, 2025.0, np.nan], 2012.0, 2019.0, "observed both before and after"),
        ([np.nan, np.nan], 2012.0, 2019.0, "no unit is treated"),
        ([2016.0, 2017.0], 2012.0, 2019.0, None),
        ([2016.0, np.inf], 2012.0, 2019.0, None),
    ],
)
def test_did_design_problem(cohorts, first, last, expected):
    out = did_design_problem(np.array(cohorts), first, last)
    assert out is None if expected is None else expected in out
