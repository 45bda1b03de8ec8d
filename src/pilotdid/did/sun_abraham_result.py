"""The result of :func:`pilotdid.sun_abraham`: cohort × period effects and their IW aggregation."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pilotdid.did._rollout import coef_table
from pilotdid.did.dynamic import DynamicEffects, period_label
from pilotdid.estimation.summary import ModelSummary
from pilotdid.estimation.wald import WaldTest

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.estimation.result import FeolsResult

__all__ = ["SunAbrahamResult"]


@dataclass(frozen=True, eq=False)
class SunAbrahamResult:
    """Sun-Abraham interaction-weighted event study.

    Attributes
    ----------
    fit : FeolsResult
        The saturated regression (one dummy per cohort × relative-period cell).
    cells : pandas.DataFrame
        One row per cell: cohort, rel_time, term (dummy name), count (estimation-sample rows,
        weighted when the regression is), estimate, std_error, share (the IW weight of the cell
        at its relative period), att_weight (its weight in the overall ATT), estimated (False
        when the dummy was dropped as collinear; such cells get no weight).
    periods : numpy.ndarray of int
        Reported relative periods (the reference excluded), increasing.
    weights : numpy.ndarray, shape (len(periods), len(fit.names))
        The IW aggregation matrix ``W`` acting on the regression's coefficients.
    estimates, vcov : numpy.ndarray
        ``W b`` and ``W V W'``: IW estimates and their full covariance (shares treated as known).
    att, att_se : float
        Overall ATT (every post-adoption cell weighted by its size) and its standard error.
    outcome : str
        The outcome.
    ref : int
        Reference relative period.
    window : tuple of int
        First and last reported relative period.
    control_cohort : str
        ``"never"`` or ``"last"``.
    dropped : mapping of str to int
        Rows removed by cause (``from_last_cohort``, ``no_reference``, ``missing``, ``singletons``).
    """

    fit: FeolsResult
    cells: pd.DataFrame
    periods: np.ndarray
    weights: np.ndarray
    estimates: np.ndarray
    vcov: np.ndarray
    att: float
    att_se: float
    outcome: str
    ref: int
    window: tuple[int, int]
    control_cohort: str
    dropped: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_fit(
        cls,
        fit: FeolsResult,
        cells: pd.DataFrame,
        *,
        outcome: str,
        ref: int,
        window: tuple[int, int],
        control_cohort: str,
        dropped: Mapping[str, int],
    ) -> SunAbrahamResult:
        """Aggregate the saturated regression's cell coefficients (used by ``sun_abraham``)."""
        names = list(fit.names)
        position = {name: i for i, name in enumerate(names)}
        cells = cells.copy()
        cells["estimated"] = cells["term"].isin(position)
        est = cells[cells["estimated"]]
        cols = est["term"].map(position).to_numpy(dtype=int)
        coef, cov = fit.coef_values, fit.vcov_matrix
        cells["estimate"] = cells["term"].map(fit.coef())
        cells["std_error"] = cells["term"].map(fit.se())
        rel, count = est["rel_time"].to_numpy(), est["count"].to_numpy(dtype=float)
        lo, hi = window
        periods = np.unique(rel[(rel >= lo) & (rel <= hi)])
        weights = np.zeros((periods.size, len(names)))
        share = np.zeros(len(est))
        for row, e in enumerate(periods):
            at = rel == e
            share[at] = count[at] / count[at].sum()
            weights[row, cols[at]] = share[at]
        post = rel >= 0
        att_w = np.where(post, count, 0.0) / count[post].sum()
        att_vec = np.zeros(len(names))
        att_vec[cols] = att_w
        cells.loc[cells["estimated"], "share"] = share
        cells.loc[cells["estimated"], "att_weight"] = att_w
        cells[["share", "att_weight"]] = cells[["share", "att_weight"]].fillna(0.0)
        return cls(
            fit=fit,
            cells=cells,
            periods=periods.astype(int),
            weights=weights,
            estimates=weights @ coef,
            vcov=weights @ cov @ weights.T,
            att=float(att_vec @ coef),
            att_se=float(np.sqrt(att_vec @ cov @ att_vec)),
            outcome=outcome,
            ref=ref,
            window=window,
            control_cohort=control_cohort,
            dropped=dict(dropped),
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """What the reader should know: rows dropped and cells without an estimate."""
        out = []
        labels = {
            "from_last_cohort": "from the last cohort's adoption period on (no control left)",
            "no_reference": f"of cohorts never observed at the reference period {self.ref}",
        }
        for cause, n in self.dropped.items():
            if n:
                out.append(f"{n:,} rows dropped {labels.get(cause, f'({cause})')}")
        missing = self.cells.loc[~self.cells["estimated"], ["cohort", "rel_time"]]
        if len(missing):
            listed = ", ".join(f"{g:g}/{e:+d}" for g, e in missing.itertuples(index=False))
            out.append(f"cohort/period cells dropped as collinear (no weight): {listed}")
        return tuple(out)

    def dynamic(self) -> DynamicEffects:
        """Return the IW estimates as :class:`~pilotdid.did.dynamic.DynamicEffects` (``"SA"``)."""
        return DynamicEffects(
            "SA", self.periods, self.estimates, self.vcov, self.ref, float(self.fit.df_t)
        )

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """IW estimates by relative period (index ``rel_time``), the reference period as zero.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level of ``conf_low`` / ``conf_high``.

        Returns
        -------
        pandas.DataFrame
            Columns estimate, std_error, statistic, p_value, conf_low, conf_high, is_ref.
        """
        index = pd.Index(self.periods, name="rel_time")
        frame = coef_table(index, self.estimates, self.dynamic().se, self.fit.df_t, level)
        frame["is_ref"] = False
        if self.window[0] <= self.ref <= self.window[1]:
            ref = pd.DataFrame({c: [0.0] for c in frame.columns}, index=pd.Index([self.ref]))
            ref[["statistic", "p_value"]] = np.nan
            ref["is_ref"] = True
            frame = pd.concat([frame, ref])
            frame.index.name = "rel_time"
        return frame.sort_index()

    def att_table(self, level: float = 0.95) -> pd.DataFrame:
        """Return the overall ATT as a one-row table (index ``"ATT"``), columns as :meth:`tidy`."""
        att, se = np.array([self.att]), np.array([self.att_se])
        return coef_table(pd.Index(["ATT"]), att, se, self.fit.df_t, level)

    def pretrend_test(self) -> WaldTest:
        """Joint F test that every IW lead (relative period < 0 but the reference) is zero."""
        return self.dynamic().pretrend_test()

    def model_summary(self) -> ModelSummary:
        """Table-facing summary: IW estimates named ``t-2``, ``t=0``, ``t+1`` ... and ``ATT``."""
        base = self.fit.model_summary()
        tidy = self.tidy().query("~is_ref").drop(columns="is_ref")
        tidy.index = [period_label(int(k)) for k in tidy.index]
        coefs = pd.concat([tidy, self.att_table()])
        return ModelSummary(
            coefs=coefs,
            depvar=base.depvar,
            fixef=base.fixef,
            vcov_label=base.vcov_label,
            nobs=base.nobs,
            stats=base.stats,
            title="Sun-Abraham",
        )

    def summary(self) -> str:
        """Summarise the ATT, the pre-trend test and the dynamic effects in plain words."""
        test = self.pretrend_test()
        control = "never-treated" if self.control_cohort == "never" else "last-treated"
        pre = (
            f"joint test of {int(test.df_num)} leads F = {test.statistic:.3f}, "
            f"p = {test.p_value:.3g}"
            if test.terms
            else "no lead to test"
        )
        text = (
            f"Sun-Abraham event study of {self.outcome} ({control} cohort as control, reference "
            f"{self.ref}, {len(self.cells)} cohort × period cells): ATT = {self.att:.4g} "
            f"(SE {self.att_se:.4g}); {pre}"
        )
        return "; ".join([text, *self.notes])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        table = self.tidy().to_html(float_format=lambda v: f"{v:.4g}")
        return f"<div><p>{html.escape(self.summary())}</p>{table}</div>"

    def figure(self, *, level: float = 0.95, language: str = "en") -> Figure:
        """IW estimates with confidence intervals by relative period.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level of the intervals.
        language : {"en", "zh"}
            Label language.

        Returns
        -------
        matplotlib.figure.Figure
            A new figure (not shown).
        """
        from pilotdid.did.figures_robust import dynamic_figure

        return dynamic_figure(self.dynamic(), title="fig.sa.title", level=level, language=language)
