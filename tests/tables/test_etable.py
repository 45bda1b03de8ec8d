import numpy as np
import pandas as pd
import pytest

from pilotdid.errors import PilotdidError
from pilotdid.tables.cells import Number
from pilotdid.tables.etable import etable
from tests.tables.paper import CONTROLS, TABLE3, summary


def cell(table, row_label, col, offset=0):
    labels = table.row_labels()
    return table.cells()[labels.index(row_label) + offset][col]


def test_paper_table3_layout(table3):
    assert table3.row_labels() == [
        "TP", "", "lnHCL", "", "FIN", "", "lnPERgdp", "", "HUM", "", "MAR", "", "lnAOL", "",
        "lnFINA", "", "Constant", "", "Observations", "R-squared", "City Fe", "Year Fe",
    ]  # fmt: skip
    assert [[g.label for g in row] for row in table3.header_rows()] == [
        ["(1)", "(2)", "(3)"],
        ["lnESF", "lnESF", "lnESF"],
    ]
    assert table3.stub_header == "Variables"
    assert table3.rules == (18,)
    text = table3.text_cells()
    assert text[0] == ["0.0424***", "0.0232**", "-0.0819**"]
    assert text[1] == ["(0.00945)", "(0.00948)", "(0.0314)"]
    assert text[4] == ["", "488.0***", "1,645***"]
    assert text[16:] == [
        ["9.563***", "11.56***", "13.60***"],
        ["(0.00202)", "(0.407)", "(2.514)"],
        ["2,963", "2,963", "218"],
        ["0.973", "0.976", "0.988"],
        ["Yes", "Yes", "Yes"],
        ["Yes", "Yes", "Yes"],
    ]
    assert table3.notes == (
        "Standard errors in parentheses, clustered by city",
        "*** p<0.01, ** p<0.05, * p<0.1",
    )


def test_numbers_are_the_result_objects_numbers(models):
    rng = np.random.default_rng(1)
    noisy = []
    for m in models:  # unrounded values, so any second rounding would show
        coefs = m.coefs * (1 + rng.uniform(-0.01, 0.01, m.coefs.shape))
        noisy.append(
            summary(
                [(t, *coefs.loc[t, ["estimate", "std_error", "p_value"]]) for t in coefs.index],
                m.nobs,
                0.97,
            )
        )
    table = etable(noisy)
    labels = table.row_labels()
    for j, m in enumerate(noisy):
        for term in m.coefs.index:
            i = labels.index("Constant" if term == "_cons" else term)
            est, se = table.cells()[i][j], table.cells()[i + 1][j]
            assert isinstance(est, Number) and est.value == m.coefs.at[term, "estimate"]
            assert se.value == m.coefs.at[term, "std_error"]
            assert str(est).rstrip("*") == f"{m.coefs.at[term, 'estimate']:,.{est.decimals}f}"
        assert cell(table, "Observations", j).value == m.nobs


def test_keep_drop_order(models):
    assert etable(models, keep=["FIN", "TP"]).row_labels()[::2][:2] == ["TP", "FIN"]
    assert etable(models, keep=["FIN", "TP"], order=["FIN"]).row_labels()[::2][:2] == ["FIN", "TP"]
    dropped = etable(models, drop=[*CONTROLS, "_cons"])
    assert dropped.row_labels()[:3] == ["TP", "", "Observations"]
    assert etable(models, constant=False).row_labels()[-6:-4] == ["lnFINA", ""]
    assert etable(models, order=["_cons"]).row_labels()[0] == "Constant"


@pytest.mark.parametrize("arg", ["keep", "drop", "order"])
def test_unknown_coefficient_is_named(models, arg):
    expected = (
        rf"etable\({arg}=...\): no model has a coefficient named 'lnHLC' \(did you mean 'lnHCL'"
    )
    with pytest.raises(PilotdidError, match=expected):
        etable(models, **{arg: ["TP", "lnHLC"]})


def test_controls_row_hides_controls_and_says_yes_no(models):
    t = etable(models, controls=CONTROLS)
    assert "lnHCL" not in t.row_labels()
    assert t.row_labels()[2:] == [
        "Constant",
        "",
        "Observations",
        "R-squared",
        "Controls",
        "City FE",
        "Year FE",
    ]
    assert cell(t, "Controls", 0) == "No" and cell(t, "Controls", 1) == "Yes"
    partial = summary(TABLE3[1][:3], 100, 0.5)
    t2 = etable(
        [*models, partial], controls={"Control variables or not": CONTROLS}, keep=["TP", "FIN"]
    )
    assert [cell(t2, "Control variables or not", j) for j in range(4)] == [
        "No",
        "Yes",
        "Yes",
        "Partial",
    ]
    assert "FIN" in t2.row_labels()  # keep wins over hiding
    zh = etable(models, controls=CONTROLS, language="zh")
    assert [cell(zh, "控制变量", j) for j in range(3)] == ["否", "是", "是"]
    with pytest.raises(PilotdidError, match="controls\\['Controls'\\]"):
        etable(models, controls=["lnHCL", "nope"])


def test_fixed_effect_rows_follow_each_model(models):
    no_fe = summary(TABLE3[0], 10, 0.1, fixef=(), vcov="iid")
    prov = summary(TABLE3[0], 10, 0.1, fixef=("province", "year"))
    t = etable([models[0], no_fe, prov])
    assert t.row_labels()[-3:] == ["City FE", "Year FE", "Province FE"]
    assert [cell(t, "City FE", j) for j in range(3)] == ["Yes", "No", "No"]
    assert [cell(t, "Province FE", j) for j in range(3)] == ["No", "No", "Yes"]
    assert "City FE" not in etable(models, fixef=False).row_labels()
    zh = etable(models, language="zh")
    assert zh.row_labels()[-4:] == ["观测值", "R²", "城市固定效应", "年份固定效应"]
    assert zh.stub_header == "变量" and zh.row_labels()[-6] == "常数项"
    assert zh.notes == (
        "括号内为聚类到城市层面的稳健标准误",
        "***、**、*分别表示在1%、5%、10%的水平上显著",
    )


def test_statistics_rows():
    m = summary(TABLE3[0], 2963, 0.973)
    rich = summary(TABLE3[0], 2963, 0.973)
    rich = type(rich)(rich.coefs, "lnESF", ("city",), "clustered by city", 2963,
                      {"r2": 0.973, "r2_within": 0.01491, "adj_r2": 0.97, "n_clusters": 280.0})  # fmt: skip
    t = etable([m, rich], stats=["nobs", "r2_within", "adj_r2", "n_clusters"])
    assert t.row_labels()[4:8] == ["Observations", "Within R-squared", "Adj. R-squared", "Clusters"]
    assert t.text_cells()[5:8] == [["", "0.0149"], ["", "0.970"], ["", "280"]]
    assert cell(t, "Clusters", 1).value == 280 and isinstance(cell(t, "Clusters", 1).value, int)
    with pytest.raises(PilotdidError, match="stats='aic' is not allowed"):
        etable([m], stats=["aic"])


@pytest.mark.parametrize(
    ("below", "expected", "note"),
    [
        ("se", "(0.00945)", "Standard errors in parentheses, clustered by city"),
        ("t", "(4.487)", "t-statistics in parentheses; standard errors clustered by city"),
        ("p", "(0.000)", "p-values in parentheses; standard errors clustered by city"),
        (
            "ci",
            "[0.0239, 0.0609]",
            "95% confidence intervals in brackets; standard errors clustered by city",
        ),
    ],
)
def test_what_goes_beneath(models, below, expected, note):
    t = etable(models[:1], below=below)
    assert t.text_cells()[1][0] == expected
    assert t.notes[0] == note


def test_nothing_beneath(models):
    t = etable(models[:1], below="none")
    assert t.row_labels()[:2] == ["TP", "Constant"]
    assert t.notes == ("*** p<0.01, ** p<0.05, * p<0.1",)


def test_stars_thresholds_and_note_agree(models):
    t = etable(models, stars=(0.05, 0.01, 0.001))
    assert t.text_cells()[0] == ["0.0424***", "0.0232*", "-0.0819*"]
    assert t.notes[-1] == "*** p<0.001, ** p<0.01, * p<0.05"
    plain = etable(models, stars=False)
    assert plain.text_cells()[0] == ["0.0424", "0.0232", "-0.0819"]
    assert len(plain.notes) == 1
    assert etable(models, auto_notes=False, notes="Sample: matched").notes == ("Sample: matched",)


def test_digits_and_decimals(models):
    assert etable(models[:1], digits=2).text_cells()[:2] == [["0.042***"], ["(0.0095)"]]
    assert etable(models[:1], decimals=3).text_cells()[:2] == [["0.042***"], ["(0.009)"]]


def test_mixed_vcov_note(models):
    hetero = summary(TABLE3[0], 10, 0.1, vcov="heteroskedasticity-robust (HC1)")
    t = etable([*models[:2], hetero])
    assert t.notes[0] == (
        "Standard errors in parentheses: (1), (2) clustered by city; (3) heteroskedasticity-robust (HC1)"
    )


def test_titles_depvar_and_numbers(models):
    titled = etable({"Baseline": models[0], "Controls": models[1]})
    assert [[g.label for g in r] for r in titled.header_rows()] == [
        ["(1)", "(2)"], ["Baseline", "Controls"], ["lnESF", "lnESF"]
    ]  # fmt: skip
    own = summary(TABLE3[0], 10, 0.1, title="High RD", depvar="RD")
    t = etable([own, models[0]], labels={"RD": "R&D"})
    assert [[g.label for g in r] for r in t.header_rows()] == [
        ["(1)", "(2)"],
        ["High RD", ""],
        ["R&D", "lnESF"],
    ]
    bare = etable(models[:2], depvar=False, model_numbers=False)
    assert [[g.label for g in r] for r in bare.header_rows()] == [["(1)", "(2)"]]
    with pytest.raises(PilotdidError, match="has 1 titles for 2 models"):
        etable(models[:2], titles=["a"])


def test_extra_rows_and_labels(models):
    m = summary(TABLE3[0], 10, 0.1, extra_rows={"PSM sample": "Yes"})
    t = etable([m, models[1]], labels={"TP": "Treat × Post"}, language="zh")
    assert t.row_labels()[0] == "Treat × Post"
    assert t.text_cells()[-1] == ["是", ""]


class _Custom:
    """A result type from elsewhere: etable only needs model_summary()."""

    def model_summary(self):
        return summary(TABLE3[0], 5, 0.5)


def test_protocol_plug_in_and_bad_inputs(models):
    assert etable(_Custom()).text_cells()[0] == ["0.0424***"]
    assert etable([_Custom(), models[1]]).n_columns == 2
    with pytest.raises(PilotdidError, match="model 2 is a str, which has no model_summary"):
        etable([models[0], "lnESF ~ TP"])
    with pytest.raises(PilotdidError, match="at least one result"):
        etable([])
    with pytest.raises(PilotdidError, match="below='sd' is not allowed"):
        etable(models, below="sd")
    broken = type(models[0])(pd.DataFrame({"estimate": [1.0]}, index=["x"]), "y")
    with pytest.raises(PilotdidError, match="lacks columns"):
        etable(broken)


def test_with_real_feols_results():
    feols = pytest.importorskip("pilotdid.estimation.feols").feols
    rng = np.random.default_rng(3)
    n_units, n_years = 40, 6
    df = pd.DataFrame(
        {
            "city": np.repeat(np.arange(n_units), n_years),
            "year": np.tile(np.arange(n_years), n_units),
        }
    )
    df["TP"] = ((df["city"] % 2 == 0) & (df["year"] >= 3)).astype(float)
    df["x"] = rng.normal(size=len(df))
    df["y"] = 0.5 * df["TP"] + 0.2 * df["x"] + 0.1 * df["city"] + rng.normal(size=len(df))
    r1 = feols("y ~ TP | city + year", df, vcov={"CRV1": "city"})
    r2 = feols("y ~ TP + x | city + year", df, vcov={"CRV1": "city"})
    t = etable([r1, r2], stats=["nobs", "r2", "r2_within", "n_clusters"])
    assert cell(t, "TP", 1).value == r2.coef()["TP"]
    assert cell(t, "TP", 1, offset=1).value == r2.se()["TP"]
    assert cell(t, "R-squared", 0).value == r1.r2
    assert cell(t, "Observations", 0).value == r1.nobs == len(df)
    assert cell(t, "Clusters", 0).value == n_units
    assert t.row_labels()[-2:] == ["City FE", "Year FE"]
    assert t.notes[0] == "Standard errors in parentheses, clustered by city"
