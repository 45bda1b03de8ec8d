"""Nearest-neighbour sets with ties, for the inference of matching estimators.

The matching of :func:`pilotdid.match` (treated units to controls) is reused as it is; the
variance estimators also need controls matched to treated units (ATE, ATC, the Abadie-Imbens
2016 correction) and units matched to units of their *own* arm (the conditional variances).
:func:`neighbour_sets` finds those with a k-d tree, vectorised over the query units: it asks for
a few more neighbours than needed and asks again, with more, only for the units whose tie set
may go on past the neighbours returned.

Ties. With ``tolerance = 0`` a pool unit is tied with the k-th nearest when its distance is
*exactly* the k-th distance (psmatch2's ``ties``); with ``tolerance > 0`` when its squared
distance is at most the k-th squared distance plus ``tolerance`` (R ``Matching``'s
``distance.tolerance``, whose distances are squared distances in standardised units). Without
ties, equal distances are broken by the lower pool position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

__all__ = ["NeighbourSets", "neighbour_sets"]


@dataclass(frozen=True)
class NeighbourSets:
    """Matched sets as flat arrays, sorted by query unit.

    Attributes
    ----------
    query, pool : numpy.ndarray of int, shape (m,)
        Position of the query unit (in the query array) and of its match (in the pool array).
    weight : numpy.ndarray, shape (m,)
        ``1 / size`` of the query unit's set.
    distance : numpy.ndarray, shape (m,)
        Distance of the pair in the search metric.
    n_query : int
        Number of query units (those without any match have no rows).
    """

    query: np.ndarray
    pool: np.ndarray
    weight: np.ndarray
    distance: np.ndarray
    n_query: int

    @property
    def sizes(self) -> np.ndarray:
        """Number of matches of each query unit, shape (n_query,)."""
        return np.bincount(self.query, minlength=self.n_query)


def _query_round(
    tree: cKDTree, Zq: np.ndarray, kk: int, self_pos: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    d, j = tree.query(Zq, k=kk)
    d = np.asarray(d, dtype=float).reshape(len(Zq), kk)
    j = np.asarray(j, dtype=np.int64).reshape(len(Zq), kk)
    if self_pos is not None:  # a unit is never its own neighbour
        d = np.where(j == self_pos[:, None], np.inf, d)
        order = np.argsort(d, axis=1, kind="stable")
        d = np.take_along_axis(d, order, axis=1)
        j = np.take_along_axis(j, order, axis=1)
    return d, j


def neighbour_sets(
    Zq: np.ndarray,
    Zp: np.ndarray,
    k: int,
    *,
    ties: bool = True,
    tolerance: float = 0.0,
    self_pos: np.ndarray | None = None,
    caliper: float = np.inf,
) -> NeighbourSets:
    """Find the k nearest pool units of every query unit (Euclidean distance), with ties.

    Parameters
    ----------
    Zq : numpy.ndarray, shape (n_q, q)
        Query coordinates.
    Zp : numpy.ndarray, shape (n_p, q)
        Pool coordinates.
    k : int
        Number of neighbours (at most the number of available pool units).
    ties : bool, default True
        Keep every pool unit tied with the k-th nearest (see the module docstring).
    tolerance : float, default 0.0
        Tie tolerance on squared distances (0: exact ties).
    self_pos : numpy.ndarray of int, shape (n_q,), optional
        Pool position of each query unit when query and pool are the same arm: it is excluded.
    caliper : float, default inf
        Largest allowed distance; query units without a pool unit inside it get no match.

    Returns
    -------
    NeighbourSets

    Examples
    --------
    >>> z = np.array([[0.0], [1.0], [3.0]])
    >>> s = neighbour_sets(np.array([[2.0]]), z, 1)
    >>> s.pool.tolist(), s.weight.tolist()
    ([1, 2], [0.5, 0.5])
    """
    Zq = np.asarray(Zq, dtype=float).reshape(len(Zq), -1)
    Zp = np.asarray(Zp, dtype=float).reshape(len(Zp), -1)
    n_q, n_p = len(Zq), len(Zp)
    avail = n_p - (1 if self_pos is not None else 0)
    k = min(k, avail)
    if n_q == 0 or k < 1:
        e = np.zeros(0, dtype=np.int64)
        return NeighbourSets(e, e, np.zeros(0), np.zeros(0), n_q)
    tree = cKDTree(Zp)
    # a few ulps of the coordinates: equal scores computed in different order are still ties
    slack = 64.0 * np.finfo(float).eps * max(1.0, float(np.max(np.abs(Zp))))
    extra = 1 if self_pos is not None else 0
    kk = min(n_p, 2 * k + 2 + extra)
    pending = np.arange(n_q)
    out_q: list[np.ndarray] = []
    out_p: list[np.ndarray] = []
    out_d: list[np.ndarray] = []
    while len(pending):
        sp = None if self_pos is None else self_pos[pending]
        d, j = _query_round(tree, Zq[pending], kk, sp)
        dk = d[:, k - 1 : k]
        finite = np.isfinite(d)
        if tolerance > 0:
            inside = d * d <= dk * dk + tolerance
        else:
            inside = d <= dk + slack
        inside &= finite
        # the set may go on past the returned neighbours when the farthest one (self, moved
        # to the end as inf, aside) is still inside it
        last = np.where(finite, d, -np.inf).max(axis=1)
        last_inside = (
            last * last <= dk[:, 0] ** 2 + tolerance if tolerance > 0 else last <= dk[:, 0] + slack
        )
        done = ~last_inside | (kk >= n_p)
        rows, cols = np.nonzero(inside[done])
        out_q.append(pending[done][rows])
        out_p.append(j[done][rows, cols])
        out_d.append(d[done][rows, cols])
        pending = pending[~done]
        kk = min(n_p, kk * 4)
    q = np.concatenate(out_q)
    p = np.concatenate(out_p)
    dist = np.concatenate(out_d)
    order = np.lexsort((p, dist, q))
    q, p, dist = q[order], p[order], dist[order]
    if not ties:
        starts = np.searchsorted(q, np.arange(n_q))
        rank = np.arange(len(q)) - starts[q]
        keep = rank < k
        q, p, dist = q[keep], p[keep], dist[keep]
    ok = dist <= caliper
    q, p, dist = q[ok], p[ok], dist[ok]
    sizes = np.bincount(q, minlength=n_q)
    return NeighbourSets(q, p, 1.0 / sizes[q], dist, n_q)
