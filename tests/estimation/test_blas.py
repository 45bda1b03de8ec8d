"""one_blas_thread: one BLAS thread inside large products, the previous count restored after."""

from __future__ import annotations

from threadpoolctl import threadpool_info

from pilotdid.estimation.blas import one_blas_thread


def _blas_threads() -> list[int]:
    return [int(p["num_threads"]) for p in threadpool_info() if p["user_api"] == "blas"]


def test_large_block_runs_on_one_thread_and_restores() -> None:
    before = _blas_threads()
    with one_blas_thread(1e12):
        inside = _blas_threads()
    assert inside and all(n == 1 for n in inside)
    assert _blas_threads() == before


def test_small_block_leaves_the_thread_count_alone() -> None:
    before = _blas_threads()
    with one_blas_thread(10.0):
        assert _blas_threads() == before
