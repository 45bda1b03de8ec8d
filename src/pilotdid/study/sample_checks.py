"""Checks of the study file against the analysis sample, run by ``validate`` and by ``run``.

:func:`pilotdid.study.prepare.prepare_panel` checks what the raw data can tell (columns exist,
values are numeric, roster units are in the panel). Some designs only fail on the analysis
sample, after matching: a mediator, moderator or split variable that does not vary there, an
exclusion that removes every treated unit, a split group without treated units. These checks
find them before any regression, one line each with its key path, so that a study file that
passes ``pilotdid validate`` does not fail late in ``pilotdid run``.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pilotdid.errors import PilotdidError

if TYPE_CHECKING:
    from pilotdid.study.config import Study, StudyConfig
    from pilotdid.study.stages import MatchingStage

__all__ = ["check_sample", "sample_problems"]

_ROLES = (
    ("mechanisms", "mediators", "a mediator"),
    ("heterogeneity", "split_by", "a split variable"),
    ("moderation", "moderators", "a moderator"),
)


def _show(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return repr(value)


def _variation(frame: pd.DataFrame, column: str, key: str, role: str) -> str | None:
    values = pd.to_numeric(frame[column], errors="coerce")
    values = values[np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))]
    where = f"on the analysis sample ({len(frame):,} rows)"
    if values.empty:
        return f"{key}: {column!r} has no finite value {where}; remove it or fill it"
    if values.nunique() < 2:
        return (
            f"{key}: {column!r} is constant (= {_show(values.iloc[0])}) {where}, so it cannot "
            f"serve as {role}; remove it or choose a column that varies"
        )
    return None


def _split_problem(cfg: StudyConfig, frame: pd.DataFrame, by: str, key: str) -> str | None:
    """Classify the sample as the split will and check every group has treated rows."""
    from pilotdid.mechanisms.grouping import classify, first_adoption

    h, names = cfg.heterogeneity, cfg.treatment.names
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first = None
            if h.measured == "pre":
                first = first_adoption(frame, cfg.unit, cfg.time, names.cohort, names.did)
            grouping = classify(frame, by, h.rule, h.measured, cfg.unit, cfg.time, first)
    except PilotdidError as exc:
        return f"{key}: {exc}"
    treated = pd.to_numeric(frame[names.did], errors="coerce").fillna(0).to_numpy() != 0
    for g, label in enumerate(grouping.labels):
        rows = grouping.codes == g
        if not treated[rows].any():
            return (
                f"{key}: the {h.rule} split of {by!r} leaves group {label!r} ({int(rows.sum()):,} "
                f"rows) without a treated observation, so the DID cannot be estimated in it; "
                "choose another split variable"
            )
    return None


def _exclusion_problems(cfg: StudyConfig, frame: pd.DataFrame) -> list[str]:
    from pilotdid.robustness.exclusion import exclude

    out = []
    treat = cfg.treatment.names.treat
    for i, spec in enumerate(cfg.exclusions):
        key = f"exclusions[{i}]"
        try:
            sub = exclude(frame, spec.column, spec.values, unit=cfg.unit, treatment=treat)
        except PilotdidError as exc:
            out.append(f"{key}.values: {exc} (on the analysis sample)")
            continue
        kept = pd.to_numeric(sub.data[treat], errors="coerce").fillna(0)
        if not (kept != 0).any():
            out.append(
                f"{key}.values: excluding {spec.column} in {list(spec.values)} removes every "
                f"treated unit of the analysis sample ({len(sub.dropped_treated_units):,}), "
                "so the column has no DID to estimate; exclude fewer groups"
            )
        elif (kept != 0).all():
            out.append(
                f"{key}.values: excluding {spec.column} in {list(spec.values)} removes every "
                "control unit of the analysis sample; exclude fewer groups"
            )
    return out


def sample_problems(cfg: StudyConfig, matching: MatchingStage) -> list[str]:
    """Problems of the design on the analysis sample, one line each with its key path.

    Parameters
    ----------
    cfg : StudyConfig
        The validated study file.
    matching : MatchingStage
        The matching stage; its ``sample`` is the analysis sample of every regression.

    Returns
    -------
    list of str
        Empty when every later stage can be estimated on the sample.
    """
    frame = matching.sample
    out: list[str] = []
    split_ok: list[tuple[str, str]] = []
    for section, key, role in _ROLES:
        part = getattr(cfg, section)
        if not part.enabled:
            continue
        for i, name in enumerate(getattr(part, key)):
            path = f"{section}.{key}[{i}]"
            problem = _variation(frame, name, path, role)
            if problem is not None:
                out.append(problem)
            elif section == "heterogeneity":
                split_ok.append((name, path))
    for name, path in split_ok:
        problem = _split_problem(cfg, frame, name, path)
        if problem is not None:
            out.append(problem)
    return (
        out
        + _exclusion_problems(cfg, frame)
        + _design_problems(cfg, frame)
        + staggered_problems(cfg, matching)
    )


def staggered_problems(cfg: StudyConfig, matching: MatchingStage) -> list[str]:
    """Check that the robust estimators ``[staggered]`` asks for can run on the sample (cheap checks)."""
    from pilotdid.study.staggered import cohort_sizes, staggered_on

    sc = cfg.staggered
    if not staggered_on(cfg, matching):
        return []
    try:
        sizes = cohort_sizes(matching.sample, unit=cfg.unit, cohort=cfg.treatment.names.cohort,
                             time=cfg.time)  # fmt: skip
    except PilotdidError:  # a cohort column the stages that read it will name
        return []
    out = []
    never = np.isinf(sizes.index.to_numpy(dtype=float))
    need = [name for key, name in (("cs", "CS"), ("sa", "SA")) if key in sc.estimators]
    if sc.control_group == "never" and need and not never.any():
        out.append(
            f'staggered.control_group: "never" needs never-treated units, but every unit of the '
            f"analysis sample adopts the policy ({int(sizes.sum()):,} units); set "
            'control_group = "notyet" (not-yet-treated units as controls for CS, the '
            "last-treated cohort for SA) or leave "
            f"{' and '.join(need)} out of staggered.estimators"
        )
    return out


def _design_problems(cfg: StudyConfig, frame: pd.DataFrame) -> list[str]:
    """Check the event-study window and the cluster variable against the analysis sample."""
    out = []
    es = cfg.event_study
    if es.enabled:
        period = pd.to_numeric(frame[cfg.time], errors="coerce")
        cohort = pd.to_numeric(frame[cfg.treatment.names.cohort], errors="coerce")
        rel = (period - cohort).dropna()
        lo, hi = es.window
        if not rel.empty and (lo < rel.min() or hi > rel.max()):
            first, last = int(rel.min()), int(rel.max())
            out.append(
                f"event_study.window: {list(es.window)} is wider than the data: treated units of "
                f"the analysis sample are observed from {first} to {last} periods relative to "
                f"adoption; choose a window inside [{first}, {last}]"
            )
    if cfg.model.vcov == "cluster":
        column = cfg.model.cluster or cfg.unit
        values = frame[column].dropna().unique()
        if len(values) < 2:
            key = "model.cluster" if cfg.model.cluster else "data.unit"
            shown = f" ({_show(values[0])})" if len(values) else ""
            out.append(
                f"{key}: {column!r} has a single value{shown} on the analysis sample "
                f"({len(frame):,} rows), and clustered standard errors need at least two "
                'clusters; cluster by another column or set model.vcov = "hetero"'
            )
    return out


def check_sample(study: Study, matching: MatchingStage) -> None:
    """Raise :class:`~pilotdid.errors.StudyFileError` listing :func:`sample_problems`, if any."""
    from pilotdid.study.config_messages import study_error

    problems = sample_problems(study.config, matching)
    if problems:
        raise study_error(study.name, problems)
