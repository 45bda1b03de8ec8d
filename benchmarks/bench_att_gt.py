"""Callaway-Sant'Anna ``att_gt``: the issue's 1M-row design, timed with and without bootstrap.

100,000 units × 10 periods, cohorts 2013-2016 and never treated, never-treated comparison units,
outcome regression, dynamic aggregation; analytic SEs alone, then 999 Mammen multiplier-bootstrap
draws with uniform bands. Prints the best of ``--repeat`` runs, the peak traced memory and
``moderndid``'s time on the same data when ``--peer`` is given (about 20 s).

Usage::

    python benchmarks/bench_att_gt.py [--units 100000] [--repeat 3] [--peer]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

import pilotdid


def panel(units: int, periods: int = 10, seed: int = 0) -> pd.DataFrame:
    """A staggered panel with growing effects, four cohorts and never-treated units."""
    rng = np.random.default_rng(seed)
    year = np.tile(np.arange(2010, 2010 + periods), units)
    g = np.repeat(rng.choice([2013, 2014, 2015, 2016, 0], units), periods)
    effect = np.where((g > 0) & (year >= g), 1.0 + 0.2 * (year - g), 0.0)
    y = rng.normal(size=units * periods) + 0.1 * (year - 2010) + effect
    return pd.DataFrame({"id": np.repeat(np.arange(units), periods), "year": year, "g": g, "y": y})


def run(data: pd.DataFrame, draws: int) -> pilotdid.AttGtResult:
    res = pilotdid.att_gt(
        data, "y", unit="id", time="year", cohort="g", method="reg", bootstrap=draws,
        uniform=draws > 0, seed=1,
    )  # fmt: skip
    res.aggregate("dynamic").tidy()
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer", action="store_true", help="also time moderndid")
    args = parser.parse_args()
    data = panel(args.units)
    print(f"{len(data):,} rows, {args.units:,} units")
    for draws in (0, 999):
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            run(data, draws)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        run(data, draws)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(
            f"pilotdid att_gt + dynamic, bootstrap={draws}: {min(times):.2f} s, peak {peak:.0f} MiB"
        )
    if args.peer:
        import moderndid

        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = moderndid.att_gt(
                data=data, yname="y", tname="year", idname="id", gname="g", est_method="reg",
                boot=False,
            )  # fmt: skip
            moderndid.aggte(ref, type="dynamic")
        print(f"moderndid att_gt + aggte, analytic: {time.perf_counter() - start:.2f} s")
        ours = run(data, 0).tidy()["estimate"].to_numpy()
        print(f"max |pilotdid - moderndid| over ATT(g,t): {np.max(np.abs(ours - ref.att_gt)):.1e}")


if __name__ == "__main__":
    main()
