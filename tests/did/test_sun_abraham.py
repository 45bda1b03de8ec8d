"""Sun & Abraham (2021): against a hand-built saturated regression, pyfixest and diff-diff."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import EstimationError
from tests.did.staggered_panels import staggered_panel


def hand_sa(df: pd.DataFrame, ref: int = -1, weights: str | None = None, controls=()):
    """Saturated regression with dummies made in pandas and IW weights from group counts."""
    work = df.copy()
    treated = work["g"].notna()
    cells = sorted(
        {
            (g, int(e))
            for g, e in zip(work.loc[treated, "g"], work.loc[treated, "rel"], strict=True)
            if e != ref
        }
    )
    names = []
    for g, e in cells:
        name = f"c{int(g)}_{'m' if e < 0 else 'p'}{abs(e)}"
        work[name] = ((work["g"] == g) & (work["rel"] == e)).astype(float)
        names.append(name)
    fml = "y ~ " + " + ".join([*names, *controls]) + " | unit + year"
    fit = pdid.feols(fml, work, vcov={"CRV1": "unit"}, weights=weights)
    w = np.ones(len(work)) if weights is None else work[weights].to_numpy()
    count = {c: w[work[n].to_numpy() == 1].sum() for c, n in zip(cells, names, strict=True)}
    periods = sorted({e for _, e in cells})
    W = np.zeros((len(periods), len(fit.names)))
    for row, e in enumerate(periods):
        total = sum(count[c] for c in cells if c[1] == e)
        for c, n in zip(cells, names, strict=True):
            if c[1] == e:
                W[row, fit.names.index(n)] = count[c] / total
    att = np.zeros(len(fit.names))
    post_total = sum(count[c] for c in cells if c[1] >= 0)
    for c, n in zip(cells, names, strict=True):
        if c[1] >= 0:
            att[fit.names.index(n)] = count[c] / post_total
    b, V = fit.coef_values, fit.vcov_matrix
    return np.array(periods), W @ b, W @ V @ W.T, att @ b, np.sqrt(att @ V @ att)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return staggered_panel(seed=1)


def test_matches_hand_built_saturated_regression(panel):
    sa = pdid.sun_abraham(panel, "y", unit="unit", time="year", cohort="g", controls=["x"])
    periods, est, vcov, att, att_se = hand_sa(panel, controls=["x"])
    dyn = sa.dynamic()
    assert dyn.estimator == "SA" and dyn.ref == -1
    np.testing.assert_array_equal(dyn.periods, periods)
    np.testing.assert_allclose(dyn.estimates, est, rtol=0, atol=1e-10)
    np.testing.assert_allclose(dyn.vcov, vcov, rtol=1e-10, atol=1e-14)
    assert sa.att == pytest.approx(att, abs=1e-10)
    assert sa.att_se == pytest.approx(att_se, rel=1e-10)
    # the full covariance is W V W' (off-diagonal terms too), and shares sum to one per period
    assert np.abs(vcov - np.diag(np.diag(vcov))).max() > 0
    np.testing.assert_allclose(sa.weights.sum(axis=1), 1.0)
    assert sa.cells["att_weight"].sum() == pytest.approx(1.0)


def test_weighted_shares_and_unbalanced_panel():
    df = staggered_panel(seed=2, drop_share=0.15)
    df["w"] = np.random.default_rng(3).uniform(0.5, 2.0, len(df))
    sa = pdid.sun_abraham(df, "y", unit="unit", time="year", cohort="g", weights="w")
    _, est, vcov, att, _ = hand_sa(df, weights="w")
    np.testing.assert_allclose(sa.estimates, est, atol=1e-10)
    np.testing.assert_allclose(sa.vcov, vcov, rtol=1e-10, atol=1e-14)
    assert sa.att == pytest.approx(att, abs=1e-10)


def test_matches_pyfixest_saturated_event_study(panel):
    pf = pytest.importorskip("pyfixest")
    sa = pdid.sun_abraham(panel, "y", unit="unit", time="year", cohort="g")
    data = panel.assign(g0=panel["g"].fillna(0).astype(int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ses = pf.event_study(
            data, yname="y", idname="unit", tname="year", gname="g0", estimator="saturated",
            cluster="unit",
        )  # fmt: skip
        agg = ses.aggregate().astype(float)
    tidy = sa.tidy().query("~is_ref")
    np.testing.assert_array_equal(agg.index.to_numpy(), tidy.index.to_numpy())
    np.testing.assert_allclose(tidy["estimate"], agg["Estimate"], atol=1e-9)
    np.testing.assert_allclose(tidy["std_error"], agg["Std. Error"], rtol=1e-8)


def test_matches_diff_diff(panel):
    dd = pytest.importorskip("diff_diff")
    sa = pdid.sun_abraham(panel, "y", unit="unit", time="year", cohort="g")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = dd.SunAbraham().fit(
            panel.assign(g0=panel["g"].fillna(0)), outcome="y", unit="unit", time="year",
            first_treat="g0",
        )  # fmt: skip
    effects = {int(k): v for k, v in ref.event_study_effects.items() if int(k) != -1}
    tidy = sa.tidy().query("~is_ref")
    np.testing.assert_allclose(
        tidy["estimate"], [effects[k]["effect"] for k in tidy.index], atol=1e-9
    )
    np.testing.assert_allclose(tidy["std_error"], [effects[k]["se"] for k in tidy.index], rtol=1e-7)
    assert sa.att == pytest.approx(ref.overall_att, abs=1e-9)
    assert sa.att_se == pytest.approx(ref.overall_se, rel=1e-7)


def test_recovers_heterogeneous_effects_where_twfe_is_biased():
    df = staggered_panel(n_units=3000, seed=4, noise=0.5)
    sa = pdid.sun_abraham(df, "y", unit="unit", time="year", cohort="g")
    truth = df[df["rel"] >= 0].groupby("rel")["effect"].mean()
    post = sa.tidy().query("rel_time >= 0")["estimate"]
    np.testing.assert_allclose(post, truth.loc[post.index], atol=0.08)
    assert sa.att == pytest.approx(df.loc[df["rel"] >= 0, "effect"].mean(), abs=0.05)
    twfe = pdid.feols("y ~ d | unit + year", df.assign(d=(df["rel"] >= 0).astype(float)))
    assert twfe.coef()["d"] < 0.5 * sa.att  # static TWFE: less than half the true ATT
    leads = sa.tidy().query("rel_time < 0 and ~is_ref")["estimate"]
    assert np.abs(leads).max() < 0.1


def test_last_treated_cohort_as_control():
    df = staggered_panel(seed=5, never_share=0.0)
    with pytest.raises(EstimationError, match="control_cohort='last'"):
        pdid.sun_abraham(df, "y", unit="unit", time="year", cohort="g")
    sa = pdid.sun_abraham(df, "y", unit="unit", time="year", cohort="g", control_cohort="last")
    last = df["g"].max()
    hand = df[df["year"] < last].assign(g=lambda d: d["g"].where(d["g"] != last))
    _, est, vcov, att, _ = hand_sa(hand)
    np.testing.assert_allclose(sa.estimates, est, atol=1e-10)
    np.testing.assert_allclose(sa.vcov, vcov, rtol=1e-10, atol=1e-14)
    assert sa.att == pytest.approx(att, abs=1e-10)
    assert sa.dropped["from_last_cohort"] == int((df["year"] >= last).sum())
    assert "last cohort" in sa.summary()


def test_window_ref_and_always_treated():
    df = staggered_panel(seed=6, cohorts=(0, 4, 6))  # cohort 2010 is treated from the start
    sa = pdid.sun_abraham(df, "y", unit="unit", time="year", cohort="g", window=(-3, 2), ref=-2)
    assert sa.tidy().index.tolist() == [-3, -2, -1, 0, 1, 2]
    assert sa.dropped["no_reference"] == int((df["g"] == 2010).sum())
    full = pdid.sun_abraham(df, "y", unit="unit", time="year", cohort="g", ref=-2)
    # the window only selects what is reported: the regression is the same
    np.testing.assert_allclose(full.dynamic().subset([-3, -1, 0, 1, 2]).estimates, sa.estimates)
    hand = df[df["g"] != 2010]
    _, est, _, _, _ = hand_sa(hand, ref=-2)
    np.testing.assert_allclose(full.estimates, est, atol=1e-10)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"control_cohort": "nevr"}, "never"),
        ({"ref": 0}, "negative integer"),
        ({"window": (-30, 2)}, "wider than the data"),
        ({"window": (1, 2)}, "first lead < 0"),
    ],
)
def test_bad_options_are_explained(panel, kwargs, message):
    with pytest.raises(pdid.PilotdidError, match=message):
        pdid.sun_abraham(panel, "y", unit="unit", time="year", cohort="g", **kwargs)


def test_outputs_tables_and_figures(panel):
    sa = pdid.sun_abraham(panel, "y", unit="unit", time="year", cohort="g")
    test = sa.pretrend_test()
    assert test.terms == tuple(int(p) for p in sa.periods if p < 0)
    assert 0 <= test.p_value <= 1
    table = pdid.etable([sa])
    assert "ATT" in table.to_text() and "t=0" in table.to_text()
    assert "Sun-Abraham" in sa.summary() and "<table" in sa._repr_html_()
    for language in ("en", "zh"):
        fig = sa.figure(language=language)
        assert fig.axes[0].get_xlabel()
    assert "交互加权" in sa.figure(language="zh").axes[0].get_title()
    assert not panel.columns.str.startswith("sa_").any()  # input untouched
