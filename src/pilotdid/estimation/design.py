"""Turn a parsed formula and a DataFrame into the arrays of one estimation sample.

Every removed row is counted by cause: missing values (including values a transformation such as
``np.log`` turns non-finite) and singleton fixed-effect groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pilotdid.errors import EstimationError, did_you_mean
from pilotdid.estimation.fixef import FixedEffects, drop_singletons, encode_factors
from pilotdid.estimation.formula import FormulaSpec, quote_name, required_columns
from pilotdid.panel.frames import check_finite, check_not_empty

__all__ = ["Design", "build_design"]


@dataclass(frozen=True, eq=False)
class Design:
    """Arrays of one estimation sample, before the fixed effects are absorbed.

    Attributes
    ----------
    spec : FormulaSpec
        The formula.
    y : numpy.ndarray, shape (n,)
        Outcome.
    x : numpy.ndarray, shape (n, k)
        Regressors in Fortran order (intercept first when there are no fixed effects).
    names : tuple of str
        Column names of ``x``.
    fe : FixedEffects or None
        Integer-coded fixed effects of the sample.
    weights : numpy.ndarray or None
        Analytic weights.
    rows : numpy.ndarray of int, shape (n,)
        Positions of the sample's rows in the input DataFrame.
    dropped : dict of str to int
        Rows removed by cause (``"missing"``, ``"singletons"``).
    """

    spec: FormulaSpec
    y: np.ndarray
    x: np.ndarray
    names: tuple[str, ...]
    fe: FixedEffects | None
    weights: np.ndarray | None
    rows: np.ndarray
    dropped: dict[str, int] = field(default_factory=dict)

    @property
    def n_obs(self) -> int:
        """Number of observations in the sample."""
        return int(self.y.shape[0])


def _required_columns(spec: FormulaSpec) -> tuple[list[str], list[str]]:
    """Columns the outcome and the regressors need."""
    lhs = [spec.depvar] if spec.simple_lhs else required_columns(spec.lhs)
    if spec.simple_rhs:
        rhs = [n for n in spec.rhs_names if n is not None]
    else:
        rhs = required_columns(spec.rhs)
    return lhs, rhs


def _check_columns(data: pd.DataFrame, spec: FormulaSpec, columns: Sequence[str]) -> None:
    missing = [c for c in dict.fromkeys(columns) if c not in data.columns]
    if missing:
        details = "; ".join(f"{c!r}{did_you_mean(c, data.columns)}" for c in missing)
        raise EstimationError(f"formula {spec.text!r} uses unknown column(s): {details}")


def _check_numeric(data: pd.DataFrame, spec: FormulaSpec, columns: Sequence[str]) -> None:
    for col in columns:
        dtype = data[col].dtype
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
            raise EstimationError(
                f"column {col!r} in formula {spec.text!r} is not numeric (dtype {dtype}); convert it "
                f"with pandas.to_numeric, or write C({quote_name(col)}) to use it as a categorical regressor"
            )


def _complete_rows(data: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    keep = np.ones(len(data), dtype=bool)
    for col in dict.fromkeys(columns):
        keep &= ~pd.isna(data[col]).to_numpy()
    return keep


def _float_columns(frame: pd.DataFrame, columns: Sequence[str], rows: np.ndarray) -> np.ndarray:
    """Return the selected rows of numeric columns as one float64 array in Fortran order."""
    out = np.empty((rows.size, len(columns)), order="F")
    full = rows.size == len(frame)
    for j, col in enumerate(columns):
        values = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
        out[:, j] = values if full else values[rows]
    return out


def _weights(
    data: pd.DataFrame, weights: str | Sequence[float] | np.ndarray | None
) -> np.ndarray | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        if weights not in data.columns:
            raise EstimationError(
                f"weights column {weights!r} not found{did_you_mean(weights, data.columns)}"
            )
        column = data[weights]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            raise EstimationError(
                f"weights column {weights!r} is not numeric (dtype {column.dtype}, e.g. "
                f"{_first_present(column)!r}); convert it with pandas.to_numeric first"
            )
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        label = f"weights column {weights!r}"
    else:
        values = np.asarray(weights, dtype=np.float64)
        label = "weights"
        if values.shape != (len(data),):
            raise EstimationError(
                f"{label} must have one value per row ({len(data)}), got shape {values.shape}"
            )
    bad_missing, bad_sign = int(np.isnan(values).sum()), int((values <= 0).sum())
    if bad_missing or bad_sign:
        counts = {
            "missing": bad_missing,
            "negative": int((values < 0).sum()),
            "zero": int((values == 0).sum()),
        }
        found = [f"{n:,} {what} value(s)" for what, n in counts.items() if n]
        raise EstimationError(
            f"{label} has {' and '.join(found)}; weights must be positive — drop those rows "
            "first (e.g. unmatched units with a missing matching weight)"
        )
    return values


def _first_present(column: pd.Series) -> object:
    present = column[column.notna()]
    if present.empty:
        return None
    text = pd.to_numeric(present.astype(object), errors="coerce").isna()
    value = present[text].iloc[0] if text.any() else present.iloc[0]
    return value.item() if isinstance(value, np.generic) else value


def build_design(
    spec: FormulaSpec,
    data: pd.DataFrame,
    *,
    weights: str | Sequence[float] | np.ndarray | None = None,
    extra_columns: Sequence[str] = (),
    keys: tuple[str, str] | None = None,
) -> Design:
    """Build the arrays of the estimation sample of ``spec`` on ``data``.

    Parameters
    ----------
    spec : FormulaSpec
        Parsed formula.
    data : pandas.DataFrame
        The panel (never modified).
    weights : str or array-like, optional
        Analytic weights: a column name or one positive value per row.
    extra_columns : sequence of str
        Further columns whose missing values remove a row (cluster variables).
    keys : tuple of (unit, time), optional
        Columns that identify rows in messages; by default the first two fixed effects.

    Returns
    -------
    Design
        Outcome, regressors, fixed-effect codes and row bookkeeping.
    """
    if not isinstance(data, pd.DataFrame):
        raise EstimationError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    check_not_empty(data, f"formula {spec.text!r}")
    lhs, rhs = _required_columns(spec)
    _check_columns(data, spec, [*lhs, *rhs, *spec.fixef_columns, *extra_columns])
    _check_numeric(data, spec, lhs if spec.simple_lhs else [])
    if spec.simple_rhs:
        _check_numeric(data, spec, rhs)
    # inf in the data is an error; values a transformation makes non-finite (log 0) are dropped
    used = [*lhs, *rhs, *spec.fixef_columns, *extra_columns]
    fes = spec.fixef_columns
    shown_by = keys or ((fes[0], fes[1]) if len(fes) > 1 else None)
    where = f"formula {spec.text!r}"
    check_finite(
        data, [*used, weights if isinstance(weights, str) else None], keys=shown_by, where=where
    )
    w_all = _weights(data, weights)
    keep = _complete_rows(data, [*lhs, *rhs, *spec.fixef_columns, *extra_columns])
    n_missing = int((~keep).sum())
    if not keep.any():
        raise EstimationError(f"no complete rows for {spec.text!r}: every row has a missing value")
    rows = np.flatnonzero(keep)
    if spec.simple_rhs and spec.simple_lhs:
        # plain columns: settle the sample first, then read each column once (no n × k copies)
        finite = _finite_rows(data, [*lhs, *rhs], rows)
        n_missing += int((~finite).sum())
        fe, rows, n_single = _sample_fixed_effects(spec, data, rows[finite])
        y, x, names = _plain_arrays(spec, data, rows)
    else:
        y, x, names = _formulaic_arrays(spec, data.iloc[rows], not spec.fixef)
        finite = np.isfinite(y) & np.isfinite(x).all(axis=1)
        n_missing += int((~finite).sum())
        rows = rows[finite]
        fe, kept, n_single = _sample_fixed_effects(spec, data, rows)
        if not (finite.all() and rows.size == kept.size):
            present = np.isin(rows, kept)
            y, x = y[finite][present], np.asfortranarray(x[finite][present])
        rows = kept
    if rows.size == 0:
        raise EstimationError(
            f"the sample of {spec.text!r} is empty after dropping missing values and singletons"
        )
    w = None if w_all is None else w_all[rows]
    return Design(spec, y, x, names, fe, w, rows, {"missing": n_missing, "singletons": n_single})


def _finite_rows(data: pd.DataFrame, columns: Sequence[str], rows: np.ndarray) -> np.ndarray:
    """Mask over ``rows`` of rows whose numeric values are all finite (no ±inf)."""
    finite = np.ones(rows.size, dtype=bool)
    for col in dict.fromkeys(columns):
        values = data[col].to_numpy(dtype=np.float64, na_value=np.nan)
        finite &= np.isfinite(values if rows.size == len(data) else values[rows])
    return finite


def _plain_arrays(
    spec: FormulaSpec, data: pd.DataFrame, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Outcome and regressors that are plain columns, on ``rows`` (intercept without FE)."""
    columns = tuple(dict.fromkeys(n for n in spec.rhs_names if n is not None))
    first = 0 if spec.fixef else 1  # an intercept without fixed effects
    names = ("Intercept", *columns) if first else columns
    x = np.empty((rows.size, len(names)), order="F")
    if first:
        x[:, 0] = 1.0
    for j, name in enumerate(columns, start=first):
        x[:, j] = _float_columns(data, [name], rows)[:, 0]
    y = _float_columns(data, [spec.depvar], rows)[:, 0]
    return y, x, names


def _formulaic_arrays(
    spec: FormulaSpec, frame: pd.DataFrame, intercept: bool
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    from formulaic import model_matrix

    try:
        # an intercept in the spec gives reduced-rank (treatment) coding of categoricals,
        # then it is removed when fixed effects absorb it. Sparse output: a C() of hundreds of
        # levels as a pandas frame has one block per dummy and is slow to build and convert
        mm = model_matrix(f"{spec.lhs} ~ {spec.rhs}", frame, na_action="ignore", output="sparse")
    except Exception as exc:  # formulaic raises many types; report them as one user error
        raise EstimationError(f"cannot build the model matrix of {spec.text!r}: {exc}") from exc
    lhs, rhs = mm.lhs, mm.rhs
    if lhs.shape[1] != 1:
        raise EstimationError(f"the outcome of {spec.text!r} must be a single numeric column")
    names = [str(c) for c in rhs.model_spec.column_names]
    keep = [j for j, name in enumerate(names) if intercept or name != "Intercept"]
    x = np.asarray(rhs[:, keep].toarray(order="F"), dtype=np.float64, order="F")
    names = [names[j] for j in keep]
    y = np.asarray(lhs.toarray(), dtype=np.float64)[:, 0]
    return y, x, tuple(names)


def _sample_fixed_effects(
    spec: FormulaSpec, data: pd.DataFrame, rows: np.ndarray
) -> tuple[FixedEffects | None, np.ndarray, int]:
    """Fixed-effect codes on ``rows`` after recursive singleton removal, the kept rows, the count."""
    if not spec.fixef:
        return None, rows, 0
    cols = list(spec.fixef_columns)
    frame = data[cols] if rows.size == len(data) else data[cols].iloc[rows]
    fe = encode_factors(frame, spec.fixef)
    keep = drop_singletons(fe.codes)
    n_single = int((~keep).sum())
    if n_single:
        fe, rows = fe.subset(keep), rows[keep]
    return fe, rows, n_single
