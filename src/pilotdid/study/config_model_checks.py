"""Cross-field checks of the ``[model]`` keys added for richer studies (no data needed).

``model.outcomes`` (several outcomes), ``model.weights`` (analytic weights),
``model.fixed_effects`` entries such as ``"province^year"`` (interacted fixed effects) and
``treatment.indicator`` (adoption read from a 0/1 column). Each problem starts with its key path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pilotdid.estimation.formula import fixef_parts

if TYPE_CHECKING:
    from pilotdid.study.config_schema import StudyConfig

__all__ = ["model_problems"]


def _outcome_problems(cfg: StudyConfig) -> list[str]:
    m, out = cfg.model, list[str]()
    if m.outcomes is None:
        return out
    if not m.outcomes:
        out.append("model.outcomes: list at least one outcome column (or use model.outcome)")
        return out
    if m.outcome and m.outcome != m.outcomes[0]:
        out.append(
            f"model.outcome: {m.outcome!r} is not the first of model.outcomes {m.outcomes}; "
            "give one of the two keys (the first of model.outcomes is the headline outcome)"
        )
    twice = sorted({y for y in m.outcomes if m.outcomes.count(y) > 1})
    if twice:
        out.append(f"model.outcomes: lists {', '.join(repr(y) for y in twice)} twice")
    for y in m.outcomes[1:]:
        if y in m.controls:
            out.append(f"model.controls: contains the outcome {y!r} (of model.outcomes)")
    return out


def _weights_problems(cfg: StudyConfig) -> list[str]:
    w = cfg.model.weights
    if w is None:
        return []
    if not w.strip():
        return ["model.weights: give the weight column's name (or remove the key)"]
    roles = [
        ("data.unit", cfg.data.unit),
        ("data.time", cfg.data.time),
        *(("model.outcomes" if cfg.model.outcomes else "model.outcome", y)
          for y in cfg.model.outcome_list),
        *(("model.controls", c) for c in cfg.model.controls),
    ]  # fmt: skip
    return [
        f"model.weights: {w!r} is also {key}; weights need a column of their own"
        for key, name in roles
        if name == w
    ][:1]


def _fixef_problems(cfg: StudyConfig) -> list[str]:
    out = []
    entries = cfg.model.fixed_effects or []
    for i, entry in enumerate(entries):
        parts = fixef_parts(entry)
        if any(not p for p in parts):
            out.append(
                f"model.fixed_effects[{i}]: {entry!r} has an empty name; write columns joined "
                'by ^ (e.g. "province^year")'
            )
        elif len(set(parts)) < len(parts):
            out.append(f"model.fixed_effects[{i}]: {entry!r} interacts a column with itself")
    normal = [tuple(sorted(fixef_parts(e))) for e in entries]
    for i, key in enumerate(normal):
        if normal.index(key) != i:
            out.append(f"model.fixed_effects[{i}]: {entries[i]!r} is listed twice")
    return out


def _indicator_problems(cfg: StudyConfig) -> list[str]:
    t = cfg.treatment
    if t.allow_switch_off and t.indicator is None:
        return ["treatment.allow_switch_off: only applies with treatment.indicator"]
    if t.indicator is not None and t.indicator in (cfg.data.unit, cfg.data.time):
        return [f"treatment.indicator: {t.indicator!r} is the unit or period column"]
    return []


def model_problems(cfg: StudyConfig) -> list[str]:
    """Problems of ``model.outcomes``, ``model.weights``, interacted fixed effects, the indicator."""
    return [
        *_outcome_problems(cfg),
        *_weights_problems(cfg),
        *_fixef_problems(cfg),
        *_indicator_problems(cfg),
    ]
