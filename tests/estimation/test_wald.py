"""The one Wald test against pyfixest's ``Feols.wald_test`` and the doctest."""

import doctest
import importlib

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from scipy import stats

import pilotdid as pdid
from pilotdid.errors import EstimationError
from pilotdid.estimation.wald import wald_test


@pytest.fixture(scope="module")
def panel():
    rng = np.random.default_rng(11)
    n, t = 60, 8
    df = pd.DataFrame({"u": np.repeat(np.arange(n), t), "t": np.tile(np.arange(t), n)})
    for j in range(4):
        df[f"x{j}"] = rng.normal(size=len(df))
    df["y"] = df.x0 - 0.5 * df.x1 + rng.normal(size=len(df))
    return df


@pytest.mark.parametrize("vcov", ["iid", "hetero", {"CRV1": "u"}])
def test_joint_zero_and_contrasts_equal_pyfixest(panel, vcov):
    fml = "y ~ x0 + x1 + x2 + x3 | u + t"
    ours = pdid.feols(fml, panel, vcov=vcov)
    ref = pf.feols(fml, panel, vcov=vcov, fixef_tol=1e-14)
    r = np.array([[0, 0, 1.0, 0], [0, 0, 0, 1.0], [1.0, 1.0, 0, 0]])
    q = np.array([0.0, 0.0, 0.5])
    mine = wald_test(ours.coef().to_numpy(), ours.vcov().to_numpy(), ours.df_t, r, value=q)
    theirs = ref.wald_test(R=r, q=q)
    # pyfixest 0.60 reports the Wald chi-square J*F, and refers F to N - k degrees of freedom
    # (k without the fixed effects); pilotdid uses the t-tests' df as fixest's wald() does
    np.testing.assert_allclose(3 * mine.statistic, float(theirs["statistic"]), rtol=1e-8)
    assert mine.df_num == 3 and mine.df_den == ours.df_t
    assert mine.p_value == pytest.approx(float(stats.f.sf(mine.statistic, 3, ours.df_t)))


def test_nothing_to_test_is_nan_and_singular_is_an_error():
    empty = wald_test(np.array([1.0]), np.eye(1), 10, np.zeros((0, 1)))
    assert np.isnan(empty.statistic) and empty.df_num == 0
    with pytest.raises(EstimationError, match="singular"):
        wald_test(np.array([1.0, 2.0]), np.zeros((2, 2)), 10)


def test_docstring_example():
    result = doctest.testmod(importlib.import_module("pilotdid.estimation.wald"))
    assert result.attempted > 0 and result.failed == 0


def test_infinite_df_is_chi_square_over_q():
    # F(q, inf) = chi2(q)/q: the normal-inference tests of Callaway-Sant'Anna and
    # DynamicEffects use df = inf, where scipy's F distribution returns NaN
    from scipy import stats

    b = np.array([1.0, -2.0])
    test = wald_test(b, np.eye(2), float("inf"))
    assert test.statistic == pytest.approx(2.5)
    assert test.p_value == pytest.approx(stats.chi2.sf(5.0, 2))
