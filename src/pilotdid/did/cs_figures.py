"""Figures of Callaway–Sant'Anna: ATT(g,t) by cohort, and the aggregated effects."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pilotdid.tables.fonts import in_figure_language
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from pilotdid.did.att_gt_result import AttGtResult
    from pilotdid.did.cs_aggregate_result import AttGtAggregate

__all__ = ["aggregate_figure", "att_gt_figure"]

_PRE, _POST = "#1f4e79", "#b22222"


def _bars(ax: Axes, x: np.ndarray, tidy: pd.DataFrame, post: np.ndarray, language: str) -> None:
    """Points with uniform bands (pointwise intervals without bootstrap), pre blue, post red."""
    band = tidy["band_low"].notna().to_numpy()
    low = np.where(band, tidy["band_low"], tidy["conf_low"])
    high = np.where(band, tidy["band_high"], tidy["conf_high"])
    est = tidy["estimate"].to_numpy()
    for mask, color, key in ((~post, _PRE, "fig.cs.pre"), (post, _POST, "fig.cs.post")):
        if mask.any():
            ax.errorbar(
                x[mask], est[mask], yerr=[est[mask] - low[mask], high[mask] - est[mask]],
                fmt="o", color=color, ms=4, capsize=3, lw=1.2, label=text(key, language),
            )  # fmt: skip
    ax.axhline(0, color="#7f7f7f", lw=1)


def _interval_label(tidy: pd.DataFrame, level: float, language: str) -> str:
    key = "fig.cs.band" if tidy["band_low"].notna().any() else "fig.cs.ci"
    return text(key, language, level=level)


@in_figure_language
def att_gt_figure(result: AttGtResult, *, language: str = "en") -> Figure:
    """Plot ATT(g,t) by period, one panel per cohort (R ``ggdid``), with uniform bands.

    Parameters
    ----------
    result : AttGtResult
        The group-time effects.
    language : {"en", "zh"}
        Label language.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (not shown); pre-treatment cells in blue, post-treatment in red.
    """
    from matplotlib.figure import Figure

    tidy = result.tidy().reset_index()
    groups = tidy["cohort"].unique()
    fig = Figure(figsize=(6.4, 1.9 * len(groups) + 0.6), dpi=150)
    axes = fig.subplots(len(groups), 1, sharex=True, squeeze=False)[:, 0]
    for ax, g in zip(axes, groups, strict=True):
        part = tidy[tidy["cohort"] == g]
        _bars(ax, part["time"].to_numpy(float), part, part["post"].to_numpy(bool), language)
        ax.set_title(text("fig.cs.cohort", language, g=f"{g:g}"), fontsize=9, loc="left")
        ax.set_ylabel(text("fig.cs.att", language), fontsize=8)
    axes[-1].set_xticks(np.unique(tidy["time"].to_numpy(float)))
    axes[-1].set_xlabel(text("fig.cs.period", language))
    handles: dict[str, Artist] = {}
    for ax in axes:
        artists, labels = ax.get_legend_handles_labels()
        handles.update(zip(labels, artists, strict=True))
    fig.legend(list(handles.values()), list(handles), frameon=False, fontsize=7, loc="upper left")
    fig.suptitle(_interval_label(tidy, result.level, language), fontsize=8, x=0.98, ha="right")
    fig.tight_layout()
    return fig


@in_figure_language
def aggregate_figure(result: AttGtAggregate, *, language: str = "en") -> Figure:
    """Plot aggregated effects by event time, cohort or period with uniform bands.

    Parameters
    ----------
    result : AttGtAggregate
        A group, calendar or dynamic aggregation (``simple`` has one number: no figure).
    language : {"en", "zh"}
        Label language.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (not shown).
    """
    from matplotlib.figure import Figure

    from pilotdid.errors import EstimationError

    if result.kind == "simple":
        raise EstimationError("the simple aggregation is one number; plot 'dynamic' or 'group'")
    tidy = result.tidy()
    x = tidy.index.to_numpy(float)
    post = x >= 0 if result.kind == "dynamic" else np.ones(len(x), dtype=bool)
    fig = Figure(figsize=(6.4, 4.0), dpi=150)
    ax = fig.add_subplot()
    _bars(ax, x, tidy, post, language)
    if result.kind == "dynamic":
        ax.axvline(-0.5 if result.ref is None else result.ref, color="#7f7f7f", ls="--", lw=1)
    xlabel = {"dynamic": "fig.event.x", "group": "fig.cs.x_group", "calendar": "fig.cs.period"}
    ax.set_xticks(x)
    ax.set_xlabel(text(xlabel[result.kind], language))
    ax.set_ylabel(text("fig.cs.y", language))
    ax.set_title(
        f"{text('fig.cs.title', language, kind=result.kind)} — "
        f"{_interval_label(tidy, result.level, language)}",
        fontsize=9,
    )
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig
