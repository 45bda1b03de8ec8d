"""PRODY and provincial/city EXPY from BACI-like trade records: DuckDB, Spark and pandas.

Generates a BACI-like Parquet data set (default: 100 million bilateral rows, 200 exporters x
200 importers x 5,000 HS6 products, sparse, 5 years; one file per year and chunk), Chinese
customs-like regional exports (300 cities in 31 provinces, HS8 codes), then runs in the same
invocation, each engine in its own process:

* ``duckdb``: :func:`pilotdid.measures.prody` + :func:`~pilotdid.measures.expy` (province, city);
* ``spark``: the same calls with ``engine="spark"`` on a local-mode session (skipped if PySpark or
  Java is missing);
* ``pandas``: a plain vectorised pandas implementation (read, groupby, merge; no loops).

Each engine runs ``--repeat`` times (default 3), interleaved with the others, each run in a
fresh process that starts with the input files in the OS file cache. The median time, the range,
the peak resident memory of its process tree (the Spark JVM included, sampled every 0.1 s) and
the ratio to DuckDB are printed, and the engines' PRODY and EXPY are compared (largest relative
difference).

Usage::

    python benchmarks/bench_measures.py                         # 100M rows (the issue's size)
    python benchmarks/bench_measures.py --rows 2e7 --engines duckdb pandas spark
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

N_EXPORTERS, N_IMPORTERS, N_PRODUCTS, N_CITIES, N_PROVINCES = 200, 200, 5000, 300, 31
CHUNK = 5_000_000


sys.path.insert(0, str(Path(__file__).parent))
from _record import record, version  # noqa: E402


def generate(folder: Path, rows: int, years: int, seed: int) -> None:
    """Write trade/*.parquet, gdp.parquet and customs.parquet under ``folder``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    first = 2015
    codes = pa.array([f"{(7 * i) % 97 + 1:02d}{i:04d}" for i in range(N_PRODUCTS)])
    # exporters differ in size (lognormal) and in GDP per capita
    size = rng.lognormal(0, 1.5, N_EXPORTERS)
    size /= size.sum()
    (folder / "trade").mkdir(parents=True, exist_ok=True)
    per_year = rows // years
    for y in range(years):
        done = 0
        while done < per_year:
            n = min(CHUNK, per_year - done)
            i = rng.choice(N_EXPORTERS, n, p=size).astype(np.int16)
            j = rng.integers(0, N_IMPORTERS, n, dtype=np.int16)
            k = rng.integers(0, N_PRODUCTS, n, dtype=np.int32)
            v = rng.lognormal(3, 2, n)
            q = v / rng.lognormal(0, 0.5, n)
            table = pa.table({
                "t": pa.array(np.full(n, first + y, dtype=np.int16)), "i": i, "j": j,
                "k": pa.DictionaryArray.from_arrays(pa.array(k), codes), "v": v, "q": q,
            })  # fmt: skip
            pq.write_table(table, folder / "trade" / f"BACI_HS17_Y{first + y}_{done}.parquet")
            done += n
    gdp = {
        "t": np.repeat(np.arange(first, first + years), N_EXPORTERS),
        "i": np.tile(np.arange(N_EXPORTERS), years),
        "gdppc": np.tile(rng.lognormal(9, 1, N_EXPORTERS), years),
    }
    pq.write_table(pa.table(gdp), folder / "gdp.parquet")
    n = N_CITIES * 2000 * years  # each city exports ~2,000 HS8 lines a year
    city = rng.integers(0, N_CITIES, n)
    hs8 = pa.array(
        [f"{(7 * i) % 97 + 1:02d}{i:04d}{s:02d}" for i in range(N_PRODUCTS) for s in (10, 90)]
    )
    customs = pa.table({
        "year": np.repeat(np.arange(first, first + years), N_CITIES * 2000),
        "city": city, "province": city % N_PROVINCES,
        "hs8": pa.DictionaryArray.from_arrays(pa.array(rng.integers(0, 2 * N_PRODUCTS, n, dtype=np.int32)), hs8),
        "value": rng.lognormal(2, 2, n),
    })  # fmt: skip
    pq.write_table(customs, folder / "customs.parquet")


def run_pilotdid(folder: Path, engine: str) -> dict:
    from pilotdid.measures import expy, prody

    spark = None
    if engine == "spark":
        from pyspark.sql import SparkSession

        spark = (
            SparkSession.builder.master("local[*]").config("spark.driver.memory", "6g")
            .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "16").getOrCreate()
        )  # fmt: skip
        spark.sparkContext.setLogLevel("ERROR")
    start = time.perf_counter()
    p = prody(
        str(folder / "trade" / "*.parquet"), folder / "gdp.parquet", engine=engine, spark=spark
    )
    out = {"prody_s": time.perf_counter() - start}
    e = {}
    for level in ("province", "city"):
        e[level] = expy(
            folder / "customs.parquet", p, level=level, year="year", product="hs8", value="value",
            digits=8, engine=engine, spark=spark,
        ).data  # fmt: skip
    out["seconds"] = time.perf_counter() - start
    out["prody"] = p.data.set_index(["t", "k"])["prody"].to_dict()
    out["expy"] = {lv: e[lv].set_index(["year", lv])["expy"].to_dict() for lv in e}
    return out


def run_pandas(folder: Path) -> dict:
    import pandas as pd

    start = time.perf_counter()
    trade = pd.read_parquet(folder / "trade", columns=["t", "i", "k", "v"])
    gdp = pd.read_parquet(folder / "gdp.parquet")
    x = trade.groupby(["t", "i", "k"], observed=True, as_index=False)["v"].sum()
    del trade
    x["s"] = x["v"] / x.groupby(["t", "i"])["v"].transform("sum")
    x = x.merge(gdp, on=["t", "i"])
    x["w"] = x["s"] * x["gdppc"]
    g = x.groupby(["t", "k"], observed=True)[["w", "s"]].sum()
    prody = (g["w"] / g["s"]).rename("prody")
    out = {"prody_s": time.perf_counter() - start}
    customs = pd.read_parquet(folder / "customs.parquet")
    customs["k"] = customs["hs8"].astype(str).str[:6]
    p = prody.reset_index()
    p["k"] = p["k"].astype(str)
    res = {}
    for level in ("province", "city"):
        r = customs.groupby(["year", level, "k"], as_index=False)["value"].sum()
        r = r.merge(p, left_on=["year", "k"], right_on=["t", "k"])
        r["s"] = r["value"] / r.groupby(["year", level])["value"].transform("sum")
        r["e"] = r["s"] * r["prody"]
        res[level] = r.groupby(["year", level])["e"].sum().to_dict()
    out["seconds"] = time.perf_counter() - start
    out["prody"] = {(int(t), str(k)): float(v) for (t, k), v in prody.items()}
    out["expy"] = res
    return out


def child(folder: str, engine: str, result: str) -> None:
    out = run_pandas(Path(folder)) if engine == "pandas" else run_pilotdid(Path(folder), engine)
    keyed = {"seconds": out["seconds"], "prody_s": out["prody_s"],
             "prody": {f"{t}|{k}": v for (t, k), v in out["prody"].items()},
             "expy": {lv: {f"{y}|{r}": v for (y, r), v in d.items()} for lv, d in out["expy"].items()}}  # fmt: skip
    Path(result).write_text(json.dumps(keyed))


def measure(folder: Path, engine: str, timeout: float) -> dict:
    """Run one engine in a fresh process; sample the RSS of its process tree."""
    import psutil

    result = folder / f"result_{engine}.json"
    result.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(folder), engine, str(result)])
    peak = [0]

    def sample() -> None:
        parent = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                tree = [parent, *parent.children(recursive=True)]
                peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            time.sleep(0.1)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    start = time.perf_counter()
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = "timeout"
    watcher.join()
    wall = time.perf_counter() - start
    if code != 0 or not result.exists():
        return {"engine": engine, "failed": f"exit {code}", "wall": wall, "peak_gb": peak[0] / 1e9}
    out = json.loads(result.read_text())
    return {"engine": engine, "wall": wall, "peak_gb": peak[0] / 1e9, **out}


def warm(folder: Path) -> None:
    """Read every input file once, so that each engine starts with them in the OS file cache."""
    for path in folder.rglob("*.parquet"):
        with open(path, "rb") as fh:
            while fh.read(1 << 24):
                pass


def repeated(folder: Path, engines: list[str], repeat: int, timeout: float):
    """Run the engines in turn ``repeat`` times (interleaved, so drifting load hits all alike)."""
    runs: dict[str, list[dict]] = {e: [] for e in engines}
    for _ in range(repeat):
        for e in engines:
            if runs[e] and "failed" in runs[e][-1]:
                continue
            warm(folder)
            runs[e].append(measure(folder, e, timeout))
    return runs.items()


def summarise(engine: str, runs: list[dict]) -> dict:
    """The median run's numbers (PRODY and EXPY from the first run), all times, the largest peak."""
    if any("failed" in r for r in runs):
        return next(r for r in runs if "failed" in r)
    times = [r["seconds"] for r in runs]
    out = dict(runs[0])
    out["times"] = times
    out["seconds"] = float(np.median(times))
    out["prody_s"] = float(np.median([r["prody_s"] for r in runs]))
    out["peak_gb"] = max(r["peak_gb"] for r in runs)
    return out


def max_rel(a: dict, b: dict) -> float:
    keys = a.keys() & b.keys()
    if not keys or len(keys) != len(a):
        return float("nan")
    x = np.array([a[k] for k in keys])
    y = np.array([b[k] for k in keys])
    return float(np.max(np.abs(x - y) / np.abs(x)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=float, default=1e8, help="bilateral rows (default 1e8)")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark", "pandas"])
    parser.add_argument("--folder", help="keep the data here (default: a temporary folder)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per engine")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per engine (median shown)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    folder = Path(args.folder or tempfile.mkdtemp(prefix="bench-measures-"))
    try:
        run(folder, args)
    finally:
        if not args.folder:  # a temporary data set (2 GB at 1e8 rows) is not left behind
            shutil.rmtree(folder, ignore_errors=True)


def run(folder: Path, args: argparse.Namespace) -> None:
    """Generate the data if needed, run the engines, print and record the table."""
    if not (folder / "trade").exists():
        start = time.perf_counter()
        generate(folder, int(args.rows), args.years, args.seed)
        size = sum(f.stat().st_size for f in folder.rglob("*.parquet")) / 1e9
        print(f"generated {int(args.rows):,} rows ({size:.2f} GB Parquet) in "
              f"{time.perf_counter() - start:.0f} s: {folder}")  # fmt: skip
    runs = [summarise(e, ts) for e, ts in repeated(folder, args.engines, args.repeat, args.timeout)]
    base = next((r for r in runs if r["engine"] == "duckdb" and "failed" not in r), None)
    print(f"\n{'engine':<8} {'PRODY s':>8} {'total s':>8} {'range s':>12} {'peak GB':>8} "
          f"{'x DuckDB':>9}  agreement")  # fmt: skip
    for r in runs:
        if "failed" in r:
            print(f"{r['engine']:<8} failed ({r['failed']}) after {r['wall']:.0f} s, "
                  f"peak {r['peak_gb']:.2f} GB")  # fmt: skip
            continue
        ratio = r["seconds"] / base["seconds"] if base else float("nan")
        agree = ""
        if base and r is not base:
            diffs = [max_rel(base["prody"], r["prody"])]
            diffs += [max_rel(base["expy"][lv], r["expy"][lv]) for lv in ("province", "city")]
            agree = f"max rel. diff {max(diffs):.1e}"
        spread = f"{min(r['times']):.1f}-{max(r['times']):.1f}"
        print(f"{r['engine']:<8} {r['prody_s']:8.1f} {r['seconds']:8.1f} {spread:>12} "
              f"{r['peak_gb']:8.2f} {ratio:9.2f}  {agree}")  # fmt: skip
    pandas = next((r for r in runs if r["engine"] == "pandas"), None)
    for r in runs:
        if r["engine"] == "pandas" or "failed" in r:
            continue
        peer_ok = pandas is not None and "failed" not in pandas
        record("measures", f"{int(args.rows):,} rows, PRODY + EXPY, {r['engine']}",
               times=r["times"], peak_gb=r["peak_gb"], peer=version("pandas"),
               peer_times=pandas["times"] if peer_ok else None,
               peer_peak_gb=pandas["peak_gb"] if peer_ok else None,
               peer_note=None if peer_ok else (pandas or {}).get("failed", "not run"),
               data="BACI-like Parquet, 200 exporters x 5,000 products",
               target="<= 1/5 of pandas, <= 60 s, <= 4 GB")  # fmt: skip


if __name__ == "__main__":
    main()
