"""Nearest-neighbour matching on a one-dimensional score, in O(n log n).

Controls are sorted by score once; each treated unit finds its neighbours by walking outwards from
its ``searchsorted`` position. With replacement the walk is vectorised over all treated units;
without replacement it is sequential (greedy, in the requested order) but each step finds the
nearest *available* control in near-constant time through "next available" pointers with path
halving (a union-find on the sorted control array).

Exact ties in distance are broken deterministically: smaller distance, then lower score, then
earlier row. With ``ties=True`` every control as near as the k-th nearest is kept (psmatch2 ``ties``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Matches", "match_order", "nn_match"]


@dataclass(frozen=True)
class Matches:
    """Treated-control pairs produced by any matching method (positions, not row ids).

    Attributes
    ----------
    treated, control : numpy.ndarray of int, shape (m,)
        Position of each pair's treated unit in the treated array and of its control in the
        control array.
    weight : numpy.ndarray of float, shape (m,)
        The pair's weight; the weights of one treated unit sum to 1.
    distance : numpy.ndarray of float, shape (m,)
        Matching distance of the pair.
    rank : numpy.ndarray of int, shape (m,)
        1 for the nearest control of the treated unit, 2 for the next, ...
    n_treated : int
        Number of treated units that were offered to the matcher.
    """

    treated: np.ndarray
    control: np.ndarray
    weight: np.ndarray
    distance: np.ndarray
    rank: np.ndarray
    n_treated: int

    @property
    def n_matches(self) -> np.ndarray:
        """Number of controls matched to each treated unit, shape (n_treated,)."""
        return np.bincount(self.treated, minlength=self.n_treated)

    def control_weights(self, n_control: int) -> np.ndarray:
        """psmatch2 ``_weight`` of each control: the sum of its pair weights, shape (n_control,)."""
        return np.bincount(self.control, weights=self.weight, minlength=n_control)


def from_pairs(
    treated: np.ndarray,
    control: np.ndarray,
    distance: np.ndarray,
    n_treated: int,
    weight: np.ndarray | None = None,
) -> Matches:
    """Build :class:`Matches` ranked by (distance, list order) within each treated unit.

    ``weight`` defaults to 1/n_i (equal weights for the n_i controls of treated unit i).
    """
    treated = np.asarray(treated, dtype=np.int64)
    w = np.ones(len(treated)) if weight is None else np.asarray(weight, dtype=float)
    control = np.asarray(control, dtype=np.int64)
    distance = np.asarray(distance, dtype=float)
    counts = np.bincount(treated, minlength=n_treated)
    if len(treated) and counts.max() > 1:
        order = np.lexsort((np.arange(len(treated)), distance, treated))
        treated, control, distance, w = treated[order], control[order], distance[order], w[order]
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        rank = np.arange(len(treated)) - starts[treated] + 1
    else:  # one control per treated unit (1:1 without ties): no sorting needed
        order = np.argsort(treated, kind="stable")
        treated, control, distance, w = treated[order], control[order], distance[order], w[order]
        rank = np.ones(len(treated), dtype=np.int64)
    return Matches(
        treated=treated,
        control=control,
        weight=1.0 / counts[treated] if weight is None else w,
        distance=distance,
        rank=rank.astype(np.int64),
        n_treated=n_treated,
    )


def match_order(
    score_t: np.ndarray, order: str, rng: np.random.Generator | None = None
) -> np.ndarray:
    """Order in which treated units are processed (positions into ``score_t``).

    ``"largest"`` (MatchIt's default without replacement) sorts by descending score, ``"smallest"``
    by ascending score (psmatch2 ``noreplacement``), exact score ties in data order; ``"data"`` keeps
    data order; ``"random"`` draws a permutation from ``rng``.
    """
    n = len(score_t)
    if order == "largest":
        return np.argsort(-score_t, kind="stable")
    if order == "smallest":
        return np.argsort(score_t, kind="stable")
    if order == "random":
        if rng is None:
            raise ValueError("order='random' needs a random generator")
        return rng.permutation(n)
    return np.arange(n)


class _SortedControls:
    """Controls sorted by (score, row).

    ``idx`` maps sorted positions to control positions and ``block[j]`` is the first sorted
    position with the same score as position ``j``.
    """

    def __init__(self, score_c: np.ndarray) -> None:
        self.idx = np.argsort(score_c, kind="stable")
        self.sorted = score_c[self.idx]
        n = len(score_c)
        starts = np.flatnonzero(np.r_[True, self.sorted[1:] != self.sorted[:-1]])
        sizes = np.diff(np.r_[starts, n])
        #: whether any two controls share a score (only then do blocks need care)
        self.has_ties = len(starts) < n
        self.block = np.repeat(starts, sizes)
        # walking left through an equal-score block [b, e] visits e, e-1, ...; mirror it to
        # b, b+1, ... so equal-score controls are met in row order on both sides
        self.mirror = self.block + np.repeat(starts + sizes - 1, sizes)
        self.n = len(score_c)


def _walk_with_replacement(
    score_t: np.ndarray, sc: _SortedControls, k: int, ties: bool, caliper: float
) -> Matches:
    n_t = len(score_t)
    pos = np.searchsorted(sc.sorted, score_t, side="left")
    left, right = pos - 1, pos.copy()
    s, inf = sc.sorted, np.inf
    t_list, c_list, d_list = [], [], []
    kth = np.full(n_t, np.nan)
    active = np.ones(n_t, dtype=bool)
    step = 0
    while active.any():
        idx = np.flatnonzero(active)
        L, R = left[idx], right[idx]
        dl = np.where(L >= 0, score_t[idx] - s[np.maximum(L, 0)], inf)
        dr = np.where(R < sc.n, s[np.minimum(R, sc.n - 1)] - score_t[idx], inf)
        go_left = dl <= dr  # equal distance: the lower score first
        d = np.where(go_left, dl, dr)
        ok = (d <= caliper) & np.isfinite(d)
        if step >= k:  # past the k-th neighbour only exact ties of the k-th distance continue
            ok &= d == kth[idx]
        take = idx[ok]
        gl = go_left[ok]
        Lok = np.maximum(L[ok], 0)
        spos = np.where(gl, sc.mirror[Lok] - Lok, np.minimum(R[ok], sc.n - 1))
        ctrl = sc.idx[spos]
        t_list.append(take)
        c_list.append(ctrl)
        d_list.append(d[ok])
        left[take[gl]] -= 1
        right[take[~gl]] += 1
        step += 1
        if step == k:
            kth[take] = d[ok]
        active[idx[~ok]] = False
        if step >= k and not ties:
            break
    if not t_list:
        empty = np.zeros(0, dtype=np.int64)
        return from_pairs(empty, empty, np.zeros(0), n_t)
    return from_pairs(np.concatenate(t_list), np.concatenate(c_list), np.concatenate(d_list), n_t)


def _walk_without_replacement(
    score_t: np.ndarray,
    sc: _SortedControls,
    k: int,
    ties: bool,
    caliper: float,
    order: np.ndarray,
) -> Matches:
    n = sc.n
    pos = np.searchsorted(sc.sorted, score_t, side="left")
    # "next available" pointers with path halving on the sorted controls: right-hand search from
    # pos upwards (sentinel n), left-hand search on the reversed array (index n-1-j) so it also
    # runs upwards. Plain lists and inlined finds: this loop is the hot path.
    par_r = list(range(n + 1))
    par_l = list(range(n + 1))
    s = sc.sorted.tolist()
    blk = sc.block.tolist() if sc.has_ties else []
    has_ties = sc.has_ties
    st, pl = score_t.tolist(), pos.tolist()
    inf = float("inf")
    t_out: list[int] = []
    j_out: list[int] = []
    d_out: list[float] = []
    order_list = order.tolist()
    for _round in range(k):  # MatchIt: with ratio > 1 the treated units are matched in rounds
        for i in order_list:
            p = st[i]
            best = -1.0
            while True:
                r = pl[i]
                while par_r[r] != r:
                    nxt = par_r[par_r[r]]
                    par_r[r] = nxt
                    r = nxt
                q = n - pl[i]
                while par_l[q] != q:
                    nxt = par_l[par_l[q]]
                    par_l[q] = nxt
                    q = nxt
                dr = s[r] - p if r < n else inf
                j = n - 1 - q
                dl = p - s[j] if q < n else inf
                if dl <= dr:  # equal distance: the lower score first
                    d = dl
                    if has_ties and q < n and blk[j] != j:  # equal-score block: earliest row
                        j = blk[j]
                        while par_r[j] != j:
                            nxt = par_r[par_r[j]]
                            par_r[j] = nxt
                            j = nxt
                else:
                    d, j = dr, r
                if d > caliper or d == inf or (best >= 0.0 and d != best):
                    break
                t_out.append(i)
                j_out.append(j)
                d_out.append(d)
                par_r[j] = j + 1
                par_l[n - 1 - j] = n - j
                if not ties:
                    break
                best = d
    c_out = sc.idx[np.asarray(j_out, dtype=np.int64)]
    t_arr = np.asarray(t_out, dtype=np.int64)
    return from_pairs(t_arr, c_out, np.asarray(d_out), len(score_t))


def nn_match(
    score_t: np.ndarray,
    score_c: np.ndarray,
    k: int = 1,
    replace: bool = True,
    ties: bool = False,
    caliper: float = np.inf,
    order: np.ndarray | None = None,
) -> Matches:
    """k-nearest-neighbour matching of treated to control units on a scalar score.

    Parameters
    ----------
    score_t : numpy.ndarray, shape (n_t,)
        Scores of the treated units.
    score_c : numpy.ndarray, shape (n_c,)
        Scores of the candidate controls.
    k : int, default 1
        Number of neighbours.
    replace : bool, default True
        Whether a control may serve several treated units.
    ties : bool, default False
        Keep every control exactly as near as the k-th nearest (psmatch2 ``ties``).
    caliper : float, default inf
        Largest allowed ``|score_t - score_c|`` (inclusive), in score units.
    order : numpy.ndarray of int, optional
        Processing order of the treated units (see :func:`match_order`); only matters without
        replacement. Default: data order.

    Returns
    -------
    Matches

    Examples
    --------
    >>> import numpy as np
    >>> m = nn_match(np.array([0.5, 0.2]), np.array([0.1, 0.45, 0.3]))
    >>> m.control.tolist()
    [1, 2]
    """
    sc = _SortedControls(np.asarray(score_c, dtype=float))
    score_t = np.asarray(score_t, dtype=float)
    if sc.n == 0 or len(score_t) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return from_pairs(empty, empty, np.zeros(0), len(score_t))
    if replace:
        return _walk_with_replacement(score_t, sc, k, ties, caliper)
    if order is None:
        order = np.arange(len(score_t))
    return _walk_without_replacement(score_t, sc, k, ties, caliper, order)
