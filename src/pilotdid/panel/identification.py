"""Whether a DID design can be estimated at all, and if not, why (in the user's words).

A two-way fixed-effects DID needs treated units observed both before and after their adoption,
and units that are not (yet) treated to compare them with. When the data lack either, every
estimator downstream fails with a message about its own mechanics ("collinear with the fixed
effects", "no variance", a NaN estimate). :func:`did_design_problem` names the cause instead, from
one adoption period per unit and the periods each unit is observed.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["did_design_problem", "dummy_design_problem"]

N_SHOWN = 5


def did_design_problem(
    cohorts: np.ndarray,
    first_seen: np.ndarray | float,
    last_seen: np.ndarray | float,
    *,
    units: Sequence[Any] | np.ndarray | None = None,
    unit: str = "unit",
    treatment: str = "did",
) -> str | None:
    """Return why the DID cannot be estimated on these units, or ``None`` when it can.

    Parameters
    ----------
    cohorts : numpy.ndarray, shape (N,)
        Adoption period per unit (the date from which the treatment is 1); NaN or ``inf`` for
        never-treated units.
    first_seen, last_seen : numpy.ndarray of shape (N,), or float
        First and last period each unit is observed (a scalar: the sample's first/last period).
    units : sequence, optional
        Unit labels, to name a few in the message.
    unit : str
        Name of the unit column (for the message).
    treatment : str
        Name of the DID regressor (for the message).

    Returns
    -------
    str or None
        One sentence naming the cause and the fix, or ``None``.

    Examples
    --------
    >>> did_design_problem(np.array([2016.0, 2016.0]), 2012.0, 2019.0, unit="city")[:36]
    'every city is treated, all from 2016'
    >>> did_design_problem(np.array([2016.0, np.nan]), 2012.0, 2019.0) is None
    True
    """
    g = np.asarray(cohorts, dtype=float)
    n = g.size
    first = np.broadcast_to(np.asarray(first_seen, dtype=float), (n,))
    last = np.broadcast_to(np.asarray(last_seen, dtype=float), (n,))
    treated = np.isfinite(g)
    if not treated.any():
        return (
            f"no {unit} is treated in the sample, so {treatment!r} is 0 everywhere; check the "
            "roster / adoption column and the filters"
        )
    dates = np.unique(g[treated])
    if treated.all() and dates.size == 1:
        return (
            f"every {unit} is treated, all from {dates[0]:g} (all {n:,} units), so "
            f"{treatment!r} only varies with the period and is absorbed by the period fixed "
            "effects: the DID has no comparison group; include never-treated units (or units "
            "adopting later)"
        )
    pre = treated & (g > first)
    post = treated & (g <= last)
    if not (pre & post).any():
        return _no_window(g, first, last, treated, pre, post, units, unit, treatment)
    return None


def dummy_design_problem(
    data: pd.DataFrame, treatment: str, unit: Hashable, time: Hashable
) -> str | None:
    """Return why a DID on the 0/1 column ``treatment`` cannot be estimated, or ``None``.

    Each unit's adoption period is read off the dummy (its first period with a nonzero value);
    use it to explain a failed fit, where the dummy is known to be degenerate, since a dummy
    that switches off again is not an adoption date.

    Parameters
    ----------
    data : pandas.DataFrame
        The estimation sample (never modified).
    treatment : str
        The DID regressor (``treat x post``).
    unit, time : hashable
        Unit and numeric period columns.

    Returns
    -------
    str or None
        As :func:`did_design_problem`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"u": [1, 1, 2, 2], "t": [1, 2, 1, 2], "d": [0, 1, 0, 1]})
    >>> dummy_design_problem(df, "d", "u", "t")[:27]
    'every u is treated, all fro'
    """
    import pandas as pd

    period = pd.to_numeric(data[time], errors="coerce")
    on = pd.to_numeric(data[treatment], errors="coerce").fillna(0).to_numpy() != 0
    frame = pd.DataFrame({"unit": data[unit].to_numpy(), "t": period.to_numpy()})
    frame["adopt"] = period.where(on).to_numpy()
    per_unit = frame.groupby("unit", sort=False, dropna=True).agg(
        first=("t", "min"), last=("t", "max"), adopt=("adopt", "min")
    )
    return did_design_problem(
        per_unit["adopt"].to_numpy(dtype=float, na_value=np.nan),
        per_unit["first"].to_numpy(dtype=float, na_value=np.nan),
        per_unit["last"].to_numpy(dtype=float, na_value=np.nan),
        units=per_unit.index.to_numpy(),
        unit=str(unit),
        treatment=treatment,
    )


def _no_window(
    g: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    treated: np.ndarray,
    pre: np.ndarray,
    post: np.ndarray,
    units: Sequence[Any] | np.ndarray | None,
    unit: str,
    treatment: str,
) -> str:
    n_treated = int(treated.sum())
    if not post.any():
        return (
            f"no post-treatment period: all {n_treated:,} treated units adopt after the "
            f"last period they are observed (the sample ends at {np.max(last):g}; adoption from "
            f"{np.min(g[treated]):g}), so {treatment!r} is 0 everywhere; extend the panel past "
            "the adoption dates or fix the adoption years"
        )
    if not pre.any():
        return (
            f"no pre-treatment period: all {n_treated:,} treated units adopt at or before "
            f"the first period they are observed (the sample starts at {np.min(first):g}; "
            f"adoption by {np.max(g[treated]):g}), so {treatment!r} is constant within each "
            f"{unit} and is absorbed by the {unit} fixed effects; extend the panel back before "
            "adoption or fix the adoption years"
        )
    early, late = int((treated & ~pre).sum()), int((treated & ~post).sum())
    return (
        f"no treated {unit} is observed both before and after its adoption ({early:,} adopt at or "
        f"before their first period, {late:,} after their last{_examples(units, treated)}), so "
        f"{treatment!r} has no within-{unit} change to estimate; check the adoption years "
        "against the sample periods"
    )


def _examples(units: Sequence[Any] | np.ndarray | None, treated: np.ndarray) -> str:
    if units is None:
        return ""
    labels = [units[i] for i in np.flatnonzero(treated)[:N_SHOWN]]
    more = ", ..." if int(treated.sum()) > N_SHOWN else ""
    return "; e.g. " + ", ".join(repr(u) for u in labels) + more
