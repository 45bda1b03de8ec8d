"""Binary-response models: logit and probit by Newton's method, with separation detection.

The fit is written here rather than borrowed so that pilotdid reports exactly what Stata's
``logit``/``probit`` (and so ``psmatch2`` and ``pstest``) report: coefficients, standard errors
from the observed information, the McFadden pseudo-R² and the likelihood-ratio χ² against the
constant-only model. Weights, when given, are Stata ``iweights``: they multiply each
observation's log-likelihood contribution. The propensity score of :mod:`pilotdid.matching`
is one use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from pilotdid.errors import EstimationError

__all__ = ["SEPARATION_TOL", "BinaryFit", "fit_binary"]

#: Fitted probabilities this close to 0 or 1 signal (quasi-)complete separation.
SEPARATION_TOL = 1e-10
_MAX_ITER = 100


@dataclass(frozen=True)
class BinaryFit:
    """A fitted binary-response model (of treatment on covariates, for a propensity score).

    Attributes
    ----------
    model : {"logit", "probit"}
        The link.
    names : tuple of str
        Coefficient names: the covariates in the order given, then ``"_cons"`` (Stata's order).
    params : numpy.ndarray, shape (k + 1,)
        Maximum-likelihood coefficients.
    cov : numpy.ndarray, shape (k + 1, k + 1)
        Inverse of the observed information at ``params``.
    llf, llnull : float
        Log-likelihood of the model and of the constant-only model.
    nobs : float
        Number of observations (the sum of the weights when weighted).
    n_iter : int
        Newton iterations used.
    xb : numpy.ndarray, shape (n,)
        Linear index ``X @ params`` for the estimation rows.
    pscore : numpy.ndarray, shape (n,)
        Fitted probabilities ``F(xb)``.
    """

    model: str
    names: tuple[str, ...]
    params: np.ndarray
    cov: np.ndarray
    llf: float
    llnull: float
    nobs: float
    n_iter: int
    xb: np.ndarray
    pscore: np.ndarray

    @property
    def bse(self) -> np.ndarray:
        """Standard errors, shape (k + 1,)."""
        return np.sqrt(np.diag(self.cov))

    @property
    def pseudo_r2(self) -> float:
        """McFadden's pseudo-R², ``1 - llf / llnull`` (Stata's ``e(r2_p)``)."""
        return 1.0 - self.llf / self.llnull

    @property
    def lr_chi2(self) -> float:
        """Likelihood-ratio χ² against the constant-only model, ``2 (llf - llnull)``."""
        return 2.0 * (self.llf - self.llnull)

    @property
    def lr_df(self) -> int:
        """Degrees of freedom of the LR test (number of covariates)."""
        return len(self.names) - 1

    @property
    def lr_pvalue(self) -> float:
        """p-value of the LR χ² test."""
        return float(stats.chi2.sf(self.lr_chi2, self.lr_df))

    def _repr_html_(self) -> str:
        from pilotdid._text import html_summary

        line = (
            f"{self.model.capitalize()} propensity model: N = {self.nobs:,.0f}, "
            f"pseudo R2 = {self.pseudo_r2:.4f}, LR chi2({self.lr_df}) = {self.lr_chi2:.4g} "
            f"(p = {self.lr_pvalue:.4g})"
        )
        return html_summary(
            line, self.coef_table().to_html(float_format=lambda v: f"{v:.4g}", escape=True)
        )

    def coef_table(self) -> pd.DataFrame:
        """Coefficients, standard errors, z statistics and p-values, one row per term.

        Returns
        -------
        pandas.DataFrame
            Index: term names; columns ``coef se z p``.
        """
        z = self.params / self.bse
        return pd.DataFrame(
            {"coef": self.params, "se": self.bse, "z": z, "p": 2 * stats.norm.sf(np.abs(z))},
            index=pd.Index(self.names, name="term"),
        )


def _loglik(model: str, eta: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    if model == "logit":
        # y log F + (1 - y) log(1 - F) = y eta - log(1 + e^eta); logaddexp is stable at large |eta|
        ll = y * eta - np.logaddexp(0.0, eta)
    else:
        q = 2.0 * y - 1.0
        ll = special.log_ndtr(q * eta)
    return float(w @ ll)


def _score_hessian(
    model: str, X: np.ndarray, eta: np.ndarray, y: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient and negative Hessian (observed information) of the log-likelihood."""
    if model == "logit":
        p = special.expit(eta)
        grad = X.T @ (w * (y - p))
        h = w * p * (1.0 - p)
    else:
        q = 2.0 * y - 1.0
        qe = q * eta
        # inverse Mills ratio phi/Phi in logs: exact where Phi(qe) underflows
        lam = q * np.exp(stats.norm.logpdf(qe) - special.log_ndtr(qe))
        grad = X.T @ (w * lam)
        h = w * lam * (lam + eta)
    info = (X.T * h) @ X
    return grad, info


def _newton(
    model: str, X: np.ndarray, y: np.ndarray, w: np.ndarray, beta0: np.ndarray
) -> tuple[np.ndarray, float, int, bool]:
    beta = beta0
    llf = _loglik(model, X @ beta, y, w)
    for it in range(1, _MAX_ITER + 1):
        grad, info = _score_hessian(model, X, X @ beta, y, w)
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            return beta, llf, it, False
        # step halving keeps every iteration an ascent step (needed near separation)
        t = 1.0
        for _ in range(40):
            cand = beta + t * step
            ll_new = _loglik(model, X @ cand, y, w)
            if ll_new >= llf - 1e-12 * abs(llf):
                break
            t *= 0.5
        beta, ll_old, llf = cand, llf, ll_new
        if np.max(np.abs(t * step)) < 1e-11 * (1.0 + np.max(np.abs(beta))) or (
            abs(llf - ll_old) < 1e-15 * (1.0 + abs(llf)) and np.max(np.abs(grad)) < 1e-8
        ):
            return beta, llf, it, True
    return beta, llf, _MAX_ITER, False


def _null_llf(model: str, y: np.ndarray, w: np.ndarray) -> float:
    ybar = float(w @ y / w.sum())
    eta = special.logit(ybar) if model == "logit" else special.ndtri(ybar)
    return _loglik(model, np.full(y.shape, eta), y, w)


def _separating_covariates(X: np.ndarray, y: np.ndarray, names: tuple[str, ...]) -> list[str]:
    """Covariates that on their own (quasi-)perfectly predict treatment."""
    out = []
    for j, name in enumerate(names[:-1]):
        x1, x0 = X[y == 1, j], X[y == 0, j]
        if x1.min() >= x0.max() or x1.max() <= x0.min():
            out.append(name)
    return out


def _raise_separation(
    X: np.ndarray, y: np.ndarray, beta: np.ndarray, names: tuple[str, ...], n_bad: int
) -> None:
    culprits = _separating_covariates(X, y, names)
    if not culprits:
        # no single culprit: name the covariates whose standardised coefficients blow up
        scale = np.abs(beta[:-1]) * X[:, :-1].std(axis=0)
        culprits = [names[j] for j in np.argsort(-scale)[:3] if scale[j] > 10]
    named = ", ".join(repr(c) for c in culprits) or "a combination of covariates"
    raise EstimationError(
        f"(quasi-)complete separation: {n_bad} rows have a fitted probability "
        f"of 0 or 1 and {named} predict(s) the outcome (almost) perfectly; drop or recode "
        "those covariates, or restrict the sample to comparable units."
    )


def fit_binary(
    X: np.ndarray,
    y: np.ndarray,
    names: tuple[str, ...],
    model: str = "logit",
    weights: np.ndarray | None = None,
) -> BinaryFit:
    """Fit a logit or probit of ``y`` on ``X`` by Newton's method (pure array function).

    Parameters
    ----------
    X : numpy.ndarray, shape (n, k + 1)
        Covariates with the constant as the LAST column.
    y : numpy.ndarray, shape (n,)
        0/1 outcome.
    names : tuple of str
        k + 1 column names (the last one ``"_cons"``).
    model : {"logit", "probit"}
        The link.
    weights : numpy.ndarray, shape (n,), optional
        Stata-style importance weights (each log-likelihood term is multiplied by its weight).

    Returns
    -------
    BinaryFit

    Raises
    ------
    EstimationError
        On (quasi-)complete separation or when Newton's method does not converge.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.1, 0.5, 0.9, 1.3, 0.2, 1.1, 0.7, 0.4])
    >>> y = np.array([0, 0, 1, 1, 1, 0, 1, 0])
    >>> fit = fit_binary(np.column_stack([x, np.ones(8)]), y, ("x", "_cons"))
    >>> round(fit.lr_chi2, 4) >= 0
    True
    """
    y = np.asarray(y, dtype=float)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
    ybar = float(w @ y / w.sum())
    if ybar in (0.0, 1.0):
        raise EstimationError("the outcome takes only one value in the sample.")
    beta0 = np.zeros(X.shape[1])
    beta0[-1] = special.logit(ybar) if model == "logit" else special.ndtri(ybar)
    beta, llf, n_iter, converged = _newton(model, X, y, w, beta0)
    xb = X @ beta
    p = special.expit(xb) if model == "logit" else special.ndtr(xb)
    n_bad = int(np.sum(np.minimum(p, 1.0 - p) < SEPARATION_TOL))
    if n_bad:
        _raise_separation(X, y, beta, names, n_bad)
    if not converged:
        raise EstimationError(
            f"the {model} model did not converge in {_MAX_ITER} Newton iterations; "
            "check the covariates for near-collinearity or extreme values."
        )
    _, info = _score_hessian(model, X, xb, y, w)
    return BinaryFit(
        model=model,
        names=tuple(names),
        params=beta,
        cov=np.linalg.inv(info),
        llf=llf,
        llnull=_null_llf(model, y, w),
        nobs=float(w.sum()),
        n_iter=n_iter,
        xb=xb,
        pscore=p,
    )
