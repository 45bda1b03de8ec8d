"""Estimated vs true effects when a study runs on the synthetic demo panel.

The demo panel (:func:`pilotdid.datasets.demo_panel`) records the effects it was simulated
with. When the study's treatment is the one the panel was simulated with (the built-in big data
roster, Post from each unit's adoption), each estimate of such an effect is set next to its true
value; a reader (and the test suite) can then see how far the pipeline lands from the truth in
standard errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pilotdid.estimation.result import FeolsResult
    from pilotdid.study.pipeline import StudyResult, TrueEffect

__all__ = ["comparable_with_truth", "compare_with_truth"]


def comparable_with_truth(result: StudyResult) -> bool:
    """Whether the study's treatment is the one the demo panel was simulated with."""
    cfg = result.study.config
    return (
        result.panel.demo is not None
        and cfg.treatment.roster == "bigdata"
        and cfg.treatment.post == "adoption"
    )


def _pair(name: str, where: str, fit: FeolsResult, term: str, true: float) -> TrueEffect:
    from pilotdid.study.pipeline import TrueEffect

    return TrueEffect(name, where, float(fit.coef()[term]), float(fit.se()[term]), float(true))


def compare_with_truth(result: StudyResult) -> list[TrueEffect]:
    """Pair every estimate of a demo-panel effect with its true value.

    Returns
    -------
    list of TrueEffect
        Empty unless the data are the demo panel and the treatment matches its simulation.
    """
    if not comparable_with_truth(result) or result.panel.demo is None:
        return []
    truth = dict(result.panel.demo.true_effects)
    cfg = result.study.config
    did = cfg.treatment.names.did
    out = []
    if cfg.model.outcome in truth:
        where = f"Table 3 ({result.baseline.main_column}), {did}"
        out.append(_pair(cfg.model.outcome, where, result.main, did, truth[cfg.model.outcome]))
    for stage in (result.mechanisms, result.moderation):
        if stage is not None:
            out.extend(stage.true_effects(truth, did))
    return out
