"""Exactness of the many-columns demeaning against dummy-variable projections."""

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.estimation.demean import make_absorber
from pilotdid.estimation.fixef import FixedEffects, drop_singletons, encode_factors


def projection_residual(values, fe, weights=None):
    dummies = np.column_stack([np.eye(g)[c] for c, g in zip(fe.codes, fe.n_levels, strict=True)])
    w = np.ones(values.shape[0]) if weights is None else weights
    root = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(dummies * root[:, None], values * root[:, None], rcond=None)
    return values - dummies @ coef


def random_fe(rng, n, levels):
    codes = [rng.integers(0, g, n) for g in levels]
    return encode_factors(
        pd.DataFrame({f"f{i}": c for i, c in enumerate(codes)}),
        tuple(f"f{i}" for i in range(len(levels))),
    )


@pytest.mark.parametrize("levels", [(30,), (30, 6), (25, 6, 4), (40, 30)])
@pytest.mark.parametrize("method", ["dense", "cg"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("width", [1, 5, 40])
def test_demean_equals_projection(levels, method, weighted, width):
    rng = np.random.default_rng(sum(levels) + width)
    n = 300
    fe = random_fe(rng, n, levels)
    values = rng.normal(size=(n, width))
    weights = rng.uniform(0.2, 3, n) if weighted else None
    out = make_absorber(fe, weights=weights, method=method).demean(values)
    np.testing.assert_allclose(out, projection_residual(values, fe, weights), atol=1e-11)


def test_one_dimensional_input_and_inplace():
    rng = np.random.default_rng(0)
    fe = random_fe(rng, 200, (20, 5))
    absorber = make_absorber(fe)
    values = np.asfortranarray(rng.normal(size=(200, 3)))
    expected = projection_residual(values, fe)
    np.testing.assert_allclose(absorber.demean(values[:, 0]), expected[:, 0], atol=1e-12)
    out = absorber.demean(values, inplace=True)
    assert out is values
    np.testing.assert_allclose(values, expected, atol=1e-12)


def test_disconnected_two_way_structure_is_exact():
    # two separate blocks of units observed in disjoint years: the year effects are not all identified
    units = np.repeat(np.arange(8), 3)
    years = np.where(units < 4, 0, 3) + np.tile(np.arange(3), 8)
    fe = encode_factors(pd.DataFrame({"u": units, "t": years}), ("u", "t"))
    values = np.random.default_rng(1).normal(size=(24, 2))
    np.testing.assert_allclose(
        make_absorber(fe).demean(values), projection_residual(values, fe), atol=1e-12
    )


def test_singletons_removed_recursively():
    # unit 2 has one row; dropping it leaves year 9 with a single row, which must go too
    codes = (np.array([0, 0, 1, 1, 2, 1]), np.array([0, 1, 0, 1, 2, 2]))
    keep = drop_singletons(codes)
    np.testing.assert_array_equal(keep, [True, True, True, True, False, False])


def test_demean_frame_public_helper():
    df = pd.DataFrame(
        {"u": [1, 1, 2, 2, 2], "t": [1, 2, 1, 2, 3], "a": [1.0, 2, 3, 4, 8], "b": [0.0, 1, 0, 1, 5]}
    )
    out = pdid.demean_frame(df, ["a", "b"], ["u", "t"])
    fe = encode_factors(df, ("u", "t"))
    np.testing.assert_allclose(
        out.to_numpy(), projection_residual(df[["a", "b"]].to_numpy(), fe), atol=1e-12
    )
    assert list(out.index) == list(df.index)


def test_fixed_effects_subset_recodes_densely():
    fe = FixedEffects(("u",), (np.array([0, 1, 2, 2]),), (3,))
    sub = fe.subset(np.array([True, False, True, True]))
    assert sub.n_levels == (2,)
    np.testing.assert_array_equal(sub.codes[0], [0, 1, 1])


@pytest.mark.parametrize("levels", [(30,), (30, 6), (25, 6, 4)])
@pytest.mark.parametrize("weighted", [False, True])
def test_sparse_indicator_columns_match_projection(levels, weighted):
    # cell dummies (few nonzeros) take the sparse group-sum path; a dense column the full one
    rng = np.random.default_rng(7)
    fe = random_fe(rng, 400, levels)
    w = rng.uniform(0.5, 2.0, 400) if weighted else None
    values = np.zeros((400, 3), order="F")
    values[rng.choice(400, 20, replace=False), 0] = 1.0
    values[rng.choice(400, 90, replace=False), 1] = -2.5
    values[:, 2] = rng.normal(size=400)
    got = make_absorber(fe, weights=w, method="dense").demean(values)
    np.testing.assert_allclose(got, projection_residual(values, fe, w), atol=1e-10)
