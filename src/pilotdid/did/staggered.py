"""Is adoption staggered? The check behind the warning of the TWFE estimators.

With more than one adoption cohort, the two-way fixed-effects DID and event study use units
that adopted earlier as controls for units that adopt later, and can be badly biased when
effects differ across cohorts or change over time (Goodman-Bacon 2021). :func:`event_study`,
the study pipeline's baseline TWFE and ``pilotdid validate`` say so once, with the share of the
TWFE weight on those "forbidden" comparisons when the panel is balanced.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pilotdid.did.bacon_timing import comparisons, timing
from pilotdid.errors import EstimationError, PanelError, StaggeredAdoptionWarning
from pilotdid.panel.adoption import adoption_cohorts

__all__ = ["StaggeredDesign", "design_from_arrays", "staggered_design", "warn_if_staggered"]

ROBUST = (
    "pilotdid.att_gt (Callaway-Sant'Anna), pilotdid.sun_abraham (Sun-Abraham) or "
    "pilotdid.did_imputation (Borusyak-Jaravel-Spiess)"
)
_SHOWN = 6


@dataclass(frozen=True, eq=False)
class StaggeredDesign:
    """Adoption cohorts of a panel and the Goodman-Bacon share of forbidden comparisons.

    Attributes
    ----------
    cohorts : pandas.Series
        Units by adoption period, for the cohorts adopting inside the panel (after its first
        period, at or before its last).
    forbidden_share : float or None
        Share of the TWFE DID's weight on later- vs earlier-treated comparisons; None when the
        decomposition does not apply (unbalanced panel, no variation).
    why_no_share : str
        Why ``forbidden_share`` is None ("" otherwise).
    """

    cohorts: pd.Series
    forbidden_share: float | None
    why_no_share: str = ""

    @property
    def is_staggered(self) -> bool:
        """Whether more than one cohort adopts inside the panel."""
        return len(self.cohorts) > 1

    def message(self) -> str:
        """Return the warning: cohorts, the forbidden share (or why not) and the robust estimators."""
        shown = self.cohorts.iloc[:_SHOWN]
        listed = ", ".join(
            f"{_period(p)}: {int(n):,} units"
            for p, n in zip(shown.index.to_numpy(dtype=float), shown.to_numpy(), strict=True)
        )
        if len(self.cohorts) > _SHOWN:
            listed += ", ..."
        if self.forbidden_share is not None:
            share = (
                f"{self.forbidden_share:.1%} of the TWFE DID's weight is on forbidden "
                "comparisons (later- vs earlier-adopting units, Goodman-Bacon decomposition)"
            )
        else:
            share = f"the share of forbidden comparisons is not computed ({self.why_no_share})"
        return (
            f"adoption is staggered ({len(self.cohorts)} cohorts: {listed}); {share}. Two-way "
            "fixed effects then use earlier adopters as controls and can be biased, even of the "
            "wrong sign, when effects differ across cohorts or grow over time; check with the "
            f"heterogeneity-robust estimators {ROBUST}, and pilotdid.bacon for the decomposition"
        )


def _period(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def design_from_arrays(
    codes: np.ndarray, per_unit: np.ndarray, period: np.ndarray, keep: np.ndarray | None = None
) -> StaggeredDesign:
    """Return the design of rows with unit ``codes``, adoption ``per_unit`` (NaN never) and ``period``.

    Parameters
    ----------
    codes : numpy.ndarray of int, shape (n,)
        Each row's unit (index into ``per_unit``; -1 none).
    per_unit : numpy.ndarray of float
        Each unit's adoption period, NaN for never treated.
    period : numpy.ndarray of float, shape (n,)
        Each row's period.
    keep : numpy.ndarray of bool, optional
        Rows the estimator uses (e.g. without a missing outcome); default all.

    Returns
    -------
    StaggeredDesign
    """
    if keep is not None:
        codes, period = codes[keep], period[keep]
    ok = (codes >= 0) & ~np.isnan(period)
    if not ok.any():
        return StaggeredDesign(pd.Series(dtype=int), None, "no rows")
    used = np.unique(codes[ok])
    lo, hi = float(np.min(period[ok])), float(np.max(period[ok]))
    adoption = per_unit[used]
    inside = (adoption > lo) & (adoption <= hi)
    cohorts = pd.Series(adoption[inside]).value_counts().sort_index()
    cohorts.index.name, cohorts.name = "cohort", "units"
    if len(cohorts) <= 1:
        return StaggeredDesign(cohorts, None, "one cohort")
    recode = np.full(len(per_unit), -1)
    recode[used] = np.arange(len(used))
    try:
        t = timing(recode[codes[ok]], period[ok], adoption, where="design")
        share = comparisons(t, where="design").forbidden_share()
    except PanelError:
        return StaggeredDesign(cohorts, None, "the panel is unbalanced")
    except EstimationError:
        return StaggeredDesign(cohorts, None, "no variation in the treatment")
    return StaggeredDesign(cohorts, share)


def staggered_design(
    data: pd.DataFrame, *, unit: str, time: str, cohort: str, columns: Sequence[str] = ()
) -> StaggeredDesign:
    """Adoption cohorts of a panel and the share of forbidden comparisons in its TWFE DID.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (never modified).
    unit, time, cohort : str
        Unit, period and adoption-period columns (the package's never-treated rule).
    columns : sequence of str
        Columns the estimator needs: rows missing any of them are left out, as the
        regression would.

    Returns
    -------
    StaggeredDesign

    Examples
    --------
    >>> df = pd.DataFrame({"id": np.repeat([1, 2, 3], 4), "year": np.tile([1, 2, 3, 4], 3),
    ...                    "g": np.repeat([2, 3, np.nan], 4)})
    >>> d = staggered_design(df, unit="id", time="year", cohort="g")
    >>> d.is_staggered, round(d.forbidden_share, 3)
    (True, 0.2)
    """
    cohorts = adoption_cohorts(data, unit, cohort, time=time)
    period = pd.to_numeric(data[time], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    keep = data[list(columns)].notna().all(axis=1).to_numpy() if columns else None
    return design_from_arrays(cohorts.codes, cohorts.per_unit, period, keep)


def warn_if_staggered(design: StaggeredDesign, *, where: str = "", stacklevel: int = 2) -> None:
    """Warn (:class:`~pilotdid.errors.StaggeredAdoptionWarning`) when the design is staggered.

    Parameters
    ----------
    design : StaggeredDesign
        From :func:`staggered_design` or :func:`design_from_arrays`.
    where : str
        Prefix naming the estimator (``"event_study"``); none when empty.
    stacklevel : int, default 2
        Passed to :func:`warnings.warn`.
    """
    if design.is_staggered:
        prefix = f"{where}: " if where else ""
        warnings.warn(
            prefix + design.message(), StaggeredAdoptionWarning, stacklevel=stacklevel + 1
        )
