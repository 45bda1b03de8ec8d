"""The specification curve's driver: choices, sampling, seeds, tasks, executors, assembly.

The public entry point is :func:`pilotdid.spec_curve` (:mod:`pilotdid.study.curve`), which adds
the matching step from :mod:`pilotdid.matching` (a sibling layer of this one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.errors import PilotdidError
from pilotdid.options import AnalysisHow, validate_option
from pilotdid.panel.adoption import adoption_cohorts
from pilotdid.panel.frames import check_frame
from pilotdid.robustness.spec_choices import DIMENSIONS, expand, normalise_choices, sample_specs
from pilotdid.robustness.spec_curve_result import SpecCurveResult, ssn_test
from pilotdid.robustness.spec_engine import (
    CurveSetup,
    GroupOutput,
    Matcher,
    group_key,
    run_group,
)

__all__ = ["estimate_curve"]


def _seed_state(entropy: int, *key: int) -> int:
    """Return a 32-bit seed spawned from ``entropy`` for the child ``key`` (independent of executors)."""
    return int(np.random.SeedSequence(entropy, spawn_key=key).generate_state(1)[0])


def estimate_curve(
    data: pd.DataFrame,
    outcome: str,
    *,
    unit: str,
    time: str,
    cohort: str,
    treatment: str,
    choices: Mapping[str, Any] | None = None,
    covariates: Sequence[str] | None = None,
    fixef: Sequence[str] | None = None,
    how: AnalysisHow = "matched",
    level: float = 0.95,
    max_specs: int | None = None,
    seed: int | None = None,
    executor: Executor | None = None,
    ssn: bool = False,
    ssn_draws: int = 500,
    matcher: Matcher | None = None,
) -> SpecCurveResult:
    """Estimate the curve; the public entry point is :func:`pilotdid.spec_curve`.

    Same parameters, plus ``matcher``: the matching step (:class:`.spec_engine.Matcher`),
    needed when a matching choice is not ``"none"``.
    """
    validate_option(how, AnalysisHow, "how", PilotdidError)
    if not 0 < level < 1:
        raise PilotdidError(f"spec_curve: level={level!r} must be between 0 and 1")
    if ssn and (isinstance(ssn_draws, bool) or not isinstance(ssn_draws, int) or ssn_draws < 1):
        raise PilotdidError(f"spec_curve: ssn_draws={ssn_draws!r} must be a positive integer")
    if executor is not None and not isinstance(executor, Executor):
        raise PilotdidError(
            f"spec_curve: executor= must be a concurrent.futures.Executor (a process pool, "
            f"Client.get_executor(), ...), not {type(executor).__name__}"
        )
    fixef = tuple(fixef) if fixef is not None else (unit, time)
    check_frame(data, [outcome, treatment, unit, time, *fixef], where="spec_curve",
                keys=(unit, time))  # fmt: skip
    columns = [str(c) for c in data.columns]
    chosen = normalise_choices(choices, columns, unit=unit)
    if covariates is not None:
        missing = [c for c in covariates if c not in data.columns]
        if missing:
            raise PilotdidError(f"spec_curve: covariates {missing} are not columns of the data")
    cohorts = adoption_cohorts(data, unit, cohort, time=time)
    group = "_spec_treated"
    while group in data.columns:
        group = "_" + group
    frame = data.assign(**{group: np.isfinite(cohorts.per_row).astype(np.int64)})
    frame.attrs = {}  # the copy's metadata: pandas deep-copies attrs on every column access
    entropy = int(np.random.SeedSequence().entropy) if seed is None else int(seed)  # type: ignore[arg-type]
    specs = expand(chosen)
    positions = sample_specs(specs, max_specs, _seed_state(entropy, 0))
    null = None
    if ssn:
        from pilotdid.robustness.assignments import draw_units

        per_unit = np.where(np.isnan(cohorts.per_unit), np.inf, cohorts.per_unit)
        rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(1,)))
        null = draw_units(per_unit, ssn_draws, rng).dense()
    setup = CurveSetup(
        frame, outcome, treatment, unit, time, cohort, group,
        None if covariates is None else tuple(covariates), fixef, how, level, chosen,
        cohorts.units, null, matcher,
    )  # fmt: skip
    # one task per matching; the seed of a matching is spawned from its place in the full curve
    all_keys = list(dict.fromkeys(group_key(setup, s) for s in specs))
    tasks: dict[tuple[Any, ...], list[tuple[int, Any]]] = {}
    for pos in positions.tolist():
        tasks.setdefault(group_key(setup, specs[pos]), []).append((pos, specs[pos]))
    args = [
        (setup, items, _seed_state(entropy, 2, all_keys.index(k))) for k, items in tasks.items()
    ]
    if executor is None:
        outputs: list[GroupOutput] = [run_group(*a) for a in args]
    else:
        futures = [executor.submit(run_group, *a) for a in args]
        outputs = [f.result() for f in futures]
    return _assemble(specs, outputs, setup, entropy, len(specs), null is not None)


def _assemble(
    specs: list[Any], outputs: list[GroupOutput], setup: CurveSetup, seed: int, total: int,
    ssn: bool,
) -> SpecCurveResult:  # fmt: skip
    rows: dict[int, dict[str, Any]] = {}
    null_coef: dict[int, np.ndarray] = {}
    null_p: dict[int, np.ndarray] = {}
    for out in outputs:
        rows.update(zip(out.positions, out.rows, strict=True))
        null_coef.update(out.null_coef)
        null_p.update(out.null_p)
    order = sorted(rows)
    fields = ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
    table = pd.DataFrame([rows[p] for p in order], index=pd.Index(order, name="spec"))
    for f in fields:
        if f not in table:
            table[f] = np.nan
    labels = pd.DataFrame([specs[p].labels() for p in order], index=table.index)
    tidy = pd.concat([labels, table[[*fields, "n_obs", "n_treated_units", "note"]]], axis=1)
    for d in DIMENSIONS:
        tidy[d] = pd.Categorical(tidy[d], categories=setup.choices.order(d))
    test = None
    if ssn:
        keep = [p for p in order if p in null_coef]
        if not keep:
            raise PilotdidError("spec_curve: the SSN test needs at least one TWFE specification")
        test = ssn_test(
            tidy.loc[keep], np.vstack([null_coef[p] for p in keep]),
            np.vstack([null_p[p] for p in keep]),
        )  # fmt: skip
    return SpecCurveResult(
        specs=tidy, outcome=setup.outcome, treatment=setup.treatment, level=setup.level,
        n_possible=total, seed=seed, ssn=test,
    )  # fmt: skip
