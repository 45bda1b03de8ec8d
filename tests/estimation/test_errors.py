"""One test per bad-input message of feols: each says what is wrong and where."""

import numpy as np
import pytest

import pilotdid as pdid
from pilotdid.errors import EstimationError

from .conftest import make_panel


@pytest.fixture
def data():
    return make_panel(n_units=10, n_periods=4, seed=0)


def test_unknown_column_suggests_the_close_name(data):
    with pytest.raises(EstimationError, match=r"unknown column.*'xl'.*did you mean .*'x1'"):
        pdid.feols("y ~ did + xl | unit", data)


def test_unknown_fixed_effect_column(data):
    with pytest.raises(EstimationError, match=r"unknown column.*'yaer'.*did you mean 'year'"):
        pdid.feols("y ~ did | unit + yaer", data)


def test_non_numeric_regressor(data):
    data["label"] = np.where(data["treat"] == 1, "pilot", "other")
    with pytest.raises(EstimationError, match=r"'label'.*not numeric.*C\(label\)"):
        pdid.feols("y ~ did + label | unit", data)


def test_empty_sample_after_dropping_missing(data):
    data["x1"] = np.nan
    with pytest.raises(EstimationError, match="no complete rows"):
        pdid.feols("y ~ did + x1 | unit", data)


def test_empty_sample_after_dropping_singletons(data):
    one_per_unit = data.drop_duplicates("unit")
    with pytest.raises(EstimationError, match="empty after dropping missing values and singletons"):
        pdid.feols("y ~ x1 | unit", one_per_unit)


def test_cluster_variable_with_one_level(data):
    data["country"] = "CN"
    with pytest.raises(EstimationError, match="cluster variable 'country' has a single level"):
        pdid.feols("y ~ did | unit", data, vcov={"CRV1": "country"})


@pytest.mark.parametrize("vcov", ["robust", {"CRV2": "unit"}, {"CRV1": "a+b+c"}, 3])
def test_bad_vcov_spec(data, vcov):
    with pytest.raises(EstimationError, match="is not supported; use 'iid', 'hetero'"):
        pdid.feols("y ~ did | unit", data, vcov=vcov)


def test_unknown_cluster_variable(data):
    with pytest.raises(EstimationError, match=r"unknown column.*'uint'.*did you mean 'unit'"):
        pdid.feols("y ~ did | unit", data, vcov={"CRV1": "uint"})


@pytest.mark.parametrize(
    "bad, words", [(0.0, "1 zero"), (-1.0, "1 negative"), (np.nan, "1 missing")]
)
def test_bad_weights(data, bad, words):
    data.loc[3, "w"] = bad
    with pytest.raises(EstimationError, match=f"weights column 'w' has .*{words}"):
        pdid.feols("y ~ did | unit", data, weights="w")


def test_weights_of_wrong_length(data):
    with pytest.raises(EstimationError, match="one value per row"):
        pdid.feols("y ~ did | unit", data, weights=np.ones(3))


@pytest.mark.parametrize(
    "fml, words",
    [
        ("y did + x1", "exactly one '~'"),
        ("y ~ did | unit | year", "more than one '|'"),
        ("~ did", "no outcome"),
        ("y ~ did | ", "fixed effects after '|'"),
    ],
)
def test_formula_syntax(data, fml, words):
    with pytest.raises(EstimationError, match=words):
        pdid.feols(fml, data)


def test_every_regressor_collinear(data):
    data["region"] = data["unit"] % 3
    with pytest.raises(EstimationError, match=r"every regressor .* collinear .*region"):
        pdid.feols("y ~ region | unit", data)


def test_data_must_be_a_dataframe():
    with pytest.raises(EstimationError, match="must be a pandas DataFrame"):
        pdid.feols("y ~ x", {"y": [1, 2]})


def test_with_vcov_on_cluster_with_missing_values(data):
    fit = pdid.feols("y ~ did + x1 | unit", data)
    data2 = data.copy()
    data2.loc[0, "ind"] = np.nan
    fit2 = pdid.feols("y ~ did + x1 | unit", data2)
    assert fit2.nobs == fit.nobs
    with pytest.raises(EstimationError, match="'ind' has missing values"):
        fit2.with_vcov({"CRV1": "ind"})


def test_input_is_never_modified(data):
    before = data.copy(deep=True)
    pdid.feols("y ~ did + x1 + C(ind) | unit + year", data, weights="w")
    assert data.equals(before)
