"""se="ai_pscore": Abadie & Imbens (2016) ATE variance for an estimated propensity score.

Checked against Stata's published ``teffects psmatch`` output on cattaneo2 and against a
loop-by-loop computation of the same formula (statsmodels' logit/probit covariance, numeric
derivatives of the link).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special

import pilotdid as pdid
from pilotdid.errors import MatchingError
from tests.matching.test_ai_se import _cattaneo2


def test_stata_teffects_psmatch_ate_se() -> None:
    # teffects psmatch (bweight) (mbsmoke mmarried mage fage medu prenatal1), default logit,
    # nn(1), vce(robust, nn(2)): ATE -229.4492, AI robust SE 25.88746 (Stata 18 log in
    # github.com/cmg777/starter-academic-v501, content/post/stata_matching/analysis.log).
    d = _cattaneo2()
    m = pdid.match(d, "mbsmoke_", ["mmarried_", "mage", "fage", "medu", "prenatal1_"], ties=True)
    e = m.effect("bweight", estimand="ATE", se="ai_pscore", J=1)
    assert e.estimate == pytest.approx(-229.4492, abs=5e-5)
    assert e.se == pytest.approx(25.88746, abs=5e-6)  # printed to 7 digits; we differ by 8e-7
    assert e.se_type == "ai_pscore"
    # without the adjustment the SE is 25.89887: the adjustment is what makes the match
    assert m.effect("bweight", estimand="ATE", J=1).se == pytest.approx(25.89887, abs=5e-6)


# --- the same formula, computed unit by unit ----------------------------------------------


def _data(seed: int, n: int = 260) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "a": rng.integers(0, 4, n).astype(float),  # discrete: many exact score ties
            "b": rng.integers(0, 2, n).astype(float),
            "c": np.round(rng.normal(size=n), 1),
        }
    )
    df["d"] = (0.4 * df.a - 0.8 * df.b + 0.5 * df.c + rng.logistic(size=n) > 0.6).astype(int)
    df["y"] = 1.0 + df.a + 0.5 * df.c * (1 + df.d) + 2.0 * df.d + rng.normal(size=n) * (1 + df.b)
    return df


def _score_fit(df: pd.DataFrame, covs: list[str], model: str) -> tuple[np.ndarray, ...]:
    """statsmodels' fit of the score: X (constant last), d, y, p, f (numeric link derivative), V."""
    sm = pytest.importorskip("statsmodels.api")
    X = np.column_stack([df[covs].to_numpy(float), np.ones(len(df))])
    t = df["d"].to_numpy()
    y = df["y"].to_numpy(float)
    fam = sm.Logit if model == "logit" else sm.Probit
    res = fam(t, X).fit(disp=0, method="newton", tol=1e-14, maxiter=200)
    xb = X @ res.params
    F = special.expit if model == "logit" else special.ndtr
    h = 1e-5
    f = (F(xb + h) - F(xb - h)) / (2 * h)  # numeric derivative of the link
    return X, t, y, F(xb), f, np.asarray(res.cov_params())


def _brute_c(
    df: pd.DataFrame, covs: list[str], model: str, J: int
) -> tuple[np.ndarray, np.ndarray]:
    X, t, y, p, f, V = _score_fit(df, covs, model)
    c = np.zeros(X.shape[1])
    for i in range(len(df)):
        term = np.zeros(X.shape[1])
        for w in (0, 1):
            arm = np.flatnonzero(t == w)
            dist = np.abs(p[arm] - p[i])
            if t[i] == w:
                others = arm[arm != i]
                do = np.abs(p[others] - p[i])
                cut = np.sort(do)[J - 1]
                members = np.r_[i, others[do <= cut + 1e-12]]
            else:
                cut = np.sort(dist)[J]
                members = arm[dist <= cut + 1e-12]
            cov = np.cov(np.column_stack([X[members], y[members]]).T)[:-1, -1]
            term += cov / (p[i] if w == 1 else 1 - p[i])
        c += term * f[i]
    return c / len(df), V


@pytest.mark.parametrize(
    ("model", "J", "seed"), [("logit", 1, 1), ("logit", 2, 2), ("probit", 1, 3)]
)
def test_matches_unit_by_unit_formula(model: str, J: int, seed: int) -> None:
    df = _data(seed)
    covs = ["a", "b", "c"]
    m = pdid.match(df, "d", covs, model=model, ties=True)
    known = m.effect("y", estimand="ATE", se="ai", J=J)  # checked against R Matching
    adj = m.effect("y", estimand="ATE", se="ai_pscore", J=J)
    c, V = _brute_c(df, covs, model, J)
    want = np.sqrt(known.se**2 - c @ V @ c)
    assert adj.se == pytest.approx(want, rel=1e-8)
    assert adj.se < known.se  # c' V c > 0 here: the ATE adjustment only ever lowers the SE
    assert adj.estimate == known.estimate


def test_output_names_the_se() -> None:
    m = pdid.match(_data(4), "d", ["a", "b", "c"], ties=True)
    e = m.effect("y", estimand="ATE", se="ai_pscore")
    assert "Abadie-Imbens (2016)" in e.summary() and "estimated propensity score" in e.se_label
    assert "Abadie-Imbens (2016)" in e.table().to_text()
    assert "倾向得分" in e.table(language="zh").to_text()
    assert e.tidy().se_type[0] == "ai_pscore"
    assert not any("treats it as known" in n for n in e.notes)


def test_refusals() -> None:
    df = _data(5)
    m = pdid.match(df, "d", ["a", "b", "c"], ties=True)
    with pytest.raises(MatchingError, match="bias_adjust"):
        m.effect("y", estimand="ATE", se="ai_pscore", bias_adjust=True)
    with pytest.raises(MatchingError, match="J >= 1"):
        m.effect("y", estimand="ATE", se="ai_pscore", J=0)
    given = pdid.match(df.assign(ps=0.3 + 0.1 * df.a), "d", [], pscore="ps")
    with pytest.raises(MatchingError, match="supplied score"):
        given.effect("y", estimand="ATE", se="ai_pscore")
    maha = pdid.match(df, "d", ["a", "b", "c"], distance="mahalanobis")
    with pytest.raises(MatchingError, match="supplied score or the Mahalanobis"):
        maha.effect("y", estimand="ATE", se="ai_pscore")
