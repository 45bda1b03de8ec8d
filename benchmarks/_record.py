"""One result row per benchmark case, collected by ``python -m benchmarks`` into one table.

Every benchmark script prints its own detailed table and also calls :func:`record` once per case.
When the environment variable ``PILOTDID_BENCH_RECORD`` names a file (``run_all`` sets it), the
row is appended to it as one JSON line; otherwise :func:`record` does nothing, so each script
still runs on its own.
"""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Sequence
from importlib import metadata
from typing import Any

ENV = "PILOTDID_BENCH_RECORD"


def version(package: str) -> str:
    """``"package x.y.z"``, or ``"package (not installed)"``."""
    try:
        return f"{package} {metadata.version(package)}"
    except metadata.PackageNotFoundError:
        return f"{package} (not installed)"


def record(
    benchmark: str,
    case: str,
    *,
    times: Sequence[float],
    peak_gb: float | None = None,
    peer: str | None = None,
    peer_times: Sequence[float] | None = None,
    peer_peak_gb: float | None = None,
    peer_note: str | None = None,
    data: str = "",
    target: str = "",
) -> dict[str, Any]:
    """Append one case (pilotdid's run times, the peer's, peak memory) to the run's record.

    ``times`` and ``peer_times`` are the individual runs (the table shows their median and
    spread); ``peer_note`` replaces the peer's time when it did not run ("> 300 s (stopped)").
    """
    row: dict[str, Any] = {
        "benchmark": benchmark,
        "case": case,
        "data": data,
        "target": target,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "runs": len(times),
        "peak_gb": peak_gb,
        "peer": peer,
        "peer_note": peer_note,
    }
    if peer_times:
        row.update(
            peer_median_s=statistics.median(peer_times),
            peer_min_s=min(peer_times),
            peer_max_s=max(peer_times),
            ratio=statistics.median(times) / statistics.median(peer_times),
        )
    if peer_peak_gb is not None:
        row["peer_peak_gb"] = peer_peak_gb
        if peak_gb is not None:
            row["mem_ratio"] = peak_gb / peer_peak_gb
    path = os.environ.get(ENV)
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")
    return row
