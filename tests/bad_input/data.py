"""Small data sets for the bad-input suite: one clean panel, edited per case."""

from __future__ import annotations

import numpy as np
import pandas as pd

# six pilot units in three cohorts; 40 units x 8 years keep every case fast
TREATED = {1: 2015, 2: 2015, 3: 2016, 4: 2016, 5: 2017, 6: 2017}
YEARS = range(2012, 2020)
N_UNITS = 40


def panel(n_units: int = N_UNITS, seed: int = 0) -> pd.DataFrame:
    """A balanced city x year panel with a true effect of 0.5 and every kind of column.

    Columns: city, year (keys), cohort (adoption year, NaN = never), treat, did, y (outcome),
    x1, x2 (controls), m (a mediator), mod (a moderator), w (weights), region (8 clusters),
    province (text).
    """
    rng = np.random.default_rng(seed)
    years = list(YEARS)
    df = pd.DataFrame(
        {
            "city": np.repeat(np.arange(1, n_units + 1), len(years)),
            "year": np.tile(years, n_units),
        }
    )
    df["cohort"] = df["city"].map(TREATED).astype(float)
    df["treat"] = df["cohort"].notna().astype(int)
    df["did"] = (df["year"] >= df["cohort"]).astype(float)
    df["x1"] = rng.normal(size=len(df)) + 0.05 * df["city"]
    df["x2"] = rng.normal(size=len(df))
    df["m"] = 0.4 * df["did"] + rng.normal(size=len(df))
    df["mod"] = rng.normal(size=len(df))
    df["w"] = rng.uniform(0.5, 1.5, size=len(df))
    df["region"] = (df["city"] - 1) // 5
    df["province"] = np.where(df["city"] % 5 == 0, "A", "B")
    df["y"] = 0.5 * df["did"] + 0.3 * df["x1"] + rng.normal(size=len(df)) + 0.1 * df["city"]
    return df


def with_value(
    df: pd.DataFrame, column: str, value: object, rows: slice | list[int]
) -> pd.DataFrame:
    """A copy of ``df`` with ``value`` written into ``column`` at positional ``rows``."""
    out = df.copy()
    col = out[column].astype(object) if isinstance(value, str) else out[column].astype(float)
    col.iloc[rows] = value
    out[column] = col
    return out


def duplicated(df: pd.DataFrame, rows: list[int] = [3, 9]) -> pd.DataFrame:  # noqa: B006
    """``df`` with ``rows`` appended a second time (duplicate unit-year keys)."""
    return pd.concat([df, df.iloc[rows]], ignore_index=True)


def recohort(df: pd.DataFrame, cohort: pd.Series | float) -> pd.DataFrame:
    """``df`` with a new cohort column and the treat/did columns that follow from it."""
    out = df.assign(cohort=cohort)
    out["treat"] = out["cohort"].notna().astype(int)
    out["did"] = (out["year"] >= out["cohort"]).astype(float)
    return out
