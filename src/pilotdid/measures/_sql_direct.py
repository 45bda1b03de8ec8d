"""PRODY and EXPY straight from the records, without an exporter x product table.

PRODY_k = sum_c (x_ck / X_c) Y_c / sum_c (x_ck / X_c) is linear in the records once each
exporter-year's weights ``Y_c / X_c`` and ``1 / X_c`` are known, so it takes two passes over the
records whose hash tables stay small: totals by exporter-year (a few thousand groups), then
weighted sums by product-year (tens of thousands). The exporter x product x year table (millions
of groups, the cost of the one-pass form in :mod:`pilotdid.measures._sql`) is never built.
``n_exporters`` (exporters with positive exports of the product) comes from one bit per kept
exporter, OR-ed over the records: ``62 * words`` bits cover ``words`` BIGINT columns.

EXPY_r = sum_k x_rk PRODY_k / sum_k x_rk (over products with a PRODY) is likewise one pass: the
records, joined to a map from each raw product code to its normalised code and PRODY, summed by
region-year. Both queries keep to the SQL that DuckDB and Spark share (``BIT_OR``, ``BIT_COUNT``,
``ROW_NUMBER() OVER``, ``COUNT(DISTINCT ...)``).
"""

from __future__ import annotations

from pilotdid.measures._sql import _num, _text, product_code

__all__ = [
    "BITS_PER_WORD",
    "code_map_sql",
    "exporter_totals_sql",
    "exporter_weights_sql",
    "expy_direct_sql",
    "priced_codes_sql",
    "product_sums_sql",
]

BITS_PER_WORD = 62  # 2 ** 61 is exact in a double, so CAST(POWER(2, b) AS BIGINT) is exact


def _revisions(revision: bool, table: str = "") -> str:
    if revision:
        return f"MIN({table}rev) AS rev_lo, MAX({table}rev) AS rev_hi"
    return "CAST(NULL AS STRING) AS rev_lo, CAST(NULL AS STRING) AS rev_hi"


def exporter_totals_sql(raw: str, *, revision: bool) -> str:
    """Pass 1: exports, records and unusable records by unit-year (the product column unread).

    Columns ``y0, c0`` (the raw keys, for joining back to the records), ``t, c`` (normalised),
    ``x``, ``n_rows``, ``n_bad``, ``rev_lo``, ``rev_hi``.
    """
    return f"""
SELECT y0, c0, CAST(y0 AS BIGINT) AS t, {_text("c0")} AS c, x, n_rows, n_bad, rev_lo, rev_hi
FROM (
  SELECT y0, c0, SUM(CASE WHEN v >= 0 THEN v ELSE 0.0 END) AS x, COUNT(*) AS n_rows,
    SUM(CASE WHEN v >= 0 THEN 0 ELSE 1 END) AS n_bad, {_revisions(revision)}
  FROM ({raw}) b
  GROUP BY y0, c0
) a"""


def exporter_weights_sql(totals: str, gdp: str, *, min_exports: float, words: int) -> str:
    """Weight each kept exporter-year by ``Y_c / X_c`` and ``1 / X_c``; give it its exporter bit.

    An exporter-year is kept as in the one-pass form: positive total exports of at least
    ``min_exports`` and a positive GDP per capita. One row per raw key pair ``(y0, c0)``.
    """
    bits = ",\n  ".join(
        f"CASE WHEN ix.ix >= {w * BITS_PER_WORD} AND ix.ix < {(w + 1) * BITS_PER_WORD} "
        f"THEN CAST(POWER(2, ix.ix - {w * BITS_PER_WORD}) AS BIGINT) ELSE 0 END AS b{w}"
        for w in range(words)
    )
    return f"""
WITH tot AS (SELECT t, c, SUM(x) AS xt FROM {totals} GROUP BY t, c),
g AS (SELECT t, c, y FROM ({gdp}) gg WHERE y IS NOT NULL AND y > 0),
ok AS (
  SELECT tot.t, tot.c, tot.xt, g.y FROM tot JOIN g ON tot.t = g.t AND tot.c = g.c
  WHERE tot.xt > 0 AND tot.xt >= {_num(min_exports)}
),
ix AS (SELECT c, ROW_NUMBER() OVER (ORDER BY c) - 1 AS ix FROM (SELECT DISTINCT c FROM ok) u)
SELECT a.y0, a.c0, ok.y / ok.xt AS wy, 1.0 / ok.xt AS w1,
  {bits}
FROM {totals} a JOIN ok ON a.t = ok.t AND a.c = ok.c JOIN ix ON ok.c = ix.c"""


def product_sums_sql(raw: str, weights: str, *, digits: int, words: int) -> str:
    """Pass 2: ``num = sum v Y_c/X_c``, ``den = sum v / X_c`` and ``n_exporters`` by product-year.

    Every record is read (a left join), so the code lengths ``len_lo``/``len_hi`` cover all
    codes, as the one-pass form's check does, and ``n_nok`` counts the records with a year and
    a unit but no product code. Only records with a positive value of a kept
    exporter find a weight (the condition is part of the join, so no test per aggregate): the
    others add nothing, and unusable values (missing, negative) are thereby left out.
    """
    cols = range(words)
    inner = ", ".join(f"BIT_OR(w.b{i}) AS b{i}" for i in cols)
    outer = ", ".join(f"BIT_OR(b{i}) AS b{i}" for i in cols)
    count = " + ".join(f"COALESCE(CAST(BIT_COUNT(b{i}) AS BIGINT), 0)" for i in cols)
    return f"""
SELECT t, k, num, den, {count} AS n_exporters, len_lo, len_hi, n_nok
FROM (
  SELECT t, k, SUM(num) AS num, SUM(den) AS den, {outer},
    MIN(LENGTH(k)) AS len_lo, MAX(LENGTH(k)) AS len_hi, SUM(n_nok) AS n_nok
  FROM (
    SELECT CAST(y0 AS BIGINT) AS t, {product_code("k0", digits)} AS k,
      num, den, {", ".join(f"b{i}" for i in cols)},
      CASE WHEN k0 IS NULL AND y0 IS NOT NULL THEN n_keyed ELSE 0 END AS n_nok
    FROM (
      SELECT r.y0, r.k0, SUM(r.v * w.wy) AS num, SUM(r.v * w.w1) AS den, {inner},
        COUNT(r.c0) AS n_keyed
      FROM ({raw}) r LEFT JOIN {weights} w ON r.y0 = w.y0 AND r.c0 = w.c0 AND r.v > 0
      GROUP BY r.y0, r.k0
    ) s
  ) n
  GROUP BY t, k
) p"""


def code_map_sql(raw: str, *, digits: int, keep: int | None) -> str:
    """Each distinct raw product code, its normalised code (cut to ``keep``) and full length."""
    full = product_code("k0", digits)
    return f"""
SELECT k0, {product_code("k0", digits, keep)} AS k, LENGTH({full}) AS len
FROM (SELECT DISTINCT k0 FROM ({raw}) r) u"""


def priced_codes_sql(codes: str, prody: str, *, by_year: bool) -> str:
    """Each raw product code that has a PRODY: ``k0, k, (t,) prody``."""
    cols = "m.k0, m.k, p.t, p.prody" if by_year else "m.k0, m.k, p.prody"
    return f"SELECT {cols} FROM {codes} m JOIN {prody} p ON p.k = m.k"


def expy_direct_sql(raw: str, priced: str, *, by_year: bool, revision: bool) -> str:
    """EXPY and its support by region-year, from the records in one pass.

    Columns ``t, c`` (normalised), ``num`` (sum of v PRODY over matched records), ``xm``
    (matched exports), ``xall`` (all usable exports), ``n_products`` (matched products with
    positive exports), and the record counts ``n_rows``, ``n_bad``, ``n_nok``, ``rev_lo``,
    ``rev_hi``. A record finds a PRODY only with a usable value (the condition is part of the
    join); unusable records (missing or negative value) add nothing.
    """
    on = "r.k0 = p.k0 AND r.v >= 0" + (" AND p.t = r.t" if by_year else "")
    # the keys are normalised per record: " P1" and "P1" are one region (a distinct count of
    # products cannot be summed over two raw spellings afterwards)
    return f"""
SELECT r.t, r.c, SUM(r.v * p.prody) AS num,
  SUM(CASE WHEN p.prody IS NOT NULL THEN r.v END) AS xm,
  SUM(CASE WHEN r.v >= 0 THEN r.v ELSE 0.0 END) AS xall,
  COUNT(DISTINCT CASE WHEN r.v > 0 AND p.prody IS NOT NULL THEN p.k END) AS n_products,
  COUNT(*) AS n_rows, SUM(CASE WHEN r.v >= 0 THEN 0 ELSE 1 END) AS n_bad,
  SUM(CASE WHEN r.k0 IS NULL THEN 1 ELSE 0 END) AS n_nok, {_revisions(revision, "r.")}
FROM (SELECT CAST(y0 AS BIGINT) AS t, {_text("c0")} AS c, k0, v, rev FROM ({raw}) r0) r
  LEFT JOIN {priced} p ON {on}
GROUP BY r.t, r.c"""
