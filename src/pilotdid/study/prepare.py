"""From a validated study file to the analysis panel: load, check against the data, filter, treat.

Everything the study file says about the data is checked here before any estimate, and every
problem is reported at once: a missing file or column, a roster file without its columns, roster
units that are not in the panel. Problems with a key path in the study file raise
:class:`~pilotdid.errors.StudyFileError`; problems inside the data (text in a numeric column,
duplicate unit-period keys) raise :class:`~pilotdid.errors.PanelError` listing every one.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pilotdid.errors import PanelError, PilotdidWarning, did_you_mean
from pilotdid.estimation.formula import fixef_parts
from pilotdid.panel.load import load_panel
from pilotdid.panel.treatment import TreatmentAssignment, assign_treatment
from pilotdid.panel.validate import ValidationReport, check_panel
from pilotdid.study.config import FilterConfig, Study, StudyConfig
from pilotdid.study.config_messages import show_value, study_error
from pilotdid.study.memory_checks import memory_problems
from pilotdid.study.model_spec import fixef_columns, weight_problems

if TYPE_CHECKING:
    from pilotdid.datasets import DemoPanel

__all__ = ["DropRecord", "PreparedPanel", "column_references", "prepare_panel"]

N_SHOWN = 5  # roster units listed in a message


@dataclass(frozen=True)
class DropRecord:
    """Rows left out at one step, with the reason.

    Attributes
    ----------
    stage : str
        Where (``"data"``, ``"matching"``, ``"Table 3 (2)"``, ...).
    cause : str
        Why, in words.
    rows : int
        How many rows.
    """

    stage: str
    cause: str
    rows: int


@dataclass(frozen=True, eq=False)
class PreparedPanel:
    """The analysis panel and how it was obtained.

    Attributes
    ----------
    data : pandas.DataFrame
        The panel after the filters, with the treatment columns added.
    n_loaded : int
        Rows read from the source.
    source : str
        The file read, or a description of the built-in demo panel.
    drops : tuple of DropRecord
        Rows removed by each filter.
    check : ValidationReport
        :func:`pilotdid.check_panel` on the filtered panel (its notes are shown in the report).
    treatment : TreatmentAssignment
        The treatment columns and the roster report.
    notes : tuple of str
        Facts worth telling (roster units absent, columns recomputed, warnings).
    demo : DemoPanel or None
        The demo panel with its true effects when ``data.source = "demo"``.
    """

    data: pd.DataFrame
    n_loaded: int
    source: str
    drops: tuple[DropRecord, ...]
    check: ValidationReport
    treatment: TreatmentAssignment
    notes: tuple[str, ...]
    demo: DemoPanel | None = None


def column_references(cfg: StudyConfig) -> Iterator[tuple[str, str]]:
    """Yield ``(key path, column)`` for every data column the study file names."""
    yield "data.unit", cfg.unit
    yield "data.time", cfg.time
    for i, f in enumerate(cfg.data.filters):
        yield f"data.filters[{i}].column", f.column
    for key in ("lon", "lat"):
        if getattr(cfg.data, key) is not None:
            yield f"data.{key}", getattr(cfg.data, key)
    if cfg.treatment.adoption_column is not None:
        yield "treatment.adoption_column", cfg.treatment.adoption_column
    if cfg.treatment.indicator is not None:
        yield "treatment.indicator", cfg.treatment.indicator
    if cfg.model.outcomes:
        for i, name in enumerate(cfg.model.outcomes):
            yield f"model.outcomes[{i}]", name
    else:
        yield "model.outcome", cfg.model.outcome
    for i, name in enumerate(cfg.model.controls):
        yield f"model.controls[{i}]", name
    for i, entry in enumerate(cfg.model.fixed_effects or []):
        for part in fixef_parts(entry):  # "province^year" names two columns
            yield f"model.fixed_effects[{i}]", part
    if cfg.model.weights is not None:
        yield "model.weights", cfg.model.weights
    if cfg.model.cluster is not None:
        yield "model.cluster", cfg.model.cluster
    for i, name in enumerate(cfg.matching.covariates or []):
        yield f"matching.covariates[{i}]", name
    for i, e in enumerate(cfg.exclusions):
        yield f"exclusions[{i}].column", e.column
    for section, key in (
        ("mechanisms", "mediators"),
        ("heterogeneity", "split_by"),
        ("moderation", "moderators"),
    ):
        for i, name in enumerate(getattr(getattr(cfg, section), key)):
            yield f"{section}.{key}[{i}]", name
    curve = cfg.spec_curve
    if curve.enabled:
        for label, columns in (curve.controls or {}).items():
            for i, name in enumerate(columns):
                yield f"spec_curve.controls.{label}[{i}]", name
        for i, name in enumerate(curve.cluster or []):
            if name not in ("hetero", "iid"):  # built-in labels, not columns
                yield f"spec_curve.cluster[{i}]", name


def numeric_columns(cfg: StudyConfig) -> list[str]:
    """Columns that enter a regression or the matching and so must be numeric."""
    names = [*cfg.model.outcome_list, *cfg.model.controls, *cfg.covariates]
    names += [*cfg.mechanisms.mediators, *([cfg.model.weights] if cfg.model.weights else [])]
    names += [*cfg.heterogeneity.split_by, *cfg.moderation.moderators]
    return list(dict.fromkeys(names))


def _load(study: Study, problems: list[str]) -> tuple[pd.DataFrame | None, str, Any]:
    cfg = study.config
    if cfg.data.source == "demo":
        from pilotdid.datasets import demo_panel

        seed = cfg.data.demo_seed if cfg.data.demo_seed is not None else cfg.study.seed
        t = cfg.treatment
        definition = t.definition if t.roster == "bigdata" else "provinces"
        later = t.later_zones_year if t.roster == "bigdata" else 2017
        demo = demo_panel(seed, definition=definition, later_zones_year=later)
        return demo.data, f"built-in demo panel (synthetic data, seed {seed})", demo
    path = study.resolve(str(cfg.data.path))
    if path.is_dir():
        problems.append(f"data.path: {path} is a folder, not a file; give the data file's path")
        return None, str(path), None
    if not path.is_file():
        problems.append(f"data.path: file not found: {path}")
        return None, str(path), None
    return load_panel(path, sheet=cfg.data.sheet), str(path), None


def _missing_columns(cfg: StudyConfig, columns: pd.Index) -> list[str]:
    pool = [str(c) for c in columns]
    return [
        f"{key}: column {name!r} is not in the data{did_you_mean(name, pool)}"
        for key, name in column_references(cfg)
        if name not in columns
    ] + _unquotable_names(cfg)


def _unquotable_names(cfg: StudyConfig) -> list[str]:
    """Names a formula cannot hold: a backtick anywhere, '^' in a fixed-effect or cluster column."""
    factors = {"data.unit", "data.time", "model.cluster"}
    out = []
    for key, name in column_references(cfg):
        if "`" in name:
            out.append(f"{key}: column name {name!r} contains a backtick (`); rename the column")
        elif "^" in name and (key in factors or key.startswith("model.fixed_effects")):
            out.append(
                f"{key}: column name {name!r} contains '^', which joins interacted fixed "
                "effects; rename the column"
            )
    return out


def _roster(study: Study, problems: list[str]) -> Any:
    """Return the adoption argument of :func:`assign_treatment` for the configured roster source."""
    t = study.config.treatment
    if t.roster == "bigdata":
        from pilotdid.panel.rosters import bigdata_roster_table

        table = bigdata_roster_table(t.definition, t.later_zones_year)
        return table.set_index("code")["adoption_year"]
    if t.adoption is not None:
        return dict(t.adoption)
    if t.adoption_column is not None:
        return t.adoption_column
    if t.indicator is not None:
        return None  # read from the data by prepare_panel (study/indicator.py)
    return _roster_file(study, problems)


def _roster_file(study: Study, problems: list[str]) -> pd.Series | None:
    t = study.config.treatment
    path = study.resolve(str(t.roster_file))
    if not path.is_file():
        problems.append(f"treatment.roster_file: file not found: {path}")
        return None
    try:
        table = load_panel(path)
    except PanelError as exc:
        problems.append(f"treatment.roster_file: {exc}")
        return None
    pool = [str(c) for c in table.columns]
    bad = [
        f"treatment.{key}: column {name!r} is not in {path.name}{did_you_mean(name, pool)}"
        for key, name in (("roster_unit", t.roster_unit), ("roster_year", t.roster_year))
        if name not in table.columns
    ]
    problems.extend(bad)
    if bad:
        return None
    return table.set_index(t.roster_unit)[t.roster_year]


def _filter_mask(frame: pd.DataFrame, f: FilterConfig) -> tuple[pd.Series, str]:
    column = frame[f.column]
    keep = pd.Series(True, index=frame.index)
    parts = []
    if f.min is not None or f.max is not None:
        values = pd.to_numeric(column, errors="coerce")
        if f.min is not None:
            keep &= values >= f.min
            parts.append(f"{f.column} >= {f.min:g}")
        if f.max is not None:
            keep &= values <= f.max
            parts.append(f"{f.column} <= {f.max:g}")
    text = column.astype(str)
    if f.keep is not None:
        keep &= column.isin(f.keep) | text.isin([str(v) for v in f.keep])
        parts.append(f"{f.column} in {[*f.keep]}")
    if f.drop is not None:
        keep &= ~(column.isin(f.drop) | text.isin([str(v) for v in f.drop]))
        parts.append(f"{f.column} not in {[*f.drop]}")
    return keep, f.label or "keep " + " and ".join(parts)


def _apply_filters(
    cfg: StudyConfig, frame: pd.DataFrame, problems: list[str]
) -> tuple[pd.DataFrame, list[DropRecord]]:
    drops = []
    for i, f in enumerate(cfg.data.filters):
        if (f.min is not None or f.max is not None) and not pd.api.types.is_numeric_dtype(
            frame[f.column]
        ):
            problems.append(
                f"data.filters[{i}]: min/max need a numeric column; {f.column!r} holds "
                f"{frame[f.column].dtype} values such as {show_value(frame[f.column].iloc[0])}"
            )
            continue
        keep, label = _filter_mask(frame, f)
        drops.append(DropRecord("data", f"filter: {label}", int((~keep).sum())))
        frame = frame.loc[keep.to_numpy()]
    if len(frame) == 0 and cfg.data.filters:
        problems.append("data.filters: together they remove every row of the data")
    return frame.reset_index(drop=True), drops


def _check_periods(cfg: StudyConfig, frame: pd.DataFrame, problems: list[str]) -> None:
    base = cfg.matching.base
    if cfg.matching.enabled and isinstance(base, int) and base not in set(frame[cfg.time]):
        problems.append(
            f"matching.base: {base} is not a period of {cfg.time!r} "
            f"({frame[cfg.time].min()}-{frame[cfg.time].max()})"
        )


def _source_key(cfg: StudyConfig) -> str:
    return f"treatment.{cfg.treatment.source_keys()[0]}"


def _treat(
    study: Study, frame: pd.DataFrame, adoption: Any, notes: list[str]
) -> TreatmentAssignment:
    cfg, t = study.config, study.config.treatment
    names = t.names.model_dump()
    replaced = [c for c in names.values() if c in frame.columns]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PilotdidWarning)
        try:
            out = assign_treatment(
                frame, adoption, unit=cfg.unit, time=cfg.time, post=t.post,
                post_common=t.post_common, names=names, overwrite=True,
            )  # fmt: skip
        except PanelError as exc:
            raise study_error(study.name, [f"{_source_key(cfg)}: {exc}"]) from None
    notes.extend(str(w.message) for w in caught if issubclass(w.category, PilotdidWarning))
    for column in replaced:
        old = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        new = out.data[column].to_numpy(dtype=float, na_value=np.nan)
        differ = int((~((old == new) | (np.isnan(old) & np.isnan(new)))).sum())
        notes.append(
            f"column {column!r} of the data was recomputed from the roster "
            f"({differ:,} of {len(frame):,} rows differ)"
        )
    absent = out.report.absent_units
    if absent and t.absent_policy() == "error":
        shown = ", ".join(repr(u) for u in absent[:N_SHOWN]) + (", ..." if len(absent) > 5 else "")
        raise study_error(
            study.name,
            [
                f"{_source_key(cfg)}: {len(absent):,} roster unit(s) are not in the data column "
                f"{cfg.unit!r}{' (after data.filters)' if cfg.data.filters else ''}, e.g. {shown}; "
                "fix the codes or set "
                'treatment.absent_units = "note" to ignore them'
            ],
        )
    notes.extend(out.report.messages)
    return out


def _design_problem(cfg: StudyConfig, treatment: TreatmentAssignment) -> str | None:
    """Why the study's DID cannot be estimated (every unit treated, no pre/post period), if so."""
    from pilotdid.panel.identification import did_design_problem

    data, names = treatment.data, cfg.treatment.names
    per_unit = data.groupby(cfg.unit, sort=False)
    seen = per_unit[cfg.time].agg(["min", "max"]).to_numpy(dtype=float)
    cohort = per_unit[names.cohort].first().to_numpy(dtype=float, na_value=np.nan)
    report = treatment.report
    if report.post == "common" and report.post_common is not None:
        cohort = np.where(np.isnan(cohort), np.nan, float(report.post_common))
    return did_design_problem(
        cohort, seen[:, 0], seen[:, 1], unit=str(cfg.unit), treatment=names.did
    )


def _collinear_controls(cfg: StudyConfig, data: pd.DataFrame) -> str | None:
    """Name controls that are constant or linear combinations of the regressors (Table 2's VIF)."""
    from pilotdid.descriptives.correlation import vif_values

    names = list(dict.fromkeys([cfg.treatment.names.did, *cfg.model.controls]))
    x = np.empty((len(data), len(names)))
    for j, name in enumerate(names):  # column by column: no n × k object frame (#19)
        col = data[name]
        if not pd.api.types.is_numeric_dtype(col):
            col = pd.to_numeric(col, errors="coerce")
        x[:, j] = col.to_numpy(dtype=float, na_value=np.nan)
    x = x[~np.isnan(x).any(axis=1)]
    if len(names) < 2 or x.shape[0] <= len(names):
        return None  # too few rows: the VIF table says so itself
    with np.errstate(divide="ignore", invalid="ignore"):
        values = vif_values(x)
    bad = [n for n, v in zip(names, values, strict=True) if not np.isfinite(v) or v > 1e12]
    if not bad:
        return None
    listed = ", ".join(repr(n) for n in bad)
    return (
        f"model.controls: {listed} are constant or linear combinations of each other and the "
        f"treatment {names[0]!r} (VIF above 1e12), so one of them cannot be estimated; remove "
        "the redundant control(s)"
    )


def prepare_panel(study: Study) -> PreparedPanel:
    """Load the panel, check the study file against it, apply the filters and the treatment.

    Cost: reading the file, then O(n k) checks (finite values, unique keys by a dense
    unit × period count grid or a sort, O(n log n) at worst), O(n) treatment assignment and
    an O(n k²) collinearity check of the controls (one Gram matrix). Memory O(n k).

    Parameters
    ----------
    study : Study
        A validated study file (:func:`pilotdid.study.config.load_study`).

    Returns
    -------
    PreparedPanel

    Raises
    ------
    StudyFileError
        Every problem with a key path at once: data or roster file not found, columns the file
        names but the data lacks (with suggestions), roster units absent from the data (unless
        ``treatment.absent_units = "note"``), filters that cannot apply.
    PanelError
        The data cannot be read, or :func:`pilotdid.check_panel` finds problems in it (text in
        numeric columns, duplicate unit-period keys ...), all listed.
    """
    cfg = study.config
    problems: list[str] = []
    notes: list[str] = []
    frame, source, demo = _load(study, problems)
    if frame is not None and cfg.measures is not None:  # [measures]: the outcome column
        from pilotdid.study.outcome import build_outcome

        frame, built = build_outcome(study, frame)
        notes += built
    adoption = _roster(study, problems)
    if frame is not None:
        problems += _missing_columns(cfg, frame.columns)
    if problems or frame is None:
        raise study_error(study.name, problems)
    if cfg.treatment.indicator is not None:  # read before the filters: adoption may predate them
        from pilotdid.study.indicator import indicator_roster

        adoption = indicator_roster(study, frame, notes)
    n_loaded = len(frame)
    frame, drops = _apply_filters(cfg, frame, problems)
    if not problems:
        _check_periods(cfg, frame, problems)
    if problems:
        raise study_error(study.name, problems)
    required = [e.column for e in cfg.exclusions] + fixef_columns(cfg)
    required += [cfg.model.cluster] if cfg.model.cluster is not None else []
    report = check_panel(
        frame, cfg.unit, cfg.time, numeric=numeric_columns(cfg), required=required
    ).raise_if_invalid()
    problems = memory_problems(cfg, len(frame), int(frame[cfg.unit].nunique()))
    if problems:
        raise study_error(study.name, problems)
    treatment = _treat(study, frame, adoption, notes)
    design = _design_problem(cfg, treatment)
    if design:
        raise study_error(study.name, [f"{_source_key(cfg)}: {design}"])
    weights = weight_problems(cfg, treatment.data, int(treatment.cohorts().dropna().nunique()))
    if weights:
        raise study_error(study.name, weights)
    collinear = _collinear_controls(cfg, treatment.data)
    if collinear:
        raise study_error(study.name, [collinear])
    return PreparedPanel(
        data=treatment.data,
        n_loaded=n_loaded,
        source=source,
        drops=tuple(drops),
        check=report,
        treatment=treatment,
        notes=tuple(notes),
        demo=demo,
    )
