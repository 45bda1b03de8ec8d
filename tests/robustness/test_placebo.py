"""Batched placebo against a brute-force loop of feols, exact randomization inference, bad input."""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import EstimationError, PanelError

from .conftest import did_panel

TOL = 1e-10


def brute_force(result, data, fml, unit, time, sample=None, **kwargs):
    """Re-estimate every draw with feols on a fake treatment built from the stored assignment."""
    frame = data if sample is None else sample
    coefs, ses = [], []
    for _, row in result.assignments.iterrows():
        fake = frame.copy()
        adoption = fake[unit].map(row)
        fake[result.treatment] = (fake[time] >= adoption).astype(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = pdid.feols(fml, fake, **kwargs)
        coefs.append(fit.coef()[result.treatment])
        ses.append(fit.se()[result.treatment])
    return np.array(coefs), np.array(ses)


CASES = {
    "balanced_controls": (dict(), "y ~ did + x1 + x2 | unit + year", {}),
    "unbalanced_controls": (dict(unbalanced=0.25), "y ~ did + x1 + x2 | unit + year", {}),
    "balanced_no_controls": (dict(), "y ~ did | unit + year", {}),
    "unbalanced_no_controls": (dict(unbalanced=0.2), "y ~ did | unit + year", {}),
    "weighted_hetero": (
        dict(unbalanced=0.1),
        "y ~ did + x1 | unit + year",
        {"vcov": "hetero", "weights": "w"},
    ),
    "iid": (dict(), "y ~ did + x1 | unit + year", {"vcov": "iid"}),
    "twoway_cluster": (
        dict(unbalanced=0.1),
        "y ~ did + x1 | unit + year",
        {"vcov": {"CRV1": "unit+year"}},
    ),
    "coarser_cluster": (
        dict(unbalanced=0.1),
        "y ~ did + x1 | unit + year",
        {"vcov": {"CRV1": "region"}},
    ),
    "three_fixed_effects": (dict(), "y ~ did + x1 | unit + year + region^year", {}),
}


@pytest.fixture(params=["unit_level", "row_level"])
def path(request, monkeypatch):
    """Run each test through the per-unit shortcut and through the row-level batched path."""
    if request.param == "row_level":
        import pilotdid.robustness.placebo as module

        monkeypatch.setattr(module, "prepare_unit_level", lambda *args, **kwargs: None)
    return request.param


@pytest.mark.parametrize("case", list(CASES))
def test_batched_draws_equal_brute_force_feols(case, path):
    panel_kwargs, fml, kwargs = CASES[case]
    data = did_panel(seed=len(case), **panel_kwargs)
    data["region"] = data["unit"] % 5
    result = pdid.placebo(
        data, fml, unit="unit", time="year", cohort="cohort", draws=25, seed=7, **kwargs
    )
    coefs, ses = brute_force(result, data, fml, "unit", "year", **kwargs)
    np.testing.assert_allclose(result.draws["coef"], coefs, rtol=TOL, atol=TOL * 1e-2)
    np.testing.assert_allclose(result.draws["se"], ses, rtol=TOL, atol=TOL * 1e-2)
    truth = pdid.feols(fml, data, **kwargs)
    np.testing.assert_allclose(result.estimate["coef"], truth.coef()["did"], rtol=TOL)
    np.testing.assert_allclose(result.estimate["se"], truth.se()["did"], rtol=TOL)
    np.testing.assert_allclose(result.estimate["p"], truth.pvalue()["did"], rtol=1e-8)


@pytest.mark.parametrize("kind", ["timing", "both"])
def test_other_kinds_equal_brute_force(kind, path):
    data = did_panel(seed=3, n_periods=9, cohorts=(6, 7))
    fml = "y ~ did + x1 | unit + year"
    result = pdid.placebo(
        data, fml, unit="unit", time="year", cohort="cohort", draws=20, kind=kind, seed=2
    )
    sample = data[data["year"] < 6] if kind == "timing" else data
    coefs, ses = brute_force(result, data, fml, "unit", "year", sample=sample)
    np.testing.assert_allclose(result.draws["coef"], coefs, rtol=TOL, atol=1e-12)
    np.testing.assert_allclose(result.draws["se"], ses, rtol=TOL, atol=1e-12)
    assignments = result.assignments.to_numpy()
    if kind == "timing":  # the real treated units, one common fake date before the policy
        treated = np.isfinite(data.groupby("unit")["cohort"].first().to_numpy())
        assert (np.isfinite(assignments) == treated).all()
        assert set(np.unique(assignments[:, treated])) <= {1, 2, 3, 4, 5}
    else:
        assert (
            np.isfinite(assignments).sum(axis=1)
            == np.isfinite(data.groupby("unit")["cohort"].first()).sum()
        ).all()


def test_units_kind_keeps_count_and_cohort_distribution():
    data = did_panel(seed=4, n_units=50)
    result = pdid.placebo(
        data, "y ~ did | unit + year", unit="unit", time="year", cohort="cohort", draws=200, seed=1
    )
    true = data.groupby("unit")["cohort"].first().to_numpy()
    expected = np.sort(true[np.isfinite(true)])
    for row in result.assignments.to_numpy():
        np.testing.assert_array_equal(np.sort(row[np.isfinite(row)]), expected)
    # the treated sets really vary
    assert len({tuple(np.flatnonzero(np.isfinite(r))) for r in result.assignments.to_numpy()}) > 150


def test_same_seed_same_result_and_chunking_does_not_matter(monkeypatch):
    data = did_panel(seed=5)
    fml = "y ~ did + x1 | unit + year"
    first = pdid.placebo(data, fml, unit="unit", time="year", cohort="cohort", draws=300, seed=11)
    import pilotdid.robustness.placebo as module

    monkeypatch.setattr(module, "BLOCK_ELEMENTS", 5 * len(data))  # force blocks of 5 draws
    second = pdid.placebo(data, fml, unit="unit", time="year", cohort="cohort", draws=300, seed=11)
    pd.testing.assert_frame_equal(first.draws, second.draws, rtol=1e-12)
    other = pdid.placebo(data, fml, unit="unit", time="year", cohort="cohort", draws=300, seed=12)
    assert not np.allclose(first.draws["coef"], other.draws["coef"])


def test_exact_randomization_inference_on_tiny_panel(path):
    rng = np.random.default_rng(0)
    n_units, periods = 7, 4
    data = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), periods),
            "year": np.tile(np.arange(periods), n_units),
        }
    )
    data["cohort"] = np.where(data["unit"] < 2, 2.0, np.nan)
    data["did"] = (data["year"] >= data["cohort"]).astype(float)
    data["y"] = 1.5 * data["did"] + rng.normal(size=len(data))
    result = pdid.placebo(
        data, "y ~ did | unit + year", unit="unit", time="year", cohort="cohort", exhaustive=True
    )
    assert result.n_draws == 21  # C(7, 2)
    # enumerate by hand with feols
    estimates = []
    for pair in itertools.combinations(range(n_units), 2):
        fake = data.assign(did=((data["unit"].isin(pair)) & (data["year"] >= 2)).astype(float))
        estimates.append(pdid.feols("y ~ did | unit + year", fake).coef()["did"])
    estimates = np.array(estimates)
    np.testing.assert_allclose(np.sort(result.draws["coef"]), np.sort(estimates), rtol=1e-10)
    observed = pdid.feols("y ~ did | unit + year", data).coef()["did"]
    exact = np.mean(np.abs(estimates) >= abs(observed) - 1e-12)
    assert result.p_ri_coef == pytest.approx(exact)
    assert exact >= 1 / 21  # the observed assignment is among the enumerated ones


def test_figure_and_summary():
    data = did_panel(seed=6)
    result = pdid.placebo(
        data,
        "y ~ did + x1 | unit + year",
        unit="unit",
        time="year",
        cohort="cohort",
        draws=100,
        seed=3,
    )
    fig = result.figure()
    ax = fig.axes[0]
    assert any(
        abs(line.get_xdata()[0] - result.estimate["coef"]) < 1e-12
        for line in ax.get_lines()
        if line.get_linestyle() == "--"
    )
    assert "randomization-inference p" in result.summary()
    assert 0 < result.p_ri_coef <= 1 and 0 < result.p_ri_t <= 1


@pytest.mark.parametrize("draws", [0, -5, 2.5, True])
def test_bad_draws(draws):
    with pytest.raises(EstimationError, match="must be a positive integer"):
        pdid.placebo(
            did_panel(),
            "y ~ did | unit + year",
            unit="unit",
            time="year",
            cohort="cohort",
            draws=draws,
        )


def test_cohort_after_last_period():
    data = did_panel()
    data["cohort"] = np.where(data["cohort"].notna(), 99.0, np.nan)
    data["did"] = 0.0
    with pytest.raises(PanelError, match=r"dates \d+ unit\(s\) after the last period \(7\)"):
        pdid.placebo(data, "y ~ did + x1 | unit + year", unit="unit", time="year", cohort="cohort")


@pytest.mark.parametrize("n_treated", [40, 41, 0, 2.5])
def test_more_placebo_units_than_units(n_treated):
    with pytest.raises(
        EstimationError, match=r"n_treated=.* must be a whole number between 1 and 39"
    ):
        pdid.placebo(
            did_panel(n_units=40),
            "y ~ did | unit + year",
            unit="unit",
            time="year",
            cohort="cohort",
            n_treated=n_treated,
        )


def test_chosen_number_of_placebo_units(path):
    data = did_panel(n_units=40)
    result = pdid.placebo(
        data,
        "y ~ did | unit + year",
        unit="unit",
        time="year",
        cohort="cohort",
        draws=30,
        n_treated=20,
        seed=1,
    )
    assert (np.isfinite(result.assignments.to_numpy()).sum(axis=1) == 20).all()
    coefs, _ = brute_force(result, data, "y ~ did | unit + year", "unit", "year")
    np.testing.assert_allclose(result.draws["coef"], coefs, rtol=TOL)


def test_treatment_inconsistent_with_cohort():
    data = did_panel()
    data.loc[0, "did"] = 1 - data.loc[0, "did"]
    with pytest.raises(EstimationError, match="differs from 1\\[time >= cohort\\] in 1 rows"):
        pdid.placebo(data, "y ~ did | unit + year", unit="unit", time="year", cohort="cohort")


def test_unknown_kind_and_columns():
    data = did_panel()
    with pytest.raises(EstimationError, match="kind='unit' is not allowed.*'units'"):
        pdid.placebo(
            data, "y ~ did | unit + year", unit="unit", time="year", cohort="cohort", kind="unit"
        )
    with pytest.raises(PanelError, match="column 'cohrt' not found.*'cohort'"):
        pdid.placebo(data, "y ~ did | unit + year", unit="unit", time="year", cohort="cohrt")
    with pytest.raises(EstimationError, match="treatment 'treat' is not a regressor"):
        pdid.placebo(
            data,
            "y ~ did | unit + year",
            unit="unit",
            time="year",
            cohort="cohort",
            treatment="treat",
        )


def test_timing_needs_pre_periods():
    data = did_panel(cohorts=(1,))
    with pytest.raises(EstimationError, match="kind='timing' needs pre-policy periods"):
        pdid.placebo(
            data, "y ~ did | unit + year", unit="unit", time="year", cohort="cohort", kind="timing"
        )


def test_exhaustive_limits():
    data = did_panel(n_units=40)
    with pytest.raises(pdid.PilotdidError, match="single adoption period"):
        pdid.placebo(
            data,
            "y ~ did | unit + year",
            unit="unit",
            time="year",
            cohort="cohort",
            exhaustive=True,
        )
    single = did_panel(n_units=60, cohorts=(5,), share=0.5)
    with pytest.raises(pdid.PilotdidError, match="would need .* regressions"):
        pdid.placebo(
            single,
            "y ~ did | unit + year",
            unit="unit",
            time="year",
            cohort="cohort",
            exhaustive=True,
        )


def test_sparse_draws_match_the_assignments_frame():
    """The sparse draws and the (lazily built) R × N frame describe the same assignments."""
    data = did_panel(seed=11, cohorts=(4, 5, 6))
    result = pdid.placebo(
        data, "y ~ did + x1 | unit + year", unit="unit", time="year", cohort="cohort", draws=30
    )
    dense = result.assignments.to_numpy()
    drawn = result.assigned
    assert dense.shape == (30, data["unit"].nunique())
    assert (np.diff(drawn.unit, axis=1) > 0).all()  # distinct, in ascending order
    np.testing.assert_array_equal(np.take_along_axis(dense, drawn.unit, axis=1), drawn.period)
    assert (np.isfinite(dense).sum(axis=1) == drawn.unit.shape[1]).all()
    assert list(result.assignments.columns) == sorted(data["unit"].unique())
    assert result.assignments.columns.name == "unit"


@pytest.mark.slow
def test_one_million_rows_spot_check_against_feols():
    """500 draws' engine on 100,000 units × 10 years: a few draws equal separate feols fits."""
    rng = np.random.default_rng(5)
    n_units, n_periods = 100_000, 10
    data = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), n_periods),
            "year": np.tile(np.arange(n_periods), n_units),
        }
    )
    cohort = np.where(rng.random(n_units) < 0.29, rng.choice([5, 6], n_units), np.nan)
    data["cohort"] = cohort[data["unit"]]
    data["did"] = (data["year"] >= data["cohort"]).astype(float)
    for name in ("x1", "x2", "x3"):
        data[name] = rng.normal(size=len(data))
    data["y"] = (
        0.1 * data["x1"] + rng.normal(size=n_units)[data["unit"]] + rng.normal(size=len(data))
    )
    fml = "y ~ did + x1 + x2 + x3 | unit + year"
    for kind in ("units", "both"):
        result = pdid.placebo(
            data, fml, unit="unit", time="year", cohort="cohort", draws=3, seed=2, kind=kind
        )
        coefs, ses = brute_force(result, data, fml, "unit", "year")
        np.testing.assert_allclose(result.draws["coef"], coefs, rtol=TOL, atol=TOL * 1e-2)
        np.testing.assert_allclose(result.draws["se"], ses, rtol=TOL, atol=TOL * 1e-2)


@pytest.mark.parametrize("n_units", [50, 3_000])  # one shuffle for all draws / a loop of draws
def test_draw_units_keeps_count_and_periods(n_units):
    from pilotdid.robustness.assignments import draw_units

    cohorts = np.full(n_units, np.inf)
    cohorts[: n_units // 4] = 5.0
    cohorts[n_units // 4 : n_units // 3] = 6.0
    drawn = draw_units(cohorts, 200, np.random.default_rng(0))
    dense = drawn.dense()
    assert (np.diff(drawn.unit, axis=1) > 0).all()
    for row in dense:
        np.testing.assert_array_equal(np.sort(row), np.sort(cohorts))
    share = np.isfinite(dense).mean(axis=0)  # every unit is treated a third of the time
    assert abs(share.mean() - (n_units // 3) / n_units) < 1e-12
    assert share.std() < 0.1
