"""``feols``: fixed-effects OLS with clustered standard errors (fixest syntax and conventions)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.errors import EstimationError, PilotdidWarning, did_you_mean
from pilotdid.estimation.demean import Absorber, make_absorber
from pilotdid.estimation.design import Design, build_design
from pilotdid.estimation.fixef import FixedEffects
from pilotdid.estimation.formula import parse_cluster, parse_formula
from pilotdid.estimation.ols import COLLINEAR_TOL, fit_ols
from pilotdid.estimation.result import FeolsResult
from pilotdid.estimation.vcov import ClusterCodes, compute_vcov
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

VcovSpec = str | Mapping[str, str] | None

_VCOV_HELP = "use 'iid', 'hetero' (or 'HC1'), {'CRV1': 'unit'} or {'CRV1': 'unit+year'}"


@dataclass(frozen=True, eq=False)
class FitState:
    """What a result keeps to recompute its variance without refitting.

    Attributes
    ----------
    x : numpy.ndarray, shape (n, k)
        Demeaned regressors (kept columns).
    bread : numpy.ndarray, shape (k, k)
        Inverse weighted Gram matrix.
    we : numpy.ndarray, shape (n,)
        Weighted residuals.
    ssr : float
        Weighted sum of squared residuals.
    fe : FixedEffects or None
        Fixed effects of the sample.
    rows : numpy.ndarray
        Positions of the sample rows in ``data``.
    data : pandas.DataFrame
        The input data (referenced, never modified).
    """

    x: np.ndarray
    bread: np.ndarray
    we: np.ndarray
    ssr: float
    fe: FixedEffects | None
    rows: np.ndarray
    data: pd.DataFrame


def parse_vcov(vcov: VcovSpec, fixef: Sequence[str], fml: str = "") -> tuple[str, tuple[str, ...]]:
    """Normalise a vcov argument to ``(kind, cluster_columns)``.

    Parameters
    ----------
    vcov : str, dict or None
        ``None`` follows fixest: clustered by the first fixed effect when there is one, else iid.
    fixef : sequence of str
        Fixed effects of the model (for the default).
    fml : str
        Formula, for error messages.

    Returns
    -------
    tuple
        ``("iid" | "hetero" | "CRV1", cluster column names)``.

    Examples
    --------
    >>> parse_vcov({"CRV1": "city + year"}, ())
    ('CRV1', ('city', 'year'))
    """
    if vcov is None:
        if not fixef:
            return "iid", ()
        return "CRV1", tuple(p.strip() for p in fixef[0].split("^"))
    if isinstance(vcov, str):
        kinds = {"iid": "iid", "hetero": "hetero", "HC1": "hetero"}
        if vcov not in kinds:
            raise EstimationError(
                f"vcov={vcov!r} is not supported{did_you_mean(vcov, kinds)}; {_VCOV_HELP}"
            )
        return kinds[vcov], ()
    if (
        isinstance(vcov, Mapping)
        and len(vcov) == 1
        and "CRV1" in vcov
        and isinstance(vcov["CRV1"], str)
    ):
        names = parse_cluster(vcov["CRV1"])
        if names is not None and 1 <= len(names) <= 2:
            return "CRV1", names
    raise EstimationError(f"vcov={vcov!r} is not supported; {_VCOV_HELP}")


def cluster_codes(
    data: pd.DataFrame,
    names: tuple[str, ...],
    rows: np.ndarray,
    fml: str,
    fe: FixedEffects | None = None,
) -> ClusterCodes:
    """Integer-code the cluster variables on the sample rows (reusing fixed-effect codes).

    Parameters
    ----------
    data : pandas.DataFrame
        Input data.
    names : tuple of str
        Cluster variables.
    rows : numpy.ndarray
        Positions of the sample rows in ``data``.
    fml : str
        Formula, for messages.
    fe : FixedEffects, optional
        The sample's fixed effects; a cluster variable that is one of them reuses its codes.

    Returns
    -------
    ClusterCodes
        Dense codes and cluster counts.
    """
    codes, levels = [], []
    for name in names:
        code, n_levels = _one_cluster(data, name, rows, fml, fe)
        if n_levels < 2:
            raise EstimationError(
                f"cluster variable {name!r} has a single level in the sample of {fml!r}; "
                "clustered standard errors need at least two clusters"
            )
        codes.append(code)
        levels.append(n_levels)
    return ClusterCodes(names, tuple(codes), tuple(levels))


def _one_cluster(
    data: pd.DataFrame, name: str, rows: np.ndarray, fml: str, fe: FixedEffects | None
) -> tuple[np.ndarray, int]:
    if fe is not None and name in fe.names:  # clustering by a fixed effect: reuse its codes
        position = fe.names.index(name)
        return fe.codes[position], fe.n_levels[position]
    if name not in data.columns:
        raise EstimationError(
            f"cluster variable {name!r} not found{did_you_mean(name, data.columns)}"
        )
    column = data[name] if rows.size == len(data) else data[name].iloc[rows]
    code, uniques = pd.factorize(column, sort=True)
    if (code < 0).any():
        raise EstimationError(
            f"cluster variable {name!r} has missing values in the sample of {fml!r}; "
            "refit with this vcov so those rows are dropped"
        )
    return code.astype(np.int64, copy=False), len(uniques)


def _vcov_fields(state: FitState, kind: str, cluster: tuple[str, ...], fml: str) -> dict[str, Any]:
    clusters = (
        cluster_codes(state.data, cluster, state.rows, fml, state.fe) if kind == "CRV1" else None
    )
    n_obs = state.x.shape[0]
    out = compute_vcov(kind, state.bread, state.x, state.we, state.ssr, n_obs, state.fe, clusters)
    if not np.isfinite(out.df_t) or out.df_t <= 0:
        raise EstimationError(
            f"{fml!r} has no residual degrees of freedom ({n_obs} rows, {out.df_k} parameters)"
        )
    return {
        "vcov_matrix": out.matrix,
        "vcov_type": kind,
        "cluster": cluster if kind == "CRV1" else (),
        "df_t": float(out.df_t),
        "df_k": out.df_k,
        "cluster_sizes": out.n_clusters,
    }


def recompute_vcov(state: FitState, vcov: VcovSpec, fml: str) -> dict[str, Any]:
    """Variance fields of a result under another vcov (used by ``FeolsResult.with_vcov``)."""
    kind, cluster = parse_vcov(vcov, state.fe.names if state.fe else (), fml)
    return _vcov_fields(state, kind, cluster, fml)


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
    kind : {"iid", "hetero", "CRV1"}
        Variance estimator.
    cluster : tuple of str
        Cluster variables for ``"CRV1"``.
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
    state = FitState(x_kept, fit.bread, we, fit.ssr, design.fe, design.rows, data)
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
        (quote other names in backticks: ``{"CRV1": "`city id`"}``).
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
    * t-tests with :math:`G-1` degrees of freedom under clustering, :math:`n-K` otherwise.

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
    kind, cluster = parse_vcov(vcov, spec.fixef, fml)
    design = build_design(spec, data, weights=weights, extra_columns=cluster)
    return fit_design(design, data, kind, cluster, demean_method=demean_method)
