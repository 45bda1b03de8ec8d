"""The 2x2 DID estimators of one ATT(g,t) cell with their influence functions (panel data).

Each function takes the unit-level arrays of one (g, t) comparison — the outcome change
``dy`` between the base period and ``t``, the treated indicator ``d`` (cohort ``g`` = 1, its
comparison units = 0), the covariates ``x`` (intercept first) and the sampling weights ``w`` —
and returns the ATT and its influence function on those units, exactly as the R package
``DRDID`` computes them (the ones R ``did::att_gt`` calls):

- ``"reg"``: outcome regression, ``DRDID::reg_did_panel`` (Heckman, Ichimura & Todd 1997);
- ``"ipw"``: normalised (Hajek) inverse probability weighting, ``DRDID::std_ipw_did_panel``
  (Abadie 2005);
- ``"dr"``: the locally efficient doubly robust estimator of Sant'Anna & Zhao (2020),
  ``DRDID::drdid_panel`` — the one R ``did`` uses for ``est_method = "dr"`` (a logit
  propensity score fitted by maximum likelihood, a linear outcome regression on the
  comparison units fitted by least squares; comparison units with a propensity score of
  0.995 or more are trimmed).

The influence function ``psi`` is scaled so that ``att - ATT ~ mean(psi)``; its variance over
``n`` units is ``sum(psi**2) / n**2``. Everything is a handful of numpy operations on arrays of
the units in the comparison: no loop over units.
"""

from __future__ import annotations

import numpy as np

from pilotdid.errors import EstimationError

__all__ = ["TRIM_LEVEL", "cell_att", "logit_fit"]

#: Comparison units with a propensity score at or above this level are trimmed (DRDID default).
TRIM_LEVEL = 0.995
_PS_CLIP = 1e-6


def logit_fit(d: np.ndarray, x: np.ndarray, w: np.ndarray, *, where: str = "") -> np.ndarray:
    """Weighted logit by Newton-Raphson; fitted probabilities clipped to [1e-6, 1 - 1e-6].

    Parameters
    ----------
    d : numpy.ndarray, shape (n,)
        0/1 outcome.
    x : numpy.ndarray, shape (n, k)
        Regressors, an intercept in the first column.
    w : numpy.ndarray, shape (n,)
        Non-negative weights.
    where : str
        Named in error messages (the cell).

    Returns
    -------
    numpy.ndarray, shape (n,)
        Fitted probabilities.

    Raises
    ------
    EstimationError
        When the logit has no finite maximum (perfect separation, collinear covariates).

    Examples
    --------
    >>> d = np.array([0.0, 0, 1, 1]); x = np.ones((4, 1))
    >>> logit_fit(d, x, np.ones(4)).tolist()
    [0.5, 0.5, 0.5, 0.5]
    """
    share = float(np.sum(w * d) / np.sum(w))
    if x.shape[1] == 1:  # intercept only: the weighted share treated, no iteration
        return np.full(len(d), np.clip(share, _PS_CLIP, 1 - _PS_CLIP))
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(share / (1 - share))
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        hessian = (x * (w * p * (1 - p))[:, None]).T @ x
        try:
            step = np.linalg.solve(hessian, x.T @ (w * (d - p)))
        except np.linalg.LinAlgError:
            break
        beta = beta + step
        if np.max(np.abs(step)) <= 1e-12 * (1 + np.max(np.abs(beta))):
            p = 1.0 / (1.0 + np.exp(-(x @ beta)))
            return np.asarray(np.clip(p, _PS_CLIP, 1 - _PS_CLIP))
    raise EstimationError(
        f"{where}the propensity-score logit did not converge (perfect separation or collinear "
        "covariates); use fewer covariates or method='reg'"
    )


def _ols_controls(
    dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray, where: str
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares of ``dy`` on ``x`` among ``d == 0``: fitted values and X'WX/n."""
    wc = w * (1 - d)
    if x.shape[1] == 1:  # intercept only: the weighted mean change of the comparison units
        gram = np.array([[np.mean(wc)]])
        beta = np.array([np.sum(wc * dy) / np.sum(wc)])
        return np.full(len(d), beta[0]), gram
    gram = (x * wc[:, None]).T @ x / len(d)
    if np.linalg.cond(gram) > 1 / np.finfo(float).eps:
        raise EstimationError(
            f"{where}the outcome regression on the comparison units is singular (too few "
            "comparison units or collinear covariates); use fewer covariates"
        )
    beta = np.linalg.solve(gram, (x * wc[:, None]).T @ dy / len(d))
    return x @ beta, gram


def _ps_linear_rep(d: np.ndarray, x: np.ndarray, w: np.ndarray, ps: np.ndarray) -> np.ndarray:
    """Asymptotic linear representation of the logit coefficients, shape (n, k)."""
    n = len(d)
    info = (x * (ps * (1 - ps) * w)[:, None]).T @ x
    return np.asarray(((w * (d - ps))[:, None] * x) @ (np.linalg.inv(info) * n))


def _reg(
    dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray, where: str
) -> tuple[float, np.ndarray]:
    out, gram = _ols_controls(dy, d, x, w, where)
    w_t = w * d
    mean_t = np.mean(w_t)
    eta_t = np.mean(w_t * dy) / mean_t
    eta_c = np.mean(w_t * out) / mean_t
    ols_rep = ((w * (1 - d) * (dy - out))[:, None] * x) @ np.linalg.inv(gram)
    inf_treat = w_t * (dy - eta_t) / mean_t
    inf_cont = (w_t * (out - eta_c) + ols_rep @ np.mean(w_t[:, None] * x, axis=0)) / mean_t
    return float(eta_t - eta_c), inf_treat - inf_cont


def _weights(d: np.ndarray, w: np.ndarray, ps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.where(d == 0, ps < TRIM_LEVEL, True)
    return keep * w * d, keep * w * ps * (1 - d) / (1 - ps)


def _ipw(
    dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray, where: str
) -> tuple[float, np.ndarray]:
    ps = logit_fit(d, x, w, where=where)
    w_t, w_c = _weights(d, w, ps)
    mean_t, mean_c = np.mean(w_t), np.mean(w_c)
    att_t = np.mean(w_t * dy) / mean_t
    att_c = np.mean(w_c * dy) / mean_c
    inf_t = w_t * (dy - att_t) / mean_t
    inf_c = w_c * (dy - att_c) / mean_c
    moment = np.mean((w_c * (dy - att_c))[:, None] * x, axis=0) / mean_c
    inf_ps = _ps_linear_rep(d, x, w, ps) @ moment
    return float(att_t - att_c), inf_t - (inf_c + inf_ps)


def _dr(
    dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray, where: str
) -> tuple[float, np.ndarray]:
    ps = logit_fit(d, x, w, where=where)
    out, gram = _ols_controls(dy, d, x, w, where)
    w_t, w_c = _weights(d, w, ps)
    mean_t, mean_c = np.mean(w_t), np.mean(w_c)
    resid = dy - out
    eta_t = np.mean(w_t * resid) / mean_t
    eta_c = np.mean(w_c * resid) / mean_c
    ols_rep = ((w * (1 - d) * resid)[:, None] * x) @ np.linalg.inv(gram)
    lead_t = w_t * (resid - eta_t)
    inf_treat = (lead_t - ols_rep @ np.mean(w_t[:, None] * x, axis=0)) / mean_t
    lead_c = w_c * (resid - eta_c)
    inf_ps = _ps_linear_rep(d, x, w, ps) @ np.mean(lead_c[:, None] * x, axis=0)
    inf_ols = ols_rep @ np.mean(w_c[:, None] * x, axis=0)
    inf_cont = (lead_c + inf_ps - inf_ols) / mean_c
    return float(eta_t - eta_c), inf_treat - inf_cont


_METHODS = {"reg": _reg, "ipw": _ipw, "dr": _dr}


def cell_att(
    dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray, method: str, *, where: str = ""
) -> tuple[float, np.ndarray]:
    """ATT of one 2x2 comparison and its influence function.

    Parameters
    ----------
    dy : numpy.ndarray, shape (n,)
        Outcome in the period of interest minus outcome in the base period.
    d : numpy.ndarray, shape (n,)
        1 for the treated cohort, 0 for its comparison units.
    x : numpy.ndarray, shape (n, k)
        Covariates, intercept in the first column (``np.ones((n, 1))`` for none).
    w : numpy.ndarray, shape (n,)
        Sampling weights (normalised to mean 1 here).
    method : {"dr", "ipw", "reg"}
        The estimator.
    where : str
        Prefix of error messages (the cell).

    Returns
    -------
    tuple of (float, numpy.ndarray)
        The ATT and its influence function, shape (n,).

    Examples
    --------
    >>> dy = np.array([1.0, 3.0, 0.0, 1.0]); d = np.array([1.0, 1, 0, 0])
    >>> att, psi = cell_att(dy, d, np.ones((4, 1)), np.ones(4), "reg")
    >>> round(att, 10), psi.round(10).tolist()
    (1.5, [-2.0, 2.0, 1.0, -1.0])
    """
    w = w / np.mean(w)
    return _METHODS[method](dy, d, x, w, where)
