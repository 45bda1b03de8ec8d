import numpy as np
import pandas as pd
import pytest


def make_panel(n_units=60, n_periods=8, unbalanced=0.0, seed=0, singletons=0):
    """Synthetic panel with unit/year effects, an industry factor, weights and a DID dummy."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), n_periods),
            "year": np.tile(np.arange(n_periods), n_units),
        }
    )
    df["ind"] = (df["unit"] * 7 + df["year"]) % 5
    df["x1"] = rng.normal(size=len(df)) + 0.05 * df["unit"]
    df["x2"] = rng.normal(size=len(df)) * 2 + 0.1 * df["year"]
    df["small"] = rng.normal(size=len(df)) * 1e-4  # the paper's FIN is ~1e-4
    df["treat"] = (df["unit"] % 3 == 0).astype(int)
    df["did"] = df["treat"] * (df["year"] >= n_periods // 2)
    df["w"] = rng.uniform(0.5, 2.0, len(df))
    df["y"] = (
        0.4 * df["did"]
        + 0.5 * df["x1"]
        - 0.3 * df["x2"]
        + 800 * df["small"]
        + 0.2 * df["unit"] % 4
        + 0.1 * df["year"]
        + rng.normal(size=len(df))
    )
    if unbalanced:
        df = df.sample(frac=1 - unbalanced, random_state=seed).sort_index()
    if singletons:
        extra = df.head(singletons).copy()
        extra["unit"] = np.arange(n_units, n_units + singletons)
        df = pd.concat([df, extra])
    return df.reset_index(drop=True)


@pytest.fixture
def panel():
    return make_panel(unbalanced=0.2, seed=3)
