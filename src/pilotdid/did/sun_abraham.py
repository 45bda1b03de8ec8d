r"""Sun & Abraham (2021) interaction-weighted event study.

A saturated two-way fixed-effects regression with one dummy per (cohort, relative period) cell,

.. math::

    y_{it} = \sum_{g}\sum_{e \ne ref} \delta_{g,e}\,1[G_i = g]\,1[t - g = e]
             + X_{it}\gamma + \mu_i + \lambda_t + \varepsilon_{it},

estimates each cohort's effect path :math:`\delta_{g,e}` against the control cohort (never
treated, or the last-treated cohort). The interaction-weighted (IW) estimate at relative period
:math:`e` averages them with the cohorts' shares among the treated observed at :math:`e`,
:math:`\hat\beta_e = \sum_g \hat w_{g,e}\hat\delta_{g,e}` with
:math:`\hat w_{g,e} = n_{g,e} / \sum_{g'} n_{g',e}` (counts of estimation-sample rows, weighted
by the analytic weights when given): the weights of fixest's ``sunab()`` and ``aggregate()``.
Their covariance is :math:`W V W'`; as in fixest, the shares are treated as known (their own
sampling uncertainty, which Sun & Abraham add, is ignored; it vanishes when cohort sizes are
fixed by design). The overall ATT weights every post-adoption cell by its size (fixest's
``att = TRUE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from pilotdid.did._rollout import listed_values, read_rollout
from pilotdid.did.sun_abraham_result import SunAbrahamResult
from pilotdid.errors import EstimationError
from pilotdid.estimation.design import build_design
from pilotdid.estimation.feols import VcovSpec, fit_design, parse_vcov
from pilotdid.estimation.formula import (
    build_formula,
    cluster_argument,
    fixef_columns,
    fixef_terms,
    parse_formula,
)
from pilotdid.options import ControlCohort, validate_option

__all__ = ["sun_abraham"]


def sun_abraham(
    data: pd.DataFrame,
    outcome: str,
    *,
    unit: str,
    time: str,
    cohort: str,
    controls: Sequence[str] = (),
    control_cohort: ControlCohort = "never",
    window: tuple[int, int] | None = None,
    ref: int = -1,
    fixef: Sequence[str] | None = None,
    vcov: VcovSpec = None,
    weights: str | None = None,
) -> SunAbrahamResult:
    r"""Estimate the Sun-Abraham interaction-weighted event study.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (never modified); unbalanced panels are fine.
    outcome : str
        Outcome column.
    unit, time : str
        Unit and period columns.
    cohort : str
        Adoption period of each unit; missing, 0 or +inf mean never treated.
    controls : sequence of str
        Control variables (common slopes).
    control_cohort : {"never", "last"}
        The comparison cohort. ``"never"``: the never-treated units (required). ``"last"``: the
        last-treated cohort (with the never-treated units, if any); every row from that
        cohort's adoption period on is dropped, since no comparison unit is untreated there
        (Sun & Abraham's restriction to :math:`t < \max_i G_i`).
    window : tuple of int, optional
        ``(first lead, last lag)`` of the reported relative periods; default all observed.
        The regression stays saturated over every relative period, so the window never turns
        unreported periods into references.
    ref : int, default -1
        Reference relative period (no dummy). Cohorts never observed at it (the always-treated)
        are dropped, their rows counted in ``dropped["no_reference"]``.
    fixef : sequence of str, optional
        Fixed effects; default ``[unit, time]``.
    vcov : str or dict, optional
        Variance of the regression; default clustered by unit.
    weights : str, optional
        Analytic weights (regression and cohort shares, as fixest).

    Returns
    -------
    SunAbrahamResult
        Cohort × period coefficients, IW estimates with their covariance, the overall ATT.

    Notes
    -----
    The IW estimate at relative period ``e`` weights each cohort's coefficient by its share of
    the estimation-sample rows at ``e`` (fixest's ``sunab``); its covariance is ``W V W'`` with
    the shares held fixed (as fixest; Sun & Abraham's extra term for estimated shares is left
    out). The overall ATT weights every post-adoption cell by its size (fixest's ``att=TRUE``).

    Raises
    ------
    EstimationError
        No never-treated unit with ``control_cohort="never"``, a single treated cohort with
        ``"last"``, a bad window or reference period, or no treated cell left.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"unit": np.repeat(np.arange(60), 8), "year": np.tile(np.arange(8), 60)})
    >>> df["g"] = np.select([df["unit"] < 20, df["unit"] < 40], [4, 6], np.nan)
    >>> effect = np.where(df["year"] >= df["g"], 1 + df["year"] - df["g"], 0.0)
    >>> df["y"] = effect + rng.normal(size=len(df))
    >>> sa = sun_abraham(df, "y", unit="unit", time="year", cohort="g")
    >>> sa.dynamic().periods.tolist()
    [-6, -5, -4, -3, -2, 0, 1, 2, 3]
    """
    validate_option(control_cohort, ControlCohort, "control_cohort", EstimationError)
    fes = list(fixef) if fixef is not None else [unit, time]
    vcov = vcov if vcov is not None else cluster_argument([unit])
    kind, cluster = parse_vcov(vcov, fes)
    used = [outcome, *controls, *fixef_columns(fes), *cluster, weights]
    roll = read_rollout(data, unit=unit, time=time, cohort=cohort, used=used, where="sun_abraham")
    ref = _check_ref(ref)
    g = roll.adoption.copy()
    rel = roll.rel_time
    keep = np.ones(len(data), dtype=bool)
    dropped: dict[str, int] = {}
    if control_cohort == "last":
        last = float(np.nanmax(g))
        if np.unique(g[np.isfinite(g)]).size < 2:
            raise EstimationError(
                f"sun_abraham: control_cohort='last' needs two treated cohorts; {cohort!r} has "
                f"only {last:g}"
            )
        keep &= roll.period < last
        dropped["from_last_cohort"] = int((~keep).sum())
        g[g == last] = np.nan
    elif np.isfinite(roll.cohorts.per_unit).all():
        raise EstimationError(
            f"sun_abraham: no never-treated unit in {cohort!r} to compare with; use "
            "control_cohort='last' (the last-treated cohort as control)"
        )
    treated = np.isfinite(g) & keep
    at_ref = np.unique(g[treated & (rel == ref)])
    no_ref = treated & ~np.isin(g, at_ref)
    if no_ref.any():
        dropped["no_reference"] = int(no_ref.sum())
        keep &= ~no_ref
        treated &= ~no_ref
    cell_g, cell_e, cell_code = _cells(g, rel, treated & (rel != ref))
    if not (cell_e >= 0).any():
        raise EstimationError(
            f"sun_abraham: no treated cohort is observed both at the reference period {ref} and "
            f"after adoption; check {cohort!r} against the periods of {time!r}"
        )
    lo, hi = _check_window(window, ref, cell_e)
    names = _cell_names(cell_g, cell_e, data.columns)
    frame = _regression_frame(data, keep, used)
    kept_code = cell_code[keep]
    # the sample (missing values, singletons) from the model without the cell dummies, then
    # the dummies written straight into the design: no n × cells DataFrame is ever built
    base = parse_formula(build_formula(outcome, list(controls), fixef_terms(fes)))
    design = build_design(base, frame, weights=weights, extra_columns=cluster)
    sample_code = kept_code[design.rows]
    hit = np.flatnonzero(sample_code >= 0)
    x = np.zeros((design.n_obs, len(names) + design.x.shape[1]), order="F")
    x[hit, sample_code[hit]] = 1.0
    x[:, len(names) :] = design.x
    w = design.weights
    counts = np.bincount(
        sample_code[hit], weights=None if w is None else w[hit], minlength=len(names)
    ).astype(float)
    spec = parse_formula(build_formula(outcome, [*names, *controls], fixef_terms(fes)))
    design = replace(design, spec=spec, x=x, names=(*names, *design.names))
    del x
    fit = fit_design(design, frame, kind, cluster)
    dropped |= {k: v for k, v in fit.dropped.items() if v}
    cells = pd.DataFrame(
        {"cohort": cell_g, "rel_time": cell_e.astype(int), "term": names, "count": counts}
    )
    return SunAbrahamResult.from_fit(
        fit,
        cells,
        outcome=outcome,
        ref=ref,
        window=(lo, hi),
        control_cohort=control_cohort,
        dropped=dropped,
    )


def _check_ref(ref: object) -> int:
    if isinstance(ref, bool) or not isinstance(ref, int | np.integer) or ref >= 0:
        raise EstimationError(f"ref={ref!r} must be a negative integer (a pre-period), usually -1")
    return int(ref)


def _check_window(window: tuple[int, int] | None, ref: int, cell_e: np.ndarray) -> tuple[int, int]:
    first, last = int(min(cell_e.min(), ref)), int(cell_e.max())
    if window is None:
        return first, last
    try:
        lo, hi = (int(v) for v in window)
    except (TypeError, ValueError):
        raise EstimationError(
            f"window={window!r} must be two integers (first lead, last lag), e.g. (-4, 3)"
        ) from None
    if not lo < 0 <= hi:
        raise EstimationError(f"window={window!r} must satisfy first lead < 0 <= last lag")
    if lo < first or hi > last:
        raise EstimationError(
            f"window {window} is wider than the data: treated cohorts are observed from {first} "
            f"to {last} periods relative to adoption; choose a window inside ({first}, {last})"
        )
    return lo, hi


def _cells(
    g: np.ndarray, rel: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (cohort, relative period) cells among ``mask`` rows and each row's cell code."""
    gm, em = g[mask].astype(np.int64), rel[mask].astype(np.int64)
    span = int(em.max() - em.min()) + 1
    key = (gm - gm.min()) * span + (em - em.min())
    unique, inverse = np.unique(key, return_inverse=True)
    code = np.full(g.shape[0], -1, dtype=np.int64)
    code[mask] = inverse.ravel()
    cell_g = (unique // span + gm.min()).astype(float)
    cell_e = (unique % span + em.min()).astype(int)
    return cell_g, cell_e, code


def _cell_names(cell_g: np.ndarray, cell_e: np.ndarray, taken: pd.Index) -> list[str]:
    """Name the dummies ``sa_g2016_em2`` (no data column has the name)."""

    def name(g: float, e: int) -> str:
        return f"sa_g{g:g}_e{'m' if e < 0 else 'p'}{abs(e)}".replace(".", "_").replace("-", "m")

    names = [name(g, int(e)) for g, e in zip(cell_g, cell_e, strict=True)]
    prefix = ""
    while any(f"{prefix}{n}" in taken for n in names):
        prefix += "_"
    return [prefix + n for n in names]


def _regression_frame(
    data: pd.DataFrame, keep: np.ndarray, columns: Sequence[str | None]
) -> pd.DataFrame:
    wanted = [c for c in dict.fromkeys(columns) if c is not None]
    missing = [c for c in wanted if c not in data.columns]
    if missing:  # read_rollout checked them; a defensive message for internal misuse
        raise EstimationError(f"sun_abraham: columns {listed_values(missing)} not found")
    return data.loc[keep, wanted]
