"""pilotdid: PSM-DID evaluation of place-based pilot policies on panel data.

Importing the package is cheap: the public names below are loaded on first use, so
``import pilotdid`` does not import pandas, matplotlib or any estimator.

Examples
--------
>>> import pilotdid as pdid
>>> "feols" in pdid.__all__
True
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it (loaded lazily by __getattr__)
_EXPORTS: dict[str, str] = {
    # errors
    "PilotdidError": "pilotdid.errors",
    "StudyFileError": "pilotdid.errors",
    "PanelError": "pilotdid.errors",
    "MatchingError": "pilotdid.errors",
    "EstimationError": "pilotdid.errors",
    "PilotdidWarning": "pilotdid.errors",
    "StaggeredAdoptionWarning": "pilotdid.errors",
    # panel: loading, checking, treatment assignment
    "load_panel": "pilotdid.panel.load",
    "check_panel": "pilotdid.panel.validate",
    "ValidationReport": "pilotdid.panel.validate",
    "assign_treatment": "pilotdid.panel.treatment",
    "TreatmentAssignment": "pilotdid.panel.treatment",
    "adoption_from_indicator": "pilotdid.panel.indicator",
    # matching
    "match": "pilotdid.matching.api",
    "MatchResult": "pilotdid.matching.result",
    "matching_effect": "pilotdid.matching.effect",
    "MatchEffect": "pilotdid.matching.effect_result",
    "BootstrapMatchingWarning": "pilotdid.matching.effect_result",
    "fit_propensity": "pilotdid.matching.propensity",
    "PropensityFit": "pilotdid.matching.propensity",
    # results protocol
    "ModelSummary": "pilotdid.estimation.summary",
    # estimation core
    "feols": "pilotdid.estimation.feols",
    "FeolsResult": "pilotdid.estimation.result",
    "WildBootstrapResult": "pilotdid.estimation.wild_result",
    "demean": "pilotdid.estimation.demean",
    "demean_frame": "pilotdid.estimation.demean",
    "make_absorber": "pilotdid.estimation.demean",
    # robustness battery
    "placebo": "pilotdid.robustness.placebo",
    "PlaceboResult": "pilotdid.robustness.placebo_result",
    "honest_did": "pilotdid.robustness.honest_did",
    "HonestDidResult": "pilotdid.robustness.honest_result",
    "pretrend_power": "pilotdid.robustness.pretrend_power",
    "PretrendPower": "pilotdid.robustness.pretrend_power",
    "event_study": "pilotdid.did.event_study",
    "EventStudyResult": "pilotdid.did.event_study_result",
    # staggered adoption: Callaway-Sant'Anna
    "att_gt": "pilotdid.did.att_gt",
    "AttGtResult": "pilotdid.did.att_gt_result",
    "AttGtAggregate": "pilotdid.did.cs_aggregate_result",
    # staggered adoption: the Goodman-Bacon decomposition, dynamic estimators side by side
    "bacon": "pilotdid.did.bacon",
    "BaconResult": "pilotdid.did.bacon_result",
    "compare_dynamic": "pilotdid.did.compare",
    "DynamicComparison": "pilotdid.did.compare",
    # heterogeneity-robust staggered DID: Sun-Abraham, imputation (Borusyak-Jaravel-Spiess)
    "sun_abraham": "pilotdid.did.sun_abraham",
    "SunAbrahamResult": "pilotdid.did.sun_abraham_result",
    "did_imputation": "pilotdid.did.imputation",
    "ImputationResult": "pilotdid.did.imputation_result",
    "exclude": "pilotdid.robustness.exclusion",
    "spec_curve": "pilotdid.study.curve",
    "SpecCurveResult": "pilotdid.robustness.spec_curve_result",
    "Exclusion": "pilotdid.robustness.exclusion",
    # mechanisms: mediation (Table 4 cols 1-2), heterogeneity (cols 3-6), moderation (Table 5)
    "mechanism": "pilotdid.mechanisms.mediation",
    "MechanismResult": "pilotdid.mechanisms.mechanism_result",
    "heterogeneity": "pilotdid.mechanisms.heterogeneity",
    "HeterogeneityResult": "pilotdid.mechanisms.heterogeneity_result",
    "PermutationTest": "pilotdid.mechanisms.heterogeneity_result",
    "moderation": "pilotdid.mechanisms.moderation",
    "ModerationResult": "pilotdid.mechanisms.moderation_result",
    # tables: descriptive, correlation, regression; the Table value and its writers
    "describe": "pilotdid.descriptives.descriptive",
    "correlation": "pilotdid.descriptives.correlation",
    "vif": "pilotdid.descriptives.correlation",
    "pilot_map": "pilotdid.descriptives.pilot_map",
    "etable": "pilotdid.tables.etable",
    "Table": "pilotdid.tables.table",
    "save_tables": "pilotdid.tables.table",
    "Labels": "pilotdid.tables.labels",
    # the main job: a study file in, the whole paper out
    "load_study": "pilotdid.study.config",
    "run_study": "pilotdid.study.pipeline",
    "StudyResult": "pilotdid.study.pipeline",
    "run_many": "pilotdid.study.many",
}

# submodules reachable as attributes without their own import (``pilotdid.datasets.demo_panel()``)
_SUBMODULES: frozenset[str] = frozenset({"datasets", "figures", "measures"})

__all__ = sorted([*_EXPORTS, *_SUBMODULES])


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"pilotdid.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pilotdid' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
