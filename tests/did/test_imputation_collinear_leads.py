"""did_imputation with leads the untreated observations cannot identify.

With a lead for every pre-period, the leads add up to a treated-unit indicator on the untreated
rows, which the unit effects absorb: one lead is not identified.
"""

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import PilotdidWarning


def _panel(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_units, periods = 60, 10
    unit = np.repeat(np.arange(n_units), periods)
    time = np.tile(np.arange(periods), n_units)
    cohort = np.array([4.0, 6.0, np.nan])[np.arange(n_units) % 3][unit]  # NaN: never treated
    x = rng.normal(size=unit.size)
    y = rng.normal(size=n_units)[unit] + 0.1 * time + 0.5 * x + (time >= cohort) * 1.0
    y = y + rng.normal(size=unit.size)
    return pd.DataFrame({"unit": unit, "time": time, "g": cohort, "x": x, "y": y})


def test_unidentified_leads_are_named_and_left_out():
    data = _panel()
    with pytest.warns(PilotdidWarning, match="collinear with the fixed effects"):
        res = pdid.did_imputation(
            data, "y", unit="unit", time="time", cohort="g", controls=["x"], pretrends=6
        )
    assert not res.leads_identified
    kept = res.lead_periods.tolist()
    assert len(kept) == 5 and np.isfinite(res.lead_estimates).all()
    # the pre-trend test covers exactly the identified leads, with the feols fit's numbers
    test = res.pretrend_test()
    assert list(test.terms) == kept
    fit = res.pretrend_fit
    lead_names = [n for n in fit.names if n != "x"]
    assert len(lead_names) == 5
    np.testing.assert_allclose(res.lead_estimates, fit.coef()[lead_names].to_numpy(), rtol=1e-8)
    assert res.tidy().query("is_lead").index.tolist() == kept


def test_identified_leads_give_no_warning():
    data = _panel()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", PilotdidWarning)
        res = pdid.did_imputation(
            data, "y", unit="unit", time="time", cohort="g", controls=["x"], pretrends=2
        )
    assert res.leads_identified and res.lead_periods.tolist() == [-2, -1]
