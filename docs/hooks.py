"""MkDocs hooks: generate the pages that must not drift from the code, before each build.

* ``reference/study-file.md`` from the study-file schema (:mod:`pilotdid.study.config_reference`);
* ``reference/api.md``: one mkdocstrings entry per name in ``pilotdid.__all__``;
* ``figures/*.png``: every figure of the report, drawn from the demo study
  (``examples/bigdata_pilot.toml``, the paper's design on the synthetic demo panel);
* ``examples/quickstart.ipynb``: the executed example notebook, copied so the site links to it.

The generated files are git-ignored; ``mkdocs build`` (and ``.ci/run``) always rebuilds them.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _figures(folder: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import warnings

    import matplotlib.pyplot as plt

    from pilotdid.study.config import load_study
    from pilotdid.study.pipeline import run_study

    folder.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the demo's warnings are the report's business
        result = run_study(load_study(ROOT / "examples" / "bigdata_pilot.toml"))
        for key, fig in result.figures():
            fig.savefig(folder / f"{key}.png", dpi=72, metadata={"Software": None})
            plt.close(fig)


_GROUPS = {
    "panel": "Data and treatment",
    "matching": "Matching",
    "estimation": "Regression",
    "did": "DID estimators",
    "robustness": "Robustness",
    "mechanisms": "Mechanisms",
    "descriptives": "Descriptive tables",
    "tables": "Tables",
    "study": "Study files",
    "errors": "Errors and warnings",
}


def api_markdown() -> str:
    """One mkdocstrings entry per exported name, grouped by subpackage, in export order."""
    import pilotdid

    groups: dict[str, list[str]] = {key: [] for key in _GROUPS}
    for name, module in pilotdid._EXPORTS.items():
        groups[module.split(".")[1]].append(f"::: {module}.{name}\n")
    lines = [
        "# Python API",
        "",
        "<!-- generated from pilotdid.__all__ by docs/hooks.py; do not edit -->",
        "",
        "Everything below is importable from the package: `import pilotdid as pdid; pdid.match(...)`.",
        "",
    ]
    for key, title in _GROUPS.items():
        if groups[key]:
            lines += [f"## {title}", "", *groups[key]]
    return "\n".join(lines) + "\n"


def on_pre_build(config: Any, **kwargs: Any) -> None:
    """Generate the study-file and API references, the figures and the notebook copy."""
    from pilotdid.study.config_reference import reference_markdown

    _write_if_changed(DOCS / "reference" / "study-file.md", reference_markdown())
    _write_if_changed(DOCS / "reference" / "api.md", api_markdown())
    _figures(DOCS / "figures")
    notebook = ROOT / "examples" / "quickstart.ipynb"
    target = DOCS / "examples" / "quickstart.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebook, target)
