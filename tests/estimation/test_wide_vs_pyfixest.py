"""Wide designs against pyfixest: many controls, many-level factors, long event windows.

Designs wider than 16 columns once crashed the in-place demeaning; these tests pin the numbers
of wide designs to pyfixest 0.60.0 (run with ``fixef_tol=1e-14``) at rtol 1e-8, on balanced and
unbalanced panels, under every variance estimator.
"""

import warnings
from functools import cache

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid

pf = pytest.importorskip("pyfixest")
from pyfixest.demeaners import MapDemeaner  # noqa: E402

RTOL = 1e-8
VCOVS = ["iid", "hetero", {"CRV1": "unit"}, {"CRV1": "unit+year"}]
VCOV_IDS = ["iid", "hetero", "crv1", "crv1_twoway"]
N_CONTROLS = 60


@cache
def wide_panel(balanced: bool, n_units: int = 300, n_periods: int = 10) -> pd.DataFrame:
    """Panel with 60 controls, an industry FE, factors with 50 and 300 levels, staggered adoption."""
    rng = np.random.default_rng(11 if balanced else 12)
    df = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), n_periods),
            "year": np.tile(np.arange(n_periods), n_units),
        }
    )
    cohort = np.where(rng.random(n_units) < 0.4, rng.choice([4, 5, 6, 7], n_units), np.nan)
    df["cohort"] = cohort[df["unit"]]
    df["did"] = (df["year"] >= df["cohort"]).astype(float)
    df["ind"] = rng.integers(0, 12, len(df))
    df["f50"] = rng.integers(0, 50, len(df))
    df["f300"] = rng.integers(0, 300, len(df))
    controls = rng.normal(size=(len(df), N_CONTROLS)) + 0.02 * df["unit"].to_numpy()[:, None]
    for j in range(N_CONTROLS):
        df[f"x{j + 1}"] = controls[:, j]
    beta = rng.normal(size=N_CONTROLS) * 0.2
    df["y"] = (
        0.5 * df["did"]
        + controls @ beta
        + 0.01 * df["f300"] % 3
        + 0.1 * df["f50"] % 5
        + 0.03 * df["unit"]
        + 0.1 * df["year"]
        + rng.normal(size=len(df))
    )
    if not balanced:
        df = df.sample(frac=0.8, random_state=5).sort_index()
    return df.reset_index(drop=True)


def controls(n: int) -> str:
    return " + ".join(f"x{j + 1}" for j in range(n))


def oracle(fml, data, vcov):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(
            fml, data, vcov=vcov, demeaner=MapDemeaner(fixef_tol=1e-14, fixef_maxiter=100_000)
        )


def assert_close(ours_coef, ours_se, theirs):
    np.testing.assert_allclose(ours_coef, theirs.coef().to_numpy(), rtol=RTOL, atol=1e-13)
    np.testing.assert_allclose(ours_se, theirs.se().to_numpy(), rtol=RTOL, atol=0)


SPECS = {
    "20_controls": f"y ~ did + {controls(20)} | unit + year",
    "60_controls": f"y ~ did + {controls(60)} | unit + year",
    "factor_50": f"y ~ did + C(f50) + {controls(5)} | unit + year",
    "factor_300": f"y ~ did + C(f300) + {controls(3)} | unit + year",
    "3_fixed_effects": f"y ~ did + {controls(20)} | unit + year + ind",
}


@pytest.mark.parametrize("balanced", [True, False], ids=["balanced", "unbalanced"])
@pytest.mark.parametrize("spec", list(SPECS))
@pytest.mark.parametrize("vcov", VCOVS, ids=VCOV_IDS)
def test_wide_design_matches_pyfixest(spec, balanced, vcov):
    data = wide_panel(balanced)
    fml = SPECS[spec]
    ours, theirs = pdid.feols(fml, data, vcov=vcov), oracle(fml, data, vcov)
    assert ours.coef().index.tolist() == theirs.coef().index.tolist()
    assert ours.nobs == theirs._N
    assert_close(ours.coef_values, ours.se().to_numpy(), theirs)
    np.testing.assert_allclose(ours.r2_within, theirs._r2_within, rtol=RTOL)


WINDOW = (-7, 8)  # 15 relative-time dummies around the reference period -1


@pytest.mark.parametrize("balanced", [True, False], ids=["balanced", "unbalanced"])
@pytest.mark.parametrize("vcov", VCOVS, ids=VCOV_IDS)
def test_event_study_with_12_controls_matches_pyfixest(balanced, vcov):
    data = wide_panel(balanced, n_units=150, n_periods=16)
    names = [f"x{j + 1}" for j in range(12)]
    es = pdid.event_study(
        data,
        "y",
        unit="unit",
        time="year",
        cohort="cohort",
        controls=names,
        window=WINDOW,
        vcov=vcov,
    )
    assert len(es.periods) == 15
    rel = (data["year"] - data["cohort"]).clip(*WINDOW)  # end points binned, as event_study does
    frame = data.assign(rel=rel.fillna(-1).astype(int))  # never treated: all dummies 0
    theirs = oracle(f"y ~ i(rel, ref=-1) + {controls(12)} | unit + year", frame, vcov)
    order = [f"rel::{k}" for k in es.periods.values()] + names
    theirs_coef, theirs_se = theirs.coef()[order], theirs.se()[order]
    ours_names = [*es.periods, *names]
    np.testing.assert_allclose(es.fit.coef()[ours_names], theirs_coef, rtol=RTOL, atol=1e-13)
    np.testing.assert_allclose(es.fit.se()[ours_names], theirs_se, rtol=RTOL, atol=0)
    assert es.fit.nobs == theirs._N
