"""Wild cluster bootstrap (WCR) timings: the demo panel and a 1M-row panel.

The demo panel (280 cities, clustered by city; and by its 30 provinces) with B = 9,999, then
``--units`` units × 10 years clustered by unit (100,000 clusters at the default: 1M rows) with
``--draws`` draws. Prints the best of ``--repeat`` runs and the peak traced memory of the
bootstrap (the fit excluded); weights are drawn in blocks of about 2**22, so memory is bounded
whatever ``B × G``.

Usage::

    python benchmarks/bench_wild.py [--units 100000] [--draws 9999] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

import pilotdid
from pilotdid.datasets import demo_panel

sys.path.insert(0, str(Path(__file__).parent))
from _record import record


def timed(fit: pilotdid.FeolsResult, repeat: int, **kw: object) -> tuple[float, float, object]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        res = fit.wild_bootstrap("TP", **kw)  # type: ignore[arg-type]
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    fit.wild_bootstrap("TP", **kw)  # type: ignore[arg-type]
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    record("wild bootstrap", CASE[0], times=times, peak_gb=peak / 1024,
           data="WCR, Rademacher; peak = traced memory of the bootstrap")  # fmt: skip
    return min(times), peak, res


CASE = [""]


def big_panel(units: int, periods: int = 10, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(units), periods)
    year = np.tile(np.arange(periods), units)
    tp = ((unit % 5 == 0) & (year >= 5)).astype(float)
    y = 0.1 * tp + rng.normal(size=units)[unit] + rng.normal(size=unit.size)
    return pd.DataFrame(
        {"unit": unit, "year": year, "TP": tp, "x": rng.normal(size=unit.size), "y": y}
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--draws", type=int, default=9999)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    demo = demo_panel().data
    fit = pilotdid.feols("lnESF ~ TP + lnPERgdp + HUM | code + year", demo, vcov={"CRV1": "code"})
    for cluster in ("code", "province"):
        CASE[0] = f"demo panel, clustered by {cluster}, B = 9,999"
        best, peak, res = timed(fit, args.repeat, cluster=cluster, B=9999, seed=1)
        print(
            f"demo panel ({len(demo):,} rows), clustered by {cluster} ({res.n_clusters} clusters), "  # type: ignore[attr-defined]
            f"B=9,999: {best:.3f} s, peak {peak:.0f} MiB, p = {res.p_value:.4f}"  # type: ignore[attr-defined]
        )
    data = big_panel(args.units)
    start = time.perf_counter()
    fit = pilotdid.feols("y ~ TP + x | unit + year", data, vcov={"CRV1": "unit"})
    fit_time = time.perf_counter() - start
    CASE[0] = f"{len(data):,} rows, {args.units:,} clusters, B = {args.draws:,}"
    best, peak, res = timed(fit, 1, B=args.draws, seed=1)
    print(
        f"{len(data):,} rows, {args.units:,} clusters: fit {fit_time:.2f} s; "
        f"WCR B={args.draws:,}: {best:.2f} s, peak {peak:.0f} MiB, p = {res.p_value:.4f}, "  # type: ignore[attr-defined]
        f"CI [{res.conf_low:.4f}, {res.conf_high:.4f}]"  # type: ignore[attr-defined]
    )


if __name__ == "__main__":
    main()
