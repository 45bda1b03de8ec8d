"""Absorber.coefficients: the fixed-effect estimates behind the demeaning, for any right-hand side."""

from __future__ import annotations

import numpy as np
import pytest

from pilotdid.estimation.demean import make_absorber
from pilotdid.estimation.fixef import FixedEffects


@pytest.mark.parametrize("method", ["dense", "cg"])
def test_coefficients_reproduce_the_fitted_part(method):
    rng = np.random.default_rng(0)
    n = 400
    codes = (rng.integers(0, 50, n), rng.integers(0, 7, n), rng.integers(0, 4, n))
    codes = tuple(np.unique(c, return_inverse=True)[1] for c in codes)
    fe = FixedEffects(("u", "t", "r"), codes, tuple(int(c.max()) + 1 for c in codes))
    w = rng.uniform(0.5, 2, n)
    absorber = make_absorber(fe, weights=w, method=method)
    y = rng.normal(size=(n, 2))
    sums = [
        np.stack([np.bincount(c, w * y[:, r], k) for r in range(2)], 1)
        for c, k in zip(fe.codes, fe.n_levels, strict=True)
    ]
    coefs = absorber.coefficients(sums)
    fitted = sum(cf[c] for cf, c in zip(coefs, fe.codes, strict=True))
    np.testing.assert_allclose(fitted, y - absorber.demean(y), atol=1e-8)
    # any consistent right-hand side: D (D'WD)^+ c against a dense pseudo-inverse
    D = np.hstack([np.eye(k)[c] for c, k in zip(fe.codes, fe.n_levels, strict=True)])
    c = D.T @ rng.normal(size=n)
    parts = np.split(c, np.cumsum(fe.n_levels)[:-1])
    ours = sum(cf[code] for cf, code in zip(absorber.coefficients(parts), fe.codes, strict=True))
    np.testing.assert_allclose(ours, D @ np.linalg.pinv(D.T @ (w[:, None] * D)) @ c, atol=1e-8)
