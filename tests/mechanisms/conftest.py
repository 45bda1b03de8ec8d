"""Simulated panels with known mechanism, heterogeneity and moderation effects."""

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid

CONTROLS = "lnHCL + FIN + lnPERgdp + HUM + MAR + lnAOL + lnFINA"
DEMO_FML = f"lnESF ~ TP + {CONTROLS} | code + year"


def mech_panel(
    n_units=60,
    n_periods=8,
    seed=0,
    *,
    het=0.0,
    a=0.8,
    b=0.5,
    direct=0.3,
    inter=-0.3,
    cohorts=(4, 5),
    share=0.4,
    unbalanced=0.0,
    z_on_treat=0.0,
):
    """Panel with DID ``did`` (staggered ``cohort``), mediator ``m`` (``m = a·did + …``),
    outcome ``y = direct·did + b·m + het·did·1[z_unit > 0] + inter·did·(w − 2) + …``,
    split variable ``z`` (a unit trait plus noise, shifted by ``z_on_treat`` for treated units),
    moderator ``w``, controls ``x1 x2``, ``region`` nesting units, weights ``wt``."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_periods)
    year = np.tile(np.arange(n_periods), n_units)
    treated = rng.random(n_units) < share
    treated[:3], treated[3:6] = True, False
    cohort_u = np.where(treated, rng.choice(cohorts, n_units), np.nan)
    z_u = rng.normal(size=n_units) + z_on_treat * treated
    df = pd.DataFrame({"unit": unit, "year": year, "cohort": cohort_u[unit]})
    df["did"] = (df["year"] >= df["cohort"]).astype(float)
    df["region"] = unit // 4
    df["x1"] = rng.normal(size=unit.size) + 0.2 * unit / n_units
    df["x2"] = rng.normal(size=unit.size)
    df["z"] = z_u[unit] + 0.5 * rng.normal(size=unit.size)
    df["w"] = rng.normal(2.0, 1.0, unit.size)
    df["wt"] = rng.uniform(0.5, 2.0, unit.size)
    fe_u, fe_t = rng.normal(size=n_units), rng.normal(size=n_periods)
    did = df["did"].to_numpy()
    df["m"] = a * did + 0.2 * df["x1"] + fe_u[unit] + 0.5 * fe_t[year] + rng.normal(size=unit.size)
    df["y"] = (
        direct * did
        + b * df["m"]
        + het * did * (z_u[unit] > 0)
        + inter * did * (df["w"] - 2.0)
        + 0.3 * df["x1"]
        - 0.2 * df["x2"]
        + fe_u[unit]
        + fe_t[year]
        + rng.normal(size=unit.size)
    )
    if unbalanced:
        df = df.sample(frac=1 - unbalanced, random_state=seed).sort_index().reset_index(drop=True)
    return df


@pytest.fixture(scope="session")
def demo():
    return pdid.datasets.demo_panel()
