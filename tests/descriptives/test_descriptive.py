import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from pilotdid.descriptives.descriptive import describe, summary_stats, welch_comparison
from pilotdid.errors import PanelError, PilotdidError
from tests.tables.paper import check_golden


@pytest.fixture
def panel():
    rng = np.random.default_rng(7)
    n = 400
    df = pd.DataFrame({
        "lnESF": rng.normal(9.548, 0.486, n),
        "treat": (rng.uniform(size=n) < 0.2873).astype(int),
        "lnHCL": rng.normal(10.55, 0.419, n),
        "FIN": rng.uniform(0.6e-4, 3e-4, n),
        "HUM": rng.normal(0.1846, 0.0419, n),
    })  # fmt: skip
    df.loc[df["treat"] == 1, "lnESF"] += 0.2
    df.loc[[3, 10, 50], "lnHCL"] = np.nan
    return df


def test_table1_layout_golden(panel):
    t = describe(
        panel, ["lnESF", "treat", "lnHCL", "FIN", "HUM"], title="Table 1. Descriptive Statistics"
    )
    assert list(t.body.columns) == ["Obs", "Mean", "Std. Dev.", "Min", "Max"]
    assert t.row_labels() == ["lnESF", "treat", "lnHCL", "FIN", "HUM"]
    assert t.text_cells()[1][3:] == ["0", "1"]  # a dummy's Min/Max are integers, as in the paper
    check_golden("table1.txt", t.to_text())


def test_numbers_equal_numpy(panel):
    t = describe(panel, ["lnESF", "lnHCL", "FIN"])
    frame = t.to_frame()
    for name in ["lnESF", "lnHCL", "FIN"]:
        x = panel[name].dropna().to_numpy()
        row = frame.loc[name]
        assert row["Obs"] == x.size
        assert row["Mean"] == pytest.approx(x.mean(), rel=1e-14)
        assert row["Std. Dev."] == pytest.approx(x.std(ddof=1), rel=1e-12)
        assert row["Min"] == x.min() and row["Max"] == x.max()
    assert frame.loc["lnHCL", "Obs"] == 397


def test_percentiles_follow_stata_summarize_detail():
    x = np.arange(1.0, 11.0)
    # n·p/100 not whole: the next order statistic; whole: the average of two neighbours.
    assert summary_stats(x, ["p25", "p50", "p10", "median", "p99", "var"]) == [
        3.0,
        5.5,
        1.5,
        5.5,
        10.0,
        x.var(ddof=1),
    ]
    assert np.isnan(summary_stats(np.array([1.0]), ["std"])[0])
    assert summary_stats(np.array([np.nan]), ["count", "mean"])[0] == 0.0


def test_optional_statistics_columns(panel):
    t = describe(panel, ["lnESF"], stats=["count", "mean", "p25", "median", "p75"])
    assert list(t.body.columns) == ["Obs", "Mean", "P25", "Median", "P75"]
    zh = describe(panel, ["lnESF"], language="zh", labels={"lnESF": "出口技术复杂度"})
    assert list(zh.body.columns) == ["观测值", "均值", "标准差", "最小值", "最大值"]
    assert zh.stub_header == "变量" and zh.row_labels() == ["出口技术复杂度"]


def test_by_group_adds_means_difference_and_welch_p(panel):
    t = describe(panel, ["lnESF", "lnHCL"], by="treat")
    assert list(t.body.columns)[-4:] == ["Treated", "Control", "Difference", "p-value"]
    assert [[(g.label, g.span) for g in row] for row in t.column_groups] == [
        [("Full sample", 5), ("Difference in means", 4)]
    ]
    frame = t.to_frame()
    for name in ["lnESF", "lnHCL"]:
        a = panel.loc[panel["treat"] == 1, name].dropna()
        b = panel.loc[panel["treat"] == 0, name].dropna()
        assert frame.loc[name, "Treated"] == pytest.approx(a.mean(), rel=1e-14)
        assert frame.loc[name, "Control"] == pytest.approx(b.mean(), rel=1e-14)
        assert frame.loc[name, "Difference"] == pytest.approx(a.mean() - b.mean(), rel=1e-12)
        expected = sps.ttest_ind(a, b, equal_var=False).pvalue
        assert frame.loc[name, "p-value"] == pytest.approx(expected, rel=1e-12)
    assert t.text_cells()[0][7].endswith("***")  # lnESF was shifted by 0.2 in treated rows
    n1 = int((panel["treat"] == 1).sum())
    assert t.notes[0] == (
        f"Difference = Treated − Control; p-value of Welch's t-test (unequal variances); N = {n1} / {400 - n1}"
    )
    assert "treat" not in describe(panel, by="treat").row_labels()


def test_by_with_other_group_values(panel):
    df = panel.assign(region=np.where(panel["treat"] == 1, "east", "west"))
    t = describe(df, ["lnESF"], by="region", stars=False)
    assert list(t.body.columns)[5:7] == ["region = west", "region = east"]
    assert len(t.notes) == 1


def test_welch_comparison_handles_degenerate_groups():
    x = np.array([[1.0], [1.0], [2.0], [np.nan]])
    cmp = welch_comparison(
        x, np.array([True, True, False, False]), np.array([False, False, True, True])
    )
    assert cmp.mean_a[0] == 1.0 and cmp.mean_b[0] == 2.0 and np.isnan(cmp.p_value[0])


def test_input_is_not_modified(panel):
    before = panel.copy()
    describe(panel, by="treat")
    pd.testing.assert_frame_equal(panel, before)


def test_errors(panel):
    with pytest.raises(
        PanelError, match="column 'lnESf' is not in the data \\(did you mean 'lnESF'"
    ):
        describe(panel, ["lnESf"])
    with pytest.raises(PanelError, match="needs exactly two groups, found 3"):
        describe(panel.assign(g=np.arange(400) % 3), ["lnESF"], by="g")
    with pytest.raises(PanelError, match="column 'name' is not numeric"):
        describe(panel.assign(name="x"), ["lnESF", "name"])
    with pytest.raises(PilotdidError, match="stats='sd' is not allowed"):
        describe(panel, stats=["sd"])
    with pytest.raises(PanelError, match="column 'nope' is not in the data"):
        describe(panel, ["lnESF"], by="nope")
    with pytest.raises(PilotdidError, match="must be a pandas DataFrame"):
        describe(panel.to_numpy())
