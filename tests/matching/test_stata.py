"""MatchResult.to_stata: psmatch2's variables, labels and legal names, read back from the file."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.tables.stata import RESERVED, stata_names, write_dta

pyreadstat = pytest.importorskip("pyreadstat")

PSMATCH2 = ["_pscore", "_treated", "_support", "_weight", "_id", "_nn", "_n1", "_n2", "_pdif"]
LEGAL = re.compile(r"^[^\W\d]\w{0,31}$")


def _read(path):
    data, meta = pyreadstat.read_dta(str(path))
    return data, meta


def _same(written: pd.Series, read: pd.Series) -> None:
    a = pd.to_numeric(written, errors="coerce").astype(float).to_numpy()
    b = read.astype(float).to_numpy()
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a[~np.isnan(a)], b[~np.isnan(b)], rtol=0, atol=0)


@pytest.mark.parametrize("panel_mode", ["by_year", "pooled"])
def test_every_psmatch2_column_reads_back(panel, tmp_path, panel_mode):
    res = pdid.match(panel, "did", ["x1", "x2"], unit="city", time="year", panel=panel_mode,
                     k=2, caliper=0.05, common=True)  # fmt: skip
    out = res.to_stata(tmp_path / "matched.dta")
    data, meta = _read(out.path)
    assert out.path == tmp_path / "matched.dta"
    assert (out.n_rows, out.n_columns) == res.data.shape == data.shape
    assert list(data.columns) == [str(c) for c in res.data.columns]
    for col in PSMATCH2:
        assert col in data.columns, col
        _same(res.data[col].reset_index(drop=True), data[col])
    # the numbers a Stata user works with: the matched sample and the weights
    assert data["_weight"].notna().sum() == len(res.analysis_sample("matched"))
    assert data["_nn"].max() == 2
    _same(res.data["y"].reset_index(drop=True), data["y"])
    labels = meta.column_names_to_labels
    for col in PSMATCH2:
        assert labels[col] and labels[col].startswith("psmatch2:"), col
    assert "matched control no. 2" in labels["_n2"]
    assert meta.file_label.startswith("pilotdid match")
    assert out.renamed == {}


def test_names_are_made_legal_and_reported(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=200)})
    df["d"] = (df.x + rng.normal(size=200) > 1).astype(int)
    df["GDP per capita"] = 1.0
    df["2010 value"] = 2.0
    df["in"] = 3.0
    df["a" * 40] = 4.0
    df["经济增长"] = 5.0
    df["flag"] = df.x > 0
    df["region"] = pd.Categorical(np.where(df.x > 0, "east", "west"))
    res = pdid.match(df, "d", ["x"], panel="pooled")
    out = res.to_stata(tmp_path / "m.dta")
    data, meta = _read(out.path)
    assert dict(out.renamed) == {
        "GDP per capita": "GDP_per_capita", "2010 value": "v2010_value", "in": "vin",
        "a" * 40: "a" * 32,
    }  # fmt: skip
    for name in data.columns:
        assert LEGAL.match(name) and name not in RESERVED, name
        assert len(name) <= 32
    assert meta.column_names_to_labels["GDP_per_capita"] == "GDP per capita"
    assert "经济增长" in data.columns  # Stata 14+ accepts Unicode letters
    assert set(data["flag"]) == {0, 1}
    assert set(data["region"]) == {"east", "west"}
    assert res.data["GDP per capita"].eq(1.0).all()  # the result is not touched


def test_clashing_names_are_unique():
    names = stata_names(["a b", "a_b", "a-b", "_n", "str12", "x" * 33, "x" * 34])
    assert len(set(names.values())) == len(names)
    assert names["a_b"] == "a_b"
    assert names["_n"] == "v_n" and names["str12"] == "vstr12"
    assert all(len(n) <= 32 for n in names.values())


def test_write_is_atomic_and_folder_errors_are_clear(tmp_path):
    df = pd.DataFrame({"x": [1.0, 2.0]})
    target = tmp_path / "x.dta"
    write_dta(df, target)
    before = target.read_bytes()
    bad = pd.DataFrame({"x": ["a", 1]})
    with pytest.raises(pdid.PilotdidError, match="mixes text"):
        write_dta(bad, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["x.dta"]
    with pytest.raises(pdid.PilotdidError, match="does not exist"):
        write_dta(df, tmp_path / "missing" / "x.dta")
