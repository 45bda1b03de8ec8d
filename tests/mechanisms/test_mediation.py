"""mechanism(): D→M and three-step regressions against feols, the bootstrap against a loop."""

import warnings

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import PilotdidWarning
from pilotdid.estimation import moments
from pilotdid.mechanisms.bootstrap import bootstrap_counts

from .conftest import CONTROLS, mech_panel

TOL = 1e-10


def test_d_to_m_equals_feols():
    df = mech_panel(seed=1)
    df["m2"] = df["m"] ** 2
    res = pdid.mechanism(
        df, "did", ["m", "m2"], outcome="y", controls="x1 + x2", fixef="unit + year"
    )
    assert list(res.models) == ["total", "m", "m2"]
    for dep in ("m", "m2"):
        direct = pdid.feols(f"{dep} ~ did + x1 + x2 | unit + year", df)
        np.testing.assert_allclose(res.models[dep].coef_values, direct.coef_values, rtol=TOL)
        np.testing.assert_allclose(res.models[dep].vcov_matrix, direct.vcov_matrix, rtol=TOL)
        assert res.effects.loc[dep, "a"] == pytest.approx(direct.coef()["did"], rel=TOL)
        assert res.effects.loc[dep, "se_a"] == pytest.approx(direct.se()["did"], rel=TOL)
        assert res.effects.loc[dep, "p_a"] == pytest.approx(direct.pvalue()["did"], rel=1e-8)
    total = pdid.feols("y ~ did + x1 + x2 | unit + year", df)
    np.testing.assert_allclose(res.models["total"].coef_values, total.coef_values, rtol=TOL)
    assert res.bootstrap_draws is None
    assert "Jiang" in res.notes[0]


def test_d_to_m_accepts_lists_and_vcov_weights():
    df = mech_panel(seed=2)
    res = pdid.mechanism(
        df, "did", "m", controls=["x1"], fixef=["unit", "year"], vcov="hetero", weights="wt"
    )
    direct = pdid.feols("m ~ did + x1 | unit + year", df, vcov="hetero", weights="wt")
    np.testing.assert_allclose(res.models["m"].vcov_matrix, direct.vcov_matrix, rtol=TOL)


def test_three_step_equals_feols_on_the_common_sample():
    df = mech_panel(seed=3)
    df.loc[df.sample(frac=0.1, random_state=1).index, "m"] = np.nan
    res = pdid.mechanism(
        df,
        "did",
        "m",
        outcome="y",
        controls="x1 + x2",
        fixef="unit + year",
        method="three_step",
        bootstrap=0,
    )
    sample = df.dropna(subset=["m"])
    formulas = {
        "step1:m": "y ~ did + x1 + x2 | unit + year",
        "step2:m": "m ~ did + x1 + x2 | unit + year",
        "step3:m": "y ~ did + m + x1 + x2 | unit + year",
    }
    for key, fml in formulas.items():
        direct = pdid.feols(fml, sample)
        np.testing.assert_allclose(res.models[key].coef_values, direct.coef_values, rtol=TOL)
        np.testing.assert_allclose(res.models[key].vcov_matrix, direct.vcov_matrix, rtol=TOL)
    e = res.effects.loc["m"]
    # same sample and fixed effects: total = direct + a·b exactly
    assert e["total"] == pytest.approx(e["direct"] + e["indirect"], rel=1e-9)
    assert e["sobel_se"] == pytest.approx(
        np.sqrt(e["b"] ** 2 * e["se_a"] ** 2 + e["a"] ** 2 * e["se_b"] ** 2), rel=TOL
    )
    assert e["sobel_z"] == pytest.approx(e["indirect"] / e["sobel_se"], rel=TOL)
    assert e["nobs"] == sample.shape[0]
    assert np.isnan(e["boot_low"]) and res.bootstrap_draws is None


def resample_by_hand(df, unit, cluster, counts):
    """Clusters repeated as often as drawn; copy j of unit u gets the id 'u#j'."""
    codes = pd.factorize(df[cluster], sort=True)[0]
    parts = []
    for c, k in enumerate(counts):
        rows = df[codes == c]
        for j in range(k):
            parts.append(rows.assign(**{unit: rows[unit].astype(str) + f"#{j}"}))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize(
    "case",
    [
        dict(),
        dict(vcov={"CRV1": "region"}),
        dict(weights="wt", panel=dict(unbalanced=0.2)),
    ],
    ids=["units", "region_clusters", "weighted_unbalanced"],
)
def test_bootstrap_equals_brute_force_loop(case):
    opts = dict(case)
    df = mech_panel(n_units=30, seed=4, **opts.pop("panel", {}))
    res = pdid.mechanism(df, "did", "m", outcome="y", controls="x1", fixef="unit + year", method="three_step", bootstrap=15, seed=9, **opts)  # fmt: skip
    cluster = "region" if "vcov" in opts else "unit"
    counts = bootstrap_counts(df[cluster].nunique(), 15, np.random.default_rng(9))
    expected = []
    weights = opts.get("weights")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PilotdidWarning)
        for row in counts:
            boot = resample_by_hand(df, "unit", cluster, row)
            a = pdid.feols("m ~ did + x1 | unit + year", boot, vcov="iid", weights=weights).coef()[
                "did"
            ]
            b = pdid.feols(
                "y ~ did + m + x1 | unit + year", boot, vcov="iid", weights=weights
            ).coef()["m"]
            expected.append(a * b)
    np.testing.assert_allclose(res.bootstrap_draws["m"], expected, rtol=1e-8)
    e = res.effects.loc["m"]
    low, high = np.quantile(expected, [0.025, 0.975])
    assert (e["boot_low"], e["boot_high"]) == pytest.approx((low, high), rel=1e-8)
    assert e["boot_se"] == pytest.approx(np.std(expected, ddof=1), rel=1e-8)


def test_bootstrap_loop_fallback_equals_batched(monkeypatch):
    df = mech_panel(n_units=25, seed=5)
    kw = {"outcome": "y", "controls": "x1", "fixef": "unit + year", "method": "three_step"}
    batched = pdid.mechanism(df, "did", "m", **kw, bootstrap=8, seed=2)
    monkeypatch.setattr(moments, "MAX_COLUMNS", 3)
    loop = pdid.mechanism(df, "did", "m", **kw, bootstrap=8, seed=2)
    np.testing.assert_allclose(loop.bootstrap_draws, batched.bootstrap_draws, rtol=1e-8)


def test_known_mediator_effect_is_recovered():
    df = mech_panel(n_units=400, n_periods=8, seed=6, a=0.8, b=0.5, direct=0.3, share=0.5)
    res = pdid.mechanism(df, "did", "m", outcome="y", controls="x1 + x2 + w", fixef="unit + year", method="three_step", bootstrap=300, seed=1)  # fmt: skip
    e = res.effects.loc["m"]
    assert e["a"] == pytest.approx(0.8, abs=3 * e["se_a"])
    assert e["b"] == pytest.approx(0.5, abs=3 * e["se_b"])
    assert e["indirect"] == pytest.approx(0.4, abs=3 * e["sobel_se"])
    assert e["boot_low"] < 0.4 < e["boot_high"]
    assert e["sobel_p"] < 0.001
    assert any("Jiang" in n for n in res.notes)
    assert e["n_boot"] == 300


def test_demo_recovers_true_mechanism_effects(demo):
    res = pdid.mechanism(demo.data, "TP", ["RD", "TFP"], controls=CONTROLS, fixef="code + year")
    for var in ("RD", "TFP"):
        e = res.effects.loc[var]
        assert e["a"] == pytest.approx(demo.true_effects[var], abs=2.5 * e["se_a"])
        assert e["p_a"] < 0.01


def test_demo_three_step_is_fast(demo):
    import time

    start = time.perf_counter()
    res = pdid.mechanism(
        demo.data,
        "TP",
        "RD",
        outcome="lnESF",
        controls=CONTROLS,
        fixef="code + year",
        method="three_step",
        seed=1,
    )
    assert time.perf_counter() - start < 10  # B = 500 in about 0.2 s
    assert res.effects.loc["RD", "n_boot"] == 500


def test_bootstrap_in_blocks_equals_brute_force(monkeypatch):
    # blocks of one sample each (bounded memory): the same draws as refitting each resample
    from pilotdid.mechanisms import mediation
    from pilotdid.mechanisms.bootstrap import bootstrap_blocks

    monkeypatch.setattr(mediation, "_BLOCK_BYTES", 1)
    df = mech_panel(n_units=20, seed=14)
    res = pdid.mechanism(df, "did", "m", outcome="y", controls="x1", fixef="unit + year", method="three_step", bootstrap=5, seed=3)  # fmt: skip
    blocks = list(bootstrap_blocks(df["unit"].nunique(), 5, np.random.default_rng(3), 1))
    assert [b.shape[0] for b in blocks] == [1] * 5
    expected = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PilotdidWarning)
        for row in np.vstack(blocks):
            boot = resample_by_hand(df, "unit", "unit", row)
            a = pdid.feols("m ~ did + x1 | unit + year", boot, vcov="iid").coef()["did"]
            b = pdid.feols("y ~ did + m + x1 | unit + year", boot, vcov="iid").coef()["m"]
            expected.append(a * b)
    np.testing.assert_allclose(res.bootstrap_draws["m"], expected, rtol=1e-8)
