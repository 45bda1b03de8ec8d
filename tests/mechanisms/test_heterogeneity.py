"""heterogeneity(): group regressions and the pooled model against direct feols calls."""

import warnings

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import PilotdidWarning

from .conftest import mech_panel

TOL = 1e-10
FML = "y ~ did + x1 + x2 | unit + year"


def pre_groups(df, by="z", first=None):
    """Each unit's mean of ``by`` before the first adoption; High = above the unit median."""
    first = df.loc[df["did"] == 1, "year"].min() if first is None else first
    means = df[df["year"] < first].groupby("unit")[by].mean().dropna()
    return means > means.median(), means


def interacted_fit(df, groups, fml_rhs=("did", "x1", "x2"), vcov=None, weights=None):
    """The fully interacted model written out by hand: D×1[g], X×1[g] | unit^g + year^g."""
    frame = df.assign(g=groups)
    names = []
    for g in sorted(frame["g"].unique()):
        for term in fml_rhs:
            frame[f"{term}_{g}"] = frame[term] * (frame["g"] == g)
            names.append(f"{term}_{g}")
    return pdid.feols(
        f"y ~ {' + '.join(names)} | unit^g + year^g",
        frame,
        vcov=vcov or {"CRV1": "unit"},
        weights=weights,
    )


CASES = {
    "pre_median": dict(),
    "pre_unbalanced_weighted": dict(panel=dict(unbalanced=0.15), weights="wt"),
    "pre_hetero": dict(vcov="hetero"),
    "pre_region_cluster": dict(vcov={"CRV1": "region"}),
    "pre_mean": dict(split="mean"),
    "cohort_column": dict(cohort="cohort"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_group_models_equal_feols_on_subsamples(case):
    opts = dict(CASES[case])
    df = mech_panel(seed=len(case), **opts.pop("panel", {}))
    res = pdid.heterogeneity(df, FML, "z", test="pooled", **opts)
    kwargs = {k: v for k, v in opts.items() if k in ("vcov", "weights")}
    if opts.get("split") == "mean":
        first = df.loc[df["did"] == 1, "year"].min()
        means = df[df["year"] < first].groupby("unit")["z"].mean()
        high = means > means.mean()
    else:
        high, _ = pre_groups(df)
    for label, is_high in (("High z", True), ("Low z", False)):
        sub = df[df["unit"].map(high) == is_high]
        direct = pdid.feols(FML, sub, **kwargs)
        got = res.models[label]
        np.testing.assert_allclose(got.coef_values, direct.coef_values, rtol=TOL, atol=1e-12)
        np.testing.assert_allclose(got.vcov_matrix, direct.vcov_matrix, rtol=TOL, atol=1e-14)
        assert got.nobs == direct.nobs


@pytest.mark.parametrize("case", list(CASES))
def test_pooled_model_equals_interacted_feols_and_split_coefficients(case):
    opts = dict(CASES[case])
    df = mech_panel(seed=10 + len(case), **opts.pop("panel", {}))
    res = pdid.heterogeneity(df, FML, "z", test="pooled", **opts)
    groups = df["unit"].map(res.assignment["group"])
    kwargs = {k: v for k, v in opts.items() if k in ("vcov", "weights")}
    direct = interacted_fit(df, groups.map({"High z": "h", "Low z": "l"}), **kwargs)
    pooled = res.pooled.coef()
    for label, g in (("High z", "h"), ("Low z", "l")):
        for term in ("did", "x1", "x2"):
            # the pooled coefficient equals the split regression's and the hand-written model's
            assert pooled[f"{term}:{label}"] == pytest.approx(
                res.models[label].coef()[term], rel=TOL, abs=1e-12
            )
            assert pooled[f"{term}:{label}"] == pytest.approx(
                direct.coef()[f"{term}_{g}"], rel=TOL, abs=1e-12
            )
    v = direct.vcov()
    diff = direct.coef()["did_h"] - direct.coef()["did_l"]
    se = np.sqrt(v.at["did_h", "did_h"] + v.at["did_l", "did_l"] - 2 * v.at["did_h", "did_l"])
    row = res.differences.loc["High z − Low z"]
    assert row["estimate"] == pytest.approx(diff, rel=TOL)
    assert row["std_error"] == pytest.approx(se, rel=1e-9)
    assert row["p_value"] == pytest.approx(
        2 * __import__("scipy").stats.t.sf(abs(diff / se), direct.df_t), rel=1e-8
    )


def test_pre_classification_uses_unit_means_before_first_adoption():
    df = mech_panel(seed=3)
    res = pdid.heterogeneity(df, FML, "z", test="none")
    high, means = pre_groups(df)
    np.testing.assert_allclose(res.assignment["value"].sort_index(), means.sort_index())
    expected = high.map({True: "High z", False: "Low z"})
    pd.testing.assert_series_equal(
        res.assignment["group"].sort_index(), expected.sort_index(), check_names=False
    )
    assert res.cutpoints == pytest.approx((means.median(),))
    assert res.pooled is None and res.differences.empty and res.permutation is None


def test_contemporaneous_split_warns_and_classifies_rows():
    df = mech_panel(seed=4)
    with pytest.warns(PilotdidWarning, match="bad control"):
        res = pdid.heterogeneity(df, FML, "z", measured="contemporaneous", test="pooled")
    high = df["z"] > df["z"].median()
    for label, mask in (("High z", high), ("Low z", ~high)):
        direct = pdid.feols(FML, df[mask])
        np.testing.assert_allclose(res.models[label].coef_values, direct.coef_values, rtol=TOL)
    # rows of one unit fall in both groups: clusters span groups, so the covariance matters
    v = res.pooled.vcov()
    assert abs(v.at["did:High z", "did:Low z"]) > 0
    assert any("skipped" in n for n in res.notes) is False  # test="pooled" asks for no permutation


def test_contemporaneous_default_test_skips_permutation_with_a_note():
    df = mech_panel(seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PilotdidWarning)
        res = pdid.heterogeneity(df, FML, "z", measured="contemporaneous", permutations=9)
    assert res.permutation is None
    assert any("Permutation test skipped" in n for n in res.notes)


def test_quantile_groups_and_joint_test():
    df = mech_panel(n_units=90, seed=6, share=0.6)
    res = pdid.heterogeneity(df, FML, "z", split=[1 / 3, 2 / 3], permutations=49, seed=2)
    assert res.groups == ("z Q1", "z Q2", "z Q3")
    _, means = pre_groups(df)
    cuts = np.quantile(means, [1 / 3, 2 / 3])
    codes = np.searchsorted(cuts, means, side="left")
    for k, label in enumerate(res.groups):
        units = means.index[codes == k]
        direct = pdid.feols(FML, df[df["unit"].isin(units)])
        np.testing.assert_allclose(res.models[label].coef_values, direct.coef_values, rtol=TOL)
    assert list(res.differences.index) == ["z Q2 − z Q1", "z Q3 − z Q1"]
    # joint F from the pooled coefficients and covariance, by hand
    terms = [f"did:{g}" for g in res.groups]
    b, v = res.pooled.coef()[terms].to_numpy(), res.pooled.vcov().loc[terms, terms].to_numpy()
    c = np.array([[-1.0, 1, 0], [-1.0, 0, 1]])
    wald = (c @ b) @ np.linalg.solve(c @ v @ c.T, c @ b)
    assert res.joint["statistic"] == pytest.approx(wald / 2, rel=1e-9)
    assert res.joint["df_num"] == 2
    assert res.permutation.draws.shape == (49, 3)


def test_given_labels_column():
    df = mech_panel(seed=7)
    df["east"] = np.where(df["unit"] % 3 == 0, "east", "west")
    res = pdid.heterogeneity(df, FML, "east", split="column", permutations=19, seed=1)
    assert res.groups == ("east", "west") and res.reference == "east"
    direct = pdid.feols(FML, df[df["east"] == "west"])
    np.testing.assert_allclose(res.models["west"].coef_values, direct.coef_values, rtol=TOL)
    assert res.permutation is not None  # labels are constant within units


def test_input_frame_is_not_modified():
    df = mech_panel(seed=8)
    before = df.copy()
    pdid.heterogeneity(df, FML, "z", permutations=9, seed=0)
    pd.testing.assert_frame_equal(df, before)


def test_known_difference_is_recovered():
    df = mech_panel(n_units=300, n_periods=10, seed=9, het=0.8, share=0.5)
    res = pdid.heterogeneity(df, FML, "z", permutations=199, seed=3)
    row = res.differences.iloc[0]
    # groups are classified by noisy pre-period means, so a few units are misclassified
    assert row["estimate"] == pytest.approx(0.8, abs=3 * row["std_error"])
    assert row["p_value"] < 0.01 and row["p_perm"] < 0.02 and row["p_perm_wald"] < 0.02


def test_demo_panel_splits(demo):
    from .conftest import DEMO_FML

    res = pdid.heterogeneity(
        demo.data, DEMO_FML, "RD", cohort="adoption_year", permutations=200, seed=1
    )
    assert sum(m.nobs for m in res.models.values()) == demo.data.shape[0]
    # the demo's effect does not depend on RD: no significant difference
    assert res.differences.iloc[0]["p_value"] > 0.05
    assert res.permutation.p_coef > 0.05


def test_classify_unit_and_row_rules():
    from pilotdid.mechanisms.grouping import classify

    df = pd.DataFrame({"u": np.repeat([1, 2, 3, 4], 2), "t": [1, 2] * 4,
                       "x": [1.0, 9, 2, 9, 3, 0, np.nan, 0]})  # fmt: skip
    pre = classify(df, "x", "median", "pre", "u", "t", 2.0)
    # unit means before t = 2: 1, 2, 3 (unit 4 has none): median 2, so only unit 3 is high
    assert pre.codes.tolist() == [1, 1, 1, 1, 0, 0, -1, -1]
    assert any("1 of 4 units" in n for n in pre.notes)
    rows = classify(df, "x", "median", "contemporaneous", "u", "t", None)
    # row median of 1, 9, 2, 9, 3, 0, 0 is 2: a value equal to the cut is "low"
    assert rows.codes.tolist() == [1, 0, 1, 0, 0, 1, -1, 1]
    assert not rows.unit_level and pre.unit_level
