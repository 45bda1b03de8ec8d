"""Randomization-inference p-values: the one rule behind placebo and permutation tests.

Layer: ``estimation/`` (numpy only), so that ``robustness/`` (placebo) and ``mechanisms/``
(the heterogeneity permutation test), which may not import each other, share it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["RI_RTOL", "ri_pvalue"]

#: Relative tolerance for "as extreme as observed": a draw whose statistic falls short of the
#: observed one by at most ``RI_RTOL × |observed|`` counts as a tie. The batched engines agree
#: with a separate fit to about 1e-12, so the observed assignment, when it is among the draws
#: (exhaustive enumeration, an identity permutation), is counted; real differences between
#: draws are many orders of magnitude larger.
RI_RTOL = 1e-10


def ri_pvalue(
    draws: np.ndarray,
    observed: float,
    *,
    two_sided: bool,
    exhaustive: bool = False,
    rtol: float = RI_RTOL,
) -> float:
    r"""Share of draws at least as extreme as the observed statistic.

    Parameters
    ----------
    draws : numpy.ndarray
        The statistic under each random (or each enumerated) assignment. Non-finite draws
        (failed fits) are left out of both counts.
    observed : float
        The statistic under the real assignment.
    two_sided : bool
        Compare :math:`|v| \ge |obs|` (a coefficient or a t statistic) or :math:`v \ge obs`
        (a statistic that is large when the null fails: a spread, a Wald statistic).
    exhaustive : bool, default False
        ``draws`` enumerate every assignment, the real one included: the exact p-value
        :math:`k / R`. Otherwise the draws are random and the real assignment is counted once
        more: :math:`(1 + k) / (1 + R)`, never 0.
    rtol : float, default :data:`RI_RTOL`
        Relative tolerance for ties (see :data:`RI_RTOL`).

    Returns
    -------
    float
        The p-value; NaN when ``observed`` is not finite or no draw is (undefined: neither
        "significant" nor "passes").

    Examples
    --------
    >>> ri_pvalue(np.array([-3.0, 1.0, 2.0, np.nan]), 2.0, two_sided=True)
    0.75
    >>> ri_pvalue(np.array([-3.0, 1.0, 2.0]), 2.0, two_sided=False, exhaustive=True)
    0.3333333333333333
    """
    values = np.asarray(draws, dtype=np.float64).ravel()
    finite = values[np.isfinite(values)]
    if not np.isfinite(observed) or finite.size == 0:
        return float("nan")
    if two_sided:
        finite, observed = np.abs(finite), abs(observed)
    threshold = observed - rtol * abs(observed)
    extreme = int(np.count_nonzero(finite >= threshold))
    if exhaustive:
        return extreme / finite.size
    return (1 + extreme) / (1 + finite.size)
