"""``pilotdid.matching_effect``: the ATT/ATE/ATC of a match, with Abadie-Imbens standard errors.

The matches of :func:`pilotdid.match` (treated units to controls) are used as they are for the
ATT. The ATE and ATC also need controls matched to treated units, and the conditional variances
need units matched within their own arm; both are found on the same metric (the score, or the
Mahalanobis-whitened covariates) by :func:`pilotdid.matching.neighbours.neighbour_sets`.
The formulas are in :mod:`pilotdid.matching.ai_core`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from pilotdid.errors import MatchingError
from pilotdid.matching.ai_core import ai_estimate, arm_variances
from pilotdid.matching.ai_pscore import pscore_att_terms, pscore_c, score_density
from pilotdid.matching.effect_result import BootstrapMatchingWarning, MatchEffect
from pilotdid.matching.mahalanobis import whiten
from pilotdid.matching.neighbours import neighbour_sets
from pilotdid.options import validate_option

if TYPE_CHECKING:
    from pilotdid.matching.result import MatchResult

__all__ = ["MatchEstimand", "MatchSE", "matching_effect"]

MatchEstimand = Literal["ATT", "ATE", "ATC"]
MatchSE = Literal["ai", "ai_pscore", "standard", "bootstrap"]
MahalanobisCovariance = Literal["pooled", "sample"]


def _outcome(res: MatchResult, outcome: str, period: Any) -> np.ndarray:
    data = res.data
    if outcome not in data.columns:
        raise MatchingError(f"outcome {outcome!r} is not a column of the matched data.")
    if res.panel == "pooled":
        out: np.ndarray = data[outcome].to_numpy(dtype=float)[res.frame["_id"].to_numpy()]
        return out
    if res.panel == "base_year":
        if period is None:
            raise MatchingError(
                "base_year matching has one row per unit: give period= (the period whose "
                f"{outcome!r} is compared, e.g. a post-policy year)."
            )
        assert res.unit is not None and res.time is not None
        rows = data[data[res.time] == period]
        if rows.empty:
            raise MatchingError(f"period={period!r} is not a value of {res.time!r}.")
        by_unit = rows.set_index(res.unit)[outcome]
        vals: np.ndarray = by_unit.reindex(res.frame[res.unit].to_numpy()).to_numpy(dtype=float)
        return vals
    raise MatchingError(
        "matching_effect needs one matching sample; by_year matching has one per period: "
        "match the period you want with panel='pooled' on that period's rows."
    )


def _metric(
    res: MatchResult, treated: np.ndarray, covariance: str = "pooled"
) -> tuple[np.ndarray, float]:
    """Search coordinates (standardised score, or whitened covariates) and their scale."""
    f = res.frame
    if res.spec.distance == "mahalanobis":
        X = f[list(res.covariates)].to_numpy(dtype=float)
        Zt, Zc = whiten(X[treated], X[~treated], covariance)
        Z = np.empty_like(X)
        Z[treated], Z[~treated] = Zt, Zc
        return Z, 1.0
    p = f["_pscore"].to_numpy(dtype=float)
    s = float(np.std(p, ddof=1))
    return (p / s)[:, None], s


def _adjust_columns(res: MatchResult, names: tuple[str, ...]) -> np.ndarray:
    """Bias-correction covariates, from the matched frame or (pooled) the matched data."""
    f = res.frame
    cols = []
    for c in names:
        if c in f.columns:
            cols.append(f[c].to_numpy(dtype=float))
        elif res.panel == "pooled" and c in res.data.columns:
            cols.append(res.data[c].to_numpy(dtype=float)[f["_id"].to_numpy()])
        else:
            raise MatchingError(
                f"bias_adjust: {c!r} is not a column of the matched sample "
                f"(the matching covariates are {', '.join(map(str, res.covariates))})."
            )
    Z = np.column_stack(cols)
    if np.isnan(Z).any():
        raise MatchingError("bias_adjust: the adjustment covariates have missing values.")
    return Z


def _engine_pairs(res: MatchResult) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the match's own treated-control pairs as frame positions."""
    pr, f = res.pairs, res.frame
    if res.panel == "pooled":
        key, t_col, c_col = f["_id"].to_numpy(), "treated_id", "control_id"
    else:
        key, t_col, c_col = f[res.unit].to_numpy(), "treated_unit", "control_unit"
    pos = pd.Series(np.arange(len(f)), index=key)
    qi = pos.reindex(pr[t_col].to_numpy()).to_numpy(dtype=np.int64)
    pj = pos.reindex(pr[c_col].to_numpy()).to_numpy(dtype=np.int64)
    return qi, pj, pr["weight"].to_numpy(dtype=float)


def _direction(
    Z: np.ndarray, focal: np.ndarray, pool: np.ndarray, k: int, ties: bool, tol: float, cal: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    s = neighbour_sets(Z[focal], Z[pool], k, ties=ties, tolerance=tol, caliper=cal)
    return focal[s.query], pool[s.pool], s.weight


def _ties_text(ties: bool, tolerance: float) -> str:
    if not ties:
        return "none (equal distances broken by the lower score, then the earlier row)"
    if tolerance > 0:
        return f"kept within {tolerance:g} of the k-th squared standardised distance (Matching)"
    return "exact ties kept (psmatch2)"


def _check_args(res: MatchResult, estimand: str, se: str, J: int, k: int) -> str:
    validate_option(estimand, MatchEstimand, "estimand", MatchingError)
    validate_option(se, MatchSE, "se", MatchingError)
    if se == "bootstrap":
        warnings.warn(
            "the bootstrap is not valid for nearest-neighbour matching with a fixed number of "
            "matches (Abadie & Imbens 2008); reporting the Abadie-Imbens standard error instead.",
            BootstrapMatchingWarning,
            stacklevel=3,
        )
        se = "ai"
    if res.spec.method != "nearest":
        raise MatchingError(
            f"matching_effect is for nearest-neighbour matching; this match used "
            f"method={res.spec.method!r}, for which these variances are not derived."
        )
    if estimand != "ATT" and not res.spec.replace:
        raise MatchingError(
            f"estimand={estimand!r} needs matching with replacement (controls are matched to "
            "treated units too); use estimand='ATT' or match with replace=True."
        )
    if not isinstance(J, (int, np.integer)) or isinstance(J, bool) or J < 0:
        raise MatchingError(f"J={J!r} must be a non-negative integer (0: homoskedastic).")
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise MatchingError(f"k={k!r} must be a positive integer.")
    if se == "ai_pscore":
        _check_ai_pscore(res, estimand, J)
    return se


def _check_ai_pscore(res: MatchResult, estimand: str, J: int) -> None:
    if not res.spec.replace:
        raise MatchingError(
            "se='ai_pscore' (Abadie & Imbens 2016) is derived for matching with replacement; "
            "match with replace=True or use se='ai'."
        )
    if res.spec.distance != "pscore" or res.fits.get(None) is None:
        raise MatchingError(
            "se='ai_pscore' adjusts for a propensity score estimated by pilotdid's logit or "
            "probit; this match used a supplied score or the Mahalanobis distance (use se='ai')."
        )
    if J < 1:
        raise MatchingError(
            "se='ai_pscore' needs J >= 1 same-arm matches (the covariance sets have J + 1 "
            "units); J=1 reproduces teffects psmatch's default vce(robust, nn(2))."
        )


def _pscore_adjustment(
    res: MatchResult,
    y: np.ndarray,
    treated: np.ndarray,
    idx: np.ndarray,
    Z: np.ndarray,
    J: int,
    tol: float,
    att: tuple[str, float, int, bool] | None = None,
) -> float:
    """Return the Abadie & Imbens (2016) change of the variance over the matched sample ``idx``.

    ATE: ``-c' V c``. ATT/ATC (``att`` = (estimand, estimate, k, ties)):
    ``-c_t' V c_t + d' V d``.
    """
    fit = res.fits[None]
    assert fit is not None
    f = res.frame
    X = np.column_stack([f[c].to_numpy(dtype=float) for c in fit.names[:-1]] + [np.ones(len(f))])
    p = f["_pscore"].to_numpy(dtype=float)
    dens = score_density(fit.model, np.asarray(fit.xb, dtype=float))
    y, X, p, dens, tr, Z = y[idx], X[idx], p[idx], dens[idx], treated[idx], Z[idx]
    if att is None:
        c = pscore_c(y, X, p, dens, tr, Z, J, tol)
        return -float(c @ fit.cov @ c)
    estimand, estimate, k, ties = att
    it, ic = np.flatnonzero(tr), np.flatnonzero(~tr)
    qa, pa, wa = _direction(Z, it, ic, k, ties, tol, np.inf)
    qb, pb, wb = _direction(Z, ic, it, k, ties, tol, np.inf)
    tau = ai_estimate(y, tr, np.r_[qa, qb], np.r_[pa, pb], np.r_[wa, wb]).tau
    if estimand == "ATC":
        tr, p, tau, estimate = ~tr, 1.0 - p, -tau, -estimate
    ct, d = pscore_att_terms(y, X, p, dens, tr, Z, J, tol, tau, estimate)
    return float(d @ fit.cov @ d - ct @ fit.cov @ ct)


def matching_effect(
    result: MatchResult,
    outcome: str,
    *,
    estimand: MatchEstimand = "ATT",
    se: MatchSE = "ai",
    J: int | None = None,
    bias_adjust: bool | Sequence[str] = False,
    ties: bool | None = None,
    tolerance: float = 0.0,
    period: Any = None,
    level: float = 0.95,
    covariance: MahalanobisCovariance = "pooled",
) -> MatchEffect:
    """Average treatment effect of a nearest-neighbour match, with its standard error.

    Parameters
    ----------
    result : MatchResult
        A nearest-neighbour match from :func:`pilotdid.match` (``panel="pooled"`` or
        ``"base_year"``).
    outcome : str
        Outcome column of the matched data.
    estimand : {"ATT", "ATE", "ATC"}, default "ATT"
        ATE and ATC need matching with replacement; they match controls to treated units with
        the same k, ties and caliper.
    se : {"ai", "ai_pscore", "standard", "bootstrap"}, default "ai"
        ``"ai"``: Abadie & Imbens (2006), valid for matching with replacement (``Matching``'s
        ``se``, ``teffects``' ``vce(robust)``). ``"ai_pscore"``: Abadie & Imbens (2016)
        variance for a score estimated by pilotdid's logit/probit, matching with replacement,
        no bias adjustment (see :mod:`pilotdid.matching.ai_pscore`). For the ATE it is
        ``teffects psmatch``'s (with ``J=1`` its default ``vce(robust, nn(2))``, reproduced to
        7 digits); for the ATT/ATC it is Theorem 2, validated by Monte Carlo but *not* equal to
        Stata's ATET SE (-0.18% on cattaneo2). ``"standard"``: treats the weights as fixed
        (psmatch2's default line; too small when controls are reused). ``"bootstrap"`` warns
        (:class:`BootstrapMatchingWarning`, Abadie & Imbens 2008) and reports ``"ai"``.
    J : int, optional
        Same-arm matches for the conditional variances: ``Matching``'s ``Var.calc = J`` (whose
        own default, 0, assumes homoskedasticity: ``J=0``). The default follows Stata's
        ``vce(robust, nn(2))`` for the matching metric, each reproduced to 7 digits on
        cattaneo2 (tested): ``J=1`` on the propensity score (``teffects psmatch``, where the two
        units count the unit itself) and ``J=2`` on the Mahalanobis distance (``teffects
        nnmatch``, with ``ties=True`` and ``covariance="sample"``).
    bias_adjust : bool or sequence of str, default False
        Abadie & Imbens (2011) bias correction: ``True`` adjusts on the matching covariates,
        a list on those columns of the matched frame.
    ties : bool, optional
        Keep units tied with the k-th nearest (default: the match's ``ties``).
    tolerance : float, default 0.0
        With ties, the tolerance on squared standardised distances (``Matching``'s
        ``distance.tolerance``, 1e-5 there); 0 keeps exact ties only (psmatch2). When the
        ties convention differs from the match's, the treated units are re-matched.
    period : optional
        For ``base_year`` matches: the period of the outcome.
    level : float, default 0.95
        Confidence level of the interval.
    covariance : {"pooled", "sample"}, default "pooled"
        Mahalanobis matches only: the covariance of the distance. ``"pooled"`` is the match's
        own (the within-group covariance of psmatch2); ``"sample"`` (the whole sample's
        covariance, Stata ``teffects nnmatch``'s default ``metric(mahalanobis)``) re-matches.

    Returns
    -------
    MatchEffect

    Examples
    --------
    >>> import numpy as np, pandas as pd, pilotdid as pdid
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame({"x": rng.normal(size=400)})
    >>> df["d"] = (df.x + rng.normal(size=400) > 0.8).astype(int)
    >>> df["y"] = 1.0 + df.x + 2.0 * df.d + rng.normal(size=400)
    >>> eff = pdid.match(df, "d", ["x"], panel="pooled").effect("y")
    >>> bool(abs(eff.estimate - 2.0) < 4 * eff.se)
    True
    """
    k = result.spec.k
    if J is None:
        J = 2 if result.spec.distance == "mahalanobis" else 1
    se_type = _check_args(result, estimand, se, J, k)
    f = result.frame
    treated = f["_treated"].to_numpy() == 1
    sample = ~treated | (f["_support"].to_numpy() == 1)
    y = _outcome(result, outcome, period)
    engine_ties = result.spec.ties and result.spec.distance == "pscore"
    use_ties = engine_ties if ties is None else bool(ties)
    tol = float(tolerance) if use_ties else 0.0
    if tol < 0:
        raise MatchingError(f"tolerance={tolerance!r} must be >= 0.")
    validate_option(covariance, MahalanobisCovariance, "covariance", MatchingError)
    if covariance != "pooled" and result.spec.distance != "mahalanobis":
        raise MatchingError(
            f"covariance={covariance!r} sets the Mahalanobis metric, but this match used "
            f"distance={result.spec.distance!r}; match with distance='mahalanobis' or drop it."
        )
    Z, scale = _metric(result, treated, covariance)
    cal = np.inf if result.caliper is None else result.caliper / scale
    it, ic = np.flatnonzero(treated & sample), np.flatnonzero(~treated)
    notes: list[str] = []
    if estimand in ("ATT", "ATE"):
        if use_ties == engine_ties and tol == 0 and covariance == "pooled":
            qa, pa, wa = _engine_pairs(result)
        else:
            qa, pa, wa = _direction(Z, it, ic, k, use_ties, tol, cal)
    if estimand in ("ATC", "ATE"):
        qb, pb, wb = _direction(Z, ic, it, k, use_ties, tol, cal)
    if estimand == "ATT":
        qi, pj, w = qa, pa, wa
    elif estimand == "ATC":
        qi, pj, w = qb, pb, wb
    else:
        qi, pj, w = np.r_[qa, qb], np.r_[pa, pb], np.r_[wa, wb]
    used = np.unique(np.r_[qi, pj])
    if np.isnan(y[used]).any():
        raise MatchingError(
            f"outcome {outcome!r} is missing for {int(np.isnan(y[used]).sum())} matched units; "
            "drop them before matching so that every match has an outcome."
        )
    if len(qi) == 0:
        raise MatchingError("no unit has a match; there is no matching estimate.")
    names: tuple[str, ...] = ()
    Zb = None
    if bias_adjust is not False:
        if se_type == "ai_pscore":
            raise MatchingError(
                "se='ai_pscore' is derived for the simple matching estimator (as teffects "
                "psmatch); drop bias_adjust or use se='ai'."
            )
        names = tuple(result.covariates) if bias_adjust is True else tuple(bias_adjust)
        Zb = _adjust_columns(result, names)
    parts = ai_estimate(y, treated, qi, pj, w, Zb)
    v_std = parts.var_standard()
    if se_type == "standard":
        v = v_std
    elif J == 0:
        v = parts.var_ai(np.full(len(y), parts.homoskedastic_sigma2()), estimand == "ATE")
    else:
        idx = np.flatnonzero(sample)
        s2 = np.zeros(len(y))
        s2[idx] = arm_variances(y[idx], treated[idx], Z[idx], J, tol)
        v = parts.var_ai(s2, estimand == "ATE")
        if se_type == "ai_pscore":
            att = None if estimand == "ATE" else (estimand, parts.estimate, k, use_ties)
            adjustment = _pscore_adjustment(result, y, treated, idx, Z, J, tol, att)
            if not v + adjustment > 0:  # the sample adjustment outweighs the variance (tiny arms)
                raise MatchingError(
                    f"se='ai_pscore': the estimated-score adjustment ({adjustment:.4g}) "
                    f"outweighs the Abadie-Imbens variance ({v:.4g}), so the adjusted "
                    f"variance is not positive; with {int(treated[idx].sum())} treated and "
                    f"{int((~treated[idx]).sum())} control units it cannot be estimated. Use "
                    "se='ai' (the score treated as known)."
                )
            v += adjustment
    if not result.spec.replace:
        notes.append("matching without replacement: every control is used at most once.")
    if result.fits.get(None) is not None and result.spec.distance == "pscore" and se_type == "ai":
        notes.append(
            "the score was estimated; this variance treats it as known (Abadie & Imbens 2016 "
            "show the ATE variance is then conservative; for the ATT the error has either "
            "sign; see se='ai_pscore')."
        )
    return MatchEffect(
        outcome=outcome,
        estimand=estimand,
        estimate=parts.estimate,
        se=float(np.sqrt(v)),
        se_type=se_type,
        J=int(J),
        level=float(level),
        n_focal=parts.n_focal,
        n_matches=len(qi),
        n_used=len(np.unique(pj)),
        k=k,
        ties=_ties_text(use_ties, tol),
        bias_adjust=names,
        se_standard=float(np.sqrt(v_std)),
        notes=tuple(notes),
    )
