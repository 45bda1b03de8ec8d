r"""Fisher permutation test of a difference between group coefficients, batched over draws.

Group labels are shuffled across units (within adoption cohorts by default, so every group keeps
its number of treated units), and the group coefficients are re-estimated for every shuffle.
The fully interacted model changes with the labels — each group has its own control slopes and
year effects — so the draws cannot share one partialling-out as the placebo does. They share
something else: with the unit fixed effect absorbed within units, a group's regression depends
only on the sum of its units' cross-products (:mod:`pilotdid.estimation.moments`). Each draw's
normal equations are therefore a ``(draws × units) @ (units × p²)`` product and a batched
pseudo-inverse, exact and vectorised over draws.

Two statistics are permuted: the coefficient contrast (:math:`|\hat\beta_g - \hat\beta_{ref}|`
for two groups; the spread :math:`\sum_g (\hat\beta_g - \bar\beta)^2` for more) and the cluster-
robust Wald statistic of equal coefficients (:math:`t^2` for two groups), which is the more
robust choice when the groups differ in size or noise (a studentized permutation test). The
Wald statistic clusters by the model's cluster variable when it nests units, otherwise by unit
— the level at which labels are permuted — and uses the observed pooled model's small-sample
factor for every draw. Designs too wide for per-unit moments (many levels in the other fixed
effects) fall back to a loop over draws that refits the pooled model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from pilotdid.estimation.design import build_design
from pilotdid.estimation.formula import FormulaSpec
from pilotdid.estimation.moments import UnitMoments, solve_draws, target_scores, unit_moments

__all__ = [
    "PermutationSetup",
    "draw_labels",
    "loop_statistics",
    "permutation_statistics",
    "prepare_permutation",
    "spread",
]

#: Bytes of the working arrays of one block of draws (group indicators, unit scores, cluster
#: sums): memory stays bounded whatever the number of units and draws.
_BLOCK_BYTES = 1 << 28
#: Keys drawn at once when labels are shuffled (bounds the shuffle's working memory).
_LABEL_BLOCK = 1 << 22


@dataclass(frozen=True, eq=False)
class PermutationSetup:
    """Everything the draws share.

    Attributes
    ----------
    moments : UnitMoments or None
        Per-unit cross-products (``None``: the design is too wide; use the loop).
    units : numpy.ndarray, shape (N,)
        Unit labels of the sample.
    groups : numpy.ndarray of int, shape (N,)
        Observed group of each unit.
    cluster : numpy.ndarray of int, shape (N,)
        Cluster of each unit for the Wald statistic.
    n_clusters : int
        Number of those clusters.
    regressors : list of int
        Moment columns used as regressors (the outcome is column 0).
    target : int
        Position of the treatment among ``regressors``.
    """

    moments: UnitMoments | None
    units: np.ndarray
    groups: np.ndarray
    cluster: np.ndarray
    n_clusters: int
    regressors: list[int]
    target: int


def prepare_permutation(
    spec: FormulaSpec,
    sample: pd.DataFrame,
    row_groups: np.ndarray,
    treatment: str,
    unit: str,
    cluster_column: str,
    weights: str | None,
) -> PermutationSetup:
    """Build the per-unit moments of the group-level specification on ``sample``.

    Time O(n·p²) (one design and one batched product per unit size), memory O(n·p + N·p²).

    Parameters
    ----------
    spec : FormulaSpec
        The specification estimated in each group.
    sample : pandas.DataFrame
        Rows in some group.
    row_groups : numpy.ndarray of int
        Group code of each row of ``sample`` (constant within units).
    treatment : str
        The DID regressor.
    unit : str
        Unit column (labels are permuted across units).
    cluster_column : str
        Cluster variable of the Wald statistic (the unit itself, or a column nesting units).
    weights : str or None
        Column of analytic weights.

    Returns
    -------
    PermutationSetup
        The shared pieces.
    """
    design = build_design(
        spec, sample, weights=weights, extra_columns=list(dict.fromkeys([unit, cluster_column]))
    )
    rows = sample.iloc[design.rows]
    unit_code, units = pd.factorize(rows[unit], sort=True)
    n_units = len(units)
    groups = np.empty(n_units, dtype=np.int64)
    groups[unit_code] = row_groups[design.rows]
    keep = [j for j, name in enumerate(design.names) if name != "Intercept"]
    names = (spec.depvar, *(design.names[j] for j in keep))
    values = np.column_stack([design.y, design.x[:, keep]])
    unit_fe = spec.fixef.index(unit) if unit in spec.fixef else None
    moments = unit_moments(values, names, unit_code, n_units, design.fe, unit_fe, design.weights)
    cluster_per_unit = np.empty(n_units, dtype=np.int64)
    cluster_per_unit[unit_code] = pd.factorize(rows[cluster_column], sort=True)[0]
    width = len(names) if moments is None else moments.width
    return PermutationSetup(
        moments,
        np.asarray(units),
        groups,
        cluster_per_unit,
        int(cluster_per_unit.max()) + 1,
        list(range(1, width)),
        names.index(treatment) - 1,
    )


def draw_labels(
    groups: np.ndarray, strata: np.ndarray, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """Shuffle the units' group labels within strata.

    Each draw is a uniformly random relabelling that keeps every stratum's group counts: the
    units of a stratum get independent uniform keys and the ``n_0`` smallest keys take the
    first group, the next ``n_1`` the second, and so on. The cut points (order statistics of
    the keys) are found by bucketing the keys (:func:`_order_statistics`), so a block of draws
    costs a few vectorised passes over its ``R × N`` keys and no sort. Time O(R·N·K), memory
    O(R·N) bytes for the labels (the smallest integer type that holds ``K``) plus a fixed block.

    Parameters
    ----------
    groups : numpy.ndarray of int, shape (N,)
        Observed group of each unit.
    strata : numpy.ndarray of int, shape (N,)
        Stratum of each unit (labels move only within a stratum).
    draws : int
        Number of shuffles ``R``.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    numpy.ndarray of int, shape (R, N)
        Group of each unit in each draw.

    Examples
    --------
    >>> out = draw_labels(np.array([0, 0, 1, 1]), np.zeros(4, int), 3, np.random.default_rng(0))
    >>> out.shape, (out == 0).sum(axis=1).tolist()
    ((3, 4), [2, 2, 2])
    """
    n_groups = int(groups.max()) + 1 if groups.size else 1
    dtype = np.min_scalar_type(-max(n_groups, 1))  # signed: int8 up to 128 groups
    out = np.empty((draws, groups.size), dtype=dtype)
    for stratum in np.unique(strata):  # strata are adoption cohorts: a handful
        members = np.flatnonzero(strata == stratum)
        counts = np.bincount(groups[members], minlength=n_groups)
        cuts = np.cumsum(counts)[:-1]  # rank at which each group after the first starts
        width = max(1, _LABEL_BLOCK // max(1, members.size))
        for first in range(0, draws, width):
            keys = rng.random((min(width, draws - first), members.size))
            labels = np.zeros(keys.shape, dtype=dtype)
            for value in _order_statistics(keys, cuts).T:  # one pass per group boundary
                labels += keys >= value[:, None]
            out[first : first + keys.shape[0], members] = labels
    return out


def _order_statistics(keys: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Find the key of rank ``ranks[k]`` (0-based) in every row of ``keys`` (uniform on [0, 1)).

    Keys are counted into about ``n / 32`` equal buckets per row; the bucket holding each rank
    is read off the cumulative counts, and only that bucket's keys (about 32 per row) are
    sorted. A rank ``≥ n`` gives ``+inf`` (an empty last group). Time O(R·n) per rank.
    """
    n_rows, n = keys.shape
    out = np.full((n_rows, ranks.size), np.inf)
    n_buckets = max(1, n // 32)
    bucket = np.minimum((keys * n_buckets).astype(np.int64), n_buckets - 1)
    row_offset = np.arange(n_rows)[:, None] * n_buckets
    counts = np.bincount((bucket + row_offset).ravel(), minlength=n_rows * n_buckets)
    counts = counts.reshape(n_rows, n_buckets)
    cumulative = np.cumsum(counts, axis=1)
    rows = np.arange(n_rows)
    for k, rank in enumerate(ranks):
        if rank >= n:
            continue
        home = (cumulative <= rank).sum(axis=1)  # bucket holding the key of this rank
        size = counts[rows, home]
        within = rank - (cumulative[rows, home] - size)  # its position inside the bucket
        row, col = np.nonzero(bucket == home[:, None])  # row-major: rows in order
        values = keys[row, col]
        order = np.lexsort((values, row))
        out[:, k] = values[order][np.cumsum(size) - size + within]
    return out


def permutation_statistics(
    setup: PermutationSetup,
    labels: np.ndarray,
    n_groups: int,
    reference: int,
    correction: float,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Group contrasts and the Wald statistic of equal coefficients for every labelling.

    Draws are processed in blocks whose working arrays fit :data:`_BLOCK_BYTES`; within a block
    all draws and all groups are solved together: the groups' cross-products are one
    ``(R·K × N) @ (N × p²/2)`` product over the packed unit moments, the units' scores another,
    and their cluster sums a sparse product (no units × clusters matrix). Time
    O(R·K·N·p² + R·K·p³), memory O(N·p² + block).

    Parameters
    ----------
    setup : PermutationSetup
        From :func:`prepare_permutation` (with moments).
    labels : numpy.ndarray of int, shape (R, N)
        Group of each unit in each draw.
    n_groups : int
        Number of groups ``K``.
    reference : int
        Reference group of the contrasts.
    correction : float
        Small-sample factor of the cluster-robust variance.

    Returns
    -------
    tuple of numpy.ndarray
        Contrasts :math:`\\hat\beta_g - \\hat\beta_{ref}` (R × (K − 1), groups in order without the
        reference) and Wald statistics (R,); NaN where a group's coefficient is not identified.
    """
    moments = setup.moments
    if moments is None:
        raise ValueError("the design is too wide for per-unit moments; use loop_statistics")
    n_draws = labels.shape[0]
    per_draw = 8 * n_groups * (3 * moments.n_units + moments.packed.shape[1])
    width = max(1, min(n_draws, _BLOCK_BYTES // per_draw))
    summer = None
    if not np.array_equal(setup.cluster, np.arange(moments.n_units)):
        # clusters × units indicator, sparse: one nonzero per unit
        summer = sp.csr_matrix(
            (np.ones(moments.n_units), (setup.cluster, np.arange(moments.n_units))),
            shape=(setup.n_clusters, moments.n_units),
        )
    diffs = np.empty((n_draws, n_groups - 1))
    walds = np.empty(n_draws)
    for start in range(0, n_draws, width):
        block = labels[start : start + width]
        diffs[start : start + len(block)], walds[start : start + len(block)] = _block(
            setup, moments, block, n_groups, reference, correction, summer
        )
    return diffs, walds


def _block(
    setup: PermutationSetup,
    moments: UnitMoments,
    labels: np.ndarray,
    n_groups: int,
    reference: int,
    correction: float,
    summer: sp.csr_matrix | None,
) -> tuple[np.ndarray, np.ndarray]:
    n_draws, n_units = labels.shape
    # member[r, g, i] = 1 when unit i is in group g in draw r; rows (r, g) flattened
    ones = (np.arange(n_draws)[:, None] * n_groups + labels) * n_units + np.arange(n_units)
    member = np.zeros((n_draws * n_groups, n_units))
    member.ravel()[ones.ravel()] = 1.0
    fit = solve_draws(moments.sums(member), moments.scale, 0, setup.regressors, setup.target)
    coef = fit.target.reshape(n_draws, n_groups)
    scores = target_scores(moments, fit, 0, setup.regressors, setup.target)
    scores *= member  # each group's scores over its own units
    del member
    if summer is not None:  # cluster sums (clusters nesting units)
        scores = np.asarray(summer @ scores.T).T
        cluster_scores = scores.reshape(n_draws, n_groups, -1)
        variance = np.matmul(cluster_scores, cluster_scores.transpose(0, 2, 1)) * correction
    else:  # clusters are units, each in one group: the groups' scores are uncorrelated
        variance = np.zeros((n_draws, n_groups, n_groups))
        diagonal = np.einsum("ri,ri->r", scores, scores).reshape(n_draws, n_groups)
        variance[:, np.arange(n_groups), np.arange(n_groups)] = diagonal * correction
    others = [g for g in range(n_groups) if g != reference]
    contrast = np.zeros((len(others), n_groups))
    contrast[np.arange(len(others)), others] = 1.0
    contrast[:, reference] = -1.0
    diff = coef @ contrast.T
    cov = np.einsum("ag,rgh,bh->rab", contrast, variance, contrast)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(diff).all(axis=1) & (np.einsum("raa->ra", cov) > 0).all(axis=1)
        wald = np.full(n_draws, np.nan)
        if ok.any():
            solved = np.linalg.solve(cov[ok], diff[ok][:, :, None])[:, :, 0]
            wald[ok] = np.einsum("ra,ra->r", diff[ok], solved)
    return diff, wald


def spread(diffs: np.ndarray) -> np.ndarray:
    r"""Coefficient statistic of each draw: :math:`\sum_g (\hat\beta_g - \bar\beta)^2`.

    Computed from the contrasts against the reference (a shift of all coefficients leaves it
    unchanged); with two groups it is half the squared difference, so it orders draws as
    :math:`|\hat\beta_1 - \hat\beta_2|`.
    """
    full = np.column_stack([np.zeros(diffs.shape[0]), diffs])
    return np.asarray(((full - full.mean(axis=1, keepdims=True)) ** 2).sum(axis=1))


def loop_statistics(
    labels: np.ndarray,
    units: np.ndarray,
    refit: Callable[[pd.Series], tuple[np.ndarray, float]],
) -> tuple[np.ndarray, np.ndarray]:
    """Compute the same statistics by refitting the pooled model per labelling (wide designs).

    Time O(R·n·k²) (one pooled fit per draw), memory O(n·k) per fit.

    Parameters
    ----------
    labels : numpy.ndarray of int, shape (R, N)
        Group of each unit in each draw.
    units : numpy.ndarray, shape (N,)
        Unit labels.
    refit : callable
        Takes the unit → group Series of one draw and returns (contrasts, Wald statistic).

    Returns
    -------
    tuple of numpy.ndarray
        As :func:`permutation_statistics`.
    """
    diffs, walds = [], []
    for row in labels:
        d, w = refit(pd.Series(row, index=units))
        diffs.append(d)
        walds.append(w)
    return np.vstack(diffs), np.asarray(walds)
