"""Descriptive statistics, the paper's Table 1 (Obs, Mean, Std. Dev., Min, Max).

Each variable uses its own non-missing observations, as Stata's ``summarize`` does; the standard
deviation has ``n − 1`` in the denominator; percentiles follow ``summarize, detail`` (the
averaged inverted empirical CDF). With ``by=`` the table adds the two group means, their
difference and the p-value of Welch's unequal-variance t-test (Stata ``ttest x, by(g) unequal``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from pilotdid.descriptives._common import numeric_columns, select_columns
from pilotdid.errors import PanelError
from pilotdid.options import DescribeStat, validate_option
from pilotdid.tables.cells import format_value, stars_for, stars_note, validate_stars
from pilotdid.tables.labels import Labels
from pilotdid.tables.table import ColumnGroup, Table, as_notes

__all__ = ["GroupComparison", "describe", "summary_stats", "welch_comparison"]

_HEADER_KEYS = {"count": "obs", "mean": "mean", "std": "sd", "min": "min", "max": "max",
                "median": "median", "var": "var"}  # fmt: skip


def summary_stats(x: np.ndarray, stats: Sequence[str]) -> list[float]:
    """Compute the requested statistics of one variable.

    Parameters
    ----------
    x : numpy.ndarray, shape (n,)
        Values; NaN entries are left out.
    stats : sequence of str
        Keys of :data:`pilotdid.options.DescribeStat` ("count", "mean", "std", "p25" ...).

    Returns
    -------
    list of float
        One value per key (NaN where undefined, e.g. the SD of one observation).

    Examples
    --------
    >>> summary_stats(np.array([1.0, 2.0, np.nan, 4.0]), ["count", "mean", "p50"])
    [3.0, 2.3333333333333335, 2.0]
    """
    v = x[~np.isnan(x)]
    n = v.size
    out = []
    for key in stats:
        if key == "count":
            out.append(float(n))
        elif n == 0 or (key in ("std", "var") and n < 2):
            out.append(float("nan"))
        elif key in ("std", "var"):
            out.append(float(np.std(v, ddof=1) if key == "std" else np.var(v, ddof=1)))
        elif key in ("mean", "min", "max"):
            out.append(float(getattr(np, key)(v)))
        else:
            q = 50.0 if key == "median" else float(key[1:])
            out.append(float(np.percentile(v, q, method="averaged_inverted_cdf")))
    return out


@dataclass(frozen=True)
class GroupComparison:
    """Means of two groups and Welch's t-test of their difference (all arrays of shape (k,))."""

    mean_a: np.ndarray
    mean_b: np.ndarray
    difference: np.ndarray
    p_value: np.ndarray
    n_a: int
    n_b: int


def welch_comparison(x: np.ndarray, in_a: np.ndarray, in_b: np.ndarray) -> GroupComparison:
    """Group means and Welch's t-test p-value per column of ``x``, shape (n, k).

    ``in_a``/``in_b`` are boolean masks of shape (n,); missing values are left out per column.
    The test is ``scipy.stats.ttest_ind(a, b, equal_var=False)`` (Welch–Satterthwaite df).
    """
    k = x.shape[1]
    mean_a, mean_b, p = np.full(k, np.nan), np.full(k, np.nan), np.full(k, np.nan)
    for j in range(k):
        a = x[in_a, j][~np.isnan(x[in_a, j])]
        b = x[in_b, j][~np.isnan(x[in_b, j])]
        mean_a[j] = a.mean() if a.size else np.nan
        mean_b[j] = b.mean() if b.size else np.nan
        if a.size >= 2 and b.size >= 2 and (a.var() > 0 or b.var() > 0):
            p[j] = sps.ttest_ind(a, b, equal_var=False).pvalue
    return GroupComparison(mean_a, mean_b, mean_a - mean_b, p, int(in_a.sum()), int(in_b.sum()))


def _groups(data: pd.DataFrame, by: str, labels: Labels) -> tuple[np.ndarray, np.ndarray, str, str]:
    values = data[by]
    distinct = pd.unique(values.dropna())
    if len(distinct) != 2:
        raise PanelError(
            f"describe(by={by!r}) needs exactly two groups, found {len(distinct)}: "
            f"{list(distinct)[:5]}; use a 0/1 treatment indicator."
        )
    a, b = sorted(distinct, reverse=True)  # 1 (treated) before 0 (control)
    binary = {a, b} == {0, 1}
    name_a = labels.text("treated") if binary else f"{labels.var(by)} = {a}"
    name_b = labels.text("control") if binary else f"{labels.var(by)} = {b}"
    return (values == a).to_numpy(bool), (values == b).to_numpy(bool), name_a, name_b


def _stat_cell(key: str, value: float, integral: bool, digits: int, decimals: int | None) -> Any:
    if np.isnan(value):
        return ""
    if key == "count" or (integral and key in ("min", "max")):
        return format_value(round(value))
    return format_value(value, digits, decimals)


def _stat_header(key: str, labels: Labels) -> str:
    return labels.text(_HEADER_KEYS[key]) if key in _HEADER_KEYS else f"P{key[1:]}"


def describe(
    data: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    by: str | None = None,
    stats: Sequence[str] = ("count", "mean", "std", "min", "max"),
    labels: Labels | Mapping[str, str] | None = None,
    language: str = "en",
    digits: int = 3,
    decimals: int | None = None,
    stars: Sequence[float] | bool | None = None,
    title: str = "",
    notes: Sequence[str] | str = (),
) -> Table:
    """Descriptive statistics table (the paper's Table 1).

    Parameters
    ----------
    data : pandas.DataFrame
        The panel (not modified).
    columns : sequence of str, optional
        Variables, one row each, in this order; default every numeric column except ``by``.
    by : str, optional
        A two-valued column (treat): adds the group means (1 before 0), their difference with
        stars and the p-value of Welch's unequal-variance t-test.
    stats : sequence of str
        Columns among "count", "mean", "std", "min", "max", "median", "var" and percentiles
        "p1", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "p99".
    labels, language
        Variable display names and the language of the headers ("zh": 观测值, 均值, 标准差 ...).
    digits, decimals : int
        Number format (see :func:`pilotdid.etable`); Min/Max of integer-valued variables and
        counts are shown as integers.
    stars : sequence of float or bool, optional
        Thresholds for the stars on the difference (default 0.1, 0.05, 0.01).
    title : str
        Table caption, e.g. ``"Table 1. Descriptive statistics"``.
    notes : sequence of str or str
        Extra notes under the table.

    Returns
    -------
    Table

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"lnESF": [9.1, 9.5, 10.2, 9.8], "treat": [0, 0, 1, 1]})
    >>> t = describe(df, ["lnESF", "treat"])
    >>> t.text_cells()[1]
    ['4', '0.500', '0.577', '0', '1']
    >>> describe(df, ["lnESF"], by="treat").body.columns[-2:].tolist()
    ['Difference', 'p-value']
    """
    stat_keys = [validate_option(s, DescribeStat, "stats") for s in stats]
    lab = Labels.coerce(labels, language)
    cols = select_columns(data, columns, "describe", exclude=[by] if by else [])
    x = numeric_columns(data, cols, "describe")
    rows = [_stat_row(x[:, j], stat_keys, digits, decimals) for j in range(len(cols))]
    header = [_stat_header(k, lab) for k in stat_keys]
    groups: tuple[tuple[ColumnGroup, ...], ...] = ()
    auto: list[str] = []
    if by is not None:
        select_columns(data, [by], "describe")
        fmt = _Format(validate_stars(stars), digits, decimals)
        header, auto = _add_comparison(rows, header, data, x, by, lab, fmt)
        groups = (
            (
                ColumnGroup(lab.text("full_sample"), len(stat_keys)),
                ColumnGroup(lab.text("group_test"), 4),
            ),
        )
    body = pd.DataFrame(rows, index=[lab.var(c) for c in cols], columns=header, dtype=object)
    return Table(body, title=title, notes=as_notes(auto, notes), column_groups=groups,
                 stub_header=lab.text("variables"))  # fmt: skip


def _stat_row(x: np.ndarray, keys: list[str], digits: int, decimals: int | None) -> list[Any]:
    finite = x[~np.isnan(x)]
    # Dummies and counts keep integer Min/Max ("0", "1"), as Stata's summarize shows them.
    integral = bool(finite.size) and bool(np.all(finite == np.round(finite)))
    values = summary_stats(x, keys)
    return [_stat_cell(k, v, integral, digits, decimals) for k, v in zip(keys, values, strict=True)]


@dataclass(frozen=True)
class _Format:
    levels: tuple[float, ...]
    digits: int
    decimals: int | None

    def num(self, value: float, stars: str = "") -> Any:
        return (
            format_value(value, self.digits, self.decimals, stars=stars)
            if np.isfinite(value)
            else ""
        )


def _add_comparison(
    rows: list[list[Any]],
    header: list[str],
    data: pd.DataFrame,
    x: np.ndarray,
    by: str,
    lab: Labels,
    fmt: _Format,
) -> tuple[list[str], list[str]]:
    """Append treated mean, control mean, difference and Welch p to each row; header and notes."""
    in_a, in_b, name_a, name_b = _groups(data, by, lab)
    cmp = welch_comparison(x, in_a, in_b)
    for j, row in enumerate(rows):
        p = float(cmp.p_value[j])
        row += [
            fmt.num(cmp.mean_a[j]),
            fmt.num(cmp.mean_b[j]),
            fmt.num(cmp.difference[j], stars_for(p, fmt.levels)),
            format_value(p, decimals=3) if np.isfinite(p) else "",
        ]
    notes = [lab.text("welch_note", a=name_a, b=name_b, na=f"{cmp.n_a:,}", nb=f"{cmp.n_b:,}")]
    if fmt.levels:
        notes.append(stars_note(fmt.levels, lab.language))
    return [*header, name_a, name_b, lab.text("difference"), lab.text("p_value")], notes
