"""What ``pilotdid measure`` does once its arguments are parsed (the parsing is in cli.py).

``pilotdid measure expy --trade 'baci/*.parquet' --gdp gdp.csv --regional customs.parquet
--level province --out expy.parquet`` computes PRODY from the trade records, then EXPY of every
value of ``--level``; with ``--tertiary shares.csv`` the output is the paper's city index
instead (tertiary share x provincial EXPY, and its log).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.errors import MeasureError
from pilotdid.measures._common import MeasureResult
from pilotdid.measures.build import ExpyInputs, build_expy
from pilotdid.measures.expy import city_esf
from pilotdid.measures.prody import prody, rca

__all__ = ["MEASURES", "measure_command", "spark_session"]

MEASURES = ("prody", "expy", "rca")


def spark_session(engine: str) -> Any:
    """Return ``SparkSession.builder.getOrCreate()`` for ``engine="spark"``, else ``None``."""
    if engine != "spark":
        return None
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise MeasureError(
            "--engine spark needs PySpark: pip install 'pilotdid[spark]' (and a Java runtime)"
        ) from None
    return SparkSession.builder.appName("pilotdid measure").getOrCreate()


def _read_table(path: str) -> pd.DataFrame:
    file = Path(path)
    if not file.is_file():
        raise MeasureError(f"--tertiary: file not found: {file}")
    if file.suffix.lower() in (".parquet", ".pq"):
        return pd.read_parquet(file)
    return pd.read_csv(file)


def measure_command(options: Mapping[str, Any], say: Callable[[str], None]) -> MeasureResult:
    """Compute the measure the options ask for, write it to ``options["out"]``; return it.

    Parameters
    ----------
    options : mapping
        The parsed command-line options (``measure``, ``trade``, ``gdp``, ``out`` ...).
    say : callable
        Prints one progress line.

    Returns
    -------
    MeasureResult
        What was written.
    """
    o = dict(options)
    start = time.perf_counter()
    stage = [0]

    def progress(text: str) -> None:
        stage[0] += 1
        say(f"  [{stage[0]}] {time.perf_counter() - start:7.1f} s  {text}")

    spark = spark_session(o["engine"])
    trade = o["trade"] if len(o["trade"]) > 1 else o["trade"][0]
    columns = {k: o[k] for k in ("year", "exporter", "product", "value")}
    if o["measure"] == "rca":
        progress("reading trade records and computing RCA")
        result = rca(trade, **columns, engine=o["engine"], spark=spark)
    elif o["gdp"] is None:
        raise MeasureError(f"pilotdid measure {o['measure']} needs --gdp (GDP per capita file)")
    elif o["measure"] == "prody":
        result = prody(
            trade, o["gdp"], **columns, quantity=o["quantity"], years=o["years"],
            window=o["window"], min_exports=o["min_exports"],
            quality_adjusted=o["quality_adjusted"], gdp_value=o["gdp_value"],
            engine=o["engine"], spark=spark, progress=progress,
        )  # fmt: skip
    else:
        result = _expy(o, trade, spark, progress)
    progress(f"writing {o['out']}")
    result.to_file(o["out"])
    for note in result.notes:
        say(f"  note: {note}")
    say(f"  wrote {o['out']}: {len(result.data):,} rows in {time.perf_counter() - start:.1f} s")
    return result


def _expy(o: dict[str, Any], trade: Any, spark: Any, progress: Any) -> MeasureResult:
    regional = None
    if o["regional"]:
        regional = o["regional"] if len(o["regional"]) > 1 else o["regional"][0]
    inputs = ExpyInputs(
        trade=trade, gdp=o["gdp"], regional=regional, level=o["level"] or o["exporter"],
        year=o["year"], exporter=o["exporter"], product=o["product"], value=o["value"],
        quantity=o["quantity"], regional_year=o["regional_year"],
        regional_product=o["regional_product"], regional_value=o["regional_value"],
        regional_digits=o["regional_digits"], years=o["years"], window=o["window"],
        min_exports=o["min_exports"], quality_adjusted=o["quality_adjusted"],
        gdp_value=o["gdp_value"], engine=o["engine"],
    )  # fmt: skip
    p, e = build_expy(inputs, spark=spark, progress=progress)
    if not o["tertiary"]:
        data = e.data.copy()
        data[o["log_name"]] = np.log(data["expy"].to_numpy())
        return MeasureResult(data, "expy", e.keys, e.engine, p.notes + e.notes, e.revision)
    progress("city index: tertiary share x provincial EXPY")
    shares = _read_table(o["tertiary"])
    year = o["regional_year"] or o["year"]
    esf = city_esf(
        e.data.rename(columns={inputs.level: o["province"]}), shares, province=o["province"],
        year=year, city=o["city"], share=o["share"], name=o["log_name"],
    )  # fmt: skip
    return MeasureResult(esf.data, "esf", esf.keys, e.engine, p.notes + e.notes + esf.notes)
