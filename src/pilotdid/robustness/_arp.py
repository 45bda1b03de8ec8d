"""The conditional moment-inequality test of Andrews, Roth and Pakes (ARP) with nuisance parameters.

The test of ``H0: theta = theta0`` under ``A delta <= d`` (Rambachan and Roth 2023, section 3) is
a test of moment inequalities ``E[y] - X tau <= 0`` with a nuisance vector ``tau``, where
``y = A betahat - d - a theta0`` and ``X`` spans the post-period directions orthogonal to the
target. Its statistic is the value of the linear programme

    eta = min_{eta, tau} eta  s.t.  y - X tau <= eta * sd(y),

equivalently, by duality, ``eta = max_gamma gamma'y`` over the polytope
``P = {gamma >= 0, sd'gamma = 1, X'gamma = 0}``. Conditional on the optimal vertex ``g`` and on
``s = y - b g'y`` (``b = Sigma g / g'Sigma g``), ``eta`` is normal with variance ``g'Sigma g``
truncated to ``[vlo, vup]``: the values ``c`` for which ``g`` stays optimal at ``y = s + b c``,
i.e. ``c (1 - v'b) >= v's`` for every vertex ``v`` of ``P``. The least-favourable hybrid (LF)
first rejects when ``eta`` exceeds the ``1 - kappa`` quantile of ``eta`` at the least favourable
point (``y ~ N(0, Sigma)``) and otherwise runs the conditional test at size
``(alpha - kappa) / (1 - kappa)`` with ``vup`` capped at that critical value.

Own implementation after reading the R package HonestDiD (``.lp_conditional_test_fn``,
``.vlo_vup_dual_fn``, ``.compute_least_favorable_cv``). The difference is computational: the
vertices of ``P`` are enumerated once (small problems: every basis of ``k + 1`` rows), so the test
runs vectorised over the whole grid of ``theta`` without a linear programme per point; larger
problems fall back to HiGHS linear programmes (``scipy.optimize.linprog``) per point, with the
truncation found by Newton steps on the convex function ``max_v v'(s + b c) - c`` (as in R).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

__all__ = ["MomentProblem", "accepts", "least_favourable_cv"]

_MAX_BASES = 20_000
_TOL = 1e-9


@dataclass(frozen=True)
class MomentProblem:
    """``y(theta) = y0 - a * theta`` with nuisance directions ``X`` and covariance ``sigma``.

    Attributes
    ----------
    y0, a : numpy.ndarray, shape (m,)
    X : numpy.ndarray, shape (m, k)
    sigma : numpy.ndarray, shape (m, m)
    """

    y0: np.ndarray
    a: np.ndarray
    X: np.ndarray
    sigma: np.ndarray

    @property
    def sd(self) -> np.ndarray:
        """Standard deviation of each moment."""
        return np.asarray(np.sqrt(np.clip(np.diag(self.sigma), 0.0, None)))

    def vertices(self) -> np.ndarray | None:
        """Vertices of the dual polytope (rows), or None when there are too many to enumerate."""
        m, k = self.X.shape
        eq = np.column_stack([self.sd, self.X]).T  # (k+1, m)
        rank = int(np.linalg.matrix_rank(eq))
        if rank < k + 1:
            eq = _independent_rows(eq)
        r = eq.shape[0]
        if math.comb(m, r) > _MAX_BASES:
            return None
        # every basis at once: batched determinants and solves (one LAPACK call each per basis,
        # as a loop would make, without the Python overhead of a loop over the bases)
        bases = np.array(list(itertools.combinations(range(m), r)), dtype=np.intp).reshape(-1, r)
        subs = np.moveaxis(eq[:, bases], 1, 0)  # (bases, r, r)
        scale = np.maximum(1.0, np.abs(subs).max(axis=(1, 2)) ** r)
        regular = np.abs(np.linalg.det(subs)) >= 1e-12 * scale
        bases, subs = bases[regular], subs[regular]
        rhs = np.zeros((len(bases), r, 1))
        rhs[:, 0, 0] = 1.0
        g = np.linalg.solve(subs, rhs)[:, :, 0] if len(bases) else np.zeros((0, r))
        feasible = np.all(g >= -1e-10, axis=1)
        if not feasible.any():
            return np.zeros((0, m))
        found = np.zeros((int(feasible.sum()), m))
        np.put_along_axis(found, bases[feasible], np.clip(g[feasible], 0.0, None), axis=1)
        return np.unique(np.round(found, 12), axis=0)


def _independent_rows(mat: np.ndarray) -> np.ndarray:
    keep: list[np.ndarray] = []
    for row in mat:
        trial = np.array([*keep, row])
        if np.linalg.matrix_rank(trial) == len(trial):
            keep.append(row)
    return np.array(keep)


def _oracle_lp(problem: MomentProblem, y: np.ndarray) -> tuple[float, np.ndarray | None]:
    """Return ``max gamma'y`` over the dual polytope and its maximiser (HiGHS)."""
    eq = np.column_stack([problem.sd, problem.X]).T
    rhs = np.zeros(eq.shape[0])
    rhs[0] = 1.0
    res = optimize.linprog(-y, A_eq=eq, b_eq=rhs, bounds=(0, None), method="highs")
    if res.status != 0:
        return -math.inf, None
    return float(-res.fun), np.asarray(res.x)


def least_favourable_cv(
    problem: MomentProblem, vertices: np.ndarray | None, kappa: float, *, sims: int, seed: int
) -> float:
    """Return the ``1 - kappa`` quantile of ``eta`` when ``y ~ N(0, Sigma)``.

    Parameters
    ----------
    problem : MomentProblem
    vertices : numpy.ndarray or None
        Vertices of the dual polytope (None: solve a linear programme per draw).
    kappa : float
        Size of the first (least favourable) stage.
    sims : int
        Number of normal draws.
    seed : int
        Seed of the draws.

    Returns
    -------
    float
    """
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(np.zeros(len(problem.y0)), problem.sigma, size=sims)
    if vertices is not None:
        if len(vertices) == 0:
            return math.inf
        eta = (draws @ vertices.T).max(axis=1)
    else:
        eta = np.array([_oracle_lp(problem, x)[0] for x in draws])
    eta = eta[np.isfinite(eta)]
    return float(np.quantile(eta, 1.0 - kappa)) if len(eta) else math.inf


def _truncnorm_quantile(p: float, lo: np.ndarray, up: np.ndarray) -> np.ndarray:
    lo = np.asarray(lo, dtype=float)
    up = np.asarray(up, dtype=float)
    q = np.full(lo.shape, np.nan)
    ok = lo < up
    q[ok] = stats.truncnorm.ppf(p, lo[ok], up[ok])
    q[~ok] = lo[~ok]
    return q


def _reject(
    eta: np.ndarray,
    var_b: np.ndarray,
    vlo: np.ndarray,
    vup: np.ndarray,
    alpha: float,
    lf_cv: float | None,
    kappa: float,
) -> np.ndarray:
    """Apply the (hybrid) conditional test to statistics and truncation points (vectorised)."""
    reject = np.zeros(eta.shape, dtype=bool)
    degenerate = var_b < 1e-14
    reject[degenerate] = eta[degenerate] > 0
    live = ~degenerate & np.isfinite(eta)
    size = alpha
    if lf_cv is not None:
        size = (alpha - kappa) / (1.0 - kappa)
        first = live & (eta > lf_cv)
        reject[first] = True
        live &= ~first
        vup = np.minimum(vup, lf_cv)
    if not np.any(live):
        return reject
    sd_b = np.sqrt(var_b[live])
    stat = eta[live] / sd_b
    zlo = vlo[live] / sd_b
    zup = vup[live] / sd_b
    inside = (zlo <= stat + 1e-12) & (stat <= zup + 1e-12)
    cval = np.maximum(0.0, _truncnorm_quantile(1.0 - size, zlo, zup))
    out = inside & (stat > cval)
    reject[np.flatnonzero(live)] = out
    return reject


def _truncation(
    vertices: np.ndarray, sigma: np.ndarray, y: np.ndarray, best: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``g'Sigma g``, ``vlo`` and ``vup`` for each row of ``y`` (optimal vertices ``best``)."""
    sg = best @ sigma  # (n, m)
    var_b = np.einsum("nm,nm->n", sg, best)
    safe = np.where(var_b > 1e-14, var_b, 1.0)
    b = sg / safe[:, None]
    eta = np.einsum("nm,nm->n", best, y)
    s = y - b * eta[:, None]
    num = s @ vertices.T
    den = 1.0 - b @ vertices.T
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = num / den
    vlo = np.where(den > 1e-10, ratio, -np.inf).max(axis=1)
    vup = np.where(den < -1e-10, ratio, np.inf).min(axis=1)
    return var_b, vlo, vup


def accepts(
    problem: MomentProblem,
    theta: np.ndarray,
    *,
    alpha: float,
    lf_cv: float | None,
    kappa: float,
    vertices: np.ndarray | None,
    flci: tuple[np.ndarray, float, float] | None = None,
) -> np.ndarray:
    """Return whether the (hybrid) conditional test accepts each ``theta``.

    Parameters
    ----------
    problem : MomentProblem
    theta : numpy.ndarray, shape (n,)
        Values of the target parameter to test.
    alpha : float
        Size of the test.
    lf_cv : float or None
        First-stage critical value of the least-favourable hybrid; None for the plain test.
    kappa : float
        First-stage size of the hybrid.
    vertices : numpy.ndarray or None
        Vertices of the dual polytope, or None to solve linear programmes.
    flci : tuple or None
        FLCI hybrid: ``(Cov(y, est), est, half)`` of the first-stage FLCI ``est +- half``;
        ``theta`` outside it is rejected and the second stage conditions on passing it (the
        truncation also keeps ``|est - theta| <= half`` as ``eta`` moves).

    Returns
    -------
    numpy.ndarray of bool, shape (n,)
    """
    theta = np.atleast_1d(np.asarray(theta, dtype=float))
    y = problem.y0[None, :] - theta[:, None] * problem.a[None, :]
    if vertices is not None:
        if len(vertices) == 0:
            return np.ones(len(theta), dtype=bool)
        values = y @ vertices.T
        best = vertices[values.argmax(axis=1)]
        eta = values.max(axis=1)
        var_b, vlo, vup = _truncation(vertices, problem.sigma, y, best)
    else:
        eta, var_b, vlo, vup, best = _lp_statistics(problem, y)
    if flci is None:
        return np.asarray(~_reject(eta, var_b, vlo, vup, alpha, lf_cv, kappa))
    cov, est, half = flci
    first = np.abs(est - theta) > half
    safe = np.where(var_b > 1e-14, var_b, 1.0)
    k = (best @ cov) / safe
    rest = est - k * eta  # the part of est independent of eta given s
    with np.errstate(divide="ignore", invalid="ignore"):
        e1 = (theta - half - rest) / k
        e2 = (theta + half - rest) / k
    moving = np.abs(k) > 1e-14
    vlo = np.where(moving, np.maximum(vlo, np.minimum(e1, e2)), vlo)
    vup = np.where(moving, np.minimum(vup, np.maximum(e1, e2)), vup)
    return np.asarray(~first & ~_reject(eta, var_b, vlo, vup, alpha, None, kappa))


def _lp_statistics(
    problem: MomentProblem, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = len(y)
    best = np.zeros_like(y)
    eta = np.full(n, -np.inf)
    var_b = np.zeros(n)
    vlo = np.full(n, -np.inf)
    vup = np.full(n, np.inf)
    for i in range(n):
        value, g = _oracle_lp(problem, y[i])
        if g is None:
            continue
        eta[i] = value
        best[i] = g
        var_b[i] = float(g @ problem.sigma @ g)
        if var_b[i] < 1e-14:
            continue
        b = problem.sigma @ g / var_b[i]
        s = y[i] - b * value
        vlo[i], vup[i] = _newton_bounds(problem, s, b, value)
    return eta, var_b, vlo, vup, best


def _newton_bounds(
    problem: MomentProblem, s: np.ndarray, b: np.ndarray, eta: float
) -> tuple[float, float]:
    """Find the ends of ``{c : max_v v'(s + b c) = c}`` by Newton steps on the convex gap."""
    spread = math.sqrt(max(float(b @ problem.sigma @ b), 0.0))
    scale = max(100.0, abs(eta) + 20.0 * spread)
    out = []
    for start in (eta + scale, eta - scale):
        c = start
        bound = math.inf if start > eta else -math.inf
        for _ in range(100):
            value, g = _oracle_lp(problem, s + b * c)
            if g is None or value - c <= 1e-9 * max(1.0, abs(c)):
                break
            slope = 1.0 - float(g @ b)
            if abs(slope) < 1e-12:
                break
            c = float(g @ s) / slope
            bound = c
        if abs(c - start) < 1e-12:
            bound = math.inf if start > eta else -math.inf
        out.append(bound)
    return out[1], out[0]
