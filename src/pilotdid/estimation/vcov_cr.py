r"""Small-sample cluster-robust variances: CR2 (Bell–McCaffrey) and CR3 (cluster jackknife).

Both work on what a fit keeps (:class:`~pilotdid.estimation.variance.FitState`): the regressors
:math:`\tilde X` with the fixed effects projected out, the residuals :math:`e`, the analytic
weights :math:`w` and the fixed-effect codes. Weighted fits are handled on the transformed
design :math:`X^* = W^{1/2}\tilde X`, :math:`e^* = W^{1/2} e` (for inverse-variance weights this
is clubSandwich's working model :math:`\Phi = W^{-1}`).

**CR2** (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018; clubSandwich's default):

.. math::

   V_{CR2} = B \Big(\sum_g X_g^{*\prime} A_g e^*_g e_g^{*\prime} A_g X^*_g\Big) B,
   \qquad A_g = (I - X^*_g B X_g^{*\prime})^{+1/2},\quad B = (\tilde X' W \tilde X)^{-1}.

With fixed effects the adjustment matrices :math:`A_g` are computed on the *demeaned* design (the
fixed-effect projection is left out of the hat matrix: Pustejovsky & Tipton's absorbed form,
which clubSandwich uses for within-transformed ``plm`` models). When every fixed effect is nested
within the clusters this equals CR2 of the dummy-variable regression with pseudo-inverse square
roots (their Theorem 2); with fixed effects that cross the clusters (year effects) it is the
absorbed form. :math:`(\cdot)^{+1/2}` is the symmetric inverse square root, with eigenvalues of
zero (a cluster that alone identifies a coefficient) mapped to zero. No further factor is
applied (as clubSandwich). The matrices are never formed: with :math:`X^*_g L = Q S R'` (thin SVD,
:math:`LL' = B`), :math:`A_g = I + Q\,\mathrm{diag}((1-s^2)^{-1/2} - 1)\,Q'`, so the cost is
:math:`O(n k^2)` whatever the cluster sizes. One-way clustering only.

**CR3** (cluster jackknife, pyfixest's ``CRV3``): :math:`\sum_g (\hat\beta_{(g)} - \hat\beta)
(\hat\beta_{(g)} - \hat\beta)'` times fixest's CRV1 factor :math:`\frac{G}{G-1}\frac{n-1}{n-K}`
(the factor pyfixest applies; clubSandwich's ``CR3`` is the bare sum). :math:`\hat\beta_{(g)}`
refits the model without cluster :math:`g`, fixed effects included: when every fixed effect is
nested in the clusters, dropping a cluster leaves the other rows' demeaning unchanged and
:math:`\hat\beta_{(g)} - \hat\beta = -(\tilde X'W\tilde X - \tilde X_g'W_g\tilde X_g)^{+}
\tilde X_g' W_g e_g`; otherwise the fixed effects are re-projected on the remaining rows
(:math:`\tilde X` and :math:`e` of the kept rows suffice, since the projection of the full sample's
fixed effects lies in the span of the sub-sample's). Pseudo-inverses keep a leave-one-out fit with
a dropped regressor finite, as pyfixest. Two-way clustering adds the jackknives of both variables
and subtracts that of their intersection.
"""

from __future__ import annotations

import numpy as np

from pilotdid.errors import EstimationError
from pilotdid.estimation.demean import make_absorber
from pilotdid.estimation.fixef import FixedEffects
from pilotdid.estimation.vcov import ClusterCodes, cluster_terms, sandwich

__all__ = ["cr2_meat", "cr2_vcov", "cr3_jackknife"]


def _groups(codes: np.ndarray, n_levels: int) -> list[np.ndarray]:
    """Row positions of each cluster (one stable sort, no per-cluster scan)."""
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=n_levels))[:-1]
    return np.split(order, bounds)


def _transformed(
    x: np.ndarray, we: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    if weights is None:
        return x, we
    root = np.sqrt(weights)
    return x * root[:, None], we / root


def cr2_meat(
    x: np.ndarray,
    we: np.ndarray,
    bread: np.ndarray,
    codes: np.ndarray,
    n_levels: int,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    r"""Bell–McCaffrey (CR2) meat on the demeaned design.

    Parameters
    ----------
    x : numpy.ndarray, shape (n, k)
        Demeaned regressors.
    we : numpy.ndarray, shape (n,)
        Weighted residuals :math:`w_i e_i`.
    bread : numpy.ndarray, shape (k, k)
        :math:`(\tilde X' W \tilde X)^{-1}`.
    codes : numpy.ndarray, shape (n,)
        Dense cluster codes.
    n_levels : int
        Number of clusters.
    weights : numpy.ndarray, optional
        Analytic weights.

    Returns
    -------
    numpy.ndarray, shape (k, k)
        :math:`\sum_g X_g^{*\prime} A_g e^*_g e_g^{*\prime} A_g X^*_g`.

    Examples
    --------
    Without clustering structure beyond singletons CR2 is HC2:

    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> x = np.column_stack([np.ones(6), rng.normal(size=6)])
    >>> e = rng.normal(size=6)
    >>> e = e - x @ np.linalg.lstsq(x, e, rcond=None)[0]
    >>> bread = np.linalg.inv(x.T @ x)
    >>> h = np.einsum("ij,jk,ik->i", x, bread, x)
    >>> hc2 = (x * (e**2 / (1 - h))[:, None]).T @ x
    >>> bool(np.allclose(cr2_meat(x, e, bread, np.arange(6), 6), hc2))
    True
    """
    xs, es = _transformed(x, we, weights)
    root = np.linalg.cholesky(bread)  # L L' = B, so H_gg = (X_g L)(X_g L)'
    k = x.shape[1]
    scores = np.empty((n_levels, k))
    for g, rows in enumerate(_groups(codes, n_levels)):
        xg, eg = xs[rows], es[rows]
        q, s, _ = np.linalg.svd(xg @ root, full_matrices=False)
        s2 = s * s
        scale = np.where(s2 < 1 - 1e-12, 1 / np.sqrt(np.clip(1 - s2, 1e-300, None)), 0.0) - 1
        scores[g] = xg.T @ eg + (xg.T @ q) @ (scale * (q.T @ eg))
    return scores.T @ scores


def _nested(fe: FixedEffects, codes: np.ndarray) -> bool:
    """Check that every fixed-effect level lies within one cluster."""
    for fe_code in fe.codes:
        seen = np.empty(int(fe_code.max()) + 1, dtype=codes.dtype)
        seen[fe_code] = codes
        if not np.array_equal(seen[fe_code], codes):
            return False
    return True


def _jackknife_deltas(
    x: np.ndarray,
    we: np.ndarray,
    codes: np.ndarray,
    n_levels: int,
    weights: np.ndarray | None,
    fe: FixedEffects | None,
) -> np.ndarray:
    r"""Leave-one-cluster-out :math:`\hat\beta_{(g)} - \hat\beta`, one row per cluster."""
    w = np.ones(x.shape[0]) if weights is None else weights
    e = we / w
    out = np.empty((n_levels, x.shape[1]))
    groups = _groups(codes, n_levels)
    if fe is None or _nested(fe, codes):
        gram = x.T @ (x * w[:, None])
        for g, rows in enumerate(groups):
            xg = x[rows]
            gram_g = xg.T @ (xg * w[rows, None])
            out[g] = -np.linalg.pinv(gram - gram_g, hermitian=True) @ (xg.T @ we[rows])
        return out
    for g, rows in enumerate(groups):
        keep = np.ones(x.shape[0], dtype=bool)
        keep[rows] = False
        absorber = make_absorber(fe.subset(keep), weights=None if weights is None else w[keep])
        block = absorber.demean(np.column_stack([x[keep], e[keep]]))
        xk, ek, wk = block[:, :-1], block[:, -1], w[keep]
        out[g] = np.linalg.pinv(xk.T @ (xk * wk[:, None]), hermitian=True) @ (xk.T @ (ek * wk))
    return out


def cr3_jackknife(
    x: np.ndarray,
    we: np.ndarray,
    clusters: ClusterCodes,
    weights: np.ndarray | None = None,
    fe: FixedEffects | None = None,
) -> np.ndarray:
    r"""Cluster-jackknife sum :math:`\sum_g (\hat\beta_{(g)}-\hat\beta)(\hat\beta_{(g)}-\hat\beta)'`.

    Parameters
    ----------
    x : numpy.ndarray, shape (n, k)
        Demeaned regressors.
    we : numpy.ndarray, shape (n,)
        Weighted residuals.
    clusters : ClusterCodes
        One or two cluster variables (two-way: both sums minus the intersection's).
    weights : numpy.ndarray, optional
        Analytic weights.
    fe : FixedEffects, optional
        The sample's fixed effects (re-projected on each leave-one-out sample unless nested).

    Returns
    -------
    numpy.ndarray, shape (k, k)
        The jackknife sum, without a small-sample factor.

    Examples
    --------
    >>> import numpy as np
    >>> from pilotdid.estimation.vcov import ClusterCodes
    >>> rng = np.random.default_rng(0)
    >>> x = np.column_stack([np.ones(8), rng.normal(size=8)])
    >>> y = rng.normal(size=8)
    >>> beta = np.linalg.lstsq(x, y, rcond=None)[0]
    >>> codes = np.repeat(np.arange(4), 2)
    >>> v = cr3_jackknife(x, y - x @ beta, ClusterCodes(("g",), (codes,), (4,)))
    >>> loo = [np.linalg.lstsq(x[codes != g], y[codes != g], rcond=None)[0] for g in range(4)]
    >>> bool(np.allclose(v, sum(np.outer(b - beta, b - beta) for b in loo)))
    True
    """
    k = x.shape[1]
    total = np.zeros((k, k))
    for sign, code, levels in cluster_terms(clusters):
        deltas = _jackknife_deltas(x, we, code, levels, weights, fe)
        total += sign * (deltas.T @ deltas)
    return np.asarray((total + total.T) / 2)


def cr2_vcov(
    x: np.ndarray,
    we: np.ndarray,
    bread: np.ndarray,
    clusters: ClusterCodes,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """CR2 variance matrix (one-way clustering); see the module notes."""
    if len(clusters.names) != 1:
        raise EstimationError(
            f"CR2 is defined for one-way clustering, got {' and '.join(clusters.names)}; "
            "use {'CR3': ...} or {'CRV1': ...} for two-way clustering"
        )
    meat = cr2_meat(x, we, bread, clusters.codes[0], clusters.n_levels[0], weights)
    return sandwich(bread, meat)
