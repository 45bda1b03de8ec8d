"""The study file: a TOML description of the research design, validated once into typed specs.

:func:`load_study` reads ``study.toml`` and returns a :class:`Study` (the validated
:class:`StudyConfig` plus where it came from and its SHA-256). Every problem is reported at once,
one line each, with its key path and, for typos, a suggestion::

    study.toml has 2 problems:
      - matching.calipr: unknown key (did you mean 'caliper'?)
      - placebo.draws: must be a positive integer, got "many"

The schema is strict: TOML values keep their types (``draws = "500"`` is an error, not 500).
Checks that need the data (columns exist, roster units are in the panel) live in
:mod:`pilotdid.study.checks`, because the schema never reads files.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pilotdid.errors import StudyFileError
from pilotdid.study.config_checks import semantic_problems
from pilotdid.study.config_messages import problem_lines, study_error

__all__ = [
    "DataConfig",
    "EventStudyConfig",
    "ExclusionConfig",
    "FilterConfig",
    "HeterogeneityConfig",
    "LabelsConfig",
    "MatchingConfig",
    "MechanismsConfig",
    "ModelConfig",
    "ModerationConfig",
    "PlaceboConfig",
    "ReportConfig",
    "Study",
    "StudyConfig",
    "StudySection",
    "TreatmentConfig",
    "TreatmentNames",
    "apply_overrides",
    "load_study",
    "parse_study",
]

PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
PositiveFloat = Annotated[float, Field(gt=0)]
Scalar = str | int | float
ReportFormat = Literal["html", "docx", "tex", "xlsx", "md"]
FigureFormat = Literal["png", "svg", "pdf"]

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

    source: Literal["file", "demo"] = "file"
    path: str | None = None
    sheet: str | int | None = None
    unit: str | None = None
    time: str | None = None
    demo_seed: NonNegativeInt | None = None
    filters: list[FilterConfig] = []


class TreatmentNames(_Section):
    """``[treatment.names]``: names of the treatment columns the pipeline adds."""

    treat: str = "treat"
    post: str = "post"
    did: str = "did"
    cohort: str = "cohort"
    rel_time: str = "rel_time"


class TreatmentConfig(_Section):
    """``[treatment]``: the pilot units with their adoption periods, and the Post coding."""

    roster: Literal["bigdata"] | None = None
    definition: Literal["provinces", "cities"] = "provinces"
    later_zones_year: Literal[2016, 2017] = 2017
    roster_file: str | None = None
    roster_unit: str = "unit"
    roster_year: str = "adoption_year"
    adoption: dict[str, int] | None = None
    adoption_column: str | None = None
    post: Literal["adoption", "common"] = "adoption"
    post_common: int | None = None
    absent_units: Literal["error", "note"] | None = None
    names: TreatmentNames = TreatmentNames()

    def source_keys(self) -> list[str]:
        """Return the roster keys that are set (exactly one must be)."""
        keys = ("roster", "roster_file", "adoption", "adoption_column")
        return [k for k in keys if getattr(self, k) is not None]

    def absent_policy(self) -> str:
        """``absent_units`` resolved: a built-in roster covers all of China, so "note"."""
        if self.absent_units is not None:
            return self.absent_units
        return "note" if self.roster is not None else "error"


class ModelConfig(_Section):
    """``[model]``: the baseline DID regression (the paper's equation 1)."""

    outcome: str
    controls: list[str] = []
    fixed_effects: list[str] | None = None
    cluster: str | None = None
    vcov: Literal["cluster", "hetero", "iid"] = "cluster"


class MatchingConfig(_Section):
    """``[matching]``: propensity-score matching before the DID (psmatch2 vocabulary)."""

    enabled: bool = True
    covariates: list[str] | None = None
    mode: Literal["base_year", "by_year", "pooled"] = "base_year"
    base: Literal["first", "pre_mean"] | int = "first"
    policy_year: int | None = None
    score: Literal["logit", "probit"] = "logit"
    method: Literal["nearest", "radius", "kernel"] = "nearest"
    neighbors: PositiveInt = 1
    replace: bool = True
    ties: bool = False
    order: Literal["largest", "smallest", "data", "random"] = "largest"
    caliper: PositiveFloat | None = None
    caliper_scale: Literal["score", "sd"] = "score"
    kernel: Literal["epan", "normal", "biweight", "uniform", "tricube"] = "epan"
    bandwidth: PositiveFloat = 0.06
    common_support: bool = False
    trim: Annotated[float, Field(ge=0, lt=100)] | None = None
    sample: Literal["matched", "support", "weights"] = "matched"
    seed: NonNegativeInt | None = None


class PlaceboConfig(_Section):
    """``[placebo]``: random fake treatment groups (the paper's Figure 1)."""

    enabled: bool = True
    draws: PositiveInt = 500
    kind: Literal["units", "timing", "both"] = "units"
    seed: NonNegativeInt | None = None


class EventStudyConfig(_Section):
    """``[event_study]``: leads and lags of adoption and the pre-trend test."""

    enabled: bool = True
    window: list[int] = [-4, 3]
    ref: int = -1
    bin_endpoints: bool = True


class ExclusionConfig(_Section):
    """One ``[[exclusions]]`` entry: a named subsample without some groups (Table 3, col. 3)."""

    name: str
    column: str
    values: list[Scalar]


class MechanismsConfig(_Section):
    """``[mechanisms]``: effects of the policy on mediators (Table 4, first columns)."""

    enabled: bool = True
    mediators: list[str] = []
    method: Literal["d_to_m", "three_step"] = "d_to_m"
    bootstrap: NonNegativeInt = 500
    seed: NonNegativeInt | None = None


class HeterogeneityConfig(_Section):
    """``[heterogeneity]``: the baseline DID in groups split at a variable (Table 4)."""

    enabled: bool = True
    split_by: list[str] = []
    rule: Literal["median", "mean"] = "median"
    measured: Literal["pre", "contemporaneous"] = "pre"
    test: Literal["both", "pooled", "permutation", "none"] = "both"
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
    language: Literal["en", "zh"] = "en"
    dpi: Annotated[int, Field(ge=50, le=600)] = 110
    labels: LabelsConfig = LabelsConfig()


class StudyConfig(_Section):
    """The whole study file. Only ``[data]``, ``[treatment]`` and ``[model]`` are required.

    Examples
    --------
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
    placebo: PlaceboConfig = PlaceboConfig()
    event_study: EventStudyConfig = EventStudyConfig()
    exclusions: list[ExclusionConfig] = []
    mechanisms: MechanismsConfig = MechanismsConfig()
    heterogeneity: HeterogeneityConfig = HeterogeneityConfig()
    moderation: ModerationConfig = ModerationConfig()
    report: ReportConfig = ReportConfig()

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


def _complete(raw: StudyConfig) -> StudyConfig:
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


# --- loading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Study:
    """A validated study file and where it came from.

    Attributes
    ----------
    config : StudyConfig
        The validated design (defaults filled in).
    path : pathlib.Path or None
        The study file, or None when parsed from text.
    base_dir : pathlib.Path
        Folder that relative paths in the file are resolved against (the file's folder).
    text : str
        The file's text, exactly as read.
    sha256 : str
        Hex SHA-256 of the file's bytes (UTF-8 of ``text`` when parsed from text).
    overrides : tuple of (str, object)
        Values set on top of the file (``pilotdid run --set key=value``), in order.
    label : str
        Name used in messages when there is no path (e.g. the built-in demo study's name).
    """

    config: StudyConfig
    path: Path | None
    base_dir: Path
    text: str
    sha256: str
    overrides: tuple[tuple[str, Any], ...] = ()
    label: str = "study.toml"

    @property
    def name(self) -> str:
        """File name for messages (``"study.toml"`` when parsed from text)."""
        return self.path.name if self.path is not None else self.label

    def resolve(self, relative: str | os.PathLike[str]) -> Path:
        """Resolve a path written in the study file against the file's folder."""
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def output_dir(self, override: str | os.PathLike[str] | None = None) -> Path:
        """Return the output folder: ``override`` (relative to the working directory) or report.output."""
        if override is not None:
            return Path(override).expanduser().absolute()
        return self.resolve(self.config.report.output).absolute()


def apply_overrides(raw: dict[str, Any], overrides: Mapping[str, Any], name: str) -> None:
    """Set ``overrides`` (key path -> value, e.g. ``"placebo.draws" -> 100``) in ``raw`` in place.

    Raises
    ------
    StudyFileError
        When a path goes through a key that holds a value rather than a table.
    """
    for path, value in overrides.items():
        parts = [p.strip() for p in str(path).split(".")]
        node = raw
        for i, part in enumerate(parts[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                where = ".".join(parts[: i + 1])
                raise study_error(name, [f"{path}: cannot set it, {where} is not a table"])
            node = child
        node[parts[-1]] = value


def parse_study(
    text: str,
    *,
    base_dir: str | os.PathLike[str] | None = None,
    name: str = "study.toml",
    path: Path | None = None,
    sha256: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Study:
    """Validate the text of a study file.

    Parameters
    ----------
    text : str
        TOML text.
    base_dir : path-like, optional
        Folder for relative paths (default: the working directory).
    name : str
        Name used in messages.
    path : pathlib.Path, optional
        The file the text came from.
    sha256 : str, optional
        Hash of the file's bytes (default: of the UTF-8 text).
    overrides : mapping, optional
        Key path -> value set on top of the file before validation (``{"placebo.draws": 100}``);
        their problems are reported like the file's own.

    Returns
    -------
    Study

    Raises
    ------
    StudyFileError
        Invalid TOML, or every schema and cross-field problem at once.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyFileError(f"{name} is not valid TOML: {exc}; fix the syntax there.") from exc
    apply_overrides(raw, overrides or {}, name)
    try:
        config = StudyConfig.model_validate(raw)
    except ValidationError as exc:
        raise study_error(name, problem_lines(exc, StudyConfig, raw)) from None
    config = _complete(config)
    problems = semantic_problems(config)
    if problems:
        raise study_error(name, problems)
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    folder = Path(base_dir) if base_dir is not None else Path.cwd()
    extra = tuple((overrides or {}).items())
    return Study(config, path, folder.absolute(), text, digest, extra, name)


def load_study(
    path: str | os.PathLike[str], *, overrides: Mapping[str, Any] | None = None
) -> Study:
    r"""Read and validate a study file, reporting every problem at once.

    Parameters
    ----------
    path : str or path-like
        The ``study.toml`` file.
    overrides : mapping, optional
        Key path -> value set on top of the file (see :func:`parse_study`).

    Returns
    -------
    Study
        The validated config, the file's folder (for relative paths), text and SHA-256.

    Raises
    ------
    StudyFileError
        The file is missing or unreadable, not UTF-8, not TOML, or breaks the schema; the
        message lists every problem with its key path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "study.toml").write_text(
    ...     '[data]\nsource = "demo"\n[treatment]\nroster = "bigdata"\n'
    ...     '[model]\noutcome = "lnESF"\n[placebo]\ndraws = "many"\n')
    >>> load_study(folder / "study.toml")
    Traceback (most recent call last):
    ...
    pilotdid.errors.StudyFileError: study.toml has 1 problem:
      - placebo.draws: must be a positive integer, got "many"
    """
    file = Path(path).expanduser()
    if not file.is_file():
        where = "is a folder" if file.is_dir() else "not found"
        raise StudyFileError(
            f"study file {where}: {file}; give the path of a .toml file "
            "(`pilotdid init study.toml` writes a template)."
        )
    try:
        data = file.read_bytes()
        text = data.decode("utf-8")
    except OSError as exc:
        raise StudyFileError(f"cannot read the study file {file}: {exc.strerror}.") from exc
    except UnicodeDecodeError as exc:
        raise StudyFileError(
            f"{file.name} is not UTF-8 text (byte {exc.start}); save it as UTF-8."
        ) from exc
    return parse_study(
        text,
        base_dir=file.absolute().parent,
        name=file.name,
        path=file.absolute(),
        sha256=hashlib.sha256(data).hexdigest(),
        overrides=overrides,
    )
