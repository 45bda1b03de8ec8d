import time

import numpy as np
import pandas as pd
import pytest

from pilotdid import ValidationReport, check_panel
from pilotdid.errors import PanelError


def balanced(n_units: int = 4, years=range(2015, 2019), seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    years = list(years)
    return pd.DataFrame(
        {
            "city": np.repeat(np.arange(n_units) + 110000, len(years)),
            "year": np.tile(years, n_units),
            "y": rng.normal(size=n_units * len(years)),
            "x": rng.normal(size=n_units * len(years)),
        }
    )


@pytest.fixture
def messy() -> pd.DataFrame:
    """Every kind of problem and note at once."""
    return pd.DataFrame(
        {
            "city": [1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5],
            "year": [2007, 2008, 2010, 2007, 2007, 2007, 2008, 2010, 2007, 2010, 2010],
            "y": ["1", "1,234", "n.a.", None, "2", "3", "4", "5", "6", "7", "8"],
            "x": [1.0, np.nan, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        }
    )


def checks(issues) -> list[str]:
    return [i.check for i in issues]


def test_clean_balanced_panel():
    report = check_panel(balanced(), "city", "year", numeric=["y", "x"])
    assert report.ok and report.balanced
    assert (report.n_rows, report.n_units, report.n_periods) == (16, 4, 4)
    assert report.periods == (2015, 2018)
    assert report.problems == () and report.notes == ()
    assert report.raise_if_invalid() is report
    assert "balanced: OK" in str(report)


def test_every_problem_reported_at_once(messy):
    report = check_panel(messy, "city", "year", numeric=["y", "x", "gpd"], required=["prov"])
    assert checks(report.problems) == [
        "missing_column",
        "missing_column",
        "non_numeric",
        "duplicate_keys",
    ]
    assert checks(report.notes) == [
        "missing_values",
        "missing_values",
        "unbalanced",
        "gaps",
        "period_holes",
        "singletons",
    ]
    assert not report.ok and not report.balanced
    with pytest.raises(PanelError, match="4 problem") as info:
        report.raise_if_invalid()
    # one line per problem after the heading
    assert len(str(info.value).splitlines()) == 1 + 4


def test_missing_columns_with_suggestions_and_roles():
    df = balanced().rename(columns={"y": "lnESF"})
    report = check_panel(df, "City", "year", numeric=["lnESf"], required=["prov"])
    text = [p.message for p in report.problems]
    assert any("'City' (unit)" in t and "did you mean 'city'" in t for t in text)
    assert any("'lnESf' (numeric)" in t and "did you mean 'lnESF'" in t for t in text)
    assert any("'prov' (required)" in t for t in text)
    # without the unit column the structure cannot be checked, but other checks still ran
    assert report.n_units == 0 and report.periods is None


def test_unit_and_time_the_same_column():
    report = check_panel(balanced(), "city", "city")
    assert checks(report.problems) == ["same_column"]


def test_non_numeric_shows_offending_values(messy):
    report = check_panel(messy, "city", "year", numeric=["y"])
    (issue,) = [p for p in report.problems if p.check == "non_numeric"]
    assert issue.column == "y"
    assert set(issue.examples) == {"1,234", "n.a."}
    assert "'1,234'" in issue.message and "'n.a.'" in issue.message
    assert "pandas.to_numeric" in issue.message


def test_object_column_of_numbers_is_flagged():
    df = balanced().assign(x=lambda d: d["x"].astype(object))
    (issue,) = check_panel(df, "city", "year", numeric=["x"]).problems
    assert issue.check == "non_numeric" and "stored as object" in issue.message


def test_bool_column_counts_as_numeric():
    df = balanced().assign(flag=lambda d: d["x"] > 0)
    assert check_panel(df, "city", "year", numeric=["flag"]).ok


def test_duplicates_count_and_examples():
    df = pd.concat([balanced(), balanced().iloc[[0, 0, 5]]], ignore_index=True)
    (issue,) = check_panel(df, "city", "year").problems
    assert issue.check == "duplicate_keys"
    assert issue.count == 2  # two distinct keys are duplicated
    assert "in 5 rows" in issue.message  # 3 copies of the first key, 2 of the other
    assert set(issue.examples) == {(110000, 2015), (110001, 2016)}
    assert "(110000, 2015) x3" in issue.message


def test_missing_values_only_in_relevant_columns():
    df = balanced().assign(irrelevant=np.nan)
    df.loc[[1, 2], "y"] = np.nan
    df.loc[3, "city"] = np.nan
    report = check_panel(df, "city", "year", numeric=["y"])
    counts = {n.column: n.count for n in report.notes if n.check == "missing_values"}
    assert counts == {"city": 1, "y": 2}
    assert report.ok  # missing values are notes: those rows are dropped
    assert not report.balanced


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        ([2015.5, 2016.0], "2015.5"),
        (["2015a", "2016"], "'2015a'"),
        (pd.to_datetime(["2015-01-01", "2016-01-01"]), ".dt.year"),
    ],
)
def test_time_not_integer_like(values, shown):
    df = pd.DataFrame({"city": [1, 1], "year": values})
    (issue,) = [p for p in check_panel(df, "city", "year").problems]
    assert issue.check == "time_not_integer"
    assert shown in issue.message


def test_float_years_are_integer_like():
    df = balanced().assign(year=lambda d: d["year"].astype(float))
    assert check_panel(df, "city", "year").ok


def test_gaps_with_missing_periods_named():
    df = balanced().drop(index=[1, 2])  # unit 110000 lacks 2016 and 2017
    report = check_panel(df, "city", "year")
    (gap,) = [n for n in report.notes if n.check == "gaps"]
    assert gap.count == 1 and gap.examples == (110000,)
    assert "110000 lacks 2016, 2017" in gap.message
    assert report.ok


def test_biennial_data_has_no_gaps_or_holes():
    report = check_panel(balanced(years=range(2010, 2020, 2)), "city", "year")
    assert report.notes == () and report.balanced


def test_period_hole_reported_once_not_as_unit_gaps():
    df = balanced(years=[2007, 2008, 2010])
    report = check_panel(df, "city", "year")
    assert checks(report.notes) == ["period_holes"]
    assert "2009" in report.notes[0].message
    assert report.balanced


def test_singletons_counted():
    df = pd.concat([balanced(), pd.DataFrame({"city": [7, 8], "year": [2016, 2017]})])
    report = check_panel(df, "city", "year")
    (single,) = [n for n in report.notes if n.check == "singletons"]
    assert single.count == 2 and single.examples == (7, 8)


def test_unbalanced_note_counts_units():
    df = balanced().drop(index=[0])
    (note,) = [n for n in check_panel(df, "city", "year").notes if n.check == "unbalanced"]
    assert note.count == 1 and "1 of 4 units" in note.message


def test_string_units_work():
    df = balanced().assign(city=lambda d: "c" + d["city"].astype(str))
    report = check_panel(df, "city", "year")
    assert report.ok and report.n_units == 4


def test_input_never_mutated(messy):
    before = messy.copy(deep=True)
    check_panel(messy, "city", "year", numeric=["y", "x"], required=["prov"])
    pd.testing.assert_frame_equal(messy, before)


def test_to_frame_and_str(messy):
    report = check_panel(messy, "city", "year", numeric=["y"])
    frame = report.to_frame()
    assert frame.columns.tolist() == ["severity", "check", "column", "count", "examples", "message"]
    assert frame["severity"].tolist() == ["problem"] * len(report.problems) + ["note"] * len(
        report.notes
    )
    text = str(report)
    assert text.startswith("Panel check: 11 rows, 5 units, 3 periods (2007–2010), unbalanced")
    assert "Problems (2):" in text and "Notes (" in text
    assert "<pre>" in report._repr_html_()


def test_report_is_frozen():
    report = check_panel(balanced(), "city", "year")
    assert isinstance(report, ValidationReport)
    with pytest.raises(AttributeError):
        report.n_rows = 3  # type: ignore[misc]


def test_not_a_dataframe():
    with pytest.raises(PanelError, match="needs a pandas DataFrame, got dict"):
        check_panel({"city": [1]}, "city", "year")  # type: ignore[arg-type]


def test_single_string_numeric_is_one_column():
    report = check_panel(balanced(), "city", "year", numeric="y")
    assert report.ok


def test_sparse_grid_path_agrees_with_dense():
    # ids far apart force the sorted-keys path; the findings must not depend on the path
    df = balanced(n_units=6).drop(index=[1, 7, 8])
    dense = check_panel(df, "city", "year")
    sparse = check_panel(df.assign(city=lambda d: d["city"] * 10**9), "city", "year")
    assert [n.count for n in dense.notes] == [n.count for n in sparse.notes]
    assert checks(dense.notes) == checks(sparse.notes)


def big_panel(n_units: int, n_years: int = 10) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = n_units * n_years
    return pd.DataFrame(
        {
            "city": np.repeat(np.arange(n_units) * 7 + 100000, n_years),
            "year": np.tile(np.arange(2010, 2010 + n_years), n_units),
            "y": rng.normal(size=n),
            "x": rng.normal(size=n),
        }
    )


def test_one_million_rows_is_fast():
    df = big_panel(100_000)
    df.loc[[5, 6], "y"] = np.nan
    start = time.perf_counter()
    report = check_panel(df, "city", "year", numeric=["y", "x"])
    elapsed = time.perf_counter() - start
    assert report.balanced and report.n_rows == 1_000_000
    assert elapsed < 2.0, f"check_panel took {elapsed:.2f}s on 1M rows"


@pytest.mark.slow
def test_ten_million_rows_in_a_few_seconds():
    df = big_panel(1_000_000)
    df = df.drop(index=np.arange(3, len(df), 97))  # gaps in many units
    start = time.perf_counter()
    report = check_panel(df, "city", "year", numeric=["y", "x"])
    elapsed = time.perf_counter() - start
    assert "gaps" in checks(report.notes)
    assert elapsed < 6.0, f"check_panel took {elapsed:.2f}s on 10M rows"
