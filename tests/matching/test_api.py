from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import MatchingError, PilotdidWarning

PS_COLS = ["_pscore", "_treated", "_support", "_weight", "_id", "_nn", "_n1", "_pdif"]


def test_psmatch2_columns_on_every_row(cross):
    res = pdid.match(cross, "d", ["x1", "x2"], caliper=0.02, common=True)
    d = res.data
    assert len(d) == len(cross) and d.index.equals(cross.index)
    assert set(PS_COLS) <= set(d.columns)
    assert "_weight" not in cross.columns  # input untouched
    assert d["_id"].tolist() == list(range(len(cross)))
    t = d["_treated"] == 1
    assert (d.loc[t & (d._support == 1), "_weight"] == 1).all()
    assert d.loc[t & (d._support == 0), "_weight"].isna().all()
    matched = t & (d._support == 1)
    n1 = d.loc[matched, "_n1"].astype(int)
    assert (d["_treated"].iloc[n1.to_numpy()] == 0).all()
    pdif = d.loc[matched, "_pscore"].to_numpy() - d["_pscore"].iloc[n1.to_numpy()].to_numpy()
    np.testing.assert_allclose(d.loc[matched, "_pdif"], np.abs(pdif))
    assert (d.loc[matched, "_pdif"] <= 0.02).all()
    # control weights = how often each control is used; they sum to the matched treated
    used = d.loc[~t & d._weight.notna()]
    counts = res.pairs["control_id"].value_counts()
    np.testing.assert_allclose(used["_weight"], counts.loc[used["_id"]].to_numpy())
    assert used["_weight"].sum() == pytest.approx(matched.sum())


def test_k_neighbours_and_ties_weights(cross):
    res = pdid.match(cross, "d", ["x1", "x2"], k=3, model="probit")
    d = res.data
    t = d._treated == 1
    assert {"_n1", "_n2", "_n3"} <= set(d.columns)
    assert (d.loc[t, "_nn"] == 3).all()
    assert d.loc[~t, "_weight"].sum() == pytest.approx(t.sum())
    assert res.propensity.model == "probit"


def test_without_replacement_no_control_twice(cross):
    res = pdid.match(cross, "d", ["x1", "x2"], replace=False, caliper=0.25, caliper_scale="sd")
    assert res.pairs["control_id"].is_unique
    assert res.caliper == pytest.approx(0.25 * res.data["_pscore"].std(ddof=1))
    assert (res.pairs["distance"] <= res.caliper).all()
    w = res.data["_weight"]
    assert w[res.data._treated == 0].sum() == res.counts["n_matched_treated"]


def test_row_order_irrelevant_with_largest(cross):
    kw = {"replace": False, "order": "largest", "caliper": 0.05}
    a = pdid.match(cross, "d", ["x1", "x2"], **kw).data
    perm = np.random.default_rng(3).permutation(len(cross))
    b = pdid.match(cross.iloc[perm], "d", ["x1", "x2"], **kw).data
    b = b.sort_index()
    np.testing.assert_allclose(a["_weight"].fillna(-1), b["_weight"].fillna(-1))
    np.testing.assert_allclose(a["_pscore"], b["_pscore"], atol=1e-12)


def test_same_seed_same_result(cross):
    kw = {"replace": False, "order": "random", "caliper": 0.01}
    a = pdid.match(cross, "d", ["x1"], seed=11, **kw)
    b = pdid.match(cross, "d", ["x1"], seed=11, **kw)
    pd.testing.assert_frame_equal(a.pairs, b.pairs)


@pytest.mark.parametrize("method", ["radius", "kernel"])
def test_radius_and_kernel_weights(cross, method):
    res = pdid.match(cross, "d", ["x1", "x2"], method=method, caliper=0.03, bandwidth=0.05)
    d = res.data
    t = d._treated == 1
    on = t & (d._support == 1)
    assert d.loc[~t, "_weight"].sum() == pytest.approx(on.sum())
    assert res.pairs.groupby("treated_id")["weight"].sum().to_numpy() == pytest.approx(1.0)


def test_panel_modes(panel):
    base = pdid.match(panel, "treat", ["x1", "x2"], unit="city", time="year", caliper=0.05)
    assert base.panel == "base_year"
    s = base.analysis_sample("matched")
    # balanced: every matched unit keeps all 13 years
    assert (s.groupby("city").size() == 13).all()
    assert base.frame.shape[0] == 280
    # per-unit constants, and _n1 points to the control's row in the same year
    m = s[s._treated == 1]
    ctrl_rows = panel.iloc[m["_n1"].astype(int).to_numpy()]
    assert (ctrl_rows["year"].to_numpy() == m["year"].to_numpy()).all()
    assert (panel["treat"].iloc[m["_n1"].astype(int).to_numpy()] == 0).all()
    byy = pdid.match(panel, "did", ["x1", "x2"], unit="city", time="year", panel="by_year")
    assert set(byy.fits) == set(range(2016, 2020))  # no treated before 2016
    assert any("no treated" in n for n in byy.notes)
    assert (byy.pairs.groupby("period").size() > 0).all()
    pairs = byy.pairs
    assert (panel["year"].iloc[pairs.treated_id].to_numpy()
            == panel["year"].iloc[pairs.control_id].to_numpy()).all()  # fmt: skip
    pooled = pdid.match(panel, "treat", ["x1", "x2"], unit="city", time="year", panel="pooled")
    assert pooled.frame.shape[0] == len(panel)


def test_base_year_pre_mean_and_explicit_year(panel):
    pm = pdid.match(panel, "treat", ["x1", "x2"], unit="city", time="year", base="pre_mean",
                    policy_year=2016)  # fmt: skip
    pre = panel[panel.year < 2016].groupby("city")[["x1"]].mean()
    np.testing.assert_allclose(pm.frame["x1"].to_numpy(), pre.loc[pm.frame["city"], "x1"])
    y10 = pdid.match(panel, "treat", ["x1", "x2"], unit="city", time="year", base=2010)
    np.testing.assert_allclose(
        y10.frame["x1"].to_numpy(), panel[panel.year == 2010]["x1"].to_numpy()
    )


def test_analysis_sample_variants(cross):
    res = pdid.match(cross, "d", ["x1", "x2"], caliper=0.01)
    assert res.analysis_sample("matched")["_weight"].notna().all()
    assert (res.analysis_sample("support")["_support"] == 1).all()
    assert res.analysis_sample("weights").equals(res.analysis_sample("matched"))
    with pytest.raises(MatchingError, match="how='all'"):
        res.analysis_sample("all")  # type: ignore[arg-type]


# --- bad input: one test per message --------------------------------------------------------


def test_treatment_not_binary(cross):
    with pytest.raises(MatchingError, match="must be coded 0/1; found 2"):
        pdid.match(cross.assign(d=cross.d * 2), "d", ["x1"])


def test_missing_column_suggests(cross):
    with pytest.raises(MatchingError, match="did you mean 'x1'"):
        pdid.match(cross, "d", ["X1"])


def test_constant_covariate(cross):
    with pytest.raises(MatchingError, match="'c' is constant"):
        pdid.match(cross.assign(c=1.0), "d", ["x1", "c"])


def test_covariate_all_missing(cross):
    with pytest.raises(MatchingError, match="missing in every row"):
        pdid.match(cross.assign(c=np.nan), "d", ["x1", "c"])


def test_missing_values_are_reported_and_counted(cross):
    df = cross.copy()
    df.loc[:9, "x1"] = np.nan
    with pytest.warns(PilotdidWarning, match="10 rows"):
        res = pdid.match(df, "d", ["x1", "x2"])
    assert res.counts["n_excluded"] == 10
    assert res.data.loc[:9, "_pscore"].isna().all() and len(res.data) == len(df)


def test_no_control_inside_caliper(cross):
    with pytest.raises(MatchingError, match="no treated unit has a control within the caliper"):
        pdid.match(cross, "d", ["x1", "x2"], caliper=1e-12)


def test_some_treated_outside_caliper_are_counted(cross):
    res = pdid.match(cross, "d", ["x1", "x2"], caliper=0.002)
    assert res.counts["no_match"] > 0
    assert any("no control within the caliper" in n for n in res.notes)


def test_one_treated_unit(cross):
    df = cross.assign(d=0)
    df.loc[0, "d"] = 1
    with pytest.raises(MatchingError, match="at least 2 treated"):
        pdid.match(df, "d", ["x1"])
    # with a supplied score one treated unit is fine
    res = pdid.match(df.assign(p=np.linspace(0.1, 0.9, len(df))), "d", ["x1"], pscore="p")
    assert res.counts["n_matched_treated"] == 1


def test_option_errors(cross, panel):
    with pytest.raises(MatchingError, match="method='nearst'.*did you mean 'nearest'"):
        pdid.match(cross, "d", ["x1"], method="nearst")  # type: ignore[arg-type]
    with pytest.raises(MatchingError, match="needs caliper"):
        pdid.match(cross, "d", ["x1"], method="radius")
    with pytest.raises(MatchingError, match="only available with method='nearest'"):
        pdid.match(cross, "d", ["x1"], method="kernel", replace=False)
    with pytest.raises(MatchingError, match="positive integer"):
        pdid.match(cross, "d", ["x1"], k=0)
    with pytest.raises(MatchingError, match="varies within unit"):
        pdid.match(panel, "did", ["x1"], unit="city", time="year")
    with pytest.raises(MatchingError, match="needs policy_year"):
        pdid.match(panel, "treat", ["x1"], unit="city", time="year", base="pre_mean")
    with pytest.raises(MatchingError, match="not a value of 'year'"):
        pdid.match(panel, "treat", ["x1"], unit="city", time="year", base=1999)


def test_rematching_replaces_psmatch2_columns(cross):
    first = pdid.match(cross, "d", ["x1"], k=2).data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = pdid.match(first, "d", ["x1"]).data
    assert "_n2" not in second.columns and list(second.columns).count("_weight") == 1


def test_summary_and_repr(cross):
    res = pdid.match(cross, "d", ["x1"], caliper=0.01, common=True)
    assert "nearest neighbour" in repr(res) and "<pre>" in res._repr_html_()
    with pytest.raises(MatchingError, match="unit="):
        res.matched_units()
