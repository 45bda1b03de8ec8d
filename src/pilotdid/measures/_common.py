"""What every measure shares: the result value, reading and checking one input in an engine."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pilotdid.errors import MeasureError, did_you_mean
from pilotdid.measures._engine import Engine, Files, Source, resolve_source
from pilotdid.measures._sql import aggregate_sql, stats_sql

__all__ = [
    "Aggregated",
    "MeasureResult",
    "aggregate",
    "check_engine",
    "check_records",
    "count_of",
    "first_row",
    "open_records",
    "register_checked",
]


@dataclass(frozen=True, eq=False)
class MeasureResult:
    """A computed measure and how it was obtained.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per key (e.g. year x product for PRODY, year x region for EXPY) with the
        measure's column (``prody``, ``expy``, ``rca``, ``esf``) and its support counts.
    measure : str
        ``"prody"``, ``"expy"``, ``"rca"`` or ``"esf"``.
    keys : tuple of str
        The key columns of ``data``, in order.
    engine : str
        ``"duckdb"``, ``"spark"`` or ``"pandas"`` (the small city index).
    notes : tuple of str
        Every record or unit left out, counted, and the choices that change results.
    revision : str or None
        The HS revision named by the input files or the revision column, when known.
    """

    data: pd.DataFrame
    measure: str
    keys: tuple[str, ...]
    engine: str
    notes: tuple[str, ...] = ()
    revision: str | None = None

    def __repr__(self) -> str:
        head = f"MeasureResult({self.measure}: {len(self.data):,} rows by {', '.join(self.keys)}"
        return head + f", engine {self.engine})"

    def to_file(self, path: str | os.PathLike[str]) -> Path:
        """Write ``data`` to Parquet (``.parquet``) or CSV (any other suffix); return the path.

        Examples
        --------
        >>> import pandas as pd, tempfile, pathlib
        >>> r = MeasureResult(pd.DataFrame({"k": ["010121"], "prody": [1.0]}), "prody", ("k",), "duckdb")
        >>> out = r.to_file(pathlib.Path(tempfile.mkdtemp()) / "prody.csv")
        >>> out.read_text().splitlines()[1]
        '010121,1.0'
        """
        target = Path(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.suffix.lower() in (".parquet", ".pq"):
                self.data.to_parquet(target, index=False)
            else:
                self.data.to_csv(target, index=False)
        except OSError as exc:
            raise MeasureError(f"cannot write {target}: {exc.strerror}") from None
        return target


@dataclass(frozen=True)
class Aggregated:
    """An input summed to unit x product x year inside the engine (table ``name``)."""

    name: str
    n_rows: int
    code_length: int
    revision: str | None
    years: tuple[int, ...]
    notes: tuple[str, ...]


def check_engine(engine: str, spark: Any) -> None:
    """Refuse an unknown engine name (the spark session is checked when it is opened)."""
    from pilotdid.options import MeasureEngine, validate_option

    validate_option(engine, MeasureEngine, "engine", MeasureError)


def register_checked(
    eng: Engine, role: str, source: Source, what: str, needed: dict[str, str | None]
) -> tuple[str, pd.DataFrame | Files]:
    """Register an input and check that the columns it must have are there."""
    resolved = resolve_source(source, what)
    name = eng.register(role, resolved)
    present = eng.columns(name)
    missing = [
        f"{arg}={col!r}{did_you_mean(col, present)}"
        for arg, col in needed.items()
        if col is not None and col not in present
    ]
    if missing:
        shown = ", ".join(repr(c) for c in present[:12]) + (", ..." if len(present) > 12 else "")
        raise MeasureError(
            f"{what}: column(s) not found: {'; '.join(missing)}. Its columns are {shown}; "
            "name the right ones (e.g. year='t', exporter='i', product='k', value='v')"
        )
    return name, resolved


def open_records(
    eng: Engine, role: str, source: Source, what: str, needed: dict[str, str | None]
) -> tuple[str, set[str]]:
    """Register a record input, check its columns and the HS revisions its file names give.

    Returns the view's name and the revisions named by the file names (empty for a DataFrame).
    """
    view, resolved = register_checked(eng, role + "_raw", source, what, needed)
    file_revisions = resolved.revisions() if isinstance(resolved, Files) else set()
    if len(file_revisions) > 1:
        raise MeasureError(
            f"{what}: the files belong to several HS revisions ({', '.join(sorted(file_revisions))}"
            "); codes change meaning between revisions, so convert them to one revision first "
            "(e.g. with the WCO/UN Statistics correlation tables) or pass one revision's files"
        )
    return view, file_revisions


def count_of(value: object) -> int:
    """Return a SQL count or sum as an int: 0 for NULL (no group)."""
    return int(value) if pd.notna(value) else 0  # type: ignore[call-overload]


def first_row(frame: pd.DataFrame) -> dict[str, Any]:
    """Return the first row of a (one-row) query result as a dict keyed by column name."""
    return {str(k): v for k, v in frame.iloc[0].items()}


def check_records(
    stats: Mapping[str, Any],
    found: tuple[int, ...],
    *,
    what: str,
    product: str,
    revision: str | None,
    digits: int,
    years: Sequence[int] | None,
    file_revisions: set[str],
    unit_arg: str,
    cells: str,
) -> tuple[str | None, list[str]]:
    """Check the totals of a record input; return its HS revision and the notes on what it held.

    ``stats`` holds ``n_rows``, ``n_bad``, ``n_nokey`` (records without a year, unit or
    product), ``len_lo``/``len_hi`` (padded code lengths) and ``rev_lo``/``rev_hi``; ``found``
    the years present; ``cells`` says how many groups were summed (for the first note).

    Raises
    ------
    MeasureError
        No record, product codes of several lengths, several HS revisions, a requested year
        absent.
    """
    n_rows = count_of(stats["n_rows"])
    if n_rows == 0:
        within = f" in the years {list(years)}" if years else ""
        raise MeasureError(f"{what}: no record{within}; check the input and the year column")
    lo, hi = int(stats["len_lo"]), int(stats["len_hi"])
    if lo != hi or lo != digits:
        raise MeasureError(
            f"{what}: product codes in {product!r} have {lo} to {hi} characters after padding to "
            f"digits={digits}; one classification at one level is needed (e.g. HS6 only): a mix "
            "of lengths means a mix of levels or classifications. Pass digits= the code length "
            "of this input (8 for Chinese customs HS8) or harmonise the codes first"
        )
    if pd.notna(stats["rev_lo"]) and stats["rev_lo"] != stats["rev_hi"]:
        raise MeasureError(
            f"{what}: column {revision!r} holds several HS revisions ({stats['rev_lo']!r} ... "
            f"{stats['rev_hi']!r}); convert the codes to one revision first or keep one"
        )
    rev = str(stats["rev_lo"]) if pd.notna(stats["rev_lo"]) else None
    if rev is None and file_revisions:
        rev = next(iter(file_revisions))
    if years:
        absent = sorted(set(int(y) for y in years) - set(found))
        if absent:
            raise MeasureError(f"{what}: no record in the year(s) {absent}; years found: {found}")
    notes = [f"{what}: {n_rows:,} records read ({cells})"]
    if count_of(stats["n_bad"]):
        notes.append(
            f"{what}: {int(stats['n_bad']):,} records without a usable value (missing or "
            "negative) left out"
        )
    if count_of(stats["n_nokey"]):
        notes.append(
            f"{what}: {int(stats['n_nokey']):,} records with a missing year, {unit_arg} or "
            "product left out"
        )
    return rev, notes


def aggregate(
    eng: Engine,
    role: str,
    source: Source,
    what: str,
    *,
    year: str,
    unit: str,
    unit_arg: str,
    product: str,
    value: str,
    quantity: str | None,
    revision: str | None,
    digits: int,
    years: Sequence[int] | None = None,
    keep: int | None = None,
) -> Aggregated:
    """Sum one input to unit x product x year in the engine and check its product codes.

    Raises
    ------
    MeasureError
        A column is missing, no record is left, product codes of several lengths (a mix of
        classifications) or several HS revisions (file names ``...HS17...`` or the revision
        column) are found, or a requested year is absent.
    """
    needed: dict[str, str | None] = {"year": year, unit_arg: unit, "product": product}
    needed |= {"value": value, "quantity": quantity, "revision": revision}
    view, file_revisions = open_records(eng, role, source, what, needed)
    sql = aggregate_sql(
        eng.dialect, view, year=year, unit=unit, product=product, value=value,
        quantity=quantity, revision=revision, digits=digits, years=years, keep=keep,
    )  # fmt: skip
    table = eng.materialize(role, sql)
    stats = first_row(eng.fetch(stats_sql(table)))
    found = tuple(int(t) for t in eng.fetch(f"SELECT DISTINCT t FROM {table} ORDER BY t")["t"])
    cells = f"{int(stats['n_groups']):,} {unit_arg} x product x year cells"
    rev, notes = check_records(
        stats, found, what=what, product=product, revision=revision, digits=digits,
        years=years, file_revisions=file_revisions, unit_arg=unit_arg, cells=cells,
    )  # fmt: skip
    length = digits if keep is None else keep
    return Aggregated(table, int(stats["n_rows"]), length, rev, found, tuple(notes))
