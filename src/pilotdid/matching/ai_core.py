r"""Abadie-Imbens inference for nearest-neighbour matching estimators (array functions).

Notation: N_f focal units (the treated for the ATT, the controls for the ATC, everyone for the
ATE), each matched to a set of units of the other arm with weights :math:`w_{ij}` summing to 1;
:math:`\hat\tau_i = \pm (Y_i - \sum_j w_{ij} Y_j)` (+ for treated focal units);
:math:`K_j = \sum_i w_{ij}` and :math:`KK_j = \sum_i w_{ij}^2` over the focal units matched to j.

- Estimate: :math:`\hat\tau = N_f^{-1} \sum_i \hat\tau_i`.
- ``"standard"``: :math:`\sum_{pairs} w (\hat\tau_{ij} - \hat\tau)^2 / N_f^2` with the pair
  differences :math:`\hat\tau_{ij}`: the weights are treated as fixed (psmatch2's and
  ``Matching``'s ``se.standard``).
- ``"ai"`` (Abadie & Imbens 2006, the population effect, as ``Matching``'s ``se`` and
  ``teffects``): :math:`N_f^{-2}[\sum_f (\hat\tau_i - \hat\tau)^2 +
  \sum_j \hat\sigma^2_j (K_j^2 - KK_j + 2 K_j 1\{j \text{ focal}\})]`.
  :math:`\hat\sigma^2_j` is the sample variance (divisor n - 1) of :math:`Y_j` and the outcomes
  of its J nearest units of the same arm (ties included), as ``Matching``'s ``Var.calc = J``
  (for J = 1 this is Abadie-Imbens' :math:`\tfrac{J}{J+1}(Y_j - \bar Y_{J(j)})^2`);
  with J = 0, one pooled :math:`\hat\sigma^2 = \tfrac12 \sum_{pairs} w (\hat\tau_{ij} -
  \hat\tau)^2 / N_f` (``Matching``'s default ``Var.calc = 0``, homoskedastic).
- Bias correction (Abadie & Imbens 2011): :math:`\hat\mu_w(z) = z'\hat\beta_w` from a
  regression of Y on [1, Z] in arm w weighted by :math:`K_j`; each match contributes
  :math:`Y_j + \hat\mu_w(Z_i) - \hat\mu_w(Z_j)` (``Matching``'s ``BiasAdjust``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pilotdid.errors import MatchingError
from pilotdid.matching.neighbours import neighbour_sets

__all__ = ["AiParts", "ai_estimate", "arm_variances", "bias_coefficients"]


@dataclass(frozen=True)
class AiParts:
    """Everything computed from one set of matches (positions are unit positions).

    Attributes
    ----------
    estimate : float
    tau : numpy.ndarray, shape (n,)
        Unit-level effects (NaN for units that are not focal or have no match).
    focal : numpy.ndarray of bool, shape (n,)
        Focal units with at least one match (those averaged).
    K, KK : numpy.ndarray, shape (n,)
        Sum of the match weights and of their squares, per matched unit.
    pair_tau, pair_weight : numpy.ndarray, shape (m,)
        Pair-level differences and weights.
    yhat : numpy.ndarray, shape (n,)
        Imputed other-arm outcome of each focal unit (bias-corrected when asked).
    """

    estimate: float
    tau: np.ndarray
    focal: np.ndarray
    K: np.ndarray
    KK: np.ndarray
    pair_tau: np.ndarray
    pair_weight: np.ndarray
    yhat: np.ndarray

    @property
    def n_focal(self) -> int:
        """Number of focal units averaged."""
        return int(self.focal.sum())

    def var_standard(self) -> float:
        """Naive variance treating the matching weights as fixed."""
        r = self.pair_tau - self.estimate
        return float(np.sum(self.pair_weight * r * r) / self.n_focal**2)

    def var_ai(self, sigma2: np.ndarray, ate: bool) -> float:
        """Abadie-Imbens (2006) variance of the population effect given conditional variances."""
        r = self.tau[self.focal] - self.estimate
        extra = self.K * self.K - self.KK + (2.0 * self.K * self.focal if ate else 0.0)
        return float((np.sum(r * r) + np.sum(sigma2 * extra)) / self.n_focal**2)

    def homoskedastic_sigma2(self) -> float:
        """Return ``Matching``'s ``Var.calc = 0`` pooled variance (half the mean squared pair deviation)."""
        r = self.pair_tau - self.estimate
        return float(0.5 * np.sum(self.pair_weight * r * r) / np.sum(self.pair_weight))


def bias_coefficients(
    y: np.ndarray, Z: np.ndarray, arm: np.ndarray, K: np.ndarray, where: str
) -> np.ndarray:
    """Slopes of the K-weighted regression of y on [1, Z] among the units of one arm.

    Returns the slopes (without the intercept), shape (q,).
    """
    sel = arm & (K > 0)
    X = np.column_stack([np.ones(int(sel.sum())), Z[sel]])
    sw = np.sqrt(K[sel])
    if sel.sum() <= X.shape[1] or np.linalg.matrix_rank(X * sw[:, None]) < X.shape[1]:
        raise MatchingError(
            f"bias adjustment: the regression of the outcome on the covariates among the "
            f"matched {where} has too few units or collinear covariates ({int(sel.sum())} "
            "units); adjust on fewer covariates (bias_adjust=[...])."
        )
    beta, *_ = np.linalg.lstsq(X * sw[:, None], y[sel] * sw, rcond=None)
    return np.asarray(beta[1:])


def ai_estimate(
    y: np.ndarray,
    treated: np.ndarray,
    qi: np.ndarray,
    pj: np.ndarray,
    w: np.ndarray,
    Z: np.ndarray | None = None,
) -> AiParts:
    """Compute the matching estimate and the K counts from pairs (focal unit ``qi``, match ``pj``, weight).

    ``Z`` (n, q), when given, turns on the bias correction.
    """
    n = len(y)
    K = np.bincount(pj, weights=w, minlength=n)
    KK = np.bincount(pj, weights=w * w, minlength=n)
    adj = np.zeros(len(qi))
    if Z is not None:
        beta = {}
        for arm, name in ((False, "controls"), (True, "treated")):
            if np.any(treated[pj] == arm):
                beta[arm] = bias_coefficients(y, Z, treated == arm, K, name)
        for arm, b in beta.items():
            sel = treated[pj] == arm
            adj[sel] = (Z[qi[sel]] - Z[pj[sel]]) @ b
    pair_other = y[pj] + adj
    sign = np.where(treated[qi], 1.0, -1.0)
    pair_tau = sign * (y[qi] - pair_other)
    wsum = np.bincount(qi, weights=w, minlength=n)
    focal = wsum > 0
    yhat = np.full(n, np.nan)
    yhat[focal] = np.bincount(qi, weights=w * pair_other, minlength=n)[focal] / wsum[focal]
    tau = np.full(n, np.nan)
    tau[focal] = np.where(treated[focal], 1.0, -1.0) * (y[focal] - yhat[focal])
    est = float(np.mean(tau[focal]))
    return AiParts(est, tau, focal, K, KK, pair_tau, w, yhat)


def arm_variances(
    y: np.ndarray, treated: np.ndarray, Z: np.ndarray, J: int, tolerance: float
) -> np.ndarray:
    """Conditional outcome variances by matching each unit to its J nearest same-arm units.

    The sample variance (divisor n - 1) of the unit's outcome and those of its matches, ties
    included (R ``Matching``'s ``Var.calc = J``).
    """
    n = len(y)
    sigma2 = np.zeros(n)
    for arm in (False, True):
        idx = np.flatnonzero(treated == arm)
        if len(idx) < 2:
            continue
        s = neighbour_sets(Z[idx], Z[idx], J, tolerance=tolerance, self_pos=np.arange(len(idx)))
        m = s.sizes.astype(float)
        ys = y[idx]
        mean_all = (ys + np.bincount(s.query, weights=ys[s.pool], minlength=len(idx))) / (m + 1)
        dev = (ys[s.pool] - mean_all[s.query]) ** 2
        ss = np.bincount(s.query, weights=dev, minlength=len(idx)) + (ys - mean_all) ** 2
        sigma2[idx] = ss / m
    return sigma2
