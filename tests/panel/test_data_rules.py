"""check_panel and load_panel under the data rules: ±inf, empty panels, repeated headers."""

import gzip

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import PanelError
from pilotdid.panel.adoption import adoption_cohorts
from pilotdid.panel.frames import check_finite, check_unique_keys


@pytest.fixture
def small():
    return pd.DataFrame(
        {
            "city": [1, 1, 2, 2, 3, 3],
            "year": [2015, 2016] * 3,
            "y": [1.0, np.inf, 2.0, -np.inf, 3.0, np.inf],
            "x": [0.5, 0.1, np.nan, 0.2, 0.3, 0.4],
            "g": ["a", "b", "c", "d", "e", "f"],
        }
    )


def test_check_panel_lists_inf_with_count_and_keys(small):
    report = pdid.check_panel(small, "city", "year", numeric=["y", "x"], required=["g"])
    assert not report.ok
    (issue,) = report.problems
    assert issue.check == "non_finite" and issue.column == "y" and issue.count == 3
    assert issue.examples == (1, 3, 5)  # row labels
    assert "(city, year) = (1, 2016), (2, 2016), (3, 2016)" in issue.message
    assert "replace them with NaN" in issue.message
    with pytest.raises(PanelError, match=r"column 'y' holds inf or -inf in 3 rows"):
        report.raise_if_invalid()


def test_check_panel_reports_inf_in_every_column_at_once(small):
    data = small.assign(x=small["x"].replace(0.5, np.inf))
    report = pdid.check_panel(data, "city", "year", numeric=["y", "x"])
    assert [p.column for p in report.problems if p.check == "non_finite"] == ["y", "x"]


def test_inf_in_the_time_column_is_reported_once(small):
    data = small.assign(year=small["year"].astype(float).replace(2016.0, np.inf))
    report = pdid.check_panel(data, "city", "year")
    assert [p.check for p in report.problems] == ["non_finite"]


def test_check_panel_on_zero_rows_says_the_panel_is_empty(small):
    report = pdid.check_panel(small.iloc[:0], "city", "year", numeric=["y"])
    assert not report.ok and not report.balanced
    assert [p.check for p in report.problems] == ["empty"]
    assert "empty: 1 problem" in str(report) and "balanced: OK" not in str(report)


def test_check_finite_without_keys_lists_row_labels(small):
    data = small.set_index(pd.Index(list("abcdef")))
    with pytest.raises(PanelError, match=r"f: column 'y' .* row label\(s\) 'b', 'd', 'f';"):
        check_finite(data, ["y", "x", "g", "absent"], where="f")


def test_check_finite_ignores_integer_text_and_missing_columns(small):
    check_finite(small, ["city", "x", "g"])


def test_check_finite_finds_inf_in_object_columns():
    data = pd.DataFrame({"v": [1, "a", float("inf")]})
    with pytest.raises(PanelError, match="column 'v'"):
        check_finite(data, ["v"])


def test_check_unique_keys_is_check_panels_duplicate_rule(small):
    doubled = pd.concat([small, small.iloc[[0]]])
    report = pdid.check_panel(doubled, "city", "year")
    (dup,) = report.problems
    with pytest.raises(PanelError) as info:
        check_unique_keys(doubled, "city", "year", where="f")
    assert dup.message in str(info.value)


# --- the never-treated rule -------------------------------------------------------------------


@pytest.mark.parametrize("never", [np.nan, 0, np.inf, None, ""])
def test_adoption_cohorts_reads_every_never_code(never):
    data = pd.DataFrame(
        {"u": [1, 1, 2, 2], "t": [2015, 2016] * 2, "g": pd.Series([2016, 2016, never, never])}
    )
    found = adoption_cohorts(data, "u", "g", time="t")
    assert np.isnan(found.per_unit[1]) and found.per_unit[0] == 2016
    assert np.isnan(found.per_row[2:]).all()


def test_adoption_cohorts_refuses_a_cohort_varying_within_unit():
    data = pd.DataFrame({"u": [1, 1], "g": [2016, np.inf]})
    with pytest.raises(PanelError, match=r"varies within 1 unit.*1: 2016, never"):
        adoption_cohorts(data, "u", "g")


# --- repeated header names ----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".csv.gz"])
def test_load_panel_refuses_a_repeated_csv_header(tmp_path, suffix):
    sep = "\t" if suffix == ".tsv" else ","
    path = tmp_path / f"panel{suffix}"
    text = sep.join(["city", "year", "FIN", "x", "FIN"]) + "\n" + sep.join("12345") + "\n"
    if suffix.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    with pytest.raises(
        PanelError, match=r"names 1 column\(s\) more than once: 'FIN' in columns 3, 5"
    ):
        pdid.load_panel(path)


def test_load_panel_refuses_a_repeated_excel_header(tmp_path):
    path = tmp_path / "panel.xlsx"
    frame = pd.DataFrame([[1, 2015, 0.1, 0.2]], columns=["city", "year", "FIN", "FIN"])
    frame.to_excel(path, index=False)
    with pytest.raises(PanelError, match=r"'FIN' in columns 3, 4"):
        pdid.load_panel(path)


def test_load_panel_refuses_repeated_parquet_fields(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "panel.parquet"
    pq.write_table(pa.table([pa.array([1]), pa.array([2])], names=["a", "a"]), path)
    with pytest.raises(PanelError, match=r"'a' in columns 1, 2"):
        pdid.load_panel(path)


def test_load_panel_keeps_names_that_only_look_like_copies(tmp_path):
    path = tmp_path / "panel.csv"
    path.write_text("FIN,FIN.1,,\n1,2,3,4\n")
    assert pdid.load_panel(path).columns.tolist() == ["FIN", "FIN.1", "Unnamed: 2", "Unnamed: 3"]
