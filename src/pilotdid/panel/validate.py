"""Check a unit-by-time panel before estimation and report every problem at once.

:func:`check_panel` never stops at the first problem: it returns a :class:`ValidationReport`
listing the *problems* that make estimation impossible (missing columns, an empty panel,
duplicate unit-time keys, non-numeric columns, inf or -inf in a checked column, a time column
that is not integer-like) and the *notes* the user
should see although they are handled downstream (missing values, gaps, singletons, an
unbalanced panel). All checks are vectorised: a 10-million-row panel takes a few seconds.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.errors import PanelError, did_you_mean
from pilotdid.panel.frames import (
    FIX_NONFINITE,
    N_EXAMPLES,
    count_keys,
    duplicate_text,
    find_nonfinite,
    nonfinite_text,
)
from pilotdid.panel.frames import show as _show
from pilotdid.panel.frames import shown as _examples
from pilotdid.panel.validation_report import PanelIssue, ValidationReport

__all__ = ["PanelIssue", "ValidationReport", "check_panel"]


def check_panel(
    data: pd.DataFrame,
    unit: Hashable,
    time: Hashable,
    *,
    numeric: Iterable[Hashable] = (),
    required: Iterable[Hashable] = (),
) -> ValidationReport:
    """Check a panel for everything that would break or silently change a DID estimate.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel, one row per unit and period. It is never modified.
    unit, time : str
        The unit identifier and the (integer) period columns.
    numeric : iterable of str
        Columns that must be numeric (outcome, controls); their missing values are counted.
    required : iterable of str
        Further columns that must exist (of any type); their missing values are counted.

    Returns
    -------
    ValidationReport
        Every problem and note at once; call ``.raise_if_invalid()`` to fail fast.

    Raises
    ------
    PanelError
        Only when ``data`` is not a DataFrame; every data problem is reported, not raised.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"city": [1, 1, 2, 2, 2], "year": [2015, 2016, 2015, 2015, 2016],
    ...                    "y": ["1.5", "n.a.", "2", "3", "4"]})
    >>> report = check_panel(df, "city", "year", numeric=["y", "gdp"])
    >>> report.ok
    False
    >>> for problem in report.problems:
    ...     print(problem)
    column 'gdp' (numeric) not found in the data
    column 'y' must be numeric but holds text, e.g. 'n.a.'; clean these values or convert with pandas.to_numeric
    1 duplicate (city, year) key(s) in 2 rows, e.g. (2, 2015) x2; keep one row per unit and period
    """
    if not isinstance(data, pd.DataFrame):
        raise PanelError(f"check_panel needs a pandas DataFrame, got {type(data).__name__}.")
    numeric, required = _names(numeric), _names(required)
    problems = _missing_columns(data, unit, time, numeric, required)
    if unit == time:
        problems.append(
            _problem("same_column", f"unit and time are the same column {unit!r}", unit)
        )
    problems += _non_numeric(data, [c for c in numeric if c in data.columns])
    relevant = [c for c in dict.fromkeys([unit, time, *numeric, *required]) if c in data.columns]
    problems += _empty(data) + _non_finite(data, relevant, (unit, time))
    notes = _missing_values(data, relevant)
    shape = _Shape.empty()
    if unit in data.columns and time in data.columns and unit != time:
        problems += _time_not_integer(data[time])
        shape = _shape(data[unit], data[time])
        problems += shape.problems
        notes += shape.notes
    return ValidationReport(
        unit=unit,
        time=time,
        n_rows=len(data),
        n_units=shape.n_units,
        n_periods=shape.n_periods,
        periods=shape.periods,
        balanced=shape.balanced,
        problems=tuple(problems),
        notes=tuple(notes),
    )


def _names(columns: Iterable[Hashable]) -> list[Hashable]:
    # a bare string is one column, not an iterable of one-letter columns
    if isinstance(columns, str):
        return [columns]
    return list(dict.fromkeys(columns))


def _problem(check: str, message: str, column: Hashable = None, **kw: Any) -> PanelIssue:
    return PanelIssue("problem", check, message, column, **kw)


def _note(check: str, message: str, column: Hashable = None, **kw: Any) -> PanelIssue:
    return PanelIssue("note", check, message, column, **kw)


def _missing_columns(
    data: pd.DataFrame,
    unit: Hashable,
    time: Hashable,
    numeric: list[Hashable],
    required: list[Hashable],
) -> list[PanelIssue]:
    roles = {unit: "unit", time: "time"}
    for column in (*numeric, *required):
        roles.setdefault(column, "numeric" if column in numeric else "required")
    pool = [str(c) for c in data.columns]
    return [
        _problem(
            "missing_column",
            f"column {column!r} ({role}) not found in the data{did_you_mean(str(column), pool)}",
            column,
            count=1,
        )
        for column, role in roles.items()
        if column not in data.columns
    ]


def _non_numeric(data: pd.DataFrame, columns: list[Hashable]) -> list[PanelIssue]:
    issues = []
    for column in columns:  # a loop over the few requested columns, never over rows
        series = data[column]
        if pd.api.types.is_numeric_dtype(series):
            continue
        bad = _unparsable(series)
        what = (
            f"holds text, e.g. {_examples(bad, len(bad))}"
            if bad
            else f"is stored as {series.dtype} although its values parse as numbers"
        )
        issues.append(
            _problem(
                "non_numeric",
                f"column {column!r} must be numeric but {what}; clean these values or convert "
                "with pandas.to_numeric",
                column,
                count=len(bad),
                examples=tuple(bad[:N_EXAMPLES]),
            )
        )
    return issues


def _unparsable(series: pd.Series) -> list[Any]:
    """Distinct non-missing values of ``series`` that are not numbers (e.g. "1,234", "n.a.")."""
    distinct = pd.Series(series.dropna().unique())
    if pd.api.types.is_datetime64_any_dtype(distinct) or isinstance(
        distinct.dtype, pd.CategoricalDtype
    ):
        distinct = distinct.astype(object)
    parsed = pd.to_numeric(distinct, errors="coerce")
    return distinct[parsed.isna().to_numpy()].tolist()


def _missing_values(data: pd.DataFrame, columns: list[Hashable]) -> list[PanelIssue]:
    counts = data[columns].isna().sum() if columns else pd.Series(dtype=int)
    return [
        _note(
            "missing_values",
            f"column {column!r} has {int(n):,} missing value(s) ({n / len(data):.1%} of rows); "
            "these rows are dropped from estimates that use it",
            column,
            count=int(n),
        )
        for column, n in counts.items()
        if n > 0
    ]


def _empty(data: pd.DataFrame) -> list[PanelIssue]:
    if len(data):
        return []
    return [
        _problem(
            "empty",
            "the panel is empty (0 rows); check the data file and any filter applied before "
            "the check",
        )
    ]


def _non_finite(
    data: pd.DataFrame, columns: list[Hashable], keys: tuple[Hashable, Hashable]
) -> list[PanelIssue]:
    """One problem per column holding inf or -inf (the rule of :mod:`pilotdid.panel.frames`)."""
    return [
        _problem(
            "non_finite",
            f"{nonfinite_text(data, found, keys)}; {FIX_NONFINITE}",
            found.column,
            count=int(found.positions.size),
            examples=tuple(data.index[found.positions[:N_EXAMPLES]]),
        )
        for found in find_nonfinite(data, columns)
    ]


def _time_not_integer(time: pd.Series) -> list[PanelIssue]:
    distinct = pd.Series(time.dropna().unique())
    if pd.api.types.is_bool_dtype(distinct):
        bad = distinct.tolist()
    elif pd.api.types.is_numeric_dtype(distinct):
        values = distinct.to_numpy(dtype=float)
        # inf and -inf are reported once, by the non-finite check
        bad = distinct[np.isfinite(values) & (values != np.round(values))].tolist()
    else:  # text: values that cannot be read as numbers first (the typo, not '2012')
        unreadable = pd.to_numeric(distinct.astype(object), errors="coerce").isna().to_numpy()
        bad = distinct[unreadable].tolist() + distinct[~unreadable].tolist()
    if not bad:
        return []
    hint = "use .dt.year" if pd.api.types.is_datetime64_any_dtype(time) else "convert it"
    return [
        _problem(
            "time_not_integer",
            f"time column {time.name!r} is not integer-like (e.g. {_examples(bad, len(bad))}); "
            f"{hint} to integer periods such as years",
            time.name,
            count=len(bad),
            examples=tuple(bad[:N_EXAMPLES]),
        )
    ]


@dataclass(frozen=True)
class _Shape:
    """Counts describing the unit x period structure, and the issues found in it."""

    n_units: int
    n_periods: int
    periods: tuple[Any, Any] | None
    balanced: bool
    problems: list[PanelIssue]
    notes: list[PanelIssue]

    @classmethod
    def empty(cls) -> _Shape:
        return cls(0, 0, None, False, [], [])


def _shape(unit: pd.Series, time: pd.Series) -> _Shape:
    counted = count_keys(unit, time)
    units, periods, keys = counted.units, counted.periods, counted.keys
    n_units, n_periods, width = len(units), len(periods), counted.width
    key_unit, key_period = keys // width, keys % width
    problems = []
    duplicated = duplicate_text(counted, (unit.name, time.name))
    if duplicated is not None:
        message, n_keys, examples = duplicated
        problems.append(_problem("duplicate_keys", message, count=n_keys, examples=examples))
    per_unit = np.bincount(key_unit, minlength=n_units)
    balanced = (
        len(keys) == n_units * n_periods
        and not problems
        and bool(counted.complete.all())
        and len(unit) > 0
    )
    notes = _unbalanced(per_unit, n_periods, unit.name) + _gaps(
        key_unit, key_period, per_unit, units, periods, unit.name
    )
    notes += _period_holes(periods, time.name) + _singletons(per_unit, units, unit.name)
    span = (_scalar(periods[0]), _scalar(periods[-1])) if n_periods else None
    return _Shape(n_units, n_periods, span, balanced, problems, notes)


def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _unbalanced(per_unit: np.ndarray, n_periods: int, unit: Hashable) -> list[PanelIssue]:
    short = int((per_unit < n_periods).sum())
    if not short:
        return []
    return [
        _note(
            "unbalanced",
            f"unbalanced panel: {short:,} of {len(per_unit):,} units ({unit!r}) are not observed "
            f"in all {n_periods:,} periods",
            unit,
            count=short,
        )
    ]


def _gaps(
    key_unit: np.ndarray,
    key_period: np.ndarray,
    per_unit: np.ndarray,
    units: pd.Index,
    periods: pd.Index,
    unit: Hashable,
) -> list[PanelIssue]:
    """Units with periods missing between their first and last observation.

    The grid is the set of periods present anywhere in the data, so biennial data has no gaps.
    """
    if not len(key_unit):
        return []
    # keys are sorted by unit then period: each unit's first and last key bound its span
    starts = np.flatnonzero(np.r_[True, key_unit[1:] != key_unit[:-1]])
    ends = np.r_[starts[1:], len(key_unit)] - 1
    span = key_period[ends] - key_period[starts] + 1
    holed = key_unit[starts][span > per_unit[key_unit[starts]]]
    if not len(holed):
        return []
    shown = []
    for code in holed[:N_EXAMPLES]:  # a loop over at most N_EXAMPLES units, for the message only
        seen = key_period[key_unit == code]
        missing = np.setdiff1d(np.arange(seen.min(), seen.max() + 1), seen)
        listed = ", ".join(_show(periods[m]) for m in missing[:N_EXAMPLES])
        shown.append(f"{_show(units[code])} lacks {listed}" + (" ..." if len(missing) > 3 else ""))
    more = "; ..." if len(holed) > N_EXAMPLES else ""
    return [
        _note(
            "gaps",
            f"{len(holed):,} unit(s) have gaps inside their observed span, e.g. "
            f"{'; '.join(shown)}{more}",
            unit,
            count=len(holed),
            examples=tuple(_scalar(units[c]) for c in holed[:N_EXAMPLES]),
        )
    ]


def _period_holes(periods: pd.Index, time: Hashable) -> list[PanelIssue]:
    """Integer periods between the first and last one that no row has (e.g. a skipped year)."""
    if len(periods) < 2 or not pd.api.types.is_numeric_dtype(periods):
        return []
    values = periods.to_numpy(dtype=float)
    if not np.all(np.isfinite(values) & (values == np.round(values))):
        return []
    # the step is the gcd of the spacings, so biennial data (2010, 2012, ...) has no holes
    step = int(np.gcd.reduce(np.diff(values).astype(np.int64)))
    missing = np.setdiff1d(np.arange(values[0], values[-1] + 1, step), values).astype(np.int64)
    if not len(missing):
        return []
    return [
        _note(
            "period_holes",
            f"no row has {time!r} = {_examples(missing, len(missing))}, although the sample runs "
            f"from {int(values[0])} to {int(values[-1])}",
            time,
            count=len(missing),
            examples=tuple(int(m) for m in missing[:N_EXAMPLES]),
        )
    ]


def _singletons(per_unit: np.ndarray, units: pd.Index, unit: Hashable) -> list[PanelIssue]:
    once = np.flatnonzero(per_unit == 1)
    if not len(once):
        return []
    examples = [units[c] for c in once[:N_EXAMPLES]]
    return [
        _note(
            "singletons",
            f"{len(once):,} unit(s) observed in one period only, e.g. "
            f"{_examples(examples, len(once))}; unit fixed effects absorb them (dropped as "
            "singletons)",
            unit,
            count=len(once),
            examples=tuple(_scalar(e) for e in examples),
        )
    ]
