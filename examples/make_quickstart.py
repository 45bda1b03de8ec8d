"""Write and execute examples/quickstart.ipynb (the Python API end to end on the demo panel).

Run ``python examples/make_quickstart.py`` after changing the cells below; the test suite
executes the notebook again (tests/test_notebook.py), so it cannot fall out of step with the code.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

CELLS = [
    (
        "md",
        "# pilotdid quickstart\n\nThe Python API end to end on the built-in demo panel "
        "(280 prefecture-level cities, 2007–2019, the big-data pilot zones, **synthetic** outcomes "
        "with known true effects): matching, balance, PSM-DID, the event study, a placebo test and "
        "publication tables. Every result renders as HTML in Jupyter.",
    ),
    (
        "code",
        "%matplotlib inline\nimport warnings\n\nimport pilotdid as pdid\nfrom pilotdid.datasets import demo_panel\n\n"
        'warnings.simplefilter("ignore", pdid.StaggeredAdoptionWarning)\n'
        "demo = demo_panel(seed=2024)\ndf = demo.data\ndf.head()",
    ),
    (
        "md",
        "Adoption period (cohort) of each unit, and the DID regressor `TP = treat × post`, are "
        "already in the demo panel (`adoption_year`, `TP`). Controls of the paper's equation (1):",
    ),
    (
        "code",
        'controls = ["lnHCL", "FIN", "lnPERgdp", "HUM", "MAR", "lnAOL", "lnFINA"]\n'
        'pdid.describe(df, ["lnESF", "TP", *controls], title="Table 1. Descriptive statistics")',
    ),
    (
        "md",
        "## Propensity-score matching (psmatch2)\n\nUnits are matched once on their pre-2016 "
        "covariate means, with an Epanechnikov kernel and common support.",
    ),
    (
        "code",
        'res = pdid.match(df, "treat", controls, unit="code", time="year", panel="base_year",\n'
        '                 base="pre_mean", policy_year=2016, method="kernel", common=True)\nres',
    ),
    ("code", "res.balance()"),
    ("code", "res.plot_pscore()"),
    (
        "md",
        "## PSM-DID (Table 3)\n\nTwo-way fixed effects on the matched sample, without and with "
        "controls, clustered by city.",
    ),
    ("code", 'did = res.did("lnESF", "TP", controls=controls)\ndid'),
    (
        "code",
        'table3 = pdid.etable(list(did), keep=["TP"], title="Table 3. PSM-DID estimates")\ntable3',
    ),
    ("md", "## Event study (Figure 2)"),
    (
        "code",
        'sample = res.analysis_sample("matched")\n'
        'es = pdid.event_study(sample, "lnESF", unit="code", time="year", cohort="adoption_year",\n'
        "                      controls=controls, window=(-4, 3), ref=-1)\nes",
    ),
    (
        "code",
        "es.figure()",
    ),
    (
        "md",
        "## Placebo test (Figure 1)\n\nRandom fake pilot groups; 200 draws keep this notebook "
        "quick (the paper uses 500).",
    ),
    (
        "code",
        'pl = pdid.placebo(sample, "lnESF ~ TP + " + " + ".join(controls) + " | code + year",\n'
        '                  unit="code", time="year", cohort="adoption_year", draws=200, seed=2024)\n'
        "pl",
    ),
    (
        "code",
        "pl.figure()",
    ),
    ("md", "## The estimate and the truth\n\nThe demo panel knows its true effect:"),
    (
        "code",
        "print(f\"estimate {did.with_controls.coef()['TP']:.4f}, true effect "
        "{demo.true_effects['lnESF']:.4f}\")",
    ),
    (
        "md",
        "## Tables to files\n\n`save` picks the format from the suffix: `.docx .tex .xlsx .md "
        ".html`; `to_stata` writes psmatch2's variables for Stata.",
    ),
    (
        "code",
        "import os\nimport tempfile\n\nfolder = tempfile.mkdtemp()\n"
        'table3.save(os.path.join(folder, "table3.docx"))\n'
        'dta = res.to_stata(os.path.join(folder, "matched.dta"))\n'
        "dta.n_rows, dta.n_columns",
    ),
]


def build() -> nbformat.NotebookNode:
    """Return the notebook with its cells (not executed)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for kind, source in CELLS:
        make = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        nb.cells.append(make(source))
    return nb


def execute(nb: nbformat.NotebookNode, cwd: Path = HERE, timeout: int = 300) -> None:
    """Run every cell in place (outputs are stored in the notebook)."""
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    ).execute()


if __name__ == "__main__":
    notebook = build()
    execute(notebook)
    nbformat.write(notebook, HERE / "quickstart.ipynb")
    print("wrote", HERE / "quickstart.ipynb")
