import math

import pytest

from pilotdid.errors import PilotdidError
from pilotdid.tables.cells import (
    Number,
    as_number,
    auto_decimals,
    cell_text,
    format_value,
    stars_for,
    stars_note,
    validate_stars,
)

# Every coefficient, standard error and R² printed in the paper's Tables 3-5, as printed.
PAPER_NUMBERS = """
0.0424 0.00945 0.0232 0.00948 -0.0819 0.0314 -0.0349 0.0216 0.00811 0.0645 488.0 101.9 1,645
490.9 -0.0928 0.0154 -0.140 0.0597 -0.356 0.0927 0.491 0.457 0.227 0.0794 0.122 0.248 -0.0347
0.0353 -0.180 0.250 -0.0400 0.0112 -0.133 0.0487 9.563 0.00202 11.56 0.407 13.60 2.514 0.973
0.976 0.988 0.000379 0.000212 -0.142 0.0309 0.0167 0.0113 0.106 0.0240 0.0499 0.0160 -0.00192
-0.0367 0.00907 -5.017 1.329 8.911 0.488 -0.0342 0.207 11.46 11.87 0.481 0.541 0.886 0.979
0.791 0.985 0.0368 0.00922 0.158 0.0292 0.0287 0.00213 0.0344 0.00248 -0.0122 0.00278 -0.0453
-0.0516 0.0205 837.1 99.68 773.3 100.4 -0.119 0.0151 -0.124 -0.282 0.0883 -0.325 0.0885 0.246
0.0763 0.195 0.0769 -0.0398 0.0333 -0.0368 0.0332 -0.0437 0.0106 -0.0427 11.68 0.387 11.73 0.386
""".split()


@pytest.mark.parametrize("printed", PAPER_NUMBERS)
def test_default_rule_reproduces_every_number_of_the_paper(printed):
    assert str(format_value(float(printed.replace(",", "")))) == printed


@pytest.mark.parametrize("printed", ["2,963", "218", "2,800", "1,344", "2,919"])
def test_counts_are_integers_with_thousands(printed):
    assert str(format_value(int(printed.replace(",", "")))) == printed


def test_rounding_into_the_next_power_of_ten_is_recounted():
    assert auto_decimals(0.99996) == 3  # shows 1.000, as 1.0 would
    assert str(format_value(9.9996)) == "10.00"
    assert str(format_value(-0.0009996)) == "-0.00100"


def test_fixed_decimals_override_and_digits():
    assert str(format_value(0.0232, decimals=2)) == "0.02"
    assert str(format_value(0.023249, digits=4)) == "0.02325"
    assert str(format_value(1234.5678, digits=6)) == "1,234.568"


def test_number_keeps_exact_value_and_formats_once():
    value = 0.023249999999
    cell = format_value(value, stars="**")
    assert cell.value == value
    assert str(cell) == "0.0232**"
    assert str(Number(-2.6083, 2, enclose="()")) == "(-2.61)"
    assert str(Number(0.5, 3, enclose="[]")) == "[0.500]"
    assert Number(float("nan")).core() == ""


@pytest.mark.parametrize(
    ("cell", "fmt"),
    [
        (Number(0.0232, 4, "**"), '#,##0.0000"**";"-"#,##0.0000"**"'),
        (Number(0.00948, 5, enclose="()"), '"("#,##0.00000")";"(-"#,##0.00000")"'),
        (Number(2963, 0), '#,##0;"-"#,##0'),
        (Number(1.5, 1, thousands=False), '0.0;"-"0.0'),
    ],
)
def test_excel_format_shows_stars_and_brackets_as_literals(cell, fmt):
    assert cell.excel_format() == fmt


@pytest.mark.parametrize(
    ("p", "stars"),
    [(0.0, "***"), (0.0099, "***"), (0.01, "**"), (0.049, "**"), (0.05, "*"), (0.0999, "*"),
     (0.1, ""), (0.5, ""), (math.nan, "")],
)  # fmt: skip
def test_stars_are_strict_inequalities(p, stars):
    assert stars_for(p, (0.1, 0.05, 0.01)) == stars


def test_custom_thresholds_and_their_note_agree():
    levels = validate_stars([0.01, 0.001, 0.05])
    assert levels == (0.05, 0.01, 0.001)
    assert stars_for(0.005, levels) == "**"
    assert stars_note(levels) == "*** p<0.001, ** p<0.01, * p<0.05"
    assert stars_note(levels, "zh") == "***、**、*分别表示在0.1%、1%、5%的水平上显著"
    assert validate_stars(False) == () and stars_note(()) == ""
    assert validate_stars(None) == validate_stars(True) == (0.1, 0.05, 0.01)


@pytest.mark.parametrize("bad", [[0.1, 0.1], [1.5], ["x"], [0]])
def test_bad_star_thresholds_are_errors(bad):
    with pytest.raises(PilotdidError, match="stars="):
        validate_stars(bad)


def test_cell_text_and_as_number_handle_plain_values():
    import numpy as np
    import pandas as pd

    assert cell_text(None) == cell_text(pd.NA) == cell_text(float("nan")) == ""
    assert cell_text(np.int64(3025)) == "3,025"
    assert cell_text(np.float64(0.0232)) == "0.0232"
    assert cell_text("Yes") == "Yes"
    assert as_number(np.int64(7)).value == 7 and isinstance(as_number(np.int64(7)).value, int)
    assert as_number(True) is None and as_number("1") is None and as_number(float("inf")) is None
