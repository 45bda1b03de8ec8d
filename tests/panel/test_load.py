import gzip
import hashlib

import numpy as np
import pandas as pd
import pytest

from pilotdid import load_panel
from pilotdid.errors import PanelError


@pytest.fixture
def panel() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "city": np.repeat([520100, 110000, 130100], 3),
            "year": np.tile([2015, 2016, 2017], 3),
            "lnESF": np.linspace(9.0, 10.0, 9),
            "treat": np.repeat([1, 1, 0], 3),
            "name": np.repeat(["Guiyang", "Beijing", "Shijiazhuang"], 3),
        }
    )


def _write(frame: pd.DataFrame, path) -> None:
    name = path.name
    if name.endswith((".csv", ".csv.gz")):
        frame.to_csv(path, index=False)
    elif name.endswith((".tsv", ".tsv.gz")):
        frame.to_csv(path, index=False, sep="\t")
    elif name.endswith(".xlsx"):
        frame.to_excel(path, index=False, sheet_name="data")
    elif name.endswith(".dta"):
        frame.to_stata(path, write_index=False)
    elif name.endswith(".parquet"):
        frame.to_parquet(path, index=False)


SUFFIXES = [".csv", ".csv.gz", ".tsv", ".tsv.gz", ".xlsx", ".dta", ".parquet"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_round_trip(tmp_path, panel, suffix):
    path = tmp_path / f"panel{suffix}"
    _write(panel, path)
    loaded = load_panel(path)
    # Stata stores int32 and Excel may widen; compare values, not storage types
    pd.testing.assert_frame_equal(loaded, panel, check_dtype=False)
    assert isinstance(loaded.index, pd.RangeIndex)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_columns_subset_in_requested_order(tmp_path, panel, suffix):
    path = tmp_path / f"panel{suffix}"
    _write(panel, path)
    loaded = load_panel(path, columns=["lnESF", "city"])
    assert loaded.columns.tolist() == ["lnESF", "city"]
    np.testing.assert_allclose(loaded["lnESF"], panel["lnESF"])


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_unknown_column_suggests_a_name(tmp_path, panel, suffix):
    path = tmp_path / f"panel{suffix}"
    _write(panel, path)
    with pytest.raises(PanelError, match=r"not found in .*'lnESf'.*did you mean 'lnESF'"):
        load_panel(path, columns=["city", "lnESf"])


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_file_is_never_modified(tmp_path, panel, suffix):
    path = tmp_path / f"panel{suffix}"
    _write(panel, path)
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    load_panel(path)
    load_panel(path, columns=["city"])
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before


def test_gzipped_csv_is_really_compressed(tmp_path, panel):
    path = tmp_path / "panel.csv.gz"
    _write(panel, path)
    assert gzip.decompress(path.read_bytes()).startswith(b"city,year")
    assert load_panel(path)["city"].tolist() == panel["city"].tolist()


def test_stata_keeps_codes_numeric_and_labels_in_attrs(tmp_path, panel):
    path = tmp_path / "panel.dta"
    panel.to_stata(
        path,
        write_index=False,
        value_labels={"treat": {0: "control", 1: "pilot zone"}},
        variable_labels={"lnESF": "log export sophistication"},
    )
    loaded = load_panel(path)
    assert pd.api.types.is_integer_dtype(loaded["treat"])
    assert loaded["treat"].tolist() == panel["treat"].tolist()
    assert loaded.attrs["value_labels"] == {"treat": {0: "control", 1: "pilot zone"}}
    assert loaded.attrs["variable_labels"]["lnESF"] == "log export sophistication"
    labelled = load_panel(path, convert_categoricals=True)
    assert labelled["treat"].astype(str).tolist()[:3] == ["pilot zone"] * 3


def test_excel_sheet_by_name_and_position(tmp_path, panel):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        panel.head(2).to_excel(writer, sheet_name="notes", index=False)
        panel.to_excel(writer, sheet_name="data", index=False)
    assert len(load_panel(path)) == 2  # first sheet by default
    assert len(load_panel(path, sheet="data")) == len(panel)
    assert len(load_panel(path, sheet=1)) == len(panel)


def test_unknown_sheet_lists_sheets(tmp_path, panel):
    path = tmp_path / "book.xlsx"
    _write(panel, path)
    with pytest.raises(PanelError, match=r"sheet 'dat' not found .*did you mean 'data'.*sheets"):
        load_panel(path, sheet="dat")
    with pytest.raises(PanelError, match=r"sheet=3 is out of range.*1 sheet"):
        load_panel(path, sheet=3)


def test_sheet_for_non_excel_file_is_refused(tmp_path, panel):
    path = tmp_path / "panel.csv"
    _write(panel, path)
    with pytest.raises(PanelError, match="Excel files only"):
        load_panel(path, sheet="data")


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(PanelError, match=r"panel file not found: .*nope\.csv"):
        load_panel(path)


def test_directory_is_refused(tmp_path):
    with pytest.raises(PanelError, match="is not a file"):
        load_panel(tmp_path)


def test_unknown_suffix_lists_supported_ones(tmp_path):
    path = tmp_path / "panel.sav"
    path.write_bytes(b"x")
    with pytest.raises(PanelError, match=r"panel\.sav.*unknown file type '\.sav'.*\.csv.*\.dta"):
        load_panel(path)


@pytest.mark.parametrize(
    ("suffix", "kind"),
    [(".parquet", "Parquet"), (".dta", "Stata"), (".xlsx", "Excel"), (".csv.gz", "gzipped CSV")],
)
def test_corrupt_file_is_a_panel_error(tmp_path, suffix, kind):
    path = tmp_path / f"broken{suffix}"
    path.write_bytes(b"\x00garbage\xff" * 20)
    with pytest.raises(PanelError, match=rf"cannot read .*broken.* as {kind} data"):
        load_panel(path)


def test_empty_csv_is_a_panel_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(PanelError, match=r"cannot read .*empty\.csv as CSV data"):
        load_panel(path)


def test_missing_optional_reader_says_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "old.xls"
    path.write_bytes(b"x")

    def no_xlrd(*args, **kwargs):
        raise ImportError("Missing optional dependency 'xlrd'.")

    monkeypatch.setattr(pd, "ExcelFile", no_xlrd)
    with pytest.raises(PanelError, match=r"old\.xls.*xlrd.*install"):
        load_panel(path)


def test_duplicate_requested_column_is_refused(tmp_path, panel):
    path = tmp_path / "panel.csv"
    _write(panel, path)
    with pytest.raises(PanelError, match="lists a column twice"):
        load_panel(path, columns=["city", "city"])


def test_parquet_index_becomes_columns(tmp_path, panel):
    path = tmp_path / "indexed.parquet"
    panel.set_index(["city", "year"]).to_parquet(path)
    loaded = load_panel(path)
    assert loaded.columns.tolist()[:2] == ["city", "year"]
    assert isinstance(loaded.index, pd.RangeIndex)
