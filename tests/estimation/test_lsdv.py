"""Within estimator against brute-force dummy-variable OLS (LSDV) with explicit sandwich formulas."""

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid

from .conftest import make_panel


def lsdv(data, y, xs, fes, weights=None):
    dummies = [
        pd.get_dummies(data[f], prefix=f, drop_first=i > 0, dtype=float) for i, f in enumerate(fes)
    ]
    design = np.column_stack([data[xs].to_numpy(float), *[d.to_numpy() for d in dummies]])
    w = np.ones(len(data)) if weights is None else data[weights].to_numpy(float)
    root = np.sqrt(w)
    beta, *_ = np.linalg.lstsq(design * root[:, None], data[y].to_numpy(float) * root, rcond=None)
    resid = data[y].to_numpy(float) - design @ beta
    return design, beta, resid, w


@pytest.mark.parametrize("weights", [None, "w"])
@pytest.mark.parametrize("unbalanced", [0.0, 0.3])
def test_coefficients_and_hc1_equal_lsdv(weights, unbalanced):
    data = make_panel(n_units=25, n_periods=6, unbalanced=unbalanced, seed=7)
    xs = ["did", "x1", "x2"]
    design, beta, resid, w = lsdv(data, "y", xs, ["unit", "year"], weights)
    fit = pdid.feols("y ~ did + x1 + x2 | unit + year", data, vcov="hetero", weights=weights)
    np.testing.assert_allclose(fit.coef().to_numpy(), beta[:3], rtol=1e-10)
    # HC1 on the full dummy design: fixest counts every parameter, so K = number of LSDV columns
    n, k_all = design.shape
    bread = np.linalg.inv(design.T @ (design * w[:, None]))
    scores = design * (w * resid)[:, None]
    vcov = bread @ scores.T @ scores @ bread * n / (n - k_all)
    np.testing.assert_allclose(fit.se().to_numpy(), np.sqrt(np.diag(vcov))[:3], rtol=1e-10)


def test_crv1_equals_lsdv_with_nested_fixed_effect_rule():
    data = make_panel(n_units=30, n_periods=5, unbalanced=0.2, seed=8)
    design, _, resid, _ = lsdv(data, "y", ["did", "x1"], ["unit", "year"])
    fit = pdid.feols("y ~ did + x1 | unit + year", data, vcov={"CRV1": "unit"})
    n = len(data)
    g = data["unit"].nunique()
    # unit FE nested in the unit cluster: K = 2 regressors + (T - 1) year dummies + 1
    k = 2 + (data["year"].nunique() - 1) + 1
    bread = np.linalg.inv(design.T @ design)
    sums = pd.DataFrame(design * resid[:, None]).groupby(data["unit"].to_numpy()).sum().to_numpy()
    vcov = bread @ sums.T @ sums @ bread * g / (g - 1) * (n - 1) / (n - k)
    np.testing.assert_allclose(fit.se().to_numpy(), np.sqrt(np.diag(vcov))[:2], rtol=1e-10)
    assert fit.df_t == g - 1
    assert fit.df_k == k
