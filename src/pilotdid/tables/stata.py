"""Stata ``.dta`` files: legal variable names, variable labels, atomic writes (through pyreadstat).

Stata variable names are at most 32 characters of letters (Unicode letters from Stata 14 on),
digits and underscores, do not start with a digit and are not reserved words (``_n``, ``_b``,
``if``, ``int``, ``str5`` ...). Column names that break a rule are changed, made unique, and
reported in :attr:`DtaFile.renamed`; the variable label of a renamed column keeps its original
name, so nothing is lost in Stata.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pilotdid.errors import PilotdidError
from pilotdid.tables._io import atomic_write

__all__ = ["DtaFile", "stata_name", "stata_names", "write_dta"]

#: Stata's reserved names (Stata User's Guide, [U] 11.3 Naming conventions).
RESERVED = frozenset(
    "_all _b byte _coef _cons double float if in int long _n _N _pi _pred _rc _skip strL using "
    "with".split()
)
_STR_TYPE = re.compile(r"^str\d+$")
#: Stata limits: a name has at most 32 characters; a variable or data label at most 80.
NAME_MAX = 32
LABEL_MAX = 80


@dataclass(frozen=True)
class DtaFile:
    """A written ``.dta`` file.

    Attributes
    ----------
    path : pathlib.Path
        The file.
    n_rows, n_columns : int
        Observations and variables written.
    renamed : mapping of str to str
        Column name -> Stata variable name, for every column whose name had to change.
    """

    path: Path
    n_rows: int
    n_columns: int
    renamed: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        extra = f", {len(self.renamed)} renamed" if self.renamed else ""
        return f"DtaFile({str(self.path)!r}, {self.n_rows} obs, {self.n_columns} vars{extra})"

    def _repr_html_(self) -> str:
        from pilotdid._text import html_summary

        lines = [f"{self.path}: {self.n_rows:,} observations, {self.n_columns:,} variables"]
        lines += [f"  {old!r} -> {new}" for old, new in self.renamed.items()]
        return html_summary("\n".join(lines), title="Stata data set")


def _legal_char(ch: str) -> bool:
    # Stata 14+ (the .dta 118 format written here is UTF-8) accepts Unicode letters in names
    return ch == "_" or ("0" <= ch <= "9") or ch.isalpha()


def stata_name(name: object) -> str:
    """Return a legal Stata variable name for a column name (before making names unique).

    Examples
    --------
    >>> stata_name("GDP per capita"), stata_name("2010"), stata_name("_n"), stata_name("x" * 40)[-3:]
    ('GDP_per_capita', 'v2010', 'v_n', 'xxx')
    """
    text = "".join(ch if _legal_char(ch) else "_" for ch in str(name))
    text = re.sub(r"_{2,}", "_", text) if text != str(name) else text
    if not text or text[0].isdigit():
        text = "v" + text
    if text in RESERVED or _STR_TYPE.match(text):
        text = "v" + text
    text = text[:NAME_MAX]
    while len(text.encode("utf-8")) > 128:  # Stata's byte limit for a name
        text = text[:-1]
    return text


def stata_names(columns: list[object]) -> dict[object, str]:
    """Map each column to a legal, unique Stata variable name (legal names are kept as they are).

    Examples
    --------
    >>> stata_names(["a b", "a_b", "a-b"])
    {'a b': 'a_b_2', 'a_b': 'a_b', 'a-b': 'a_b_3'}
    """
    legal = {c: stata_name(c) for c in columns}
    # names that are already legal keep priority, so a clash renames the changed column
    used: set[str] = {str(c) for c in columns if legal[c] == str(c)}
    out: dict[object, str] = {}
    for c in columns:
        name = legal[c]
        if name == str(c) and name not in out.values():
            out[c] = name
            continue
        base, k = name, 2
        while name in used or name in out.values():
            suffix = f"_{k}"
            name = base[: NAME_MAX - len(suffix)] + suffix
            k += 1
        used.add(name)
        out[c] = name
    return out


def _stata_frame(data: pd.DataFrame) -> pd.DataFrame:
    """Turn pandas types Stata has no type for into ones it has (bool -> 0/1, category -> text)."""
    out = data.reset_index(drop=True)
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.astype(object).where(s.notna(), None)
        elif pd.api.types.is_bool_dtype(s.dtype):
            out[col] = s.astype("Int8") if s.isna().any() else s.astype(np.int8)
        elif (
            pd.api.types.is_object_dtype(s.dtype)
            and not s.map(
                lambda v: v is None or isinstance(v, str) or (isinstance(v, float) and np.isnan(v))
            ).all()
        ):
            raise PilotdidError(
                f"column {col!r} mixes text with other values, which Stata cannot store in one "
                "variable; convert it to text or numbers first (e.g. df[col].astype(str))."
            )
    return out


def write_dta(
    data: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    labels: Mapping[str, str] | None = None,
    data_label: str = "",
) -> DtaFile:
    """Write ``data`` to a Stata ``.dta`` file (version 15, UTF-8), atomically.

    Parameters
    ----------
    data : pandas.DataFrame
        The rows to write (the index is not written). It is not modified.
    path : str or os.PathLike
        Target file; its folder must exist. An existing file is replaced only once the new one is
        complete.
    labels : mapping of str to str, optional
        Variable labels by column name (cut to Stata's 80 characters). A renamed column without a
        label gets its original name as label.
    data_label : str
        The data set's label (cut to 80 characters).

    Returns
    -------
    DtaFile
        The path, the size and the renamed columns.

    Examples
    --------
    >>> import pandas as pd, pyreadstat, tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> out = write_dta(pd.DataFrame({"GDP growth": [1.5, 2.0]}), os.path.join(folder, "x.dta"))
    >>> dict(out.renamed)
    {'GDP growth': 'GDP_growth'}
    >>> pyreadstat.read_dta(str(out.path))[1].column_names_to_labels
    {'GDP_growth': 'GDP growth'}
    """
    try:
        import pyreadstat
    except ImportError as exc:
        raise PilotdidError(
            "writing Stata .dta files needs the pyreadstat package: pip install 'pilotdid[stata]'"
        ) from exc
    names = stata_names(list(data.columns))
    given = dict(labels or {})
    column_labels: dict[str, str | None] = {}
    for col, name in names.items():
        label = given.get(str(col)) or (str(col) if name != str(col) else None)
        column_labels[name] = label[:LABEL_MAX] if label else None
    frame = _stata_frame(data)
    frame.columns = [names[c] for c in data.columns]

    def write(tmp: Path) -> None:
        pyreadstat.write_dta(
            frame, str(tmp), file_label=data_label[:LABEL_MAX], column_labels=column_labels
        )

    target = atomic_write(path, write)
    renamed = {str(c): n for c, n in names.items() if n != str(c)}
    return DtaFile(target, len(frame), frame.shape[1], renamed)
