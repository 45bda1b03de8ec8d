"""moderation(): the interaction model against feols, marginal effects, the figure."""

import numpy as np
import pytest
from scipy import stats

import pilotdid as pdid

from .conftest import DEMO_FML, mech_panel

TOL = 1e-10
FML = "y ~ did + x1 + x2 | unit + year"


@pytest.mark.parametrize("kwargs", [dict(), dict(vcov="hetero", weights="wt")], ids=["crv", "hc1"])
def test_models_equal_feols_with_a_hand_made_interaction(kwargs):
    df = mech_panel(seed=1)
    df.loc[df.sample(frac=0.1, random_state=0).index, "w"] = np.nan
    res = pdid.moderation(df, FML, "w", treatment="did", **kwargs)
    main = pdid.feols("y ~ did + w + x1 + x2 | unit + year", df, **kwargs)
    np.testing.assert_allclose(res.models["main"].coef_values, main.coef_values, rtol=TOL)
    mean = df.dropna(subset=["w"])["w"].mean()  # every other column is complete
    assert res.center_value == pytest.approx(mean, rel=1e-14)
    frame = df.assign(inter=df["did"] * (df["w"] - mean))
    direct = pdid.feols("y ~ did + w + inter + x1 + x2 | unit + year", frame, **kwargs)
    got = res.models["interaction"]
    assert got.names == ("did", "w", "did:w", "x1", "x2")
    np.testing.assert_allclose(got.coef_values, direct.coef_values, rtol=TOL)
    np.testing.assert_allclose(got.vcov_matrix, direct.vcov_matrix, rtol=TOL)


def test_centring_moves_only_the_treatment_coefficient():
    df = mech_panel(seed=2)
    centred = pdid.moderation(df, FML, "w", treatment="did").models["interaction"].coef()
    raw_res = pdid.moderation(df, FML, "w", treatment="did", center=False)
    raw = raw_res.models["interaction"].coef()
    assert raw_res.center_value == 0.0
    assert centred["did:w"] == pytest.approx(raw["did:w"], rel=1e-9)
    mean = df["w"].mean()
    assert centred["did"] == pytest.approx(raw["did"] + raw["did:w"] * mean, rel=1e-9)
    for term in ("w", "x1", "x2"):
        assert centred[term] == pytest.approx(raw[term], rel=1e-9)


def test_marginal_effects_delta_method():
    df = mech_panel(seed=3)
    res = pdid.moderation(df, FML, "w", treatment="did")
    fit = res.models["interaction"]
    me = res.marginal_effects([res.center_value, 4.0], level=0.9)
    assert me.loc[0, "estimate"] == pytest.approx(fit.coef()["did"], rel=TOL)
    assert me.loc[0, "std_error"] == pytest.approx(fit.se()["did"], rel=TOL)
    v, d = fit.vcov(), 4.0 - res.center_value
    se = np.sqrt(v.at["did", "did"] + d**2 * v.at["did:w", "did:w"] + 2 * d * v.at["did", "did:w"])
    assert me.loc[1, "std_error"] == pytest.approx(se, rel=TOL)
    q = stats.t.ppf(0.95, fit.df_t)
    assert me.loc[1, "conf_high"] - me.loc[1, "estimate"] == pytest.approx(q * se, rel=1e-9)
    grid = res.marginal_effects()
    assert len(grid) == 100
    assert grid["moderator"].iloc[[0, -1]].tolist() == pytest.approx([df["w"].min(), df["w"].max()])


def test_known_interaction_is_recovered():
    df = mech_panel(n_units=300, seed=4, inter=-0.3, share=0.5)
    fit = pdid.moderation(df, FML, "w", treatment="did").models["interaction"]
    assert fit.coef()["did:w"] == pytest.approx(-0.3, abs=3 * fit.se()["did:w"])
    assert fit.pvalue()["did:w"] < 0.001


def test_demo_recovers_the_interaction(demo):
    res = pdid.moderation(demo.data, DEMO_FML, "freedom", treatment="TP")
    fit = res.models["interaction"]
    truth = demo.true_effects
    assert fit.coef()["TP:freedom"] == pytest.approx(
        truth["TP_x_freedom"], abs=2.5 * fit.se()["TP:freedom"]
    )
    # the demo centres its effect at 9.93; the sample mean differs a little from it
    at_truth_centre = res.marginal_effects([truth["freedom_mean"]]).iloc[0]
    assert at_truth_centre["estimate"] == pytest.approx(
        truth["lnESF_at_mean_freedom"], abs=2.5 * at_truth_centre["std_error"]
    )


@pytest.mark.filterwarnings("ignore:Glyph:UserWarning")  # no CJK font on the test machine
def test_figure_and_display():
    from matplotlib.figure import Figure

    df = mech_panel(seed=5)
    res = pdid.moderation(df, FML, "w", treatment="did")
    for language in ("en", "zh"):
        fig = res.figure(language=language, labels={"w": "Openness"})
        assert isinstance(fig, Figure) and len(fig.axes) == 2
        assert fig.axes[1].get_xlabel() == "Openness"
    assert "did:w" in res.summary() and "<div>" in res._repr_html_()
    assert res.tidy().index.names == ["model", "term"]


def test_input_frame_is_not_modified():
    df = mech_panel(seed=6)
    before = df.copy()
    pdid.moderation(df, FML, "w", treatment="did")
    assert df.equals(before)
