r"""Wild cluster bootstrap (WCR/WCU) with all draws as matrix products over cluster-level scores.

The engine follows the "fast and wild" algorithm of Roodman, MacKinnon, Nielsen & Webb (2019),
as in Stata's ``boottest`` and R's ``fwildclusterboot``:

* **FWL.** The bootstrap runs on the model with the fixed effects projected out (the demeaned
  :math:`\tilde X` a fit keeps): :math:`\hat\beta^*` is the same as in the dummy-variable model,
  and when the fixed effects are nested within the bootstrap clusters so are the bootstrap
  residuals' cluster scores. With fixed effects that cross the clusters (year effects under
  clustering by unit) this is the bootstrap of the demeaned model, as ``boottest`` and
  ``fwildclusterboot`` partial out the fixed effects before bootstrapping.
* **Restricted fit in closed form.** For :math:`H_0: \beta_j = r` the restricted (WLS) estimate
  is :math:`\tilde\beta = \hat\beta - B e_j \delta / B_{jj}` with :math:`\delta = \hat\beta_j - r`,
  so the restricted residuals are :math:`u(\delta) = e + \delta z`, :math:`z = \tilde X B e_j /
  B_{jj}`: linear in the null.
* **Cluster-level pieces.** With :math:`\pi_i = e_j' B \tilde x_i`, the bootstrap numerator is
  :math:`\hat\beta^*_j - r = c' v` with :math:`c_g = \sum_{i \in g} \pi_i w_i u_i`, and the score
  of variance cluster :math:`h` is :math:`d_h = (C v)_h - p_h' B S' v`, with :math:`C_{hg} =
  \sum_{i\in h\cap g}\pi_i w_i u_i` (diagonal when the variance and bootstrap clusters coincide),
  :math:`p_h = \sum_{i\in h} w_i \pi_i \tilde x_i` and :math:`S_g = \sum_{i\in g} w_i u_i
  \tilde x_i`. Everything is :math:`O(nk)` bincounts; the draws are then products of
  :math:`G \times B` weight blocks with these small matrices, chunked over draws so that memory
  stays bounded (about :math:`2^{22}` weights per block), with no loop over draws and no refit.
* **Test inversion.** Because :math:`u` is linear in :math:`\delta`, each draw keeps five numbers
  (numerator and squared-score sums as polynomials in :math:`\delta`), and the p-value of any null
  value costs :math:`O(B)`. The confidence interval is found by bracketing outwards from the
  estimate and bisecting on the p-value (as ``fwildclusterboot`` does).

Two-way clustering: the t-statistic uses the two-way (Cameron–Gelbach–Miller) variance and the
bootstrap weights are drawn at the level of one cluster variable, by default the one with fewer
clusters (``boottest``'s ``bootcluster()`` option; MacKinnon, Nielsen & Webb 2021 find that
bootstrapping by the dimension with fewer clusters performs well). A draw whose two-way variance
is not positive counts as not more extreme. The small-sample factor of the CRV1 variance cancels
between the sample and the bootstrap statistics.

P-values are symmetric (two-sided): the share of draws with :math:`|t^*| > |t|`, as
``wildboottest`` and ``fwildclusterboot``'s ``"two-tailed"``; draws equal to :math:`|t|` up to
rounding are ties and do not count.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from pilotdid.errors import EstimationError, did_you_mean
from pilotdid.estimation.variance import FitState, cluster_codes
from pilotdid.estimation.vcov import cluster_terms, small_sample
from pilotdid.estimation.wild_result import BootstrapDraws, WildBootstrapResult
from pilotdid.options import WildWeights, validate_option

__all__ = ["WildSetup", "bootstrap_draws", "invert_pvalue", "weight_blocks", "wild_test"]

_BLOCK = 1 << 22  # weights (and scores) per block of draws: 32 MiB of float64
_WEBB = np.array([-1.0, -1.0, -1.0, 1.0, 1.0, 1.0]) * np.sqrt(np.array([3, 2, 1, 1, 2, 3]) / 2)
_SQ5 = np.sqrt(5.0)


@dataclass(frozen=True)
class WildSetup:
    r"""What the engine needs from a fit: the demeaned design and the cluster codes.

    Attributes
    ----------
    x : numpy.ndarray, shape (n, k)
        Regressors with the fixed effects projected out.
    we : numpy.ndarray, shape (n,)
        Weighted residuals :math:`w_i e_i` of the unrestricted fit.
    weights : numpy.ndarray or None
        Analytic weights.
    bread : numpy.ndarray, shape (k, k)
        :math:`(\\tilde X' W \\tilde X)^{-1}`.
    j : int
        Position of the tested coefficient.
    boot_codes : numpy.ndarray, shape (n,)
        Dense codes of the bootstrap clusters.
    n_boot : int
        Number of bootstrap clusters ``G``.
    terms : list of (sign, codes, levels)
        The variance's cluster terms (one-way: one; two-way: three, the intersection negative).
    """

    x: np.ndarray
    we: np.ndarray
    weights: np.ndarray | None
    bread: np.ndarray
    j: int
    boot_codes: np.ndarray
    n_boot: int
    terms: list[tuple[float, np.ndarray, int]]


def _sums(codes: np.ndarray, levels: int, values: np.ndarray) -> np.ndarray:
    """Cluster sums of each column of ``values`` (shape (levels, m))."""
    return np.column_stack(
        [np.bincount(codes, weights=values[:, c], minlength=levels) for c in range(values.shape[1])]
    )


def _cells(
    h_codes: np.ndarray, h_levels: int, g_codes: np.ndarray, g_levels: int, values: np.ndarray
) -> sp.csr_matrix:
    """Sparse ``H × G`` matrix of the sums of ``values`` over the cells ``h ∩ g``."""
    return sp.csr_matrix((values, (h_codes, g_codes)), shape=(h_levels, g_levels))


def weight_blocks(
    kind: str, n_clusters: int, n_draws: int, seed: int | None, enumerate_all: bool, block: int
) -> Iterator[np.ndarray]:
    r"""Yield the bootstrap weights in blocks of draws, each of shape ``(G, b)``.

    Parameters
    ----------
    kind : {"rademacher", "webb", "mammen", "norm"}
        Weight distribution: Rademacher ±1; Webb's six points ±√(1/2), ±1, ±√(3/2); Mammen's
        two points :math:`(1\\mp\\sqrt5)/2`; standard normal.
    n_clusters : int
        ``G``.
    n_draws : int
        ``B`` (``2**G`` under full enumeration).
    seed : int or None
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same draws.
    enumerate_all : bool
        Yield every sign vector of ``{-1, 1}^G`` (draw ``b`` has ``v_g = 1 - 2·bit_g(b)``).
    block : int
        Draws per block (fixed for a given ``G``, so results do not depend on memory).

    Yields
    ------
    numpy.ndarray, shape (G, b)

    Examples
    --------
    >>> blocks = list(weight_blocks("rademacher", 2, 4, None, True, 4))
    >>> blocks[0].astype(int).tolist()
    [[1, -1, 1, -1], [1, 1, -1, -1]]
    """
    rng = np.random.default_rng(seed)
    bits = np.arange(n_clusters, dtype=np.int64)
    for start in range(0, n_draws, block):
        b = min(block, n_draws - start)
        if enumerate_all:
            draw = np.arange(start, start + b, dtype=np.int64)
            yield 1.0 - 2.0 * ((draw[None, :] >> bits[:, None]) & 1)
        elif kind == "rademacher":
            signs = rng.integers(0, 2, size=(n_clusters, b), dtype=np.int8)
            signs *= 2
            signs -= 1
            yield signs.astype(np.float64)
        elif kind == "webb":
            yield _WEBB[rng.integers(0, 6, size=(n_clusters, b))]
        elif kind == "mammen":
            low = rng.random((n_clusters, b)) < (_SQ5 + 1) / (2 * _SQ5)
            yield np.where(low, (1 - _SQ5) / 2, (1 + _SQ5) / 2)
        else:
            yield rng.standard_normal((n_clusters, b))


def _block_size(setup: WildSetup) -> int:
    widest = max([setup.n_boot, *(levels for _, _, levels in setup.terms)])
    return max(1, _BLOCK // widest)


def bootstrap_draws(
    setup: WildSetup,
    impose_null: bool,
    blocks: Iterator[np.ndarray] | None = None,
    *,
    kind: str = "rademacher",
    n_draws: int = 0,
    seed: int | None = None,
    enumerate_all: bool = False,
) -> BootstrapDraws:
    """Compute the per-draw pieces of the bootstrap t-statistics (see the module notes).

    Parameters
    ----------
    setup : WildSetup
        Design, residuals and clusters.
    impose_null : bool
        Restricted (WCR, pieces as functions of the null) or unrestricted (WCU) bootstrap.
    blocks : iterator of numpy.ndarray, optional
        Weight blocks of shape ``(G, b)``; by default drawn by :func:`weight_blocks` from
        ``kind``, ``n_draws``, ``seed`` and ``enumerate_all``.
    kind, n_draws, seed, enumerate_all
        Passed to :func:`weight_blocks`.

    Returns
    -------
    BootstrapDraws
        Five numbers per draw and the sample's squared-score sum.
    """
    x, j, g_codes, n_g = setup.x, setup.j, setup.boot_codes, setup.n_boot
    w = np.ones(x.shape[0]) if setup.weights is None else setup.weights
    a = setup.bread[j]
    pi = x @ a
    pw = pi * w
    # u(δ) = e + δ z;  w·u = we + δ·w·z,  w·z = pw / B_jj
    wu = np.column_stack([setup.we, pw / setup.bread[j, j] if impose_null else np.zeros_like(pw)])
    s_parts = [_sums(g_codes, n_g, x * wu[:, [m]]) for m in range(2)]  # S0, S1: (G, k)
    t_parts = [setup.bread @ s.T for s in s_parts]  # (k, G)
    c_parts = [np.bincount(g_codes, weights=pi * wu[:, m], minlength=n_g) for m in range(2)]
    terms = []
    q_hat = 0.0
    for sign, h_codes, n_h in setup.terms:
        p = _sums(h_codes, n_h, x * pw[:, None])  # (H, k)
        same = h_codes is g_codes or np.array_equal(h_codes, g_codes)
        cells = (
            None if same else [_cells(h_codes, n_h, g_codes, n_g, pi * wu[:, m]) for m in (0, 1)]
        )
        terms.append((sign, p, cells))
        q_hat += sign * float(
            np.sum(np.bincount(h_codes, weights=pi * setup.we, minlength=n_h) ** 2)
        )
    k = x.shape[1]
    c0, c1 = c_parts
    # one matrix product per block: numerators, B S'v (both parts) and, for variance terms whose
    # clusters are the bootstrap clusters (C diagonal), sum_h c_h v_h p_h, so that
    # sum_h (c_h v_h - p_h't)^2 = sum_h c_h^2 v_h^2 - 2 t'(sum_h c_h v_h p_h) + t'(P'P)t
    rows = [c0[None, :], c1[None, :], t_parts[0], t_parts[1]]
    diagonal: list[tuple[float, np.ndarray, int]] = []
    for sign, p, cells in terms:
        if cells is None:
            diagonal.append((sign, p.T @ p, 2 + 2 * k + 2 * k * len(diagonal)))
            rows += [(c0[:, None] * p).T, (c1[:, None] * p).T]
    lin = np.vstack(rows)
    squares = np.vstack([c0 * c0, c0 * c1, c1 * c1])
    unit_weights = blocks is None and (enumerate_all or kind == "rademacher")  # v² = 1
    if blocks is None:
        blocks = weight_blocks(kind, n_g, n_draws, seed, enumerate_all, _block_size(setup))
    out: list[list[np.ndarray]] = [[] for _ in range(5)]
    for v in blocks:
        z = (v.T @ lin.T).T  # this orientation is several times faster in OpenBLAS
        t0, t1 = z[2 : 2 + k], z[2 + k : 2 + 2 * k]
        s = squares.sum(axis=1)[:, None] if unit_weights else ((v * v).T @ squares.T).T
        q00 = np.zeros(v.shape[1])
        q01, q11 = np.zeros_like(q00), np.zeros_like(q00)
        for sign, gram, off in diagonal:
            f0, f1 = z[off : off + k], z[off + k : off + 2 * k]
            pt0, pt1 = gram @ t0, gram @ t1
            q00 += sign * (s[0] - 2 * np.sum(t0 * f0, axis=0) + np.sum(t0 * pt0, axis=0))
            q01 += sign * (s[1] - np.sum(t1 * f0 + t0 * f1, axis=0) + np.sum(t0 * pt1, axis=0))
            q11 += sign * (s[2] - 2 * np.sum(t1 * f1, axis=0) + np.sum(t1 * pt1, axis=0))
        for sign, p, cells in terms:
            if cells is None:
                continue
            d0 = cells[0] @ v - p @ t0
            q00 += sign * np.einsum("hb,hb->b", d0, d0)
            if impose_null:
                d1 = cells[1] @ v - p @ t1
                q01 += sign * np.einsum("hb,hb->b", d0, d1)
                q11 += sign * np.einsum("hb,hb->b", d1, d1)
        for store, part in zip(out, (z[0], z[1], q00, q01, q11), strict=True):
            store.append(part)
    n0_all, n1_all, q00_all, q01_all, q11_all = (np.concatenate(parts) for parts in out)
    return BootstrapDraws(n0_all, n1_all, q00_all, q01_all, q11_all, q_hat)


def invert_pvalue(draws: BootstrapDraws, se: float, alpha: float) -> tuple[float, float]:
    r"""Bounds of :math:`\{\delta : p(\delta) \ge \alpha\}` around :math:`\delta = 0`.

    Brackets outwards from the estimate (:math:`\delta = 0`, where :math:`p = 1`) in steps that
    double from one standard error until the p-value falls below ``alpha``, then bisects to
    machine precision. Returns ``(delta_low, delta_high)``; a side where the p-value stays above
    ``alpha`` up to :math:`2^{40}` standard errors is infinite.

    Parameters
    ----------
    draws : BootstrapDraws
        The per-draw pieces.
    se : float
        Standard error used to scale the search.
    alpha : float
        ``1 - level``.

    Returns
    -------
    tuple of float
        The interval in :math:`\delta = \hat\beta - r` (``r = estimate - delta``).
    """
    bounds = []
    for direction in (-1.0, 1.0):
        inside, step = 0.0, se
        outside = None
        for _ in range(41):
            trial = direction * step
            if draws.pvalue(trial) < alpha:
                outside = trial
                break
            inside, step = trial, 2 * step
        if outside is None:
            bounds.append(direction * np.inf)
            continue
        for _ in range(200):
            mid = (inside + outside) / 2
            if mid in (inside, outside):
                break
            if draws.pvalue(mid) < alpha:
                outside = mid
            else:
                inside = mid
        bounds.append((inside + outside) / 2)
    return bounds[0], bounds[1]


def wild_test(
    state: FitState,
    names: tuple[str, ...],
    coef: np.ndarray,
    fml: str,
    *,
    param: str,
    cluster: tuple[str, ...],
    bootcluster: str | None,
    B: int,
    weights: str,
    impose_null: bool,
    seed: int | None,
    level: float,
    null: float,
) -> WildBootstrapResult:
    """Run the wild cluster bootstrap of ``H0: coef[param] = null`` (``FeolsResult.wild_bootstrap``).

    See :meth:`pilotdid.estimation.result.FeolsResult.wild_bootstrap` for the parameters.
    """
    from scipy import stats

    validate_option(weights, WildWeights, "weights", EstimationError)
    if param not in names:
        raise EstimationError(
            f"wild_bootstrap: {param!r} is not a coefficient of {fml!r}{did_you_mean(param, names)}"
        )
    if isinstance(B, bool) or not isinstance(B, int | np.integer) or B < 1:
        raise EstimationError(f"wild_bootstrap: B must be a positive integer, got {B!r}")
    if not 0 < level < 1:
        raise EstimationError(
            f"wild_bootstrap: level must lie strictly between 0 and 1, got {level}"
        )
    clusters = cluster_codes(state.data, cluster, state.rows, fml, state.fe)
    if bootcluster is None:
        position = int(np.argmin(clusters.n_levels))
    elif bootcluster in cluster:
        position = cluster.index(bootcluster)
    else:
        raise EstimationError(
            f"wild_bootstrap: bootcluster={bootcluster!r} must be one of the cluster variables "
            f"{', '.join(cluster)}"
        )
    n_boot = clusters.n_levels[position]
    enumerate_all = weights == "rademacher" and n_boot < 63 and 2**n_boot <= B
    n_draws = 2**n_boot if enumerate_all else int(B)
    j = names.index(param)
    setup = WildSetup(
        state.x,
        state.we,
        state.weights,
        state.bread,
        j,
        clusters.codes[position],
        n_boot,
        cluster_terms(clusters),
    )
    draws = bootstrap_draws(
        setup, impose_null, kind=weights, n_draws=n_draws, seed=seed, enumerate_all=enumerate_all
    )
    factor, df_t, _ = small_sample("CRV1", state.x.shape[0], len(names), state.fe, clusters)
    if draws.q_hat <= 0:
        raise EstimationError(
            f"wild_bootstrap: the clustered variance of {param!r} is not positive; "
            "check the clustering (two-way variances can be negative)"
        )
    se = float(np.sqrt(factor * draws.q_hat))
    estimate = float(coef[j])
    delta = estimate - float(null)
    low, high = invert_pvalue(draws, se, 1 - level)
    t_stat = delta / se
    return WildBootstrapResult(
        param=param,
        null=float(null),
        estimate=estimate,
        std_error=se,
        t_stat=t_stat,
        p_value=draws.pvalue(delta),
        conf_low=estimate - high,
        conf_high=estimate - low,
        level=level,
        p_value_crv1=float(2 * stats.t.sf(abs(t_stat), df_t)),
        B=n_draws,
        full_enumeration=enumerate_all,
        weights=weights,
        impose_null=impose_null,
        cluster=cluster,
        bootcluster=cluster[position],
        n_clusters=n_boot,
        seed=seed,
        _draws=draws,
    )
