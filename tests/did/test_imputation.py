"""Borusyak-Jaravel-Spiess imputation: brute force, pyfixest's did2s and diff-diff."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import EstimationError
from tests.did.staggered_panels import staggered_panel


def brute_force(df: pd.DataFrame, controls=(), weights=None, cluster="unit"):
    """Dense dummies + lstsq on untreated rows; imputation weights and the Theorem 3 variance."""
    units = np.sort(df["unit"].unique())
    years = np.sort(df["year"].unique())
    Z = np.column_stack(
        [
            (df["unit"].to_numpy()[:, None] == units[None, :]).astype(float),
            (df["year"].to_numpy()[:, None] == years[None, 1:]).astype(float),
            df[list(controls)].to_numpy(dtype=float).reshape(len(df), -1),
        ]
    )
    y = df["y"].to_numpy()
    treated = (df["rel"] >= 0).to_numpy()
    Z0, Z1, y0, y1 = Z[~treated], Z[treated], y[~treated], y[treated]
    beta = np.linalg.lstsq(Z0, y0, rcond=None)[0]
    tau = y1 - Z1 @ beta
    resid0 = y0 - Z0 @ beta
    h = df.loc[treated, "rel"].to_numpy().astype(int)
    g1 = df.loc[treated, "g"].to_numpy()
    w = np.ones(h.size) if weights is None else df.loc[treated, weights].to_numpy()
    horizons = np.unique(h)
    columns = [np.where(h == k, w, 0.0) for k in horizons] + [w]
    clusters = pd.factorize(df[cluster])[0]
    est, se, est_direct = [], [], []
    for wk in columns:
        wk = wk / wk.sum()
        v0 = -Z0 @ np.linalg.pinv(Z0.T @ Z0) @ Z1.T @ wk
        est.append(wk @ y1 + v0 @ y0)
        est_direct.append(wk @ tau)
        tilde = np.zeros(h.size)
        for cell in set(zip(g1, h, strict=True)):
            at = (g1 == cell[0]) & (h == cell[1])
            den = (wk[at] ** 2).sum()
            tilde[at] = (wk[at] ** 2 * tau[at]).sum() / den if den > 0 else 0.0
        contrib = np.zeros(len(df))
        contrib[treated] = wk * (tau - tilde)
        contrib[~treated] = v0 * resid0
        se.append(np.sqrt((np.bincount(clusters, weights=contrib) ** 2).sum()))
    return horizons, np.array(est), np.array(est_direct), np.array(se), tau


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return staggered_panel(n_units=60, n_periods=8, cohorts=(3, 4, 6), seed=11)


@pytest.mark.parametrize("controls", [(), ("x",)])
def test_matches_brute_force(small, controls):
    bjs = pdid.did_imputation(small, "y", unit="unit", time="year", cohort="g", controls=controls)
    horizons, est, direct, se, tau = brute_force(small, controls)
    np.testing.assert_allclose(est, direct, atol=1e-10)  # the imputation-weight identity
    np.testing.assert_array_equal(bjs.horizons, horizons)
    np.testing.assert_allclose(bjs.estimates, est[:-1], rtol=0, atol=1e-10)
    assert bjs.att == pytest.approx(est[-1], abs=1e-10)
    np.testing.assert_allclose(np.sqrt(np.diag(bjs.vcov)), se[:-1], rtol=1e-9)
    assert bjs.att_se == pytest.approx(se[-1], rel=1e-9)
    np.testing.assert_allclose(bjs.effects.to_numpy(), tau, atol=1e-10)


def test_brute_force_weights_cluster_and_unbalanced():
    df = staggered_panel(n_units=80, n_periods=8, cohorts=(3, 5), seed=12, drop_share=0.15)
    df["w"] = np.random.default_rng(1).uniform(0.2, 3.0, len(df))
    df["region"] = df["unit"] % 9
    bjs = pdid.did_imputation(
        df, "y", unit="unit", time="year", cohort="g", weights="w", cluster="region"
    )
    _, est, _, se, _ = brute_force(df, weights="w", cluster="region")
    np.testing.assert_allclose(bjs.estimates, est[:-1], atol=1e-10)
    np.testing.assert_allclose(np.sqrt(np.diag(bjs.vcov)), se[:-1], rtol=1e-9)
    assert bjs.att_se == pytest.approx(se[-1], rel=1e-9)
    assert bjs.n_clusters == 9


def test_matches_diff_diff(small):
    dd = pytest.importorskip("diff_diff")
    bjs = pdid.did_imputation(small, "y", unit="unit", time="year", cohort="g", controls=["x"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = dd.ImputationDiD().fit(
            small.assign(g0=small["g"].fillna(0)), outcome="y", unit="unit", time="year",
            first_treat="g0", covariates=["x"], aggregate="event_study",
        )  # fmt: skip
    effects = ref.event_study_effects
    np.testing.assert_allclose(
        bjs.estimates, [effects[h]["effect"] for h in bjs.horizons], atol=1e-9
    )
    np.testing.assert_allclose(
        np.sqrt(np.diag(bjs.vcov)), [effects[h]["se"] for h in bjs.horizons], rtol=1e-7
    )
    assert bjs.att == pytest.approx(ref.overall_att, abs=1e-9)
    assert bjs.att_se == pytest.approx(ref.overall_se, rel=1e-7)


def test_point_estimates_equal_did2s(small):
    pf = pytest.importorskip("pyfixest")
    bjs = pdid.did_imputation(small, "y", unit="unit", time="year", cohort="g")
    data = small.assign(
        treat=(small["rel"] >= 0).astype(int), hz=np.where(small["rel"] >= 0, small["rel"], -1)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.did2s(
            data, yname="y", first_stage="~ 0 | unit + year", second_stage="~ i(hz, ref=-1)",
            treatment="treat", cluster="unit",
        )  # fmt: skip
    coef = fit.coef()
    ours = pd.Series(bjs.estimates, index=bjs.horizons)
    for name, value in coef.items():
        h = int(float(name.split("::")[1]))
        # did2s demeans its first stage iteratively (pyfixest's default fixef_tol, no argument
        # to tighten it): agreement to ~1e-5; the exact brute force above holds to 1e-10
        assert ours[h] == pytest.approx(value, abs=1e-4)


def test_recovers_heterogeneous_effects_where_twfe_is_biased():
    df = staggered_panel(n_units=3000, seed=13, noise=0.5, never_share=0.1)
    bjs = pdid.did_imputation(df, "y", unit="unit", time="year", cohort="g", controls=["x"])
    truth = df[df["rel"] >= 0].groupby("rel")["effect"].mean()
    np.testing.assert_allclose(bjs.estimates, truth.loc[bjs.horizons], atol=0.1)
    att = df.loc[df["rel"] >= 0, "effect"].mean()
    assert bjs.att == pytest.approx(att, abs=0.05)
    twfe = pdid.feols("y ~ d + x | unit + year", df.assign(d=(df["rel"] >= 0).astype(float)))
    assert twfe.coef()["d"] < 0.5 * att


def test_pretrend_regression_and_joint_covariance(small):
    bjs = pdid.did_imputation(
        small, "y", unit="unit", time="year", cohort="g", controls=["x"], pretrends=3
    )
    untreated = small[small["rel"].isna() | (small["rel"] < 0)].copy()
    for k in (1, 2, 3):
        untreated[f"L{k}"] = (untreated["rel"] == -k).astype(float)
    fit = pdid.feols("y ~ L3 + L2 + L1 + x | unit + year", untreated, vcov={"CRV1": "unit"})
    np.testing.assert_allclose(bjs.lead_estimates, fit.coef()[["L3", "L2", "L1"]], atol=1e-10)
    test = bjs.pretrend_test()
    assert test.terms == (-3, -2, -1) and test.df_num == 3
    ref = pdid.estimation.wald.wald_test(
        fit.coef()[["L3", "L2", "L1"]].to_numpy(),
        fit.vcov().loc[["L3", "L2", "L1"], ["L3", "L2", "L1"]].to_numpy(),
        fit.df_t,
    )
    assert test.statistic == pytest.approx(ref.statistic, rel=1e-9)
    dyn = bjs.dynamic()
    assert dyn.estimator == "BJS" and dyn.ref is None
    assert dyn.periods.tolist()[:3] == [-3, -2, -1]
    # the lead block of the joint covariance is the unadjusted cluster-robust one
    G, n, k = fit.n_clusters["unit"], fit.nobs, fit.df_k
    factor = G / (G - 1) * (n - 1) / (n - k)
    lead_vcov = fit.vcov().loc[["L3", "L2", "L1"], ["L3", "L2", "L1"]].to_numpy()
    np.testing.assert_allclose(dyn.vcov[:3, :3] * factor, lead_vcov, rtol=1e-8)
    np.testing.assert_allclose(dyn.vcov[3:, 3:], bjs.vcov, rtol=1e-12)
    assert np.all(np.linalg.eigvalsh(dyn.vcov) > -1e-12)


def test_identification_errors_name_the_culprits():
    df = staggered_panel(n_units=30, n_periods=6, cohorts=(0, 3), seed=14)
    with pytest.raises(EstimationError, match=r"unit .*no untreated observation"):
        pdid.did_imputation(df, "y", unit="unit", time="year", cohort="g")
    df = staggered_panel(n_units=30, n_periods=6, cohorts=(2, 4), never_share=0.0, seed=15)
    with pytest.raises(EstimationError, match=r"year 2014, 2015 have no untreated"):
        pdid.did_imputation(df, "y", unit="unit", time="year", cohort="g")
    ok = df[df["year"] < 2014]  # drop the periods in which everyone is treated
    assert pdid.did_imputation(ok, "y", unit="unit", time="year", cohort="g").att > 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizons": [0, 40]}, "not among them"),
        ({"pretrends": -1}, "non-negative integer"),
        ({"fixef": []}, "needs fixed effects"),
        ({"cluster": "x"}, "nested"),
    ],
)
def test_bad_options_are_explained(small, kwargs, message):
    with pytest.raises(pdid.PilotdidError, match=message):
        pdid.did_imputation(small, "y", unit="unit", time="year", cohort="g", **kwargs)


def test_horizons_outputs_and_figures(small):
    bjs = pdid.did_imputation(
        small, "y", unit="unit", time="year", cohort="g", horizons=[0, 2], pretrends=2
    )
    full = pdid.did_imputation(small, "y", unit="unit", time="year", cohort="g")
    assert bjs.tidy().index.tolist() == [-2, -1, 0, 2]
    assert bjs.att == pytest.approx(full.att, abs=1e-12)  # the ATT uses every treated row
    np.testing.assert_allclose(bjs.estimates, full.estimates[[0, 2]], atol=1e-12)
    text = pdid.etable([bjs]).to_text()
    assert "ATT" in text and "t+2" in text
    assert "Imputation" in bjs.summary() and "<table" in bjs._repr_html_()
    for language in ("en", "zh"):
        fig = bjs.figure(language=language)
        assert len(fig.axes) == 1
    assert "插补" in bjs.figure(language="zh").axes[0].get_title()
