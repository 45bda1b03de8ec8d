"""Memory a simulation request will allocate, checked before it starts.

Placebo draws, permutations, bootstrap samples and matching neighbours are vectorised: the
engines chunk the regressions, but some tables hold one row per draw for the whole run (the
``R × N`` fake adoption dates a :class:`~pilotdid.robustness.placebo_result.PlaceboResult` keeps,
the ``R × N`` group labels of a permutation test, the ``B × clusters`` bootstrap counts, the
``n × k`` neighbour columns of a match). A request such as ``draws = 10**9`` would end in a bare
``MemoryError`` after minutes; these estimators size what is actually allocated and
:func:`require_memory` refuses a request larger than the machine's memory, with the numbers and
a fix. A request that is only slow but fits is never refused.

Each estimate counts the arrays that live at the same time at the peak, in bytes (float64 and
int64 are 8 bytes), plus the bounded working set of the chunked engines.
"""

from __future__ import annotations

import os

from pilotdid.errors import PilotdidError

__all__ = [
    "bootstrap_bytes",
    "matching_bytes",
    "permutation_bytes",
    "placebo_bytes",
    "require_memory",
    "total_memory",
]

_ITEM = 8  # bytes of a float64 / int64
#: Working set of one chunk of the placebo engines (n × R block, a few copies; per-unit tables).
_PLACEBO_CHUNK = 6 * (1 << 23) * _ITEM
#: Working set of one block of the permutation engine and of the cluster bootstrap (their
#: ``_BLOCK_BYTES``, plus the keys of one block of label shuffles).
_PERMUTATION_CHUNK = (1 << 28) + 2 * (1 << 22) * _ITEM
#: Share of the machine's memory a request may use.
_SHARE = 0.9


def total_memory() -> int | None:
    """Return the machine's physical memory in bytes, or ``None`` when it cannot be read.

    Uses :mod:`psutil` when installed, else ``os.sysconf`` (Linux, macOS).
    """
    try:
        import psutil

        return int(psutil.virtual_memory().total)
    except ImportError:
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


def placebo_bytes(draws: int, n_units: int, kind: str = "units") -> int:
    """Peak memory of :func:`pilotdid.placebo` with ``draws`` draws over ``n_units`` units.

    The draws are stored sparsely (``R × k`` units and dates, ``k ≤ N`` fake-treated units per
    draw) and kept in the result; the bound counts them as ``R × N`` (the result's
    ``assignments`` frame, built on first access, is one more ``R × N`` table). The draws are
    estimated in bounded chunks.

    Examples
    --------
    >>> placebo_bytes(10**9, 280) > 2 * 10**12
    True
    """
    copies = {"units": 2, "timing": 2, "both": 4}.get(kind, 4)
    return copies * draws * n_units * _ITEM + 6 * draws * _ITEM + _PLACEBO_CHUNK


def permutation_bytes(permutations: int, n_units: int, n_groups: int = 2) -> int:
    """Peak memory of the heterogeneity permutation test.

    The ``R × N`` group labels (one byte each up to 128 groups) are kept in the result; the
    draws are solved in blocks of fixed size, so nothing else grows with draws × units.

    Examples
    --------
    >>> round(permutation_bytes(1000, 280) / 2**20)  # MiB: mostly the fixed block
    321
    """
    return 2 * permutations * n_units + 3 * permutations * n_groups * _ITEM + _PERMUTATION_CHUNK


def bootstrap_bytes(draws: int, n_clusters: int, n_units: int, n_moments: int = 8) -> int:
    """Peak memory of the three-step mechanism's cluster bootstrap.

    Samples are solved in blocks of fixed size (their cluster counts and unit weights, whatever
    ``n_clusters``); for ``p = n_moments`` columns the per-unit cross-products
    (``N × p²/2``) and a few copies of the ``B`` results.

    Examples
    --------
    >>> bootstrap_bytes(500, 280, 280) < 10**9
    True
    """
    packed = n_units * n_moments * (n_moments + 1) // 2 * _ITEM
    del n_clusters  # the counts live in one bounded block
    # the B indirect effects: per-block pieces, their concatenation, the draws frame, the
    # finite and sorted copies of the quantiles
    return packed + 6 * draws * _ITEM + _PERMUTATION_CHUNK


def matching_bytes(k: int, n_rows: int) -> int:
    """Peak memory of the ``n × k`` neighbour table and its ``_n1 .. _nk`` columns.

    Examples
    --------
    >>> matching_bytes(10**9, 3640) > 10**13
    True
    """
    return 2 * n_rows * k * _ITEM


def require_memory(
    needed: int, what: str, fix: str, error: type[PilotdidError] = PilotdidError
) -> None:
    """Refuse a request that needs more memory than the machine has.

    Parameters
    ----------
    needed : int
        Estimated peak bytes (from the ``*_bytes`` functions).
    what : str
        The request, e.g. ``"placebo draws = 1,000,000,000 over 280 units"``.
    fix : str
        What to do instead, e.g. ``"use fewer draws (500-10,000 is usual)"``.
    error : type, default PilotdidError
        The error class to raise.

    Raises
    ------
    PilotdidError
        (``error``) When ``needed`` exceeds 90 % of the machine's physical memory.

    Examples
    --------
    >>> require_memory(10**6, "a tiny request", "nothing")  # fits: returns None
    """
    total = total_memory()
    if total is None or needed <= _SHARE * total:
        return
    raise error(
        f"{what} needs about {_gb(needed)} of memory, more than this machine has "
        f"({_gb(total)} in all); {fix}"
    )


def _gb(n: float) -> str:
    gb = n / 1e9
    return f"{gb:,.0f} GB" if gb >= 10 else f"{gb:.1f} GB"
