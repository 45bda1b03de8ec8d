"""CR2 (Bell-McCaffrey) and CR3 (cluster jackknife) against pyfixest, brute force and dense formulas."""

import warnings

import numpy as np
import pandas as pd
import pytest

from pilotdid import feols
from pilotdid.errors import EstimationError
from pilotdid.estimation.variance import parse_vcov
from pilotdid.estimation.vcov import cluster_factor

pf = pytest.importorskip("pyfixest")


@pytest.fixture(scope="module")
def df():
    rng = np.random.default_rng(3)
    n_units, n_years = 12, 6
    out = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), n_years),
            "year": np.tile(np.arange(n_years), n_units),
        }
    )
    out["state"] = out["unit"] // 3
    out["x"] = rng.normal(size=len(out)) + 0.2 * out["unit"]
    out["z"] = rng.normal(size=len(out))
    out["y"] = out["x"] + 0.5 * out["z"] + rng.normal(size=len(out)) * (1 + out["unit"] / 6)
    out["w"] = rng.uniform(0.5, 2.0, size=len(out))
    return out


@pytest.mark.parametrize(
    "fml", ["y ~ x + z", "y ~ x + z | unit", "y ~ x + z | unit + year", "y ~ x + z | year"]
)
@pytest.mark.parametrize("cluster", ["unit", "state", "unit + year"])
@pytest.mark.parametrize("weights", [None, "w"])
def test_cr3_matches_pyfixest_crv3(df, fml, cluster, weights):
    ours = feols(fml, df, vcov={"CR3": cluster}, weights=weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pf.feols(fml, df, vcov={"CRV3": cluster.replace(" ", "")}, weights=weights)
    np.testing.assert_allclose(ours.vcov().to_numpy(), ref._vcov, rtol=1e-8, atol=1e-14)
    assert ours.vcov_type == "CR3" and ours.df_t == ref._df_t


@pytest.mark.parametrize("fml", ["y ~ x + z | unit + year", "y ~ x + z | year", "y ~ x + z"])
def test_cr3_is_the_leave_one_cluster_out_jackknife(df, fml):
    fit = feols(fml, df, vcov={"CR3": "state"})
    beta = fit.coef().to_numpy()
    deltas = []
    for g in df["state"].unique():
        sub = df[df["state"] != g]
        deltas.append(feols(fml, sub, vcov="iid").coef().to_numpy() - beta)
    deltas = np.array(deltas)
    factor = cluster_factor(4, fit.nobs, fit.df_k)
    np.testing.assert_allclose(fit.vcov().to_numpy(), factor * deltas.T @ deltas, rtol=1e-9)


def _inv_sqrt_psd(m, tol=1e-10):
    vals, vecs = np.linalg.eigh(m)
    inv = np.where(vals > tol, 1 / np.sqrt(np.clip(vals, tol, None)), 0.0)
    return (vecs * inv) @ vecs.T


def _demeaned(df, fe, cols, w):
    """Weighted least-squares residualisation on dummies (independent of pilotdid)."""
    if not fe:
        return {c: df[c].to_numpy(float) for c in cols}
    d = np.column_stack([np.eye(df[c].max() + 1)[df[c]] for c in fe])
    sw = np.sqrt(w)
    return {
        c: df[c].to_numpy(float) - d @ np.linalg.lstsq(d * sw[:, None], df[c] * sw, rcond=None)[0]
        for c in cols
    }


@pytest.mark.parametrize("fe", [[], ["unit"], ["unit", "year"]])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cluster", ["unit", "state"])
def test_cr2_is_the_bell_mccaffrey_formula_on_the_demeaned_design(df, fe, weighted, cluster):
    w = df["w"].to_numpy() if weighted else np.ones(len(df))
    fml = "y ~ x + z" + (" | " + " + ".join(fe) if fe else "")
    fit = feols(fml, df, vcov={"CR2": cluster}, weights="w" if weighted else None)
    part = _demeaned(df, fe, ["y", "x", "z"], w)
    x = np.column_stack(([np.ones(len(df))] if not fe else []) + [part["x"], part["z"]])
    sw = np.sqrt(w)
    xs, ys = x * sw[:, None], part["y"] * sw
    bread = np.linalg.inv(xs.T @ xs)
    e = ys - xs @ (bread @ xs.T @ ys)
    hat = xs @ bread @ xs.T
    meat = np.zeros_like(bread)
    for g in np.unique(df[cluster]):
        rows = np.flatnonzero(df[cluster].to_numpy() == g)
        a = _inv_sqrt_psd(np.eye(len(rows)) - hat[np.ix_(rows, rows)])
        s = xs[rows].T @ a @ e[rows]
        meat += np.outer(s, s)
    expected = bread @ meat @ bread
    got = fit.vcov().to_numpy()
    if not fe:
        got = got[np.ix_([1, 2, 0], [1, 2, 0])]
        expected = expected[np.ix_([1, 2, 0], [1, 2, 0])]
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-14)


def test_cr2_with_nested_fixed_effects_equals_cr2_of_the_dummy_regression(df):
    # Pustejovsky-Tipton Theorem 2: unit effects nested in unit clusters -> absorbed = LSDV CR2
    fit = feols("y ~ x + z | unit", df, vcov={"CR2": "unit"})
    d = np.eye(12)[df["unit"]]
    x = np.column_stack([df["x"], df["z"], d])
    y = df["y"].to_numpy()
    bread = np.linalg.pinv(x.T @ x)
    e = y - x @ (bread @ x.T @ y)
    hat = x @ bread @ x.T
    meat = np.zeros_like(bread)
    for g in range(12):
        rows = np.flatnonzero(df["unit"].to_numpy() == g)
        s = x[rows].T @ _inv_sqrt_psd(np.eye(len(rows)) - hat[np.ix_(rows, rows)]) @ e[rows]
        meat += np.outer(s, s)
    np.testing.assert_allclose(fit.vcov().to_numpy(), (bread @ meat @ bread)[:2, :2], rtol=1e-8)


def test_cr2_without_clusters_beyond_rows_is_hc2(df):
    one = df.assign(row=np.arange(len(df)))
    fit = feols("y ~ x + z", one, vcov={"CR2": "row"})
    x = np.column_stack([np.ones(len(df)), df["x"], df["z"]])
    bread = np.linalg.inv(x.T @ x)
    e = df["y"] - x @ (bread @ x.T @ df["y"])
    h = np.einsum("ij,jk,ik->i", x, bread, x)
    hc2 = bread @ (x * (e**2 / (1 - h)).to_numpy()[:, None]).T @ x @ bread
    np.testing.assert_allclose(
        fit.vcov().to_numpy()[np.ix_([1, 2, 0], [1, 2, 0])],
        hc2[np.ix_([1, 2, 0], [1, 2, 0])],
        rtol=1e-9,
    )


def test_with_vcov_switches_between_cr_kinds_without_refitting(df):
    fit = feols("y ~ x + z | unit + year", df, vcov={"CRV1": "state"})
    cr3 = fit.with_vcov({"CR3": "state"})
    assert cr3.vcov_label == "clustered by state (CR3)" and cr3.n_clusters == {"state": 4}
    assert (cr3.coef() == fit.coef()).all()
    direct = feols("y ~ x + z | unit + year", df, vcov={"CR3": "state"})
    np.testing.assert_allclose(cr3.vcov().to_numpy(), direct.vcov().to_numpy(), rtol=1e-12)
    assert cr3.with_vcov({"CRV1": "state"}).se().equals(fit.se())
    # CR3 with four clusters is larger than CRV1 (the jackknife is conservative)
    assert (cr3.se() > fit.se()).all()


def test_cr2_two_way_and_engines_without_cr_are_refused(df):
    with pytest.raises(EstimationError, match="one-way"):
        feols("y ~ x", df, vcov={"CR2": "unit + year"})
    with pytest.raises(EstimationError, match="feols"):
        parse_vcov({"CR3": "unit"}, ())
    assert parse_vcov({"CR3": "unit"}, (), small_sample=True) == ("CR3", ("unit",))
    with pytest.raises(EstimationError, match="CR2"):
        feols("y ~ x", df, vcov={"CR4": "unit"})
