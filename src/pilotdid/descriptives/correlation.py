"""Correlation table (the paper's Table 2) and variance inflation factors.

The correlation table is the lower triangle of Pearson (or Spearman) coefficients with stars and
the two-sided p-value in parentheses beneath, as in the paper. Rows with a missing value in any
listed variable are dropped first (listwise deletion, one N reported); ``missing="pairwise"``
uses every complete pair instead. The p-value is the t-test of zero correlation with ``N − 2``
degrees of freedom, which is what ``scipy.stats.pearsonr``/``spearmanr`` and Stata's
``pwcorr, sig`` report.

:func:`vif` backs the paper's "no multicollinearity" claim with numbers: VIF_j = 1/(1 − R²_j),
where R²_j comes from regressing variable j on the others with a constant (Stata ``estat vif``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from pilotdid.descriptives._common import numeric_columns, select_columns
from pilotdid.errors import PanelError, PilotdidError
from pilotdid.options import CorrMethod, CorrMissing, validate_option
from pilotdid.tables.cells import Number, format_value, stars_for, stars_note, validate_stars
from pilotdid.tables.labels import Labels
from pilotdid.tables.table import Table, as_notes

__all__ = ["CorrelationMatrix", "correlation", "correlation_matrix", "vif", "vif_values"]


@dataclass(frozen=True)
class CorrelationMatrix:
    """Correlations, p-values and pair counts, each of shape (k, k), symmetric, ones on the diagonal."""

    r: np.ndarray
    p: np.ndarray
    n: np.ndarray


def _corr_p(r: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Two-sided p-value of the t-test of zero correlation, t = r·sqrt((n−2)/(1−r²))."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = r * np.sqrt((n - 2) / (1.0 - r * r))
    p = 2.0 * sps.t.sf(np.abs(t), n - 2)
    return np.where(np.abs(r) >= 1.0, 0.0, p)


def _pearson(x: np.ndarray) -> np.ndarray:
    centred = x - x.mean(axis=0)
    norms = np.sqrt((centred * centred).sum(axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):  # constant columns are reported later
        r = (centred.T @ centred) / np.outer(norms, norms)
    np.fill_diagonal(r, 1.0)
    return np.asarray(np.clip(r, -1.0, 1.0))


def correlation_matrix(
    x: np.ndarray, method: str = "pearson", pairwise: bool = False
) -> CorrelationMatrix:
    """Correlation coefficients and p-values of the columns of ``x``.

    Parameters
    ----------
    x : numpy.ndarray, shape (n, k)
        Data; NaN marks a missing value.
    method : {"pearson", "spearman"}
        Spearman ranks each column (ties averaged) after the deletion step.
    pairwise : bool
        Use every row complete for the pair (True) or only rows complete for all columns.

    Examples
    --------
    >>> cm = correlation_matrix(np.array([[1.0, 2.0], [2.0, 4.1], [3.0, 5.9], [4.0, 8.2]]))
    >>> round(float(cm.r[1, 0]), 4), int(cm.n[1, 0])
    (0.999, 4)
    """
    k = x.shape[1]
    if not pairwise:
        x = x[~np.isnan(x).any(axis=1)]
        if method == "spearman":
            x = np.apply_along_axis(sps.rankdata, 0, x)
        r = _pearson(x)
        n = np.full((k, k), float(x.shape[0]))
    else:
        r, n = np.eye(k), np.zeros((k, k))
        for i in range(k):
            n[i, i] = np.sum(~np.isnan(x[:, i]))
            for j in range(i):
                both = x[~np.isnan(x[:, [i, j]]).any(axis=1)][:, [i, j]]
                if method == "spearman":
                    both = np.apply_along_axis(sps.rankdata, 0, both)
                r[i, j] = r[j, i] = _pearson(both)[0, 1] if both.shape[0] > 1 else np.nan
                n[i, j] = n[j, i] = both.shape[0]
    return CorrelationMatrix(r, _corr_p(r, n), n)


def _check_corr(x: np.ndarray, cm: CorrelationMatrix, cols: list[str], pairwise: bool) -> None:
    if cm.n.min() < 3:
        raise PanelError(
            f"correlation(): fewer than 3 complete observations ({int(cm.n.min())}); "
            "nothing to correlate."
        )
    used = x if pairwise else x[~np.isnan(x).any(axis=1)]
    for j, name in enumerate(cols):
        values = used[:, j][~np.isnan(used[:, j])]
        if np.all(values == values[0]):
            raise PanelError(
                f"correlation(): column {name!r} has no variance in the rows used; its "
                "correlation is undefined; leave it out of columns=."
            )


def correlation(
    data: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    method: str = "pearson",
    missing: str = "listwise",
    stars: Sequence[float] | bool | None = None,
    labels: Labels | Mapping[str, str] | None = None,
    language: str = "en",
    decimals: int = 3,
    pvalues: bool = True,
    numbered: bool = True,
    title: str = "",
    notes: Sequence[str] | str = (),
) -> Table:
    """Correlation table, lower triangle with stars and p-values beneath (the paper's Table 2).

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (not modified).
    columns : sequence of str, optional
        Variables in row order; default every numeric column.
    method : {"pearson", "spearman"}, default "pearson"
    missing : {"listwise", "pairwise"}, default "listwise"
        Drop rows with any missing value once (one N, in the notes) or per pair.
    stars : sequence of float or bool, optional
        Thresholds (default 0.1, 0.05, 0.01).
    labels, language
        Variable display names and language of the notes.
    decimals : int, default 3
        Decimals of coefficients and p-values (the paper: 0.278, (0.000)).
    pvalues : bool, default True
        Put the p-value in parentheses beneath each coefficient.
    numbered : bool, default True
        Rows "(1) TP", columns "(1)" ... as in the paper; else the labels head the columns.
    title, notes
        Caption and extra notes.

    Returns
    -------
    Table

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"TP": [0, 1, 0, 1, 1], "lnHCL": [10.1, 10.9, 10.3, 10.8, 10.2]})
    >>> correlation(df).text_cells()
    [['1.000', ''], ['0.651', '1.000'], ['(0.234)', '']]
    """
    method = validate_option(method, CorrMethod, "method")
    missing = validate_option(missing, CorrMissing, "missing")
    lab = Labels.coerce(labels, language)
    levels = validate_stars(stars)
    cols = select_columns(data, columns, "correlation")
    x = numeric_columns(data, cols, "correlation")
    cm = correlation_matrix(x, method, missing == "pairwise")
    _check_corr(x, cm, cols, missing == "pairwise")
    names = [lab.var(c) for c in cols]
    rows, index = _triangle_rows(cm, levels, decimals, pvalues), []
    for i, name in enumerate(names):
        index.append(f"({i + 1}) {name}" if numbered else name)
        if pvalues and i > 0:
            index.append("")
    header = [f"({i + 1})" for i in range(len(cols))] if numbered else names
    body = pd.DataFrame(rows, index=index, columns=header, dtype=object)
    auto = _notes(lab, method, missing, cm, pvalues, levels)
    return Table(body, title=title, notes=as_notes(auto, notes), stub_header=lab.text("variables"))


def _notes(
    lab: Labels,
    method: str,
    missing: str,
    cm: CorrelationMatrix,
    pvalues: bool,
    levels: tuple[float, ...],
) -> list[str]:
    what = lab.text("corr_note" if pvalues else "corr_note_plain", method=lab.text(method))
    pairs = cm.n[np.tril_indices(cm.n.shape[0], -1)] if cm.n.shape[0] > 1 else np.diag(cm.n)
    lo, hi = int(pairs.min()), int(pairs.max())
    if missing == "listwise":
        sample = lab.text("listwise", n=f"{hi:,}")
    else:
        sample = lab.text("pairwise", n=f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}")
    notes = [what + lab.text("clause_sep") + sample]
    if levels:
        notes.append(stars_note(levels, lab.language))
    return notes


def _triangle_rows(
    cm: CorrelationMatrix, levels: tuple[float, ...], decimals: int, pvalues: bool
) -> list[list[Any]]:
    k = cm.r.shape[0]
    rows: list[list[Any]] = []
    for i in range(k):
        coef: list[Any] = [""] * k
        below: list[Any] = [""] * k
        for j in range(i + 1):
            stars = "" if i == j else stars_for(float(cm.p[i, j]), levels)
            coef[j] = Number(float(cm.r[i, j]), decimals, stars)
            if j < i:
                below[j] = Number(float(cm.p[i, j]), decimals, enclose="()")
        rows.append(coef)
        if pvalues and i > 0:
            rows.append(below)
    return rows


def vif_values(x: np.ndarray) -> np.ndarray:
    """Variance inflation factors of the columns of ``x``, shape (n, k) → (k,).

    VIF_j = 1/(1 − R²_j) = SST_j / SSR_j, where SSR_j is the residual sum of squares of the
    regression of column j on the other columns and a constant (computed as TSS/SSR to avoid
    the cancellation in 1 − R²).

    Examples
    --------
    >>> x = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 3.0]])
    >>> vif_values(x).round(6).tolist()
    [1.388889, 1.388889]
    """
    centred = x - x.mean(axis=0)
    k = x.shape[1]
    if k > 1 and x.shape[0] > k:
        fast = _vif_from_gram(centred)
        if fast is not None:
            return fast
    out = np.empty(k)
    for j in range(k):  # exact per-column regressions: (near-)collinear columns only
        y = centred[:, j]
        others = np.delete(centred, j, axis=1)
        beta = np.linalg.lstsq(others, y, rcond=None)[0] if k > 1 else np.zeros(0)
        resid = y - others @ beta
        out[j] = (y @ y) / (resid @ resid)
    return out


def _vif_from_gram(centred: np.ndarray) -> np.ndarray | None:
    """All VIFs from the k × k Gram matrix, O(n k²) time; None when it is ill-conditioned.

    With ``G = centredᵀ centred``, SSR_j = 1 / (G⁻¹)_jj, so VIF_j = G_jj (G⁻¹)_jj: one BLAS
    product instead of the textbook formula's k regressions (O(n k³)). The Gram matrix squares
    the condition number, so above 1e8 (relative error up to ~1e-8) the caller falls back to the
    per-column regressions (None), which also name exactly collinear columns.
    """
    gram = centred.T @ centred
    scale = np.sqrt(np.diag(gram))
    if not np.all(np.isfinite(gram)) or scale.min() <= 0:
        return None
    corr = gram / np.outer(scale, scale)  # unit diagonal: VIF_j = (corr⁻¹)_jj
    if np.linalg.cond(corr) > 1e8:
        return None
    return np.diag(np.linalg.inv(corr)).copy()


def vif(
    data: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    labels: Labels | Mapping[str, str] | None = None,
    language: str = "en",
    decimals: int = 2,
    sort: bool = True,
    title: str = "",
    notes: Sequence[str] | str = (),
) -> Table:
    """Variance inflation factors with their mean, as Stata's ``estat vif`` lays them out.

    Rows with a missing value in any column are dropped first (the N is in the notes).

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (not modified).
    columns : sequence of str, optional
        The regressors; default every numeric column.
    labels, language
        Variable display names and language.
    decimals : int, default 2
        Decimals of VIF (1/VIF gets two more).
    sort : bool, default True
        Largest VIF first, as ``estat vif``; else in ``columns`` order.
    title, notes
        Caption and extra notes.

    Returns
    -------
    Table
        Columns "VIF" and "1/VIF", one row per variable and a final "Mean VIF" row.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 1, 5, 3]})
    >>> vif(df).text_cells()
    [['1.39', '0.7200'], ['1.39', '0.7200'], ['1.39', '']]
    """
    lab = Labels.coerce(labels, language)
    cols = select_columns(data, columns, "vif")
    if len(cols) < 2:
        raise PilotdidError("vif() needs at least two columns: each is regressed on the others.")
    x = numeric_columns(data, cols, "vif")
    x = x[~np.isnan(x).any(axis=1)]
    if x.shape[0] <= len(cols):
        raise PanelError(
            f"vif(): {x.shape[0]} complete rows for {len(cols)} columns; need more rows than columns."
        )
    values = vif_values(x)
    bad = [c for c, v in zip(cols, values, strict=True) if not np.isfinite(v) or v > 1e12]
    if bad:
        listed = ", ".join(repr(c) for c in bad)
        raise PanelError(
            f"vif(): column(s) {listed} are constant or (nearly) linear combinations of the "
            "others (VIF above 1e12); drop one of them."
        )
    idx = np.argsort(-values, kind="stable") if sort else np.arange(len(cols))
    rows: list[list[Any]] = [
        [
            format_value(values[j], decimals=decimals),
            format_value(1 / values[j], decimals=decimals + 2),
        ]
        for j in idx
    ]
    rows.append([format_value(float(values.mean()), decimals=decimals), ""])
    index = [lab.var(cols[j]) for j in idx] + [lab.text("mean_vif")]
    body = pd.DataFrame(
        rows, index=index, columns=[lab.text("vif"), lab.text("inv_vif")], dtype=object
    )
    auto = [lab.text("vif_note") + f"; N = {x.shape[0]:,}"]
    return Table(
        body,
        title=title,
        notes=as_notes(auto, notes),
        rules=(len(cols),),
        stub_header=lab.text("variables"),
    )
