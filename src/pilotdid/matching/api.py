"""``pilotdid.match``: the public entry point; validates once, then hands arrays to the core."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.errors import MatchingError, PilotdidWarning, did_you_mean
from pilotdid.matching.engine import MatchSpec
from pilotdid.matching.panel_modes import ModeOutput, PanelInput, run_mode
from pilotdid.matching.result import MatchResult
from pilotdid.memory import matching_bytes, require_memory
from pilotdid.options import (
    CaliperScale,
    KernelType,
    MatchDistance,
    MatchMethod,
    MatchOrder,
    PanelMode,
    ScoreModel,
    validate_option,
)
from pilotdid.panel.frames import check_frame

__all__ = ["match"]


def _require_columns(data: pd.DataFrame, names: Sequence[str | None], role: str) -> None:
    for name in names:
        if name is not None and name not in data.columns:
            hint = did_you_mean(str(name), [str(c) for c in data.columns])
            raise MatchingError(f"{role} column {name!r} is not in the data{hint}.")


def _check_treatment(data: pd.DataFrame, treatment: str) -> None:
    values = data[treatment].dropna()
    bad = values[~values.isin([0, 1])]
    if len(bad):
        shown = ", ".join(repr(v) for v in np.asarray(pd.unique(bad))[:3].tolist())
        raise MatchingError(
            f"treatment {treatment!r} must be coded 0/1; found {shown}; recode it "
            "(e.g. (df[col] == 'yes').astype(int))."
        )


def _check_covariates(data: pd.DataFrame, covariates: list[str]) -> None:
    for c in covariates:
        if not pd.api.types.is_numeric_dtype(data[c]):
            raise MatchingError(
                f"covariate {c!r} is not numeric ({data[c].dtype}); encode it as numbers first."
            )
        if data[c].isna().all():
            raise MatchingError(f"covariate {c!r} is missing in every row; remove it.")


def _spec(
    model: str,
    method: str,
    distance: str,
    k: int,
    replace: bool,
    ties: bool,
    order: str,
    caliper: float | None,
    caliper_scale: str,
    kernel: str,
    bandwidth: float,
    common: bool,
    trim: float | None,
    seed: int | None,
) -> MatchSpec:
    validate_option(model, ScoreModel, "model", MatchingError)
    validate_option(method, MatchMethod, "method", MatchingError)
    validate_option(distance, MatchDistance, "distance", MatchingError)
    validate_option(order, MatchOrder, "order", MatchingError)
    validate_option(caliper_scale, CaliperScale, "caliper_scale", MatchingError)
    validate_option(kernel, KernelType, "kernel", MatchingError)
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise MatchingError(f"k={k!r} must be a positive integer (number of neighbours).")
    if caliper is not None and not caliper > 0:
        raise MatchingError(f"caliper={caliper!r} must be positive (or None for no caliper).")
    if not bandwidth > 0:
        raise MatchingError(f"bandwidth={bandwidth!r} must be positive.")
    if trim is not None and not 0 <= trim < 100:
        raise MatchingError(f"trim={trim!r} is a percentage of treated units in [0, 100).")
    if method == "radius" and caliper is None:
        raise MatchingError("method='radius' needs caliper= (the radius).")
    if method != "nearest" and not replace:
        raise MatchingError("replace=False is only available with method='nearest'.")
    if distance == "mahalanobis" and method != "nearest":
        raise MatchingError("distance='mahalanobis' is only available with method='nearest'.")
    if distance == "mahalanobis" and caliper is not None and caliper_scale == "sd":
        raise MatchingError(
            "with distance='mahalanobis' the caliper is in Mahalanobis-distance units; "
            "use caliper_scale='score'."
        )
    return MatchSpec(
        model,
        method,
        distance,
        int(k),
        bool(replace),
        bool(ties),
        order,
        None if caliper is None else float(caliper),
        caliper_scale,
        kernel,
        float(bandwidth),
        bool(common),
        None if trim is None else float(trim),
        seed,
    )


def _check_panel(
    data: pd.DataFrame,
    panel: str,
    treatment: str,
    unit: str | None,
    time: str | None,
    base: Any,
    policy_year: Any,
) -> None:
    if panel in ("base_year", "by_year") and time is None:
        raise MatchingError(f"panel={panel!r} needs time= (the period column).")
    if panel != "base_year":
        return
    if unit is None:
        raise MatchingError("panel='base_year' needs unit= (the unit identifier column).")
    varies = data.groupby(unit, sort=False)[treatment].nunique(dropna=True) > 1
    if varies.any():
        raise MatchingError(
            f"treatment {treatment!r} varies within unit {varies.index[varies][0]!r}; "
            "base_year matching needs a unit-level indicator (ever treated), not treat x post."
        )
    if base == "pre_mean":
        if policy_year is None:
            raise MatchingError("base='pre_mean' needs policy_year= (first treated period).")
    elif base != "first" and not (data[time] == base).any():
        raise MatchingError(
            f"base={base!r} is not a value of {time!r}; use a period in the data, "
            "'first' or 'pre_mean'."
        )


def _counts_and_notes(
    out: ModeOutput, n_missing: int, panel: str
) -> tuple[dict[str, Any], list[str]]:
    f = out.frame
    treated = f["_treated"] == 1
    counts = {
        "n_treated": int(treated.sum()),
        "n_controls": int((~treated).sum()),
        "n_matched_treated": int((treated & (f["_support"] == 1)).sum()),
        "n_used_controls": int((~treated & f["_weight"].notna()).sum()),
        **{k: int(v) for k, v in out.counts.items()},
        "n_excluded": n_missing,
    }
    from pilotdid._text import counted

    unit = "treated unit" if panel == "base_year" else "treated row"
    notes = list(out.notes)
    if counts.get("off_common"):
        n = counts["off_common"]
        notes.append(
            f"{counted(n, unit)} {'is' if n == 1 else 'are'} off common support "
            "(score outside the controls' range)."
        )
    if counts.get("off_trim"):
        n = counts["off_trim"]
        notes.append(
            f"{counted(n, unit)} {'was' if n == 1 else 'were'} trimmed (lowest control density)."
        )
    if counts.get("no_match"):
        n = counts["no_match"]
        notes.append(
            f"{counted(n, unit)} had no control within the caliper or bandwidth and "
            f"{'was' if n == 1 else 'were'} set off support (psmatch2 convention)."
        )
    return counts, notes


def _survivors_note(counts: dict[str, Any], spec: MatchSpec, panel: str) -> str | None:
    """Refuse a match that keeps no treated unit; warn when it keeps fewer than half of them."""
    treated, kept = counts["n_treated"], counts["n_matched_treated"]
    unit = "units" if panel == "base_year" else "rows"
    cause = (
        f"the caliper ({spec.caliper:g}, {spec.caliper_scale})"
        if spec.caliper is not None
        else "common support / trimming / the bandwidth"
    )
    if treated and not kept:
        raise MatchingError(
            f"matching kept none of the {treated:,} treated {unit}: {cause} left every one "
            "without a control, so there is no PSM-DID sample; widen the caliper (or use "
            "caliper_scale='sd'), or drop common_support/trim"
        )
    if kept < treated / 2:
        return (
            f"only {kept:,} of {treated:,} treated {unit} ({kept / treated:.0%}) are matched; "
            f"{cause} drops the rest, so the PSM-DID estimate describes a small, selected part "
            "of the treated; consider widening the caliper"
        )
    return None


def _is_psmatch2(name: Any) -> bool:
    """Columns psmatch2 would overwrite (a previous match's output)."""
    s = str(name)
    fixed = ("_pscore", "_treated", "_support", "_weight", "_id", "_nn", "_pdif")
    return s in fixed or (s.startswith("_n") and s[2:].isdigit())


def match(
    data: pd.DataFrame,
    treatment: str,
    covariates: Sequence[str],
    *,
    model: ScoreModel = "logit",
    method: MatchMethod = "nearest",
    k: int = 1,
    replace: bool = True,
    ties: bool = False,
    order: MatchOrder = "largest",
    caliper: float | None = None,
    caliper_scale: CaliperScale = "score",
    kernel: KernelType = "epan",
    bandwidth: float = 0.06,
    distance: MatchDistance = "pscore",
    common: bool = False,
    trim: float | None = None,
    panel: PanelMode | None = None,
    unit: str | None = None,
    time: str | None = None,
    base: Any = "first",
    policy_year: Any = None,
    pscore: str | None = None,
    seed: int | None = None,
) -> MatchResult:
    """Propensity-score matching with psmatch2 output, for PSM-DID on panels.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (or cross-section). Never modified.
    treatment : str
        0/1 treatment column (for ``base_year``: the unit-level "ever treated" indicator).
    covariates : sequence of str
        Covariates of the propensity model (and of Mahalanobis matching and the balance table).
    model : {"logit", "probit"}, default "logit"
        Score model (psmatch2's default is probit; pass ``model="probit"`` for parity).
    method : {"nearest", "radius", "kernel"}, default "nearest"
        Nearest neighbour (psmatch2 ``neighbor(k)``), radius (``radius caliper()``: all controls
        within the caliper, equal weights) or kernel (``kernel kerneltype() bwidth()``).
    k : int, default 1
        Number of nearest neighbours.
    replace : bool, default True
        Match with replacement (psmatch2's default). ``False`` gives greedy matching without
        replacement in ``order`` (MatchIt's default; with k > 1 in rounds, as MatchIt).
    ties : bool, default False
        Keep all controls exactly as near as the k-th nearest (psmatch2 ``ties``); weights 1/n_i.
    order : {"largest", "smallest", "data", "random"}, default "largest"
        Order of the treated units without replacement: descending score (MatchIt's default),
        ascending (psmatch2 ``noreplacement``), data order, or random with ``seed``.
    caliper : float, optional
        Largest allowed distance; treated units without a control inside it are set off support
        (psmatch2). Required for ``method="radius"``.
    caliper_scale : {"score", "sd"}, default "score"
        ``"score"``: in propensity-score units (psmatch2). ``"sd"``: in standard deviations of the
        score over the units on support (MatchIt's ``std.caliper=TRUE``).
    kernel : {"epan", "normal", "biweight", "uniform", "tricube"}, default "epan"
    bandwidth : float, default 0.06
        Kernel bandwidth in score units (psmatch2's default).
    distance : {"pscore", "mahalanobis"}, default "pscore"
        Match on the score, or on the Mahalanobis distance of the covariates (pooled
        within-group covariance; the caliper is then in Mahalanobis units; ``ties`` is ignored).
    common : bool, default False
        Impose common support: treated units outside the controls' score range are off support.
    trim : float, optional
        psmatch2 ``trim(#)``: also drop this percentage of treated units where the control score
        density is lowest.
    panel : {"base_year", "by_year", "pooled"}, optional
        Default ``"base_year"`` when ``unit`` and ``time`` are given, else ``"pooled"``.
    unit, time : str, optional
        Unit and period columns.
    base : "first", "pre_mean" or a period, default "first"
        For ``base_year``: match on this period's covariates (``"first"``: the earliest period), or
        on their mean over the periods before ``policy_year`` (``"pre_mean"``).
    policy_year : optional
        First policy period (needed for ``base="pre_mean"``).
    pscore : str, optional
        Column with a score to match on instead of estimating one (psmatch2 ``pscore()``).
    seed : int, optional
        Seed for ``order="random"``.

    Returns
    -------
    MatchResult

    Raises
    ------
    MatchingError
        Treatment not 0/1, a covariate missing everywhere, constant or collinear, separation in
        the score model, fewer than 2 treated or control units, no control within the caliper.

    Examples
    --------
    >>> import numpy as np, pandas as pd, pilotdid as pdid
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"x1": rng.normal(size=400), "x2": rng.normal(size=400)})
    >>> df["d"] = (0.8 * df.x1 - 0.5 * df.x2 + rng.normal(size=400) > 1).astype(int)
    >>> res = pdid.match(df, "d", ["x1", "x2"], caliper=0.05, common=True)
    >>> sorted(c for c in res.data.columns if c.startswith("_"))[:4]
    ['_id', '_n1', '_nn', '_pdif']
    """
    if not isinstance(data, pd.DataFrame):
        raise MatchingError(f"data must be a pandas DataFrame, not {type(data).__name__}.")
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if not covariates and pscore is None:
        raise MatchingError("covariates is empty; give at least one covariate (or pscore=).")
    _require_columns(data, [treatment], "treatment")
    _require_columns(data, covariates, "covariate")
    _require_columns(data, [unit], "unit")
    _require_columns(data, [time], "time")
    _require_columns(data, [pscore], "pscore")
    keys = (unit, time) if unit is not None and time is not None else None
    check_frame(
        data, [treatment, *covariates, unit, time, pscore], where="match", keys=keys,
        unique_keys=True,
    )  # fmt: skip
    _check_treatment(data, treatment)
    _check_covariates(data, covariates)
    spec = _spec(
        model,
        method,
        distance,
        k,
        replace,
        ties,
        order,
        caliper,
        caliper_scale,
        kernel,
        bandwidth,
        common,
        trim,
        seed,
    )
    if method == "nearest":
        require_memory(
            matching_bytes(spec.k, len(data)),
            f"k = {spec.k:,} nearest neighbours over {len(data):,} rows",
            "use fewer neighbours (k = 1 to 5 is usual; more than the number of controls "
            "adds nothing)",
            MatchingError,
        )
    if panel is None:
        panel = "base_year" if unit is not None and time is not None else "pooled"
    validate_option(panel, PanelMode, "panel", MatchingError)
    _check_panel(data, panel, treatment, unit, time, base, policy_year)
    pi = PanelInput(data, treatment, covariates, spec, panel, unit, time, pscore, base, policy_year)
    out = run_mode(pi)
    needed = [treatment, *covariates] + ([pscore] if pscore else [])
    n_missing = 0 if panel == "base_year" else int(data[needed].isna().any(axis=1).sum())
    counts, notes = _counts_and_notes(out, n_missing, panel)
    survivors = _survivors_note(counts, spec, panel)
    if survivors:
        notes.insert(0, survivors)
        warnings.warn(survivors, PilotdidWarning, stacklevel=2)
    if panel != "base_year" and counts["n_excluded"]:
        msg = (
            f"{counts['n_excluded']} rows with a missing treatment, covariate or score were "
            "left out of matching (their psmatch2 columns are missing)."
        )
        notes.insert(0, msg)
        warnings.warn(msg, PilotdidWarning, stacklevel=2)
    if distance == "mahalanobis" and ties:
        notes.append("ties is ignored with Mahalanobis matching (as in psmatch2).")
    result_data = data.drop(columns=[c for c in data.columns if _is_psmatch2(c)])
    for col in out.columns.columns:  # positional: the input index may have duplicates
        result_data[col] = out.columns[col].to_numpy()
    return MatchResult(
        data=result_data,
        pairs=out.pairs,
        frame=out.frame,
        fits=out.fits,
        spec=spec,
        treatment=treatment,
        covariates=tuple(covariates),
        panel=panel,
        unit=unit,
        time=time,
        caliper=out.caliper,
        notes=tuple(notes),
        counts=counts,
    )
