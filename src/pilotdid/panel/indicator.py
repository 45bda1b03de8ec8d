"""Adoption periods from a 0/1 treatment indicator: each unit adopts in its first period with 1.

Users coming from Stata or R often hold the treatment as a dummy (``post`` or ``D``) rather
than a roster of adoption years. :func:`adoption_from_indicator` reads the roster off that
column. The PSM-DID and every staggered estimator need an *absorbing* treatment (once 1, always
1), so a unit whose indicator switches off (1 then 0) is refused, listing the units, unless the
caller accepts it (``allow_switch_off=True``); then each unit's first adoption is kept and the
switch-off units are reported.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.errors import PanelError
from pilotdid.panel.adoption import listed, plain, require_columns
from pilotdid.panel.frames import check_frame

__all__ = ["IndicatorAdoption", "adoption_from_indicator", "indicator_adoption"]


@dataclass(frozen=True)
class IndicatorAdoption:
    """Adoption periods read from an indicator column, with the units where it switches off.

    Attributes
    ----------
    adoption : pandas.Series
        Unit -> first period with indicator 1 (only units that are ever treated).
    switch_off : tuple
        Units whose indicator returns to 0 after their first 1 (in data order of units).
    first_off : tuple
        For each unit of ``switch_off``, the first period with 0 after adoption.
    """

    adoption: pd.Series
    switch_off: tuple[Any, ...]
    first_off: tuple[Any, ...]

    def switch_off_message(self, indicator: Hashable) -> str:
        """One line naming the switch-off units (first few) and their count."""
        n = len(self.switch_off)
        shown = ", ".join(
            f"{plain(u)!r} (1 from {plain(self.adoption[u])}, 0 again in {plain(t)})"
            for u, t in zip(self.switch_off[:5], self.first_off[:5], strict=True)
        )
        more = ", ..." if n > 5 else ""
        return (
            f"the indicator {indicator!r} switches off (1, then 0) in {n:,} unit(s): {shown}{more}"
        )


def _indicator_values(data: pd.DataFrame, indicator: Hashable) -> np.ndarray:
    raw = data[indicator]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    text = raw.notna().to_numpy() & np.isnan(values)
    bad = text | ~(np.isnan(values) | (values == 0) | (values == 1))
    if bad.any():
        examples = pd.unique(raw[bad])
        raise PanelError(
            f"treatment indicator {indicator!r} must hold 0 and 1 only (missing allowed); "
            f"{int(bad.sum()):,} row(s) hold other values: {listed(examples)}; recode it to 0/1."
        )
    return values


def indicator_adoption(
    data: pd.DataFrame, indicator: Hashable, *, unit: Hashable, time: Hashable
) -> IndicatorAdoption:
    """Read adoption periods and switch-off units from a 0/1 column (no switch-off check).

    See :func:`adoption_from_indicator`, which refuses switch-offs unless told otherwise.
    """
    require_columns(data, [unit, time, indicator])
    check_frame(data, [indicator], where="adoption_from_indicator", keys=(unit, time),
                unique_keys=True, periods=time)  # fmt: skip
    d = _indicator_values(data, indicator)
    period = pd.to_numeric(data[time], errors="coerce").to_numpy(dtype=float)
    frame = pd.DataFrame({"u": data[unit].to_numpy(), "t": period, "d": d})
    frame = frame.loc[~np.isnan(d) & ~np.isnan(period)].sort_values(["u", "t"], kind="stable")
    on = frame.loc[frame["d"] == 1]
    first = on.groupby("u", sort=False)["t"].min()
    start = frame["u"].map(first)
    off = frame.loc[(frame["d"] == 0) & (frame["t"] > start)]
    first_off = off.groupby("u", sort=False)["t"].min()
    order = pd.unique(data[unit].to_numpy())
    switch = [u for u in order if u in first_off.index]
    adoption = pd.Series(
        {u: _whole(first[u]) for u in order if u in first.index}, name="adoption", dtype=object
    )
    adoption.index.name = unit
    return IndicatorAdoption(
        adoption=adoption.infer_objects(),
        switch_off=tuple(switch),
        first_off=tuple(_whole(first_off[u]) for u in switch),
    )


def _whole(value: float) -> Any:
    return int(value) if float(value).is_integer() else float(value)


def adoption_from_indicator(
    data: pd.DataFrame,
    indicator: Hashable,
    *,
    unit: Hashable,
    time: Hashable,
    allow_switch_off: bool = False,
) -> pd.Series:
    """Return each unit's adoption period: the first period where ``indicator`` is 1.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (never modified), one row per unit and period.
    indicator : hashable
        A 0/1 treatment column (missing values are ignored).
    unit, time : hashable
        Unit and period columns (whole-number periods).
    allow_switch_off : bool, default False
        Accept units whose indicator returns to 0 after their first 1; their first adoption is
        kept (the treatment is then absorbing from that period on).

    Returns
    -------
    pandas.Series
        Unit -> adoption period, only for units that are ever treated; pass it to
        :func:`pilotdid.assign_treatment` (units not in it are never treated).

    Raises
    ------
    PanelError
        A column is missing, the indicator holds values other than 0/1, (unit, time) keys
        repeat, or (without ``allow_switch_off``) the treatment switches off in some units,
        which are listed (the first few, and their count).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"city": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
    ...                    "year": [2015, 2016, 2017] * 3,
    ...                    "post": [0, 1, 1, 0, 0, 1, 0, 0, 0]})
    >>> adoption_from_indicator(df, "post", unit="city", time="year").to_dict()
    {'a': 2016, 'b': 2017}
    """
    out = indicator_adoption(data, indicator, unit=unit, time=time)
    if out.switch_off and not allow_switch_off:
        raise PanelError(
            f"{out.switch_off_message(indicator)}; a DID needs an absorbing treatment (once 1, "
            "always 1). Fix the indicator, or pass allow_switch_off=True to keep each unit's "
            "first adoption."
        )
    return out.adoption
