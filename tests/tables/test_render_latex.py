import shutil
import subprocess

import pandas as pd
import pytest

from pilotdid.tables.etable import etable
from pilotdid.tables.render_latex import escape_latex
from pilotdid.tables.table import ColumnGroup, Table
from tests.tables.paper import check_golden


def test_table3_golden(table3):
    check_golden("table3.tex", table3.to_latex())


def test_escaping():
    assert escape_latex("a & b % c $ # _ { } ~ ^ \\") == (
        r"a \& b \% c \$ \# \_ \{ \} \textasciitilde{} \textasciicircum{} \textbackslash{}"
    )
    assert escape_latex("<script>") == "$<$script$>$"
    assert escape_latex("TP × freedom, R²") == r"TP $\times$ freedom, R$^{2}$"


def test_caption_label_groups_and_notes():
    body = pd.DataFrame([[-1.5, "x_1"]], index=["50%"], columns=["a", "b"])
    t = Table(body, title="Table 3. Results & more", key="t3", notes=("*** p<0.01",),
              column_groups=[[ColumnGroup("Group", 2)]])  # fmt: skip
    tex = t.to_latex()
    assert r"\caption{Results \& more}" in tex and r"\label{tab:t3}" in tex
    assert r" & \multicolumn{2}{c}{Group} \\" in tex and r"\cmidrule(lr){2-3}" in tex
    assert r"50\% & $-$1.500 & x\_1 \\" in tex
    assert r"\multicolumn{3}{l}{\footnotesize $^{***}$ p$<$0.01} \\" in tex
    assert tex.index(r"\bottomrule") < tex.index(r"\footnotesize")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_compiles_with_pdflatex(tmp_path, models):
    t = etable(models, title="Table 3. PSM-DID Estimation Results", below="ci")
    doc = (
        "\\documentclass{article}\\usepackage{booktabs}\\begin{document}\n"
        + t.to_latex()
        + "\\end{document}\n"
    )
    (tmp_path / "t.tex").write_text(doc)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "t.pdf").stat().st_size > 0
