"""The result of a split-sample (heterogeneity) analysis with tests of the group difference."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from pilotdid.estimation.result import FeolsResult
from pilotdid.estimation.summary import COEF_COLUMNS

if TYPE_CHECKING:
    from pilotdid.tables.table import Table

__all__ = ["HeterogeneityResult", "PermutationTest"]


@dataclass(frozen=True, eq=False)
class PermutationTest:
    r"""Fisher permutation test of the group difference (group labels shuffled across units).

    Attributes
    ----------
    observed : pandas.Series
        The observed contrasts (``"High RD − Low RD"`` ...) and ``wald``, the cluster-robust
        Wald statistic of equal coefficients (:math:`t^2` with two groups).
    draws : pandas.DataFrame
        The same for every draw (R rows); NaN where a group had no identified coefficient.
    p_coef : float
        Share of draws whose coefficient spread is at least the observed one, counting the
        observed labelling: :math:`(1 + \#\{S_r \ge S\}) / (1 + R)`; with two groups,
        :math:`S = |\hat\beta_1 - \hat\beta_2|`.
    p_wald : float
        The same for the Wald statistic (studentized permutation test).
    seed : int or None
        Seed of the draws.
    strata : str
        ``"cohort"`` (labels shuffled within adoption cohorts) or ``"none"``.
    cluster : str
        Cluster variable of the Wald statistic.
    method : str
        ``"batched"`` (per-unit moments) or ``"loop"`` (one pooled fit per draw).
    assignments : pandas.DataFrame
        Group of every unit (columns) in every draw (rows), as a position in the result's
        ``groups``.
    """

    observed: pd.Series
    draws: pd.DataFrame
    p_coef: float
    p_wald: float
    seed: int | None
    strata: str
    cluster: str
    method: str
    assignments: pd.DataFrame

    @property
    def n_draws(self) -> int:
        """Number of permutations."""
        return int(self.draws.shape[0])

    @property
    def n_failed(self) -> int:
        """Draws in which some group's coefficient was not identified (left out of the p-values)."""
        return int(self.draws["wald"].isna().sum())

    def summary(self) -> str:
        """One sentence: draws, p-values and how labels were shuffled."""
        within = " within adoption cohorts" if self.strata == "cohort" else ""
        failed = f"; {self.n_failed} unidentified draws left out" if self.n_failed else ""
        return (
            f"Fisher permutation test ({self.n_draws:,} shuffles of group labels across units"
            f"{within}, seed {self.seed}): p = {self.p_coef:.3g} (coefficient difference), "
            f"{self.p_wald:.3g} (Wald, clustered by {self.cluster}){failed}"
        )

    def _repr_html_(self) -> str:
        from pilotdid._text import html_summary

        observed = self.observed.to_frame("observed").to_html(
            float_format=lambda v: f"{v:.4g}", escape=True
        )
        return html_summary(self.summary(), observed)


@dataclass(frozen=True, eq=False)
class HeterogeneityResult:
    """The specification re-estimated in each group, and tests of the difference between groups.

    Attributes
    ----------
    fml, treatment, by : str
        Specification, DID regressor and split variable.
    split : str or tuple of float
        ``"median"``, ``"mean"``, ``"column"`` or quantile levels.
    measured : str
        ``"pre"`` (units classified before adoption) or ``"contemporaneous"`` (rows by their
        current value).
    groups : tuple of str
        Group labels in display order.
    reference : str
        The group every contrast subtracts.
    models : dict of str to FeolsResult
        The regression of each group (the paper's split columns), by group label.
    pooled : FeolsResult or None
        The fully interacted pooled model (coefficients ``term:group``).
    differences : pandas.DataFrame
        One row per contrast: ``estimate``, ``std_error``, ``statistic``, ``p_value``,
        ``conf_low``, ``conf_high`` from the pooled model, plus ``p_perm`` and ``p_perm_wald``
        from the permutation test (NaN when not run).
    joint : mapping of str to float
        Wald F test of equal coefficients in all groups: ``statistic``, ``df_num``, ``df_den``,
        ``p_value`` (empty when the pooled model was not fitted).
    permutation : PermutationTest or None
        The permutation test.
    cutpoints : tuple of float
        Thresholds between groups.
    assignment : pandas.DataFrame or None
        For ``measured="pre"``: each unit's pre-policy mean of ``by`` and its group.
    notes : tuple of str
        Sample, split rule, test descriptions and caveats.
    """

    fml: str
    treatment: str
    by: str
    split: str | tuple[float, ...]
    measured: str
    groups: tuple[str, ...]
    reference: str
    models: Mapping[str, FeolsResult]
    pooled: FeolsResult | None
    differences: pd.DataFrame
    joint: Mapping[str, float]
    permutation: PermutationTest | None
    cutpoints: tuple[float, ...]
    assignment: pd.DataFrame | None
    notes: tuple[str, ...]

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """Treatment coefficient in each group: the tidy columns plus ``nobs`` (index: group)."""
        rows = []
        for label, fit in self.models.items():
            row = fit.tidy(level).loc[self.treatment, list(COEF_COLUMNS)].to_dict()
            row["nobs"] = fit.nobs
            rows.append(pd.Series(row, name=label))
        frame = pd.DataFrame(rows)
        frame.index.name = "group"
        return frame

    def summary(self) -> str:
        """Plain-text summary: group estimates, differences, tests, notes."""
        head = f"Heterogeneity of {self.treatment} by {self.by} ({self.fml})"
        parts = [head, self.tidy().to_string(float_format=_fmt6)]
        if not self.differences.empty:
            shown = self.differences.drop(columns=["conf_low", "conf_high"])
            parts += [
                "Differences (pooled fully interacted model):",
                shown.to_string(float_format=_fmt6),
            ]
        if self.joint and len(self.groups) > 2:
            parts.append(
                f"Joint test of equal coefficients: F({self.joint['df_num']:.0f}, "
                f"{self.joint['df_den']:.0f}) = {self.joint['statistic']:.4g}, "
                f"p = {self.joint['p_value']:.3g}"
            )
        if self.permutation is not None:
            parts.append(self.permutation.summary())
        parts += [f"Note: {n}" for n in self.notes]
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        pieces = [
            f"<p><b>{html.escape(f'Heterogeneity of {self.treatment} by {self.by}')}</b></p>",
            self.tidy().to_html(float_format=_fmt4, escape=True),
        ]
        if not self.differences.empty:
            pieces.append(self.differences.to_html(float_format=_fmt4, escape=True))
        if self.permutation is not None:
            pieces.append(f"<p>{html.escape(self.permutation.summary())}</p>")
        pieces += [f"<p><i>{html.escape(n)}</i></p>" for n in self.notes]
        return "<div>" + "".join(pieces) + "</div>"

    def __repr__(self) -> str:
        return (
            f"HeterogeneityResult(by={self.by!r}, groups={list(self.groups)!r}, "
            f"treatment={self.treatment!r})"
        )

    def table(self, *, language: str = "en", labels: Any = None, title: str = "") -> Table:
        """Lay out the group regressions as a table with the difference tests as rows.

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
            One column per group: ``(k)`` / group / dependent variable headers, the treatment
            coefficient, controls and fixed-effect indicator rows, and rows with the difference,
            its pooled-model p-value and the permutation p-value.
        """
        from pilotdid.mechanisms.tables import heterogeneity_table

        return heterogeneity_table(self, language=language, labels=labels, title=title)


def _fmt6(value: float) -> str:
    return f"{value:.6g}"


def _fmt4(value: float) -> str:
    return f"{value:.4g}"
