"""Every figure of pilotdid in one place (matplotlib figures, returned and never shown).

A thin public module: each function lives beside its results (``did/figures.py``,
``matching/figures.py``, ...) and is re-exported here. All take ``language="en"`` or ``"zh"``.

- :func:`pilot_map`: the map of treated (by adoption cohort) and control units;
- :func:`plot_pscore_density`, :func:`plot_common_support`, :func:`plot_bias`: matching;
- :func:`placebo_figure`, :func:`honest_figure`: the placebo test and HonestDiD sensitivity;
- :func:`event_study_figure`: the event study; :func:`dynamic_figure`: any ``DynamicEffects``;
- :func:`att_gt_figure`, :func:`aggregate_figure`: Callaway-Sant'Anna ATT(g,t) and aggregates;
- :func:`rollout_figure`, :func:`bacon_figure`, :func:`overlay_figure`: staggered adoption;
- :func:`marginal_effect_figure`: the effect across a moderator.

Examples
--------
>>> from pilotdid import datasets, figures
>>> demo = datasets.demo_panel(seed=3).data
>>> fig = figures.pilot_map(demo, unit="code", cohort="adoption_year")
>>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
['Adopted 2016 (n = 4)', 'Adopted 2017 (n = 76)', 'Never treated (n = 200)']
"""

from __future__ import annotations

from pilotdid.descriptives.pilot_map import pilot_map
from pilotdid.did.cs_figures import aggregate_figure, att_gt_figure
from pilotdid.did.figures import event_study_figure
from pilotdid.did.figures_robust import dynamic_figure
from pilotdid.did.staggered_figures import bacon_figure, overlay_figure, rollout_figure
from pilotdid.matching.figures import plot_bias, plot_common_support, plot_pscore_density
from pilotdid.mechanisms.figures import marginal_effect_figure
from pilotdid.robustness.figures import honest_figure, placebo_figure

__all__ = [
    "aggregate_figure",
    "att_gt_figure",
    "bacon_figure",
    "dynamic_figure",
    "event_study_figure",
    "honest_figure",
    "marginal_effect_figure",
    "overlay_figure",
    "pilot_map",
    "placebo_figure",
    "plot_bias",
    "plot_common_support",
    "plot_pscore_density",
    "rollout_figure",
]
