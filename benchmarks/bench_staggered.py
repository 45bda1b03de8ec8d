"""Staggered DID: pilotdid against diff-diff, Callaway-Sant'Anna, Sun-Abraham and imputation.

Panel: ``--units`` units × 10 periods (default 100,000 × 10 = 1M rows), 4 adoption cohorts
(2013, 2015, 2016, 2018) and 25 % never treated, effects growing with time since adoption.
Cells (each in a fresh process, both libraries in the same run):

- ``CS``: Callaway-Sant'Anna, never-treated controls, outcome regression (``reg``), analytic SEs,
  dynamic (event-time) aggregation;
- ``CS-boot``: the same with 999 multiplier-bootstrap draws and uniform bands;
- ``SA``: Sun-Abraham interaction-weighted event study, clustered by unit;
- ``BJS``: Borusyak-Jaravel-Spiess imputation, event-study horizons, clustered by unit.

The time is the median (and the best) of ``--repeat`` fits (with the dynamic aggregation) after building the
panel and a warm-up fit on a small panel (imports, first-call setup); the peak memory (VmHWM) is reset after the panel is
built, so it is what the fit adds on top of the panel (plus the interpreter). The dynamic point
estimates of the two libraries are compared in the same run.

Usage::

    python benchmarks/bench_staggered.py                     # 1M rows, every cell
    python benchmarks/bench_staggered.py --units 20000       # quicker
    python benchmarks/bench_staggered.py --cells CS SA       # some cells
    python benchmarks/bench_staggered.py --rows 10000000 --libraries pilotdid   # 10M rows
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
from typing import Any

import numpy as np
import pandas as pd

COHORTS = (2013, 2015, 2016, 2018)
CELLS = ("CS", "CS-boot", "SA", "BJS")
LIBRARIES = ("pilotdid", "diff-diff")


def panel(n_units: int, seed: int = 0) -> pd.DataFrame:
    """A balanced staggered panel: 4 cohorts, 25 % never treated (cohort 0), growing effects."""
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


def _pilotdid(cell: str, data: pd.DataFrame) -> tuple[dict[int, float], float]:
    import pilotdid

    kw = {"unit": "unit", "time": "year", "cohort": "g"}
    if cell.startswith("CS"):
        draws = 999 if cell == "CS-boot" else 0
        res = pilotdid.att_gt(data, "y", **kw, method="reg", bootstrap=draws,
                              uniform=draws > 0, seed=1)  # fmt: skip
        dyn = res.aggregate("dynamic")
        dyn.tidy()  # the bands, as the peer computes them
        est = dict(zip(dyn.labels.astype(int).tolist(), dyn.estimates.tolist(), strict=True))
        return est, float(res.aggregate("simple").overall_estimate)
    if cell == "SA":
        res = pilotdid.sun_abraham(data, "y", **kw)
        return dict(zip(res.periods.tolist(), res.estimates.tolist(), strict=True)), res.att
    res = pilotdid.did_imputation(data, "y", **kw)
    return dict(zip(res.horizons.tolist(), res.estimates.tolist(), strict=True)), res.att


def _diff_diff(cell: str, data: pd.DataFrame) -> tuple[dict[int, float], float]:
    import diff_diff

    kw = {"outcome": "y", "unit": "unit", "time": "year", "first_treat": "g"}
    if cell.startswith("CS"):
        draws = 999 if cell == "CS-boot" else 0
        est = diff_diff.CallawaySantAnna(
            control_group="never_treated", estimation_method="reg", n_bootstrap=draws,
            seed=1, cband=draws > 0,
        )  # fmt: skip
        res = est.fit(data, aggregate="event_study", **kw)
    elif cell == "SA":
        res = diff_diff.SunAbraham().fit(data, **kw)
    else:
        res = diff_diff.ImputationDiD().fit(data, aggregate="event_study", **kw)
    effects = {
        int(k): float(v["effect"])
        for k, v in res.event_study_effects.items()
        if v.get("n_obs", 1) and np.isfinite(v["effect"])
    }
    if cell == "SA":
        effects.pop(-1, None)  # the reference period
    return effects, float(res.overall_att)


def run_one(library: str, cell: str, n_units: int, repeat: int = 3) -> dict[str, Any]:
    fit = _pilotdid if library == "pilotdid" else _diff_diff
    data = panel(n_units)
    with warnings.catch_warnings():  # imports and first-call setup outside the timing
        warnings.simplefilter("ignore")
        fit(cell, panel(400, seed=1))
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est, att = fit(cell, data)
        times.append(time.perf_counter() - start)
    return {"seconds": float(np.median(times)), "min": min(times), "peak_gb": peak_gb(),
            "att": att, "est": est, "times": times}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=None, help="rows (units = rows / 10)")
    parser.add_argument("--libraries", nargs="+", choices=LIBRARIES, default=list(LIBRARIES))
    parser.add_argument("--cells", nargs="+", choices=CELLS, default=list(CELLS))
    parser.add_argument("--repeat", type=int, default=3, help="fits per cell (median reported)")
    parser.add_argument("--one", nargs=2, metavar=("LIBRARY", "CELL"))
    parser.add_argument(
        "--blas-threads", type=int, default=None,
        help="OPENBLAS/OMP/MKL threads of both libraries (1 avoids oversubscription on a busy machine)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.rows:
        args.units = args.rows // 10
    if args.one:
        print(json.dumps(run_one(args.one[0], args.one[1], args.units, args.repeat)))
        return
    env = dict(os.environ)
    if args.blas_threads:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(args.blas_threads)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for cell in args.cells:
        for library in args.libraries:
            out = subprocess.run(
                [sys.executable, __file__, "--units", str(args.units), "--repeat", str(args.repeat),
                 "--one", library, cell],
                capture_output=True, text=True, env=env,
            )  # fmt: skip
            if out.returncode:
                last = (out.stderr.strip().splitlines() or ["?"])[-1]
                rows[(cell, library)] = {"error": last}
                continue
            rows[(cell, library)] = json.loads(out.stdout.strip().splitlines()[-1])
            rows[(cell, library)]["est"] = {
                int(k): v for k, v in rows[(cell, library)]["est"].items()
            }
    threads = f", BLAS threads {args.blas_threads}" if args.blas_threads else ""
    print(
        f"{args.units:,} units x 10 periods ({args.units * 10:,} rows), 4 cohorts + never{threads}"
    )
    print(f"{'cell':<9}{'library':<10}{'median s':>9}{'best s':>8}{'peak GB':>8}"
          f"{'ratio':>7}{'max |diff|':>11}")  # fmt: skip
    for cell in args.cells:
        ours = rows[(cell, "pilotdid")] if "pilotdid" in args.libraries else None
        for library in args.libraries:
            row = rows[(cell, library)]
            if "error" in row:
                print(f"{cell:<9}{library:<10} failed: {row['error']}")
                continue
            ratio, gap = "", ""
            if library != "pilotdid" and ours is not None and "error" not in ours:
                common = set(ours["est"]) & set(row["est"])
                diffs = [abs(ours["est"][k] - row["est"][k]) for k in common]
                ratio = f"{ours['seconds'] / row['seconds']:.2f}"
                gap = f"{max(diffs):.1e}" if diffs else "nan"
            print(f"{cell:<9}{library:<10}{row['seconds']:>9.2f}{row['min']:>8.2f}"
                  f"{row['peak_gb']:>8.2f}{ratio:>7}{gap:>11}")  # fmt: skip
        peer = rows.get((cell, "diff-diff"))
        if ours is not None and "error" not in ours:
            ok = peer is not None and "error" not in peer
            sys.path.insert(0, str(Path(__file__).parent))
            from _record import record, version

            record("staggered", f"{cell}, {args.units * 10:,} rows", times=ours["times"],
                   peak_gb=ours["peak_gb"], peer=version("diff-diff"),
                   peer_times=peer["times"] if ok else None,
                   peer_peak_gb=peer["peak_gb"] if ok else None,
                   peer_note=None if ok else "failed or not run",
                   data="10 periods, 4 cohorts + never treated")  # fmt: skip


if __name__ == "__main__":
    main()
