"""Column names are names, never code: every estimator works on any name pandas can hold.

Each estimator is run twice on the same numbers: with plain names and with awkward ones (spaces,
dots, parentheses, Chinese, a leading digit, a name that reads like Python, and a name that would
write a file if it were evaluated). The estimates must be equal and carry the awkward names.
"""

import warnings

import numpy as np
import pytest

import pilotdid as pdid
from pilotdid.errors import EstimationError
from pilotdid.estimation.formula import (
    build_formula,
    cluster_argument,
    parse_cluster,
    parse_formula,
    quote_name,
    split_names,
)

from ..robustness.conftest import did_panel

#: evaluated as Python, this writes ``pwned.npy`` into the working directory
INJECTION = "np.save('pwned', 0)"
ODD = {
    "y": "出口 复杂度",
    "did": "T.P",
    "x1": "FIN ratio",
    "x2": "np.exp(lnHCL)",
    "z": "2nd z",
    "m": "研发 (R&D)",
    "evil": INJECTION,
    "unit": "城市 id",
    "year": "year (t)",
    "cohort": "adopt.year",
    "w": "weight %",
    "prov": "省份",
}


def plain_panel(seed=0):
    df = did_panel(n_units=40, n_periods=8, seed=seed)
    rng = np.random.default_rng(seed + 1)
    df["z"] = rng.normal(size=len(df))
    df["m"] = 0.6 * df["did"] + rng.normal(size=len(df))
    df["evil"] = rng.normal(size=len(df))
    df["prov"] = df["unit"] % 7
    df["treat"] = df["cohort"].notna().astype(int)
    # a column named like the argument of the odd name ``np.exp(lnHCL)``: it must not be used
    df["lnHCL"] = rng.normal(size=len(df))
    return df


@pytest.fixture
def plain():
    return plain_panel()


@pytest.fixture
def odd(plain):
    return plain.rename(columns=ODD)


@pytest.fixture(autouse=True)
def _no_side_effects(tmp_path, monkeypatch):
    """Run every test in an empty folder and check that no name was evaluated."""
    monkeypatch.chdir(tmp_path)
    yield
    assert not (tmp_path / "pwned.npy").exists(), "a column name was evaluated as code"


def o(*names):
    return [ODD[n] for n in names]


def assert_same_fit(fit_odd, fit_plain):
    assert fit_odd.names == tuple(ODD.get(n, n) for n in fit_plain.names)
    np.testing.assert_allclose(fit_odd.coef_values, fit_plain.coef_values, rtol=1e-12)
    np.testing.assert_allclose(fit_odd.se().to_numpy(), fit_plain.se().to_numpy(), rtol=1e-12)
    assert fit_odd.nobs == fit_plain.nobs


# --- the builder and the parser ------------------------------------------------------------


def test_quote_name_quotes_everything_but_identifiers():
    assert quote_name("lnESF") == "lnESF"
    assert quote_name("_x1") == "_x1"
    for name in ["FIN ratio", "np.exp(lnHCL)", "城市", "2x", "a.b", "class", "a+b", "y~x", "a|b"]:
        assert quote_name(name) == f"`{name}`"


@pytest.mark.parametrize("name", ["a`b", "", "  ", 3])
def test_unquotable_names_are_refused(name):
    with pytest.raises(EstimationError, match="backtick|non-empty string"):
        quote_name(name)


def test_build_and_parse_round_trip():
    fml = build_formula("y ~ x", ["a + b", "c|d", "e^f", "(g", "名"], ["city id", ("省", "year")])
    spec = parse_formula(fml)
    assert spec.depvar == "y ~ x" and spec.simple_lhs
    assert spec.rhs_names == ("a + b", "c|d", "e^f", "(g", "名") and spec.simple_rhs
    assert spec.fixef == ("city id", "省^year")
    assert spec.fixef_columns == ("city id", "省", "year")


def test_fixed_effect_names_with_caret_are_refused():
    with pytest.raises(EstimationError, match=r"contains '\^'"):
        build_formula("y", ["x"], ["a^b"])
    with pytest.raises(EstimationError, match=r"cannot contain '\^'"):
        parse_formula("y ~ x | `a^b`")


def test_unclosed_backtick_is_an_error():
    with pytest.raises(EstimationError, match="unclosed backtick"):
        parse_formula("y ~ `x | unit")


def test_cluster_strings():
    assert cluster_argument(["城市 id", "year"]) == {"CRV1": "`城市 id` + year"}
    assert parse_cluster("`a + b`^c") == ("a + b", "c")
    assert parse_cluster("城市 id") == ("城市 id",)  # unquoted: the name as written
    assert parse_cluster("a`b") is None


def test_split_names():
    assert split_names("RD + `R+D share` + FIN ratio") == ("RD", "R+D share", "FIN ratio")


# --- feols ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "vcov", ["iid", "hetero", {"CRV1": "unit"}, {"CRV1": "unit + year"}], ids=str
)
def test_feols_with_built_formula_equals_plain_names(plain, odd, vcov):
    regressors = ["did", "x1", "x2", "z", "evil"]
    fit_plain = pdid.feols(build_formula("y", regressors, ["unit", "year"]), plain, vcov=vcov)
    odd_vcov = vcov if isinstance(vcov, str) else cluster_argument(o(*vcov["CRV1"].split(" + ")))
    fml = build_formula(ODD["y"], o(*regressors), o("unit", "year"))
    fit_odd = pdid.feols(fml, odd, vcov=odd_vcov, weights=ODD["w"])
    fit_plain = pdid.feols(
        build_formula("y", regressors, ["unit", "year"]), plain, vcov=vcov, weights="w"
    )
    assert_same_fit(fit_odd, fit_plain)
    assert fit_odd.depvar == ODD["y"]
    assert fit_odd.fixef == tuple(o("unit", "year"))
    if vcov != "iid" and not isinstance(vcov, str):
        assert fit_odd.cluster == tuple(o(*vcov["CRV1"].split(" + ")))


def test_user_formula_with_backticks_everywhere(plain, odd):
    fit_odd = pdid.feols(
        "`出口 复杂度` ~ `T.P` + `FIN ratio` + C(`省份`) | `城市 id` + `year (t)`^`省份`",
        odd,
        vcov={"CRV1": "`城市 id`"},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # C(prov) is collinear with the unit fixed effect
        fit_plain = pdid.feols("y ~ did + x1 + C(prov) | unit + year^prov", plain)
    np.testing.assert_allclose(
        fit_odd.coef()[["T.P", "FIN ratio"]], fit_plain.coef()[["did", "x1"]]
    )
    assert fit_odd.fixef == ("城市 id", "year (t)^省份")
    # cluster names in vcov= may be quoted or written as they are
    unquoted = fit_odd.with_vcov({"CRV1": "城市 id"})
    np.testing.assert_allclose(unquoted.se().to_numpy(), fit_odd.se().to_numpy())


def test_a_name_that_reads_like_python_is_the_column_of_that_name(odd):
    # ``np.exp(lnHCL)`` is a column of its own; exp of the column lnHCL is something else
    named = pdid.feols(build_formula(ODD["y"], o("did", "x2"), o("unit", "year")), odd)
    assert named.names == ("T.P", "np.exp(lnHCL)")
    evaluated = odd.assign(e=np.exp(odd["lnHCL"]))
    other = pdid.feols(build_formula(ODD["y"], [ODD["did"], "e"], o("unit", "year")), evaluated)
    assert not np.isclose(named.coef()["np.exp(lnHCL)"], other.coef()["e"])
    direct = pdid.feols("y ~ did + x2 | unit + year", plain_panel())
    np.testing.assert_allclose(named.coef_values, direct.coef_values, rtol=1e-12)


def test_injection_name_is_never_evaluated(odd):
    fit = pdid.feols(build_formula(ODD["y"], o("did", "evil"), o("unit", "year")), odd)
    assert INJECTION in fit.names
    # written by hand in backticks it is a name as well
    fit2 = pdid.feols(f"`{ODD['y']}` ~ `T.P` + `{INJECTION}` | `城市 id` + `year (t)`", odd)
    np.testing.assert_allclose(fit.coef_values, fit2.coef_values)


def test_intercept_and_a_column_named_intercept(plain):
    data = plain.assign(Intercept=plain["x1"])
    fit = pdid.feols("y ~ Intercept + x2 | unit", data)
    np.testing.assert_allclose(
        fit.coef_values, pdid.feols("y ~ x1 + x2 | unit", plain).coef_values, rtol=1e-12
    )


# --- the estimators with column arguments ----------------------------------------------------


def test_event_study(plain, odd):
    kw = dict(window=(-3, 2), vcov=None)
    es_plain = pdid.event_study(
        plain, "y", unit="unit", time="year", cohort="cohort", controls=["x1", "x2", "evil"], **kw
    )
    es_odd = pdid.event_study(odd, *o("y", "unit", "year", "cohort"), o("x1", "x2", "evil"), **kw)
    assert_same_fit(es_odd.fit, es_plain.fit)
    np.testing.assert_allclose(es_odd.tidy()["estimate"], es_plain.tidy()["estimate"], rtol=1e-12)


def test_placebo(plain, odd):
    fml_plain = build_formula("y", ["did", "x1", "evil"], ["unit", "year"])
    fml_odd = build_formula(ODD["y"], o("did", "x1", "evil"), o("unit", "year"))
    res_plain = pdid.placebo(
        plain, fml_plain, unit="unit", time="year", cohort="cohort", draws=30, seed=1
    )
    res_odd = pdid.placebo(odd, fml_odd, *o("unit", "year", "cohort"), draws=30, seed=1)
    assert res_odd.treatment == "T.P"
    np.testing.assert_allclose(res_odd.draws["coef"], res_plain.draws["coef"], rtol=1e-10)


@pytest.mark.parametrize("method", ["d_to_m", "three_step"])
def test_mechanism(plain, odd, method):
    kw = dict(method=method, bootstrap=20, seed=3)
    res_plain = pdid.mechanism(
        plain, "did", ["m"], outcome="y", controls=["x1", "evil"], fixef=["unit", "year"], **kw
    )
    res_odd = pdid.mechanism(
        odd,
        ODD["did"],
        o("m"),
        outcome=ODD["y"],
        controls=o("x1", "evil"),
        fixef=o("unit", "year"),
        **kw,
    )
    np.testing.assert_allclose(res_odd.effects["a"], res_plain.effects["a"], rtol=1e-12)
    assert list(res_odd.effects.index) == [ODD["m"]]
    if method == "three_step":
        np.testing.assert_allclose(
            res_odd.effects["boot_se"], res_plain.effects["boot_se"], rtol=1e-10
        )
    # the string form: names joined by '+', backticks for a name that holds a '+'
    res_str = pdid.mechanism(odd, ODD["did"], ODD["m"], outcome=ODD["y"], controls="FIN ratio + `np.save('pwned', 0)`", fixef="城市 id + `year (t)`", **kw)  # fmt: skip
    np.testing.assert_allclose(res_str.effects["a"], res_plain.effects["a"], rtol=1e-12)


def test_heterogeneity(plain, odd):
    fml_plain = build_formula("y", ["did", "x1", "evil"], ["unit", "year"])
    fml_odd = build_formula(ODD["y"], o("did", "x1", "evil"), o("unit", "year"))
    kw = dict(permutations=20, seed=2)
    res_plain = pdid.heterogeneity(plain, fml_plain, "z", cohort="cohort", **kw)
    res_odd = pdid.heterogeneity(odd, fml_odd, ODD["z"], cohort=ODD["cohort"], **kw)
    assert res_odd.treatment == "T.P"
    for g_odd, g_plain in zip(res_odd.groups, res_plain.groups, strict=True):
        assert_same_fit(res_odd.models[g_odd], res_plain.models[g_plain])
    np.testing.assert_allclose(
        res_odd.differences["estimate"], res_plain.differences["estimate"], rtol=1e-10
    )
    np.testing.assert_allclose(
        res_odd.differences["p_perm"], res_plain.differences["p_perm"], rtol=1e-12
    )
    assert res_odd.pooled is not None and any(n.startswith("T.P:") for n in res_odd.pooled.names)


def test_moderation(plain, odd):
    fml_plain = build_formula("y", ["did", "x1", "evil"], ["unit", "year"])
    fml_odd = build_formula(ODD["y"], o("did", "x1", "evil"), o("unit", "year"))
    res_plain = pdid.moderation(plain, fml_plain, "m", treatment="did")
    res_odd = pdid.moderation(odd, fml_odd, ODD["m"], treatment=ODD["did"])
    for key in ("main", "interaction"):
        fit_odd, fit_plain = res_odd.models[key], res_plain.models[key]
        np.testing.assert_allclose(fit_odd.coef_values, fit_plain.coef_values, rtol=1e-12)
    assert f"T.P:{ODD['m']}" in res_odd.models["interaction"].names
    parse_formula(res_odd.models["interaction"].fml)  # the readable formula still parses
    table = res_odd.table()
    assert ODD["m"] in table.to_markdown()


def test_match_and_psm_did(plain, odd):
    kw = dict(method="nearest", panel="base_year", base="first")
    res_plain = pdid.match(plain, "treat", ["x1", "evil"], unit="unit", time="year", **kw)
    res_odd = pdid.match(odd, "treat", o("x1", "evil"), unit=ODD["unit"], time=ODD["year"], **kw)
    np.testing.assert_allclose(res_odd.data["_pscore"], res_plain.data["_pscore"], rtol=1e-10)
    fits_odd = res_odd.did(ODD["y"], ODD["did"], controls=o("x1", "evil"))
    fits_plain = res_plain.did("y", "did", controls=["x1", "evil"])
    for fit_odd, fit_plain in zip(fits_odd, fits_plain, strict=True):
        assert_same_fit(fit_odd, fit_plain)


def test_describe_correlation_and_etable(odd):
    columns = o("y", "x1", "x2", "evil", "m")
    for table in (
        pdid.describe(odd, columns),
        pdid.correlation(odd, columns),
        pdid.vif(odd, columns[1:]),
    ):
        text = table.to_markdown()
        for name in columns[1:]:
            assert name in text
    fit = pdid.feols(build_formula(ODD["y"], o("did", "x1", "evil"), o("unit", "year")), odd)
    text = pdid.etable([fit]).to_markdown()
    for name in ["T.P", "FIN ratio", INJECTION, "城市 id"]:
        assert name in text


def test_injection_in_controls_with_plain_fixed_effects(plain, tmp_path):
    # (before names were quoted, this control was evaluated and wrote pwned.npy)
    data = plain.rename(columns={"evil": INJECTION})
    es = pdid.event_study(
        data,
        "y",
        unit="unit",
        time="year",
        cohort="cohort",
        controls=["x1", INJECTION],
        window=(-3, 2),
    )
    assert INJECTION in es.fit.names
    mech = pdid.mechanism(
        data, "did", ["m"], outcome="y", controls=[INJECTION], fixef=["unit", "year"]
    )
    assert INJECTION in mech.models["m"].names
    assert not (tmp_path / "pwned.npy").exists()


def test_event_study_with_data_columns_named_like_its_dummies(plain):
    data = plain.assign(rel_p0=plain["x1"], rel_m2=plain["x2"])
    es = pdid.event_study(
        data,
        "y",
        unit="unit",
        time="year",
        cohort="cohort",
        controls=["rel_p0", "rel_m2"],
        window=(-3, 2),
    )
    reference = pdid.event_study(
        plain, "y", unit="unit", time="year", cohort="cohort", controls=["x1", "x2"], window=(-3, 2)
    )
    np.testing.assert_allclose(es.tidy()["estimate"], reference.tidy()["estimate"], rtol=1e-12)
    assert {"rel_p0", "rel_m2"} <= set(es.fit.names)
