"""The built-in city crosswalk and pilot-zone roster (package data)."""

import pandas as pd
import pytest

from pilotdid.errors import PanelError
from pilotdid.panel.rosters import AUTONOMOUS_REGION_CODES, bigdata_roster_table, cities_table

# prefecture-level cities per province in 2019, counted from modood/Administrative-divisions-of-China
# dist/cities.csv (names ending in 市), plus the four municipalities
CITIES_2019 = {
    11: 1, 12: 1, 13: 11, 14: 11, 15: 9, 21: 14, 22: 8, 23: 12, 31: 1, 32: 13, 33: 11, 34: 16,
    35: 9, 36: 11, 37: 16, 41: 17, 42: 12, 43: 13, 44: 21, 45: 14, 46: 4, 50: 1, 51: 18, 52: 6,
    53: 8, 54: 6, 61: 10, 62: 12, 63: 2, 64: 5, 65: 4,
}  # fmt: skip
HOST_PROVINCES = {52, 11, 12, 13, 44, 31, 41, 50, 21, 15}


@pytest.fixture(scope="module")
def table():
    return cities_table()


def test_codes_are_unique_six_digit_with_consistent_province(table):
    assert table["code"].is_unique
    assert table["code"].between(110000, 659999).all()
    assert (table["code"] // 10000 == table["province_code"]).all()
    assert (table.groupby("province_code")["province_en"].nunique() == 1).all()
    assert (table.groupby("province_code")["province_zh"].nunique() == 1).all()
    assert table["name_zh"].str.endswith("市").all()
    assert not table.duplicated(["province_code", "name_en"]).any()


def test_flags(table):
    assert (
        table["autonomous_region"] == table["province_code"].isin(AUTONOMOUS_REGION_CODES)
    ).all()
    assert set(table.loc[table["tier"] == "municipality", "code"]) == {
        110000,
        120000,
        310000,
        500000,
    }
    assert (table["tier"] == "sub-provincial").sum() == 15
    capitals = table.loc[table["provincial_capital"] & (table["tier"] != "municipality")]
    assert len(capitals) == 27 and capitals["province_code"].is_unique


def test_counts_per_year():
    assert len(cities_table(2007)) == 287
    assert len(cities_table(2019)) == 297
    per_province = cities_table(2019)["province_code"].value_counts().to_dict()
    assert per_province == CITIES_2019


@pytest.mark.parametrize(
    ("code", "name", "valid_from", "valid_to", "successor"),
    [
        (520100, "Guiyang", None, None, None),
        (210100, "Shenyang", None, None, None),
        (110000, "Beijing", None, None, None),
        (341400, "Chaohu", None, 2011, 340100),
        (371200, "Laiwu", None, 2018, 370100),
        (520500, "Bijie", 2011, None, None),
        (520600, "Tongren", 2011, None, None),
        (630200, "Haidong", 2013, None, None),
        (460300, "Sansha", 2012, None, None),
        (460400, "Danzhou", 2015, None, None),
        (650400, "Turpan", 2015, None, None),
        (650500, "Hami", 2016, None, None),
        (540200, "Shigatse", 2014, None, None),
        (540300, "Qamdo", 2014, None, None),
        (540400, "Nyingchi", 2015, None, None),
        (540500, "Shannan", 2016, None, None),
        (540600, "Nagqu", 2017, None, None),
        (420600, "Xiangyang", None, None, None),
    ],
)
def test_spot_checks(table, code, name, valid_from, valid_to, successor):
    row = table.set_index("code").loc[code]
    assert row["name_en"] == name

    def same(value, expected):
        return pd.isna(value) if expected is None else value == expected

    assert same(row["valid_from"], valid_from)
    assert same(row["valid_to"], valid_to)
    assert same(row["successor_code"], successor)


def test_notes_record_earlier_codes_and_renames(table):
    notes = table.set_index("code")["note"]
    assert "522400" in notes[520500] and "522200" in notes[520600]
    assert "Xiangfan" in notes[420600]
    assert "Hefei" in notes[341400] and "Wuhu" in notes[341400]


def test_year_filter_follows_validity():
    assert 341400 in set(cities_table(2011)["code"]) and 341400 not in set(
        cities_table(2012)["code"]
    )
    assert 371200 in set(cities_table(2018)["code"]) and 371200 not in set(
        cities_table(2019)["code"]
    )
    assert 520500 not in set(cities_table(2010)["code"]) and 520500 in set(
        cities_table(2011)["code"]
    )


@pytest.mark.parametrize("year", [2006, 2020, "2010", True, 2010.0])
def test_bad_year_is_a_clear_error(year):
    with pytest.raises(PanelError, match="2007-2019"):
        cities_table(year)


def test_returns_fresh_copies():
    first = cities_table()
    first.loc[0, "name_en"] = "changed"
    assert cities_table().loc[0, "name_en"] == "Beijing"


def test_roster_definitions():
    listed = bigdata_roster_table("cities")
    whole = bigdata_roster_table("provinces")
    assert len(listed) == 57 and listed["code"].is_unique
    assert len(whole) == 82 and whole["code"].is_unique
    assert set(listed["code"]) < set(whole["code"])
    assert listed.groupby("zone").size().to_dict() == {
        "Beijing-Tianjin-Hebei": 13, "Chongqing": 1, "Guizhou": 6, "Henan": 17,
        "Inner Mongolia": 9, "Pearl River Delta": 9, "Shanghai": 1, "Shenyang": 1,
    }  # fmt: skip
    assert set(listed.loc[listed["province_code"] == 21, "code"]) == {210100}


def test_province_definition_is_every_city_of_the_host_provinces():
    in_2016 = cities_table(2016)
    expected = set(in_2016.loc[in_2016["province_code"].isin(HOST_PROVINCES), "code"])
    assert set(bigdata_roster_table("provinces")["code"]) == expected


def test_roster_codes_are_in_the_city_table():
    merged = bigdata_roster_table("provinces").merge(
        cities_table(), on="code", suffixes=("", "_city")
    )
    assert len(merged) == 82
    assert (merged["name_zh"] == merged["name_zh_city"]).all()
    assert (merged["province_code"] == merged["province_code_city"]).all()


@pytest.mark.parametrize("later", [2016, 2017])
@pytest.mark.parametrize("definition", ["cities", "provinces"])
def test_adoption_years(definition, later):
    roster = bigdata_roster_table(definition, later_zones_year=later)
    guizhou = roster["province_code"] == 52
    assert (roster.loc[guizhou, "adoption_year"] == 2016).all()
    assert (roster.loc[~guizhou, "adoption_year"] == later).all()
    assert set(roster.loc[guizhou, "approval_date"]) == {"2016-02-25"}
    assert set(roster.loc[~guizhou, "approval_date"]) == {"2016-10-08"}


def test_roster_bad_options():
    with pytest.raises(PanelError, match="did you mean 'provinces'"):
        bigdata_roster_table("province")
    with pytest.raises(PanelError, match="later_zones_year=2018"):
        bigdata_roster_table("cities", later_zones_year=2018)
