"""Split-sample heterogeneity with a test of the difference between groups (Table 4, cols 3–6)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from pilotdid.errors import EstimationError, PilotdidWarning, did_you_mean
from pilotdid.estimation.feols import VcovSpec, feols, parse_vcov
from pilotdid.estimation.formula import FormulaSpec, cluster_argument, parse_formula
from pilotdid.estimation.randomization import ri_pvalue
from pilotdid.estimation.result import FeolsResult
from pilotdid.estimation.vcov import cluster_factor
from pilotdid.mechanisms.grouping import Grouping, adoption_periods, classify, first_adoption
from pilotdid.mechanisms.heterogeneity_result import HeterogeneityResult, PermutationTest
from pilotdid.mechanisms.permutation import (
    draw_labels,
    loop_statistics,
    permutation_statistics,
    prepare_permutation,
    spread,
)
from pilotdid.mechanisms.pooled import contrasts, joint_test, pooled_model, vcov_spec
from pilotdid.memory import permutation_bytes, require_memory
from pilotdid.options import (
    HeterogeneityTest,
    PermutationStrata,
    SplitMeasured,
    SplitRule,
    deprecated_arguments,
    validate_option,
)
from pilotdid.panel.frames import check_frame

__all__ = ["heterogeneity"]


@deprecated_arguments(("data", "fml", "by", "split", "measured", "test"))
def heterogeneity(
    data: pd.DataFrame,
    fml: str,
    by: str,
    *,
    split: SplitRule | Sequence[float] = "median",
    measured: SplitMeasured = "pre",
    test: HeterogeneityTest = "both",
    unit: str | None = None,
    time: str | None = None,
    cohort: str | None = None,
    treatment: str | None = None,
    vcov: VcovSpec = None,
    weights: str | None = None,
    permutations: int = 1000,
    seed: int | None = None,
    strata: PermutationStrata = "cohort",
) -> HeterogeneityResult:
    """Re-estimate a DID in groups split by ``by`` and test whether the effects differ.

    The paper splits at the median of each mechanism variable and compares the coefficients by
    eye; referees ask for a test. This function reports two: the difference from a pooled,
    fully interacted model with clustered standard errors, and a Fisher permutation test that
    shuffles group labels across units.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (never modified).
    fml : str
        The specification in :func:`pilotdid.feols` syntax, e.g.
        ``"lnESF ~ TP + lnHCL + FIN | code + year"``.
    by : str
        Split variable.
    split : {"median", "mean", "column"} or sequence of float, default "median"
        Two groups cut at the median (or mean) — "High" above it, "Low" at or below — or
        groups at these quantile levels (``[0.25, 0.5, 0.75]``: ``Q1`` … ``Q4``), or
        ``"column"``: the values of ``by`` are the group labels. Thresholds are taken over
        the units (``measured="pre"``) or rows (``"contemporaneous"``) of ``data`` that have a
        value of ``by`` — pass the analysis sample (e.g. the matched sample) as ``data``.
    measured : {"pre", "contemporaneous"}, default "pre"
        ``"pre"`` classifies each **unit** by its mean of ``by`` before the earliest adoption
        period, so membership cannot respond to the policy and each unit stays in one group.
        ``"contemporaneous"`` classifies each row by its current value — probably the paper's
        practice — and is a bad control when the policy moves ``by`` (treated units migrate
        into the "high" group *because* they were treated); a :class:`~pilotdid.PilotdidWarning`
        says so. Ignored with ``split="column"``.
    test : {"both", "pooled", "permutation", "none"}, default "both"
        Which difference tests to run. The permutation test needs unit-level groups; with
        row-level groups it is skipped (or, when asked for alone, an error).
    unit, time : str, optional
        Unit and period columns; default to the first and second fixed effects of ``fml``.
        When both are given, each (unit, time) key must occur at most once.
    cohort : str, optional
        Adoption-period column (missing, 0 or +inf = never treated, see
        :func:`pilotdid.panel.adoption.adoption_cohorts`). Without it the pre-policy period
        ends at the first period in which the treatment dummy is 1, and cohorts for the
        permutation strata come from the dummy.
    treatment : str, optional
        The DID regressor; defaults to the first regressor of ``fml``.
    vcov : str or dict, optional
        Variance estimator as in :func:`pilotdid.feols` (default: clustered by the first fixed
        effect) for the group regressions and the pooled model.
    weights : str, optional
        Column of analytic weights (e.g. matching weights).
    permutations : int, default 1000
        Number of label shuffles.
    seed : int, optional
        Seed of the shuffles.
    strata : {"cohort", "none"}, default "cohort"
        Shuffle labels within adoption cohorts (never-treated units are one cohort), so each
        group keeps its number of treated units, or across all units.

    Returns
    -------
    HeterogeneityResult
        ``models`` (one :func:`pilotdid.feols` result per group), ``pooled``, ``differences``,
        ``joint``, ``permutation``; ``.table()`` lays the groups out as the paper's Table 4.

    Notes
    -----
    *Pooled test.* ``y ~ Σ_g 1[g]·(D + X) | unit^g + year^g``: each group has its own control
    slopes, unit and year effects, so the group coefficients equal the split regressions'
    exactly, while one cluster-robust variance gives their covariance. The contrast
    ``β_g − β_ref`` is tested with a t-test (G − 1 degrees of freedom under clustering); with
    more than two groups an F test of equality is reported as well.

    *Permutation test.* Group labels are shuffled across units and the contrast re-estimated
    for each shuffle, all draws at once from per-unit cross-products (see
    :mod:`pilotdid.mechanisms.permutation`); the p-values count the observed labelling. Both the
    coefficient difference and the clustered Wald statistic are permuted. Each draw equals a
    refit of the group regressions on the relabelled data; 1,000 draws on the 3,025-row demo
    panel take well under a second.

    *Cost.* For ``n`` rows, ``N`` units, ``K`` groups, ``R`` permutations and ``p`` moment
    columns (outcome, regressors and the dummies of the fixed effects other than the unit's):
    time O(n·p² + R·K·N·p² + R·K·p³) — the group fits and the pooled model are O(n·p²) each,
    the draws are two ``(R·K × N) @ (N × p²/2)`` products — and memory O(n·p + N·p² + R·N)
    (the ``R × N`` one-byte labels kept in ``permutation.assignments``); the draws are solved
    in blocks of a fixed byte budget and clusters are summed sparsely, so nothing grows with
    units² or with rows × draws. On a 1M-row firm panel (100,000 units × 10 years, 5 controls,
    clustered by unit) 1,000 permutations take about 10 s of one core and under 1.5 GB
    (``benchmarks/bench_mechanisms.py``). Designs too wide for per-unit moments (more than
    120 dummies) refit the pooled model per draw: time O(R·n·p²).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"unit": np.repeat(np.arange(40), 6), "year": np.tile(np.arange(6), 40)})
    >>> df["did"] = ((df["unit"] % 2 == 0) & (df["year"] >= 3)).astype(float)
    >>> df["m"] = rng.normal(size=40)[df["unit"]] + rng.normal(size=len(df))
    >>> df["y"] = 0.5 * df["did"] + rng.normal(size=len(df))
    >>> res = heterogeneity(df, "y ~ did | unit + year", "m", permutations=99, seed=1)
    >>> list(res.models)
    ['High m', 'Low m']
    >>> bool(0 < res.permutation.p_coef <= 1)
    True
    """
    if not isinstance(data, pd.DataFrame):
        raise EstimationError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    validate_option(test, HeterogeneityTest, "test", EstimationError)
    validate_option(strata, PermutationStrata, "strata", EstimationError)
    _check_count(permutations, test)
    spec = parse_formula(fml)
    treatment = _treatment(spec, treatment)
    panel = unit is not None and time is not None  # keys given: one row per unit and period
    unit, time = _unit_time(spec, unit, time)
    kind, cluster = parse_vcov(vcov, spec.fixef, fml)
    keys = (unit, time) if unit is not None and time is not None else None
    # the formula's columns are checked by feols; the cohort may hold +inf (never treated)
    used = [by, unit, time, weights, *cluster, *spec.fixef_columns]
    periods = time if panel or measured == "pre" else None  # pre-policy means read periods
    check_frame(data, used, where="heterogeneity", keys=keys, unique_keys=panel, periods=periods)
    grouping = _grouping(data, by, split, measured, unit, time, cohort, treatment)
    positions = np.flatnonzero(grouping.codes >= 0)
    ctx = _Context(
        data, data.iloc[positions], grouping.codes[positions], grouping, spec, treatment,
        unit, time, cohort, kind, cluster, weights,
    )  # fmt: skip
    _check_treated(ctx.sample, ctx.groups, grouping.labels, treatment)
    models = {
        label: feols(
            fml, ctx.sample.iloc[np.flatnonzero(ctx.groups == g)], vcov=vcov, weights=weights
        )
        for g, label in enumerate(grouping.labels)
    }
    tests = _tests(ctx, test, by, permutations, seed, strata)
    pooled, differences, joint, permutation, notes = tests
    return HeterogeneityResult(
        fml=fml,
        treatment=treatment,
        by=by,
        split=split if isinstance(split, str) else tuple(float(s) for s in split),
        measured="column" if split == "column" else measured,
        groups=grouping.labels,
        reference=grouping.labels[grouping.reference],
        models=models,
        pooled=pooled,
        differences=differences,
        joint=joint,
        permutation=permutation,
        cutpoints=grouping.cutpoints,
        assignment=grouping.unit_values,
        notes=(*grouping.notes, *notes),
    )


@dataclass(frozen=True, eq=False)
class _Context:
    """The parsed inputs every step shares."""

    data: pd.DataFrame
    sample: pd.DataFrame  # rows in some group
    groups: np.ndarray  # group code of each row of `sample`
    grouping: Grouping
    spec: FormulaSpec
    treatment: str
    unit: str | None
    time: str | None
    cohort: str | None
    kind: str
    cluster: tuple[str, ...]
    weights: str | None

    def pooled(self, groups: np.ndarray, vcov: VcovSpec) -> FeolsResult:
        """Fit the fully interacted model for the row groups ``groups`` of ``sample``."""
        carry = tuple(dict.fromkeys([*self.cluster, *([self.unit] if self.unit else [])]))
        return pooled_model(
            self.spec, self.sample, groups, self.grouping.labels, vcov, carry, self.weights
        )


def _tests(
    ctx: _Context, test: str, by: str, permutations: int, seed: int | None, strata: str
) -> tuple[FeolsResult | None, pd.DataFrame, dict[str, float], PermutationTest | None, list[str]]:
    """Run the pooled and permutation tests asked for; return them with their notes."""
    if test == "none":
        return None, pd.DataFrame(), {}, None, []
    labels, ref = ctx.grouping.labels, ctx.grouping.reference
    pooled = ctx.pooled(ctx.groups, vcov_spec(ctx.kind, ctx.cluster))
    differences = contrasts(pooled, ctx.treatment, labels, ref)
    joint = joint_test(pooled, ctx.treatment, labels, ref)
    notes = [_pooled_note(pooled)]
    permutation = None
    if test in ("both", "permutation"):
        if ctx.grouping.unit_level and ctx.unit is not None:
            permutation = _permutation(ctx, pooled, permutations, seed, strata)
            differences = differences.assign(
                p_perm=permutation.p_coef, p_perm_wald=permutation.p_wald
            )
        elif test == "permutation":
            raise EstimationError(
                "the permutation test shuffles group labels across units, but the groups "
                f"of {by!r} change within units; use measured='pre' or test='pooled'"
            )
        else:
            notes.append("Permutation test skipped: the groups change within units.")
    return pooled, differences, joint, permutation, notes


def _check_count(permutations: int, test: str) -> None:
    if test not in ("both", "permutation"):
        return
    if (
        isinstance(permutations, bool)
        or not isinstance(permutations, int | np.integer)
        or permutations <= 0
    ):
        raise EstimationError(f"permutations={permutations!r} must be a positive integer")


def _treatment(spec: FormulaSpec, treatment: str | None) -> str:
    treatment = treatment or spec.rhs_names[0] or spec.rhs_terms[0]
    named = [n for n in spec.rhs_names if n is not None]
    if spec.simple_rhs and treatment not in named:
        raise EstimationError(
            f"treatment {treatment!r} is not a regressor of {spec.text!r}"
            f"{did_you_mean(treatment, named)}"
        )
    return treatment


def _unit_time(
    spec: FormulaSpec, unit: str | None, time: str | None
) -> tuple[str | None, str | None]:
    """Default unit and time: the first and second fixed effects, when they are plain columns."""
    plain = [f for f in spec.fixef if "^" not in f]
    return unit or (plain[0] if plain else None), time or (plain[1] if len(plain) > 1 else None)


def _grouping(
    data: pd.DataFrame,
    by: str,
    split: SplitRule | Sequence[float],
    measured: SplitMeasured,
    unit: str | None,
    time: str | None,
    cohort: str | None,
    treatment: str,
) -> Grouping:
    validate_option(measured, SplitMeasured, "measured", EstimationError)
    first = None
    if measured == "pre" and split != "column":
        if unit is None or time is None:
            raise EstimationError(
                "measured='pre' classifies units by their pre-policy mean: pass unit= and time= "
                "(or put them as the first two fixed effects of the formula)"
            )
        first = first_adoption(data, unit, time, cohort, treatment)
    grouping = classify(data, by, split, measured, unit, time, first)
    if measured == "contemporaneous" and split != "column":
        warnings.warn(grouping.notes[0], PilotdidWarning, stacklevel=3)
    return grouping


def _check_treated(
    sample: pd.DataFrame, row_groups: np.ndarray, labels: tuple[str, ...], treatment: str
) -> None:
    if treatment not in sample.columns:
        return  # a formula expression: feols reports a group without variation
    treated = pd.to_numeric(sample[treatment], errors="coerce").fillna(0).to_numpy() != 0
    for g, label in enumerate(labels):
        in_group = row_groups == g
        if not treated[in_group].any():
            raise EstimationError(
                f"group {label!r} ({int(in_group.sum())} rows) has no treated observation "
                f"({treatment} is 0 in all its rows), so the DID cannot be estimated in it; "
                "use fewer groups or another split variable"
            )


def _pooled_note(pooled: FeolsResult) -> str:
    return (
        "Difference test: fully interacted pooled model (group-specific slopes of every "
        f"regressor, fixed effects interacted with the group), standard errors {pooled.vcov_label}."
    )


def _permutation(
    ctx: _Context, pooled: FeolsResult, permutations: int, seed: int | None, strata: str
) -> PermutationTest:
    """Shuffle unit labels ``permutations`` times and re-estimate the contrasts for each."""
    unit = ctx.unit
    if unit is None:  # the caller checks; this narrows the type
        raise EstimationError("the permutation test needs unit=")
    column = _wald_cluster(ctx.sample, unit, ctx.kind, ctx.cluster)
    by_cluster = pooled.with_vcov(cluster_argument([column]))
    correction = cluster_factor(min(by_cluster.cluster_sizes), by_cluster.nobs, by_cluster.df_k)
    setup = prepare_permutation(
        ctx.spec, ctx.sample, ctx.groups, ctx.treatment, unit, column, ctx.weights
    )
    require_memory(
        permutation_bytes(permutations, setup.units.size, len(ctx.grouping.labels)),
        f"permutations = {permutations:,} over {setup.units.size:,} units",
        "use fewer permutations (1,000 to 10,000 is usual)",
        EstimationError,
    )
    strata_codes = np.zeros(setup.units.size, dtype=np.int64)
    if strata == "cohort" and ctx.time is not None:
        cohorts = adoption_periods(ctx.data, unit, ctx.time, ctx.cohort, ctx.treatment)
        strata_codes = pd.factorize(cohorts.reindex(setup.units).to_numpy())[0]
    labels = draw_labels(setup.groups, strata_codes, permutations, np.random.default_rng(seed))
    n_groups, ref = len(ctx.grouping.labels), ctx.grouping.reference
    if setup.moments is not None:
        observed = permutation_statistics(setup, setup.groups[None, :], n_groups, ref, correction)
        drawn = permutation_statistics(setup, labels, n_groups, ref, correction)
    else:
        refit = partial(_refit, ctx, column)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PilotdidWarning)
            observed = loop_statistics(setup.groups[None, :], setup.units, refit)
            drawn = loop_statistics(labels, setup.units, refit)
    names = [f"{lab} − {ctx.grouping.labels[ref]}" for g, lab in enumerate(ctx.grouping.labels)
             if g != ref]  # fmt: skip
    draws = pd.DataFrame(drawn[0], columns=names).assign(wald=drawn[1])
    draws.index.name = "draw"
    return PermutationTest(
        observed=pd.Series([*observed[0][0], observed[1][0]], index=[*names, "wald"]),
        draws=draws,
        p_coef=ri_pvalue(spread(drawn[0]), float(spread(observed[0])[0]), two_sided=False),
        p_wald=ri_pvalue(drawn[1], float(observed[1][0]), two_sided=False),
        seed=seed,
        strata=strata,
        cluster=column,
        method="batched" if setup.moments is not None else "loop",
        assignments=pd.DataFrame(labels, columns=pd.Index(setup.units, name=unit)),
    )


def _refit(ctx: _Context, column: str, unit_groups: pd.Series) -> tuple[np.ndarray, float]:
    """Contrasts and Wald statistic of one labelling by refitting the pooled model."""
    groups = ctx.sample[ctx.unit].map(unit_groups).to_numpy(dtype=np.int64)
    fit = ctx.pooled(groups, cluster_argument([column]))
    labels, ref = ctx.grouping.labels, ctx.grouping.reference
    diff = contrasts(fit, ctx.treatment, labels, ref)["estimate"].to_numpy()
    joint = joint_test(fit, ctx.treatment, labels, ref)
    return diff, joint["statistic"] * joint["df_num"]


def _wald_cluster(sample: pd.DataFrame, unit: str, kind: str, cluster: tuple[str, ...]) -> str:
    """Pick the model's cluster variable when it nests units (one value per unit), else the unit."""
    if kind == "CRV1" and len(cluster) == 1 and cluster[0] != unit:
        per_unit = sample.groupby(unit, sort=False)[cluster[0]].nunique(dropna=False)
        if (per_unit <= 1).all():
            return cluster[0]
    return unit
