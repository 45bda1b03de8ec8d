"""Simulated staggered panels for the Sun-Abraham and imputation tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def staggered_panel(
    n_units: int = 300,
    n_periods: int = 10,
    cohorts: tuple[float, ...] = (3, 5, 7),
    never_share: float = 0.25,
    seed: int = 0,
    drop_share: float = 0.0,
    noise: float = 1.0,
) -> pd.DataFrame:
    """Balanced (or randomly thinned) panel; effects grow with time since adoption and differ by
    cohort (early cohorts gain more), so TWFE is biased. ``effect`` holds the true effect."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_periods)
    year = np.tile(np.arange(2010, 2010 + n_periods), n_units)
    n_never = round(never_share * n_units)
    g_unit = np.concatenate(
        [np.full(n_never, np.nan), 2010 + rng.choice(np.asarray(cohorts), n_units - n_never)]
    )
    g = g_unit[unit]
    rel = year - g
    slope = np.where(np.isnan(g), 0.0, 1.0 + (2010 + max(cohorts) - g) * 0.5)
    effect = np.where(rel >= 0, slope * (rel + 1), 0.0)
    alpha = rng.normal(size=n_units)[unit]
    lam = 0.3 * (year - 2010) + rng.normal(size=n_periods)[year - 2010]
    x = rng.normal(size=unit.size) + 0.1 * (year - 2010)
    y = alpha + lam + 0.5 * x + effect + noise * rng.normal(size=unit.size)
    df = pd.DataFrame(
        {"unit": unit, "year": year, "g": g, "x": x, "y": y, "effect": effect, "rel": rel}
    )
    if drop_share:
        df = df[rng.random(len(df)) >= drop_share].reset_index(drop=True)
    return df
