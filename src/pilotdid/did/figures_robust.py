"""Figures of the heterogeneity-robust event studies (Sun-Abraham, imputation).

Both draw a :class:`~pilotdid.did.dynamic.DynamicEffects`: estimates with pointwise intervals by
period relative to adoption; never shown, texts from the catalogue (``fig.event.*``,
``fig.sa.*``, ``fig.bjs.*``) in English or Chinese.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pilotdid.tables.fonts import in_figure_language
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.did.dynamic import DynamicEffects

__all__ = ["dynamic_figure"]


@in_figure_language
def dynamic_figure(
    effects: DynamicEffects,
    *,
    title: str,
    level: float = 0.95,
    language: str = "en",
    lead_label: str | None = None,
) -> Figure:
    """Plot dynamic effects with confidence intervals by relative period.

    Parameters
    ----------
    effects : DynamicEffects
        The estimates (any estimator).
    title : str
        Catalogue key of the title (``"fig.sa.title"``, ``"fig.bjs.title"``).
    level : float, default 0.95
        Confidence level.
    language : {"en", "zh"}
        Label language.
    lead_label : str, optional
        Catalogue key of the legend of negative periods when they are drawn apart (the
        imputation estimator's pre-trend coefficients come from another regression).

    Returns
    -------
    matplotlib.figure.Figure
        Points with interval bars, a line at zero, a dashed line at the reference period (if
        any) and the pre-trend test in the title when there are leads.

    Examples
    --------
    >>> import numpy as np
    >>> from pilotdid.did.dynamic import DynamicEffects
    >>> eff = DynamicEffects("SA", np.array([-2, 0, 1]), np.array([0.0, 1, 2]), np.eye(3) * 0.01)
    >>> len(dynamic_figure(eff, title="fig.sa.title").axes)
    1
    """
    from matplotlib.figure import Figure

    tidy = effects.tidy(level)
    x = tidy.index.to_numpy()
    est = tidy["estimate"].to_numpy()
    low, high = tidy["conf_low"].to_numpy(), tidy["conf_high"].to_numpy()
    fig = Figure(figsize=(6.4, 4.0), dpi=150)
    ax = fig.add_subplot()
    ax.axhline(0, color="#7f7f7f", lw=1)
    if effects.ref is not None:
        ax.axvline(effects.ref, color="#7f7f7f", ls="--", lw=1)
    else:
        ax.axvline(-0.5, color="#7f7f7f", ls="--", lw=1)
    ax.fill_between(
        x,
        low,
        high,
        color="#1f4e79",
        alpha=0.12,
        lw=0,
        label=text("fig.event.ci", language, level=level),
    )
    groups = [(np.ones(x.size, dtype=bool), "#1f4e79", text("fig.event.est", language))]
    if lead_label is not None:
        lead = x < 0
        groups = [
            (lead, "#a05a2c", text(lead_label, language)),
            (~lead, "#1f4e79", text("fig.event.est", language)),
        ]
    for mask, color, label in groups:
        if mask.any():
            ax.errorbar(
                x[mask],
                est[mask],
                yerr=[est[mask] - low[mask], high[mask] - est[mask]],
                fmt="o-",
                color=color,
                ms=4,
                lw=1.2,
                capsize=3,
                label=label,
            )
    ax.set_xticks(x)
    ax.set_xlabel(text("fig.event.x", language))
    ax.set_ylabel(text("fig.event.y", language))
    heading = text(title, language)
    if (np.asarray(effects.periods) < 0).any():
        test = effects.pretrend_test()
        heading += (
            f"\n{text('fig.event.pretrend', language)}: "
            f"{'F' if np.isfinite(test.df_den) else 'χ²/q'} = {test.statistic:.2f}, "
            f"p = {test.p_value:.3f}"
        )
    ax.set_title(heading, fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig
