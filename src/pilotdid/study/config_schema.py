"""The schema of the study file: one pydantic model per section, defaults in one place.

The allowed values of every option are the ``Literal`` aliases of :mod:`pilotdid.options` (one
declaration shared with the API), so the study file, the functions it drives and the error
messages list the same values. Loading, overrides and the :class:`~pilotdid.study.config.Study`
value live in :mod:`pilotdid.study.config`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pilotdid.options import (
    AbsentUnits,
    AnalysisHow,
    CaliperScale,
    CsControlGroup,
    CsMethod,
    DataSource,
    FigureFormat,
    HalfSplit,
    HeterogeneityTest,
    HonestRestriction,
    HonestTarget,
    KernelType,
    Language,
    LaterZonesYear,
    MatchBase,
    MatchMethod,
    MatchOrder,
    MechanismMethod,
    PanelMode,
    PlaceboKind,
    PostCoding,
    ReportFormat,
    RosterDefinition,
    RosterName,
    ScoreModel,
    SpecEstimator,
    SpecMatching,
    SplitMeasured,
    StaggeredAuto,
    StaggeredEstimator,
    StudyMatchSE,
    StudyVcov,
    WildWeights,
)
from pilotdid.study.config_measures import MeasuresConfig

__all__ = [
    "ALL_FORMATS",
    "DataConfig",
    "EventStudyConfig",
    "ExclusionConfig",
    "FilterConfig",
    "HeterogeneityConfig",
    "InferenceConfig",
    "LabelsConfig",
    "MatchingConfig",
    "MechanismsConfig",
    "ModelConfig",
    "ModerationConfig",
    "PlaceboConfig",
    "ReportConfig",
    "SensitivityConfig",
    "SpecCurveConfig",
    "StaggeredConfig",
    "StudyConfig",
    "StudySection",
    "TreatmentConfig",
    "TreatmentNames",
    "complete_defaults",
]

PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
PositiveFloat = Annotated[float, Field(gt=0)]
Scalar = str | int | float

ALL_FORMATS: tuple[ReportFormat, ...] = ("html", "docx", "tex", "xlsx", "md")


class _Section(BaseModel):
    """A table of the study file: unknown keys are errors, values keep their TOML types."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class StudySection(_Section):
    """``[study]``: the study's title and the default seed of every random step."""

    title: str = "PSM-DID evaluation of a pilot policy"
    seed: NonNegativeInt = 2024


class FilterConfig(_Section):
    """One entry of ``data.filters``: keep rows by range or by value of one column."""

    column: str
    min: float | None = None
    max: float | None = None
    keep: list[Scalar] | None = None
    drop: list[Scalar] | None = None
    label: str | None = None


class DataConfig(_Section):
    """``[data]``: where the panel comes from and which columns identify unit and period."""

    source: DataSource = "file"
    path: str | None = None
    sheet: str | int | None = None
    unit: str | None = None
    time: str | None = None
    demo_seed: NonNegativeInt | None = None
    filters: list[FilterConfig] = []
    lon: str | None = None
    lat: str | None = None


class TreatmentNames(_Section):
    """``[treatment.names]``: names of the treatment columns the pipeline adds."""

    treat: str = "treat"
    post: str = "post"
    did: str = "did"
    cohort: str = "cohort"
    rel_time: str = "rel_time"


class TreatmentConfig(_Section):
    """``[treatment]``: the pilot units with their adoption periods, and the Post coding."""

    roster: RosterName | None = None
    definition: RosterDefinition = "provinces"
    later_zones_year: LaterZonesYear = 2017
    roster_file: str | None = None
    roster_unit: str = "unit"
    roster_year: str = "adoption_year"
    adoption: dict[str, int] | None = None
    adoption_column: str | None = None
    post: PostCoding = "adoption"
    post_common: int | None = None
    absent_units: AbsentUnits | None = None
    names: TreatmentNames = TreatmentNames()
    indicator: str | None = None  # a 0/1 column: each unit adopts in its first period with 1
    allow_switch_off: bool = False  # indicator: accept 1 -> 0 (the first adoption is kept)

    def source_keys(self) -> list[str]:
        """Return the roster keys that are set (exactly one must be)."""
        keys = ("roster", "roster_file", "adoption", "adoption_column", "indicator")
        return [k for k in keys if getattr(self, k) is not None]

    def absent_policy(self) -> str:
        """``absent_units`` resolved: a built-in roster covers all of China, so "note"."""
        if self.absent_units is not None:
            return self.absent_units
        return "note" if self.roster is not None else "error"


class ModelConfig(_Section):
    """``[model]``: the baseline DID regression (the paper's equation 1)."""

    outcome: str  # one outcome; with ``outcomes`` it may be left out (then it is the first)
    controls: list[str] = []
    fixed_effects: list[str] | None = None  # columns, "a^b" for interacted fixed effects
    cluster: str | None = None
    vcov: StudyVcov = "cluster"
    outcomes: list[str] | None = None  # several outcomes: Table 3 and the event table per outcome
    weights: str | None = None  # a column of analytic (regression) weights, e.g. population

    @model_validator(mode="before")
    @classmethod
    def _first_outcome(cls, raw: Any) -> Any:
        """``outcome`` defaults to the first of ``outcomes`` (one headline outcome for every stage)."""
        outcomes = raw.get("outcomes") if isinstance(raw, dict) else None
        if "outcome" not in raw and isinstance(outcomes, list):  # [] is reported by the checks
            return {**raw, "outcome": str(outcomes[0]) if outcomes else ""}
        return raw

    @property
    def outcome_list(self) -> list[str]:
        """Every outcome of the study, the headline one (``outcome``) first."""
        return list(self.outcomes) if self.outcomes else [self.outcome]


class MatchingConfig(_Section):
    """``[matching]``: propensity-score matching before the DID (psmatch2 vocabulary)."""

    enabled: bool = True
    covariates: list[str] | None = None
    mode: PanelMode = "base_year"
    base: MatchBase | int = "first"
    policy_year: int | None = None
    score: ScoreModel = "logit"
    method: MatchMethod = "nearest"
    neighbors: PositiveInt = 1
    replace: bool = True
    ties: bool = False
    order: MatchOrder = "largest"
    caliper: PositiveFloat | None = None
    caliper_scale: CaliperScale = "score"
    kernel: KernelType = "epan"
    bandwidth: PositiveFloat = 0.06
    common_support: bool = False
    trim: Annotated[float, Field(ge=0, lt=100)] | None = None
    sample: AnalysisHow = "matched"
    seed: NonNegativeInt | None = None
    # the matching estimate of the ATT shown with the balance tables (nearest neighbour only)
    se: StudyMatchSE = "ai"
    se_matches: NonNegativeInt = 1
    effect_period: int | None = None


class InferenceConfig(_Section):
    """``[inference]``: the wild cluster bootstrap for Table 3 when clusters are few.

    ``wild_bootstrap = "auto"`` runs it when the regression has fewer than ``min_clusters``
    clusters or fewer than ``min_treated_clusters`` treated ones (where CRV1 over-rejects).
    """

    wild_bootstrap: bool | StaggeredAuto = "auto"
    B: PositiveInt = 9999
    weights: WildWeights = "rademacher"
    min_clusters: PositiveInt = 50
    min_treated_clusters: PositiveInt = 10
    seed: NonNegativeInt | None = None


class PlaceboConfig(_Section):
    """``[placebo]``: random fake treatment groups (the paper's Figure 1)."""

    enabled: bool = True
    draws: PositiveInt = 500
    kind: PlaceboKind = "units"
    seed: NonNegativeInt | None = None


class SpecCurveConfig(_Section):
    """``[spec_curve]``: the headline DID under every combination of analytic choices.

    ``controls`` (default: none and ``model.controls``), ``cluster`` (default: ``model.cluster``
    or ``model.vcov``) and the samples (the whole sample and, with ``exclusions = true``, each
    ``[[exclusions]]`` entry) default to the study's own choices.
    """

    enabled: bool = False
    matching: list[SpecMatching] = ["none", "nearest", "nearest_k4", "caliper", "radius", "kernel"]
    mode: list[PanelMode] = ["pooled", "by_year", "base_year"]
    controls: dict[str, list[str]] | None = None
    exclusions: bool = True
    estimators: list[SpecEstimator] = ["twfe"]
    cluster: list[str] | None = None
    max_specs: PositiveInt | None = None
    ssn: bool = False
    ssn_draws: PositiveInt = 500
    seed: NonNegativeInt | None = None


class EventStudyConfig(_Section):
    """``[event_study]``: leads and lags of adoption and the pre-trend test."""

    enabled: bool = True
    window: list[int] = [-4, 3]
    ref: int = -1
    bin_endpoints: bool = True


class SensitivityConfig(_Section):
    """``[sensitivity]``: HonestDiD sensitivity of the event study and the pre-test's power."""

    enabled: bool = True
    restriction: HonestRestriction = "relative_magnitude"
    Mbar: list[NonNegativeFloat] = [0.0, 0.5, 1.0, 1.5, 2.0]
    M: list[NonNegativeFloat] | None = None
    target: HonestTarget = "average"
    power: Annotated[float, Field(gt=0, lt=1)] = 0.8


class StaggeredConfig(_Section):
    """``[staggered]``: heterogeneity-robust estimators when adoption is staggered.

    ``enabled = "auto"`` runs them when the analysis sample has more than one adoption cohort.
    ``controls = false`` (the default) assumes unconditional parallel trends; ``true`` passes
    ``model.controls`` to CS as covariates and to SA and BJS as controls.
    """

    enabled: bool | StaggeredAuto = "auto"
    estimators: list[StaggeredEstimator] = ["cs", "sa", "bjs"]
    control_group: CsControlGroup = "never"
    method: CsMethod = "dr"
    anticipation: NonNegativeInt = 0
    bootstrap: NonNegativeInt = 999
    controls: bool = False
    seed: NonNegativeInt | None = None


class ExclusionConfig(_Section):
    """One ``[[exclusions]]`` entry: a named subsample without some groups (Table 3, col. 3)."""

    name: str
    column: str
    values: list[Scalar]


class MechanismsConfig(_Section):
    """``[mechanisms]``: effects of the policy on mediators (Table 4, first columns)."""

    enabled: bool = True
    mediators: list[str] = []
    method: MechanismMethod = "d_to_m"
    bootstrap: NonNegativeInt = 500
    seed: NonNegativeInt | None = None


class HeterogeneityConfig(_Section):
    """``[heterogeneity]``: the baseline DID in groups split at a variable (Table 4)."""

    enabled: bool = True
    split_by: list[str] = []
    rule: HalfSplit = "median"
    measured: SplitMeasured = "pre"
    test: HeterogeneityTest = "both"
    permutations: PositiveInt = 1000
    seed: NonNegativeInt | None = None


class ModerationConfig(_Section):
    """``[moderation]``: the DID interacted with moderators (Table 5)."""

    enabled: bool = True
    moderators: list[str] = []
    center: bool = True


class LabelsConfig(_Section):
    """``[report.labels]``: display names of variables, English and Chinese."""

    en: dict[str, str] = {}
    zh: dict[str, str] = {}


class ReportConfig(_Section):
    """``[report]``: what is written where, and in which language."""

    output: str = "out"
    formats: list[ReportFormat] = list(ALL_FORMATS)
    figures: list[FigureFormat] = ["png", "svg"]
    language: Language = "en"
    dpi: Annotated[int, Field(ge=50, le=600)] = 110
    labels: LabelsConfig = LabelsConfig()


class StudyConfig(_Section):
    """The whole study file. Only ``[data]``, ``[treatment]`` and ``[model]`` are required.

    Examples
    --------
    >>> from pilotdid.study.config import parse_study
    >>> cfg = parse_study('''
    ... [data]
    ... source = "demo"
    ... [treatment]
    ... roster = "bigdata"
    ... [model]
    ... outcome = "lnESF"
    ... controls = ["lnHCL", "FIN"]
    ... ''').config
    >>> cfg.data.unit, cfg.model.fixed_effects, cfg.placebo.draws
    ('code', ['code', 'year'], 500)
    """

    study: StudySection = StudySection()
    data: DataConfig
    treatment: TreatmentConfig
    model: ModelConfig
    matching: MatchingConfig = MatchingConfig()
    inference: InferenceConfig = InferenceConfig()
    placebo: PlaceboConfig = PlaceboConfig()
    event_study: EventStudyConfig = EventStudyConfig()
    sensitivity: SensitivityConfig = SensitivityConfig()
    staggered: StaggeredConfig = StaggeredConfig()
    exclusions: list[ExclusionConfig] = []
    mechanisms: MechanismsConfig = MechanismsConfig()
    heterogeneity: HeterogeneityConfig = HeterogeneityConfig()
    moderation: ModerationConfig = ModerationConfig()
    spec_curve: SpecCurveConfig = SpecCurveConfig()
    report: ReportConfig = ReportConfig()
    measures: MeasuresConfig | None = None  # [measures]: the outcome built from trade records

    @property
    def unit(self) -> str:
        """The unit column (set for every validated config)."""
        return str(self.data.unit)

    @property
    def time(self) -> str:
        """The period column (set for every validated config)."""
        return str(self.data.time)

    @property
    def covariates(self) -> list[str]:
        """Matching covariates: ``matching.covariates`` or else the model's controls."""
        if self.matching.covariates is not None:
            return list(self.matching.covariates)
        return list(self.model.controls)

    def seed_for(self, section: str) -> int:
        """Return the seed a random step uses: its own ``seed`` key or else ``study.seed``."""
        own = getattr(getattr(self, section), "seed", None)
        return int(own) if own is not None else int(self.study.seed)


# --- defaults that depend on other keys ----------------------------------------------------
DEMO_UNIT, DEMO_TIME = "code", "year"


def complete_defaults(raw: StudyConfig) -> StudyConfig:
    """Fill the defaults that depend on other keys (demo columns, fixed effects, cluster)."""
    data = raw.data
    if data.source == "demo":
        data = data.model_copy(
            update={"unit": data.unit or DEMO_UNIT, "time": data.time or DEMO_TIME}
        )
    model = raw.model
    if data.unit and data.time:
        model = model.model_copy(
            update={
                "fixed_effects": model.fixed_effects
                if model.fixed_effects is not None
                else [data.unit, data.time],
                "cluster": model.cluster or data.unit,
            }
        )
    return raw.model_copy(update={"data": data, "model": model})
