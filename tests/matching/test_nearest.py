from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pilotdid.matching.mahalanobis import mahalanobis_match
from pilotdid.matching.nearest import match_order, nn_match
from tests.matching.brute import brute_nn


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 12),
    st.integers(1, 20),
    st.integers(1, 3),
    st.booleans(),
    st.booleans(),
    st.sampled_from([np.inf, 0.1, 0.25]),
    st.sampled_from(["data", "largest", "smallest"]),
    st.booleans(),
    st.integers(0, 2**31),
)
def test_equals_brute_force(nt, nc, k, replace, ties, caliper, order, discrete, seed):
    rng = np.random.default_rng(seed)
    # discrete scores produce exact ties; continuous ones the usual case
    draw = (lambda n: rng.integers(0, 8, n) / 8) if discrete else (lambda n: rng.uniform(size=n))
    s_t, s_c = draw(nt), draw(nc)
    o = match_order(s_t, order)
    m = nn_match(s_t, s_c, k, replace, ties, caliper, o)
    got = sorted(zip(m.treated.tolist(), m.control.tolist(), strict=True))
    assert got == brute_nn(s_t, s_c, k, replace, ties, caliper, o)


def _scores(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    s = rng.beta(2, 5, n)
    t = rng.uniform(size=n) < 0.3
    return s[t], s[~t]


@pytest.mark.parametrize("replace", [True, False])
def test_invariants(replace):
    s_t, s_c = _scores()
    m = nn_match(s_t, s_c, 1, replace, False, 0.01, match_order(s_t, "largest"))
    assert np.all(np.abs(s_t[m.treated] - s_c[m.control]) <= 0.01)  # within the caliper
    np.testing.assert_allclose(m.distance, np.abs(s_t[m.treated] - s_c[m.control]))
    if not replace:
        assert len(np.unique(m.control)) == len(m.control)  # no control used twice
    w = m.control_weights(len(s_c))
    assert w.sum() == pytest.approx(len(np.unique(m.treated)))  # weights sum to matched treated


def test_ties_weights_and_ranks():
    m = nn_match(np.array([0.5]), np.array([0.4, 0.6, 0.5, 0.5, 0.9]), k=1, ties=True)
    assert sorted(m.control.tolist()) == [2, 3]
    np.testing.assert_allclose(m.weight, [0.5, 0.5])
    assert m.rank.tolist() == [1, 2]
    m2 = nn_match(np.array([0.5]), np.array([0.4, 0.6, 0.5, 0.5, 0.9]), k=1, ties=False)
    assert m2.control.tolist() == [2]  # exact tie: earlier row


def test_row_order_does_not_matter_with_largest():
    s_t, s_c = _scores(seed=3)
    rng = np.random.default_rng(9)
    pt, pc = rng.permutation(len(s_t)), rng.permutation(len(s_c))
    a = nn_match(s_t, s_c, 1, False, False, np.inf, match_order(s_t, "largest"))
    b = nn_match(s_t[pt], s_c[pc], 1, False, False, np.inf, match_order(s_t[pt], "largest"))
    pairs_a = {(float(s_t[i]), float(s_c[j])) for i, j in zip(a.treated, a.control, strict=True)}
    pairs_b = {
        (float(s_t[pt][i]), float(s_c[pc][j])) for i, j in zip(b.treated, b.control, strict=True)
    }
    assert pairs_a == pairs_b


def test_random_order_is_seeded():
    s_t, _ = _scores()
    a = match_order(s_t, "random", np.random.default_rng(5))
    b = match_order(s_t, "random", np.random.default_rng(5))
    c = match_order(s_t, "random", np.random.default_rng(6))
    assert a.tolist() == b.tolist() != c.tolist()
    with pytest.raises(ValueError, match="random generator"):
        match_order(s_t, "random")


def test_empty_inputs():
    assert len(nn_match(np.array([0.3]), np.zeros(0)).treated) == 0
    assert len(nn_match(np.zeros(0), np.array([0.3])).treated) == 0


@pytest.mark.parametrize("replace", [True, False])
def test_mahalanobis_equals_brute_force(replace):
    rng = np.random.default_rng(4)
    Xt, Xc = rng.normal(size=(30, 3)), rng.normal(size=(80, 3)) + 0.2
    n = len(Xt) + len(Xc)
    S = (np.cov(Xt.T) * (len(Xt) - 1) + np.cov(Xc.T) * (len(Xc) - 1)) / (n - 2)
    Si = np.linalg.inv(S)
    d = np.sqrt(np.einsum("ijk,kl,ijl->ij", Xt[:, None] - Xc[None], Si, Xt[:, None] - Xc[None]))
    m = mahalanobis_match(Xt, Xc, 1, replace, np.inf, np.arange(len(Xt)))
    used = set()
    for i in range(len(Xt)):
        cand = [j for j in np.argsort(d[i]) if replace or j not in used]
        assert m.control[m.treated == i].tolist() == [cand[0]]
        used.add(cand[0])
    np.testing.assert_allclose(m.distance, d[m.treated, m.control])
    cal = np.quantile(d.min(axis=1), 0.5)
    mc = mahalanobis_match(Xt, Xc, 2, replace, cal, np.arange(len(Xt)))
    assert np.all(mc.distance <= cal)
