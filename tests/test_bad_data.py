"""The data rules of issue #10 at every public entry point: ±inf, duplicate keys, empty frames,
and the one never-treated rule (missing, 0 or +inf in a cohort column)."""

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import PanelError
from tests.robustness.conftest import did_panel

BAD_ROW = 5  # unit 0, year 2015


@pytest.fixture(scope="module")
def panel():
    df = did_panel(seed=3)
    df["year"] += 2010
    df["cohort"] += 2010
    df["did"] = (df["year"] >= df["cohort"]).astype(float)
    df["treat"] = df["cohort"].notna().astype(float)
    df["region"] = (df["unit"] // 4).astype(float)
    return df


CRV = {"CRV1": "region"}
FML = "y ~ did + x1 | unit + year"


def _psm_did(data):
    clean = data.replace([np.inf, -np.inf], 0.0)
    res = pdid.match(clean, "treat", ["x2"], unit="unit", time="year", panel="pooled")
    res = dataclasses.replace(res, data=res.data.assign(**{c: data[c] for c in ("y", "x1")}))
    return res.did("y", "did", controls=["x1"])


# entry point -> (call, {role: column}); a role an entry point does not use is left out
ENTRY_POINTS = {
    "feols": (
        lambda d: pdid.feols(FML, d, vcov=CRV),
        {"outcome": "y", "control": "x1", "treatment": "did", "cluster": "region"},
    ),
    "event_study": (
        lambda d: pdid.event_study(
            d,
            "y",
            unit="unit",
            time="year",
            cohort="cohort",
            controls=["x1"],
            window=(-3, 1),
            vcov=CRV,
        ),
        {"outcome": "y", "control": "x1", "cluster": "region", "time": "year"},
    ),
    "placebo": (
        lambda d: pdid.placebo(
            d, FML, unit="unit", time="year", cohort="cohort", draws=5, seed=0, vcov=CRV
        ),
        {"outcome": "y", "control": "x1", "treatment": "did", "cluster": "region", "time": "year"},
    ),
    "assign_treatment": (
        lambda d: pdid.assign_treatment(d[["unit", "year"]], {0: 2015}, unit="unit", time="year"),
        {"time": "year", "unit": "unit"},
    ),
    "match": (
        lambda d: pdid.match(d, "treat", ["x1", "x2"], unit="unit", time="year"),
        {"control": "x1", "treatment": "treat"},
    ),
    "psm_did": (_psm_did, {"outcome": "y", "control": "x1"}),
    "describe": (lambda d: pdid.describe(d, ["y", "x1"]), {"outcome": "y", "control": "x1"}),
    "correlation": (lambda d: pdid.correlation(d, ["y", "x1"]), {"outcome": "y", "control": "x1"}),
    "vif": (lambda d: pdid.vif(d, ["x1", "x2"]), {"control": "x1"}),
    "mechanism": (
        lambda d: pdid.mechanism(
            d, "did", "x2", outcome="y", controls=["x1"], fixef="unit + year", vcov=CRV
        ),
        {"outcome": "y", "control": "x1", "treatment": "did", "cluster": "region"},
    ),
    "heterogeneity": (
        lambda d: pdid.heterogeneity(
            d, FML, "x2", test="pooled", unit="unit", time="year", cohort="cohort", vcov=CRV
        ),
        {"outcome": "y", "control": "x1", "treatment": "did", "cluster": "region"},
    ),
    "moderation": (
        lambda d: pdid.moderation(d, FML, "x2", treatment="did", vcov=CRV),
        {"outcome": "y", "control": "x1", "treatment": "did", "cluster": "region"},
    ),
    "exclude": (
        lambda d: pdid.exclude(d, "region", [0.0], unit="unit", treatment="treat"),
        {"treatment": "treat", "cluster": "region"},
    ),
}
CASES = [
    pytest.param(name, role, column, id=f"{name}-{role}")
    for name, (_, roles) in ENTRY_POINTS.items()
    for role, column in roles.items()
]


@pytest.mark.parametrize(("name", "role", "column"), CASES)
@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_inf_in_a_used_column_is_an_error_naming_column_and_rows(panel, name, role, column, value):
    call = ENTRY_POINTS[name][0]
    call(panel)  # the clean panel runs
    bad = panel.copy()
    bad[column] = bad[column].astype(float)
    bad.loc[[BAD_ROW, BAD_ROW + 1], column] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(PanelError, match=rf"column '{column}' holds inf or -inf in 2 rows"):
            call(bad)
    try:
        call(bad)
    except PanelError as exc:
        message = str(exc)
    assert "NaN" in message and "drop those rows" in message  # how to fix
    keyed = name not in ("describe", "correlation", "vif", "mechanism", "moderation", "exclude")
    if keyed and column in ("unit", "year"):
        assert "(unit, year) = (" in message  # the key itself shows inf
    elif keyed:
        assert "(unit, year) = (0, 2015), (0, 2016)" in message
    else:
        assert "row label(s) 5, 6" in message


def test_inf_in_several_columns_is_one_message_naming_each(panel):
    bad = panel.assign(y=panel["y"].where(panel.index != 1, np.inf))
    bad["x1"] = bad["x1"].where(bad.index != 2, -np.inf)
    with pytest.raises(PanelError, match=r"column 'y' .* 1 row.*; column 'x1' .* 1 row"):
        pdid.event_study(
            bad, "y", unit="unit", time="year", cohort="cohort", controls=["x1"], window=(-3, 1)
        )


def test_inf_made_by_a_transformation_is_still_dropped_as_missing(panel):
    # the rule is about data values: log(0) = -inf in a formula keeps fixest's behaviour
    data = panel.assign(pos=np.exp(panel["y"]))
    data.loc[BAD_ROW, "pos"] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = pdid.feols("np.log(pos) ~ did | unit + year", data)
    assert fit.nobs == len(data) - 1


def test_inf_in_a_cohort_column_means_never_treated_not_an_error(panel):
    coded = panel.assign(cohort=panel["cohort"].fillna(np.inf))
    pdid.event_study(coded, "y", unit="unit", time="year", cohort="cohort", window=(-3, 1))


# --- duplicate keys ------------------------------------------------------------------------------

DUPLICATED = {
    "placebo": lambda d: pdid.placebo(
        d, FML, unit="unit", time="year", cohort="cohort", draws=5, seed=0
    ),
    "event_study": lambda d: pdid.event_study(
        d, "y", unit="unit", time="year", cohort="cohort", window=(-3, 1)
    ),
    "assign_treatment": lambda d: pdid.assign_treatment(
        d[["unit", "year"]], {0: 2015}, unit="unit", time="year"
    ),
    "heterogeneity": lambda d: pdid.heterogeneity(
        d, FML, "x2", test="pooled", unit="unit", time="year"
    ),
}


@pytest.mark.parametrize("name", list(DUPLICATED))
def test_duplicate_unit_time_keys_are_refused_with_the_keys(panel, name):
    doubled = pd.concat([panel, panel.iloc[[3, 9]]], ignore_index=True)
    with pytest.raises(
        PanelError,
        match=rf"{name}: 2 duplicate \(unit, year\) key\(s\) in 4 rows, e.g. \(0, 2013\) x2, \(1, 2011\) x2",
    ):
        DUPLICATED[name](doubled)


# --- empty frames --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ENTRY_POINTS))
def test_an_empty_frame_is_called_empty(panel, name):
    if name == "psm_did":
        pytest.skip("psm_did takes a MatchResult")
    with pytest.raises(PanelError, match=r"empty \(0 rows\)"):
        ENTRY_POINTS[name][0](panel.iloc[:0])


# --- one never-treated rule ----------------------------------------------------------------------

NEVER = pytest.mark.parametrize("never", [0, np.inf])


def _coded(panel, never):
    return panel.assign(cohort=panel["cohort"].fillna(never))


@NEVER
@pytest.mark.parametrize("binned", [True, False])
def test_event_study_reads_0_and_inf_as_never_treated(panel, never, binned):
    kw = {"window": (-3, 1), "bin_endpoints": binned}
    base = pdid.event_study(panel, "y", unit="unit", time="year", cohort="cohort", **kw)
    other = pdid.event_study(
        _coded(panel, never), "y", unit="unit", time="year", cohort="cohort", **kw
    )
    pd.testing.assert_frame_equal(base.tidy(), other.tidy())
    assert other.fit.nobs == base.fit.nobs
    assert other.dropped_outside_window == base.dropped_outside_window


def test_event_study_without_binning_keeps_every_never_treated_row(panel):
    es = pdid.event_study(
        _coded(panel, 0),
        "y",
        unit="unit",
        time="year",
        cohort="cohort",
        window=(-3, 1),
        bin_endpoints=False,
    )
    rel = panel["year"] - panel["cohort"]
    outside = int(((rel < -3) | (rel > 1)).sum())  # treated rows only: NaN compares False
    assert es.dropped_outside_window == outside
    assert es.fit.nobs == len(panel) - outside


@NEVER
def test_placebo_reads_0_and_inf_as_never_treated(panel, never):
    kw = {"draws": 20, "seed": 4}
    base = pdid.placebo(panel, FML, unit="unit", time="year", cohort="cohort", **kw)
    other = pdid.placebo(_coded(panel, never), FML, unit="unit", time="year", cohort="cohort", **kw)
    pd.testing.assert_frame_equal(base.draws, other.draws)
    assert base.n_treated == other.n_treated


@NEVER
def test_heterogeneity_reads_0_and_inf_as_never_treated(panel, never):
    kw = {"unit": "unit", "time": "year", "cohort": "cohort", "permutations": 49, "seed": 2}
    base = pdid.heterogeneity(panel, FML, "x2", **kw)
    other = pdid.heterogeneity(_coded(panel, never), FML, "x2", **kw)
    pd.testing.assert_frame_equal(base.differences, other.differences)
    assert base.permutation.p_coef == other.permutation.p_coef
    pd.testing.assert_frame_equal(base.assignment, other.assignment)


@NEVER
def test_assign_treatment_reads_0_and_inf_as_never_treated(panel, never):
    cols = ["unit", "year", "cohort"]
    base = pdid.assign_treatment(
        panel[cols], "cohort", unit="unit", time="year", names={"cohort": "g"}
    )
    other = pdid.assign_treatment(
        _coded(panel, never)[cols], "cohort", unit="unit", time="year", names={"cohort": "g"}
    )
    pd.testing.assert_frame_equal(
        base.data.drop(columns="cohort"), other.data.drop(columns="cohort")
    )
    assert base.report == other.report


def test_cohort_0_is_refused_when_0_is_a_period(panel):
    zero_based = panel.assign(year=panel["year"] - 2010, cohort=(panel["cohort"] - 2010).fillna(0))
    with pytest.raises(PanelError, match=r"include 0, which is also a period of 'year'.*missing"):
        pdid.event_study(zero_based, "y", unit="unit", time="year", cohort="cohort", window=(-3, 1))
    with pytest.raises(PanelError, match=r"include 0, which is also a period"):
        pdid.placebo(zero_based, FML, unit="unit", time="year", cohort="cohort", draws=5)
    # coded as missing, the same panel runs
    ok = zero_based.assign(cohort=panel["cohort"] - 2010)
    pdid.event_study(ok, "y", unit="unit", time="year", cohort="cohort", window=(-3, 1))


def test_minus_inf_cohort_is_an_error(panel):
    bad = panel.assign(cohort=panel["cohort"].fillna(-np.inf))
    with pytest.raises(PanelError, match=r"-inf"):
        pdid.event_study(bad, "y", unit="unit", time="year", cohort="cohort", window=(-3, 1))


# --- dropped relative periods ----------------------------------------------------------------------


def test_a_collinear_relative_period_is_reported_not_a_key_error(panel):
    # no treated unit is observed one period after adoption: the rel_p1 dummy is all zero
    cut = panel[~(panel["year"] == panel["cohort"] + 1)]
    with pytest.warns(pdid.PilotdidWarning, match="rel_p1"):
        es = pdid.event_study(
            cut, "y", unit="unit", time="year", cohort="cohort", window=(-3, 1), bin_endpoints=False
        )
    assert es.collinear == (1,)
    tidy = es.tidy()
    assert tidy.index.tolist() == [-3, -2, -1, 0, 1]
    assert tidy.loc[1, ["estimate", "std_error"]].isna().all()
    assert "+1 dropped as collinear" in es.summary()
    assert es.pretrend_test().df_num == 2
