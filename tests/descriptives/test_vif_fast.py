"""vif_values: one Gram matrix instead of k regressions, the same numbers (#19)."""

import numpy as np

from pilotdid.descriptives import correlation
from pilotdid.descriptives.correlation import vif_values


def _regressions(x):
    centred = x - x.mean(axis=0)
    out = []
    for j in range(x.shape[1]):
        y, others = centred[:, j], np.delete(centred, j, axis=1)
        resid = y - others @ np.linalg.lstsq(others, y, rcond=None)[0]
        out.append((y @ y) / (resid @ resid))
    return np.array(out)


def test_matches_the_per_column_regressions():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5_000, 6))
    x[:, 2] += 0.9 * x[:, 0]
    x[:, 5] = 3 + 0.3 * x[:, 1] + 0.1 * rng.normal(size=5_000)
    np.testing.assert_allclose(vif_values(x), _regressions(x), rtol=1e-9)


def test_uses_one_product_not_k_regressions(monkeypatch):
    calls = []
    real = np.linalg.lstsq
    monkeypatch.setattr(np.linalg, "lstsq", lambda *a, **k: calls.append(1) or real(*a, **k))
    vif_values(np.random.default_rng(2).normal(size=(1_000, 8)))
    assert calls == []


def test_exact_collinearity_still_flags_huge_vifs():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(500, 4))
    x[:, 3] = x[:, 0] + x[:, 1]
    assert correlation._vif_from_gram(x - x.mean(axis=0)) is None  # falls back
    with np.errstate(divide="ignore", invalid="ignore"):
        values = vif_values(x)
    assert not np.all(np.isfinite(values) & (values < 1e12))
