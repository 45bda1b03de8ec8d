"""Regression tables of the mechanism analyses in the paper's layout (Tables 4 and 5).

Built with :func:`pilotdid.etable` from the results' models, then extended with the rows the
paper lacks: the between-group difference with its pooled-model and permutation p-values under
the split columns, and the indirect effect of the three-step method.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from pilotdid.estimation.summary import ModelSummary
from pilotdid.tables.cells import DEFAULT_STARS, format_value, stars_for
from pilotdid.tables.etable import etable
from pilotdid.tables.labels import Labels
from pilotdid.tables.strings import text
from pilotdid.tables.table import Table, as_notes

if TYPE_CHECKING:
    from pilotdid.mechanisms.heterogeneity_result import HeterogeneityResult
    from pilotdid.mechanisms.mechanism_result import MechanismResult
    from pilotdid.mechanisms.moderation_result import ModerationResult

__all__ = ["heterogeneity_table", "mechanism_table", "moderation_table"]

#: Looks up a ``mech.*`` string of the text catalogue in the table's language.
_Text = Callable[..., str]


def _setup(labels: Any, language: str) -> tuple[Labels, _Text]:
    lab = Labels.coerce(labels, language)

    def t(key: str, **fields: object) -> str:
        return text(f"mech.{key}", lab.language, **fields)

    return lab, t


def group_titles(result: HeterogeneityResult, lab: Labels, t: _Text) -> list[str]:
    """Display names of the groups ("High RD" / "高RD组", "RD Q1", given labels)."""
    by = lab.var(result.by)
    if result.split in ("median", "mean"):
        return [t("high", var=by), t("low", var=by)]
    if isinstance(result.split, tuple):
        return [f"{by} Q{k + 1}" for k in range(len(result.groups))]
    return list(result.groups)


def _group_summaries(result: HeterogeneityResult, lab: Labels, t: _Text) -> list[ModelSummary]:
    titles = group_titles(result, lab, t)
    return [
        replace(fit.model_summary(), title=title)
        for fit, title in zip(result.models.values(), titles, strict=True)
    ]


def _controls(fits: Sequence[Any], keep: Sequence[str]) -> list[str]:
    """Every coefficient of ``fits`` not in ``keep`` (summarised as one "Controls" row)."""
    names = dict.fromkeys(n for fit in fits for n in fit.names)
    return [n for n in names if n not in keep]


def heterogeneity_table(
    result: HeterogeneityResult, *, language: str = "en", labels: Any = None, title: str = ""
) -> Table:
    """One column per group with the difference tests as rows (see ``HeterogeneityResult.table``)."""
    lab, t = _setup(labels, language)
    fits = list(result.models.values())
    table = etable(
        _group_summaries(result, lab, t),
        controls=_controls(fits, [result.treatment]) or None,
        labels=lab,
        language=lab.language,
        title=title,
    )
    return _append_differences(table, [(0, result)], lab, t)


def mechanism_table(
    result: MechanismResult,
    heterogeneity: Sequence[HeterogeneityResult] = (),
    *,
    language: str = "en",
    labels: Any = None,
    title: str = "",
) -> Table:
    """Lay out the paper's Table 4 (see ``MechanismResult.table``)."""
    lab, t = _setup(labels, language)
    if result.method == "three_step":
        return _three_step_table(result, lab, t, title)
    summaries = [
        replace(result.models[m].model_summary(), title=t("d_to_m")) for m in result.mediators
    ]
    fits: list[Any] = [result.models[m] for m in result.mediators]
    blocks = []
    for het in heterogeneity:
        blocks.append((len(summaries), het))
        summaries += _group_summaries(het, lab, t)
        fits += list(het.models.values())
    keep = [result.treatment, *(h.treatment for h in heterogeneity)]
    table = etable(
        summaries,
        controls=_controls(fits, keep) or None,
        labels=lab,
        language=lab.language,
        title=title,
    )
    table = _append_differences(table, blocks, lab, t)
    return replace(table, notes=as_notes(table.notes, [t("d_to_m_note")]))


def _append_differences(
    table: Table,
    blocks: Sequence[tuple[int, HeterogeneityResult]],
    lab: Labels,
    t: _Text,
) -> Table:
    """Rows with each group's difference from the reference, under that group's column.

    Blocks with the same kind of split share rows (the paper's RD and TFP pairs), so a table
    of two median splits gets one "Difference (High − Low)" row with a cell under each pair.
    """
    cells: dict[tuple[str, str], dict[int, Any]] = {}
    notes = []
    for first, het in blocks:
        if het.differences.empty:
            continue
        ref = het.groups.index(het.reference)
        label = (
            t("difference_hl")
            if het.split in ("median", "mean")
            else t("difference_ref", group=group_titles(het, lab, t)[ref])
        )
        others = [g for g in range(len(het.groups)) if g != ref]
        for g, contrast in zip(others, het.differences.itertuples(), strict=True):
            for kind, cell in zip(_KINDS, _difference_cells(contrast), strict=True):
                cells.setdefault((label, kind), {})[first + g] = cell
        notes.append(_block_note(het, first, lab, t))
    if not cells:
        return table
    width = table.body.shape[1]
    shown = {"diff": None, "se": "", "pooled": t("p_pooled"), "perm": t("p_perm")}
    extra = pd.DataFrame(
        [[row.get(j, "") for j in range(width)] for row in cells.values()],
        index=[shown[kind] if shown[kind] is not None else label for label, kind in cells],
        columns=table.body.columns,
        dtype=object,
    )
    body = pd.concat([table.body, extra])
    return replace(
        table,
        body=body,
        rules=(*table.rules, len(table.body)),
        notes=as_notes(table.notes, notes),
    )


_KINDS = ("diff", "se", "pooled", "perm")


def _difference_cells(contrast: Any) -> list[Any]:
    """Difference with stars, (SE), pooled p-value, permutation p-value."""
    stars = stars_for(float(contrast.p_value), DEFAULT_STARS)
    perm = getattr(contrast, "p_perm", float("nan"))
    return [
        format_value(float(contrast.estimate), stars=stars),
        format_value(float(contrast.std_error), enclose="()"),
        format_value(float(contrast.p_value), decimals=3),
        format_value(float(perm), decimals=3) if pd.notna(perm) else "",
    ]


def _block_note(het: HeterogeneityResult, first: int, lab: Labels, t: _Text) -> str:
    cols = f"({first + 1})–({first + len(het.groups)})"
    vcov = lab.vcov(het.pooled.vcov_label) if het.pooled is not None else ""
    note = t("block_note", cols=cols, vcov=vcov)
    perm = het.permutation
    if perm is not None:
        within = t("within") if perm.strata == "cohort" else ""
        note += t("perm_note", n=perm.n_draws, within=within, seed=perm.seed)
    return note + text("table.end", lab.language)


def _three_step_table(result: MechanismResult, lab: Labels, t: _Text, title: str) -> Table:
    """Per mediator: total effect, D → M, direct effect; indirect-effect rows under the last."""
    summaries, fits = [], []
    for m in result.mediators:
        for step, key in ((1, "total"), (2, "d_to_m"), (3, "direct")):
            fit = result.models[f"step{step}:{m}"]
            summaries.append(replace(fit.model_summary(), title=t(key)))
            fits.append(fit)
    table = etable(
        summaries,
        controls=_controls(fits, [result.treatment, *result.mediators]) or None,
        labels=lab,
        language=lab.language,
        title=title,
    )
    width = table.body.shape[1]
    rows: dict[str, list[Any]] = {key: [""] * width for key in ("indirect", "sobel", "boot_ci")}
    effects = result.effects.astype(float)
    for i, m in enumerate(result.mediators):
        row = dict(zip(effects.columns, effects.loc[m].to_numpy(dtype=float), strict=True))
        column = 3 * i + 2
        stars = stars_for(row["sobel_p"], DEFAULT_STARS)
        rows["indirect"][column] = format_value(row["indirect"], stars=stars)
        rows["sobel"][column] = format_value(row["sobel_z"], decimals=3)
        if result.bootstrap_draws is not None:
            low, high = (str(format_value(row[k])) for k in ("boot_low", "boot_high"))
            rows["boot_ci"][column] = f"[{low}, {high}]"
    if result.bootstrap_draws is None:
        del rows["boot_ci"]
    index = [t(k, level=result.level) if k == "boot_ci" else t(k) for k in rows]
    extra = pd.DataFrame(list(rows.values()), index=index, columns=table.body.columns, dtype=object)
    return replace(
        table,
        body=pd.concat([table.body, extra]),
        rules=(*table.rules, len(table.body)),
        notes=as_notes(table.notes, _three_step_notes(result, t)),
    )


def _three_step_notes(result: MechanismResult, t: _Text) -> list[str]:
    draws = result.bootstrap_draws
    first = (
        t("sobel_note")
        if draws is None
        else t("boot_note", level=result.level, n=draws.shape[0], seed=result.seed)
    )
    return [first, t("jiang")]


def moderation_table(
    result: ModerationResult, *, language: str = "en", labels: Any = None, title: str = ""
) -> Table:
    """Lay out the paper's Table 5 (see ``ModerationResult.table``)."""
    lab, t = _setup(labels, language)
    d, m = lab.var(result.treatment), lab.var(result.moderator)
    note = (
        t("centred", m=m, c=result.center_value, d=d) if result.center else t("uncentred", m=m, d=d)
    )
    return etable(
        [result.models["main"], result.models["interaction"]],
        order=[result.treatment, result.moderator, result.interaction],
        labels=lab,
        language=lab.language,
        title=title,
        notes=[note],
    )
