r"""Borusyak, Jaravel & Spiess (2024) imputation estimator of staggered DID.

1. Fit :math:`Y_{it}(0) = \alpha_i + \lambda_t + X_{it}'\delta` by OLS on the untreated
   observations :math:`\Omega_0` (never treated, and not yet treated), absorbing the fixed
   effects exactly (:class:`pilotdid.estimation.demean.Absorber`).
2. Impute :math:`\hat Y_{it}(0)` for the treated observations :math:`\Omega_1` and take
   :math:`\hat\tau_{it} = Y_{it} - \hat Y_{it}(0)`.
3. Average them: by horizon :math:`h = t - G_i` and overall, with equal weights over treated
   observations or the user's weights :math:`w_{it}`.

Each estimate is linear in the outcomes, :math:`\hat\tau_w = \sum_{\Omega_1} w_{it}Y_{it} +
\sum_{\Omega_0} v_{it}Y_{it}`, with imputation weights :math:`v = -Z_0(Z_0'Z_0)^{+}Z_1'w`
obtained from one solve of the fixed effects' normal equations per estimand and the
Frisch-Waugh-Lovell step for the controls. The conservative variance of BJS Theorem 3 is
:math:`\sum_c (\sum_{it \in c} v_{it}\tilde\varepsilon_{it})^2` over clusters :math:`c`, with the
first-stage residuals on :math:`\Omega_0` and :math:`\hat\tau_{it} - \tilde\tau_{g,h}` on
:math:`\Omega_1`, where :math:`\tilde\tau_{g,h} = \sum v^2\hat\tau / \sum v^2` within each cohort ×
horizon cell (Stata ``did_imputation``'s default ``avgeffectsby``, R ``didimputation``); no
leave-one-out correction, no small-sample factor.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from pilotdid.did._imputation_core import cluster_sums, identification_problem, lead_scores
from pilotdid.did._rollout import read_rollout
from pilotdid.did.imputation_reference import pre_loading
from pilotdid.did.imputation_result import ImputationResult
from pilotdid.errors import EstimationError, PilotdidWarning
from pilotdid.estimation.demean import Absorber, make_absorber
from pilotdid.estimation.feols import feols
from pilotdid.estimation.fixef import FixedEffects, encode_factors
from pilotdid.estimation.formula import (
    build_formula,
    cluster_argument,
    fixef_columns,
    fixef_terms,
)
from pilotdid.estimation.result import FeolsResult

__all__ = ["did_imputation"]


def did_imputation(
    data: pd.DataFrame,
    outcome: str,
    *,
    unit: str,
    time: str,
    cohort: str,
    controls: Sequence[str] = (),
    fixef: Sequence[str] | None = None,
    horizons: Sequence[int] | None = None,
    pretrends: int | None = None,
    weights: str | None = None,
    cluster: str | None = None,
) -> ImputationResult:
    """Estimate treatment effects by imputation (Borusyak, Jaravel & Spiess 2024).

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (never modified); unbalanced panels are fine.
    outcome : str
        Outcome column.
    unit, time : str
        Unit and period columns.
    cohort : str
        Adoption period of each unit; missing, 0 or +inf mean never treated.
    controls : sequence of str
        Time-varying controls of the untreated-outcome model.
    fixef : sequence of str, optional
        Fixed effects of the untreated-outcome model; default ``[unit, time]``.
    horizons : sequence of int, optional
        Horizons (periods since adoption, ``>= 0``) to estimate; default every observed one.
        The overall ATT always averages every treated observation.
    pretrends : int, optional
        Number of leads in the pre-trend test: on the untreated observations, regress the
        outcome on indicators of 1..``pretrends`` periods before adoption (and the model's
        fixed effects and controls); their joint F test is ``pretrend_test()``.
    weights : str, optional
        Non-negative weights of the treated observations in every average (Stata's ``wtr``);
        default equal weights. The untreated-outcome regression is unweighted.
    cluster : str, optional
        Cluster column of the standard errors (units must be nested in it); default the unit.

    Returns
    -------
    ImputationResult
        Effects by horizon and overall, their full covariance, the per-observation effects and
        the pre-trend regression.

    Raises
    ------
    EstimationError
        A treated unit without an untreated period, a period without an untreated unit (the
        fixed effects of a treated observation are not identified), or bad options.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"unit": np.repeat(np.arange(60), 8), "year": np.tile(np.arange(8), 60)})
    >>> df["g"] = np.select([df["unit"] < 20, df["unit"] < 40], [4, 6], np.nan)
    >>> effect = np.where(df["year"] >= df["g"], 1 + df["year"] - df["g"], 0.0)
    >>> df["y"] = effect + rng.normal(size=len(df))
    >>> bjs = did_imputation(df, "y", unit="unit", time="year", cohort="g", pretrends=2)
    >>> bjs.tidy().index.tolist()
    [-2, -1, 0, 1, 2, 3]
    """
    fes = list(fixef) if fixef is not None else [unit, time]
    if not fes:
        raise EstimationError("did_imputation needs fixed effects, e.g. fixef=[unit, time]")
    cluster_col = cluster if cluster is not None else unit
    used = [outcome, *controls, *fixef_columns(fes), cluster_col, weights]
    roll = read_rollout(
        data, unit=unit, time=time, cohort=cohort, used=used, where="did_imputation"
    )
    n_leads = _check_pretrends(pretrends)
    rel = roll.rel_time
    model_cols = [outcome, *controls, *fixef_columns(fes), cluster_col]
    complete = data[list(dict.fromkeys(model_cols))].notna().all(axis=1).to_numpy()
    treated_all = rel >= 0
    if weights is not None:
        w_all = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float)
        bad = treated_all & complete & ~(w_all >= 0)
        if bad.any():
            raise EstimationError(
                f"did_imputation: weights {weights!r} must be non-negative and present on every "
                f"treated observation; {int(bad.sum()):,} are not"
            )
    keep = complete
    frame = data.loc[keep]
    rel, period = rel[keep], roll.period[keep]
    treated = rel >= 0
    if not treated.any():
        raise EstimationError("did_imputation: no treated observation (period >= adoption) left")
    fe = encode_factors(frame, tuple(fes))
    problem = identification_problem(fe, treated, frame, fes)
    if problem:
        raise EstimationError(f"did_imputation of {outcome!r}: {problem}")
    y = frame[outcome].to_numpy(dtype=float)
    x = frame[list(controls)].to_numpy(dtype=float) if controls else np.zeros((len(y), 0))
    omega0 = np.flatnonzero(~treated)
    omega1 = np.flatnonzero(treated)
    fe0 = FixedEffects(fe.names, tuple(c[omega0] for c in fe.codes), fe.n_levels)
    absorber = make_absorber(fe0)
    tilde = absorber.demean(np.column_stack([y[omega0], x[omega0]]))
    y_t, x_t = tilde[:, 0], tilde[:, 1:]
    delta, xtx_inv = _control_slopes(x_t, y_t, list(controls))
    z0 = y[omega0] - x[omega0] @ delta
    coefs = absorber.coefficients(
        [cluster_sums(c[omega0], k, z0) for c, k in zip(fe.codes, fe.n_levels, strict=True)]
    )
    fitted = sum(cf[c] for cf, c in zip(coefs, fe.codes, strict=True))
    y0_hat = x @ delta + fitted
    resid0 = (y - y0_hat)[omega0]
    tau = (y - y0_hat)[omega1]

    # estimands: one column per horizon, then the overall ATT
    h = rel[omega1].astype(int)
    wanted = _horizons(horizons, h)
    w1 = np.ones(omega1.size) if weights is None else w_all[keep][omega1]
    col = np.searchsorted(wanted, h)
    in_h = (col < wanted.size) & (wanted[np.minimum(col, wanted.size - 1)] == h)
    W = np.zeros((omega1.size, wanted.size + 1))
    W[np.flatnonzero(in_h), col[in_h]] = w1[in_h]
    W[:, -1] = w1
    totals = W.sum(axis=0)
    if (totals <= 0).any():
        empty = [int(v) for v, t in zip(wanted, totals[:-1], strict=False) if t <= 0]
        raise EstimationError(
            f"did_imputation: the weights {weights!r} are zero on every treated observation "
            f"at horizon(s) {empty or 'overall'}; drop those horizons"
        )
    W /= totals
    # imputation weights of the untreated observations, v0 = -Z0 (Z0'Z0)^+ Z1'W
    uc = absorber.coefficients(
        [cluster_sums(c[omega1], k, W) for c, k in zip(fe.codes, fe.n_levels, strict=True)]
    )
    u0 = sum(cf[c[omega0]] for cf, c in zip(uc, fe.codes, strict=True))
    v0 = -np.asarray(u0)
    if x.shape[1]:
        v0 -= x_t @ (xtx_inv @ (x[omega1].T @ W - x[omega0].T @ np.asarray(u0)))
    estimates = W.T @ y[omega1] + v0.T @ y[omega0]
    pre_periods, loading = pre_loading(rel[omega0], v0)

    # conservative variance (BJS Theorem 3), clustered
    clusters = pd.factorize(frame[cluster_col])[0]
    n_clusters = int(clusters.max()) + 1
    if cluster_col != unit and frame.groupby(unit, sort=False)[cluster_col].nunique().max() > 1:
        raise EstimationError(
            f"did_imputation: units must be nested in the clusters, but some {unit!r} units "
            f"span several {cluster_col!r} values; cluster by {unit!r} or a coarser column"
        )
    g1 = (period[omega1] - h).astype(np.int64)
    _, cell = np.unique((g1 - g1.min()) * (int(h.max()) + 1) + h, return_inverse=True)
    n_cells = int(cell.max()) + 1
    num, den = cluster_sums(cell, n_cells, W**2 * tau[:, None]), cluster_sums(cell, n_cells, W**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau_cell = np.where(den > 0, num / den, 0.0)
    eps1 = tau[:, None] - tau_cell[cell]
    scores = cluster_sums(clusters[omega1], n_clusters, W * eps1)
    scores += cluster_sums(clusters[omega0], n_clusters, v0 * resid0[:, None])

    lead_fit, lead_periods, lead_est, lead_scores_ = None, np.zeros(0, dtype=int), np.zeros(0), None
    leads_identified = True
    if n_leads:
        lead_fit, lead_periods, lead_est, lead_scores_, leads_identified = _pretrend(
            frame, outcome, list(controls), fes, cluster_col, rel, omega0, n_leads,
            absorber, tilde, clusters, n_clusters,
        )  # fmt: skip
    effects = pd.Series(tau, index=frame.index[omega1], name="tau")
    return ImputationResult.build(
        outcome=outcome,
        horizons=wanted,
        estimates=estimates,
        scores=scores,
        lead_periods=lead_periods,
        lead_estimates=lead_est,
        lead_scores=lead_scores_,
        pretrend_fit=lead_fit,
        effects=effects,
        n_treated=int(omega1.size),
        n_untreated=int(omega0.size),
        n_clusters=n_clusters,
        cluster=cluster_col,
        fixef=tuple(fes),
        dropped={"missing": int((~complete).sum())},
        pre_periods=pre_periods,
        pre_loading=loading if unit in fes else None,
        leads_identified=leads_identified,
    )


def _check_pretrends(pretrends: int | None) -> int:
    if pretrends is None:
        return 0
    if isinstance(pretrends, bool) or not isinstance(pretrends, int | np.integer) or pretrends < 0:
        raise EstimationError(
            f"pretrends={pretrends!r} must be a non-negative integer (the number of leads tested)"
        )
    return int(pretrends)


def _horizons(horizons: Sequence[int] | None, observed: np.ndarray) -> np.ndarray:
    present = np.unique(observed)
    if horizons is None:
        return present
    try:
        wanted = np.unique(np.asarray([int(v) for v in horizons], dtype=int))
    except (TypeError, ValueError):
        raise EstimationError(f"horizons={horizons!r} must be whole numbers >= 0") from None
    missing = [int(v) for v in wanted if v not in present]
    if wanted.size == 0 or missing or (wanted < 0).any():
        raise EstimationError(
            f"horizons={list(horizons)!r}: treated observations are seen at horizons "
            f"{int(present.min())}..{int(present.max())}; {missing or 'none given'} not among them"
        )
    return wanted


def _control_slopes(
    x_t: np.ndarray, y_t: np.ndarray, controls: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Slopes of the controls on the untreated observations and ``(X~'X~)^-1``."""
    if not controls:
        return np.zeros(0), np.zeros((0, 0))
    xtx = x_t.T @ x_t
    scale = np.sqrt(np.diag(xtx))
    flat = scale <= 1e-9 * max(1.0, float(np.abs(x_t).max(initial=0.0))) * np.sqrt(len(y_t))
    rank = np.linalg.matrix_rank(xtx / np.outer(scale + flat, scale + flat))
    if flat.any() or rank < len(controls):
        names = [c for c, f in zip(controls, flat, strict=True) if f] or controls
        raise EstimationError(
            f"did_imputation: control(s) {names} are collinear with the fixed effects or each "
            "other on the untreated observations; drop them"
        )
    inv = np.linalg.inv(xtx)
    return inv @ (x_t.T @ y_t), inv


def _pretrend(
    frame: pd.DataFrame,
    outcome: str,
    controls: list[str],
    fes: list[str],
    cluster_col: str,
    rel: np.ndarray,
    omega0: np.ndarray,
    n_leads: int,
    absorber: Absorber,
    tilde: np.ndarray,
    clusters: np.ndarray,
    n_clusters: int,
) -> tuple[FeolsResult, np.ndarray, np.ndarray, np.ndarray, bool]:
    """Fit the lead regression on the untreated rows.

    Returns the feols fit, the identified lead periods with their estimates and scores, and
    whether every regressor of the lead regression was identified.
    """
    rel0 = rel[omega0]
    periods = np.array([-k for k in range(n_leads, 0, -1) if (rel0 == -k).any()], dtype=int)
    if periods.size == 0:
        raise EstimationError(
            f"did_imputation: pretrends={n_leads} but no treated unit is observed in the "
            f"{n_leads} period(s) before adoption"
        )
    names = [f"lead{-k}" for k in periods]
    prefix = ""
    while any(prefix + n in frame.columns for n in names):
        prefix += "_"
    names = [prefix + n for n in names]
    leads = (rel0[:, None] == periods[None, :]).astype(float)
    sub = frame.iloc[omega0]
    sub = pd.concat([sub, pd.DataFrame(leads, index=sub.index, columns=names)], axis=1)
    fml = build_formula(outcome, [*names, *controls], fixef_terms(fes))
    with warnings.catch_warnings():  # a dropped lead is named below, in the estimator's words
        warnings.filterwarnings(
            "ignore", message=".*dropped collinear regressor", category=PilotdidWarning
        )
        fit = feols(fml, sub, vcov=cluster_argument([cluster_col]))
    identified = len(fit.names) == len(names) + len(controls)
    kept = np.array([n in fit.names for n in names])
    if not kept.all():
        # a lead collinear with the fixed effects (no never-treated unit, or a lead for every
        # pre-period) is not identified: report only the identified ones, as the feols fit does
        dropped = ", ".join(f"t{int(k)}" for k in periods[~kept])
        warnings.warn(
            f"did_imputation: the pre-trend lead(s) {dropped} are collinear with the fixed "
            "effects on the untreated observations (no never-treated unit, or a lead for every "
            "pre-period) and are left out of the pre-trend test; ask for fewer pretrends",
            PilotdidWarning,
            stacklevel=3,
        )
        periods, leads = periods[kept], leads[:, kept]
    estimates, scores = lead_scores(absorber, leads, tilde, clusters[omega0], n_clusters)
    return fit, periods, estimates, scores, identified
