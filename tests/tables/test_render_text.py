import pandas as pd

from pilotdid.tables.etable import etable
from pilotdid.tables.render_text import display_width
from pilotdid.tables.table import ColumnGroup, Table
from tests.tables.paper import check_golden


def test_table3_golden(table3):
    check_golden("table3.txt", table3.to_text())


def test_table3_chinese_golden(models):
    t = etable(
        models, language="zh", labels={"lnESF": "出口技术复杂度"}, title="表3 PSM-DID估计结果"
    )
    text = t.to_text()
    check_golden("table3_zh.txt", text)
    # CJK characters count double, so every rule and body line has the same display width.
    lines = text.splitlines()
    rule = lines[1]
    assert set(rule) == {"="}
    body = lines[lines.index("-" * len(rule)) + 1 : lines.index(rule, 2)]
    assert all(display_width(line) <= len(rule) for line in body)
    assert max(display_width(line) for line in body) == len(rule)


def test_spanning_groups_are_centred_and_underlined():
    body = pd.DataFrame([["1", "2", "3"]], index=["x"], columns=["a", "b", "c"])
    t = Table(body, column_groups=[[ColumnGroup("A wide group label", 2), ColumnGroup("", 1)]])
    lines = t.to_text().splitlines()
    assert lines[1].strip() == "A wide group label"
    assert set(lines[2].strip()) == {"-"} and len(lines[2].strip()) == len("A wide group label")


def test_display_width():
    assert display_width("abc") == 3
    assert display_width("城市固定效应") == 12
    assert display_width("R²") == 2
