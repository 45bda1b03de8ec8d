"""The result of :func:`pilotdid.did_imputation`: imputed effects by horizon and overall."""

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
from pilotdid.estimation.wald import WaldTest, wald_test

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.estimation.result import FeolsResult

__all__ = ["ImputationResult"]


@dataclass(frozen=True, eq=False)
class ImputationResult:
    r"""Borusyak-Jaravel-Spiess imputation estimates.

    Attributes
    ----------
    outcome : str
        The outcome.
    horizons : numpy.ndarray of int
        Horizons (periods since adoption) with an estimate.
    estimates : numpy.ndarray
        Effect at each horizon.
    vcov : numpy.ndarray
        Their covariance (BJS Theorem 3, conservative, clustered).
    att, att_se : float
        The overall average effect on the treated observations and its standard error.
    att_cov : numpy.ndarray
        Covariance of the ATT with each horizon's estimate.
    lead_periods, lead_estimates : numpy.ndarray
        Pre-trend coefficients (relative periods -k..-1) from the lead regression on the
        untreated observations (empty without ``pretrends``).
    joint_vcov : numpy.ndarray
        Covariance of (leads, horizons) together, from the sum over clusters of the products
        of their influence sums (normal inference; used by :meth:`dynamic`).
    pretrend_fit : FeolsResult or None
        The lead regression (its clustered F test is :meth:`pretrend_test`).
    effects : pandas.Series
        :math:`\hat\tau_{it}` of every treated observation, indexed like the input rows.
    n_treated, n_untreated, n_clusters : int
        Treated and untreated observations used, clusters.
    cluster : str
        Cluster column.
    fixef : tuple of str
        Fixed effects of the untreated-outcome model.
    dropped : mapping of str to int
        Rows removed by cause (``missing``).
    pre_periods : numpy.ndarray of int
        Pre-periods at which treated units have untreated observations.
    pre_loading : numpy.ndarray or None
        Weight each horizon's estimate (rows; the overall ATT last) puts on the untreated
        observations at each pre-period (:func:`pilotdid.did.imputation_reference.pre_loading`);
        None when the fixed effects do not include the unit. Used by :meth:`referenced`.
    leads_identified : bool
        False when the lead regression dropped collinear leads (e.g. no never-treated unit: a
        linear trend in relative time is absorbed by the fixed effects).
    """

    outcome: str
    horizons: np.ndarray
    estimates: np.ndarray
    vcov: np.ndarray
    att: float
    att_se: float
    att_cov: np.ndarray
    lead_periods: np.ndarray
    lead_estimates: np.ndarray
    joint_vcov: np.ndarray
    pretrend_fit: FeolsResult | None
    effects: pd.Series
    n_treated: int
    n_untreated: int
    n_clusters: int
    cluster: str
    fixef: tuple[str, ...]
    dropped: Mapping[str, int] = field(default_factory=dict)
    pre_periods: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    pre_loading: np.ndarray | None = None
    leads_identified: bool = True

    @classmethod
    def build(
        cls,
        *,
        horizons: np.ndarray,
        estimates: np.ndarray,
        scores: np.ndarray,
        lead_periods: np.ndarray,
        lead_estimates: np.ndarray,
        lead_scores: np.ndarray | None,
        **fields: object,
    ) -> ImputationResult:
        """Assemble a result from per-cluster influence sums (used by ``did_imputation``)."""
        k = horizons.size
        cov = scores.T @ scores
        joint = scores[:, :k] if lead_scores is None else np.hstack([lead_scores, scores[:, :k]])
        return cls(
            horizons=np.asarray(horizons, dtype=int),
            estimates=np.asarray(estimates[:k], dtype=float),
            vcov=cov[:k, :k],
            att=float(estimates[k]),
            att_se=float(np.sqrt(cov[k, k])),
            att_cov=cov[k, :k],
            lead_periods=np.asarray(lead_periods, dtype=int),
            lead_estimates=np.asarray(lead_estimates, dtype=float),
            joint_vcov=joint.T @ joint,
            **fields,  # type: ignore[arg-type]
        )

    def dynamic(self) -> DynamicEffects:
        """Leads (if any) and horizon effects as :class:`~pilotdid.did.dynamic.DynamicEffects`.

        Returns
        -------
        DynamicEffects
            Estimator ``"BJS"``, no reference period, normal inference.
        """
        return DynamicEffects(
            "BJS",
            np.concatenate([self.lead_periods, self.horizons]),
            np.concatenate([self.lead_estimates, self.estimates]),
            self.joint_vcov,
            None,
        )

    def referenced(self) -> DynamicEffects:
        """Leads and effects as an event study normalised at period ``-1`` (for HonestDiD).

        See :mod:`pilotdid.did.imputation_reference`: the lead regression must cover every
        pre-period but the earliest (``pretrends = -r0 - 1``) and the unit must be a fixed
        effect; the mapped effects lean on the earliest pre-period, so they are less precise
        than :attr:`estimates`.

        Returns
        -------
        DynamicEffects
            Estimator ``"BJS"``, reference period ``-1``.
        """
        from pilotdid.did.imputation_reference import referenced_effects

        return referenced_effects(self)

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """Pre-trend coefficients and effects by relative period (index ``rel_time``).

        Parameters
        ----------
        level : float, default 0.95
            Confidence level (normal) of ``conf_low`` / ``conf_high``.

        Returns
        -------
        pandas.DataFrame
            Columns estimate, std_error, statistic, p_value, conf_low, conf_high, is_lead.
        """
        dyn = self.dynamic()
        frame = coef_table(
            pd.Index(dyn.periods, name="rel_time"), dyn.estimates, dyn.se, np.inf, level
        )
        frame["is_lead"] = frame.index < 0
        return frame

    def att_table(self, level: float = 0.95) -> pd.DataFrame:
        """Return the overall ATT as a one-row table (index ``"ATT"``)."""
        return coef_table(
            pd.Index(["ATT"]), np.array([self.att]), np.array([self.att_se]), np.inf, level
        )

    def pretrend_test(self) -> WaldTest:
        """Joint F test of the lead coefficients (clustered lead regression, as Stata's).

        Returns
        -------
        WaldTest
            NaN statistic when no ``pretrends`` were requested.
        """
        fit = self.pretrend_fit
        if fit is None:
            return wald_test(np.zeros(0), np.zeros((0, 0)), np.inf, np.zeros((0, 0)))
        names = list(fit.names[: self.lead_periods.size])
        return wald_test(
            fit.coef()[names].to_numpy(),
            fit.vcov().loc[names, names].to_numpy(),
            fit.df_t,
            terms=tuple(int(p) for p in self.lead_periods),
        )

    def model_summary(self) -> ModelSummary:
        """Table-facing summary: effects named ``t=0``, ``t+1`` ... and ``ATT``."""
        tidy = self.tidy().query("~is_lead").drop(columns="is_lead")
        tidy.index = [period_label(int(k)) for k in tidy.index]
        return ModelSummary(
            coefs=pd.concat([tidy, self.att_table()]),
            depvar=self.outcome,
            fixef=self.fixef,
            vcov_label=f"clustered by {self.cluster} (BJS conservative)",
            nobs=self.n_treated + self.n_untreated,
            stats={"n_clusters": float(self.n_clusters)},
            title="Imputation (BJS)",
        )

    def summary(self) -> str:
        """Summarise the ATT, the horizons and the pre-trend test in plain words."""
        test = self.pretrend_test()
        pre = (
            f"pre-trend test of {int(test.df_num)} leads F = {test.statistic:.3f}, "
            f"p = {test.p_value:.3g}"
            if test.terms
            else "no pre-trend test (pretrends=None)"
        )
        text = (
            f"Imputation (Borusyak-Jaravel-Spiess) estimate of {self.outcome}: ATT = "
            f"{self.att:.4g} (SE {self.att_se:.4g}) over {self.n_treated:,} treated observations, "
            f"imputed from {self.n_untreated:,} untreated ones; horizons "
            f"{int(self.horizons.min())}..{int(self.horizons.max())}; {pre}"
        )
        if self.dropped.get("missing"):
            text += f"; {self.dropped['missing']:,} rows with missing values dropped"
        return text

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        table = pd.concat([self.tidy().drop(columns="is_lead"), self.att_table()])
        body = table.to_html(float_format=lambda v: f"{v:.4g}")
        return f"<div><p>{html.escape(self.summary())}</p>{body}</div>"

    def figure(self, *, level: float = 0.95, language: str = "en") -> Figure:
        """Effects by horizon (and pre-trend coefficients) with confidence intervals.

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

        return dynamic_figure(
            self.dynamic(),
            title="fig.bjs.title",
            level=level,
            language=language,
            lead_label="fig.bjs.lead" if self.lead_periods.size else None,
        )
