"""The one definition of every measure: SQL text that DuckDB and Spark SQL both run.

The queries use only the subset the two engines share: common table expressions, inner joins,
``GROUP BY``, ``SUM``/``AVG``/``COUNT``/``MIN``/``MAX``, ``CASE``, ``CAST(... AS DOUBLE | BIGINT
| STRING)``, ``LENGTH``, ``LPAD``, ``TRIM``, ``POWER`` and ``ORDER BY``. The only difference
between the dialects is how a column name is quoted (``"name"`` in DuckDB, ```name``` in Spark),
so a :class:`Dialect` carries just that. Column names come from the user and are always quoted;
numbers are formatted by Python (``repr`` of a float or int), never pasted as text.

Internal column names after the first step: ``t`` (year), ``c`` (exporter or region), ``k``
(product code, text), ``x`` (export value), ``vq``/``qq`` (value and quantity of the records that
report a quantity), ``n_rows``/``n_bad`` (records read / records without a usable value),
``rev_lo``/``rev_hi`` (smallest/largest HS revision label in the group).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "DUCKDB",
    "SPARK",
    "Dialect",
    "aggregate_sql",
    "expy_sql",
    "prody_from_sums_sql",
    "prody_sql",
    "raw_sql",
    "rca_sql",
    "stats_sql",
]


@dataclass(frozen=True)
class Dialect:
    """How one engine quotes an identifier; everything else in the queries is shared."""

    name: str
    quote: str

    def ident(self, name: str) -> str:
        """Return ``name`` quoted as an identifier (quote characters inside are doubled)."""
        return self.quote + name.replace(self.quote, self.quote * 2) + self.quote


DUCKDB = Dialect("duckdb", '"')
SPARK = Dialect("spark", "`")


def _text(expr: str) -> str:
    return f"TRIM(CAST({expr} AS STRING))"


def product_code(expr: str, digits: int, keep: int | None = None) -> str:
    """Return the SQL of a product code as text, left-padded with zeros to ``digits`` characters.

    A code stored as a number has lost its leading zeros (``10121`` for HS ``010121``); padding
    restores them. Longer codes are kept as they are (and refused later: one length only). With
    ``keep``, the code is cut to its first ``keep`` characters (HS8 -> HS6).
    """
    s = _text(expr)
    code = f"CASE WHEN LENGTH({s}) < {int(digits)} THEN LPAD({s}, {int(digits)}, '0') ELSE {s} END"
    return f"SUBSTR({code}, 1, {int(keep)})" if keep is not None else code


def _num(value: float) -> str:
    return repr(float(value))


def raw_sql(
    d: Dialect,
    source: str,
    *,
    year: str,
    unit: str,
    product: str,
    value: str,
    quantity: str | None = None,
    revision: str | None = None,
    years: Sequence[int] | None = None,
) -> str:
    """Return the raw records with internal names ``y0, c0, k0, v, qv, rev`` (keys as read).

    The keys keep their stored type: casting and text normalisation are left to the (far fewer)
    groups, which are then summed again by the normalised keys (``y`` is ``y0`` as BIGINT).
    """
    q = d.ident
    quantity_col = f"CAST({q(quantity)} AS DOUBLE)" if quantity else "CAST(NULL AS DOUBLE)"
    revision_col = _text(q(revision)) if revision else "CAST(NULL AS STRING)"
    sql = (
        f"SELECT {q(year)} AS y0, {q(unit)} AS c0, {q(product)} AS k0, "
        f"CAST({q(value)} AS DOUBLE) AS v, {quantity_col} AS qv, {revision_col} AS rev "
        f"FROM {source}"
    )
    if years:
        kept = ", ".join(str(int(y)) for y in years)
        sql = f"SELECT * FROM ({sql}) r0 WHERE CAST(y0 AS BIGINT) IN ({kept})"
    return sql


def aggregate_sql(
    d: Dialect,
    source: str,
    *,
    year: str,
    unit: str,
    product: str,
    value: str,
    quantity: str | None,
    revision: str | None,
    digits: int,
    years: Sequence[int] | None,
    keep: int | None = None,
) -> str:
    """Sum records to exporter (or region) x product x year: the one pass over the raw data.

    Records with a missing or negative value are kept out of ``x`` and counted in ``n_bad``.
    """
    raw = raw_sql(d, source, year=year, unit=unit, product=product, value=value,
                  quantity=quantity, revision=revision, years=years)  # fmt: skip
    good = "v >= 0"  # false for a missing value too
    if quantity:
        with_q = f"{good} AND v > 0 AND qv > 0"
        vq = f"SUM(CASE WHEN {with_q} THEN v ELSE 0.0 END) AS vq"
        qq = f"SUM(CASE WHEN {with_q} THEN qv ELSE 0.0 END) AS qq"
    else:  # nothing to sum per record
        vq, qq = "0.0 AS vq", "0.0 AS qq"
    if revision:
        revs = "MIN(rev) AS rev_lo, MAX(rev) AS rev_hi"
    else:
        revs = "CAST(NULL AS STRING) AS rev_lo, CAST(NULL AS STRING) AS rev_hi"
    # inner: sum by the raw keys (no text function per record); outer: normalise the keys of
    # the (far fewer) groups and sum again (10121 and 010121 are one product)
    return f"""
SELECT t, c, k, SUM(x) AS x, SUM(vq) AS vq, SUM(qq) AS qq, SUM(n_rows) AS n_rows,
  SUM(n_bad) AS n_bad, MIN(rev_lo) AS rev_lo, MAX(rev_hi) AS rev_hi,
  MIN(LENGTH(kfull)) AS len_lo, MAX(LENGTH(kfull)) AS len_hi
FROM (
  SELECT CAST(y0 AS BIGINT) AS t, {_text("c0")} AS c, {product_code("k0", digits, keep)} AS k,
    {product_code("k0", digits)} AS kfull, x, vq, qq, n_rows, n_bad, rev_lo, rev_hi
  FROM (
    SELECT y0, c0, k0,
      SUM(CASE WHEN {good} THEN v ELSE 0.0 END) AS x, {vq}, {qq}, COUNT(*) AS n_rows,
      SUM(CASE WHEN {good} THEN 0 ELSE 1 END) AS n_bad, {revs}
    FROM ({raw}) b
    GROUP BY y0, c0, k0
  ) a
) n
GROUP BY t, c, k"""


def stats_sql(table: str) -> str:
    """Totals of an aggregated table: records, unusable records, code lengths, revisions."""
    return f"""
SELECT COUNT(*) AS n_groups, SUM(n_rows) AS n_rows, SUM(n_bad) AS n_bad,
  MIN(len_lo) AS len_lo, MAX(len_hi) AS len_hi,
  MIN(rev_lo) AS rev_lo, MAX(rev_hi) AS rev_hi,
  SUM(CASE WHEN c IS NULL OR k IS NULL OR t IS NULL THEN n_rows ELSE 0 END) AS n_nokey,
  SUM(x) AS value
FROM {table}"""


def gdp_sql(d: Dialect, source: str, *, country: str, year: str, value: str) -> str:
    """GDP per capita by exporter and year, keys cast like the trade keys."""
    q = d.ident
    return (
        f"SELECT CAST({q(year)} AS BIGINT) AS t, {_text(q(country))} AS c, "
        f"CAST({q(value)} AS DOUBLE) AS y FROM {source}"
    )


def _prody_ctes(xck: str, gdp: str, min_exports: float) -> str:
    """Return the CTEs: exporter shares ``x_ck / X_c`` with GDP per capita, sums by product."""
    return f"""
xc AS (SELECT t, c, SUM(x) AS xt FROM {xck} GROUP BY t, c),
g AS (SELECT t, c, y FROM ({gdp}) gg WHERE y IS NOT NULL AND y > 0),
keep AS (
  SELECT xc.t, xc.c, xc.xt, g.y FROM xc JOIN g ON xc.t = g.t AND xc.c = g.c
  WHERE xc.xt > 0 AND xc.xt >= {_num(min_exports)}
),
sh AS (
  SELECT a.t, a.c, a.k, a.x / keep.xt AS s, keep.y, a.vq, a.qq
  FROM {xck} a JOIN keep ON a.t = keep.t AND a.c = keep.c WHERE a.x > 0
),
den AS (SELECT t, k, SUM(s) AS ss FROM sh GROUP BY t, k),
py AS (
  SELECT sh.t, sh.k, SUM(sh.s / den.ss * sh.y) AS prody, COUNT(*) AS n_exporters
  FROM sh JOIN den ON sh.t = den.t AND sh.k = den.k GROUP BY sh.t, sh.k
)"""


def prody_sql(
    d: Dialect,
    xck: str,
    gdp: str,
    *,
    names: dict[str, str],
    min_exports: float,
    years: Sequence[int] | None,
    window: int | None,
    quality_theta: float | None,
) -> str:
    """PRODY (Hausmann, Hwang & Rodrik 2007) by product: yearly, fixed-base or rolling mean.

    ``names`` maps ``t``, ``c``, ``k`` to the output column names. With ``quality_theta``, rows
    are exporter x product x year with Xu's (2010) quality-adjusted PRODY.
    """
    q = d.ident
    t, c, k = q(names["t"]), q(names["c"]), q(names["k"])
    head = "WITH " + _prody_ctes(xck, gdp, min_exports)
    if quality_theta is not None:
        theta = _num(quality_theta)
        return f"""{head},
uv AS (SELECT t, k, SUM(vq * vq / qq) / SUM(vq) AS wuv FROM sh WHERE qq > 0 GROUP BY t, k)
SELECT sh.t AS {t}, sh.c AS {c}, sh.k AS {k},
  POWER((sh.vq / sh.qq) / uv.wuv, {theta}) * py.prody AS prody,
  py.prody AS prody_hhr, (sh.vq / sh.qq) / uv.wuv AS quality,
  sh.vq / sh.qq AS unit_value, uv.wuv AS world_unit_value
FROM sh JOIN py ON sh.t = py.t AND sh.k = py.k JOIN uv ON sh.t = uv.t AND sh.k = uv.k
WHERE sh.qq > 0
ORDER BY {t}, {c}, {k}"""
    return _prody_tail(d, head, names=names, years=years, window=window)


def prody_from_sums_sql(
    d: Dialect,
    sums: str,
    *,
    names: dict[str, str],
    years: Sequence[int] | None,
    window: int | None,
) -> str:
    """PRODY from the product sums of :func:`pilotdid.measures._sql_direct.product_sums_sql`."""
    head = f"WITH py AS (SELECT t, k, num / den AS prody, n_exporters FROM {sums} WHERE den > 0)"
    return _prody_tail(d, head, names=names, years=years, window=window)


def _prody_tail(
    d: Dialect,
    head: str,
    *,
    names: dict[str, str],
    years: Sequence[int] | None,
    window: int | None,
) -> str:
    """Select the yearly, fixed-base or rolling PRODY from the CTE ``py`` (t, k, prody, ...)."""
    q = d.ident
    t, k = q(names["t"]), q(names["k"])
    if years:
        return f"""{head}
SELECT k AS {k}, AVG(prody) AS prody, COUNT(*) AS n_years, MIN(n_exporters) AS n_exporters
FROM py GROUP BY k ORDER BY {k}"""
    if window:
        return f"""{head},
yy AS (SELECT DISTINCT t FROM py)
SELECT yy.t AS {t}, py.k AS {k}, AVG(py.prody) AS prody, COUNT(*) AS n_years,
  MIN(py.n_exporters) AS n_exporters
FROM yy JOIN py ON py.t <= yy.t AND py.t > yy.t - {int(window)}
GROUP BY yy.t, py.k ORDER BY {t}, {k}"""
    return f"""{head}
SELECT t AS {t}, k AS {k}, prody, n_exporters FROM py ORDER BY {t}, {k}"""


def prody_drops_sql(xck: str, gdp: str, min_exports: float) -> str:
    """Exporter-years left out of PRODY: below ``min_exports``, and without GDP per capita."""
    return f"""
WITH xc AS (SELECT t, c, SUM(x) AS xt, SUM(n_rows) AS n FROM {xck} GROUP BY t, c),
g AS (SELECT t, c, y FROM ({gdp}) gg WHERE y IS NOT NULL AND y > 0),
m AS (SELECT xc.*, CASE WHEN g.c IS NULL THEN 0 ELSE 1 END AS has_gdp
      FROM xc LEFT JOIN g ON xc.t = g.t AND xc.c = g.c)
SELECT
  SUM(CASE WHEN has_gdp = 0 THEN 1 ELSE 0 END) AS nogdp_units,
  SUM(CASE WHEN has_gdp = 0 THEN n ELSE 0 END) AS nogdp_rows,
  SUM(CASE WHEN has_gdp = 0 THEN xt ELSE 0.0 END) AS nogdp_value,
  SUM(CASE WHEN has_gdp = 1 AND (xt <= 0 OR xt < {_num(min_exports)}) THEN 1 ELSE 0 END)
    AS small_units,
  SUM(CASE WHEN has_gdp = 1 AND (xt <= 0 OR xt < {_num(min_exports)}) THEN n ELSE 0 END)
    AS small_rows,
  SUM(xt) AS value
FROM m"""


def expy_sql(
    d: Dialect,
    xr: str,
    prody: str,
    *,
    names: dict[str, str],
    by_year: bool,
    quality_theta: float | None,
) -> str:
    """EXPY_r = sum_k (x_rk / X_r) PRODY_k over the products that have a PRODY.

    ``prody`` has columns ``k``, ``prody`` (and ``t`` when ``by_year``; ``prody_hhr`` and
    ``world_unit_value`` for the quality-adjusted form, where the region's own unit value gives
    its quality ``(uv_rk / world_uv_k) ** theta``).
    """
    q = d.ident
    t, r = q(names["t"]), q(names["c"])
    on = "a.k = p.k" + (" AND a.t = p.t" if by_year else "")
    if quality_theta is not None:
        pv = f"POWER((a.vq / a.qq) / p.wuv, {_num(quality_theta)}) * p.prody"
        source = "(SELECT DISTINCT " + ("t, " if by_year else "")
        source += f"k, prody_hhr AS prody, world_unit_value AS wuv FROM {prody}) p"
        matched = "a.x > 0 AND a.qq > 0"
    else:
        pv, source, matched = "p.prody", f"{prody} p", "a.x > 0"
    return f"""
WITH tot AS (SELECT t, c, SUM(x) AS xall FROM {xr} GROUP BY t, c),
m AS (SELECT a.t, a.c, a.x, {pv} AS pv FROM {xr} a JOIN {source} ON {on} WHERE {matched}),
mt AS (SELECT t, c, SUM(x) AS xm, COUNT(*) AS n_products FROM m GROUP BY t, c)
SELECT m.t AS {t}, m.c AS {r}, SUM(m.x / mt.xm * m.pv) AS expy,
  MIN(mt.n_products) AS n_products, MIN(mt.xm) AS exports,
  1.0 - MIN(mt.xm) / MIN(tot.xall) AS unmatched_share
FROM m JOIN mt ON m.t = mt.t AND m.c = mt.c JOIN tot ON m.t = tot.t AND m.c = tot.c
GROUP BY m.t, m.c ORDER BY {t}, {r}"""


def rca_sql(d: Dialect, xck: str, *, names: dict[str, str]) -> str:
    """Balassa's revealed comparative advantage ``(x_ck / X_c) / (X_k / X_w)`` by year."""
    q = d.ident
    t, c, k = q(names["t"]), q(names["c"]), q(names["k"])
    return f"""
WITH xc AS (SELECT t, c, SUM(x) AS xc FROM {xck} GROUP BY t, c),
xk AS (SELECT t, k, SUM(x) AS xk FROM {xck} GROUP BY t, k),
xw AS (SELECT t, SUM(x) AS xw FROM {xck} GROUP BY t)
SELECT a.t AS {t}, a.c AS {c}, a.k AS {k}, (a.x / xc.xc) / (xk.xk / xw.xw) AS rca, a.x AS exports
FROM {xck} a JOIN xc ON a.t = xc.t AND a.c = xc.c JOIN xk ON a.t = xk.t AND a.k = xk.k
JOIN xw ON a.t = xw.t
WHERE a.x > 0
ORDER BY {t}, {c}, {k}"""
