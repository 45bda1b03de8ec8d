"""Read an adoption map (unit -> adoption period) and align it to a panel's units.

The map can be a dict, a pandas Series indexed by unit or a column of the panel. Adoption
periods of NaN, ``None``, ``""``, 0 or +inf mean never treated: the one rule, documented and
implemented by :func:`adoption_cohorts`, which every reader of a cohort column calls. Roster keys written as text
(``"520100"``) are matched to integer unit ids (``520100``), and the other way round, when that
is unambiguous; conflicting duplicate entries are an error.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.errors import PanelError, did_you_mean

__all__ = [
    "Adoption",
    "Cohorts",
    "Roster",
    "adoption_cohorts",
    "as_int64",
    "listed",
    "plain",
    "read_roster",
    "require_columns",
    "unit_cohorts",
]

N_SHOWN = 5  # how many units a message lists before "..."

Adoption = Mapping[Any, Any] | pd.Series | str


@dataclass(frozen=True, eq=False)
class Cohorts:
    """Each unit's adoption period under the one never-treated rule (:func:`adoption_cohorts`).

    Attributes
    ----------
    codes : numpy.ndarray of int, shape (n,)
        Position of each row's unit in ``units``; -1 for a row without a unit.
    units : pandas.Index
        Distinct units, in order of first appearance.
    per_unit : numpy.ndarray of float, shape (len(units),)
        Adoption period of each unit, NaN for never treated.
    """

    codes: np.ndarray
    units: pd.Index
    per_unit: np.ndarray

    @property
    def per_row(self) -> np.ndarray:
        """Adoption period of each row's unit, shape ``(n,)``; NaN for never treated."""
        padded = np.append(self.per_unit, np.nan)  # code -1 (no unit) reads the NaN at the end
        return np.asarray(padded[self.codes])

    def series(self, never: float = np.nan) -> pd.Series:
        """Adoption period per unit as a float Series indexed by unit, ``never`` for never."""
        values = np.where(np.isnan(self.per_unit), never, self.per_unit)
        return pd.Series(values, index=self.units)


def adoption_cohorts(
    data: pd.DataFrame, unit: Hashable, cohort: Hashable, *, time: Hashable | None = None
) -> Cohorts:
    """One adoption period per unit from a cohort column: the one never-treated rule.

    Every part of pilotdid that reads an adoption (cohort) column reads it here
    (:func:`pilotdid.assign_treatment`, :func:`pilotdid.event_study`, :func:`pilotdid.placebo`,
    :func:`pilotdid.heterogeneity`), so they agree on who is treated when:

    - a missing value (NaN, ``None``, empty text), ``0`` or ``+inf`` means **never treated**
      (the conventions of Stata/``csdid``, R's ``did`` and ``fixest::sunab`` all work);
    - ``0`` means never treated only when 0 is not a period of ``time``: with periods numbered
      from 0, a cohort of 0 is ambiguous and raises (code never-treated units as missing);
    - ``-inf`` and fractional periods are errors, and so is a column that varies within a unit.

    The ±inf rule of :mod:`pilotdid.panel.frames` (inf in a used column is an error) does not
    apply to cohort columns, where ``+inf`` is a valid way to write "never".

    Parameters
    ----------
    data : pandas.DataFrame
        The panel; never modified.
    unit : str
        The unit column.
    cohort : str
        Column holding each unit's adoption period, constant within unit.
    time : str, optional
        The period column; when given, a cohort of 0 is refused if 0 is one of its periods.

    Returns
    -------
    Cohorts
        Row-to-unit codes, the units and each unit's adoption period (NaN = never treated).

    Raises
    ------
    PanelError
        When a column is missing, a period is not a whole number, -inf appears, a cohort of 0
        is ambiguous, or the column varies within a unit (listing such units and their values).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"city": [1, 1, 2, 2, 3], "g": [2016, 2016, 0, 0, np.inf]})
    >>> adoption_cohorts(df, "city", "g").per_unit.tolist()
    [2016.0, nan, nan]
    """
    require_columns(data, [unit, cohort] + ([] if time is None else [time]))
    codes, units = pd.factorize(data[unit])
    valid = codes >= 0
    zero_is_period = time is not None and _has_period_zero(data[time])
    periods = _adoption_periods(
        data[cohort][valid], f"column {cohort!r}", zero_is_period=zero_is_period, time=time
    )
    # never-treated -> -inf so one min/max per unit detects any variation, NaN included
    filled = pd.Series(np.where(np.isnan(periods), -np.inf, periods))
    bounds = filled.groupby(codes[valid]).agg(["min", "max"])
    varying = np.flatnonzero(bounds["min"].to_numpy() != bounds["max"].to_numpy())
    if len(varying):
        raise PanelError(_varying_message(varying, codes[valid], units, periods, unit, cohort))
    per_unit = np.full(len(units), np.nan)
    per_unit[bounds.index.to_numpy()] = bounds["min"].replace(-np.inf, np.nan).to_numpy()
    return Cohorts(codes, pd.Index(units, name=unit), per_unit)


def unit_cohorts(
    data: pd.DataFrame, unit: Hashable, cohort_col: Hashable, *, time: Hashable | None = None
) -> pd.Series:
    """One adoption period per unit, from a column that is constant within unit.

    The never-treated rule is that of :func:`adoption_cohorts`: missing, 0 or +inf mean never.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel; never modified.
    unit : str
        The unit column.
    cohort_col : str
        Column holding each unit's adoption period.
    time : str, optional
        The period column (a cohort of 0 is refused when 0 is one of its periods).

    Returns
    -------
    pandas.Series
        Indexed by unit (in order of first appearance), dtype ``Int64`` with ``<NA>`` for
        never-treated units, named ``cohort_col``.

    Raises
    ------
    PanelError
        As :func:`adoption_cohorts`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"city": [1, 1, 2, 2], "g": [2016, 2016, 0, 0]})
    >>> unit_cohorts(df, "city", "g").tolist()
    [2016, <NA>]
    """
    found = adoption_cohorts(data, unit, cohort_col, time=time)
    return pd.Series(as_int64(found.per_unit), index=found.units, name=cohort_col)


def _has_period_zero(time: pd.Series) -> bool:
    return bool((pd.to_numeric(time, errors="coerce") == 0).any())


def require_columns(data: pd.DataFrame, columns: list[Hashable]) -> None:
    """Raise :class:`PanelError` (with suggestions) unless ``data`` is a frame with ``columns``."""
    if not isinstance(data, pd.DataFrame):
        raise PanelError(f"expected a pandas DataFrame, got {type(data).__name__}.")
    pool = [str(c) for c in data.columns]
    missing = [f"{c!r}{did_you_mean(str(c), pool)}" for c in columns if c not in data.columns]
    if missing:
        raise PanelError(f"column(s) not found in the data: {', '.join(missing)}.")


def _adoption_periods(
    values: pd.Series, where: str, *, zero_is_period: bool = False, time: Hashable | None = None
) -> np.ndarray:
    """Adoption periods as float, NaN for never treated (the rule of :func:`adoption_cohorts`)."""
    series = pd.Series(values).reset_index(drop=True)
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        text = series.astype(object).where(series.notna(), None)
        text = text.map(lambda v: v.strip() if isinstance(v, str) else v)
        blank = text.isna() | (text == "")
        parsed = pd.to_numeric(text.where(~blank, None), errors="coerce")
        bad = text[parsed.isna() & ~blank].unique().tolist()
        if bad:
            shown = ", ".join(repr(b) for b in bad[:N_SHOWN])
            raise PanelError(
                f"adoption periods in {where} must be integers (e.g. 2016) or empty for never "
                f"treated; found {shown}."
            )
        series = parsed
    raw = series.to_numpy(dtype=float, na_value=np.nan)
    if np.any(raw == -np.inf):
        raise PanelError(
            f"adoption periods in {where} include -inf; code never-treated units as missing "
            "(or +inf), and give treated units their adoption period."
        )
    if zero_is_period and np.any(raw == 0):
        raise PanelError(
            f"adoption periods in {where} include 0, which is also a period of {time!r}, so 0 "
            "cannot mean never treated here; code never-treated units as missing (NaN), and if "
            "some units really adopt in period 0, number the periods from 1."
        )
    # a new array (pandas may hand out read-only views); 0 and +inf mean never treated
    periods = np.where((raw == 0) | (raw == np.inf), np.nan, raw)
    fractional = pd.unique(periods[~np.isnan(periods) & (periods != np.round(periods))])
    if len(fractional):
        raise PanelError(
            f"adoption periods in {where} must be whole periods like the time column; found "
            f"{', '.join(str(v) for v in fractional[:N_SHOWN])}."
        )
    return periods


def _varying_message(
    varying: np.ndarray,
    codes: np.ndarray,
    units: Any,
    periods: np.ndarray,
    unit: Hashable,
    cohort_col: Hashable,
) -> str:
    shown = []
    for code in varying[:N_SHOWN]:  # a few units for the message, never all of them
        distinct = np.unique(periods[codes == code])
        values = ", ".join("never" if np.isnan(v) else str(int(v)) for v in distinct)
        shown.append(f"{plain(units[code])!r}: {values}")
    more = "; ..." if len(varying) > N_SHOWN else ""
    return (
        f"adoption column {cohort_col!r} varies within {len(varying):,} unit(s) of {unit!r}, "
        f"e.g. {'; '.join(shown)}{more}; it must hold one adoption period per unit "
        "(empty, 0 or inf = never treated)."
    )


def as_int64(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole-valued floats -> pandas nullable ``Int64``, NaN -> ``<NA>``."""
    mask = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(mask, 0, values).astype(np.int64), mask)


@dataclass(frozen=True)
class Roster:
    """The adoption map aligned to the panel's units, with what aligning it revealed."""

    cohort_unit: np.ndarray  # (n_units,) adoption period per unit of the panel, NaN = never
    n_entries: int
    absent: tuple[Any, ...] = ()
    key_match: str | None = None
    duplicates: int = 0
    kinds: tuple[str, str] = ("", "")  # (roster key kind, unit id kind)

    def nothing_treated(self, units: pd.Index, unit: Hashable) -> str:
        """Explain why no unit of the panel got an adoption period (an error message)."""
        if len(self.absent) < self.n_entries:
            return (
                f"the roster gives no adoption period to any unit of {unit!r}; nothing is treated."
            )
        given, wanted = self.kinds
        kinds = f" (roster keys are {given}, {unit!r} holds {wanted})" if given != wanted else ""
        return (
            f"none of the {self.n_entries:,} roster unit(s) is in the data{kinds}: roster e.g. "
            f"{listed(self.absent)}; {unit!r} e.g. {listed(units)}; check the unit codes."
        )


def read_roster(
    data: pd.DataFrame,
    unit: Hashable,
    units: pd.Index,
    adoption: Adoption,
    *,
    time: Hashable | None = None,
) -> Roster:
    """Align an adoption map (dict, Series or column name) to the panel's distinct ``units``.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (used for the column form).
    unit : str
        The unit column.
    units : pandas.Index
        The distinct units of the panel, in the order of ``pandas.factorize(data[unit])``.
    adoption : dict, pandas.Series or str
        Unit -> adoption period, or the name of a column holding it (read by
        :func:`adoption_cohorts`, whose never-treated rule applies to every form).
    time : str, optional
        The period column; a cohort of 0 is refused when 0 is one of its periods.

    Returns
    -------
    Roster
        ``cohort_unit`` has shape ``(len(units),)``: each unit's adoption period, NaN if never.

    Raises
    ------
    PanelError
        Bad adoption periods, a unit listed twice with different periods, a wrong type.
    """
    if isinstance(adoption, str):
        if adoption not in data.columns:
            hint = did_you_mean(adoption, [str(c) for c in data.columns])
            raise PanelError(f"adoption column {adoption!r} not found in the data{hint}.")
        cohorts = unit_cohorts(data, unit, adoption, time=time).reindex(units)
        return Roster(cohorts.to_numpy(dtype=float, na_value=np.nan), n_entries=len(cohorts))
    if isinstance(adoption, pd.Series):
        if len(adoption) == len(data) and adoption.index.equals(data.index):
            raise PanelError(
                "adoption looks like a column of the data (same index); pass its name instead, "
                f"e.g. adoption={adoption.name!r}, or a Series indexed by unit."
            )
        keys, values = pd.Index(adoption.index), adoption.reset_index(drop=True)
    elif isinstance(adoption, Mapping):
        keys, values = pd.Index(list(adoption)), pd.Series(list(adoption.values()))
    else:
        raise PanelError(
            "adoption must be a dict {unit: period}, a pandas Series indexed by unit or the name "
            f"of a column; got {type(adoption).__name__}."
        )
    if not len(keys):
        raise PanelError("the adoption roster is empty; give at least one unit and its period.")
    zero_is_period = time is not None and _has_period_zero(data[time])
    periods = _adoption_periods(values, "the roster", zero_is_period=zero_is_period, time=time)
    return _align_roster(keys, periods, units, unit)


def _kind(values: pd.Index) -> str:
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
        return "numbers"
    return "text" if inferred == "string" else "mixed"


def _canonical(value: Any) -> str:
    """Text form shared by 520100, 520100.0 and " 520100" (how admin codes get mangled)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float, np.number)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _positions(keys: pd.Index, units: pd.Index, unit: Hashable) -> tuple[np.ndarray, str | None]:
    """Position of each roster key among the panel's units (-1 when absent), and how matched."""
    exact = units.get_indexer(keys)
    have, want = _kind(keys), _kind(units)
    if have == want or (exact >= 0).all():
        return exact, None
    canonical_units = pd.Index([_canonical(u) for u in units])
    if canonical_units.has_duplicates:  # e.g. both 520100 and "520100" among the ids
        return exact, None
    matched = canonical_units.get_indexer(pd.Index([_canonical(k) for k in keys]))
    if (matched >= 0).sum() <= (exact >= 0).sum():
        return exact, None
    first = int(np.flatnonzero(matched >= 0)[0])
    note = (
        f"roster keys given as {have} were matched to the {want} in {unit!r} "
        f"(e.g. {plain(keys[first])!r} -> {plain(units[matched[first]])!r})"
    )
    return matched, note


def _align_roster(keys: pd.Index, periods: np.ndarray, units: pd.Index, unit: Hashable) -> Roster:
    position, note = _positions(keys, units, unit)
    found = position >= 0
    entries = pd.DataFrame({"position": position, "period": periods, "key": keys})[found]
    repeated = entries.duplicated(["position", "period"])  # harmless repeats are kept once
    entries = entries[~repeated]
    conflicting = entries["position"].duplicated(keep=False)
    if conflicting.any():
        raise PanelError(_conflict_message(entries[conflicting]))
    cohort_unit = np.full(len(units), np.nan)
    cohort_unit[entries["position"].to_numpy()] = entries["period"].to_numpy()
    return Roster(
        cohort_unit,
        n_entries=len(keys),
        absent=tuple(plain(k) for k in keys[~found]),
        key_match=note,
        duplicates=int(repeated.sum()),
        kinds=(_kind(keys), _kind(units)),
    )


def _conflict_message(entries: pd.DataFrame) -> str:
    grouped = entries.groupby("position", sort=False)
    shown = [
        f"{plain(group['key'].iloc[0])!r}: "
        + ", ".join("never" if np.isnan(p) else str(int(p)) for p in group["period"])
        for _, group in list(grouped)[:N_SHOWN]
    ]
    more = "; ..." if grouped.ngroups > N_SHOWN else ""
    return (
        f"the roster lists {grouped.ngroups:,} unit(s) more than once with different adoption "
        f"periods, e.g. {'; '.join(shown)}{more}; keep one period per unit."
    )


def plain(value: Any) -> Any:
    """Turn numpy scalars (``np.int64(3)``) into Python ones so messages read cleanly."""
    return value.item() if isinstance(value, np.generic) else value


def listed(values: Any, limit: int = N_SHOWN) -> str:
    """Show the first ``limit`` values, then ``...``."""
    values = list(values)
    shown = ", ".join(repr(plain(v)) for v in values[:limit])
    return shown + (", ..." if len(values) > limit else "")
