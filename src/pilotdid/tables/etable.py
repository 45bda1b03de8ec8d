"""Regression tables from any result that has ``model_summary()`` (the paper's Tables 3–5).

:func:`etable` never imports an estimator: it reads :class:`~pilotdid.estimation.summary.ModelSummary`
values (or anything with a ``model_summary()`` method) and lays them out as a
:class:`~pilotdid.tables.table.Table`: coefficients with stars and the standard error (or t, p,
CI) beneath, then N and fit statistics, then Yes/No rows for controls, fixed effects and any
extra rows the results carry. The notes say what is beneath, the variance estimator and the
star thresholds, so they always agree with the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pilotdid.errors import PilotdidError
from pilotdid.estimation.summary import COEF_COLUMNS, ModelSummary
from pilotdid.options import TableBelow, TableStat, deprecated_arguments, validate_option
from pilotdid.tables.cells import stars_note, validate_stars
from pilotdid.tables.etable_layout import CellSpec, build_body, select_terms
from pilotdid.tables.labels import Labels
from pilotdid.tables.strings import text
from pilotdid.tables.table import ColumnGroup, Table, as_notes

__all__ = ["etable"]


def _as_summary(result: Any, position: int) -> ModelSummary:
    if isinstance(result, ModelSummary):
        summary = result
    elif callable(getattr(result, "model_summary", None)):
        summary = result.model_summary()
    else:
        raise PilotdidError(
            f"etable(): model {position} is a {type(result).__name__}, which has no "
            "model_summary() method; pass estimation results or ModelSummary values."
        )
    if not isinstance(summary, ModelSummary):
        raise PilotdidError(
            f"etable(): model {position}'s model_summary() did not return a ModelSummary."
        )
    missing = [c for c in COEF_COLUMNS if c not in summary.coefs.columns]
    if missing:
        raise PilotdidError(
            f"etable(): model {position}'s coefficient frame lacks columns {missing}."
        )
    return summary


def _collect(results: Any) -> tuple[list[ModelSummary], list[str] | None]:
    """Summaries of ``results`` and, when given as a mapping, its keys as model titles."""
    if isinstance(results, Mapping):
        titles = [str(k) for k in results]
        items = list(results.values())
    else:
        titles = None
        single = isinstance(results, ModelSummary) or hasattr(results, "model_summary")
        items = [results] if single else list(results)
    if not items:
        raise PilotdidError("etable() needs at least one result.")
    return [_as_summary(r, i + 1) for i, r in enumerate(items)], titles


def _header(
    summaries: list[ModelSummary],
    labels: Labels,
    titles: Sequence[str] | None,
    depvar: bool,
    model_numbers: bool,
) -> tuple[list[str], tuple[tuple[ColumnGroup, ...], ...]]:
    """Body column names (lowest header row) and the header rows above them."""
    k = len(summaries)
    if titles is None and any(s.title for s in summaries):
        titles = [s.title or "" for s in summaries]
    if titles is not None and len(titles) != k:
        raise PilotdidError(f"etable(titles=...) has {len(titles)} titles for {k} models.")
    levels = []
    if model_numbers:
        levels.append([f"({i + 1})" for i in range(k)])
    if titles is not None:
        levels.append([str(t) for t in titles])
    if depvar:
        levels.append([labels.var(s.depvar) for s in summaries])
    if not levels:
        levels.append([f"({i + 1})" for i in range(k)])
    groups = tuple(tuple(ColumnGroup(label) for label in level) for level in levels[:-1])
    return levels[-1], groups


def _vcov_note(summaries: list[ModelSummary], below: str, labels: Labels) -> str:
    base = labels.text(f"below_{below}")
    vcovs = [labels.vcov(s.vcov_label) for s in summaries]
    if not any(vcovs):
        return base
    lang = labels.language
    if len(set(vcovs)) > 1:
        # Name each estimator once, with the models using it: "(1), (2) clustered by city".
        users: dict[str, list[str]] = {}
        for i, v in enumerate(vcovs):
            if v:
                users.setdefault(v, []).append(f"({i + 1})")
        sep, comma = text("table.clause_sep", lang), text("table.list_sep", lang)
        listed = sep.join(f"{comma.join(m)} {v}" for v, m in users.items())
        return text("table.vcov_by_model", lang, base=base, listed=listed)
    vcov = vcovs[0]
    if lang == "zh" and below == "se" and vcov.endswith(text("vcov.standard_errors", lang)):
        return text("table.vcov_in_parentheses", lang, vcov=vcov)
    return text(
        "table.vcov_se" if below == "se" else "table.vcov_other", lang, base=base, vcov=vcov
    )


def collinear_notes(summaries: Sequence[ModelSummary], labels: Labels) -> list[str]:
    """Return notes naming the regressors each model dropped as collinear, and why.

    A control absorbed by the fixed effects (a time-invariant control under unit fixed effects)
    leaves its column identical to the model without it; the note says so instead of letting
    the column read "with controls". Models are named ``(1)``, ``(2)`` ... when not all dropped it.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame(columns=["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"])
    >>> m = ModelSummary(c, "y", collinear=("lpop",), absorbed=("lpop",))
    >>> collinear_notes([ModelSummary(c, "y"), m], Labels())
    ['Dropped as collinear with the fixed effects: lpop in (2)']
    """
    notes = []
    comma = text("table.list_sep", labels.language)
    for key, pick in (
        ("dropped_fe", lambda s: s.absorbed),
        ("dropped_other", lambda s: tuple(n for n in s.collinear if n not in s.absorbed)),
    ):
        users: dict[str, list[int]] = {}
        for i, s in enumerate(summaries):
            for name in pick(s):
                users.setdefault(name, []).append(i + 1)
        if not users:
            continue
        parts = []
        for name, models in users.items():
            shown = labels.var(name)
            if len(models) < len(summaries):
                where = comma.join(f"({m})" for m in models)
                shown = text("table.in_models", labels.language, name=shown, where=where)
            parts.append(shown)
        notes.append(labels.text(key, names=comma.join(parts)))
    return notes


def _controls_spec(controls: Any, labels: Labels) -> dict[str, list[str]]:
    if controls is None:
        return {}
    if isinstance(controls, Mapping):
        return {labels.var(str(k)): [str(t) for t in v] for k, v in controls.items()}
    if isinstance(controls, str):
        controls = [controls]
    return {labels.text("controls"): [str(t) for t in controls]}


@deprecated_arguments(fe_labels="fixef_labels")
def etable(
    results: Any,
    *,
    keep: Sequence[str] | None = None,
    drop: Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    controls: Mapping[str, Sequence[str]] | Sequence[str] | None = None,
    labels: Labels | Mapping[str, str] | None = None,
    language: str = "en",
    stars: Sequence[float] | bool | None = None,
    below: str = "se",
    digits: int = 3,
    decimals: int | None = None,
    title: str = "",
    titles: Sequence[str] | None = None,
    depvar: bool = True,
    model_numbers: bool = True,
    stats: Sequence[str] = ("nobs", "r2"),
    fixef: bool = True,
    fixef_labels: Mapping[str, str] | None = None,
    constant: bool = True,
    notes: Sequence[str] | str = (),
    auto_notes: bool = True,
) -> Table:
    r"""Build a regression table from one or more results (the paper's Tables 3–5).

    Parameters
    ----------
    results : result, ModelSummary, sequence of them, or mapping title → result
        Each must be a :class:`~pilotdid.estimation.summary.ModelSummary` or have a
        ``model_summary()`` method (every pilotdid estimation result does). A mapping's keys
        become the model titles.
    keep, drop : sequence of str, optional
        Coefficient names to show only / to hide. ``keep`` filters without reordering (the
        intercept too, unless named, as Stata's ``esttab, keep()``); an unknown name is an
        error that names it.
    order : sequence of str, optional
        Coefficient names to put first, in this order; the others follow in model order.
    controls : sequence of str or mapping label → sequence of str, optional
        Control variables to summarise as one indicator row per group ("Controls: Yes/No";
        "Partial" when a model has only some). Listed controls are hidden from the coefficient
        rows unless named in ``keep``.
    labels : Labels or mapping, optional
        Display names of variables (see :class:`~pilotdid.tables.labels.Labels`).
    language : {"en", "zh"}, default "en"
        Language of the fixed strings: "zh" gives 变量, 观测值, 城市固定效应, 是/否 ...
    stars : sequence of float or bool, optional
        Significance thresholds; default (0.1, 0.05, 0.01) for \*, \*\*, \*\*\*. ``False``: none.
    below : {"se", "t", "p", "ci", "none"}, default "se"
        What goes beneath each coefficient: (standard error), (t), (p) or [95 % CI].
    digits : int, default 3
        Significant digits of the outreg2-style automatic format: numbers below 1 get
        ``digits`` significant digits (0.0232, 0.00948), larger ones ``digits`` decimals less
        one per extra integer digit (9.563, 11.56, 488.0, 1,645).
    decimals : int, optional
        Fixed decimals for every number instead of the automatic format.
    title : str
        Table caption, e.g. ``"Table 3. PSM-DID estimation results"``.
    titles : sequence of str, optional
        Model titles (a header row); by default the results' own titles, if any.
    depvar, model_numbers : bool, default True
        Show the dependent-variable header row / the "(1) (2) ..." header row.
    stats : sequence of {"nobs", "r2", "r2_within", "adj_r2", "n_clusters"}
        Statistic rows, in this order (absent statistics leave the cell empty).
    fixef : bool, default True
        Show a Yes/No row per fixed effect ("City FE", "Year FE").
    fixef_labels : mapping, optional
        Row labels for fixed effects, overriding the label dictionary (``{"city": "City Fe"}``).
    constant : bool, default True
        Show the intercept ("Constant"/"常数项") when a model reports one, as the last
        coefficient row (Stata's convention).
    notes : sequence of str or str
        Extra notes printed after the automatic ones.
    auto_notes : bool, default True
        Add the notes saying what is in parentheses (with the variance estimator) and the stars.

    Returns
    -------
    Table
        Render with ``.to_text()``, ``.to_latex()``, ``.to_docx(path)``, ``.save(path)`` ...

    Examples
    --------
    >>> import pandas as pd
    >>> from pilotdid.estimation.summary import ModelSummary
    >>> coefs = pd.DataFrame(
    ...     {"estimate": [0.0232], "std_error": [0.00948], "statistic": [2.447],
    ...      "p_value": [0.015], "conf_low": [0.0046], "conf_high": [0.0418]}, index=["TP"])
    >>> m = ModelSummary(coefs, "lnESF", ("city", "year"), "clustered by city", 2963, {"r2": 0.976})
    >>> t = etable([m])
    >>> t.text_cells()[:2]
    [['0.0232**'], ['(0.00948)']]
    >>> t.row_labels()[2:]
    ['Observations', 'R-squared', 'City FE', 'Year FE']
    """
    summaries, mapping_titles = _collect(results)
    lab = Labels.coerce(labels, language)
    below = validate_option(below, TableBelow, "below")
    stat_keys = [
        validate_option(s, TableStat, "stats")
        for s in ([stats] if isinstance(stats, str) else stats)
    ]
    spec = CellSpec(validate_stars(stars), below, digits, decimals)
    groups = _controls_spec(controls, lab)
    terms = select_terms(summaries, keep, drop, order, groups, constant)
    columns, header = _header(
        summaries, lab, titles if titles is not None else mapping_titles, depvar, model_numbers
    )
    body, rules = build_body(
        summaries, terms, spec, lab, stat_keys, groups, fixef, fixef_labels or {}, columns
    )
    auto = []
    if auto_notes:
        if below != "none":
            auto.append(_vcov_note(summaries, below, lab))
        if spec.levels:
            auto.append(stars_note(spec.levels, lab.language))
        auto += collinear_notes(summaries, lab)
    return Table(
        body,
        title=title,
        notes=as_notes(auto, notes),
        column_groups=header,
        stub_header=lab.text("variables"),
        rules=rules,
    )
