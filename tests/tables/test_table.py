import os

import pandas as pd
import pytest

import pilotdid
from pilotdid.errors import PilotdidError
from pilotdid.tables.cells import Number
from pilotdid.tables.table import SUFFIXES, ColumnGroup, Table, save_tables


def small():
    body = pd.DataFrame([[Number(0.0232, 4, "**"), "Yes"], [Number(0.00948, 5, enclose="()"), ""]],
                        index=["TP", ""], columns=["(1)", "(2)"])  # fmt: skip
    return Table(body, title="T", notes=["n"], rules=[1])


def test_construction_normalises_and_validates():
    t = small()
    assert t.notes == ("n",) and t.rules == (1,)
    assert Table(t.body, notes="one note").notes == ("one note",)
    with pytest.raises(PilotdidError, match="add up to the 2 columns"):
        Table(t.body, column_groups=[[ColumnGroup("G", 3)]])
    with pytest.raises(PilotdidError, match=r"rules=\(5,\)"):
        Table(t.body, rules=[5])
    with pytest.raises(PilotdidError, match="must be a pandas DataFrame"):
        Table([[1]])


def test_frames_and_repr():
    t = small()
    frame = t.to_frame()
    assert frame.iloc[0, 0] == 0.0232 and frame.iloc[1, 0] == 0.00948 and frame.iloc[0, 1] == "Yes"
    assert t.to_frame(numeric=False).iloc[1, 0] == "(0.00948)"
    assert repr(t) == str(t) == t.to_text()
    assert t.body.iloc[0, 0] == Number(0.0232, 4, "**")  # rendering never changes the data


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_save_picks_format_from_suffix(tmp_path, suffix):
    path = small().save(tmp_path / f"table{suffix}")
    assert path.exists() and path.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == [f"table{suffix}"]  # no temporary left behind
    if suffix in (".txt", ".md", ".tex", ".html"):
        assert "0.0232" in path.read_text(encoding="utf-8")


def test_save_tables_text_formats_concatenate(tmp_path):
    a, b = small(), Table(pd.DataFrame({"N": [3025]}, index=["lnESF"]), title="Second")
    md = save_tables([a, b], tmp_path / "all.md").read_text(encoding="utf-8")
    assert md.index("**T**") < md.index("**Second**")
    html = save_tables([a, b], tmp_path / "all.html").read_text(encoding="utf-8")
    assert html.count("<table") == 2 and html.count("<html>") == 1
    tex = save_tables((a, b), tmp_path / "all.tex").read_text(encoding="utf-8")
    assert tex.count(r"\begin{table}") == 2


def test_bad_paths_and_inputs(tmp_path):
    with pytest.raises(PilotdidError, match=r"suffix '.pdf'.*use one of .txt, .md"):
        small().save(tmp_path / "t.pdf")
    with pytest.raises(PilotdidError, match=r"suffix '\.doc' \(did you mean '\.docx'"):
        small().save(tmp_path / "t.doc")
    with pytest.raises(PilotdidError, match="does not exist; create it first"):
        small().save(tmp_path / "missing" / "t.md")
    with pytest.raises(PilotdidError, match="needs one or more pilotdid Table values"):
        save_tables([small(), "x"], tmp_path / "t.md")
    with pytest.raises(PilotdidError, match="got nothing"):
        save_tables([], tmp_path / "t.md")


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "t.xlsx"
    target.write_bytes(b"old")

    def broken(self, filename):
        with open(filename, "wb") as fh:
            fh.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr("openpyxl.Workbook.save", broken)
    with pytest.raises(PilotdidError, match="cannot write .*t.xlsx': disk full"):
        small().save(target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def test_written_file_has_ordinary_permissions(tmp_path):
    path = small().save(tmp_path / "t.md")
    assert os.stat(path).st_mode & 0o777 == 0o644


def test_public_names():
    for name in ("describe", "correlation", "vif", "etable", "Table", "save_tables", "Labels"):
        assert name in pilotdid.__all__
    assert pilotdid.Table is Table


@pytest.mark.parametrize(
    ("title", "parts"),
    [
        ("Table 3. PSM-DID Estimation Results", ("Table 3", "PSM-DID Estimation Results")),
        ("Table A1: Balance", ("Table A1", "Balance")),
        ("Table 3.1 Robustness", ("Table 3.1", "Robustness")),
        ("表4 影响机制", ("表4", "影响机制")),
        ("Tables of results", ("", "Tables of results")),
        ("Descriptive statistics", ("", "Descriptive statistics")),
    ],
)
def test_split_title_number(title, parts):
    from pilotdid.tables.table import split_title_number

    assert split_title_number(title) == parts
