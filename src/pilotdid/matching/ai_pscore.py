r"""Abadie & Imbens (2016): the variance of matching on an *estimated* propensity score.

Matching on :math:`F(X'\hat\theta)` with :math:`\hat\theta` the logit or probit
maximum-likelihood estimate changes the large-sample variance of the ATE estimator to
(Abadie & Imbens 2016, Econometrica 84(2), Theorem 1)

.. math::

    \sigma^2 - c' I_\theta^{-1} c, \qquad
    c = E\Big[\Big(\frac{\operatorname{cov}(X, \mu(1, X) \mid F(X'\theta))}{F(X'\theta)}
        + \frac{\operatorname{cov}(X, \mu(0, X) \mid F(X'\theta))}{1 - F(X'\theta)}\Big)
        f(X'\theta)\Big],

where :math:`\sigma^2` is the Abadie-Imbens (2006) variance for a known score, :math:`I_\theta`
the information of the score model and :math:`f = F'` (logit: :math:`F(1 - F)`; probit: the
normal density). The adjustment is never positive: ignoring the estimation of the score
overstates the ATE's standard error.

Estimation, as ``teffects psmatch`` does it (reproduced to the seven printed digits on
``cattaneo2``): :math:`\operatorname{cov}(X, \mu(w, X) \mid F)` at unit i is the sample
covariance (divisor n - 1) of X and Y over a set of J + 1 units of arm w near i on the score:
i itself and its J nearest same-arm units when i is in arm w, its J + 1 nearest units of arm
w otherwise (ties kept, the same sets as the conditional variances of ``se="ai"``); ``c`` is
the average over the matched sample; :math:`I_\theta^{-1}/N` is the inverse of the observed
information of the score model (its ``cov``). ``teffects``' default ``vce(robust, nn(2))``
(two units in each set, the unit included) is ``J=1`` here.

ATT and ATC (Theorem 2 of the paper, as consistent sample analogues with the same conventions).
The ATT :math:`\tau_t = E[\mu(1,X) - \mu(0,X) \mid W = 1]` depends on :math:`\theta` (the treated
population changes with the score), so

.. math::

    V_t = \sigma_t^2 - c_t' I_\theta^{-1} c_t
          + \frac{\partial\tau_t}{\partial\theta}' I_\theta^{-1} \frac{\partial\tau_t}{\partial\theta},
    \qquad
    \frac{\partial\tau_t}{\partial\theta} = \frac{E[f(X'\theta) X (\mu(1,X) - \mu(0,X) - \tau_t)]}{p},

with :math:`p = E[F(X'\theta)]`. Derivation of :math:`c_t` (the limit covariance of the
known-score estimator with the score :math:`s = X f (W - F) / (F(1 - F))`, which is what
:math:`c` is in Theorem 1, and which Le Cam's third lemma turns into the variance above): write
:math:`\hat\tau_t = \bar Y_{W=1} - N_1^{-1} \sum_{W_i = 1} \hat Y_i(0)`. The first part does not
depend on :math:`\theta`; the imputation is asymptotically linear with influence
:math:`p^{-1}[W(\bar\mu_0(F) - m_0) + (1 - W) \tfrac{F}{1 - F} (Y - \bar\mu_0(F))]`
(:math:`\bar\mu_w(F) = E[Y \mid W = w, F]`, :math:`m_0 = E[\mu(0,X) \mid W=1]`, a control
being used :math:`F/(1-F)` times as often as a treated unit is present, in the limit). With
:math:`E[(W - F) \mid X] = 0`, :math:`E[(W-F)^2 \mid X] = F(1-F)` and f a function of F:

.. math::

    p\, c_t = E[f X (\mu(1,X) - m_1)] - E[f X (\bar\mu_0(F) - m_0)]
              + E\big[f \tfrac{F}{1-F} \operatorname{cov}(X, \mu(0,X) \mid F)\big]
            = p \frac{\partial\tau_t}{\partial\theta}
              + E\Big[f \frac{\operatorname{cov}(X, \mu(0,X) \mid F)}{1 - F}\Big],

i.e. :math:`c_t = \partial\tau_t/\partial\theta + c_0` (this equals the textbook form
:math:`p^{-1}E[f\{X(\bar\mu_1 - \bar\mu_0 - \tau_t) + \operatorname{cov}(X,\mu_1 \mid F) +
\tfrac{F}{1-F}\operatorname{cov}(X, \mu_0 \mid F)\}]`; the treated-arm covariance cancels
because the treated outcomes enter with weight one whatever :math:`\theta`).

Sample analogues (:func:`pscore_att_terms`), with :math:`\hat C_{w,i}` the covariances of X and
Y over the same J + 1 sets of arm w as for the ATE and :math:`\hat p = N_1 / N`:
:math:`\hat c_0 = \hat p^{-1} N^{-1} \sum_i f_i \hat C_{0,i} / (1 - F_i)`. For the derivative,
the matched imputation :math:`\hat\tau_i` (:math:`Y_i - \hat Y_i(0)` for the treated,
:math:`\hat Y_i(1) - Y_i` for controls, the k nearest units of the other arm on the score, no
caliper) is *not* an estimate of :math:`\mu(1,X_i) - \mu(0,X_i)`: matching on the score imputes
:math:`\bar\mu_w(F_i)`, so :math:`E[\hat\tau_i \mid X_i] = \mu(1,X_i) - \bar\mu_0(F_i)` for a
treated unit and :math:`\bar\mu_1(F_i) - \mu(0, X_i)` for a control. Conditioning on F,
:math:`E[f X (\hat\tau - \tau_t)] = E[f E(X \mid F)(\bar\mu_1 - \bar\mu_0 - \tau_t)]
+ E[f\{F \operatorname{cov}(X, \mu_1 \mid F) - (1 - F)\operatorname{cov}(X, \mu_0 \mid F)\}]`,
while :math:`p\,\partial\tau_t/\partial\theta` has :math:`\operatorname{cov}(X,\mu_1 \mid F)
- \operatorname{cov}(X,\mu_0 \mid F)` there; hence the consistent estimate

.. math::

    \frac{\partial\hat\tau_t}{\partial\theta} = \frac{1}{\hat p N} \sum_i f_i
    \big[X_i (\hat\tau_i - \hat\tau_t) + (1 - F_i) \hat C_{1,i} - F_i \hat C_{0,i}\big]

(using the imputation alone roughly halves the derivative when the effect varies with a
covariate that the score does not contain: a Monte Carlo check failed that way).
:math:`I_\theta^{-1}/N` is the score model's ``cov``. The ATC
is the ATT with the arms swapped (score :math:`1 - F`, :math:`\theta \to -\theta`, which leaves
the quadratic forms unchanged). Validated by Monte Carlo (``tests/matching/
test_ai_pscore_att_mc.py``), not by Stata: it does not reproduce ``teffects psmatch``'s ATET
standard error (see the README for the differences).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from pilotdid.matching.neighbours import neighbour_sets

__all__ = ["arm_covariances", "pscore_att_terms", "pscore_c", "score_density"]


def score_density(model: str, xb: np.ndarray) -> np.ndarray:
    """Density ``f = F'`` of the score model at the linear index (logit or probit)."""
    if model == "logit":
        p = special.expit(xb)
        return np.asarray(p * (1.0 - p))
    return np.asarray(np.exp(-0.5 * xb * xb) / np.sqrt(2.0 * np.pi))


def _set_covariance(
    q: np.ndarray, pool: np.ndarray, X: np.ndarray, y: np.ndarray, n: int
) -> np.ndarray:
    """Sample covariance of each column of X with y over the sets {pool[q == i]}, shape (n, k)."""
    cnt = np.bincount(q, minlength=n).astype(float)
    my = np.bincount(q, weights=y[pool], minlength=n) / cnt
    out = np.empty((n, X.shape[1]))
    dy = y[pool] - my[q]
    for k in range(X.shape[1]):
        mx = np.bincount(q, weights=X[pool, k], minlength=n) / cnt
        out[:, k] = np.bincount(q, weights=(X[pool, k] - mx[q]) * dy, minlength=n)
    return out / (cnt - 1.0)[:, None]


def arm_covariances(
    y: np.ndarray, X: np.ndarray, treated: np.ndarray, Z: np.ndarray, J: int, tolerance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Covariances of X and Y near each unit within the controls and within the treated.

    Parameters
    ----------
    y : numpy.ndarray, shape (n,)
    X : numpy.ndarray, shape (n, k)
        The score model's regressors (constant included).
    treated : numpy.ndarray of bool, shape (n,)
    Z : numpy.ndarray, shape (n, 1)
        Search coordinate (the standardised score).
    J : int
        Set size minus one (at least 1).
    tolerance : float
        Tie tolerance of :func:`~pilotdid.matching.neighbours.neighbour_sets`.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``C0``, ``C1``, shape (n, k): the covariance among nearby controls and treated units.
    """
    n = len(y)
    out = []
    for arm in (False, True):
        own = np.flatnonzero(treated == arm)
        other = np.flatnonzero(treated != arm)
        s_own = neighbour_sets(Z[own], Z[own], J, tolerance=tolerance, self_pos=np.arange(len(own)))
        s_oth = neighbour_sets(Z[other], Z[own], J + 1, tolerance=tolerance)
        q = np.concatenate([own[s_own.query], own, other[s_oth.query]])
        pool = np.concatenate([own[s_own.pool], own, own[s_oth.pool]])
        out.append(_set_covariance(q, pool, X, y, n))
    return out[0], out[1]


def pscore_c(
    y: np.ndarray,
    X: np.ndarray,
    p: np.ndarray,
    f: np.ndarray,
    treated: np.ndarray,
    Z: np.ndarray,
    J: int,
    tolerance: float,
) -> np.ndarray:
    """Return the estimate of Abadie & Imbens' (2016) ``c`` for the ATE, shape (k,).

    The ATE variance on the estimated score is then ``var_ai - c @ cov @ c`` with ``cov`` the
    estimated covariance of the score model's coefficients.
    """
    C0, C1 = arm_covariances(y, X, treated, Z, J, tolerance)
    terms = (C1 / p[:, None] + C0 / (1.0 - p)[:, None]) * f[:, None]
    return np.asarray(terms.mean(axis=0))


def pscore_att_terms(
    y: np.ndarray,
    X: np.ndarray,
    p: np.ndarray,
    f: np.ndarray,
    treated: np.ndarray,
    Z: np.ndarray,
    J: int,
    tolerance: float,
    tau: np.ndarray,
    estimate: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the estimates of ``c_t`` and ``dtau_t/dtheta`` for the ATT, each shape (k,).

    ``tau`` holds the matched unit-level effects of every unit and ``estimate`` the ATT. The ATT
    variance on the estimated score is then ``var_ai - c_t @ cov @ c_t + d @ cov @ d``. For the
    ATC pass ``~treated``, ``1 - p``, ``-tau`` and ``-estimate``.
    """
    C0, C1 = arm_covariances(y, X, treated, Z, J, tolerance)
    share = float(np.mean(treated))
    c0 = np.mean(C0 * (f / (1.0 - p))[:, None], axis=0) / share
    within = (1.0 - p)[:, None] * C1 - p[:, None] * C0
    d = np.mean((X * (tau - estimate)[:, None] + within) * f[:, None], axis=0) / share
    return np.asarray(d + c0), np.asarray(d)
