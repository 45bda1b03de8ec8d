"""Data-generating process (DGP) of the synthetic demo panel: numbers only, on NumPy arrays.

:func:`pilotdid.datasets.demo_panel` wraps :func:`simulate_demo` into a DataFrame. The DGP is
written so that a two-way fixed-effects DID *with the paper's controls* recovers the recorded true
effects without bias:

* covariates are city effects + year effects + AR(1) noise and never depend on the treatment
  indicator ``TP`` (a control that responds to treatment is a "bad control" and would bias the
  DID); treated cities are richer on average (selection on covariate *levels*, which the city
  fixed effects absorb and matching balances), and their ``FIN`` grows faster over the whole
  period (a pre-existing trend that biases the DID *without* controls upwards);
* ``lnESF``, ``RD`` and ``TFP`` are linear in the controls, city and year effects, with
  constant effects of ``TP`` (``lnESF``'s varies linearly with mean-centred ``freedom``).

Covariate means and standard deviations equal the paper's Table 1 exactly (each is winsorised at
1 %/99 % and then rescaled); ``FIN``'s Table 1 entries are rounded to 1e-4, so a mean of 1.15e-4
and an SD of 0.52e-4 are used, which round to them. Synthetic data - not real statistics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "COVARIATES",
    "DemoArrays",
    "DemoTruth",
    "simulate_demo",
]

FloatArray = NDArray[np.float64]

COVARIATES: tuple[str, ...] = ("lnHCL", "FIN", "lnPERgdp", "HUM", "MAR", "lnAOL", "lnFINA")
"""The paper's control variables, in its order."""

# (mean, sd) targets: the paper's Table 1; freedom from Table 5 (0.158 - 0.0122 * mean = 0.0368)
TARGET_MOMENTS: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "lnHCL": (10.5516, 0.4187),
        "FIN": (1.15e-4, 0.52e-4),
        "lnPERgdp": (10.4061, 0.6739),
        "HUM": (0.1846, 0.0419),
        "MAR": (0.1779, 0.089),
        "lnAOL": (9.337, 0.7933),
        "lnFINA": (9.3181, 0.8324),
        "freedom": (9.93, 1.55),
        "lnESF": (9.548, 0.486),
    }
)


@dataclass(frozen=True)
class _Latent:
    """How one covariate is built: loadings on the two city factors and variance shares."""

    dev: float  # loading on "development" (the factor treated cities score higher on)
    size: float  # loading on "size"
    city: float  # variance shares of city effect, year effect and AR(1) noise (sum to 1)
    year: float
    noise: float
    skew: float = 0.0  # > 0: exp(skew * z) before winsorising (right-skewed ratios)


_LATENT: Mapping[str, _Latent] = MappingProxyType(
    {
        # wages and income trend strongly upwards over 2007-2019, hence the large year shares
        "lnHCL": _Latent(dev=0.75, size=0.2, city=0.35, year=0.6, noise=0.05),
        "FIN": _Latent(dev=0.6, size=0.3, city=0.7, year=0.05, noise=0.25, skew=0.7),
        "lnPERgdp": _Latent(dev=0.85, size=0.0, city=0.82, year=0.14, noise=0.04),
        "HUM": _Latent(dev=-0.45, size=-0.2, city=0.6, year=0.05, noise=0.35),
        "MAR": _Latent(dev=-0.5, size=-0.4, city=0.75, year=0.05, noise=0.2, skew=0.47),
        "lnAOL": _Latent(dev=-0.1, size=0.7, city=0.9, year=0.05, noise=0.05),
        "lnFINA": _Latent(dev=0.45, size=0.75, city=0.86, year=0.08, noise=0.06),
        "freedom": _Latent(dev=0.6, size=0.5, city=0.7, year=0.05, noise=0.25),
    }
)

SELECTION_SHIFT = 0.7  # treated cities' mean of the development factor, in SDs
FIN_PRETREND = 0.4  # extra latent FIN growth of treated cities per 6 years, in SDs
AR_RHO = 0.5
RD_MISSING_SHARE = 0.075  # RD is missing at random in this share of rows (paper: N = 2,800)

# coefficients of the controls in lnESF: the paper's Table 3 column (2); freedom: Table 5
BETA_LNESF: Mapping[str, float] = MappingProxyType(
    {
        "lnHCL": -0.0349,
        "FIN": 488.0,
        "lnPERgdp": -0.0928,
        "HUM": -0.356,
        "MAR": 0.227,
        "lnAOL": -0.0347,
        "lnFINA": -0.0400,
        "freedom": 0.0287,
    }
)
BETA_TFP: Mapping[str, float] = MappingProxyType({"lnPERgdp": 0.2, "lnHCL": -0.1})


@dataclass(frozen=True)
class DemoTruth:
    """The true effects of the pilot (``TP = treat x post``) built into the demo panel.

    Attributes
    ----------
    lnESF_at_mean_freedom : float
        Effect of ``TP`` on ``lnESF`` for a city-year with ``freedom`` at its sample mean: the
        ``TP`` coefficient of model (3) with ``freedom`` mean-centred.
    TP_x_freedom : float
        Change of that effect per unit of ``freedom`` (the interaction coefficient).
    RD, TFP : float
        Constant effects of ``TP`` on ``RD`` and ``TFP``.
    freedom_mean : float
        The centring constant (mean of ``freedom`` over all rows).
    """

    lnESF_at_mean_freedom: float = 0.03
    TP_x_freedom: float = -0.012
    RD: float = 0.0006
    TFP: float = -0.10
    freedom_mean: float = TARGET_MOMENTS["freedom"][0]


@dataclass(frozen=True)
class DemoArrays:
    """The simulated panel as arrays over its kept rows (length ``n``).

    Attributes
    ----------
    unit : ndarray of int, shape (n,)
        Index into the unit arrays passed to :func:`simulate_demo`.
    year : ndarray of int, shape (n,)
    tp : ndarray of int, shape (n,)
        ``treat x post`` (0/1).
    columns : mapping of str to ndarray of float, shape (n,)
        ``lnESF``, the covariates, ``freedom``, ``RD`` (NaN where missing) and ``TFP``.
    att_lnESF : float
        Sample average effect of ``TP`` on ``lnESF`` over the rows with ``TP == 1``.
    """

    unit: NDArray[np.int64]
    year: NDArray[np.int64]
    tp: NDArray[np.int64]
    columns: Mapping[str, FloatArray] = field(repr=False)
    att_lnESF: float


def simulate_demo(
    treated: NDArray[np.bool_],
    adoption_year: NDArray[np.int64],
    years: NDArray[np.int64],
    n_rows: int,
    seed: np.random.SeedSequence,
    truth: DemoTruth,
) -> DemoArrays:
    """Simulate the demo panel for ``N`` units over ``T`` years, keeping ``n_rows`` rows.

    Parameters
    ----------
    treated : ndarray of bool, shape (N,)
        Treatment group of each unit.
    adoption_year : ndarray of int, shape (N,)
        First treated year (ignored where ``treated`` is False).
    years : ndarray of int, shape (T,)
        The panel's years, increasing.
    n_rows : int
        Rows kept after the random thinning (at least ``2 * N``, at most ``N * T``).
    seed : numpy.random.SeedSequence
        Root of the independent random streams (units, covariates, thinning, outcomes).
    truth : DemoTruth
        The effects to build in.

    Returns
    -------
    DemoArrays
        The kept rows, sorted by unit and year.
    """
    streams = [np.random.default_rng(s) for s in seed.spawn(4)]
    n_units = treated.shape[0]
    dev, size = _city_factors(streams[0], treated)
    unit = np.repeat(np.arange(n_units), years.size)
    year = np.tile(years, n_units)
    keep = _thin_rows(streams[2], dev, years, n_rows)
    unit, year = unit[keep], year[keep]
    tp = (treated[unit] & (year >= adoption_year[unit])).astype(np.int64)
    columns = _covariates(streams[1], dev, size, treated, years, keep)
    att = _outcomes(streams[3], columns, dev, unit, year, years, tp, truth)
    return DemoArrays(unit=unit, year=year, tp=tp, columns=MappingProxyType(columns), att_lnESF=att)


def _city_factors(rng: np.random.Generator, treated: NDArray[np.bool_]) -> tuple[FloatArray, ...]:
    # the selection into treatment: treated cities score SELECTION_SHIFT SDs higher on "dev"
    dev = np.clip(rng.standard_normal(treated.size), -2.5, 2.5) + SELECTION_SHIFT * treated
    size = np.clip(rng.standard_normal(treated.size), -2.5, 2.5)
    return (dev - dev.mean()) / dev.std(), size


def _ar1(rng: np.random.Generator, n_units: int, n_years: int) -> FloatArray:
    """Stationary AR(1) noise with unit variance, shape (n_units * n_years,), unit-major."""
    shocks = rng.standard_normal((n_units, n_years))
    out = np.empty_like(shocks)
    out[:, 0] = shocks[:, 0]
    scale = np.sqrt(1.0 - AR_RHO**2)
    for t in range(1, n_years):
        out[:, t] = AR_RHO * out[:, t - 1] + scale * shocks[:, t]
    return out.ravel()


def _thin_rows(
    rng: np.random.Generator, dev: FloatArray, years: NDArray[np.int64], n_rows: int
) -> NDArray[np.int64]:
    """Return the kept rows' indices: poorer cities and the first and last years miss more data."""
    n_units, n_years = dev.size, years.size
    propensity = rng.normal(0.0, 1.0, n_units) - 0.15 * dev
    edge = np.where(years == years[-1], 0.6, np.where(years == years[0], 0.3, 0.0))
    score = propensity[:, None] + edge[None, :] + rng.logistic(size=(n_units, n_years))
    # every unit keeps its two least-likely-to-be-missing rows, so none has fewer than two
    order = np.argsort(score, axis=1)
    protected = np.zeros_like(score, dtype=bool)
    np.put_along_axis(protected, order[:, :2], True, axis=1)
    candidates = np.flatnonzero(~protected.ravel())
    n_drop = n_units * n_years - n_rows
    dropped = candidates[np.argsort(-score.ravel()[candidates], kind="stable")[:n_drop]]
    keep = np.ones(n_units * n_years, dtype=bool)
    keep[dropped] = False
    return np.flatnonzero(keep)


def _year_effect(rng: np.random.Generator, years: NDArray[np.int64], wiggle: float) -> FloatArray:
    """Return a rising trend plus small year shocks, standardised to mean 0 and SD 1."""
    effect = (years - years.mean()) / years.std() + wiggle * rng.standard_normal(years.size)
    return np.asarray((effect - effect.mean()) / effect.std())


def _covariates(
    rng: np.random.Generator,
    dev: FloatArray,
    size: FloatArray,
    treated: NDArray[np.bool_],
    years: NDArray[np.int64],
    keep: NDArray[np.int64],
) -> dict[str, FloatArray]:
    n_units, n_years = dev.size, years.size
    unit = np.repeat(np.arange(n_units), n_years)[keep]
    year_pos = np.tile(np.arange(n_years), n_units)[keep]
    out: dict[str, FloatArray] = {}
    for name, spec in _LATENT.items():
        own = np.sqrt(max(0.0, 1.0 - spec.dev**2 - spec.size**2))
        city = (
            spec.dev * dev + spec.size * size + own * np.clip(rng.standard_normal(n_units), -3, 3)
        )
        latent = (
            np.sqrt(spec.city) * city[unit]
            + np.sqrt(spec.year) * _year_effect(rng, years, 0.3)[year_pos]
            + np.sqrt(spec.noise) * _ar1(rng, n_units, n_years)[keep]
        )
        if name == "FIN":
            # pre-existing (not policy-caused) faster financial deepening in treated cities
            latent = latent + FIN_PRETREND * treated[unit] * (years[year_pos] - years[0]) / 6
        shaped = np.exp(spec.skew * latent) if spec.skew > 0 else latent
        out[name] = _winsorise_and_scale(shaped, *TARGET_MOMENTS[name])
    return out


def _winsorise_and_scale(values: FloatArray, mean: float, sd: float) -> FloatArray:
    """Winsorise at the 1st/99th percentiles, then match ``mean`` and ``sd`` (ddof=1) exactly."""
    low, high = np.quantile(values, [0.01, 0.99])
    clipped = np.clip(values, low, high)
    return np.asarray(mean + sd * (clipped - clipped.mean()) / clipped.std(ddof=1))


def _outcomes(
    rng: np.random.Generator,
    columns: dict[str, FloatArray],
    dev: FloatArray,
    unit: NDArray[np.int64],
    year: NDArray[np.int64],
    years: NDArray[np.int64],
    tp: NDArray[np.int64],
    truth: DemoTruth,
) -> float:
    """Add lnESF, RD and TFP to ``columns``; return the sample ATT on lnESF."""
    n_units, n_years = dev.size, years.size
    rows = unit * n_years + (year - years[0])  # position in the balanced unit-major layout
    own = np.clip(rng.standard_normal((3, n_units)), -2.4, 2.4)
    year_fx = np.stack([_year_effect(rng, years, 0.4) for _ in range(3)])[:, year - years[0]]
    noise = np.stack([_ar1(rng, n_units, n_years)[rows] for _ in range(3)])

    effect = tp * (
        truth.lnESF_at_mean_freedom + truth.TP_x_freedom * (columns["freedom"] - truth.freedom_mean)
    )
    controls = sum(beta * columns[name] for name, beta in BETA_LNESF.items())
    rest = 0.035 * year_fx[0] + controls + effect + 0.07 * noise[0]
    city = np.clip(0.55 * dev + 0.83 * own[0], -2.0, 1.6)[unit]
    columns["lnESF"] = _match_sd_and_mean(city, rest, *TARGET_MOMENTS["lnESF"])

    # RD: positive, right-skewed ratio; noise proportional to the city level keeps it > 0
    rd_city = (0.0005 + 0.0015 * np.exp(0.7 * (0.6 * dev + 0.8 * own[1]) - 0.245))[unit]
    rd_year = 0.0006 + 0.0002 * year_fx[1]
    rd = rd_city * (1 + 0.35 * np.clip(noise[1], -2.5, 2.5)) + rd_year + truth.RD * tp
    missing = rng.permutation(rd.size)[: round(RD_MISSING_SHARE * rd.size)]
    rd[missing] = np.nan
    columns["RD"] = rd

    tfp_controls = sum(
        beta * (columns[name] - TARGET_MOMENTS[name][0]) for name, beta in BETA_TFP.items()
    )
    tfp_city = 1.05 + 0.2 * np.clip(0.5 * dev + 0.87 * own[2], -2.4, 2.4)[unit]
    tfp_noise = 0.08 * np.clip(noise[2], -3, 3)
    columns["TFP"] = tfp_city + 0.04 * year_fx[2] + tfp_controls + truth.TFP * tp + tfp_noise
    return float(effect[tp == 1].mean())


def _match_sd_and_mean(city: FloatArray, rest: FloatArray, mean: float, sd: float) -> FloatArray:
    """Return ``s * city + rest + c`` with the SD (ddof=1) and mean of the result as given.

    Only the city effects are scaled (and the constant shifted), so the effects built into
    ``rest`` are untouched.
    """
    a, r = city - city.mean(), rest - rest.mean()
    n1 = city.size - 1
    var_a, cov, var_r = a @ a / n1, a @ r / n1, r @ r / n1
    disc = cov**2 - var_a * (var_r - sd**2)
    if disc < 0 or var_r > sd**2:
        raise RuntimeError("demo DGP: the non-city part already exceeds the target SD")
    scale = (-cov + np.sqrt(disc)) / var_a
    result = scale * city + rest
    return np.asarray(result - result.mean() + mean)
