"""Time and memory of pilotdid's Sun-Abraham and imputation estimators against diff-diff.

Panel: ``--units`` units × 10 periods (default 100,000 × 10 = 1M rows), 4 adoption cohorts
(2013, 2015, 2016, 2018) and 25 % never treated, effects growing with time since adoption.
Both libraries cluster by unit with analytic SEs. Each (library, estimator) cell runs in a fresh
process: the time is one fit after building the panel; the peak memory (VmHWM) is reset after
the panel is built, so it is what the fit adds on top of the panel. The point estimates of the
two libraries are compared in the same run.

Usage::

    python benchmarks/bench_sa_bjs.py                   # 1M rows
    python benchmarks/bench_sa_bjs.py --units 20000     # quicker
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

COHORTS = (2013, 2015, 2016, 2018)


def panel(n_units: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units, dtype=np.int64), 10)
    year = np.tile(np.arange(2010, 2020, dtype=np.int64), n_units)
    g_unit = np.where(rng.random(n_units) < 0.25, 0, rng.choice(COHORTS, n_units))
    g = g_unit[unit]
    rel = year - g
    effect = np.where((g > 0) & (rel >= 0), (rel + 1) * (1 + (2018 - g) / 4), 0.0)
    y = rng.normal(size=n_units)[unit] + 0.2 * (year - 2010) + effect + rng.normal(size=unit.size)
    return pd.DataFrame({"unit": unit, "year": year, "g": g, "y": y})


def peak_gb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1e6
    return float("nan")


def run_one(library: str, estimator: str, n_units: int) -> dict[str, object]:
    data = panel(n_units)
    with warnings.catch_warnings():  # imports and first-call setup outside the timing
        warnings.simplefilter("ignore")
        warm = panel(300, seed=1)
        if library == "pilotdid":
            import pilotdid

            fit = pilotdid.sun_abraham if estimator == "SA" else pilotdid.did_imputation
            fit(warm, "y", unit="unit", time="year", cohort="g")
        else:
            import diff_diff

            cls = diff_diff.SunAbraham if estimator == "SA" else diff_diff.ImputationDiD
            cls().fit(warm, outcome="y", unit="unit", time="year", first_treat="g")
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if library == "pilotdid":
            kw = {"unit": "unit", "time": "year", "cohort": "g"}
            if estimator == "SA":
                res = pilotdid.sun_abraham(data, "y", **kw)
                est = dict(zip(res.periods.tolist(), res.estimates.tolist(), strict=True))
                att = res.att
            else:
                res = pilotdid.did_imputation(data, "y", **kw)
                est = dict(zip(res.horizons.tolist(), res.estimates.tolist(), strict=True))
                att = res.att
        else:
            kw = {"outcome": "y", "unit": "unit", "time": "year", "first_treat": "g"}
            if estimator == "SA":
                res = diff_diff.SunAbraham().fit(data, **kw)
            else:
                res = diff_diff.ImputationDiD().fit(data, aggregate="event_study", **kw)
            est = {
                int(k): float(v["effect"])
                for k, v in res.event_study_effects.items()
                if v.get("n_obs", 1) and not (estimator == "SA" and int(k) == -1)
            }
            att = float(res.overall_att)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_gb": peak_gb(), "att": att, "est": est}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--one", nargs=2, metavar=("LIBRARY", "ESTIMATOR"))
    parser.add_argument(
        "--blas-threads", type=int, default=None,
        help="OPENBLAS/OMP/MKL threads of both libraries (1 avoids oversubscription on a busy machine)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], args.one[1], args.units)))
        return
    env = dict(os.environ)
    if args.blas_threads:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(args.blas_threads)
    rows = {}
    for estimator in ("SA", "BJS"):
        for library in ("pilotdid", "diff-diff"):
            out = subprocess.run(
                [sys.executable, __file__, "--units", str(args.units), "--one", library, estimator],
                capture_output=True, text=True, check=True, env=env,
            )  # fmt: skip
            rows[(estimator, library)] = json.loads(out.stdout.strip().splitlines()[-1])
    threads = f", BLAS threads {args.blas_threads}" if args.blas_threads else ""
    print(
        f"{args.units:,} units x 10 periods ({args.units * 10:,} rows), 4 cohorts + never{threads}"
    )
    print(f"{'estimator':<10}{'library':<11}{'seconds':>9}{'peak GB':>9}{'ATT':>12}")
    for (estimator, library), r in rows.items():
        print(
            f"{estimator:<10}{library:<11}{r['seconds']:>9.2f}{r['peak_gb']:>9.2f}{r['att']:>12.6f}"
        )
    for estimator in ("SA", "BJS"):
        ours, theirs = rows[(estimator, "pilotdid")], rows[(estimator, "diff-diff")]
        common = set(ours["est"]) & set(theirs["est"])
        gap = max(abs(ours["est"][k] - theirs["est"][k]) for k in common)
        print(
            f"{estimator}: max |difference| over {len(common)} periods {gap:.2e}; "
            f"ATT difference {abs(ours['att'] - theirs['att']):.2e}; "
            f"time ratio {ours['seconds'] / theirs['seconds']:.2f}"
        )


if __name__ == "__main__":
    main()
