"""HonestDiD: confidence sets that stay valid when parallel trends fail by a bounded amount.

Rambachan and Roth (2023) bound the post-treatment violations of parallel trends by the
pre-treatment ones, either by relative magnitudes (``Delta^RM(Mbar)``: no post-period change in
the violation exceeds ``Mbar`` times the largest pre-period change) or by smoothness
(``Delta^SD(M)``: the slope of the violation changes by at most ``M`` per period), and report the
robust confidence set of a target ``theta = l'tau_post`` for a grid of ``Mbar`` or ``M``.

Defaults that differ from the R package ``HonestDiD``:

* ``target="average"``: the average of the effects at relative periods ``0, 1, ...`` — R's
  default ``l_vec`` is the first post period only, which says nothing about the later periods
  a pilot policy is usually judged by (the issue calls it a common pitfall); ``target="first"``
  gives R's choice.
* ``Mbar=(0, 0.5, 1, 1.5, 2)``: R's README grid with 0 added (at ``Mbar = 0`` the set uses the
  pre-period violations only). ``M`` has no natural unit; its default grid runs from 0 to the
  standard error of the first pre-period estimate (as R's ``Mvec`` default) in 10 steps.
* The confidence-set ends are refined by bisection (accurate to ``1e-6`` standard errors), where
  R reports the extreme accepted points of a 1,000-point grid; the breakdown value is likewise
  found by bisection rather than read off the grid.
* The least-favourable critical value is simulated with numpy's generator (``seed``), so C-LF sets
  differ from R's by simulation noise (about ``1e-3`` standard errors).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy import stats

from pilotdid.errors import EstimationError
from pilotdid.options import (
    BiasSign,
    HonestMethod,
    HonestRestriction,
    HonestTarget,
    Monotonicity,
    validate_option,
)
from pilotdid.robustness._deltas import Polyhedron, rm_pieces, sd_polyhedron
from pilotdid.robustness._flci import flci
from pilotdid.robustness._honest_ci import ConditionalSpec, conditional_accepts, conditional_set
from pilotdid.robustness.honest_result import HonestDidResult
from pilotdid.robustness.honest_setup import EventStudyLayout, layout_from

__all__ = ["honest_did"]

_DEFAULT_MBAR = (0.0, 0.5, 1.0, 1.5, 2.0)


def honest_did(
    result_or_betahat: Any,
    *,
    sigma: np.ndarray | None = None,
    num_pre: int | None = None,
    restriction: HonestRestriction = "relative_magnitude",
    Mbar: Sequence[float] = _DEFAULT_MBAR,
    M: Sequence[float] | None = None,
    target: HonestTarget | Sequence[float] | np.ndarray = "average",
    method: HonestMethod | None = None,
    monotonicity: Monotonicity | None = None,
    bias_sign: BiasSign | None = None,
    level: float = 0.95,
    seed: int = 0,
) -> HonestDidResult:
    """Sensitivity of an event-study conclusion to violations of parallel trends (HonestDiD).

    Parameters
    ----------
    result_or_betahat : object with ``.dynamic()``, DynamicEffects or array-like
        An event study (``pilotdid.event_study(...)`` or any dynamic estimator), its
        :class:`~pilotdid.did.dynamic.DynamicEffects`, or the raw coefficients: pre periods first
        (oldest first), then post periods, the reference period left out (as in R's HonestDiD).
        A ``did_imputation`` fit is mapped to reference period -1 by
        :meth:`~pilotdid.did.imputation_result.ImputationResult.referenced` (it needs
        ``pretrends`` covering every pre-period but the earliest); Callaway-Sant'Anna needs
        ``base_period="universal"``.
    sigma : numpy.ndarray, optional
        Covariance of the raw coefficients (only with a raw vector; keyword-only, as every
        option of the public API).
    num_pre : int, optional
        Number of pre periods among the raw coefficients (only with a raw vector).
    restriction : {"relative_magnitude", "smoothness"}
        ``Delta^RM(Mbar)`` or ``Delta^SD(M)``.
    Mbar : sequence of float
        Grid for relative magnitudes.
    M : sequence of float, optional
        Grid for smoothness (default: 10 values from 0 to the first pre-period standard error).
    target : {"average", "first"} or sequence of float
        The parameter: the average effect over the periods from adoption on, the effect at the
        adoption period, or weights on the post-reference periods (or on the periods from
        adoption on).
    method : {"C-LF", "FLCI", "Conditional", "C-F"}, optional
        Default: ``"C-LF"`` for relative magnitudes, ``"FLCI"`` for smoothness, ``"C-F"`` for
        smoothness with a sign or monotonicity restriction (as in R).
    monotonicity : {"increasing", "decreasing"}, optional
        Also restrict the violations to be monotone.
    bias_sign : {"positive", "negative"}, optional
        Also restrict the sign of the post-period violations.
    level : float, default 0.95
        Coverage of the confidence sets.
    seed : int, default 0
        Seed of the least-favourable critical value's draws.

    Returns
    -------
    HonestDidResult

    Examples
    --------
    >>> import numpy as np, pilotdid
    >>> beta = np.array([0.01, -0.005, 0.0, 0.05, 0.06])
    >>> res = pilotdid.honest_did(beta, sigma=np.diag([1e-4] * 5), num_pre=3, Mbar=(0, 1))
    >>> bool(res.robust["conf_low"].iloc[0] > 0)
    True
    """
    layout = layout_from(result_or_betahat, sigma, num_pre=num_pre, target=target)
    validate_option(restriction, HonestRestriction, "restriction", EstimationError)
    if monotonicity is not None:
        validate_option(monotonicity, Monotonicity, "monotonicity", EstimationError)
    if bias_sign is not None:
        validate_option(bias_sign, BiasSign, "bias_sign", EstimationError)
    if not 0.0 < level < 1.0:
        raise EstimationError(f"honest_did: level must lie in (0, 1), got {level}")
    smooth = restriction == "smoothness"
    if method is None:
        restricted = monotonicity is not None or bias_sign is not None
        method = "C-LF" if not smooth else ("C-F" if restricted else "FLCI")
    validate_option(method, HonestMethod, "method", EstimationError)
    if not smooth and method in ("FLCI", "C-F"):
        raise EstimationError(
            f"honest_did: method={method!r} needs restriction='smoothness'; relative magnitudes "
            "take method='C-LF' (default) or 'Conditional'"
        )
    if smooth and method == "FLCI" and (monotonicity is not None or bias_sign is not None):
        raise EstimationError(
            "honest_did: the FLCI ignores sign and monotonicity restrictions; use method='C-F' "
            "(default with a restriction) or 'Conditional'"
        )
    if smooth:
        sd1 = float(np.sqrt(layout.sigma[0, 0]))
        grid = np.linspace(0.0, sd1, 10) if M is None else np.asarray(M, dtype=float)
    else:
        grid = np.asarray(Mbar, dtype=float)
    if grid.ndim != 1 or len(grid) == 0 or np.any(grid < 0) or not np.all(np.isfinite(grid)):
        name = "M" if smooth else "Mbar"
        raise EstimationError(f"honest_did: {name} must be a non-empty list of values >= 0")
    if not smooth and layout.num_pre < 1:
        raise EstimationError("honest_did: relative magnitudes need at least one pre period")
    if smooth and layout.num_pre < 2 and method != "FLCI":
        raise EstimationError("honest_did: smoothness tests need at least two pre periods")
    alpha = 1.0 - level

    def robust_set(value: float) -> tuple[float, float]:
        lo, hi = _robust_set(layout, smooth, value, method, alpha, seed, monotonicity, bias_sign)
        return float(lo), float(hi)

    def accepts_zero(value: float) -> bool:
        return bool(
            _robust_set(
                layout, smooth, value, method, alpha, seed, monotonicity, bias_sign, theta=0.0
            )
        )

    ends = np.array([robust_set(float(v)) for v in grid])
    breakdown = _breakdown(accepts_zero, grid, ends)
    z = float(stats.norm.ppf(1 - alpha / 2))
    est = float(layout.l_vec @ layout.beta[layout.num_pre :])
    post = layout.sigma[layout.num_pre :, layout.num_pre :]
    se = math.sqrt(float(layout.l_vec @ post @ layout.l_vec))
    return HonestDidResult(
        estimator=layout.estimator,
        restriction=restriction,
        method=method,
        grid=grid,
        conf_low=ends[:, 0],
        conf_high=ends[:, 1],
        estimate=est,
        std_error=se,
        original=(est - z * se, est + z * se),
        breakdown=breakdown,
        target=layout.target_series(),
        level=level,
        num_pre=layout.num_pre,
        num_post=layout.num_post,
        ref=layout.ref,
        monotonicity=monotonicity,
        bias_sign=bias_sign,
    )


def _robust_set(
    layout: EventStudyLayout,
    smooth: bool,
    value: float,
    method: str,
    alpha: float,
    seed: int,
    monotonicity: str | None,
    bias_sign: str | None,
    theta: float | None = None,
) -> Any:
    """Return the robust set's ends, or (with ``theta``) whether the test accepts ``theta``."""
    k, t = layout.num_pre, layout.num_post
    kappa = alpha / 10
    if smooth and method == "FLCI":
        weights, half = flci(layout.sigma, k, layout.l_vec, value, alpha)
        centre = float(weights @ layout.beta)
        if theta is not None:
            return bool(abs(centre - theta) <= half)
        return centre - half, centre + half
    pieces: list[Polyhedron]
    if smooth:
        pieces = [sd_polyhedron(k, t, value, bias_sign=bias_sign, monotonicity=monotonicity)]
    else:
        pieces = list(rm_pieces(k, t, value, bias_sign=bias_sign, monotonicity=monotonicity))
    pieces = [p.post_rows(k) if t > 1 or not smooth else p for p in pieces]
    hybrid = {"C-LF": "LF", "Conditional": "ARP", "C-F": "FLCI"}[method]
    spec = ConditionalSpec(alpha=alpha, hybrid=hybrid, kappa=kappa, seed=seed)
    if hybrid == "FLCI":
        weights, half = flci(layout.sigma, k, layout.l_vec, value, kappa)
        spec = ConditionalSpec(
            alpha=alpha,
            hybrid=hybrid,
            kappa=kappa,
            seed=seed,
            flci_weights=weights,
            flci_half=half,
        )
    if theta is not None:
        return conditional_accepts(layout.beta, layout.sigma, k, layout.l_vec, pieces, spec, theta)
    return conditional_set(layout.beta, layout.sigma, k, layout.l_vec, pieces, spec)


def _covers_zero(ends: np.ndarray) -> bool:
    lo, hi = float(ends[0]), float(ends[1])
    return bool(not math.isnan(lo) and lo <= 0.0 <= hi)


def _breakdown(accepts_zero: Callable[[float], bool], grid: np.ndarray, ends: np.ndarray) -> float:
    """Smallest Mbar (M) at which the robust test stops rejecting ``theta = 0``.

    The first grid value whose set covers 0 brackets it with the value before; bisection on the
    test of ``theta = 0`` then narrows the bracket to 0.1 % of its upper end. Returns the
    smallest grid value when its set already covers 0 and ``inf`` when no value up to 64 times
    the largest grid value covers it (an empty set covers nothing).
    """
    order = np.argsort(grid)
    g, e = grid[order], ends[order]
    covered = [_covers_zero(row) for row in e]
    if covered[0]:
        return float(g[0])
    lo, hi = float(g[0]), math.nan
    for value, cov in zip(g, covered, strict=True):
        if cov:
            hi = float(value)
            break
        lo = float(value)
    if math.isnan(hi):
        top = max(float(g[-1]), 1e-3)
        hi = 2 * top
        while not accepts_zero(hi):
            if hi >= 64 * top:
                return math.inf
            lo, hi = hi, 2 * hi
    tol = 1e-3 * hi
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if accepts_zero(mid):
            hi = mid
        else:
            lo = mid
    return hi
