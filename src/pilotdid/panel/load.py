"""Read a panel from disk: CSV/TSV (optionally gzipped), Excel, Stata and Parquet.

Every failure (missing file, unknown suffix, unreadable or corrupt content, unknown sheet or
column) raises :class:`~pilotdid.errors.PanelError` naming the path. Files are only ever read.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from pilotdid.errors import PanelError, did_you_mean

__all__ = ["SUPPORTED_SUFFIXES", "load_panel"]

# suffix -> human-readable format name; longer suffixes are matched first (".csv.gz" before ".gz")
SUPPORTED_SUFFIXES: dict[str, str] = {
    ".csv": "CSV",
    ".csv.gz": "gzipped CSV",
    ".tsv": "TSV",
    ".tsv.gz": "gzipped TSV",
    ".xlsx": "Excel",
    ".xls": "Excel 97-2003",
    ".dta": "Stata",
    ".parquet": "Parquet",
}

Reader = Callable[[Path, "list[str] | None", "str | int | None", bool], pd.DataFrame]


def load_panel(
    path: str | os.PathLike[str],
    *,
    sheet: str | int | None = None,
    columns: Sequence[str] | None = None,
    convert_categoricals: bool = False,
) -> pd.DataFrame:
    """Read a unit-by-time panel from a file, choosing the reader from the file suffix.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``, ``.csv.gz``, ``.tsv``, ``.tsv.gz``, ``.xlsx``, ``.xls`` (needs the optional
        ``xlrd`` package), ``.dta`` or ``.parquet`` file.
    sheet : str or int, optional
        Excel only: the sheet name or 0-based position; the first sheet by default.
    columns : sequence of str, optional
        Read only these columns, returned in this order. Unknown names raise with a suggestion.
    convert_categoricals : bool, default False
        Stata only. By default labelled variables keep their numeric codes (so ``treat`` stays
        0/1); the label sets are kept in ``frame.attrs["value_labels"]`` (keyed by Stata label
        name) and the variable labels in ``frame.attrs["variable_labels"]``. ``True`` turns
        labelled variables into pandas categoricals instead.

    Returns
    -------
    pandas.DataFrame
        The data with a default ``RangeIndex`` (an index stored in a Parquet file becomes
        columns).

    Raises
    ------
    PanelError
        When the file does not exist, its suffix is not supported, it cannot be parsed, its
        header names a column twice (CSV/TSV, Excel, Parquet), or a requested sheet or column
        is absent.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "panel.csv"
    >>> pd.DataFrame({"city": [1, 1], "year": [2015, 2016], "y": [0.5, 0.7]}).to_csv(
    ...     path, index=False)
    >>> load_panel(path, columns=["year", "y"])
       year    y
    0  2015  0.5
    1  2016  0.7
    """
    file = Path(path).expanduser()
    if not file.exists():
        raise PanelError(f"panel file not found: {file} (working directory: {Path.cwd()}).")
    if not file.is_file():
        raise PanelError(f"panel path is not a file: {file}; give the path of the data file.")
    suffix = _suffix_of(file)
    if sheet is not None and suffix not in (".xlsx", ".xls"):
        raise PanelError(f"sheet={sheet!r} applies to Excel files only, not to {file}.")
    wanted = None if columns is None else _as_column_list(columns, file)
    frame = _run_reader(_READERS[suffix], file, suffix, wanted, sheet, convert_categoricals)
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    return frame if wanted is None else frame[wanted]


def _suffix_of(file: Path) -> str:
    name = file.name.lower()
    for suffix in sorted(SUPPORTED_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    listed = ", ".join(SUPPORTED_SUFFIXES)
    raise PanelError(
        f"cannot read {file}: unknown file type {''.join(file.suffixes) or '(no suffix)'!r}; "
        f"supported suffixes are {listed}."
    )


def _as_column_list(columns: Sequence[str], file: Path) -> list[str]:
    if isinstance(columns, str):
        columns = [columns]
    wanted = list(columns)
    if len(set(wanted)) != len(wanted):
        raise PanelError(f"columns= for {file} lists a column twice: {wanted}.")
    return wanted


def _run_reader(
    reader: Reader,
    file: Path,
    suffix: str,
    columns: list[str] | None,
    sheet: str | int | None,
    convert_categoricals: bool,
) -> pd.DataFrame:
    kind = SUPPORTED_SUFFIXES[suffix]
    try:
        return reader(file, columns, sheet, convert_categoricals)
    except PanelError:
        raise
    except ImportError as exc:
        # .xls needs xlrd, which pilotdid does not depend on
        raise PanelError(
            f"cannot read {file}: {exc}; install the missing package or save it as .xlsx/.csv."
        ) from exc
    except Exception as exc:  # every parser failure (corrupt, truncated, mislabelled) ends here
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PanelError(
            f"cannot read {file} as {kind} data ({reason}); check that the file is complete "
            f"and really is {kind}."
        ) from exc


def _check_columns(file: Path, available: Sequence[str], wanted: list[str] | None) -> None:
    if wanted is None:
        return
    missing = [c for c in wanted if c not in set(available)]
    if missing:
        pool = [str(c) for c in available]
        listed = "; ".join(f"{c!r}{did_you_mean(str(c), pool)}" for c in missing)
        raise PanelError(f"column(s) not found in {file}: {listed}.")


def _refuse_repeated(file: Path, header: Sequence[Any]) -> None:
    """Refuse a header that names a column twice (pandas would rename the copy ``FIN.1``)."""
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(header, start=1):
        if not pd.isna(name):  # blank header cells get distinct "Unnamed: k" names
            positions.setdefault(str(name).strip(), []).append(position)
    repeated = {name: where for name, where in positions.items() if len(where) > 1}
    if repeated:
        listed = "; ".join(
            f"{name!r} in columns {', '.join(str(p) for p in where)}"
            for name, where in repeated.items()
        )
        raise PanelError(
            f"{file} names {len(repeated)} column(s) more than once: {listed}; which copy is "
            "meant cannot be told (pandas would rename the second to "
            f"{next(iter(repeated)) + '.1'!r} and use the first), so rename or remove the repeats."
        )


def _read_delimited(sep: str) -> Reader:
    def read(file: Path, columns: list[str] | None, sheet: Any, _: bool) -> pd.DataFrame:
        # read the header first so a wrong column name gets a suggestion, not a pandas trace,
        # and as raw text, because pandas renames a repeated name ("FIN", "FIN.1")
        raw = pd.read_csv(file, sep=sep, header=None, nrows=1, dtype=str)
        _refuse_repeated(file, raw.iloc[0].tolist() if len(raw) else [])
        _check_columns(file, pd.read_csv(file, sep=sep, nrows=0).columns.tolist(), columns)
        return pd.read_csv(file, sep=sep, usecols=columns)

    return read


def _read_excel(
    file: Path, columns: list[str] | None, sheet: str | int | None, _: bool
) -> pd.DataFrame:
    with pd.ExcelFile(file) as book:
        names = [str(s) for s in book.sheet_names]
        chosen = 0 if sheet is None else sheet
        if isinstance(chosen, str) and chosen not in names:
            raise PanelError(
                f"sheet {chosen!r} not found in {file}{did_you_mean(chosen, names)}; "
                f"sheets: {names}."
            )
        if isinstance(chosen, int) and not 0 <= chosen < len(names):
            raise PanelError(f"sheet={chosen} is out of range: {file} has {len(names)} sheet(s).")
        raw = pd.read_excel(book, sheet_name=chosen, header=None, nrows=1, dtype=str)
        _refuse_repeated(file, raw.iloc[0].tolist() if len(raw) else [])
        frame = pd.read_excel(book, sheet_name=chosen)
    _check_columns(file, frame.columns.tolist(), columns)
    return frame


def _read_stata(
    file: Path, columns: list[str] | None, sheet: Any, convert_categoricals: bool
) -> pd.DataFrame:
    # a corrupt header makes pandas emit overflow RuntimeWarnings before it fails; the failure
    # itself is reported as a PanelError, the warnings would only be noise
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pd.read_stata(
            file, iterator=True, convert_categoricals=convert_categoricals
        ) as reader:
            variable_labels = reader.variable_labels()
            _check_columns(file, list(variable_labels), columns)
            frame: pd.DataFrame = reader.read(columns=columns)  # type: ignore[attr-defined]  # stubs lag
            value_labels = reader.value_labels()
    frame.attrs["value_labels"] = {
        name: {_plain(code): label for code, label in codes.items()}
        for name, codes in value_labels.items()
    }
    frame.attrs["variable_labels"] = variable_labels
    return frame


def _read_parquet(file: Path, columns: list[str] | None, sheet: Any, _: bool) -> pd.DataFrame:
    import pyarrow.parquet as pq

    names = pq.read_schema(file).names
    _refuse_repeated(file, names)  # Arrow allows repeated field names
    _check_columns(file, names, columns)
    return pd.read_parquet(file, engine="pyarrow", columns=columns)


def _plain(value: Any) -> Any:
    # numpy scalars (np.int32(1)) -> Python scalars, so the labels print and serialise cleanly
    return value.item() if hasattr(value, "item") else value


_READERS: dict[str, Reader] = {
    ".csv": _read_delimited(","),
    ".csv.gz": _read_delimited(","),
    ".tsv": _read_delimited("\t"),
    ".tsv.gz": _read_delimited("\t"),
    ".xlsx": _read_excel,
    ".xls": _read_excel,
    ".dta": _read_stata,
    ".parquet": _read_parquet,
}
