"""A whole study file on synthetic firm panels: time and peak memory per stage.

Each size is a firm × year panel (10 years; 5 controls, 3 adoption cohorts and never-treated
firms, one mediator, one moderator) written to Parquet, with a study file asking for
nearest-neighbour matching in base-year mode, 500 placebo draws, a mechanism, a heterogeneity
split (permutation test, 1,000 permutations), a moderator, the event study, sensitivity and the
staggered estimators (the defaults). Every run is ``pilotdid run`` in a fresh process; its
progress lines (seconds and peak MiB per stage, the report writing) are parsed into one table.
The total line's peak is the largest stage peak (the stages reset the kernel's high-water
mark, which also resets ``ru_maxrss``, so the child's rusage cannot tell the whole run's peak).

Usage::

    python benchmarks/bench_study.py                    # 1e5 and 1e6 rows
    python benchmarks/bench_study.py --rows 1e7         # the 10M-row panel (opt-in)
    python benchmarks/bench_study.py --rows 1e6 --repeat 3 --no-mechanisms
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

CHILD = "import sys; from pilotdid.cli import main; sys.exit(main())"
CONTROLS = [f"x{i}" for i in range(1, 6)]
LINE = re.compile(
    r"^\s+(?:\[\d+/\d+\]\s+)?(?P<stage>[a-z ]+?)\s+(?P<s>[\d.]+) s(?:\s+(?P<m>[\d,]+) MiB peak)?"
)


sys.path.insert(0, str(Path(__file__).parent))
from _record import record  # noqa: E402


def firm_panel(n_rows: int, n_years: int = 10, seed: int = 0) -> pd.DataFrame:
    """A firm × year panel of ``n_rows`` rows with 3 adoption cohorts (2014, 2015, 2016)."""
    rng = np.random.default_rng(seed)
    n_firms = n_rows // n_years
    firm = np.repeat(np.arange(n_firms, dtype=np.int64), n_years)  # index into per-firm draws
    year = np.tile(np.arange(2010, 2010 + n_years, dtype=np.int64), n_firms)
    size = rng.normal(size=n_firms)  # drives selection into the pilot
    treated = rng.random(n_firms) < 1 / (1 + np.exp(1.2 - 0.8 * size))
    cohort = np.where(treated, rng.choice([2014, 2015, 2016], size=n_firms), 0)
    post = (cohort[firm] > 0) & (year >= cohort[firm])
    data: dict[str, np.ndarray] = {"firm": firm + 1, "year": year}
    y = rng.normal(size=n_firms)[firm] + 0.02 * (year - 2010) + 0.05 * post
    for j, name in enumerate(CONTROLS):
        x = 0.5 * size[firm] + rng.normal(size=firm.size) + 0.3 * rng.normal(size=n_firms)[firm]
        data[name] = x
        y += 0.05 * (j + 1) * x
    mediator = 0.3 * post + rng.normal(size=firm.size) + size[firm]
    data["rd"] = mediator
    data["lev"] = rng.normal(size=n_firms)[firm] + 0.2 * rng.normal(size=firm.size)
    data["y"] = y + 0.1 * mediator + rng.normal(size=firm.size)
    data["adopt"] = np.where(cohort[firm] > 0, cohort[firm], np.nan)
    return pd.DataFrame(data)


def study_text(data: Path, mechanisms: bool) -> str:
    """The study file: matching, placebo, mechanism, heterogeneity and moderation."""
    controls = ", ".join(f'"{c}"' for c in CONTROLS)
    on = "true" if mechanisms else "false"
    return f"""
[study]
title = "Firm-scale benchmark"
seed = 7

[data]
source = "file"
path = "{data.as_posix()}"
unit = "firm"
time = "year"

[treatment]
adoption_column = "adopt"

[model]
outcome = "y"
controls = [{controls}]

[matching]
mode = "base_year"
method = "nearest"

[placebo]
draws = 500

[mechanisms]
enabled = {on}
mediators = ["rd"]

[heterogeneity]
enabled = {on}
split_by = ["rd"]
test = "permutation"

[moderation]
enabled = {on}
moderators = ["lev"]

[report]
output = "out"
formats = ["html", "md"]
figures = ["png"]
"""


def run_once(study: Path) -> tuple[dict[str, tuple[float, float]], float, float]:
    """One fresh ``pilotdid run``: per-stage (seconds, MiB), wall seconds, largest stage MiB."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, "run", str(study)],
        stderr=subprocess.PIPE, text=True, env=os.environ.copy(),
    )  # fmt: skip
    _, stderr = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(stderr)
        raise SystemExit(f"pilotdid run failed ({proc.returncode}) on {study}")
    stages: dict[str, tuple[float, float]] = {}
    for line in stderr.splitlines():
        match = LINE.match(line)
        if match:
            mib = float(match["m"].replace(",", "")) if match["m"] else float("nan")
            stages[match["stage"].strip()] = (float(match["s"]), mib)
    return stages, wall, max((mib for _, mib in stages.values()), default=float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", nargs="+", default=["1e5", "1e6"], help="panel sizes (rows; 1e7 is opt-in)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="fresh runs per size (median)")
    parser.add_argument(
        "--no-mechanisms", action="store_true", help="turn mechanisms/heterogeneity/moderation off"
    )
    args = parser.parse_args()
    for rows_text in args.rows:
        rows = int(float(rows_text))
        with tempfile.TemporaryDirectory() as folder:
            data = Path(folder) / "firms.parquet"
            firm_panel(rows).to_parquet(data, index=False)
            study = Path(folder) / "study.toml"
            study.write_text(study_text(data, not args.no_mechanisms), encoding="utf-8")
            runs = [run_once(study) for _ in range(args.repeat)]
        print(
            f"\n{rows:,} rows ({rows // 10:,} firms x 10 years), {args.repeat} fresh run(s), median"
        )
        print(f"  {'stage':<16}{'seconds':>9}{'peak MiB':>10}")
        for stage in runs[0][0]:
            secs = statistics.median(r[0][stage][0] for r in runs if stage in r[0])
            mib = statistics.median(r[0][stage][1] for r in runs if stage in r[0])
            print(f"  {stage:<16}{secs:9.2f}{mib:10,.0f}")
        total = statistics.median(r[1] for r in runs)
        print(f"  {'total (wall)':<16}{total:9.2f}{max(r[2] for r in runs):10,.0f}")
        print("  target at 1e6 rows: <= 60 s and <= 4 GB; at 1e7: <= 15 min and <= 24 GB")
        record(
            "study (firm panel)",
            f"{rows:,} rows, whole study file{'' if not args.no_mechanisms else ' (no mechanisms)'}",
            times=[r[1] for r in runs],
            peak_gb=max(r[2] for r in runs) / 1024,
            data="firms x 10 years, NN base-year matching, 500 placebo draws, mechanisms",
            target="1e6: <= 60 s, <= 4 GB",
        )


if __name__ == "__main__":
    main()
