"""Where the SQL of :mod:`pilotdid.measures._sql` runs: DuckDB (embedded) or a Spark session.

Both engines do the same four things: register an input (files read in place, or a DataFrame)
as a named view, list a view's columns, materialise a query as a table (the one pass over the raw
records), and fetch a query's (small) result as a pandas DataFrame. Neither computes anything of
its own. ``duckdb`` and ``pyspark`` are imported here, on first use only.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from pilotdid.errors import MeasureError
from pilotdid.measures._sql import DUCKDB, SPARK, Dialect

__all__ = ["Engine", "Files", "Source", "open_engine", "resolve_source"]

Source = str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | pd.DataFrame

_KINDS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv", ".txt": "csv"}
_REVISION = re.compile(r"(?<![A-Za-z0-9])HS(\d{2})(?!\d)", re.IGNORECASE)


@dataclass(frozen=True)
class Files:
    """Input files of one kind (Parquet or CSV), expanded from the user's paths and patterns."""

    paths: tuple[str, ...]
    kind: Literal["parquet", "csv"]
    label: str

    def revisions(self) -> set[str]:
        """HS revisions named in the file names (``BACI_HS17_Y2019_V202401.csv`` -> ``HS17``)."""
        found = (_REVISION.search(Path(p).name) for p in self.paths)
        return {f"HS{m.group(1)}" for m in found if m}


def _kind(path: str) -> str | None:
    name = path.lower()
    for suffix in (".gz", ".zst", ".bz2"):
        name = name.removesuffix(suffix)
    return _KINDS.get(Path(name).suffix)


def _expand(item: str) -> list[str]:
    if "://" in item:  # a remote URI (s3://, hdfs://): the engine resolves it
        return [item]
    path = Path(item).expanduser()
    if path.is_dir():
        return sorted(str(p) for p in path.rglob("*") if p.is_file() and _kind(str(p)))
    if glob.has_magic(item):
        return sorted(glob.glob(str(path), recursive=True))
    return [str(path)] if path.is_file() else []


def resolve_source(source: Source, what: str) -> pd.DataFrame | Files:
    """Return a DataFrame as it is, or the files a path, pattern or list of them names.

    Raises
    ------
    MeasureError
        Nothing matches, a file has an extension that is neither Parquet nor CSV, or the files
        mix the two.
    """
    if isinstance(source, pd.DataFrame):
        return source
    items = [source] if isinstance(source, str | os.PathLike) else list(source)
    if not items:
        raise MeasureError(f"{what}: no input given; pass a file, a glob pattern or a DataFrame")
    paths: list[str] = []
    for item in items:
        found = _expand(os.fspath(item))
        if not found:
            raise MeasureError(f"{what}: no file matches {os.fspath(item)!r}; check the path")
        paths += found
    kinds = {_kind(p) for p in paths}
    if None in kinds:
        bad = next(p for p in paths if _kind(p) is None)
        raise MeasureError(
            f"{what}: {bad!r} is neither Parquet (.parquet) nor CSV (.csv, .csv.gz, .tsv)"
        )
    if len(kinds) > 1:
        raise MeasureError(f"{what}: the files mix Parquet and CSV; convert them to one format")
    label = ", ".join(os.fspath(i) for i in items)
    return Files(tuple(paths), "parquet" if kinds == {"parquet"} else "csv", label)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Engine:
    """Base class: a named engine that registers inputs, materialises and fetches queries."""

    dialect: Dialect = DUCKDB

    def __init__(self) -> None:
        self.prefix = f"pilotdid_{uuid.uuid4().hex[:10]}_"
        self.made: list[str] = []

    def name(self, role: str) -> str:
        """Return the engine-side name of a view or table for ``role`` (unique per call)."""
        return self.prefix + role

    def register(self, role: str, source: pd.DataFrame | Files) -> str:
        """Register ``source`` as a view; return its name."""
        raise NotImplementedError

    def columns(self, name: str) -> list[str]:
        """Return the column names of a view or table."""
        raise NotImplementedError

    def materialize(self, role: str, sql: str) -> str:
        """Run ``sql`` once and keep its result as a table; return its name."""
        raise NotImplementedError

    def fetch(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` and return its result as a pandas DataFrame."""
        raise NotImplementedError

    def close(self) -> None:
        """Drop what this call made (the engine itself stays open if the user owns it)."""


class DuckDBEngine(Engine):
    """The embedded default: reads Parquet/CSV in place, spills to disk beyond memory."""

    dialect = DUCKDB

    def __init__(self) -> None:
        super().__init__()
        import duckdb

        self._error = duckdb.Error
        self._tmp = tempfile.mkdtemp(prefix="pilotdid-duckdb-")
        self.con = duckdb.connect(
            ":memory:", config={"temp_directory": self._tmp, "preserve_insertion_order": False}
        )

    def _run(self, sql: str, what: str) -> Any:
        try:
            return self.con.execute(sql)
        except self._error as exc:
            raise MeasureError(f"{what}: DuckDB: {str(exc).splitlines()[0]}") from None

    def register(self, role: str, source: pd.DataFrame | Files) -> str:
        name = self.name(role)
        if isinstance(source, pd.DataFrame):
            self.con.register(name + "_df", source)
            reader = self.dialect.ident(name + "_df")
        elif source.kind == "parquet":
            files = "[" + ", ".join(_literal(p) for p in source.paths) + "]"
            reader = f"read_parquet({files}, union_by_name = true)"
        else:
            files = "[" + ", ".join(_literal(p) for p in source.paths) + "]"
            reader = f"read_csv({files}, header = true, all_varchar = true, union_by_name = true)"
        self._run(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {reader}", role)
        return name

    def columns(self, name: str) -> list[str]:
        return [str(row[0]) for row in self._run(f"DESCRIBE {name}", name).fetchall()]

    def materialize(self, role: str, sql: str) -> str:
        name = self.name(role)
        self._run(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}", role)
        return name

    def fetch(self, sql: str) -> pd.DataFrame:
        frame: pd.DataFrame = self._run(sql, "query").df()
        return frame

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self._tmp, ignore_errors=True)


class SparkEngine(Engine):
    """The same queries on a user's ``SparkSession`` (local mode or a cluster)."""

    dialect = SPARK

    def __init__(self, spark: Any) -> None:
        super().__init__()
        self.spark = spark
        self._cached: list[Any] = []

    def _guard(self, what: str, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except Exception as exc:  # pyspark raises AnalysisException, Py4JJavaError ...
            if type(exc).__module__.split(".")[0] not in ("pyspark", "py4j"):
                raise
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise MeasureError(f"{what}: Spark: {first}") from None

    def register(self, role: str, source: pd.DataFrame | Files) -> str:
        name = self.name(role)
        read = self.spark.read
        if isinstance(source, pd.DataFrame):
            frame = self._guard(role, self.spark.createDataFrame, source)
        elif source.kind == "parquet":
            frame = self._guard(role, read.parquet, *source.paths)
        else:
            sep = (
                "\t" if any(p.lower().endswith((".tsv", ".tsv.gz")) for p in source.paths) else ","
            )
            reader = read.option("header", "true").option("sep", sep)
            frame = self._guard(role, reader.csv, list(source.paths))
        frame.createOrReplaceTempView(name)
        self.made.append(name)
        return name

    def columns(self, name: str) -> list[str]:
        return [str(c) for c in self.spark.table(name).columns]

    def materialize(self, role: str, sql: str) -> str:
        name = self.name(role)
        frame = self._guard(role, self.spark.sql, sql).persist()
        self._guard(role, frame.count)
        self._cached.append(frame)
        frame.createOrReplaceTempView(name)
        self.made.append(name)
        return name

    def fetch(self, sql: str) -> pd.DataFrame:
        frame: pd.DataFrame = self._guard("query", lambda: self.spark.sql(sql).toPandas())
        return frame

    def close(self) -> None:
        for name in self.made:
            self.spark.catalog.dropTempView(name)
        for frame in self._cached:
            frame.unpersist()


def open_engine(engine: str, spark: Any = None) -> Engine:
    """Return a fresh engine: ``"duckdb"`` (embedded) or ``"spark"`` (needs ``spark=``)."""
    if engine == "duckdb":
        try:
            return DuckDBEngine()
        except ImportError:
            raise MeasureError(
                "engine='duckdb' needs the duckdb package: pip install duckdb"
            ) from None
    if spark is None:
        raise MeasureError(
            "engine='spark' needs a SparkSession: pass spark=SparkSession.builder.getOrCreate() "
            "(install it with pip install 'pilotdid[spark]')"
        )
    return SparkEngine(spark)
