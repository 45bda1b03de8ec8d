"""Gaps left by the hardening (#10): duplicate keys in match, degenerate designs in the event
study, PSM-DID and the study's Table 3 named by their cause, not as "collinear"."""

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import EstimationError, PanelError
from pilotdid.study.config import load_study
from pilotdid.study.stages import MatchingStage, baseline_models
from tests.study.conftest import MINIMAL


def panel(n_units=30, years=range(2010, 2018), seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"unit": np.repeat(np.arange(n_units), len(years)),
                       "year": np.tile(list(years), n_units)})  # fmt: skip
    df["treat"] = (df["unit"] < 12).astype(int)
    df["x"] = rng.normal(size=len(df)) + 0.3 * df["treat"]
    df["z"] = rng.normal(size=len(df))
    df["post"] = (df["year"] >= 2014).astype(int)
    df["y"] = df["z"] + rng.normal(size=len(df))
    return df


@pytest.mark.parametrize("mode", ["base_year", "by_year", "pooled"])
def test_match_refuses_duplicate_unit_time_keys(mode):
    df = panel()
    dup = pd.concat([df, df.iloc[[9]]], ignore_index=True)  # (1, 2011): not the base year
    with pytest.raises(PanelError, match=r"match: 1 duplicate \(unit, year\) key.*\(1, 2011\)"):
        pdid.match(dup, "treat", ["x"], unit="unit", time="year", panel=mode)


def test_match_without_keys_allows_repeated_rows():
    df = panel()
    dup = pd.concat([df, df.iloc[[9]]], ignore_index=True)
    pdid.match(dup, "treat", ["x"], panel="pooled")


@pytest.mark.parametrize(
    ("cohort", "words"),
    [
        (lambda df: np.full(len(df), 2014.0), "every unit is treated, all from 2014"),
        (lambda df: np.where(df["unit"] < 12, 2010.0, np.nan), "no pre-treatment period"),
        (lambda df: np.where(df["unit"] < 12, 2030.0, np.nan), "no post-treatment period"),
    ],
    ids=["all_treated_at_once", "no_pre_period", "no_post_period"],
)
def test_event_study_names_a_degenerate_design(cohort, words):
    df = panel().assign(cohort=cohort)
    with pytest.raises(EstimationError, match=rf"event study of 'y': {words}"):
        pdid.event_study(df, "y", unit="unit", time="year", cohort="cohort", window=(-2, 1))


@pytest.mark.parametrize("controls", [[], ["z"]])
def test_psm_did_names_a_dummy_every_unit_has(controls):
    """`post` given as the DID: every matched unit 'treated' from 2014 (feols: "collinear")."""
    res = pdid.match(panel(), "treat", ["x"], unit="unit", time="year")
    with pytest.raises(EstimationError, match=r"PSM-DID on the 'matched' sample: every unit is "
                                              r"treated, all from 2014.*no comparison group"):  # fmt: skip
        res.did("y", "post", controls=controls)


def test_psm_did_still_estimates_a_valid_design():
    df = panel().assign(did=lambda d: d["treat"] * d["post"])
    res = pdid.match(df, "treat", ["x"], unit="unit", time="year")
    first, second = res.did("y", "did", controls=["z"])
    assert "did" in first.coef().index and "did" in second.coef().index


def test_study_table3_names_a_sample_where_every_unit_is_treated_at_once(tmp_path):
    (tmp_path / "study.toml").write_text(MINIMAL, encoding="utf-8")
    cfg = load_study(tmp_path / "study.toml").config
    sample = panel().rename(columns={"unit": "city", "x": "x1", "z": "x2"})
    sample["did"] = sample["post"]  # every unit in the sample "adopts" in 2014
    matching = MatchingStage(result=None, balance=None, sample=sample, weights=None, drops=())
    with pytest.raises(EstimationError, match=r"Table 3 on the PSM-DID sample: every city is "
                                              r"treated, all from 2014"):  # fmt: skip
        baseline_models(cfg, matching)
