from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from pilotdid.errors import MatchingError
from pilotdid.matching.propensity import fit_binary, fit_propensity

TOL = 1e-6


def _data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    eta = 0.6 * X[:, 0] - 0.9 * X[:, 1] + 0.2 * X[:, 2] - 0.4
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y


@pytest.mark.parametrize(("model", "cls"), [("logit", sm.Logit), ("probit", sm.Probit)])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_statsmodels(model, cls, weighted):
    X, y = _data()
    Xc = np.column_stack([X, np.ones(len(y))])
    w = np.random.default_rng(1).integers(1, 4, len(y)).astype(float) if weighted else None
    fit = fit_binary(Xc, y, ("a", "b", "c", "_cons"), model, w)
    # Stata iweights = frequency expansion when the weights are integers
    rep = np.ones(len(y), int) if w is None else w.astype(int)
    ref = cls(np.repeat(y, rep), np.repeat(Xc, rep, axis=0)).fit(disp=0, method="newton", tol=1e-14)
    np.testing.assert_allclose(fit.params, ref.params, atol=TOL)
    np.testing.assert_allclose(fit.bse, ref.bse, atol=TOL)
    assert fit.llf == pytest.approx(ref.llf, abs=TOL)
    assert fit.pseudo_r2 == pytest.approx(ref.prsquared, abs=TOL)
    assert fit.lr_chi2 == pytest.approx(ref.llr, abs=TOL)
    assert fit.lr_pvalue == pytest.approx(ref.llr_pvalue, abs=TOL)
    assert fit.lr_df == 3
    assert fit.nobs == rep.sum()


def test_dataframe_wrapper_and_coef_table():
    X, y = _data()
    df = pd.DataFrame(X, columns=["a", "b", "c"]).assign(d=y.astype(int))
    fit = fit_propensity(df, "d", ["a", "b", "c"])
    tab = fit.coef_table()
    assert list(tab.index) == ["a", "b", "c", "_cons"]
    np.testing.assert_allclose(tab["z"], fit.params / fit.bse)
    assert np.all((fit.pscore > 0) & (fit.pscore < 1))


def test_complete_separation_names_the_covariate():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=100), "z": rng.normal(size=100)})
    df["d"] = (df.x > 0.3).astype(int)
    with pytest.raises(MatchingError, match=r"separation.*'x'"):
        fit_propensity(df, "d", ["x", "z"])


def test_quasi_separation_is_detected():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.normal(size=200), "g": (rng.uniform(size=200) < 0.3).astype(float)})
    # every unit with g == 1 is treated; among g == 0 treatment is random
    df["d"] = np.where(df.g == 1, 1, (rng.uniform(size=200) < 0.3)).astype(int)
    with pytest.raises(MatchingError, match=r"separation.*'g'"):
        fit_propensity(df, "d", ["x", "g"])


def test_constant_and_collinear_covariates():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"x": rng.normal(size=50), "c": 3.0})
    df["x2"] = 2 * df.x + 1
    df["d"] = (rng.uniform(size=50) < 0.4).astype(int)
    with pytest.raises(MatchingError, match="'c' is constant"):
        fit_propensity(df, "d", ["x", "c"])
    with pytest.raises(MatchingError, match="collinear.*'x2'"):
        fit_propensity(df, "d", ["x", "x2"])


def test_bad_model_and_treatment():
    df = pd.DataFrame({"x": [0.1, 0.4, 0.2, 0.9], "d": [0, 2, 1, 0]})
    with pytest.raises(MatchingError, match="model='tobit'"):
        fit_propensity(df, "d", ["x"], model="tobit")  # type: ignore[arg-type]
    with pytest.raises(MatchingError, match="0/1"):
        fit_propensity(df, "d", ["x"])
