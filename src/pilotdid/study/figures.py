"""The figures of a study report, in report order (matplotlib figures, never shown)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.study.pipeline import StudyResult

__all__ = ["FIGURE_KEYS", "study_figures"]

#: Figure keys in report order; each is also the file name under ``figures/``.
FIGURE_KEYS: tuple[str, ...] = (
    "figure_map",
    "figure_pscore",
    "figure_support",
    "figure_bias",
    "figure1",
    "figure2",
    "figure_sensitivity",
    "figure_rollout",
    "figure_bacon",
    "figure_staggered",
    "figure_sensitivity_staggered",
    "figure_moderation",
)


def study_figures(result: StudyResult) -> Iterator[tuple[str, Figure]]:
    """Yield ``(key, figure)`` for each figure the stages that ran can draw.

    Keys: ``figure_map`` (treated units by adoption cohort and controls on the map; skipped
    with a warning when the units have no point), ``figure_pscore`` (score densities before/after matching), ``figure_support``
    (psgraph), ``figure_bias`` (pstest's %bias plot), ``figure1`` (placebo test) and
    ``figure2`` (event study), ``figure_rollout`` (units by adoption period),
    ``figure_bacon`` (Goodman-Bacon decomposition), ``figure_staggered`` (TWFE and the robust
    event studies overlaid), ``figure_sensitivity_staggered`` (HonestDiD on each robust
    estimator), ``figure_moderation`` (marginal effect across the moderator).
    """
    language = result.study.config.report.language
    pilot_map = _pilot_map(result, language)
    if pilot_map is not None:
        yield "figure_map", pilot_map
    match = result.matching.result
    if match is not None:
        from pilotdid.matching.figures import plot_bias

        yield "figure_pscore", match.plot_pscore(weighted=True, language=language)
        yield "figure_support", match.plot_support(language=language)
        if result.matching.balance is not None:
            yield "figure_bias", plot_bias(result.matching.balance, language=language)
    if result.placebo is not None:
        yield "figure1", result.placebo.figure(language=language)
    if result.event_study is not None:
        yield "figure2", result.event_study.figure(language=language)
    if result.sensitivity is not None and result.sensitivity.honest is not None:
        yield "figure_sensitivity", result.sensitivity.honest.figure(language=language)
    stag = result.staggered
    if stag is not None:
        from pilotdid.did.staggered_figures import rollout_figure

        yield "figure_rollout", rollout_figure(stag.cohorts, language=language)
        if stag.bacon is not None:
            yield "figure_bacon", stag.bacon.figure(language=language)
        if stag.comparison is not None:
            yield "figure_staggered", stag.comparison.figure(language=language)
    if result.sensitivity is not None and result.sensitivity.robust:
        robust = result.sensitivity.robust_figure(language=language)
        if robust is not None:
            yield "figure_sensitivity_staggered", robust
    if result.moderation is not None:
        from pilotdid.study.stages import make_labels

        labels = make_labels(result.study.config)
        for i, res in enumerate(result.moderation.results):
            key = "figure_moderation" if i == 0 else f"figure_moderation_{i + 1}"
            yield key, res.figure(language=language, labels=labels)
    if result.spec_curve is not None:  # optional ([spec_curve] is off by default): not a FIGURE_KEY
        yield "figure_spec_curve", result.spec_curve.figure(language=language)


def _pilot_map(result: StudyResult, language: str) -> Figure | None:
    """Draw the map of the analysis panel's units; None (with a warning) if no unit has a point."""
    import warnings

    from pilotdid.descriptives.pilot_map import pilot_map
    from pilotdid.errors import PanelError, PilotdidWarning

    cfg, panel = result.study.config, result.panel
    try:
        return pilot_map(
            panel.data,
            unit=cfg.unit,
            cohort=panel.treatment.names["cohort"],
            time=cfg.time,
            lon=cfg.data.lon,
            lat=cfg.data.lat,
            language=language,
        )
    except PanelError as exc:
        hint = "" if cfg.data.lon else " (in the study file: data.lon and data.lat)"
        why = str(exc).rstrip(".")
        warnings.warn(f"figure_map not drawn: {why}{hint}.", PilotdidWarning, stacklevel=2)
        return None
