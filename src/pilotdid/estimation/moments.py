r"""Many regressions on reweighted sets of units, solved from per-unit cross-products.

Permutation tests of group differences and the cluster bootstrap re-estimate one specification
on many samples that differ only in *which units* enter and how often. With the unit fixed
effect absorbed by the within-unit transformation — which involves no other unit — the
regression on any such sample depends on the data only through the sums of per-unit
cross-products

.. math::

    C_i = \sum_t w_{it}\, z_{it} z_{it}',\qquad
    z_{it} = (y_{it}, x_{it}, \text{dummies of the other fixed effects}) - \text{unit means},

so the normal equations of ``R`` samples are one ``(R × N) @ (N × p²)`` product followed by a
batched pseudo-inverse. A unit drawn twice by the bootstrap enters with weight 2, which is the
same as a copy with its own unit id; a singleton row, which the fixed effects fit exactly, adds
nothing to the sums, so the coefficients equal those of :func:`pilotdid.feols` on the
resampled or relabelled data. Cluster scores follow from the same sums:
:math:`s_i = C_i^{xy} - C_i^{xx}\hat\beta`.

Without a unit fixed effect the other fixed effects (or the intercept) enter as dummy columns
of :math:`z` and no demeaning is needed; the identity above still holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from pilotdid.estimation.blas import one_blas_thread
from pilotdid.estimation.fixef import FixedEffects

__all__ = [
    "MAX_COLUMNS",
    "DrawFit",
    "UnitMoments",
    "pack_bilinear",
    "solve_draws",
    "target_scores",
    "unit_moments",
    "unpack",
]

#: Widest ``z`` (variables plus fixed-effect dummies) kept as per-unit moments; wider designs
#: (e.g. province × year effects) are re-estimated by a loop instead.
MAX_COLUMNS = 120
#: Rows × p² elements formed at once when the moments are accumulated.
_CHUNK = 1 << 23
#: A target coefficient counts as identified when the pseudo-inverse reproduces its unit vector.
_IDENTIFIED_TOL = 1e-7


@dataclass(frozen=True, eq=False)
class UnitMoments:
    """Per-unit cross-products of the (within-unit demeaned, scaled) variables.

    Each :math:`C_i` is symmetric, so only its upper triangle is kept (``packed``, in the
    row-major order of :func:`numpy.triu_indices`): every product with the moments costs half
    of the full ``p × p`` version and gives the same sums.

    Attributes
    ----------
    packed : numpy.ndarray, shape (N, p (p + 1) / 2)
        Upper triangle of :math:`C_i` of each unit, computed on columns divided by ``scale``.
    scale : numpy.ndarray, shape (p,)
        Root mean square of each column (keeps FIN ~1e-4 as accurate as the others).
    names : tuple of str
        Names of the first ``n_vars`` columns (the variables); the rest are dummies.
    n_vars : int
        Number of variable columns; columns ``n_vars:`` are fixed-effect dummies.
    """

    packed: np.ndarray
    scale: np.ndarray
    names: tuple[str, ...]
    n_vars: int

    @property
    def n_units(self) -> int:
        """Number of units ``N``."""
        return int(self.packed.shape[0])

    @property
    def width(self) -> int:
        """Number of columns ``p`` of :math:`z`."""
        return int(self.scale.size)

    @property
    def moments(self) -> np.ndarray:
        """The full ``(N, p, p)`` cross-products (built on each access: ``N p²`` memory)."""
        return unpack(self.packed, self.width)

    @property
    def dummies(self) -> list[int]:
        """Positions of the fixed-effect dummy columns."""
        return list(range(self.n_vars, self.width))

    def index(self, name: str) -> int:
        """Position of a variable column."""
        return self.names.index(name)

    def sums(self, weights: np.ndarray) -> np.ndarray:
        """Cross-products of ``R`` samples: ``weights`` (R × N) times the unit moments.

        Time O(R·N·p²/2) (one matrix product), memory O(R·p²).
        """
        with one_blas_thread(2.0 * weights.shape[0] * self.packed.size):
            products = np.asarray(weights @ self.packed)
        return unpack(products, self.width)


def unpack(packed: np.ndarray, p: int) -> np.ndarray:
    """Symmetric ``(..., p, p)`` matrices from their packed upper triangles ``(..., p(p+1)/2)``.

    Examples
    --------
    >>> unpack(np.array([1.0, 2.0, 3.0]), 2).tolist()
    [[1.0, 2.0], [2.0, 3.0]]
    """
    rows, cols = np.triu_indices(p)
    full = np.empty((*packed.shape[:-1], p, p))
    full[..., rows, cols] = packed
    full[..., cols, rows] = packed
    return full


def pack_bilinear(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    r"""Coefficients ``K`` with :math:`a' C b = K \cdot \mathrm{packed}(C)` for symmetric ``C``.

    Parameters
    ----------
    left, right : numpy.ndarray, shape (R, p)
        The vectors :math:`a_r` and :math:`b_r`.

    Returns
    -------
    numpy.ndarray, shape (R, p (p + 1) / 2)
        :math:`a_j b_j` on the diagonal, :math:`a_j b_k + a_k b_j` off it.

    Examples
    --------
    >>> c = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> a, b = np.array([[1.0, 2.0]]), np.array([[3.0, -1.0]])
    >>> float((pack_bilinear(a, b) @ np.array([2.0, 1.0, 3.0]))[0]), float(a[0] @ c @ b[0])
    (5.0, 5.0)
    """
    p = left.shape[1]
    rows, cols = np.triu_indices(p)
    coef = left[:, rows] * right[:, cols]
    off = rows != cols
    coef[:, off] += left[:, cols[off]] * right[:, rows[off]]
    return np.asarray(coef)


@dataclass(frozen=True)
class DrawFit:
    """One regression solved on each of ``R`` samples (scaled units; see :func:`solve_draws`).

    Attributes
    ----------
    beta : numpy.ndarray, shape (R, k)
        Coefficients of the scaled regressors on the scaled outcome.
    inverse : numpy.ndarray, shape (R, k, k)
        Pseudo-inverse of each sample's Gram matrix.
    target : numpy.ndarray, shape (R,)
        Coefficient of the target regressor in the original units (NaN where unidentified).
    """

    beta: np.ndarray
    inverse: np.ndarray
    target: np.ndarray


def unit_moments(
    values: np.ndarray,
    names: Sequence[str],
    unit_code: np.ndarray,
    n_units: int,
    fe: FixedEffects | None,
    unit_fe: int | None,
    weights: np.ndarray | None = None,
) -> UnitMoments | None:
    """Per-unit cross-products of ``values`` and the fixed-effect dummies.

    Parameters
    ----------
    values : numpy.ndarray, shape (n, q)
        Outcome(s) and regressors, raw.
    names : sequence of str
        Names of the ``q`` columns.
    unit_code : numpy.ndarray of int, shape (n,)
        Unit of each row, ``0 .. n_units - 1``.
    n_units : int
        Number of units.
    fe : FixedEffects or None
        Fixed effects of the sample.
    unit_fe : int or None
        Position in ``fe`` of the unit fixed effect (absorbed by within-unit demeaning);
        ``None`` when the model has none.
    weights : numpy.ndarray, optional
        Analytic weights of the rows.

    Returns
    -------
    UnitMoments or None
        ``None`` when the dummies would make ``z`` wider than :data:`MAX_COLUMNS`.
    """
    dummies = _dummies(fe, unit_fe, values.shape[0])
    if dummies is None or values.shape[1] + dummies.shape[1] > MAX_COLUMNS:
        return None
    z = np.hstack([np.asarray(values, dtype=np.float64), dummies])
    w = np.ones(z.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    if unit_fe is not None:
        total = np.bincount(unit_code, weights=w, minlength=n_units)
        means = _group_sums(unit_code, n_units, z * w[:, None]) / total[:, None]
        z -= means[unit_code]
    rms = np.sqrt(np.einsum("ij,ij,i->j", z, z, w) / w.sum())
    scale = np.where(rms > 0, rms, 1.0)
    z /= scale
    return UnitMoments(_unit_grams(z, w, unit_code, n_units), scale, tuple(names), len(names))


def _unit_grams(z: np.ndarray, w: np.ndarray, unit_code: np.ndarray, n_units: int) -> np.ndarray:
    """Packed :math:`Z_i' W_i Z_i` of every unit, as batched products of equal-sized units.

    Rows are ordered by unit; units with the same number of rows ``T`` (all of them in a
    balanced panel) are stacked as ``(units, T, p)`` and multiplied in chunks of about
    :data:`_CHUNK` elements. Time O(n·p²), memory O(N·p² + chunk).
    """
    rows, cols = np.triu_indices(z.shape[1])
    packed = np.zeros((n_units, rows.size))
    order = np.argsort(unit_code, kind="stable")
    sizes = np.bincount(unit_code, minlength=n_units)
    starts = np.cumsum(sizes) - sizes
    for size in np.unique(sizes[sizes > 0]):
        units = np.flatnonzero(sizes == size)
        step = max(1, _CHUNK // int(size * z.shape[1] * z.shape[1]))
        for first in range(0, units.size, step):
            chunk = units[first : first + step]
            at = order[starts[chunk][:, None] + np.arange(size)]  # (units, T) row positions
            block = z[at]
            grams = np.matmul(block.transpose(0, 2, 1), block * w[at][:, :, None])
            packed[chunk] = grams[:, rows, cols]
    return packed


def _group_sums(code: np.ndarray, n_groups: int, block: np.ndarray) -> np.ndarray:
    summer = sp.csr_matrix(
        (np.ones(code.size), (code, np.arange(code.size))), shape=(n_groups, code.size)
    )
    return np.asarray(summer @ block)


def _dummies(fe: FixedEffects | None, unit_fe: int | None, n: int) -> np.ndarray | None:
    """Build dummy columns of the fixed effects not absorbed by the within-unit transformation.

    With a unit fixed effect every other factor loses one reference level (the unit means
    absorb the constant); without one the first factor keeps all its levels (it plays the
    intercept) and no factor at all gives an intercept column.
    """
    if fe is None or not fe.codes:
        return np.ones((n, 1))
    others = [j for j in range(len(fe.codes)) if j != unit_fe]
    width = sum(fe.n_levels[j] for j in others)
    if width > MAX_COLUMNS:
        return None
    columns = []  # column of each level (-1: the dropped reference level)
    for position, j in enumerate(others):
        levels = np.arange(fe.n_levels[j])
        if unit_fe is None and position == 0:
            columns.append(levels)
            continue
        # the most frequent level is the reference: the best-conditioned choice
        reference = int(np.argmax(np.bincount(fe.codes[j], minlength=fe.n_levels[j])))
        columns.append(np.where(levels == reference, -1, levels - (levels > reference)))
    out = np.zeros((n, sum(c.size - int((c < 0).any()) for c in columns)))
    offset = 0
    for j, column in zip(others, columns, strict=True):
        target = column[fe.codes[j]]
        rows = np.flatnonzero(target >= 0)
        out[rows, offset + target[rows]] = 1.0
        offset += column.size - int((column < 0).any())
    return out


def solve_draws(
    sums: np.ndarray, scale: np.ndarray, dep: int, regressors: Sequence[int], target: int
) -> DrawFit:
    """Solve the normal equations of every sample at once.

    Parameters
    ----------
    sums : numpy.ndarray, shape (R, p, p)
        Cross-products of each sample (:meth:`UnitMoments.sums`).
    scale : numpy.ndarray, shape (p,)
        Column scales of the moments.
    dep : int
        Column of the outcome.
    regressors : sequence of int
        Columns of the regressors (variables and dummies).
    target : int
        Position *within* ``regressors`` of the coefficient reported in ``DrawFit.target``.

    Returns
    -------
    DrawFit
        Coefficients, pseudo-inverses and the target coefficient in original units; the target
        is NaN in samples where it is not identified (e.g. no treated unit in a group).
    """
    regs = np.asarray(regressors, dtype=int)
    gram = sums[:, regs[:, None], regs[None, :]]
    cross = sums[:, regs, dep]
    # dummies of levels absent from a sample are exact zero columns: the pseudo-inverse
    # ignores them, as feols drops them
    inverse = np.linalg.pinv(gram, rcond=1e-12, hermitian=True)
    beta = np.einsum("rkl,rl->rk", inverse, cross)
    reproduced = np.einsum("rk,rk->r", inverse[:, target, :], gram[:, :, target])
    coef = beta[:, target] * scale[dep] / scale[regs[target]]
    identified = np.abs(reproduced - 1.0) < _IDENTIFIED_TOL
    return DrawFit(beta, inverse, np.where(identified, coef, np.nan))


def target_scores(
    moments: UnitMoments, fit: DrawFit, dep: int, regressors: Sequence[int], target: int
) -> np.ndarray:
    r"""Each unit's contribution to the target coefficient's score, for every sample.

    Parameters
    ----------
    moments : UnitMoments
        The per-unit cross-products.
    fit : DrawFit
        The regressions of ``R`` samples (:func:`solve_draws`).
    dep, regressors, target : int, sequence of int, int
        As given to :func:`solve_draws`.

    Returns
    -------
    numpy.ndarray, shape (R, N)
        :math:`u_{ri} = a_r' (C_i^{xy} - C_i^{xx}\hat\beta_r)` in original units, where
        :math:`a_r` is the target row of the pseudo-inverse: summed over the units of a
        cluster and squared, these give the cluster-robust variance of the target (before the
        small-sample factor), whether or not unit ``i`` is in sample ``r``.
    """
    regs = np.asarray(regressors, dtype=int)
    n_draws = fit.beta.shape[0]
    # u_ri = v_r' C_i w_r with v_r = (0, a_r) and w_r = (1, -beta_r) on (dep, regressors):
    # one (R × p²/2) @ (p²/2 × N) product over the packed moments (time O(R·N·p²/2))
    left = np.zeros((n_draws, moments.width))
    left[:, regs] = fit.inverse[:, target, :] * (moments.scale[dep] / moments.scale[regs[target]])
    right = np.zeros((n_draws, moments.width))
    right[:, dep] = 1.0
    right[:, regs] -= fit.beta
    with one_blas_thread(2.0 * n_draws * moments.packed.size):
        u = pack_bilinear(left, right) @ moments.packed.T
    return np.asarray(u)
