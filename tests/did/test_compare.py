"""compare_dynamic: dynamic estimators side by side (tidy, table, overlay figure)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.did.dynamic import DynamicEffects
from pilotdid.errors import PilotdidError
from pilotdid.tables.cells import Number


def event_panel(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"unit": np.repeat(np.arange(60), 10), "year": np.tile(np.arange(10), 60)})
    df["cohort"] = np.where(df["unit"] < 25, 5.0, np.nan)
    df["y"] = 0.5 * (df["year"] >= df["cohort"]) + rng.normal(size=len(df))
    return df


@pytest.fixture(scope="module")
def twfe():
    df = event_panel()
    return pdid.event_study(df, "y", unit="unit", time="year", cohort="cohort", window=(-3, 2))


def synthetic(name="BJS", periods=(-2, -1, 0, 1, 2, 3), ref=None, seed=1, df=float("inf")):
    rng = np.random.default_rng(seed)
    k = len(periods)
    a = rng.normal(size=(k, k)) * 0.05
    return DynamicEffects(
        name, np.array(periods), rng.normal(size=k) * 0.3 + 0.2, a @ a.T + 0.01 * np.eye(k), ref, df
    )


def test_tidy_is_long_with_every_estimator_and_its_reference_row(twfe):
    bjs = synthetic()
    cmp = pdid.compare_dynamic([twfe, bjs])
    tidy = cmp.tidy()
    assert list(tidy.columns) == [
        "estimator", "rel_time", "estimate", "std_error", "conf_low", "conf_high", "is_ref"
    ]  # fmt: skip
    assert cmp.names == ("TWFE", "BJS")
    twfe_rows = tidy[tidy["estimator"] == "TWFE"].set_index("rel_time")
    expected = twfe.tidy()
    np.testing.assert_allclose(twfe_rows["estimate"], expected["estimate"])
    np.testing.assert_allclose(twfe_rows["conf_high"], expected["conf_high"])
    assert twfe_rows.loc[-1, "is_ref"] and twfe_rows.loc[-1, "estimate"] == 0
    bjs_rows = tidy[tidy["estimator"] == "BJS"]
    assert bjs_rows["rel_time"].tolist() == [-2, -1, 0, 1, 2, 3] and not bjs_rows["is_ref"].any()
    np.testing.assert_allclose(bjs_rows["std_error"], np.sqrt(np.diag(bjs.vcov)))


def test_level_changes_the_intervals(twfe):
    cmp = pdid.compare_dynamic(twfe, level=0.9)
    assert cmp.names == ("TWFE",)
    row = cmp.tidy().query("rel_time == 0").iloc[0]
    from scipy import stats

    q = stats.t.ppf(0.95, twfe.dynamic().df)
    assert row["conf_high"] - row["estimate"] == pytest.approx(q * row["std_error"])
    wider = cmp.tidy(level=0.99).query("rel_time == 0").iloc[0]
    assert wider["conf_high"] > row["conf_high"]


def test_table_rows_are_periods_with_estimate_and_se_per_estimator(twfe):
    bjs = synthetic()
    table = pdid.compare_dynamic({"TWFE": twfe, "Imputation": bjs}).table()
    labels = table.row_labels()
    assert labels[::2] == ["t-3", "t-2", "t-1", "t=0", "t+1", "t+2", "t+3"]
    assert set(labels[1::2]) == {""}
    assert [g.label for g in table.header_rows()[-1]] == ["TWFE", "Imputation"]
    cells = table.cells()
    # t-1 is TWFE's reference (empty cell), BJS has an estimate there
    row = labels.index("t-1")
    assert cells[row][0] in ("", None) or (
        isinstance(cells[row][0], float) and np.isnan(cells[row][0])
    )
    est = cells[row][1]
    assert isinstance(est, Number) and est.value == pytest.approx(bjs.estimates[1])
    se = cells[row + 1][1]
    assert se.value == pytest.approx(np.sqrt(bjs.vcov[1, 1])) and se.enclose == "()"
    # stars from the estimator's own p-value
    z = abs(bjs.estimates[1]) / np.sqrt(bjs.vcov[1, 1])
    from scipy import stats

    p = 2 * stats.norm.sf(z)
    assert est.stars == "*" * sum(p < lv for lv in (0.1, 0.05, 0.01))
    notes = " ".join(table.notes)
    assert "t-1 (TWFE)" in notes and "none (Imputation)" in notes
    assert "Standard errors in parentheses" in notes
    assert table.stub_header == "Relative period"


def test_table_in_chinese():
    table = pdid.compare_dynamic([synthetic("SA", ref=-1, periods=(-3, -2, 0, 1))]).table(
        language="zh"
    )
    assert table.stub_header == "相对政策实施期数"
    assert any("基期" in n for n in table.notes)
    assert "括号内为标准误" in " ".join(table.notes)
    assert table.to_text()  # renders


def test_duplicate_names_are_numbered_and_bad_items_refused(twfe):
    cmp = pdid.compare_dynamic([twfe, twfe.dynamic()])
    assert cmp.names == ("TWFE", "TWFE (2)")
    with pytest.raises(PilotdidError, match="item 2 is a str"):
        pdid.compare_dynamic([twfe, "TWFE"])
    with pytest.raises(PilotdidError, match="at least one"):
        pdid.compare_dynamic([])
    with pytest.raises(PilotdidError, match="level"):
        pdid.compare_dynamic(twfe, level=95)


def test_any_object_with_dynamic_is_accepted():
    class Fake:
        def dynamic(self):
            return synthetic("CS", ref=None)

    cmp = pdid.compare_dynamic({"Callaway-Sant'Anna": Fake()})
    assert cmp.names == ("Callaway-Sant'Anna",)
    assert cmp.tidy()["estimator"].unique().tolist() == ["Callaway-Sant'Anna"]


def test_overlay_figure_dodges_estimators_and_marks_zero_and_reference(twfe):
    pytest.importorskip("matplotlib")
    cmp = pdid.compare_dynamic([twfe, synthetic("BJS"), synthetic("SA", ref=-1, seed=3)])
    for language in ("en", "zh"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a missing CJK font is not this test's business
            fig = cmp.figure(language=language)
        ax = fig.axes[0]
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert {"TWFE", "BJS", "SA"} <= set(legend)
        assert ax.collections  # the interval bars
        points = [line for line in ax.get_lines() if line.get_marker() in ("o", "s", "^")]
        at_zero = sorted(x for line in points for x in line.get_xdata() if abs(x) < 0.5)
        assert len(at_zero) == 3 and len(set(np.round(at_zero, 6))) == 3  # dodged apart
        horizontal = [line for line in ax.get_lines() if list(line.get_ydata()) == [0, 0]]
        vertical = [line for line in ax.get_lines() if list(line.get_xdata()) == [-1, -1]]
        assert horizontal and vertical
    assert "基期" in legend


def test_summary_and_html(twfe):
    cmp = pdid.compare_dynamic([twfe, synthetic()])
    text = cmp.summary()
    assert text.startswith("Dynamic effects compared: TWFE:") and "pre-trend test p" in text
    assert "<table" in cmp._repr_html_()
