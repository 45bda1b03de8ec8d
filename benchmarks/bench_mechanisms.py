"""The mechanisms family on a firm-scale panel: heterogeneity permutation, mediation, moderation.

Data: a synthetic firm panel of ``--units`` firms × 10 years (default 100,000 × 10 = 1M rows),
5 controls, 3 adoption cohorts (2014, 2016, 2018; 30 % of firms treated), one mediator ``m``
(moved by the policy), one moderator ``z`` (a firm trait plus noise), unit and year fixed
effects, standard errors clustered by firm. The three calls are those of the study's mechanisms
stage with its defaults:

* ``heterogeneity(..., "z", test="permutation", permutations=1000)`` (split at the median of
  the pre-policy mean of ``z``; labels shuffled within cohorts);
* ``mechanism(..., method="three_step", bootstrap=500)`` (the three steps and the cluster
  bootstrap of the indirect effect);
* ``moderation(..., "z")``.

Each call runs in a fresh process (the panel is built first, then VmHWM is reset, so the peak is
the panel plus what the call adds); ``--repeat`` runs give the median, best and worst time and
the median CPU time of the process (a steadier figure than wall time on a shared machine). No
peer: no other package runs a batched permutation test of a split-sample DID.

Usage::

    python benchmarks/bench_mechanisms.py                 # 1M rows, 3 runs each
    python benchmarks/bench_mechanisms.py --units 10000   # 100k rows
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from bench_feols import peak_gb, reset_peak

import pilotdid

CONTROLS = [f"x{i}" for i in range(1, 6)]
FML = "y ~ did + " + " + ".join(CONTROLS) + " | unit + year"
CALLS = ("heterogeneity", "mechanism", "moderation")


sys.path.insert(0, str(Path(__file__).parent))
from _record import record  # noqa: E402


def firm_panel(n_units: int, n_periods: int = 10, seed: int = 0) -> pd.DataFrame:
    """Firms × years with 3 adoption cohorts, 5 controls, a mediator and a moderator."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units, dtype=np.int64), n_periods)
    year = np.tile(np.arange(2010, 2010 + n_periods, dtype=np.int64), n_units)
    cohort_of = np.where(rng.random(n_units) < 0.3, rng.choice([2014, 2016, 2018], n_units), 0)
    cohort = cohort_of[unit]
    did = ((cohort > 0) & (year >= cohort)).astype(np.float64)
    trait = rng.normal(size=n_units)
    z = trait[unit] + 0.5 * rng.normal(size=unit.size)
    data = {"unit": unit, "year": year, "cohort": cohort, "did": did, "z": z}
    firm = rng.normal(size=n_units)[unit]
    m = 0.4 * did + 0.5 * firm + rng.normal(size=unit.size)
    y = 0.05 * did * (1 + 0.3 * trait[unit]) + 0.2 * m + firm + 0.01 * (year - 2010)
    for j, name in enumerate(CONTROLS):
        x = rng.normal(size=unit.size) + 0.3 * rng.normal(size=n_units)[unit]
        data[name] = x
        y += 0.1 * (j + 1) * x
    data["m"] = m
    data["y"] = y + rng.normal(size=unit.size)
    return pd.DataFrame(data)


def run_call(call: str, data: pd.DataFrame) -> None:
    """One call of the mechanisms stage with the study's defaults."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if call == "heterogeneity":
            pilotdid.heterogeneity(
                data, FML, "z", test="permutation", cohort="cohort", treatment="did",
                permutations=1000, seed=1,
            )  # fmt: skip
        elif call == "mechanism":
            pilotdid.mechanism(
                data, "did", "m", outcome="y", controls=CONTROLS, fixef="unit + year",
                method="three_step", bootstrap=500, seed=1,
            )  # fmt: skip
        else:
            pilotdid.moderation(data, FML, "z", treatment="did")


def child(call: str, units: int) -> None:
    """Run ``call`` once on a fresh panel; print its time and the peak memory it added."""
    data = firm_panel(units)
    gc.collect()
    base = peak_gb()
    reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    run_call(call, data)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu_s": cpu, "peak_gb": peak_gb(), "panel_gb": base}))


def measure(call: str, units: int, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--child", call, "--units", str(units)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    times = [r["seconds"] for r in runs]
    return {
        "median_s": statistics.median(times),
        "best_s": min(times),
        "worst_s": max(times),
        "cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "peak_gb": statistics.median(r["peak_gb"] for r in runs),
        "times": times,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=CALLS)
    parser.add_argument("--only", choices=CALLS, action="append")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.units)
        return
    rows = args.units * 10
    print(f"pilotdid {pilotdid.__version__}; firm panel {args.units:,} units × 10 years = "
          f"{rows:,} rows; medians of {args.repeat} fresh processes")  # fmt: skip
    print(f"{'call':<15}{'median s':>10}{'best':>8}{'worst':>8}{'cpu s':>8}{'peak GB':>9}")
    total_time, total_cpu, total_peak = 0.0, 0.0, 0.0
    for call in args.only or CALLS:
        r = measure(call, args.units, args.repeat)
        total_time += r["median_s"]
        total_cpu += r["cpu_s"]
        total_peak = max(total_peak, r["peak_gb"])
        print(
            f"{call:<15}{r['median_s']:>10.2f}{r['best_s']:>8.2f}{r['worst_s']:>8.2f}"
            f"{r['cpu_s']:>8.2f}{r['peak_gb']:>9.2f}",
            flush=True,
        )
        record("mechanisms", f"{call}, {rows:,} rows", times=r["times"], peak_gb=r["peak_gb"],
               data="firm panel, clustered by firm")  # fmt: skip
    print(f"{'all three':<15}{total_time:>10.2f}{'':>16}{total_cpu:>8.2f}{total_peak:>9.2f}")


if __name__ == "__main__":
    main()
