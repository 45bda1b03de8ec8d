"""Common support: psmatch2's ``common`` (min-max rule) and ``trim(#)`` (control-density rule).

Both act on treated units only (the ATT convention): controls are always on support.
"""

from __future__ import annotations

import numpy as np

__all__ = ["common_support", "stata_kdensity_at", "stata_percentile", "trim_support"]

_SQRT5 = float(np.sqrt(5.0))


def common_support(score_t: np.ndarray, score_c: np.ndarray) -> np.ndarray:
    """Treated units whose score lies within [min, max] of the control scores (psmatch2 ``common``).

    Parameters
    ----------
    score_t, score_c : numpy.ndarray
        Scores of the treated and control units.

    Returns
    -------
    numpy.ndarray of bool, shape (n_t,)
        True where the treated unit is on support.

    Examples
    --------
    >>> common_support(np.array([0.1, 0.5, 0.95]), np.array([0.2, 0.9])).tolist()
    [False, True, False]
    """
    if len(score_c) == 0:
        return np.zeros(len(score_t), dtype=bool)
    return np.asarray((score_t >= score_c.min()) & (score_t <= score_c.max()))


def stata_percentile(x: np.ndarray, p: float) -> float:
    """Percentile with Stata's default definition (``_pctile``/``summarize, detail``).

    With sorted values ``x_(1..n)`` and ``P = n p / 100``: the mean of ``x_(P)`` and ``x_(P+1)``
    when P is an integer, else ``x_(floor(P) + 1)``.
    """
    xs = np.sort(np.asarray(x, dtype=float))
    n = len(xs)
    P = n * p / 100.0
    fl = int(np.floor(P))
    if P == fl:
        if fl == 0:
            return float(xs[0])
        if fl >= n:
            return float(xs[-1])
        return float((xs[fl - 1] + xs[fl]) / 2.0)
    return float(xs[min(fl, n - 1)])


def stata_kdensity_at(sample: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Kernel density of ``sample`` evaluated at ``at`` with Stata ``kdensity``'s defaults.

    Epanechnikov kernel ``K(z) = 3/4 (1 - z²/5) / √5`` on ``|z| < √5`` and the bandwidth
    ``0.9 min(sd, IQR/1.349) n^(-1/5)``. Runs in O((n + m) log n) with prefix sums over the
    sorted sample.
    """
    xs = np.sort(np.asarray(sample, dtype=float))
    n = len(xs)
    sd = float(xs.std(ddof=1)) if n > 1 else 0.0
    iqr = stata_percentile(xs, 75) - stata_percentile(xs, 25)
    m = min(sd, iqr / 1.349) if iqr > 0 else sd
    h = 0.9 * m / n**0.2
    if h <= 0:
        return np.where(np.isin(at, xs), np.inf, 0.0)
    half = _SQRT5 * h
    lo = np.searchsorted(xs, at - half, side="right")
    hi = np.searchsorted(xs, at + half, side="left")
    c0 = np.concatenate([[0.0], np.cumsum(np.ones(n))])
    c1 = np.concatenate([[0.0], np.cumsum(xs)])
    c2 = np.concatenate([[0.0], np.cumsum(xs * xs)])
    cnt, s1, s2 = c0[hi] - c0[lo], c1[hi] - c1[lo], c2[hi] - c2[lo]
    # sum over the window of (1 - (at - x)^2 / (5 h^2)), expanded into the prefix sums
    ssq = cnt * at * at - 2.0 * at * s1 + s2
    total = cnt - ssq / (5.0 * h * h)
    return np.asarray(np.maximum(total, 0.0) * 0.75 / _SQRT5 / (n * h))


def trim_support(score_t: np.ndarray, score_c: np.ndarray, percent: float) -> np.ndarray:
    """psmatch2 ``trim(#)``: drop the treated units where the control-score density is lowest.

    The density of the control scores is estimated at every treated score
    (:func:`stata_kdensity_at`); treated units where it is zero, and those below its
    ``percent``-th percentile among treated units, are off support.

    Parameters
    ----------
    score_t, score_c : numpy.ndarray
        Scores of the treated and control units.
    percent : float
        Percentage of treated units to trim, in [0, 100).

    Returns
    -------
    numpy.ndarray of bool, shape (n_t,)
        True where the treated unit is on support.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> keep = trim_support(rng.uniform(size=100), rng.uniform(size=300), 10)
    >>> int((~keep).sum()) >= 10
    True
    """
    dens = stata_kdensity_at(score_c, score_t)
    keep = dens > 0
    if percent > 0 and len(score_t):
        keep &= dens >= stata_percentile(dens, percent)
    return keep
