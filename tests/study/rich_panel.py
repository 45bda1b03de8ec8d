"""A file panel for the richer study keys: the demo panel plus a region, weights, an indicator."""

from pathlib import Path

import numpy as np
import pandas as pd

from pilotdid.datasets import demo_panel


def rich_panel() -> pd.DataFrame:
    """Demo panel (staggered cohorts) with ``region`` (7 groups), ``pop`` and ``pop0`` weights.

    ``TP`` is the 0/1 treatment indicator; ``pop`` varies within units, ``pop0`` does not.
    """
    df = demo_panel().data.drop(columns=["adoption_year"])
    rng = np.random.default_rng(17)
    df["region"] = df["code"] % 7
    df["pop"] = rng.uniform(1.0, 3.0, len(df))
    df["pop0"] = df.groupby("code")["pop"].transform("first")
    return df


def write_study(folder: Path, body: str, frame: pd.DataFrame | None = None) -> Path:
    """Write panel.csv and study.toml (``[data]`` filled in) into ``folder``; return the study."""
    (rich_panel() if frame is None else frame).to_csv(folder / "panel.csv", index=False)
    head = '[data]\npath = "panel.csv"\nunit = "code"\ntime = "year"\n'
    path = folder / "study.toml"
    path.write_text(head + body, encoding="utf-8")
    return path
