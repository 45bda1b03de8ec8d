"""A fit's variance: the ``vcov=`` argument, cluster codes, and recomputing the variance.

:class:`FitState` is what a :class:`~pilotdid.estimation.result.FeolsResult` keeps so that
``with_vcov`` recomputes its variance without refitting; this module does not import the
result type, so the two stand one above the other (``feols`` → ``result`` → ``variance``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.errors import EstimationError, did_you_mean
from pilotdid.estimation.fixef import FixedEffects
from pilotdid.estimation.formula import parse_cluster
from pilotdid.estimation.vcov import ClusterCodes, cluster_factor, compute_vcov
from pilotdid.estimation.vcov_cr import cr2_vcov, cr3_jackknife

__all__ = ["FitState", "VcovSpec", "cluster_codes", "parse_vcov", "recompute_vcov"]

VcovSpec = str | Mapping[str, str] | None

_VCOV_HELP = (
    "use 'iid', 'hetero' (or 'HC1'), {'CRV1': 'unit'}, {'CRV1': 'unit+year'}, "
    "{'CR2': 'unit'} (Bell-McCaffrey) or {'CR3': 'unit'} (cluster jackknife)"
)
#: Cluster-robust kinds; CR2/CR3 are accepted where ``small_sample=True`` (feols, with_vcov).
CLUSTER_KINDS = ("CRV1", "CR2", "CR3")


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
    weights : numpy.ndarray or None
        Analytic weights of the sample rows (``None``: unweighted).
    """

    x: np.ndarray
    bread: np.ndarray
    we: np.ndarray
    ssr: float
    fe: FixedEffects | None
    rows: np.ndarray
    data: pd.DataFrame
    weights: np.ndarray | None = None


def parse_vcov(
    vcov: VcovSpec, fixef: Sequence[str], fml: str = "", *, small_sample: bool = False
) -> tuple[str, tuple[str, ...]]:
    """Normalise a vcov argument to ``(kind, cluster_columns)``.

    Parameters
    ----------
    vcov : str, dict or None
        ``None`` follows fixest: clustered by the first fixed effect when there is one, else iid.
    fixef : sequence of str
        Fixed effects of the model (for the default).
    fml : str
        Formula, for error messages.
    small_sample : bool, default False
        Also accept ``{"CR2": ...}`` and ``{"CR3": ...}`` (``feols`` and ``with_vcov`` do; the
        batched engines of placebo and mechanism compute CRV1 only).

    Returns
    -------
    tuple
        ``("iid" | "hetero" | "CRV1" | "CR2" | "CR3", cluster column names)``.

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
    if isinstance(vcov, Mapping) and len(vcov) == 1:
        kind, value = next(iter(vcov.items()))
        if kind in ("CR2", "CR3") and not small_sample:
            raise EstimationError(
                f"vcov={vcov!r}: {kind} is available in feols() and FeolsResult.with_vcov(); "
                "this estimator computes 'iid', 'hetero' or {'CRV1': ...} standard errors"
            )
        if kind in CLUSTER_KINDS and isinstance(value, str):
            names = parse_cluster(value)
            if names is not None and 1 <= len(names) <= 2:
                return kind, names
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
    clustered = kind in CLUSTER_KINDS
    clusters = cluster_codes(state.data, cluster, state.rows, fml, state.fe) if clustered else None
    n_obs = state.x.shape[0]
    out = compute_vcov(
        "CRV1" if clustered else kind,
        state.bread,
        state.x,
        state.we,
        state.ssr,
        n_obs,
        state.fe,
        clusters,
    )
    matrix = out.matrix
    if kind in ("CR2", "CR3") and clusters is not None:
        matrix = _small_sample_matrix(state, kind, clusters, n_obs, out.df_k)
    if not np.isfinite(out.df_t) or out.df_t <= 0:
        raise EstimationError(
            f"{fml!r} has no residual degrees of freedom ({n_obs} rows, {out.df_k} parameters)"
        )
    return {
        "vcov_matrix": matrix,
        "vcov_type": kind,
        "cluster": cluster if clustered else (),
        "df_t": float(out.df_t),
        "df_k": out.df_k,
        "cluster_sizes": out.n_clusters,
    }


def _small_sample_matrix(
    state: FitState, kind: str, clusters: ClusterCodes, n_obs: int, df_k: int
) -> np.ndarray:
    """CR2 (no factor, as clubSandwich) or CR3 (fixest's CRV1 factor, as pyfixest's CRV3)."""
    if kind == "CR2":
        return cr2_vcov(state.x, state.we, state.bread, clusters, state.weights)
    jack = cr3_jackknife(state.x, state.we, clusters, state.weights, state.fe)
    return jack * cluster_factor(min(clusters.n_levels), n_obs, df_k)


def recompute_vcov(state: FitState, vcov: VcovSpec, fml: str) -> dict[str, Any]:
    """Variance fields of a result under another vcov (used by ``FeolsResult.with_vcov``)."""
    kind, cluster = parse_vcov(vcov, state.fe.names if state.fe else (), fml, small_sample=True)
    return _vcov_fields(state, kind, cluster, fml)
