"""Run every benchmark in fresh processes and print one side-by-side table.

Each benchmark script runs as its own process (so imports, caches and memory peaks never carry
over), prints its detailed table to a log under ``--out`` and records one row per case through
``_record.record``. The combined table (pilotdid's median time with the spread of its runs, the
peer and its version, the peer's median, the time ratio, peak memory of both and their ratio) is
printed at the end and written to ``<out>/summary.md`` and ``<out>/summary.json``; the README
quotes it.

Usage::

    python -m benchmarks                 # the full set (about an hour on 2 cores)
    python -m benchmarks --quick         # small sizes, a few minutes
    python -m benchmarks --only feols placebo
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# script -> (arguments of the full run, arguments of --quick)
SUITE: dict[str, tuple[list[str], list[str]]] = {
    "demo": (["--repeat", "5"], ["--repeat", "3"]),
    "feols": (["--rows", "1e6", "1e7", "--wide"], ["--rows", "1e5", "--wide"]),
    "placebo": ([], ["--no-large"]),
    "matching": ([], ["--units", "1e4", "1e5"]),
    "staggered": (["--blas-threads", "1"], ["--units", "20000"]),
    "wild": ([], ["--units", "10000"]),
    "mechanisms": ([], ["--units", "10000"]),
    "spec_curve": ([], ["--modes", "serial", "--repeat", "1"]),
    "study": ([], ["--rows", "1e5"]),
    "scaling": ([], ["--sizes", "1e4", "1e5", "--repeat", "1"]),
    "measures": (
        ["--rows", "1e8", "--engines", "duckdb", "pandas"],
        ["--rows", "1e6", "--engines", "duckdb", "pandas"],
    ),
}


def machine() -> str:
    import numpy

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{platform.system()} {platform.machine()}, {cores} cores, load {load:.1f} at start; "
        f"Python {platform.python_version()}, numpy {numpy.__version__}"
    )


def run_script(name: str, args: list[str], out: Path, record: Path, timeout: float) -> str:
    """Run ``bench_<name>.py`` in a fresh process; its output goes to ``<out>/<name>.log``."""
    script = HERE / f"bench_{name}.py"
    if not script.exists():
        return "not present"
    env = dict(os.environ, PILOTDID_BENCH_RECORD=str(record))
    start = time.perf_counter()
    with open(out / f"{name}.log", "w", encoding="utf-8") as log:
        try:
            done = subprocess.run(
                [sys.executable, str(script), *args],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"stopped after {timeout:.0f} s"
    took = time.perf_counter() - start
    return f"{took:.0f} s" if done.returncode == 0 else f"failed (exit {done.returncode})"


def fmt(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def ratio(value: float | None) -> str:
    """A ratio with two significant digits (0.13, 0.0042)."""
    return "" if value is None else f"{value:.2g}"


def table(rows: list[dict]) -> str:
    """The Markdown table of every recorded case."""
    head = (
        "| benchmark | case | pilotdid s (median, min–max) | peak GB | peer | peer s | "
        "time ratio | peer GB | mem ratio |\n|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in rows:
        spread = f"{r['median_s']:.3g} ({r['min_s']:.3g}–{r['max_s']:.3g}, n={r['runs']})"
        peer_s = fmt(r.get("peer_median_s"), 3) or (r.get("peer_note") or "")
        lines.append(
            f"| {r['benchmark']} | {r['case']} | {spread} | {fmt(r.get('peak_gb'))} | "
            f"{r.get('peer') or ''} | {peer_s} | {ratio(r.get('ratio'))} | "
            f"{fmt(r.get('peer_peak_gb'))} | {ratio(r.get('mem_ratio'))} |"
        )
    return head + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (minutes)")
    parser.add_argument("--only", nargs="+", choices=sorted(SUITE), help="run these only")
    parser.add_argument("--out", default=str(HERE / "results"), help="logs and summary folder")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per script")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(suffix=".jsonl", dir=out)
    os.close(fd)
    record = Path(name)
    print(machine(), flush=True)
    status = {}
    for bench in args.only or list(SUITE):
        full, quick = SUITE[bench]
        status[bench] = run_script(bench, quick if args.quick else full, out, record, args.timeout)
        print(f"  {bench:<12} {status[bench]}", flush=True)
    rows = [json.loads(line) for line in record.read_text("utf-8").splitlines() if line]
    record.unlink()
    text = f"{machine()}\n\n" + table(rows)
    (out / "summary.md").write_text(text, encoding="utf-8")
    (out / "summary.json").write_text(
        json.dumps({"machine": machine(), "scripts": status, "rows": rows}, indent=1),
        encoding="utf-8",
    )
    print("\n" + table(rows))
    print(f"logs and summary: {out}")


if __name__ == "__main__":
    main()
