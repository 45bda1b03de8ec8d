"""Aggregated Callaway–Sant'Anna effects: overall, by cohort, by period or by event time."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from pilotdid.did.cs_inference import draw_summary
from pilotdid.did.dynamic import DynamicEffects, period_label
from pilotdid.errors import EstimationError
from pilotdid.estimation.summary import COEF_COLUMNS, ModelSummary
from pilotdid.estimation.wald import WaldTest

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["AttGtAggregate", "interval_frame"]

_TINY = float(np.sqrt(np.finfo(float).eps) * 10)
_LABEL = {"group": "cohort", "calendar": "time", "dynamic": "rel_time", "simple": "overall"}


def interval_frame(
    estimate: np.ndarray,
    vcov: np.ndarray,
    draws: np.ndarray | None,
    level: float,
    uniform: bool,
) -> pd.DataFrame:
    """Estimates with analytic SEs, pointwise intervals, bootstrap SEs and the uniform band.

    Returns
    -------
    pandas.DataFrame
        Columns estimate, std_error, statistic, p_value, conf_low, conf_high, boot_se,
        band_low, band_high (NaN without bootstrap or ``uniform=False``).
    """
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    se = np.where(se <= _TINY, np.nan, se)
    z = float(stats.norm.ppf(0.5 + level / 2))
    frame = pd.DataFrame(
        {
            "estimate": estimate,
            "std_error": se,
            "statistic": estimate / se,
            "p_value": 2 * stats.norm.sf(np.abs(estimate / se)),
            "conf_low": estimate - z * se,
            "conf_high": estimate + z * se,
        }
    )
    boot_se, crit = (np.full(len(estimate), np.nan), np.nan)
    if draws is not None:
        boot_se, crit = draw_summary(draws, level)
    frame["boot_se"] = boot_se
    band = crit * boot_se if uniform else np.full(len(estimate), np.nan)
    frame["band_low"] = estimate - band
    frame["band_high"] = estimate + band
    frame.attrs["critical_value"] = crit if uniform else np.nan
    return frame


@dataclass(frozen=True, eq=False)
class AttGtAggregate:
    """Callaway–Sant'Anna effects aggregated as R ``did::aggte``.

    Attributes
    ----------
    kind : {"simple", "group", "calendar", "dynamic"}
        The aggregation: one overall ATT, by cohort, by calendar period or by event time.
    labels : numpy.ndarray
        Cohort, period or event time of each row (empty for ``simple``).
    estimates : numpy.ndarray
        Effect in each row.
    vcov : numpy.ndarray
        Analytic covariance matrix of the rows (from the influence functions).
    draws : numpy.ndarray or None
        Bootstrap deviations of the rows (draws x rows).
    overall_estimate, overall_se : float
        The overall summary (simple: the weighted ATT; group: cohort effects weighted by
        cohort size; calendar: mean over periods; dynamic: mean over event times >= 0) and
        its analytic standard error.
    overall_draws : numpy.ndarray or None
        Bootstrap deviations of the overall summary.
    outcome : str
        The outcome.
    level : float
        Confidence level.
    uniform : bool
        Whether the bands are uniform (sup-t) bands.
    ref : int or None
        The reference event time (universal base period: its estimate is 0), or None.
    n_units : int
        Units used.
    notes : tuple of str
        Notes of the estimation.
    """

    kind: str
    labels: np.ndarray
    estimates: np.ndarray
    vcov: np.ndarray
    draws: np.ndarray | None
    overall_estimate: float
    overall_se: float
    overall_draws: np.ndarray | None
    outcome: str
    level: float
    uniform: bool
    ref: int | None
    n_units: int
    notes: tuple[str, ...] = ()

    @property
    def overall_boot_se(self) -> float:
        """Bootstrap standard error of the overall summary (NaN without bootstrap)."""
        if self.overall_draws is None:
            return float("nan")
        return float(draw_summary(self.overall_draws[:, None], self.level)[0][0])

    def tidy(self, level: float | None = None) -> pd.DataFrame:
        """Rows with estimates, SEs, pointwise intervals and the uniform band.

        Parameters
        ----------
        level : float, optional
            Confidence level; default the result's.

        Returns
        -------
        pandas.DataFrame
            Index: cohort, time or rel_time (``overall`` for simple); columns of
            :func:`interval_frame`.
        """
        level = self.level if level is None else level
        if self.kind == "simple":
            frame = interval_frame(
                np.array([self.overall_estimate]), np.array([[self.overall_se**2]]),
                None if self.overall_draws is None else self.overall_draws[:, None],
                level, self.uniform,
            )  # fmt: skip
            frame.index = pd.Index(["ATT"], name="overall")
            return frame
        frame = interval_frame(self.estimates, self.vcov, self.draws, level, self.uniform)
        frame.index = pd.Index(self.labels.astype(int), name=_LABEL[self.kind])
        return frame

    def dynamic(self) -> DynamicEffects:
        """Return the event-time effects as :class:`~pilotdid.did.dynamic.DynamicEffects` ("CS").

        Returns
        -------
        DynamicEffects
            Event times with a standard error, their analytic covariance from the influence
            functions, the reference period (universal base period) or None (varying).
        """
        if self.kind != "dynamic":
            raise EstimationError(
                f"dynamic() needs the dynamic aggregation, not {self.kind!r}; "
                "use result.aggregate('dynamic').dynamic()"
            )
        keep = np.flatnonzero(np.diag(self.vcov) > _TINY**2)
        return DynamicEffects(
            "CS",
            self.labels[keep].astype(int),
            self.estimates[keep],
            self.vcov[np.ix_(keep, keep)],
            self.ref,
        )

    def pretrend_test(self) -> WaldTest:
        """Chi-square/q test that every pre-adoption event-time effect is zero (dynamic only)."""
        return self.dynamic().pretrend_test()

    def model_summary(self) -> ModelSummary:
        """Table-facing summary: the overall ATT, then one row per cohort, period or event time."""
        tidy = self.tidy(0.95)
        overall = self.tidy(0.95) if self.kind == "simple" else None
        if overall is None:
            one = interval_frame(
                np.array([self.overall_estimate]), np.array([[self.overall_se**2]]), None, 0.95,
                False,
            )  # fmt: skip
            one.index = pd.Index(["ATT"])
            names = {"dynamic": period_label, "group": "cohort {:d}".format,
                     "calendar": "period {:d}".format}[self.kind]  # fmt: skip
            rows = tidy.copy()
            rows.index = pd.Index([names(int(k)) for k in rows.index])
            overall = pd.concat([one, rows])
        return ModelSummary(
            coefs=overall.loc[:, list(COEF_COLUMNS)],
            depvar=self.outcome,
            vcov_label="influence function (Callaway-Sant'Anna)",
            nobs=self.n_units,
            title=f"CS ({self.kind})",
        )

    def summary(self) -> str:
        """Describe the overall effect and its interval in one line."""
        row = self.tidy().iloc[0] if self.kind == "simple" else None
        se = self.overall_se
        z = float(stats.norm.ppf(0.5 + self.level / 2))
        text = (
            f"Callaway-Sant'Anna {self.kind} aggregation of ATT(g,t) for {self.outcome}: overall "
            f"{self.overall_estimate:.4g} (SE {se:.4g}, {self.level:.0%} CI "
            f"[{self.overall_estimate - z * se:.4g}, {self.overall_estimate + z * se:.4g}])"
        )
        if row is None:
            text += f"; {len(self.labels)} {_LABEL[self.kind]} rows"
        return "; ".join([text, *self.notes])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        table = self.tidy().to_html(float_format=lambda v: f"{v:.4g}")
        return f"<div><p>{html.escape(self.summary())}</p>{table}</div>"

    def figure(self, *, language: str = "en") -> Figure:
        """Plot the rows with pointwise intervals and the uniform band.

        Parameters
        ----------
        language : {"en", "zh"}
            Label language.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from pilotdid.did.cs_figures import aggregate_figure

        return aggregate_figure(self, language=language)
