"""Loaders for the reference tables shipped in ``pilotdid/panel/rosters/`` (package data).

``cities.csv`` is the crosswalk of China's prefecture-level-and-higher cities 2007-2019 and
``bigdata_pilot.csv`` the roster of the national big data comprehensive pilot zones; their sources
and coding choices are documented in ``rosters/README.md``. The CSV files are read once per
process; every function returns a fresh copy, so callers may modify what they get.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from pilotdid.errors import PanelError
from pilotdid.options import LaterZonesYear, RosterDefinition, validate_option

__all__ = [
    "AUTONOMOUS_REGION_CODES",
    "FIRST_ZONE",
    "PANEL_YEARS",
    "bigdata_roster_table",
    "cities_table",
]

PANEL_YEARS: tuple[int, int] = (2007, 2019)
"""First and last year the city table covers."""

AUTONOMOUS_REGION_CODES: frozenset[int] = frozenset({15, 45, 54, 64, 65})
"""Province codes of the five provincial-level autonomous regions."""

FIRST_ZONE = "Guizhou"
"""The zone approved first (2016-02-25); it always adopts in 2016."""

# column kinds; every other column stays text
_CITY_COLUMNS = {
    "code": "int",
    "province_code": "int",
    "autonomous_region": "flag",
    "provincial_capital": "flag",
    "valid_from": "year",
    "valid_to": "year",
    "successor_code": "year",
}
_ROSTER_COLUMNS = {
    "code": "int",
    "province_code": "int",
    "in_city_list": "flag",
    "in_province_list": "flag",
}


@cache
def _read(name: str, kinds: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    source = resources.files("pilotdid.panel").joinpath("rosters", name)
    with source.open("r", encoding="utf-8") as handle:
        # everything as text first: an empty note stays "", empty year/code cells become <NA>
        frame = pd.read_csv(handle, dtype=str, keep_default_na=False)
    for column, kind in kinds:
        text = frame[column]
        if kind == "int":
            frame[column] = text.astype("int64")
        elif kind == "flag":
            frame[column] = text.astype("int64") == 1
        else:
            frame[column] = pd.to_numeric(text.replace("", None)).astype("Int64")
    return frame


def cities_table(year: int | None = None) -> pd.DataFrame:
    """Return the prefecture-level city crosswalk, optionally only the cities existing in ``year``.

    Parameters
    ----------
    year : int, optional
        Keep the cities that were prefecture-level cities (or municipalities) at some time in
        ``year``: ``valid_from <= year <= valid_to`` with a missing bound meaning open. Must lie
        in 2007-2019.

    Returns
    -------
    pandas.DataFrame
        One row per city: ``code`` (6-digit GB/T 2260), ``name_zh``, ``name_en``,
        ``province_code``, ``province_zh``, ``province_en``, ``autonomous_region``, ``tier``
        (municipality / sub-provincial / prefecture), ``provincial_capital``, ``valid_from``,
        ``valid_to``, ``successor_code``, ``note``.

    Raises
    ------
    PanelError
        If ``year`` lies outside 2007-2019.

    Examples
    --------
    >>> table = cities_table(2010)
    >>> int(table.loc[table["name_en"] == "Guiyang", "code"].iloc[0])
    520100
    """
    frame = _read("cities.csv", tuple(_CITY_COLUMNS.items())).copy()
    if year is None:
        return frame
    first, last = PANEL_YEARS
    if (
        isinstance(year, bool)
        or not isinstance(year, int | np.integer)
        or not first <= year <= last
    ):
        raise PanelError(
            f"year={year!r} is outside the city table; pass an integer year in {first}-{last}."
        )
    starts = frame["valid_from"].fillna(first)
    ends = frame["valid_to"].fillna(last)
    return frame.loc[(starts <= year) & (ends >= year)].reset_index(drop=True)


def bigdata_roster_table(
    definition: RosterDefinition = "provinces",
    later_zones_year: LaterZonesYear = 2017,
) -> pd.DataFrame:
    """Return the treated cities of the big data pilot zones with their adoption years.

    Parameters
    ----------
    definition : {"provinces", "cities"}, default "provinces"
        ``"cities"``: the cities each zone lists (57). ``"provinces"``: every prefecture-level
        city of the provincial units that host a zone (82; 80 of them are cities throughout
        2007-2019, which gives the paper's 28.7 % treated share among 280 cities).
    later_zones_year : {2016, 2017}, default 2017
        Adoption year coded for the seven zones approved on 2016-10-08; Guizhou (approved
        2016-02-25) always adopts in 2016.

    Returns
    -------
    pandas.DataFrame
        One row per treated city: ``code``, ``name_zh``, ``name_en``, ``province_code``,
        ``zone``, ``zone_zh``, ``zone_type``, ``approval_date``, ``adoption_year``.

    Raises
    ------
    PanelError
        If an option is not one of the allowed values.

    Examples
    --------
    >>> roster = bigdata_roster_table("cities", later_zones_year=2016)
    >>> len(roster), sorted(roster["adoption_year"].unique().tolist())
    (57, [2016])
    """
    validate_option(definition, RosterDefinition, "definition", PanelError)
    validate_option(later_zones_year, LaterZonesYear, "later_zones_year", PanelError)
    frame = _read("bigdata_pilot.csv", tuple(_ROSTER_COLUMNS.items()))
    flag = "in_city_list" if definition == "cities" else "in_province_list"
    roster = frame.loc[frame[flag]].reset_index(drop=True)
    first = roster["zone"] == FIRST_ZONE
    roster["adoption_year"] = np.where(first, 2016, int(later_zones_year)).astype("int64")
    columns = ["code", "name_zh", "name_en", "province_code", "zone", "zone_zh", "zone_type"]
    return roster[[*columns, "approval_date", "adoption_year"]].copy()
