"""pstest numbers vs an independent computation (statsmodels on frequency-expanded data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

import pilotdid as pdid
from pilotdid.tables.table import Table

TOL = 1e-8


@pytest.fixture
def result(cross):
    # 1:1 with replacement: integer weights, so iweights = frequency expansion
    return pdid.match(cross, "d", ["x1", "x2"], caliper=0.05, common=True)


def _expanded(result):
    f = result.frame
    m = (f._support == 1) & f._weight.notna()
    return f[m].loc[f[m].index.repeat(f[m]._weight.astype(int))]


def test_per_covariate_statistics(result):
    f, e = result.frame, _expanded(result)
    bal = result.balance().covariates
    for x in ("x1", "x2"):
        t, c = f[f._treated == 1][x], f[f._treated == 0][x]
        denom = np.sqrt((t.var() + c.var()) / 2)
        bu = 100 * (t.mean() - c.mean()) / denom
        te, ce = e[e._treated == 1][x], e[e._treated == 0][x]
        bm = 100 * (te.mean() - ce.mean()) / denom
        u, m = bal.loc[(x, "Unmatched")], bal.loc[(x, "Matched")]
        assert u.pct_bias == pytest.approx(bu, abs=TOL)
        assert m.pct_bias == pytest.approx(bm, abs=TOL)
        assert m.pct_reduction == pytest.approx(100 * (1 - abs(bm) / abs(bu)), abs=TOL)
        assert m.var_ratio == pytest.approx(te.var() / ce.var(), abs=TOL)
        assert m.smd == pytest.approx((te.mean() - ce.mean()) / t.std(), abs=TOL)
        for row, dd in ((u, f), (m, e)):
            ols = sm.OLS(dd[x].to_numpy(), sm.add_constant(dd._treated.to_numpy())).fit()
            assert row.t == pytest.approx(ols.tvalues[1], abs=1e-8)
            assert row.p == pytest.approx(ols.pvalues[1], abs=1e-8)


def test_overall_statistics(result):
    f, e = result.frame, _expanded(result)
    bal = result.balance()
    ov = bal.overall
    for label, dd in (("Unmatched", f), ("Matched", e)):
        X = sm.add_constant(dd[["x1", "x2"]].to_numpy())
        pr = sm.Probit(dd._treated.to_numpy(), X).fit(disp=0, method="newton", tol=1e-14)
        assert ov.loc[label, "pseudo_r2"] == pytest.approx(pr.prsquared, abs=1e-7)
        assert ov.loc[label, "lr_chi2"] == pytest.approx(pr.llr, abs=1e-6)
        xb = X @ pr.params
        t = dd._treated.to_numpy() == 1
        b = (
            100
            * abs(xb[t].mean() - xb[~t].mean())
            / np.sqrt((xb[t].var(ddof=1) + xb[~t].var(ddof=1)) / 2)
        )
        assert ov.loc[label, "rubin_b"] == pytest.approx(b, abs=1e-6)
        assert ov.loc[label, "rubin_r"] == pytest.approx(
            xb[t].var(ddof=1) / xb[~t].var(ddof=1), abs=1e-6
        )
        absb = bal.covariates.xs(label, level="sample").pct_bias.abs()
        assert ov.loc[label, "mean_bias"] == pytest.approx(absb.mean())
        assert ov.loc[label, "median_bias"] == pytest.approx(absb.median())


def test_variance_ratio_flags_use_f_bounds(result):
    cov = result.balance().covariates
    n1 = int((result.frame._treated == 1).sum())
    lo, hi = stats.f.ppf([0.025, 0.975], n1 - 1, n1 - 1)
    u = cov.xs("Unmatched", level="sample")
    assert (u.var_flag == ((u.var_ratio < lo) | (u.var_ratio > hi))).all()


def test_binary_covariate_has_no_variance_ratio(cross):
    df = cross.assign(b=(cross.x2 > 0.5).astype(int))
    cov = pdid.match(df, "d", ["x1", "b"]).balance().covariates
    assert cov.loc[("b", "Unmatched"), "var_ratio"] != cov.loc[("b", "Unmatched"), "var_ratio"]


def test_renders_as_report_table(result, tmp_path):
    bal = result.balance()
    t = bal.to_table()
    assert isinstance(t, Table) and isinstance(bal.overall_table(), Table)
    assert t.body.shape == (4, 9)
    for suffix in (".docx", ".xlsx", ".tex"):
        assert t.save(tmp_path / f"bal{suffix}").exists()
    assert "%bias" in t.to_text() and "Rubin" in bal.overall_table().to_text()
    assert isinstance(bal.to_frame(), pd.DataFrame) and "<table" in bal._repr_html_()


def test_balance_improves_after_matching(result):
    ov = result.balance().overall
    assert ov.loc["Matched", "mean_bias"] < ov.loc["Unmatched", "mean_bias"]


def test_balance_tables_in_chinese(panel):
    import pilotdid as pdid

    res = pdid.match(panel, "treat", ["x1", "x2"], unit="city", time="year")
    bal = res.balance()
    en, zh = bal.to_table(), bal.to_table(language="zh")
    assert en.body.shape == zh.body.shape
    assert zh.stub_header == "变量" and "处理组" in zh.body.columns
    assert all(not n.isascii() for n in zh.notes) and all(n.isascii() for n in en.notes)
    overall = bal.overall_table(language="zh")
    assert list(overall.body.index) == ["匹配前", "匹配后"]
    assert (en.body.astype(str).to_numpy() == zh.body.astype(str).to_numpy()).all()
