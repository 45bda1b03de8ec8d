"""Abadie-Imbens inference for matching (pilotdid.matching_effect).

References: R ``Matching::Match`` 4.10-8 on MatchIt's lalonde (tests/reference/matching_ai,
script committed there), a loop-based implementation of the formulas, Stata's published
``teffects psmatch`` estimates on cattaneo2, and a coverage simulation (slow).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import MatchingError
from pilotdid.matching.ai_core import ai_estimate, arm_variances
from pilotdid.matching.neighbours import neighbour_sets

REF = Path(__file__).parents[1] / "reference" / "matching_ai"
LALONDE_COVS = ["age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75"]


def _ref_rows() -> list[dict[str, object]]:
    ref = pd.read_csv(REF / "match.csv", skipinitialspace=True)
    return ref.to_dict("records")


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    return pd.read_csv(REF / "data.csv")


@pytest.mark.parametrize(
    "row",
    _ref_rows(),
    ids=lambda r: (
        f"{r['estimand']}-M{r['M']}-tol{r['tolerance']}-ba{r['bias_adjust']}-J{r['var_calc']}"
    ),
)
def test_matches_r_matching(lalonde: pd.DataFrame, row: dict[str, object]) -> None:
    m = pdid.match(lalonde, "treat", LALONDE_COVS, pscore="ps", k=int(row["M"]), ties=True)
    e = m.effect(
        "re78",
        estimand=row["estimand"],
        J=int(row["var_calc"]),
        tolerance=float(row["tolerance"]),
        bias_adjust=bool(row["bias_adjust"]),
    )
    assert e.estimate == pytest.approx(row["est"], rel=1e-9)
    assert e.se == pytest.approx(row["se"], rel=1e-9)
    assert e.n_matches == row["n_pairs"]
    if not row["bias_adjust"]:  # Matching's se.standard is that of the unadjusted estimate
        assert e.se_standard == pytest.approx(row["se_standard"], rel=1e-9)


# --- a loop-based implementation of the formulas ------------------------------------------


def _brute_sets(z: np.ndarray, focal: list[int], pool: list[int], k: int, ties: bool) -> dict:
    out = {}
    for i in focal:
        cand = [j for j in pool if j != i]
        dist = sorted((abs(z[i] - z[j]), z[j], j) for j in cand)
        dk = dist[k - 1][0]
        chosen = [j for d, _, j in dist if d <= dk] if ties else [j for _, _, j in dist[:k]]
        out[i] = chosen
    return out


def _brute_effect(y, t, z, k, ties, J, estimand, Zb=None):
    n = len(y)
    tr = [i for i in range(n) if t[i]]
    co = [i for i in range(n) if not t[i]]
    sets = {}
    if estimand in ("ATT", "ATE"):
        sets.update(_brute_sets(z, tr, co, k, ties))
    if estimand in ("ATC", "ATE"):
        sets.update(_brute_sets(z, co, tr, k, ties))
    K = np.zeros(n)
    KK = np.zeros(n)
    for s in sets.values():
        for j in s:
            K[j] += 1 / len(s)
            KK[j] += 1 / len(s) ** 2
    beta = {}
    if Zb is not None:
        for arm in (False, True):
            rows = [j for j in range(n) if t[j] == arm and K[j] > 0]
            if rows:
                X = np.column_stack([np.ones(len(rows)), Zb[rows]])
                W = np.diag(K[rows])
                beta[arm] = np.linalg.solve(X.T @ W @ X, X.T @ W @ y[rows])[1:]
    tau = {}
    for i, s in sets.items():
        imp = 0.0
        for j in s:
            adj = (Zb[i] - Zb[j]) @ beta[bool(t[j])] if Zb is not None else 0.0
            imp += (y[j] + adj) / len(s)
        tau[i] = (y[i] - imp) if t[i] else (imp - y[i])
    est = sum(tau.values()) / len(tau)
    sig = np.zeros(n)
    for i in range(n):
        same = [j for j in range(n) if t[j] == t[i]]
        s = _brute_sets(z, [i], same, J, True)[i]
        sig[i] = np.var([y[i]] + [y[j] for j in s], ddof=1)
    v = sum((tau[i] - est) ** 2 for i in tau)
    for j in range(n):
        v += sig[j] * (K[j] ** 2 - KK[j] + (2 * K[j] if estimand == "ATE" else 0.0))
    return est, np.sqrt(v) / len(tau)


@pytest.mark.parametrize("estimand", ["ATT", "ATE", "ATC"])
@pytest.mark.parametrize(("k", "J", "bias"), [(1, 1, False), (3, 2, False), (2, 1, True)])
def test_equals_loop_implementation(estimand: str, k: int, J: int, bias: bool) -> None:
    rng = np.random.default_rng(k * 10 + J)
    n = 60
    z = np.round(rng.uniform(size=n) * 64) / 64  # binary fractions: exact distances, many ties
    t = rng.uniform(size=n) < 0.4
    y = 1.0 + 2.0 * z + t + rng.normal(size=n)
    Zb = np.column_stack([z, rng.normal(size=n)]) if bias else None
    est_b, se_b = _brute_effect(y, t, z, k, True, J, estimand, Zb)
    sets = []
    for focal_arm in (True, False):
        if (estimand == "ATT" and not focal_arm) or (estimand == "ATC" and focal_arm):
            continue
        q, p = np.flatnonzero(t == focal_arm), np.flatnonzero(t != focal_arm)
        s = neighbour_sets(z[q, None], z[p, None], k)
        sets.append((q[s.query], p[s.pool], s.weight))
    qi, pj, w = (np.concatenate(a) for a in zip(*sets, strict=True))
    parts = ai_estimate(y, t, qi, pj, w, Zb)
    v = parts.var_ai(arm_variances(y, t, z[:, None], J, 0.0), estimand == "ATE")
    assert parts.estimate == pytest.approx(est_b, rel=1e-12, abs=1e-12)
    assert np.sqrt(v) == pytest.approx(se_b, rel=1e-12)


@pytest.mark.parametrize("tolerance", [0.0, 1e-3])
@pytest.mark.parametrize("own_arm", [False, True])
def test_neighbour_sets_against_brute_force(tolerance: float, own_arm: bool) -> None:
    rng = np.random.default_rng(7)
    zp = np.round(rng.normal(size=200) * 8) / 8  # heavy, exact ties
    zq = zp if own_arm else np.round(rng.normal(size=80) * 8) / 8
    for k in (1, 2, 5):
        s = neighbour_sets(
            zq[:, None], zp[:, None], k, tolerance=tolerance,
            self_pos=np.arange(len(zq)) if own_arm else None,
        )  # fmt: skip
        for i in range(len(zq)):
            d = np.abs(zp - zq[i])
            if own_arm:
                d[i] = np.inf
            dk = np.sort(d)[k - 1]
            want = np.flatnonzero(d * d <= dk * dk + tolerance if tolerance else d <= dk)
            assert sorted(s.pool[s.query == i].tolist()) == want.tolist()


def test_no_ties_keeps_k_matches() -> None:
    z = np.array([0.0, 1.0, 1.0, 1.0, 3.0])
    s = neighbour_sets(np.array([[0.9]]), z[:, None], 2, ties=False)
    assert s.pool.tolist() == [1, 2]  # equal distances: the lower position first


# --- Stata teffects psmatch (published output on cattaneo2) ------------------------------


def _cattaneo2() -> pd.DataFrame:
    sm = pytest.importorskip("statsmodels")
    path = Path(sm.__file__).parent / "treatment" / "tests" / "results" / "cataneo2.csv"
    if not path.exists():
        pytest.skip("statsmodels' copy of cattaneo2 is not installed")
    return pd.read_csv(path)


@pytest.mark.parametrize(("estimand", "stata"), [("ATE", -229.4492), ("ATT", -224.5927)])
def test_stata_teffects_psmatch_estimates(estimand: str, stata: float) -> None:
    # teffects psmatch (bweight) (mbsmoke mmarried mage fage medu prenatal1), logit, nn(1);
    # Stata 18 log in github.com/cmg777/starter-academic-v501, content/post/stata_matching.
    # Units with equal covariates tie exactly (max 16 matches), so this also checks that equal
    # rows get bit-identical scores.
    d = _cattaneo2()
    covs = ["mmarried_", "mage", "fage", "medu", "prenatal1_"]
    m = pdid.match(d, "mbsmoke_", covs, ties=True)
    e = m.effect("bweight", estimand=estimand)
    assert e.estimate == pytest.approx(stata, abs=5e-5)


def test_stata_teffects_nnmatch_mahalanobis() -> None:
    # teffects nnmatch (bweight mmarried mage fage medu prenatal1) (mbsmoke): Mahalanobis
    # distance on the whole sample's covariance, ties kept, vce(robust, nn(2)); ATE -210.5435,
    # AI robust SE 29.32969 (Stata 18 log, github.com/cmg777/starter-academic-v501).
    d = _cattaneo2()
    covs = ["mmarried_", "mage", "fage", "medu", "prenatal1_"]
    m = pdid.match(d, "mbsmoke_", covs, distance="mahalanobis")
    e = m.effect("bweight", estimand="ATE", ties=True, covariance="sample")
    assert e.J == 2  # the default on the Mahalanobis distance, Stata's nn(2)
    assert e.estimate == pytest.approx(-210.5435, abs=5e-5)
    assert e.se == pytest.approx(29.32969, abs=5e-6)
    # psmatch2's pooled within-group covariance is the match's own metric, and gives another
    # estimate: the option really changes the metric
    pooled = m.effect("bweight", estimand="ATE", ties=True)
    assert abs(pooled.estimate - e.estimate) > 1e-3


def test_covariance_option_is_checked() -> None:
    d = _cattaneo2()
    m = pdid.match(d, "mbsmoke_", ["mage", "medu"], distance="mahalanobis")
    with pytest.raises(MatchingError, match="covariance"):
        m.effect("bweight", covariance="within")
    score = pdid.match(d, "mbsmoke_", ["mage", "medu"])
    with pytest.raises(MatchingError, match="distance='mahalanobis'"):
        score.effect("bweight", covariance="sample")


# --- API -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def simple() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    df = pd.DataFrame({"x": rng.normal(size=300), "w": rng.normal(size=300)})
    df["d"] = (df.x + rng.normal(size=300) > 0.7).astype(int)
    df["y"] = df.x + 1.5 * df.d + rng.normal(size=300)
    return df


def test_bootstrap_warns_and_reports_ai(simple: pd.DataFrame) -> None:
    m = pdid.match(simple, "d", ["x"])
    with pytest.warns(pdid.BootstrapMatchingWarning, match="Abadie & Imbens 2008"):
        e = m.effect("y", se="bootstrap")
    assert e.se_type == "ai"
    assert e.se == m.effect("y").se


def test_standard_se_is_labelled_and_smaller_with_reuse(simple: pd.DataFrame) -> None:
    m = pdid.match(simple, "d", ["x"])
    e = m.effect("y", se="standard")
    assert e.se_type == "standard" and "fixed" in e.se_label
    assert e.se == e.se_standard
    assert m.effect("y").se > e.se  # controls are reused


def test_output_forms(simple: pd.DataFrame) -> None:
    e = pdid.matching_effect(pdid.match(simple, "d", ["x"]), "y", bias_adjust=["x", "w"])
    tidy = e.tidy()
    assert list(tidy.columns) == [
        "term", "estimand", "estimate", "se", "z", "p", "conf_low", "conf_high", "se_type", "n",
    ]  # fmt: skip
    lo, hi = e.conf_int
    assert lo < e.estimate < hi and e.pvalue == pytest.approx(tidy.p[0])
    assert "Abadie-Imbens" in e.summary() and "bias-corrected on: x, w" in e.summary()
    assert e._repr_html_().startswith("<pre>")
    assert "Abadie-Imbens" in e.table().to_text()
    assert "标准误" in e.table(language="zh").to_text()


def test_errors(simple: pd.DataFrame) -> None:
    m = pdid.match(simple, "d", ["x"])
    with pytest.raises(MatchingError, match="estimand"):
        m.effect("y", estimand="ATX")  # type: ignore[arg-type]
    with pytest.raises(MatchingError, match="not a column"):
        m.effect("nope")
    with pytest.raises(MatchingError, match="bias_adjust"):
        m.effect("y", bias_adjust=["zz"])
    with pytest.raises(MatchingError, match="J="):
        m.effect("y", J=-1)
    kern = pdid.match(simple, "d", ["x"], method="kernel")
    with pytest.raises(MatchingError, match="nearest-neighbour"):
        kern.effect("y")
    norep = pdid.match(simple, "d", ["x"], replace=False)
    with pytest.raises(MatchingError, match="replacement"):
        norep.effect("y", estimand="ATE")
    assert norep.effect("y").n_used == norep.effect("y").n_matches


def test_base_year_needs_period_and_uses_it() -> None:
    rng = np.random.default_rng(5)
    units, years = 120, [2010, 2011, 2012]
    ever = rng.uniform(size=units) < 0.4
    x = rng.normal(size=units) + 0.5 * ever
    rows = [
        {"id": u, "year": yr, "d": int(ever[u]), "x": x[u] + 0.1 * rng.normal(),
         "y": x[u] + (2.0 if ever[u] and yr == 2012 else 0.0) + rng.normal()}
        for u in range(units) for yr in years
    ]  # fmt: skip
    panel = pd.DataFrame(rows)
    m = pdid.match(panel, "d", ["x"], unit="id", time="year")
    with pytest.raises(MatchingError, match="period="):
        m.effect("y")
    late = m.effect("y", period=2012)
    early = m.effect("y", period=2010)
    assert late.estimate > early.estimate + 1.0


def test_ate_between_att_and_atc(simple: pd.DataFrame) -> None:
    m = pdid.match(simple, "d", ["x"])
    att, atc, ate = (m.effect("y", estimand=e) for e in ("ATT", "ATC", "ATE"))
    n1, n0 = att.n_focal, atc.n_focal
    assert ate.estimate == pytest.approx((n1 * att.estimate + n0 * atc.estimate) / (n1 + n0))


@pytest.mark.slow
def test_ai_se_covers_where_standard_undercovers() -> None:
    """Coverage of the 95 % interval of the ATT over 600 samples (true ATT = 1).

    Heteroskedastic outcome, controls reused; measured: AI (J = 2) 0.933, standard 0.693.
    """
    rng = np.random.default_rng(2024)
    hit_ai = hit_std = 0
    reps = 600
    for _ in range(reps):
        n = 400
        x = rng.normal(size=n)
        d = (rng.uniform(size=n) < 1 / (1 + np.exp(-(1.2 * x - 0.3)))).astype(int)
        y = 1 + 2 * x + d + rng.normal(size=n) * (1 + 0.5 * np.abs(x))
        df = pd.DataFrame({"x": x, "d": d, "y": y})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = pdid.match(df, "d", ["x"])
            ai = m.effect("y", bias_adjust=True, J=2)
            std = m.effect("y", bias_adjust=True, se="standard")
        hit_ai += abs(ai.estimate - 1.0) <= 1.96 * ai.se
        hit_std += abs(std.estimate - 1.0) <= 1.96 * std.se
    assert 0.92 <= hit_ai / reps <= 0.975
    assert hit_std / reps < 0.85
