r"""Sandwich variance estimators with fixest's default small-sample corrections.

The sandwich is split into its parts: :func:`hetero_meat` and :func:`cluster_meat` build the meat
from the scores :math:`s_i = w_i e_i \tilde x_i` (never materialised as an ``n × k`` array),
:func:`sandwich` wraps it in the bread :math:`(\tilde X' W \tilde X)^{-1}`, and
:func:`compute_vcov` applies the small-sample correction.

Conventions (fixest ``ssc(adj = TRUE, fixef.K = "nested", cluster.adj = TRUE, cluster.df = "min")``,
which are also pyfixest's defaults):

* ``iid``: :math:`\hat\sigma^2 = \sum w e^2 / (n - K)`, :math:`K = k + \sum_j G_j - (J - 1)` counts
  every fixed effect (one reference level per factor after the first);
* ``hetero`` (HC1): factor :math:`n / (n - K)`;
* ``CRV1``: factor :math:`\frac{G}{G-1}\,\frac{n-1}{n-K}` where fixed effects nested in a cluster
  variable are not counted in :math:`K` (each fully nested factor keeps one parameter);
  two-way clustering adds the two one-way meats and subtracts the intersection meat, all with the
  smallest :math:`G`;
* t-tests use :math:`n - K` degrees of freedom, or :math:`G - 1` under clustering.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pilotdid.estimation.blas import one_blas_thread
from pilotdid.estimation.fixef import FixedEffects

__all__ = [
    "ClusterCodes",
    "VcovResult",
    "cluster_factor",
    "cluster_meat",
    "cluster_terms",
    "compute_vcov",
    "fe_dof",
    "hetero_meat",
    "sandwich",
    "small_sample",
]


@dataclass(frozen=True)
class ClusterCodes:
    """Integer-coded cluster variables of one estimation sample.

    Attributes
    ----------
    names : tuple of str
        One name (one-way) or two names (two-way clustering).
    codes : tuple of numpy.ndarray
        Dense integer codes of shape ``(n,)`` per cluster variable.
    n_levels : tuple of int
        Number of clusters per variable.
    """

    names: tuple[str, ...]
    codes: tuple[np.ndarray, ...]
    n_levels: tuple[int, ...]


@dataclass(frozen=True)
class VcovResult:
    """A variance matrix with the numbers that describe how it was made.

    Attributes
    ----------
    matrix : numpy.ndarray, shape (k, k)
        The variance-covariance matrix of the coefficients.
    df_t : float
        Degrees of freedom of the t-distribution for tests and intervals.
    df_k : int
        Number of parameters ``K`` used in the small-sample correction.
    n_clusters : tuple of int
        Clusters per cluster variable (empty without clustering).
    """

    matrix: np.ndarray
    df_t: float
    df_k: int
    n_clusters: tuple[int, ...]


def hetero_meat(x: np.ndarray, we: np.ndarray) -> np.ndarray:
    r"""Heteroskedasticity-robust meat :math:`\sum_i s_i s_i'` with scores :math:`s_i = w_i e_i x_i`.

    Parameters
    ----------
    x : numpy.ndarray, shape (n, k)
        Demeaned regressors.
    we : numpy.ndarray, shape (n,)
        Weighted residuals :math:`w_i e_i`.

    Returns
    -------
    numpy.ndarray, shape (k, k)
    """
    we2 = we * we
    k = x.shape[1]
    meat = np.empty((k, k))
    scratch = np.empty(x.shape[0])
    for i in range(k):  # column by column: no n × k temporary for large panels
        meat[i, :] = np.multiply(x[:, i], we2, out=scratch) @ x
    return meat


def cluster_meat(x: np.ndarray, we: np.ndarray, codes: np.ndarray, n_levels: int) -> np.ndarray:
    r"""Cluster-robust meat :math:`\sum_g S_g S_g'` with :math:`S_g = \sum_{i \in g} w_i e_i x_i`.

    Parameters
    ----------
    x : numpy.ndarray, shape (n, k)
        Demeaned regressors.
    we : numpy.ndarray, shape (n,)
        Weighted residuals.
    codes : numpy.ndarray, shape (n,)
        Dense cluster codes.
    n_levels : int
        Number of clusters.

    Returns
    -------
    numpy.ndarray, shape (k, k)
    """
    summed = np.empty((n_levels, x.shape[1]))
    scratch = np.empty(x.shape[0])  # reused across columns: no fresh n-sized temporaries
    for col in range(x.shape[1]):
        np.multiply(x[:, col], we, out=scratch)
        summed[:, col] = np.bincount(codes, weights=scratch, minlength=n_levels)
    with one_blas_thread(float(n_levels) * x.shape[1] ** 2):
        return summed.T @ summed


def sandwich(bread: np.ndarray, meat: np.ndarray) -> np.ndarray:
    """Return ``bread @ meat @ bread``, symmetrised against rounding."""
    out = bread @ meat @ bread
    return np.asarray((out + out.T) / 2)


def fe_dof(fe: FixedEffects | None, clusters: ClusterCodes | None = None) -> tuple[int, int]:
    """Fixed-effect parameters counted in ``K``: all of them, and with cluster-nested ones removed.

    Parameters
    ----------
    fe : FixedEffects or None
        The absorbed factors.
    clusters : ClusterCodes, optional
        Cluster variables; a factor whose every level lies in a single cluster is nested.

    Returns
    -------
    tuple of int
        ``(k_fe_all, k_fe_not_nested)``.
    """
    if fe is None or not fe.codes:
        return 0, 0
    total = sum(fe.n_levels) - (len(fe.n_levels) - 1)
    if clusters is None:
        return total, total
    nested = [
        j
        for j, code in enumerate(fe.codes)
        if any(_is_nested(code, c) for _, c, _ in cluster_terms(clusters))
    ]
    nested_levels = sum(fe.n_levels[j] for j in nested)
    return total, total - nested_levels + len(nested)


def cluster_terms(clusters: ClusterCodes) -> list[tuple[float, np.ndarray, int]]:
    """List the meat terms as ``(sign, codes, levels)``.

    One-way clustering has one term; two-way has both ways plus their intersection with a minus
    sign (Cameron, Gelbach and Miller).
    """
    terms = [(1.0, c, g) for c, g in zip(clusters.codes, clusters.n_levels, strict=True)]
    if len(terms) == 2:
        joint = clusters.codes[0] * clusters.n_levels[1] + clusters.codes[1]
        code = np.unique(joint, return_inverse=True)[1].astype(np.int64)
        terms.append((-1.0, code, int(code.max()) + 1))
    return terms


def small_sample(
    kind: str, n_obs: int, k: int, fe: FixedEffects | None, clusters: ClusterCodes | None
) -> tuple[float, float, int]:
    """Return the correction factor, the t degrees of freedom and ``K`` (fixest's defaults).

    Parameters
    ----------
    kind : {"iid", "hetero", "CRV1"}
        Variance estimator.
    n_obs : int
        Observations ``n``.
    k : int
        Estimated slopes (after collinear columns are removed).
    fe : FixedEffects or None
        Absorbed factors.
    clusters : ClusterCodes, optional
        Required for ``"CRV1"``.

    Returns
    -------
    tuple
        ``(factor, df_t, K)``: iid multiplies ``SSR / (n - K)`` by ``factor = 1``; HC1 uses
        ``n / (n - K)``; CRV1 ``G/(G-1) (n-1)/(n-K)`` with nested fixed effects left out of ``K``
        and the smallest ``G`` of two-way clustering.
    """
    k_fe_all, k_fe_unnested = fe_dof(fe, clusters if kind == "CRV1" else None)
    if kind == "iid":
        return 1.0, n_obs - k - k_fe_all, k + k_fe_all
    if kind == "hetero":
        df_k = k + k_fe_all
        return n_obs / (n_obs - df_k), n_obs - df_k, df_k
    if clusters is None:
        raise ValueError("CRV1 needs cluster codes")
    df_k = k + k_fe_unnested
    g_min = min(clusters.n_levels)  # the intersection of two-way clusters is never smaller
    return cluster_factor(g_min, n_obs, df_k), g_min - 1, df_k


def cluster_factor(n_clusters: int, n_obs: int, df_k: int) -> float:
    """Return fixest's CRV1 small-sample factor ``G/(G-1) · (n-1)/(n-K)``."""
    return n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - df_k)


def _is_nested(fe_code: np.ndarray, cluster_code: np.ndarray) -> bool:
    """Check that each fixed-effect level maps to exactly one cluster."""
    seen = np.empty(int(fe_code.max()) + 1, dtype=cluster_code.dtype)
    seen[fe_code] = cluster_code  # any one cluster per level; nested iff all rows agree with it
    return bool(np.array_equal(seen[fe_code], cluster_code))


def compute_vcov(
    kind: str,
    bread: np.ndarray,
    x: np.ndarray,
    we: np.ndarray,
    ssr: float,
    n_obs: int,
    fe: FixedEffects | None,
    clusters: ClusterCodes | None = None,
) -> VcovResult:
    r"""Variance matrix of the coefficients under fixest's default small-sample rules.

    Parameters
    ----------
    kind : {"iid", "hetero", "CRV1"}
        Variance estimator.
    bread : numpy.ndarray, shape (k, k)
        :math:`(\tilde X' W \tilde X)^{-1}`.
    x : numpy.ndarray, shape (n, k)
        Demeaned regressors :math:`\tilde x_i`.
    we : numpy.ndarray, shape (n,)
        Weighted residuals :math:`w_i e_i`.
    ssr : float
        Weighted sum of squared residuals.
    n_obs : int
        Number of observations ``n``.
    fe : FixedEffects or None
        Absorbed factors (for the degrees of freedom).
    clusters : ClusterCodes, optional
        Required for ``"CRV1"``.

    Returns
    -------
    VcovResult
        The matrix and its degrees of freedom.
    """
    factor, df_t, df_k = small_sample(kind, n_obs, bread.shape[0], fe, clusters)
    if kind == "iid":
        return VcovResult(bread * (ssr / (n_obs - df_k)), df_t, df_k, ())
    if kind == "hetero":
        return VcovResult(sandwich(bread, hetero_meat(x, we)) * factor, df_t, df_k, ())
    if clusters is None:
        raise ValueError("CRV1 needs cluster codes")
    meat = np.zeros_like(bread)
    for sign, code, levels in cluster_terms(clusters):
        meat += sign * cluster_meat(x, we, code, levels)
    return VcovResult(sandwich(bread, meat) * factor, df_t, df_k, clusters.n_levels)
