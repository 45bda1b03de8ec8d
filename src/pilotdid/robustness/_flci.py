"""Fixed-length confidence intervals (FLCI) under smoothness ``Delta^SD(M)``.

An affine estimator ``theta_hat = l'beta_post + w'beta_pre`` has bias ``l'delta_post + w'delta_pre``.
It is finite on ``Delta^SD(M)`` only if it removes linear trends (``sum_t t v_t = 0`` over all
periods, ``v = (w, l)``); then the worst-case bias is ``M * ||Phi'v||_1``, where ``Phi`` maps the
second differences of ``delta`` to ``delta`` (with ``delta_ref = 0`` and the slope at the reference
period pinned, which linear-trend-free weights ignore). The FLCI of Armstrong and Kolesár (2018)
is ``theta_hat +- h * cv_alpha(b / h)`` with ``h`` the standard error, ``b`` the worst-case bias and
``cv_alpha(r)`` the ``1 - alpha`` quantile of ``|N(r, 1)|``; the weights ``w`` minimise that
half-length. The half-length is a convex function of ``w`` (the perspective of the convex
``cv_alpha`` composed with the convex bias), so a smooth solver on its epigraph finds the global
minimum. Rambachan and Roth's R code reaches the same optimum through a bisection over ``h`` with
second-order cone programmes and a simulated ``cv_alpha``; here ``cv_alpha`` is solved exactly.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

from pilotdid.errors import EstimationError

__all__ = ["flci", "folded_normal_cv"]


def folded_normal_cv(r: float, alpha: float) -> float:
    """Return the ``1 - alpha`` quantile of ``|N(r, 1)|``.

    Parameters
    ----------
    r : float
        Mean of the normal (the bias in standard errors).
    alpha : float
        One minus the coverage.

    Returns
    -------
    float
    """
    r = abs(r)
    lo = float(stats.norm.ppf(1 - alpha / 2))
    hi = r + float(stats.norm.ppf(1 - alpha)) + 1.0
    if r > 40:
        return r + float(stats.norm.ppf(1 - alpha))

    def gap(c: float) -> float:
        return float(stats.norm.cdf(c - r) - stats.norm.cdf(-c - r)) - (1 - alpha)

    return float(optimize.brentq(gap, lo - 1e-12, max(hi, lo + 1.0), xtol=1e-13))


def _cv_slope(r: float, c: float) -> float:
    p1 = float(stats.norm.pdf(c - r))
    p2 = float(stats.norm.pdf(c + r))
    return (p1 - p2) / (p1 + p2)


def _phi(num_pre: int, num_post: int) -> np.ndarray:
    """Map second differences to violations (reference period dropped), shape (n, n - 1)."""
    n = num_pre + num_post
    size = n + 1
    system = np.zeros((size, size))
    for r in range(n - 1):
        system[r, r : r + 3] = (1.0, -2.0, 1.0)
    system[n - 1, num_pre] = 1.0
    if num_pre + 1 < size:
        system[n, num_pre : num_pre + 2] = (-1.0, 1.0)
    else:  # no post period: pin the slope on the pre side
        system[n, num_pre - 1 : num_pre + 1] = (-1.0, 1.0)
    inverse = np.linalg.inv(system)[:, : n - 1]
    return np.asarray(np.delete(inverse, num_pre, axis=0))


def flci(
    sigma: np.ndarray, num_pre: int, l_vec: np.ndarray, M: float, alpha: float
) -> tuple[np.ndarray, float]:
    """Return the FLCI weights on all of ``betahat`` and the half-length.

    Parameters
    ----------
    sigma : numpy.ndarray, shape (K + T, K + T)
        Covariance of the event-study estimates (pre periods first).
    num_pre : int
        Number of pre periods ``K``.
    l_vec : numpy.ndarray, shape (T,)
        Target weights on the post-period effects.
    M : float
        Smoothness bound.
    alpha : float
        One minus the coverage.

    Returns
    -------
    tuple of (numpy.ndarray, float)
        Weights ``v`` (the interval is ``v'betahat +- half``) and the half-length.
    """
    num_post = len(l_vec)
    t_pre = np.arange(-num_pre, 0, dtype=float)
    t_post = np.arange(1, num_post + 1, dtype=float)
    phi_t = _phi(num_pre, num_post).T  # (n-1, n)
    target = -float(t_post @ l_vec)
    w0 = t_pre * target / float(t_pre @ t_pre)
    k = num_pre
    n_u = phi_t.shape[0]

    def pieces(x: np.ndarray) -> tuple[np.ndarray, float]:
        v = np.concatenate([x[:k], l_vec])
        return v, math.sqrt(max(float(v @ sigma @ v), 1e-300))

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        v, h = pieces(x)
        r = M * float(np.sum(x[k:])) / h
        c = folded_normal_cv(r, alpha)
        slope = _cv_slope(r, c)
        grad = np.empty_like(x)
        grad[:k] = (c - r * slope) * (sigma @ v)[:k] / h
        grad[k:] = M * slope
        return h * c, grad

    def ineq(x: np.ndarray) -> np.ndarray:
        v = np.concatenate([x[:k], l_vec])
        pv = phi_t @ v
        return np.concatenate([x[k:] - pv, x[k:] + pv])

    full_k = np.hstack([np.zeros((n_u, k)), np.eye(n_u)])
    pre_part = phi_t[:, :k]
    ineq_jac = np.vstack(
        [
            full_k - np.hstack([pre_part, 0 * np.eye(n_u)]),
            full_k + np.hstack([pre_part, 0 * np.eye(n_u)]),
        ]
    )
    eq_row = np.concatenate([t_pre, np.zeros(n_u)])
    v0 = np.concatenate([w0, l_vec])
    x0 = np.concatenate([w0, np.abs(phi_t @ v0) + 1e-9])
    res = optimize.minimize(
        objective,
        x0,
        jac=True,
        method="SLSQP",
        constraints=[
            {"type": "ineq", "fun": ineq, "jac": lambda x: ineq_jac},
            {
                "type": "eq",
                "fun": lambda x: np.array([eq_row @ x - target]),
                "jac": lambda x: eq_row[None, :],
            },
        ],
        options={"ftol": 1e-14, "maxiter": 1000},
    )
    if not res.success and not np.isfinite(res.fun):
        raise EstimationError(f"FLCI optimisation failed: {res.message}")
    v, h = pieces(res.x)
    bias = M * float(np.sum(np.abs(phi_t @ v)))
    return v, h * folded_normal_cv(bias / h, alpha)
