"""Time 1:1 propensity-score matching: pilotdid.match against psmpy in the same run.

Data: a cross-section of n units, 7 normal covariates, about 29 % treated (logit selection).
pilotdid is timed end to end (logit by Newton, matching, psmatch2 columns on every row) for
1:1 nearest neighbour with replacement (psmatch2's default) and without replacement in
descending-score order (MatchIt's default), and for the matching step alone. psmpy 0.3.16
(penalised logistic regression + k-d tree matching) runs in a subprocess with a time limit, at
the sizes where it can; it is skipped when it is not importable (``pip install psmpy``; set
``PSMPY_PATH`` to a folder to add to its ``sys.path``). Times are medians of ``--repeat`` runs
after one warm-up.

Usage::

    python benchmarks/bench_matching.py                       # 10k, 100k, 1M units
    python benchmarks/bench_matching.py --units 1e6 --repeat 5 --psmpy-max 1e4
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _record import record, version

COVS = [f"x{i}" for i in range(1, 8)]


def make_data(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(COVS)))
    eta = -1.2 + X @ np.linspace(0.4, -0.3, len(COVS))
    d = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    df = pd.DataFrame(X, columns=COVS)
    df.insert(0, "d", d)
    df.insert(0, "id", np.arange(n))
    return df


def run_times(fn, repeat: int) -> list[float]:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def timed(fn, repeat: int) -> float:
    return statistics.median(run_times(fn, repeat))


PSMPY_SCRIPT = """
import sys, time, warnings
warnings.filterwarnings("ignore")
sys.path.insert(0, {bench!r})
from bench_matching import make_data, COVS
from psmpy import PsmPy
df = make_data({n})
t0 = time.perf_counter()
psm = PsmPy(df, treatment="d", indx="id", exclude=[])
psm.logistic_ps(balance=False)
psm.kdtree_matched(matcher="propensity_logit", replacement=False, caliper=None)
print(time.perf_counter() - t0)
"""


def time_psmpy(n: int, limit: float) -> str:
    env = dict(os.environ)
    extra = os.environ.get("PSMPY_PATH")
    if extra:
        env["PYTHONPATH"] = extra + os.pathsep + env.get("PYTHONPATH", "")
    probe = subprocess.run([sys.executable, "-c", "import psmpy"], env=env, capture_output=True)
    if probe.returncode:
        return "not installed"
    code = PSMPY_SCRIPT.format(bench=os.path.dirname(os.path.abspath(__file__)), n=n)
    try:
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=limit
        )
    except subprocess.TimeoutExpired:
        return f"> {limit:.0f} s (stopped)"
    if out.returncode:
        return "failed: " + (out.stderr.strip().splitlines() or ["?"])[-1][:60]
    return f"{float(out.stdout.strip().splitlines()[-1]):.2f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=float, nargs="*", default=[1e4, 1e5, 1e6])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--psmpy-max", type=float, default=1e4, help="largest n to try psmpy at")
    ap.add_argument("--psmpy-limit", type=float, default=300.0, help="seconds before stopping it")
    args = ap.parse_args()

    import pilotdid as pdid
    from pilotdid.matching.nearest import match_order, nn_match

    print(f"{'units':>10} {'variant':<34} {'pilotdid':>10} {'psmpy':>22}")
    for n in (int(u) for u in args.units):
        df = make_data(n)
        res = pdid.match(df, "d", COVS)
        p = res.data["_pscore"].to_numpy()
        t = df["d"].to_numpy() == 1
        pt, pc = p[t], p[~t]
        variants = {
            "match(), 1:1 with replacement": lambda df=df: pdid.match(df, "d", COVS),
            "match(), 1:1 without, largest": lambda df=df: pdid.match(df, "d", COVS, replace=False),
            "nn_match only, with replacement": lambda pt=pt, pc=pc: nn_match(pt, pc),
            "nn_match only, without, largest": lambda pt=pt, pc=pc: nn_match(
                pt, pc, replace=False, order=match_order(pt, "largest")
            ),
        }
        for i, (name, fn) in enumerate(variants.items()):
            times = run_times(fn, args.repeat)
            sec = statistics.median(times)
            peer = ""
            if i == 1:  # psmpy does 1:1 without replacement
                peer = time_psmpy(n, args.psmpy_limit) if n <= args.psmpy_max else "not run"
            print(f"{n:>10,} {name:<34} {sec:>9.3f}s {peer:>22}", flush=True)
            if i > 1:
                continue
            peer_s = float(peer[:-2]) if peer.endswith(" s") and peer[0].isdigit() else None
            record(
                "matching",
                f"{n:,} units, {name}",
                times=times,
                peer=version("psmpy") if i == 1 else None,
                peer_times=[peer_s] if peer_s else None,
                peer_note=None if peer_s or i != 1 else peer,
                data="cross-section, 7 covariates, logit score",
            )


if __name__ == "__main__":
    main()
