"""Synthetic panels shared by the benchmarks (7 controls, unit and year effects, a DID dummy)."""

import numpy as np
import pandas as pd

CONTROLS = [f"x{i}" for i in range(1, 8)]
FML = "y ~ did + " + " + ".join(CONTROLS) + " | unit + year"


def synthetic_panel(
    n_rows: int, n_periods: int = 10, unbalanced: float = 0.0, seed: int = 0
) -> pd.DataFrame:
    """A unit × year panel of about ``n_rows`` rows; ``unbalanced`` drops that share of rows."""
    rng = np.random.default_rng(seed)
    n_units = n_rows // n_periods
    unit = np.repeat(np.arange(n_units, dtype=np.int64), n_periods)
    year = np.tile(np.arange(2010, 2010 + n_periods, dtype=np.int64), n_units)
    treated = rng.random(n_units) < 0.29
    cohort = np.where(rng.random(n_units) < 0.5, 2015, 2016)
    did = (treated[unit] & (year >= cohort[unit])).astype(np.float64)
    data = {"unit": unit, "year": year, "did": did}
    y = 0.03 * did + rng.normal(size=n_units)[unit] + 0.01 * (year - 2010)
    for j, name in enumerate(CONTROLS):
        x = rng.normal(size=unit.size) + 0.3 * rng.normal(size=n_units)[unit]
        data[name] = x
        y += 0.1 * (j + 1) * x
    data["y"] = y + rng.normal(size=unit.size)
    frame = pd.DataFrame(data)
    if unbalanced:
        frame = frame[rng.random(len(frame)) >= unbalanced].reset_index(drop=True)
    return frame


def wide_panel(
    n_rows: int, n_controls: int = 60, n_levels: int = 300, n_periods: int = 10, seed: int = 0
) -> pd.DataFrame:
    """A balanced panel with ``n_controls`` controls and a factor ``grp`` of ``n_levels`` levels.

    ``grp`` (a sector a firm reports each year) varies within units, so ``C(grp)`` is identified
    next to unit and year effects; ``fe3`` (500 levels, also varying within units) is the third
    fixed effect.
    """
    rng = np.random.default_rng(seed)
    n_units = n_rows // n_periods
    unit = np.repeat(np.arange(n_units, dtype=np.int64), n_periods)
    year = np.tile(np.arange(2010, 2010 + n_periods, dtype=np.int64), n_units)
    treated = rng.random(n_units) < 0.29
    did = (treated[unit] & (year >= 2015)).astype(np.float64)
    grp = rng.integers(0, n_levels, size=unit.size).astype(np.int64)
    fe3 = rng.integers(0, 500, size=unit.size).astype(np.int64)
    y = 0.03 * did + rng.normal(size=n_units)[unit] + 0.01 * (year - 2010) + 0.002 * grp
    y += 0.001 * fe3
    data: dict[str, np.ndarray] = {"unit": unit, "year": year, "grp": grp, "fe3": fe3, "did": did}
    for j in range(n_controls):
        x = rng.normal(size=unit.size)
        data[f"w{j + 1}"] = x
        y += 0.01 * (j % 7 + 1) * x
    data["y"] = y + rng.normal(size=unit.size)
    return pd.DataFrame(data)


def wide_formula(design: str) -> str:
    """The formula of a wide design: ``c60`` / ``f300`` (60 controls / C() of 300 levels), ``2fe`` / ``3fe``."""
    controls, fixef = design.split("-")
    if controls == "c60":
        rhs = "did + " + " + ".join(f"w{j}" for j in range(1, 61))
    else:
        rhs = "did + " + " + ".join(f"w{j}" for j in range(1, 8)) + " + C(grp)"
    fe = "unit + year" if fixef == "2fe" else "unit + year + fe3"
    return f"y ~ {rhs} | {fe}"
