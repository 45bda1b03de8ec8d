"""Row selection and row building of :func:`pilotdid.tables.etable.etable`.

Kept apart from the public function so each piece stays small: :func:`select_terms` decides which
coefficients appear and in what order (and names any unknown one), :func:`build_body` lays out
the coefficient, statistic and indicator sections.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pilotdid.errors import PilotdidError, did_you_mean
from pilotdid.estimation.summary import COEF_COLUMNS, ModelSummary
from pilotdid.tables.cells import format_value, stars_for
from pilotdid.tables.labels import INTERCEPT_NAMES, Labels

__all__ = ["CellSpec", "build_body", "select_terms"]


@dataclass(frozen=True)
class CellSpec:
    """How coefficient cells are shown (shared by every model column)."""

    levels: tuple[float, ...]
    below: str
    digits: int
    decimals: int | None

    def estimate(self, row: Mapping[str, float]) -> Any:
        """Return the coefficient cell: the estimate with its stars."""
        stars = stars_for(float(row["p_value"]), self.levels)
        return format_value(float(row["estimate"]), self.digits, self.decimals, stars=stars)

    def beneath(self, row: Mapping[str, float]) -> Any:
        """Return the cell under the coefficient: (se), (t), (p) or [low, high]."""
        if self.below == "ci":
            low, high = (self.number(float(row[k])) for k in ("conf_low", "conf_high"))
            return f"[{low}, {high}]"
        key = {"se": "std_error", "t": "statistic", "p": "p_value"}[self.below]
        # p-values read best with fixed decimals (0.000, 0.014), as in the paper's Table 2.
        decimals = 3 if self.below == "p" and self.decimals is None else self.decimals
        return format_value(float(row[key]), self.digits, decimals, enclose="()")

    def number(self, value: float) -> Any:
        """Return any other number of the table (fit statistics)."""
        return format_value(value, self.digits, self.decimals)


def _ordered_union(groups: Iterable[Iterable[str]]) -> list[str]:
    seen: dict[str, None] = {}
    for group in groups:
        for item in group:
            seen.setdefault(str(item), None)
    return list(seen)


def _check_known(arg: str, names: Sequence[str] | None, known: Sequence[str]) -> list[str]:
    if names is None:
        return []
    names = [names] if isinstance(names, str) else [str(n) for n in names]
    for name in names:
        if name not in known:
            raise PilotdidError(
                f"etable({arg}=...): no model has a coefficient named {name!r}"
                f"{did_you_mean(name, known)}; the coefficients are {', '.join(known)}."
            )
    return names


def select_terms(
    summaries: Sequence[ModelSummary],
    keep: Sequence[str] | None,
    drop: Sequence[str] | None,
    order: Sequence[str] | None,
    controls: Mapping[str, Sequence[str]],
    constant: bool,
) -> list[str]:
    """Return the coefficient names to show, in display order.

    Model order of first appearance, the intercept last; ``keep`` filters (and may show
    controls), otherwise control variables summarised by an indicator row are hidden; ``drop``
    removes; ``order`` moves the named terms to the front.
    """
    known = _ordered_union(s.coefs.index for s in summaries)
    keep_list = _check_known("keep", keep, known)
    drop_list = _check_known("drop", drop, known)
    order_list = _check_known("order", order, known)
    for label, terms in controls.items():
        _check_known(f"controls[{label!r}]", terms, known)
    terms = [t for t in known if t not in INTERCEPT_NAMES]
    if constant:
        terms += [t for t in known if t in INTERCEPT_NAMES]
    if keep is not None:
        terms = [t for t in terms if t in keep_list]
    else:
        hidden = {t for group in controls.values() for t in group}
        terms = [t for t in terms if t not in hidden]
    terms = [t for t in terms if t not in drop_list]
    front = [t for t in order_list if t in terms]
    return front + [t for t in terms if t not in front]


def _record(frame: pd.DataFrame, term: str) -> dict[str, float]:
    # Exact floats straight from the result's frame: the table never rounds before formatting.
    return {column: float(frame.at[term, column]) for column in COEF_COLUMNS}  # type: ignore[arg-type]


def _coef_rows(
    summaries: Sequence[ModelSummary], terms: list[str], spec: CellSpec, labels: Labels
) -> list[tuple[str, list[Any]]]:
    rows = []
    frames = [s.coefs for s in summaries]
    for term in terms:
        records = [_record(f, term) if term in f.index else None for f in frames]
        rows.append(
            (labels.term(term), [spec.estimate(r) if r is not None else "" for r in records])
        )
        if spec.below != "none":
            rows.append(("", [spec.beneath(r) if r is not None else "" for r in records]))
    return rows


def _stat_cell(summary: ModelSummary, key: str, spec: CellSpec) -> Any:
    if key == "nobs":
        return spec.number(int(summary.nobs))
    value = summary.stats.get(key)
    if value is None or not math.isfinite(float(value)):
        return ""
    return spec.number(int(value) if key == "n_clusters" else float(value))


def _indicator_rows(
    summaries: Sequence[ModelSummary],
    labels: Labels,
    controls: Mapping[str, Sequence[str]],
    fixef: bool,
    fe_labels: Mapping[str, str],
) -> list[tuple[str, list[Any]]]:
    rows = []
    for label, group in controls.items():
        cells = []
        for s in summaries:
            n_in = sum(term in s.coefs.index for term in group)
            key = "yes" if n_in == len(group) else "no" if n_in == 0 else "partial"
            cells.append(labels.text(key))
        rows.append((label, cells))
    if fixef:
        for fe in _ordered_union(s.fixef for s in summaries):
            label = fe_labels.get(fe, labels.fixef(fe))
            rows.append((label, [labels.yes_no(fe in s.fixef) for s in summaries]))
    for key in _ordered_union(s.extra_rows for s in summaries):
        values = [str(s.extra_rows.get(key, "")) for s in summaries]
        translated = {"Yes": labels.yes_no(True), "No": labels.yes_no(False)}
        rows.append((labels.var(key), [translated.get(v, v) for v in values]))
    return rows


def build_body(
    summaries: Sequence[ModelSummary],
    terms: list[str],
    spec: CellSpec,
    labels: Labels,
    stats: Sequence[str],
    controls: Mapping[str, Sequence[str]],
    fixef: bool,
    fe_labels: Mapping[str, str],
    columns: Sequence[str],
) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """Return the table body (coefficients, statistics, indicators) and where section rules go."""
    rows = _coef_rows(summaries, terms, spec, labels)
    n_coef = len(rows)
    for key in stats:
        label = labels.text("observations" if key == "nobs" else key)  # the other keys are texts
        rows.append((label, [_stat_cell(s, key, spec) for s in summaries]))
    rows += _indicator_rows(summaries, labels, controls, fixef, fe_labels)
    body = pd.DataFrame(
        [cells for _, cells in rows],
        index=[label for label, _ in rows],
        columns=list(columns),
        dtype=object,
    )
    rules = (n_coef,) if 0 < n_coef < len(rows) else ()
    return body, rules
