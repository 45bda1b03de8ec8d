"""The public API's signatures follow one convention (ARCHITECTURE.md, "Public API conventions")."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.options import deprecated_arguments

KEYWORD_ONLY = inspect.Parameter.KEYWORD_ONLY
BANNED = {"fe", "fes", "fixed_effects", "fe_labels", "did", "treat", "cohort_col", "weight"}
#: the one spelling of each shared role
SHARED = ("unit", "time", "cohort", "outcome", "controls", "treatment", "fixef", "weights",
          "vcov", "seed")  # fmt: skip

#: the positional parameters of the estimators (everything else is keyword-only)
POSITIONAL = {
    "feols": ("fml", "data"),
    "event_study": ("data", "outcome"),
    "placebo": ("data", "fml"),
    "mechanism": ("data", "treatment", "mediators"),
    "heterogeneity": ("data", "fml", "by"),
    "moderation": ("data", "fml", "moderator"),
    "exclude": ("data", "by", "values"),
    "assign_treatment": ("data", "adoption"),
    "match": ("data", "treatment", "covariates"),
    "describe": ("data", "columns"),
    "correlation": ("data", "columns"),
    "fit_propensity": ("data", "treatment", "covariates"),
    "honest_did": ("result_or_betahat",),
    "pretrend_power": ("effects",),
}


def _functions():
    for name in pdid.__all__:
        obj = getattr(pdid, name)
        if inspect.isfunction(obj):
            yield name, obj
    yield "MatchResult.did", pdid.MatchResult.did
    from pilotdid.did.psm_did import psm_did

    yield "psm_did", psm_did


def _callables():
    """Functions, class constructors and public methods of everything in ``pilotdid.__all__``."""
    yield from _functions()
    for name in pdid.__all__:
        obj = getattr(pdid, name)
        if inspect.isclass(obj):
            yield name, obj
            for attr, member in vars(obj).items():
                if inspect.isfunction(member) and not attr.startswith("_"):
                    yield f"{name}.{attr}", member


def _positional(func):
    params = inspect.signature(func).parameters.values()
    return tuple(p.name for p in params if p.kind != KEYWORD_ONLY and p.name != "self")


@pytest.mark.parametrize(("name", "func"), list(_callables()), ids=lambda v: str(v)[:40])
def test_no_old_or_variant_parameter_names(name, func):
    try:
        names = set(inspect.signature(func).parameters)
    except (TypeError, ValueError):  # a class without an introspectable constructor
        return
    assert not names & BANNED, f"{name} takes {names & BANNED}"
    for role in SHARED:  # no near-spelling of a shared name (fixed_effect, vcov_type, seeds ...)
        variants = {n for n in names if n != role and n.rstrip("s_") == role.rstrip("s_")}
        assert not variants, f"{name} spells {role!r} as {variants}"


@pytest.mark.parametrize(("name", "func"), list(_functions()), ids=lambda v: str(v)[:40])
def test_options_are_keyword_only(name, func):
    positional = _positional(func)
    assert len(positional) <= 3, f"{name} takes {positional} by position"
    if name in POSITIONAL:
        assert positional == POSITIONAL[name]
    defaults = [
        p.name
        for p in inspect.signature(func).parameters.values()
        if p.kind != KEYWORD_ONLY and p.default is not p.empty
    ]
    assert set(defaults) <= {"columns"}, f"{name}: options {defaults} are not keyword-only"


def test_estimators_are_all_in_the_table():
    assert set(POSITIONAL) - {n for n, _ in _functions()} == set()


# --- the deprecated spellings still work, with a warning naming the new one ----------------------


@pytest.fixture(scope="module")
def panel():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"unit": np.repeat(np.arange(30), 6), "year": np.tile(np.arange(6), 30)})
    df["cohort"] = np.where(df["unit"] < 10, 3.0, np.nan)
    df["did"] = (df["year"] >= df["cohort"]).astype(float)
    df["m"] = 0.5 * df["did"] + rng.normal(size=len(df))
    df["y"] = 0.5 * df["did"] + df["m"] + rng.normal(size=len(df))
    return df


def test_fe_keyword_of_mechanism_warns_and_equals_fixef(panel):
    new = pdid.mechanism(panel, "did", "m", fixef="unit + year")
    with pytest.warns(DeprecationWarning, match=r"fe= is deprecated; use fixef="):
        old = pdid.mechanism(panel, "did", "m", fe="unit + year")
    pd.testing.assert_frame_equal(old.effects, new.effects)
    assert old.fixef == ("unit", "year")
    with pytest.warns(DeprecationWarning, match=r"\.fixef"):
        assert old.fe == old.fixef


def test_old_positional_calls_still_work_with_a_warning(panel):
    new = pdid.event_study(panel, "y", unit="unit", time="year", cohort="cohort", window=(-2, 1))
    with pytest.warns(
        DeprecationWarning, match=r"unit, time, cohort, controls, window by position"
    ):
        old = pdid.event_study(panel, "y", "unit", "year", "cohort", (), (-2, 1))
    pd.testing.assert_frame_equal(old.tidy(), new.tidy())
    with pytest.warns(DeprecationWarning, match=r"treatment, moderator by position"):
        old_mod = pdid.moderation(panel, "y ~ did | unit + year", "did", "m")
    new_mod = pdid.moderation(panel, "y ~ did | unit + year", "m")  # treatment: first regressor
    assert old_mod.models["interaction"].coef().equals(new_mod.models["interaction"].coef())
    with pytest.warns(DeprecationWarning, match=r"vcov by position"):
        fit = pdid.feols("y ~ did | unit + year", panel, "hetero")
    assert fit.vcov_type == pdid.feols("y ~ did | unit + year", panel, vcov="hetero").vcov_type


def test_reordered_positional_call_binds_by_the_old_order(panel):
    roster = {0: 3, 1: 3}
    new = pdid.assign_treatment(panel[["unit", "year"]], roster, unit="unit", time="year")
    with pytest.warns(DeprecationWarning, match=r"unit, time, adoption by position"):
        old = pdid.assign_treatment(panel[["unit", "year"]], "unit", "year", roster)
    pd.testing.assert_frame_equal(old.data, new.data)


def test_deprecated_arguments_refuses_ambiguous_calls():
    @deprecated_arguments(("a", "b", "c"), old="b")
    def f(a, *, b=0, c=0):
        return (a, b, c)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert f(1, b=2, c=3) == (1, 2, 3)  # the current form never warns
    with pytest.raises(TypeError, match="both old= and b="):
        f(1, old=2, b=2)
    with pytest.raises(TypeError, match="multiple values for argument 'b'"):
        f(1, 2, b=3)
    with pytest.raises(TypeError, match="at most 3 positional"):
        f(1, 2, 3, 4)
    assert inspect.signature(f) == inspect.signature(f.__wrapped__)
