"""Regression tables of the mechanism analyses in the paper's layout (Tables 4 and 5).

Built with :func:`pilotdid.etable` from the results' models, then extended with the rows the
paper lacks: the between-group difference with its pooled-model and permutation p-values under
the split columns, and the indirect effect of the three-step method.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from pilotdid.estimation.summary import ModelSummary
from pilotdid.mechanisms.mechanism_result import JIANG_NOTE
from pilotdid.tables.cells import DEFAULT_STARS, format_value, stars_for
from pilotdid.tables.etable import etable
from pilotdid.tables.labels import Labels
from pilotdid.tables.table import Table, as_notes

if TYPE_CHECKING:
    from pilotdid.mechanisms.heterogeneity_result import HeterogeneityResult
    from pilotdid.mechanisms.mechanism_result import MechanismResult
    from pilotdid.mechanisms.moderation_result import ModerationResult

__all__ = ["heterogeneity_table", "mechanism_table", "moderation_table"]

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "d_to_m": "D → M",
        "high": "High {}",
        "low": "Low {}",
        "difference_hl": "Difference (High − Low)",
        "difference_ref": "Difference from {}",
        "p_pooled": "p-value, pooled test",
        "p_perm": "p-value, permutation test",
        "total": "Total effect",
        "direct": "Direct effect",
        "indirect": "Indirect effect (a×b)",
        "sobel": "Sobel z",
        "boot_ci": "Bootstrap {:.0%} CI",
        "block_note": (
            "Columns {cols}: group difference from the fully interacted pooled model ({vcov})"
        ),
        "perm_note": "; permutation p-value from {n:,} shuffles of group labels across units"
        "{within} (seed {seed})",
        "within": " within adoption cohorts",
        "centred": "{m} is centred at its estimation-sample mean ({c:.4g}) in the interaction; "
        "the coefficient of {d} in column (2) is the effect at the mean of {m}.",
        "uncentred": "The interaction uses {m} uncentred: the coefficient of {d} in column (2) "
        "is the effect at {m} = 0.",
        "d_to_m_note": "D → M columns: effect of the policy on each mechanism variable; M → Y is "
        "argued from theory and prior evidence, not from a regression of Y on D and M "
        "(Jiang 2022).",
        "boot_note": "Indirect effect a×b: Sobel test and {level:.0%} percentile cluster-bootstrap "
        "interval ({n:,} draws, seed {seed}).",
        "sobel_note": "Indirect effect a×b: Sobel test.",
        "jiang": JIANG_NOTE,
    },
    "zh": {
        "d_to_m": "机制检验",
        "high": "高{}组",
        "low": "低{}组",
        "difference_hl": "组间系数差异（高−低）",
        "difference_ref": "与{}的系数差异",
        "p_pooled": "交互模型检验p值",
        "p_perm": "置换检验p值",
        "total": "总效应",
        "direct": "直接效应",
        "indirect": "间接效应（a×b）",
        "sobel": "Sobel z值",
        "boot_ci": "Bootstrap {:.0%}置信区间",
        "block_note": "第{cols}列：组间系数差异检验基于完全交互的混合回归（{vcov}）",
        "perm_note": "；置换检验p值基于{n:,}次在个体层面随机打乱分组标签{within}（随机种子{seed}）",
        "within": "（在同一政策批次内）",
        "centred": "交互项中{m}已按估计样本均值（{c:.4g}）中心化，第(2)列{d}的系数为{m}取均值时的政策效应。",
        "uncentred": "交互项中{m}未中心化，第(2)列{d}的系数为{m} = 0时的政策效应。",
        "d_to_m_note": "机制检验列为政策对机制变量的影响（D → M）；M → Y依据理论与已有文献论证，"
        "而非以Y对D和M的回归检验（江艇，2022）。",
        "boot_note": "间接效应a×b：Sobel检验及{level:.0%}聚类Bootstrap百分位置信区间"
        "（{n:,}次抽样，随机种子{seed}）。",
        "sobel_note": "间接效应a×b：Sobel检验。",
        "jiang": "注意（江艇，2022，《中国工业经济》第5期）：逐步法不能识别M → Y——M本身是政策的结果，"
        "且与Y有共同的混杂因素，b与间接效应a×b仅具描述意义；因果证据是D → M（第二步），"
        "M → Y应依据理论与已有文献论证。",
    },
}


def _setup(labels: Any, language: str) -> tuple[Labels, dict[str, str]]:
    lab = Labels.coerce(labels, language)
    return lab, _TEXT[lab.language]


def group_titles(result: HeterogeneityResult, lab: Labels, text: dict[str, str]) -> list[str]:
    """Display names of the groups ("High RD" / "高RD组", "RD Q1", given labels)."""
    by = lab.var(result.by)
    if result.split in ("median", "mean"):
        return [text["high"].format(by), text["low"].format(by)]
    if isinstance(result.split, tuple):
        return [f"{by} Q{k + 1}" for k in range(len(result.groups))]
    return list(result.groups)


def _group_summaries(
    result: HeterogeneityResult, lab: Labels, text: dict[str, str]
) -> list[ModelSummary]:
    titles = group_titles(result, lab, text)
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
    lab, text = _setup(labels, language)
    fits = list(result.models.values())
    table = etable(
        _group_summaries(result, lab, text),
        controls=_controls(fits, [result.treatment]) or None,
        labels=lab,
        language=lab.language,
        title=title,
    )
    return _append_differences(table, [(0, result)], lab, text)


def mechanism_table(
    result: MechanismResult,
    heterogeneity: Sequence[HeterogeneityResult] = (),
    *,
    language: str = "en",
    labels: Any = None,
    title: str = "",
) -> Table:
    """Lay out the paper's Table 4 (see ``MechanismResult.table``)."""
    lab, text = _setup(labels, language)
    if result.method == "three_step":
        return _three_step_table(result, lab, text, title)
    summaries = [
        replace(result.models[m].model_summary(), title=text["d_to_m"]) for m in result.mediators
    ]
    fits: list[Any] = [result.models[m] for m in result.mediators]
    blocks = []
    for het in heterogeneity:
        blocks.append((len(summaries), het))
        summaries += _group_summaries(het, lab, text)
        fits += list(het.models.values())
    keep = [result.treatment, *(h.treatment for h in heterogeneity)]
    table = etable(
        summaries,
        controls=_controls(fits, keep) or None,
        labels=lab,
        language=lab.language,
        title=title,
    )
    table = _append_differences(table, blocks, lab, text)
    return replace(table, notes=as_notes(table.notes, [text["d_to_m_note"]]))


def _append_differences(
    table: Table,
    blocks: Sequence[tuple[int, HeterogeneityResult]],
    lab: Labels,
    text: dict[str, str],
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
            text["difference_hl"]
            if het.split in ("median", "mean")
            else text["difference_ref"].format(group_titles(het, lab, text)[ref])
        )
        others = [g for g in range(len(het.groups)) if g != ref]
        for g, contrast in zip(others, het.differences.itertuples(), strict=True):
            for kind, cell in zip(_KINDS, _difference_cells(contrast), strict=True):
                cells.setdefault((label, kind), {})[first + g] = cell
        notes.append(_block_note(het, first, lab, text))
    if not cells:
        return table
    width = table.body.shape[1]
    shown = {"diff": None, "se": "", "pooled": text["p_pooled"], "perm": text["p_perm"]}
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


def _block_note(het: HeterogeneityResult, first: int, lab: Labels, text: dict[str, str]) -> str:
    cols = f"({first + 1})–({first + len(het.groups)})"
    vcov = lab.vcov(het.pooled.vcov_label) if het.pooled is not None else ""
    note = text["block_note"].format(cols=cols, vcov=vcov)
    perm = het.permutation
    if perm is not None:
        within = text["within"] if perm.strata == "cohort" else ""
        note += text["perm_note"].format(n=perm.n_draws, within=within, seed=perm.seed)
    return note + ("。" if lab.language == "zh" else ".")


def _three_step_table(
    result: MechanismResult, lab: Labels, text: dict[str, str], title: str
) -> Table:
    """Per mediator: total effect, D → M, direct effect; indirect-effect rows under the last."""
    summaries, fits = [], []
    for m in result.mediators:
        for step, key in ((1, "total"), (2, "d_to_m"), (3, "direct")):
            fit = result.models[f"step{step}:{m}"]
            summaries.append(replace(fit.model_summary(), title=text[key]))
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
    index = [text[k].format(result.level) if k == "boot_ci" else text[k] for k in rows]
    extra = pd.DataFrame(list(rows.values()), index=index, columns=table.body.columns, dtype=object)
    return replace(
        table,
        body=pd.concat([table.body, extra]),
        rules=(*table.rules, len(table.body)),
        notes=as_notes(table.notes, _three_step_notes(result, text)),
    )


def _three_step_notes(result: MechanismResult, text: dict[str, str]) -> list[str]:
    draws = result.bootstrap_draws
    first = (
        text["sobel_note"]
        if draws is None
        else text["boot_note"].format(level=result.level, n=draws.shape[0], seed=result.seed)
    )
    return [first, text["jiang"]]


def moderation_table(
    result: ModerationResult, *, language: str = "en", labels: Any = None, title: str = ""
) -> Table:
    """Lay out the paper's Table 5 (see ``ModerationResult.table``)."""
    lab, text = _setup(labels, language)
    d, m = lab.var(result.treatment), lab.var(result.moderator)
    note = (
        text["centred"].format(m=m, c=result.center_value, d=d)
        if result.center
        else text["uncentred"].format(m=m, d=d)
    )
    return etable(
        [result.models["main"], result.models["interaction"]],
        order=[result.treatment, result.moderator, result.interaction],
        labels=lab,
        language=lab.language,
        title=title,
        notes=[note],
    )
