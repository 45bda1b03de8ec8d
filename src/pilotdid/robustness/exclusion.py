"""Dropping special samples: re-run a specification without some units or groups."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from pilotdid.errors import PanelError, did_you_mean
from pilotdid.options import deprecated_arguments
from pilotdid.panel.frames import check_frame

__all__ = ["Exclusion", "exclude"]


@dataclass(frozen=True, eq=False)
class Exclusion:
    """A subsample with a record of what was removed.

    Attributes
    ----------
    data : pandas.DataFrame
        The remaining rows (a new frame; the input is not modified).
    by : str
        Column the exclusion was based on.
    values : tuple
        Values of ``by`` whose rows were removed.
    label : str
        Name of the subsample for tables and reports (e.g. ``"Excluding autonomous regions"``).
    dropped_rows : int
        Rows removed.
    dropped_units : tuple
        Units removed entirely (when ``unit`` was given).
    dropped_treated_units : tuple
        Removed units that were treated (when ``treat`` was given).
    not_found : tuple
        Requested values absent from ``by`` (reported, not fatal, when some others matched).
    """

    data: pd.DataFrame
    by: str
    values: tuple[object, ...]
    label: str
    dropped_rows: int
    dropped_units: tuple[object, ...]
    dropped_treated_units: tuple[object, ...]
    not_found: tuple[object, ...]

    def summary(self) -> str:
        """Say in one sentence what was dropped."""
        parts = [
            f"{self.label}: dropped {self.dropped_rows:,} rows with {self.by} in {list(self.values)}"
        ]
        if self.dropped_units:
            parts.append(f"{len(self.dropped_units):,} units")
        if self.dropped_treated_units:
            parts.append(f"of which {len(self.dropped_treated_units):,} treated")
        text = ", ".join(parts)
        if self.not_found:
            text += f" (not found in the data: {list(self.not_found)})"
        return text

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.summary())}</p>"


@deprecated_arguments(treat="treatment")
def exclude(
    data: pd.DataFrame,
    by: str,
    values: Iterable[object],
    *,
    unit: str | None = None,
    treatment: str | None = None,
    label: str | None = None,
) -> Exclusion:
    """Remove the rows whose ``by`` value is in ``values`` and report what went.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (never modified).
    by : str
        Column identifying the group to drop (a province code, a unit id, a concurrent-policy
        flag ...).
    values : iterable
        Values of ``by`` to drop. Numbers written as strings match numeric columns and vice versa
        (``"15"`` matches ``15``).
    unit : str, optional
        Unit column, to report which units disappear.
    treatment : str, optional
        Treatment-group column (0/1), to report how many treated units are lost.
    label : str, optional
        Name of the subsample; default ``"Excluding <by> in [...]"``.

    Returns
    -------
    Exclusion
        The remaining data and the record of the removal.

    Raises
    ------
    PanelError
        When the frame is empty, a column is missing or holds inf or -inf, no requested value
        occurs, nothing would remain, or (with ``treatment``) no treated observation would
        remain.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame(
    ...     {"city": [1, 1, 2, 2, 3, 3], "province": [15, 15, 32, 32, 32, 32], "treat": [1, 1, 0, 0, 1, 1]}
    ... )
    >>> ex = exclude(df, "province", [15], unit="city", treatment="treat")
    >>> ex.dropped_rows, len(ex.dropped_units), len(ex.dropped_treated_units)
    (2, 1, 1)
    """
    for column in (by, unit, treatment):
        if column is not None and column not in data.columns:
            raise PanelError(f"column {column!r} not found{did_you_mean(column, data.columns)}")
    check_frame(data, [by, unit, treatment], where="exclude")
    wanted = tuple(values)
    present = _matching(data[by], wanted)
    found = {v for v, hit in present.items() if hit}
    if not found:
        raise PanelError(
            f"none of {list(wanted)} occurs in column {by!r}; check the codes (e.g. {data[by].iloc[0]!r})"
        )
    drop = _mask(data[by], [v for v in wanted if v in found])
    if drop.all():
        raise PanelError(f"excluding {by} in {list(wanted)} would leave no rows")
    kept = data.loc[~drop].copy()
    gone_units = _gone(data, kept, unit)
    treated = _treated(data, unit, treatment, gone_units)
    if treatment is not None:
        _check_treated_left(data, kept, by, wanted, unit, treatment)
    return Exclusion(
        data=kept,
        by=by,
        values=wanted,
        label=label or f"Excluding {by} in {list(wanted)}",
        dropped_rows=int(drop.sum()),
        dropped_units=gone_units,
        dropped_treated_units=treated,
        not_found=tuple(v for v in wanted if v not in found),
    )


def _mask(column: pd.Series, values: list[object]) -> pd.Series:
    as_text = column.astype(str)
    return column.isin(values) | as_text.isin([str(v) for v in values])


def _matching(column: pd.Series, values: tuple[object, ...]) -> dict[object, bool]:
    return {v: bool(_mask(column, [v]).any()) for v in values}


def _gone(data: pd.DataFrame, kept: pd.DataFrame, unit: str | None) -> tuple[object, ...]:
    if unit is None:
        return ()
    remaining = set(kept[unit].unique())
    return tuple(u for u in pd.unique(data[unit]) if u not in remaining)


def _treated(
    data: pd.DataFrame, unit: str | None, treat: str | None, gone: tuple[object, ...]
) -> tuple[object, ...]:
    if unit is None or treat is None:
        return ()
    flags = data.groupby(unit)[treat].max()
    return tuple(u for u in gone if flags.get(u, 0) == 1)


def _check_treated_left(
    data: pd.DataFrame,
    kept: pd.DataFrame,
    by: str,
    wanted: tuple[object, ...],
    unit: str | None,
    treat: str,
) -> None:
    """Refuse an exclusion that leaves no treated observation (the DID would have no treated group)."""
    flags = pd.to_numeric(kept[treat], errors="coerce").fillna(0)
    if bool((flags != 0).any()):
        return
    before = pd.to_numeric(data[treat], errors="coerce").fillna(0) != 0
    count = (
        f"all {data.loc[before, unit].nunique():,} treated units"
        if unit is not None
        else f"all {int(before.sum()):,} treated rows"
    )
    raise PanelError(
        f"excluding {by} in {list(wanted)} removes {count}, so the DID on the remaining sample "
        f"has no treated group ({treat} is 0 in every row left); exclude fewer values or drop "
        "this exclusion"
    )
