"""feols against pyfixest (the test-only oracle) on many specifications.

pyfixest's own demeaning stops at a tolerance of 1e-6 by default; it is run here with 1e-14 so
that both sides are converged and the comparison is at RTOL = 1e-8 (pilotdid's demeaning is exact).
"""

import warnings

import numpy as np
import pytest

import pilotdid as pdid

from .conftest import make_panel

pf = pytest.importorskip("pyfixest")
from pyfixest.demeaners import MapDemeaner  # noqa: E402

RTOL = 1e-8
FIXEF = ["", " | unit", " | unit + year", " | unit + year + ind"]
VCOVS = ["iid", "hetero", {"CRV1": "unit"}, {"CRV1": "unit+year"}]
PANELS = {"balanced": make_panel(seed=1), "unbalanced": make_panel(unbalanced=0.25, seed=2)}


def oracle(fml, data, vcov, weights=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(
            fml,
            data,
            vcov=vcov,
            weights=weights,
            demeaner=MapDemeaner(fixef_tol=1e-14, fixef_maxiter=100_000),
        )


def assert_same(ours, theirs):
    names = list(theirs.coef().index)
    assert list(ours.coef().index) == names
    np.testing.assert_allclose(ours.coef()[names], theirs.coef()[names], rtol=RTOL, atol=0)
    np.testing.assert_allclose(ours.se()[names], theirs.se()[names], rtol=RTOL, atol=0)
    np.testing.assert_allclose(ours.pvalue()[names], theirs.pvalue()[names], rtol=1e-6, atol=1e-12)
    assert ours.nobs == theirs._N
    np.testing.assert_allclose(ours.r2, theirs._r2, rtol=RTOL)
    np.testing.assert_allclose(ours.adj_r2, theirs._adj_r2, rtol=RTOL)
    if ours.fixef:
        np.testing.assert_allclose(ours.r2_within, theirs._r2_within, rtol=RTOL)


@pytest.mark.parametrize("panel_kind", list(PANELS))
@pytest.mark.parametrize("fixef", FIXEF)
@pytest.mark.parametrize("vcov", VCOVS, ids=["iid", "hetero", "crv1", "crv1_twoway"])
@pytest.mark.parametrize("weights", [None, "w"])
def test_matches_pyfixest(panel_kind, fixef, vcov, weights):
    data = PANELS[panel_kind]
    fml = "y ~ did + x1 + x2 + small" + fixef
    assert_same(pdid.feols(fml, data, vcov=vcov, weights=weights), oracle(fml, data, vcov, weights))


@pytest.mark.parametrize(
    "fml",
    [
        "y ~ did + x1 + C(ind) | unit",
        "y ~ did * x1 + x2 | unit + year",
        "y ~ x1 + x1:x2 + np.exp(x2 / 10) | unit + year",
        "np.log(y + 20) ~ did + x1 | unit^ind + year",
    ],
)
def test_formula_features_match_pyfixest(fml):
    data = PANELS["unbalanced"]
    assert_same(pdid.feols(fml, data, vcov={"CRV1": "unit"}), oracle(fml, data, {"CRV1": "unit"}))


def test_singletons_are_dropped_like_pyfixest():
    data = make_panel(seed=4, singletons=5)
    ours = pdid.feols("y ~ did + x1 | unit + year", data)
    assert ours.dropped["singletons"] == 5
    assert_same(ours, oracle("y ~ did + x1 | unit + year", data, {"CRV1": "unit"}))


def test_collinear_control_dropped_like_pyfixest():
    data = make_panel(seed=5)
    data["region"] = data["unit"] % 4  # time-invariant: collinear with the unit fixed effect
    with pytest.warns(pdid.PilotdidWarning, match="region"):
        ours = pdid.feols("y ~ did + region + x1 | unit + year", data)
    assert ours.collinear == ("region",)
    assert_same(ours, oracle("y ~ did + region + x1 | unit + year", data, {"CRV1": "unit"}))


def test_default_vcov_clusters_by_first_fixed_effect():
    data = PANELS["unbalanced"]
    fit = pdid.feols("y ~ did + x1 | unit + year", data)
    assert fit.vcov_type == "CRV1" and fit.cluster == ("unit",)
    assert_same(fit, oracle("y ~ did + x1 | unit + year", data, {"CRV1": "unit"}))
    assert pdid.feols("y ~ did + x1", data).vcov_type == "iid"


@pytest.mark.parametrize("vcov", VCOVS, ids=["iid", "hetero", "crv1", "crv1_twoway"])
def test_with_vcov_equals_refit(vcov):
    data = PANELS["unbalanced"]
    base = pdid.feols("y ~ did + x1 + x2 | unit + year", data, vcov="iid")
    switched = base.with_vcov(vcov)
    refit = pdid.feols("y ~ did + x1 + x2 | unit + year", data, vcov=vcov)
    np.testing.assert_allclose(switched.se(), refit.se(), rtol=1e-12)
    np.testing.assert_array_equal(switched.coef(), base.coef())
    assert base.vcov_type == "iid"  # the original is unchanged
