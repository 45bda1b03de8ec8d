import subprocess
import sys

import pytest

import pilotdid


def test_public_names_resolve():
    for name in pilotdid.__all__:
        assert getattr(pilotdid, name) is not None


def test_unknown_attribute_is_a_clear_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pilotdid.nope  # noqa: B018


def test_import_is_cheap():
    code = (
        "import sys, time; t = time.perf_counter(); import pilotdid; "
        "dt = time.perf_counter() - t; "
        "heavy = [m for m in ('pandas', 'matplotlib', 'pyfixest', 'scipy') if m in sys.modules]; "
        "print(dt, heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, heavy = out.stdout.split(" ", 1)
    assert heavy.strip() == "[]"
    assert float(seconds) < 0.5


def test_no_subpackage_shadows_a_public_function():
    # importing a subpackage sets it as an attribute of pilotdid; a public function with the same
    # name (e.g. describe() and a describe/ package) would then turn into a module
    import importlib
    import pkgutil
    import types

    for info in pkgutil.walk_packages(pilotdid.__path__, "pilotdid."):
        importlib.import_module(info.name)
    for name in pilotdid.__all__:
        value = getattr(pilotdid, name)
        if name not in pilotdid._SUBMODULES:
            assert not isinstance(value, types.ModuleType), name
