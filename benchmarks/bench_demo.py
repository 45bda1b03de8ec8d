"""Wall time of ``pilotdid demo`` from a cold start: a fresh process, imports included.

Each run is a new Python process executing ``pilotdid demo --out <tmp> -q`` (the example study:
describe, correlation, kernel matching, Table 3, 500 placebo draws, event study, mechanisms with
2 × 1,000 permutations, moderation, then report.html, tables.docx/.tex/.xlsx/.md and 6 figures as
PNG and SVG). The process is pinned to two cores (``--cores``) where the OS allows, so the number
matches the 2-core target (≤ 10 s). A second table splits one in-process run by stage.

Usage::

    python benchmarks/bench_demo.py               # 5 cold runs, median
    python benchmarks/bench_demo.py --repeat 3 --cores 2
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _record import record

CHILD = "import sys; from pilotdid.cli import main; sys.exit(main())"


def cold_run(out: Path, cores: int | None) -> float:
    """Seconds of one ``pilotdid demo`` in a fresh process (start-up and imports included)."""
    pin = None
    if cores and hasattr(os, "sched_setaffinity"):
        allowed = sorted(os.sched_getaffinity(0))[:cores]

        def pin() -> None:
            os.sched_setaffinity(0, allowed)

    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", CHILD, "demo", "--out", str(out), "-q"],
        check=True,
        preexec_fn=pin,  # pin in the child, before it imports anything
    )
    return time.perf_counter() - start


def stage_times() -> dict[str, float]:
    """One in-process run, split into the pipeline's stages and the report writing."""
    from importlib import resources

    from pilotdid.study.config import parse_study
    from pilotdid.study.pipeline import run_study

    text = resources.files("pilotdid.study").joinpath("bigdata_pilot.toml").read_text("utf-8")
    result = run_study(parse_study(text))
    times = dict(result.timings)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        result.write_report(Path(folder) / "out")
        times["write report"] = time.perf_counter() - start
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cores", type=int, default=2, help="pin to this many cores (0: no pin)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        runs = [cold_run(Path(folder) / "demo_out", args.cores) for _ in range(args.repeat)]
    cores = args.cores or os.cpu_count()
    print(f"pilotdid demo, cold start, {cores} cores, {args.repeat} runs")
    print(
        f"  median {statistics.median(runs):.2f} s   min {min(runs):.2f} s   max {max(runs):.2f} s"
    )
    print("  target: <= 10 s")
    record("demo", f"pilotdid demo, cold start, {cores} cores", times=runs, target="<= 10 s",
           data="the example study and its report")  # fmt: skip
    print("\nOne in-process run by stage (imports of each stage's modules included):")
    for stage, seconds in stage_times().items():
        print(f"  {stage:<14} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
