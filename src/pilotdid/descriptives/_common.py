"""Column checks shared by the descriptive and correlation tables."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pilotdid.errors import PanelError, PilotdidError, did_you_mean
from pilotdid.panel.frames import check_frame

__all__ = ["numeric_columns", "select_columns"]


def select_columns(
    data: pd.DataFrame, columns: Sequence[str] | str | None, func: str, exclude: Sequence[str] = ()
) -> list[str]:
    """Validate ``columns`` against ``data`` (all numeric columns when ``None``).

    The chosen columns must hold no inf or -inf, and ``data`` must have rows
    (:func:`pilotdid.panel.frames.check_frame`).
    """
    if not isinstance(data, pd.DataFrame):
        raise PilotdidError(
            f"{func}(data=...) must be a pandas DataFrame, got {type(data).__name__}."
        )
    if columns is None:
        chosen = [
            str(c)
            for c in data.columns
            if c not in exclude
            and (pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]))
        ]
        if not chosen:
            raise PanelError(f"{func}(): the data have no numeric columns; pass columns=[...].")
        check_frame(data, chosen, where=f"{func}()")
        return chosen
    chosen = [columns] if isinstance(columns, str) else [str(c) for c in columns]
    if not chosen:
        raise PilotdidError(f"{func}(columns=[]) is empty; name at least one column.")
    present = [str(c) for c in data.columns]
    for name in chosen:
        if name not in present:
            raise PanelError(
                f"{func}(): column {name!r} is not in the data{did_you_mean(name, present)}."
            )
    if len(set(chosen)) != len(chosen):
        raise PilotdidError(f"{func}(columns=...) names a column twice: {chosen}.")
    check_frame(data, chosen, where=f"{func}()")
    return chosen


def numeric_columns(data: pd.DataFrame, columns: Sequence[str], func: str) -> np.ndarray:
    """Return the columns as an (n, k) float array with NaN for missing values (data untouched)."""
    out = np.empty((len(data), len(columns)), dtype=float)
    for j, name in enumerate(columns):
        col = data[name]
        if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
            raise PanelError(
                f"{func}(): column {name!r} is not numeric (dtype {col.dtype}); "
                "convert it or leave it out of columns=."
            )
        out[:, j] = col.to_numpy(dtype="float64", na_value=np.nan)
    return out
