"""pilotdid.spec_curve: every specification equals a direct call, sampling, SSN test, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.estimation.formula import build_formula, cluster_argument
from pilotdid.robustness.spec_choices import MATCHING_PRESETS

C = ["lnHCL", "FIN", "lnPERgdp", "HUM", "MAR", "lnAOL", "lnFINA"]
MINORITY = ("province", ["Inner Mongolia", "Ningxia", "Xinjiang", "Guangxi"])
KW = dict(unit="code", time="year", cohort="adoption_year", treatment="TP")


@pytest.fixture(scope="module")
def demo():
    return pdid.datasets.demo_panel().data


CHOICES = {
    "matching": ["none", "nearest", "kernel", "caliper"],
    "mode": ["base_year", "pooled"],
    "controls": {"none": [], "three": C[:3], "all": C},
    "sample": {"full": None, "no minority": MINORITY},
    "cluster": ["code", "province", "hetero"],
}


@pytest.fixture(scope="module")
def curve(demo):
    return pdid.spec_curve(demo, "lnESF", choices=CHOICES, covariates=C, seed=5, **KW)


def _vcov(cluster):
    return cluster if cluster in ("hetero", "iid") else cluster_argument([cluster])


def _direct_sample(demo, matching, mode, sample):
    setting = MATCHING_PRESETS[matching]
    if setting is None:
        frame, m = demo, None
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = pdid.match(demo, "treat", C, unit="code", time="year", panel=mode, **setting)
        frame = m.analysis_sample("matched")
    if sample != "full":
        frame = pdid.exclude(frame, MINORITY[0], MINORITY[1], unit="code").data
    return frame, m


def test_built_in_labels_are_the_options_literals():
    from typing import get_args

    from pilotdid.options import SpecMatching

    assert tuple(MATCHING_PRESETS) == get_args(SpecMatching)


def test_cross_product_size(curve):
    # (1 unmatched + 3 matchings x 2 modes) x 3 controls x 2 samples x 3 clusterings
    assert curve.n_possible == (1 + 3 * 2) * 3 * 2 * 3 == len(curve.specs)
    assert (curve.specs.loc[curve.specs.matching == "none", "mode"] == "-").all()
    assert curve.n_failed == 0


def test_every_twfe_spec_equals_feols(demo, curve):
    assert (demo["treat"] == demo["adoption_year"].notna()).all()
    for _, row in curve.tidy().iterrows():
        frame, _ = _direct_sample(demo, row.matching, row["mode"], row["sample"])
        controls = CHOICES["controls"][row.controls]
        fml = build_formula("lnESF", ["TP", *controls], ["code", "year"])
        fit = pdid.feols(fml, frame, vcov=_vcov(row.cluster))
        tidy = fit.tidy().loc["TP"]
        assert row.estimate == pytest.approx(tidy["estimate"], abs=1e-10, rel=1e-10)
        assert row.std_error == pytest.approx(tidy["std_error"], abs=1e-10, rel=1e-10)
        assert row.p_value == pytest.approx(tidy["p_value"], abs=1e-10, rel=1e-8)
        assert row.conf_low == pytest.approx(tidy["conf_low"], abs=1e-10, rel=1e-10)
        assert row.conf_high == pytest.approx(tidy["conf_high"], abs=1e-10, rel=1e-10)
        assert row.n_obs == fit.nobs
        assert row.n_treated_units == frame.loc[frame.treat == 1, "code"].nunique()


def test_matched_spec_equals_psm_did(demo, curve):
    sel = curve.specs.query(
        "matching == 'nearest' and mode == 'base_year' and controls == 'all' "
        "and sample == 'full' and cluster == 'code'"
    )
    _, m = _direct_sample(demo, "nearest", "base_year", "full")
    fit = m.did("lnESF", "TP", controls=C).with_controls  # pilotdid's psm_did
    assert float(sel.estimate.iloc[0]) == pytest.approx(float(fit.coef()["TP"]), abs=1e-10)
    assert float(sel.std_error.iloc[0]) == pytest.approx(float(fit.se()["TP"]), abs=1e-10)


def test_staggered_estimators_equal_direct_calls(demo):
    choices = {"matching": ["none"], "controls": {"two": C[:2]}, "estimator": ["sa", "bjs"]}
    curve = pdid.spec_curve(demo, "lnESF", choices=choices, **KW)
    got = curve.specs.set_index("estimator")
    common = dict(unit="code", time="year", cohort="adoption_year")
    sa = pdid.sun_abraham(demo, "lnESF", controls=C[:2], vcov=cluster_argument(["code"]), **common)
    bjs = pdid.did_imputation(demo, "lnESF", controls=C[:2], cluster="code", **common)
    for name, res in (("sa", sa), ("bjs", bjs)):
        assert got.loc[name, "estimate"] == pytest.approx(res.att, abs=1e-10)
        assert got.loc[name, "std_error"] == pytest.approx(res.att_se, abs=1e-10)
        assert got.loc[name, "p_value"] == pytest.approx(res.att_table().p_value.iloc[0], abs=1e-10)
    # Callaway-Sant'Anna: the simple aggregate, analytic standard error
    curve = pdid.spec_curve(
        demo, "lnESF", choices={"matching": ["none"], "estimator": ["cs"]}, **KW
    )
    cs = pdid.att_gt(demo, "lnESF", cluster="code", bootstrap=0, **common).aggregate("simple")
    row = curve.specs.iloc[0]
    assert row.estimate == pytest.approx(cs.overall_estimate, abs=1e-10)
    assert row.std_error == pytest.approx(cs.overall_se, abs=1e-10)
    assert row.note == ""


def test_a_failing_staggered_spec_keeps_its_reason(demo):
    # the DR propensity logit of CS separates with these covariates: recorded, not raised
    choices = {"matching": ["none"], "controls": {"two": C[:2]}, "estimator": ["twfe", "cs"]}
    curve = pdid.spec_curve(demo, "lnESF", choices=choices, **KW)
    notes = curve.specs.set_index("estimator")["note"]
    assert notes["twfe"] == "" and "did not converge" in notes["cs"]
    assert curve.n_failed == 1


def test_subset_is_reproducible_by_seed(demo):
    choices = {**CHOICES, "matching": ["none"]}
    full = pdid.spec_curve(demo, "lnESF", choices=choices, **KW)
    a = pdid.spec_curve(demo, "lnESF", choices=choices, max_specs=7, seed=11, **KW)
    b = pdid.spec_curve(demo, "lnESF", choices=choices, max_specs=7, seed=11, **KW)
    c = pdid.spec_curve(demo, "lnESF", choices=choices, max_specs=7, seed=12, **KW)
    assert len(a.specs) == 7 and a.n_possible == len(full.specs) == 18
    pd.testing.assert_frame_equal(a.tidy(), b.tidy())
    assert list(a.specs.index) != list(c.specs.index)
    # a sampled specification is the same row as in the full curve
    pd.testing.assert_frame_equal(a.tidy(), full.tidy().loc[a.specs.index])


def test_shares_and_table(curve):
    est = curve.specs
    sh = curve.shares
    assert sh["positive"] == pytest.approx((est.estimate > 0).mean())
    assert sh["significant"] == pytest.approx((est.p_value < 0.05).mean())
    assert sh["positive_significant"] + sh["negative_significant"] == pytest.approx(
        sh["significant"]
    )
    table = curve.table()
    assert "Share significant" in table.to_text()
    assert "设定曲线" in curve.table(language="zh").to_text()
    assert "Specification curve" in curve._repr_html_()


def test_figure_renders_en_and_zh(curve, tmp_path):
    for lang in ("en", "zh"):
        fig = curve.figure(language=lang)
        assert len(fig.axes) == 2
        path = tmp_path / f"spec_{lang}.png"
        fig.savefig(path)
        assert path.stat().st_size > 10_000
    ticks = [t.get_text() for t in curve.figure().axes[1].get_yticklabels()]
    assert "Matching: kernel" in ticks and "Cluster: hetero" in ticks


def test_ssn_null_draws_equal_feols_with_fake_treatment(demo):
    from pilotdid.panel.adoption import adoption_cohorts
    from pilotdid.robustness.spec_choices import expand, normalise_choices
    from pilotdid.robustness.spec_engine import CurveSetup, run_group

    cohorts = adoption_cohorts(demo, "code", "adoption_year", time="year")
    rng = np.random.default_rng(0)
    null = np.full((3, cohorts.units.size), np.inf)
    for r in range(3):
        pick = rng.choice(cohorts.units.size, 80, replace=False)
        null[r, pick] = rng.choice([2016.0, 2017.0], 80)
    choices = normalise_choices(
        {"matching": ["none"], "controls": {"two": C[:2]}}, [*list(demo.columns), "_g"], unit="code"
    )
    data = demo.assign(_g=demo["treat"])
    setup = CurveSetup(
        data,
        "lnESF",
        "TP",
        "code",
        "year",
        "adoption_year",
        "_g",
        None,
        ("code", "year"),
        "matched",
        0.95,
        choices,
        cohorts.units,
        null,
    )
    out = run_group(setup, list(enumerate(expand(choices))), 0)
    fake_cohort = pd.DataFrame(null.T, index=cohorts.units)
    for r in range(3):
        d = data.assign(fake=(data["year"] >= data["code"].map(fake_cohort[r])).astype(float))
        fit = pdid.feols("lnESF ~ fake + lnHCL + FIN | code + year", d)
        assert out.null_coef[0][r] == pytest.approx(float(fit.coef()["fake"]), abs=1e-10)
        assert out.null_p[0][r] == pytest.approx(float(fit.pvalue()["fake"]), abs=1e-8)


def test_ssn_test_is_seeded(demo):
    choices = {"matching": ["none"], "controls": {"none": [], "two": C[:2]}}
    a = pdid.spec_curve(demo, "lnESF", choices=choices, ssn=True, ssn_draws=40, seed=3, **KW)
    b = pdid.spec_curve(demo, "lnESF", choices=choices, ssn=True, ssn_draws=40, seed=3, **KW)
    pd.testing.assert_frame_equal(a.ssn.statistics, b.ssn.statistics)
    stats = a.ssn.statistics
    assert list(stats.index) == ["median", "share_significant", "mean_z"]
    assert ((stats.p_value > 0) & (stats.p_value <= 1)).all()
    # the demo's effect is real and strong: few null curves are as extreme
    assert stats.loc["mean_z", "p_value"] < 0.1
    assert "SSN" in a.table().to_text()


def test_failed_spec_is_kept_with_its_reason(demo):
    # excluding every treated province leaves no treated unit: that spec fails, the others run
    treated_prov = demo.loc[demo.treat == 1, "province"].unique().tolist()
    choices = {
        "matching": ["none"],
        "sample": {"full": None, "none treated": ("province", treated_prov)},
    }
    curve = pdid.spec_curve(demo, "lnESF", choices=choices, **KW)
    assert curve.n_failed == 1
    note = curve.specs.set_index("sample").loc["none treated", "note"]
    assert "treated" in note
    assert np.isnan(curve.specs.set_index("sample").loc["none treated", "estimate"])


@pytest.mark.parametrize(
    ("choices", "match"),
    [
        ({"matchng": ["none"]}, "unknown choice 'matchng'.*matching"),
        ({"matching": ["nearst"]}, "'nearst' is not one of.*nearest"),
        ({"mode": "pooled"}, "non-empty list"),
        ({"controls": {"a": ["nope"]}}, "column 'nope' is not in the data"),
        ({"sample": {"x": ("nope", [1])}}, "column 'nope'"),
        ({"sample": {"x": "province"}}, "must be None or \\(column, \\[values\\]\\)"),
        ({"cluster": ["provnce"]}, "'provnce' is neither a column.*province"),
        ({"estimator": ["did"]}, "'did' is not one of"),
        ({"matching": {"mine": {"panel": "pooled"}}}, "these come from the curve"),
    ],
)
def test_bad_choices_say_what_is_wrong(demo, choices, match):
    with pytest.raises(pdid.PilotdidError, match=match):
        pdid.spec_curve(demo, "lnESF", choices=choices, **KW)


def test_bad_arguments(demo):
    with pytest.raises(pdid.PilotdidError, match="max_specs"):
        pdid.spec_curve(demo, "lnESF", max_specs=0, **KW)
    with pytest.raises(pdid.PilotdidError, match="executor"):
        pdid.spec_curve(demo, "lnESF", executor="processes", **KW)
    with pytest.raises(pdid.PilotdidError, match="level"):
        pdid.spec_curve(demo, "lnESF", level=95, **KW)


def test_input_is_not_modified(demo):
    before = demo.copy()
    pdid.spec_curve(demo, "lnESF", choices={"matching": ["nearest"]}, covariates=C, **KW)
    pd.testing.assert_frame_equal(demo, before)


def test_matching_without_covariates_says_so(demo):
    with pytest.raises(pdid.PilotdidError, match="matching needs covariates"):
        pdid.spec_curve(demo, "lnESF", choices={"matching": ["nearest"]}, **KW)
