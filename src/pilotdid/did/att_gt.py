"""Callaway & Sant'Anna (2021): group-time average treatment effects ATT(g,t) for staggered DID."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pilotdid.did.att_gt_result import AttGtResult
from pilotdid.did.cs_data import CsPanel, cs_panel
from pilotdid.did.cs_estimators import cell_att
from pilotdid.did.cs_inference import bootstrap_draws, cluster_sums, share_influence
from pilotdid.errors import EstimationError, PanelError, did_you_mean
from pilotdid.estimation.blas import one_blas_thread
from pilotdid.options import (
    BootstrapWeights,
    CsBasePeriod,
    CsControlGroup,
    CsMethod,
    validate_option,
)
from pilotdid.panel.frames import check_frame

__all__ = ["att_gt"]


def att_gt(
    data: pd.DataFrame,
    outcome: str,
    *,
    unit: str,
    time: str,
    cohort: str,
    covariates: Sequence[str] = (),
    control_group: CsControlGroup = "never",
    method: CsMethod = "dr",
    anticipation: int = 0,
    base_period: CsBasePeriod = "varying",
    cluster: str | None = None,
    weights: str | None = None,
    bootstrap: int = 999,
    bootstrap_weights: BootstrapWeights = "mammen",
    uniform: bool = True,
    level: float = 0.95,
    seed: int | None = None,
) -> AttGtResult:
    """Estimate every group-time average treatment effect ATT(g,t) (Callaway & Sant'Anna 2021).

    Each ATT(g,t) compares the change in ``outcome`` of the units adopting in period ``g``
    (cohort ``g``) between a base period before adoption and period ``t`` with the change of a
    comparison group, by outcome regression, inverse probability weighting or the doubly robust
    estimator of Sant'Anna & Zhao (2020). Standard errors come from the influence functions;
    the multiplier bootstrap gives uniform (simultaneous) confidence bands. The numbers equal
    those of R ``did::att_gt`` with ``panel = TRUE`` (tested against the Python ports
    ``csdid`` and ``moderndid``).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period (never modified).
    outcome : str
        Outcome column (R ``yname``).
    unit : str
        Unit column (R ``idname``).
    time : str
        Period column, whole numbers (R ``tname``).
    cohort : str
        Adoption period of each unit, constant within unit (R ``gname``); missing, 0 or +inf
        mean never treated (:func:`pilotdid.panel.adoption.adoption_cohorts`); a cohort after
        the last period is never treated within the sample.
    covariates : sequence of str, optional
        Covariates of the propensity score and outcome regression, taken in the earlier of the
        two periods compared, with an intercept (R ``xformla = ~ x1 + x2``).
    control_group : {"never", "notyet"}, default "never"
        Never-treated units, or units not yet treated by period ``max(t, base) + anticipation``
        (never-treated included) (R ``control_group = "nevertreated"/"notyettreated"``).
    method : {"dr", "ipw", "reg"}, default "dr"
        Doubly robust (R's default, ``DRDID::drdid_panel``), normalised inverse probability
        weighting (``std_ipw_did_panel``) or outcome regression (``reg_did_panel``) (R
        ``est_method``).
    anticipation : int, default 0
        Periods before adoption in which units may already react (R ``anticipation``).
    base_period : {"varying", "universal"}, default "varying"
        Pre-treatment cells compare period ``t`` with ``t - 1`` (varying) or every cell with
        period ``g - anticipation - 1`` (universal, whose reference cell is 0) (R
        ``base_period``).
    cluster : str, optional
        A column coarser than the unit, constant within unit, to cluster at (R
        ``clustervars``; the unit is always a cluster). Influence functions are summed by
        cluster, for the analytic standard errors and the bootstrap.
    weights : str, optional
        Sampling weights, constant within unit (R ``weightsname``).
    bootstrap : int, default 999
        Multiplier-bootstrap draws (R ``bstrap = TRUE, biters``); 0 for none (R
        ``bstrap = FALSE``), then no uniform band.
    bootstrap_weights : {"mammen", "rademacher"}, default "mammen"
        Distribution of the bootstrap multipliers (Mammen as R ``did``).
    uniform : bool, default True
        Report uniform bands from the bootstrap sup-t critical value (R ``cband``).
    level : float, default 0.95
        Confidence level (R ``alp = 1 - level``).
    seed : int, optional
        Seed of the bootstrap; the same seed gives identical numbers.

    Returns
    -------
    AttGtResult
        Every ATT(g,t) with standard error, pointwise interval and uniform band;
        ``.aggregate()`` (simple, group, calendar, dynamic), ``.pretrend_test()``, ``.tidy()``,
        ``.figure()``, ``.model_summary()``.

    Raises
    ------
    PanelError
        Missing columns, inf in a used column, duplicate (unit, time) rows, weights or
        clusters varying within a unit.
    EstimationError
        No never-treated unit with ``control_group="never"``, a cohort adopting at or before
        the first period (no pre-period), a singular regression, bad options.

    Notes
    -----
    **Unbalanced panels** are balanced first, as R ``did`` does with ``panel = TRUE``: rows
    with a missing outcome, covariate, weight or cluster are dropped, then units not observed
    in every period; both counts are in ``result.notes``. (The repeated cross-section estimator
    that uses every row of an unbalanced panel is not implemented.)

    **Standard errors** are the analytic ones from the influence functions (R's with
    ``bstrap = FALSE``); the bootstrap adds ``boot_se`` (interquartile range / 1.349, as R's
    with ``bstrap = TRUE``) and the band ``estimate ± c * boot_se`` with the sup-t critical
    value ``c`` over all cells (or all rows of an aggregate), as R ``did``. With a ``cluster``
    column, influence functions are summed by cluster (R averages them by cluster, which
    differs when clusters differ in size).

    **R names**: ``yname`` → ``outcome``, ``tname`` → ``time``, ``idname`` → ``unit``,
    ``gname`` → ``cohort``, ``xformla`` → ``covariates``, ``est_method`` → ``method``,
    ``bstrap``/``biters`` → ``bootstrap`` (0 = FALSE), ``cband`` → ``uniform``,
    ``clustervars`` → ``cluster``, ``control_group`` → ``control_group`` ("never"/"notyet"),
    ``anticipation``, ``base_period``, ``weightsname`` → ``weights``, ``alp`` → ``1 - level``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, pilotdid as pdid
    >>> rng = np.random.default_rng(0)
    >>> n, years = 300, np.arange(2010, 2016)
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(n), 6), "year": np.tile(years, n)})
    >>> df["g"] = np.repeat(rng.choice([2012, 2014, 0], n), 6)
    >>> df["y"] = rng.normal(size=len(df)) + 2.0 * ((df["g"] > 0) & (df["year"] >= df["g"]))
    >>> res = pdid.att_gt(df, "y", unit="id", time="year", cohort="g", seed=1)
    >>> res.tidy().shape[0], round(res.aggregate("simple").overall_estimate)
    (10, 2)
    """
    _check_inputs(data, [outcome, unit, time, cohort, *covariates, *_given(cluster, weights)])
    validate_option(control_group, CsControlGroup, "control_group", EstimationError)
    validate_option(method, CsMethod, "method", EstimationError)
    validate_option(base_period, CsBasePeriod, "base_period", EstimationError)
    validate_option(bootstrap_weights, BootstrapWeights, "bootstrap_weights", EstimationError)
    draws = _check_numbers(anticipation, bootstrap, level, uniform)
    used = [outcome, unit, time, *covariates, *_given(cluster, weights)]
    check_frame(data, used, where="att_gt", keys=(unit, time), unique_keys=True, periods=time)
    panel = cs_panel(
        data, outcome, unit=unit, time=time, cohort=cohort, covariates=list(covariates),
        weights=weights, cluster=None if cluster == unit else cluster,
        control_group=control_group, anticipation=anticipation,
    )  # fmt: skip
    cells, psi, skipped = _estimate_cells(panel, control_group, method, anticipation, base_period)
    n = len(panel.cohort)
    groups = np.unique(panel.cohort[np.isfinite(panel.cohort)])
    extended = np.hstack([psi, share_influence(panel.cohort, panel.weights, groups)])
    sums = cluster_sums(extended, panel.cluster)
    seed_used = int(np.random.SeedSequence(seed).entropy)  # type: ignore[arg-type]
    boot = bootstrap_draws(sums, n, draws, seed_used, bootstrap_weights) if draws else None
    with one_blas_thread(float(sums.shape[0]) * sums.shape[1] ** 2):
        vcov_extended = sums.T @ sums / n**2
    return AttGtResult(
        outcome=outcome,
        cells=cells,
        influence=psi,
        vcov_extended=vcov_extended,
        draws=boot,
        groups=groups,
        shares=np.array([np.mean(panel.weights * (panel.cohort == g)) for g in groups]),
        n_units=n,
        n_periods=len(panel.periods),
        n_clusters=sums.shape[0],
        control_group=control_group,
        method=method,
        anticipation=anticipation,
        base_period=base_period,
        covariates=tuple(covariates),
        cluster=cluster if cluster != unit else None,
        uniform=uniform and boot is not None,
        level=level,
        seed=seed_used,
        notes=panel.notes
        + ((f"{skipped} cell(s) without comparison units left out",) if skipped else ()),
    )


def _given(*columns: str | None) -> list[str]:
    return [c for c in columns if c is not None]


def _check_inputs(data: pd.DataFrame, columns: list[str]) -> None:
    if not isinstance(data, pd.DataFrame):
        raise PanelError(f"att_gt: data must be a pandas DataFrame, got {type(data).__name__}")
    for column in columns:
        if column not in data.columns:
            raise PanelError(
                f"att_gt: column {column!r} not found{did_you_mean(str(column), data.columns)}"
            )


def _check_numbers(anticipation: int, bootstrap: int, level: float, uniform: bool) -> int:
    if (
        isinstance(anticipation, bool)
        or not isinstance(anticipation, (int, np.integer))
        or anticipation < 0
    ):
        raise EstimationError(f"anticipation={anticipation!r} must be a whole number >= 0")
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, (int, np.integer)) or bootstrap < 0:
        raise EstimationError(f"bootstrap={bootstrap!r} must be a number of draws >= 0 (0 = none)")
    if not 0 < level < 1:
        raise EstimationError(f"level={level!r} must lie strictly between 0 and 1, e.g. 0.95")
    if uniform and 0 < bootstrap < 100:
        raise EstimationError(
            f"uniform bands need at least 100 bootstrap draws (bootstrap={bootstrap}); "
            "use bootstrap=999 or uniform=False"
        )
    return int(bootstrap)


def _estimate_cells(
    panel: CsPanel, control_group: str, method: str, anticipation: int, base_period: str
) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Every ATT(g,t), the (units x cells) matrix of their influence functions, cells skipped."""
    periods, g_unit, y, w = panel.periods, panel.cohort, panel.y, panel.weights
    n, n_t = y.shape
    groups = np.unique(g_unit[np.isfinite(g_unit)])
    never = np.isinf(g_unit)
    first = 1 if base_period == "varying" else 0
    psi = np.zeros((n, len(groups) * n_t), order="F")
    rows: list[dict[str, float]] = []
    for g in groups:
        main_base = int(np.flatnonzero(periods < g - anticipation)[-1])
        treated = g_unit == g
        for ti in range(first, n_t):
            t = periods[ti]
            base = main_base if (base_period == "universal" or g <= t) else ti - 1
            row = {"cohort": g, "time": t, "base": periods[base], "estimate": np.nan}
            if base == ti:  # the universal reference period: 0 by construction
                rows.append(row | {"estimate": 0.0, "n_treated": treated.sum(), "n_control": 0})
                continue
            control = never.copy()
            if control_group == "notyet":
                control |= (g_unit > periods[max(ti, base)] + anticipation) & ~treated
            sample = treated | control
            n_treated, n_control = int(treated.sum()), int(control.sum())
            row |= {"n_treated": n_treated, "n_control": n_control}
            if n_control == 0:
                rows.append(row)  # no comparison units: left out, counted in the notes
                continue
            d = treated[sample].astype(float)
            dy = y[sample, ti] - y[sample, base]
            x = np.column_stack([np.ones(len(d)), panel.x[sample, min(ti, base), :]])
            where = f"att_gt: cell (cohort {g:g}, period {t:g}): "
            att, influence = cell_att(dy, d, x, w[sample], method, where=where)
            psi[sample, len(rows)] = influence * (n / len(d))
            rows.append(row | {"estimate": att})
    cells = pd.DataFrame(rows).astype({"n_treated": int, "n_control": int})
    keep = cells["estimate"].notna().to_numpy()
    return cells.loc[keep].reset_index(drop=True), psi[:, : len(rows)][:, keep], int((~keep).sum())
