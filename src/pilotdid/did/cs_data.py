"""The balanced unit-by-period arrays Callaway–Sant'Anna works on, and every row it leaves out.

:func:`cs_panel` turns a long panel into an outcome matrix ``y`` (units x periods), covariates
``x`` (units x periods x covariates), each unit's adoption period, weight and cluster, following
R ``did``'s preprocessing for panel data (``panel = TRUE``):

1. rows with a missing outcome, covariate, weight or cluster are dropped;
2. the panel is balanced: units not observed in every remaining period are dropped (R ``did``
   does the same, ``BMisc::makeBalancedPanel``);
3. cohorts adopting after the last period are never treated within the sample;
4. with no never-treated unit and ``control_group="notyet"``, the periods from the last
   cohort's adoption (less anticipation) on are dropped and that cohort becomes the comparison.

Each step that removes something is counted and becomes a note of the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pilotdid.errors import EstimationError, PanelError
from pilotdid.panel.adoption import adoption_cohorts, listed

__all__ = ["CsPanel", "cs_panel"]


@dataclass(frozen=True, eq=False)
class CsPanel:
    """A balanced panel as arrays.

    Attributes
    ----------
    y : numpy.ndarray, shape (n, T)
        Outcome of each unit in each period.
    x : numpy.ndarray, shape (n, T, p)
        Covariates (no intercept); ``p = 0`` without covariates.
    periods : numpy.ndarray, shape (T,)
        The periods, increasing.
    cohort : numpy.ndarray, shape (n,)
        Adoption period of each unit; ``inf`` for never treated (in the sample).
    weights : numpy.ndarray, shape (n,)
        Sampling weight of each unit, mean 1.
    cluster : numpy.ndarray of int or None
        Cluster code of each unit (a level coarser than the unit), or None.
    units : pandas.Index
        The units kept, in the order of the rows of ``y``.
    notes : tuple of str
        What was dropped or recoded, counted.
    """

    y: np.ndarray
    x: np.ndarray
    periods: np.ndarray
    cohort: np.ndarray
    weights: np.ndarray
    cluster: np.ndarray | None
    units: pd.Index
    notes: tuple[str, ...]


def _per_unit(values: np.ndarray, n: int, name: str) -> np.ndarray:
    """Return the one value of each unit from a (n, T) matrix; raise if it varies within a unit."""
    matrix = values.reshape(n, -1)
    varying = np.flatnonzero(np.any(matrix != matrix[:, :1], axis=1))
    if varying.size:
        raise PanelError(
            f"att_gt: {name} varies within {varying.size} unit(s); it must be constant within "
            "each unit (R did takes one value per unit)"
        )
    return np.asarray(matrix[:, 0])


def cs_panel(
    data: pd.DataFrame,
    outcome: str,
    *,
    unit: str,
    time: str,
    cohort: str,
    covariates: Sequence[str],
    weights: str | None,
    cluster: str | None,
    control_group: str,
    anticipation: int,
) -> CsPanel:
    """Balance the panel and return its arrays (see the module docstring for the rules).

    Parameters
    ----------
    data : pandas.DataFrame
        The long panel (checked by the caller; never modified).
    outcome, unit, time, cohort : str
        Column names.
    covariates : sequence of str
        Covariate columns.
    weights, cluster : str or None
        Weight and cluster columns (constant within unit).
    control_group : {"never", "notyet"}
        The comparison group.
    anticipation : int
        Periods of anticipation.

    Returns
    -------
    CsPanel

    Raises
    ------
    EstimationError
        No never-treated unit with ``control_group="never"``, a cohort without a period before
        adoption, or too little data left.
    """
    cohorts = adoption_cohorts(data, unit, cohort, time=time)
    used = [outcome, *covariates] + [c for c in (weights, cluster) if c is not None]
    ok = (cohorts.codes >= 0) & data[time].notna().to_numpy()
    ok &= data[used].notna().all(axis=1).to_numpy()
    notes: list[str] = []
    if not ok.all():
        notes.append(f"{int((~ok).sum())} row(s) with a missing value in {', '.join(used)} dropped")
    period_all = pd.to_numeric(data[time], errors="coerce").to_numpy(dtype=float)
    codes = cohorts.codes[ok]
    periods = np.unique(period_all[ok])
    tidx = np.searchsorted(periods, period_all[ok])
    counts = np.bincount(codes, minlength=len(cohorts.units))
    present = counts > 0
    full = counts == len(periods)
    if (present & ~full).any():
        n_rows = int(counts[present & ~full].sum())
        notes.append(
            f"{int((present & ~full).sum())} unit(s) not observed in all {len(periods)} periods "
            f"dropped ({n_rows} rows) to balance the panel, as R did does with panel data"
        )
    g = cohorts.per_unit.copy()
    g[np.isnan(g)] = np.inf
    late = full & np.isfinite(g) & (g > periods[-1])
    if late.any():
        notes.append(
            f"{int(late.sum())} unit(s) adopting after the last period ({periods[-1]:g}) treated "
            "as never treated"
        )
        g[late] = np.inf
    early = full & (g <= periods[0] + anticipation)
    if early.any():
        bad = sorted({float(v) for v in g[early]})
        raise EstimationError(
            f"att_gt: cohort(s) {listed([f'{v:g}' for v in bad])} ({int(early.sum())} unit(s)) "
            f"adopt at or before the first period {periods[0]:g}"
            + (f" plus anticipation={anticipation}" if anticipation else "")
            + ", so they have no pre-treatment period to compare with; drop those units "
            f"(e.g. data[~data[{cohort!r}].between(1, {periods[0] + anticipation:g})])"
        )
    keep_time = np.ones(len(periods), dtype=bool)
    if not np.isinf(g[full]).any():
        last = float(np.max(g[full]))
        if control_group == "never":
            raise EstimationError(
                "att_gt: no never-treated unit (cohort missing, 0 or inf) is left, so "
                "control_group='never' has no comparison group; use control_group='notyet'"
            )
        keep_time = periods < last - anticipation
        notes.append(
            f"no never-treated unit: periods from {last - anticipation:g} on dropped and the last "
            f"cohort ({last:g}, {int((g[full] == last).sum())} units) used as not-yet-treated "
            "comparison, as R did does"
        )
        g[full & (g == last)] = np.inf
    if keep_time.sum() < 2 or not np.isfinite(g[full]).any():
        raise EstimationError(
            "att_gt: fewer than two periods or no treated cohort left after balancing the panel"
        )
    kept_units = np.flatnonzero(full)
    new_code = np.full(len(cohorts.units), -1)
    new_code[kept_units] = np.arange(len(kept_units))
    rows = np.flatnonzero(ok)[full[codes]]
    ucode = new_code[cohorts.codes[rows]]
    n, n_t = len(kept_units), len(periods)
    order = ucode * n_t + tidx[full[codes]]
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    rows = rows[inverse]  # rows in (unit, period) order

    def matrix(column: str) -> np.ndarray:
        return np.asarray(pd.to_numeric(data[column].iloc[rows]).to_numpy(dtype=float))

    y = matrix(outcome).reshape(n, n_t)[:, keep_time]
    x = (
        np.stack([matrix(c).reshape(n, n_t)[:, keep_time] for c in covariates], axis=2)
        if covariates
        else np.zeros((n, int(keep_time.sum()), 0))
    )
    w = (
        np.ones(n)
        if weights is None
        else _per_unit(matrix(weights), n, f"weights column {weights!r}")
    )
    if np.any(w < 0) or not np.sum(w) > 0:
        raise PanelError(f"att_gt: weights column {weights!r} must be non-negative, not all 0")
    clusters = None
    if cluster is not None:
        codes_c = pd.factorize(data[cluster].iloc[rows])[0].astype(float)
        clusters = _per_unit(codes_c, n, f"cluster column {cluster!r}").astype(int)
    return CsPanel(
        y=y,
        x=x,
        periods=periods[keep_time],
        cohort=g[kept_units],
        weights=w / np.mean(w),
        cluster=clusters,
        units=cohorts.units[kept_units],
        notes=tuple(notes),
    )
