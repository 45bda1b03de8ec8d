"""Shared input handling of the staggered estimators (Sun-Abraham, imputation).

Checks the frame and reads the adoption column under the one never-treated rule; returns each
row's period and adoption period as floats (NaN = never treated).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pilotdid.errors import EstimationError, PanelError, did_you_mean
from pilotdid.panel.adoption import Cohorts, adoption_cohorts
from pilotdid.panel.frames import check_frame

__all__ = ["Rollout", "coef_table", "listed_values", "read_rollout"]


@dataclass(frozen=True, eq=False)
class Rollout:
    """Periods and adoption periods of every row of a staggered panel.

    Attributes
    ----------
    period : numpy.ndarray of float, shape (n,)
        The row's period.
    adoption : numpy.ndarray of float, shape (n,)
        The row's unit's adoption period; NaN for never-treated units.
    cohorts : Cohorts
        The per-unit reading of the cohort column.
    """

    period: np.ndarray
    adoption: np.ndarray
    cohorts: Cohorts

    @property
    def rel_time(self) -> np.ndarray:
        """Period minus adoption period (NaN for never-treated units)."""
        return np.asarray(self.period - self.adoption)


def listed_values(values: Iterable[object], limit: int = 5) -> str:
    """Up to ``limit`` values joined by commas, with ``...`` and the total when there are more."""
    items = list(values)
    shown = ", ".join(str(v) for v in items[:limit])
    return shown if len(items) <= limit else f"{shown}, ... ({len(items):,} in all)"


def read_rollout(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    cohort: str,
    used: Sequence[Hashable | None],
    where: str,
) -> Rollout:
    """Check ``data`` for a staggered estimator and read its adoption column.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (never modified).
    unit, time, cohort : str
        Unit, period and adoption-period columns.
    used : sequence of str or None
        Every other column the estimator reads (None entries are skipped).
    where : str
        The public function, named in messages.

    Returns
    -------
    Rollout
        Periods and adoption periods per row.

    Raises
    ------
    PanelError
        A missing column, an empty frame, ±inf in a used column, duplicate (unit, time) keys or
        a cohort column that breaks the never-treated rule.

    Examples
    --------
    >>> df = pd.DataFrame({"u": [1, 1, 2, 2], "t": [1, 2, 1, 2], "g": [2, 2, 0, 0], "y": 0.0})
    >>> read_rollout(df, unit="u", time="t", cohort="g", used=["y"], where="x").rel_time.tolist()
    [-1.0, 0.0, nan, nan]
    """
    if not isinstance(data, pd.DataFrame):
        raise PanelError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    columns = [c for c in dict.fromkeys([unit, time, cohort, *used]) if c is not None]
    for column in columns:
        if column not in data.columns:
            raise PanelError(
                f"column {column!r} not found{did_you_mean(str(column), data.columns)}"
            )
    checked = [c for c in columns if c != cohort]  # +inf in the cohort column means never
    check_frame(data, checked, where=where, keys=(unit, time), unique_keys=True, periods=time)
    cohorts = adoption_cohorts(data, unit, cohort, time=time)
    period = pd.to_numeric(data[time], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    adoption = cohorts.per_row
    if not np.isfinite(adoption).any():
        raise EstimationError(
            f"{where}: cohort column {cohort!r} marks no treated unit (missing, 0 or +inf mean "
            "never treated); check the adoption periods"
        )
    return Rollout(period, adoption, cohorts)


def coef_table(
    index: pd.Index, estimate: np.ndarray, se: np.ndarray, df: float, level: float = 0.95
) -> pd.DataFrame:
    """Estimates with t statistics, two-sided p-values and intervals (t with ``df``, or normal).

    Examples
    --------
    >>> coef_table(pd.Index(["a"]), np.array([2.0]), np.array([1.0]), np.inf).round(3).iloc[0].tolist()
    [2.0, 1.0, 2.0, 0.046, 0.04, 3.96]
    """
    from scipy import stats

    if not 0 < level < 1:
        raise EstimationError(f"level must lie strictly between 0 and 1, got {level}")
    est, err = np.asarray(estimate, dtype=float), np.asarray(se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = est / err
    q = float(stats.t.ppf(0.5 + level / 2, df))
    return pd.DataFrame(
        {
            "estimate": est,
            "std_error": err,
            "statistic": t,
            "p_value": 2 * stats.t.sf(np.abs(t), df),
            "conf_low": est - q * err,
            "conf_high": est + q * err,
        },
        index=index,
    )
