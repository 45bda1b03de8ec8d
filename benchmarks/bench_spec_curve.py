"""A 500-specification curve on the demo panel: serially, with a process pool, with Dask.

The curve: 6 matchings (none, nearest 1:1, 1:4, caliper, radius, kernel) x 3 matching modes,
5 control sets, 3 samples (whole, without minority provinces, without the four municipalities)
and 3 clusterings (city, province, heteroskedasticity-robust): 16 x 5 x 3 x 3 = 720
specifications, of which a seeded random 500 are estimated (TWFE, matching on the paper's seven
covariates). Each mode runs ``--repeat`` times, each time in a fresh Python process (imports,
process-pool start-up and cluster start-up included in the wall time, and the curve alone: the
``spec_curve`` call, with pool or cluster start-up); the medians are reported.

Usage::

    python benchmarks/bench_spec_curve.py                 # serial, processes, dask
    python benchmarks/bench_spec_curve.py --modes serial --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

COVARIATES = ["lnHCL", "FIN", "lnPERgdp", "HUM", "MAR", "lnAOL", "lnFINA"]
CHOICES = {
    "matching": ["none", "nearest", "nearest_k4", "caliper", "radius", "kernel"],
    "mode": ["pooled", "by_year", "base_year"],
    "controls": {
        "none": [],
        "income": ["lnHCL", "lnPERgdp"],
        "finance": ["FIN", "lnFINA"],
        "three": COVARIATES[:3],
        "all": COVARIATES,
    },
    "sample": {
        "full": None,
        "no minority": ("province", ["Inner Mongolia", "Ningxia", "Xinjiang", "Guangxi"]),
        "no municipalities": ("province", ["Beijing", "Tianjin", "Shanghai", "Chongqing"]),
    },
    "cluster": ["code", "province", "hetero"],
}


sys.path.insert(0, str(Path(__file__).parent))
from _record import record  # noqa: E402


def one_run(mode: str, workers: int) -> dict[str, float]:
    """Run the curve once in this process; return wall seconds and a checksum."""
    start = time.perf_counter()
    import pilotdid

    data = pilotdid.datasets.demo_panel().data
    import pandas  # noqa: F401  (imported by the line above; the curve's own time starts here)

    curve_start = time.perf_counter()
    kw = dict(
        unit="code", time="year", cohort="adoption_year", treatment="TP", choices=CHOICES,
        covariates=COVARIATES, max_specs=500, seed=2024,
    )  # fmt: skip
    if mode == "serial":
        curve = pilotdid.spec_curve(data, "lnESF", **kw)
    elif mode == "processes":
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            curve = pilotdid.spec_curve(data, "lnESF", executor=pool, **kw)
    else:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as cl,
            Client(cl) as client,
        ):
            curve = pilotdid.spec_curve(data, "lnESF", executor=client.get_executor(), **kw)
    end = time.perf_counter()
    seconds, curve_seconds = end - start, end - curve_start
    specs = curve.tidy()
    return {
        "seconds": seconds,
        "curve_seconds": curve_seconds,
        "specs": len(specs),
        "failed": curve.n_failed,
        "checksum": float(specs["estimate"].sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", default=["serial", "processes", "dask"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one, args.workers)))
        return
    print(f"500 of 720 specifications on the demo panel; {args.workers} workers; "
          f"median of {args.repeat} fresh processes")  # fmt: skip
    for mode in args.modes:
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run(
                [sys.executable, __file__, "--one", mode, "--workers", str(args.workers)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        times = [r["seconds"] for r in runs]
        curve = statistics.median(r["curve_seconds"] for r in runs)
        sums = {round(r["checksum"], 12) for r in runs}
        print(
            f"{mode:>10}: median {statistics.median(times):6.2f} s "
            f"(min {min(times):.2f}, max {max(times):.2f}; the curve alone {curve:.2f} s); "
            f"{runs[0]['specs']} specs, "
            f"{runs[0]['failed']} not estimable; checksum {sums}"
        )
        record("spec curve", f"500 specifications on the demo, {mode}", times=times,
               data="demo panel, TWFE specifications")  # fmt: skip


if __name__ == "__main__":
    main()
