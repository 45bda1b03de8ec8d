"""Requests that cannot fit in memory are refused up front, with the numbers; ones that fit run."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid import memory
from pilotdid.errors import EstimationError, MatchingError
from tests.study.conftest import MINIMAL, small_panel

HUGE = 10**9


@pytest.fixture
def df():
    out = small_panel()
    out["cohort"] = out["city"].map({1: 2016, 2: 2016, 3: 2017, 4: 2017})
    out["did"] = (out["year"] >= out["cohort"]).astype(float)
    out["treat"] = out["cohort"].notna().astype(int)
    out["m"] = out["x2"] + out["did"]
    out["split"] = np.where(out["city"] % 2 == 0, 1.0, 0.0)
    return out


def test_placebo_draws(df):
    with pytest.raises(EstimationError, match=r"placebo draws = 1,000,000,000 over 24 units needs"):
        pdid.placebo(
            df, "y ~ did + x1 | city + year", unit="city", time="year", cohort="cohort", draws=HUGE
        )


def test_permutations(df):
    with pytest.raises(EstimationError, match="permutations = 1,000,000,000 over 24 units"):
        pdid.heterogeneity(
            df, "y ~ did + x1 | city + year", "split", split="column", permutations=HUGE
        )


def test_bootstrap(df):
    with pytest.raises(EstimationError, match="bootstrap = 1,000,000,000 samples"):
        pdid.mechanism(
            df, "did", "m", outcome="y", method="three_step", fixef="city + year", bootstrap=HUGE
        )


def test_neighbours(df):
    with pytest.raises(MatchingError, match=r"k = 1,000,000,000 nearest neighbours .* GB"):
        pdid.match(df, "treat", ["x1"], unit="city", time="year", k=HUGE)


def test_a_request_that_fits_is_not_refused(df):
    res = pdid.placebo(
        df, "y ~ did + x1 | city + year", unit="city", time="year", cohort="cohort", draws=20_000
    )
    assert res.n_draws == 20_000


def test_estimates_match_what_is_allocated():
    # the R x N adoption table dominates: 10,000 draws over 280 units is a few tens of MB
    assert memory.placebo_bytes(10_000, 280) < 500e6
    assert memory.placebo_bytes(HUGE, 280) > 2 * HUGE * 280 * 8 - 1
    assert memory.total_memory() is None or memory.total_memory() > 0


def test_validate_refuses_the_study_file(tmp_path):
    small_panel().to_csv(tmp_path / "panel.csv", index=False)
    text = MINIMAL.replace("draws = 20", f"draws = {HUGE}")
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pilotdid.cli", "validate", "study.toml"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "placebo.draws: 1,000,000,000 placebo draws over 24 units needs about" in run.stderr


def test_validate_names_a_design_without_comparison_group(tmp_path):
    small_panel().to_csv(tmp_path / "panel.csv", index=False)
    every = "{" + ", ".join(f'"{i}" = 2016' for i in range(1, 25)) + "}"
    text = MINIMAL.replace(
        'adoption = { "1" = 2016, "2" = 2016, "3" = 2017, "4" = 2017 }', f"adoption = {every}"
    )
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pilotdid.cli", "validate", "study.toml"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "every city is treated, all from 2016" in run.stderr


@pytest.mark.parametrize(
    ("adoption", "expected"),
    [
        ('{ "1" = 2012, "2" = 2012 }', "no pre-treatment period"),
        ('{ "1" = 2025, "2" = 2025 }', "no post-treatment period"),
    ],
)
def test_run_names_missing_pre_or_post_periods(tmp_path, adoption, expected):
    from pilotdid.errors import StudyFileError
    from pilotdid.study.config import load_study
    from pilotdid.study.prepare import prepare_panel

    small_panel().to_csv(tmp_path / "panel.csv", index=False)
    text = MINIMAL.replace(
        'adoption = { "1" = 2016, "2" = 2016, "3" = 2017, "4" = 2017 }', f"adoption = {adoption}"
    )
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    with pytest.raises(StudyFileError, match=expected):
        prepare_panel(load_study(tmp_path / "study.toml"))


def test_table_save_under_a_file_says_it_is_a_file(tmp_path):
    from pilotdid.errors import PilotdidError
    from pilotdid.tables.table import Table

    (tmp_path / "afile").write_text("x", encoding="utf-8")
    table = Table(pd.DataFrame({"a": [1]}))
    for name in ("afile/t.docx", "afile/sub/t.md"):
        with pytest.raises(PilotdidError, match="'.*afile' is a file, not a folder"):
            table.save(tmp_path / name)


def test_a_caliper_that_keeps_few_treated_units_warns():
    panel = small_panel(n_units=60)
    panel["treat"] = (panel["city"] <= 12).astype(int)
    with pytest.warns(
        pdid.PilotdidWarning, match=r"only 2 of 12 treated units \(17%\) are matched"
    ):
        res = pdid.match(panel, "treat", ["x1", "x2"], unit="city", time="year", caliper=0.004)
    assert any("only 2 of 12" in n for n in res.notes)
