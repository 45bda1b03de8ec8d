"""Turn an event study (or raw coefficients) into HonestDiD's layout: pre periods, reference, post.

HonestDiD's coefficients are ordered pre periods (oldest first), then post periods, with the
reference period (normalised to zero) between them and left out. With a
:class:`~pilotdid.did.dynamic.DynamicEffects` the pre periods are those before the reference
period and the "post" periods those after it — with a reference period before ``-1`` the periods
between it and adoption (anticipation) count as post periods, as in R's LW example, but the
default targets weight only the periods from adoption (relative period 0) on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.did.dynamic import DynamicEffects
from pilotdid.errors import EstimationError
from pilotdid.options import HonestTarget, validate_option

__all__ = ["EventStudyLayout", "layout_from"]


@dataclass(frozen=True, eq=False)
class EventStudyLayout:
    """Coefficients in HonestDiD order, their covariance and the target weights."""

    estimator: str
    beta: np.ndarray
    sigma: np.ndarray
    num_pre: int
    periods: np.ndarray
    ref: int
    l_vec: np.ndarray

    @property
    def num_post(self) -> int:
        """Number of periods after the reference period."""
        return len(self.beta) - self.num_pre

    def target_series(self) -> pd.Series:
        """Target weights by relative period (post-reference periods)."""
        return pd.Series(self.l_vec, index=pd.Index(self.periods[self.num_pre :], name="rel_time"))


def _as_dynamic(obj: Any) -> DynamicEffects | None:
    if isinstance(obj, DynamicEffects):
        return obj
    referenced = getattr(obj, "referenced", None)
    if callable(referenced):  # imputation (BJS): leads and effects mapped to reference -1
        out = referenced()
        if isinstance(out, DynamicEffects):
            return out
    dynamic = getattr(obj, "dynamic", None)
    if callable(dynamic):
        out = dynamic()
        if isinstance(out, DynamicEffects):
            return out
    return None


def layout_from(
    obj: Any,
    sigma: np.ndarray | None,
    *,
    num_pre: int | None,
    target: HonestTarget | Sequence[float] | np.ndarray,
) -> EventStudyLayout:
    """Build the layout from a dynamic result or raw ``betahat``/``sigma``/``num_pre``.

    Parameters
    ----------
    obj : object with ``.dynamic()``, DynamicEffects or array-like
        The event study.
    sigma : numpy.ndarray or None
        Covariance of a raw coefficient vector.
    num_pre : int or None
        Number of pre periods of a raw coefficient vector.
    target : {"average", "first"} or sequence of float
        Target parameter.

    Returns
    -------
    EventStudyLayout
    """
    dyn = _as_dynamic(obj)
    if dyn is not None:
        if sigma is not None or num_pre is not None:
            raise EstimationError(
                "honest_did: sigma= and num_pre= go with a raw coefficient vector only; an event "
                "study carries its own covariance and reference period"
            )
        if dyn.ref is None:
            hint = {
                "CS": "re-run att_gt(..., base_period='universal') and pass its dynamic aggregate",
                "BJS": "pass the ImputationResult itself (fit with pretrends covering every "
                "pre-period but the earliest), which maps its leads and effects to reference "
                "period -1, or use sun_abraham(...) or event_study(...)",
            }.get(dyn.estimator, "pass estimates normalised to one reference period")
            raise EstimationError(
                f"honest_did: the {dyn.estimator} estimates have no common reference period "
                "(pre-period estimates against varying comparisons); HonestDiD needs estimates "
                f"normalised to one reference period: {hint}"
            )
        periods = np.asarray(dyn.periods, dtype=int)
        full = np.sort(np.append(periods, dyn.ref))
        if np.any(np.diff(full) != 1):
            raise EstimationError(
                f"honest_did: the relative periods {periods.tolist()} with reference {dyn.ref} "
                "are not consecutive; HonestDiD's restrictions compare neighbouring periods "
                "(drop binned end points or fill the gaps)"
            )
        beta = np.asarray(dyn.estimates, dtype=float)
        cov = np.asarray(dyn.vcov, dtype=float)
        k = int(np.sum(periods < dyn.ref))
        ref = int(dyn.ref)
        estimator = dyn.estimator
    else:
        if sigma is None or num_pre is None:
            raise EstimationError(
                "honest_did: pass an event study (an object with .dynamic() or a "
                "DynamicEffects), or a coefficient vector with sigma= and num_pre="
            )
        beta = np.asarray(obj, dtype=float).ravel()
        cov = np.asarray(sigma, dtype=float)
        k = int(num_pre)
        if cov.shape != (len(beta), len(beta)):
            raise EstimationError(
                f"honest_did: sigma must be {len(beta)}x{len(beta)} for {len(beta)} "
                f"coefficients, got {cov.shape}"
            )
        if not 0 <= k < len(beta):
            raise EstimationError(
                f"honest_did: num_pre must lie in 0..{len(beta) - 1}, got {num_pre}"
            )
        ref = -1
        periods = np.concatenate([np.arange(-k - 1, -1), np.arange(0, len(beta) - k)])
        estimator = "event study"
    if len(beta) - k < 1:
        raise EstimationError("honest_did: no estimate after the reference period")
    if not np.all(np.isfinite(beta)) or not np.all(np.isfinite(cov)):
        raise EstimationError("honest_did: the estimates or their covariance contain NaN/inf")
    cov = (cov + cov.T) / 2
    post_periods = periods[k:]
    l_vec = _target_weights(target, post_periods)
    return EventStudyLayout(estimator, beta, cov, k, periods, ref, l_vec)


def _target_weights(
    target: HonestTarget | Sequence[float] | np.ndarray, post_periods: np.ndarray
) -> np.ndarray:
    effects = post_periods >= 0
    if isinstance(target, str):
        validate_option(target, HonestTarget, "target", EstimationError)
        if not effects.any():
            raise EstimationError("honest_did: no estimate at or after the adoption period (0)")
        weights = np.zeros(len(post_periods))
        if target == "average":
            weights[effects] = 1.0 / effects.sum()
        else:
            weights[np.flatnonzero(effects)[0]] = 1.0
        return weights
    vec = np.asarray(target, dtype=float).ravel()
    if len(vec) == len(post_periods):
        weights = vec
    elif len(vec) == int(effects.sum()):
        weights = np.zeros(len(post_periods))
        weights[effects] = vec
    else:
        raise EstimationError(
            f"honest_did: target weights need one value per post-reference period "
            f"({len(post_periods)}: {post_periods.tolist()}) or per period from adoption on "
            f"({int(effects.sum())}), got {len(vec)}"
        )
    if not np.all(np.isfinite(weights)) or not np.any(weights != 0):
        raise EstimationError("honest_did: target weights must be finite and not all zero")
    return weights
