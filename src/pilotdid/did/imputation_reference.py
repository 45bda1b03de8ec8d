r"""Put the imputation (BJS) estimates on one reference period, for HonestDiD.

The imputation estimator's pre-trend coefficients come from a separate regression on the
untreated observations (BJS Test 1, Stata ``did_imputation``'s ``pretrends()``), and its
post-period effects compare each treated observation with a fit on *all* its unit's untreated
periods. The two are normalised differently, so the raw vector ``(leads, effects)`` is not an
event study with one reference period, and HonestDiD's restrictions (which compare the
changes of one violation path before and after adoption) cannot be applied to it directly.

The mapping. Suppose the untreated outcome of an eventually-treated unit departs from the
model by a path :math:`d_r` that depends on the period relative to adoption
(:math:`Y_{it}(0) = \alpha_i + \lambda_t + X_{it}'\beta + d_{r(i,t)} + \varepsilon_{it}`),
the object HonestDiD bounds. Fit the lead regression with a dummy for every pre-period except
the earliest one observed, :math:`r_0` (``pretrends = -r_0 - 1``). Then, exactly in finite
samples (both estimators are linear in :math:`Y` and the unit fixed effects absorb a constant),

* lead :math:`\hat L_r` has mean :math:`d_r - d_{r_0}`;
* the horizon-:math:`h` effect has mean :math:`\tau_h + d_h - \sum_r b_{hr} d_r`, where
  :math:`b_{hr} = -\sum_{(i,t)\in\Omega_0,\ r(i,t)=r} v^{(h)}_{it}` is the imputation weight
  the estimate puts on the untreated observations at relative period :math:`r`
  (:math:`\sum_r b_{hr} = 1`).

So :math:`\tilde\tau_h = \hat\tau_h + \sum_{r > r_0} b_{hr}\hat L_r` has mean
:math:`\tau_h + d_h - d_{r_0}`, and subtracting :math:`\hat L_{-1}` from every coefficient gives
an event study normalised at :math:`-1`: pre-period means :math:`d_r - d_{-1}`, post-period means
:math:`\tau_h + d_h - d_{-1}` — Rambachan and Roth's :math:`\beta = (\delta_{pre},
\tau + \delta_{post})`. The map is linear, so its covariance is :math:`T\Sigma T'` with
:math:`\Sigma` the joint covariance of leads and effects from the clustered influence sums
(:attr:`ImputationResult.joint_vcov`).

What it costs and assumes: the mapped effects lean on the earliest pre-period through the
leads, so they are less precise than the imputation effects (with one cohort, never-treated
controls and a balanced panel they equal the fully dynamic TWFE event study); the violation
path is common to the cohorts (with cohort-specific paths the leads mix them, as any pooled
lead regression does); the fixed effects include the unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pilotdid.did.dynamic import DynamicEffects
from pilotdid.errors import EstimationError

if TYPE_CHECKING:
    from pilotdid.did.imputation_result import ImputationResult

__all__ = ["pre_loading", "referenced_effects"]


def pre_loading(rel0: np.ndarray, v0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Weights :math:`b_{hr}` each estimate puts on the untreated rows at pre-period ``r``.

    Parameters
    ----------
    rel0 : numpy.ndarray, shape (n0,)
        Period relative to adoption of the untreated rows (NaN for never-treated units).
    v0 : numpy.ndarray, shape (n0, R)
        Imputation weights of the untreated rows, one column per estimand.

    Returns
    -------
    tuple of numpy.ndarray
        The pre-periods (increasing) and the ``R × periods`` matrix :math:`b = -\sum v`.

    Examples
    --------
    >>> v0 = np.array([[-0.25], [-0.75], [0.1]])
    >>> periods, b = pre_loading(np.array([-2.0, -1.0, np.nan]), v0)
    >>> periods.tolist(), b.tolist()
    ([-2, -1], [[0.25, 0.75]])
    """
    pre = np.isfinite(rel0) & (rel0 < 0)
    periods, code = np.unique(rel0[pre].astype(int), return_inverse=True)
    loading = np.zeros((v0.shape[1], periods.size))
    for j in range(v0.shape[1]):
        loading[j] = -np.bincount(code, weights=v0[pre, j], minlength=periods.size)
    return periods, loading


def referenced_effects(result: ImputationResult) -> DynamicEffects:
    """Leads and effects of an imputation fit as an event study normalised at period ``-1``.

    Parameters
    ----------
    result : ImputationResult
        A :func:`pilotdid.did_imputation` fit whose ``pretrends`` cover every pre-period but
        the earliest one observed (``pretrends = -r0 - 1``), with the unit among the fixed
        effects.

    Returns
    -------
    DynamicEffects
        Estimator ``"BJS"``, reference ``-1``: pre-periods ``r0 .. -2`` and the horizons.

    Raises
    ------
    EstimationError
        The fit cannot be mapped; the message says how to refit.
    """
    periods, b = result.pre_periods, result.pre_loading
    if b is None or periods.size == 0:
        raise EstimationError(
            "honest_did: this imputation fit has no untreated pre-period of a treated unit (or "
            "its fixed effects do not include the unit), so its effects cannot be put on a "
            "reference period; use sun_abraham(...) or event_study(...)"
        )
    r0 = int(periods.min())
    needed = np.arange(r0 + 1, 0)
    if r0 >= -1 or not np.array_equal(periods, np.arange(r0, 0)):
        raise EstimationError(
            f"honest_did: the imputation estimates need untreated observations of treated units "
            f"at every pre-period from {r0} to -1 (at least two) to be put on one reference "
            f"period; they are seen at {periods.tolist()}"
        )
    if not result.leads_identified:
        raise EstimationError(
            "honest_did: the lead regression cannot separate every lead from the fixed effects "
            "(with no never-treated unit a linear trend in relative time is absorbed by the unit "
            "and period effects), so the violation path is not identified; keep never-treated "
            "units in the sample or use sun_abraham(...) with control_cohort='last'"
        )
    if not np.array_equal(np.sort(result.lead_periods), needed):
        raise EstimationError(
            f"honest_did: the imputation estimates need the lead regression on every "
            f"pre-period but the earliest ({r0}) to be put on one reference period; refit with "
            f"did_imputation(..., pretrends={-r0 - 1}) (it has {result.lead_periods.size} "
            "lead(s))"
        )
    n_h = result.horizons.size
    if not np.allclose(b[:n_h].sum(axis=1), 1.0, atol=1e-8):
        raise EstimationError(
            "honest_did: the imputation weights on the pre-periods do not sum to one (the "
            "fixed effects do not absorb a unit-level constant); include the unit in fixef"
        )
    k = needed.size
    # input order: leads as in result.lead_periods, then the horizons (joint_vcov's order)
    where = {int(p): i for i, p in enumerate(result.lead_periods)}
    select = np.zeros((k, k))
    select[np.arange(k), [where[int(r)] for r in needed]] = 1.0  # row i: lead at needed[i]
    mapped = np.zeros((k + n_h, k + n_h))
    mapped[:k, :k] = select
    mapped[k:, k:] = np.eye(n_h)
    mapped[k:, :k] = b[:n_h, 1:] @ select  # tau_h + sum_{r > r0} b_hr L_r
    # renormalise at -1: subtract L_{-1} (the last lead row) from every coefficient; r0 gets
    # -L_{-1}, and the row of -1 itself (now zero) is left out
    last = mapped[k - 1]
    t = np.vstack([-last, mapped[: k - 1] - last, mapped[k:] - last])
    beta = np.concatenate([result.lead_estimates, result.estimates])
    return DynamicEffects(
        "BJS",
        np.concatenate([np.arange(r0, -1), result.horizons]).astype(int),
        t @ beta,
        t @ result.joint_vcov @ t.T,
        -1,
    )
