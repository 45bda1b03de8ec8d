"""The Goodman-Bacon decomposition against brute-force 2x2 DIDs, the paper's weights and TWFE."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.errors import EstimationError, PanelError


def staggered_panel(
    seed: int,
    *,
    n_units: int = 60,
    periods: int = 8,
    cohorts: tuple[float, ...] = (3, 5),
    never: bool = True,
    always: bool = False,
    first: int = 2000,
) -> pd.DataFrame:
    """A balanced panel with heterogeneous, growing effects (TWFE is biased on it)."""
    rng = np.random.default_rng(seed)
    choices = (
        [first + c for c in cohorts] + ([np.nan] if never else []) + ([first] if always else [])
    )
    adopt = np.array(choices, dtype=float)[np.arange(n_units) % len(choices)]
    rng.shuffle(adopt)
    df = pd.DataFrame({"id": np.repeat(np.arange(n_units), periods)})
    df["year"] = np.tile(np.arange(first, first + periods), n_units)
    df["g"] = adopt[df["id"]]
    rel = df["year"] - df["g"]
    effect = np.where(rel >= 0, 1.0 + 0.4 * rel + 0.1 * (df["g"] - first), 0.0)
    unit_fe = rng.normal(size=n_units)[df["id"]]
    df["y"] = unit_fe + 0.3 * (df["year"] - first) + effect + rng.normal(size=len(df))
    df["D"] = (df["year"] >= df["g"]).astype(float)
    return df


def twfe(df: pd.DataFrame) -> float:
    return float(pdid.feols("y ~ D | id + year", df).coef()["D"])


def four_means(df, treated, control, pre, post) -> float:
    """(post - pre mean of the treated group) - (post - pre mean of the control group)."""

    def change(members):
        rows = df[members]
        return (
            rows.loc[rows["year"].isin(post), "y"].mean()
            - rows.loc[rows["year"].isin(pre), "y"].mean()
        )

    return change(treated) - change(control)


def group_mask(df, label, first):
    if label == np.inf:
        return df["g"].isna()
    if label == -np.inf:
        return df["g"] <= first
    return df["g"] == label


def brute_force(df: pd.DataFrame, row: pd.Series) -> tuple[float, float]:
    """A 2x2 DID as four means and as a TWFE regression on the 2x2 subsample."""
    years = np.sort(df["year"].unique())
    first = years[0]
    k, c = row["treated"], row["control"]
    if row["type"] in ("treated_vs_never", "treated_vs_always"):
        window = years
        pre, post = years[years < k], years[years >= k]
    elif row["type"] == "earlier_vs_later":
        window = years[years < c]
        pre, post = window[window < k], window[window >= k]
    else:  # later vs earlier: the earlier group, already treated, is the control
        window = years[years >= c]
        pre, post = window[window < k], window[window >= k]
    t_mask, c_mask = group_mask(df, k, first), group_mask(df, c, first)
    by_means = four_means(df, t_mask, c_mask, pre, post)
    sub = df[(t_mask | c_mask) & df["year"].isin(window)].copy()
    sub["D2"] = (t_mask[sub.index] & sub["year"].isin(post)).astype(float)
    by_fit = float(pdid.feols("y ~ D2 | id + year", sub).coef()["D2"])
    return by_means, by_fit


def paper_weight(df: pd.DataFrame, row: pd.Series) -> float:
    """Goodman-Bacon (2021) equations (10e-g) written out with group shares, over V^D."""
    years = np.sort(df["year"].unique())
    first = years[0]
    units = df.drop_duplicates("id")
    n = len(units)

    def share(label):
        return group_mask(units, label, first).sum() / n

    def dbar(label):
        return 1.0 if label == -np.inf else 0.0 if label == np.inf else np.mean(years >= label)

    # V^D: variance of the two-way demeaned dummy, by brute force over the rows
    d = df["D"]
    dd = (
        d
        - d.groupby(df["id"]).transform("mean")
        - d.groupby(df["year"]).transform("mean")
        + d.mean()
    )
    vd = float((dd**2).mean())
    k, c = row["treated"], row["control"]
    nk, nc = share(k), share(c)
    if row["type"] in ("treated_vs_never", "treated_vs_always"):
        nku = nk / (nk + nc)
        return (nk + nc) ** 2 * nku * (1 - nku) * dbar(k) * (1 - dbar(k)) / vd
    if row["type"] == "earlier_vs_later":
        dk, dl = dbar(k), dbar(c)
        nkl = nk / (nk + nc)
        return (
            ((nk + nc) * (1 - dl)) ** 2
            * nkl
            * (1 - nkl)
            * (dk - dl)
            / (1 - dl)
            * (1 - dk)
            / (1 - dl)
            / vd
        )
    dk, dl = dbar(c), dbar(k)  # control c is the earlier group here
    nkl = nc / (nk + nc)
    return ((nk + nc) * dk) ** 2 * nkl * (1 - nkl) * (dl / dk) * (dk - dl) / dk / vd


DESIGNS = [
    dict(cohorts=(3, 5), never=True),
    dict(cohorts=(2, 4, 6), never=False),
    dict(cohorts=(2, 3, 5, 6), never=True, always=True),
    dict(cohorts=(1, 2, 4, 5, 7), never=True),
    dict(cohorts=(4,), never=True, always=True),
    dict(cohorts=(3, 6), never=False, always=True),
]


@pytest.mark.parametrize("design", DESIGNS)
def test_every_comparison_is_the_brute_force_two_by_two(design):
    df = staggered_panel(1, **design)
    result = pdid.bacon(df, "y", unit="id", time="year", cohort="g")
    for _, row in result.tidy().iterrows():
        by_means, by_fit = brute_force(df, row)
        assert row["estimate"] == pytest.approx(by_means, abs=1e-10)
        assert row["estimate"] == pytest.approx(by_fit, abs=1e-9)
        assert row["weight"] == pytest.approx(paper_weight(df, row), abs=1e-12)


@pytest.mark.parametrize(("seed", "design"), list(itertools.product([0, 7, 42], DESIGNS)))
def test_weights_sum_to_one_and_weighted_sum_is_the_twfe_coefficient(seed, design):
    df = staggered_panel(seed, n_units=40 + 7 * seed % 30, **design)
    result = pdid.bacon(df, "y", unit="id", time="year", cohort="g")
    frame = result.tidy()
    assert frame["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert (frame["weight"] >= 0).all()
    beta = twfe(df)
    assert float((frame["weight"] * frame["estimate"]).sum()) == pytest.approx(beta, abs=1e-10)
    assert result.twfe == pytest.approx(beta, abs=1e-10)
    by_type = result.by_type()
    assert by_type["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert float((by_type["weight"] * by_type["estimate"]).sum()) == pytest.approx(beta, abs=1e-10)


def test_comparisons_listed_by_type():
    df = staggered_panel(3, cohorts=(2, 4, 6), never=True, always=True)
    frame = pdid.bacon(df, "y", unit="id", time="year", cohort="g").tidy()
    assert list(frame.columns) == ["type", "treated", "control", "estimate", "weight"]
    counts = frame["type"].value_counts().to_dict()
    assert counts == {
        "treated_vs_never": 3, "treated_vs_always": 3, "earlier_vs_later": 3, "later_vs_earlier": 3
    }  # fmt: skip
    assert set(frame.loc[frame["type"] == "treated_vs_never", "control"]) == {np.inf}
    assert set(frame.loc[frame["type"] == "treated_vs_always", "control"]) == {-np.inf}
    late = frame[frame["type"] == "later_vs_earlier"]
    assert (late["treated"] > late["control"]).all()


def test_forbidden_share_is_the_weight_of_later_vs_earlier():
    df = staggered_panel(5, cohorts=(2, 5), never=True)
    result = pdid.bacon(df, "y", unit="id", time="year", cohort="g")
    frame = result.tidy()
    expected = frame.loc[frame["type"] == "later_vs_earlier", "weight"].sum()
    assert result.forbidden_share == pytest.approx(expected)
    assert 0 < result.forbidden_share < 1
    # no timing variation among the treated: nothing is forbidden
    one = pdid.bacon(staggered_panel(5, cohorts=(4,)), "y", unit="id", time="year", cohort="g")
    assert one.forbidden_share == 0.0
    assert one.tidy()["type"].tolist() == ["treated_vs_never"]


def test_treatment_dummy_gives_the_same_decomposition_as_the_cohort():
    df = staggered_panel(2, cohorts=(2, 3, 6), never=True, always=True)
    by_cohort = pdid.bacon(df, "y", unit="id", time="year", cohort="g").tidy()
    by_dummy = pdid.bacon(df, "y", unit="id", time="year", treatment="D").tidy()
    pd.testing.assert_frame_equal(by_cohort, by_dummy)


def test_cohort_coding_never_treated_rule_and_adoption_after_the_panel():
    df = staggered_panel(4, cohorts=(3, 5), never=True)
    base = pdid.bacon(df, "y", unit="id", time="year", cohort="g").tidy()
    for never in (0, np.inf, 2100):  # 0 and +inf: the package's rule; 2100: after the panel
        coded = df.assign(g=df["g"].fillna(never))
        pd.testing.assert_frame_equal(
            pdid.bacon(coded, "y", unit="id", time="year", cohort="g").tidy(), base
        )


def test_input_is_not_modified_and_row_order_does_not_matter():
    df = staggered_panel(6, cohorts=(2, 5))
    before = df.copy()
    a = pdid.bacon(df, "y", unit="id", time="year", cohort="g").tidy()
    pd.testing.assert_frame_equal(df, before)
    shuffled = df.sample(frac=1.0, random_state=0)
    b = pdid.bacon(shuffled, "y", unit="id", time="year", cohort="g").tidy()
    pd.testing.assert_frame_equal(a, b, check_exact=False, atol=1e-12)


def test_unbalanced_panel_and_missing_outcome_are_refused_with_advice():
    df = staggered_panel(0)
    with pytest.raises(PanelError, match="balanced panels.*3 of 60 units"):
        pdid.bacon(df.drop(index=[0, 9, 18]), "y", unit="id", time="year", cohort="g")
    with pytest.raises(PanelError, match="missing or non-numeric 'y'.*drop the units"):
        pdid.bacon(
            df.assign(y=df["y"].where(df.index != 5)), "y", unit="id", time="year", cohort="g"
        )


def test_bad_arguments_and_non_absorbing_treatment():
    df = staggered_panel(0)
    with pytest.raises(PanelError, match="exactly one of treatment= .* and cohort="):
        pdid.bacon(df, "y", unit="id", time="year")
    with pytest.raises(PanelError, match="exactly one"):
        pdid.bacon(df, "y", unit="id", time="year", cohort="g", treatment="D")
    with pytest.raises(PanelError, match="'yy' not found.*did you mean 'y'"):
        pdid.bacon(df, "yy", unit="id", time="year", cohort="g")
    off = df.copy()
    off.loc[(off["id"] == off.loc[off["D"] == 1, "id"].iloc[0]) & (off["year"] == 2007), "D"] = 0
    with pytest.raises(PanelError, match="not absorbing"):
        pdid.bacon(off, "y", unit="id", time="year", treatment="D")
    with pytest.raises(PanelError, match="0/1 dummy"):
        pdid.bacon(df.assign(D=df["D"] * 2), "y", unit="id", time="year", treatment="D")


def test_no_variation_is_an_estimation_error():
    df = staggered_panel(0, cohorts=(3,), never=False)
    with pytest.raises(EstimationError, match="not identified"):
        pdid.bacon(df, "y", unit="id", time="year", cohort="g")


def test_summary_html_and_figures_in_both_languages():
    pytest.importorskip("matplotlib")
    df = staggered_panel(8, cohorts=(2, 5), never=True, always=True)
    result = pdid.bacon(df, "y", unit="id", time="year", cohort="g")
    assert "forbidden comparisons" in result.summary() and str(result) == result.summary()
    assert "<table" in result._repr_html_()
    for language in ("en", "zh"):
        fig = result.figure(language=language)
        ax = fig.axes[0]
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert len(texts) == 5  # four types and the TWFE line
        twfe_line = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
        assert twfe_line and twfe_line[0].get_ydata()[0] == pytest.approx(result.twfe)
    assert "禁止" in texts[3] and "TWFE" in texts[-1]


def test_agrees_with_diff_diff_bacon_decompose():
    dd = pytest.importorskip("diff_diff")
    df = staggered_panel(11, n_units=90, cohorts=(2, 4, 5), never=True)
    ours = pdid.bacon(df, "y", unit="id", time="year", cohort="g")
    peer = dd.BaconDecomposition(weights="exact").fit(
        df.assign(first_treat=df["g"].fillna(0)), outcome="y", unit="id", time="year",
        first_treat="first_treat",
    )  # fmt: skip
    assert peer.twfe_estimate == pytest.approx(ours.twfe, abs=1e-10)
    theirs = peer.to_dataframe()
    assert len(theirs) == len(ours.tidy())
    assert theirs["weight"].sum() == pytest.approx(1.0)
    assert sorted(theirs["estimate"].round(10)) == sorted(ours.tidy()["estimate"].round(10))
    assert sorted(theirs["weight"].round(10)) == sorted(ours.tidy()["weight"].round(10))
