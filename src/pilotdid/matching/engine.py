"""One matching run on one sample ("frame"): score, support, matching, psmatch2 quantities.

Everything here works on arrays; :mod:`pilotdid.matching.panel_modes` decides what a frame is
(all unit-years, one period, or one row per unit) and maps the results back to the panel rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special

from pilotdid.errors import MatchingError
from pilotdid.matching.kernel import kernel_match
from pilotdid.matching.mahalanobis import mahalanobis_match
from pilotdid.matching.nearest import Matches, match_order, nn_match
from pilotdid.matching.propensity import PropensityFit, check_covariates, fit_binary
from pilotdid.matching.radius import radius_match
from pilotdid.matching.support import common_support, trim_support

__all__ = ["FrameMatch", "MatchSpec", "match_frame"]


@dataclass(frozen=True)
class MatchSpec:
    """Validated matching options (see :func:`pilotdid.match` for their meaning)."""

    model: str = "logit"
    method: str = "nearest"
    distance: str = "pscore"
    k: int = 1
    replace: bool = True
    ties: bool = False
    order: str = "largest"
    caliper: float | None = None
    caliper_scale: str = "score"
    kernel: str = "epan"
    bandwidth: float = 0.06
    common: bool = False
    trim: float | None = None
    seed: int | None = None


@dataclass(frozen=True)
class FrameMatch:
    """psmatch2 quantities for the n rows of one frame (positions are frame positions).

    Attributes
    ----------
    pscore : numpy.ndarray, shape (n,)
        Propensity score.
    treated : numpy.ndarray of bool, shape (n,)
    support : numpy.ndarray of bool, shape (n,)
        On common support and (for treated units) matched.
    weight : numpy.ndarray, shape (n,)
        psmatch2 ``_weight``: 1 for matched treated units, the summed pair weights for controls,
        NaN for units not used.
    neighbours : numpy.ndarray of int, shape (n, k)
        Frame position of the r-th nearest matched control of each treated unit, -1 if none.
    n_matches : numpy.ndarray of int, shape (n,)
        psmatch2 ``_nn``: number of matched controls (0 for controls and unmatched treated).
    pdif : numpy.ndarray, shape (n,)
        ``|p_i - p_n1|`` for matched treated units, NaN otherwise.
    pair_treated, pair_control : numpy.ndarray of int, shape (m,)
        Frame positions of each matched pair.
    pair_weight, pair_distance : numpy.ndarray, shape (m,)
    pair_rank : numpy.ndarray of int, shape (m,)
    fit : PropensityFit or None
        The propensity model (None when the score was supplied).
    caliper : float or None
        The caliper in score units actually used.
    counts : dict
        ``off_common``, ``off_trim``, ``no_match`` (treated units set off support by each rule).
    """

    pscore: np.ndarray
    treated: np.ndarray
    support: np.ndarray
    weight: np.ndarray
    neighbours: np.ndarray
    n_matches: np.ndarray
    pdif: np.ndarray
    pair_treated: np.ndarray
    pair_control: np.ndarray
    pair_weight: np.ndarray
    pair_distance: np.ndarray
    pair_rank: np.ndarray
    fit: PropensityFit | None
    caliper: float | None
    counts: dict[str, int] = field(default_factory=dict)


def _score(
    X: np.ndarray, treat: np.ndarray, names: list[str], spec: MatchSpec, where: str
) -> tuple[np.ndarray, PropensityFit]:
    n1 = int(treat.sum())
    if n1 < 2 or len(treat) - n1 < 2:
        raise MatchingError(
            f"propensity model{where} needs at least 2 treated and 2 control units "
            f"(found {n1} treated, {len(treat) - n1} controls); pool periods or pass pscore=."
        )
    check_covariates(X, names, where)
    Xc = np.column_stack([X, np.ones(len(X))])
    fit = fit_binary(Xc, treat.astype(float), (*names, "_cons"), spec.model)
    return _row_exact_score(Xc, fit), fit


def _row_exact_score(Xc: np.ndarray, fit: PropensityFit) -> np.ndarray:
    """Return the fitted score, summed column by column so that equal rows get equal scores.

    ``X @ beta`` (BLAS) may round rows differently by their position in memory; units with
    the same covariates would then differ in the last bit and lose their exact ties (psmatch2
    ``ties``, and the tie sets of the Abadie-Imbens variance).
    """
    xb = np.zeros(len(Xc))
    for j in range(Xc.shape[1]):
        xb = xb + Xc[:, j] * fit.params[j]
    if fit.model == "logit":
        return np.asarray(special.expit(xb))
    return np.asarray(special.ndtr(xb))


def _support(
    p: np.ndarray, treat: np.ndarray, spec: MatchSpec
) -> tuple[np.ndarray, dict[str, Any]]:
    support = np.ones(len(p), dtype=bool)
    counts = {"off_common": 0, "off_trim": 0}
    pt, pc = p[treat], p[~treat]
    if spec.common:
        keep = common_support(pt, pc)
        counts["off_common"] = int((~keep).sum())
        support[np.flatnonzero(treat)[~keep]] = False
    if spec.trim is not None:
        keep = trim_support(pt, pc, spec.trim)
        newly = ~keep & support[treat]
        counts["off_trim"] = int(newly.sum())
        support[np.flatnonzero(treat)[~keep]] = False
    return support, counts


def _caliper(p: np.ndarray, support: np.ndarray, spec: MatchSpec) -> float:
    if spec.caliper is None:
        return np.inf
    if spec.caliper_scale == "sd":
        # MatchIt: caliper x SD of the distance measure over the units not discarded
        return float(spec.caliper * np.std(p[support], ddof=1))
    return float(spec.caliper)


def _run_method(
    p: np.ndarray, X: np.ndarray, it: np.ndarray, ic: np.ndarray, cal: float, spec: MatchSpec
) -> Matches:
    if spec.method == "radius":
        return radius_match(p[it], p[ic], cal)
    if spec.method == "kernel":
        return kernel_match(p[it], p[ic], spec.kernel, spec.bandwidth)
    rng = np.random.default_rng(spec.seed)
    order = match_order(p[it], spec.order, rng)
    if spec.distance == "mahalanobis":
        return mahalanobis_match(X[it], X[ic], spec.k, spec.replace, cal, order)
    return nn_match(p[it], p[ic], spec.k, spec.replace, spec.ties, cal, order)


def match_frame(
    X: np.ndarray,
    treat: np.ndarray,
    names: list[str],
    spec: MatchSpec,
    pscore: np.ndarray | None = None,
    where: str = "",
) -> FrameMatch:
    """Score, impose support, match and compute the psmatch2 quantities for one frame.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, p)
        Covariates (no missing values).
    treat : numpy.ndarray of bool, shape (n,)
        Treatment indicator.
    names : list of str
        Covariate names (for messages and coefficient names).
    spec : MatchSpec
        Validated options.
    pscore : numpy.ndarray, shape (n,), optional
        A supplied score; the propensity model is then not estimated.
    where : str
        Suffix for messages, e.g. ``" in period 2010"``.

    Returns
    -------
    FrameMatch
    """
    treat = np.asarray(treat, dtype=bool)
    fit = None
    if pscore is None:
        p, fit = _score(X, treat, names, spec, where)
    else:
        p = np.asarray(pscore, dtype=float)
    support, counts = _support(p, treat, spec)
    cal = _caliper(p, support, spec)
    it = np.flatnonzero(treat & support)
    ic = np.flatnonzero(~treat)
    m = _run_method(p, X, it, ic, cal, spec)
    nm = m.n_matches
    counts["no_match"] = int((nm == 0).sum())
    if len(it) and counts["no_match"] == len(it):
        scale = f" = {spec.caliper} SD of the score" if spec.caliper_scale == "sd" else ""
        raise MatchingError(
            f"no treated unit{where} has a control within the caliper/bandwidth "
            f"({cal:.6g}{scale}); widen the caliper or bandwidth."
        )
    support[it[nm == 0]] = False
    return _assemble(p, treat, support, it, ic, m, spec, fit, cal, counts)


def _assemble(
    p: np.ndarray,
    treat: np.ndarray,
    support: np.ndarray,
    it: np.ndarray,
    ic: np.ndarray,
    m: Matches,
    spec: MatchSpec,
    fit: PropensityFit | None,
    cal: float,
    counts: dict[str, int],
) -> FrameMatch:
    n = len(p)
    weight = np.full(n, np.nan)
    weight[treat & support] = 1.0
    cw = m.control_weights(len(ic))
    weight[ic[cw > 0]] = cw[cw > 0]
    k = spec.k if spec.method == "nearest" else 1
    neighbours = np.full((n, k), -1, dtype=np.int64)
    for r in range(1, k + 1):
        sel = m.rank == r
        neighbours[it[m.treated[sel]], r - 1] = ic[m.control[sel]]
    n_matches = np.zeros(n, dtype=np.int64)
    n_matches[it] = m.n_matches
    pdif = np.full(n, np.nan)
    has = neighbours[:, 0] >= 0
    pdif[has] = np.abs(p[has] - p[neighbours[has, 0]])
    return FrameMatch(
        pscore=p,
        treated=treat,
        support=support,
        weight=weight,
        neighbours=neighbours,
        n_matches=n_matches,
        pdif=pdif,
        pair_treated=it[m.treated],
        pair_control=ic[m.control],
        pair_weight=m.weight,
        pair_distance=m.distance,
        pair_rank=m.rank,
        fit=fit,
        caliper=None if not np.isfinite(cal) else cal,
        counts=counts,
    )
