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

The ATT has its own adjustment (Theorem 2: a further term in the derivative of the ATT with
respect to :math:`\theta`); pilotdid does not provide it because no implementation of it
tried here reproduced Stata's published ATET standard error (see the README).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from pilotdid.matching.neighbours import neighbour_sets

__all__ = ["arm_covariances", "pscore_c", "score_density"]


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
