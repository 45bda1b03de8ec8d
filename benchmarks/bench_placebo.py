"""Placebo tests: pilotdid's batched draws against a pyfixest loop and pyfixest's ritest.

The paper's design: 280 units × 13 years, 7 controls, unit and year fixed effects, SE clustered by
unit, 29 % of units treated in two cohorts. pilotdid re-draws the treated *units* (the DID placebo);
pyfixest's loop does the same with one ``feols`` call per draw; ``ritest`` permutes the regressor
value by value (not a DID placebo — timed for reference only). Times are medians of ``--repeat``.

Usage::

    python benchmarks/bench_placebo.py               # 280×13 panels and a 1M-row panel
    python benchmarks/bench_placebo.py --no-large
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _panels import FML, synthetic_panel

import pilotdid


def with_cohorts(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the cohort column implied by the DID dummy (first treated year per unit)."""
    first = frame.loc[frame["did"] == 1].groupby("unit")["year"].min()
    return frame.assign(cohort=frame["unit"].map(first))


def median_time(func, repeat: int) -> float:
    func()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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


def ours(data: pd.DataFrame, draws: int) -> None:
    pilotdid.placebo(
        data, FML, unit="unit", time="year", cohort="cohort", draws=draws, seed=1, progress=False
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
    args = parser.parse_args()
    print(f"{'panel':<24} {'workload':<34} {'seconds':>9} {'per draw ms':>12}")
    for label, unbalanced in (("280x13 balanced", 0.0), ("280x13 20% unbalanced", 0.2)):
        data = with_cohorts(synthetic_panel(280 * 13, n_periods=13, unbalanced=unbalanced, seed=3))
        rows = []
        for draws in (500, 10_000):
            t = median_time(lambda d=draws, frame=data: ours(frame, d), args.repeat)
            rows.append((f"pilotdid placebo, {draws:,} draws", t, t / draws))
        t_loop = median_time(lambda frame=data: pyfixest_loop(frame, args.loop_draws), 1)
        rows.append(
            (f"pyfixest feols loop, {args.loop_draws} draws", t_loop, t_loop / args.loop_draws)
        )
        t_ri = median_time(lambda frame=data: pyfixest_ritest(frame, 500), 1)
        rows.append(("pyfixest ritest, 500 reps", t_ri, t_ri / 500))
        for name, seconds, per in rows:
            print(f"{label:<24} {name:<34} {seconds:>9.3f} {per * 1e3:>12.4f}")
        ratio = (t_loop / args.loop_draws) / rows[1][2]
        print(f"{label:<24} {'per-draw speed-up vs pyfixest loop':<34} {ratio:>9.0f}x")
    if not args.no_large:
        data = with_cohorts(synthetic_panel(1_000_000, n_periods=10, seed=4))
        t = median_time(lambda: ours(data, 500), 1)
        print(
            f"{'1M rows balanced':<24} {'pilotdid placebo, 500 draws':<34} {t:>9.3f} {t / 500 * 1e3:>12.4f}"
        )


if __name__ == "__main__":
    main()
