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
from typing import Any

from pydantic import ValidationError

from pilotdid.errors import StudyFileError
from pilotdid.study.config_checks import semantic_problems
from pilotdid.study.config_messages import problem_lines, study_error
from pilotdid.study.config_schema import (
    DataConfig,
    EventStudyConfig,
    ExclusionConfig,
    FilterConfig,
    HeterogeneityConfig,
    LabelsConfig,
    MatchingConfig,
    MechanismsConfig,
    ModelConfig,
    ModerationConfig,
    PlaceboConfig,
    ReportConfig,
    StaggeredConfig,
    StudyConfig,
    StudySection,
    TreatmentConfig,
    TreatmentNames,
    complete_defaults,
)

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
    "StaggeredConfig",
    "Study",
    "StudyConfig",
    "StudySection",
    "TreatmentConfig",
    "TreatmentNames",
    "apply_overrides",
    "load_study",
    "parse_study",
]


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
    config = complete_defaults(config)
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
