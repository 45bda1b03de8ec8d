"""Run the docstring examples of the mechanisms modules (they are part of the docs)."""

import doctest
import importlib

import pytest

MODULES = [
    "pilotdid.mechanisms.grouping",
    "pilotdid.mechanisms.heterogeneity",
    "pilotdid.mechanisms.mediation",
    "pilotdid.mechanisms.moderation",
    "pilotdid.mechanisms.permutation",
    "pilotdid.mechanisms.bootstrap",
    "pilotdid.mechanisms.checks",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
