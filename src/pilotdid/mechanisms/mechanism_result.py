"""The result of a mechanism (mediation) analysis."""

from __future__ import annotations

import html
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from pilotdid.estimation.result import FeolsResult
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from pilotdid.mechanisms.heterogeneity_result import HeterogeneityResult
    from pilotdid.tables.table import Table

__all__ = ["JIANG_NOTE", "MechanismResult"]

#: The caveat every three-step result carries (docstring of :func:`pilotdid.mechanism`).
JIANG_NOTE = text("mech.jiang", "en")


@dataclass(frozen=True, eq=False)
class MechanismResult:
    """Regressions of a mechanism analysis and the effects they imply.

    Attributes
    ----------
    method : str
        ``"d_to_m"`` or ``"three_step"``.
    treatment : str
        The DID dummy.
    mediators : tuple of str
        Mechanism variables.
    outcome : str or None
        The outcome.
    controls, fixef : tuple of str
        Control variables and fixed effects.
    models : mapping of str to FeolsResult
        ``"d_to_m"``: one regression per mediator (key: the mediator) and, when an outcome was
        given, ``"total"``. ``"three_step"``: ``"step1:M"`` (Y on D), ``"step2:M"`` (M on D),
        ``"step3:M"`` (Y on D and M) per mediator ``M``, each on the rows where all of them are
        observed.
    effects : pandas.DataFrame
        One row per mediator. ``"d_to_m"``: ``a`` (effect of D on M), ``se_a``, ``p_a``,
        ``nobs``. ``"three_step"`` adds ``total`` (c), ``direct`` (c'), ``b``, ``se_b``,
        ``indirect`` (a·b), ``sobel_se``, ``sobel_z``, ``sobel_p``, ``boot_se``,
        ``boot_low``, ``boot_high`` (percentile interval), ``n_boot`` (valid draws) and
        ``share_mediated`` (a·b / c).
    bootstrap_draws : pandas.DataFrame or None
        Indirect effect in every bootstrap draw (rows) for every mediator (columns).
    seed : int or None
        Bootstrap seed.
    level : float
        Confidence level of the bootstrap interval.
    notes : tuple of str
        What the tests are, and the caveat on the three-step method.
    """

    method: str
    treatment: str
    mediators: tuple[str, ...]
    outcome: str | None
    controls: tuple[str, ...]
    fixef: tuple[str, ...]
    models: Mapping[str, FeolsResult]
    effects: pd.DataFrame
    bootstrap_draws: pd.DataFrame | None
    seed: int | None
    level: float
    notes: tuple[str, ...]

    @property
    def fe(self) -> tuple[str, ...]:
        """Deprecated name of :attr:`fixef`."""
        warnings.warn(
            "MechanismResult.fe is deprecated; use .fixef", DeprecationWarning, stacklevel=2
        )
        return self.fixef

    def tidy(self) -> pd.DataFrame:
        """Return the effects table (one row per mediator)."""
        return self.effects.copy()

    def summary(self) -> str:
        """Plain-text summary of the effects and the notes."""
        title = {
            "d_to_m": f"Mechanism test: effect of {self.treatment} on each mediator (D → M)",
            "three_step": f"Three-step mediation of {self.treatment} → {self.outcome}",
        }[self.method]
        body = self.effects.to_string(float_format=lambda v: f"{v:.6g}")
        return "\n".join([title, body, *(f"Note: {n}" for n in self.notes)])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        table = self.effects.to_html(float_format=lambda v: f"{v:.4g}", escape=True)
        notes = "".join(f"<p><i>{html.escape(n)}</i></p>" for n in self.notes)
        head = html.escape(f"Mechanism analysis ({self.method}) of {self.treatment}")
        return f"<div><p><b>{head}</b></p>{table}{notes}</div>"

    def __repr__(self) -> str:
        return (
            f"MechanismResult(method={self.method!r}, treatment={self.treatment!r}, "
            f"mediators={list(self.mediators)!r})"
        )

    def table(
        self,
        heterogeneity: Sequence[HeterogeneityResult] = (),
        *,
        language: str = "en",
        labels: Any = None,
        title: str = "",
    ) -> Table:
        """Lay out the paper's Table 4.

        Parameters
        ----------
        heterogeneity : sequence of HeterogeneityResult, optional
            Split-sample results to add as further columns (the paper's columns 3–6: the
            outcome in the high and low group of each mediator), with their difference tests as
            rows under them.
        language : {"en", "zh"}
            Language of the fixed strings.
        labels : Labels or mapping, optional
            Display names of variables.
        title : str
            Table caption.

        Returns
        -------
        Table
            ``"d_to_m"``: one column per mediator, then the group columns. ``"three_step"``:
            for each mediator the total effect, ``M`` on ``D`` and ``Y`` on ``D`` and ``M``,
            with the indirect effect, Sobel test and bootstrap interval as rows.
        """
        from pilotdid.mechanisms.tables import mechanism_table

        return mechanism_table(self, heterogeneity, language=language, labels=labels, title=title)
