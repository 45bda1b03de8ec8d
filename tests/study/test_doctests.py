"""Run the docstring examples of the study and report modules of the main job."""

import doctest
import importlib

import pytest

MODULES = [
    "pilotdid.study.config",
    "pilotdid.study.config_messages",
    "pilotdid.study.pipeline",
    "pilotdid.report.narrative",
    "pilotdid.tables.strings",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
