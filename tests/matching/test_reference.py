"""pilotdid vs R (glm, MatchIt 4.5.1): numbers committed in tests/reference/matching/.

Regenerate with ``Rscript tests/reference/matching/make_reference.R`` (see that script for how
MatchIt's nearest-neighbour bug kosukeimai/MatchIt#163 is avoided). Tolerances are set here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.matching.propensity import fit_propensity
from tests.matching.brute import brute_nn

REF = Path(__file__).parents[1] / "reference" / "matching"
COVS = ["x1", "x2", "x3", "b1"]
TOL_COEF = 1e-6
TOL_SMD = 1e-8
TOL_WEIGHT = 1e-10

CASES = {
    "nn_noreplace_largest": {"replace": False, "order": "largest"},
    "nn_noreplace_smallest": {"replace": False, "order": "smallest"},
    "nn_noreplace_caliper": {"replace": False, "caliper": 0.1, "caliper_scale": "sd"},
    "nn_noreplace_ratio2": {"replace": False, "k": 2},
    "nn_replace": {"replace": True},
    "nn_replace_ratio3_caliper": {"replace": True, "k": 3, "caliper": 0.05, "caliper_scale": "sd"},
    "mahal_replace": {"replace": True, "distance": "mahalanobis"},
}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "data.csv")


@pytest.mark.parametrize("link", ["logit", "probit"])
def test_coefficients_match_glm(data, link):
    ref = pd.read_csv(REF / f"glm_{link}.csv").set_index("term")
    fit = fit_propensity(data, "treat", COVS, model=link)
    tab = fit.coef_table().rename(index={"_cons": "(Intercept)"})
    np.testing.assert_allclose(tab.loc[ref.index, "coef"], ref["coef"], atol=TOL_COEF)
    assert fit.llf == pytest.approx(ref["loglik"].iloc[0], abs=TOL_COEF)
    assert fit.llnull == pytest.approx(ref["null_loglik"].iloc[0], abs=TOL_COEF)
    if link == "logit":  # glm's SEs use the expected information, equal to the observed for logit
        np.testing.assert_allclose(tab.loc[ref.index, "se"], ref["se"], atol=TOL_COEF)


@pytest.mark.parametrize("case", sorted(CASES))
def test_matched_sets_identical_to_matchit(data, case):
    res = pdid.match(data, "treat", COVS, panel="pooled", **CASES[case])
    ref = pd.read_csv(REF / f"pairs_{case}.csv")
    ours = set(zip(res.pairs["treated_id"], res.pairs["control_id"], strict=True))
    assert ours == set(zip(ref["treated"], ref["control"], strict=True))


@pytest.mark.parametrize("case", sorted(CASES))
def test_weights_match_matchit_up_to_scale(data, case):
    # MatchIt rescales control weights to sum to the number of matched controls; psmatch2 does not
    res = pdid.match(data, "treat", COVS, panel="pooled", **CASES[case])
    ref = pd.read_csv(REF / f"weights_{case}.csv")["weight"].to_numpy()
    w = res.data["_weight"].fillna(0.0).to_numpy()
    ctrl = data["treat"].to_numpy() == 0
    scaled = w[ctrl] * (w[ctrl] > 0).sum() / w[ctrl].sum()
    np.testing.assert_allclose(scaled, ref[ctrl], atol=TOL_WEIGHT)
    np.testing.assert_allclose(w[~ctrl], ref[~ctrl], atol=TOL_WEIGHT)


@pytest.mark.parametrize("case", sorted(CASES))
def test_smd_and_means_match_matchit(data, case):
    res = pdid.match(data, "treat", COVS, panel="pooled", **CASES[case])
    bal = res.balance().covariates
    ref = pd.read_csv(REF / "smd.csv")
    ref = ref[(ref["case"] == case) & ref["covariate"].isin(COVS)]
    for sample, label in (("all", "Unmatched"), ("matched", "Matched")):
        r = ref[ref["sample"] == sample].set_index("covariate").loc[COVS]
        ours = bal.xs(label, level="sample").loc[COVS]
        np.testing.assert_allclose(ours["smd"], r["smd"], atol=TOL_SMD)
        np.testing.assert_allclose(ours["mean_treated"], r["mean_treated"], atol=TOL_SMD)
        np.testing.assert_allclose(ours["mean_control"], r["mean_control"], atol=TOL_SMD)


@pytest.mark.parametrize("case", [c for c in sorted(CASES) if not c.startswith("mahal")])
def test_matchit_reference_pairs_are_really_nearest(data, case):
    """Guard against kosukeimai/MatchIt#163: the committed pairs equal a brute-force search."""
    ps = pd.read_csv(REF / f"weights_{case}.csv")["pscore"].to_numpy()
    t = data["treat"].to_numpy() == 1
    it, ic = np.flatnonzero(t), np.flatnonzero(~t)
    kw = CASES[case]
    cal = kw.get("caliper", np.inf) * (np.std(ps, ddof=1) if "caliper" in kw else 1)
    order = np.argsort(ps[it] if kw.get("order") == "smallest" else -ps[it], kind="stable")
    exp = brute_nn(ps[it], ps[ic], kw.get("k", 1), kw["replace"], False, cal, order)
    ref = pd.read_csv(REF / f"pairs_{case}.csv")
    got = sorted(
        (int(np.searchsorted(it, a)), int(np.searchsorted(ic, b)))
        for a, b in zip(ref["treated"], ref["control"], strict=True)
    )
    assert got == exp
