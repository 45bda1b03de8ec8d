"""The whole chain, raw trade records -> PRODY -> regional EXPY (-> city ESF), in one call.

The command line (``pilotdid measure expy``) and the study file's ``[measures]`` section both
run :func:`build_expy`, so the two give the same numbers as the API calls they stand for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pilotdid.measures._common import MeasureResult
from pilotdid.measures._engine import Source
from pilotdid.measures.expy import expy
from pilotdid.measures.prody import prody

__all__ = ["ExpyInputs", "build_expy"]


@dataclass(frozen=True)
class ExpyInputs:
    """Everything :func:`build_expy` needs: the inputs and the column names.

    Attributes
    ----------
    trade, gdp : path, glob pattern, list of them, or pandas.DataFrame
        World trade records and GDP per capita (see :func:`pilotdid.measures.prody`).
    regional : path, pattern or DataFrame, optional
        Export records of the regions; ``None`` uses ``trade`` itself (country EXPY).
    level : str
        The region column of ``regional`` (``"i"``, the exporter, for country EXPY).
    year, exporter, product, value, quantity : str
        Columns of ``trade`` (BACI: ``t``, ``i``, ``k``, ``v``, ``q``).
    regional_year, regional_product, regional_value, regional_quantity : str, optional
        Columns of ``regional`` (default: the trade names).
    regional_digits : int
        Code length of ``regional`` (8 for Chinese customs HS8).
    years, window, min_exports, quality_adjusted, gdp_value, engine
        As in :func:`pilotdid.measures.prody`.
    """

    trade: Source
    gdp: Source
    regional: Source | None = None
    level: str = "i"
    year: str = "t"
    exporter: str = "i"
    product: str = "k"
    value: str = "v"
    quantity: str | None = None
    regional_year: str | None = None
    regional_product: str | None = None
    regional_value: str | None = None
    regional_quantity: str | None = None
    regional_digits: int = 6
    years: Sequence[int] | None = None
    window: int | None = None
    min_exports: float = 0.0
    quality_adjusted: bool = False
    gdp_value: str = "gdppc"
    engine: str = "duckdb"


def build_expy(
    inputs: ExpyInputs,
    *,
    spark: Any = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[MeasureResult, MeasureResult]:
    """Compute PRODY from world trade, then EXPY of every region: ``(prody, expy)``.

    Parameters
    ----------
    inputs : ExpyInputs
        The inputs and their column names.
    spark : pyspark.sql.SparkSession, optional
        The session for ``inputs.engine == "spark"``.
    progress : callable, optional
        Called with a short text at each stage.

    Returns
    -------
    tuple of MeasureResult
        PRODY and EXPY.

    Examples
    --------
    >>> import pandas as pd
    >>> trade = pd.DataFrame({"t": 2019, "i": ["A", "A", "B"], "k": ["010121", "020110", "020110"],
    ...                       "v": [1.0, 1.0, 2.0]})
    >>> gdp = pd.DataFrame({"t": 2019, "i": ["A", "B"], "gdppc": [10.0, 40.0]})
    >>> p, e = build_expy(ExpyInputs(trade, gdp))
    >>> e.data[["i", "expy"]]
       i  expy
    0  A  20.0
    1  B  30.0
    """
    n = inputs
    p = prody(
        n.trade, n.gdp, year=n.year, exporter=n.exporter, product=n.product, value=n.value,
        quantity=n.quantity, years=n.years, window=n.window, min_exports=n.min_exports,
        quality_adjusted=n.quality_adjusted, gdp_value=n.gdp_value, engine=n.engine,
        spark=spark, progress=progress,
    )  # fmt: skip
    regional = n.regional if n.regional is not None else n.trade
    e = expy(
        regional, p, level=n.level, year=n.regional_year or n.year,
        product=n.regional_product or n.product, value=n.regional_value or n.value,
        quantity=n.regional_quantity or n.quantity, quality_adjusted=n.quality_adjusted,
        digits=n.regional_digits, engine=n.engine, spark=spark, progress=progress,
    )  # fmt: skip
    return p, e
