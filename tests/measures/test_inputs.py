"""Inputs: files and patterns, product codes as text, mixed revisions refused, clear errors."""

import numpy as np
import pandas as pd
import pytest

from pilotdid.errors import MeasureError
from pilotdid.measures import expy, prody
from tests.measures.reference import random_trade


@pytest.fixture(scope="module")
def data():
    return random_trade(seed=5, n_countries=5, n_products=8, years=(2018, 2019))


def test_parquet_glob_csv_and_dataframe_give_the_same_prody(data, tmp_path):
    trade, gdp = data
    for t, part in trade.groupby("t"):
        part.to_parquet(tmp_path / f"BACI_HS17_Y{t}_V202401.parquet", index=False)
        part.to_csv(tmp_path / f"BACI_HS17_Y{t}_V202401.csv", index=False)
    gdp.to_csv(tmp_path / "gdp.csv", index=False)
    from_frame = prody(trade, gdp).data
    from_parquet = prody(str(tmp_path / "BACI_*.parquet"), tmp_path / "gdp.csv")
    from_csv = prody([tmp_path / "BACI_HS17_Y2018_V202401.csv",
                      tmp_path / "BACI_HS17_Y2019_V202401.csv"], gdp)  # fmt: skip
    for got in (from_parquet, from_csv):
        pd.testing.assert_frame_equal(got.data, from_frame, check_dtype=False)
    assert from_parquet.revision == "HS17"


def test_codes_written_as_numbers_get_their_leading_zero_back(tmp_path):
    trade = pd.DataFrame({"t": 2019, "i": ["A", "B"], "k": ["010121", "020110"], "v": [1.0, 2.0]})
    path = tmp_path / "trade.csv"
    trade.assign(k=trade.k.astype(int)).to_csv(path, index=False)  # 10121: the zero is lost
    gdp = pd.DataFrame({"t": 2019, "i": ["A", "B"], "gdppc": [1.0, 2.0]})
    assert list(prody(path, gdp).data.k) == ["010121", "020110"]
    assert list(prody(trade.assign(k=trade.k.astype(int)), gdp).data.k) == ["010121", "020110"]


def test_mixed_hs_revisions_in_file_names_are_refused(data, tmp_path):
    trade, gdp = data
    trade[trade.t == 2018].to_parquet(tmp_path / "BACI_HS12_Y2018_V202401.parquet")
    trade[trade.t == 2019].to_parquet(tmp_path / "BACI_HS17_Y2019_V202401.parquet")
    with pytest.raises(MeasureError, match=r"several HS revisions \(HS12, HS17\)"):
        prody(str(tmp_path / "*.parquet"), gdp)


def test_mixed_revisions_in_a_column_are_refused(data):
    trade, gdp = data
    rev = np.where(trade.t == 2018, "HS12", "HS17")
    with pytest.raises(MeasureError, match="column 'rev' holds several HS revisions"):
        prody(trade.assign(rev=rev), gdp, revision="rev")
    assert prody(trade.assign(rev="HS17"), gdp, revision="rev").revision == "HS17"


def test_codes_of_several_lengths_are_refused(data):
    trade, gdp = data
    mixed = trade.copy()
    mixed.loc[mixed.index[:3], "k"] = "01012100"
    with pytest.raises(MeasureError, match="have 6 to 8 characters"):
        prody(mixed, gdp)


def test_expy_refuses_regional_records_in_another_revision(data, tmp_path):
    trade, gdp = data
    trade.to_parquet(tmp_path / "BACI_HS17_all.parquet")
    p = prody(tmp_path / "BACI_HS17_all.parquet", gdp)
    trade.to_parquet(tmp_path / "customs_HS07.parquet")
    with pytest.raises(MeasureError, match="PRODY is in HS17 but the regional records are in HS07"):
        expy(tmp_path / "customs_HS07.parquet", p, level="i")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t, g: prody("nowhere/*.parquet", g), "no file matches 'nowhere/"),
        (lambda t, g: prody(t, g, value="value"), r"value='value'"),
        (
            lambda t, g: prody(t, g, gdp_value="gdp_pc"),
            r"gdp_value='gdp_pc' \(did you mean 'gdppc'",
        ),
        (lambda t, g: prody(t, pd.concat([g, g])), "appear more than once"),
        (lambda t, g: prody(t, g.assign(i="X" + g.i)), "check that the exporter codes"),
        (lambda t, g: prody(t, g, years=[2010]), r"no record in the years \[2010\]"),
        (lambda t, g: prody(t, g, years=[2018], window=2), "not both"),
        (lambda t, g: prody(t, g, quality_adjusted=True), "needs quantity="),
        (lambda t, g: prody(t, g, engine="polars"), "engine"),
        (lambda t, g: prody(t, g, engine="spark"), "needs a SparkSession"),
        (lambda t, g: expy(t, prody(t, g), level="city"), "level='city'"),
        (lambda t, g: expy(t, prody(t, g), level="i", digits=4), "have 4 to 4 characters|digits=4"),
    ],
)
def test_bad_input_says_what_to_fix(data, call, message):
    trade, gdp = data
    with pytest.raises(MeasureError, match=message):
        call(trade, gdp)


def test_dropped_records_are_counted(data):
    trade, gdp = data
    bad = trade.copy()
    bad.loc[bad.index[:4], "v"] = np.nan
    bad.loc[bad.index[4], "v"] = -1.0
    r = prody(bad, gdp[gdp.i != "C0"])
    assert any("5 records without a usable value" in n for n in r.notes)
    n_c0 = int((bad.i == "C0").sum())
    assert any(
        f"2 exporter-years without GDP per capita left out ({n_c0:,} records" in n for n in r.notes
    )


def test_importing_pilotdid_does_not_import_duckdb():
    import subprocess
    import sys

    code = "import sys, pilotdid; pilotdid.measures; print('duckdb' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
