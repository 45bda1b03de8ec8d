r"""Many regressions that differ only in one regressor, solved together.

Placebo tests, permutation tests and fake-timing checks re-estimate
:math:`y = \beta d_r + X\gamma + \text{FE} + \varepsilon` for hundreds to thousands of
treatment columns :math:`d_r`. By the Frisch–Waugh–Lovell theorem

.. math::

    \hat\beta_r = \frac{\tilde d_r' W \tilde y}{\tilde d_r' W \tilde d_r},\qquad
    \tilde d_r = M_{[FE, X]}\, d_r,\quad \tilde y = M_{[FE, X]}\, y,

and the scores of :math:`\hat\beta_r` in the full regression are
:math:`w_i \tilde d_{ri} (\tilde y_i - \hat\beta_r \tilde d_{ri}) / (\tilde d_r' W \tilde d_r)`,
so the iid, HC1 and cluster-robust variances of every draw follow from column sums of an
``n × R`` block. The outcome and controls are partialled out once (:func:`partial_out`); each block of
treatment columns is demeaned together and projected off the controls with one matrix product
(:func:`batched_fit`). Small-sample corrections are those of :func:`pilotdid.feols`, so each column's
coefficient and standard error equal a separate ``feols`` call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from pilotdid.errors import EstimationError
from pilotdid.estimation.demean import Absorber, make_absorber
from pilotdid.estimation.design import Design
from pilotdid.estimation.ols import COLLINEAR_TOL, find_collinear, scaled_inverse, weighted_gram
from pilotdid.estimation.vcov import ClusterCodes, cluster_terms
from pilotdid.estimation.vcov import small_sample as vcov_small_sample

__all__ = ["BatchedFit", "PartialledModel", "batched_fit", "partial_out", "small_sample"]


@dataclass(frozen=True, eq=False)
class PartialledModel:
    r"""Outcome and controls of one sample with fixed effects and controls partialled out.

    Attributes
    ----------
    absorber : Absorber
        Projection off the fixed effects of the sample.
    y : numpy.ndarray, shape (n,)
        :math:`\tilde y`, residual of the outcome on fixed effects and controls.
    controls : numpy.ndarray, shape (n, k)
        Demeaned controls (``k`` may be 0).
    controls_solve : numpy.ndarray, shape (k, k)
        :math:`(\tilde X' W \tilde X)^{-1}`.
    weights : numpy.ndarray or None
        Analytic weights.
    kind : str
        ``"iid"``, ``"hetero"`` or ``"CRV1"``.
    clusters : ClusterCodes or None
        Cluster codes for ``"CRV1"``.
    correction : float
        Small-sample factor applied to every variance.
    df_t : float
        Degrees of freedom of the t-tests.
    df_resid : float
        :math:`n - K` (the iid variance divides the residual sum of squares by it).
    """

    absorber: Absorber
    y: np.ndarray
    controls: np.ndarray
    controls_solve: np.ndarray
    weights: np.ndarray | None
    kind: str
    clusters: ClusterCodes | None
    correction: float
    df_t: float
    df_resid: float

    @property
    def n_obs(self) -> int:
        """Number of observations."""
        return int(self.y.shape[0])


@dataclass(frozen=True)
class BatchedFit:
    """Coefficient and standard error of the treatment column in each regression.

    Attributes
    ----------
    coef : numpy.ndarray, shape (R,)
        Estimates (NaN where a column has no variation left after the fixed effects).
    se : numpy.ndarray, shape (R,)
        Standard errors under the model's variance estimator.
    df_t : float
        Degrees of freedom for t-tests.
    """

    coef: np.ndarray
    se: np.ndarray
    df_t: float


def partial_out(
    design: Design,
    control_columns: np.ndarray,
    kind: str,
    clusters: ClusterCodes | None,
    absorber: Absorber | None = None,
) -> PartialledModel:
    """Partial the fixed effects and the selected controls out of the outcome, once.

    Parameters
    ----------
    design : Design
        The estimation sample (the treatment column is among ``design.x`` or not; only the
        columns in ``control_columns`` are used as controls).
    control_columns : numpy.ndarray of int
        Positions of the controls in ``design.x``.
    kind : {"iid", "hetero", "CRV1"}
        Variance estimator for every draw.
    clusters : ClusterCodes or None
        Cluster codes for ``"CRV1"``.
    absorber : Absorber, optional
        Prepared projection off ``design.fe``.

    Returns
    -------
    PartialledModel
        Everything :func:`batched_fit` needs.
    """
    w = design.weights
    absorber = absorber or make_absorber(design.fe, weights=w)
    raw = design.x[:, control_columns]
    scale = np.einsum("ij,ij->j", raw, raw) if w is None else np.einsum("ij,ij,i->j", raw, raw, w)
    controls = absorber.demean(raw)
    y = absorber.demean(design.y)
    # the same collinearity rule as feols, so K (and every standard error) agrees with it
    gram, _ = weighted_gram(controls, y, w)
    kept = ~find_collinear(gram, scale)
    controls = np.asfortranarray(controls[:, kept])
    solve = scaled_inverse(gram[np.ix_(kept, kept)]) if kept.any() else np.zeros((0, 0))
    if kept.any():
        y = y - controls @ (solve @ (controls.T @ (y if w is None else w * y)))
    correction, df_t, df_resid = small_sample(design, int(kept.sum()) + 1, kind, clusters)
    return PartialledModel(
        absorber, y, controls, solve, w, kind, clusters, correction, df_t, df_resid
    )


def small_sample(
    design: Design, k: int, kind: str, clusters: ClusterCodes | None
) -> tuple[float, float, float]:
    """Return the correction factor, t degrees of freedom and ``n - K`` of a DID coefficient.

    ``k`` counts the treatment and the kept controls; the rule is
    :func:`pilotdid.estimation.vcov.small_sample`, shared with :func:`pilotdid.feols`.
    """
    factor, df_t, df_k = vcov_small_sample(kind, design.n_obs, k, design.fe, clusters)
    return factor, df_t, design.n_obs - df_k


def batched_fit(model: PartialledModel, treatments: np.ndarray) -> BatchedFit:
    r"""Estimate :math:`\beta_r` and its standard error for every column of ``treatments``.

    Parameters
    ----------
    model : PartialledModel
        From :func:`partial_out`.
    treatments : numpy.ndarray, shape (n, R)
        Raw (not demeaned) treatment columns on the model's sample.

    Returns
    -------
    BatchedFit
        One coefficient and standard error per column.
    """
    w = model.weights
    # feols's collinearity rule: variation left below a share of the raw sum of squares
    raw = (
        np.einsum("ij,ij->j", treatments, treatments)
        if w is None
        else np.einsum("i,ij,ij->j", w, treatments, treatments)
    )
    d = model.absorber.demean(treatments)
    if model.controls.shape[1]:
        dw = d if w is None else d * w[:, None]
        d -= model.controls @ (model.controls_solve @ (model.controls.T @ dw))
    wd = d if w is None else d * w[:, None]
    num = model.y @ wd
    den = np.einsum("ij,ij->j", wd, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        coef = np.where(den > np.maximum(COLLINEAR_TOL * raw, 1e-300), num / den, np.nan)
        variance = _variance(model, d, wd, coef, den)
    return BatchedFit(coef, np.sqrt(variance * model.correction), model.df_t)


def _variance(
    model: PartialledModel, d: np.ndarray, wd: np.ndarray, coef: np.ndarray, den: np.ndarray
) -> np.ndarray:
    """Uncorrected variance of each coefficient from column sums (no per-draw loop)."""
    y = model.y
    if model.kind == "iid":
        ssr_y = float(y @ (y if model.weights is None else model.weights * y))
        ssr = ssr_y - coef**2 * den
        return np.asarray(ssr / model.df_resid / den)
    score_y = wd * y[:, None]  # w d ỹ: scores are score_y - β w d²
    score_d = wd * d
    if model.kind == "hetero":
        meat = (
            np.einsum("ij,ij->j", score_y, score_y)
            - 2 * coef * np.einsum("ij,ij->j", score_y, score_d)
            + coef**2 * np.einsum("ij,ij->j", score_d, score_d)
        )
        return np.asarray(meat / den**2)
    if model.clusters is None:
        raise EstimationError("CRV1 needs cluster codes")
    meat = np.zeros(coef.shape)
    for sign, code, levels in cluster_terms(model.clusters):
        summer = sp.csr_matrix(
            (np.ones(code.size), (code, np.arange(code.size))), shape=(levels, code.size)
        )
        sums = summer @ score_y - (summer @ score_d) * coef
        meat += sign * np.einsum("ij,ij->j", sums, sums)
    return np.asarray(meat / den**2)
