"""The one interface every dynamic (event-study) estimator exposes.

TWFE event studies, Callaway–Sant'Anna's dynamic aggregation, Sun–Abraham and the imputation
estimator all reduce to the same small object: estimates by period relative to adoption, their
covariance matrix, and the reference period. The overlay figure, the side-by-side table and the
HonestDiD sensitivity analysis take any :class:`DynamicEffects`, whichever estimator made it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pilotdid.errors import EstimationError
from pilotdid.estimation.wald import WaldTest, wald_test

__all__ = ["DynamicEffects", "period_label"]


def period_label(k: int) -> str:
    """Row label of a relative period, as in the event-study table (``t-2``, ``t=0``, ``t+1``).

    Examples
    --------
    >>> [period_label(k) for k in (-2, 0, 3)]
    ['t-2', 't=0', 't+3']
    """
    return f"t{k:+d}" if k else "t=0"


@dataclass(frozen=True, eq=False)
class DynamicEffects:
    """Effects by period relative to adoption, with their joint covariance.

    Attributes
    ----------
    estimator : str
        Short name of the estimator (``"TWFE"``, ``"CS"``, ``"SA"``, ``"BJS"``).
    periods : numpy.ndarray of int, shape (k,)
        Relative periods with an estimate, increasing; the reference period is not among them.
    estimates : numpy.ndarray, shape (k,)
        Effect at each relative period.
    vcov : numpy.ndarray, shape (k, k)
        Their covariance matrix.
    ref : int or None
        The normalised reference period (estimate 0 by construction), or None when the
        estimator has none (imputation and Callaway–Sant'Anna's varying base period report
        pre-period estimates against their own comparisons).
    df : float
        Degrees of freedom for t-based intervals and tests (``inf`` for normal inference).
    """

    estimator: str
    periods: np.ndarray
    estimates: np.ndarray
    vcov: np.ndarray
    ref: int | None = -1
    df: float = float("inf")

    def __post_init__(self) -> None:
        k = len(self.periods)
        if np.shape(self.estimates) != (k,) or np.shape(self.vcov) != (k, k):
            raise EstimationError(
                f"{self.estimator}: {k} periods need {k} estimates and a {k}x{k} covariance "
                f"matrix, got {np.shape(self.estimates)} and {np.shape(self.vcov)}"
            )
        if k > 1 and np.any(np.diff(self.periods) <= 0):
            raise EstimationError(f"{self.estimator}: relative periods must be increasing")

    @property
    def se(self) -> np.ndarray:
        """Standard errors, shape (k,)."""
        return np.asarray(np.sqrt(np.clip(np.diag(self.vcov), 0.0, None)))

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """Estimates by relative period (index ``rel_time``), the reference period as zero.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level of ``conf_low`` / ``conf_high`` (pointwise).

        Returns
        -------
        pandas.DataFrame
            Columns estimator, estimate, std_error, conf_low, conf_high, is_ref.
        """
        from scipy import stats

        q = float(stats.t.ppf(0.5 + level / 2, self.df))
        frame = pd.DataFrame(
            {
                "estimator": self.estimator,
                "estimate": self.estimates,
                "std_error": self.se,
                "conf_low": self.estimates - q * self.se,
                "conf_high": self.estimates + q * self.se,
                "is_ref": False,
            },
            index=pd.Index(np.asarray(self.periods, dtype=int), name="rel_time"),
        )
        if self.ref is not None and self.ref not in frame.index:
            ref = {"estimator": self.estimator, "is_ref": True}
            ref |= dict.fromkeys(("estimate", "std_error", "conf_low", "conf_high"), 0.0)
            frame = pd.concat([frame, pd.DataFrame(ref, index=pd.Index([self.ref]))])
            frame.index.name = "rel_time"
        return frame.sort_index()

    def _repr_html_(self) -> str:
        from pilotdid._text import html_summary

        lead = np.asarray(self.periods) < 0
        line = f"{self.estimator}: effects at {len(self.periods)} relative periods"
        if lead.any():
            test = self.pretrend_test()
            line += f"; joint pre-trend test p = {test.p_value:.4g}"
        table = self.tidy().to_html(float_format=lambda v: f"{v:.4g}", escape=True)
        return html_summary(line, table, title="Dynamic effects")

    def pretrend_test(self) -> WaldTest:
        """Joint F (or chi-square/q when ``df`` is infinite) test that every lead is zero.

        Returns
        -------
        WaldTest
            The test of the estimates at negative relative periods (other than the reference).
        """
        lead = np.flatnonzero(np.asarray(self.periods) < 0)
        return wald_test(
            self.estimates[lead],
            self.vcov[np.ix_(lead, lead)],
            self.df,
            terms=tuple(int(p) for p in np.asarray(self.periods)[lead]),
        )

    def subset(self, periods: np.ndarray | list[int]) -> DynamicEffects:
        """Return the effects at the given relative periods only (in increasing order).

        Parameters
        ----------
        periods : array-like of int
            Relative periods to keep; each must have an estimate.

        Returns
        -------
        DynamicEffects
        """
        wanted = np.sort(np.asarray(periods, dtype=int))
        index = {int(p): i for i, p in enumerate(self.periods)}
        missing = [int(p) for p in wanted if int(p) not in index]
        if missing:
            raise EstimationError(f"{self.estimator}: no estimate at relative period(s) {missing}")
        pos = np.array([index[int(p)] for p in wanted], dtype=int)
        return DynamicEffects(
            self.estimator,
            wanted,
            self.estimates[pos],
            self.vcov[np.ix_(pos, pos)],
            self.ref,
            self.df,
        )
