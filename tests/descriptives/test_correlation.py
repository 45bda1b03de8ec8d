import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from pilotdid.descriptives.correlation import correlation, correlation_matrix, vif, vif_values
from pilotdid.errors import PanelError, PilotdidError
from tests.tables.paper import check_golden

COLS = ["TP", "lnHCL", "FIN", "lnPERgdp", "HUM"]


@pytest.fixture
def data():
    rng = np.random.default_rng(11)
    n = 300
    base = rng.normal(size=(n, 5))
    base[:, 1] += 0.6 * base[:, 0]
    base[:, 3] += 0.8 * base[:, 1] - 0.3 * base[:, 2]
    df = pd.DataFrame(base, columns=COLS)
    df["TP"] = (df["TP"] > 0.5).astype(float)
    df.loc[[5, 17], "FIN"] = np.nan
    df.loc[[40], "HUM"] = np.nan
    return df


@pytest.mark.parametrize(
    ("method", "ref"), [("pearson", sps.pearsonr), ("spearman", sps.spearmanr)]
)
def test_listwise_matches_scipy(data, method, ref):
    x = data[COLS].to_numpy()
    cm = correlation_matrix(x, method)
    complete = data[COLS].dropna()
    assert (cm.n == len(complete)).all()
    for i in range(5):
        for j in range(i):
            r, p = ref(complete.iloc[:, i], complete.iloc[:, j])
            assert cm.r[i, j] == pytest.approx(r, abs=1e-12) and cm.r[j, i] == cm.r[i, j]
            assert cm.p[i, j] == pytest.approx(p, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize(
    ("method", "ref"), [("pearson", sps.pearsonr), ("spearman", sps.spearmanr)]
)
def test_pairwise_matches_scipy(data, method, ref):
    cm = correlation_matrix(data[COLS].to_numpy(), method, pairwise=True)
    pair = data[["FIN", "HUM"]].dropna()
    r, p = ref(pair["FIN"], pair["HUM"])
    assert cm.r[4, 2] == pytest.approx(r, abs=1e-12) and cm.p[4, 2] == pytest.approx(p, rel=1e-9)
    assert cm.n[4, 2] == len(pair) == 297 and cm.n[1, 0] == 300


def test_table2_layout(data):
    t = correlation(data, COLS, title="Table 2. Correlation Analysis")
    assert t.row_labels() == [
        "(1) TP",
        "(2) lnHCL",
        "",
        "(3) FIN",
        "",
        "(4) lnPERgdp",
        "",
        "(5) HUM",
        "",
    ]
    assert list(t.body.columns) == ["(1)", "(2)", "(3)", "(4)", "(5)"]
    text = t.text_cells()
    assert text[0] == ["1.000", "", "", "", ""]
    assert text[1][1] == "1.000" and text[1][2:] == ["", "", ""]
    assert text[2][0].startswith("(0.") and text[2][1:] == ["", "", "", ""]
    cm = correlation_matrix(data[COLS].to_numpy())
    assert t.body.iloc[1, 0].value == cm.r[1, 0] and t.body.iloc[2, 0].value == cm.p[1, 0]
    assert text[1][0].endswith("***")
    assert t.notes == (
        "Pearson correlation coefficients; p-values in parentheses; N = 297 (listwise deletion)",
        "*** p<0.01, ** p<0.05, * p<0.1",
    )
    check_golden("table2.md", t.to_markdown())


def test_options(data):
    plain = correlation(
        data, COLS[:3], pvalues=False, numbered=False, method="spearman", missing="pairwise"
    )
    assert plain.row_labels() == ["TP", "lnHCL", "FIN"] and list(plain.body.columns) == [
        "TP",
        "lnHCL",
        "FIN",
    ]
    assert plain.notes[0] == "Spearman correlation coefficients; N = 298–300 (pairwise deletion)"
    zh = correlation(data, COLS[:2], language="zh", labels={"TP": "政策"})
    assert zh.row_labels()[0] == "(1) 政策"
    assert zh.notes[0] == "Pearson相关系数，括号内为p值；N = 300（成列删除）"


def test_correlation_errors(data):
    with pytest.raises(PanelError, match="column 'k' has no variance"):
        correlation(data.assign(k=1.0), ["TP", "k"])
    with pytest.raises(PanelError, match="fewer than 3 complete observations"):
        correlation(data.head(2), COLS)
    with pytest.raises(PilotdidError, match="method='kendall' is not allowed"):
        correlation(data, COLS, method="kendall")
    with pytest.raises(PilotdidError, match="missing='drop' is not allowed"):
        correlation(data, COLS, missing="drop")


def test_vif_matches_statsmodels(data):
    from statsmodels.stats.outliers_influence import variance_inflation_factor
    from statsmodels.tools import add_constant

    complete = data[COLS].dropna()
    exog = add_constant(complete.to_numpy())
    expected = [variance_inflation_factor(exog, j + 1) for j in range(5)]
    got = vif_values(complete.to_numpy())
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    t = vif(data, COLS)
    frame = t.to_frame()
    order = np.argsort(-np.asarray(expected), kind="stable")
    assert t.row_labels() == [COLS[j] for j in order] + ["Mean VIF"]
    assert frame.loc["Mean VIF", "VIF"] == pytest.approx(np.mean(expected), rel=1e-10)
    assert frame.loc[COLS[order[0]], "1/VIF"] == pytest.approx(1 / expected[order[0]], rel=1e-10)
    assert t.rules == (5,) and t.notes[0].endswith("N = 297")
    assert vif(data, COLS, sort=False).row_labels()[:5] == COLS


def test_vif_errors(data):
    with pytest.raises(
        PanelError, match=r"column\(s\) 'twin', 'lnHCL' are constant or \(nearly\) linear"
    ):
        vif(data.assign(twin=data["lnHCL"] * 2 + 1), ["twin", "lnHCL", "TP"])
    with pytest.raises(PilotdidError, match="at least two columns"):
        vif(data, ["TP"])
    with pytest.raises(PanelError, match="need more rows than columns"):
        vif(data.head(4), COLS)
