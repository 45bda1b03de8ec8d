"""The multiplier bootstrap's draws: identical to the float32-uniform formula they replace."""

from __future__ import annotations

import numpy as np
import pytest

from pilotdid.did.cs_inference import _MAMMEN, bootstrap_draws


def _reference(sums: np.ndarray, n: int, draws: int, seed: int, kind: str) -> np.ndarray:
    """Weights from ``Generator.random(dtype=float32) < p`` drawn row by row (draw by draw)."""
    rng = np.random.default_rng(seed)
    low, high, p_high = _MAMMEN if kind == "mammen" else (-1.0, 1.0, 0.5)
    u = rng.random((draws, sums.shape[0]), dtype=np.float32)
    weights = np.where(u < p_high, high, low)
    return np.asarray(weights @ sums / n)


@pytest.mark.parametrize("kind", ["mammen", "rademacher"])
@pytest.mark.parametrize(
    ("clusters", "draws", "chunk"), [(7, 11, 100), (101, 999, 4000), (3, 5, 12)]
)
def test_draws_match_float32_uniform_weights(
    kind: str, clusters: int, draws: int, chunk: int
) -> None:
    sums = np.random.default_rng(clusters).normal(size=(clusters, 4))
    got = bootstrap_draws(sums, clusters, draws, seed=42, kind=kind, chunk_bytes=chunk)
    want = _reference(sums, clusters, draws, 42, kind)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_mammen_weights_have_mean_zero_and_variance_one() -> None:
    w = bootstrap_draws(np.ones((1, 1)), 1, 20_000, seed=3, kind="mammen")[:, 0]  # the weights
    low, high, p_high = _MAMMEN
    assert set(np.unique(np.round(w, 12))) == {round(low, 12), round(high, 12)}
    assert abs(np.mean(w == high) - p_high) < 0.02
