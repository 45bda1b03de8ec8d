import pandas as pd

from pilotdid.tables.render_markdown import escape_markdown
from pilotdid.tables.table import ColumnGroup, Table
from tests.tables.paper import check_golden


def test_table3_golden(table3):
    check_golden("table3.md", table3.to_markdown())


def test_escaping_keeps_stars_literal_and_cells_intact():
    assert escape_markdown("0.0424***") == r"0.0424\*\*\*"
    assert escape_markdown("a|b_c <b>") == r"a\|b\_c &lt;b&gt;"
    body = pd.DataFrame([["x|y"]], index=["ln_ESF"], columns=["(1)"])
    md = Table(body, notes=("*** p<0.01",)).to_markdown()
    assert r"| ln\_ESF | x\|y |" in md
    assert md.rstrip().endswith(r"\*\*\* p&lt;0.01")


def test_header_levels_are_joined_per_column():
    body = pd.DataFrame([["1", "2", "3"]], index=["x"], columns=["Mean", "Mean", "p"])
    t = Table(body, column_groups=[[ColumnGroup("(1)"), ColumnGroup("(2)"), ColumnGroup("")],
                                   [ColumnGroup("Treated & control", 2), ColumnGroup("")]])  # fmt: skip
    assert t.to_markdown().splitlines()[0] == "|  | (1) Treated & control Mean | (2) Mean | p |"
