import numpy as np
import pandas as pd


def did_panel(
    n_units=40, n_periods=8, unbalanced=0.0, seed=0, cohorts=(5, 6), share=0.3, effect=0.5
):
    """Panel with staggered adoption (``cohort`` column, NaN = never) and a DID dummy."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), n_periods),
            "year": np.tile(np.arange(n_periods), n_units),
        }
    )
    treated = rng.random(n_units) < share
    treated[:2] = True
    cohort = np.where(treated, rng.choice(cohorts, n_units), np.nan)
    df["cohort"] = cohort[df["unit"]]
    df["did"] = (df["year"] >= df["cohort"]).astype(float)
    df["x1"] = rng.normal(size=len(df)) + 0.1 * df["unit"]
    df["x2"] = rng.normal(size=len(df))
    df["w"] = rng.uniform(0.5, 2, len(df))
    df["y"] = (
        effect * df["did"]
        + 0.3 * df["x1"]
        - 0.2 * df["x2"]
        + 0.05 * df["unit"]
        + 0.1 * df["year"]
        + rng.normal(size=len(df))
    )
    if unbalanced:
        df = df.sample(frac=1 - unbalanced, random_state=seed).sort_index().reset_index(drop=True)
    return df
