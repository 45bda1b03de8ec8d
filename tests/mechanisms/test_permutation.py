"""The batched permutation test against a brute-force loop of feols calls."""

import time
import warnings

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import PilotdidWarning
from pilotdid.estimation import moments
from pilotdid.mechanisms.permutation import draw_labels

from .conftest import mech_panel
from .test_heterogeneity import interacted_fit

TOL = 1e-9

CASES = {
    "default": (dict(), "y ~ did + x1 + x2 | unit + year", dict()),
    "weighted_unbalanced": (
        dict(unbalanced=0.2),
        "y ~ did + x1 + x2 | unit + year",
        dict(weights="wt"),
    ),
    "region_clusters": (dict(), "y ~ did + x1 | unit + year", dict(vcov={"CRV1": "region"})),
    "no_unit_fe": (dict(), "y ~ did + x1 | year", dict(unit="unit", time="year")),
    "no_fe": (dict(), "y ~ did + x1 + x2", dict(unit="unit", time="year", vcov={"CRV1": "unit"})),
}


def brute_force(res, df, fml, unit="unit", weights=None, cluster="unit"):
    """Re-estimate every draw: feols in each relabelled group, and the interacted model's t²."""
    rhs = [t.strip() for t in fml.split("~")[1].split("|")[0].split("+")]
    diffs, walds = [], []
    for _, row in res.permutation.assignments.iterrows():
        groups = df[unit].map(row)
        coefs = []
        for g in range(len(res.groups)):
            fit = pdid.feols(fml, df[groups == g], vcov="iid", weights=weights)
            coefs.append(fit.coef()["did"])
        diffs.append(coefs[0] - coefs[1])
        inter = interacted_fit(
            df.assign(y=df["y"]), groups, rhs, vcov={"CRV1": cluster}, weights=weights
        ) if "|" in fml and "unit" in fml.split("|")[1] else None  # fmt: skip
        if inter is not None:
            t = (inter.coef()["did_0"] - inter.coef()["did_1"]) / np.sqrt(
                inter.vcov().at["did_0", "did_0"] + inter.vcov().at["did_1", "did_1"]
                - 2 * inter.vcov().at["did_0", "did_1"]
            )  # fmt: skip
            walds.append(t**2)
    return np.array(diffs), np.array(walds)


@pytest.mark.parametrize("case", list(CASES))
def test_batched_draws_equal_brute_force(case):
    panel, fml, kwargs = CASES[case]
    df = mech_panel(seed=len(case), **panel)
    res = pdid.heterogeneity(df, fml, "z", permutations=12, seed=5, **kwargs)
    perm = res.permutation
    assert perm.method == "batched"
    cluster = "region" if "vcov" in kwargs and kwargs["vcov"] == {"CRV1": "region"} else "unit"
    assert perm.cluster == cluster
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PilotdidWarning)
        diffs, walds = brute_force(res, df, fml, weights=kwargs.get("weights"), cluster=cluster)
    np.testing.assert_allclose(perm.draws["High z − Low z"], diffs, rtol=TOL, atol=1e-12)
    if walds.size:
        np.testing.assert_allclose(perm.draws["wald"], walds, rtol=1e-8)
    # the observed statistic is the pooled model's difference (and t² when clustering agrees)
    assert perm.observed["High z − Low z"] == pytest.approx(res.differences.iloc[0]["estimate"])
    if case in ("default", "weighted_unbalanced", "region_clusters"):
        assert perm.observed["wald"] == pytest.approx(
            res.differences.iloc[0]["statistic"] ** 2, rel=1e-9
        )


def test_loop_fallback_equals_batched(monkeypatch):
    df = mech_panel(seed=21)
    fml = "y ~ did + x1 | unit + year"
    batched = pdid.heterogeneity(df, fml, "z", permutations=10, seed=4).permutation
    monkeypatch.setattr(moments, "MAX_COLUMNS", 3)
    loop = pdid.heterogeneity(df, fml, "z", permutations=10, seed=4).permutation
    assert (batched.method, loop.method) == ("batched", "loop")
    np.testing.assert_allclose(loop.draws.to_numpy(), batched.draws.to_numpy(), rtol=1e-8)
    assert loop.p_coef == batched.p_coef and loop.p_wald == batched.p_wald


def test_pvalues_count_the_observed_labelling():
    df = mech_panel(seed=22)
    perm = pdid.heterogeneity(df, "y ~ did | unit + year", "z", permutations=99, seed=1).permutation
    d = perm.draws["High z − Low z"].to_numpy()
    obs = perm.observed["High z − Low z"]
    assert perm.p_coef == pytest.approx((1 + np.sum(np.abs(d) >= abs(obs))) / 100)
    w = perm.draws["wald"].to_numpy()
    assert perm.p_wald == pytest.approx((1 + np.sum(w >= perm.observed["wald"])) / 100)


def test_shuffles_keep_treated_counts_within_cohorts():
    df = mech_panel(n_units=50, seed=23, z_on_treat=1.0)
    res = pdid.heterogeneity(df, "y ~ did | unit + year", "z", permutations=30, seed=2)
    treated = df.groupby("unit")["did"].max() > 0
    cohort = df.groupby("unit")["cohort"].first().fillna(0)
    labels = res.permutation.assignments
    observed = res.assignment["group"].map({"High z": 0, "Low z": 1})
    for c in cohort.unique():
        units = cohort.index[cohort == c]
        counts = (labels[units] == 0).sum(axis=1)
        assert (counts == (observed[units] == 0).sum()).all()
    free = pdid.heterogeneity(
        df, "y ~ did | unit + year", "z", permutations=30, seed=2, strata="none"
    ).permutation.assignments
    assert (free[treated.index[treated]] == 0).sum(axis=1).nunique() > 1


def test_draw_labels_is_seeded_and_permutes():
    groups = np.array([0, 0, 1, 1, 1, 0])
    strata = np.array([0, 0, 0, 1, 1, 1])
    a = draw_labels(groups, strata, 20, np.random.default_rng(3))
    b = draw_labels(groups, strata, 20, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert (np.sort(a[:, :3], axis=1) == np.sort(groups[:3])).all()
    assert (np.sort(a[:, 3:], axis=1) == np.sort(groups[3:])).all()


def test_unidentified_draws_are_left_out():
    # one treated unit per group: shuffles that put both treated units in one group are NaN
    df = mech_panel(n_units=12, seed=24)
    df["did"] = ((df["unit"].isin([0, 1])) & (df["year"] >= 4)).astype(float)
    df["cohort"] = np.where(df["unit"].isin([0, 1]), 4.0, np.nan)
    df["tag"] = np.where(df["unit"].isin([0, 2, 3, 4, 5, 6]), "a", "b")
    res = pdid.heterogeneity(
        df, "y ~ did | unit + year", "tag", split="column", permutations=40, seed=0,
        strata="none",
    )  # fmt: skip
    perm = res.permutation
    assert 0 < perm.n_failed < 40
    assert perm.draws["wald"].isna().sum() == perm.n_failed
    assert "unidentified" in perm.summary()


def test_thousand_permutations_on_the_demo_are_fast(demo):
    from .conftest import DEMO_FML

    start = time.perf_counter()
    res = pdid.heterogeneity(
        demo.data, DEMO_FML, "RD", cohort="adoption_year", permutations=1000, seed=1
    )
    elapsed = time.perf_counter() - start
    assert res.permutation.n_draws == 1000 and res.permutation.method == "batched"
    assert elapsed < 10  # about 0.5 s on a laptop core; generous for shared CI machines


def test_assignments_frame_layout():
    df = mech_panel(seed=25)
    perm = pdid.heterogeneity(df, "y ~ did | unit + year", "z", permutations=7, seed=1).permutation
    assert perm.assignments.shape == (7, df["unit"].nunique())
    assert perm.assignments.columns.name == "unit"
    assert isinstance(perm.assignments, pd.DataFrame)
