"""Turn a roster of pilot units and adoption periods into DID treatment columns.

:func:`assign_treatment` adds ``treat``, ``post``, ``did``, ``cohort`` and ``rel_time`` to a
copy of the panel and reports everything about the match between roster and data: treated
counts and shares, cohort sizes, roster units absent from the data, adoption periods outside
the sample, how text and integer unit codes were matched.

Never-treated units have ``cohort`` and ``rel_time`` equal to ``<NA>`` (pandas nullable
``Int64``); in a roster, an adoption period of NaN, ``None``, 0 or ``""`` means never treated.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.errors import PanelError, PilotdidWarning, did_you_mean
from pilotdid.options import PostCoding, validate_option

__all__ = [
    "DEFAULT_NAMES",
    "TreatmentAssignment",
    "TreatmentReport",
    "assign_treatment",
    "unit_cohorts",
]

DEFAULT_NAMES: dict[str, str] = {
    "treat": "treat",
    "post": "post",
    "did": "did",
    "cohort": "cohort",
    "rel_time": "rel_time",
}
N_SHOWN = 5  # how many units a message lists before "..."

Adoption = Mapping[Any, Any] | pd.Series | str


@dataclass(frozen=True)
class TreatmentReport:
    """What :func:`assign_treatment` found while matching the roster to the panel.

    Attributes
    ----------
    n_rows, n_units : int
        Rows and distinct units in the panel.
    n_treated_units : int
        Units in the panel with an adoption period (``treat == 1``).
    treated_share_units, treated_share_rows : float
        Share of units and of rows with ``treat == 1`` (the mean of ``treat`` in a Table 1).
    cohort_sizes : dict of int to int
        Adoption period -> number of treated units in the panel.
    post, post_common : str, int or None
        The Post coding used: ``"adoption"`` or ``"common"`` with its date.
    absent_units : tuple
        Roster units (as given) that do not appear in the panel.
    always_treated : tuple
        Units adopting at or before the first sample period (no pre-treatment observation).
    late_units : tuple
        Units adopting after the last sample period (effectively never treated).
    unobserved_after_adoption : tuple
        Other treated units with no row at or after their adoption period.
    key_match : str or None
        How roster keys of another type were matched to the unit ids (e.g. text to integers).
    duplicate_entries : int
        Roster entries repeated with the same adoption period (kept once).
    messages : tuple of str
        One line per fact worth telling the user.
    """

    n_rows: int
    n_units: int
    n_treated_units: int
    treated_share_units: float
    treated_share_rows: float
    cohort_sizes: dict[int, int]
    post: str
    post_common: int | None
    absent_units: tuple[Any, ...] = ()
    always_treated: tuple[Any, ...] = ()
    late_units: tuple[Any, ...] = ()
    unobserved_after_adoption: tuple[Any, ...] = ()
    key_match: str | None = None
    duplicate_entries: int = 0
    messages: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        cohorts = ", ".join(f"{g}: {n}" for g, n in self.cohort_sizes.items()) or "none"
        coding = (
            "from each unit's adoption"
            if self.post == "adoption"
            else (f"for all units from {self.post_common}")
        )
        lines = [
            f"Treatment: {self.n_treated_units:,} of {self.n_units:,} units treated "
            f"({self.treated_share_units:.2%} of units, {self.treated_share_rows:.2%} of rows); "
            f"cohorts {cohorts}; post = 1 {coding}",
            *(f"  - {m}" for m in self.messages),
        ]
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class TreatmentAssignment:
    """The panel with treatment columns added, and the report on how they were assigned.

    Attributes
    ----------
    data : pandas.DataFrame
        A new frame: the input columns plus ``treat``, ``post``, ``did`` (int64 0/1),
        ``cohort`` and ``rel_time`` (``Int64``, ``<NA>`` for never-treated units), under the
        names in ``names``.
    report : TreatmentReport
        Counts, shares, cohort sizes and everything unusual about the roster.
    names : dict of str to str
        Role (``treat``, ``post``, ``did``, ``cohort``, ``rel_time``) -> column name used.
    unit, time : str
        The unit and time columns.
    """

    data: pd.DataFrame
    report: TreatmentReport
    names: dict[str, str]
    unit: Hashable
    time: Hashable

    def __str__(self) -> str:
        return str(self.report)

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(str(self))}</pre>"


def assign_treatment(
    data: pd.DataFrame,
    unit: Hashable,
    time: Hashable,
    adoption: Adoption,
    *,
    post: PostCoding = "adoption",
    post_common: int | None = None,
    names: Mapping[str, str] | None = None,
    overwrite: bool = False,
) -> TreatmentAssignment:
    """Add DID treatment columns to a panel from a roster of adoption periods.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel, one row per unit and integer period; never modified.
    unit, time : str
        Unit identifier and integer period columns (no missing values).
    adoption : dict, pandas.Series or str
        Unit -> adoption period, as a dict, a Series indexed by unit, or the name of a column of
        ``data`` holding each unit's adoption period (constant within unit). NaN, ``None``, 0 or
        ``""`` mean never treated. Text keys such as ``"520100"`` are matched to integer ids
        (and integers to text ids) when that is unambiguous; the report says so.
    post : {"adoption", "common"}, default "adoption"
        ``"adoption"``: ``post = 1`` from each treated unit's own adoption period, 0 for
        never-treated units (staggered DID). ``"common"``: ``post = 1`` for *every* unit from
        one policy date (the paper's "Post = 1 from 2016").
    post_common : int, optional
        The common date for ``post="common"``; defaults to the earliest adoption period.
    names : dict, optional
        Column names for the roles ``treat``, ``post``, ``did``, ``cohort``, ``rel_time``;
        unspecified roles keep their default names.
    overwrite : bool, default False
        Replace existing columns with those names instead of raising.

    Returns
    -------
    TreatmentAssignment
        ``.data`` (a new DataFrame) and ``.report``. ``did = treat * post``; ``cohort`` is the
        adoption period and ``rel_time = time - cohort`` (both ``<NA>`` when never treated).

    Raises
    ------
    PanelError
        Missing or incomplete unit/time columns, non-integer periods, an adoption column that
        varies within a unit, a roster that lists a unit twice with different periods, no roster
        unit in the data, a wrong option, or a name clash with an existing column.

    Warns
    -----
    PilotdidWarning
        When some units adopt at or before the first sample period (always treated).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"city": [1, 1, 2, 2, 3, 3], "year": [2015, 2016] * 3})
    >>> out = assign_treatment(panel, "city", "year", {1: 2016, 2: 2017})
    >>> out.data
       city  year  treat  post  did  cohort  rel_time
    0     1  2015      1     0    0    2016        -1
    1     1  2016      1     1    1    2016         0
    2     2  2015      1     0    0    2017        -2
    3     2  2016      1     0    0    2017        -1
    4     3  2015      0     0    0    <NA>      <NA>
    5     3  2016      0     0    0    <NA>      <NA>
    >>> out.report.cohort_sizes
    {2016: 1, 2017: 1}
    """
    validate_option(post, PostCoding, "post", PanelError)
    columns = _resolve_names(data, unit, time, names, overwrite)
    periods = _integer_periods(data, unit, time)
    ucodes, uniques = pd.factorize(data[unit])
    units = pd.Index(uniques)
    roster = _roster(data, unit, units, adoption)
    cohort_unit = roster.cohort_unit
    if not np.any(~np.isnan(cohort_unit)):
        raise PanelError(_no_treated_message(roster, units, unit))
    common = _common_date(post, post_common, cohort_unit)
    added = _treatment_columns(periods, cohort_unit[ucodes], common)
    report = _report(periods, ucodes, units, cohort_unit, added["treat"], roster, post, common)
    for message in report.messages:
        if message.startswith("always treated"):
            warnings.warn(message, PilotdidWarning, stacklevel=2)
    new = data.assign(**{columns[role]: values for role, values in added.items()})
    return TreatmentAssignment(new, report, columns, unit, time)


def unit_cohorts(data: pd.DataFrame, unit: Hashable, cohort_col: Hashable) -> pd.Series:
    """One adoption period per unit, from a column that is constant within unit.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel; never modified.
    unit : str
        The unit column.
    cohort_col : str
        Column holding each unit's adoption period; NaN, 0 or ``""`` mean never treated.

    Returns
    -------
    pandas.Series
        Indexed by unit (in order of first appearance), dtype ``Int64`` with ``<NA>`` for
        never-treated units, named ``cohort_col``.

    Raises
    ------
    PanelError
        When a column is missing, a period is not an integer, or the column varies within a
        unit (the message lists such units with their values).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"city": [1, 1, 2, 2], "g": [2016, 2016, 0, 0]})
    >>> unit_cohorts(df, "city", "g").tolist()
    [2016, <NA>]
    """
    _require_columns(data, [unit, cohort_col])
    valid = data[unit].notna().to_numpy()
    codes, units = pd.factorize(data[unit][valid])
    periods = _adoption_periods(data[cohort_col][valid], f"column {cohort_col!r}")
    # never-treated -> -inf so one min/max per unit detects any variation, NaN included
    filled = pd.Series(np.where(np.isnan(periods), -np.inf, periods))
    bounds = filled.groupby(codes).agg(["min", "max"])
    varying = np.flatnonzero(bounds["min"].to_numpy() != bounds["max"].to_numpy())
    if len(varying):
        raise PanelError(_varying_message(varying, codes, units, periods, unit, cohort_col))
    per_unit = bounds["min"].replace(-np.inf, np.nan).to_numpy()
    return pd.Series(_as_int64(per_unit), index=pd.Index(units, name=unit), name=cohort_col)


# --- inputs -------------------------------------------------------------------------------------


def _require_columns(data: pd.DataFrame, columns: list[Hashable]) -> None:
    if not isinstance(data, pd.DataFrame):
        raise PanelError(f"expected a pandas DataFrame, got {type(data).__name__}.")
    pool = [str(c) for c in data.columns]
    missing = [f"{c!r}{did_you_mean(str(c), pool)}" for c in columns if c not in data.columns]
    if missing:
        raise PanelError(f"column(s) not found in the data: {', '.join(missing)}.")


def _resolve_names(
    data: pd.DataFrame,
    unit: Hashable,
    time: Hashable,
    names: Mapping[str, str] | None,
    overwrite: bool,
) -> dict[str, str]:
    given = dict(names or {})
    unknown = [k for k in given if k not in DEFAULT_NAMES]
    if unknown:
        hint = did_you_mean(str(unknown[0]), DEFAULT_NAMES)
        raise PanelError(
            f"names= has unknown role(s) {unknown}{hint}; roles are {list(DEFAULT_NAMES)}."
        )
    columns = {**DEFAULT_NAMES, **given}
    chosen = list(columns.values())
    if len(set(chosen)) < len(chosen) or {unit, time} & set(chosen):
        raise PanelError(
            f"names= must give distinct column names that differ from {unit!r} and {time!r}; "
            f"got {columns}."
        )
    clash = [c for c in chosen if c in data.columns]
    if clash and not overwrite:
        raise PanelError(
            f"the data already has column(s) {clash}; pass overwrite=True to replace them or "
            "choose other names with names={...}."
        )
    return columns


def _integer_periods(data: pd.DataFrame, unit: Hashable, time: Hashable) -> np.ndarray:
    _require_columns(data, [unit, time])
    for column in (unit, time):
        n_missing = int(data[column].isna().sum())
        if n_missing:
            raise PanelError(
                f"column {column!r} has {n_missing:,} missing value(s); drop those rows first "
                f"(data.dropna(subset=[{unit!r}, {time!r}]))."
            )
    values = data[time]
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    as_float = values.to_numpy(dtype=float) if numeric else None
    if as_float is None or not np.all(as_float == np.round(as_float)):
        raise PanelError(
            f"time column {time!r} must hold integer periods (e.g. years), not {values.dtype} "
            f"values such as {values.iloc[0]!r}; convert it first."
        )
    return as_float.astype(np.int64)


def _adoption_periods(values: pd.Series, where: str) -> np.ndarray:
    """Adoption periods as float, NaN for never treated (NaN, None, 0, "")."""
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
    periods = series.to_numpy(dtype=float, na_value=np.nan)
    periods[periods == 0] = np.nan
    fractional = periods[~np.isnan(periods) & (periods != np.round(periods))]
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
        shown.append(f"{_plain(units[code])!r}: {values}")
    more = "; ..." if len(varying) > N_SHOWN else ""
    return (
        f"adoption column {cohort_col!r} varies within {len(varying):,} unit(s) of {unit!r}, "
        f"e.g. {'; '.join(shown)}{more}; it must hold one adoption period per unit "
        "(empty or 0 = never treated)."
    )


def _as_int64(values: np.ndarray) -> pd.arrays.IntegerArray:
    mask = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(mask, 0, values).astype(np.int64), mask)


# --- the roster ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Roster:
    """The adoption map aligned to the panel's units, with what aligning it revealed."""

    cohort_unit: np.ndarray  # (n_units,) adoption period per unit of the panel, NaN = never
    n_entries: int
    absent: tuple[Any, ...] = ()
    key_match: str | None = None
    duplicates: int = 0
    kinds: tuple[str, str] = ("", "")  # (roster key kind, unit id kind)


def _roster(data: pd.DataFrame, unit: Hashable, units: pd.Index, adoption: Adoption) -> _Roster:
    if isinstance(adoption, str):
        if adoption not in data.columns:
            hint = did_you_mean(adoption, [str(c) for c in data.columns])
            raise PanelError(f"adoption column {adoption!r} not found in the data{hint}.")
        cohorts = unit_cohorts(data, unit, adoption).reindex(units)
        return _Roster(cohorts.to_numpy(dtype=float, na_value=np.nan), n_entries=len(cohorts))
    if isinstance(adoption, pd.Series):
        if len(adoption) == len(data) and adoption.index.equals(data.index):
            raise PanelError(
                "adoption looks like a column of the data (same index); pass its name instead, "
                f"e.g. adoption={adoption.name!r}, or a Series indexed by unit."
            )
        keys, values = pd.Index(adoption.index), adoption.reset_index(drop=True)
    elif isinstance(adoption, Mapping):
        keys, values = pd.Index(list(adoption)), pd.Series(list(adoption.values()), dtype=object)
    else:
        raise PanelError(
            "adoption must be a dict {unit: period}, a pandas Series indexed by unit or the name "
            f"of a column; got {type(adoption).__name__}."
        )
    return _align_roster(keys, _adoption_periods(values, "the roster"), units, unit)


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
        f"(e.g. {_plain(keys[first])!r} -> {_plain(units[matched[first]])!r})"
    )
    return matched, note


def _align_roster(keys: pd.Index, periods: np.ndarray, units: pd.Index, unit: Hashable) -> _Roster:
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
    return _Roster(
        cohort_unit,
        n_entries=len(keys),
        absent=tuple(_plain(k) for k in keys[~found]),
        key_match=note,
        duplicates=int(repeated.sum()),
        kinds=(_kind(keys), _kind(units)),
    )


def _conflict_message(entries: pd.DataFrame) -> str:
    grouped = entries.groupby("position", sort=False)
    shown = [
        f"{_plain(group['key'].iloc[0])!r}: "
        + ", ".join("never" if np.isnan(p) else str(int(p)) for p in group["period"])
        for _, group in list(grouped)[:N_SHOWN]
    ]
    more = "; ..." if grouped.ngroups > N_SHOWN else ""
    return (
        f"the roster lists {grouped.ngroups:,} unit(s) more than once with different adoption "
        f"periods, e.g. {'; '.join(shown)}{more}; keep one period per unit."
    )


def _no_treated_message(roster: _Roster, units: pd.Index, unit: Hashable) -> str:
    if len(roster.absent) < roster.n_entries:
        return f"the roster gives no adoption period to any unit of {unit!r}; nothing is treated."
    given, wanted = roster.kinds
    kinds = f" (roster keys are {given}, {unit!r} holds {wanted})" if given != wanted else ""
    return (
        f"none of the {roster.n_entries:,} roster unit(s) is in the data{kinds}: roster e.g. "
        f"{_listed(roster.absent)}; {unit!r} e.g. {_listed(units)}; check the unit codes."
    )


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _listed(values: Any, limit: int = N_SHOWN) -> str:
    values = list(values)
    shown = ", ".join(repr(_plain(v)) for v in values[:limit])
    return shown + (", ..." if len(values) > limit else "")


# --- the columns and the report -----------------------------------------------------------------


def _common_date(post: str, post_common: int | None, cohort_unit: np.ndarray) -> int | None:
    if post == "adoption":
        if post_common is not None:
            raise PanelError(
                f"post_common={post_common!r} is used only with post='common'; pass "
                "post='common' to give every unit post = 1 from that date."
            )
        return None
    if post_common is None:
        return int(np.nanmin(cohort_unit))  # the first adoption, e.g. 2016 for the pilot zones
    if isinstance(post_common, bool) or not float(post_common).is_integer():
        raise PanelError(
            f"post_common must be an integer period such as 2016, not {post_common!r}."
        )
    return int(post_common)


def _treatment_columns(
    periods: np.ndarray, cohort_row: np.ndarray, common: int | None
) -> dict[str, Any]:
    treated = ~np.isnan(cohort_row)
    # comparisons with NaN are False, so never-treated rows get post = 0 under "adoption"
    post = periods >= common if common is not None else treated & (periods >= cohort_row)
    return {
        "treat": treated.astype(np.int64),
        "post": post.astype(np.int64),
        "did": (treated & post).astype(np.int64),
        "cohort": _as_int64(cohort_row),
        "rel_time": _as_int64(periods - cohort_row),
    }


def _report(
    periods: np.ndarray,
    ucodes: np.ndarray,
    units: Any,
    cohort_unit: np.ndarray,
    treat: np.ndarray,
    roster: _Roster,
    post: str,
    common: int | None,
) -> TreatmentReport:
    first, last = int(periods.min()), int(periods.max())
    last_seen = pd.Series(periods).groupby(ucodes).max().to_numpy()
    treated = ~np.isnan(cohort_unit)
    always = np.flatnonzero(treated & (cohort_unit <= first))
    late = np.flatnonzero(treated & (cohort_unit > last))
    unseen = np.flatnonzero(treated & (cohort_unit <= last) & (last_seen < cohort_unit))
    cohorts, sizes = np.unique(cohort_unit[treated], return_counts=True)
    flags = {
        "always": tuple(_plain(units[i]) for i in always),
        "late": tuple(_plain(units[i]) for i in late),
        "unseen": tuple(_plain(units[i]) for i in unseen),
    }
    return TreatmentReport(
        n_rows=len(periods),
        n_units=len(units),
        n_treated_units=int(treated.sum()),
        treated_share_units=float(treated.mean()),
        treated_share_rows=float(treat.mean()),
        cohort_sizes={int(g): int(n) for g, n in zip(cohorts, sizes, strict=True)},
        post=post,
        post_common=common,
        absent_units=roster.absent,
        always_treated=flags["always"],
        late_units=flags["late"],
        unobserved_after_adoption=flags["unseen"],
        key_match=roster.key_match,
        duplicate_entries=roster.duplicates,
        messages=_messages(roster, flags, first, last, bool(treated.all())),
    )


def _messages(
    roster: _Roster, flags: dict[str, tuple[Any, ...]], first: int, last: int, all_treated: bool
) -> tuple[str, ...]:
    lines = [roster.key_match] if roster.key_match else []
    if roster.duplicates:
        lines.append(
            f"{roster.duplicates:,} repeated roster entry(ies) (same unit and period) kept once"
        )
    if roster.absent:
        given, wanted = roster.kinds
        kinds = f" (roster keys are {given}, unit ids are {wanted})" if given != wanted else ""
        lines.append(
            f"{len(roster.absent):,} roster unit(s) not in the data{kinds}: "
            f"{_listed(roster.absent, 20)}"
        )
    if flags["always"]:
        lines.append(
            f"always treated: {len(flags['always']):,} unit(s) adopt at or before the first "
            f"sample period {first}, so they have no pre-treatment observation: "
            f"{_listed(flags['always'])}"
        )
    if flags["late"]:
        lines.append(
            f"{len(flags['late']):,} unit(s) adopt after the last sample period {last}, so they "
            f"are never treated within the sample: {_listed(flags['late'])}"
        )
    if flags["unseen"]:
        lines.append(
            f"{len(flags['unseen']):,} treated unit(s) have no row at or after their adoption "
            f"period: {_listed(flags['unseen'])}"
        )
    if all_treated:
        lines.append("every unit is treated: there is no never-treated control group")
    return tuple(lines)
