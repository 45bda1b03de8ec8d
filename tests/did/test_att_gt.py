"""att_gt: bootstrap, clustering, a simulated staggered panel where TWFE fails, bad input, API."""

import importlib.resources
import warnings

import moderndid
import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import EstimationError, PanelError


@pytest.fixture(scope="module")
def mpdta():
    path = importlib.resources.files("moderndid") / "core" / "datasets" / "mpdta_long.pkl.gz"
    return pd.read_pickle(path)


def _fit(data, **kwargs):
    kwargs = {"unit": "countyreal", "time": "year", "cohort": "first.treat", **kwargs}
    return pdid.att_gt(data, "lemp", **kwargs)


def staggered_panel(n=600, periods=8, seed=0):
    """Cohorts 3, 5 and never; effects grow with time since adoption and differ by cohort."""
    rng = np.random.default_rng(seed)
    cohort = rng.choice([3, 5, 0], n, p=[0.3, 0.3, 0.4])
    df = pd.DataFrame(
        {"id": np.repeat(np.arange(n), periods), "t": np.tile(np.arange(1, periods + 1), n)}
    )
    df["g"] = np.repeat(cohort, periods)
    e = df["t"] - df["g"]
    treated = (df["g"] > 0) & (e >= 0)
    effect = np.where(treated, (1.0 + 0.8 * e) * np.where(df["g"] == 3, 2.0, 1.0), 0.0)
    unit_fe = np.repeat(rng.normal(size=n), periods)
    df["y"] = unit_fe + 0.3 * df["t"] + effect + rng.normal(scale=0.5, size=len(df))
    df["effect"] = effect
    return df


def test_bootstrap_is_reproducible_by_seed_and_varies_with_it(mpdta):
    a = _fit(mpdta, seed=7).aggregate("dynamic").tidy()
    b = _fit(mpdta, seed=7).aggregate("dynamic").tidy()
    c = _fit(mpdta, seed=8).aggregate("dynamic").tidy()
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["band_low"], c["band_low"])
    np.testing.assert_array_equal(a["estimate"], c["estimate"])


@pytest.mark.parametrize("weights", ["mammen", "rademacher"])
def test_bootstrap_matches_analytic_se_and_reference_band(mpdta, weights):
    res = _fit(mpdta, bootstrap=4999, seed=1, bootstrap_weights=weights)
    tidy = res.tidy()
    np.testing.assert_allclose(tidy["boot_se"], tidy["std_error"], rtol=0.1)
    assert (tidy["band_high"] - tidy["band_low"] > tidy["conf_high"] - tidy["conf_low"]).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = moderndid.att_gt(
            data=mpdta, yname="lemp", tname="year", idname="countyreal", gname="first.treat",
            boot=True, biters=4999, cband=True, random_state=3,
        )  # fmt: skip
    assert tidy.attrs["critical_value"] == pytest.approx(ref.critical_value, rel=0.06)
    dyn = res.aggregate("dynamic").tidy()
    crit = (dyn["band_high"] - dyn["estimate"]) / dyn["boot_se"]
    assert 2.0 < crit.iloc[0] < 3.5  # 7 event times: between the pointwise 1.96 and Bonferroni


def test_cluster_sums_influence_functions(mpdta):
    res = _fit(mpdta, bootstrap=0, uniform=False)
    unit_cluster = _fit(
        mpdta.assign(c=mpdta["countyreal"]), cluster="c", bootstrap=0, uniform=False
    )
    np.testing.assert_allclose(
        unit_cluster.tidy()["std_error"], res.tidy()["std_error"], rtol=1e-12
    )
    state = mpdta["countyreal"] // 1000  # the county FIPS code's state part
    clustered = _fit(mpdta.assign(state=state), cluster="state", bootstrap=999, seed=2)
    codes = pd.factorize(state.groupby(mpdta["countyreal"]).first().to_numpy())[0]
    sums = np.stack([np.bincount(codes, weights=col) for col in res.influence.T], axis=1)
    expected = np.sqrt((sums**2).sum(axis=0)) / res.n_units
    np.testing.assert_allclose(clustered.tidy()["std_error"], expected, rtol=1e-12)
    assert clustered.n_clusters == len(np.unique(codes))
    np.testing.assert_allclose(clustered.tidy()["boot_se"], expected, rtol=0.25)


def test_recovers_heterogeneous_growing_effects_where_twfe_fails():
    df = staggered_panel()
    res = pdid.att_gt(df, "y", unit="id", time="t", cohort="g", method="reg", seed=0)
    tidy = res.tidy().reset_index()
    truth = df[df["g"] > 0].groupby(["g", "t"])["effect"].mean()
    got = tidy.set_index(["cohort", "time"])["estimate"]
    post = tidy[tidy["post"]].set_index(["cohort", "time"]).index
    err = got.loc[post].to_numpy() - truth.loc[post].to_numpy()
    assert np.all(np.abs(err) < 4 * tidy.set_index(["cohort", "time"]).loc[post, "std_error"])
    simple = res.aggregate("simple")
    true_att = df.loc[(df["g"] > 0) & (df["t"] >= df["g"]), "effect"].mean()
    assert abs(simple.overall_estimate - true_att) < 3 * simple.overall_se
    twfe = pdid.feols(
        "y ~ d | id + t", df.assign(d=((df["g"] > 0) & (df["t"] >= df["g"])).astype(float))
    )
    assert abs(twfe.coef()["d"] - true_att) > 10 * simple.overall_se  # TWFE is far off
    dyn = res.aggregate("dynamic")
    pre = dyn.tidy().loc[lambda f: f.index < 0]
    assert (pre["band_low"] < 0).all() and (pre["band_high"] > 0).all()
    effects = dyn.dynamic()
    assert effects.estimator == "CS" and effects.ref is None
    assert effects.vcov.shape == (len(effects.periods),) * 2


def test_dynamic_covariance_is_that_of_the_influence_functions(mpdta):
    res = _fit(mpdta, covariates=["lpop"], bootstrap=0, uniform=False)
    dyn = res.aggregate("dynamic").dynamic()
    np.testing.assert_allclose(
        np.sqrt(np.diag(dyn.vcov)), res.aggregate("dynamic").tidy()["std_error"]
    )
    corr = dyn.vcov / np.outer(dyn.se, dyn.se)
    assert np.all(np.abs(corr) <= 1 + 1e-12) and np.any(np.abs(corr - np.eye(len(corr))) > 0.05)
    universal = _fit(mpdta, base_period="universal", bootstrap=0, uniform=False)
    eff = universal.aggregate("dynamic").dynamic()
    assert eff.ref == -1 and -1 not in eff.periods
    assert eff.tidy().loc[-1, "is_ref"]


def test_unbalanced_panel_is_balanced_and_counted(mpdta):
    data = mpdta.drop(index=[0, 7]).copy()  # two units lose a year
    data.loc[data.index[10], "lemp"] = np.nan  # a third loses its outcome once
    res = _fit(data, bootstrap=0, uniform=False)
    assert res.n_units == 497
    assert any("3 unit(s) not observed in all 5 periods dropped" in note for note in res.notes)
    assert any("1 row(s) with a missing value" in note for note in res.notes)
    assert "dropped" in res.summary()


def test_no_never_treated(mpdta):
    data = mpdta[mpdta["first.treat"] > 0]
    with pytest.raises(EstimationError, match="no never-treated unit.*control_group='notyet'"):
        _fit(data, bootstrap=0, uniform=False)
    res = _fit(data, control_group="notyet", bootstrap=0, uniform=False)
    assert res.tidy().index.get_level_values("time").max() == 2006
    assert list(res.groups) == [2004, 2006]
    assert any("last cohort (2007" in note for note in res.notes)


def test_bad_input_messages(mpdta):
    with pytest.raises(EstimationError, match="no pre-treatment period"):
        _fit(mpdta, anticipation=1)
    with pytest.raises(EstimationError, match="choose one of 'dr', 'ipw', 'reg'"):
        _fit(mpdta, method="dml")
    with pytest.raises(EstimationError, match="choose one of 'never', 'notyet'"):
        _fit(mpdta, control_group="nevertreated")
    with pytest.raises(PanelError, match="column 'lpopp' not found"):
        _fit(mpdta, covariates=["lpopp"])
    with pytest.raises(PanelError, match="weights column 'w' varies within"):
        _fit(mpdta.assign(w=np.arange(len(mpdta), dtype=float)), weights="w")
    with pytest.raises(EstimationError, match="uniform bands need"):
        _fit(mpdta, bootstrap=10)
    with pytest.raises(EstimationError, match="choose one of 'simple'"):
        _fit(mpdta, bootstrap=0, uniform=False).aggregate("event")
    with pytest.raises(EstimationError, match="dynamic aggregation"):
        _fit(mpdta, bootstrap=0, uniform=False).aggregate("group").dynamic()


def test_weights_equal_to_duplicated_units(mpdta):
    # integer weights of 2 on the treated units = those units twice (point estimates)
    twice = mpdta[mpdta["first.treat"] > 0].assign(countyreal=lambda f: f["countyreal"] + 100000)
    dup = _fit(pd.concat([mpdta, twice]), covariates=["lpop"], bootstrap=0, uniform=False)
    weighted = _fit(
        mpdta.assign(w=np.where(mpdta["first.treat"] > 0, 2.0, 1.0)), covariates=["lpop"],
        weights="w", bootstrap=0, uniform=False,
    )  # fmt: skip
    np.testing.assert_allclose(weighted.tidy()["estimate"], dup.tidy()["estimate"], rtol=1e-9)


def test_outputs(mpdta):
    res = _fit(mpdta, seed=1)
    assert res.pretrend_test().df_num == 5 and 0 < res.pretrend_test().p_value < 1
    table = pdid.etable([res, res.aggregate("dynamic")])
    assert "ATT" in str(table) and "t+3" in str(table)
    assert "Callaway-Sant&#x27;Anna ATT(g,t)" in res._repr_html_()
    assert "overall" in res.aggregate("group").summary()
    for lang in ("en", "zh"):
        assert res.figure(language=lang).axes
        assert res.aggregate("dynamic").figure(language=lang).axes
    with pytest.raises(EstimationError, match="one number"):
        res.aggregate("simple").figure()
    assert not mpdta.columns.str.startswith("_").any()  # input untouched
