"""Figures of the robustness battery (matplotlib, returned and never shown)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from pilotdid.tables.fonts import in_figure_language
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.robustness.honest_result import HonestDidResult
    from pilotdid.robustness.placebo_result import PlaceboResult

__all__ = ["honest_figure", "honest_panels_figure", "placebo_figure"]


@in_figure_language
def placebo_figure(result: PlaceboResult, *, language: str = "en") -> Figure:
    """Kernel density of placebo coefficients, their p-values, and the true estimate.

    Parameters
    ----------
    result : PlaceboResult
        A placebo run.
    language : {"en", "zh"}
        Label language.

    Returns
    -------
    matplotlib.figure.Figure
        Density (left axis) and p-value scatter (right axis), a dashed line at the true
        estimate and a dotted line at p = 0.1.
    """
    from matplotlib.figure import Figure
    from scipy.stats import gaussian_kde

    def t(key: str, **fields: object) -> str:
        return text(f"fig.placebo.{key}", language, **fields)

    draws = result.draws.dropna(subset=["coef"])
    coefs, pvals = draws["coef"].to_numpy(), draws["p"].to_numpy()
    true = float(result.estimate["coef"])
    fig = Figure(figsize=(6.4, 4.2), dpi=150)
    ax = fig.add_subplot()
    lo, hi = min(coefs.min(), true), max(coefs.max(), true)
    pad = 0.1 * (hi - lo or 1.0)
    grid = np.linspace(lo - pad, hi + pad, 400)
    if np.ptp(coefs) > 0:
        ax.plot(grid, gaussian_kde(coefs)(grid), color="#1f4e79", lw=1.8, label=t("density"))
    ax.axvline(true, color="#c00000", ls="--", lw=1.4, label=f"{t('true')} = {true:.4g}")
    ax.set_xlabel(t("x"))
    ax.set_ylabel(t("density"))
    twin = ax.twinx()
    twin.scatter(coefs, pvals, s=6, alpha=0.45, color="#7f7f7f", label=t("p"))
    twin.axhline(0.1, color="#7f7f7f", ls=":", lw=1)
    twin.set_ylim(0, 1.02)
    twin.set_ylabel(t("p"))
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="upper left", frameon=False, fontsize=8)
    ax.set_title(t("title", n=result.n_draws, kind=t(f"kind_{result.kind}")), fontsize=10)
    fig.tight_layout()
    return fig


@in_figure_language
def honest_figure(result: HonestDidResult, *, language: str = "en") -> Figure:
    """Plot HonestDiD's sensitivity: the original interval, then the robust sets by Mbar (M).

    Parameters
    ----------
    result : HonestDidResult
        A sensitivity analysis.
    language : {"en", "zh"}
        Label language.

    Returns
    -------
    matplotlib.figure.Figure
        Error bars at each grid value (the original interval first, left of the grid), a line at
        zero and the breakdown value in the title.
    """
    from matplotlib.figure import Figure

    def t(key: str, **fields: object) -> str:
        return text(f"fig.honest.{key}", language, **fields)

    fig = Figure(figsize=(6.4, 4.2), dpi=150)
    _draw_honest(fig.add_subplot(), result, t)
    fig.tight_layout()
    return fig


def _draw_honest(ax: Any, result: HonestDidResult, t: Callable[..., str]) -> None:
    """Draw one sensitivity plot on ``ax``: original interval, robust sets, breakdown title."""
    grid = np.asarray(result.grid, dtype=float)
    step = float(np.min(np.diff(np.sort(grid)))) if len(grid) > 1 else max(float(grid[0]), 1.0)
    x_orig = float(grid.min()) - step
    lo, hi = result.original
    ax.errorbar(
        [x_orig],
        [(lo + hi) / 2],
        yerr=[[(hi - lo) / 2]],
        fmt="none",
        capsize=4,
        lw=2,
        color="#c00000",
        label=t("original"),
    )
    ok = np.isfinite(result.conf_low)
    mid = (result.conf_low + result.conf_high) / 2
    half = (result.conf_high - result.conf_low) / 2
    ax.errorbar(
        grid[ok],
        mid[ok],
        yerr=half[ok],
        fmt="none",
        capsize=4,
        lw=2,
        color="#1f4e79",
        label=t("robust", method=result.method),
    )
    ax.axhline(0.0, color="#7f7f7f", ls=":", lw=1)
    ax.set_xticks([x_orig, *grid], [t("original"), *(f"{v:g}" for v in grid)], fontsize=8)
    ax.set_xlabel(t("x_rm" if result.restriction == "relative_magnitude" else "x_sd"))
    ax.set_ylabel(t("y", level=result.level))
    value = result.breakdown
    title = t("none") if not np.isfinite(value) else t("breakdown", value=f"{value:.3g}")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper left", frameon=False, fontsize=8)


@in_figure_language
def honest_panels_figure(results: dict[str, HonestDidResult], *, language: str = "en") -> Figure:
    """Sensitivity plots of several estimators side by side, one panel each (titled by name).

    Parameters
    ----------
    results : dict of str to HonestDidResult
        Estimator name -> its sensitivity analysis.
    language : {"en", "zh"}
        Label language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    def t(key: str, **fields: object) -> str:
        return text(f"fig.honest.{key}", language, **fields)

    n = len(results)
    fig = Figure(figsize=(4.0 * n + 0.8, 4.2), dpi=150)
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, (name, res) in zip(axes, results.items(), strict=True):
        _draw_honest(ax, res, t)
        ax.set_title(f"{name}: {ax.get_title()}", fontsize=10)
    fig.tight_layout()
    return fig
