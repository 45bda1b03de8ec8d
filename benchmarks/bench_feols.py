"""Time and memory of pilotdid.feols against pyfixest.feols in the same run.

Panels: 7 controls, a DID dummy, unit and year fixed effects, SE clustered by unit; balanced and
20 % unbalanced. Times are medians of ``--repeat`` runs after one warm-up per library (pyfixest's
first call compiles with numba). Peak memory is the maximum resident set size of a fresh process
that builds the panel and fits once; the peak is reset once the panel is built, so it is the panel
plus everything the fit adds. Every (library, panel) cell runs in its own process.

Usage::

    python benchmarks/bench_feols.py                 # 1M and 10M rows
    python benchmarks/bench_feols.py --rows 1e6 --repeat 5
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import resource
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _panels import FML, synthetic_panel


def fit(library: str, data):
    if library == "pilotdid":
        import pilotdid

        return float(pilotdid.feols(FML, data, vcov={"CRV1": "unit"}).coef()["did"])
    import pyfixest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(pyfixest.feols(FML, data, vcov={"CRV1": "unit"}).coef()["did"])


def peak_gb() -> float:
    """Peak resident memory of this process (VmHWM; ru_maxrss would inherit the parent's peak)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1e6  # kB -> GB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def reset_peak() -> None:
    """Reset VmHWM to the current resident size (Linux: write 5 to /proc/self/clear_refs)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def child(library: str, rows: int, unbalanced: float, repeat: int) -> None:
    """Fit once for the memory peak, then time ``repeat`` more fits (one process per cell)."""
    data = synthetic_panel(rows, unbalanced=unbalanced)
    gc.collect()
    reset_peak()  # building the panel (a full panel, then a subsample) must not set the peak
    before = peak_gb()
    estimate = fit(library, data)  # also the warm-up
    peak = peak_gb()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fit(library, data)
        times.append(time.perf_counter() - start)
    print(
        json.dumps(
            {
                "peak": peak,
                "extra": peak - before,
                "time": statistics.median(times),
                "estimate": estimate,
            }
        )
    )


def measure(library: str, rows: int, unbalanced: float, repeat: int) -> dict[str, float]:
    """Run one cell in a fresh process, so peaks and leftovers never mix across cells."""
    cmd = [sys.executable, __file__, "--child", library, str(rows), str(unbalanced), str(repeat)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", nargs="+", type=float, default=[1e6, 1e7])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), float(args.child[2]), int(args.child[3]))
        return
    print(
        f"{'rows':>11} {'panel':>10} {'pilotdid s':>10} {'pyfixest s':>10} {'time ratio':>10} "
        f"{'pilotdid GB':>11} {'pyfixest GB':>11} {'mem ratio':>9}  |Δ did|"
    )
    for rows in map(int, args.rows):
        for unbalanced in (0.0, 0.2):
            ours = measure("pilotdid", rows, unbalanced, args.repeat)
            theirs = measure("pyfixest", rows, unbalanced, args.repeat)
            label = "balanced" if unbalanced == 0 else "20% unbal"
            print(
                f"{len_rows(rows, unbalanced):>11,} {label:>10} {ours['time']:>10.2f} {theirs['time']:>10.2f} "
                f"{ours['time'] / theirs['time']:>10.2f} {ours['peak']:>11.2f} {theirs['peak']:>11.2f} "
                f"{ours['peak'] / theirs['peak']:>9.2f}  {abs(ours['estimate'] - theirs['estimate']):.1e}",
                flush=True,
            )


def len_rows(rows: int, unbalanced: float) -> int:
    return int(rows * (1 - unbalanced))


if __name__ == "__main__":
    main()
