"""The staggered-adoption stage: cohorts, Goodman-Bacon and the robust estimators next to TWFE.

Cohort sizes, the Goodman-Bacon decomposition and the heterogeneity-robust estimators
(Callaway-Sant'Anna, Sun-Abraham, imputation) on the analysis sample.

It runs on the PSM-DID analysis sample after the event study, when ``[staggered]`` asks for it
(``enabled = "auto"``: when the sample has more than one adoption cohort). An estimator that
cannot run on the design is recorded with its message in :attr:`StaggeredStage.failed`, never a
crash; the stage always says which estimators ran.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pilotdid.errors import PilotdidError
from pilotdid.study.config import StudyConfig
from pilotdid.study.prepare import DropRecord

if TYPE_CHECKING:
    from pilotdid.did.att_gt_result import AttGtAggregate, AttGtResult
    from pilotdid.did.bacon_result import BaconResult
    from pilotdid.did.compare import DynamicComparison
    from pilotdid.did.dynamic import DynamicEffects
    from pilotdid.did.event_study_result import EventStudyResult
    from pilotdid.did.imputation_result import ImputationResult
    from pilotdid.did.sun_abraham_result import SunAbrahamResult
    from pilotdid.study.stages import BaselineStage, MatchingStage
    from pilotdid.tables.table import Table

__all__ = [
    "ESTIMATOR_NAMES",
    "StaggeredStage",
    "cohort_sizes",
    "refit",
    "run_staggered",
    "staggered_on",
    "staggered_plan",
]

#: Short names of the robust estimators (legend, compare table), by study-file key.
ESTIMATOR_NAMES = {"cs": "CS", "sa": "SA", "bjs": "BJS"}


@dataclass(frozen=True, eq=False)
class StaggeredStage:
    """Staggered adoption on the analysis sample: cohorts, Bacon, CS, SA, BJS and TWFE.

    Attributes
    ----------
    cohorts : pandas.Series
        Units by adoption period (index; ``inf`` = never treated within the sample), increasing.
    bacon : BaconResult or None
        The Goodman-Bacon decomposition of the TWFE DID without controls.
    bacon_units : int
        Units of the panel it was computed on (all units, or the balanced sub-panel's).
    bacon_note : str
        Why it is missing, or that it was computed on the balanced sub-panel ("" otherwise).
    cs, cs_simple, cs_dynamic : AttGtResult, AttGtAggregate or None
        Callaway-Sant'Anna: every ATT(g,t), the simple overall ATT and the event-time
        aggregation.
    sa : SunAbrahamResult or None
    bjs : ImputationResult or None
    comparison : DynamicComparison or None
        TWFE (the event study, when it ran) and the robust estimators' dynamic effects inside
        the event-study window.
    overall : pandas.DataFrame
        One row per estimator (``twfe_1``, ``twfe_main``, ``cs``, ``sa``, ``bjs``): estimate,
        std_error, p_value, conf_low, conf_high (95 %), nobs, units (NaN where not defined).
    failed : mapping of str to str
        Estimator key -> the message of the error that stopped it.
    notes : tuple of str
        What the reader should know (units dropped, balancing, options).
    drops : tuple of DropRecord
        Rows left out of the robust estimators, by cause.
    tables : mapping of str to Table
        ``staggered_att``, ``staggered_dynamic`` and ``bacon`` (those that could be built).
    """

    cohorts: pd.Series
    bacon: BaconResult | None
    bacon_units: int
    bacon_note: str
    cs: AttGtResult | None
    cs_simple: AttGtAggregate | None
    cs_dynamic: AttGtAggregate | None
    sa: SunAbrahamResult | None
    bjs: ImputationResult | None
    comparison: DynamicComparison | None
    overall: pd.DataFrame
    failed: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    drops: tuple[DropRecord, ...] = ()
    tables: Mapping[str, Table] = field(default_factory=dict)

    @property
    def ran(self) -> tuple[str, ...]:
        """Keys of the robust estimators that ran (``"cs"``, ``"sa"``, ``"bjs"``)."""
        done = {"cs": self.cs_simple, "sa": self.sa, "bjs": self.bjs}
        return tuple(k for k, v in done.items() if v is not None)

    @property
    def n_never(self) -> int:
        """Never-treated units in the analysis sample."""
        return int(self.cohorts[np.isinf(self.cohorts.index.to_numpy(dtype=float))].sum())


def cohort_sizes(data: pd.DataFrame, *, unit: str, cohort: str, time: str) -> pd.Series:
    """Units by adoption period (``inf`` for never treated), sorted by period."""
    from pilotdid.panel.adoption import adoption_cohorts

    per_unit = adoption_cohorts(data, unit, cohort, time=time).per_unit
    values = np.where(np.isnan(per_unit), np.inf, per_unit)
    out = pd.Series(values).value_counts().sort_index()
    out.index.name, out.name = "cohort", "units"
    return out


def staggered_on(cfg: StudyConfig, matching: MatchingStage) -> bool:
    """Whether the stage runs: ``enabled = true``, or "auto" with more than one cohort."""
    enabled = cfg.staggered.enabled
    if enabled != "auto":
        return bool(enabled)
    from pilotdid.study.stages import sample_design

    try:
        design = sample_design(cfg, matching)  # computed once with the baseline stage's warning
    except PilotdidError:  # a cohort column the stages that read it will name
        return False
    return design.is_staggered


def _first_period(frame: pd.DataFrame, time: str) -> float:
    return float(pd.to_numeric(frame[time], errors="coerce").min())


def always_treated(cfg: StudyConfig, frame: pd.DataFrame) -> pd.Series:
    """Units by cohort among those adopting at or before the sample's first period."""
    sizes = cohort_sizes(frame, unit=cfg.unit, cohort=cfg.treatment.names.cohort, time=cfg.time)
    first = _first_period(frame, cfg.time)
    return sizes[sizes.index.to_numpy(dtype=float) <= first]


def _period(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _without_always_treated(cfg: StudyConfig, frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Drop units without a pre-period (every robust estimator needs one); say which."""
    early = always_treated(cfg, frame)
    if early.empty:
        return frame, ""
    cohort = pd.to_numeric(frame[cfg.treatment.names.cohort], errors="coerce")
    drop = cohort.isin(early.index).to_numpy()
    pairs = zip(early.index.to_numpy(dtype=float), early.to_numpy(), strict=True)
    listed = ", ".join(f"{_period(g)} ({int(n):,} units)" for g, n in pairs)
    note = (
        f"cohort(s) {listed} adopt at or before the first period "
        f"{_period(_first_period(frame, cfg.time))} and have no pre-period: their "
        f"{int(drop.sum()):,} rows are left out of CS, SA and BJS"
    )
    return frame.loc[~drop], note


def staggered_plan(cfg: StudyConfig, matching: MatchingStage) -> list[str]:
    """Say what the staggered stage will do on the sample, for ``pilotdid validate`` (one line each)."""
    sc = cfg.staggered
    if not staggered_on(cfg, matching):
        why = "staggered.enabled = false" if sc.enabled is False else "adoption is not staggered"
        return [f"staggered: not run ({why})"]
    names = ", ".join(ESTIMATOR_NAMES[k] for k in sc.estimators) or "no estimator"
    out = [
        f"staggered: {names} will run on the analysis sample, with the Goodman-Bacon decomposition"
    ]
    try:
        _, note = _without_always_treated(cfg, matching.sample)
    except PilotdidError:
        return out
    return out + ([f"staggered: {note}"] if note else [])


def _bacon(cfg: StudyConfig, frame: pd.DataFrame) -> tuple[BaconResult | None, int, str]:
    """Decompose on the sample, else on its balanced sub-panel, else say why not."""
    from pilotdid.did.bacon import bacon

    y, unit, time = cfg.model.outcome, cfg.unit, cfg.time
    kw: dict[str, Any] = dict(unit=unit, time=time, cohort=cfg.treatment.names.cohort)
    try:
        result = bacon(frame, y, **kw)
        return result, result.n_units, ""
    except PilotdidError as exc:
        first_error = str(exc)
    rows = frame.loc[frame[y].notna()]
    n_periods = rows[time].nunique()
    full = rows.groupby(unit, sort=False)[time].transform("nunique") == n_periods
    sub = rows.loc[full.to_numpy()]
    units, total = sub[unit].nunique(), frame[unit].nunique()
    try:
        result = bacon(sub, y, **kw)
    except PilotdidError as exc:
        return None, 0, f"{first_error}; on the balanced sub-panel ({units:,} units): {exc}"
    note = (
        f"the panel is unbalanced, so the decomposition is computed on its balanced sub-panel: "
        f"the {units:,} of {total:,} units observed in all {n_periods} periods (TWFE there "
        f"{result.twfe:.4g})"
    )
    return result, units, note


def _shifted(cfg: StudyConfig, frame: pd.DataFrame, by: int) -> pd.DataFrame:
    if not by:
        return frame
    cohort = cfg.treatment.names.cohort
    return frame.assign(**{cohort: pd.to_numeric(frame[cohort], errors="coerce") - by})


def _run(
    cfg: StudyConfig,
    matching: MatchingStage,
    frame: pd.DataFrame,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Run each robust estimator asked for; an error is recorded, not raised.

    ``overrides`` (estimator key -> options) re-runs only the estimators it names, with those
    options changed (the sensitivity stage's CS with a universal base period, BJS with every
    lead).
    """
    from pilotdid.did.att_gt import att_gt
    from pilotdid.did.imputation import did_imputation
    from pilotdid.did.sun_abraham import sun_abraham
    from pilotdid.study.stages import vcov_spec

    sc, y = cfg.staggered, cfg.model.outcome
    controls = list(cfg.model.controls) if sc.controls else []
    kw: dict[str, Any] = dict(unit=cfg.unit, time=cfg.time, cohort=cfg.treatment.names.cohort)
    clustered = cfg.model.vcov == "cluster"
    cluster = cfg.model.cluster if clustered and cfg.model.cluster != cfg.unit else None
    w = matching.weights
    out: dict[str, Any] = {"failed": {}}
    lo = cfg.event_study.window[0]

    def cs() -> None:
        options = dict(covariates=controls, control_group=sc.control_group, method=sc.method,
                       anticipation=sc.anticipation, cluster=cluster, weights=w,
                       bootstrap=sc.bootstrap, seed=cfg.seed_for("staggered"))  # fmt: skip
        res = att_gt(frame, y, **kw, **{**options, **changed.get("cs", {})})
        out["cs"], out["cs_simple"] = res, res.aggregate("simple")
        out["cs_dynamic"] = res.aggregate("dynamic")

    def sa() -> None:
        out["sa"] = sun_abraham(
            frame, y, **kw, controls=controls, ref=-1 - sc.anticipation,
            control_cohort="never" if sc.control_group == "never" else "last",
            fixef=cfg.model.fixed_effects, vcov=vcov_spec(cfg), weights=w,
        )  # fmt: skip

    def bjs() -> None:
        shifted = _shifted(cfg, frame, sc.anticipation)
        options = dict(controls=controls, fixef=cfg.model.fixed_effects, pretrends=max(1, -lo),
                       weights=w, cluster=cluster or cfg.unit)  # fmt: skip
        out["bjs"] = did_imputation(shifted, y, **kw, **{**options, **changed.get("bjs", {})})

    changed = overrides or {}
    for key, work in (("cs", cs), ("sa", sa), ("bjs", bjs)):
        if key not in sc.estimators or (overrides is not None and key not in overrides):
            continue
        try:
            work()
        except PilotdidError as exc:
            out["failed"][key] = str(exc)
    return out


def _in_window(effects: DynamicEffects, lo: int, hi: int, shift: int = 0) -> DynamicEffects:
    from dataclasses import replace

    if shift:
        effects = replace(effects, periods=np.asarray(effects.periods) - shift)
    periods = np.asarray(effects.periods)
    return effects.subset(periods[(periods >= lo) & (periods <= hi)])


def _comparison(cfg: StudyConfig, event: EventStudyResult | None, found: Mapping[str, Any]) -> Any:
    from pilotdid.did.compare import compare_dynamic

    lo, hi = cfg.event_study.window
    items: dict[str, DynamicEffects] = {}
    if event is not None:
        items["TWFE"] = event.dynamic()
    sources = {"cs": found.get("cs_dynamic"), "sa": found.get("sa"), "bjs": found.get("bjs")}
    for key, res in sources.items():
        if res is not None:
            shift = cfg.staggered.anticipation if key == "bjs" else 0
            effects = _in_window(res.dynamic(), lo, hi, shift)
            if len(effects.periods):
                items[ESTIMATOR_NAMES[key]] = effects
    return compare_dynamic(items) if items else None


def _row(est: float, se: float, df: float, nobs: float, units: float) -> dict[str, float]:
    from scipy import stats

    t = est / se if se > 0 else np.nan
    q = float(stats.t.ppf(0.975, df))
    return {"estimate": est, "std_error": se, "p_value": float(2 * stats.t.sf(abs(t), df)),
            "conf_low": est - q * se, "conf_high": est + q * se, "nobs": nobs, "units": units}  # fmt: skip


def _units(fit: Any, unit: str) -> float:
    return float(fit.n_clusters.get(unit, np.nan))


def overall_frame(
    cfg: StudyConfig, baseline: BaselineStage, found: Mapping[str, Any]
) -> pd.DataFrame:
    """Return the overall ATT of each estimator (rows ``twfe_1``, ``twfe_main``, ``cs``, ``sa``, ``bjs``)."""
    did, rows = cfg.treatment.names.did, {}
    first = next(iter(baseline.models.values()))
    columns = {"twfe_1": first, "twfe_main": baseline.main}
    if baseline.main_column == 1:
        columns.pop("twfe_main")
    for key, fit in columns.items():
        b, se = float(fit.coef()[did]), float(fit.se()[did])
        rows[key] = _row(b, se, float(fit.df_t), fit.nobs, _units(fit, cfg.unit))
    inf = float("inf")
    if found.get("cs_simple") is not None:
        cs, agg = found["cs"], found["cs_simple"]
        n = cs.n_units
        rows["cs"] = _row(agg.overall_estimate, agg.overall_se, inf, n * cs.n_periods, n)
    if found.get("sa") is not None:
        sa = found["sa"]
        rows["sa"] = _row(
            sa.att, sa.att_se, float(sa.fit.df_t), sa.fit.nobs, _units(sa.fit, cfg.unit)
        )
    if found.get("bjs") is not None:
        bjs = found["bjs"]
        units = bjs.n_clusters if bjs.cluster == cfg.unit else np.nan
        rows["bjs"] = _row(bjs.att, bjs.att_se, inf, bjs.n_treated + bjs.n_untreated, units)
    return pd.DataFrame.from_dict(rows, orient="index")


def _notes(cfg: StudyConfig, found: Mapping[str, Any], dropped_note: str) -> list[str]:
    sc, out = cfg.staggered, []
    if dropped_note:
        out.append(dropped_note)
    for key in ("cs", "sa", "bjs"):
        res = found.get(key)
        for note in getattr(res, "notes", ()) if res is not None else ():
            out.append(f"{ESTIMATOR_NAMES[key]}: {note}")
    if sc.anticipation and found.get("bjs") is not None:
        out.append(
            f"BJS: anticipation = {sc.anticipation}: the {sc.anticipation} period(s) before "
            "adoption are left out of the untreated-outcome model and counted as treated, so "
            "its overall ATT averages them in"
        )
    for key, message in found["failed"].items():
        out.append(f"{ESTIMATOR_NAMES[key]} did not run: {message}")
    return out


def _drops(
    cfg: StudyConfig, frame: pd.DataFrame, removed: int, found: Mapping[str, Any]
) -> list[DropRecord]:
    out = []
    if removed:
        out.append(DropRecord("staggered", "cohorts without a pre-period (CS, SA, BJS)", removed))
    cs = found.get("cs")
    if cs is not None:
        rest = len(frame) - cs.n_units * cs.n_periods
        if rest:
            cause = "CS: rows of units not observed in every period or with missing values"
            out.append(DropRecord("staggered", cause, int(rest)))
    for key in ("sa", "bjs"):
        res = found.get(key)
        for cause, n in (getattr(res, "dropped", {}) or {}).items() if res is not None else ():
            if n:
                out.append(DropRecord("staggered", f"{ESTIMATOR_NAMES[key]}: {cause}", int(n)))
    return out


def run_staggered(
    cfg: StudyConfig,
    matching: MatchingStage,
    baseline: BaselineStage,
    event: EventStudyResult | None,
) -> StaggeredStage | None:
    """Cohorts, the Bacon decomposition, CS, SA and BJS on the PSM-DID sample (``[staggered]``).

    Parameters
    ----------
    cfg : StudyConfig
        The validated study file.
    matching : MatchingStage
        Its ``sample`` is the analysis sample.
    baseline : BaselineStage
        Table 3 (the TWFE estimates the robust ones are set against).
    event : EventStudyResult or None
        The TWFE event study, drawn with the robust estimators when it ran.

    Returns
    -------
    StaggeredStage or None
        None when ``staggered.enabled = false``, or "auto" and adoption is not staggered.

    Notes
    -----
    Cost: the Bacon decomposition is O(n) (2 × 2 timing sums per cohort pair, computed once;
    the "auto" switch reuses the baseline stage's design); Callaway–Sant'Anna O(G T n_g k²)
    for G cohorts and T periods plus the multiplier bootstrap, O(B N) in blocks of draws;
    Sun–Abraham one within regression with G × L interactions, O(n (G L + k)²); BJS one
    untreated-rows fit and an O(n) imputation. Memory O(n (G L + k)), never rows × draws.
    """
    if not staggered_on(cfg, matching):
        return None
    from pilotdid.study.staggered_tables import staggered_tables

    sample = matching.sample
    names = cfg.treatment.names
    cohorts = cohort_sizes(sample, unit=cfg.unit, cohort=names.cohort, time=cfg.time)
    frame, dropped_note = _without_always_treated(cfg, sample)
    bacon, bacon_units, bacon_note = _bacon(cfg, sample)
    found = _run(cfg, matching, frame)
    comparison = _comparison(cfg, event, found)
    overall = overall_frame(cfg, baseline, found)
    stage = StaggeredStage(
        cohorts=cohorts, bacon=bacon, bacon_units=bacon_units, bacon_note=bacon_note,
        cs=found.get("cs"), cs_simple=found.get("cs_simple"), cs_dynamic=found.get("cs_dynamic"),
        sa=found.get("sa"), bjs=found.get("bjs"), comparison=comparison, overall=overall,
        failed=dict(found["failed"]), notes=tuple(_notes(cfg, found, dropped_note)),
        drops=tuple(_drops(cfg, frame, len(sample) - len(frame), found)),
    )  # fmt: skip
    return StaggeredStage(**{**stage.__dict__, "tables": staggered_tables(cfg, stage, baseline)})


def refit(
    cfg: StudyConfig, matching: MatchingStage, overrides: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Re-run some robust estimators on the stage's sample with options changed.

    Parameters
    ----------
    cfg : StudyConfig
        The study.
    matching : MatchingStage
        Its sample (cohorts without a pre-period are left out, as in the stage).
    overrides : mapping
        Estimator key (``"cs"``, ``"bjs"``) -> the options to change.

    Returns
    -------
    dict
        As the stage's estimators: ``cs``, ``cs_dynamic``, ``bjs`` …, and ``failed`` (key ->
        message).
    """
    frame, _ = _without_always_treated(cfg, matching.sample)
    return _run(cfg, matching, frame, overrides)
