from __future__ import annotations

import numpy as np
import pytest

from pilotdid.errors import MatchingError
from pilotdid.matching.kernel import kernel_match
from pilotdid.matching.radius import radius_match
from pilotdid.matching.support import (
    common_support,
    stata_kdensity_at,
    stata_percentile,
    trim_support,
)
from tests.matching.brute import brute_kernel


def _scores(seed=0):
    rng = np.random.default_rng(seed)
    return rng.beta(3, 4, 40), rng.beta(2, 5, 120)


@pytest.mark.parametrize("kernel", ["epan", "normal", "biweight", "uniform", "tricube"])
@pytest.mark.parametrize("bw", [0.02, 0.06, 0.2])
def test_kernel_weights_equal_brute_force(kernel, bw):
    s_t, s_c = _scores()
    m = kernel_match(s_t, s_c, kernel, bw)
    w_ref, matched = brute_kernel(s_t, s_c, kernel, bw)
    np.testing.assert_allclose(m.control_weights(len(s_c)), w_ref, atol=1e-12)
    assert set(np.unique(m.treated)) == set(np.flatnonzero(matched))
    np.testing.assert_allclose(np.bincount(m.treated, m.weight)[np.unique(m.treated)], 1.0)


def test_radius_is_all_controls_within_caliper_equally_weighted():
    s_t, s_c = _scores(1)
    m = radius_match(s_t, s_c, 0.03)
    for i in range(len(s_t)):
        inside = np.flatnonzero(np.abs(s_c - s_t[i]) <= 0.03)
        assert sorted(m.control[m.treated == i].tolist()) == inside.tolist()
        if len(inside):
            np.testing.assert_allclose(m.weight[m.treated == i], 1 / len(inside))
    with pytest.raises(MatchingError, match="positive, finite caliper"):
        radius_match(s_t, s_c, np.inf)


def test_pair_limit_is_a_clear_error(monkeypatch):
    import pilotdid.matching.kernel as kmod

    monkeypatch.setattr(kmod, "MAX_PAIRS", 10)
    with pytest.raises(MatchingError, match="treated-control pairs"):
        kernel_match(*_scores(), "normal", 0.06)


def test_common_support_minmax():
    keep = common_support(np.array([0.05, 0.2, 0.5, 0.81]), np.array([0.2, 0.8, 0.4]))
    assert keep.tolist() == [False, True, True, False]


def test_stata_percentile_definition():
    x = np.arange(1, 11, dtype=float)  # n = 10
    assert stata_percentile(x, 50) == 5.5  # P = 5 integer: mean of 5th and 6th
    assert stata_percentile(x, 25) == 3.0  # P = 2.5: the 3rd value
    assert stata_percentile(x, 5) == 1.0


def test_kdensity_matches_direct_sum():
    rng = np.random.default_rng(3)
    xs, at = rng.normal(size=300), np.linspace(-3, 3, 41)
    sd = xs.std(ddof=1)
    iqr = stata_percentile(xs, 75) - stata_percentile(xs, 25)
    h = 0.9 * min(sd, iqr / 1.349) / len(xs) ** 0.2
    z = (at[:, None] - xs[None]) / h
    k = np.where(np.abs(z) < np.sqrt(5), 0.75 * (1 - z**2 / 5) / np.sqrt(5), 0)
    np.testing.assert_allclose(stata_kdensity_at(xs, at), k.sum(axis=1) / (len(xs) * h), atol=1e-10)


def test_trim_drops_lowest_density_share():
    s_t, s_c = _scores(2)
    keep = trim_support(s_t, s_c, 10)
    dens = stata_kdensity_at(s_c, s_t)
    assert (~keep).sum() >= 4
    assert dens[~keep].max() <= dens[keep].min()
