"""Turn a roster of pilot units and adoption periods into DID treatment columns.

:func:`assign_treatment` adds ``treat``, ``post``, ``did``, ``cohort`` and ``rel_time`` to a
copy of the panel and reports everything about the match between roster and data: treated
counts and shares, cohort sizes, roster units absent from the data, adoption periods outside
the sample, how text and integer unit codes were matched.

Never-treated units have ``cohort`` and ``rel_time`` equal to ``<NA>`` (pandas nullable
``Int64``); in a roster, an adoption period of NaN, ``None``, ``""``, 0 or +inf means never
treated (the one rule of :func:`pilotdid.panel.adoption.adoption_cohorts`).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pilotdid._text import counted
from pilotdid.errors import PanelError, PilotdidWarning, did_you_mean
from pilotdid.options import PostCoding, deprecated_arguments, validate_option
from pilotdid.panel.adoption import (
    Adoption,
    Roster,
    listed,
    plain,
    read_roster,
    require_columns,
    unit_cohorts,
)
from pilotdid.panel.frames import check_frame, check_periods

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


@dataclass(frozen=True)
class TreatmentReport:
    """What :func:`assign_treatment` found while matching the roster to the panel.

    Attributes
    ----------
    n_rows, n_units : int
        Rows and distinct units in the panel.
    periods : tuple of int
        First and last period of the panel.
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
    periods: tuple[int, int]
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
    messages: tuple[str, ...] = ()

    def __str__(self) -> str:
        cohorts = ", ".join(f"{g}: {n}" for g, n in self.cohort_sizes.items()) or "none"
        own = self.post == "adoption"
        coding = "from each unit's adoption" if own else f"for all units from {self.post_common}"
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

    def cohorts(self) -> pd.Series:
        """Return each unit's adoption period (``Int64``, ``<NA>`` never), indexed by unit."""
        return unit_cohorts(self.data, self.unit, self.names["cohort"], time=self.time)

    def __str__(self) -> str:
        return str(self.report)

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(str(self))}</pre>"


@deprecated_arguments(("data", "unit", "time", "adoption"))
def assign_treatment(
    data: pd.DataFrame,
    adoption: Adoption,
    *,
    unit: Hashable,
    time: Hashable,
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
    adoption : dict, pandas.Series or str
        Unit -> adoption period, as a dict, a Series indexed by unit, or the name of a column of
        ``data`` holding each unit's adoption period (constant within unit). NaN, ``None``,
        ``""``, 0 or +inf mean never treated (0 only when 0 is not a period of ``time``). Text keys such as ``"520100"`` are matched to integer ids
        (and integers to text ids) when that is unambiguous; the report says so.
    unit, time : str
        Unit identifier and integer period columns (no missing values).
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
        An empty frame, inf or -inf in the unit or time column, duplicate (unit, time) keys,
        missing or incomplete unit/time columns, non-integer periods, an adoption column that
        varies within a unit, a cohort of 0 when 0 is a period, a roster that lists a unit twice with different periods, no roster
        unit in the data, a wrong option, or a name clash with an existing column.

    Warns
    -----
    PilotdidWarning
        When some units adopt at or before the first sample period (always treated).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"city": [1, 1, 2, 2, 3, 3], "year": [2015, 2016] * 3})
    >>> out = assign_treatment(panel, {1: 2016, 2: 2017}, unit="city", time="year")
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
    check_frame(data, [unit, time], where="assign_treatment", keys=(unit, time), unique_keys=True)
    columns = _resolve_names(data, unit, time, names, overwrite)
    periods = _integer_periods(data, unit, time)
    ucodes, uniques = pd.factorize(data[unit])
    units = pd.Index(uniques)
    roster = read_roster(data, unit, units, adoption, time=time)
    cohort_unit = roster.cohort_unit
    if not np.any(~np.isnan(cohort_unit)):
        raise PanelError(roster.nothing_treated(units, unit))
    common = _common_date(post, post_common, cohort_unit)
    added = _treatment_columns(periods, ucodes, cohort_unit, common)
    report = _report(periods, ucodes, units, cohort_unit, added["treat"], roster, post, common)
    if report.always_treated:
        warning = _always_message(report.always_treated, report.periods[0])
        warnings.warn(warning, PilotdidWarning, stacklevel=2)
    new = data.assign(**{columns[role]: values for role, values in added.items()})
    return TreatmentAssignment(new, report, columns, unit, time)


# --- inputs -------------------------------------------------------------------------------------


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
    require_columns(data, [unit, time])
    for column in (unit, time):
        n_missing = int(data[column].isna().sum())
        if n_missing:
            raise PanelError(
                f"column {column!r} has {n_missing:,} missing value(s); drop those rows first "
                f"(data.dropna(subset=[{unit!r}, {time!r}]))."
            )
    check_periods(data, time, where="assign_treatment")
    return data[time].to_numpy(dtype=float).astype(np.int64)


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
    periods: np.ndarray, ucodes: np.ndarray, cohort_unit: np.ndarray, common: int | None
) -> dict[str, Any]:
    """Build the five new columns, shape ``(n_rows,)`` each, from per-unit adoption periods."""
    never_unit = np.isnan(cohort_unit)
    # work in integers per unit, then broadcast to rows by the unit codes (cheap gathers)
    cohort = np.where(never_unit, 0, cohort_unit).astype(np.int64)[ucodes]
    never = never_unit[ucodes]
    post = periods >= common if common is not None else ~never & (periods >= cohort)
    return {
        "treat": (~never).astype(np.int64),
        "post": post.astype(np.int64),
        "did": (~never & post).astype(np.int64),
        "cohort": pd.arrays.IntegerArray(cohort, never),
        "rel_time": pd.arrays.IntegerArray(periods - cohort, never.copy()),
    }


def _report(
    periods: np.ndarray,
    ucodes: np.ndarray,
    units: Any,
    cohort_unit: np.ndarray,
    treat: np.ndarray,
    roster: Roster,
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
        "always": tuple(plain(units[i]) for i in always),
        "late": tuple(plain(units[i]) for i in late),
        "unseen": tuple(plain(units[i]) for i in unseen),
    }
    return TreatmentReport(
        n_rows=len(periods),
        n_units=len(units),
        periods=(first, last),
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
    roster: Roster, flags: dict[str, tuple[Any, ...]], first: int, last: int, all_treated: bool
) -> tuple[str, ...]:
    lines = [roster.key_match] if roster.key_match else []
    if roster.duplicates:
        lines.append(
            f"{roster.duplicates:,} repeated roster entry(ies) (same unit and period) kept once"
        )
    if roster.absent:
        given, wanted = roster.kinds
        mismatch = given != wanted and not roster.key_match  # a hint only if nothing matched
        kinds = f" (roster keys are {given}, unit ids are {wanted})" if mismatch else ""
        lines.append(
            f"{counted(len(roster.absent), 'roster unit')} not in the data{kinds}: "
            f"{listed(roster.absent, 20)}"
        )
    if flags["always"]:
        lines.append(_always_message(flags["always"], first))
    if flags["late"]:
        lines.append(
            f"{len(flags['late']):,} unit(s) adopt after the last sample period {last}, so they "
            f"are never treated within the sample: {listed(flags['late'])}"
        )
    if flags["unseen"]:
        lines.append(
            f"{counted(len(flags['unseen']), 'treated unit')} "
            f"{'has' if len(flags['unseen']) == 1 else 'have'} no row at or after "
            f"{'its' if len(flags['unseen']) == 1 else 'their'} adoption period: "
            f"{listed(flags['unseen'])}"
        )
    if all_treated:
        lines.append("every unit is treated: there is no never-treated control group")
    return tuple(lines)


def _always_message(units: tuple[Any, ...], first: int) -> str:
    return (
        f"always treated: {len(units):,} unit(s) adopt at or before the first sample period "
        f"{first}, so they have no pre-treatment observation: {listed(units)}"
    )
