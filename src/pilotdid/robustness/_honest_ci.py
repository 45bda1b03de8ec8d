"""Robust confidence sets for ``theta = l'tau_post`` over a union of polyhedra ``Delta``.

The set is ``{theta : some piece of Delta accepts theta}``; each piece runs the ARP conditional
test (or its least-favourable / FLCI hybrids) on a grid of ``theta`` (vectorised), and the two
ends of the accepted region are then refined by bisection between neighbouring grid points, so
the reported ends are accurate to ``1e-6`` standard errors rather than to the grid spacing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize

from pilotdid.robustness._arp import MomentProblem, accepts, least_favourable_cv
from pilotdid.robustness._deltas import Polyhedron

__all__ = ["ConditionalSpec", "conditional_accepts", "conditional_set", "identified_set"]


@dataclass(frozen=True)
class ConditionalSpec:
    """How to test: ``hybrid`` in {"ARP", "LF", "FLCI"}, sizes, draws and grid."""

    alpha: float
    hybrid: str
    kappa: float
    seed: int = 0
    sims: int = 1000
    grid_points: int = 1000
    flci_weights: np.ndarray | None = None
    flci_half: float | None = None


def _target_basis(l_vec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``Gamma^{-1}`` split into its first column and the rest (``Gamma`` has first row ``l``)."""
    null = linalg.null_space(l_vec[None, :])
    return l_vec / float(l_vec @ l_vec), null


def identified_set(
    beta: np.ndarray, num_pre: int, l_vec: np.ndarray, pieces: Sequence[Polyhedron]
) -> tuple[float, float]:
    """Return the identified set of ``theta`` when ``beta`` is known (the union over pieces).

    Parameters
    ----------
    beta : numpy.ndarray
        Event-study coefficients (pre then post).
    num_pre : int
        Number of pre periods.
    l_vec : numpy.ndarray
        Target weights.
    pieces : sequence of Polyhedron
        The restriction set.

    Returns
    -------
    tuple of float
        Lower and upper end (``nan`` when no piece is consistent with the pre periods).
    """
    n = len(beta)
    c = np.concatenate([np.zeros(num_pre), l_vec])
    eq = np.hstack([np.eye(num_pre), np.zeros((num_pre, n - num_pre))])
    point = float(l_vec @ beta[num_pre:])
    lows, highs = [], []
    for piece in pieces:
        ends = []
        for sign in (1.0, -1.0):
            res = optimize.linprog(
                -sign * c,
                A_ub=piece.A,
                b_ub=piece.d,
                A_eq=eq,
                b_eq=beta[:num_pre],
                bounds=(None, None),
                method="highs",
            )
            if res.status == 3:
                ends.append(sign * math.inf)
            elif res.status == 0:
                ends.append(-sign * float(res.fun))
        if len(ends) == 2:
            highs.append(point - ends[1])
            lows.append(point - ends[0])
    if not lows:
        return math.nan, math.nan
    return min(lows), max(highs)


def _problem(
    beta: np.ndarray, sigma: np.ndarray, num_pre: int, l_vec: np.ndarray, piece: Polyhedron
) -> MomentProblem:
    first, rest = _target_basis(l_vec)
    post = piece.A[:, num_pre:]
    return MomentProblem(
        y0=piece.A @ beta - piece.d,
        a=post @ first,
        X=post @ rest,
        sigma=piece.A @ sigma @ piece.A.T,
    )


class _PieceTest:
    def __init__(
        self,
        problem: MomentProblem,
        spec: ConditionalSpec,
        flci: tuple[np.ndarray, float, float] | None = None,
    ) -> None:
        self.problem = problem
        self.spec = spec
        self.flci = flci
        self.vertices = problem.vertices()
        self.lf_cv = None
        if spec.hybrid == "LF":
            self.lf_cv = least_favourable_cv(
                problem, self.vertices, spec.kappa, sims=spec.sims, seed=spec.seed
            )

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        alpha = self.spec.alpha
        if self.spec.hybrid == "FLCI":
            alpha = (alpha - self.spec.kappa) / (1.0 - self.spec.kappa)
        return accepts(
            self.problem,
            theta,
            alpha=alpha,
            lf_cv=self.lf_cv,
            kappa=self.spec.kappa,
            vertices=self.vertices,
            flci=self.flci,
        )


def conditional_set(
    beta: np.ndarray,
    sigma: np.ndarray,
    num_pre: int,
    l_vec: np.ndarray,
    pieces: Sequence[Polyhedron],
    spec: ConditionalSpec,
) -> tuple[float, float]:
    """Return the ends of the robust confidence set (its convex hull; nan when empty).

    Parameters
    ----------
    beta, sigma : numpy.ndarray
        Event-study coefficients (pre then post) and their covariance.
    num_pre : int
        Number of pre periods.
    l_vec : numpy.ndarray
        Target weights.
    pieces : sequence of Polyhedron
        The restriction set as a union of polyhedra (rows already selected).
    spec : ConditionalSpec
        Test and grid settings.

    Returns
    -------
    tuple of float
    """
    sd_theta = math.sqrt(float(l_vec @ sigma[num_pre:, num_pre:] @ l_vec))
    lo, hi = identified_set(beta, num_pre, l_vec, pieces)
    point = float(l_vec @ beta[num_pre:])
    lo = point if not math.isfinite(lo) else lo
    hi = point if not math.isfinite(hi) else hi
    grid_lo, grid_hi = lo - 20 * sd_theta, hi + 20 * sd_theta
    if spec.hybrid == "FLCI" and spec.flci_weights is not None and spec.flci_half is not None:
        centre = float(spec.flci_weights @ beta)
        grid_lo = centre - spec.flci_half
        grid_hi = centre + spec.flci_half
    union = _union_test(beta, sigma, num_pre, l_vec, pieces, spec)
    grid = np.linspace(grid_lo, grid_hi, spec.grid_points)
    ok = union(grid)
    if not ok.any():
        return math.nan, math.nan
    idx = np.flatnonzero(ok)
    tol = 1e-6 * max(sd_theta, 1e-12)
    lower = _refine(union, grid, idx[0], -1, tol)
    upper = _refine(union, grid, idx[-1], +1, tol)
    return lower, upper


def conditional_accepts(
    beta: np.ndarray,
    sigma: np.ndarray,
    num_pre: int,
    l_vec: np.ndarray,
    pieces: Sequence[Polyhedron],
    spec: ConditionalSpec,
    theta: float,
) -> bool:
    """Return whether the robust test accepts one value ``theta`` (e.g. 0 for the breakdown).

    Parameters
    ----------
    beta, sigma, num_pre, l_vec, pieces, spec
        As in :func:`conditional_set`.
    theta : float
        The value tested.

    Returns
    -------
    bool
    """
    union = _union_test(beta, sigma, num_pre, l_vec, pieces, spec)
    return bool(union(np.array([theta]))[0])


def _union_test(
    beta: np.ndarray,
    sigma: np.ndarray,
    num_pre: int,
    l_vec: np.ndarray,
    pieces: Sequence[Polyhedron],
    spec: ConditionalSpec,
) -> Callable[[np.ndarray], np.ndarray]:
    tests = []
    for piece in pieces:
        flci = None
        if spec.hybrid == "FLCI" and spec.flci_weights is not None and spec.flci_half is not None:
            w = spec.flci_weights
            flci = (piece.A @ sigma @ w, float(w @ beta), spec.flci_half)
        tests.append(_PieceTest(_problem(beta, sigma, num_pre, l_vec, piece), spec, flci))

    def union(theta: np.ndarray) -> np.ndarray:
        out = np.zeros(len(theta), dtype=bool)
        for test in tests:
            out |= test(theta)
        return out

    return union


def _refine(
    union: Callable[[np.ndarray], np.ndarray], grid: np.ndarray, i: int, step: int, tol: float
) -> float:
    """Narrow the boundary between accepted ``grid[i]`` and rejected ``grid[i + step]``.

    Each round tests 64 points between the two at once (vectorised) and keeps the last
    accepted / first rejected pair, so three rounds shrink the bracket by ``64**3``.
    """
    j = i + step
    if j < 0 or j >= len(grid):
        return float(grid[i])
    inside, outside = float(grid[i]), float(grid[j])
    while abs(outside - inside) > tol:
        points = np.linspace(inside, outside, 66)[1:-1]
        ok = union(points)
        if ok.all():
            inside = float(points[-1])
        elif not ok[0]:
            outside = float(points[0])
        else:
            first_out = int(np.argmin(ok))
            inside, outside = float(points[first_out - 1]), float(points[first_out])
    return inside
