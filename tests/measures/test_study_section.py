"""The study file's [measures] section builds the outcome before the analysis runs."""

import numpy as np
import pytest

from pilotdid.errors import StudyFileError
from pilotdid.measures import expy, prody
from pilotdid.study.config import load_study
from pilotdid.study.prepare import prepare_panel
from tests.measures.reference import random_trade
from tests.study.conftest import MINIMAL, small_panel

YEARS = tuple(range(2012, 2020))
SECTION = """
[measures]
column = "lnESF"
trade = "trade/BACI_HS17_*.parquet"
gdp = "gdp.csv"
regional = "customs.csv"
level = "prov"
tertiary = "tertiary"
province = "province"
"""


@pytest.fixture
def project(tmp_path):
    trade, gdp = random_trade(seed=31, n_countries=5, n_products=8, years=YEARS, n_importers=2)
    (tmp_path / "trade").mkdir()
    for t, part in trade.groupby("t"):
        part.to_parquet(tmp_path / "trade" / f"BACI_HS17_Y{t}.parquet", index=False)
    gdp.to_csv(tmp_path / "gdp.csv", index=False)
    regional, _ = random_trade(seed=32, n_countries=2, n_products=8, years=YEARS, n_importers=1)
    regional = regional.assign(prov=regional.i.map({"C0": "A", "C1": "B"}))
    regional.to_csv(tmp_path / "customs.csv", index=False)
    panel = small_panel().assign(tertiary=lambda d: 0.3 + 0.01 * d.city)
    panel.to_csv(tmp_path / "panel.csv", index=False)
    study = MINIMAL.replace('outcome = "y"', 'outcome = "lnESF"') + SECTION
    (tmp_path / "study.toml").write_text(study, encoding="utf-8")
    return tmp_path, trade, gdp, regional, panel


def test_the_outcome_column_is_built_from_trade_records(project):
    folder, trade, gdp, regional, panel = project
    prepared = prepare_panel(load_study(folder / "study.toml"))
    e = expy(regional, prody(trade, gdp), level="prov").data
    want = panel.merge(e.rename(columns={"prov": "province", "t": "year"}), on=["province", "year"])
    want = np.log(want.tertiary * want.expy).to_numpy()
    got = prepared.data.sort_values(["city", "year"])["lnESF"].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert any("tertiary share x provincial EXPY; 0 of 192 panel rows" in n for n in prepared.notes)


def test_a_bad_measures_key_names_itself(project):
    folder = project[0]
    path = folder / "study.toml"
    path.write_text(path.read_text().replace('level = "prov"', 'level = "provnce"'))
    with pytest.raises(
        StudyFileError,
        match=r"measures: regional trade: column\(s\) not found: level='provnce' \(did you mean 'prov'",
    ):
        prepare_panel(load_study(path))
    path.write_text(path.read_text().replace('tertiary = "tertiary"', 'tertiary = "tertiery"'))
    with pytest.raises(StudyFileError, match="measures.tertiary: column 'tertiery'"):
        prepare_panel(load_study(path))


def test_validate_from_the_command_line(project, capsys):
    from pilotdid.cli import EXIT_OK, main

    folder = project[0]
    assert main(["validate", str(folder / "study.toml")]) == EXIT_OK
    assert "OK" in capsys.readouterr().out
