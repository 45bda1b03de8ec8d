"""``feols``: fixed-effects OLS with clustered standard errors (fixest syntax and conventions)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from pilotdid.errors import EstimationError, PilotdidWarning
from pilotdid.estimation.demean import Absorber, make_absorber
from pilotdid.estimation.design import Design, build_design
from pilotdid.estimation.formula import parse_formula
from pilotdid.estimation.ols import COLLINEAR_TOL, fit_ols
from pilotdid.estimation.result import FeolsResult
from pilotdid.estimation.variance import (
    FitState,
    VcovSpec,
    _vcov_fields,
    cluster_codes,
    parse_vcov,
    recompute_vcov,
)
from pilotdid.options import DemeanMethod, deprecated_arguments

__all__ = [
    "FitState",
    "VcovSpec",
    "cluster_codes",
    "feols",
    "fit_design",
    "parse_vcov",
    "recompute_vcov",
]


def _owned(values: np.ndarray) -> np.ndarray:
    """Writable float64 Fortran-order array (copied only when ``values`` is not one already)."""
    return np.require(values, dtype=np.float64, requirements=["F", "W"])


def fit_design(
    design: Design,
    data: pd.DataFrame,
    kind: str,
    cluster: tuple[str, ...],
    absorber: Absorber | None = None,
    *,
    demean_method: DemeanMethod = "auto",
) -> FeolsResult:
    """Fit a prepared design: absorb the fixed effects, solve, and compute the variance.

    Parameters
    ----------
    design : Design
        Arrays of the estimation sample.
    data : pandas.DataFrame
        The input data the design was built from (for cluster variables).
    kind : {"iid", "hetero", "CRV1", "CR2", "CR3"}
        Variance estimator.
    cluster : tuple of str
        Cluster variables of the clustered kinds.
    absorber : Absorber, optional
        A prepared projection for ``design.fe`` (reused across many fits).
    demean_method : {"auto", "dense", "cg"}
        Passed to :func:`pilotdid.estimation.demean.make_absorber`.

    Returns
    -------
    FeolsResult
        The estimates.
    """
    w = design.weights
    absorber = absorber or make_absorber(design.fe, weights=w, method=demean_method)
    y_raw, x_raw = design.y, design.x
    scale = (
        np.einsum("ij,ij->j", x_raw, x_raw)
        if w is None
        else np.einsum("ij,ij,i->j", x_raw, x_raw, w)
    )
    y_mean = float(np.average(y_raw, weights=w))
    tss = float(np.sum((y_raw - y_mean) ** 2 if w is None else w * (y_raw - y_mean) ** 2))
    # the design's arrays are private to this fit: demean them in place (no n × k copy)
    y = absorber.demean(_owned(y_raw), inplace=True)
    x = absorber.demean(_owned(x_raw), inplace=True)
    tss_within = float(y @ y if w is None else (w * y) @ y)
    if x.shape[1] == 0:
        raise EstimationError(f"{design.spec.text!r} has no regressor to estimate")
    fit = fit_ols(x, y, w, scale)
    names = tuple(n for n, k in zip(design.names, fit.keep, strict=True) if k)
    collinear = tuple(n for n, k in zip(design.names, fit.keep, strict=True) if not k)
    absorbed = _absorbed(x, w, scale, design.names, fit.keep)
    if not names:
        raise EstimationError(
            f"every regressor of {design.spec.text!r} is collinear with the fixed effects: {', '.join(collinear)}"
        )
    if collinear:
        warnings.warn(
            f"{design.spec.text!r}: dropped collinear regressor(s) {', '.join(collinear)} "
            "(e.g. time-invariant under unit fixed effects)",
            PilotdidWarning,
            stacklevel=3,
        )
    x_kept = x if fit.keep.all() else np.asfortranarray(x[:, fit.keep])
    we = fit.resid if w is None else fit.resid * w
    state = FitState(x_kept, fit.bread, we, fit.ssr, design.fe, design.rows, data, w)
    fe = design.fe
    return FeolsResult(
        fml=design.spec.text,
        depvar=design.spec.depvar,
        names=names,
        coef_values=fit.coef,
        nobs=design.n_obs,
        fixef=fe.names if fe else (),
        fixef_levels=fe.n_levels if fe else (),
        dropped=dict(design.dropped),
        collinear=collinear,
        ssr=fit.ssr,
        tss=tss,
        tss_within=tss_within if fe else tss,
        weights=None if w is None else "analytic",
        absorbed=absorbed,
        _state=state,
        **_vcov_fields(state, kind, cluster, design.spec.text),
    )


def _absorbed(
    x: np.ndarray, w: np.ndarray | None, scale: np.ndarray, names: tuple[str, ...], keep: np.ndarray
) -> tuple[str, ...]:
    """Return the dropped regressors with no variation left after the fixed effects alone."""
    out = []
    for j in np.flatnonzero(~keep):
        col = x[:, j]
        left = float(col @ col if w is None else (w * col) @ col)
        if left <= COLLINEAR_TOL * max(float(scale[j]), np.finfo(float).tiny):
            out.append(names[j])
    return tuple(out)


@deprecated_arguments(("fml", "data", "vcov", "weights"))
def feols(
    fml: str,
    data: pd.DataFrame,
    *,
    vcov: VcovSpec = None,
    weights: str | Sequence[float] | np.ndarray | None = None,
    demean_method: DemeanMethod = "auto",
) -> FeolsResult:
    r"""Ordinary least squares with absorbed fixed effects and clustered standard errors.

    Parameters
    ----------
    fml : str
        fixest syntax ``"y ~ x1 + x2 | fe1 + fe2"``: the right-hand side is formulaic syntax
        (``a:b`` and ``a*b`` interactions, ``C(x)`` categoricals, ``np.log(x)``); after ``|`` come
        zero or more fixed effects (``a^b`` combines two columns). Without fixed effects an
        intercept is added.
    data : pandas.DataFrame
        The panel. It is never modified.
    vcov : str or dict, optional
        ``"iid"``, ``"hetero"`` (HC1), ``{"CRV1": "city"}`` or two-way ``{"CRV1": "city+year"}``
        (quote other names in backticks: ``{"CRV1": "`city id`"}``); the small-sample
        ``{"CR2": "city"}`` (Bell–McCaffrey, one-way) and ``{"CR3": "city"}`` (cluster
        jackknife, as pyfixest's ``CRV3``), see :mod:`pilotdid.estimation.vcov_cr`.
        The default follows fixest: clustered by the first fixed effect, or iid without one.
    weights : str or array-like, optional
        Analytic weights (a column name or one positive value per row), as fixest/reghdfe
        ``aweight``; e.g. matching weights.
    demean_method : {"auto", "dense", "cg"}
        Solver for the fixed effects (see :func:`pilotdid.estimation.demean.make_absorber`).

    Returns
    -------
    FeolsResult
        Estimates, variance and fit statistics.

    Notes
    -----
    Rows with a missing value in any variable used (outcome, regressors, fixed effects, cluster
    variables) are removed, then singleton fixed-effect groups, recursively; both are counted in
    ``result.dropped``. Regressors collinear with the fixed effects or with earlier regressors
    are dropped with a :class:`pilotdid.PilotdidWarning` naming them.

    Small-sample conventions are fixest's defaults (and pyfixest's), so estimates and standard
    errors equal theirs:

    * iid: :math:`\hat\sigma^2 = SSR/(n-K)`, with :math:`K` counting every fixed-effect level
      (one reference per extra factor);
    * hetero (HC1): :math:`n/(n-K)`;
    * CRV1: :math:`\frac{G}{G-1}\frac{n-1}{n-K}`, where fixed effects nested in the cluster
      variable are not counted in :math:`K`; two-way clustering uses the smaller :math:`G`;
    * CR3: the cluster jackknife times the CRV1 factor (pyfixest); CR2: no factor (clubSandwich);
    * t-tests with :math:`G-1` degrees of freedom under clustering (CR2 too: clubSandwich's
      Satterthwaite degrees of freedom are not computed), :math:`n-K` otherwise.

    Stata's ``reghdfe ..., vce(cluster id)`` uses the same :math:`K` rule for nested fixed effects.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"unit": np.repeat(np.arange(20), 5), "year": np.tile(np.arange(5), 20)})
    >>> df["x"] = rng.normal(size=100)
    >>> df["y"] = 2 * df["x"] + df["unit"] * 0.1 + rng.normal(size=100)
    >>> fit = feols("y ~ x | unit + year", df)
    >>> round(float(fit.coef()["x"]), 1)
    2.0
    """
    spec = parse_formula(fml)
    kind, cluster = parse_vcov(vcov, spec.fixef, fml, small_sample=True)
    design = build_design(spec, data, weights=weights, extra_columns=cluster)
    return fit_design(design, data, kind, cluster, demean_method=demean_method)
