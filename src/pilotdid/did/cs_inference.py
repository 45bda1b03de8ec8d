"""Inference for Callaway–Sant'Anna: influence functions, the multiplier bootstrap, aggregation.

Every ATT(g,t) and every aggregate of them is linear in the *extended* influence matrix
``E = [psi, q]`` (units x (cells + cohorts)): ``psi`` holds the cells' influence functions and
``q[:, j] = w * 1{G = g_j} - p_j`` those of the cohort shares ``p_j`` that weight the
aggregations (R ``did``'s ``wif``). An aggregate is a map ``m`` (a column of
:class:`AggregateMap`) with ``estimate = m[:cells] @ att``, influence function ``E @ m``,
analytic variance ``m' V m`` with ``V = S'S / n**2`` (``S``: ``E`` summed by cluster, the units
themselves by default) and bootstrap draws ``D @ m``.

The multiplier bootstrap is one product ``D = U @ S / n`` of random weights ``U`` (draws x
clusters; Mammen's two-point weights as R ``did``, or Rademacher) with the cluster sums ``S``,
computed in chunks of draws to bound memory; every aggregation reuses ``D``. R ``did`` clusters
with cluster *means* of the influence function scaled by the number of clusters, which equals
the sums used here when clusters have the same size and understates the variance when they do
not; the sums are the variance of ``mean(psi)`` under independence across clusters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pilotdid.estimation.blas import one_blas_thread

__all__ = [
    "AggregateMap",
    "aggregate_map",
    "bootstrap_draws",
    "cluster_sums",
    "draw_summary",
    "share_influence",
]

_SQRT5 = float(np.sqrt(5.0))
_MAMMEN = (-(_SQRT5 - 1) / 2, (_SQRT5 + 1) / 2, (_SQRT5 - 1) / (2 * _SQRT5))  # low, high, P(high)
_IQR_Z = 1.3489795003921634  # qnorm(0.75) - qnorm(0.25)
_TINY = float(np.sqrt(np.finfo(float).eps) * 10)  # R did: a standard error below this is NA


def share_influence(cohort: np.ndarray, weights: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Influence functions of the cohort shares ``p_g = mean(w * 1{G = g})``, shape (n, groups)."""
    member = (cohort[:, None] == groups[None, :]) * weights[:, None]
    return np.asarray(member - member.mean(axis=0))


def cluster_sums(matrix: np.ndarray, cluster: np.ndarray | None) -> np.ndarray:
    """Sum the rows of ``matrix`` within clusters (no change when ``cluster`` is None)."""
    if cluster is None:
        return matrix
    n_clusters = int(cluster.max()) + 1
    return np.stack(
        [
            np.bincount(cluster, weights=matrix[:, j], minlength=n_clusters)
            for j in range(matrix.shape[1])
        ],
        axis=1,
    )


def bootstrap_draws(
    sums: np.ndarray, n: int, draws: int, seed: int, kind: str, chunk_bytes: int = 64 << 20
) -> np.ndarray:
    """Multiplier-bootstrap deviations ``U @ sums / n``, shape (draws, columns).

    Parameters
    ----------
    sums : numpy.ndarray, shape (clusters, columns)
        Influence functions summed by cluster.
    n : int
        Number of units.
    draws : int
        Number of bootstrap draws.
    seed : int
        Seed of the random weights (same seed, same draws).
    kind : {"mammen", "rademacher"}
        Distribution of the weights (mean 0, variance 1).
    chunk_bytes : int
        Memory bound of one block of weights.

    Returns
    -------
    numpy.ndarray
        One row per draw.

    Examples
    --------
    >>> d = bootstrap_draws(np.ones((4, 1)), 4, 3, seed=1, kind="rademacher")
    >>> d.shape, bool(np.all(np.isin(d, [-1, -0.5, 0, 0.5, 1])))
    ((3, 1), True)
    """
    bits = _UniformBits(np.random.default_rng(seed))
    n_clusters = sums.shape[0]
    low, high, p_high = _MAMMEN if kind == "mammen" else (-1.0, 1.0, 0.5)
    base = low * sums.sum(axis=0)
    below = _float32_threshold(p_high)
    step = min(draws, max(1, chunk_bytes // (12 * n_clusters)))
    pick = np.empty((step, n_clusters))
    out = np.empty((draws, sums.shape[1]))
    with one_blas_thread(2.0 * draws * sums.size):
        for start in range(0, draws, step):
            stop = min(draws, start + step)
            block = pick[: stop - start]
            # U = low + (high - low) * 1{u < p}: one product with the 0/1 indicators
            words = bits.take(block.size).reshape(block.shape)
            np.less(words, below, out=block, casting="unsafe")
            out[start:stop] = (base + (high - low) * (block @ sums)) / n
    return out


def _float32_threshold(p: float) -> np.uint32:
    """``t`` with ``u32 < t`` exactly when numpy's float32 uniform ``(u32 >> 8) / 2**24 < p``.

    ``Generator.random(dtype=float32)`` turns each 32-bit output ``u32`` of the bit generator
    into ``(u32 >> 8) * 2**-24`` and the comparison with the Python float ``p`` runs in float32,
    so the indicator is ``u32 >> 8 < ceil(float32(p) * 2**24)``.
    """
    return np.uint32(int(np.ceil(float(np.float32(p)) * 2**24)) << 8)


class _UniformBits:
    """The 32-bit outputs of a PCG64 generator in the order ``random(dtype=float32)`` uses them.

    numpy's ``next_uint32`` splits each 64-bit output into its low, then its high half; reading
    the raw 64-bit stream and viewing it as little-endian 32-bit words gives the same sequence
    without converting to floats (the spare half carries over between calls).
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self._bitgen = rng.bit_generator
        self._spare: np.ndarray = np.empty(0, dtype=np.uint32)

    def take(self, count: int) -> np.ndarray:
        need = count - self._spare.size
        raw = np.asarray(self._bitgen.random_raw((need + 1) // 2), dtype="<u8").view("<u4")
        words = np.concatenate([self._spare, raw]) if self._spare.size else raw
        self._spare = words[count:].copy()
        return words[:count]


def draw_summary(draws: np.ndarray, level: float) -> tuple[np.ndarray, float]:
    """Bootstrap standard errors (interquartile range / 1.349) and the sup-t critical value.

    As R ``did::mboot``: quantiles of type 1, columns with (almost) no variation left out of
    the sup-t statistic and given a NaN standard error.

    Returns
    -------
    tuple of (numpy.ndarray, float)
        Standard errors, shape (columns,), and the ``level`` quantile of ``max |draw / se|``.
    """
    q75 = np.quantile(draws, 0.75, axis=0, method="inverted_cdf")
    q25 = np.quantile(draws, 0.25, axis=0, method="inverted_cdf")
    se = (q75 - q25) / _IQR_Z
    live = np.isfinite(se) & (se > 0)
    se = np.where(live, se, np.nan)
    if not live.any():
        return se, float("nan")
    sup = np.max(np.abs(draws[:, live] / se[live]), axis=1)
    return se, float(np.quantile(sup, level, method="inverted_cdf"))


@dataclass(frozen=True, eq=False)
class AggregateMap:
    """Linear maps from the cells (and cohort shares) to aggregate effects.

    Attributes
    ----------
    labels : numpy.ndarray, shape (r,)
        Event time, cohort or period of each row (NaN for the overall row of ``simple``).
    cells : numpy.ndarray, shape (cells, r)
        Weight of each ATT(g,t) in each row.
    shares : numpy.ndarray, shape (groups, r)
        Coefficient of each cohort share's influence function (the weights' estimation).
    overall : numpy.ndarray, shape (cells + groups,)
        The overall summary as a map on the extended matrix.
    """

    labels: np.ndarray
    cells: np.ndarray
    shares: np.ndarray
    overall: np.ndarray

    @property
    def rows(self) -> np.ndarray:
        """The maps of the rows on the extended matrix, shape (cells + groups, r)."""
        return np.vstack([self.cells, self.shares])


def _weighted(
    keep: np.ndarray, cohort_of_cell: np.ndarray, att: np.ndarray, p: np.ndarray, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Share-weighted average of the kept cells: cell weights and the share-IF coefficients."""
    pk = p[np.searchsorted(groups, cohort_of_cell)] * keep
    total = pk.sum()
    a = pk / total
    member = (cohort_of_cell[:, None] == groups[None, :]) & keep[:, None]
    b = member.T @ (att * keep) / total - member.sum(axis=0) * (att @ pk) / total**2
    return a, b


def aggregate_map(
    kind: str,
    cohort: np.ndarray,
    time: np.ndarray,
    att: np.ndarray,
    groups: np.ndarray,
    p: np.ndarray,
    *,
    min_e: float = -np.inf,
    max_e: float = np.inf,
    balance_e: int | None = None,
) -> AggregateMap:
    """Build the maps of R ``did::aggte`` for ``kind`` = simple, group, calendar or dynamic.

    Parameters
    ----------
    kind : {"simple", "group", "calendar", "dynamic"}
        The aggregation.
    cohort, time, att : numpy.ndarray, shape (cells,)
        Cohort, period and estimate of each ATT(g,t).
    groups : numpy.ndarray, shape (groups,)
        The cohorts, increasing.
    p : numpy.ndarray, shape (groups,)
        Their shares ``mean(w * 1{G = g})``.
    min_e, max_e, balance_e : optional
        Event-time window and balancing, as in R ``aggte``.

    Returns
    -------
    AggregateMap
    """
    n_cells, n_groups = len(att), len(groups)
    e = time - cohort
    columns: list[tuple[float, np.ndarray, np.ndarray]] = []
    if kind == "simple":
        a, b = _weighted((cohort <= time) & (e <= max_e), cohort, att, p, groups)
        overall = np.concatenate([a, b])
        return AggregateMap(np.array([np.nan]), a[:, None], b[:, None], overall)
    if kind == "group":
        valid = []
        for j, g in enumerate(groups):
            keep = (cohort == g) & (g <= time) & (e <= max_e)
            if keep.any():
                columns.append((g, keep / keep.sum(), np.zeros(n_groups)))
                valid.append(j)
        cells_g = np.stack([c[1] for c in columns], axis=1)
        theta = att @ cells_g
        pv = p[valid]
        total = pv.sum()
        b = np.zeros(n_groups)
        b[valid] = theta / total - (theta @ pv) / total**2
        overall = np.concatenate([cells_g @ (pv / total), b])
    elif kind == "calendar":
        for t in np.unique(time[time >= cohort.min()]):
            keep = (time == t) & (cohort <= t)
            if keep.any():
                columns.append((t, *_weighted(keep, cohort, att, p, groups)))
    else:  # dynamic
        include = np.ones(n_cells, dtype=bool)
        window = np.unique(e)
        if balance_e is not None:
            include = (time.max() - cohort) >= balance_e
            window = np.unique(e[include])
            window = window[(window <= balance_e) & (window >= balance_e - time.max() + time.min())]
        for k in window[(window >= min_e) & (window <= max_e)]:
            keep = (e == k) & include
            columns.append((k, *_weighted(keep, cohort, att, p, groups)))
    labels = np.array([c[0] for c in columns], dtype=float)
    cells = np.stack([c[1] for c in columns], axis=1).reshape(n_cells, len(columns))
    shares = np.stack([c[2] for c in columns], axis=1).reshape(n_groups, len(columns))
    if kind != "group":
        use = labels >= 0 if kind == "dynamic" else np.ones(len(labels), dtype=bool)
        rows = np.vstack([cells, shares])[:, use]
        overall = rows.mean(axis=1) if use.any() else np.full(n_cells + n_groups, np.nan)
    return AggregateMap(labels, cells, shares, overall)
