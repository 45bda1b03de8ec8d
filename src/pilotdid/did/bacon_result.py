"""The result of the Goodman-Bacon decomposition: comparisons, weights and the summary by type."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pilotdid.did.bacon_timing import COMPARISON_TYPES, FORBIDDEN

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["BaconResult"]

_TYPE_NAMES = {
    "treated_vs_never": "treated vs never treated",
    "treated_vs_always": "treated vs always treated",
    "earlier_vs_later": "earlier vs later treated",
    "later_vs_earlier": "later vs earlier treated (forbidden)",
}


@dataclass(frozen=True, eq=False)
class BaconResult:
    """The TWFE DID as a weighted average of 2x2 DIDs (Goodman-Bacon 2021).

    Attributes
    ----------
    comparisons : pandas.DataFrame
        One row per 2x2 comparison: ``type`` (``"treated_vs_never"``, ``"treated_vs_always"``,
        ``"earlier_vs_later"``, ``"later_vs_earlier"``), ``treated`` and ``control`` (the
        groups' first treated period; ``inf`` = never treated, ``-inf`` = always treated),
        ``estimate`` and ``weight``.
    twfe : float
        The TWFE coefficient of ``outcome ~ D | unit + time``, computed directly.
    outcome : str
        The outcome.
    n_units : int
        Units in the panel.
    periods : tuple
        The panel's periods.
    groups : pandas.Series
        Units per adoption group (index: first treated period, ``inf`` never, ``-inf`` always).
    """

    comparisons: pd.DataFrame
    twfe: float
    outcome: str
    n_units: int
    periods: tuple[float, ...]
    groups: pd.Series

    def tidy(self) -> pd.DataFrame:
        """Every comparison: type, treated, control, estimate, weight (a copy).

        Returns
        -------
        pandas.DataFrame
            Weights sum to 1; ``(estimate * weight).sum()`` equals :attr:`twfe`.
        """
        return self.comparisons.copy()

    def by_type(self) -> pd.DataFrame:
        """Total weight and weighted average estimate of each comparison type.

        Returns
        -------
        pandas.DataFrame
            Index ``type`` (the types present, in a fixed order); columns ``weight``,
            ``estimate`` (weight-averaged 2x2 estimate) and ``comparisons`` (how many).
        """
        frame = self.comparisons
        rows = {}
        for kind in COMPARISON_TYPES:
            part = frame[frame["type"] == kind]
            if part.empty:
                continue
            weight = float(part["weight"].sum())
            mean = float((part["weight"] * part["estimate"]).sum() / weight) if weight else np.nan
            rows[kind] = {"weight": weight, "estimate": mean, "comparisons": len(part)}
        out = pd.DataFrame.from_dict(rows, orient="index")
        out.index.name = "type"
        return out

    @property
    def forbidden_share(self) -> float:
        """Share of the TWFE weight on later- vs earlier-treated ("forbidden") comparisons."""
        kind = self.comparisons["type"] == FORBIDDEN
        return float(self.comparisons.loc[kind, "weight"].sum())

    def summary(self) -> str:
        """Describe the decomposition in plain words (English)."""
        parts = [
            f"{_TYPE_NAMES[str(k)]}: weight {row['weight']:.3f}, average {row['estimate']:.4g}"
            for k, row in self.by_type().iterrows()
        ]
        timing = int(np.isfinite(self.groups.index.to_numpy(dtype=float)).sum())
        return (
            f"Goodman-Bacon decomposition of the TWFE DID of {self.outcome} "
            f"({self.n_units:,} units, {len(self.periods)} periods, {timing} adoption cohorts): "
            f"TWFE = {self.twfe:.4g} from {len(self.comparisons)} 2x2 comparisons; "
            + "; ".join(parts)
            + f". Share of weight on forbidden comparisons: {self.forbidden_share:.1%}"
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        by_type = self.by_type().to_html(float_format=lambda v: f"{v:.4g}")
        table = self.tidy().to_html(float_format=lambda v: f"{v:.4g}", index=False)
        return f"<div><p>{html.escape(self.summary())}</p>{by_type}{table}</div>"

    def figure(self, *, language: str = "en") -> Figure:
        """Scatter of 2x2 estimates against their weights, by comparison type.

        Parameters
        ----------
        language : {"en", "zh"}
            Label language.

        Returns
        -------
        matplotlib.figure.Figure
            A new figure (not shown) with the TWFE estimate as a horizontal line.
        """
        from pilotdid.did.staggered_figures import bacon_figure

        return bacon_figure(self, language=language)
