"""feols against stored pyfixest/fixest numbers (tests/reference/feols), no live oracle needed."""

import json
import pathlib

import pandas as pd
import pytest

import pilotdid as pdid

REF = pathlib.Path(__file__).resolve().parents[1] / "reference" / "feols"
STORED = json.loads((REF / "reference.json").read_text(encoding="utf-8"))["models"]


@pytest.fixture(scope="module")
def panel():
    return pd.read_csv(REF / "panel.csv")


@pytest.mark.parametrize("model", STORED, ids=lambda m: f"{m['fml']} {m['vcov']} {m['weights']}")
def test_feols_equals_stored_reference(panel, model):
    fit = pdid.feols(model["fml"], panel, vcov=model["vcov"], weights=model["weights"])
    coef = pd.Series(model["coef"])
    se = pd.Series(model["se"])
    # pyfixest names C() levels "C(grp)[T.1]", as pilotdid does
    pd.testing.assert_series_equal(fit.coef()[coef.index], coef, rtol=1e-8, check_names=False)
    pd.testing.assert_series_equal(fit.se()[se.index], se, rtol=1e-8, check_names=False)
    assert fit.nobs == model["nobs"]
