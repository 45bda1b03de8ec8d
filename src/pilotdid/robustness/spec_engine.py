"""The work of a specification curve: one task per matching, run in any process.

A task (:func:`run_group`) receives the prepared inputs (:class:`CurveSetup`, picklable) and the
specifications that share one matching (method, mode, covariates). It matches once, builds each
sample (exclusion) once, and fits every TWFE specification through the batched engine of the
placebo test: the fixed-effect projection of a sample is made once and reused by every control
set and clustering that keeps the same rows (:func:`pilotdid.estimation.batched.partial_out`,
whose coefficients and standard errors equal :func:`pilotdid.feols`'s). The staggered
estimators are called directly. With null draws (the Simonsohn-Simmons-Nelson test) every TWFE
specification is also re-estimated for each fake treatment in one batched product.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy import stats

from pilotdid.errors import PilotdidError
from pilotdid.estimation.batched import batched_fit, partial_out
from pilotdid.estimation.demean import Absorber, make_absorber
from pilotdid.estimation.design import Design, build_design
from pilotdid.estimation.feols import cluster_codes, parse_vcov
from pilotdid.estimation.formula import build_formula, cluster_argument, parse_formula
from pilotdid.robustness.spec_choices import Choices, Spec

__all__ = ["CurveSetup", "GroupOutput", "Matcher", "run_group"]


class Matcher(Protocol):
    """The matching step, passed in by :func:`pilotdid.spec_curve`.

    :mod:`pilotdid.robustness` sits beside :mod:`pilotdid.matching` in the layers and cannot
    import it; the public function hands over
    :func:`pilotdid.matching.spec_sample.matched_sample` (module level, so it pickles).
    """

    def __call__(
        self, data: pd.DataFrame, group: str, covariates: Sequence[str], *, unit: str, time: str,
        mode: str, seed: int, how: str, setting: Mapping[str, Any],
    ) -> tuple[pd.DataFrame, str | None]:  # fmt: skip
        """Return the matched analysis sample and its weights column (or None)."""


@dataclass(frozen=True, eq=False)
class CurveSetup:
    """Everything a task needs (sent to each worker once per task)."""

    data: pd.DataFrame
    outcome: str
    treatment: str
    unit: str
    time: str
    cohort: str
    group: str  # the treated-group indicator (added column: 1 for units with a cohort)
    covariates: tuple[str, ...] | None
    fixef: tuple[str, ...]
    how: str
    level: float
    choices: Choices
    units: pd.Index  # unit labels, in the order of the columns of ``null``
    null: np.ndarray | None  # (R, N) fake adoption periods per draw and unit (inf = untreated)
    matcher: Matcher | None = None  # the matching step (from a layer above: see Matcher)


@dataclass(frozen=True)
class GroupOutput:
    """Rows of one task: ``positions`` into the curve, their rows, and the null fits."""

    positions: list[int]
    rows: list[dict[str, Any]]
    null_coef: dict[int, np.ndarray]
    null_p: dict[int, np.ndarray]


def match_covariates(setup: CurveSetup, spec: Spec) -> tuple[str, ...]:
    """Return the covariates of the propensity score: ``covariates=`` or the spec's controls."""
    if setup.covariates is not None:
        return setup.covariates
    own = setup.choices.controls[spec.controls]
    if own:
        return own
    union = dict.fromkeys(c for cols in setup.choices.controls.values() for c in cols)
    if not union:
        raise PilotdidError(
            "spec_curve: matching needs covariates; give covariates= or a non-empty control set"
        )
    return tuple(union)


def group_key(setup: CurveSetup, spec: Spec) -> tuple[Any, ...]:
    """Specifications with the same key share one matching."""
    if setup.choices.matching[spec.matching] is None:
        return (spec.matching, spec.mode, ())
    return (spec.matching, spec.mode, match_covariates(setup, spec))


def _matched(setup: CurveSetup, spec: Spec, seed: int) -> tuple[pd.DataFrame, str | None]:
    setting = setup.choices.matching[spec.matching]
    if setting is None:
        return setup.data, None
    if setup.matcher is None:
        raise PilotdidError(
            "spec_curve: matching choices need a matcher (pilotdid.spec_curve passes one)"
        )
    return setup.matcher(
        setup.data, setup.group, match_covariates(setup, spec), unit=setup.unit, time=setup.time,
        mode=spec.mode, seed=seed, how=setup.how, setting=setting,
    )  # fmt: skip


def _excluded(setup: CurveSetup, frame: pd.DataFrame, label: str) -> pd.DataFrame:
    setting = setup.choices.sample[label]
    if setting is None:
        return frame
    from pilotdid.robustness.exclusion import exclude

    column, values = setting
    return exclude(frame, column, list(values), unit=setup.unit, treatment=setup.group).data


def _vcov(cluster: str) -> Any:
    return cluster if cluster in ("hetero", "iid") else cluster_argument([cluster])


def _row(est: float, se: float, df: float, level: float) -> dict[str, float]:
    z = est / se if se > 0 else np.nan
    crit = (
        float(stats.t.ppf(0.5 + level / 2, df))
        if np.isfinite(df)
        else float(stats.norm.ppf(0.5 + level / 2))
    )
    p = float(2 * (stats.t.sf(abs(z), df) if np.isfinite(df) else stats.norm.sf(abs(z))))
    return {
        "estimate": est, "std_error": se, "statistic": z, "p_value": p,
        "conf_low": est - crit * se, "conf_high": est + crit * se,
    }  # fmt: skip


class _Twfe:
    """TWFE fits on the samples of one task, with designs and projections cached.

    Per sample, one design holds the treatment, every control of the curve and every cluster
    column. When it loses no row to a missing value every specification on that sample has
    exactly these rows (the same singletons go), so its design is a column subset and the fixed-effect
    projection and cluster codes are shared; otherwise each specification builds its own.
    """

    def __init__(self, setup: CurveSetup) -> None:
        self.setup = setup
        self.absorbers: dict[tuple[str, bytes], Absorber] = {}
        self.union: dict[str, Design | None] = {}
        self.clusters: dict[tuple[str, bytes, str], Any] = {}

    def _union(self, frame: pd.DataFrame, key: str, weights: str | None) -> Design | None:
        if key not in self.union:
            s = self.setup
            controls = list(dict.fromkeys(c for cs in s.choices.controls.values() for c in cs))
            cl = [c for c in s.choices.cluster if c not in ("hetero", "iid")]
            spec = parse_formula(build_formula(s.outcome, [s.treatment, *controls], list(s.fixef)))
            try:
                design: Design | None = build_design(spec, frame, weights=weights, extra_columns=cl)
            except PilotdidError:
                design = None
            # no row lost to a missing value: any subset of the columns has the same complete
            # rows, hence the same singletons, hence exactly these rows
            keep = design is not None and design.dropped.get("missing", 1) == 0
            self.union[key] = design if keep else None
        return self.union[key]

    def _design(
        self, frame: pd.DataFrame, key: str, fml: str, controls: tuple[str, ...],
        cl: tuple[str, ...], weights: str | None,
    ) -> Design:  # fmt: skip
        union = self._union(frame, key, weights)
        if union is None:
            return build_design(parse_formula(fml), frame, weights=weights, extra_columns=cl)
        names = list(union.names)
        cols = [names.index(c) for c in (self.setup.treatment, *controls)]
        return replace(union, x=union.x[:, cols], names=tuple(names[c] for c in cols))

    def fit(
        self, frame: pd.DataFrame, key: str, controls: tuple[str, ...], cluster: str,
        weights: str | None,
    ) -> tuple[dict[str, float], int, int, tuple[np.ndarray, np.ndarray] | None]:  # fmt: skip
        s = self.setup
        fml = build_formula(s.outcome, [s.treatment, *controls], list(s.fixef))
        kind, cl = parse_vcov(_vcov(cluster), parse_formula(fml).fixef, fml, small_sample=True)
        design = self._design(frame, key, fml, controls, cl, weights)
        rows_key = design.rows.tobytes()
        if (key, rows_key) not in self.absorbers:
            self.absorbers[key, rows_key] = make_absorber(design.fe, weights=design.weights)
        clusters = None
        if kind == "CRV1":
            ckey = (key, rows_key, cluster)
            if ckey not in self.clusters:
                self.clusters[ckey] = cluster_codes(frame, cl, design.rows, fml, design.fe)
            clusters = self.clusters[ckey]
        model = partial_out(
            design, np.arange(1, 1 + len(controls)), kind, clusters, self.absorbers[key, rows_key]
        )
        fit = batched_fit(model, design.x[:, :1])
        row = _row(float(fit.coef[0]), float(fit.se[0]), fit.df_t, s.level)
        units = frame[s.unit].to_numpy()[design.rows]
        treated = int(pd.unique(units[frame[s.group].to_numpy()[design.rows] == 1]).size)
        null = None
        if s.null is not None:
            upos = s.units.get_indexer(units)
            period = frame[s.time].to_numpy(float)[design.rows]
            fake = (period[:, None] >= s.null[:, upos].T).astype(float)
            nf = batched_fit(model, fake)
            t = nf.coef / nf.se
            null = (nf.coef, 2 * stats.t.sf(np.abs(t), nf.df_t))
        return row, design.n_obs, treated, null


def _staggered(
    setup: CurveSetup, frame: pd.DataFrame, spec: Spec, weights: str | None
) -> tuple[dict[str, float], int, int]:
    s, controls = setup, list(setup.choices.controls[spec.controls])
    common: dict[str, Any] = dict(unit=s.unit, time=s.time, cohort=s.cohort, weights=weights)
    cluster = None if spec.cluster in ("hetero", "iid") else spec.cluster
    if spec.estimator != "sa" and cluster is None:
        raise PilotdidError(
            f"estimator {spec.estimator!r} clusters by a column; {spec.cluster!r} is not one"
        )
    if spec.estimator == "sa":
        from pilotdid.did.sun_abraham import sun_abraham

        res: Any = sun_abraham(frame, s.outcome, controls=controls, fixef=list(s.fixef),
                               vcov=_vcov(spec.cluster), **common)  # fmt: skip
        row = {k: float(v) for k, v in res.att_table(s.level).iloc[0].items()}
    elif spec.estimator == "bjs":
        from pilotdid.did.imputation import did_imputation

        res = did_imputation(frame, s.outcome, controls=controls, fixef=list(s.fixef),
                             cluster=cluster, **common)  # fmt: skip
        row = {k: float(v) for k, v in res.att_table(s.level).iloc[0].items()}
    else:
        from pilotdid.did.att_gt import att_gt

        res = att_gt(frame, s.outcome, covariates=controls, cluster=cluster, bootstrap=0,
                     **common).aggregate("simple")  # fmt: skip
        row = _row(float(res.overall_estimate), float(res.overall_se), np.inf, s.level)
    nobs = int(res.model_summary().nobs)
    treated = int(frame.loc[frame[s.group] == 1, s.unit].nunique())
    return row, nobs, treated


def run_group(setup: CurveSetup, items: list[tuple[int, Spec]], matching_seed: int) -> GroupOutput:
    """Estimate the specifications ``items`` (position in the curve, spec) sharing one matching."""
    from pilotdid.errors import PilotdidWarning

    out = GroupOutput([], [], {}, {})
    twfe = _Twfe(setup)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PilotdidWarning)
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow in the logits of failing fits
        try:
            matched, weights = _matched(setup, items[0][1], matching_seed)
            failure = ""
        except PilotdidError as exc:
            matched, weights, failure = setup.data, None, f"matching failed: {exc}"
        frames: dict[str, pd.DataFrame | str] = {}
        for pos, spec in items:
            row: dict[str, Any] = {"note": failure}
            n_obs, treated = 0, 0
            try:
                if failure:
                    raise PilotdidError(failure)
                if spec.sample not in frames:
                    try:
                        frames[spec.sample] = _excluded(setup, matched, spec.sample)
                    except PilotdidError as exc:
                        frames[spec.sample] = f"sample failed: {exc}"
                frame = frames[spec.sample]
                if isinstance(frame, str):
                    raise PilotdidError(frame)
                controls = setup.choices.controls[spec.controls]
                if spec.estimator == "twfe":
                    est, n_obs, treated, null = twfe.fit(
                        frame, spec.sample, controls, spec.cluster, weights
                    )
                    if null is not None:
                        out.null_coef[pos], out.null_p[pos] = null
                else:
                    est, n_obs, treated = _staggered(setup, frame, spec, weights)
                row.update(est)
            except PilotdidError as exc:
                row["note"] = str(exc)
            row.update(n_obs=n_obs, n_treated_units=treated)
            out.positions.append(pos)
            out.rows.append(row)
    return out
