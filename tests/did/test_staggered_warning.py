"""event_study warns once when adoption is staggered, with the Goodman-Bacon forbidden share."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

import pilotdid as pdid
from pilotdid.did.staggered import staggered_design
from pilotdid.errors import PilotdidWarning, StaggeredAdoptionWarning


def panel(cohorts, n_units=40, years=range(2010, 2020), seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"id": np.repeat(np.arange(n_units), len(years))})
    df["year"] = np.tile(list(years), n_units)
    adopt = np.array(cohorts, dtype=float)[np.arange(n_units) % len(cohorts)]
    df["g"] = adopt[df["id"]]
    df["y"] = np.where(df["year"] >= df["g"], 1.0, 0.0) + rng.normal(size=len(df))
    return df


def run_event_study(df):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdid.event_study(df, "y", unit="id", time="year", cohort="g", window=(-3, 2))
    return [w for w in caught if issubclass(w.category, StaggeredAdoptionWarning)]


def test_staggered_event_study_warns_once_with_the_bacon_share():
    df = panel([2014, 2016, 2017, np.nan])
    caught = run_event_study(df)
    assert len(caught) == 1
    assert issubclass(caught[0].category, PilotdidWarning)
    message = str(caught[0].message)
    share = pdid.bacon(df, "y", unit="id", time="year", cohort="g").forbidden_share
    assert message.startswith("event_study: adoption is staggered (3 cohorts: 2014: 10 units")
    assert f"{share:.1%} of the TWFE DID's weight is on forbidden comparisons" in message
    for name in ("pilotdid.att_gt", "pilotdid.sun_abraham", "pilotdid.did_imputation"):
        assert name in message
    assert caught[0].filename == __file__  # points at the caller's line


def test_one_cohort_or_one_cohort_with_always_treated_is_quiet():
    assert run_event_study(panel([2015, np.nan])) == []
    assert run_event_study(panel([2015, 2005, np.nan])) == []  # 2005: before the panel
    assert run_event_study(panel([2015, 2030, np.nan])) == []  # 2030: after the panel


def test_unbalanced_panel_gives_the_number_of_cohorts_only():
    df = panel([2014, 2016, np.nan]).drop(index=[3, 50, 77])
    caught = run_event_study(df)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "2 cohorts" in message and "not computed (the panel is unbalanced)" in message


def test_rows_with_a_missing_outcome_count_as_unbalanced():
    df = panel([2014, 2016, np.nan])
    assert staggered_design(df, unit="id", time="year", cohort="g").forbidden_share is not None
    df.loc[5, "y"] = np.nan
    design = staggered_design(df, unit="id", time="year", cohort="g", columns=["y"])
    assert design.is_staggered and design.forbidden_share is None


def test_long_cohort_lists_are_shortened():
    df = panel([2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, np.nan], n_units=90)
    message = staggered_design(df, unit="id", time="year", cohort="g").message()
    assert "8 cohorts" in message and "2016: 10 units, ..." in message and "2017" not in message
