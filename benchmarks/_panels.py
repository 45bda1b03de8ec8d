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
