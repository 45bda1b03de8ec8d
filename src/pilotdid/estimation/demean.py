r"""Absorb fixed effects: project many columns off the fixed-effect space at once.

The factor with the most levels (the unit, usually) is absorbed by within-group means, which is
exact. The remaining factors (the year, usually) enter as dummies ``D`` whose coefficients solve the
small normal system of the Frisch–Waugh–Lovell theorem,

.. math::

    (D' W M_a D)\,\gamma = D' W M_a x,

where :math:`M_a` is the weighted within-transformation of the big factor. With few remaining
levels (years, provinces × years) the system is solved exactly by a pseudo-inverse computed once for
the fixed-effect structure, so any two-way panel, balanced or not, is demeaned exactly in one sweep
over the data. With many remaining levels (three large factors, say) it is solved by Jacobi-
preconditioned conjugate gradients, which accelerate the alternating-projections idea and handle
every column of the block at once.

An :class:`Absorber` is built once per fixed-effect structure and then applied to any ``n × R``
block — the outcome and controls of one regression, or thousands of placebo treatments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd
import scipy.sparse as sp

from pilotdid.errors import EstimationError, did_you_mean
from pilotdid.estimation.blas import one_blas_thread
from pilotdid.estimation.fixef import FixedEffects, encode_factors
from pilotdid.options import DemeanMethod, deprecated_arguments, validate_option

__all__ = ["Absorber", "demean", "demean_frame", "make_absorber"]

#: Largest number of non-absorbed fixed-effect levels solved by a dense pseudo-inverse.
DENSE_LIMIT = 1500
#: Blocks wider than this are demeaned all columns at once (callers bound their size).
_NARROW = 16


@dataclass(frozen=True, eq=False)
class Absorber:
    """A projection off a fixed-effect space, prepared once and applied to many columns.

    Attributes
    ----------
    fe : FixedEffects
        The factors being absorbed (``n`` observations).
    weights : numpy.ndarray or None
        Analytic weights of shape ``(n,)``; ``None`` for unweighted.
    method : str
        ``"none"``, ``"within"`` (one factor), ``"dense"`` or ``"cg"``.
    """

    fe: FixedEffects
    weights: np.ndarray | None
    method: str
    _big: int
    _big_weight: np.ndarray
    _small: tuple[int, ...]
    _offsets: np.ndarray
    _cross: np.ndarray | sp.csr_matrix
    _small_gram: np.ndarray | sp.csr_matrix
    _pinv: np.ndarray | None
    _tol: float
    _maxiter: int

    @property
    def n_obs(self) -> int:
        """Number of observations."""
        return self.fe.n_obs

    def demean(self, values: np.ndarray, *, inplace: bool = False) -> np.ndarray:
        """Return ``values`` with the fixed effects projected out.

        Parameters
        ----------
        values : numpy.ndarray, shape (n,) or (n, R)
            Columns to demean. A narrow block (R ≤ 16: an outcome and its regressors) is
            processed column by column in Fortran order; a wide block (placebo treatments) all
            at once in C order, where sparse group sums and row gathers are fastest.
        inplace : bool, default False
            Overwrite ``values`` instead of copying it, which saves one copy of a large design
            matrix; requires a contiguous float64 array. Its layout is kept: a Fortran-order
            block is processed column by column whatever its width.

        Returns
        -------
        numpy.ndarray
            Same shape as ``values``, float64.
        """
        arr = np.asarray(values, dtype=np.float64)
        if self.method != "none" and arr.shape[0] != self.n_obs:
            raise EstimationError(
                f"cannot demean {arr.shape[0]} rows with fixed effects on {self.n_obs} rows"
            )
        shaped = arr.reshape(-1, 1) if arr.ndim == 1 else arr
        if inplace:
            contiguous = shaped.flags.c_contiguous or shaped.flags.f_contiguous
            if not (arr is values and contiguous):
                raise EstimationError("inplace demeaning needs a contiguous float64 array")
            # keep the caller's layout: a column-major design (even a wide one, such as 60
            # controls) is swept column by column, a row-major wide block all at once
            wide = shaped.shape[1] > _NARROW and shaped.flags.c_contiguous
            out = shaped
        else:
            wide = shaped.shape[1] > _NARROW
            order: Literal["C", "F"] = "C" if wide else "F"
            out = np.array(shaped, dtype=np.float64, order=order)
        if self.method != "none":
            if wide:
                self._demean_wide(out)
            else:
                scratch = np.empty(out.shape[0])  # reused: fresh n-sized temporaries page-fault
                # many small products with the (levels x levels) cross table: one BLAS thread
                with one_blas_thread(2.0 * out.size):
                    for col in range(out.shape[1]):
                        self._demean_column(out[:, col], scratch)
        return out.ravel() if arr.ndim == 1 else out

    def _demean_column(self, column: np.ndarray, scratch: np.ndarray) -> None:
        codes, big, levels = self.fe.codes, self._big, self.fe.n_levels
        weighted = (
            column if self.weights is None else np.multiply(column, self.weights, out=scratch)
        )
        summed = list(codes)
        rows = np.flatnonzero(weighted)
        if 4 * rows.size < weighted.size:  # a sparse column (a cell dummy): sum its nonzeros
            # skipping exact zeros leaves every group sum bitwise the same
            weighted = weighted[rows]
            summed = [c[rows] for c in codes]
        big_sum = np.bincount(summed[big], weights=weighted, minlength=levels[big])
        if self._small:
            small_sum = np.concatenate(
                [np.bincount(summed[j], weights=weighted, minlength=levels[j]) for j in self._small]
            )
            gamma = self._solve((small_sum - self._cross.T @ (big_sum / self._big_weight))[:, None])
            big_sum = big_sum - self._cross @ gamma[:, 0]
        # mode="clip" skips bounds handling (codes are valid by construction): 5x faster
        column -= np.take(big_sum / self._big_weight, codes[big], out=scratch, mode="clip")
        for pos, j in enumerate(self._small):
            table = gamma[self._offsets[pos] : self._offsets[pos + 1], 0]
            column -= np.take(table, codes[j], out=scratch, mode="clip")

    def _demean_wide(self, block: np.ndarray) -> None:
        codes, big = self.fe.codes, self._big
        big_sum = self._sum(big, block)
        if not self._small:
            block -= _gather(big_sum / self._big_weight[:, None], codes[big])
            return
        small_sum = np.vstack([self._sum(j, block) for j in self._small])
        rhs = small_sum - self._cross.T @ (big_sum / self._big_weight[:, None])
        gamma = self._solve(rhs)
        block -= _gather((big_sum - self._cross @ gamma) / self._big_weight[:, None], codes[big])
        for pos, j in enumerate(self._small):
            block -= _gather(gamma[self._offsets[pos] : self._offsets[pos + 1]], codes[j])

    def coefficients(self, sums: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
        r"""Solve the fixed effects' normal equations :math:`D'WD\,b = c` for given sums ``c``.

        With ``c = D'Wy`` this gives the fixed-effect estimates of ``y`` (so that ``D b`` is its
        fitted part); any other consistent ``c`` gives the projection weights
        :math:`D(D'WD)^{+}c` used by imputation estimators. One normalization is chosen; the
        fitted values ``D b`` do not depend on it.

        Parameters
        ----------
        sums : sequence of numpy.ndarray
            One array per factor (in the order of ``fe.codes``), shape ``(n_levels[j],)`` or
            ``(n_levels[j], R)`` for ``R`` right-hand sides.

        Returns
        -------
        tuple of numpy.ndarray
            The coefficients of each factor's levels, same shapes as ``sums``.

        Examples
        --------
        >>> from pilotdid.estimation.fixef import FixedEffects
        >>> fe = FixedEffects(("u",), (np.array([0, 0, 1]),), (2,))
        >>> make_absorber(fe).coefficients([np.array([4.0, 5.0])])[0]
        array([2., 5.])
        """
        if self.method == "none":
            return ()
        shaped = [np.asarray(s, dtype=np.float64).reshape(len(s), -1) for s in sums]
        big = self._big
        coefs: list[np.ndarray] = [np.empty(0)] * len(shaped)
        big_sum = shaped[big]
        if self._small:
            small_sum = np.vstack([shaped[j] for j in self._small])
            gamma = self._solve(small_sum - self._cross.T @ (big_sum / self._big_weight[:, None]))
            big_sum = big_sum - self._cross @ gamma
            for pos, j in enumerate(self._small):
                coefs[j] = gamma[self._offsets[pos] : self._offsets[pos + 1]]
        coefs[big] = big_sum / self._big_weight[:, None]
        one_d = np.ndim(sums[0]) == 1
        return tuple(c[:, 0] if one_d else c for c in coefs)

    def _sum(self, factor: int, block: np.ndarray) -> np.ndarray:
        return _group_sum(self.fe.codes[factor], self.fe.n_levels[factor], block, self.weights)

    def _apply_system(self, v: np.ndarray) -> np.ndarray:
        return np.asarray(
            self._small_gram @ v - self._cross.T @ ((self._cross @ v) / self._big_weight[:, None])
        )

    def _solve(self, rhs: np.ndarray) -> np.ndarray:
        if self._pinv is not None:
            return np.asarray(self._pinv @ rhs)
        return _block_cg(self._apply_system, rhs, self._small_gram, self._tol, self._maxiter)


def _group_sum(
    code: np.ndarray, n_levels: int, block: np.ndarray, weights: np.ndarray | None
) -> np.ndarray:
    """Weighted sums of each column of ``block`` within the groups of ``code`` (G × R)."""
    n = block.shape[0]
    data = np.ones(n) if weights is None else weights
    summer = sp.csr_matrix((data, (code, np.arange(n))), shape=(n_levels, n))
    return np.asarray(summer @ block)


def _gather(table: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Rows of the ``G × R`` table for each observation (``n × R``)."""
    return np.take(table, code, axis=0, mode="clip")


def _block_cg(
    apply: Callable[[np.ndarray], np.ndarray],
    rhs: np.ndarray,
    gram: np.ndarray | sp.csr_matrix,
    tol: float,
    maxiter: int,
) -> np.ndarray:
    """Jacobi-preconditioned conjugate gradients on every column of ``rhs`` at once."""
    diag = np.asarray(gram.diagonal()).reshape(-1, 1).astype(float)
    precond = np.where(diag > 0, 1.0 / np.where(diag > 0, diag, 1.0), 0.0)
    x = np.zeros_like(rhs)
    r = rhs.copy()
    z = precond * r
    p = z.copy()
    rz = np.einsum("ij,ij->j", r, z)
    target = tol * np.maximum(np.linalg.norm(rhs, axis=0), 1e-300)
    for _ in range(maxiter):
        if np.all(np.linalg.norm(r, axis=0) <= target):
            return x
        ap = apply(p)
        pap = np.einsum("ij,ij->j", p, ap)
        alpha = np.divide(rz, pap, out=np.zeros_like(rz), where=pap > 0)
        x += alpha * p
        r -= alpha * ap
        z = precond * r
        rz_new = np.einsum("ij,ij->j", r, z)
        beta = np.divide(rz_new, rz, out=np.zeros_like(rz), where=rz > 0)
        p = z + beta * p
        rz = rz_new
    raise EstimationError(
        f"demeaning did not converge in {maxiter} conjugate-gradient iterations; "
        "raise maxiter or check for a badly connected fixed-effect structure"
    )


Matrix: TypeAlias = np.ndarray | sp.csr_matrix


def _small_system(
    fe: FixedEffects, big: int, small: tuple[int, ...], w: np.ndarray | None
) -> tuple[np.ndarray, Matrix, Matrix]:
    """Offsets of the small factors, big × small weighted co-occurrence and small Gram matrix."""
    sizes = [fe.n_levels[j] for j in small]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    total = int(offsets[-1])
    n_big = fe.n_levels[big]
    cross = _stack(
        [_cooccurrence(fe.codes[big], n_big, fe.codes[j], fe.n_levels[j], w) for j in small]
    )
    gram = _stack(
        [
            [
                _cooccurrence(fe.codes[a], fe.n_levels[a], fe.codes[b], fe.n_levels[b], w)
                for b in small
            ]
            for a in small
        ]
    )
    return offsets, cross, gram if total <= DENSE_LIMIT else sp.csr_matrix(gram)


def _stack(blocks: list[Any]) -> Matrix:
    """Assemble co-occurrence blocks, dense when every block is dense."""
    flat = [b for row in blocks for b in (row if isinstance(row, list) else [row])]
    if any(sp.issparse(b) for b in flat):
        return sp.csr_matrix(sp.bmat(blocks if isinstance(blocks[0], list) else [blocks]))
    return np.block(blocks)


def _cooccurrence(
    rows: np.ndarray, n_rows: int, cols: np.ndarray, n_cols: int, w: np.ndarray | None
) -> Matrix:
    """Sum the weights of each (row, col) code pair: dense when small, sparse otherwise.

    Dense only when the table is both small and not much larger than the number of pairs: a
    unit × 500-level table of a firm panel is mostly zeros, and every demeaned column multiplies
    by it (and the dense system by its square), so sparse is far faster there.
    """
    cells = n_rows * n_cols
    if cells <= 1 << 25 and cells <= 16 * rows.shape[0]:  # dense bincount beats sorting pairs
        key = rows * n_cols
        key += cols
        counts = np.bincount(key, weights=w, minlength=n_rows * n_cols)
        return counts.astype(np.float64, copy=False).reshape(n_rows, n_cols)
    data = np.ones(rows.shape[0]) if w is None else w
    return sp.csr_matrix(sp.coo_matrix((data, (rows, cols)), shape=(n_rows, n_cols)))


@deprecated_arguments(("fixef", "weights"), fe="fixef")
def make_absorber(
    fixef: FixedEffects | None,
    *,
    weights: np.ndarray | None = None,
    method: DemeanMethod = "auto",
    tol: float = 1e-13,
    maxiter: int = 10_000,
) -> Absorber:
    """Prepare the projection off the fixed effects ``fixef`` (optionally weighted).

    Parameters
    ----------
    fixef : FixedEffects or None
        Integer-coded factors; ``None`` or no factors gives the identity.
    weights : numpy.ndarray, optional
        Positive analytic weights of shape ``(n,)``.
    method : {"auto", "dense", "cg"}
        How to solve for the non-absorbed factors: a dense pseudo-inverse (exact), conjugate
        gradients (iterative, for many levels) or ``"auto"`` (dense up to 1,500 levels).
    tol : float, default 1e-13
        Relative residual tolerance of the conjugate-gradient solver.
    maxiter : int, default 10000
        Iteration cap of the conjugate-gradient solver.

    Returns
    -------
    Absorber
        Apply it with :meth:`Absorber.demean`.

    Examples
    --------
    >>> import numpy as np
    >>> from pilotdid.estimation.fixef import FixedEffects
    >>> fe = FixedEffects(("u",), (np.array([0, 0, 1, 1]),), (2,))
    >>> make_absorber(fe).demean(np.array([1.0, 3.0, 2.0, 6.0]))
    array([-1.,  1., -2.,  2.])
    """
    validate_option(method, DemeanMethod, "method", EstimationError)
    fe = fixef
    empty, nothing = np.zeros(0), sp.csr_matrix((0, 0))
    if fe is None or not fe.codes:
        none_fe = fe or FixedEffects((), (), ())
        return Absorber(
            none_fe, weights, "none", 0, empty, (), empty, nothing, nothing, None, tol, 0
        )
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    big = int(np.argmax(fe.n_levels))
    big_weight = np.bincount(fe.codes[big], weights=w, minlength=fe.n_levels[big]).astype(float)
    small = tuple(j for j in range(len(fe.codes)) if j != big)
    if not small:
        return Absorber(
            fe, weights, "within", big, big_weight, (), empty, nothing, nothing, None, tol, 0
        )
    offsets, cross, gram = _small_system(fe, big, small, w)
    dense = method == "dense" or (method == "auto" and offsets[-1] <= DENSE_LIMIT)
    pinv = _psd_pinv(_dense_system(cross, gram, big_weight)) if dense else None
    kind = "dense" if dense else "cg"
    return Absorber(
        fe, weights, kind, big, big_weight, small, offsets, cross, gram, pinv, tol, maxiter
    )


def _dense_system(cross: Matrix, gram: Matrix, big_weight: np.ndarray) -> np.ndarray:
    if isinstance(cross, np.ndarray):
        with one_blas_thread(2.0 * cross.shape[0] * cross.shape[1] ** 2):
            reduction = cross.T @ (cross / big_weight[:, None])
    else:
        reduction = (cross.T @ sp.diags(1.0 / big_weight) @ cross).toarray()
    dense_gram = gram if isinstance(gram, np.ndarray) else gram.toarray()
    return np.asarray(dense_gram - reduction)


def _psd_pinv(matrix: np.ndarray) -> np.ndarray:
    """Pseudo-inverse of a symmetric positive semi-definite matrix (singular by construction)."""
    sym = (matrix + matrix.T) / 2
    # one thread: a 500 x 500 eigh took 1-2.5 s with two busy-waiting OpenBLAS threads on a
    # loaded 2-core machine against 0.13 s with one (see estimation/blas.py)
    with one_blas_thread(10.0 * sym.shape[0] ** 3):
        values, vectors = np.linalg.eigh(sym)
    keep = values > values.max(initial=0.0) * 1e-12
    return np.asarray((vectors[:, keep] / values[keep]) @ vectors[:, keep].T)


@deprecated_arguments(("values", "fixef", "weights"), fe="fixef")
def demean(
    values: np.ndarray,
    fixef: FixedEffects | None,
    *,
    weights: np.ndarray | None = None,
    method: DemeanMethod = "auto",
) -> np.ndarray:
    """Project the fixed effects out of every column of ``values`` (convenience wrapper).

    Parameters
    ----------
    values : numpy.ndarray, shape (n,) or (n, R)
        Columns to demean.
    fixef : FixedEffects or None
        The factors to absorb.
    weights : numpy.ndarray, optional
        Analytic weights.
    method : {"auto", "dense", "cg"}
        See :func:`make_absorber`.

    Returns
    -------
    numpy.ndarray
        The demeaned columns, same shape as ``values``.

    Examples
    --------
    >>> import numpy as np
    >>> from pilotdid.estimation.fixef import FixedEffects
    >>> unit, year = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    >>> fe = FixedEffects(("unit", "year"), (unit, year), (2, 2))
    >>> np.round(demean(np.array([1.0, 2.0, 3.0, 6.0]), fe), 12)
    array([ 0.5, -0.5, -0.5,  0.5])
    """
    return make_absorber(fixef, weights=weights, method=method).demean(values)


@deprecated_arguments(("data", "columns", "fixef", "weights"))
def demean_frame(
    data: pd.DataFrame,
    columns: Sequence[str],
    fixef: Sequence[str],
    *,
    weights: str | None = None,
) -> pd.DataFrame:
    """Demean many DataFrame columns at once by the fixed effects ``fixef``.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (never modified); rows must have no missing values in the columns used.
    columns : sequence of str
        Numeric columns to demean (``n × R`` in, ``n × R`` out).
    fixef : sequence of str
        Fixed effects, e.g. ``["city", "year"]``; ``"a^b"`` interacts two columns.
    weights : str, optional
        Column of analytic weights.

    Returns
    -------
    pandas.DataFrame
        The demeaned columns, same index as ``data``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"u": [1, 1, 2, 2], "t": [1, 2, 1, 2], "y": [1.0, 2.0, 3.0, 6.0]})
    >>> demean_frame(df, ["y"], ["u", "t"])["y"].round(12).tolist()
    [0.5, -0.5, -0.5, 0.5]
    """
    used = [*columns, *(p for f in fixef for p in f.split("^")), *([weights] if weights else [])]
    missing = [c for c in dict.fromkeys(used) if c not in data.columns]
    if missing:
        raise EstimationError(
            f"unknown column(s) {missing}{did_you_mean(missing[0], data.columns)}"
        )
    frame = data[list(dict.fromkeys(used))]
    if frame.isna().to_numpy().any():
        raise EstimationError(
            "demean_frame needs complete rows; drop rows with missing values first"
        )
    fe = encode_factors(frame, tuple(fixef))
    w = None if weights is None else frame[weights].to_numpy(dtype=np.float64)
    values = make_absorber(fe, weights=w).demean(frame[list(columns)].to_numpy(dtype=np.float64))
    return pd.DataFrame(values, index=data.index, columns=list(columns))
