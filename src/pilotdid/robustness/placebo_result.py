"""The result of a batched placebo test."""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pilotdid.estimation.randomization import ri_pvalue
from pilotdid.robustness.assignments import Draws

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.estimation.batched import BatchedFit

__all__ = ["PlaceboResult"]


@dataclass(frozen=True, eq=False)
class PlaceboResult:
    r"""Every placebo draw, the true estimate and randomization-inference p-values.

    Attributes
    ----------
    draws : pandas.DataFrame
        One row per draw: ``coef``, ``se``, ``t``, ``p`` (t-test p-value of that draw).
    estimate : pandas.Series
        The true DID estimate: ``coef``, ``se``, ``t``, ``p``.
    assignments : pandas.DataFrame
        Fake adoption period per draw (rows) and unit (columns); ``inf`` = not treated. Built on
        first access from ``assigned`` (``R × N`` floats: 400 MB for 500 draws of 100,000 units).
    assigned : Draws
        The same draws in sparse form: the fake-treated units of each draw and their periods.
    unit_labels : pandas.Index
        Unit labels (the columns of ``assignments``), named after the unit column.
    p_ri_coef, p_ri_t : float
        Two-sided randomization-inference p-values: the share of draws at least as extreme as
        the true estimate in absolute coefficient or absolute t, counting the observed
        assignment, :math:`(1 + \#\{|b_r| \ge |b|\}) / (1 + R)`; with ``exhaustive=True`` the
        observed assignment is one of the enumerated ones, so the share is exact.
    kind : str
        ``"units"``, ``"timing"`` or ``"both"``.
    seed : int or None
        Seed of the draws.
    treatment, fml : str
        The DID regressor and the specification.
    exhaustive : bool
        Whether every assignment was enumerated.
    n_treated : int
        Number of truly treated units.
    nobs : int
        Observations in each placebo regression.
    df_t : float
        Degrees of freedom of each draw's t-test.
    n_failed : int
        Draws whose fake treatment was collinear with the fixed effects and controls (NaN
        coefficient); they are left out of the p-values.
    """

    draws: pd.DataFrame
    estimate: pd.Series
    assigned: Draws
    unit_labels: pd.Index
    p_ri_coef: float
    p_ri_t: float
    kind: str
    seed: int | None
    treatment: str
    fml: str
    exhaustive: bool
    n_treated: int
    nobs: int
    df_t: float
    n_failed: int = 0

    @classmethod
    def from_fits(cls, *, true_fit: BatchedFit, fits: BatchedFit, **fields: Any) -> PlaceboResult:
        """Assemble the result from the true fit and the draws' fits."""
        from scipy import stats

        def frame(fit: BatchedFit) -> pd.DataFrame:
            t = fit.coef / fit.se
            return pd.DataFrame(
                {"coef": fit.coef, "se": fit.se, "t": t, "p": 2 * stats.t.sf(np.abs(t), fit.df_t)}
            )

        draws = frame(fits)
        draws.index.name = "draw"
        estimate = frame(true_fit).iloc[0]
        exhaustive = bool(fields["exhaustive"])
        return cls(
            draws=draws,
            estimate=estimate,
            p_ri_coef=ri_pvalue(
                draws["coef"].to_numpy(),
                float(estimate["coef"]),
                two_sided=True,
                exhaustive=exhaustive,
            ),
            p_ri_t=ri_pvalue(
                draws["t"].to_numpy(), float(estimate["t"]), two_sided=True, exhaustive=exhaustive
            ),
            df_t=fits.df_t,
            n_failed=int((~np.isfinite(draws["coef"]) | ~np.isfinite(draws["se"])).sum()),
            **fields,
        )

    @cached_property
    def assignments(self) -> pd.DataFrame:
        """Fake adoption period per draw (rows) and unit (columns); ``inf`` = not treated."""
        return pd.DataFrame(self.assigned.dense(), columns=self.unit_labels)

    @property
    def n_draws(self) -> int:
        """Number of placebo regressions."""
        return int(self.draws.shape[0])

    def share_significant(self, level: float = 0.1) -> float:
        """Share of draws whose own t-test rejects at ``level``."""
        return float((self.draws["p"] < level).mean())

    def summary(self) -> str:
        """Summarise the placebo run in one plain-language sentence."""
        coefs = self.draws["coef"]
        est = self.estimate
        return (
            f"Placebo test ({self.kind}, {self.n_draws:,} draws, seed {self.seed}): "
            f"true {self.treatment} = {est['coef']:.4g} (p = {est['p']:.3g}); placebo coefficients "
            f"mean {coefs.mean():.3g}, sd {coefs.std():.3g}; {self.share_significant(0.1):.1%} of draws "
            f"significant at 10%; randomization-inference p = {self.p_ri_coef:.3g} (coefficient), "
            f"{self.p_ri_t:.3g} (t)"
            + (f"; {self.n_failed:,} draws not estimable, left out" if self.n_failed else "")
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        table = self.draws.describe().T.to_html(float_format=lambda v: f"{v:.4g}")
        return f"<div><p>{html.escape(self.summary())}</p>{table}</div>"

    def figure(self, *, language: str = "en") -> Figure:
        """Draw the paper's Figure 1: kernel density of placebo coefficients with their p-values.

        Parameters
        ----------
        language : {"en", "zh"}
            Axis labels in English or Chinese.

        Returns
        -------
        matplotlib.figure.Figure
            A new figure (not shown).
        """
        from pilotdid.robustness.figures import placebo_figure

        return placebo_figure(self, language=language)
