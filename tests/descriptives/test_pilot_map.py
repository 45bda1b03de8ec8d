"""The map of the pilot units: built-in coordinates, the land, pilot_map in en/zh, user points."""

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.path import Path as MplPath

from pilotdid import datasets, figures
from pilotdid.datasets.geo import city_coordinates, land_rings
from pilotdid.descriptives.pilot_map import CHINA_EXTENT, pilot_map, unit_points
from pilotdid.errors import PanelError, PilotdidWarning


@pytest.fixture(scope="module")
def demo():
    return datasets.demo_panel(seed=5).data


def _points(fig):
    """lon/lat of every scatter point drawn, by legend label."""
    ax = fig.axes[0]
    return {c.get_label(): np.asarray(c.get_offsets()) for c in ax.collections[1:]}


def _note(fig):
    return fig.texts[-1].get_text()


# --- built-in coordinates -------------------------------------------------------------------


def test_every_city_of_the_crosswalk_has_a_point_in_china():
    xy = city_coordinates()
    assert xy["code"].tolist() == datasets.cities()["code"].tolist()  # same 299 codes, same order
    assert xy[["lon", "lat"]].notna().all().all()
    lon0, lon1, lat0, lat1 = CHINA_EXTENT
    assert xy["lon"].between(lon0, lon1).all() and xy["lat"].between(lat0 - 1, lat1).all()
    assert not xy.duplicated(["lon", "lat"]).any()


@pytest.mark.parametrize("definition", ["provinces", "cities"])
def test_every_unit_of_the_demo_panel_and_the_rosters_has_a_point(definition):
    codes = set(datasets.demo_panel(seed=1, definition=definition).data["code"])
    codes |= set(datasets.bigdata_roster(definition)["code"])
    points = unit_points(pd.DataFrame({"code": sorted(codes)}), "code")
    assert points.notna().all().all()


@pytest.mark.parametrize(
    ("code", "lon", "lat"),
    [(110000, 116.4, 39.9), (310000, 121.5, 31.2), (650100, 87.6, 43.8), (460200, 109.5, 18.3),
     (230100, 126.5, 45.8), (540100, 91.1, 29.6)],
)  # fmt: skip
def test_known_city_seats(code, lon, lat):
    row = city_coordinates().set_index("code").loc[code]
    assert abs(row["lon"] - lon) < 0.3 and abs(row["lat"] - lat) < 0.3


def test_coordinates_are_a_fresh_copy():
    xy = city_coordinates()
    xy.loc[0, "lon"] = 0.0
    assert city_coordinates().loc[0, "lon"] != 0.0


def test_land_has_the_coasts_of_china_and_its_islands_and_no_antimeridian_jump():
    rings = land_rings()
    assert len(rings) > 500
    for lon, lat in [(104.0, 35.0), (121.0, 23.7), (109.8, 19.2)]:  # mainland, Taiwan, Hainan
        assert any(MplPath(r).contains_point((lon, lat)) for r in rings), (lon, lat)
    assert not any(MplPath(r).contains_point((125.0, 33.0)) for r in rings)  # East China Sea
    assert max(float(np.abs(np.diff(r[:, 0])).max()) for r in rings) < 30


# --- the figure ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_demo_map_renders_with_cohorts_controls_and_sources(demo, language, tmp_path):
    before = demo.copy()
    fig = figures.pilot_map(demo, unit="code", cohort="adoption_year", language=language)
    pd.testing.assert_frame_equal(demo, before)  # input untouched
    fig.savefig(tmp_path / f"map_{language}.png")
    assert (tmp_path / f"map_{language}.png").stat().st_size > 20_000
    drawn = _points(fig)
    assert sum(len(v) for v in drawn.values()) == demo["code"].nunique() == 280
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    if language == "en":
        assert legend == [
            "Adopted 2016 (n = 4)",
            "Adopted 2017 (n = 76)",
            "Never treated (n = 200)",
        ]
        assert fig.axes[0].get_title() == "80 treated and 200 control units"
        assert "Natural Earth" in _note(fig) and "CC BY 4.0" in _note(fig)
    else:
        assert legend[-1] == "从未处理（200 个）"
        assert "公有领域" in _note(fig)
    assert "missing" not in _note(fig) and "缺少" not in _note(fig)
    # Guiyang (a 2016 unit) is drawn at its seat
    seat = city_coordinates().set_index("code").loc[520100, ["lon", "lat"]].to_numpy(float)
    first_wave = drawn[legend[0]]
    assert np.isclose(first_wave, seat).all(axis=1).any()


def test_the_land_is_drawn_and_can_be_left_out(demo):
    with_land = pilot_map(demo, unit="code", cohort="adoption_year")
    without = pilot_map(demo, unit="code", cohort="adoption_year", basemap=False)
    assert len(with_land.axes[0].collections) == len(without.axes[0].collections) + 1
    assert "Natural Earth" not in _note(without)


def test_treated_indicator_instead_of_cohorts(demo):
    fig = pilot_map(demo, unit="code", treated="treat")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["Treated (n = 80)", "Control (n = 200)"]


def test_a_map_without_controls_has_no_empty_legend_entry():
    data = pd.DataFrame({"code": [520100, 110000], "g": [2016, 2017]})
    fig = pilot_map(data, unit="code", cohort="g")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["Adopted 2016 (n = 1)", "Adopted 2017 (n = 1)"]
    assert fig.axes[0].get_title() == "2 treated and 0 control units"


def test_users_own_units_with_lon_lat(tmp_path):
    data = pd.DataFrame(
        {
            "region": ["Paris", "Paris", "Lyon", "Lyon", "Lille", "Lille"],
            "year": [2019, 2020] * 3,
            "adopted": [2020, 2020, None, None, 2021, 2021],
            "x": [2.35, 2.35, 4.83, 4.83, 3.06, 3.06],
            "y": [48.86, 48.86, 45.76, 45.76, 50.63, 50.63],
        }
    )
    fig = pilot_map(data, unit="region", cohort="adopted", time="year", lon="x", lat="y")
    drawn = _points(fig)
    assert drawn["Adopted 2020 (n = 1)"].tolist() == [[2.35, 48.86]]
    assert drawn["Never treated (n = 1)"].tolist() == [[4.83, 45.76]]
    x0, x1 = fig.axes[0].get_xlim()
    assert x0 < 2.35 and x1 > 4.83 and x1 < 20  # the view is France, not China
    assert "columns x and y" in _note(fig)
    fig.savefig(tmp_path / "france.png")


def test_units_without_coordinates_are_counted_named_and_warned(demo):
    extra = pd.DataFrame({"code": [999999, 999998], "adoption_year": [pd.NA, 2017]})
    data = pd.concat([demo[["code", "adoption_year"]], extra], ignore_index=True)
    with pytest.warns(PilotdidWarning, match=r"2 of 282 units have no coordinates.*999999, 999998"):
        fig = pilot_map(data, unit="code", cohort="adoption_year")
    assert "2 of 282 units have no coordinates and are not shown: 999999, 999998." in _note(fig)
    assert sum(len(v) for v in _points(fig).values()) == 280
    with pytest.warns(PilotdidWarning):
        zh = pilot_map(data, unit="code", cohort="adoption_year", language="zh")
    assert "282 个个体中有 2 个缺少坐标" in _note(zh)


def test_no_warning_when_every_unit_has_a_point(demo):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pilot_map(demo, unit="code", cohort="adoption_year")


def test_units_that_are_not_city_codes_need_lon_lat():
    data = pd.DataFrame({"city": ["a", "b"], "g": [2016, None]})
    with pytest.raises(PanelError, match="no unit of column 'city' has a point.*lon= and lat="):
        pilot_map(data, unit="city", cohort="g")


def test_city_codes_as_text_are_found():
    data = pd.DataFrame({"city": ["520100", " 110000"], "g": [2016, None]})
    fig = pilot_map(data, unit="city", cohort="g")
    assert sum(len(v) for v in _points(fig).values()) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give cohort= .* or treated="),
        ({"cohort": "g", "treated": "t"}, "not both"),
        ({"cohort": "g", "lon": "x"}, "both lon= and lat="),
        ({"cohort": "nope"}, "column\\(s\\) not found"),
        ({"treated": "g"}, "must be 0/1"),
        ({"cohort": "g", "lon": "x", "lat": "name"}, "must hold numbers"),
        ({"cohort": "g", "lon": "y", "lat": "x"}, "beyond \\+/-90"),
    ],
)
def test_bad_arguments_are_clear_errors(kwargs, message):
    data = pd.DataFrame(
        {"u": [1, 2], "g": [2016, 2017], "t": [1, 0], "x": [120.0, 121.0], "y": [100.0, 30.0],
         "name": ["a", "b"]}
    )  # fmt: skip
    with pytest.raises(PanelError, match=message):
        pilot_map(data, unit="u", **kwargs)


def test_coordinates_varying_within_a_unit_are_refused():
    data = pd.DataFrame({"u": [1, 1], "g": [2016, 2016], "x": [1.0, 2.0], "y": [3.0, 3.0]})
    with pytest.raises(PanelError, match="'x' differs within unit\\(s\\) 1"):
        pilot_map(data, unit="u", cohort="g", lon="x", lat="y")


def test_the_figure_namespace_is_public():
    import pilotdid

    assert pilotdid.figures.pilot_map is pilot_map is pilotdid.pilot_map
    assert set(figures.__all__) >= {"pilot_map", "event_study_figure", "placebo_figure"}
