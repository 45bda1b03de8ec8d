import warnings

import numpy as np
import pandas as pd
import pytest

from pilotdid import TreatmentAssignment, assign_treatment
from pilotdid.errors import PanelError, PilotdidWarning
from pilotdid.panel.treatment import unit_cohorts

YEARS = list(range(2013, 2020))
# Guizhou-style staggered roster: two cohorts, one never-treated unit, one roster unit absent
ROSTER = {520100: 2016, 520200: 2016, 110000: 2017, 120000: 2017, 522300: 2016}
NEVER = [130100, 210100]


@pytest.fixture
def panel() -> pd.DataFrame:
    units = [520100, 520200, 110000, 120000, *NEVER]
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "city": np.repeat(units, len(YEARS)),
            "year": np.tile(YEARS, len(units)),
            "y": rng.normal(size=len(units) * len(YEARS)),
        }
    )


def expected_columns(panel: pd.DataFrame, roster: dict) -> pd.DataFrame:
    """Brute force, row by row: the definition of each column."""
    rows = []
    for city, year in zip(panel["city"], panel["year"], strict=True):
        g = roster.get(city)
        treat = int(g is not None)
        post = int(g is not None and year >= g)
        rows.append((treat, post, treat * post, g, None if g is None else year - g))
    out = pd.DataFrame(rows, columns=["treat", "post", "did", "cohort", "rel_time"])
    return out.astype({"cohort": "Int64", "rel_time": "Int64"})


def test_staggered_columns_match_brute_force(panel):
    out = assign_treatment(panel, ROSTER, unit="city", time="year")
    got = out.data[["treat", "post", "did", "cohort", "rel_time"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected_columns(panel, ROSTER), check_dtype=False)
    assert out.data["did"].dtype == np.int64
    assert out.data["cohort"].dtype == "Int64" and out.data["rel_time"].dtype == "Int64"
    never = out.data[out.data["city"].isin(NEVER)]
    assert never["cohort"].isna().all() and never["rel_time"].isna().all()
    assert (never[["treat", "post", "did"]] == 0).all().all()


def test_report_counts_shares_and_cohorts(panel):
    report = assign_treatment(panel, ROSTER, unit="city", time="year").report
    assert (report.n_units, report.n_treated_units, report.n_rows) == (6, 4, 42)
    assert report.treated_share_units == pytest.approx(4 / 6)
    assert report.treated_share_rows == pytest.approx(28 / 42)
    assert report.cohort_sizes == {2016: 2, 2017: 2}
    assert report.periods == (2013, 2019)
    assert report.absent_units == (522300,)
    assert any("1 roster unit not in the data: 522300" in m for m in report.messages)
    assert "4 of 6 units treated" in str(report)


def test_treated_share_of_rows_differs_from_units_when_unbalanced(panel):
    short = panel[~((panel["city"] == 130100) & (panel["year"] < 2017))]
    report = assign_treatment(short, ROSTER, unit="city", time="year").report
    assert report.treated_share_units == pytest.approx(4 / 6)
    assert report.treated_share_rows == pytest.approx(28 / (42 - 4))


def test_dict_series_and_column_forms_are_identical(panel):
    from_dict = assign_treatment(panel, ROSTER, unit="city", time="year").data
    from_series = assign_treatment(panel, pd.Series(ROSTER), unit="city", time="year").data
    column = panel["city"].map(ROSTER)  # NaN for never treated
    with_column = panel.assign(adopt=column)
    from_column = assign_treatment(with_column, "adopt", unit="city", time="year").data.drop(
        columns="adopt"
    )
    pd.testing.assert_frame_equal(from_dict, from_series)
    pd.testing.assert_frame_equal(from_dict, from_column)


@pytest.mark.parametrize("never", [np.nan, 0, None, ""])
def test_never_treated_markers(panel, never):
    roster = {**ROSTER, 130100: never}
    out = assign_treatment(panel, roster, unit="city", time="year")
    assert out.report.n_treated_units == 4
    assert out.data.loc[out.data["city"] == 130100, "treat"].eq(0).all()


def test_column_form_with_zero_and_text_markers(panel):
    adopt = panel["city"].map(ROSTER).fillna(0).astype(int)
    out = assign_treatment(panel.assign(adopt=adopt), "adopt", unit="city", time="year")
    assert out.report.cohort_sizes == {2016: 2, 2017: 2}
    text = adopt.astype(str).replace("0", "")
    out_text = assign_treatment(panel.assign(adopt=text), "adopt", unit="city", time="year")
    pd.testing.assert_series_equal(out.data["did"], out_text.data["did"])


def test_column_varying_within_unit_is_reported(panel):
    adopt = panel["city"].map(ROSTER)
    adopt[(panel["city"] == 520100) & (panel["year"] < 2016)] = np.nan  # filled only from 2016
    adopt[(panel["city"] == 110000) & (panel["year"] == 2019)] = 2018
    with pytest.raises(
        PanelError, match=r"varies within 2 unit\(s\).*520100: 2016, never.*110000: 2017, 2018"
    ):
        assign_treatment(panel.assign(adopt=adopt), "adopt", unit="city", time="year")


def test_post_common_gives_every_unit_post_from_one_date(panel):
    out = assign_treatment(panel, ROSTER, unit="city", time="year", post="common", post_common=2016)
    data = out.data
    assert (data["post"] == (data["year"] >= 2016)).all()  # never-treated units too
    assert (data["did"] == data["treat"] * (data["year"] >= 2016)).all()
    # cohort and rel_time still describe each unit's own adoption
    assert data.loc[data["city"] == 110000, "cohort"].eq(2017).all()
    assert out.report.post == "common" and out.report.post_common == 2016
    assert "post = 1 for all units from 2016" in str(out.report)


def test_post_common_defaults_to_first_adoption(panel):
    out = assign_treatment(panel, ROSTER, unit="city", time="year", post="common")
    assert out.report.post_common == 2016


def test_post_common_without_common_mode_is_refused(panel):
    with pytest.raises(PanelError, match="post_common=2016 is used only with post='common'"):
        assign_treatment(panel, ROSTER, unit="city", time="year", post_common=2016)


def test_post_common_must_be_an_integer(panel):
    with pytest.raises(PanelError, match="post_common must be an integer period"):
        assign_treatment(panel, ROSTER, unit="city", time="year", post="common", post_common=2016.5)


def test_wrong_post_option_lists_choices(panel):
    with pytest.raises(PanelError, match=r"post='comon'.*did you mean 'common'.*'adoption'"):
        assign_treatment(panel, ROSTER, unit="city", time="year", post="comon")  # type: ignore[arg-type]


def test_text_roster_keys_match_integer_ids(panel):
    as_text = {str(k): v for k, v in ROSTER.items()}
    out = assign_treatment(panel, as_text, unit="city", time="year")
    reference = assign_treatment(panel, ROSTER, unit="city", time="year")
    pd.testing.assert_frame_equal(out.data, reference.data)
    assert out.report.key_match is not None
    assert "'520100' -> 520100" in out.report.key_match
    assert out.report.absent_units == ("522300",)
    assert "roster unit not in the data: '522300'" in "\n".join(out.report.messages)


def test_integer_roster_keys_match_text_ids(panel):
    text_panel = panel.assign(city=panel["city"].astype(str))
    out = assign_treatment(text_panel, ROSTER, unit="city", time="year")
    assert out.report.n_treated_units == 4
    assert "matched to the text" in out.report.key_match


def test_unmatchable_keys_reported_with_examples(panel):
    roster = {**ROSTER, "Guiyang": 2016}
    out = assign_treatment(panel, roster, unit="city", time="year")
    assert "Guiyang" in out.report.absent_units
    assert any("'Guiyang'" in m for m in out.report.messages)


def test_no_roster_unit_in_data_is_an_error(panel):
    with pytest.raises(
        PanelError,
        match=r"none of the 2 roster unit\(s\) is in the data.*'Guiyang'.*check the unit codes",
    ):
        assign_treatment(panel, {"Guiyang": 2016, "Zunyi": 2016}, unit="city", time="year")


def test_empty_roster_is_an_error(panel):
    with pytest.raises(PanelError, match="roster is empty"):
        assign_treatment(panel, {}, unit="city", time="year")


def test_roster_with_only_never_treated_is_an_error(panel):
    with pytest.raises(PanelError, match="no adoption period to any unit"):
        assign_treatment(panel, {520100: None}, unit="city", time="year")


def test_ambiguous_ids_are_not_converted():
    # both 1 and "1" are unit ids: a text key cannot be matched unambiguously
    data = pd.DataFrame({"u": [1, 1, "1", "1", 2, 2], "t": [1, 2] * 3})
    out = assign_treatment(data, {"1": 2, 7: 2}, unit="u", time="t")
    assert out.report.key_match is None
    assert out.data.loc[out.data["u"].map(lambda v: isinstance(v, str)), "treat"].eq(1).all()
    assert (
        out.data.loc[out.data["u"].map(lambda v: v == 1 and not isinstance(v, str)), "treat"]
        .eq(0)
        .all()
    )


def test_conflicting_roster_entries_are_an_error(panel):
    roster = pd.Series([2016, 2017, 2016], index=[520100, 520100, 110000])
    with pytest.raises(PanelError, match=r"lists 1 unit\(s\) more than once.*520100: 2016, 2017"):
        assign_treatment(panel, roster, unit="city", time="year")


def test_conflict_after_text_to_integer_matching(panel):
    roster = pd.Series([2016, 2017], index=["520100", 520100])
    with pytest.raises(PanelError, match="more than once with different adoption periods"):
        assign_treatment(panel, roster, unit="city", time="year")


def test_repeated_identical_entries_are_kept_once(panel):
    roster = pd.Series([2016, 2016, 2017], index=[520100, 520100, 110000])
    out = assign_treatment(panel, roster, unit="city", time="year")
    assert out.report.duplicate_entries == 1
    assert out.report.cohort_sizes == {2016: 1, 2017: 1}


def test_always_treated_units_warn(panel):
    roster = {**ROSTER, 130100: 2013, 210100: 2010}
    with pytest.warns(
        PilotdidWarning, match=r"always treated: 2 unit\(s\).*first sample period 2013"
    ):
        out = assign_treatment(panel, roster, unit="city", time="year")
    assert out.report.always_treated == (130100, 210100)
    assert out.data.loc[out.data["city"] == 210100, "did"].eq(1).all()


def test_adoption_after_sample_is_reported(panel):
    roster = {**ROSTER, 130100: 2021}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # late adoption is reported, not warned
        out = assign_treatment(panel, roster, unit="city", time="year")
    assert out.report.late_units == (130100,)
    assert out.data.loc[out.data["city"] == 130100, "did"].eq(0).all()
    assert any("after the last sample period 2019" in m for m in out.report.messages)


def test_treated_unit_not_observed_after_adoption(panel):
    cut = panel[~((panel["city"] == 110000) & (panel["year"] >= 2017))]
    report = assign_treatment(cut, ROSTER, unit="city", time="year").report
    assert report.unobserved_after_adoption == (110000,)
    assert any("1 treated unit has no row at or after its adoption" in m for m in report.messages)


def test_every_unit_treated_is_noted(panel):
    sub = panel[~panel["city"].isin(NEVER)]
    report = assign_treatment(sub, ROSTER, unit="city", time="year").report
    assert any("no never-treated control group" in m for m in report.messages)


def test_custom_names_and_partial_override(panel):
    out = assign_treatment(
        panel, ROSTER, unit="city", time="year", names={"did": "D", "post": "Post"}
    )
    assert {"treat", "Post", "D", "cohort", "rel_time"} <= set(out.data.columns)
    assert out.names["did"] == "D"


def test_existing_column_is_not_overwritten(panel):
    data = panel.assign(treat=9)
    with pytest.raises(PanelError, match=r"already has column\(s\) \['treat'\].*overwrite=True"):
        assign_treatment(data, ROSTER, unit="city", time="year")
    out = assign_treatment(data, ROSTER, unit="city", time="year", overwrite=True)
    assert set(out.data["treat"]) == {0, 1}
    assert data["treat"].eq(9).all()


def test_unknown_name_role_suggests(panel):
    with pytest.raises(PanelError, match=r"unknown role\(s\) \['DiD'\].*did you mean 'did'"):
        assign_treatment(panel, ROSTER, unit="city", time="year", names={"DiD": "D"})


def test_clashing_names_are_refused(panel):
    with pytest.raises(PanelError, match="distinct column names"):
        assign_treatment(panel, ROSTER, unit="city", time="year", names={"did": "treat"})
    with pytest.raises(PanelError, match="distinct column names"):
        assign_treatment(panel, ROSTER, unit="city", time="year", names={"did": "year"})


def test_input_never_mutated(panel):
    data = panel.assign(adopt=panel["city"].map(ROSTER))
    before = data.copy(deep=True)
    assign_treatment(data, "adopt", unit="city", time="year")
    assign_treatment(data, ROSTER, unit="city", time="year", post="common")
    unit_cohorts(data, "city", "adopt")
    pd.testing.assert_frame_equal(data, before)


def test_missing_columns_suggest(panel):
    with pytest.raises(PanelError, match=r"'yaer'.*did you mean 'year'"):
        assign_treatment(panel, ROSTER, unit="city", time="yaer")
    with pytest.raises(
        PanelError, match=r"adoption column 'adpot' not found.*did you mean 'adopt'"
    ):
        assign_treatment(panel.assign(adopt=1), "adpot", unit="city", time="year", overwrite=True)


def test_missing_unit_or_time_values_are_refused(panel):
    data = panel.astype({"year": float})
    data.loc[[0, 1], "year"] = np.nan
    with pytest.raises(PanelError, match=r"'year' has 2 missing value\(s\); drop those rows"):
        assign_treatment(data, ROSTER, unit="city", time="year")


def test_non_integer_time_is_refused(panel):
    with pytest.raises(PanelError, match="must hold integer periods"):
        assign_treatment(panel.assign(year=panel["year"] + 0.5), ROSTER, unit="city", time="year")
    with pytest.raises(PanelError, match="must hold integer periods"):
        assign_treatment(
            panel.assign(year=panel["year"].astype(str)), ROSTER, unit="city", time="year"
        )


def test_bad_adoption_periods_are_refused(panel):
    with pytest.raises(PanelError, match=r"must be integers .*found 'Oct 2016'"):
        assign_treatment(panel, {520100: "Oct 2016"}, unit="city", time="year")
    with pytest.raises(PanelError, match=r"must be whole periods.*2016.5"):
        assign_treatment(panel, {520100: 2016.5}, unit="city", time="year")


def test_adoption_of_wrong_type_is_refused(panel):
    with pytest.raises(PanelError, match="adoption must be a dict"):
        assign_treatment(panel, [520100], unit="city", time="year")  # type: ignore[arg-type]


def test_row_aligned_series_is_refused_with_hint(panel):
    adopt = panel["city"].map(ROSTER).rename("adopt")
    with pytest.raises(PanelError, match=r"looks like a column.*adoption='adopt'"):
        assign_treatment(panel, adopt, unit="city", time="year")


def test_unit_cohorts_one_value_per_unit(panel):
    out = assign_treatment(panel, ROSTER, unit="city", time="year")
    cohorts = unit_cohorts(out.data, "city", "cohort")
    assert cohorts.dtype == "Int64" and cohorts.index.name == "city"
    assert cohorts.dropna().to_dict() == {k: v for k, v in ROSTER.items() if k != 522300}
    assert cohorts.loc[NEVER].isna().all()
    pd.testing.assert_series_equal(out.cohorts(), cohorts)


def test_result_types(panel):
    out = assign_treatment(panel, ROSTER, unit="city", time="year")
    assert isinstance(out, TreatmentAssignment)
    with pytest.raises(AttributeError):
        out.data = panel  # type: ignore[misc]
    assert str(out) == str(out.report)
    assert "<pre>" in out._repr_html_()


def test_large_panel_is_vectorised():
    import time

    n_units, years = 200_000, np.arange(2007, 2020)
    data = pd.DataFrame(
        {"city": np.repeat(np.arange(n_units), len(years)), "year": np.tile(years, n_units)}
    )
    roster = dict.fromkeys(range(0, n_units, 4), 2016)
    start = time.perf_counter()
    out = assign_treatment(data, roster, unit="city", time="year")
    elapsed = time.perf_counter() - start
    assert out.report.treated_share_units == pytest.approx(0.25)
    assert elapsed < 3.0, f"assign_treatment took {elapsed:.2f}s on 2.6M rows"
