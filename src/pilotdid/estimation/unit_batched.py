r"""Unit-level placebo draws without touching every row for every draw.

A unit-level assignment gives unit :math:`i \in S_r` the adoption period :math:`g_i`, so the
treatment column is :math:`d_r = \sum_{i \in S_r} u_{i,g_i}` with :math:`u_{i,g}` the indicator of
unit :math:`i`'s rows from :math:`g` on. Absorb the unit fixed effect exactly (within-unit
demeaning :math:`M_u`) and collect everything else that is partialled out — the dummies of the
other fixed effects and the controls — in :math:`Z = M_u[D_{\text{other}}, X]` (``n × p``). Then,
with :math:`G = Z'WZ`,

.. math::

    \hat\beta_r = \frac{\sum_{i \in S_r} a_{i,g_i}}
                       {\sum_{i \in S_r} \kappa_{i,g_i} - q_r' G^{-} q_r},\qquad
    q_r = \sum_{i \in S_r} q_{i,g_i},

where :math:`a_{i,g}`, :math:`\kappa_{i,g}` and :math:`q_{i,g}` are sums over unit :math:`i`'s rows
from :math:`g` on (of :math:`w\tilde y`, of the within-unit variance of :math:`u_{i,g}`, and of
:math:`wZ`), tabulated once for every unit and period. The cluster sums of the scores of unit
:math:`j` are

.. math::

    S_{jr} = 1[j \in S_r]\,a_{j,g_j} - P_j'\theta_r
             - \hat\beta_r\big(1[j \in S_r](\kappa_{j,g_j} - 2 q_{j,g_j}'\theta_r)
             + \theta_r' H_j \theta_r\big),\qquad \theta_r = G^{-} q_r,

with :math:`P_j = \sum_t w\tilde y Z` and :math:`H_j = \sum_t wZZ'` per unit (summed within clusters
when units are nested in coarser clusters). Draws arrive in sparse form (the ``k`` fake-treated
units of each draw and their periods), and :math:`a, \kappa, q` sit side by side in one table,
so the per-draw sums are one gather of ``k`` table rows; the cluster sums split into a part shared
by every cluster (one matrix product for a block of draws) and a part only the fake-treated units'
clusters have (``O(k p)``, see :func:`_cluster_meat`). A draw therefore costs
:math:`O(k p + G_c p^2)` multiply-adds, the :math:`G_c p^2` part inside one BLAS product per
block, instead of :math:`O(n)` passes over the rows. The numbers equal the row-level batched path
(:mod:`pilotdid.estimation.batched`) and separate ``feols`` calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from pilotdid.estimation.batched import BatchedFit, small_sample
from pilotdid.estimation.design import Design
from pilotdid.estimation.ols import COLLINEAR_TOL, find_collinear, scaled_inverse
from pilotdid.estimation.vcov import ClusterCodes

__all__ = ["UnitLevelModel", "prepare_unit_level", "unit_level_fit"]

#: Largest number of partialled-out columns (other fixed-effect levels + controls) handled here.
MAX_COLUMNS = 64
#: Cells of the per-draw × per-cluster blocks (bounds memory on panels with many clusters).
BLOCK_CELLS = 1 << 24


@dataclass(frozen=True, eq=False)
class UnitLevelModel:
    r"""Per-unit tables from which every unit-level placebo draw is estimated.

    Attributes
    ----------
    periods : numpy.ndarray, shape (T,)
        Sorted distinct periods.
    a, kappa : numpy.ndarray, shape (N, T + 1)
        :math:`a_{i,g}` and :math:`\kappa_{i,g}` for adoption at each period index (T = never).
    mass : numpy.ndarray, shape (N, T + 1)
        Weight of unit :math:`i`'s rows from :math:`g` on: the raw sum of squares of its
        treatment indicator (the scale of the collinearity test, as in :func:`pilotdid.feols`).
    q : numpy.ndarray, shape (N, T + 1, p)
        :math:`q_{i,g}`.
    table : numpy.ndarray, shape (N, T + 1, 3 + p)
        ``a``, ``kappa``, ``mass`` and ``q`` side by side (the others are views of it), so one
        sparse product sums all four over a draw's fake-treated units.
    g_inv : numpy.ndarray, shape (p, p)
        A generalised inverse of :math:`G`.
    cluster_of_unit : numpy.ndarray of int, shape (N,) or None
        Cluster of each unit (iid: unused); ``None`` when every unit is its own cluster (the
        clusters are numbered as the units).
    ph_cluster : numpy.ndarray, shape (Gc, p + p (p + 1) / 2)
        :math:`P` and :math:`H` summed within clusters, side by side; :math:`H` as its upper
        triangle with off-diagonal entries doubled.
    ssr_y : float
        :math:`\tilde y' W \tilde y`.
    kind : str
        ``"iid"`` or ``"CRV1"``.
    correction, df_t, df_resid : float
        Small-sample factor and degrees of freedom (as :func:`pilotdid.feols`).
    """

    periods: np.ndarray
    a: np.ndarray
    kappa: np.ndarray
    mass: np.ndarray
    q: np.ndarray
    table: np.ndarray
    g_inv: np.ndarray
    cluster_of_unit: np.ndarray | None
    ph_cluster: np.ndarray
    ssr_y: float
    kind: str
    correction: float
    df_t: float
    df_resid: float


def prepare_unit_level(
    design: Design,
    control_columns: np.ndarray,
    unit_name: str,
    unit_index: np.ndarray,
    period: np.ndarray,
    kind: str,
    clusters: ClusterCodes | None,
) -> UnitLevelModel | None:
    """Tabulate what unit-level draws need, or return ``None`` when the shortcut does not apply.

    The shortcut needs the unit among the fixed effects, iid or one-way clustered errors with
    units nested in the clusters, at most :data:`MAX_COLUMNS` other columns to partial out, and a
    unit × period grid not much larger than the data.

    Parameters
    ----------
    design : Design
        Estimation sample.
    control_columns : numpy.ndarray of int
        Positions of the controls in ``design.x``.
    unit_name : str
        Name of the unit fixed effect in ``design.fe``.
    unit_index : numpy.ndarray of int, shape (n,)
        Unit of each row, ``0 .. N-1``.
    period : numpy.ndarray, shape (n,)
        Period of each row.
    kind : str
        Variance estimator.
    clusters : ClusterCodes or None
        Cluster codes for ``"CRV1"``.

    Returns
    -------
    UnitLevelModel or None
        The tables, or ``None`` to use the row-level path.
    """
    fe = design.fe
    if fe is None or unit_name not in fe.names or kind not in ("iid", "CRV1"):
        return None
    if kind == "CRV1" and (clusters is None or len(clusters.codes) != 1):
        return None
    periods, tau = np.unique(period, return_inverse=True)
    n_units = int(unit_index.max()) + 1
    others = [j for j, name in enumerate(fe.names) if name != unit_name]
    width = sum(fe.n_levels[j] for j in others) + control_columns.size
    if width > MAX_COLUMNS or n_units * periods.size > 4 * design.n_obs + 10_000:
        return None
    cluster_of_unit = (
        _cluster_of_unit(unit_index, n_units, clusters)
        if kind == "CRV1"
        else np.zeros(n_units, int)
    )
    if cluster_of_unit is None:
        return None
    dummies = [np.eye(fe.n_levels[j])[fe.codes[j]] for j in others]
    raw = np.column_stack([*dummies, design.x[:, control_columns]])
    w = np.ones(design.n_obs) if design.weights is None else design.weights
    n_dummies = sum(d.shape[1] for d in dummies)
    return _tabulate(
        design, raw, n_dummies, w, unit_index, tau, periods, cluster_of_unit, kind, clusters
    )


def _cluster_of_unit(
    unit_index: np.ndarray, n_units: int, clusters: ClusterCodes | None
) -> np.ndarray | None:
    """Cluster code of each unit, or ``None`` when some unit spans several clusters."""
    if clusters is None:
        return None
    code = clusters.codes[0]
    out = np.empty(n_units, dtype=np.int64)
    out[unit_index] = code
    return out if np.array_equal(out[unit_index], code) else None


def _tabulate(
    design: Design,
    raw: np.ndarray,
    n_dummies: int,
    w: np.ndarray,
    unit_index: np.ndarray,
    tau: np.ndarray,
    periods: np.ndarray,
    cluster_of_unit: np.ndarray,
    kind: str,
    clusters: ClusterCodes | None,
) -> UnitLevelModel:
    shape = (cluster_of_unit.size, periods.size)
    grid_w = np.zeros(shape)
    grid_w[unit_index, tau] = w
    weight = grid_w.sum(axis=1)
    root = np.sqrt(grid_w)
    z = _within_unit(_to_grid(raw, unit_index, tau, shape), grid_w, weight)
    y = _within_unit(_to_grid(design.y[:, None], unit_index, tau, shape), grid_w, weight)[..., 0]
    # the same collinearity rule as feols decides which controls count in K
    z_w = z * root[..., None]
    flat = z_w.reshape(-1, z_w.shape[-1])
    keep = ~find_collinear(flat.T @ flat, np.einsum("ij,ij,i->j", raw, raw, w))
    z, z_w = z[..., keep], z_w[..., keep]
    flat = z_w.reshape(-1, z_w.shape[-1])
    g_inv = scaled_inverse(flat.T @ flat) if keep.any() else np.zeros((0, 0))
    y = y - z @ (g_inv @ (flat.T @ (y * root).ravel()))  # residual on every FE and the controls
    y_w = y * root
    n_units = shape[0]
    groups = int(cluster_of_unit.max()) + 1
    own_cluster = groups == n_units and np.array_equal(cluster_of_unit, np.arange(n_units))
    upper = np.triu_indices(z_w.shape[-1])
    doubled = np.where(upper[0] == upper[1], 1.0, 2.0)  # θ'Hθ from the upper triangle only
    per_unit_h = np.matmul(z_w.transpose(0, 2, 1), z_w)[:, upper[0], upper[1]] * doubled
    per_unit_p = np.einsum("ntp,nt->np", z_w, y_w)
    correction, df_t, df_resid = small_sample(
        design, int(keep[n_dummies:].sum()) + 1, kind, clusters
    )
    table = np.zeros((n_units, shape[1] + 1, 3 + z.shape[-1]))  # C order: draws read rows
    _from_period_on(grid_w * y, table[..., 0])
    _from_period_on(grid_w, table[..., 2])
    table[..., 1] = _kappa(table[..., 2], weight)
    np.multiply(z, grid_w[..., None], out=z)  # z is not needed any more
    _from_period_on(z, table[..., 3:])
    ph = np.hstack([per_unit_p, per_unit_h])
    if not own_cluster:
        to_cluster = sp.csr_matrix(
            (np.ones(n_units), (cluster_of_unit, np.arange(n_units))), shape=(groups, n_units)
        )
        ph = np.asarray(to_cluster @ ph)
    return UnitLevelModel(
        periods=periods,
        a=table[..., 0],
        kappa=table[..., 1],
        mass=table[..., 2],
        q=table[..., 3:],
        table=table,
        g_inv=g_inv,
        cluster_of_unit=None if own_cluster else cluster_of_unit,
        ph_cluster=ph,
        ssr_y=float(np.sum(y_w**2)),
        kind=kind,
        correction=correction,
        df_t=df_t,
        df_resid=df_resid,
    )


def _to_grid(
    values: np.ndarray, unit_index: np.ndarray, tau: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """Scatter row values onto the unit × period grid (zeros where a unit is not observed)."""
    grid = np.zeros((*shape, values.shape[1]))
    grid[unit_index, tau] = values
    return grid


def _within_unit(grid: np.ndarray, grid_w: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Weighted within-unit demeaning on the grid; unobserved cells stay zero."""
    means = np.einsum("ntp,nt->np", grid, grid_w) / weight[:, None]
    return np.asarray((grid - means[:, None, :]) * (grid_w > 0)[..., None])


def _from_period_on(grid: np.ndarray, out: np.ndarray) -> None:
    """Write the sums from each period to the last (reverse cumulative) into ``out``.

    ``out`` has one more period than ``grid``: the 'never' slot, left as it is (zero).
    """
    periods = grid.shape[1]
    np.cumsum(grid[:, ::-1], axis=1, out=out[:, periods - 1 :: -1])


def _kappa(weight_from: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Weighted within-unit sum of squares of the indicator of a unit's rows from g on."""
    return np.asarray(weight_from - weight_from**2 / weight[:, None])


def unit_level_fit(model: UnitLevelModel, unit: np.ndarray, period: np.ndarray) -> BatchedFit:
    """Coefficient and standard error of every unit-level assignment.

    Parameters
    ----------
    model : UnitLevelModel
        From :func:`prepare_unit_level`.
    unit : numpy.ndarray of int, shape (R, k)
        Fake-treated units of each draw (distinct within a draw).
    period : numpy.ndarray, shape (R, k)
        Their adoption periods (``inf`` or after the last period = not treated).

    Returns
    -------
    BatchedFit
        One coefficient and standard error per draw.
    """
    total = unit.shape[0]
    width = unit.shape[1] * model.table.shape[-1]
    step = max(1, BLOCK_CELLS // max(model.ph_cluster.shape[0], width, 1))
    coef, se = np.empty(total), np.empty(total)
    for start in range(0, total, step):
        block = slice(start, min(start + step, total))
        coef[block], se[block] = _fit_block(model, unit[block], period[block])
    return BatchedFit(coef, se, model.df_t)


def _fit_block(
    model: UnitLevelModel, units: np.ndarray, periods: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n_slots = model.table.shape[1]
    # first period >= adoption; after the last period (or inf) it is the all-zero 'never' slot
    rows = units * n_slots + np.searchsorted(model.periods, periods, side="left")
    # the fake-treated units' table rows, [a, κ, mass, q] at their adoption slot: O(k) per draw
    picked = np.take(model.table.reshape(-1, model.table.shape[-1]), rows, axis=0)
    sums = picked.sum(axis=1)
    num, kappa, mass, q = sums[:, 0], sums[:, 1], sums[:, 2], sums[:, 3:]
    theta = q @ model.g_inv
    den = kappa - np.einsum("rp,rp->r", q, theta)
    # feols's collinearity rule: variation left below a share of the raw sum of squares
    floor = np.maximum(COLLINEAR_TOL * mass, 1e-300)
    with np.errstate(invalid="ignore", divide="ignore"):
        coef = np.where(den > floor, num / den, np.nan)
        if model.kind == "iid":
            variance = (model.ssr_y - coef**2 * den) / model.df_resid / den
        else:
            variance = _cluster_meat(model, units, picked, theta, coef) / den**2
    return coef, np.sqrt(variance * model.correction)


def _cluster_meat(
    model: UnitLevelModel,
    units: np.ndarray,
    picked: np.ndarray,
    theta: np.ndarray,
    coef: np.ndarray,
) -> np.ndarray:
    r"""Return :math:`\sum_c S_{cr}^2` for every draw (rows) from the per-cluster tables.

    Split each cluster sum into a part every cluster has and a part only the clusters of the
    draw's fake-treated units have: :math:`S_{cr} = c_{cr} + \sum_{j \in c \cap S_r} e_{jr}` with

    .. math::

        c_{cr} = -P_c'\theta_r - \hat\beta_r\,\theta_r' H_c \theta_r
               = -[P_c, h_c]'[\theta_r, \hat\beta_r o_r],\qquad
        e_{jr} = a_{j,g_j} - \hat\beta_r(\kappa_{j,g_j} - 2 q_{j,g_j}'\theta_r)
               = [a, \kappa, \text{mass}, q]_{j,g_j}'\,[1, -\hat\beta_r, 0, 2\hat\beta_r\theta_r],

    where :math:`h_c` is the upper triangle of :math:`H_c` (off-diagonal entries doubled) and
    :math:`o_r` the matching products :math:`\theta_{ra}\theta_{rb}`. All :math:`c_{cr}` of a
    block of draws are one matrix product (``R × (p + p(p+1)/2)`` by ``(p + p(p+1)/2) × G``, the
    shared term); :math:`e_{jr}` is one matrix-vector product over the draw's ``k`` table rows
    (``O(k p)``), added to the clusters of the fake-treated units only.
    """
    n_draws, groups = theta.shape[0], model.ph_cluster.shape[0]
    upper = np.triu_indices(theta.shape[1])
    lhs = np.hstack([theta, coef[:, None] * (theta[:, upper[0]] * theta[:, upper[1]])])
    scores = lhs @ model.ph_cluster.T
    np.negative(scores, out=scores)
    weights = np.zeros((n_draws, picked.shape[-1]))
    weights[:, 0], weights[:, 1], weights[:, 3:] = 1.0, -coef, 2 * coef[:, None] * theta
    extra = np.einsum("rkw,rw->rk", picked, weights)  # e_{jr} of the k treated pairs
    if model.cluster_of_unit is None:  # clusters are the units, distinct within a draw
        np.put_along_axis(scores, units, np.take_along_axis(scores, units, axis=1) + extra, axis=1)
    else:
        cells = np.arange(n_draws)[:, None] * groups + model.cluster_of_unit[units]
        scores += np.bincount(cells.ravel(), extra.ravel(), minlength=scores.size).reshape(
            scores.shape
        )
    return np.asarray(np.einsum("rc,rc->r", scores, scores))
