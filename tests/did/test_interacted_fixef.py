"""``fixef=[..., "a^b"]`` (interacted fixed effects) in event_study, sun_abraham, did_imputation.

Each must equal the same estimator with the interaction given as one pre-built column.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from pilotdid import did_imputation, event_study, sun_abraham
from pilotdid.datasets import demo_panel


@pytest.fixture(scope="module")
def panel():
    df = demo_panel().data.rename(columns={"adoption_year": "cohort"})
    df["region"] = df["code"] % 7
    df["region_year"] = df["region"] * 10_000 + df["year"]
    return df


def _both(function, panel, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = function(panel, "lnESF", unit="code", time="year", cohort="cohort",
                     fixef=["code", "year", "region^year"], **kw)  # fmt: skip
        b = function(panel, "lnESF", unit="code", time="year", cohort="cohort",
                     fixef=["code", "year", "region_year"], **kw)  # fmt: skip
    return a, b


def test_event_study(panel):
    a, b = _both(event_study, panel, vcov={"CRV1": "province"})
    pd.testing.assert_frame_equal(a.tidy(), b.tidy(), rtol=1e-9)


def test_sun_abraham(panel):
    a, b = _both(sun_abraham, panel)
    np.testing.assert_allclose(a.tidy()["estimate"], b.tidy()["estimate"], rtol=1e-9)


def test_did_imputation_with_pretrends(panel):
    a, b = _both(did_imputation, panel, pretrends=2)
    np.testing.assert_allclose(a.tidy()["estimate"], b.tidy()["estimate"], rtol=1e-9)
