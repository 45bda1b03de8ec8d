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

from pilotdid.estimation.fixef import FixedEffects

__all__ = [
    "ClusterCodes",
    "VcovResult",
    "cluster_meat",
    "compute_vcov",
    "fe_dof",
    "hetero_meat",
    "sandwich",
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
    return summed.T @ summed


def sandwich(bread: np.ndarray, meat: np.ndarray) -> np.ndarray:
    """Return ``bread @ meat @ bread``, symmetrised against rounding."""
    out = bread @ meat @ bread
    return (out + out.T) / 2


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
        if any(_is_nested(code, c) for c in _all_cluster_codes(clusters))
    ]
    nested_levels = sum(fe.n_levels[j] for j in nested)
    return total, total - nested_levels + len(nested)


def _all_cluster_codes(clusters: ClusterCodes) -> list[np.ndarray]:
    codes = list(clusters.codes)
    if len(codes) == 2:  # two-way clustering also needs the intersection of the two
        joint = codes[0] * (int(codes[1].max()) + 1) + codes[1]
        codes.append(np.unique(joint, return_inverse=True)[1].astype(np.int64))
    return codes


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
    k = bread.shape[0]
    k_fe_all, k_fe_unnested = fe_dof(fe, clusters if kind == "CRV1" else None)
    if kind == "iid":
        df_k = k + k_fe_all
        return VcovResult(bread * (ssr / (n_obs - df_k)), n_obs - df_k, df_k, ())
    if kind == "hetero":
        df_k = k + k_fe_all
        matrix = sandwich(bread, hetero_meat(x, we)) * (n_obs / (n_obs - df_k))
        return VcovResult(matrix, n_obs - df_k, df_k, ())
    if clusters is None:
        raise ValueError("CRV1 needs cluster codes")
    df_k = k + k_fe_unnested
    codes = _all_cluster_codes(clusters)
    levels = [int(c.max()) + 1 for c in codes]
    g_min = min(levels)
    adj = g_min / (g_min - 1) * (n_obs - 1) / (n_obs - df_k)
    signs = [1.0, 1.0, -1.0][: len(codes)]
    meat = np.zeros_like(bread)
    for sign, code, g in zip(signs, codes, levels, strict=True):
        meat += sign * cluster_meat(x, we, code, g)
    return VcovResult(sandwich(bread, meat) * adj, g_min - 1, df_k, clusters.n_levels)
