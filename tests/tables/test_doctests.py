"""Run the docstring examples of the report and describe modules (they are part of the docs)."""

import doctest
import importlib

import pytest

MODULES = [
    "pilotdid.tables.cells",
    "pilotdid.tables.labels",
    "pilotdid.tables.table",
    "pilotdid.tables.etable",
    "pilotdid.tables.render_text",
    "pilotdid.tables.render_markdown",
    "pilotdid.tables.render_latex",
    "pilotdid.tables.render_html",
    "pilotdid.tables.render_docx",
    "pilotdid.tables.render_xlsx",
    "pilotdid.descriptives.descriptive",
    "pilotdid.descriptives.correlation",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
