"""HonestDiD sensitivity: the R package's published numbers, moderndid, closed forms, bad input.

Tolerances. R's README prints 3 significant digits (half a unit of the last digit is allowed
on top of each tolerance) of the extreme accepted points of a 1,000-point grid (spacing 3.7e-4
for the ehec example), and its C-LF critical value is simulated with R's generator; pilotdid
refines the ends by bisection and simulates with numpy. So C-LF sets must agree with R within
4e-4 (about one grid step); the FLCI has no grid (R simulates the folded-normal quantile with
1e6 draws and optimises over a grid of h), so 1e-4. moderndid's grid ends lie inside the true set by less than one
grid step, so pilotdid's refined ends must contain them and lie within one step.
"""

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import pilotdid as pdid
from pilotdid.did.dynamic import DynamicEffects
from pilotdid.errors import EstimationError
from pilotdid.robustness import _arp as arp

from .conftest import did_panel

REF = json.loads(
    (Path(__file__).parents[1] / "reference" / "honestdid" / "ehec_twfe.json").read_text()
)
BETA = np.array(REF["betahat"])


def assert_close_printed(actual, printed, atol):
    """R's tibble prints 3 significant digits: allow half a unit of the last digit plus atol."""
    printed = np.asarray(printed, dtype=float)
    rounding = 0.5 * 10.0 ** (np.floor(np.log10(np.abs(printed))) - 2)
    assert np.all(np.abs(np.asarray(actual) - printed) <= rounding + atol), (actual, printed)


SIGMA = np.array(REF["sigma"])


def test_relative_magnitudes_match_r_readme():
    ref = REF["r_readme"]["rm_clf_first"]
    res = pdid.honest_did(BETA, sigma=SIGMA, num_pre=5, Mbar=ref["Mbar"], target="first")
    assert res.method == "C-LF"
    assert_close_printed(res.conf_low, ref["lb"], atol=4e-4)
    assert_close_printed(res.conf_high, ref["ub"], atol=4e-4)
    # README: "the breakdown value for a significant effect is Mbar = 2"
    assert 1.5 < res.breakdown <= 2.0


def test_smoothness_flci_matches_r_readme():
    ref = REF["r_readme"]["sd_flci_first"]
    res = pdid.honest_did(
        BETA, sigma=SIGMA, num_pre=5, restriction="smoothness", M=ref["M"], target="first"
    )
    assert res.method == "FLCI"
    assert_close_printed(res.conf_low, ref["lb"], atol=1e-4)
    assert_close_printed(res.conf_high, ref["ub"], atol=1e-4)
    # README: breakdown M about 0.03 on its grid; the exact value lies between 0.02 and 0.03
    assert 0.02 < res.breakdown < 0.03


@pytest.mark.parametrize("Mbar", [0.5, 1.0])
def test_conditional_rm_contains_moderndid_grid_set(Mbar):
    ref = REF["moderndid_0_2_0"]["rm_arp_first"]
    i = ref["Mbar"].index(Mbar)
    res = pdid.honest_did(
        BETA, sigma=SIGMA, num_pre=5, Mbar=[Mbar], target="first", method="Conditional"
    )
    step = ref["grid_step"]
    assert ref["lb"][i] - step <= res.conf_low[0] <= ref["lb"][i] + 1e-9
    assert ref["ub"][i] - 1e-9 <= res.conf_high[0] <= ref["ub"][i] + step


@pytest.mark.parametrize("method, key", [("Conditional", "ARP"), ("C-F", "FLCI")])
def test_conditional_sd_contains_moderndid_grid_set(method, key):
    ref = REF["moderndid_0_2_0"]["sd_first_M0.01"][key]
    res = pdid.honest_did(
        BETA,
        sigma=SIGMA,
        num_pre=5,
        restriction="smoothness",
        M=[0.01],
        target="first",
        method=method,
    )
    step = ref["grid_step"]
    assert ref["lb"] - step <= res.conf_low[0] <= ref["lb"] + 1e-9
    assert ref["ub"] - 1e-9 <= res.conf_high[0] <= ref["ub"] + step


def test_mbar_zero_one_pre_one_post_closed_form():
    # Mbar = 0: the post violation is zero, the moments are +-(b1 - theta) (perfectly negatively
    # correlated), so the conditional test is the two-sided z test (|Z| given the larger moment is
    # N(0,1) truncated to [0, inf)). The LF hybrid truncates to [0, c_lf] with c_lf the
    # 1 - kappa quantile of |Z| and tests at size (alpha - kappa) / (1 - kappa): its critical
    # value is again z_{1 - alpha/2} when c_lf is exact; c_lf is simulated (1000 draws), so the
    # hybrid matches up to that noise.
    beta, sigma = np.array([0.3, 1.2]), np.array([[0.04, 0.01], [0.01, 0.09]])
    se = 0.3
    cond = pdid.honest_did(beta, sigma=sigma, num_pre=1, Mbar=[0], method="Conditional")
    z = stats.norm.ppf(0.975)
    np.testing.assert_allclose(
        [cond.conf_low[0], cond.conf_high[0]], [1.2 - z * se, 1.2 + z * se], atol=1e-6
    )
    hybrid = pdid.honest_did(beta, sigma=sigma, num_pre=1, Mbar=[0])
    half = (hybrid.conf_high[0] - hybrid.conf_low[0]) / 2
    assert hybrid.conf_low[0] + half == pytest.approx(1.2)
    assert half / se == pytest.approx(z, abs=0.03)
    np.testing.assert_allclose(cond.original, [1.2 - z * se, 1.2 + z * se])


def test_smoothness_m_zero_is_linear_extrapolation():
    # one pre period: delta_t = -t * b_{-1}; the FLCI is the extrapolated estimate +- z * se
    rng = np.random.default_rng(3)
    a = rng.normal(size=(6, 4))
    sigma = a.T @ a / 6 * 0.01
    beta = np.array([0.02, 0.1, 0.15, 0.2])
    l_vec = np.array([1 / 3, 1 / 3, 1 / 3])
    res = pdid.honest_did(beta, sigma=sigma, num_pre=1, restriction="smoothness", M=[0])
    v = np.concatenate([[l_vec @ np.arange(1, 4)], l_vec])
    half = stats.norm.ppf(0.975) * math.sqrt(v @ sigma @ v)
    np.testing.assert_allclose(
        [res.conf_low[0], res.conf_high[0]], [v @ beta - half, v @ beta + half], atol=1e-7
    )


def test_smoothness_m_zero_many_pre_is_min_variance_trend_free_estimator():
    rng = np.random.default_rng(4)
    a = rng.normal(size=(20, 7))
    sigma = a.T @ a / 20 * 0.01
    beta = rng.normal(size=7) * 0.05
    k, l_vec = 4, np.full(3, 1 / 3)
    t_pre = np.arange(-k, 0.0)
    target = -l_vec @ np.arange(1, 4.0)
    # minimise v' Sigma v over w with t_pre'w = target: KKT system
    spp, spq = sigma[:k, :k], sigma[:k, k:]
    kkt = np.block([[2 * spp, t_pre[:, None]], [t_pre[None, :], np.zeros((1, 1))]])
    rhs = np.concatenate([-2 * spq @ l_vec, [target]])
    w = np.linalg.solve(kkt, rhs)[:k]
    v = np.concatenate([w, l_vec])
    half = stats.norm.ppf(0.975) * math.sqrt(v @ sigma @ v)
    res = pdid.honest_did(beta, sigma=sigma, num_pre=k, restriction="smoothness", M=[0])
    np.testing.assert_allclose(
        [res.conf_low[0], res.conf_high[0]], [v @ beta - half, v @ beta + half], atol=1e-6
    )


@pytest.mark.parametrize("hybrid", ["ARP", "LF", "FLCI"])
def test_linear_programme_test_matches_vertex_test(hybrid):
    # the per-point HiGHS path (used when the dual has too many vertices) against enumeration
    from pilotdid.robustness._deltas import rm_pieces
    from pilotdid.robustness._honest_ci import _problem

    piece = next(rm_pieces(5, 2, 1.0)).post_rows(5)
    problem = _problem(BETA, SIGMA, 5, np.array([0.5, 0.5]), piece)
    theta = np.linspace(-0.02, 0.12, 25)
    vertices = problem.vertices()
    lf = arp.least_favourable_cv(problem, vertices, 0.005, sims=200, seed=0)
    assert lf == pytest.approx(arp.least_favourable_cv(problem, None, 0.005, sims=200, seed=0))
    flci = None
    if hybrid == "FLCI":
        w = np.zeros(7)
        w[5:] = 0.5
        flci = (piece.A @ SIGMA @ w, float(w @ BETA), 0.03)
    kw = {"alpha": 0.05, "lf_cv": lf if hybrid == "LF" else None, "kappa": 0.005, "flci": flci}
    fast = arp.accepts(problem, theta, vertices=vertices, **kw)
    slow = arp.accepts(problem, theta, vertices=None, **kw)
    assert 0 < fast.sum() < len(theta)
    np.testing.assert_array_equal(fast, slow)


@pytest.mark.slow
@pytest.mark.parametrize(
    "kwargs",
    [
        {"Mbar": [1.0], "method": "Conditional"},
        {"Mbar": [1.0]},
        {"restriction": "smoothness", "M": [0.01], "method": "C-F"},
    ],
)
def test_linear_programme_path_matches_vertex_enumeration(monkeypatch, kwargs):
    # large problems solve one HiGHS programme per point (Newton steps for the truncation)
    # instead of enumerating the dual vertices; both must give the same set
    fast = pdid.honest_did(BETA, sigma=SIGMA, num_pre=5, target="first", **kwargs)
    monkeypatch.setattr(arp, "_MAX_BASES", 0)
    slow = pdid.honest_did(BETA, sigma=SIGMA, num_pre=5, target="first", **kwargs)
    np.testing.assert_allclose(slow.conf_low, fast.conf_low, atol=1e-6)
    np.testing.assert_allclose(slow.conf_high, fast.conf_high, atol=1e-6)


def test_sets_widen_with_m_and_restrictions_narrow_them():
    res = pdid.honest_did(BETA, sigma=SIGMA, num_pre=5, Mbar=(0.5, 1, 2))
    width = res.conf_high - res.conf_low
    assert np.all(np.diff(width) > 0)
    signed = pdid.honest_did(BETA, sigma=SIGMA, num_pre=5, Mbar=(1,), bias_sign="positive")
    assert signed.conf_high[0] <= res.conf_high[1] + 1e-9
    # smoothness with C-F: an increasing (positive) violation can only have inflated the estimate,
    # so the upper end shrinks; a decreasing one raises the lower end
    sets = {}
    for extra in ({}, {"monotonicity": "increasing"}, {"monotonicity": "decreasing"}):
        r = pdid.honest_did(
            BETA, sigma=SIGMA, num_pre=5, restriction="smoothness", M=(0.02,), **extra
        )
        sets[extra.get("monotonicity")] = (r.conf_low[0], r.conf_high[0], r.method)
    assert sets["increasing"][2] == "C-F" and sets[None][2] == "FLCI"
    free = pdid.honest_did(
        BETA, sigma=SIGMA, num_pre=5, restriction="smoothness", M=(0.02,), method="C-F"
    )
    assert sets["increasing"][1] < free.conf_high[0] - 0.02
    assert sets["decreasing"][0] > free.conf_low[0] + 0.02
    assert sets["increasing"][0] == pytest.approx(free.conf_low[0], abs=1e-6)


def test_breakdown_is_where_zero_enters():
    res = pdid.honest_did(
        BETA,
        sigma=SIGMA,
        num_pre=5,
        restriction="smoothness",
        M=np.linspace(0, 0.05, 6),
        target="first",
    )
    just_below = pdid.honest_did(
        BETA,
        sigma=SIGMA,
        num_pre=5,
        restriction="smoothness",
        M=[res.breakdown * 0.995],
        target="first",
    )
    at = pdid.honest_did(
        BETA,
        sigma=SIGMA,
        num_pre=5,
        restriction="smoothness",
        M=[res.breakdown * 1.001],
        target="first",
    )
    assert just_below.conf_low[0] > 0
    assert at.conf_low[0] <= 0


def test_default_target_is_average_and_dynamic_input():
    frame = did_panel(n_units=60, n_periods=10, cohorts=(5, 6, 7), share=0.5, seed=2)
    es = pdid.event_study(
        frame, "y", unit="unit", time="year", cohort="cohort", window=(-3, 2), bin_endpoints=False
    )
    res = pdid.honest_did(es, Mbar=(0, 1))
    dyn = es.dynamic()
    post = np.asarray(dyn.periods) >= 0
    assert res.estimate == pytest.approx(float(dyn.estimates[post].mean()))
    assert res.target.index.tolist() == [0, 1, 2]
    same = pdid.honest_did(dyn, Mbar=(0, 1))
    np.testing.assert_allclose(same.conf_low, res.conf_low)
    first = pdid.honest_did(es, Mbar=(0, 1), target="first")
    assert first.estimate == pytest.approx(float(dyn.estimates[post][0]))


def test_reference_period_other_than_minus_one():
    periods = np.array([-4, -3, -1, 0, 1])  # reference -2; -1 counts as a post-reference period
    rng = np.random.default_rng(0)
    beta = np.array([0.01, 0.0, 0.02, 0.3, 0.35])
    eff = DynamicEffects("TWFE", periods, beta, np.diag(rng.uniform(1e-3, 2e-3, 5)), ref=-2)
    res = pdid.honest_did(eff, Mbar=(1,))
    assert (res.num_pre, res.num_post, res.ref) == (2, 3, -2)
    assert res.target.to_dict() == {-1: 0.0, 0: 0.5, 1: 0.5}
    assert res.estimate == pytest.approx(0.325)


def test_outputs():
    res = pdid.honest_did(BETA, sigma=SIGMA, num_pre=5, Mbar=(0, 1))
    tidy = res.tidy()
    assert tidy["kind"].tolist() == ["original", "robust", "robust"]
    assert "Breakdown" in res.summary() and "<pre>" in res._repr_html_()
    table = res.table(language="zh")
    assert table.body.shape == (3, 2) and "原估计" in table.body.index[0]
    fig = res.figure(language="zh")
    assert fig.axes and "临界值" in fig.axes[0].get_title()


def test_speed_ten_values_four_pre_four_post():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(40, 8))
    sigma = a.T @ a / 40 * 0.01
    beta = np.array([0.01, 0, -0.01, 0.005, 0.05, 0.06, 0.07, 0.08])
    for kwargs in (
        {"restriction": "smoothness", "M": np.linspace(0, 0.05, 10)},
        {"Mbar": np.linspace(0, 2, 10)},
    ):
        start = time.perf_counter()
        pdid.honest_did(beta, sigma=sigma, num_pre=4, **kwargs)
        assert time.perf_counter() - start < 3.0  # measured 0.3 s (SD) and 0.7 s (RM)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"restriction": "smooth"}, "restriction"),
        ({"method": "FLCI"}, "smoothness"),
        ({"target": "last"}, "target"),
        ({"target": [1.0, 0, 0]}, "one value per"),
        ({"Mbar": [-1]}, "Mbar"),
        ({"bias_sign": "up"}, "bias_sign"),
        ({"level": 95}, "level"),
        ({"restriction": "smoothness", "method": "FLCI", "monotonicity": "increasing"}, "C-F"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(EstimationError, match=match):
        pdid.honest_did(BETA, sigma=SIGMA, num_pre=5, **kwargs)


def test_bad_inputs():
    with pytest.raises(EstimationError, match="sigma= and num_pre="):
        pdid.honest_did(BETA)
    with pytest.raises(EstimationError, match="7x7"):
        pdid.honest_did(BETA, sigma=SIGMA[:6, :6], num_pre=5)
    gap = DynamicEffects("TWFE", np.array([-4, -2, 0, 1]), np.zeros(4), np.eye(4), ref=-1)
    with pytest.raises(EstimationError, match="consecutive"):
        pdid.honest_did(gap)
    none = DynamicEffects("BJS", np.array([-2, -1, 0]), np.zeros(3), np.eye(3), ref=None)
    with pytest.raises(EstimationError, match="reference period"):
        pdid.honest_did(none)


@pytest.mark.slow
@pytest.mark.parametrize("restriction", ["relative_magnitude", "smoothness"])
def test_coverage_under_a_violation_inside_the_restriction(restriction):
    # linear violation delta_t = 0.05 t: inside Delta^RM(1) and Delta^SD(0); true average 0.2
    periods = np.arange(-3, 3)
    rel = (periods + 1).astype(float)
    rel = rel[rel != 0]
    delta = 0.05 * rel
    tau = np.where(rel > 0, 0.2, 0.0)
    rng = np.random.default_rng(11)
    a = rng.normal(size=(30, 5))
    sigma = (a.T @ a / 30 + np.eye(5)) * 0.002
    draws = rng.multivariate_normal(delta + tau, sigma, size=300)
    kw = {"Mbar": [1]} if restriction == "relative_magnitude" else {"M": [0]}
    covered = 0
    for beta in draws:
        res = pdid.honest_did(beta, sigma=sigma, num_pre=2, restriction=restriction, **kw)
        covered += res.conf_low[0] <= 0.2 <= res.conf_high[0]
    assert covered / len(draws) >= 0.93  # nominal 0.95; 300 draws: MC se 0.013


def test_estimates_without_a_reference_period_name_the_fix():
    import warnings

    from pilotdid.errors import EstimationError
    from tests.robustness.conftest import did_panel

    data = did_panel(n_units=60, n_periods=8, cohorts=(4, 5), seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cs = pdid.att_gt(data, "y", unit="unit", time="year", cohort="cohort", bootstrap=0)
        bjs = pdid.did_imputation(data, "y", unit="unit", time="year", cohort="cohort")
    with pytest.raises(EstimationError, match="base_period='universal'"):
        pdid.honest_did(cs.aggregate("dynamic"))
    with pytest.raises(EstimationError, match=r"pretrends=\d"):  # the mapping needs leads
        pdid.honest_did(bjs)
    with pytest.raises(EstimationError, match="ImputationResult itself"):
        pdid.honest_did(bjs.dynamic())
