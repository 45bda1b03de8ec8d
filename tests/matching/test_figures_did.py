from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import pilotdid as pdid
from pilotdid.matching.figures import plot_bias


def test_figures_are_returned(panel):
    res = pdid.match(panel, "treat", ["x1", "x2"], unit="city", time="year", common=True)
    f1, f2, f3 = res.plot_pscore(), res.plot_support(), plot_bias(res.balance())
    for fig in (f1, f2, f3):
        assert isinstance(fig, Figure)
    assert len(f1.axes) == 2 and len(f2.axes) == 1
    assert len(f3.axes[0].get_yticklabels()) == 2
    assert isinstance(res.balance().plot(), Figure)


def test_did_equals_feols_on_matched_sample(panel):
    from pilotdid.estimation.feols import feols

    res = pdid.match(panel, "treat", ["x1", "x2"], unit="city", time="year", caliper=0.05)
    r1, r2 = res.did("y", "did", controls=["x1", "x2"])
    sample = res.analysis_sample("matched")
    ref = feols("y ~ did + x1 + x2 | city + year", sample, vcov={"CRV1": "city"})
    np.testing.assert_allclose(r2.coef().to_numpy(), ref.coef().to_numpy())
    np.testing.assert_allclose(r2.se().to_numpy(), ref.se().to_numpy())
    assert list(r1.coef().index) == ["did"] and r1.nobs == len(sample)
    w1, _ = res.did("y", "did", how="weights")
    assert w1.nobs == len(sample)


def test_did_recovers_effect(panel):
    res = pdid.match(panel, "treat", ["x1", "x2"], unit="city", time="year")
    _, r2 = res.did("y", "did", controls=["x1", "x2"])
    assert abs(r2.coef()["did"] - 0.4) < 4 * r2.se()["did"]
    with pytest.raises(pdid.MatchingError, match="unit= and time="):
        pdid.match(panel, "treat", ["x1"], panel="pooled").did("y", "did")


def _texts(fig):
    out = []
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        if legend is not None:
            out += [t.get_text() for t in legend.get_texts()]
    return [t for t in out if t]


def test_matching_figures_speak_chinese(panel):
    res = pdid.match(panel, "treat", ["x1", "x2"], panel="pooled")
    figures = {
        "pscore": (res.plot_pscore(), res.plot_pscore(language="zh")),
        "support": (res.plot_support(), res.plot_support(language="zh")),
        "bias": (res.balance().plot(), res.balance().plot(language="zh")),
    }
    for en, zh in figures.values():
        english, chinese = _texts(en), _texts(zh)
        assert english and len(english) == len(chinese)
        assert all(t.isascii() for t in english)
        assert all(not t.isascii() for t in chinese), chinese


def test_chinese_api_figures_draw_chinese_glyphs(panel):
    """Through the API, not only in the report: no 'Glyph ... missing' when drawn and saved."""
    import io
    import warnings

    from pilotdid.tables.fonts import cjk_font

    if cjk_font() is None:
        pytest.skip("no font with Chinese glyphs installed (pip install '.[test]' brings one)")
    res = pdid.match(panel, "treat", ["x1", "x2"], panel="pooled")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fig in (res.plot_pscore(language="zh"), res.balance().plot(language="zh")):
            fig.savefig(io.BytesIO(), format="png")
    assert not [w for w in caught if "Glyph" in str(w.message)]
