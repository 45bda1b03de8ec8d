"""Bad input: one test per error message."""

import numpy as np
import pytest

import pilotdid as pdid
from pilotdid.errors import EstimationError, PanelError

from .conftest import mech_panel

FML = "y ~ did + x1 | unit + year"


@pytest.fixture(scope="module")
def df():
    return mech_panel(seed=0)


# --- mechanism ----------------------------------------------------------------------------------
def test_mediator_that_is_the_outcome(df):
    with pytest.raises(EstimationError, match="mediator 'y' is the outcome"):
        pdid.mechanism(df, "did", ["m", "y"], outcome="y", controls="x1", fixef="unit + year")


def test_mediator_that_is_the_treatment(df):
    with pytest.raises(EstimationError, match="mediator 'did' is the treatment"):
        pdid.mechanism(df, "did", "did", fixef="unit + year")


def test_mediator_among_controls(df):
    with pytest.raises(EstimationError, match="mediator 'm' is also a control"):
        pdid.mechanism(df, "did", "m", controls="x1 + m", fixef="unit + year")


def test_no_mediator(df):
    with pytest.raises(EstimationError, match="mediators= is empty"):
        pdid.mechanism(df, "did", [], fixef="unit + year")


def test_duplicate_mediator(df):
    with pytest.raises(EstimationError, match="twice"):
        pdid.mechanism(df, "did", ["m", "m"], fixef="unit + year")


def test_three_step_needs_outcome(df):
    with pytest.raises(EstimationError, match="needs outcome="):
        pdid.mechanism(df, "did", "m", fixef="unit + year", method="three_step")


def test_unknown_method(df):
    with pytest.raises(EstimationError, match="method='baron_kenny' is not allowed"):
        pdid.mechanism(df, "did", "m", method="baron_kenny")


def test_unknown_column_suggests(df):
    with pytest.raises(EstimationError, match="column 'M' not found .*did you mean 'm'"):
        pdid.mechanism(df, "did", "M", fixef="unit + year")


@pytest.mark.parametrize("bootstrap", [-1, 2.5, True])
def test_bad_bootstrap_count(df, bootstrap):
    with pytest.raises(EstimationError, match="bootstrap="):
        pdid.mechanism(df, "did", "m", outcome="y", fixef="unit + year", method="three_step", bootstrap=bootstrap)  # fmt: skip


def test_bad_level(df):
    with pytest.raises(EstimationError, match="level=1.5"):
        pdid.mechanism(df, "did", "m", fixef="unit + year", level=1.5)


def test_bootstrap_without_unit(df):
    with pytest.raises(EstimationError, match="resamples units: pass unit="):
        pdid.mechanism(df, "did", "m", outcome="y", controls="x1", method="three_step", bootstrap=5)


def test_not_a_dataframe():
    with pytest.raises(EstimationError, match="must be a pandas DataFrame"):
        pdid.mechanism([1, 2], "did", "m")


# --- heterogeneity ------------------------------------------------------------------------------
def test_split_variable_with_one_group(df):
    with pytest.raises(EstimationError, match="fewer than two groups"):
        pdid.heterogeneity(df.assign(c=1.0), FML, "c")


def test_given_labels_with_one_group(df):
    with pytest.raises(EstimationError, match="fewer than two groups"):
        pdid.heterogeneity(df.assign(c="a"), FML, "c", split="column")


def test_group_without_treated_units(df):
    # "tag" marks exactly the never-treated units
    never = df.groupby("unit")["did"].max() == 0
    tagged = df.assign(tag=df["unit"].map(never).map({True: "never", False: "ever"}))
    with pytest.raises(EstimationError, match="group 'never' .* has no treated observation"):
        pdid.heterogeneity(tagged, FML, "tag", split="column")


def test_empty_quantile_group(df):
    with pytest.raises(EstimationError, match="empty"):
        pdid.heterogeneity(df.assign(c=np.where(df["unit"] < 50, 0.0, 1.0)), FML, "c",
                           split=[0.25, 0.5])  # fmt: skip


@pytest.mark.parametrize("split", [[0.5, 0.2], [0, 0.5], ["a"], [], "tertiles"])
def test_bad_split(df, split):
    with pytest.raises(EstimationError, match="split="):
        pdid.heterogeneity(df, FML, "z", split=split)


def test_non_numeric_split_variable(df):
    with pytest.raises(EstimationError, match="not numeric .* split='column'"):
        pdid.heterogeneity(df.assign(c="a"), FML, "c")


def test_unknown_split_variable(df):
    with pytest.raises(PanelError, match="split column 'Z' not found .*'z'"):
        pdid.heterogeneity(df, FML, "Z")


def test_pre_needs_unit_and_time(df):
    with pytest.raises(EstimationError, match="pass unit= and time="):
        pdid.heterogeneity(df, "y ~ did + x1", "z")


def test_no_pre_period(df):
    early = df.assign(did=(df["unit"] < 10).astype(float) * (df["year"] >= 0))
    with pytest.raises(EstimationError, match="no period before the first adoption"):
        pdid.heterogeneity(early, FML, "z")


def test_no_treated_row_for_pre_period(df):
    with pytest.raises(EstimationError, match="never 1"):
        pdid.heterogeneity(df.assign(did=0.0), FML, "z")


def test_permutation_needs_unit_level_groups(df):
    with pytest.warns(pdid.PilotdidWarning), pytest.raises(EstimationError, match="change within"):
        pdid.heterogeneity(df, FML, "z", measured="contemporaneous", test="permutation")


@pytest.mark.parametrize("permutations", [0, -5, 1.5, True])
def test_bad_permutation_count(df, permutations):
    with pytest.raises(EstimationError, match="permutations="):
        pdid.heterogeneity(df, FML, "z", permutations=permutations)


def test_bad_options(df):
    with pytest.raises(EstimationError, match="test='chow' is not allowed"):
        pdid.heterogeneity(df, FML, "z", test="chow")
    with pytest.raises(EstimationError, match="measured='post' is not allowed"):
        pdid.heterogeneity(df, FML, "z", measured="post")
    with pytest.raises(EstimationError, match="strata='units' is not allowed"):
        pdid.heterogeneity(df, FML, "z", strata="units")


def test_treatment_not_in_formula(df):
    with pytest.raises(EstimationError, match="treatment 'TP' is not a regressor"):
        pdid.heterogeneity(df, FML, "z", treatment="TP")


def test_cohort_without_treated(df):
    with pytest.raises(PanelError, match="marks no treated unit"):
        pdid.heterogeneity(df.assign(cohort=np.nan), FML, "z", cohort="cohort")


# --- moderation ---------------------------------------------------------------------------------
def test_moderator_is_the_outcome(df):
    with pytest.raises(EstimationError, match="moderator 'y' is the outcome"):
        pdid.moderation(df, FML, "y", treatment="did")


def test_moderator_is_the_treatment(df):
    with pytest.raises(EstimationError, match="moderator 'did' is the treatment"):
        pdid.moderation(df, FML, "did", treatment="did")


def test_moderator_not_numeric(df):
    with pytest.raises(EstimationError, match="not numeric"):
        pdid.moderation(df.assign(s="a"), FML, "s", treatment="did")


def test_moderator_unknown(df):
    with pytest.raises(EstimationError, match="moderator column 'W' not found .*'w'"):
        pdid.moderation(df, FML, "W", treatment="did")


def test_moderation_treatment_not_in_formula(df):
    with pytest.raises(EstimationError, match="treatment 'x2' is not a regressor"):
        pdid.moderation(df, FML, "w", treatment="x2")


def test_moderation_keeps_expression_terms(df):
    # other regressors may be expressions: they are copied into both models as written
    res = pdid.moderation(df, "y ~ did + np.log(x1 + 10) | unit + year", "w", treatment="did")
    direct = pdid.feols("y ~ did + w + np.log(x1 + 10) | unit + year", df)
    main = res.models["main"]
    assert main.names == ("did", "w", "np.log(x1 + 10)")
    np.testing.assert_allclose(main.coef_values, direct.coef_values, rtol=1e-10)
    assert "np.log(x1 + 10)" in res.models["interaction"].names
