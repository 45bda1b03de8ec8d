"""One BLAS thread for the large, thin products (``X'X`` of a tall design, bootstrap weights).

OpenBLAS splits a product such as ``X'X`` with ``X`` of shape (1e6, 40) over its threads and
busy-waits for them; on a machine with few cores and other work running, a descheduled thread
stalls the others, and the product took 3 to 15 s with two threads against 0.27 s with one
(measured on the 2-core development machine, `benchmarks/bench_staggered.py`). The same
products with one thread are never more than about twice as slow on an idle machine. Below
``min_flops`` the limit is not set (switching it costs tens of microseconds).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

__all__ = ["one_blas_thread"]

MIN_FLOPS = 5e7


@lru_cache(maxsize=1)
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextlib.contextmanager
def one_blas_thread(flops: float, min_flops: float = MIN_FLOPS) -> Iterator[None]:
    """Run the block with one BLAS thread when it does at least ``min_flops`` operations.

    Parameters
    ----------
    flops : float
        Rough operation count of the products inside the block.
    min_flops : float
        Threshold below which the thread count is left alone.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.ones((1000, 3))
    >>> with one_blas_thread(2 * x.shape[0] * x.shape[1] ** 2):
    ...     gram = x.T @ x
    >>> float(gram[0, 0])
    1000.0
    """
    if flops < min_flops:
        yield
        return
    with _controller().limit(limits=1, user_api="blas"):
        yield
