"""The DynamicEffects interface shared by every dynamic estimator."""

import numpy as np
import pytest

import pilotdid as pdid
from pilotdid.did.dynamic import DynamicEffects
from pilotdid.errors import EstimationError
from tests.robustness.conftest import did_panel


def test_twfe_event_study_as_dynamic_effects():
    data = did_panel(n_units=50, n_periods=10, cohorts=(5, 6, 7), seed=3)
    es = pdid.event_study(data, "y", unit="unit", time="year", cohort="cohort", window=(-3, 2))
    dyn = es.dynamic()
    tidy = es.tidy()
    assert list(dyn.periods) == [k for k in tidy.index if k != es.ref]
    np.testing.assert_allclose(dyn.estimates, tidy.loc[dyn.periods, "estimate"], rtol=1e-12)
    np.testing.assert_allclose(dyn.se, tidy.loc[dyn.periods, "std_error"], rtol=1e-12)
    mine, theirs = dyn.pretrend_test(), es.pretrend_test()
    assert mine.statistic == pytest.approx(theirs.statistic, rel=1e-12)
    assert mine.p_value == pytest.approx(theirs.p_value, rel=1e-12)
    table = dyn.tidy()
    assert table.loc[es.ref, "is_ref"] and table.loc[es.ref, "estimate"] == 0
    np.testing.assert_allclose(table["conf_low"], tidy["conf_low"], rtol=1e-10)


def test_subset_and_shape_checks():
    dyn = DynamicEffects("X", np.array([-2, 0, 1]), np.array([0.1, 0.5, 0.7]), np.diag([1, 2, 3.0]))
    sub = dyn.subset([1, -2])
    assert list(sub.periods) == [-2, 1] and list(sub.estimates) == [0.1, 0.7]
    assert np.array_equal(sub.vcov, np.diag([1, 3.0]))
    with pytest.raises(EstimationError, match="no estimate at relative period"):
        dyn.subset([5])
    with pytest.raises(EstimationError, match="covariance"):
        DynamicEffects("X", np.array([0, 1]), np.array([1.0]), np.eye(2))
    with pytest.raises(EstimationError, match="increasing"):
        DynamicEffects("X", np.array([1, 0]), np.zeros(2), np.eye(2))
