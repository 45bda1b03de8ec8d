"""The frozen result of a wild cluster bootstrap test (:meth:`FeolsResult.wild_bootstrap`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["BootstrapDraws", "WildBootstrapResult"]

#: A bootstrap t-statistic counts as more extreme than the sample one only when it exceeds it by
#: this relative margin, so that draws that reproduce the sample (the all-ones and all-minus-ones
#: Rademacher draws of the restricted bootstrap) are ties in exact arithmetic and never count,
#: whatever the rounding.
TIE_TOL = 1e-10


@dataclass(frozen=True, eq=False)
class BootstrapDraws:
    r"""Per-draw pieces of the bootstrap t-statistics as functions of the null.

    With :math:`\delta = \hat\beta - r`, draw :math:`b` has
    :math:`t^*_b(\delta) = (n_{0b} + \delta n_{1b}) / \sqrt{f\,(q_{00b} + 2\delta q_{01b} +
    \delta^2 q_{11b})}` and the sample statistic is :math:`t(\delta) = \delta / \mathrm{se}`
    with :math:`\mathrm{se}^2 = f\,\hat q`. The factor :math:`f` cancels.
    """

    n0: np.ndarray
    n1: np.ndarray
    q00: np.ndarray
    q01: np.ndarray
    q11: np.ndarray
    q_hat: float

    def pvalue(self, delta: float) -> float:
        """Share of draws with :math:`|t^*_b| > |t|` (symmetric two-sided p-value)."""
        num = self.n0 + delta * self.n1
        q = self.q00 + delta * (2 * self.q01 + delta * self.q11)
        # |num|/sqrt(q) > |delta|/sqrt(q_hat)  <=>  num² q_hat > delta² q  (q > 0)
        extreme = (q > 0) & (num * num * self.q_hat > delta * delta * q * (1 + TIE_TOL))
        return float(np.mean(extreme))


@dataclass(frozen=True, eq=False)
class WildBootstrapResult:
    """Wild cluster bootstrap p-value and confidence interval for one coefficient.

    Attributes
    ----------
    param : str
        The coefficient tested.
    null : float
        The null value ``r`` of ``H0: beta = r``.
    estimate : float
        The estimate.
    std_error : float
        Its cluster-robust (CRV1) standard error under the clustering used.
    t_stat : float
        ``(estimate - null) / std_error``.
    p_value : float
        Bootstrap p-value: the share of bootstrap draws with ``|t*| > |t|``.
    conf_low, conf_high : float
        Confidence interval by test inversion (the null values whose p-value is at least
        ``1 - level``); infinite when the p-value never falls below it.
    level : float
        Confidence level.
    p_value_crv1 : float
        The conventional p-value (t-distribution with ``G - 1`` degrees of freedom), for comparison.
    B : int
        Bootstrap draws actually used (``2**G`` under full enumeration).
    full_enumeration : bool
        Whether all ``2**G`` Rademacher sign vectors were used instead of random draws.
    weights : str
        Distribution of the cluster weights.
    impose_null : bool
        ``True``: restricted bootstrap (WCR); ``False``: unrestricted (WCU).
    cluster : tuple of str
        Cluster variables of the t-statistic's variance.
    bootcluster : str
        The variable whose clusters receive the bootstrap weights.
    n_clusters : int
        Number of bootstrap clusters ``G``.
    seed : int or None
        Seed of the weight draws.
    """

    param: str
    null: float
    estimate: float
    std_error: float
    t_stat: float
    p_value: float
    conf_low: float
    conf_high: float
    level: float
    p_value_crv1: float
    B: int
    full_enumeration: bool
    weights: str
    impose_null: bool
    cluster: tuple[str, ...]
    bootcluster: str
    n_clusters: int
    seed: int | None
    _draws: BootstrapDraws = field(repr=False)

    @property
    def method(self) -> str:
        """``"WCR"`` (null imposed) or ``"WCU"``."""
        return "WCR" if self.impose_null else "WCU"

    def pvalue_at(self, null: float) -> float:
        """Bootstrap p-value of ``H0: beta = null`` from the same draws (the inverted function)."""
        return self._draws.pvalue(self.estimate - float(null))

    def tidy(self) -> pd.DataFrame:
        """One row: estimate, std_error, statistic, p_value, conf_low, conf_high and the setup."""
        row = {
            "estimate": self.estimate,
            "std_error": self.std_error,
            "statistic": self.t_stat,
            "p_value": self.p_value,
            "conf_low": self.conf_low,
            "conf_high": self.conf_high,
            "p_value_crv1": self.p_value_crv1,
            "method": self.method,
            "weights": self.weights,
            "B": self.B,
            "full_enumeration": self.full_enumeration,
            "n_clusters": self.n_clusters,
        }
        return pd.DataFrame([row], index=pd.Index([self.param], name="term"))

    def summary(self) -> str:
        """Plain-text summary."""
        draws = (
            f"full enumeration of 2^{self.n_clusters} = {self.B:,} Rademacher draws"
            if self.full_enumeration
            else f"B = {self.B:,} {self.weights} draws (seed {self.seed})"
        )
        pct = f"{self.level:.0%}"
        lines = [
            f"Wild cluster bootstrap ({self.method}): H0: {self.param} = {self.null:g}",
            f"Bootstrap clusters: {self.n_clusters:,} {self.bootcluster}; "
            f"t-statistic clustered by {' and '.join(self.cluster)}",
            f"Draws: {draws}",
            f"Estimate {self.estimate:.6g}   t = {self.t_stat:.4f}",
            f"Bootstrap p-value {self.p_value:.4f}   (CRV1 t-test p-value {self.p_value_crv1:.4f})",
            f"{pct} CI by test inversion: [{self.conf_low:.6g}, {self.conf_high:.6g}]",
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        from pilotdid._text import html_summary

        table = self.tidy().to_html(float_format=lambda v: f"{v:.4g}", escape=True)
        return html_summary(self.summary(), table)
