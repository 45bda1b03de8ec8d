"""The ``[spec_curve]`` stage: the headline DID under every combination of analytic choices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pilotdid.study.config import StudyConfig
from pilotdid.study.prepare import PreparedPanel
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from pilotdid.robustness.spec_curve_result import SpecCurveResult

__all__ = ["run_spec_curve", "spec_curve_choices"]


def spec_curve_choices(cfg: StudyConfig) -> dict[str, Any]:
    """Return the curve's choices: the section's lists, the study's controls/samples/cluster."""
    sc, lang = cfg.spec_curve, cfg.report.language
    if sc.controls is not None:
        controls = {k: list(v) for k, v in sc.controls.items()}
    else:
        controls = {text("spec.controls_none", lang): []}
        if cfg.model.controls:
            controls[text("spec.controls_all", lang)] = list(cfg.model.controls)
    sample: dict[str, Any] = {text("spec.sample_full", lang): None}
    if sc.exclusions:
        sample.update({e.name: (e.column, list(e.values)) for e in cfg.exclusions})
    if sc.cluster is not None:
        cluster = list(sc.cluster)
    else:
        cluster = [str(cfg.model.cluster)] if cfg.model.vcov == "cluster" else [cfg.model.vcov]
    matching = list(sc.matching) if cfg.matching.enabled else ["none"]
    return {
        "matching": matching, "mode": list(sc.mode), "controls": controls, "sample": sample,
        "estimator": list(sc.estimators), "cluster": cluster,
    }  # fmt: skip


def run_spec_curve(cfg: StudyConfig, panel: PreparedPanel) -> SpecCurveResult | None:
    """Run the specification curve on the analysis panel (None when ``[spec_curve]`` is off).

    Matching is redone for each matching choice on the whole panel, with the study's covariates
    and regression sample (``matching.sample``); each sample choice is then cut from it.
    """
    sc = cfg.spec_curve
    if not sc.enabled:
        return None
    from pilotdid.study.curve import spec_curve

    names = cfg.treatment.names
    return spec_curve(
        panel.data, cfg.model.outcome, unit=cfg.unit, time=cfg.time, cohort=names.cohort,
        treatment=names.did, choices=spec_curve_choices(cfg), covariates=cfg.covariates or None,
        fixef=cfg.model.fixed_effects, how=cfg.matching.sample, max_specs=sc.max_specs,
        seed=cfg.seed_for("spec_curve"), ssn=sc.ssn, ssn_draws=sc.ssn_draws,
    )  # fmt: skip
