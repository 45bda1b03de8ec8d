import openpyxl
import pandas as pd

from pilotdid.tables.etable import etable
from pilotdid.tables.render_xlsx import new_workbook, sheet_title
from pilotdid.tables.table import ColumnGroup, Table, save_tables


def test_excel_cells_are_numbers_with_the_paper_display(tmp_path, table3, models):
    ws = openpyxl.load_workbook(table3.save(tmp_path / "t3.xlsx")).active
    assert ws.title == "Table 3"
    assert ws["A1"].value == "Table 3. PSM-DID Estimation Results"
    assert [c.value for c in ws[2]] == [None, "(1)", "(2)", "(3)"]
    assert [c.value for c in ws[3]] == ["Variables", "lnESF", "lnESF", "lnESF"]
    assert ws["A4"].value == "TP"
    tp = ws["C4"]
    assert tp.value == models[1].coefs.at["TP", "estimate"] and tp.data_type == "n"
    assert tp.number_format == '#,##0.0000"**";"-"#,##0.0000"**"'
    se = ws["C5"]
    assert se.value == models[1].coefs.at["TP", "std_error"]
    assert se.number_format == '"("#,##0.00000")";"(-"#,##0.00000")"'
    assert ws["D8"].value == 1645 and ws["D8"].number_format.startswith('#,##0"***"')
    labels = [ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)]
    n_row = labels.index("Observations") + 1
    assert [ws.cell(row=n_row, column=c).value for c in (2, 3, 4)] == [2963, 2963, 218]
    assert all(isinstance(ws.cell(row=n_row, column=c).value, int) for c in (2, 3, 4))
    assert [ws.cell(row=n_row + 2, column=c).value for c in range(1, 5)] == [
        "City Fe",
        "Yes",
        "Yes",
        "Yes",
    ]
    assert labels[-2:] == [
        "Standard errors in parentheses, clustered by city",
        "*** p<0.01, ** p<0.05, * p<0.1",
    ]
    assert ws.cell(row=2, column=2).border.top.style == "medium"
    assert ws.cell(row=n_row, column=2).border.top.style == "thin"


def test_several_tables_one_sheet_each(tmp_path, table3, models):
    zh = etable(models, language="zh", title="表3 估计结果")
    plain = Table(pd.DataFrame({"N": [1]}, index=["x"]))
    wb = openpyxl.load_workbook(save_tables([table3, zh, plain, table3], tmp_path / "all.xlsx"))
    # the untitled third table is "Table 3" by position, which is taken, so it gets a suffix
    assert wb.sheetnames == ["Table 3", "表3", "Table 3 (2)", "Table 3 (3)"]
    assert wb["表3"]["A3"].value == "变量"


def test_add_to_existing_workbook_with_sheet_name(table3):
    wb = new_workbook()
    table3.to_xlsx(wb, sheet_name="Baseline")
    assert wb.sheetnames == ["Baseline"]  # openpyxl's empty placeholder sheet is gone
    table3.to_xlsx(wb)
    assert wb.sheetnames == ["Baseline", "Table 3"]


def test_merged_group_header_and_text_cells(tmp_path):
    body = pd.DataFrame([[0.5, "[0.1, 0.9]", None]], index=["x"], columns=["a", "b", "c"])
    t = Table(body, column_groups=[[ColumnGroup("G", 2), ColumnGroup("")]])
    ws = openpyxl.load_workbook(t.save(tmp_path / "g.xlsx")).active
    assert "B1:C1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["B3"].value == 0.5 and ws["C3"].value == "[0.1, 0.9]" and ws["D3"].value is None


def test_sheet_titles_are_valid():
    t = Table(pd.DataFrame({"N": [1]}, index=["x"]), title="Balance: before/after [matched]?")
    assert sheet_title(t, []) == "Balance  before after  matched"[:31]
    assert sheet_title(Table(pd.DataFrame({"N": [1]}, index=["x"])), [], 4) == "Table 4"
    assert (
        sheet_title(Table(pd.DataFrame({"N": [1]}, index=["x"]), key="vif"), ["VIF"]) == "vif (2)"
    )
