import shutil
from pathlib import Path

import pytest

from pilotdid.study.config import load_study
from pilotdid.study.pipeline import run_study

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "bigdata_pilot.toml"

MINIMAL = """
[data]
path = "panel.csv"
unit = "city"
time = "year"

[treatment]
adoption = { "1" = 2016, "2" = 2016, "3" = 2017, "4" = 2017 }

[model]
outcome = "y"
controls = ["x1", "x2"]

[placebo]
draws = 20

[event_study]
window = [-2, 1]

[report]
output = "out"
formats = ["html", "md", "tex"]
figures = ["png"]
"""


def small_panel(n_units=24, years=range(2012, 2020), seed=0):
    """A balanced panel with units 1..n, treated units 1-4, a true effect of 0.5."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "city": np.repeat(np.arange(1, n_units + 1), len(years)),
            "year": np.tile(list(years), n_units),
        }
    )
    adoption = {1: 2016, 2: 2016, 3: 2017, 4: 2017}
    cohort = df["city"].map(adoption)
    df["x1"] = rng.normal(size=len(df)) + 0.05 * df["city"]
    df["x2"] = rng.normal(size=len(df))
    df["province"] = np.where(df["city"] % 5 == 0, "A", "B")
    df["y"] = (
        0.5 * (df["year"] >= cohort) + 0.3 * df["x1"] + rng.normal(size=len(df)) + 0.1 * df["city"]
    )
    return df


@pytest.fixture
def project(tmp_path):
    """A folder with panel.csv and study.toml (the MINIMAL study); returns the folder."""
    small_panel().to_csv(tmp_path / "panel.csv", index=False)
    (tmp_path / "study.toml").write_text(MINIMAL, encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="session")
def example_result():
    """The example study (the paper's design on the demo panel), run once per session."""
    return run_study(load_study(EXAMPLE))


@pytest.fixture(scope="session")
def example_output(example_result, tmp_path_factory):
    """The example study's output folder, written once per session."""
    out = tmp_path_factory.mktemp("example") / "out"
    example_result.write_report(out)
    yield out
    shutil.rmtree(out, ignore_errors=True)
