"""Kernel matching (psmatch2 ``kernel kerneltype() bwidth()``).

Each treated unit i is compared with a kernel-weighted average of controls:
``w_ij = K((p_j - p_i) / h) / sum_j K((p_j - p_i) / h)``. psmatch2's kernels (unnormalised; the
constant cancels): Epanechnikov ``1 - u²``, biweight ``(1 - u²)²``, uniform ``1``, tricube
``(1 - |u|³)³``, all on ``|u| <= 1``, and the normal density ``φ(u)`` on the whole line.
Bounded kernels only visit controls within one bandwidth (found by binary search on the sorted
scores); the normal kernel visits every treated-control pair.
"""

from __future__ import annotations

import numpy as np

from pilotdid.errors import MatchingError
from pilotdid.matching.nearest import Matches, from_pairs

__all__ = ["MAX_PAIRS", "kernel_match", "kernel_weights", "window_pairs"]

#: Largest number of treated-control pairs a kernel or radius match may create.
MAX_PAIRS = 50_000_000


def kernel_weights(u: np.ndarray, kernel: str) -> np.ndarray:
    """Unnormalised kernel values at ``u = (p_j - p_i) / h`` (zero outside the support).

    Examples
    --------
    >>> kernel_weights(np.array([0.0, 0.5, 1.5]), "epan").tolist()
    [1.0, 0.75, 0.0]
    """
    a = np.abs(u)
    inside = a <= 1.0
    if kernel == "normal":
        return np.asarray(np.exp(-0.5 * u * u) / np.sqrt(2.0 * np.pi))
    if kernel == "epan":
        k = 1.0 - u * u
    elif kernel == "biweight":
        k = (1.0 - u * u) ** 2
    elif kernel == "uniform":
        k = np.ones_like(u)
    elif kernel == "tricube":
        k = (1.0 - a**3) ** 3
    else:
        raise MatchingError(f"unknown kernel {kernel!r}")
    return np.where(inside, k, 0.0)


def window_pairs(
    score_t: np.ndarray, score_c: np.ndarray, half_width: float, what: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All pairs with ``|score_t - score_c| <= half_width``: (treated pos, control pos, distance)."""
    idx = np.argsort(score_c, kind="stable")
    sc = score_c[idx]
    if np.isinf(half_width):
        lo = np.zeros(len(score_t), dtype=np.int64)
        hi = np.full(len(score_t), len(sc), dtype=np.int64)
    else:
        # one ulp of slack on each side; the exact test below decides
        lo = np.searchsorted(sc, np.nextafter(score_t - half_width, -np.inf), side="left")
        hi = np.searchsorted(sc, np.nextafter(score_t + half_width, np.inf), side="right")
    counts = hi - lo
    total = int(counts.sum())
    if total > MAX_PAIRS:
        raise MatchingError(
            f"{what} would create {total:,} treated-control pairs (limit {MAX_PAIRS:,}); use a "
            "smaller bandwidth/caliper or a bounded kernel."
        )
    t = np.repeat(np.arange(len(score_t)), counts)
    starts = np.cumsum(counts) - counts
    j = np.arange(total) - np.repeat(starts, counts) + np.repeat(lo, counts)
    d = np.abs(score_t[t] - sc[j])
    keep = d <= half_width
    return t[keep], idx[j[keep]], d[keep]


def kernel_match(
    score_t: np.ndarray, score_c: np.ndarray, kernel: str = "epan", bandwidth: float = 0.06
) -> Matches:
    """Kernel matching of treated to control units on a scalar score.

    Parameters
    ----------
    score_t, score_c : numpy.ndarray
        Scores of the treated and control units.
    kernel : {"epan", "normal", "biweight", "uniform", "tricube"}, default "epan"
        Kernel (psmatch2 ``kerneltype``).
    bandwidth : float, default 0.06
        Bandwidth h in score units (psmatch2 ``bwidth``).

    Returns
    -------
    Matches
        Pairs with positive kernel weight; each treated unit's weights sum to 1. Treated units
        with no control inside the kernel window have no pairs.

    Examples
    --------
    >>> m = kernel_match(np.array([0.5]), np.array([0.48, 0.53, 0.9]), "uniform", 0.06)
    >>> m.weight.tolist()
    [0.5, 0.5]
    """
    if bandwidth <= 0:
        raise MatchingError(f"bandwidth={bandwidth!r} must be positive.")
    half = np.inf if kernel == "normal" else bandwidth
    t, c, d = window_pairs(score_t, score_c, half, f"kernel matching (bandwidth {bandwidth})")
    k = kernel_weights(d / bandwidth, kernel)
    keep = k > 0
    t, c, d, k = t[keep], c[keep], d[keep], k[keep]
    total = np.bincount(t, weights=k, minlength=len(score_t))
    return from_pairs(t, c, d, len(score_t), weight=k / total[t])
