"""DuckDB and Spark run the same SQL: their results agree to 1e-9 (one local Spark session).

Skipped with a reason naming what is missing when PySpark or a Java runtime is absent
(``pip install 'pilotdid[spark]'``; Debian: ``apt-get install default-jre-headless``).
"""

import shutil

import numpy as np
import pandas as pd
import pytest

from pilotdid.measures import expy, prody, rca
from tests.measures.reference import random_trade

# PySpark 4 warns that it does not fully support pandas 3; the conversions used here work
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")

pytest.importorskip("pyspark", reason="PySpark is not installed: pip install 'pilotdid[spark]'")
if shutil.which("java") is None:
    pytest.skip(
        "no Java runtime for Spark (Debian: apt-get install default-jre-headless)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("pilotdid-tests")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    trade, gdp = random_trade(seed=11, n_countries=6, n_products=10)
    regional, _ = random_trade(seed=12, n_countries=4, n_products=12)
    folder = tmp_path_factory.mktemp("spark")
    for t, part in trade.groupby("t"):
        part.to_parquet(folder / f"BACI_HS17_Y{t}.parquet", index=False)
    gdp.to_csv(folder / "gdp.csv", index=False)
    regional.rename(columns={"i": "province"}).to_csv(folder / "customs.csv", index=False)
    return folder


def _same(a, b):
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for col in a.columns:
        if pd.api.types.is_numeric_dtype(a[col]):
            np.testing.assert_allclose(
                b[col].to_numpy(float), a[col].to_numpy(float), rtol=1e-9, atol=1e-12
            )
        else:
            assert list(a[col].astype(str)) == list(b[col].astype(str))


def _both(function, *args, spark, **options):
    duck = function(*args, **options)
    on_spark = function(*args, engine="spark", spark=spark, **options)
    _same(duck.data, on_spark.data)
    assert duck.notes == on_spark.notes and on_spark.engine == "spark"
    return duck


def test_prody_and_expy_agree(spark, files):
    # the default run: yearly and quality-adjusted PRODY, provincial EXPY from CSV
    trade, gdp = str(files / "BACI_*.parquet"), files / "gdp.csv"
    p = _both(prody, trade, gdp, spark=spark)
    _both(prody, trade, gdp, spark=spark, quantity="q", quality_adjusted=True)
    _both(expy, files / "customs.csv", p, spark=spark, level="province")
    assert not [v for v in spark.catalog.listTables() if v.name.startswith("pilotdid_")]


@pytest.mark.slow
def test_every_variant_agrees(spark, files):
    trade, gdp = str(files / "BACI_*.parquet"), files / "gdp.csv"
    _both(prody, trade, gdp, spark=spark, years=[2017, 2018])
    _both(prody, trade, gdp, spark=spark, window=2, min_exports=50.0)
    _both(rca, trade, spark=spark)
    p = prody(trade, gdp, quantity="q", quality_adjusted=True)
    _both(expy, files / "customs.csv", p, spark=spark, level="province", quantity="q",
          quality_adjusted=True)  # fmt: skip
    # a DataFrame input goes through spark.createDataFrame
    frame = pd.read_csv(files / "customs.csv", dtype={"k": str})
    _both(expy, frame, prody(trade, gdp), spark=spark, level="province")
