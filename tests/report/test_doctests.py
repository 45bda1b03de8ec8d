"""Run the docstring examples of the report and describe modules (they are part of the docs)."""

import doctest
import importlib

import pytest

MODULES = [
    "pilotdid.report.cells",
    "pilotdid.report.labels",
    "pilotdid.report.table",
    "pilotdid.report.etable",
    "pilotdid.report.render_text",
    "pilotdid.report.render_markdown",
    "pilotdid.report.render_latex",
    "pilotdid.report.render_html",
    "pilotdid.report.render_docx",
    "pilotdid.report.render_xlsx",
    "pilotdid.descriptives.descriptive",
    "pilotdid.descriptives.correlation",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
