"""Run the docstring examples of every module in src/pilotdid (they are part of the docs)."""

import doctest
import importlib
import pathlib

import pytest

SRC = pathlib.Path(__file__).resolve().parents[1] / "src"
MODULES = sorted(
    ".".join(p.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
    for p in (SRC / "pilotdid").rglob("*.py")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_the_main_modules_have_examples():
    with_examples = [
        name
        for name in MODULES
        if doctest.DocTestFinder().find(importlib.import_module(name))
        and any(t.examples for t in doctest.DocTestFinder().find(importlib.import_module(name)))
    ]
    assert len(with_examples) >= 30
