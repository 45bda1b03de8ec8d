"""Joint Wald (F) tests of linear restrictions on regression coefficients.

One implementation serves the event study's pre-trend test and the heterogeneity
difference test: :math:`F = (Rb - q)' (R V R')^{-1} (Rb - q) / J` with ``J`` restrictions,
referred to an F distribution with ``(J, df)`` degrees of freedom, where ``df`` is the
t-tests' residual degrees of freedom (``G - 1`` under clustering, as fixest's ``wald()``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pilotdid.errors import EstimationError

__all__ = ["WaldTest", "wald_test"]


@dataclass(frozen=True)
class WaldTest:
    """A joint F test of linear restrictions.

    Attributes
    ----------
    terms : tuple
        What was tested (coefficient names, or the relative periods of an event study).
    statistic : float
        F statistic :math:`(Rb-q)'(RVR')^{-1}(Rb-q)/J`; NaN when nothing is tested.
    df_num, df_den : float
        Numerator (``J``) and denominator (the t-tests' degrees of freedom) degrees of freedom.
    p_value : float
        Upper-tail probability of the F distribution; NaN when nothing is tested.
    """

    terms: tuple[Any, ...]
    statistic: float
    df_num: float
    df_den: float
    p_value: float

    def _repr_html_(self) -> str:
        from pilotdid._text import html_summary

        stat = (
            f"chi2({self.df_num:g}) = {self.statistic * self.df_num:.4g}"
            if self.df_den == float("inf")
            else f"F({self.df_num:g}, {self.df_den:g}) = {self.statistic:.4g}"
        )
        terms = ", ".join(str(t) for t in self.terms)
        return html_summary(
            f"Wald test of {terms or 'the restrictions'} = 0: {stat}, p = {self.p_value:.4g}"
        )


def wald_test(
    coef: np.ndarray,
    vcov: np.ndarray,
    df: float,
    restrictions: np.ndarray | None = None,
    *,
    value: np.ndarray | None = None,
    terms: tuple[Any, ...] = (),
) -> WaldTest:
    """F test of ``R b = q``.

    Parameters
    ----------
    coef : numpy.ndarray, shape (k,)
        Coefficients ``b``.
    vcov : numpy.ndarray, shape (k, k)
        Their variance matrix ``V``.
    df : float
        Denominator degrees of freedom (the t-tests' degrees of freedom).
    restrictions : numpy.ndarray, shape (J, k), optional
        ``R``; default the identity (every coefficient is zero).
    value : numpy.ndarray, shape (J,), optional
        ``q``; default zeros.
    terms : tuple, optional
        Labels of what is tested, stored on the result.

    Returns
    -------
    WaldTest
        The statistic, its degrees of freedom and p-value.

    Raises
    ------
    EstimationError
        ``R V R'`` is singular (a restriction on a coefficient without variance).

    Examples
    --------
    >>> import numpy as np
    >>> t = wald_test(np.array([2.0]), np.array([[1.0]]), df=50)
    >>> round(t.statistic, 6), round(t.p_value, 4)
    (4.0, 0.0509)
    """
    from scipy import stats

    b = np.asarray(coef, dtype=np.float64)
    r = np.eye(b.size) if restrictions is None else np.atleast_2d(restrictions)
    if r.shape[0] == 0:
        return WaldTest(terms, float("nan"), 0.0, float(df), float("nan"))
    q = np.zeros(r.shape[0]) if value is None else np.asarray(value, dtype=np.float64)
    d = r @ b - q
    middle = r @ np.asarray(vcov, dtype=np.float64) @ r.T
    try:
        statistic = float(d @ np.linalg.solve(middle, d)) / r.shape[0]
    except np.linalg.LinAlgError as exc:
        raise EstimationError(
            "the Wald test's variance matrix R V R' is singular: a tested coefficient has no "
            "variance (collinear or constant); test fewer terms"
        ) from exc
    if np.isinf(df):  # F(q, inf) is chi-square(q) / q (scipy's F gives NaN there)
        p = float(stats.chi2.sf(statistic * r.shape[0], r.shape[0]))
    else:
        p = float(stats.f.sf(statistic, r.shape[0], df))
    return WaldTest(terms, statistic, float(r.shape[0]), float(df), p)
