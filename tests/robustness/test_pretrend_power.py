"""Pre-trend power (Roth 2022): exact noncentral power, the slope for a given power, the bias."""

import numpy as np
import pytest
from scipy import stats

import pilotdid as pdid
from pilotdid.did.dynamic import DynamicEffects
from pilotdid.errors import EstimationError
from pilotdid.robustness.pretrend_power import slope_for_power

from .conftest import did_panel


def effects(df=float("inf")):
    rng = np.random.default_rng(5)
    a = rng.normal(size=(30, 6))
    vcov = a.T @ a / 30 * 0.01
    return DynamicEffects("TWFE", np.array([-4, -3, -2, 0, 1, 2]), np.zeros(6), vcov, -1, df)


@pytest.mark.parametrize("df", [float("inf"), 40.0])
def test_power_matches_simulated_wald_test(df):
    eff = effects(df)
    res = pdid.pretrend_power(eff, slope=0.05)
    rng = np.random.default_rng(0)
    pre = slice(0, 3)
    sig = eff.vcov[pre, pre]
    mean = 0.05 * np.array([-3.0, -2.0, -1.0])
    draws = rng.multivariate_normal(mean, sig, size=200_000)
    wald = np.einsum("ij,ij->i", draws @ np.linalg.inv(sig), draws)
    if np.isinf(df):
        reject = wald > stats.chi2.ppf(0.95, 3)
    else:  # F test with an independent chi-square variance estimate
        scale = rng.chisquare(df, size=len(draws)) / df
        reject = wald / 3 / scale > stats.f.ppf(0.95, 3, df)
    assert res.power == pytest.approx(reject.mean(), abs=0.005)


def test_slope_for_power_inverts_power():
    eff = effects()
    for target in (0.5, 0.8):
        slope = slope_for_power(eff, target)
        assert pdid.pretrend_power(eff, slope=slope).power == pytest.approx(target, abs=1e-9)
    res = pdid.pretrend_power(eff)
    assert res.slope == pytest.approx(res.slope_80) and res.slope_50 < res.slope_80
    # zero slope: power equals the size
    assert pdid.pretrend_power(eff, slope=0.0).power == pytest.approx(0.05)


def test_bias_unconditional_and_conditional():
    eff = effects()
    res = pdid.pretrend_power(eff, slope=0.02, seed=1)
    np.testing.assert_allclose(res.bias["unconditional"], 0.02 * np.array([1, 2, 3]))
    # brute force: E[b_post | pass] - tau by direct simulation of the whole vector
    rng = np.random.default_rng(2)
    mean = 0.02 * np.array([-3.0, -2, -1, 1, 2, 3])
    draws = rng.multivariate_normal(mean, eff.vcov, size=400_000)
    sig = eff.vcov[:3, :3]
    wald = np.einsum("ij,ij->i", draws[:, :3] @ np.linalg.inv(sig), draws[:, :3])
    passed = draws[wald <= stats.chi2.ppf(0.95, 3)]
    np.testing.assert_allclose(res.bias["conditional"], passed[:, 3:].mean(axis=0), atol=2e-3)
    assert "power" in res.summary()


def test_event_study_input_and_figure_trend():
    frame = did_panel(n_units=60, n_periods=10, cohorts=(5, 6, 7), share=0.5, seed=2)
    es = pdid.event_study(frame, "y", unit="unit", time="year", cohort="cohort", window=(-3, 2))
    res = pdid.pretrend_power(es, power=0.5)
    assert res.power == pytest.approx(0.5, abs=1e-9)
    fig = es.figure(trend=res.slope)
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert any("Hypothesised trend" in label for label in labels)
    assert len(fig.axes[0].get_lines()) > len(es.figure().axes[0].get_lines())


def test_bad_input():
    with pytest.raises(EstimationError, match="dynamic"):
        pdid.pretrend_power(np.zeros(3))
    post_only = DynamicEffects("TWFE", np.array([0, 1]), np.zeros(2), np.eye(2))
    with pytest.raises(EstimationError, match="no lead"):
        pdid.pretrend_power(post_only)
    with pytest.raises(EstimationError, match="power"):
        slope_for_power(effects(), 0.01)
