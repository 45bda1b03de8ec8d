"""PRODY (Hausmann, Hwang & Rodrik 2007), its quality-adjusted form (Xu 2010) and Balassa's RCA.

The computation is one SQL definition (:mod:`pilotdid.measures._sql`) run by DuckDB (default)
or Spark; pandas only receives the result, one row per product (and year).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pilotdid.errors import MeasureError
from pilotdid.measures._common import (
    MeasureResult,
    aggregate,
    check_engine,
    open_records,
    register_checked,
)
from pilotdid.measures._engine import Engine, Source, open_engine
from pilotdid.measures._sql import gdp_sql, prody_drops_sql, prody_sql, rca_sql
from pilotdid.measures.direct import direct_prody, exporter_totals

__all__ = ["prody", "rca"]

Progress = Callable[[str], None]


def _base_choice(years: Sequence[int] | None, window: int | None, quality: bool) -> None:
    if years is not None and window is not None:
        raise MeasureError("prody: pass years= (fixed base) or window= (rolling), not both")
    if years is not None and len(list(years)) == 0:
        raise MeasureError("prody: years= is empty; give the base years, e.g. [1999, 2000, 2001]")
    if window is not None and int(window) < 1:
        raise MeasureError(f"prody: window={window} must be a positive number of years")
    if quality and (years is not None or window is not None):
        raise MeasureError(
            "prody: the quality-adjusted PRODY is computed year by year (unit values are in "
            "current prices); omit years= and window="
        )


def prody(
    trade: Source,
    gdp: Source,
    *,
    year: str = "t",
    exporter: str = "i",
    product: str = "k",
    value: str = "v",
    quantity: str | None = None,
    years: Sequence[int] | None = None,
    window: int | None = None,
    min_exports: float = 0.0,
    quality_adjusted: bool = False,
    theta: float = 0.2,
    gdp_country: str | None = None,
    gdp_year: str | None = None,
    gdp_value: str = "gdppc",
    digits: int = 6,
    revision: str | None = None,
    engine: str = "duckdb",
    spark: Any = None,
    progress: Progress | None = None,
) -> MeasureResult:
    r"""PRODY_k: the income level associated with product k (Hausmann, Hwang & Rodrik 2007).

    .. math:: PRODY_k = \sum_c \frac{x_{ck}/X_c}{\sum_{c'} x_{c'k}/X_{c'}}\, Y_c

    with :math:`x_{ck}` exports of product k by exporter c (summed over importers),
    :math:`X_c = \sum_k x_{ck}` and :math:`Y_c` GDP per capita, for each year.

    Parameters
    ----------
    trade : path, glob pattern, list of them, or pandas.DataFrame
        Bilateral trade records (Parquet or CSV, read in place), e.g. CEPII BACI's
        ``t, i, j, k, v, q`` (year, exporter, importer, HS6 product, value, quantity), the
        documented default column names. Importers are summed over.
    gdp : path, glob pattern, list of them, or pandas.DataFrame
        GDP per capita by exporter and year (HHR use PPP real GDP per capita). Exporters
        without a positive GDP per capita in a year are left out of that year (counted).
    year, exporter, product, value : str
        Column names in ``trade`` (BACI: ``t``, ``i``, ``k``, ``v``).
    quantity : str, optional
        Quantity column (BACI: ``q``); needed for ``quality_adjusted``.
    years : sequence of int, optional
        **Fixed base**: PRODY is computed for each of these years and averaged per product
        (the mean over the base years in which the product is exported; ``n_years`` counts
        them), giving one PRODY per product without a year column. HHR use 1999-2001.
    window : int, optional
        **Rolling base**: PRODY of year t is the mean of the yearly PRODY over years
        t-window+1 ... t (those present). Default (neither): each year's own PRODY. The choice
        changes results (prices and the exporter sample move with the year), so state it.
    min_exports : float, default 0
        Exporter-years whose total exports are below this value are left out (counted), as
        studies do to keep tiny exporters from driving PRODY.
    quality_adjusted : bool, default False
        Xu's (2010) unit-value adjustment: for exporter c, :math:`PRODY^{q}_{ck} =
        (p_{ck}/\bar p_k)^{\theta} PRODY_k` with :math:`p_{ck}` its unit value (value over
        quantity) and :math:`\bar p_k = \sum_c \mu_{ck} p_{ck}` the export-share-weighted world
        unit value (over exporters reporting a quantity). Rows become year x exporter x product.
    theta : float, default 0.2
        The exponent of the quality index (Xu 2010 uses 0.2).
    gdp_country, gdp_year : str, optional
        Exporter and year columns of ``gdp`` (default: the same names as in ``trade``).
    gdp_value : str, default "gdppc"
        GDP per capita column of ``gdp``.
    digits : int, default 6
        Length of the product codes. Codes are read as text; a shorter code (an HS6 code stored
        as a number loses its leading zero: ``10121``) is left-padded with zeros. Codes of any
        other length are refused, so HS4/HS6 or HS6/HS8 mixes cannot pass silently.
    revision : str, optional
        A column naming the HS revision of each record (e.g. ``"HS17"``). More than one value is
        refused. Without it, file names are read: BACI's ``BACI_HS17_Y2019_...`` name their
        revision, and files of several revisions are refused.
    engine : {"duckdb", "spark"}, default "duckdb"
        DuckDB runs embedded, reads the files in place and spills to disk beyond memory; Spark
        runs the same SQL on ``spark`` (local mode or a cluster).
    spark : pyspark.sql.SparkSession, optional
        The session for ``engine="spark"``.
    progress : callable, optional
        Called with a short text at each stage.

    Returns
    -------
    MeasureResult
        ``data`` columns: ``year``, ``product``, ``prody``, ``n_exporters`` (fixed base: no
        year, plus ``n_years``; rolling: plus ``n_years``; quality-adjusted: ``year``,
        ``exporter``, ``product``, ``prody`` (adjusted), ``prody_hhr``, ``quality``,
        ``unit_value``, ``world_unit_value``).

    Raises
    ------
    MeasureError
        Missing files or columns, product codes of several lengths or revisions, no exporter
        with GDP per capita, a base year without records.

    Examples
    --------
    >>> import pandas as pd
    >>> trade = pd.DataFrame({"t": 2019, "i": ["A", "A", "B"], "j": "Z",
    ...                       "k": ["010121", "020110", "020110"], "v": [1.0, 1.0, 2.0]})
    >>> gdp = pd.DataFrame({"t": 2019, "i": ["A", "B"], "gdppc": [10.0, 40.0]})
    >>> prody(trade, gdp).data
          t       k  prody  n_exporters
    0  2019  010121   10.0            1
    1  2019  020110   30.0            2
    """
    check_engine(engine, spark)
    _base_choice(years, window, quality_adjusted)
    if quality_adjusted and quantity is None:
        raise MeasureError("prody: quality_adjusted=True needs quantity= (BACI: 'q')")
    say = progress or (lambda _text: None)
    eng = open_engine(engine, spark)
    try:
        say("reading and summing trade records")
        direct = not quality_adjusted  # two small passes, or the exporter x product table
        if direct:
            needed: dict[str, str | None] = {"year": year, "exporter": exporter}
            needed |= {"product": product, "value": value, "quantity": quantity}
            needed |= {"revision": revision}
            view, file_revisions = open_records(eng, "trade", trade, "trade", needed)
            raw, totals = exporter_totals(
                eng, view, year=year, exporter=exporter, product=product, value=value,
                revision=revision, years=years,
            )  # fmt: skip
        g = _checked_gdp(eng, gdp, gdp_country or exporter, gdp_year or year, gdp_value)
        say("computing PRODY")
        names = {"t": year, "c": exporter, "k": product}
        found = None
        if direct:
            found = direct_prody(
                eng, raw, totals, g, product=product, revision=revision, digits=digits,
                years=years, window=window, min_exports=min_exports, names=names,
                file_revisions=file_revisions,
            )  # fmt: skip
        if found is None:
            agg = aggregate(
                eng, "trade", trade, "trade", year=year, unit=exporter, unit_arg="exporter",
                product=product, value=value, quantity=quantity, revision=revision,
                digits=digits, years=years,
            )  # fmt: skip
            theta_arg = float(theta) if quality_adjusted else None
            sql = prody_sql(eng.dialect, agg.name, g, names=names, min_exports=min_exports,
                            years=years, window=window, quality_theta=theta_arg)  # fmt: skip
            data, hs, read_notes, cells = eng.fetch(sql), agg.revision, list(agg.notes), agg.name
        else:
            (data, hs, read_notes), cells = found, totals
        drops = eng.fetch(prody_drops_sql(cells, g, min_exports)).iloc[0]
    finally:
        eng.close()
    if data.empty:
        raise MeasureError(
            "prody: no product is left: no exporter has both exports and a positive GDP per "
            "capita in the same year; check that the exporter codes of trade and gdp match"
        )
    notes = read_notes + _drop_notes(drops, min_exports)
    base = (
        f"fixed base: mean of the yearly PRODY over {sorted(int(y) for y in years)}"
        if years
        else f"rolling base: mean of the yearly PRODY over the last {window} years"
        if window
        else "yearly (each year's own exporters and GDP per capita)"
    )
    notes.append("PRODY: " + base + (f"; quality-adjusted (Xu 2010, theta={theta:g})"
                                     if quality_adjusted else ""))  # fmt: skip
    keys = (
        (year, exporter, product) if quality_adjusted else (product,) if years else (year, product)
    )
    return MeasureResult(data, "prody", keys, engine, tuple(notes), hs)


def _checked_gdp(eng: Engine, gdp: Source, country: str, year: str, value: str) -> str:
    """Register GDP per capita; refuse an exporter-year given twice; return its SQL."""
    g_view, _ = register_checked(
        eng, "gdp", gdp, "gdp", {"gdp_country": country, "gdp_year": year, "gdp_value": value}
    )
    g = gdp_sql(eng.dialect, g_view, country=country, year=year, value=value)
    dup = eng.fetch(
        f"SELECT COUNT(*) AS n FROM (SELECT t, c FROM ({g}) x GROUP BY t, c HAVING COUNT(*) > 1) d"
    )
    if int(dup["n"].iloc[0]):
        raise MeasureError(
            f"gdp: {int(dup['n'].iloc[0]):,} exporter-years appear more than once; keep one "
            "GDP per capita per exporter and year"
        )
    return g


def _drop_notes(drops: Any, min_exports: float) -> list[str]:
    out = []
    if int(drops["nogdp_units"] or 0):
        share = float(drops["nogdp_value"] or 0) / float(drops["value"] or 1)
        out.append(
            f"trade: {int(drops['nogdp_units']):,} exporter-years without GDP per capita left "
            f"out ({int(drops['nogdp_rows']):,} records, {share:.1%} of export value)"
        )
    if int(drops["small_units"] or 0):
        out.append(
            f"trade: {int(drops['small_units']):,} exporter-years with total exports below "
            f"min_exports={min_exports:g} (or none) left out ({int(drops['small_rows']):,} records)"
        )
    return out


def rca(
    trade: Source,
    *,
    year: str = "t",
    exporter: str = "i",
    product: str = "k",
    value: str = "v",
    digits: int = 6,
    revision: str | None = None,
    engine: str = "duckdb",
    spark: Any = None,
) -> MeasureResult:
    """Balassa's revealed comparative advantage ``RCA_ck = (x_ck / X_c) / (X_k / X_w)``.

    Parameters
    ----------
    trade : path, glob pattern, list of them, or pandas.DataFrame
        Trade records as for :func:`prody` (importers are summed over).
    year, exporter, product, value : str
        Column names (BACI defaults ``t``, ``i``, ``k``, ``v``).
    digits : int, default 6
        Length of the product codes (see :func:`prody`).
    revision : str, optional
        Column naming the HS revision (see :func:`prody`).
    engine : {"duckdb", "spark"}, default "duckdb"
        Where the query runs.
    spark : pyspark.sql.SparkSession, optional
        The session for ``engine="spark"``.

    Returns
    -------
    MeasureResult
        ``data`` columns ``year``, ``exporter``, ``product``, ``rca``, ``exports`` for every
        exporter-product-year with positive exports.

    Examples
    --------
    >>> import pandas as pd
    >>> trade = pd.DataFrame({"t": 2019, "i": ["A", "A", "B"], "k": ["010121", "020110", "020110"],
    ...                       "v": [1.0, 3.0, 2.0]})
    >>> rca(trade).data[["i", "k", "rca"]]
       i       k  rca
    0  A  010121  1.5
    1  A  020110  0.9
    2  B  020110  1.2
    """
    check_engine(engine, spark)
    eng = open_engine(engine, spark)
    try:
        agg = aggregate(
            eng, "trade", trade, "trade", year=year, unit=exporter, unit_arg="exporter",
            product=product, value=value, quantity=None, revision=revision, digits=digits,
        )  # fmt: skip
        data = eng.fetch(
            rca_sql(eng.dialect, agg.name, names={"t": year, "c": exporter, "k": product})
        )
    finally:
        eng.close()
    return MeasureResult(data, "rca", (year, exporter, product), engine, agg.notes, agg.revision)
