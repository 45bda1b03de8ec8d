"""``pilotdid.spec_curve``: the DID estimate under every combination of defensible choices.

The curve is estimated in :mod:`pilotdid.robustness.spec_curve`; this function, one layer up,
hands it the matching step (:func:`pilotdid.matching.spec_sample.matched_sample`), since
robustness and matching are sibling layers that do not import each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from pilotdid.options import AnalysisHow

if TYPE_CHECKING:
    import pandas as pd

    from pilotdid.robustness.spec_curve_result import SpecCurveResult

__all__ = ["spec_curve"]


def spec_curve(
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
) -> SpecCurveResult:
    """Estimate the DID effect under every combination of analytic choices (a multiverse).

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (never modified).
    outcome : str
        Dependent variable.
    unit, time : str
        Unit and period columns.
    cohort : str
        Adoption period of each unit (missing, 0 or inf = never treated); the treated group of
        the matching is the units with a cohort, the staggered estimators read it as cohort.
    treatment : str
        The DID regressor (``treat x post``) of the TWFE specifications.
    choices : mapping, optional
        Labels or ``{label: setting}`` per dimension: ``matching``, ``mode``, ``controls``,
        ``sample``, ``estimator``, ``cluster`` (see :mod:`pilotdid.robustness.spec_choices`).
        A dimension not given takes one default: nearest 1:1 matching in base-year mode, no
        controls, the whole sample, TWFE, clustered by ``unit``.
    covariates : sequence of str, optional
        Covariates of the propensity score of every matching; default: each specification's
        control set (an empty set matches on the union of all control sets).
    fixef : sequence of str, optional
        Fixed effects; default ``[unit, time]``.
    how : {"matched", "support", "weights"}, default "matched"
        The regression sample after matching (:meth:`pilotdid.MatchResult.analysis_sample`).
    level : float, default 0.95
        Confidence level of the intervals.
    max_specs : int, optional
        When the cross-product is larger, a random subset of this many specifications (seeded).
    seed : int, optional
        Seed of the subset, of any random matching order and of the null draws; spawned with
        :class:`numpy.random.SeedSequence`, so every executor gives the same result.
    executor : concurrent.futures.Executor, optional
        Runs the matchings in parallel: a ``ProcessPoolExecutor``, a Dask
        ``distributed.Client(...).get_executor()``, Ray's executor; default: in this process.
    ssn : bool, default False
        Add the Simonsohn-Simmons-Nelson test: the curve under the null, by ``ssn_draws``
        random reassignments of the adoption cohorts across units (TWFE specifications only,
        re-estimated on each specification's sample with the batched placebo engine).
    ssn_draws : int, default 500
        Null draws of the test.

    Returns
    -------
    SpecCurveResult
        ``.tidy()`` (one row per specification), ``.shares``, ``.figure()``, ``.table()``.

    Examples
    --------
    >>> import pilotdid as pdid
    >>> df = pdid.datasets.demo_panel().data
    >>> curve = pdid.spec_curve(df, "lnESF", unit="code", time="year", cohort="adoption_year",
    ...                         treatment="TP", choices={"matching": ["none", "nearest"],
    ...                         "controls": {"none": [], "two": ["lnHCL", "FIN"]}})
    >>> len(curve.tidy())
    4
    """
    from pilotdid.matching.spec_sample import matched_sample
    from pilotdid.robustness.spec_curve import estimate_curve

    return estimate_curve(
        data, outcome, unit=unit, time=time, cohort=cohort, treatment=treatment,
        choices=choices, covariates=covariates, fixef=fixef, how=how, level=level,
        max_specs=max_specs, seed=seed, executor=executor, ssn=ssn, ssn_draws=ssn_draws,
        matcher=matched_sample,
    )  # fmt: skip
