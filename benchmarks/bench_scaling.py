"""Scaling curves: time and peak memory of feols, the placebo and matching from 10^4 to 10^7 rows.

Each point is a fresh process: build the data, reset the memory peak (VmHWM), run once (the peak),
then ``--repeat`` timed runs (median). Workloads:

- ``feols``: the 7-control panel of ``bench_feols`` (unit and year effects, clustered by unit);
- ``placebo``: ``--draws`` unit-level clustered placebo draws on the same panel;
- ``matching``: 1:1 nearest-neighbour propensity-score matching (logit, with replacement) of a
  cross-section with as many units as rows (7 covariates).

The log-log figure (``--figure``, default ``benchmarks/results/scaling.png``) has one line per
workload for time and one for memory, with a dotted line of slope 1 (linear growth) for reference.

Usage::

    python benchmarks/bench_scaling.py                      # 1e4 ... 1e7
    python benchmarks/bench_scaling.py --sizes 1e4 1e5 1e6  # quicker
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _panels import FML, synthetic_panel
from _record import record
from bench_feols import peak_gb, reset_peak

WORKLOADS = ("feols", "placebo", "matching")


def prepare(workload: str, rows: int):
    """The data and the call of one workload."""
    import pilotdid

    if workload == "matching":
        from bench_matching import COVS, make_data

        data = make_data(rows)
        return lambda: pilotdid.match(data, "d", COVS)
    data = synthetic_panel(rows, n_periods=10, seed=4)
    if workload == "feols":
        return lambda: pilotdid.feols(FML, data, vcov={"CRV1": "unit"})
    first = data.loc[data["did"] == 1].groupby("unit")["year"].min()
    data = data.assign(cohort=data["unit"].map(first))
    draws = int(ARGS.draws)
    return lambda: pilotdid.placebo(
        data, FML, unit="unit", time="year", cohort="cohort", draws=draws, seed=1, progress=False
    )


def child(workload: str, rows: int, repeat: int) -> None:
    call = prepare(workload, rows)
    gc.collect()
    reset_peak()
    call()
    peak = peak_gb()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    print(json.dumps({"times": times, "peak": peak}))


def measure(workload: str, rows: int, repeat: int, draws: int) -> dict | None:
    cmd = [sys.executable, __file__, "--child", workload, str(rows), str(repeat),
           "--draws", str(draws)]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode:
        last = (out.stderr.strip().splitlines() or [f"exit {out.returncode}"])[-1]
        print(f"  {workload} at {rows:,}: failed ({last[:100]})", flush=True)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def figure(points: dict[str, list[tuple[int, float, float]]], path: Path, draws: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    labels = {"feols": "feols", "placebo": f"placebo ({draws} draws)", "matching": "matching"}
    for workload, rows in points.items():
        if not rows:
            continue
        n = [r[0] for r in rows]
        left.plot(n, [r[1] for r in rows], marker="o", label=labels[workload])
        right.plot(n, [r[2] for r in rows], marker="o", label=labels[workload])
    for ax, what in ((left, "median time (s)"), (right, "peak memory (GB)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("rows (matching: units)")
        ax.set_ylabel(what)
        lo, hi = ax.get_xlim()
        y0 = ax.get_ylim()[0] * 3
        ax.plot([lo * 3, hi / 3], [y0, y0 * (hi / 3) / (lo * 3)], ":", color="grey",
                label="slope 1 (linear)")  # fmt: skip
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("pilotdid scaling (2-core machine; each point a fresh process)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    print(f"figure: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e4, 1e5, 1e6, 1e7])
    parser.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--draws", type=int, default=100, help="placebo draws")
    parser.add_argument("--figure", default=str(Path(__file__).parent / "results" / "scaling.png"))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    global ARGS
    ARGS = args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), int(args.child[2]))
        return
    print(f"{'workload':<10} {'rows':>12} {'median s':>9} {'min-max s':>14} {'peak GB':>8} "
          f"{'s per 1M rows':>14}")  # fmt: skip
    points: dict[str, list[tuple[int, float, float]]] = {w: [] for w in args.workloads}
    for workload in args.workloads:
        for rows in map(int, args.sizes):
            res = measure(workload, rows, args.repeat, args.draws)
            if res is None:
                continue
            med = statistics.median(res["times"])
            points[workload].append((rows, med, res["peak"]))
            print(f"{workload:<10} {rows:>12,} {med:>9.3f} "
                  f"{min(res['times']):>6.3f}-{max(res['times']):<7.3f} {res['peak']:>8.2f} "
                  f"{med / rows * 1e6:>14.3f}", flush=True)  # fmt: skip
            record("scaling", f"{workload}, {rows:,} rows", times=res["times"],
                   peak_gb=res["peak"], data="7-control panel / cross-section")  # fmt: skip
    figure(points, Path(args.figure), args.draws)


ARGS: argparse.Namespace

if __name__ == "__main__":
    main()
