"""The stages of a study, each one function from the prepared panel to result objects.

The pipeline (:mod:`pilotdid.study.pipeline`) calls them in the paper's order and keeps what they
return; none of them writes files. Regressions follow the study file's ``[model]`` section
(fixest syntax ``y ~ did + controls | unit + year``, clustered by ``model.cluster``).
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pilotdid.errors import PilotdidError, PilotdidWarning, StaggeredAdoptionWarning
from pilotdid.estimation.formula import build_formula, cluster_argument
from pilotdid.study.config import StudyConfig
from pilotdid.study.inference import WildColumn, wild_columns, wild_notes
from pilotdid.study.model_spec import fixef_terms, regression_weights
from pilotdid.study.prepare import DropRecord, PreparedPanel
from pilotdid.tables.labels import Labels
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from pilotdid.did.event_study_result import EventStudyResult
    from pilotdid.did.staggered import StaggeredDesign
    from pilotdid.estimation.result import FeolsResult
    from pilotdid.matching.balance import BalanceTable
    from pilotdid.matching.effect_result import MatchEffect
    from pilotdid.matching.result import MatchResult
    from pilotdid.robustness.exclusion import Exclusion
    from pilotdid.robustness.placebo_result import PlaceboResult
    from pilotdid.tables.table import Table

__all__ = [
    "BaselineStage",
    "DescriptiveStage",
    "MatchingStage",
    "baseline_models",
    "descriptive_stage",
    "event_table",
    "fit_drops",
    "formula",
    "make_labels",
    "run_event_study",
    "run_matching",
    "run_placebo",
    "sample_design",
    "staggered_note",
    "vcov_spec",
]


def make_labels(cfg: StudyConfig) -> Labels:
    """Return the study's label dictionary in the report language."""
    lab = cfg.report.labels
    return Labels(en=dict(lab.en), zh=dict(lab.zh), language=cfg.report.language)


def vcov_spec(cfg: StudyConfig) -> Any:
    """Return the variance argument of :func:`pilotdid.feols` for ``model.vcov``."""
    if cfg.model.vcov == "cluster":
        return cluster_argument([str(cfg.model.cluster)])
    return cfg.model.vcov


def formula(cfg: StudyConfig, outcome: str, rhs: list[str]) -> str:
    """``outcome ~ rhs | fixed effects`` in fixest syntax (every name quoted: names are not code)."""
    return build_formula(outcome, rhs, fixef_terms(cfg))


@dataclass(frozen=True, eq=False)
class DescriptiveStage:
    """Tables 1 and 2 and the VIF table, with the numbers the report reads from them.

    Attributes
    ----------
    tables : mapping of str to Table
        ``table1``, ``table2`` and (with at least two regressors) ``vif``.
    summary : pandas.DataFrame
        Table 1's numbers: one row per variable (outcome, treat, controls), columns ``count``,
        ``mean``, ``std``, ``min``, ``max`` (each variable over its non-missing rows).
    correlation : pandas.DataFrame
        Table 2's Pearson correlations among the regressors (DID, controls), listwise.
    vif : pandas.Series
        Variance inflation factor of each regressor (empty with fewer than two), listwise.
    """

    tables: Mapping[str, Table]
    summary: pd.DataFrame
    correlation: pd.DataFrame
    vif: pd.Series


def descriptive_stage(cfg: StudyConfig, panel: PreparedPanel) -> DescriptiveStage:
    """Table 1 (descriptive statistics), Table 2 (correlations) and the VIF table.

    Cost: O(n k) time for the statistics and O(n k²) for the correlations and the VIFs (one
    k × k Gram matrix, not k regressions); O(n k) memory (the numeric columns once). n rows,
    k variables.
    """
    from pilotdid.descriptives._common import numeric_columns
    from pilotdid.descriptives.correlation import correlation, correlation_matrix, vif, vif_values
    from pilotdid.descriptives.descriptive import describe, summary_stats

    lang, labels = cfg.report.language, make_labels(cfg)
    names = cfg.treatment.names
    variables = [*cfg.model.outcome_list, names.treat, *cfg.model.controls]
    table1 = describe(
        panel.data, variables, labels=labels, language=lang, title=text("table1", lang)
    )
    out = {"table1": table1}
    regressors = [names.did, *cfg.model.controls]
    out["table2"] = correlation(
        panel.data, regressors, labels=labels, language=lang, title=text("table2", lang)
    )
    if len(regressors) >= 2:
        out["vif"] = vif(
            panel.data, regressors, labels=labels, language=lang, title=text("vif", lang)
        )
    stats = ["count", "mean", "std", "min", "max"]
    x = numeric_columns(panel.data, variables, "describe")
    summary = pd.DataFrame(
        [summary_stats(x[:, j], stats) for j in range(len(variables))],
        index=variables,
        columns=stats,
    )
    xr = numeric_columns(panel.data, regressors, "correlation")
    xr = xr[~np.isnan(xr).any(axis=1)]  # listwise, as Table 2 and the VIF table
    corr = pd.DataFrame(correlation_matrix(xr).r, index=regressors, columns=regressors)
    wide = len(regressors) >= 2  # a VIF regresses each regressor on the others
    factors = pd.Series(
        vif_values(xr) if wide else [], index=regressors if wide else [], dtype=float
    )
    return DescriptiveStage(out, summary, corr, factors)


@dataclass(frozen=True, eq=False)
class MatchingStage:
    """Matching, its balance diagnostics and the PSM-DID estimation sample.

    Attributes
    ----------
    result : MatchResult or None
        None when ``matching.enabled = false``.
    balance : BalanceTable or None
    sample : pandas.DataFrame
        The rows every later regression uses.
    weights : str or None
        The analytic weights of every regression: ``model.weights``, ``"_weight"`` when
        ``matching.sample = "weights"``, or their product (``"_weight_x_model"``) when both.
    drops : tuple of DropRecord
        Rows of the panel left out of the sample, by cause.
    notes : tuple of str
        Warnings raised while matching.
    effect : MatchEffect or None
        The matching estimate of the ATT of the outcome with the ``matching.se`` standard error
        (nearest-neighbour matching, ``base_year`` or ``pooled``).
    """

    result: MatchResult | None
    balance: BalanceTable | None
    sample: pd.DataFrame
    weights: str | None
    drops: tuple[DropRecord, ...]
    notes: tuple[str, ...] = ()
    effect: MatchEffect | None = None


def _match_kwargs(cfg: StudyConfig, panel: PreparedPanel) -> dict[str, Any]:
    m = cfg.matching
    cohorts = panel.treatment.cohorts().dropna()
    policy_year = m.policy_year if m.policy_year is not None else int(cohorts.min())
    return dict(
        model=m.score, method=m.method, k=m.neighbors, replace=m.replace, ties=m.ties,
        order=m.order, caliper=m.caliper, caliper_scale=m.caliper_scale, kernel=m.kernel,
        bandwidth=m.bandwidth, common=m.common_support, trim=m.trim, panel=m.mode,
        unit=cfg.unit, time=cfg.time, base=m.base, policy_year=policy_year,
        seed=cfg.seed_for("matching"),
    )  # fmt: skip


def _matching_drops(result: MatchResult, sample: pd.DataFrame) -> tuple[DropRecord, ...]:
    data = result.data
    out = ~data.index.isin(sample.index)
    causes = [
        ("left out of matching (missing covariate or score)", data["_pscore"].isna()),
        ("treated, off common support or no match", (data["_treated"] == 1) & (data["_support"] == 0)),
        ("control, not used as a match", (data["_treated"] == 0) & data["_weight"].isna()),
    ]  # fmt: skip
    records, counted = [], np.zeros(len(data), dtype=bool)
    for cause, flag in causes:
        hit = out & flag.fillna(False).to_numpy(dtype=bool) & ~counted
        counted |= hit
        records.append(DropRecord("matching", cause, int(hit.sum())))
    rest = int((out & ~counted).sum())
    if rest:
        records.append(DropRecord("matching", "outside the analysis sample", rest))
    return tuple(r for r in records if r.rows)


def run_matching(cfg: StudyConfig, panel: PreparedPanel) -> MatchingStage:
    """Match treated and control units and build the PSM-DID sample (``matching.*``).

    Cost: the propensity model is O(N k² · iterations) (Newton on N units in base-year mode,
    n rows otherwise); nearest-neighbour search O(N log N) (sorted scores), balance O(n k);
    memory O(n k + N m) for m neighbours. N units, n rows, k covariates.
    """
    if not cfg.matching.enabled:
        return MatchingStage(None, None, *regression_weights(cfg, panel.data, None), ())
    from pilotdid.matching.api import match

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PilotdidWarning)
        settings = _match_kwargs(cfg, panel)
        result = match(panel.data, cfg.treatment.names.treat, cfg.covariates, **settings)
        balance = result.balance()
    sample = result.analysis_sample(cfg.matching.sample)
    notes = tuple(str(w.message) for w in caught if issubclass(w.category, PilotdidWarning))
    weights = "_weight" if cfg.matching.sample == "weights" else None
    from pilotdid.study.match_effect import study_match_effect

    def rematch(rows: pd.Index) -> MatchResult:  # the study's settings on a subset of rows
        return match(panel.data.loc[rows], cfg.treatment.names.treat, cfg.covariates, **settings)

    effect, effect_notes = study_match_effect(cfg, result, rematch)
    drops = _matching_drops(result, sample)
    sample, weights = regression_weights(cfg, sample, weights)  # times model.weights, if set
    return MatchingStage(
        result, balance, sample, weights, drops, notes + result.notes + effect_notes, effect
    )


@dataclass(frozen=True, eq=False)
class BaselineStage:
    """Table 3: the PSM-DID regressions without and with controls, and each exclusion.

    Attributes
    ----------
    models : mapping of str to FeolsResult
        Column title -> result, in column order.
    exclusions : tuple of Exclusion
        The subsamples of the exclusion columns.
    drops : tuple of DropRecord
        Rows each regression left out (missing values, singletons, exclusions).
    table : Table
    main_title : str
        Title of the headline column.
    wild : tuple of WildColumn
        The wild cluster bootstrap of the columns with few (treated) clusters (``[inference]``).
    outcomes : mapping of str to FeolsResult
        The headline specification for each further outcome of ``model.outcomes`` (column
        title -> result); Table 3 shows them after ``models``.
    """

    models: Mapping[str, FeolsResult]
    exclusions: tuple[Exclusion, ...]
    drops: tuple[DropRecord, ...]
    table: Table
    main_title: str
    wild: tuple[WildColumn, ...] = ()
    outcomes: Mapping[str, FeolsResult] = field(default_factory=dict)

    @property
    def main(self) -> FeolsResult:
        """The headline model: with controls when there are any, else without."""
        return self.models[self.main_title]

    @property
    def main_column(self) -> int:
        """Table 3 column number (1-based) of the headline model."""
        return list(self.models).index(self.main_title) + 1


def fit_drops(stage: str, fit: FeolsResult) -> list[DropRecord]:
    """Rows a regression removed, by cause (missing values, singletons)."""
    return [
        DropRecord(stage, f"{cause} (in the regression's variables)", int(n))
        for cause, n in fit.dropped.items()
        if n
    ]


def _did_fit(
    cfg: StudyConfig, fml: str, sample: pd.DataFrame, vcov: Any, weights: str | None
) -> FeolsResult:
    """Fit Table 3's first column; name the design's problem when the DID cannot be estimated."""
    from pilotdid.errors import EstimationError
    from pilotdid.estimation.feols import feols
    from pilotdid.panel.identification import dummy_design_problem

    def name_the_cause(cause: Exception | None) -> None:
        problem = dummy_design_problem(sample, cfg.treatment.names.did, cfg.unit, cfg.time)
        if problem:
            raise EstimationError(f"Table 3 on the PSM-DID sample: {problem}") from cause

    try:
        fit = feols(fml, sample, vcov=vcov, weights=weights)
    except EstimationError as exc:
        name_the_cause(exc)
        raise
    if cfg.treatment.names.did in fit.collinear:
        name_the_cause(None)
    return fit


#: The sample's staggered design, computed once per matching stage (the baseline stage's warning
#: and the staggered stage's "auto" switch read the same numbers).
_DESIGNS: weakref.WeakKeyDictionary[MatchingStage, tuple[tuple[str, ...], Any]] = (
    weakref.WeakKeyDictionary()
)


def sample_design(cfg: StudyConfig, matching: MatchingStage) -> StaggeredDesign:
    """Cohorts and forbidden-comparison share of the PSM-DID sample, computed once per sample.

    O(rows) time and memory (one pass over the adoption cohorts and one 2 × 2 timing table), so
    the pipeline pays it once, not in the baseline and again in the staggered stage.

    Raises
    ------
    PilotdidError
        As :func:`pilotdid.did.staggered.staggered_design` (the same error on every call).
    """
    from pilotdid.did.staggered import staggered_design

    key = (str(cfg.unit), str(cfg.time), str(cfg.treatment.names.cohort), str(cfg.model.outcome))
    found = _DESIGNS.get(matching)
    if found is None or found[0] != key:
        try:
            value: Any = staggered_design(
                matching.sample, unit=key[0], time=key[1], cohort=key[2], columns=[key[3]]
            )
        except PilotdidError as exc:
            value = exc
        _DESIGNS[matching] = found = (key, value)
    if isinstance(found[1], PilotdidError):
        raise found[1]
    return found[1]  # type: ignore[no-any-return]


def staggered_note(cfg: StudyConfig, matching: MatchingStage) -> str | None:
    """Return the staggered-adoption warning for the PSM-DID sample; None with one cohort."""
    from pilotdid.errors import PanelError

    cohort, sample = cfg.treatment.names.cohort, matching.sample
    if any(c not in sample.columns for c in (cfg.unit, cfg.time, cohort, cfg.model.outcome)):
        return None
    try:
        design = sample_design(cfg, matching)
    except PanelError:  # a cohort column the stages that read it will name
        return None
    return design.message() if design.is_staggered else None


def baseline_models(cfg: StudyConfig, matching: MatchingStage) -> BaselineStage:
    """Estimate Table 3's columns on the PSM-DID sample (warning once if adoption is staggered).

    Cost: per column one within (fixed-effects) regression, O(n k² + n k · sweeps) time and
    O(n k) memory; the clustered variance O(n k²) by group sums (never a dense
    rows × clusters matrix); the staggered check O(n) once per run (:func:`sample_design`). The
    wild bootstrap (``[inference]``, only with few clusters) is O(B G k) in blocks.
    """
    from pilotdid.estimation.feols import feols
    from pilotdid.robustness.exclusion import exclude
    from pilotdid.tables.etable import etable

    staggered = staggered_note(cfg, matching)
    if staggered:  # said here once for the run; the event-study stage stays quiet about it
        warnings.warn(staggered, StaggeredAdoptionWarning, stacklevel=2)
    lang, did, sample = cfg.report.language, cfg.treatment.names.did, matching.sample
    y, controls, vcov, w = cfg.model.outcome, cfg.model.controls, vcov_spec(cfg), matching.weights
    main_title = text("baseline", lang)
    models = {main_title: _did_fit(cfg, formula(cfg, y, [did]), sample, vcov, w)}
    if controls:
        main_title = text("with_controls", lang)
        models[main_title] = feols(formula(cfg, y, [did, *controls]), sample, vcov=vcov, weights=w)
    frames = dict.fromkeys(models, sample)
    exclusions = []
    for spec in cfg.exclusions:
        sub = exclude(sample, spec.column, spec.values, unit=cfg.unit,
                      treatment=cfg.treatment.names.treat, label=spec.name)  # fmt: skip
        exclusions.append(sub)
        models[spec.name] = feols(formula(cfg, y, [did, *controls]), sub.data, vcov=vcov, weights=w)
        frames[spec.name] = sub.data
    drops = [
        d
        for i, (title, fit) in enumerate(models.items())
        for d in fit_drops(f"Table 3 ({i + 1}) {title}", fit)
    ]
    offset = len(models) - len(exclusions)
    for i, sub in enumerate(exclusions):
        cause = f"exclusion: {sub.label} ({sub.by} in {list(sub.values)})"
        drops.append(DropRecord(f"Table 3 ({offset + i + 1})", cause, sub.dropped_rows))
    title = text("table3" if matching.result is not None else "table3_did", lang)
    wild = wild_columns(cfg, models, frames)
    notes = [*_sample_note(cfg, matching), *wild_notes(wild, list(models), lang)]
    from pilotdid.study.outcomes import outcome_columns, table3_notes

    more = outcome_columns(cfg, sample, taken=list(models), weights=w)  # model.outcomes[1:]
    drops += [d for i, (t, fit) in enumerate(more.items(), len(models))
              for d in fit_drops(f"Table 3 ({i + 1}) {t}", fit)]  # fmt: skip
    main = list(models).index(main_title) + 1
    notes += table3_notes(cfg, len(models), len(more), main, w)
    table = etable({**models, **more}, labels=make_labels(cfg), language=lang, title=title,
                   notes=notes)  # fmt: skip
    return BaselineStage(models, tuple(exclusions), tuple(drops), table, main_title, wild, more)


def _sample_note(cfg: StudyConfig, matching: MatchingStage) -> list[str]:
    lang, rows = cfg.report.language, f"{len(matching.sample):,}"
    if matching.result is None:
        return [text("sample_full", lang, rows=rows)]
    m, c = cfg.matching, matching.result.counts
    how = text(f"sample_{m.sample}", lang)
    n, kept = int(c["n_treated"]), int(c["n_matched_treated"])
    if kept < n:
        who = text("who_part", lang, m=f"{kept:,}", n=f"{n:,}")
    else:
        who = text("who_one", lang) if n == 1 else text("who_all", lang, n=f"{n:,}")
    method, mode = text(f"method_{m.method}", lang), text(f"mode_{m.mode}", lang)
    return [text("sample_psm", lang, how=how, method=method, mode=mode, rows=rows, who=who)]


def run_placebo(cfg: StudyConfig, matching: MatchingStage) -> PlaceboResult | None:
    """Figure 1: re-estimate the headline model with random fake treatment groups.

    Cost: one O(n k²) partialling-out of the controls and fixed effects, then O(R · N_f · p)
    for R draws of N_f fake-treated units (p = k + 3 per-unit sums), in blocks of draws sized
    by a fixed cell budget: memory O(n k + block), never rows × draws.
    """
    if not cfg.placebo.enabled:
        return None
    from pilotdid.robustness.placebo import placebo

    names = cfg.treatment.names
    rhs = [names.did, *cfg.model.controls]
    return placebo(
        matching.sample, formula(cfg, cfg.model.outcome, rhs), unit=cfg.unit, time=cfg.time,
        cohort=names.cohort, draws=cfg.placebo.draws, kind=cfg.placebo.kind,
        seed=cfg.seed_for("placebo"), treatment=names.did, vcov=vcov_spec(cfg),
        weights=matching.weights, progress=False,
    )  # fmt: skip


def run_event_study(
    cfg: StudyConfig, matching: MatchingStage, outcome: str | None = None
) -> EventStudyResult | None:
    """Leads and lags of adoption on the PSM-DID sample, with the pre-trend test.

    ``outcome`` defaults to ``model.outcome`` (another one of ``model.outcomes`` otherwise).

    Cost: one within regression with L + k regressors (L leads and lags), O(n (L + k)²) time
    and O(n (L + k)) memory; the pre-trend Wald test is O(L³).
    """
    if not cfg.event_study.enabled:
        return None
    from pilotdid.did.event_study import event_study

    es = cfg.event_study
    lo, hi = es.window
    with warnings.catch_warnings():  # staggered adoption: the baseline stage said it once
        warnings.simplefilter("ignore", StaggeredAdoptionWarning)
        return event_study(
            matching.sample, outcome or cfg.model.outcome, unit=cfg.unit, time=cfg.time,
            cohort=cfg.treatment.names.cohort, controls=cfg.model.controls,
            fixef=cfg.model.fixed_effects, window=(lo, hi), ref=es.ref,
            bin_endpoints=es.bin_endpoints, vcov=vcov_spec(cfg), weights=matching.weights,
        )  # fmt: skip


def event_table(cfg: StudyConfig, result: EventStudyResult) -> Table:
    """Return the event-study coefficients as a one-column regression table."""
    from pilotdid.did.dynamic import period_label
    from pilotdid.tables.etable import etable

    lang = cfg.report.language
    terms = [period_label(k) for k in result.periods.values()]
    return etable([result], keep=terms, labels=make_labels(cfg), language=lang,
                  title=text("event_table", lang), titles=[text("figure2", lang).split(". ")[-1]])  # fmt: skip
