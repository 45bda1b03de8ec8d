"""Property tests: invariances every fixed-effects estimator must satisfy."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import pilotdid as pdid

from .conftest import make_panel

BASE = make_panel(n_units=20, n_periods=5, unbalanced=0.2, seed=11)
FML = "y ~ did + x1 + x2 | unit + year"
REF = pdid.feols(FML, BASE)


@settings(max_examples=25, deadline=None)
@given(shift=st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=20, max_size=20))
def test_unit_constants_in_y_leave_coefficients_unchanged(shift):
    data = BASE.copy()
    data["y"] = data["y"] + np.asarray(shift)[data["unit"].to_numpy()]
    fit = pdid.feols(FML, data)
    np.testing.assert_allclose(fit.coef(), REF.coef(), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(fit.se(), REF.se(), rtol=1e-6, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(factor=st.floats(1e-3, 1e3).flatmap(lambda v: st.sampled_from([v, -v])))
def test_rescaling_a_regressor_rescales_its_coefficient(factor):
    data = BASE.copy()
    data["x1"] = data["x1"] * factor
    fit = pdid.feols(FML, data)
    np.testing.assert_allclose(fit.coef()["x1"] * factor, REF.coef()["x1"], rtol=1e-8)
    np.testing.assert_allclose(fit.coef()[["did", "x2"]], REF.coef()[["did", "x2"]], rtol=1e-8)
    np.testing.assert_allclose(fit.tstat()["x1"] * np.sign(factor), REF.tstat()["x1"], rtol=1e-8)
