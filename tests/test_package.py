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
