"""Placebo tests with random fake treatment groups, all draws estimated in one vectorised pass."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.errors import EstimationError, PanelError, PilotdidWarning, did_you_mean
from pilotdid.estimation.batched import BatchedFit, PartialledModel, batched_fit, partial_out
from pilotdid.estimation.design import Design, build_design
from pilotdid.estimation.feols import VcovSpec, cluster_codes, parse_vcov
from pilotdid.estimation.formula import parse_formula
from pilotdid.estimation.unit_batched import prepare_unit_level, unit_level_fit
from pilotdid.memory import placebo_bytes, require_memory
from pilotdid.options import PlaceboKind, deprecated_arguments, validate_option
from pilotdid.panel.adoption import adoption_cohorts
from pilotdid.panel.frames import check_frame, show
from pilotdid.panel.identification import did_design_problem
from pilotdid.robustness.assignments import (
    Draws,
    draw_both,
    draw_timing,
    draw_units,
    enumerate_units,
)
from pilotdid.robustness.placebo_result import PlaceboResult

__all__ = ["placebo"]

#: Elements of one ``n × R`` block of placebo treatments (bounds memory on large panels).
BLOCK_ELEMENTS = 1 << 23


@dataclass(frozen=True, eq=False)
class _Spec:
    """The user's design, parsed once."""

    data: pd.DataFrame
    fml: str
    unit: str
    time: str
    cohort: str
    treatment: str
    weights: str | None
    vcov_kind: str
    cluster: tuple[str, ...]
    row_level: bool = False


@dataclass(frozen=True, eq=False)
class _Sample:
    """The estimation sample seen at the unit level."""

    design: Design
    unit_index: np.ndarray  # (n,) position of each row's unit in `units`
    time: np.ndarray  # (n,) period of each row
    units: np.ndarray  # (N,) unit labels
    cohorts: np.ndarray  # (N,) adoption period, inf = never treated


@deprecated_arguments(("data", "fml", "unit", "time", "cohort", "draws", "kind", "seed"))
def placebo(
    data: pd.DataFrame,
    fml: str,
    *,
    unit: str,
    time: str,
    cohort: str,
    draws: int = 500,
    kind: PlaceboKind = "units",
    seed: int | np.random.Generator | None = None,
    treatment: str | None = None,
    vcov: VcovSpec = None,
    weights: str | None = None,
    n_treated: int | None = None,
    exhaustive: bool = False,
    progress: bool | None = None,
) -> PlaceboResult:
    """Re-estimate a DID with random fake treatment groups (the paper's Figure 1).

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (never modified).
    fml : str
        The DID specification in :func:`pilotdid.feols` syntax, e.g.
        ``"lnESF ~ did + lnHCL + FIN | city + year"``.
    unit, time : str
        Unit and period columns.
    cohort : str
        Column with each unit's adoption period (constant within unit). Missing, 0 or +inf mean
        never treated (see :func:`pilotdid.panel.adoption.adoption_cohorts`).
    draws : int, default 500
        Number of placebo assignments.
    kind : {"units", "timing", "both"}
        ``"units"``: as many fake treated units as real ones, drawn at random at the unit level,
        keeping the adoption periods' distribution. ``"timing"``: the real treated units with the
        policy date moved to a random earlier period, on the pre-policy sample only.
        ``"both"``: random units with random adoption periods (the mixed placebo).
    seed : int or numpy.random.Generator, optional
        Makes the draws reproducible.
    treatment : str, optional
        The DID regressor in ``fml``; defaults to its first regressor.
    vcov : str or dict, optional
        Variance estimator for every draw (default as :func:`pilotdid.feols`: clustered by the
        first fixed effect).
    weights : str, optional
        Column of analytic weights.
    n_treated : int, optional
        Number of fake treated units per draw for ``kind="units"``/``"both"``; by default as many
        as really treated (with other counts, adoption periods follow the real ones' shares).
    exhaustive : bool, default False
        Enumerate every assignment of the treated units instead of drawing (exact randomization
        inference; ``kind="units"`` with a single adoption period only).
    progress : bool, optional
        Show a progress bar; by default only when the work is large.

    Returns
    -------
    PlaceboResult
        Every draw's coefficient, standard error, t and p, the true estimate and the
        randomization-inference p-values.

    Notes
    -----
    Draws are stored sparsely (the fake-treated units of each draw; ``PlaceboResult.assigned``)
    and estimated together: with the unit among the fixed effects and iid or unit-nested
    clustered errors, from per-unit tables, touching only each draw's fake-treated units plus one
    matrix product shared by a block of draws (see :mod:`pilotdid.estimation.unit_batched`);
    otherwise the outcome and the controls are partialled out once and each block of placebo
    treatments is demeaned and projected in one pass (see :mod:`pilotdid.estimation.batched`). Each draw's numbers equal a separate
    :func:`pilotdid.feols` call with that fake treatment.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"unit": np.repeat(np.arange(30), 6), "year": np.tile(np.arange(6), 30)})
    >>> df["cohort"] = np.where(df["unit"] < 8, 3.0, np.nan)
    >>> df["did"] = (df["year"] >= df["cohort"]).astype(float)
    >>> df["y"] = 0.5 * df["did"] + rng.normal(size=len(df))
    >>> res = placebo(
    ...     df, "y ~ did | unit + year", unit="unit", time="year", cohort="cohort", draws=200, seed=1
    ... )
    >>> res.draws.shape[0]
    200
    """
    validate_option(kind, PlaceboKind, "kind", EstimationError)
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws <= 0:
        raise EstimationError(f"draws={draws!r} must be a positive integer (e.g. 500)")
    formula = parse_formula(fml)
    vkind, cluster = parse_vcov(vcov, formula.fixef, fml)
    # the formula's own columns are checked by build_design; the cohort may hold +inf (never)
    used = [unit, time, weights, *cluster, *formula.fixef_columns]
    check_frame(data, used, where="placebo", keys=(unit, time), unique_keys=True, periods=time)
    spec = _Spec(
        data,
        fml,
        unit,
        time,
        cohort,
        treatment or formula.rhs_names[0] or formula.rhs_terms[0],
        weights,
        vkind,
        cluster,
    )
    full = _sample(spec, data)
    _check_design(full, spec)
    if not exhaustive:
        require_memory(
            placebo_bytes(int(draws), full.units.size, kind),
            f"placebo draws = {int(draws):,} over {full.units.size:,} units",
            "use fewer draws (500 to 10,000 is usual; the p-value's precision grows with the "
            "square root of the draws)",
            EstimationError,
        )
    fit_full = _fitter(spec, full)
    true_fit = fit_full(Draws.from_dense(full.cohorts[None, :]), False)
    if not np.isfinite(true_fit.coef[0]):
        raise EstimationError(
            f"the observed {spec.treatment!r} coefficient of {fml!r} cannot be estimated: "
            f"{spec.treatment!r} has no variation left after the fixed effects and the controls "
            "(it is collinear with them), so there is no estimate for the placebo draws to be "
            "compared with; drop the control that duplicates it or check the treatment coding"
        )
    cohorts = _placebo_cohorts(full.cohorts, n_treated, kind, unit)
    rng = np.random.default_rng(seed)
    sample, assignments = _draws(spec, replace(full, cohorts=cohorts), kind, draws, exhaustive, rng)
    fit_draws = fit_full if sample.design is full.design else _fitter(spec, sample)
    fits = fit_draws(assignments, progress)
    _check_draws(fits, spec.treatment, kind)
    return PlaceboResult.from_fits(
        true_fit=true_fit,
        fits=fits,
        assigned=assignments,
        unit_labels=pd.Index(sample.units, name=unit),
        kind=kind,
        seed=seed if isinstance(seed, int | None) else None,
        treatment=spec.treatment,
        fml=fml,
        exhaustive=exhaustive,
        n_treated=int(np.isfinite(cohorts).sum()),
        nobs=sample.design.n_obs,
    )


def _placebo_cohorts(
    cohorts: np.ndarray, n_treated: int | None, kind: str, unit: str
) -> np.ndarray:
    """Cohort vector whose permutations are the placebo draws (``n_treated`` finite entries)."""
    treated = cohorts[np.isfinite(cohorts)]
    if n_treated is None or n_treated == treated.size:
        return cohorts
    if kind == "timing":
        raise EstimationError(
            "n_treated applies to kind='units' or 'both'; 'timing' keeps the real treated units"
        )
    if (
        isinstance(n_treated, bool)
        or not isinstance(n_treated, int | np.integer)
        or not 0 < n_treated < cohorts.size
    ):
        raise EstimationError(
            f"n_treated={n_treated!r} must be a whole number between 1 and {cohorts.size - 1} "
            f"(there are {cohorts.size} {unit} units in the sample)"
        )
    # adoption periods spread over the real ones in proportion to their shares
    periods = np.sort(treated)[np.linspace(0, treated.size - 1, n_treated).round().astype(int)]
    out = np.full(cohorts.size, np.inf)
    out[:n_treated] = periods
    return out


def _draws(
    spec: _Spec, full: _Sample, kind: str, draws: int, exhaustive: bool, rng: np.random.Generator
) -> tuple[_Sample, Draws]:
    """Return the sample the draws are estimated on and the drawn adoption periods."""
    periods = np.unique(full.time)
    if exhaustive:
        if kind != "units":
            raise EstimationError("exhaustive=True is only available for kind='units'")
        return full, enumerate_units(full.cohorts)
    if kind == "units":
        return full, draw_units(full.cohorts, draws, rng)
    if kind == "both":
        return full, draw_both(full.cohorts, periods[1:], draws, rng)
    first = float(np.min(full.cohorts[np.isfinite(full.cohorts)]))
    window = periods[(periods > periods[0]) & (periods < first)]
    if window.size < 1:
        raise EstimationError(
            f"kind='timing' needs pre-policy periods after the first one before the earliest "
            f"adoption ({first:g}); the data start at {periods[0]:g}"
        )
    pre = spec.data[pd.to_numeric(spec.data[spec.time], errors="coerce") < first]
    sample = _sample(spec, pre, pre_policy=True)
    return sample, draw_timing(sample.cohorts, window, draws, rng)


def _sample(spec: _Spec, data: pd.DataFrame, *, pre_policy: bool = False) -> _Sample:
    """Build the estimation sample; ``pre_policy`` marks the fake-timing sample cut before adoption."""
    for column in (spec.unit, spec.time, spec.cohort):
        if column not in data.columns:
            raise PanelError(f"column {column!r} not found{did_you_mean(column, data.columns)}")
    design = build_design(
        parse_formula(spec.fml),
        data,
        weights=spec.weights,
        extra_columns=[*spec.cluster, spec.unit, spec.time],
        keys=(spec.unit, spec.time),
    )
    if spec.treatment not in design.names:
        raise EstimationError(
            f"treatment {spec.treatment!r} is not a regressor of {spec.fml!r}{did_you_mean(spec.treatment, design.names)}"
        )
    rows = design.rows
    unit_index, units = pd.factorize(data[spec.unit].iloc[rows], sort=True)
    period = pd.to_numeric(data[spec.time].iloc[rows], errors="coerce").to_numpy(dtype=float)
    per_unit = _unit_cohorts(spec, data, rows, pd.Index(units), period, pre_policy)
    sample = _Sample(design, unit_index, period, np.asarray(units), per_unit)
    if not pre_policy:
        _check_treatment(sample, spec)
    return sample


def _unit_cohorts(
    spec: _Spec,
    data: pd.DataFrame,
    rows: np.ndarray,
    units: pd.Index,
    period: np.ndarray,
    pre_policy: bool,
) -> np.ndarray:
    """One adoption period per unit of ``units`` (``inf`` = never treated), validated.

    The never-treated rule is :func:`pilotdid.panel.adoption.adoption_cohorts` (missing, 0 or
    +inf mean never treated), applied to the estimation sample's rows.
    """
    columns = list(dict.fromkeys([spec.unit, spec.cohort, spec.time]))
    found = adoption_cohorts(data[columns].iloc[rows], spec.unit, spec.cohort, time=spec.time)
    per_unit = found.series(never=np.inf).reindex(units).to_numpy(dtype=float)
    last = float(period.max())
    late = np.isfinite(per_unit) & (per_unit > last) & (not pre_policy)
    if late.any():
        raise PanelError(
            f"cohort column {spec.cohort!r} dates {int(late.sum())} unit(s) after the last period "
            f"({last:g}), e.g. {spec.unit} {show(units[int(np.flatnonzero(late)[0])])} at {per_unit[late][0]:g}; "
            "they are never treated in the sample: code their cohort as missing or extend the panel"
        )
    if not np.isfinite(per_unit).any():
        raise EstimationError(
            f"cohort column {spec.cohort!r} marks no treated unit in the sample of {spec.fml!r}"
        )
    return per_unit


def _check_treatment(sample: _Sample, spec: _Spec) -> None:
    observed = sample.design.x[:, sample.design.names.index(spec.treatment)]
    implied = (sample.time >= sample.cohorts[sample.unit_index]).astype(float)
    mismatch = int((observed != implied).sum())
    if mismatch:
        raise EstimationError(
            f"treatment {spec.treatment!r} differs from 1[time >= {spec.cohort}] in {mismatch} rows; the "
            f"placebo redraws {spec.treatment!r} from the cohorts, so both must describe the same design"
        )


def _check_design(sample: _Sample, spec: _Spec) -> None:
    """Refuse a design without a comparison group or without pre/post periods, naming the cause."""
    first = np.full(sample.units.size, np.inf)
    last = np.full(sample.units.size, -np.inf)
    np.minimum.at(first, sample.unit_index, sample.time)
    np.maximum.at(last, sample.unit_index, sample.time)
    problem = did_design_problem(
        sample.cohorts, first, last, units=sample.units, unit=spec.unit, treatment=spec.treatment
    )
    if problem:
        raise EstimationError(f"placebo test of {spec.fml!r}: {problem}")


def _check_draws(fits: BatchedFit, treatment: str, kind: str) -> None:
    """Refuse a run whose draws are all undefined; warn with the count when some are."""
    failed = int((~np.isfinite(fits.coef) | ~np.isfinite(fits.se)).sum())
    if failed == fits.coef.size:
        raise EstimationError(
            f"none of the {failed:,} placebo draws could be estimated: every fake {treatment!r} "
            f"is collinear with the fixed effects and controls (kind={kind!r}); the test has no "
            "reference distribution; try kind='units' or a sample with more periods"
        )
    if failed:
        warnings.warn(
            f"{failed:,} of {fits.coef.size:,} placebo draws could not be estimated (the fake "
            f"{treatment!r} was collinear with the fixed effects and controls); they are left "
            "out of the randomization-inference p-values (PlaceboResult.n_failed)",
            PilotdidWarning,
            stacklevel=3,
        )


def _fitter(spec: _Spec, sample: _Sample) -> Callable[[Draws, bool | None], BatchedFit]:
    """Prepare the sample once; return a function estimating the DID for every draw."""
    design = sample.design
    controls = np.array(
        [j for j, name in enumerate(design.names) if name != spec.treatment], dtype=int
    )
    clusters = (
        cluster_codes(spec.data, spec.cluster, design.rows, design.spec.text, design.fe)
        if spec.vcov_kind == "CRV1"
        else None
    )
    if not spec.row_level:
        shortcut = prepare_unit_level(
            design, controls, spec.unit, sample.unit_index, sample.time, spec.vcov_kind, clusters
        )
        if shortcut is not None:  # per-unit tables: no pass over the rows per draw
            return lambda draws, progress: unit_level_fit(shortcut, draws.unit, draws.period)
    model = partial_out(design, controls, spec.vcov_kind, clusters)
    return lambda assignments, progress: _row_level(model, sample, assignments, progress)


def _row_level(
    model: PartialledModel, sample: _Sample, assignments: Draws, progress: bool | None
) -> BatchedFit:
    """Demean blocks of placebo treatment columns together (any fixed effects and vcov)."""
    n, total = model.n_obs, assignments.n_draws
    width = max(1, min(total, BLOCK_ELEMENTS // max(n, 1)))
    coef, se = np.empty(total), np.empty(total)
    show = progress if progress is not None else n * total > 5e8
    with _progress(show, total) as advance:
        for start in range(0, total, width):
            block = assignments.dense(slice(start, start + width))
            fit = _fit_block(model, sample, block)
            coef[start : start + len(block)], se[start : start + len(block)] = fit.coef, fit.se
            advance(len(block))
    return BatchedFit(coef, se, model.df_t)


def _fit_block(model: PartialledModel, sample: _Sample, block: np.ndarray) -> BatchedFit:
    adoption = np.take(block.T, sample.unit_index, axis=0, mode="clip")  # (n, R) fake dates
    treatments = np.greater_equal(sample.time[:, None], adoption).astype(np.float64)
    return batched_fit(model, treatments)


def _progress(show: bool, total: int) -> Any:
    if not show:
        return nullcontext(lambda step: None)
    return _RichProgress(total)


class _RichProgress:
    """A rich progress bar for long placebo runs, used as a context manager."""

    def __init__(self, total: int) -> None:
        from rich.progress import Progress

        self._bar = Progress(transient=True)
        self._task = self._bar.add_task("placebo draws", total=total)

    def __enter__(self) -> Any:
        self._bar.start()
        return lambda step: self._bar.advance(self._task, step)

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()
