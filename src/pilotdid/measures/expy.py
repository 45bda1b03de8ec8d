"""EXPY (Hausmann, Hwang & Rodrik 2007) for any region, and the paper's city index (Chao 2022)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.errors import MeasureError, did_you_mean
from pilotdid.measures._common import (
    MeasureResult,
    aggregate,
    check_engine,
    open_records,
    register_checked,
)
from pilotdid.measures._engine import Source, open_engine
from pilotdid.measures._sql import expy_sql, product_code
from pilotdid.measures.direct import direct_expy

__all__ = ["city_esf", "expy"]


def _prody_table(
    eng: Any, prody: MeasureResult | Source, *, year: str, product: str, digits: int, quality: bool
) -> tuple[str, int, bool, str | None]:
    """Register PRODY with canonical columns (t, k, prody ...); return (name, code length, by year).

    Codes of a PRODY table read from a file or DataFrame are padded to ``digits`` (at most 6);
    a :func:`prody` result's codes are used as they are.
    """
    revision = None
    year_col: str | None = year
    if isinstance(prody, MeasureResult):
        if prody.measure != "prody":
            raise MeasureError(
                f"expy: prody= is a {prody.measure} result; pass prody(...)'s result"
            )
        product, year_col = prody.keys[-1], prody.keys[0] if len(prody.keys) > 1 else None
        revision, prody, digits = prody.revision, prody.data, 1
    extra = ("prody_hhr", "world_unit_value") if quality else ()
    needed: dict[str, str | None] = {"prody_product": product, "prody column": "prody"}
    needed |= {e: e for e in extra}
    view, _ = register_checked(eng, "prody_in", prody, "prody", needed)
    by_year = year_col is not None and year_col in eng.columns(view)
    q = eng.dialect.ident
    cols = [f"CAST({q(str(year_col))} AS BIGINT) AS t"] if by_year else []
    cols += [f"{product_code(q(product), digits)} AS k", f"CAST({q('prody')} AS DOUBLE) AS prody"]
    cols += [f"CAST({q(e)} AS DOUBLE) AS {e}" for e in extra]
    name = eng.materialize("prody", f"SELECT {', '.join(cols)} FROM {view}")
    keys = "t, k" if by_year else "k"
    st = eng.fetch(
        f"SELECT MIN(LENGTH(k)) AS lo, MAX(LENGTH(k)) AS hi, COUNT(*) AS n, "
        f"COUNT(DISTINCT {'CONCAT(CAST(t AS STRING), k)' if by_year else 'k'}) AS nk FROM {name}"
    ).iloc[0]
    if int(st["n"]) == 0:
        raise MeasureError("prody: the PRODY table has no row")
    if int(st["lo"]) != int(st["hi"]):
        raise MeasureError(
            f"prody: product codes have {int(st['lo'])} to {int(st['hi'])} characters; "
            "one classification at one level is needed"
        )
    if int(st["nk"]) != int(st["n"]) and not quality:
        raise MeasureError(
            f"prody: several PRODY values per ({keys}); pass one row per product"
            + (" and year" if by_year else "")
        )
    return name, int(st["lo"]), by_year, revision


def expy(
    regional_trade: Source,
    prody: MeasureResult | Source,
    *,
    level: str,
    year: str = "t",
    product: str = "k",
    value: str = "v",
    quantity: str | None = None,
    quality_adjusted: bool = False,
    theta: float = 0.2,
    prody_year: str | None = None,
    prody_product: str | None = None,
    digits: int = 6,
    revision: str | None = None,
    engine: str = "duckdb",
    spark: Any = None,
    progress: Callable[[str], None] | None = None,
) -> MeasureResult:
    r"""EXPY_r: the productivity level of a region's export basket (HHR 2007).

    .. math:: EXPY_{rt} = \sum_k \frac{x_{rkt}}{X_{rt}}\, PRODY_k

    over the products that have a PRODY (the shares are renormalised over them; the share of
    export value left without a PRODY is reported per region-year as ``unmatched_share``).

    Parameters
    ----------
    regional_trade : path, glob pattern, list of them, or pandas.DataFrame
        Export records of the regions: customs records by province or city, or world trade
        records for country EXPY. Records are summed to region x product x year.
    prody : MeasureResult, path or pandas.DataFrame
        :func:`~pilotdid.measures.prody`'s result, or a table with the product column, a
        ``prody`` column and, for yearly or rolling PRODY, the year column (matched on year and
        product; a table without the year column is a fixed base, used for every year).
    level : str
        The region column of ``regional_trade`` (``"i"`` for countries, ``"province"``,
        ``"city"`` ...): EXPY is computed for each of its values.
    year, product, value, quantity : str
        Column names of ``regional_trade`` (BACI defaults ``t``, ``k``, ``v``, ``q``).
    quality_adjusted : bool, default False
        Use each region's own quality-adjusted PRODY (Xu 2010): the region's unit value of the
        product over the world unit value of ``prody(..., quality_adjusted=True)``, to the power
        ``theta``. Needs ``quantity`` and that ``prody`` result.
    theta : float, default 0.2
        The exponent of the quality index.
    prody_year, prody_product : str, optional
        Column names in a PRODY table given as a file or DataFrame (default ``year``,
        ``product``).
    digits : int, default 6
        Length of the product codes of ``regional_trade``: 6 for HS6, 8 for Chinese customs HS8
        (cut to the PRODY codes' length, so HS8 is summed to its HS6 heading).
    revision : str, optional
        A column naming the HS revision (several refused; see :func:`prody`).
    engine : {"duckdb", "spark"}, default "duckdb"
        Where the query runs.
    spark : pyspark.sql.SparkSession, optional
        The session for ``engine="spark"``.
    progress : callable, optional
        Called with a short text at each stage.

    Returns
    -------
    MeasureResult
        ``data`` columns ``year``, ``level``, ``expy``, ``n_products``, ``exports`` (matched
        export value), ``unmatched_share``.

    Examples
    --------
    >>> import pandas as pd
    >>> customs = pd.DataFrame({"year": 2019, "province": ["P1", "P1", "P2"],
    ...                         "hs": ["01012100", "02011000", "02011000"], "value": [1.0, 3.0, 5.0]})
    >>> table = pd.DataFrame({"k": ["010121", "020110"], "prody": [10.0, 30.0]})
    >>> expy(customs, table, level="province", year="year", product="hs", value="value",
    ...      digits=8, prody_product="k").data[["year", "province", "expy"]]
       year province  expy
    0  2019       P1  25.0
    1  2019       P2  30.0
    """
    check_engine(engine, spark)
    if quality_adjusted and quantity is None:
        raise MeasureError("expy: quality_adjusted=True needs quantity= (the regions' quantities)")
    say = progress or (lambda _text: None)
    eng = open_engine(engine, spark)
    try:
        say("reading PRODY")
        p_name, length, by_year, p_rev = _prody_table(
            eng, prody, year=prody_year or year, product=prody_product or product,
            digits=min(digits, 6), quality=quality_adjusted,
        )  # fmt: skip
        if digits < length:
            raise MeasureError(
                f"expy: the regional product codes have digits={digits} but PRODY's have "
                f"{length}; EXPY needs codes at least as detailed as PRODY's"
            )
        say("reading and summing regional records")
        keep = length if digits > length else None
        if quality_adjusted:  # needs each region's unit value per product: the cell table
            agg = aggregate(
                eng, "regional", regional_trade, "regional trade", year=year, unit=level,
                unit_arg="level", product=product, value=value, quantity=quantity,
                revision=revision, digits=digits, keep=keep,
            )  # fmt: skip
            say("computing EXPY")
            sql = expy_sql(
                eng.dialect, agg.name, p_name, names={"t": year, "c": level}, by_year=by_year,
                quality_theta=float(theta),
            )  # fmt: skip
            data = eng.fetch(sql)
            cells = eng.fetch(f"SELECT COUNT(*) AS n FROM (SELECT DISTINCT t, c FROM {agg.name}) u")
            n_cells, hs, read_notes = int(cells["n"].iloc[0]), agg.revision, list(agg.notes)
        else:
            needed: dict[str, str | None] = {"year": year, "level": level, "product": product}
            needed |= {"value": value, "quantity": quantity, "revision": revision}
            view, file_revisions = open_records(
                eng, "regional", regional_trade, "regional trade", needed
            )
            say("computing EXPY")
            data, n_cells, hs, read_notes = direct_expy(
                eng, view, p_name, year=year, level=level, product=product, value=value,
                revision=revision, digits=digits, keep=keep, by_year=by_year,
                file_revisions=file_revisions,
            )  # fmt: skip
        if p_rev and hs and p_rev != hs:
            raise MeasureError(
                f"expy: PRODY is in {p_rev} but the regional records are in {hs}; "
                "convert one to the other's revision first"
            )
    finally:
        eng.close()
    notes = read_notes
    lost = n_cells - len(data)
    if lost:
        notes.append(
            f"regional trade: {lost:,} {level}-years have no export with a PRODY and get no EXPY"
        )
    if len(data):
        mean = float(np.average(data["unmatched_share"], weights=data["exports"]))
        notes.append(
            f"regional trade: {mean:.1%} of export value (weighted mean over {level}-years) is in "
            "products without a PRODY; shares are renormalised over the matched products"
        )
    if data.empty:
        raise MeasureError(
            "expy: no region has an export with a PRODY; check that product codes and years "
            "of the regional records match PRODY's"
        )
    return MeasureResult(data, "expy", (year, level), engine, tuple(notes), hs or p_rev)


def city_esf(
    expy_province: MeasureResult | pd.DataFrame,
    tertiary_share: pd.DataFrame,
    *,
    province: str = "province",
    year: str = "year",
    city: str = "city",
    share: str = "tertiary_share",
    expy_column: str = "expy",
    name: str = "lnESF",
) -> MeasureResult:
    r"""Compute the paper's city export sophistication: tertiary share x provincial EXPY.

    .. math:: ESF_{ct} = \frac{\text{tertiary value added}_{ct}}{GDP_{ct}} \times
              EXPY_{p(c),t}, \qquad lnESF_{ct} = \ln ESF_{ct}

    All variation between cities of one province within a year comes from the tertiary share:
    the province's EXPY is common to its cities (with city and year fixed effects, lnESF moves
    with ln share plus the province's ln EXPY).

    Parameters
    ----------
    expy_province : MeasureResult or pandas.DataFrame
        Provincial EXPY (:func:`expy` with ``level`` the province column), with columns
        ``province``, ``year`` and ``expy_column``.
    tertiary_share : pandas.DataFrame
        One row per city and year: ``city``, ``province`` (the same codes as in
        ``expy_province``), ``year`` and ``share`` (a fraction in (0, 1]).
    province, year, city, share : str
        Column names (the same province and year names in both tables).
    expy_column : str, default "expy"
        The EXPY column of ``expy_province``.
    name : str, default "lnESF"
        Name of the log column added (``"ESF"`` holds the level).

    Returns
    -------
    MeasureResult
        ``data``: ``city``, ``year``, ``province``, ``ESF`` and ``name``; city-years without a
        provincial EXPY or with a missing share are left out and counted in ``notes``.

    Examples
    --------
    >>> import pandas as pd
    >>> ex = pd.DataFrame({"province": ["P1"], "year": [2019], "expy": [20000.0]})
    >>> sh = pd.DataFrame({"city": ["C1", "C2"], "province": "P1", "year": 2019,
    ...                    "tertiary_share": [0.5, 0.25]})
    >>> city_esf(ex, sh).data[["city", "ESF"]]
      city      ESF
    0   C1  10000.0
    1   C2   5000.0
    """
    table = expy_province.data if isinstance(expy_province, MeasureResult) else expy_province
    for what, frame, cols in (
        ("expy_province", table, (province, year, expy_column)),
        ("tertiary_share", tertiary_share, (city, province, year, share)),
    ):
        for col in cols:
            if col not in frame.columns:
                raise MeasureError(
                    f"city_esf: {what} has no column {col!r}"
                    f"{did_you_mean(col, [str(c) for c in frame.columns])}"
                )
    left = tertiary_share[[city, province, year, share]].copy()
    values = pd.to_numeric(left[share], errors="coerce")
    if (values > 1).any():
        raise MeasureError(
            f"city_esf: {share!r} has values above 1 (max {values.max():g}); give the tertiary "
            "share of GDP as a fraction (divide percentages by 100)"
        )
    right = table[[province, year, expy_column]].copy()
    if right.duplicated([province, year]).any():
        raise MeasureError(f"city_esf: expy_province has several rows per {province} and {year}")
    for frame in (left, right):
        frame[province] = frame[province].astype(str)
        frame[year] = pd.to_numeric(frame[year], errors="coerce").astype("Int64")
    merged = left.merge(right, on=[province, year], how="left", validate="many_to_one")
    esf = pd.to_numeric(merged[share], errors="coerce") * merged[expy_column]
    ok = (esf > 0).to_numpy()
    out = merged.loc[ok, [city, year, province]].reset_index(drop=True)
    out["ESF"] = esf[ok].to_numpy(dtype=float)
    out[name] = np.log(out["ESF"].to_numpy())
    notes = []
    if int((~ok).sum()):
        notes.append(
            f"city_esf: {int((~ok).sum()):,} city-years without a provincial EXPY or a positive "
            "tertiary share left out"
        )
    notes.append("ESF = tertiary share x provincial EXPY (Chao 2022): within a province and "
                 "year, cities differ only by their tertiary share")  # fmt: skip
    return MeasureResult(out, "esf", (city, year), "pandas", tuple(notes))
