"""The result of :func:`pilotdid.matching_effect`: a matching estimate with its standard error."""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd
from scipy import stats

from pilotdid.errors import PilotdidWarning
from pilotdid.tables.cells import Number
from pilotdid.tables.table import Table

__all__ = ["BootstrapMatchingWarning", "MatchEffect"]


class BootstrapMatchingWarning(PilotdidWarning):
    """A bootstrap standard error was asked for a nearest-neighbour matching estimator.

    The bootstrap is not valid for nearest-neighbour matching with a fixed number of matches
    (Abadie & Imbens 2008, Econometrica 76(6)): the resampled estimates do not mimic the
    sampling distribution, so the Abadie-Imbens standard error is reported instead.
    """


_SE_LABEL = {
    "ai": "Abadie-Imbens (2006)",
    "ai_pscore": "Abadie-Imbens (2016), adjusted for the estimated propensity score",
    "standard": "standard (matching weights treated as fixed)",
}


@dataclass(frozen=True)
class MatchEffect:
    """A matching estimate of an average treatment effect.

    Attributes
    ----------
    outcome : str
    estimand : {"ATT", "ATE", "ATC"}
    estimate, se : float
    se_type : {"ai", "ai_pscore", "standard"}
        Which standard error ``se`` is.
    J : int
        Same-arm matches for the conditional variances (``se="ai"``; 0: homoskedastic).
    level : float
        Confidence level of ``conf_low``/``conf_high``.
    n_focal : int
        Units whose effects are averaged (treated for the ATT, controls for the ATC, all for the
        ATE) that have at least one match.
    n_matches : int
        Matched pairs (ties count every tied unit).
    n_used : int
        Distinct units of the other arm used as matches.
    k : int
        Matches asked per unit.
    ties : str
        The ties convention, in words.
    bias_adjust : tuple of str
        Covariates of the bias correction (empty: none).
    se_standard : float
        The standard error that treats the weights as fixed (always reported for comparison).
    notes : tuple of str
    """

    outcome: str
    estimand: str
    estimate: float
    se: float
    se_type: str
    J: int
    level: float
    n_focal: int
    n_matches: int
    n_used: int
    k: int
    ties: str
    bias_adjust: tuple[str, ...] = ()
    se_standard: float = float("nan")
    notes: tuple[str, ...] = ()

    @property
    def z(self) -> float:
        """The z statistic ``estimate / se``."""
        return self.estimate / self.se if self.se > 0 else float("nan")

    @property
    def pvalue(self) -> float:
        """Two-sided normal p-value."""
        return float(2 * stats.norm.sf(abs(self.z)))

    @property
    def conf_int(self) -> tuple[float, float]:
        """Normal confidence interval at ``level``."""
        q = float(stats.norm.ppf(0.5 + self.level / 2))
        return (self.estimate - q * self.se, self.estimate + q * self.se)

    @property
    def se_label(self) -> str:
        """The standard error named in words."""
        if self.se_type in ("ai", "ai_pscore"):
            var = f"J = {self.J} same-arm matches" if self.J else "homoskedastic"
            return f"{_SE_LABEL[self.se_type]}, conditional variances: {var}"
        return _SE_LABEL[self.se_type]

    def tidy(self) -> pd.DataFrame:
        """One row: ``term estimand estimate se z p conf_low conf_high se_type n``.

        Returns
        -------
        pandas.DataFrame
        """
        lo, hi = self.conf_int
        return pd.DataFrame(
            {
                "term": [self.outcome],
                "estimand": [self.estimand],
                "estimate": [self.estimate],
                "se": [self.se],
                "z": [self.z],
                "p": [self.pvalue],
                "conf_low": [lo],
                "conf_high": [hi],
                "se_type": [self.se_type],
                "n": [self.n_focal],
            }
        )

    def summary(self) -> str:
        """Return the estimate, its standard error and the conventions used, as text."""
        lo, hi = self.conf_int
        lines = [
            f"Matching estimate of the {self.estimand} on {self.outcome}",
            f"  estimate {self.estimate:.6g}   SE {self.se:.6g}   z {self.z:.3f}   "
            f"p {self.pvalue:.4g}",
            f"  {self.level:.0%} CI [{lo:.6g}, {hi:.6g}]",
            f"  SE: {self.se_label}",
            f"  standard SE (weights fixed): {self.se_standard:.6g}",
            f"  units averaged: {self.n_focal}; pairs: {self.n_matches}; "
            f"distinct matches used: {self.n_used}; k = {self.k}; ties: {self.ties}",
        ]
        if self.bias_adjust:
            lines.append(f"  bias-corrected on: {', '.join(self.bias_adjust)}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"

    def table(self, *, language: str = "en", digits: int = 4) -> Table:
        """Return the estimate as a :class:`~pilotdid.tables.table.Table`.

        Parameters
        ----------
        language : {"en", "zh"}
        digits : int, default 4

        Returns
        -------
        Table
        """
        from pilotdid.tables.strings import text

        lo, hi = self.conf_int
        ci = text("table.match_effect.ci", language, level=self.level)
        body = pd.DataFrame(
            {
                text("table.match_effect.estimate", language): [Number(self.estimate, digits)],
                text("table.match_effect.se", language): [Number(self.se, digits)],
                "z": [Number(self.z, 3)],
                "p": [Number(self.pvalue, 4)],
                ci: [f"[{lo:.{digits}f}, {hi:.{digits}f}]"],
                text("table.match_effect.n", language): [Number(int(self.n_focal), 0)],
            },
            index=[self.outcome],
        )
        if self.se_type == "ai":
            key = "table.match_effect.se.ai" if self.J else "table.match_effect.se.ai0"
            notes = [text(key, language, J=self.J)]
        elif self.se_type == "ai_pscore":
            notes = [text("table.match_effect.se.ai_pscore", language, J=self.J)]
        else:
            notes = [text("table.match_effect.se.standard", language)]
        if self.bias_adjust:
            notes.append(
                text("table.match_effect.bias", language, covariates=", ".join(self.bias_adjust))
            )
        title = text("table.match_effect.title", language, estimand=self.estimand)
        return Table(body, title=title, notes=tuple(notes), key="match_effect")
