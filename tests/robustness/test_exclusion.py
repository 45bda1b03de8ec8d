import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import PanelError

from .conftest import did_panel


@pytest.fixture
def data():
    df = did_panel(n_units=40, seed=2)
    df["province"] = df["unit"] % 8 + 10
    df["treat"] = df["cohort"].notna().astype(int)
    return df


def test_exclusion_reports_rows_units_and_treated_units(data):
    before = data.copy(deep=True)
    ex = pdid.exclude(
        data,
        "province",
        [15, 64, "45"],
        unit="unit",
        treatment="treat",
        label="No autonomous regions",
    )
    assert data.equals(before)
    gone = data[data["province"].isin([15])]
    assert ex.dropped_rows == len(gone)
    assert set(ex.dropped_units) == set(gone["unit"])
    assert set(ex.dropped_treated_units) == set(gone.loc[gone["treat"] == 1, "unit"])
    assert ex.not_found == (64, "45")
    assert "No autonomous regions: dropped" in ex.summary() and "not found" in ex.summary()
    fit = pdid.feols("y ~ did + x1 | unit + year", ex.data)
    manual = pdid.feols("y ~ did + x1 | unit + year", data[data["province"] != 15])
    np.testing.assert_allclose(fit.coef(), manual.coef(), rtol=1e-12)


def test_string_codes_match_numbers(data):
    assert pdid.exclude(data, "province", ["15"]).dropped_rows == (data["province"] == 15).sum()


def test_bad_exclusions(data):
    with pytest.raises(PanelError, match="'provnce' not found.*'province'"):
        pdid.exclude(data, "provnce", [15])
    with pytest.raises(PanelError, match="none of \\[99\\] occurs in column 'province'"):
        pdid.exclude(data, "province", [99])
    with pytest.raises(PanelError, match="would leave no rows"):
        pdid.exclude(data, "province", list(range(10, 18)))
    with pytest.raises(PanelError, match="'cty' not found"):
        pdid.exclude(data, "province", [15], unit="cty")


def test_exclusion_accepts_any_iterable(data):
    ex = pdid.exclude(data, "province", (v for v in [15, 16]))
    assert ex.values == (15, 16)
    assert isinstance(ex.data, pd.DataFrame)
