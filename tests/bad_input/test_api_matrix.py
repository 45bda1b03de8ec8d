"""The bad-input matrix, Python API half: every case raises its error, reports its adjustment or
works with the clean answer (see :mod:`tests.bad_input.cases_api`)."""

import warnings

import pytest

from pilotdid.errors import PilotdidError
from tests.bad_input.cases_api import CASES


def _param(case):
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=f"{case.kind}:{case.id}", marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_api_case(case, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # what counts is the error or the result's own report
        if case.kind == "error":
            with pytest.raises(case.error) as info:
                case.call(tmp_path)
            message = str(info.value)
            missing = [s for s in case.expect if s not in message]
            assert not missing, f"message lacks {missing}: {message}"
            return
        try:
            result = case.call(tmp_path)
        except PilotdidError as exc:
            pytest.fail(f"{case.kind} case raised {type(exc).__name__}: {exc}")
    if case.kind == "adjusted":
        shown = case.report(result)
        missing = [s for s in case.expect if s not in shown]
        assert not missing, f"the adjustment is not reported ({missing} not in): {shown}"
    else:
        assert case.kind == "works", case.kind
        if case.check is not None:
            case.check(result, tmp_path)


def test_the_matrix_has_unique_ids_and_known_classes():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert {c.kind for c in CASES} == {"error", "adjusted", "works"}
    assert all(c.expect for c in CASES if c.kind != "works")
