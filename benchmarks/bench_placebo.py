"""Placebo tests: pilotdid's batched draws against a pyfixest loop and pyfixest's ritest.

The paper's design: 280 units × 13 years, 7 controls, unit and year fixed effects, SE clustered by
unit, 29 % of units treated in two cohorts. pilotdid re-draws the treated *units* (the DID placebo);
pyfixest's loop does the same with one ``feols`` call per draw; ``ritest`` permutes the regressor
value by value (not a DID placebo — timed for reference only). Times are medians of ``--repeat``.

The large case: 500 clustered draws on a 1M-row balanced panel (100,000 units × 10 years), for
``kind="units"``, ``"timing"`` and ``"both"``, each in a fresh process (as ``bench_feols.py``):
one run for the peak memory (VmHWM, reset once the panel is built, so it is the panel plus what
the placebo adds), then ``--repeat`` timed runs: median, best and worst (the machine may be
shared, so the best is reported too).

Usage::

    python benchmarks/bench_placebo.py               # 280×13 panels and the 1M-row panel
    python benchmarks/bench_placebo.py --no-small    # only the 1M-row panel
    python benchmarks/bench_placebo.py --no-large
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
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
from _panels import FML, synthetic_panel
from _record import record, version
from bench_feols import peak_gb, reset_peak

import pilotdid


def with_cohorts(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the cohort column implied by the DID dummy (first treated year per unit)."""
    first = frame.loc[frame["did"] == 1].groupby("unit")["year"].min()
    return frame.assign(cohort=frame["unit"].map(first))


def run_times(func, repeat: int) -> list[float]:
    """Seconds of ``repeat`` calls after one warm-up call."""
    func()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def median_time(func, repeat: int) -> float:
    return statistics.median(run_times(func, repeat))


def pyfixest_loop(data: pd.DataFrame, draws: int, seed: int = 0) -> None:
    import pyfixest

    rng = np.random.default_rng(seed)
    cohorts = data.groupby("unit")["cohort"].first()
    units = cohorts.index.to_numpy()
    for _ in range(draws):
        fake = pd.Series(rng.permutation(cohorts.to_numpy()), index=units)
        sample = data.assign(did=(data["year"] >= data["unit"].map(fake)).astype(float))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pyfixest.feols(FML, sample, vcov={"CRV1": "unit"}).coef()


def pyfixest_ritest(data: pd.DataFrame, reps: int) -> None:
    import pyfixest

    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):  # its progress bar
        warnings.simplefilter("ignore")
        fit = pyfixest.feols(FML, data, vcov={"CRV1": "unit"})
        fit.ritest(resampvar="did", reps=reps, rng=np.random.default_rng(0))


def ours(data: pd.DataFrame, draws: int, kind: str = "units") -> None:
    pilotdid.placebo(
        data,
        FML,
        unit="unit",
        time="year",
        cohort="cohort",
        draws=draws,
        seed=1,
        progress=False,
        kind=kind,
    )


def large_child(kind: str, repeat: int) -> None:
    """One fresh process: 500 draws on 1M rows; peak of the first run, then timed runs."""
    data = with_cohorts(synthetic_panel(1_000_000, n_periods=10, seed=4))
    gc.collect()
    reset_peak()
    before = peak_gb()
    start = time.perf_counter()
    ours(data, 500, kind)
    first = time.perf_counter() - start
    peak = peak_gb()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        ours(data, 500, kind)
        times.append(time.perf_counter() - start)
    print(json.dumps({"first": first, "times": times, "peak": peak, "extra": peak - before}))


def loop_child(draws: int) -> None:
    """pyfixest's feols loop for a few draws on the 1M-row panel (extrapolated to 500)."""
    data = with_cohorts(synthetic_panel(1_000_000, n_periods=10, seed=4))
    start = time.perf_counter()
    pyfixest_loop(data, draws)
    print(json.dumps({"seconds": time.perf_counter() - start}))


def large(repeat: int, loop_draws: int) -> None:
    peer_times = None
    if loop_draws:
        cmd = [sys.executable, __file__, "--loop-child", str(loop_draws)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode == 0:
            seconds = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
            peer_times = [seconds * 500 / loop_draws]
            print(f"pyfixest feols loop: {seconds:.1f} s for {loop_draws} draws "
                  f"(500 draws: about {peer_times[0]:.0f} s)")  # fmt: skip
    print(
        f"{'1M rows, 500 draws':<24} {'kind':<8} {'median s':>9} {'best s':>7} {'worst s':>8} "
        f"{'first s':>8} {'peak GB':>8} {'added GB':>9}"
    )
    for kind in ("units", "timing", "both"):
        cmd = [sys.executable, __file__, "--child", kind, str(repeat)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        times = res["times"]
        print(
            f"{'pilotdid placebo':<24} {kind:<8} {statistics.median(times):>9.2f} "
            f"{min(times):>7.2f} {max(times):>8.2f} {res['first']:>8.2f} {res['peak']:>8.2f} "
            f"{res['extra']:>9.2f}",
            flush=True,
        )
        record(
            "placebo",
            f"1M rows, 500 clustered draws, kind={kind}",
            times=times,
            peak_gb=res["peak"],
            peer=f"{version('pyfixest')} feols loop (x{500 // max(loop_draws, 1)} of {loop_draws})"
            if peer_times
            else None,
            peer_times=peer_times,
            data="100,000 units x 10 years, 7 controls",
            target="<= 5 s, <= 2 GB",
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--loop-draws",
        type=int,
        default=100,
        help="draws in the pyfixest loop (per-draw time is scaled)",
    )
    parser.add_argument("--no-large", action="store_true")
    parser.add_argument("--no-small", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument(
        "--large-loop-draws", type=int, default=3,
        help="pyfixest draws on the 1M-row panel (extrapolated to 500; 0: skip)",
    )  # fmt: skip
    parser.add_argument("--loop-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        large_child(args.child[0], int(args.child[1]))
        return
    if args.loop_child:
        loop_child(args.loop_child)
        return
    if not args.no_small:
        small(args)
    if not args.no_large:
        large(args.repeat, args.large_loop_draws)


def small(args: argparse.Namespace) -> None:
    print(f"{'panel':<24} {'workload':<34} {'seconds':>9} {'per draw ms':>12}")
    for label, unbalanced in (("280x13 balanced", 0.0), ("280x13 20% unbalanced", 0.2)):
        data = with_cohorts(synthetic_panel(280 * 13, n_periods=13, unbalanced=unbalanced, seed=3))
        rows = []
        runs = {}
        for draws in (500, 10_000):
            runs[draws] = run_times(lambda d=draws, frame=data: ours(frame, d), args.repeat)
            t = statistics.median(runs[draws])
            rows.append((f"pilotdid placebo, {draws:,} draws", t, t / draws))
        t_loop = median_time(lambda frame=data: pyfixest_loop(frame, args.loop_draws), 1)
        record(
            "placebo",
            f"{label}, 10,000 clustered draws",
            times=runs[10_000],
            peer=f"{version('pyfixest')} feols loop (x{10_000 // args.loop_draws} of "
            f"{args.loop_draws} draws)",
            peer_times=[t_loop * 10_000 / args.loop_draws],
            data="280 units x 13 years, 7 controls, unit and year FE",
        )
        rows.append(
            (f"pyfixest feols loop, {args.loop_draws} draws", t_loop, t_loop / args.loop_draws)
        )
        try:
            t_ri = median_time(lambda frame=data: pyfixest_ritest(frame, 500), 1)
        except KeyError:  # some pyfixest versions split "unit + year" into 'unit ', ' year'
            t_ri = float("nan")
        rows.append(("pyfixest ritest, 500 reps", t_ri, t_ri / 500))
        for name, seconds, per in rows:
            print(f"{label:<24} {name:<34} {seconds:>9.3f} {per * 1e3:>12.4f}")
        ratio = (t_loop / args.loop_draws) / rows[1][2]
        print(f"{label:<24} {'per-draw speed-up vs pyfixest loop':<34} {ratio:>9.0f}x")


if __name__ == "__main__":
    main()
