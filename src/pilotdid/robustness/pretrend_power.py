"""Power of the pre-trend test against a linear violation of parallel trends (Roth 2022).

An insignificant joint test of the leads is weak evidence when the test has little power. For a
hypothesised violation ``delta_t = slope * (t - ref)`` (zero at the reference period), the Wald
statistic of the leads is noncentral chi-square with ``K`` degrees of freedom and noncentrality
``lambda = delta_pre' Sigma_pre^-1 delta_pre`` (noncentral F with the event study's degrees of
freedom when they are finite), so its power is exact. ``lambda`` is proportional to ``slope^2``,
so the slope at which the test has a given power solves a one-dimensional equation.

The violation biases the post-period estimates by ``delta_post`` (unconditional bias). Studies
that go ahead only when the pre-test passes report estimates conditional on passing; their bias
is ``delta_post + Sigma_post,pre Sigma_pre^-1 (E[b_pre | pass] - delta_pre)`` (Roth 2022,
Proposition 3.1 with the Wald test as the pre-test), whose truncated-normal mean is simulated
with a seed. Roth's ``pretrends`` package uses the pre-test "no lead individually significant";
here the pre-test is the joint Wald test pilotdid reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from pilotdid.did.dynamic import DynamicEffects
from pilotdid.errors import EstimationError

__all__ = ["PretrendPower", "pretrend_power", "slope_for_power"]


def _effects(obj: Any) -> DynamicEffects:
    if isinstance(obj, DynamicEffects):
        return obj
    dynamic = getattr(obj, "dynamic", None)
    if callable(dynamic):
        out = dynamic()
        if isinstance(out, DynamicEffects):
            return out
    raise EstimationError(
        "pretrend_power: pass an event study (an object with .dynamic()) or a DynamicEffects"
    )


def _parts(effects: DynamicEffects) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    if effects.ref is None:
        raise EstimationError(
            f"pretrend_power: the {effects.estimator} estimates have no common reference "
            "period, so a trend through zero at the reference period is undefined"
        )
    periods = np.asarray(effects.periods, dtype=int)
    pre = np.flatnonzero(periods < 0)
    if len(pre) == 0:
        raise EstimationError("pretrend_power: no lead (pre-period estimate) to test")
    rel = (periods - effects.ref).astype(float)
    return periods, rel, pre, int(effects.ref)


def _power_at(lam: float, k: int, df: float, alpha: float) -> float:
    if math.isinf(df):
        crit = float(stats.chi2.ppf(1 - alpha, k))
        return float(stats.ncx2.sf(crit, k, lam)) if lam > 0 else alpha
    crit = float(stats.f.ppf(1 - alpha, k, df))
    return float(stats.ncf.sf(crit, k, df, lam)) if lam > 0 else alpha


def slope_for_power(effects: Any, power: float = 0.5, *, alpha: float = 0.05) -> float:
    """Return the (positive) linear pre-trend slope the joint pre-test detects with ``power``.

    Parameters
    ----------
    effects : object with ``.dynamic()`` or DynamicEffects
        The event study.
    power : float, default 0.5
        Target power, e.g. 0.5 or 0.8; must exceed ``alpha``.
    alpha : float, default 0.05
        Size of the pre-test.

    Returns
    -------
    float
        Slope per period; the trend is ``slope * (t - ref)``.

    Examples
    --------
    >>> import numpy as np
    >>> from pilotdid.did.dynamic import DynamicEffects
    >>> eff = DynamicEffects("TWFE", np.array([-3, -2, 0, 1]), np.zeros(4), np.eye(4) * 0.01)
    >>> round(slope_for_power(eff, 0.5), 4)
    0.0996
    """
    eff = _effects(effects)
    if not alpha < power < 1:
        raise EstimationError(f"slope_for_power: power must lie in ({alpha}, 1), got {power}")
    _, rel, pre, _ = _parts(eff)
    sig = eff.vcov[np.ix_(pre, pre)]
    scale = float(rel[pre] @ np.linalg.solve(sig, rel[pre]))  # lambda = slope^2 * scale
    k = len(pre)
    hi = 1.0
    while _power_at(hi, k, eff.df, alpha) < power:
        hi *= 2
    lam = optimize.brentq(lambda x: _power_at(x, k, eff.df, alpha) - power, 0.0, hi, xtol=1e-12)
    return math.sqrt(lam / scale)


@dataclass(frozen=True, eq=False)
class PretrendPower:
    """Power of the pre-test against a linear trend and the bias the trend causes.

    Attributes
    ----------
    slope : float
        Slope of the hypothesised trend ``slope * (t - ref)``.
    power : float
        Probability that the joint pre-test rejects under the trend.
    alpha : float
        Size of the pre-test.
    slope_50, slope_80 : float
        Slopes the pre-test detects with 50 % and 80 % power.
    trend : pandas.Series
        The hypothesised violation at each relative period.
    bias : pandas.DataFrame
        By post period (index ``rel_time``): ``unconditional`` (the trend itself) and
        ``conditional`` (given that the pre-test passes, simulated).
    pass_probability : float
        ``1 - power``.
    draws : int
        Normal draws behind the conditional bias.
    seed : int
        Their seed.
    """

    slope: float
    power: float
    alpha: float
    slope_50: float
    slope_80: float
    trend: pd.Series
    bias: pd.DataFrame
    pass_probability: float
    draws: int
    seed: int

    def summary(self) -> str:
        """Return a plain-text account of the power and the bias."""
        lines = [
            f"Pre-trend power against slope {self.slope:.4g} per period: {self.power:.1%} "
            f"(joint Wald test at {self.alpha:.0%})",
            f"Slopes detected with 50% / 80% power: {self.slope_50:.4g} / {self.slope_80:.4g}",
            "Bias in the post-period estimates (unconditional | given the pre-test passes):",
        ]
        for period, row in self.bias.iterrows():
            lines.append(f"  {period:>4}: {row['unconditional']:.4g} | {row['conditional']:.4g}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        from pilotdid._text import html_summary

        return html_summary(self.summary(), title="Pre-trend power")


def pretrend_power(
    effects: Any,
    *,
    slope: float | None = None,
    power: float = 0.8,
    alpha: float = 0.05,
    draws: int = 100_000,
    seed: int = 0,
) -> PretrendPower:
    """Power of the joint pre-trend test against a linear trend, and the trend's bias.

    Parameters
    ----------
    effects : object with ``.dynamic()`` or DynamicEffects
        The event study.
    slope : float, optional
        Slope of the hypothesised trend; default: the slope the pre-test detects with
        ``power``.
    power : float, default 0.8
        Power defining the default slope.
    alpha : float, default 0.05
        Size of the pre-test.
    draws : int, default 100000
        Normal draws for the bias conditional on passing the pre-test.
    seed : int, default 0
        Seed of the draws.

    Returns
    -------
    PretrendPower

    Examples
    --------
    >>> import numpy as np, pilotdid
    >>> from pilotdid.did.dynamic import DynamicEffects
    >>> eff = DynamicEffects("TWFE", np.array([-3, -2, 0, 1]), np.zeros(4), np.eye(4) * 0.01)
    >>> res = pilotdid.pretrend_power(eff, power=0.5)
    >>> round(res.power, 3), round(res.slope, 4)
    (0.5, 0.0996)
    """
    eff = _effects(effects)
    if not 0 < alpha < 1:
        raise EstimationError(f"pretrend_power: alpha must lie in (0, 1), got {alpha}")
    periods, rel, pre, _ = _parts(eff)
    s50 = slope_for_power(eff, 0.5, alpha=alpha)
    s80 = slope_for_power(eff, 0.8, alpha=alpha)
    if slope is None:
        slope = s80 if power == 0.8 else slope_for_power(eff, power, alpha=alpha)
    delta = slope * rel
    sig_pre = eff.vcov[np.ix_(pre, pre)]
    lam = float(delta[pre] @ np.linalg.solve(sig_pre, delta[pre]))
    pw = _power_at(lam, len(pre), eff.df, alpha)
    post = np.flatnonzero(periods >= 0)
    cond = _conditional_bias(eff, delta, pre, post, alpha, draws, seed)
    bias = pd.DataFrame(
        {"unconditional": delta[post], "conditional": cond},
        index=pd.Index(periods[post], name="rel_time"),
    )
    return PretrendPower(
        slope=float(slope),
        power=pw,
        alpha=alpha,
        slope_50=s50,
        slope_80=s80,
        trend=pd.Series(delta, index=pd.Index(periods, name="rel_time"), name="trend"),
        bias=bias,
        pass_probability=1.0 - pw,
        draws=draws,
        seed=seed,
    )


def _conditional_bias(
    eff: DynamicEffects,
    delta: np.ndarray,
    pre: np.ndarray,
    post: np.ndarray,
    alpha: float,
    draws: int,
    seed: int,
) -> np.ndarray:
    sig_pre = eff.vcov[np.ix_(pre, pre)]
    k = len(pre)
    rng = np.random.default_rng(seed)
    b_pre = rng.multivariate_normal(delta[pre], sig_pre, size=draws)
    wald = np.einsum("ij,ij->i", b_pre @ np.linalg.inv(sig_pre), b_pre)
    if math.isinf(eff.df):
        crit = float(stats.chi2.ppf(1 - alpha, k))
    else:
        crit = k * float(stats.f.ppf(1 - alpha, k, eff.df))
    passed = b_pre[wald <= crit]
    if len(passed) == 0:
        return np.full(len(post), np.nan)
    shift = passed.mean(axis=0) - delta[pre]
    coef = eff.vcov[np.ix_(post, pre)] @ np.linalg.inv(sig_pre)
    return np.asarray(delta[post] + coef @ shift)
