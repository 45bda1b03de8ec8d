"""`pilotdid measure`: PRODY, EXPY and the city index from files; exit code 2 on bad input."""

import numpy as np
import pandas as pd
import pytest

from pilotdid.cli import EXIT_BAD_INPUT, EXIT_OK, main
from pilotdid.measures import expy, prody
from tests.measures.reference import random_trade


@pytest.fixture
def files(tmp_path):
    trade, gdp = random_trade(seed=21, n_countries=5, n_products=8, years=(2018, 2019))
    for t, part in trade.groupby("t"):
        part.to_parquet(tmp_path / f"BACI_HS17_Y{t}.parquet", index=False)
    gdp.to_csv(tmp_path / "gdp.csv", index=False)
    regional, _ = random_trade(seed=22, n_countries=3, n_products=8, years=(2018, 2019))
    regional = regional.rename(columns={"i": "province", "t": "year"})
    regional.to_parquet(tmp_path / "customs.parquet", index=False)
    shares = pd.DataFrame({"city": ["a", "b", "c"], "province": ["C0", "C0", "C1"]})
    shares = shares.merge(pd.DataFrame({"year": [2018, 2019]}), how="cross")
    shares["tertiary_share"] = np.linspace(0.3, 0.6, len(shares))
    shares.to_csv(tmp_path / "tertiary.csv", index=False)
    return tmp_path, trade, gdp, regional, shares


def test_measure_expy_writes_the_city_index(files, capsys):
    folder, trade, gdp, regional, shares = files
    out = folder / "lnESF.parquet"
    code = main(["measure", "expy", "--trade", str(folder / "BACI_*.parquet"),
                 "--gdp", str(folder / "gdp.csv"), "--regional", str(folder / "customs.parquet"),
                 "--level", "province", "--regional-year", "year",
                 "--tertiary", str(folder / "tertiary.csv"), "--log-name", "lnESF",
                 "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == EXIT_OK, err
    assert "computing PRODY" in err and "computing EXPY" in err and "wrote" in err
    got = pd.read_parquet(out)
    e = expy(regional, prody(trade, gdp), level="province", year="year").data
    want = shares.merge(e, on=["province", "year"])
    want = want.assign(lnESF=np.log(want.tertiary_share * want.expy)).sort_values(["city", "year"])
    got = got.sort_values(["city", "year"])
    np.testing.assert_allclose(got.lnESF.to_numpy(), want.lnESF.to_numpy(), rtol=1e-12)


def test_measure_prody_to_csv_keeps_leading_zeros(files, capsys):
    folder = files[0]
    out = folder / "prody.csv"
    code = main(["measure", "prody", "--trade", str(folder / "BACI_*.parquet"),
                 "--gdp", str(folder / "gdp.csv"), "--years", "2018", "2019", "--out", str(out),
                 "-q"])  # fmt: skip
    assert code == EXIT_OK and capsys.readouterr().err == ""
    text = out.read_text().splitlines()
    assert text[0] == "k,prody,n_years,n_exporters" and text[1].startswith("0")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gdp", "gdp.csv", "--trade", "none/*.parquet"], "no file matches"),
        (["--trade", "BACI_*.parquet"], "needs --gdp"),
        (["--trade", "BACI_*.parquet", "--gdp", "gdp.csv", "--level", "city"], "level='city'"),
    ],
)
def test_bad_input_exits_with_2_and_a_message(files, capsys, monkeypatch, args, message):
    folder = files[0]
    monkeypatch.chdir(folder)
    code = main(["measure", "expy", *args, "--out", "x.parquet"])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT and message in err and "pilotdid: error:" in err
    assert not (folder / "x.parquet").exists()
