"""The specification-curve figure (ranked estimates over the choice grid) and summary table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pilotdid.robustness.spec_choices import DIMENSIONS, NO_MODE
from pilotdid.robustness.spec_curve_result import SIGNIFICANCE
from pilotdid.tables.fonts import in_figure_language
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.robustness.spec_curve_result import SpecCurveResult
    from pilotdid.tables.table import Table

__all__ = ["spec_curve_figure", "summary_table"]

_POS, _NEG, _NS = "#1f4e79", "#c00000", "#a6a6a6"


def _colours(est: pd.DataFrame) -> np.ndarray:
    b, p = est["estimate"].to_numpy(float), est["p_value"].to_numpy(float)
    sig = p < SIGNIFICANCE
    return np.where(sig & (b > 0), _POS, np.where(sig & (b < 0), _NEG, _NS))


def _label(dimension: str, value: str, language: str) -> str:
    """Name the built-in estimators and "no matching" in words; other labels stay as given."""
    if dimension == "estimator" and value in ("twfe", "sa", "bjs", "cs"):
        return text(f"fig.spec.est_{value}", language)
    if dimension == "mode" and value == NO_MODE:
        return text("fig.spec.no_mode", language)
    return value


@in_figure_language
def spec_curve_figure(result: SpecCurveResult, *, language: str = "en") -> Figure:
    """Ranked estimates with confidence intervals (top) and the choices of each one (bottom).

    Parameters
    ----------
    result : SpecCurveResult
        A specification curve.
    language : {"en", "zh"}
        Label language.

    Returns
    -------
    matplotlib.figure.Figure
        Top: estimates ranked, with their intervals, coloured by sign and significance at 5 %;
        bottom: one row per choice label (grouped by dimension), a mark where a specification
        makes that choice. Dimensions with a single label are left out of the grid.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    def t(key: str, **fields: object) -> str:
        return text(f"fig.spec.{key}", language, **fields)

    est = result.estimated.copy()
    for d in DIMENSIONS:  # the grid shows the labels the estimated specifications use
        est[d] = est[d].cat.remove_unused_categories()
    x, colours = np.arange(len(est)), _colours(est)
    dims = [d for d in DIMENSIONS if len(est[d].cat.categories) > 1]
    rows = [(d, str(v)) for d in dims for v in est[d].cat.categories]
    grid_height = 0.17 * max(len(rows), 1)
    fig = Figure(figsize=(7.2, 3.4 + grid_height), dpi=150)
    grid = fig.add_gridspec(2, 1, height_ratios=[3.0, grid_height], hspace=0.06)
    top = fig.add_subplot(grid[0])
    top.vlines(x, est["conf_low"], est["conf_high"], colors=list(colours), lw=0.8, alpha=0.5)
    top.scatter(x, est["estimate"], c=colours, s=8, zorder=3)
    top.axhline(0, color="black", lw=0.7)
    median = float(est["estimate"].median()) if len(est) else np.nan
    top.axhline(median, color="black", lw=0.7, ls="--")
    top.set_ylabel(t("estimate", level=result.level))
    top.set_xlim(-1, max(len(est), 1))
    top.tick_params(labelbottom=False)
    handles = [
        Line2D([], [], color=_POS, marker="o", ls="", label=t("pos", a=SIGNIFICANCE)),
        Line2D([], [], color=_NEG, marker="o", ls="", label=t("neg", a=SIGNIFICANCE)),
        Line2D([], [], color=_NS, marker="o", ls="", label=t("ns")),
        Line2D([], [], color="black", ls="--", label=t("median", m=median)),
    ]
    top.legend(handles=handles, loc="upper left", frameon=False, fontsize=7)
    top.set_title(t("title", n=len(est), total=result.n_possible), fontsize=10)
    bottom = fig.add_subplot(grid[1], sharex=top)
    ypos = {row: -i for i, row in enumerate(rows)}
    for d in dims:
        y = np.array([ypos[(d, str(v))] for v in est[d]])
        bottom.scatter(x, y, c=colours, s=6, marker="|" if len(est) > 150 else "o")
    bottom.set_yticks([ypos[r] for r in rows])
    bottom.set_yticklabels(
        [f"{t('dim_' + d)}: {_label(d, v, language)}" for d, v in rows], fontsize=7
    )
    for i in range(1, len(dims)):
        cut = -sum(len(est[d].cat.categories) for d in dims[:i]) + 0.5
        bottom.axhline(cut, color="#d9d9d9", lw=0.6)
    bottom.set_ylim(-len(rows) + 0.5, 0.5)
    bottom.set_xlabel(t("rank"))
    bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.subplots_adjust(
        left=0.3, right=0.97, top=1 - 0.3 / fig.get_figheight(), bottom=0.5 / fig.get_figheight()
    )
    return fig


def summary_table(result: SpecCurveResult, *, language: str = "en") -> Table:
    """Return the curve in numbers: specifications run, shares, range, the SSN test if run."""
    from pilotdid.tables.table import Table

    def t(key: str, **fields: object) -> str:
        return text(f"spec.table.{key}", language, **fields)

    est, sh = result.estimated, result.shares
    b = est["estimate"]
    rows: list[tuple[str, str]] = [
        (t("n"), f"{len(est):,} / {result.n_possible:,}"),
        (t("failed"), f"{result.n_failed:,}"),
        (t("median"), f"{b.median():.4g}" if len(b) else "-"),
        (t("range"), f"[{b.min():.4g}, {b.max():.4g}]" if len(b) else "-"),
        (t("positive"), f"{sh['positive']:.1%}"),
        (t("significant"), f"{sh['significant']:.1%}"),
        (t("positive_significant"), f"{sh['positive_significant']:.1%}"),
        (t("negative_significant"), f"{sh['negative_significant']:.1%}"),
    ]
    notes = [t("note", level=f"{SIGNIFICANCE:.0%}")]
    if result.ssn is not None:
        for name, row in result.ssn.statistics.iterrows():
            rows.append((t(f"ssn_{name}"), f"{row['observed']:.4g} (p = {row['p_value']:.3g})"))
        notes.append(t("ssn_note", draws=result.ssn.draws, n=result.ssn.n_specs))
    body = pd.DataFrame([v for _, v in rows], index=[k for k, _ in rows], columns=[t("value")])
    return Table(body, title=t("title"), notes=tuple(notes), key="spec_curve")
