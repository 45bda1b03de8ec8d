"""The result of :func:`pilotdid.att_gt`: every ATT(g,t), their aggregations and the pre-test."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pilotdid.did.cs_aggregate_result import AttGtAggregate, interval_frame
from pilotdid.did.cs_inference import aggregate_map
from pilotdid.errors import EstimationError
from pilotdid.estimation.summary import ModelSummary
from pilotdid.estimation.wald import WaldTest, wald_test
from pilotdid.options import CsAggregation, validate_option

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["AttGtAggregate", "AttGtResult"]

_METHOD = {
    "dr": "doubly robust",
    "ipw": "inverse probability weighting",
    "reg": "outcome regression",
}


@dataclass(frozen=True, eq=False)
class AttGtResult:
    """Group-time average treatment effects of Callaway & Sant'Anna (2021).

    Attributes
    ----------
    outcome : str
        The outcome.
    cells : pandas.DataFrame
        One row per ATT(g,t): cohort, time, base (the base period), estimate, n_treated,
        n_control (units in the comparison).
    influence : numpy.ndarray, shape (n_units, cells)
        Influence function of each ATT(g,t) (scaled as R ``did``'s ``inffunc``:
        ``se = sqrt(sum(psi**2)) / n``).
    vcov_extended : numpy.ndarray
        Analytic covariance of the cells and of the cohort shares (clustered when asked).
    draws : numpy.ndarray or None
        Multiplier-bootstrap deviations of the cells and cohort shares (draws x columns).
    groups, shares : numpy.ndarray
        The cohorts and their weighted shares of the units (the aggregation weights).
    n_units, n_periods, n_clusters : int
        Units and periods of the balanced panel; clusters (units unless ``cluster``).
    control_group, method, anticipation, base_period, covariates, cluster
        The options of the estimation.
    uniform : bool
        Whether bands are uniform (sup-t) bands from the bootstrap.
    level : float
        Confidence level.
    seed : int
        Seed of the bootstrap draws.
    notes : tuple of str
        Rows, units and cells left out, recodings.
    """

    outcome: str
    cells: pd.DataFrame
    influence: np.ndarray
    vcov_extended: np.ndarray
    draws: np.ndarray | None
    groups: np.ndarray
    shares: np.ndarray
    n_units: int
    n_periods: int
    n_clusters: int
    control_group: str
    method: str
    anticipation: int
    base_period: str
    covariates: tuple[str, ...]
    cluster: str | None
    uniform: bool
    level: float
    seed: int
    notes: tuple[str, ...] = ()

    @property
    def vcov(self) -> np.ndarray:
        """Analytic covariance matrix of the ATT(g,t), in the order of ``cells``."""
        k = len(self.cells)
        return np.asarray(self.vcov_extended[:k, :k])

    def tidy(self, level: float | None = None) -> pd.DataFrame:
        """Every ATT(g,t) with SE, pointwise interval, bootstrap SE and uniform band.

        Parameters
        ----------
        level : float, optional
            Confidence level; default the result's.

        Returns
        -------
        pandas.DataFrame
            Index (cohort, time); columns base, rel_time, post, estimate, std_error,
            statistic, p_value, conf_low, conf_high, boot_se, band_low, band_high, n_treated,
            n_control.
        """
        level = self.level if level is None else level
        k = len(self.cells)
        draws = None if self.draws is None else self.draws[:, :k]
        frame = interval_frame(
            self.cells["estimate"].to_numpy(), self.vcov, draws, level, self.uniform
        )
        info = self.cells[["cohort", "time", "base"]].reset_index(drop=True)
        info["rel_time"] = (info["time"] - info["cohort"]).astype(int)
        info["post"] = info["time"] >= info["cohort"]
        out = pd.concat([info, frame, self.cells[["n_treated", "n_control"]]], axis=1)
        out.attrs = frame.attrs
        return out.set_index(["cohort", "time"])

    def aggregate(
        self,
        type: CsAggregation = "dynamic",
        *,
        min_e: int | None = None,
        max_e: int | None = None,
        balance_e: int | None = None,
    ) -> AttGtAggregate:
        """Aggregate the ATT(g,t) as R ``did::aggte``.

        Parameters
        ----------
        type : {"simple", "group", "calendar", "dynamic"}, default "dynamic"
            One overall ATT weighted by cohort size (simple), by cohort (group), by period
            (calendar) or by event time ``t - g`` (dynamic).
        min_e, max_e : int, optional
            Event-time window (dynamic; ``max_e`` also bounds simple and group).
        balance_e : int, optional
            Dynamic: only cohorts observed at least ``balance_e`` periods after adoption,
            event times up to ``balance_e`` (a balanced event study).

        Returns
        -------
        AttGtAggregate
            Rows with analytic SEs, bootstrap SEs and uniform bands, an overall summary;
            ``.dynamic()`` for the dynamic aggregation.
        """
        validate_option(type, CsAggregation, "type", EstimationError)
        cells = self.cells
        maps = aggregate_map(
            type, cells["cohort"].to_numpy(float), cells["time"].to_numpy(float),
            cells["estimate"].to_numpy(float), self.groups, self.shares,
            min_e=-np.inf if min_e is None else min_e, max_e=np.inf if max_e is None else max_e,
            balance_e=balance_e,
        )  # fmt: skip
        if maps.cells.shape[1] == 0:
            raise EstimationError(f"aggregate({type!r}): no ATT(g,t) falls in the window asked")
        rows = maps.rows
        ref = -1 - self.anticipation if self.base_period == "universal" else None
        labels = maps.labels if type != "simple" else np.array([], dtype=float)
        estimates = cells["estimate"].to_numpy(float) @ maps.cells
        overall = float(cells["estimate"].to_numpy(float) @ maps.overall[: len(cells)])
        v = self.vcov_extended
        return AttGtAggregate(
            kind=type,
            labels=labels,
            estimates=estimates if type != "simple" else np.array([]),
            vcov=rows.T @ v @ rows if type != "simple" else np.zeros((0, 0)),
            draws=None if self.draws is None or type == "simple" else self.draws @ rows,
            overall_estimate=overall,
            overall_se=float(np.sqrt(maps.overall @ v @ maps.overall)),
            overall_draws=None if self.draws is None else self.draws @ maps.overall,
            outcome=self.outcome,
            level=self.level,
            uniform=self.uniform,
            ref=ref if type == "dynamic" and ref is not None and ref in labels else None,
            n_units=self.n_units,
            notes=self.notes,
        )

    def pretrend_test(self) -> WaldTest:
        """Joint chi-square/q test that every pre-treatment ATT(g,t) is zero.

        Pre-treatment cells are those with ``t < g - anticipation`` (R ``did``'s Wald pre-test
        also counts the anticipation periods); reference cells of the universal base period
        (0 by construction) are left out.

        Returns
        -------
        WaldTest
            The statistic (Wald / q, an F with infinite denominator degrees of freedom), q and
            its p-value.
        """
        cells = self.cells
        pre = (cells["time"] < cells["cohort"] - self.anticipation).to_numpy()
        pre = pre & (np.diag(self.vcov) > 0)
        idx = np.flatnonzero(pre)
        if idx.size == 0:
            raise EstimationError("pretrend_test: no pre-treatment ATT(g,t) with a standard error")
        return wald_test(
            cells["estimate"].to_numpy(float)[idx],
            self.vcov[np.ix_(idx, idx)],
            float("inf"),
            terms=tuple(zip(cells["cohort"].iloc[idx], cells["time"].iloc[idx], strict=True)),
        )

    def model_summary(self) -> ModelSummary:
        """Table-facing summary: the overall ATT (simple aggregation), for :func:`pilotdid.etable`."""
        summary = self.aggregate("simple").model_summary()
        return ModelSummary(
            coefs=summary.coefs,
            depvar=self.outcome,
            vcov_label=(f"clustered by {self.cluster}" if self.cluster else "clustered by unit")
            + " (influence function)",
            nobs=self.n_units * self.n_periods,
            stats={"n_clusters": float(self.n_clusters)},
            title="Callaway-Sant'Anna",
            extra_rows={"Control group": self.control_group, "Method": self.method},
        )

    def summary(self) -> str:
        """Describe the design and the overall ATT in plain words."""
        simple = self.aggregate("simple")
        text = (
            f"Callaway-Sant'Anna ATT(g,t) of {self.outcome}: {len(self.cells)} cells, "
            f"{len(self.groups)} cohorts, {self.n_units} units x {self.n_periods} periods, "
            f"{_METHOD[self.method]}, {self.control_group}-treated comparison units, "
            f"{self.base_period} base period; overall ATT {simple.overall_estimate:.4g} "
            f"(SE {simple.overall_se:.4g})"
        )
        return "; ".join([text, *self.notes])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        table = self.tidy().to_html(float_format=lambda v: f"{v:.4g}")
        return f"<div><p>{html.escape(self.summary())}</p>{table}</div>"

    def figure(self, *, language: str = "en") -> Figure:
        """ATT(g,t) by period, one panel per cohort, with uniform bands (pointwise without).

        Parameters
        ----------
        language : {"en", "zh"}
            Label language.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from pilotdid.did.cs_figures import att_gt_figure

        return att_gt_figure(self, language=language)
