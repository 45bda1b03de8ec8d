"""Adoption timing groups of a balanced panel and the Goodman-Bacon (2021) weights.

The weights of the decomposition depend only on when units adopt and how many adopt when, not
on the outcome, so the staggered-adoption warning (:mod:`pilotdid.did.staggered`) computes the
share of "forbidden" comparisons from this module alone; :func:`pilotdid.bacon` adds the 2x2
estimates from group-by-period means.

A unit's group is the index of its first treated period among the panel's periods: ``0`` means
treated in every period (always treated), ``T`` treated in none (never treated in the panel).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.errors import EstimationError, PanelError

__all__ = ["COMPARISON_TYPES", "FORBIDDEN", "Comparisons", "Timing", "comparisons", "timing"]

#: Comparison types, in the order of tables and legends.
COMPARISON_TYPES = ("treated_vs_never", "treated_vs_always", "earlier_vs_later", "later_vs_earlier")

#: The type whose control group is already treated (its effects' changes bias TWFE).
FORBIDDEN = "later_vs_earlier"


@dataclass(frozen=True, eq=False)
class Timing:
    """Units of a balanced panel grouped by their first treated period.

    Attributes
    ----------
    periods : numpy.ndarray, shape (T,)
        The panel's distinct periods, increasing.
    start : numpy.ndarray of int, shape (G,)
        Index into ``periods`` of each group's first treated period (0 = always treated,
        ``T`` = never treated in the panel), increasing.
    n_units : numpy.ndarray of int, shape (G,)
        Units in each group.
    row_group, row_period : numpy.ndarray of int, shape (n,)
        Group and period index of each row.
    """

    periods: np.ndarray
    start: np.ndarray
    n_units: np.ndarray
    row_group: np.ndarray
    row_period: np.ndarray

    @property
    def labels(self) -> np.ndarray:
        """Each group's first treated period; ``inf`` never treated, ``-inf`` always treated."""
        T = len(self.periods)
        inner = self.periods[np.clip(self.start, 0, T - 1)].astype(float)
        return np.where(self.start == T, np.inf, np.where(self.start == 0, -np.inf, inner))

    @property
    def n_timing(self) -> int:
        """Number of groups first treated inside the panel (neither never nor always treated)."""
        return int(np.sum((self.start > 0) & (self.start < len(self.periods))))


def timing(
    unit_codes: np.ndarray, period: np.ndarray, adoption: np.ndarray, *, where: str
) -> Timing:
    """Group the units of a balanced panel by first treated period.

    Parameters
    ----------
    unit_codes : numpy.ndarray of int, shape (n,)
        Each row's unit, coded 0..U-1 (-1 for a row without a unit: refused).
    period : numpy.ndarray of float, shape (n,)
        Each row's period (whole numbers; NaN refused).
    adoption : numpy.ndarray of float, shape (U,)
        Each unit's adoption period, NaN for never treated; treatment is ``period >= adoption``.
    where : str
        The public function, named in messages.

    Returns
    -------
    Timing

    Raises
    ------
    PanelError
        Rows without a unit or period, or an unbalanced panel (naming how many units lack rows).

    Examples
    --------
    >>> t = timing(np.repeat([0, 1, 2], 3), np.tile([1.0, 2, 3], 3), np.array([2.0, np.nan, 1]),
    ...            where="bacon")
    >>> t.labels.tolist(), t.n_units.tolist()
    ([-inf, 2.0, inf], [1, 1, 1])
    """
    if np.any(unit_codes < 0) or np.any(np.isnan(period)):
        bad = int(np.sum((unit_codes < 0) | np.isnan(period)))
        raise PanelError(f"{where}: {bad:,} row(s) have no unit or no period; drop them first")
    periods, row_period = np.unique(period, return_inverse=True)
    n_units, T = len(adoption), len(periods)
    counts = np.bincount(unit_codes, minlength=n_units)
    short = int(np.sum(counts != T))
    if short:
        raise PanelError(
            f"{where}: the Goodman-Bacon decomposition is defined for balanced panels, but "
            f"{short:,} of {n_units:,} units are not observed in all {T} periods (or have a "
            "missing outcome); balance the panel first, e.g. keep the units observed in every "
            "period: data.groupby(unit).filter(lambda g: len(g) == n_periods)"
        )
    first = np.searchsorted(periods, np.where(np.isnan(adoption), np.inf, adoption), "left")
    start, unit_group = np.unique(first, return_inverse=True)
    return Timing(
        periods=periods,
        start=start.astype(int),
        n_units=np.bincount(unit_group, minlength=len(start)),
        row_group=unit_group[unit_codes],
        row_period=row_period.reshape(-1),
    )


@dataclass(frozen=True, eq=False)
class Comparisons:
    """Every 2x2 comparison of the decomposition with its weight and windows.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns type, treated, control (first treated periods; ``inf`` never, ``-inf`` always
        treated), weight, and the group indices and period windows ``g_treated``,
        ``g_control``, ``pre_lo``, ``pre_hi``, ``post_lo``, ``post_hi`` (half-open ranges of
        period indices).
    variance : float
        Variance of the two-way demeaned treatment dummy (Goodman-Bacon's V^D).
    dbar : numpy.ndarray, shape (G,)
        Share of periods each group is treated.
    dtilde : numpy.ndarray, shape (G, T)
        The two-way demeaned treatment dummy of each group and period.
    """

    frame: pd.DataFrame
    variance: float
    dbar: np.ndarray
    dtilde: np.ndarray

    def forbidden_share(self) -> float:
        """Share of the weight on later- vs earlier-treated comparisons."""
        return float(self.frame.loc[self.frame["type"] == FORBIDDEN, "weight"].sum())


def comparisons(t: Timing, *, where: str) -> Comparisons:
    """Return the 2x2 comparisons of a timing structure and their Goodman-Bacon weights.

    The weights are Goodman-Bacon's (2021) equations (10e-g) with the group sizes as shares of
    units, divided by the variance of the two-way demeaned treatment dummy computed directly,
    so that their sum (1) is a check, not a normalisation.

    Raises
    ------
    EstimationError
        When the treatment dummy has no variation left after unit and period effects (no unit
        treated inside the panel, or one adoption cohort and no never- or always-treated unit).
    """
    T = len(t.periods)
    share = t.n_units / t.n_units.sum()
    D = (np.arange(T)[None, :] >= t.start[:, None]).astype(float)
    dbar = D.mean(axis=1)
    dtilde = D - dbar[:, None] - (share @ D)[None, :] + share @ dbar
    variance = float(share @ (dtilde**2).mean(axis=1))
    if variance <= 1e-14:
        raise EstimationError(
            f"{where}: the treatment dummy does not vary once unit and period effects are "
            "removed (no unit adopts inside the panel, or all adopt in the same period and "
            "none is never or always treated), so the TWFE DID is not identified"
        )
    timing_groups = np.flatnonzero((t.start > 0) & (t.start < T))
    untreated = {"treated_vs_never": t.start == T, "treated_vs_always": t.start == 0}
    rows: list[tuple[Any, ...]] = []
    for kind, mask in untreated.items():
        for u in np.flatnonzero(mask):
            for k in timing_groups:
                w = share[k] * share[u] * dbar[k] * (1 - dbar[k])
                rows.append((kind, k, u, w, 0, t.start[k], t.start[k], T))
    for i, k in enumerate(timing_groups):
        for m in timing_groups[i + 1 :]:  # k adopts before m (starts are increasing)
            gap = dbar[k] - dbar[m]
            s_k, s_m = t.start[k], t.start[m]
            early = share[k] * share[m] * gap * (1 - dbar[k])
            late = share[k] * share[m] * dbar[m] * gap
            rows.append(("earlier_vs_later", k, m, early, 0, s_k, s_k, s_m))
            rows.append(("later_vs_earlier", m, k, late, s_k, s_m, s_m, T))
    columns = ["type", "g_treated", "g_control", "weight", "pre_lo", "pre_hi", "post_lo", "post_hi"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["weight"] = frame["weight"].astype(float) / variance
    labels = t.labels
    frame.insert(1, "treated", labels[frame["g_treated"].to_numpy(dtype=int)])
    frame.insert(2, "control", labels[frame["g_control"].to_numpy(dtype=int)])
    order = {k: i for i, k in enumerate(COMPARISON_TYPES)}
    frame = frame.sort_values(
        ["type", "treated", "control"], key=lambda s: s.map(order) if s.name == "type" else s
    ).reset_index(drop=True)
    return Comparisons(frame, variance, dbar, dtilde)
