"""Catalogue group: the notes a study run produces (data, roster, matching, run warnings).

Part of the one text catalogue (:mod:`pilotdid.tables.strings`). The notes are written in
English where they arise (the panel check, the treatment assignment, the matching);
:func:`pilotdid.report.notes_zh.zh_note` recognises them and fills the Chinese side of these
entries with the numbers and names it read. ``stage.*`` keys name the stages of a run.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["NOTE_STRINGS"]

NOTE_STRINGS: Mapping[str, tuple[str, str]] = {
    "stage.data": ("data", "数据"),
    "stage.descriptives": ("descriptives", "描述性统计"),
    "stage.matching": ("matching", "匹配"),
    "stage.baseline": ("baseline", "基准回归"),
    "stage.placebo": ("placebo", "安慰剂检验"),
    "stage.event_study": ("event study", "事件研究"),
    "stage.staggered": ("staggered adoption", "交错实施"),
    "stage.mechanisms": ("mechanisms", "影响机制"),
    "stage.moderation": ("moderation", "调节效应"),
    "stage.figures": ("figures", "图形"),
    "note.stage": ("{stage}: {note}", "{stage}：{note}"),
    "note.unit": ("unit", "个体"),
    "note.row": ("row", "观测"),
    "note.recomputed": (
        "column {column} of the data was recomputed from the roster ({n} of {total} rows differ)",
        "数据中的{column}列已按试点名单重新生成（{total}行中有{n}行不同）",
    ),
    "note.roster_missing": (
        "{n} roster units not in the data{keys}: {units}",
        "名单中有{n}个个体不在数据中{keys}：{units}",
    ),
    "note.roster_keys": (
        " (roster keys are {roster}, unit ids are {ids})",
        "（名单键为{roster}，个体标识为{ids}）",
    ),
    "note.no_row_after": (
        "{n} treated units have no row at or after their adoption period: {units}",
        "{n}个处理组个体在政策实施年份及之后没有观测值：{units}",
    ),
    "note.adopt_late": (
        "{n} unit(s) adopt after the last sample period {last}, so they are never treated "
        "within the sample: {units}",
        "{n}个个体在样本最后一期{last}之后才实施政策，样本期内从未受处理：{units}",
    ),
    "note.all_treated": (
        "every unit is treated: there is no never-treated control group",
        "所有个体均为处理组：没有从未受处理的对照组",
    ),
    "note.unbalanced": (
        "unbalanced panel: {n} of {total} units ({share}) are not observed in all {periods} "
        "periods",
        "非平衡面板：{total}个个体（{share}）中有{n}个未在全部{periods}期中观测到",
    ),
    "note.gaps": (
        "{n} unit(s) have gaps inside their observed span, e.g. {units}",
        "{n}个个体在观测期内存在缺失年份，例如{units}",
    ),
    "note.matched_mean": (
        "Units were matched once, on covariates at their mean over {time} < {year}.",
        "各个体仅匹配一次，匹配变量取{time} < {year}（政策前）各期的均值。",
    ),
    "note.matched_at": (
        "Units were matched once, on covariates at their values in {time} {year}.",
        "各个体仅匹配一次，匹配变量取{time} = {year}期的值。",
    ),
    "note.off_support": (
        "{n} treated {what}s are off common support (score outside the controls' range).",
        "{n}个处理组{what}不在共同支撑域内（倾向得分超出对照组的范围）。",
    ),
    "note.trimmed": (
        "{n} treated {what}s were trimmed (lowest control density).",
        "{n}个处理组{what}被修剪（对照组密度最低）。",
    ),
    "note.no_control": (
        "{n} treated {what}s had no control within the caliper or bandwidth and were set off "
        "support (psmatch2 convention).",
        "{n}个处理组{what}在卡尺或带宽内没有对照，被设为不在共同支撑域内（psmatch2惯例）。",
    ),
    "note.incomplete": (
        "{n} units without complete covariates at {when} were left out of matching (their "
        "psmatch2 columns are missing).",
        "{n}个个体的协变量不完整（{when}），未参与匹配。",
    ),
    "note.no_cjk_font": (
        "{n} characters could not be drawn; no font with Chinese glyphs was found, so Chinese "
        "text in the figures shows as empty boxes; install one with `pip install pilotdid[zh]` "
        "(the mplfonts package) or a system CJK font (e.g. fonts-noto-cjk)",
        "有{n}个字符无法绘制：未找到含中文字形的字体，图中的中文显示为方框；"
        "请运行 `pip install pilotdid[zh]`（mplfonts）或安装系统中文字体（如 fonts-noto-cjk）",
    ),
    # few-cluster inference (study/inference.py)
    "note.wild": (
        "Wild cluster bootstrap (WCR, null imposed; {draws}) p-values of the DID coefficient, "
        "because clusters or treated clusters are few: {columns}.",
        "由于聚类数或处理组聚类数较少，报告DID系数的野聚类自助法（WCR，施加原假设；{draws}）p值："
        "{columns}。",
    ),
    "note.wild_column": (
        "({col}) p = {p}, {g} clusters ({gt} treated), 95% CI [{lo}, {hi}]",
        "第({col})列 p = {p}，{g}个聚类（{gt}个处理组聚类），95%置信区间[{lo}, {hi}]",
    ),
    "note.wild_enumerated": ("all {n} sign patterns enumerated", "穷举全部{n}种符号组合"),
    "note.wild_draws": ("{n} {weights} draws", "{n}次{weights}权重抽样"),
}
