"""Event study against feols with hand-made dummies and against pyfixest's i(rel, ref=-1)."""

import warnings

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import EstimationError, PanelError
from tests.robustness.conftest import did_panel


def hand_made(data, window, ref, binned):
    lo, hi = window
    out = data.copy()
    rel = out["year"] - out["cohort"]
    if binned:
        rel = rel.clip(lo, hi)
    else:
        out = out[rel.isna() | rel.between(lo, hi)]
        rel = rel[out.index]
    names = []
    for k in range(lo, hi + 1):
        if k == ref:
            continue
        name = f"lead{-k}" if k < 0 else f"lag{k}"
        out[name] = (rel == k).astype(float)
        names.append(name)
    return out, names


@pytest.mark.parametrize("binned", [True, False])
@pytest.mark.parametrize("unbalanced", [0.0, 0.2])
def test_equals_feols_with_hand_made_dummies(binned, unbalanced):
    data = did_panel(n_units=50, n_periods=10, cohorts=(5, 6, 7), unbalanced=unbalanced, seed=3)
    window, ref = (-3, 2), -1
    es = pdid.event_study(
        data,
        "y",
        unit="unit",
        time="year",
        cohort="cohort",
        controls=["x1"],
        window=window,
        bin_endpoints=binned,
    )
    frame, names = hand_made(data, window, ref, binned)
    fit = pdid.feols("y ~ " + " + ".join(names) + " + x1 | unit + year", frame)
    tidy = es.tidy()
    np.testing.assert_allclose(
        tidy.loc[tidy.index != ref, "estimate"], fit.coef()[names], rtol=1e-10
    )
    np.testing.assert_allclose(
        tidy.loc[tidy.index != ref, "std_error"], fit.se()[names], rtol=1e-10
    )
    assert tidy.loc[ref, "estimate"] == 0 and tidy.loc[ref, "is_ref"]
    assert es.dropped_outside_window == (len(data) - len(frame))


def test_equals_pyfixest_i_syntax():
    pf = pytest.importorskip("pyfixest")
    from pyfixest.demeaners import MapDemeaner

    data = did_panel(n_units=60, n_periods=9, cohorts=(5,), seed=4)
    data["rel"] = (data["year"] - data["cohort"]).fillna(
        -1000
    )  # never treated: a level pooled into ref
    data.loc[data["rel"] == -1000, "rel"] = -1
    es = pdid.event_study(
        data, "y", unit="unit", time="year", cohort="cohort", window=(-5, 3), bin_endpoints=False
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = pf.feols(
            "y ~ i(rel, ref=-1) | unit + year",
            data,
            vcov={"CRV1": "unit"},
            demeaner=MapDemeaner(fixef_tol=1e-14),
        )
    ours = es.tidy().drop(index=-1)
    np.testing.assert_allclose(ours["estimate"].to_numpy(), theirs.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(ours["std_error"].to_numpy(), theirs.se().to_numpy(), rtol=1e-8)


def test_pretrend_wald_test_by_hand():
    data = did_panel(n_units=50, n_periods=10, cohorts=(6,), seed=5)
    es = pdid.event_study(data, "y", unit="unit", time="year", cohort="cohort", window=(-4, 3))
    leads = [name for name, k in es.periods.items() if k < 0]
    b = es.fit.coef()[leads].to_numpy()
    v = es.fit.vcov().loc[leads, leads].to_numpy()
    test = es.pretrend_test()
    assert test.terms == (-4, -3, -2)
    assert test.statistic == pytest.approx(b @ np.linalg.inv(v) @ b / 3, rel=1e-10)
    from scipy import stats

    assert test.p_value == pytest.approx(stats.f.sf(test.statistic, 3, es.fit.df_t), rel=1e-10)


def test_recovers_dynamic_effects_and_flat_pretrends():
    rng = np.random.default_rng(0)
    n_units, periods = 300, 10
    data = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), periods),
            "year": np.tile(np.arange(periods), n_units),
        }
    )
    data["cohort"] = np.where(data["unit"] < 120, 6.0, np.nan)
    rel = data["year"] - data["cohort"]
    data["y"] = (
        np.where(rel >= 0, 0.2 + 0.1 * rel, 0.0)
        + 0.1 * data["unit"] % 3
        + rng.normal(0, 0.3, len(data))
    )
    es = pdid.event_study(data, "y", unit="unit", time="year", cohort="cohort", window=(-4, 3))
    tidy = es.tidy()
    truth = {k: (0.2 + 0.1 * k if k >= 0 else 0.0) for k in tidy.index}
    for k, row in tidy.iterrows():
        assert abs(row["estimate"] - truth[k]) < 3 * max(row["std_error"], 1e-9)
    assert es.pretrend_test().p_value > 0.01


def test_figure_and_table_protocol():
    es = pdid.event_study(
        did_panel(n_periods=10, cohorts=(6,)),
        "y",
        unit="unit",
        time="year",
        cohort="cohort",
        window=(-3, 2),
    )
    fig = es.figure()
    assert fig.axes[0].get_xlabel() == "Periods relative to adoption"
    summary = es.model_summary()
    assert "t-3" in summary.coefs.index and "t=0" in summary.coefs.index


@pytest.mark.parametrize(
    "window, words",
    [
        ((-12, 2), "wider than the data"),
        ((-3, 9), "wider than the data"),
        ((1, 3), "first lead < 0"),
        (("a", 3), "two integers"),
    ],
)
def test_bad_windows(window, words):
    with pytest.raises(EstimationError, match=words):
        pdid.event_study(
            did_panel(n_periods=8, cohorts=(5,)),
            "y",
            unit="unit",
            time="year",
            cohort="cohort",
            window=window,
        )


def test_bad_reference_and_columns():
    data = did_panel(n_periods=8, cohorts=(5,))
    with pytest.raises(EstimationError, match="ref=0 must be a pre-period"):
        pdid.event_study(
            data, "y", unit="unit", time="year", cohort="cohort", window=(-3, 2), ref=0
        )
    with pytest.raises(PanelError, match="'yr' not found.*'year'"):
        pdid.event_study(data, "y", unit="unit", time="yr", cohort="cohort")
