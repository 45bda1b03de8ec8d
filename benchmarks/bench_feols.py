"""Time and memory of pilotdid.feols against pyfixest.feols in the same run.

Panels: 7 controls, a DID dummy, unit and year fixed effects, SE clustered by unit; balanced and
20 % unbalanced. Times are medians of ``--repeat`` runs after one warm-up per library (pyfixest's
first call compiles with numba). Peak memory is the maximum resident set size of a fresh process
that builds the panel and fits once; the peak is reset once the panel is built, so it is the panel
plus everything the fit adds. Every (library, panel) cell runs in its own process.

Wide designs (``--wide``): balanced panels with 60 controls, or 7 controls and ``C(grp)`` of 300
levels, each with two (unit + year) and three (+ a 500-level effect) fixed effects, the DID
coefficient clustered by unit; the targets are at most 0.5x pyfixest's time and memory, and
0.25x on the two-way cases.

Usage::

    python benchmarks/bench_feols.py                 # 1M and 10M rows
    python benchmarks/bench_feols.py --rows 1e6 --repeat 5
    python benchmarks/bench_feols.py --rows 1e6 1e7 --wide
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _panels import FML, synthetic_panel, wide_formula, wide_panel
from _record import record, version

WIDE = ("c60-2fe", "c60-3fe", "f300-2fe", "f300-3fe")


def fit(library: str, data, formula: str = FML) -> float:
    if library == "pilotdid":
        import pilotdid

        return float(pilotdid.feols(formula, data, vcov={"CRV1": "unit"}).coef()["did"])
    import pyfixest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(pyfixest.feols(formula, data, vcov={"CRV1": "unit"}).coef()["did"])


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


def child(library: str, rows: int, design: str, repeat: int) -> None:
    """Fit once for the memory peak, then time ``repeat`` more fits (one process per cell).

    ``design`` is a share of rows to drop (``"0.0"``, ``"0.2"``: the 7-control panel) or a wide
    design (``"c60-2fe"`` ...).
    """
    if design in WIDE:
        data, formula = wide_panel(rows), wide_formula(design)
    else:
        data, formula = synthetic_panel(rows, unbalanced=float(design)), FML
    gc.collect()
    reset_peak()  # building the panel (a full panel, then a subsample) must not set the peak
    before = peak_gb()
    estimate = fit(library, data, formula)  # also the warm-up
    peak = peak_gb()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fit(library, data, formula)
        times.append(time.perf_counter() - start)
    print(
        json.dumps(
            {
                "peak": peak,
                "extra": peak - before,
                "time": statistics.median(times),
                "times": times,
                "estimate": estimate,
            }
        )
    )


def measure(library: str, rows: int, design: str, repeat: int) -> dict[str, float] | None:
    """Run one cell in a fresh process, so peaks and leftovers never mix across cells.

    ``None`` when the process fails (out of memory, say); its last error line is printed.
    """
    cmd = [sys.executable, __file__, "--child", library, str(rows), design, str(repeat)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode:
        last = (out.stderr.strip().splitlines() or [f"exit {out.returncode}"])[-1]
        print(f"  {library} {rows:,} rows {design}: failed ({last[:100]})", flush=True)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare(rows: int, design: str, label: str, repeat: int, n_rows: int) -> None:
    """Both libraries on one panel: print the line and record the case."""
    ours = measure("pilotdid", rows, design, repeat)
    theirs = measure("pyfixest", rows, design, repeat)
    if ours is None:
        return
    peer = version("pyfixest")
    if theirs is None:
        print(f"{n_rows:>11,} {label:>10} {ours['time']:>10.2f} {'failed':>10}", flush=True)
        record("feols", f"{n_rows:,} rows, {label}", times=ours["times"], peak_gb=ours["peak"],
               peer=peer, peer_note="failed", data="unit x year panel, SE clustered by unit")  # fmt: skip
        return
    print(
        f"{n_rows:>11,} {label:>10} {ours['time']:>10.2f} {theirs['time']:>10.2f} "
        f"{ours['time'] / theirs['time']:>10.2f} {ours['peak']:>11.2f} {theirs['peak']:>11.2f} "
        f"{ours['peak'] / theirs['peak']:>9.2f}  {abs(ours['estimate'] - theirs['estimate']):.1e}",
        flush=True,
    )
    record(
        "feols",
        f"{n_rows:,} rows, {label}",
        times=ours["times"],
        peak_gb=ours["peak"],
        peer=peer,
        peer_times=theirs["times"],
        peer_peak_gb=theirs["peak"],
        data="unit x year panel, SE clustered by unit",
        target="<= 0.25x (two-way), <= 0.5x" if design in WIDE else "",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", nargs="+", type=float, default=[1e6, 1e7])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--wide", action="store_true", help="also the wide designs")
    parser.add_argument("--wide-only", action="store_true", help="only the wide designs")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2], int(args.child[3]))
        return
    print(
        f"{'rows':>11} {'panel':>10} {'pilotdid s':>10} {'pyfixest s':>10} {'time ratio':>10} "
        f"{'pilotdid GB':>11} {'pyfixest GB':>11} {'mem ratio':>9}  |Δ did|"
    )
    for rows in map(int, args.rows):
        if not args.wide_only:
            for unbalanced in (0.0, 0.2):
                label = "balanced" if unbalanced == 0 else "20% unbal"
                compare(rows, str(unbalanced), label, args.repeat, len_rows(rows, unbalanced))
        if args.wide or args.wide_only:
            for design in WIDE:
                width = 68 if design.startswith("c60") else 308
                gb = rows * width * 8 / 1e9
                if gb > 0.25 * total_memory_gb():  # the design alone: no library can fit it twice
                    print(f"{rows:>11,} {design:>10} skipped: the design matrix alone is "
                          f"{gb:.1f} GB", flush=True)  # fmt: skip
                    continue
                compare(rows, design, design, args.repeat, rows)


def total_memory_gb() -> float:
    """Physical memory of the machine (Linux; 24 GB where unknown)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):
        return 24.0


def len_rows(rows: int, unbalanced: float) -> int:
    return int(rows * (1 - unbalanced))


if __name__ == "__main__":
    main()
