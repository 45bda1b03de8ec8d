"""Peak memory of the process during one stage, measured at no cost to the stage.

On Linux the kernel keeps the process's resident-set high-water mark (``VmHWM`` in
``/proc/self/status``) and resets it to the current resident set when ``"5"`` is written to
``/proc/self/clear_refs`` (Linux >= 4.0). :class:`PeakMeter` resets the mark when a stage starts
and reads it when the stage ends: two small file operations per stage, no sampling thread and no
allocation hooks (``tracemalloc`` would slow numpy-heavy stages by a large factor and misses
memory that BLAS and pandas' C code allocate outside Python's allocator).

Elsewhere (macOS, Windows, a sandbox that forbids ``clear_refs``) the fallback is
``resource.getrusage(RUSAGE_SELF).ru_maxrss``: the process's peak since it started, which cannot
be reset, so a stage shows the highest peak so far (a stage is never reported lower than what
it used). :attr:`PeakMeter.resettable` says which one is in use.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["PeakMeter"]

_STATUS = Path("/proc/self/status")
_CLEAR = Path("/proc/self/clear_refs")
_MIB = 1024 * 1024


def _hwm_bytes() -> int | None:
    try:
        with _STATUS.open("rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024  # the kernel writes kB
    except (OSError, ValueError, IndexError):
        return None
    return None


def _rusage_bytes() -> int | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return peak if sys.platform == "darwin" else peak * 1024  # macOS: bytes; Linux: kB


def _reset_hwm() -> bool:
    try:
        with _CLEAR.open("w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


class PeakMeter:
    """Peak resident memory of this process between :meth:`start` and :meth:`stop`.

    Examples
    --------
    >>> import numpy as np
    >>> meter = PeakMeter()
    >>> meter.start()
    >>> block = np.ones(20_000_000)  # 160 MB, touched
    >>> del block
    >>> meter.stop() >= (160 if meter.resettable else 0)
    True
    """

    def __init__(self) -> None:
        self.resettable = _hwm_bytes() is not None and _reset_hwm()

    def start(self) -> None:
        """Begin a stage: reset the high-water mark to the current resident set."""
        if self.resettable:
            self.resettable = _reset_hwm()

    def stop(self) -> float:
        """Return the peak resident memory since :meth:`start`, in MiB (NaN if unknown)."""
        peak = _hwm_bytes() if self.resettable else _rusage_bytes()
        return float("nan") if peak is None else peak / _MIB
