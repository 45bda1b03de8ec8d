"""The permutation engine at firm scale: exact against the former dense engine, bounded memory."""

import json
import os
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.estimation.moments import solve_draws
from pilotdid.mechanisms import permutation
from pilotdid.mechanisms.permutation import draw_labels, permutation_statistics

from .conftest import mech_panel


def dense_reference(setup, labels, n_groups, reference, correction):
    """The engine before the firm-scale rewrite: full p × p moments, a dense units × clusters
    indicator and a loop over groups (quadratic in units; fine on small panels)."""
    m = setup.moments
    full = m.moments  # (N, p, p)
    regs = np.asarray(setup.regressors)
    scale = m.scale[0] / m.scale[regs[setup.target]]
    n_draws = labels.shape[0]
    coef = np.empty((n_draws, n_groups))
    cluster_scores = np.zeros((n_draws, setup.n_clusters, n_groups))
    summer = np.zeros((m.n_units, setup.n_clusters))
    summer[np.arange(m.n_units), setup.cluster] = 1.0
    for g in range(n_groups):
        member = (labels == g).astype(np.float64)
        sums = np.einsum("ri,ijk->rjk", member, full)
        fit = solve_draws(sums, m.scale, 0, setup.regressors, setup.target)
        coef[:, g] = fit.target
        a = fit.inverse[:, setup.target, :]
        cross = full[:, regs, 0]
        gram = full[:, regs[:, None], regs[None, :]]
        fitted = np.einsum("ikl,rl->rik", gram, fit.beta)
        u = (a @ cross.T - np.einsum("rk,rik->ri", a, fitted)) * scale
        cluster_scores[:, :, g] = (u * member) @ summer
    variance = np.einsum("rcg,rch->rgh", cluster_scores, cluster_scores) * correction
    others = [g for g in range(n_groups) if g != reference]
    contrast = np.zeros((len(others), n_groups))
    contrast[np.arange(len(others)), others] = 1.0
    contrast[:, reference] = -1.0
    diff = coef @ contrast.T
    cov = np.einsum("ag,rgh,bh->rab", contrast, variance, contrast)
    wald = np.full(n_draws, np.nan)
    ok = np.isfinite(diff).all(axis=1) & (np.einsum("raa->ra", cov) > 0).all(axis=1)
    solved = np.linalg.solve(cov[ok], diff[ok][:, :, None])[:, :, 0]
    wald[ok] = np.einsum("ra,ra->r", diff[ok], solved)
    return diff, wald


CASES = {
    "units": (dict(), "y ~ did + x1 + x2 | unit + year", dict()),
    "weighted_unbalanced": (
        dict(unbalanced=0.2),
        "y ~ did + x1 + x2 | unit + year",
        dict(weights="wt"),
    ),
    "region_clusters": (dict(), "y ~ did + x1 | unit + year", dict(vcov={"CRV1": "region"})),
    "three_groups": (dict(n_units=90), "y ~ did + x1 | unit + year", dict(split=[1 / 3, 2 / 3])),
    "no_unit_fe": (dict(), "y ~ did + x1 | year", dict(unit="unit", time="year")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_engine_equals_the_dense_engine(case, monkeypatch):
    panel, fml, kwargs = CASES[case]
    df = mech_panel(seed=40 + len(case), **panel)
    captured = {}
    original = permutation.prepare_permutation

    def spy(*args, **kw):
        captured["setup"] = original(*args, **kw)
        return captured["setup"]

    monkeypatch.setattr("pilotdid.mechanisms.heterogeneity.prepare_permutation", spy)
    # small blocks: several blocks of draws, the last one partial
    monkeypatch.setattr(permutation, "_BLOCK_BYTES", 1)
    res = pdid.heterogeneity(df, fml, "z", permutations=9, seed=3, **kwargs)
    perm, setup = res.permutation, captured["setup"]
    labels = perm.assignments.to_numpy()
    k, ref = len(res.groups), res.groups.index(res.reference)
    correction = 1.0 + 0.1 * len(case)  # any factor: it scales every variance
    got = permutation_statistics(setup, labels, k, ref, correction)
    want = dense_reference(setup, labels, k, ref, correction)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-10)
    # and the result's draws are those statistics
    names = [c for c in perm.draws.columns if c != "wald"]
    assert np.isfinite(perm.draws["wald"]).all()
    np.testing.assert_allclose(perm.draws[names].to_numpy(), want[0], rtol=1e-10, atol=1e-13)


def test_draw_labels_is_uniform_over_relabellings():
    # 2 of 5 units in group 1: each of the 10 subsets equally likely
    groups = np.array([0, 1, 0, 1, 0])
    labels = draw_labels(groups, np.zeros(5, int), 20_000, np.random.default_rng(0))
    assert (labels.sum(axis=1) == 2).all()
    codes = labels @ (2 ** np.arange(5))
    counts = np.bincount(codes, minlength=32)[np.bincount(codes, minlength=32) > 0]
    assert counts.size == 10
    chi2 = ((counts - 2000) ** 2 / 2000).sum()
    assert chi2 < 30  # 9 degrees of freedom: P(chi2 > 30) ≈ 4e-4
    # every unit is in group 1 in 40 % of draws
    np.testing.assert_allclose(labels.mean(axis=0), 0.4, atol=0.015)


def test_draw_labels_keeps_counts_within_strata_and_groups_absent_from_a_stratum():
    rng = np.random.default_rng(1)
    groups = rng.integers(0, 4, size=3000)
    groups[:500] = 3  # stratum 0 holds group 3 only
    strata = np.repeat([0, 1, 2], 1000)
    labels = draw_labels(groups, strata, 25, np.random.default_rng(2))
    assert labels.dtype == np.int8
    for s in range(3):
        part = labels[:, strata == s]
        want = np.bincount(groups[strata == s], minlength=4)
        got = np.stack([np.bincount(row, minlength=4) for row in part])
        assert (got == want).all()
    assert (labels[:, :500] != 3).any()  # labels do move within a stratum


def _peak_child(n_units: int, permutations: int) -> dict:
    code = textwrap.dedent(f"""
        import json, resource, time, tracemalloc
        import numpy as np, pandas as pd
        import pilotdid as pdid
        rng = np.random.default_rng(0)
        n, t = {n_units}, 6
        unit = np.repeat(np.arange(n), t)
        year = np.tile(np.arange(t), n)
        treated = rng.random(n) < 0.3
        df = pd.DataFrame({{"unit": unit, "year": year}})
        df["did"] = (treated[unit] & (year >= 3)).astype(float)
        df["x1"] = rng.normal(size=unit.size)
        df["z"] = rng.normal(size=n)[unit] + 0.5 * rng.normal(size=unit.size)
        df["y"] = 0.1 * df["did"] + 0.3 * df["x1"] + rng.normal(size=n)[unit] + rng.normal(size=unit.size)
        tracemalloc.start()
        start = time.perf_counter()
        res = pdid.heterogeneity(df, "y ~ did + x1 | unit + year", "z", test="permutation",
                                 permutations={permutations}, seed=1)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        print(json.dumps({{"peak": peak, "seconds": seconds,
                          "draws": res.permutation.n_draws,
                          "failed": res.permutation.n_failed,
                          "cluster": res.permutation.cluster}}))
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(pdid.__file__).parents[1])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_permutation_with_100k_units_clustered_by_unit_in_bounded_memory():
    # the dense engine needed a 100,000 × 100,000 indicator (74.5 GiB) here
    out = _peak_child(100_000, 200)
    assert out["draws"] == 200 and out["failed"] == 0 and out["cluster"] == "unit"
    # labels kept in the result (200 × 100,000 int8 = 20 MB) + unit moments + one block
    assert out["peak"] < 1.0e9, out


def _traced_peak(n_units: int) -> int:
    """Peak traced memory of a 20-draw permutation test on ``n_units`` units × 4 periods."""
    rng = np.random.default_rng(0)
    unit, year = np.repeat(np.arange(n_units), 4), np.tile(np.arange(4), n_units)
    df = pd.DataFrame({"unit": unit, "year": year})
    df["did"] = ((unit % 3 == 0) & (year >= 2)).astype(float)
    df["z"] = rng.normal(size=n_units)[unit]
    df["y"] = rng.normal(size=unit.size)
    tracemalloc.start()
    try:
        res = pdid.heterogeneity(df, "y ~ did | unit + year", "z", test="permutation",
                                 permutations=20, seed=1)  # fmt: skip
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert res.permutation.n_draws == 20
    return peak


def test_permutation_memory_does_not_grow_with_units_squared():
    small, large = _traced_peak(2_000), _traced_peak(8_000)
    # 4× the units: about 4× the memory (the dense engine's units² matrix: 16×, 0.5 GB here)
    assert large < 6 * small, (small, large)
    assert large < 2e8
