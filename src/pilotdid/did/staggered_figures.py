"""Figures of staggered adoption: the Goodman-Bacon scatter and dynamic estimators overlaid."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pilotdid.did.bacon_timing import COMPARISON_TYPES
from pilotdid.tables.fonts import in_figure_language
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from pilotdid.did.bacon_result import BaconResult
    from pilotdid.did.compare import DynamicComparison

__all__ = ["bacon_figure", "overlay_figure", "rollout_figure"]

_STYLE = {  # comparison type -> (marker, colour)
    "treated_vs_never": ("o", "#1f4e79"),
    "treated_vs_always": ("s", "#6a3d9a"),
    "earlier_vs_later": ("^", "#2e8b57"),
    "later_vs_earlier": ("x", "#c0392b"),
}
_COLOURS = ("#1f4e79", "#c0392b", "#2e8b57", "#e67e22", "#6a3d9a", "#7f7f7f")
_MARKERS = ("o", "s", "^", "D", "v", "P")


@in_figure_language
def bacon_figure(result: BaconResult, *, language: str = "en") -> Figure:
    """Scatter of each 2x2 DID estimate against its weight, one marker per comparison type.

    Parameters
    ----------
    result : BaconResult
        A Goodman-Bacon decomposition.
    language : {"en", "zh"}
        Label language.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (not shown); the dashed horizontal line is the TWFE estimate.
    """
    from matplotlib.figure import Figure

    frame = result.tidy()
    fig = Figure(figsize=(6.4, 4.2), dpi=150)
    ax = fig.add_subplot()
    ax.axhline(0, color="#bfbfbf", lw=0.8)
    for kind in COMPARISON_TYPES:
        part = frame[frame["type"] == kind]
        if part.empty:
            continue
        marker, colour = _STYLE[kind]
        ax.scatter(
            part["weight"], part["estimate"], marker=marker, color=colour, s=28,
            label=text(f"fig.bacon.{kind}", language), alpha=0.85,
        )  # fmt: skip
    ax.axhline(
        result.twfe, color="#333333", ls="--", lw=1.1,
        label=text("fig.bacon.twfe", language, b=f"{result.twfe:.4g}"),
    )  # fmt: skip
    ax.set_xlabel(text("fig.bacon.x", language))
    ax.set_ylabel(text("fig.bacon.y", language))
    ax.set_xlim(left=0)
    ax.set_title(text("fig.bacon.title", language, share=result.forbidden_share), fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="best")
    fig.tight_layout()
    return fig


@in_figure_language
def overlay_figure(
    comparison: DynamicComparison, *, level: float | None = None, language: str = "en"
) -> Figure:
    """Every estimator's dynamic effects on the same axes, dodged horizontally.

    Parameters
    ----------
    comparison : DynamicComparison
        The estimators to draw.
    level : float, optional
        Confidence level of the bars; default the comparison's level.
    language : {"en", "zh"}
        Label language.

    Returns
    -------
    matplotlib.figure.Figure
        Points with interval bars per estimator, a line at zero and a dashed vertical line at
        the reference period (when the estimators share one).
    """
    from matplotlib.figure import Figure

    tidy = comparison.tidy(level=level)
    names = list(comparison.names)
    k = len(names)
    dodge = 0.8 / max(k, 1) if k > 1 else 0.0
    fig = Figure(figsize=(6.8, 4.2), dpi=150)
    ax = fig.add_subplot()
    ax.axhline(0, color="#7f7f7f", lw=1)
    refs = {e.ref for e in comparison.effects if e.ref is not None}
    for j, ref in enumerate(sorted(refs)):
        label = text("fig.compare.ref", language) if j == 0 else None
        ax.axvline(ref, color="#7f7f7f", ls="--", lw=1, label=label)
    for i, name in enumerate(names):
        part = tidy[tidy["estimator"] == name]
        x = part["rel_time"].to_numpy(dtype=float) + (i - (k - 1) / 2) * dodge
        est = part["estimate"].to_numpy(dtype=float)
        low, high = part["conf_low"].to_numpy(dtype=float), part["conf_high"].to_numpy(dtype=float)
        ax.errorbar(
            x, est, yerr=[est - low, high - est], fmt=_MARKERS[i % len(_MARKERS)],
            color=_COLOURS[i % len(_COLOURS)], ms=4, lw=1.1, capsize=2, label=name,
        )  # fmt: skip
    periods = np.unique(tidy["rel_time"].to_numpy(dtype=int))
    ax.set_xticks(periods)
    ax.set_xlabel(text("fig.event.x", language))
    ax.set_ylabel(text("fig.event.y", language))
    level_used = comparison.level if level is None else level
    ax.set_title(text("fig.event.ci", language, level=level_used), fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


@in_figure_language
def rollout_figure(cohorts: pd.Series, *, language: str = "en") -> Figure:
    """Bar chart of units by adoption period, never-treated units as the last bar.

    Parameters
    ----------
    cohorts : pandas.Series
        Units (values) by adoption period (index; ``inf`` or NaN = never treated).
    language : {"en", "zh"}
        Label language.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (not shown), each bar labelled with its count.
    """
    from matplotlib.figure import Figure

    periods = cohorts.index.to_numpy(dtype=float)
    never = ~np.isfinite(periods)
    labels = [str(int(p)) if float(p).is_integer() else f"{p:g}" for p in periods[~never]]
    counts = [int(n) for n in cohorts.to_numpy()[~never]]
    colours = ["#1f4e79"] * len(counts)
    if never.any():
        labels.append(text("fig.rollout.never", language))
        counts.append(int(cohorts.to_numpy()[never].sum()))
        colours.append("#7f7f7f")
    fig = Figure(figsize=(6.4, 3.8), dpi=150)
    ax = fig.add_subplot()
    bars = ax.bar(range(len(counts)), counts, color=colours, width=0.7)
    ax.bar_label(bars, labels=[f"{n:,}" for n in counts], fontsize=8, padding=2)
    ax.set_xticks(range(len(counts)), labels)
    ax.set_xlabel(text("fig.rollout.x", language))
    ax.set_ylabel(text("fig.rollout.y", language))
    ax.set_title(text("fig.rollout.title", language, n=len(counts) - int(never.any())), fontsize=10)
    ax.margins(y=0.12)
    fig.tight_layout()
    return fig
