"""Figures of the mechanism analyses (matplotlib, returned and never shown)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pilotdid.tables.fonts import in_figure_language
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.mechanisms.moderation_result import ModerationResult

__all__ = ["marginal_effect_figure"]


@in_figure_language
def marginal_effect_figure(
    result: ModerationResult, *, level: float = 0.95, language: str = "en", labels: Any = None
) -> Figure:
    """Marginal effect of the treatment over the moderator's observed range.

    Parameters
    ----------
    result : ModerationResult
        A moderation analysis.
    level : float, default 0.95
        Confidence level of the band.
    language : {"en", "zh"}
        Label language.
    labels : Labels or mapping, optional
        Display names of the variables.

    Returns
    -------
    matplotlib.figure.Figure
        Top panel: the effect with its band, zero line and the centring value; bottom panel:
        histogram of the moderator (all rows, treated rows highlighted).
    """
    from matplotlib.figure import Figure

    from pilotdid.tables.labels import Labels

    lab = Labels.coerce(labels, language)

    def t(key: str, **fields: object) -> str:
        return text(f"fig.moderation.{key}", lab.language, **fields)

    d, m = lab.var(result.treatment), lab.var(result.moderator)
    effects = result.marginal_effects(level=level)
    x = effects["moderator"].to_numpy()
    fig = Figure(figsize=(6.4, 4.8), dpi=150)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    top.fill_between(
        x, effects["conf_low"], effects["conf_high"], color="#1f4e79", alpha=0.18, lw=0,
        label=t("band", level=level),
    )  # fmt: skip
    top.plot(x, effects["estimate"], color="#1f4e79", lw=1.8)
    top.axhline(0, color="#7f7f7f", lw=1)
    if result.center:
        top.axvline(result.center_value, color="#c00000", ls="--", lw=1.2,
                    label=t("mean", m=m))  # fmt: skip
    top.set_ylabel(t("y", d=d))
    top.set_title(t("title", d=d, m=m), fontsize=10)
    top.legend(frameon=False, fontsize=8, loc="best")
    values = result.moderator_values
    bins = np.histogram_bin_edges(values, bins=min(40, max(10, values.size // 50)))
    weights = np.full(values.size, 1.0 / values.size)
    bottom.hist(values, bins=bins, weights=weights, color="#bfbfbf", label=t("all"))
    bottom.hist(
        values[result.treated], bins=bins, weights=weights[result.treated], color="#1f4e79",
        label=t("treated"),
    )  # fmt: skip
    bottom.legend(frameon=False, fontsize=7, loc="upper right")
    bottom.set_ylabel(t("hist"))
    bottom.set_xlabel(m)
    fig.tight_layout()
    return fig
