"""adoption_from_indicator: adoption periods from a 0/1 column, switch-offs refused and listed."""

import numpy as np
import pandas as pd
import pytest

import pilotdid
from pilotdid import PanelError, adoption_from_indicator, assign_treatment
from pilotdid.panel.indicator import indicator_adoption


def _panel(rows: dict[str, list[int | float]], years=(2014, 2015, 2016, 2017)) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"city": u, "year": y, "post": v}
            for u, values in rows.items()
            for y, v in zip(years, values, strict=True)
        ]
    )


def test_first_one_is_the_adoption_period_and_never_treated_units_are_left_out():
    df = _panel({"a": [0, 1, 1, 1], "b": [0, 0, 0, 1], "c": [0, 0, 0, 0], "d": [1, 1, 1, 1]})
    out = adoption_from_indicator(df, "post", unit="city", time="year")
    assert out.to_dict() == {"a": 2015, "b": 2017, "d": 2014}
    assert out.index.name == "city"


def test_rows_out_of_order_and_missing_values_are_read_by_period():
    df = _panel({"a": [0, np.nan, 1, 1], "b": [np.nan, 0, 0, 0]}).sample(frac=1, random_state=3)
    before = df.copy()
    out = adoption_from_indicator(df, "post", unit="city", time="year")
    assert out.to_dict() == {"a": 2016}
    pd.testing.assert_frame_equal(df, before)  # the input is never modified


def test_the_result_feeds_assign_treatment():
    df = _panel({"a": [0, 1, 1, 1], "b": [0, 0, 0, 0]})
    adoption = adoption_from_indicator(df, "post", unit="city", time="year")
    out = assign_treatment(df, adoption, unit="city", time="year", overwrite=True)
    assert out.data["did"].tolist() == df["post"].tolist()


def test_switch_off_is_refused_with_the_units_listed_and_counted():
    rows = {f"u{i}": [0, 1, 0, 1] for i in range(7)} | {"ok": [0, 0, 1, 1]}
    with pytest.raises(PanelError) as err:
        adoption_from_indicator(_panel(rows), "post", unit="city", time="year")
    msg = str(err.value)
    assert "switches off" in msg and "in 7 unit(s)" in msg
    assert "'u0' (1 from 2015, 0 again in 2016)" in msg and "'u4'" in msg
    assert "'u5'" not in msg and ", ..." in msg  # the first five, then the count
    assert "'ok'" not in msg and "allow_switch_off=True" in msg


def test_allow_switch_off_keeps_the_first_adoption():
    df = _panel({"a": [0, 1, 0, 1], "b": [1, 0, 0, 0], "c": [0, 0, 1, 1]})
    out = adoption_from_indicator(df, "post", unit="city", time="year", allow_switch_off=True)
    assert out.to_dict() == {"a": 2015, "b": 2014, "c": 2016}
    read = indicator_adoption(df, "post", unit="city", time="year")
    assert read.switch_off == ("a", "b") and read.first_off == (2016, 2015)


@pytest.mark.parametrize("bad", [2, -1, 0.5, "yes"])
def test_values_other_than_0_and_1_are_refused(bad):
    df = _panel({"a": [0, 1, 1, 1], "b": [0, 0, 0, 0]}).astype({"post": object})
    df.loc[5, "post"] = bad
    with pytest.raises(PanelError, match="must hold 0 and 1 only"):
        adoption_from_indicator(df, "post", unit="city", time="year")


def test_boolean_column_and_missing_column():
    df = _panel({"a": [0, 1, 1, 1], "b": [0, 0, 0, 0]})
    flags = df.assign(post=df["post"].astype(bool))
    assert adoption_from_indicator(flags, "post", unit="city", time="year").to_dict() == {"a": 2015}
    with pytest.raises(PanelError, match="'pots'.*did you mean 'post'"):
        adoption_from_indicator(df, "pots", unit="city", time="year")


def test_duplicate_keys_are_refused():
    df = _panel({"a": [0, 1, 1, 1]})
    with pytest.raises(PanelError):
        adoption_from_indicator(pd.concat([df, df]), "post", unit="city", time="year")


def test_exported():
    assert "adoption_from_indicator" in pilotdid.__all__
