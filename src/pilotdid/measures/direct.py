"""PRODY and EXPY straight from the records, with small hash tables (see :mod:`._sql_direct`).

The one-pass form sums the records to an exporter x product x year table first: on 100 million
BACI rows that is a hash aggregation into ~4 million groups and most of the run time. Here the
records are read twice instead, into a few thousand exporter-years and then tens of thousands
of product-years. :func:`pilotdid.measures.prody` uses this form unless PRODY is quality-adjusted
(which needs each exporter's unit value per product) or there are more than
``MAX_WORDS * 62`` exporters (``n_exporters`` needs one bit per exporter). :func:`direct_expy`
likewise reads the regional records once into region-years; :func:`pilotdid.measures.expy`
uses it unless EXPY is quality-adjusted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from pilotdid.measures._common import check_records, count_of, first_row
from pilotdid.measures._engine import Engine
from pilotdid.measures._sql import prody_from_sums_sql, raw_sql
from pilotdid.measures._sql_direct import (
    BITS_PER_WORD,
    code_map_sql,
    exporter_totals_sql,
    exporter_weights_sql,
    expy_direct_sql,
    priced_codes_sql,
    product_sums_sql,
)

__all__ = ["MAX_WORDS", "direct_expy", "direct_prody", "exporter_totals"]

MAX_WORDS = 32  # 1,984 exporters; BACI has about 230


def exporter_totals(
    eng: Engine,
    view: str,
    *,
    year: str,
    exporter: str,
    product: str,
    value: str,
    revision: str | None,
    years: Sequence[int] | None,
) -> tuple[str, str]:
    """Pass 1: materialise the totals by exporter-year; return (the records' SQL, the table)."""
    raw = raw_sql(eng.dialect, view, year=year, unit=exporter, product=product, value=value,
                  revision=revision, years=years)  # fmt: skip
    return raw, eng.materialize("totals", exporter_totals_sql(raw, revision=revision is not None))


def direct_prody(
    eng: Engine,
    raw: str,
    totals: str,
    gdp: str,
    *,
    product: str,
    revision: str | None,
    digits: int,
    years: Sequence[int] | None,
    window: int | None,
    min_exports: float,
    names: dict[str, str],
    file_revisions: set[str],
) -> tuple[pd.DataFrame, str | None, list[str]] | None:
    """Pass 2 and PRODY; ``None`` when there are too many exporters for the bit columns.

    Returns the PRODY rows (as :func:`pilotdid.measures._sql.prody_sql` gives them), the HS
    revision and the notes on the records read.
    """
    n_units = int(eng.fetch(f"SELECT COUNT(DISTINCT c) AS n FROM {totals}")["n"].iloc[0])
    words = max(1, math.ceil(n_units / BITS_PER_WORD))
    if words > MAX_WORDS:
        return None
    weights = eng.materialize(
        "weights", exporter_weights_sql(totals, gdp, min_exports=min_exports, words=words)
    )
    sums = eng.materialize("sums", product_sums_sql(raw, weights, digits=digits, words=words))
    stats = first_row(
        eng.fetch(
            "SELECT COUNT(*) AS n_groups, SUM(n_rows) AS n_rows, SUM(n_bad) AS n_bad, "
            "SUM(CASE WHEN t IS NULL OR c IS NULL THEN n_rows ELSE 0 END) AS n_nokey, "
            f"MIN(rev_lo) AS rev_lo, MAX(rev_hi) AS rev_hi FROM {totals}"
        )
    )
    lengths = first_row(
        eng.fetch(
            f"SELECT MIN(len_lo) AS len_lo, MAX(len_hi) AS len_hi, SUM(n_nok) AS n_nok FROM {sums}"
        )
    )
    stats["n_nokey"] = count_of(stats["n_nokey"]) + count_of(lengths.pop("n_nok"))
    found = eng.fetch(f"SELECT DISTINCT t FROM {totals} WHERE t IS NOT NULL ORDER BY t")["t"]
    rev, notes = check_records(
        {**stats, **lengths}, tuple(int(t) for t in found),
        what="trade", product=product, revision=revision, digits=digits, years=years,
        file_revisions=file_revisions, unit_arg="exporter",
        cells=f"{int(stats['n_groups']):,} exporter-years",
    )  # fmt: skip
    sql = prody_from_sums_sql(eng.dialect, sums, names=names, years=years, window=window)
    return eng.fetch(sql), rev, notes


def direct_expy(
    eng: Engine,
    view: str,
    prody: str,
    *,
    year: str,
    level: str,
    product: str,
    value: str,
    revision: str | None,
    digits: int,
    keep: int | None,
    by_year: bool,
    file_revisions: set[str],
) -> tuple[pd.DataFrame, int, str | None, list[str]]:
    """EXPY by region-year in one pass over the regional records.

    Returns the EXPY rows (as :func:`pilotdid.measures._sql.expy_sql` gives them), the number of
    region-years with records, the HS revision and the notes on the records read.
    """
    raw = raw_sql(eng.dialect, view, year=year, unit=level, product=product, value=value,
                  revision=revision)  # fmt: skip
    codes = eng.materialize("codes", code_map_sql(raw, digits=digits, keep=keep))
    priced = eng.materialize("priced", priced_codes_sql(codes, prody, by_year=by_year))
    regions = eng.materialize(
        "regions", expy_direct_sql(raw, priced, by_year=by_year, revision=revision is not None)
    )
    stats = first_row(
        eng.fetch(
            "SELECT SUM(CASE WHEN t IS NOT NULL AND c IS NOT NULL THEN 1 ELSE 0 END) AS n_cells, "
            "SUM(n_rows) AS n_rows, SUM(n_bad) AS n_bad, "
            "SUM(CASE WHEN t IS NULL OR c IS NULL THEN n_rows ELSE n_nok END) AS n_nokey, "
            f"MIN(rev_lo) AS rev_lo, MAX(rev_hi) AS rev_hi FROM {regions}"
        )
    )
    lengths = eng.fetch(f"SELECT MIN(len) AS len_lo, MAX(len) AS len_hi FROM {codes}")
    found = eng.fetch(f"SELECT DISTINCT t FROM {regions} WHERE t IS NOT NULL ORDER BY t")["t"]
    n_cells = count_of(stats["n_cells"])
    rev, notes = check_records(
        {**stats, **first_row(lengths)}, tuple(int(t) for t in found),
        what="regional trade", product=product, revision=revision, digits=digits, years=None,
        file_revisions=file_revisions, unit_arg="level", cells=f"{n_cells:,} {level}-years",
    )  # fmt: skip
    q = eng.dialect.ident
    data = eng.fetch(
        f"SELECT t AS {q(year)}, c AS {q(level)}, num / xm AS expy, n_products, xm AS exports, "
        f"1.0 - xm / xall AS unmatched_share FROM {regions} "
        f"WHERE t IS NOT NULL AND c IS NOT NULL AND n_products > 0 ORDER BY {q(year)}, {q(level)}"
    )
    return data, n_cells, rev, notes
