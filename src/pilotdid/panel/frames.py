"""Checks every public function runs on the frame it is given, before any number is computed.

One rule per kind of bad input, implemented once and called at the boundary of every public
function that takes a DataFrame (and by :func:`pilotdid.check_panel`, which lists them all):

- **Not empty**: a frame without rows is an error that says so (not "every row is missing").
- **No ±inf**: a non-finite value (``inf`` or ``-inf``, e.g. read from a CSV cell ``inf`` or
  made by dividing by zero) in any column a function uses is an error naming the column(s),
  counting the rows and listing the first few (unit, time) keys or row labels. It is never
  dropped or turned into a missing value silently: replace such values with NaN to treat them
  as missing, or drop the rows. Missing values (NaN) are not affected by this rule. The one
  exception is an adoption-period (cohort) column, where ``inf`` means never treated (see
  :func:`pilotdid.panel.adoption.adoption_cohorts`); callers leave it out of the columns checked.
- **Unique keys**: wherever a panel is assumed, each (unit, time) pair occurs at most once.

Examples
--------
>>> import numpy as np, pandas as pd
>>> df = pd.DataFrame({"city": [1, 1, 2], "year": [2015, 2016, 2015], "y": [1.0, np.inf, 2.0]})
>>> check_finite(df, ["y"], keys=("city", "year"), where="feols")
Traceback (most recent call last):
...
pilotdid.errors.PanelError: feols: column 'y' holds inf or -inf in 1 row, e.g. (city, year) = (1, 2016); replace them with NaN to treat them as missing (data.replace([np.inf, -np.inf], np.nan)) or drop those rows.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.errors import PanelError

__all__ = [
    "FIX_NONFINITE",
    "N_EXAMPLES",
    "KeyCounts",
    "NonFinite",
    "check_finite",
    "check_frame",
    "check_not_empty",
    "check_periods",
    "check_unique_keys",
    "count_keys",
    "duplicate_text",
    "find_nonfinite",
    "keys_checked",
    "nonfinite_text",
    "show",
    "shown",
]

N_EXAMPLES = 3  # how many offending keys, rows or values a message shows

FIX_NONFINITE = (
    "replace them with NaN to treat them as missing "
    "(data.replace([np.inf, -np.inf], np.nan)) or drop those rows"
)

# a dense unit x period count grid is used when it is at most this many times the row count;
# sparser panels fall back to sorting the keys
_DENSE_FACTOR = 2


def show(value: Any) -> str:
    """Render one value (or key tuple) for a message: text quoted, numpy scalars plain."""
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, tuple):
        return "(" + ", ".join(show(v) for v in value) + ")"
    return repr(value) if isinstance(value, str) else str(value)


def shown(values: Sequence[Any] | np.ndarray, total: int) -> str:
    """Show the first :data:`N_EXAMPLES` values, then ``...`` when there are more than that."""
    text = ", ".join(show(v) for v in list(values)[:N_EXAMPLES])
    return text + (", ..." if total > N_EXAMPLES else "")


def _label(name: Hashable) -> str:
    return str(name)


def check_not_empty(data: pd.DataFrame, where: str) -> None:
    """Raise :class:`PanelError` when ``data`` is not a DataFrame or has no rows."""
    if not isinstance(data, pd.DataFrame):
        raise PanelError(f"{where}: data must be a pandas DataFrame, got {type(data).__name__}.")
    if len(data) == 0:
        raise PanelError(
            f"{where}: the data frame is empty (0 rows); check the file you loaded and any "
            "filter applied before this call."
        )


# --- the ±inf rule ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NonFinite:
    """The rows of one column that hold ``inf`` or ``-inf``.

    Attributes
    ----------
    column : hashable
        The column.
    positions : numpy.ndarray of int
        Positions (0-based, not index labels) of the offending rows.
    """

    column: Hashable
    positions: np.ndarray


def _infinite_mask(series: pd.Series) -> np.ndarray | None:
    """Boolean mask of ±inf values, or ``None`` when the column's type cannot hold them."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        return None  # integers and booleans are finite by construction
    if pd.api.types.is_float_dtype(dtype):
        return np.asarray(np.isinf(series.to_numpy(dtype=np.float64, na_value=np.nan)))
    if pd.api.types.is_object_dtype(dtype):
        return series.isin([np.inf, -np.inf]).to_numpy()
    return None  # text, categorical, datetime: no inf to find


def find_nonfinite(data: pd.DataFrame, columns: Iterable[Hashable]) -> list[NonFinite]:
    """Columns among ``columns`` that hold ±inf, in the order given (absent columns skipped).

    Parameters
    ----------
    data : pandas.DataFrame
        The data (never modified).
    columns : iterable of hashable
        Columns the caller uses; columns not in ``data`` are left to the caller's own check.

    Returns
    -------
    list of NonFinite
        One entry per column with at least one ``inf`` or ``-inf``.
    """
    found = []
    for column in _distinct(columns):  # a loop over the few used columns, never over rows
        if column not in data.columns:
            continue
        series = data[column]
        if isinstance(series, pd.DataFrame):  # a repeated column name: checked copy by copy
            masks = [_infinite_mask(series.iloc[:, j]) for j in range(series.shape[1])]
            mask = np.logical_or.reduce([m for m in masks if m is not None] or [np.zeros(0)])
        else:
            mask = _infinite_mask(series)
        if mask is not None and mask.size and mask.any():
            found.append(NonFinite(column, np.flatnonzero(mask)))
    return found


def _distinct(columns: Iterable[Hashable]) -> list[Hashable]:
    if isinstance(columns, str):  # a bare string is one column, not its letters
        return [columns]
    return [c for c in dict.fromkeys(columns) if c is not None]


def _row_examples(
    data: pd.DataFrame, positions: np.ndarray, keys: tuple[Hashable, Hashable] | None
) -> str:
    """Show the first few offending rows as (unit, time) keys when known, else index labels."""
    first = positions[:N_EXAMPLES]
    if keys is not None and all(k in data.columns for k in keys):
        unit, time = (data[k].to_numpy()[first] for k in keys)
        labels = [(u, t) for u, t in zip(unit, time, strict=True)]
        head = f"({_label(keys[0])}, {_label(keys[1])}) = "
    else:
        labels = list(data.index[first])
        head = "row label(s) "
    return head + shown(labels, positions.size)


def nonfinite_text(
    data: pd.DataFrame, found: NonFinite, keys: tuple[Hashable, Hashable] | None = None
) -> str:
    """One column's part of the message: what, how many rows, which ones."""
    n = int(found.positions.size)
    rows = "row" if n == 1 else "rows"
    return (
        f"column {found.column!r} holds inf or -inf in {n:,} {rows}, e.g. "
        f"{_row_examples(data, found.positions, keys)}"
    )


def check_finite(
    data: pd.DataFrame,
    columns: Iterable[Hashable],
    *,
    keys: tuple[Hashable, Hashable] | None = None,
    where: str = "",
) -> None:
    """Raise :class:`PanelError` when a used column holds ``inf`` or ``-inf``.

    Parameters
    ----------
    data : pandas.DataFrame
        The data (never modified).
    columns : iterable of hashable
        The columns the caller uses. Leave out adoption-period (cohort) columns, where ``inf``
        means never treated.
    keys : tuple of (unit, time), optional
        Columns used to show the offending rows; row index labels are shown otherwise.
    where : str
        The public function, named at the start of the message.

    Raises
    ------
    PanelError
        Naming every offending column with its row count and the first few rows, and how to fix.
    """
    found = find_nonfinite(data, columns)
    if not found:
        return
    prefix = f"{where}: " if where else ""
    parts = "; ".join(nonfinite_text(data, f, keys) for f in found)
    raise PanelError(f"{prefix}{parts}; {FIX_NONFINITE}.")


def check_frame(
    data: pd.DataFrame,
    columns: Iterable[Hashable],
    *,
    where: str,
    keys: tuple[Hashable, Hashable] | None = None,
    unique_keys: bool = False,
    periods: Hashable | None = None,
) -> None:
    """Check a public function's frame: rows, finite used columns, unique keys, whole periods.

    Parameters
    ----------
    data : pandas.DataFrame
        The data (never modified).
    columns : iterable of hashable
        The columns the function uses (cohort columns left out: ``inf`` means never there).
    where : str
        The public function, named in messages.
    keys : tuple of (unit, time), optional
        The panel keys, used to show offending rows.
    unique_keys : bool, default False
        Also require each (unit, time) key at most once (when the function assumes a panel).
    periods : hashable, optional
        A time column that must hold whole periods (see :func:`check_periods`), when the
        function does arithmetic on periods (relative time, adoption dates).

    Raises
    ------
    PanelError
        An empty frame, ±inf in a used column, duplicate (unit, time) keys, or a time column
        with text or fractional periods.
    """
    check_not_empty(data, where)
    check_finite(data, columns, keys=keys, where=where)
    if periods is not None:
        check_periods(data, periods, where=where)
    if unique_keys and keys is not None:
        check_unique_keys(data, keys[0], keys[1], where=where)


def check_periods(data: pd.DataFrame, time: Hashable, *, where: str) -> None:
    """Raise :class:`PanelError` unless ``time`` holds whole numbers (missing values allowed).

    Text (even digits, e.g. ``"2015"`` read as text) and fractional periods (``2015.5``) are
    refused, naming the column, the number of rows and the first few values: relative time and
    adoption dates are computed from periods, and reading such values as missing would drop
    rows silently. Columns absent from ``data`` are left to the caller's own column check.

    Examples
    --------
    >>> df = pd.DataFrame({"year": [2015, 2015.5, 2016.5]})
    >>> check_periods(df, "year", where="event_study")
    Traceback (most recent call last):
    ...
    pilotdid.errors.PanelError: event_study: time column 'year' must hold integer periods (e.g. years); 2 row(s) hold other values, e.g. 2015.5, 2016.5; round or recode them (or drop those rows).
    """
    if time not in data.columns:
        return
    values = data[time]
    if isinstance(values, pd.DataFrame):
        return  # a repeated column name is refused by the callers' own checks
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        present = values[values.notna()]
        if present.empty:
            return
        text = pd.to_numeric(present.astype(object), errors="coerce").isna()
        example = present[text].iloc[0] if text.any() else present.iloc[0]  # unreadable first
        raise PanelError(
            f"{where}: time column {_label(time)!r} must hold integer periods (e.g. years), not "
            f"{values.dtype} values such as {show(example)}; convert it first "
            f"(data[{_label(time)!r}] = pandas.to_numeric(data[{_label(time)!r}]))."
        )
    if pd.api.types.is_integer_dtype(values):
        return
    number = values.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.isfinite(number) & (number != np.round(number))
    if bad.any():
        examples = pd.unique(number[bad])
        raise PanelError(
            f"{where}: time column {_label(time)!r} must hold integer periods (e.g. years); "
            f"{int(bad.sum()):,} row(s) hold other values, e.g. {shown(examples, examples.size)}; "
            "round or recode them (or drop those rows)."
        )


# --- unique (unit, time) keys --------------------------------------------------------------------


@dataclass(frozen=True)
class KeyCounts:
    """The distinct (unit, period) keys of a panel and how often each occurs.

    Attributes
    ----------
    units, periods : pandas.Index
        Distinct units (order of appearance) and periods (sorted when they can be).
    complete : numpy.ndarray of bool, shape (n,)
        Rows with both a unit and a period.
    keys : numpy.ndarray of int
        Distinct ``unit_code * n_periods + period_code`` keys, sorted.
    counts : numpy.ndarray of int
        Rows per key.
    """

    units: pd.Index
    periods: pd.Index
    complete: np.ndarray
    keys: np.ndarray
    counts: np.ndarray

    @property
    def width(self) -> int:
        """The key multiplier (number of periods, at least 1)."""
        return max(len(self.periods), 1)


def _factorize_time(time: pd.Series) -> tuple[np.ndarray, pd.Index]:
    try:
        codes, periods = pd.factorize(time, sort=True)
    except TypeError:  # mixed types that cannot be ordered; still usable for duplicates
        codes, periods = pd.factorize(time)
    return codes, pd.Index(periods)


def count_keys(unit: pd.Series, time: pd.Series) -> KeyCounts:
    """Count the rows of each (unit, time) key in one vectorised pass (10M rows in ~1 s)."""
    ucodes, units = pd.factorize(unit)
    tcodes, periods = _factorize_time(time)
    complete = (ucodes >= 0) & (tcodes >= 0)
    ucodes, tcodes = ucodes[complete], tcodes[complete]
    width = max(len(periods), 1)
    keys = ucodes.astype(np.int64) * width + tcodes
    grid_size = (int(ucodes.max()) + 1) * width if len(ucodes) else 0
    if grid_size <= _DENSE_FACTOR * len(keys) + 1_000_000:
        # one counting pass over a dense grid is ~10x faster than sorting 10M keys
        grid = np.bincount(keys, minlength=grid_size)
        present = np.flatnonzero(grid)
        distinct, counts = present, grid[present]
    else:
        distinct, counts = np.unique(keys, return_counts=True)
    return KeyCounts(pd.Index(units), periods, complete, distinct, counts)


def duplicate_text(
    counted: KeyCounts, names: tuple[Hashable, Hashable]
) -> tuple[str, int, tuple[Any, ...]] | None:
    """Describe duplicate keys: ``(message, n_keys, example keys)``, or ``None`` if there are none."""
    dup = counted.counts > 1
    if not dup.any():
        return None
    n_keys, n_rows = int(dup.sum()), int(counted.counts[dup].sum())
    width = counted.width
    first = counted.keys[dup][:N_EXAMPLES]
    examples = [
        (_scalar(counted.units[k // width]), _scalar(counted.periods[k % width])) for k in first
    ]
    listed = ", ".join(
        f"{show(e)} x{c}" for e, c in zip(examples, counted.counts[dup], strict=False)
    )
    more = ", ..." if n_keys > N_EXAMPLES else ""
    message = (
        f"{n_keys:,} duplicate ({_label(names[0])}, {_label(names[1])}) key(s) in {n_rows:,} "
        f"rows, e.g. {listed}{more}; keep one row per unit and period"
    )
    return message, n_keys, tuple(examples)


def check_unique_keys(data: pd.DataFrame, unit: Hashable, time: Hashable, *, where: str) -> None:
    """Raise :class:`PanelError` listing duplicated (unit, time) keys, if any.

    Columns absent from ``data`` are left to the caller's own column check.
    """
    if unit not in data.columns or time not in data.columns or unit == time:
        return
    if any(frame is data and keys == (unit, time) for frame, keys in _CHECKED.get()):
        return  # checked on entry to keys_checked, and the frame is not modified in between
    found = duplicate_text(count_keys(data[unit], data[time]), (unit, time))
    if found is not None:
        raise PanelError(
            f"{where}: {found[0]} (aggregate the repeats or drop them, e.g. "
            f"data.drop_duplicates([{unit!r}, {time!r}]))."
        )


def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


#: Frames whose (unit, time) keys :func:`keys_checked` has verified, with those keys.
_CHECKED: ContextVar[tuple[tuple[pd.DataFrame, tuple[Hashable, Hashable]], ...]] = ContextVar(
    "pilotdid_keys_checked", default=()
)


@contextmanager
def keys_checked(data: pd.DataFrame, unit: Hashable, time: Hashable) -> Iterator[None]:
    """Check ``data``'s (unit, time) keys once, then skip that check for this frame inside.

    The study pipeline hands the same estimation sample to the placebo test, the event study,
    the staggered estimators and the mechanisms, and each public function checks its keys
    (O(rows) and about 0.1 s per call at 1M rows). Inside this block
    :func:`check_unique_keys` trusts the very same object (``is``, not equality) with the same
    key columns; any other frame, subset or copy is checked as always, and nothing changes
    outside the block. Callers must not modify ``data`` inside it (no public function does).

    Raises
    ------
    PanelError
        The keys repeat (the check itself runs on entry).

    Examples
    --------
    >>> df = pd.DataFrame({"id": [1, 1, 2], "t": [1, 2, 1]})
    >>> with keys_checked(df, "id", "t"):
    ...     check_unique_keys(df, "id", "t", where="f")  # skipped: checked on entry
    >>> with keys_checked(pd.concat([df, df]), "id", "t"):
    ...     pass
    Traceback (most recent call last):
    ...
    pilotdid.errors.PanelError: study: ...
    """
    check_unique_keys(data, unit, time, where="study")
    token = _CHECKED.set((*_CHECKED.get(), (data, (unit, time))))
    try:
        yield
    finally:
        _CHECKED.reset(token)
