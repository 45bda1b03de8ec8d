"""The one randomization-inference p-value (placebo and permutation tests)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from pilotdid.estimation.randomization import RI_RTOL, ri_pvalue


def brute_force(draws, observed, two_sided, exhaustive):
    """Count by hand: a draw is as extreme when it is at least the observed value, less a tie."""
    kept = [float(v) for v in draws if np.isfinite(v)]
    if two_sided:
        kept, observed = [abs(v) for v in kept], abs(observed)
    k = 0
    for v in kept:
        if v >= observed or abs(v - observed) <= RI_RTOL * abs(observed):
            k += 1
    return k / len(kept) if exhaustive else (1 + k) / (1 + len(kept))


@pytest.mark.parametrize(
    ("two_sided", "exhaustive"), list(itertools.product([True, False], repeat=2))
)
def test_counts_equal_brute_force_on_small_arrays(two_sided, exhaustive):
    rng = np.random.default_rng(3)
    for _ in range(200):
        draws = rng.normal(size=rng.integers(1, 8)).round(1)
        draws[rng.random(draws.size) < 0.2] = np.nan
        if not np.isfinite(draws).any():
            continue
        observed = float(rng.choice([*draws[np.isfinite(draws)], round(float(rng.normal()), 1)]))
        got = ri_pvalue(draws, observed, two_sided=two_sided, exhaustive=exhaustive)
        assert got == pytest.approx(brute_force(draws, observed, two_sided, exhaustive))


def test_two_sided_compares_absolute_values_one_sided_does_not():
    draws = np.array([-5.0, -1.0, 0.5, 3.0])
    assert ri_pvalue(draws, 2.0, two_sided=True, exhaustive=True) == 2 / 4  # |-5|, 3
    assert ri_pvalue(draws, 2.0, two_sided=False, exhaustive=True) == 1 / 4  # 3
    assert ri_pvalue(draws, -2.0, two_sided=False, exhaustive=True) == 3 / 4  # -1, 0.5, 3


def test_ties_within_the_tolerance_count_beyond_it_do_not():
    observed = 2.0
    inside = observed * (1 - 0.5 * RI_RTOL)  # the observed assignment re-estimated: a tie
    outside = observed * (1 - 10 * RI_RTOL)
    assert ri_pvalue(np.array([inside]), observed, two_sided=False, exhaustive=True) == 1.0
    assert ri_pvalue(np.array([outside]), observed, two_sided=False, exhaustive=True) == 0.0
    assert ri_pvalue(np.array([-inside]), observed, two_sided=True, exhaustive=True) == 1.0
    # the tolerance is relative: the same shortfall on a negative one-sided statistic
    assert ri_pvalue(np.array([-2.0 * (1 + 0.5 * RI_RTOL)]), -2.0, two_sided=False) == 1.0
    assert ri_pvalue(np.array([0.0]), 0.0, two_sided=False, exhaustive=True) == 1.0
    assert ri_pvalue(np.array([1.0]), 1.0, two_sided=True, rtol=0.0, exhaustive=True) == 1.0


def test_exhaustive_is_k_over_r_random_is_one_plus_k_over_one_plus_r():
    draws = np.arange(1.0, 11.0)  # 1 .. 10
    assert ri_pvalue(draws, 8.0, two_sided=False, exhaustive=True) == 3 / 10
    assert ri_pvalue(draws, 8.0, two_sided=False) == (1 + 3) / (1 + 10)
    assert ri_pvalue(draws, 100.0, two_sided=False) == 1 / 11  # never 0 with random draws
    assert ri_pvalue(draws, 100.0, two_sided=False, exhaustive=True) == 0.0


@pytest.mark.parametrize("exhaustive", [True, False])
def test_nan_observed_or_no_finite_draw_gives_nan(exhaustive):
    assert np.isnan(ri_pvalue(np.array([1.0, 2.0]), np.nan, two_sided=True, exhaustive=exhaustive))
    assert np.isnan(
        ri_pvalue(np.array([np.nan, np.inf]), 1.0, two_sided=True, exhaustive=exhaustive)
    )
    assert np.isnan(ri_pvalue(np.array([]), 1.0, two_sided=False, exhaustive=exhaustive))
    # failed draws are left out of both counts
    assert ri_pvalue(np.array([np.nan, 3.0, 1.0]), 2.0, two_sided=False, exhaustive=exhaustive) \
        == ((1 / 2) if exhaustive else (2 / 3))  # fmt: skip


def test_placebo_and_heterogeneity_use_the_shared_function():
    import pilotdid.mechanisms.heterogeneity as het
    import pilotdid.robustness.placebo_result as pr

    assert pr.ri_pvalue is ri_pvalue
    assert het.ri_pvalue is ri_pvalue
    assert not hasattr(pr, "_ri_pvalue")
