"""Constant mediators, moderators, split variables and exclusions of every treated unit."""

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import EstimationError, PanelError
from pilotdid.mechanisms.checks import check_mediator, check_moderator, check_splitter


@pytest.fixture
def df():
    rng = np.random.default_rng(0)
    out = pd.DataFrame(
        {"city": np.repeat(np.arange(24), 8), "year": np.tile(range(2012, 2020), 24)}
    )
    out["treat"] = (out["city"] < 6).astype(int)
    out["did"] = (out["treat"] * (out["year"] >= 2016)).astype(float)
    out["x"] = rng.normal(size=len(out))
    out["y"] = 0.5 * out["did"] + out["x"] + rng.normal(size=len(out))
    out["const"] = 1.0
    out["by_city"] = out["city"] * 0.5  # time-invariant: absorbed by the city fixed effects
    out["flat_treated"] = np.where(out["did"] == 1, 2.0, out["x"])
    return out


def test_constant_mediator(df):
    with pytest.raises(EstimationError, match=r"mediator 'const' is constant \(1\)"):
        pdid.mechanism(df, "did", "const", fixef="city + year")


@pytest.mark.parametrize("method", ["d_to_m", "three_step"])
def test_mediator_absorbed_by_the_fixed_effects(df, method):
    with pytest.raises(EstimationError, match="does not vary once the fixed effects"):
        pdid.mechanism(
            df, "did", "by_city", outcome="y", fixef="city + year", method=method, bootstrap=0
        )


def test_constant_moderator(df):
    with pytest.raises(EstimationError, match=r"moderator 'const' is constant \(1\)"):
        pdid.moderation(df, "y ~ did + x | city + year", "const", treatment="did")


def test_moderator_constant_among_the_treated(df):
    with pytest.raises(EstimationError, match="in all 24 treated rows"):
        pdid.moderation(df, "y ~ did + x | city + year", "flat_treated", treatment="did")


def test_time_invariant_moderator_still_works(df):
    res = pdid.moderation(df, "y ~ did + x | city + year", "by_city", treatment="did")
    assert "did:by_city" in res.models["interaction"].coef().index


def test_exclusion_of_every_treated_unit(df):
    with pytest.raises(PanelError, match="removes all 6 treated units"):
        pdid.exclude(df, "city", list(range(6)), unit="city", treatment="treat")
    kept = pdid.exclude(df, "city", [0, 1], unit="city", treatment="treat")
    assert len(kept.dropped_treated_units) == 2


def test_constant_split_variable(df):
    with pytest.raises(EstimationError, match="fewer than two groups"):
        pdid.heterogeneity(df, "y ~ did + x | city + year", "const", permutations=10)


def test_reusable_checks(df):
    with pytest.raises(EstimationError, match="missing in all"):
        check_mediator(df.assign(m=np.nan), "m")
    with pytest.raises(EstimationError, match="constant"):
        check_moderator(df, "const", "did")
    with pytest.raises(EstimationError, match="fewer than two groups"):
        check_splitter(df, "const")
    check_mediator(df, "x")
    check_moderator(df, "x", "did")
    check_splitter(df, "x")
