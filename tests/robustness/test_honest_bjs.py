"""HonestDiD on the imputation (BJS) estimator: the mapping to one reference period."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import EstimationError
from tests.did.staggered_panels import staggered_panel


def _fit(df: pd.DataFrame, pretrends: int, **kw) -> pdid.ImputationResult:
    return pdid.did_imputation(
        df, "y", unit="unit", time="year", cohort="g", pretrends=pretrends, **kw
    )


@pytest.mark.parametrize("controls", [(), ("x",)])
def test_mapped_coefficients_move_exactly_with_a_violation_path(controls):
    # any path d_r added to the eventually-treated units' outcomes moves the mapped event study
    # by exactly d_r - d_{-1} (pre and post): the mapping's defining property
    df = staggered_panel(n_units=120, n_periods=8, cohorts=(3, 4, 6), seed=3, drop_share=0.1)
    df["w"] = np.random.default_rng(2).uniform(0.5, 2.0, len(df))
    kw = {"controls": controls, "weights": "w"}
    base = _fit(df, 5, **kw).referenced()
    rng = np.random.default_rng(0)
    path = {r: float(rng.normal()) for r in range(-8, 8)}
    moved = df.copy()
    ever = moved["g"].notna()
    moved.loc[ever, "y"] += moved.loc[ever, "rel"].map(path)
    shifted = _fit(moved, 5, **kw).referenced()
    want = np.array([path[int(p)] - path[-1] for p in base.periods])
    assert base.ref == -1
    assert base.periods.tolist() == [-6, -5, -4, -3, -2, 0, 1, 2, 3, 4]
    np.testing.assert_allclose(shifted.estimates - base.estimates, want, atol=1e-10)


def test_equals_fully_dynamic_twfe_with_one_cohort_balanced():
    # one cohort, never-treated controls, balanced panel, no controls: the mapped estimates are
    # the fully dynamic TWFE event study normalised at -1 (brute force with dense dummies)
    df = staggered_panel(n_units=80, n_periods=7, cohorts=(4,), seed=5)
    mapped = _fit(df, 3).referenced()
    periods = [int(r) for r in sorted(df["rel"].dropna().unique()) if r != -1]
    unit, year = df["unit"].to_numpy(), df["year"].to_numpy()
    rel = df["rel"].to_numpy()
    x = np.column_stack(
        [unit[:, None] == np.unique(unit)[None, :]]
        + [year[:, None] == np.unique(year)[None, 1:]]
        + [(rel == r)[:, None] for r in periods]
    ).astype(float)
    coef = np.linalg.lstsq(x, df["y"].to_numpy(), rcond=None)[0][-len(periods) :]
    assert mapped.periods.tolist() == periods
    np.testing.assert_allclose(mapped.estimates, coef, atol=1e-10)


def test_honest_did_accepts_a_mapped_fit_and_refuses_a_partial_one():
    df = staggered_panel(n_units=120, n_periods=8, cohorts=(3, 4, 6), seed=3)
    res = pdid.honest_did(_fit(df, 5), Mbar=(0, 1))
    assert res.estimator == "BJS" and res.num_pre == 5 and res.ref == -1
    assert np.all(res.conf_low < res.estimate) and np.all(res.estimate < res.conf_high)
    with pytest.raises(EstimationError, match=r"pretrends=5"):
        pdid.honest_did(_fit(df, 2))
    with pytest.raises(EstimationError, match="include the unit"):
        no_unit = df.assign(grp=df["unit"] % 7)
        pdid.honest_did(
            pdid.did_imputation(
                no_unit,
                "y",
                unit="unit",
                time="year",
                cohort="g",
                fixef=["grp", "year"],
                pretrends=5,
            )
        )


def test_refuses_when_the_leads_are_not_identified():
    # no never-treated unit (the last cohort adopts after the panel ends): a linear trend in
    # relative time is collinear with the fixed effects, so the mapping would be arbitrary
    df = staggered_panel(n_units=120, n_periods=8, cohorts=(3, 5, 9), never_share=0.0, seed=3)
    fit = _fit(df, 8)
    assert not fit.leads_identified
    with pytest.raises(EstimationError, match="never-treated"):
        fit.referenced()
    assert _fit(staggered_panel(n_units=120, n_periods=8, seed=3), 6).leads_identified


def test_variance_matches_the_sampling_variance():
    # the mapped covariance T Sigma T' against the spread of the mapped estimates over draws
    draws = []
    ses = []
    for seed in range(120):
        df = staggered_panel(n_units=150, n_periods=6, cohorts=(3, 4), seed=1000 + seed)
        m = _fit(df, 3).referenced()
        draws.append(m.estimates)
        ses.append(m.se)
    sd = np.std(np.array(draws), axis=0, ddof=1)
    ratio = np.mean(np.array(ses), axis=0) / sd
    # BJS's variance is conservative under heterogeneous effects; the leads are exact
    assert np.all(ratio > 0.8) and np.all(ratio < 1.6), ratio


@pytest.mark.slow
def test_coverage_under_a_linear_violation():
    # a linear violation 0.1 r common to the cohorts lies in Delta^RM(1): the robust set at
    # Mbar = 1 covers the true average effect at >= 95 % (nominal), >= 0.93 of 300 draws
    covered, n = 0, 300
    for seed in range(n):
        df = staggered_panel(n_units=100, n_periods=7, cohorts=(3, 4, 5), seed=seed)
        ever = df["g"].notna()
        df.loc[ever, "y"] += 0.1 * (df.loc[ever, "rel"] + 1)
        fit = _fit(df, 4)
        res = pdid.honest_did(fit, Mbar=(1,))
        # true target: the average over horizons of the BJS estimand (mean effect at horizon h)
        truth = df.loc[df["rel"] >= 0].groupby("rel")["effect"].mean()
        truth = float(truth.loc[fit.horizons].mean())
        covered += res.conf_low[0] <= truth <= res.conf_high[0]
    assert covered / n >= 0.93


@pytest.mark.slow
def test_coverage_without_a_violation_at_mbar_zero():
    # parallel trends hold: at Mbar = 0 the set is about the original interval of the mapped
    # average effect, so its coverage checks the mapped covariance (>= 0.92 of 200 draws)
    covered, n = 0, 200
    for seed in range(n):
        df = staggered_panel(n_units=100, n_periods=7, cohorts=(3, 4, 5), seed=5000 + seed)
        fit = _fit(df, 4)
        res = pdid.honest_did(fit, Mbar=(0,))
        truth = df.loc[df["rel"] >= 0].groupby("rel")["effect"].mean()
        truth = float(truth.loc[fit.horizons].mean())
        covered += res.conf_low[0] <= truth <= res.conf_high[0]
    assert covered / n >= 0.92
