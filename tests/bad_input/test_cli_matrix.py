"""The bad-input matrix, command-line half: exit 2 with a message naming the problem and no
traceback, a reported adjustment, or a run that works (see :mod:`tests.bad_input.cases_cli`).

All cases run once per module in two worker processes (:mod:`tests.bad_input.harness`); each
parametrized test reads its case's outcome. A case that hangs past the worker's alarm, exits 1
or lets an exception escape ``main`` fails here.
"""

import pytest

from tests.bad_input.cases_cli import CASES
from tests.bad_input.harness import run_all


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    return run_all(CASES, tmp_path_factory.mktemp("cli_matrix"))


def _param(case):
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=f"{case.kind}:{case.id}", marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_cli_case(case, outcomes):
    got = outcomes[case.id]
    seen = got.stdout + got.stderr
    assert got.code not in (None, "hang"), f"hang or dead worker: {got.stderr[-2000:]}"
    assert "Traceback" not in seen, seen[-3000:]
    assert got.code != 1, f"internal error (exit 1): {seen[-3000:]}"
    if case.kind == "error":
        assert got.code == 2, f"expected exit 2, got {got.code}: {seen[-2000:]}"
        missing = [s for s in case.expect if s not in got.stderr]
        assert not missing, f"stderr lacks {missing}: {got.stderr}"
        if not any(name.startswith("out/") for name in case.files):  # not the case's own folder
            assert not (got.folder / "out").exists(), "a failed command left an output folder"
        return
    assert got.code == 0, f"expected exit 0, got {got.code}: {seen[-2000:]}"
    text = got.text
    missing = [s for s in case.expect if s not in text]
    assert not missing, f"the output does not report {missing}: {text[-3000:]}"
    assert not (got.folder / "PWNED").exists(), "a column name was evaluated as code"


def test_the_matrix_has_unique_ids_and_every_class():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert {c.kind for c in CASES} == {"error", "adjusted", "works"}
    assert all(c.expect for c in CASES if c.kind != "works")
