"""Assign units (or rows) to the groups of a split-sample analysis (the paper's Table 4).

A group label that responds to the treatment is a *bad control*: splitting at the current value
of R&D after the policy raised R&D moves treated cities into the "high" group because they were
treated, and the group coefficients then compare selected samples. Classifying each unit once,
by its mean before the earliest adoption (``measured="pre"``), keeps group membership fixed and
unaffected by the policy; it also makes the groups unit-level, which the permutation test needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pilotdid.errors import EstimationError, PanelError, did_you_mean
from pilotdid.options import SplitMeasured, SplitRule, validate_option
from pilotdid.panel.adoption import adoption_cohorts

__all__ = ["Grouping", "adoption_periods", "classify", "first_adoption"]


@dataclass(frozen=True, eq=False)
class Grouping:
    """Group of every row of the data.

    Attributes
    ----------
    labels : tuple of str
        Group labels in display order (``("High RD", "Low RD")`` for a median split).
    codes : numpy.ndarray of int, shape (len(data),)
        Group of each data row (position in ``labels``); -1 for rows in no group.
    reference : int
        Group the others are compared with (``Low`` for a median split, the lowest quantile).
    unit_level : bool
        Whether every unit lies in a single group.
    cutpoints : tuple of float
        Thresholds between groups (empty for given labels).
    rule : str
        Plain-language description of the split.
    unit_values : pandas.DataFrame or None
        For ``measured="pre"``: one row per unit with its pre-policy mean ``value`` and ``group``.
    notes : tuple of str
        What the reader should know (excluded units, bad-control caveat).
    """

    labels: tuple[str, ...]
    codes: np.ndarray
    reference: int
    unit_level: bool
    cutpoints: tuple[float, ...]
    rule: str
    unit_values: pd.DataFrame | None
    notes: tuple[str, ...]


def first_adoption(
    data: pd.DataFrame, unit: str, time: str, cohort: str | None, treatment: str | None
) -> float:
    """Earliest adoption period: from the cohort column, or the first period the DID dummy is 1.

    Examples
    --------
    >>> df = pd.DataFrame({"u": [1, 1, 1, 2, 2, 2], "t": [1, 2, 3, 1, 2, 3],
    ...                    "d": [0, 0, 0, 0, 1, 1]})
    >>> first_adoption(df, "u", "t", None, "d")
    2.0
    """
    _need(data, time, "time")
    if cohort is None and (treatment is None or treatment not in data.columns):
        raise EstimationError(
            f"cannot tell the pre-policy period: the treatment {treatment!r} is not a data column; "
            "pass cohort= (the adoption-period column)"
        )
    adopt = adoption_periods(data, unit, time, cohort, treatment).to_numpy(dtype=float)
    adopt = adopt[np.isfinite(adopt)]
    if adopt.size == 0:
        if cohort is not None:
            raise PanelError(
                f"cohort column {cohort!r} marks no treated unit (all missing, 0 or inf)"
            )
        raise EstimationError(f"treatment {treatment!r} is never 1: there is no policy period")
    return float(adopt.min())


def adoption_periods(
    data: pd.DataFrame, unit: str, time: str, cohort: str | None, treatment: str | None
) -> pd.Series:
    """Adoption period of every unit (``inf`` = never treated), from ``cohort`` or the dummy.

    A cohort column is read by :func:`pilotdid.panel.adoption.adoption_cohorts` (missing, 0 or
    +inf mean never treated); without one, a unit adopts in the first period its dummy is 1.
    """
    if cohort is not None:
        _need(data, cohort, "cohort")
        return adoption_cohorts(data, unit, cohort, time=time).series(never=np.inf)
    _need(data, str(treatment), "treatment")
    treated = pd.to_numeric(data[treatment], errors="coerce").to_numpy(dtype=float) > 0
    period = pd.to_numeric(data[time], errors="coerce").astype(float).where(treated, np.inf)
    return period.groupby(data[unit].to_numpy()).min()


def _need(data: pd.DataFrame, column: str, role: str) -> None:
    if column not in data.columns:
        raise PanelError(f"{role} column {column!r} not found{did_you_mean(column, data.columns)}")


def classify(
    data: pd.DataFrame,
    by: str,
    split: SplitRule | Sequence[float],
    measured: SplitMeasured,
    unit: str | None,
    time: str | None,
    first_period: float | None,
) -> Grouping:
    """Split ``data`` into groups by ``by``.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel.
    by : str
        The split variable (numeric, or labels for ``split="column"``).
    split : {"median", "mean", "column"} or sequence of float
        Cut at the median or mean (two groups, high first), at these quantiles (groups
        ``Q1`` lowest ...), or use ``by``'s values as group labels.
    measured : {"pre", "contemporaneous"}
        Classify units by their mean of ``by`` before ``first_period``, or rows by their
        current value.
    unit, time : str or None
        Unit and period columns (needed for ``measured="pre"``).
    first_period : float or None
        Earliest adoption period (``measured="pre"``).

    Returns
    -------
    Grouping
        Group of every row.

    Examples
    --------
    >>> df = pd.DataFrame({"u": [1, 1, 2, 2, 3, 3, 4, 4], "t": [1, 2] * 4,
    ...                    "x": [1.0, 9, 2, 9, 3, 0, 4, 0]})
    >>> g = classify(df, "x", "median", "pre", "u", "t", 2.0)
    >>> g.labels, g.codes.tolist()
    (('High x', 'Low x'), [1, 1, 1, 1, 0, 0, 0, 0])
    """
    _need(data, by, "split")
    if isinstance(split, str):
        validate_option(split, SplitRule, "split", EstimationError)
        if split == "column":
            return _given_labels(data, by, unit)
    validate_option(measured, SplitMeasured, "measured", EstimationError)
    if not pd.api.types.is_numeric_dtype(data[by].dtype):
        raise EstimationError(
            f"split variable {by!r} is not numeric (dtype {data[by].dtype}); convert it, or pass "
            "split='column' to use its values as group labels"
        )
    values = pd.to_numeric(data[by], errors="coerce").astype(float)
    if measured == "pre":
        return _pre_policy(data, by, values, split, unit, time, first_period)
    cuts, labels, reference, rule = _cuts(values.dropna().to_numpy(), split, by, "rows")
    codes = _assign(values.to_numpy(), cuts, split)
    _check_groups(codes, labels, by, "rows")
    note = (
        f"Groups classify each row by its current {by}: if the policy moves {by}, membership "
        "responds to treatment (a bad control); measured='pre' classifies units before adoption."
    )
    return Grouping(labels, codes, reference, False, tuple(cuts), rule, None, (note,))


def _pre_policy(
    data: pd.DataFrame,
    by: str,
    values: pd.Series,
    split: str | Sequence[float],
    unit: str | None,
    time: str | None,
    first_period: float | None,
) -> Grouping:
    if unit is None or time is None or first_period is None:
        raise EstimationError("measured='pre' needs unit= and time= to find the pre-policy rows")
    _need(data, unit, "unit")
    period = pd.to_numeric(data[time], errors="coerce").to_numpy(dtype=float)
    pre = period < first_period
    if not pre.any():
        raise EstimationError(
            f"measured='pre': no period before the first adoption ({first_period:g}); "
            "use measured='contemporaneous'"
        )
    unit_mean = values[pre].groupby(data[unit].to_numpy()[pre]).mean().dropna()
    if unit_mean.empty:
        raise EstimationError(
            f"{by!r} is missing in every pre-policy row (before {first_period:g})"
        )
    what = f"units (by their mean {by} before {first_period:g})"
    cuts, labels, reference, rule = _cuts(unit_mean.to_numpy(), split, by, what)
    unit_codes = pd.Series(_assign(unit_mean.to_numpy(), cuts, split), index=unit_mean.index)
    _check_groups(unit_codes.to_numpy(), labels, by, "units")
    codes = data[unit].map(unit_codes).fillna(-1).to_numpy(dtype=np.int64)
    n_units = data[unit].nunique()
    missing = n_units - unit_mean.size
    notes = [f"{rule}; groups are fixed per unit, unaffected by the policy."]
    if missing:
        notes.append(
            f"{missing} of {n_units} units have no pre-policy value of {by} and are left out."
        )
    table = pd.DataFrame(
        {"value": unit_mean, "group": [labels[c] for c in unit_codes]}, index=unit_mean.index
    )
    table.index.name = unit
    return Grouping(labels, codes, reference, True, tuple(cuts), rule, table, tuple(notes))


def _cuts(
    values: np.ndarray, split: str | Sequence[float], by: str, what: str
) -> tuple[list[float], tuple[str, ...], int, str]:
    """Thresholds, labels, reference group and a description of the split."""
    if values.size == 0:
        raise EstimationError(f"split variable {by!r} has no non-missing value")
    if isinstance(split, str):
        cut = float(np.median(values) if split == "median" else np.mean(values))
        rule = f"{what} split at the {split} of {by} ({cut:.4g}; high: above it)"
        return [cut], (f"High {by}", f"Low {by}"), 1, rule
    probs = _quantile_levels(split)
    cuts = [float(c) for c in np.quantile(values, probs)]
    labels = tuple(f"{by} Q{k + 1}" for k in range(len(cuts) + 1))
    shown = ", ".join(f"{p:g}" for p in probs)
    rule = f"{what} split at the {shown} quantiles of {by} ({', '.join(f'{c:.4g}' for c in cuts)})"
    return cuts, labels, 0, rule


def _quantile_levels(split: Sequence[float]) -> list[float]:
    try:
        probs = [float(p) for p in split]
    except (TypeError, ValueError):
        raise EstimationError(
            f"split={split!r} must be 'median', 'mean', 'column' or a list of quantile levels "
            "such as [0.25, 0.5, 0.75]"
        ) from None
    if not probs or any(not 0 < p < 1 for p in probs) or any(np.diff(probs) <= 0):
        raise EstimationError(
            f"split={split!r}: quantile levels must be increasing numbers strictly between 0 and 1"
        )
    return probs


def _assign(values: np.ndarray, cuts: list[float], split: str | Sequence[float]) -> np.ndarray:
    """Group code of each value (-1 for missing); a value equal to a cut goes to the lower group."""
    position = np.searchsorted(np.asarray(cuts), values, side="left")
    codes = 1 - position if isinstance(split, str) else position  # median/mean: High = 0
    return np.where(np.isnan(values), -1, codes).astype(np.int64)


def _check_groups(codes: np.ndarray, labels: tuple[str, ...], by: str, what: str) -> None:
    counts = np.bincount(codes[codes >= 0], minlength=len(labels))
    filled = int((counts > 0).sum())
    if filled < 2:
        raise EstimationError(
            f"split variable {by!r} gives fewer than two groups ({what}: "
            + ", ".join(f"{lab} {n}" for lab, n in zip(labels, counts, strict=True))
            + "); choose a variable that varies, or another split"
        )
    if filled < len(labels):
        empty = [lab for lab, n in zip(labels, counts, strict=True) if n == 0]
        raise EstimationError(
            f"split of {by!r} leaves group(s) {', '.join(map(repr, empty))} empty (tied cut "
            "points); use fewer quantiles"
        )


def _given_labels(data: pd.DataFrame, by: str, unit: str | None) -> Grouping:
    code, uniques = pd.factorize(data[by], sort=True)
    labels = tuple(str(u) for u in uniques)
    if len(labels) < 2:
        raise EstimationError(
            f"split variable {by!r} gives fewer than two groups ({len(labels)} distinct "
            "non-missing value); split='column' needs at least two labels"
        )
    unit_level = bool(
        unit is not None
        and unit in data.columns
        and (pd.Series(code).groupby(data[unit].to_numpy()).nunique() <= 1).all()
    )
    rule = f"groups given by column {by}"
    return Grouping(labels, code.astype(np.int64), 0, unit_level, (), rule, None, ())
