from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def panel() -> pd.DataFrame:
    """280 cities x 2007-2019 with a unit-level treatment driven by x1."""
    rng = np.random.default_rng(0)
    n_units, years = 280, np.arange(2007, 2020)
    u = pd.DataFrame({"city": np.arange(n_units) + 1000, "x1": rng.normal(size=n_units),
                      "x2": rng.normal(size=n_units)})  # fmt: skip
    u["treat"] = (0.9 * u.x1 + rng.normal(size=n_units) > 1.1).astype(int)
    df = u.merge(pd.DataFrame({"year": years}), how="cross")
    df["x1"] += rng.normal(scale=0.3, size=len(df))
    df["x2"] += rng.normal(scale=0.3, size=len(df))
    df["did"] = df.treat * (df.year >= 2016)
    df["y"] = 0.4 * df.did + 0.5 * df.x1 + rng.normal(size=len(df))
    return df


@pytest.fixture
def cross() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x1": rng.normal(size=500), "x2": rng.uniform(size=500)})
    df["d"] = (0.8 * df.x1 + df.x2 + rng.normal(size=500) > 1.2).astype(int)
    return df
