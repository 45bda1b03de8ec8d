"""Nearest-neighbour matching on the Mahalanobis distance of the covariates.

The covariance is the pooled within-group covariance ``(S0 + S1) / (n - 2)`` (psmatch2 and
MatchIt both pool the groups). With ``S^-1 = L^-T L^-1`` the distance is Euclidean in the whitened
covariates ``z = L^-1 x``, so an exact k-d tree search (scipy ``cKDTree``) finds the neighbours
in O(n log n).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import cholesky, solve_triangular
from scipy.spatial import cKDTree

from pilotdid.errors import MatchingError
from pilotdid.matching.nearest import Matches, from_pairs

__all__ = ["mahalanobis_match", "whiten"]


def whiten(
    X_t: np.ndarray, X_c: np.ndarray, covariance: str = "pooled"
) -> tuple[np.ndarray, np.ndarray]:
    """Whitened covariates of treated and controls under a covariance of the covariates.

    Parameters
    ----------
    X_t : numpy.ndarray, shape (n_t, p)
    X_c : numpy.ndarray, shape (n_c, p)
    covariance : {"pooled", "sample"}
        ``"pooled"``: the within-group covariance ``(S0 + S1) / (n - 2)`` (psmatch2, MatchIt);
        ``"sample"``: the covariance of the whole sample (Stata ``teffects nnmatch``'s
        default ``metric(mahalanobis)``).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``Z_t`` (n_t, p) and ``Z_c`` (n_c, p) with ``||z_i - z_j||`` the Mahalanobis distance.
    """
    n = len(X_t) + len(X_c)
    if covariance == "sample":
        S = np.atleast_2d(np.cov(np.vstack([X_t, X_c]), rowvar=False))
    else:
        dev_t = X_t - X_t.mean(axis=0)
        dev_c = X_c - X_c.mean(axis=0)
        S = (dev_t.T @ dev_t + dev_c.T @ dev_c) / (n - 2)
    try:
        L = cholesky(S, lower=True)
    except np.linalg.LinAlgError as exc:
        raise MatchingError(
            "Mahalanobis matching: the covariates are collinear within groups; drop one."
        ) from exc
    return solve_triangular(L, X_t.T, lower=True).T, solve_triangular(L, X_c.T, lower=True).T


def _without_replacement(
    tree: cKDTree, Z_t: np.ndarray, k: int, caliper: float, order: np.ndarray
) -> tuple[list[int], list[int], list[float]]:
    used = np.zeros(tree.n, dtype=bool)
    t_out: list[int] = []
    c_out: list[int] = []
    d_out: list[float] = []
    for _round in range(k):
        for i in order.tolist():
            q = 1
            while True:  # ask for more neighbours until an unused one turns up
                d, j = tree.query(Z_t[i], k=min(q, tree.n), distance_upper_bound=caliper)
                d, j = np.atleast_1d(d), np.atleast_1d(j)
                free = np.flatnonzero((j < tree.n) & ~used[np.minimum(j, tree.n - 1)])
                if free.size or q >= tree.n or not np.isfinite(d[-1]):
                    break
                q *= 4
            if free.size:
                c = int(j[free[0]])
                used[c] = True
                t_out.append(i)
                c_out.append(c)
                d_out.append(float(d[free[0]]))
    return t_out, c_out, d_out


def mahalanobis_match(
    X_t: np.ndarray,
    X_c: np.ndarray,
    k: int = 1,
    replace: bool = True,
    caliper: float = np.inf,
    order: np.ndarray | None = None,
) -> Matches:
    """k-nearest-neighbour matching on the Mahalanobis distance.

    Parameters
    ----------
    X_t : numpy.ndarray, shape (n_t, p)
        Covariates of the treated units.
    X_c : numpy.ndarray, shape (n_c, p)
        Covariates of the controls.
    k : int, default 1
        Number of neighbours.
    replace : bool, default True
        Whether a control may serve several treated units.
    caliper : float, default inf
        Largest allowed Mahalanobis distance (inclusive).
    order : numpy.ndarray of int, optional
        Processing order of treated units without replacement (default: data order).

    Returns
    -------
    Matches

    Examples
    --------
    >>> Xt = np.array([[0.0, 0.0]]); Xc = np.array([[3.0, 1.0], [0.1, 0.2], [-1.0, 2.0]])
    >>> mahalanobis_match(Xt, Xc).control.tolist()
    [1]
    """
    Z_t, Z_c = whiten(np.asarray(X_t, float), np.asarray(X_c, float))
    tree = cKDTree(Z_c)
    n_t = len(Z_t)
    # cKDTree's bound is strict; nudging it up one ulp keeps distances equal to the caliper
    bound = np.nextafter(caliper, np.inf) if np.isfinite(caliper) else np.inf
    if replace:
        kk = min(k, tree.n)
        d, j = tree.query(Z_t, k=kk, distance_upper_bound=bound)
        d, j = d.reshape(n_t, kk), j.reshape(n_t, kk)
        ok = j < tree.n
        t = np.repeat(np.arange(n_t), kk).reshape(n_t, kk)
        return from_pairs(t[ok], j[ok], d[ok], n_t)
    order = np.arange(n_t) if order is None else order
    t_out, c_out, d_out = _without_replacement(tree, Z_t, k, bound, order)
    return from_pairs(
        np.asarray(t_out, np.int64), np.asarray(c_out, np.int64), np.asarray(d_out), n_t
    )
