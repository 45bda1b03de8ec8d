"""Least squares on demeaned data: collinearity screening and a scaled Cholesky solve."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from pilotdid.estimation.blas import one_blas_thread

__all__ = ["OlsFit", "find_collinear", "fit_ols", "scaled_inverse", "weighted_gram"]

#: A column whose variation left after the fixed effects and earlier columns is below this share
#: of its raw sum of squares is treated as collinear (scale-free, unlike an absolute threshold).
COLLINEAR_TOL = 1e-9


@dataclass(frozen=True)
class OlsFit:
    """Coefficients and the pieces every variance estimator needs.

    Attributes
    ----------
    coef : numpy.ndarray, shape (k,)
        Coefficients of the kept columns.
    bread : numpy.ndarray, shape (k, k)
        :math:`(X' W X)^{-1}` of the kept columns.
    resid : numpy.ndarray, shape (n,)
        Residuals ``y - X @ coef``.
    keep : numpy.ndarray of bool, shape (k_all,)
        Which of the input columns were kept (``False`` = dropped as collinear).
    ssr : float
        Weighted sum of squared residuals.
    """

    coef: np.ndarray
    bread: np.ndarray
    resid: np.ndarray
    keep: np.ndarray
    ssr: float


def weighted_gram(
    x: np.ndarray, y: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``X' W X`` and ``X' W y`` (one BLAS thread for a large ``X``, see ``blas``)."""
    with one_blas_thread(float(x.shape[0]) * x.shape[1] ** 2):
        if weights is None:
            return x.T @ x, x.T @ y
        root = np.sqrt(weights)
        xw = x * root[:, None]
        return xw.T @ xw, xw.T @ (y * root)


def scaled_inverse(gram: np.ndarray) -> np.ndarray:
    """Invert a positive definite Gram matrix after scaling it to unit diagonal.

    Scaling keeps regressors measured in very different units (the paper's FIN is ~1e-4)
    as accurate as the others.
    """
    inv_sd = 1.0 / np.sqrt(np.diag(gram))
    chol = sla.cho_factor(gram * np.outer(inv_sd, inv_sd))
    inverse = np.outer(inv_sd, inv_sd) * sla.cho_solve(chol, np.eye(gram.shape[0]))
    return np.asarray((inverse + inverse.T) / 2)


def find_collinear(gram: np.ndarray, scale: np.ndarray, tol: float = COLLINEAR_TOL) -> np.ndarray:
    """Flag columns that are linear combinations of earlier ones (a pivot-free Cholesky sweep).

    Parameters
    ----------
    gram : numpy.ndarray, shape (k, k)
        ``X' W X`` of the demeaned design.
    scale : numpy.ndarray, shape (k,)
        Reference sum of squares per column (of the raw, undemeaned column), so that a column
        with no variation left after the fixed effects is caught whatever its units.
    tol : float
        Relative threshold.

    Returns
    -------
    numpy.ndarray of bool, shape (k,)
        ``True`` for columns to drop; the earlier of two collinear columns is kept.
    """
    k = gram.shape[0]
    factor = np.zeros((k, k))
    dropped = np.zeros(k, dtype=bool)
    for j in range(k):
        kept = ~dropped[:j]
        pivot = gram[j, j] - np.sum(factor[:j, j][kept] ** 2)
        if pivot <= tol * max(scale[j], np.finfo(float).tiny):
            dropped[j] = True
            continue
        factor[j, j] = np.sqrt(pivot)
        earlier = factor[:j][kept]
        rest = gram[j, j + 1 :] - earlier[:, j + 1 :].T @ earlier[:, j]
        factor[j, j + 1 :] = rest / factor[j, j]
    return dropped


def fit_ols(
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None = None,
    scale: np.ndarray | None = None,
) -> OlsFit:
    """Weighted least squares of ``y`` on ``x`` with collinear columns removed.

    Parameters
    ----------
    x : numpy.ndarray, shape (n, k)
        Design (already demeaned when fixed effects are absorbed).
    y : numpy.ndarray, shape (n,)
        Outcome (demeaned likewise).
    weights : numpy.ndarray, optional
        Analytic weights.
    scale : numpy.ndarray, optional
        Raw sums of squares of the columns for the collinearity test; defaults to the
        diagonal of ``x' W x``.

    Returns
    -------
    OlsFit
        Coefficients, bread, residuals and the kept-column mask.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    >>> fit_ols(x, np.array([1.0, 3.0, 5.0, 7.0])).coef.round(12)
    array([1., 2.])
    """
    gram, cross = weighted_gram(x, y, weights)
    dropped = find_collinear(gram, np.diag(gram) if scale is None else scale)
    keep = ~dropped
    with one_blas_thread(10.0 * float(keep.sum()) ** 3):  # see estimation/blas.py
        bread = scaled_inverse(gram[np.ix_(keep, keep)])
    coef = bread @ cross[keep]
    resid = y - x[:, keep] @ coef if dropped.any() else y - x @ coef
    ssr = float(resid @ resid if weights is None else (weights * resid) @ resid)
    return OlsFit(coef, bread, resid, keep, ssr)
