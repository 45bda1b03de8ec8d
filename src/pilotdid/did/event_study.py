"""Event study (dynamic DID): leads and lags of adoption, a parallel-trends test and its figure."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pilotdid.did.event_study_result import EventStudyResult
from pilotdid.did.staggered import design_from_arrays, warn_if_staggered
from pilotdid.errors import EstimationError, PanelError, did_you_mean
from pilotdid.estimation.feols import VcovSpec, feols, parse_vcov
from pilotdid.estimation.formula import (
    build_formula,
    cluster_argument,
    fixef_columns,
    fixef_terms,
)
from pilotdid.options import deprecated_arguments
from pilotdid.panel.adoption import Cohorts, adoption_cohorts
from pilotdid.panel.frames import check_frame
from pilotdid.panel.identification import did_design_problem

__all__ = ["event_study", "relative_time_dummies"]


def _dummy_name(k: int) -> str:
    return f"rel_m{-k}" if k < 0 else f"rel_p{k}"


def relative_time_dummies(
    rel_time: pd.Series, window: tuple[int, int], ref: int, bin_endpoints: bool
) -> tuple[pd.DataFrame, pd.Series]:
    """Relative-time indicators for treated rows, reference period omitted.

    Parameters
    ----------
    rel_time : pandas.Series
        Period minus adoption period; missing for never-treated units (all their dummies are 0).
    window : tuple of int
        ``(lo, hi)`` with ``lo < 0 <= hi``.
    ref : int
        Omitted reference period inside the window (usually -1).
    bin_endpoints : bool
        Fold periods before ``lo`` into ``lo`` and after ``hi`` into ``hi``; otherwise those rows
        are flagged for removal.

    Returns
    -------
    tuple
        The dummies (columns ``rel_m3``, ..., ``rel_p2``) and a boolean Series marking rows kept.

    Examples
    --------
    >>> dummies, keep = relative_time_dummies(pd.Series([-3.0, -1, 0, None]), (-2, 1), -1, True)
    >>> dummies.columns.tolist()
    ['rel_m2', 'rel_p0', 'rel_p1']
    >>> dummies["rel_m2"].tolist()
    [1.0, 0.0, 0.0, 0.0]
    """
    lo, hi = window
    values = pd.to_numeric(rel_time, errors="coerce").to_numpy(dtype=float)
    treated = ~np.isnan(values)
    clipped = np.clip(values, lo, hi) if bin_endpoints else values
    keep = ~treated | ((values >= lo) & (values <= hi)) | bin_endpoints
    periods = [k for k in range(lo, hi + 1) if k != ref]
    columns = {_dummy_name(k): (treated & (clipped == k)).astype(float) for k in periods}
    return pd.DataFrame(columns, index=rel_time.index), pd.Series(keep, index=rel_time.index)


@deprecated_arguments(
    (
        "data", "outcome", "unit", "time", "cohort", "controls", "window", "ref",
        "bin_endpoints", "vcov", "weights", "fixef",
    )
)  # fmt: skip
def event_study(
    data: pd.DataFrame,
    outcome: str,
    *,
    unit: str,
    time: str,
    cohort: str,
    controls: Sequence[str] = (),
    fixef: Sequence[str] | None = None,
    window: tuple[int, int] = (-4, 3),
    ref: int = -1,
    bin_endpoints: bool = True,
    vcov: VcovSpec = None,
    weights: str | None = None,
) -> EventStudyResult:
    r"""Estimate leads and lags of adoption: :math:`y = \sum_{k \ne ref} \beta_k D^k_{it} + X\gamma + \mu_i + \lambda_t`.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (never modified).
    outcome : str
        Outcome column.
    unit, time : str
        Unit and period columns.
    cohort : str
        Adoption period of each unit, constant within unit. Missing, 0 or +inf mean never
        treated (see :func:`pilotdid.panel.adoption.adoption_cohorts`); never-treated units keep
        all their rows, with every dummy 0, with or without ``bin_endpoints``.
    controls : sequence of str
        Control variables.
    fixef : sequence of str, optional
        Fixed effects; default ``[unit, time]``.
    window : tuple of int, default (-4, 3)
        First lead and last lag estimated.
    ref : int, default -1
        Omitted reference period (the coefficients are relative to it).
    bin_endpoints : bool, default True
        Accumulate periods beyond the window into the end bins; otherwise drop those rows
        (counted in the result).
    vcov : str or dict, optional
        Variance estimator; default clustered by unit.
    weights : str, optional
        Analytic weights column.

    Returns
    -------
    EventStudyResult
        Coefficients by relative period, the joint pre-trend Wald test and a figure. Relative
        periods whose dummy is collinear (e.g. with the fixed effects) are listed in
        ``collinear`` and shown as NaN rows by ``tidy()``.

    Raises
    ------
    PanelError
        An empty frame, inf or -inf in a used column, duplicate (unit, time) keys, or a cohort
        column that breaks the never-treated rule.

    Warns
    -----
    StaggeredAdoptionWarning
        When more than one cohort adopts inside the panel: TWFE leads and lags are then biased
        by heterogeneous effects; the message gives the Goodman-Bacon share of forbidden
        comparisons (balanced panels) and names the robust estimators.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"unit": np.repeat(np.arange(40), 8), "year": np.tile(np.arange(8), 40)})
    >>> df["cohort"] = np.where(df["unit"] < 15, 5.0, np.nan)
    >>> df["y"] = 0.5 * (df["year"] >= df["cohort"]) + rng.normal(size=len(df))
    >>> es = event_study(df, "y", unit="unit", time="year", cohort="cohort", window=(-3, 2))
    >>> es.tidy().index.tolist()
    [-3, -2, -1, 0, 1, 2]
    """
    _check_columns(data, [outcome, unit, time, cohort, *controls])
    fes = list(fixef) if fixef is not None else [unit, time]
    vcov = vcov if vcov is not None else cluster_argument([unit])
    used = [outcome, unit, time, *controls, *fixef_columns(fes), *parse_vcov(vcov, fes)[1], weights]
    # the cohort column is left out: +inf there means never treated
    check_frame(data, used, where="event_study", keys=(unit, time), unique_keys=True, periods=time)
    lo, hi = _check_window(window, ref)
    cohorts = adoption_cohorts(data, unit, cohort, time=time)
    adoption = cohorts.per_row  # NaN = never treated
    period = pd.to_numeric(data[time], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    _check_design(cohorts, period, f"1[{time} >= {cohort}]", outcome)
    regression_rows = data[[outcome, *controls]].notna().all(axis=1).to_numpy()
    design = design_from_arrays(cohorts.codes, cohorts.per_unit, period, regression_rows)
    warn_if_staggered(design, where="event_study", stacklevel=3)  # once, before estimating
    rel = pd.Series(period - adoption, index=data.index)
    _check_window_fits(rel, (lo, hi), cohort)
    dummies, keep = relative_time_dummies(rel, (lo, hi), ref, bin_endpoints)
    prefix = ""  # dummy names that no data column has (a column may be called rel_p0)
    while any(f"{prefix}{c}" in data.columns for c in dummies.columns):
        prefix += "_"
    dummies = dummies.add_prefix(prefix)
    frame = pd.concat([data.loc[keep.to_numpy()], dummies.loc[keep.to_numpy()]], axis=1)
    fml = build_formula(outcome, [*dummies.columns, *controls], fixef_terms(fes))
    fit = feols(fml, frame, vcov=vcov, weights=weights)
    periods = {prefix + _dummy_name(k): k for k in range(lo, hi + 1) if k != ref}
    estimated = set(fit.coef().index)
    return EventStudyResult(
        fit=fit,
        periods=periods,
        ref=ref,
        window=(lo, hi),
        bin_endpoints=bin_endpoints,
        dropped_outside_window=int((~keep).sum()),
        outcome=outcome,
        collinear=tuple(k for name, k in periods.items() if name not in estimated),
    )


def _check_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    if not isinstance(data, pd.DataFrame):
        raise PanelError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    for column in columns:
        if column not in data.columns:
            raise PanelError(f"column {column!r} not found{did_you_mean(column, data.columns)}")


def _check_design(cohorts: Cohorts, period: np.ndarray, indicator: str, outcome: str) -> None:
    """Refuse a design without a comparison group or without pre/post periods, naming the cause."""
    n_units = len(cohorts.units)
    first, last = np.full(n_units, np.inf), np.full(n_units, -np.inf)
    seen = (cohorts.codes >= 0) & np.isfinite(period)
    np.minimum.at(first, cohorts.codes[seen], period[seen])
    np.maximum.at(last, cohorts.codes[seen], period[seen])
    problem = did_design_problem(
        cohorts.per_unit, first, last, units=cohorts.units.to_numpy(), unit=str(cohorts.units.name),
        treatment=indicator,
    )  # fmt: skip
    if problem:
        raise EstimationError(f"event study of {outcome!r}: {problem}")


def _check_window(window: tuple[int, int], ref: int) -> tuple[int, int]:
    try:
        lo, hi = (int(v) for v in window)
    except (TypeError, ValueError):
        raise EstimationError(
            f"window={window!r} must be two integers (first lead, last lag), e.g. (-4, 3)"
        ) from None
    if not lo < 0 <= hi:
        raise EstimationError(
            f"window={window!r} must satisfy first lead < 0 <= last lag, e.g. (-4, 3)"
        )
    if not lo <= ref <= hi or ref == 0:
        raise EstimationError(
            f"ref={ref} must be a pre-period inside the window {window}, usually -1"
        )
    return lo, hi


def _check_window_fits(rel: pd.Series, window: tuple[int, int], cohort: str) -> None:
    observed = rel.dropna()
    if observed.empty:
        raise EstimationError(
            f"cohort column {cohort!r} marks no treated unit observed in the data"
        )
    first, last = int(observed.min()), int(observed.max())
    if window[0] < first or window[1] > last:
        raise EstimationError(
            f"window {window} is wider than the data: treated units are observed from {first} to "
            f"{last} periods relative to adoption; choose a window inside ({first}, {last})"
        )
