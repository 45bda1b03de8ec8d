"""The result of a specification curve, and the Simonsohn-Simmons-Nelson test under the null."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.tables.table import Table

__all__ = ["SIGNIFICANCE", "SpecCurveResult", "SsnTest", "ssn_test"]

#: Significance level of the shares, the colours and the SSN test.
SIGNIFICANCE = 0.05


@dataclass(frozen=True, eq=False)
class SsnTest:
    """Simonsohn, Simmons & Nelson (2020): the curve against curves under the null.

    Attributes
    ----------
    statistics : pandas.DataFrame
        Rows ``median`` (median estimate), ``share_significant`` (share of specifications
        significant at 5 % in the direction of the median) and ``mean_z`` (average signed z,
        from each p-value); columns ``observed``, ``null_mean`` and ``p_value``, the share of
        null curves at least as extreme, counting the observed one, ``(1 + #) / (1 + R)``.
        Statistics are signed so that larger means further in the observed direction.
    draws : int
        Null curves (random reassignments of the adoption cohorts across units).
    n_specs : int
        Specifications in the test (the TWFE ones).
    """

    statistics: pd.DataFrame
    draws: int
    n_specs: int


def _curve_stats(coef: np.ndarray, p: np.ndarray, sign: float) -> np.ndarray:
    """Return the three statistics of each column of ``coef``/``p`` (specifications x curves)."""
    z = np.sign(coef) * stats.norm.isf(np.clip(p, 1e-300, 1.0) / 2)
    significant = (p < SIGNIFICANCE) & (np.sign(coef) == sign)
    return np.vstack(
        [
            sign * np.nanmedian(coef, axis=0),
            np.mean(significant, axis=0),
            sign * np.nanmean(z, axis=0),
        ]
    )


def ssn_test(specs: pd.DataFrame, null_coef: np.ndarray, null_p: np.ndarray) -> SsnTest:
    """Compare the observed curve (rows of ``specs``) with the null curves (columns)."""
    coef = specs["estimate"].to_numpy(float)[:, None]
    sign = 1.0 if np.nanmedian(coef) >= 0 else -1.0
    observed = _curve_stats(coef, specs["p_value"].to_numpy(float)[:, None], sign)[:, 0]
    null = _curve_stats(null_coef, null_p, sign)
    exceed = (null >= observed[:, None] - 1e-12).sum(axis=1)
    frame = pd.DataFrame(
        {
            "observed": observed,
            "null_mean": null.mean(axis=1),
            "p_value": (1 + exceed) / (1 + null.shape[1]),
        },
        index=pd.Index(["median", "share_significant", "mean_z"], name="statistic"),
    )
    return SsnTest(frame, int(null.shape[1]), int(coef.shape[0]))


@dataclass(frozen=True, eq=False)
class SpecCurveResult:
    """Every specification of a curve: its choices, estimate and inference.

    Attributes
    ----------
    specs : pandas.DataFrame
        One row per specification (index ``spec``: its position in the full cross-product):
        the choice labels (``matching``, ``mode``, ``controls``, ``sample``, ``estimator``,
        ``cluster``; categorical in the order given), ``estimate``, ``std_error``,
        ``statistic``, ``p_value``, ``conf_low``, ``conf_high``, ``n_obs`` (observations of the
        regression; for ``cs`` the units, as its model summary counts them),
        ``n_treated_units`` (treated units in the estimation sample) and ``note`` (why a
        specification could not be estimated; empty otherwise).
    outcome, treatment : str
        The outcome and the DID regressor.
    level : float
        Confidence level of the intervals.
    n_possible : int
        Specifications in the full cross-product (more than ``len(specs)`` when sampled).
    seed : int
        The seed everything random was spawned from.
    ssn : SsnTest or None
        The Simonsohn-Simmons-Nelson test, when asked for.
    """

    specs: pd.DataFrame
    outcome: str
    treatment: str
    level: float
    n_possible: int
    seed: int
    ssn: SsnTest | None = None

    def tidy(self) -> pd.DataFrame:
        """Return one row per specification (a copy of :attr:`specs`)."""
        return self.specs.copy()

    @property
    def estimated(self) -> pd.DataFrame:
        """The specifications with an estimate, ranked by it (smallest first)."""
        ok = self.specs.loc[np.isfinite(self.specs["estimate"].to_numpy(float))]
        return pd.DataFrame(ok.sort_values("estimate", kind="stable"))

    @property
    def n_failed(self) -> int:
        """Specifications that could not be estimated (their ``note`` says why)."""
        return int(len(self.specs) - len(self.estimated))

    @property
    def shares(self) -> dict[str, float]:
        """Shares of the estimated specifications: positive, significant at 5 %, by sign."""
        est = self.estimated
        b, sig = est["estimate"].to_numpy(float), est["p_value"].to_numpy(float) < SIGNIFICANCE
        n = max(len(b), 1)
        return {
            "positive": float((b > 0).sum() / n),
            "significant": float(sig.sum() / n),
            "positive_significant": float((sig & (b > 0)).sum() / n),
            "negative_significant": float((sig & (b < 0)).sum() / n),
        }

    def summary(self, language: str = "en") -> str:
        """One sentence: how many specifications, their range and the shares."""
        est, sh = self.estimated, self.shares
        b = est["estimate"]
        return text(
            "spec.summary", language, n=len(est), total=self.n_possible,
            median=f"{b.median():.4g}" if len(b) else "-",
            low=f"{b.min():.4g}" if len(b) else "-", high=f"{b.max():.4g}" if len(b) else "-",
            positive=f"{sh['positive']:.0%}", significant=f"{sh['significant']:.0%}",
            failed=self.n_failed,
        )  # fmt: skip

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        shown = self.specs.drop(columns=["note"]).to_html(
            float_format=lambda v: f"{v:.4g}", max_rows=20
        )
        return f"<div><p>{html.escape(self.summary())}</p>{shown}</div>"

    def table(self, *, language: str = "en") -> Table:
        """Return the curve in numbers (specifications, shares, range, SSN test) as a Table."""
        from pilotdid.robustness.spec_curve_figure import summary_table

        return summary_table(self, language=language)

    def figure(self, *, language: str = "en") -> Figure:
        """Draw the two-panel specification curve: ranked estimates with CIs over the choices.

        Parameters
        ----------
        language : {"en", "zh"}
            Labels in English or Chinese.

        Returns
        -------
        matplotlib.figure.Figure
            A new figure (not shown).
        """
        from pilotdid.robustness.spec_curve_figure import spec_curve_figure

        return spec_curve_figure(self, language=language)
