"""The result of an event study: coefficients by relative period and the pre-trend test."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pilotdid.did.dynamic import DynamicEffects, period_label
from pilotdid.estimation.summary import ModelSummary
from pilotdid.estimation.wald import WaldTest, wald_test

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.estimation.result import FeolsResult

__all__ = ["EventStudyResult", "WaldTest"]


@dataclass(frozen=True, eq=False)
class EventStudyResult:
    """Leads and lags of adoption estimated jointly with two-way fixed effects.

    Attributes
    ----------
    fit : FeolsResult
        The underlying regression (dummies named ``rel_m2``, ``rel_p0`` ...).
    periods : mapping of str to int
        Dummy name → relative period.
    ref : int
        Omitted reference period.
    window : tuple of int
        First lead and last lag.
    bin_endpoints : bool
        Whether periods beyond the window were folded into the end bins.
    dropped_outside_window : int
        Rows removed because they lie outside an unbinned window.
    outcome : str
        The outcome.
    collinear : tuple of int
        Relative periods whose dummy was dropped as collinear (no estimate; NaN in ``tidy()``).
    """

    fit: FeolsResult
    periods: Mapping[str, int]
    ref: int
    window: tuple[int, int]
    bin_endpoints: bool
    dropped_outside_window: int
    outcome: str
    collinear: tuple[int, ...] = ()

    @property
    def notes(self) -> tuple[str, ...]:
        """What the reader should know: relative periods without an estimate."""
        if not self.collinear:
            return ()
        listed = ", ".join(f"{k:+d}" for k in self.collinear)
        return (
            f"relative period(s) {listed} dropped as collinear (no variation left after the fixed "
            "effects, e.g. no treated unit observed that far from adoption); shown as missing",
        )

    def _estimated(self) -> list[str]:
        dropped = set(self.collinear)
        return [name for name, k in self.periods.items() if k not in dropped]

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """Coefficients by relative period (index), the reference period included as zero.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level of ``conf_low`` / ``conf_high``.

        Returns
        -------
        pandas.DataFrame
            Columns estimate, std_error, statistic, p_value, conf_low, conf_high, is_ref; one
            row per relative period in the window, NaN for periods dropped as collinear.
        """
        frame = self.fit.tidy(level).reindex(list(self.periods))
        frame.index = pd.Index([self.periods[name] for name in frame.index], name="rel_time")
        frame["is_ref"] = False
        ref_row = pd.DataFrame(
            {c: [0.0] for c in frame.columns if c != "is_ref"} | {"is_ref": [True]},
            index=pd.Index([self.ref], name="rel_time"),
        )
        ref_row[["statistic", "p_value"]] = np.nan
        return pd.concat([frame, ref_row]).sort_index()

    def pretrend_test(self) -> WaldTest:
        """Joint Wald (F) test that every lead before the reference period is zero.

        Returns
        -------
        WaldTest
            F statistic with ``q`` and the t-tests' degrees of freedom, and its p-value.
        """
        leads = [name for name in self._estimated() if self.periods[name] < 0]
        return wald_test(
            self.fit.coef()[leads].to_numpy(),
            self.fit.vcov().loc[leads, leads].to_numpy(),
            self.fit.df_t,
            terms=tuple(self.periods[n] for n in leads),
        )

    def dynamic(self) -> DynamicEffects:
        """Return the estimates as :class:`~pilotdid.did.dynamic.DynamicEffects` (``"TWFE"``).

        Returns
        -------
        DynamicEffects
            Estimated relative periods (collinear ones left out), their covariance matrix,
            the reference period and the t-tests' degrees of freedom.
        """
        names = sorted(self._estimated(), key=lambda n: self.periods[n])
        return DynamicEffects(
            "TWFE",
            np.array([self.periods[n] for n in names], dtype=int),
            self.fit.coef()[names].to_numpy(),
            self.fit.vcov().loc[names, names].to_numpy(),
            self.ref,
            float(self.fit.df_t),
        )

    def model_summary(self) -> ModelSummary:
        """Table-facing summary of the underlying regression, terms named by relative period."""
        summary = self.fit.model_summary()
        rename = {name: period_label(k) for name, k in self.periods.items()}
        coefs = summary.coefs.rename(index=rename)
        return ModelSummary(
            coefs=coefs,
            depvar=summary.depvar,
            fixef=summary.fixef,
            vcov_label=summary.vcov_label,
            nobs=summary.nobs,
            stats=summary.stats,
            title="Event study",
        )

    def summary(self) -> str:
        """Summarise the pre-trend test and the dynamic effects in plain words."""
        test = self.pretrend_test()
        post = self.tidy().query("rel_time >= 0")
        text = (
            f"Event study of {self.outcome} (window {self.window}, reference {self.ref}, "
            f"{'binned' if self.bin_endpoints else 'trimmed'} endpoints): joint test of "
            f"{int(test.df_num)} leads F = {test.statistic:.3f}, p = {test.p_value:.3g}; "
            f"average post-adoption coefficient {post['estimate'].mean():.4g}"
        )
        return "; ".join([text, *self.notes])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        table = self.tidy().to_html(float_format=lambda v: f"{v:.4g}")
        return f"<div><p>{html.escape(self.summary())}</p>{table}</div>"

    def figure(
        self, *, level: float = 0.95, language: str = "en", trend: float | None = None
    ) -> Figure:
        """Point estimates with confidence intervals by relative period.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level of the intervals.
        language : {"en", "zh"}
            Label language.
        trend : float, optional
            Slope of a hypothesised linear pre-trend to draw (see ``pilotdid.pretrend_power``).

        Returns
        -------
        matplotlib.figure.Figure
            A new figure (not shown) with a line at zero and at the reference period.
        """
        from pilotdid.did.figures import event_study_figure

        return event_study_figure(self, level=level, language=language, trend=trend)
