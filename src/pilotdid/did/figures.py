"""Figures of the DID estimators (matplotlib, returned and never shown)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pilotdid.tables.fonts import in_figure_language
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.did.event_study_result import EventStudyResult

__all__ = ["event_study_figure"]


@in_figure_language
def event_study_figure(
    result: EventStudyResult,
    *,
    level: float = 0.95,
    language: str = "en",
    trend: float | None = None,
) -> Figure:
    """Event-study plot: estimates and confidence intervals by period relative to adoption.

    Parameters
    ----------
    result : EventStudyResult
        An event study.
    level : float, default 0.95
        Confidence level.
    language : {"en", "zh"}
        Label language.
    trend : float, optional
        Slope of a hypothesised linear violation of parallel trends (zero at the reference
        period) drawn as a dashed line, e.g. ``pilotdid.pretrend_power(es).slope``.

    Returns
    -------
    matplotlib.figure.Figure
        Points with interval bars, a horizontal line at zero and a vertical dashed line at the
        reference period.
    """
    from matplotlib.figure import Figure

    tidy = result.tidy(level)
    x = tidy.index.to_numpy()
    est = tidy["estimate"].to_numpy()
    fig = Figure(figsize=(6.4, 4.0), dpi=150)
    ax = fig.add_subplot()
    ax.axhline(0, color="#7f7f7f", lw=1)
    ax.axvline(result.ref, color="#7f7f7f", ls="--", lw=1)
    ax.fill_between(
        x,
        tidy["conf_low"],
        tidy["conf_high"],
        color="#1f4e79",
        alpha=0.12,
        lw=0,
        label=text("fig.event.ci", language, level=level),
    )
    ax.errorbar(
        x,
        est,
        yerr=[est - tidy["conf_low"], tidy["conf_high"] - est],
        fmt="o-",
        color="#1f4e79",
        ms=4,
        lw=1.2,
        capsize=3,
        label=text("fig.event.est", language),
    )
    if trend is not None:
        ax.plot(
            x,
            trend * (x - result.ref),
            color="#c00000",
            ls="--",
            lw=1.2,
            label=text("fig.event.trend", language, slope=trend),
        )
    ax.set_xticks(x)
    ax.set_xlabel(text("fig.event.x", language))
    ax.set_ylabel(text("fig.event.y", language))
    test = result.pretrend_test()
    if test.terms:
        ax.set_title(
            f"{text('fig.event.pretrend', language)}: "
            f"F = {test.statistic:.2f}, p = {test.p_value:.3f}",
            fontsize=10,
        )
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig
