"""The result of :func:`pilotdid.honest_did`: original and robust confidence sets, breakdown value."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pilotdid.tables.cells import Number
from pilotdid.tables.table import Table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["HonestDidResult"]


@dataclass(frozen=True, eq=False)
class HonestDidResult:
    """Robust confidence sets for an event-study target over a grid of Mbar (or M).

    Attributes
    ----------
    estimator : str
        The dynamic estimator the coefficients came from.
    restriction : str
        ``"relative_magnitude"`` (grid of Mbar) or ``"smoothness"`` (grid of M).
    method : str
        ``"C-LF"``, ``"Conditional"``, ``"FLCI"`` or ``"C-F"``.
    grid : numpy.ndarray
        The Mbar (or M) values.
    conf_low, conf_high : numpy.ndarray
        Ends of the robust confidence set at each grid value (``nan``: empty set, the data
        reject the restriction). The set is reported as its convex hull.
    estimate, std_error : float
        The target estimated under exact parallel trends and its standard error.
    original : tuple of float
        The usual confidence interval ``estimate +- z * std_error``.
    breakdown : float
        The smallest Mbar (M) at which the robust set includes 0, found by bisection to 0.1 %;
        0 when the original conclusion is already insignificant at the smallest value,
        ``inf`` when the set excludes 0 up to 64 times the largest grid value.
    target : pandas.Series
        Weights on the post-reference periods defining the target.
    level : float
        Coverage.
    num_pre, num_post : int
        Periods before and after the reference period.
    ref : int
        The reference period.
    monotonicity, bias_sign : str or None
        Extra restrictions.
    """

    estimator: str
    restriction: str
    method: str
    grid: np.ndarray
    conf_low: np.ndarray
    conf_high: np.ndarray
    estimate: float
    std_error: float
    original: tuple[float, float]
    breakdown: float
    target: pd.Series
    level: float
    num_pre: int
    num_post: int
    ref: int
    monotonicity: str | None = None
    bias_sign: str | None = None

    @property
    def parameter(self) -> str:
        """Name of the sensitivity parameter: ``"Mbar"`` or ``"M"``."""
        return "Mbar" if self.restriction == "relative_magnitude" else "M"

    @property
    def robust(self) -> pd.DataFrame:
        """The robust sets: index the grid values, columns conf_low, conf_high."""
        return pd.DataFrame(
            {"conf_low": self.conf_low, "conf_high": self.conf_high},
            index=pd.Index(self.grid, name=self.parameter),
        )

    def tidy(self) -> pd.DataFrame:
        """One row for the original interval, then one per grid value.

        Returns
        -------
        pandas.DataFrame
            Columns kind (``"original"``/``"robust"``), parameter, value, conf_low, conf_high,
            method, restriction.
        """
        rows: list[dict[str, Any]] = [
            {
                "kind": "original",
                "parameter": self.parameter,
                "value": math.nan,
                "conf_low": self.original[0],
                "conf_high": self.original[1],
                "method": "Original",
            }
        ]
        for value, lo, hi in zip(self.grid, self.conf_low, self.conf_high, strict=True):
            rows.append(
                {
                    "kind": "robust",
                    "parameter": self.parameter,
                    "value": float(value),
                    "conf_low": float(lo),
                    "conf_high": float(hi),
                    "method": self.method,
                }
            )
        frame = pd.DataFrame(rows)
        frame["restriction"] = self.restriction
        return frame

    def _breakdown_text(self) -> str:
        if math.isinf(self.breakdown):
            return "none (the set excludes 0 at every value tried)"
        return f"{self.breakdown:.4g}"

    def summary(self) -> str:
        """Return a plain-text report of the sets and the breakdown value."""
        lines = [
            f"HonestDiD sensitivity ({self.restriction}, {self.method}) — {self.estimator}",
            f"Target: {_target_text(self.target)}; reference period {self.ref}; "
            f"{self.num_pre} pre / {self.num_post} post periods; level {self.level:.0%}",
            f"Original: {self.estimate:.4g} ({self.std_error:.4g}), "
            f"CI [{self.original[0]:.4g}, {self.original[1]:.4g}]",
        ]
        for value, lo, hi in zip(self.grid, self.conf_low, self.conf_high, strict=True):
            lines.append(f"  {self.parameter} = {value:<8.4g} [{lo:.4g}, {hi:.4g}]")
        lines.append(f"Breakdown {self.parameter}: {self._breakdown_text()}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"

    def table(self, *, language: str = "en", digits: int = 4) -> Table:
        """Return the sets as a :class:`~pilotdid.tables.table.Table`.

        Parameters
        ----------
        language : {"en", "zh"}
            Label language.
        digits : int, default 4
            Decimals of the interval ends.

        Returns
        -------
        Table
        """
        from pilotdid.tables.strings import text

        label_orig = text("fig.honest.original", language)
        labels = [label_orig] + [f"{self.parameter} = {v:g}" for v in self.grid]
        lows = [self.original[0], *self.conf_low]
        highs = [self.original[1], *self.conf_high]
        body = pd.DataFrame(
            {
                "conf_low": [Number(float(v), digits) for v in lows],
                "conf_high": [Number(float(v), digits) for v in highs],
            },
            index=labels,
        )
        title = f"HonestDiD ({self.restriction}, {self.method})"
        notes = (
            f"Breakdown {self.parameter}: {self._breakdown_text()}. "
            f"Target: {_target_text(self.target)}.",
        )
        return Table(body, title=title, notes=notes, stub_header=self.parameter)

    def figure(self, *, language: str = "en") -> Figure:
        """Plot the original interval, then the robust sets against Mbar (M).

        Parameters
        ----------
        language : {"en", "zh"}
            Label language.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from pilotdid.robustness.figures import honest_figure

        return honest_figure(self, language=language)


def _target_text(target: pd.Series) -> str:
    nonzero = target[target != 0]
    if len(nonzero) == 1 and float(nonzero.iloc[0]) == 1.0:
        return f"effect at period {int(nonzero.index[0])}"
    if np.allclose(nonzero.to_numpy(), nonzero.iloc[0]) and float(nonzero.sum()) == 1.0:
        return f"average effect over periods {int(nonzero.index[0])}..{int(nonzero.index[-1])}"
    return "weights " + ", ".join(
        f"{p}: {w:g}" for p, w in zip(nonzero.index, nonzero.to_numpy(), strict=True)
    )
