"""The result of a moderation analysis: the interaction model and marginal effects."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pilotdid.estimation.result import FeolsResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.tables.table import Table

__all__ = ["ModerationResult"]


@dataclass(frozen=True, eq=False)
class ModerationResult:
    """The DID with a moderator (column 1) and with its interaction (column 2).

    Attributes
    ----------
    treatment, moderator : str
        The DID dummy and the moderator.
    center : bool
        Whether the moderator was centred in the interaction.
    center_value : float
        The centring constant (the estimation sample's mean; 0 without centring).
    models : mapping of str to FeolsResult
        ``"main"`` and ``"interaction"``; the interaction coefficient is ``"D:M"``.
    moderator_values : numpy.ndarray, shape (n,)
        The moderator on the estimation sample's rows (for the figure's histogram).
    treated : numpy.ndarray of bool, shape (n,)
        Whether each of those rows is treated (the treatment is not 0).
    fml : str
        The baseline specification.
    """

    treatment: str
    moderator: str
    center: bool
    center_value: float
    models: Mapping[str, FeolsResult]
    moderator_values: np.ndarray
    treated: np.ndarray
    fml: str

    @property
    def interaction(self) -> str:
        """Name of the interaction coefficient (``"TP:freedom"``)."""
        return f"{self.treatment}:{self.moderator}"

    def marginal_effects(
        self, values: Sequence[float] | np.ndarray | None = None, level: float = 0.95
    ) -> pd.DataFrame:
        r"""Effect of the treatment at moderator values, with delta-method intervals.

        :math:`\partial y / \partial D = \beta_D + \beta_{D\times M}(m - c)` with variance
        :math:`V_{DD} + (m - c)^2 V_{II} + 2 (m - c) V_{DI}` (``c`` the centring constant);
        intervals use the model's t degrees of freedom.

        Parameters
        ----------
        values : array-like, optional
            Moderator values; by default 100 points over the observed range.
        level : float, default 0.95
            Confidence level.

        Returns
        -------
        pandas.DataFrame
            Columns ``moderator``, ``estimate``, ``std_error``, ``conf_low``, ``conf_high``.
        """
        from scipy import stats

        if not 0 < level < 1:
            raise ValueError(f"level must lie strictly between 0 and 1, got {level}")
        fit = self.models["interaction"]
        grid = (
            np.linspace(self.moderator_values.min(), self.moderator_values.max(), 100)
            if values is None
            else np.asarray(values, dtype=np.float64)
        )
        coef, vcov = fit.coef_values, fit.vcov_matrix
        d, i = fit.names.index(self.treatment), fit.names.index(self.interaction)
        dist = grid - self.center_value
        estimate = coef[d] + coef[i] * dist
        variance = vcov[d, d] + dist**2 * vcov[i, i] + 2 * dist * vcov[d, i]
        se = np.sqrt(variance)
        q = stats.t.ppf(0.5 + level / 2, fit.df_t)
        return pd.DataFrame(
            {
                "moderator": grid,
                "estimate": estimate,
                "std_error": se,
                "conf_low": estimate - q * se,
                "conf_high": estimate + q * se,
            }
        )

    def figure(self, *, level: float = 0.95, language: str = "en", labels: Any = None) -> Figure:
        """Marginal effect of the treatment across the moderator with its confidence band.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level of the band.
        language : {"en", "zh"}
            Label language.
        labels : Labels or mapping, optional
            Display names of the variables.

        Returns
        -------
        matplotlib.figure.Figure
            The effect line with its band over the moderator's observed range, a line at zero,
            the centring value marked, and a histogram of the moderator underneath.
        """
        from pilotdid.mechanisms.figures import marginal_effect_figure

        return marginal_effect_figure(self, level=level, language=language, labels=labels)

    def tidy(self) -> pd.DataFrame:
        """Both models' coefficients, stacked (index: model, term)."""
        return pd.concat({name: fit.tidy() for name, fit in self.models.items()}, names=["model"])

    def summary(self) -> str:
        """Plain-text summary: the interaction and the effect at the mean."""
        fit = self.models["interaction"]
        est, se, p = (fit.coef()[self.interaction], fit.se()[self.interaction],
                      fit.pvalue()[self.interaction])  # fmt: skip
        at = "its sample mean" if self.center else "0"
        base = fit.coef()[self.treatment]
        return (
            f"Moderation of {self.treatment} by {self.moderator} ({self.fml}):\n"
            f"  {self.interaction} = {est:.4g} (SE {se:.3g}, p = {p:.3g}); effect of "
            f"{self.treatment} at {self.moderator} = {at} ({self.center_value:.4g}): {base:.4g}"
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        table = self.tidy().to_html(float_format=lambda v: f"{v:.4g}", escape=True)
        return f"<div><p>{html.escape(self.summary())}</p>{table}</div>"

    def __repr__(self) -> str:
        return f"ModerationResult(treatment={self.treatment!r}, moderator={self.moderator!r})"

    def table(self, *, language: str = "en", labels: Any = None, title: str = "") -> Table:
        """Lay out the paper's Table 5: two columns; treatment, moderator, interaction first.

        Parameters
        ----------
        language : {"en", "zh"}
            Language of the fixed strings.
        labels : Labels or mapping, optional
            Display names of variables.
        title : str
            Table caption.

        Returns
        -------
        Table
            Every coefficient (the paper shows the controls), N, R², fixed-effect rows and a
            note on the centring.
        """
        from pilotdid.mechanisms.tables import moderation_table

        return moderation_table(self, language=language, labels=labels, title=title)
