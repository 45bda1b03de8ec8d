"""Cross-field checks of a schema-valid study file (no data needed), one line per problem.

The schema (:mod:`pilotdid.study.config`) checks each key alone; these checks look at keys
together: exactly one roster source, a data path unless the data are the demo, an event window
around the reference period, a caliper for radius matching, and so on. Each problem starts with
the key path to fix.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pilotdid.study.config import StudyConfig

__all__ = ["semantic_problems"]


def _check_data(cfg: StudyConfig) -> list[str]:
    data, out = cfg.data, []
    if data.source == "file":
        if data.path is None:
            out.append('data.path: required key is missing (or set data.source = "demo")')
        for key in ("unit", "time"):
            if getattr(data, key) is None:
                out.append(f"data.{key}: required key is missing (the {key} column's name)")
        if data.demo_seed is not None:
            out.append('data.demo_seed: only applies with data.source = "demo"')
    elif data.path is not None:
        out.append('data.path: not used with data.source = "demo"; remove one of them')
    if data.sheet is not None and not str(data.path or "").lower().endswith((".xlsx", ".xls")):
        out.append("data.sheet: only applies to Excel files (.xlsx/.xls)")
    if (data.lon is None) != (data.lat is None):
        missing = "lat" if data.lat is None else "lon"
        out.append(f"data.{missing}: give data.lon and data.lat together (the map's columns)")
    if data.unit is not None and data.unit == data.time:
        out.append(f"data.time: the same column as data.unit ({data.unit!r})")
    for i, f in enumerate(data.filters):
        if f.min is None and f.max is None and f.keep is None and f.drop is None:
            out.append(f"data.filters[{i}]: give at least one of min, max, keep, drop")
        if f.min is not None and f.max is not None and f.min > f.max:
            out.append(f"data.filters[{i}].max: {f.max:g} is below min = {f.min:g}")
    return out


def _check_treatment(cfg: StudyConfig) -> list[str]:
    t, out = cfg.treatment, []
    sources = t.source_keys()
    if not sources:
        out.append(
            "treatment: say who is treated with one of roster, roster_file, adoption, "
            "adoption_column or indicator"
        )
    elif len(sources) > 1:
        out.append(f"treatment.{sources[1]}: use only one of {', '.join(sources)}")
    if t.post == "adoption" and t.post_common is not None:
        out.append('treatment.post_common: only applies with post = "common"')
    names = t.names.model_dump()
    if len(set(names.values())) < len(names):
        out.append("treatment.names: the treatment columns need five different names")
    return out


def _check_design(cfg: StudyConfig) -> list[str]:
    out = []
    window = cfg.event_study.window
    if len(window) != 2:
        out.append(f"event_study.window: must be two integers [first lead, last lag], got {window}")
    elif not window[0] < 0 <= window[1]:
        out.append(f"event_study.window: needs first lead < 0 <= last lag, got {window}")
    elif not window[0] <= cfg.event_study.ref <= window[1] or cfg.event_study.ref >= 0:
        out.append(f"event_study.ref: must be a lead inside the window {window}")
    m = cfg.matching
    if m.enabled and m.method == "radius" and m.caliper is None:
        out.append('matching.caliper: method = "radius" needs a caliper (the radius)')
    if m.enabled and m.method != "nearest" and not m.replace:
        out.append('matching.replace: false is only available with method = "nearest"')
    if m.enabled and not cfg.covariates:
        out.append("matching.covariates: nothing to match on; list covariates or model.controls")
    names = [e.name for e in cfg.exclusions]
    for i, e in enumerate(cfg.exclusions):
        if not e.values:
            out.append(f"exclusions[{i}].values: list at least one value to exclude")
        if names.count(e.name) > 1 and names.index(e.name) != i:
            out.append(f"exclusions[{i}].name: {e.name!r} is used twice; names label columns")
    for key in ("formats", "figures"):
        values = getattr(cfg.report, key)
        if len(set(values)) < len(values):
            out.append(f"report.{key}: lists a format twice")
    if "dta" in cfg.report.formats and importlib.util.find_spec("pyreadstat") is None:
        out.append(
            'report.formats: "dta" (Stata files) needs the pyreadstat package; '
            "install it with pip install 'pilotdid[stata]' or remove \"dta\""
        )
    est = cfg.staggered.estimators
    if len(set(est)) < len(est):
        out.append("staggered.estimators: lists an estimator twice")
    if cfg.staggered.enabled is True and not est:
        out.append(
            'staggered.estimators: list at least one of "cs", "sa", "bjs" (or set enabled = false)'
        )
    if 0 < cfg.staggered.bootstrap < 100:
        out.append(
            "staggered.bootstrap: the uniform bands need at least 100 draws; set 0 (analytic "
            f"standard errors only) or 100 or more, got {cfg.staggered.bootstrap}"
        )
    if cfg.model.outcome in cfg.model.controls:
        out.append(f"model.controls: contains the outcome {cfg.model.outcome!r}")
    return out


def semantic_problems(cfg: StudyConfig) -> list[str]:
    """Cross-field problems of a schema-valid config, one line each with its key path."""
    from pilotdid.study.config_model_checks import model_problems

    return [*_check_data(cfg), *_check_treatment(cfg), *_check_design(cfg), *model_problems(cfg)]
