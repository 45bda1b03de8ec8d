"""Catalogue group: the labels of the figures, in English and Chinese.

Part of the one text catalogue (:mod:`pilotdid.tables.strings`); look strings up with
:func:`pilotdid.tables.strings.text`, e.g. ``text("fig.event.x", "zh")``. Keys start with
``fig.placebo.`` (Figure 1), ``fig.event.`` (Figure 2), ``fig.cs.`` (Callaway-Sant'Anna),
``fig.moderation.`` (the marginal effect of the policy across a moderator), ``fig.bacon.`` (the
Goodman-Bacon decomposition), ``fig.compare.`` (dynamic estimators overlaid), ``fig.match.``
(matching) and ``fig.honest.`` (the HonestDiD sensitivity plot) and ``fig.map.`` (the map of the pilot units).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["FIGURE_STRINGS"]

FIGURE_STRINGS: Mapping[str, tuple[str, str]] = {
    # Figure 1: placebo coefficients
    "fig.placebo.x": ("Placebo coefficient", "安慰剂估计系数"),
    "fig.placebo.density": ("Kernel density", "核密度"),
    "fig.placebo.p": ("p-value", "p 值"),
    "fig.placebo.true": ("Actual estimate", "实际估计值"),
    "fig.placebo.title": (
        "Placebo test: {n:,} random draws ({kind})",
        "安慰剂检验：{n:,} 次随机抽样（{kind}）",
    ),
    "fig.placebo.kind_units": ("units", "随机个体"),
    "fig.placebo.kind_timing": ("timing", "随机时间"),
    "fig.placebo.kind_both": ("both", "随机个体与时间"),
    # Figure 2: event study
    "fig.event.x": ("Periods relative to adoption", "相对政策实施的期数"),
    "fig.event.y": ("Coefficient", "估计系数"),
    "fig.event.ci": ("{level:.0%} CI", "{level:.0%} 置信区间"),
    "fig.event.est": ("Estimate", "估计值"),
    "fig.event.pretrend": ("Pre-trend test", "平行趋势检验"),
    # Callaway-Sant'Anna: ATT(g,t) by cohort and the aggregations
    "fig.cs.cohort": ("Cohort {g}", "{g} 批次"),
    "fig.cs.period": ("Period", "时期"),
    "fig.cs.att": ("ATT(g,t)", "ATT(g,t)"),
    "fig.cs.pre": ("Pre-treatment", "处理前"),
    "fig.cs.post": ("Post-treatment", "处理后"),
    "fig.cs.band": ("{level:.0%} uniform band", "{level:.0%} 一致置信带"),
    "fig.cs.ci": ("{level:.0%} pointwise CI", "{level:.0%} 逐点置信区间"),
    "fig.cs.y": ("Average effect", "平均处理效应"),
    "fig.cs.x_group": ("Adoption cohort", "政策实施批次"),
    "fig.cs.title": ("Callaway-Sant'Anna ({kind})", "Callaway-Sant'Anna 估计（{kind}）"),
    # heterogeneity-robust event studies (Sun-Abraham, imputation)
    "fig.sa.title": ("Sun-Abraham interaction-weighted estimates", "Sun-Abraham 交互加权估计"),
    "fig.bjs.title": ("Imputation estimates (Borusyak et al.)", "插补估计（Borusyak 等）"),
    "fig.bjs.lead": ("Pre-trend coefficient", "预趋势系数"),
    # marginal effect across a moderator
    "fig.moderation.y": ("Marginal effect of {d}", "{d}的边际效应"),
    "fig.moderation.band": ("{level:.0%} confidence band", "{level:.0%}置信区间"),
    "fig.moderation.mean": ("Mean of {m}", "{m}均值"),
    "fig.moderation.hist": ("Share", "占比"),
    "fig.moderation.all": ("All rows", "全部样本"),
    "fig.moderation.treated": ("Treated rows", "处理组样本"),
    "fig.moderation.title": ("Effect of {d} across {m}", "{d}的效应随{m}的变化"),
    # staggered adoption: the Goodman-Bacon decomposition and the overlay of dynamic estimators
    "fig.bacon.x": ("Weight", "权重"),
    "fig.bacon.y": ("2x2 DID estimate", "2×2 DID估计值"),
    "fig.bacon.twfe": ("TWFE estimate = {b}", "TWFE估计值 = {b}"),
    "fig.bacon.title": (
        "Goodman-Bacon decomposition: {share:.1%} of the weight on forbidden comparisons",
        "Goodman-Bacon分解：{share:.1%}的权重来自“禁止的”比较",
    ),
    "fig.bacon.treated_vs_never": ("Treated vs never treated", "处理组 vs 从未处理组"),
    "fig.bacon.treated_vs_always": ("Treated vs always treated", "处理组 vs 始终处理组"),
    "fig.bacon.earlier_vs_later": ("Earlier vs later treated", "较早处理组 vs 较晚处理组"),
    "fig.bacon.later_vs_earlier": (
        "Later vs earlier treated (forbidden)",
        "较晚处理组 vs 较早处理组（禁止的比较）",
    ),
    "fig.compare.ref": ("Reference period", "基期"),
    "fig.rollout.x": ("Adoption period", "政策实施年份"),
    "fig.rollout.y": ("Units", "个体数"),
    "fig.rollout.never": ("Never treated", "从未处理"),
    "fig.rollout.title": ("Staggered adoption: {n} cohorts", "交错实施：{n}个批次"),
    # matching (psgraph, score densities, pstest's %bias plot)
    "fig.match.treated": ("Treated", "处理组"),
    "fig.match.control": ("Control", "对照组"),
    "fig.match.before": ("Before matching", "匹配前"),
    "fig.match.after": ("After matching", "匹配后"),
    "fig.match.score": ("Propensity score", "倾向得分"),
    "fig.match.density": ("Density", "密度"),
    "fig.match.on_support": ("Treated: on support", "处理组：共同支撑内"),
    "fig.match.off_support": ("Treated: off support", "处理组：共同支撑外"),
    "fig.match.untreated": ("Untreated", "未处理组"),
    "fig.match.frequency": ("Frequency (untreated below the axis)", "频数（未处理组在横轴下方）"),
    "fig.match.unmatched": ("Unmatched", "匹配前"),
    "fig.match.matched": ("Matched", "匹配后"),
    "fig.match.bias": ("Standardized % bias across covariates", "协变量标准化偏差（%）"),
    # HonestDiD sensitivity plot and the hypothesised pre-trend on the event-study figure
    "fig.honest.original": ("Original", "原估计"),
    "fig.honest.robust": ("Robust ({method})", "稳健（{method}）"),
    "fig.honest.y": ("{level:.0%} confidence set", "{level:.0%} 置信集"),
    "fig.honest.x_rm": (
        "Mbar (post violations / largest pre violation)",
        "Mbar（事后偏离 / 最大事前偏离）",
    ),
    "fig.honest.x_sd": ("M (change in the slope of the violation)", "M（偏离趋势斜率的变化上限）"),
    "fig.honest.breakdown": ("Breakdown value = {value}", "临界值 = {value}"),
    "fig.honest.none": ("no breakdown on the grid", "网格内未失去显著性"),
    # the map of the pilot units (pilotdid.figures.pilot_map)
    "fig.map.title": (
        "{treated} treated and {control} control units",
        "处理组 {treated} 个，对照组 {control} 个",
    ),
    "fig.map.cohort": ("Adopted {g} (n = {n})", "{g} 批次（{n} 个）"),
    "fig.map.never": ("Never treated (n = {n})", "从未处理（{n} 个）"),
    "fig.map.treated": ("Treated (n = {n})", "处理组（{n} 个）"),
    "fig.map.control": ("Control (n = {n})", "对照组（{n} 个）"),
    "fig.map.source_builtin": (
        "Points: city seats from cpca 0.5.5 / Vonng/adcode (CC BY 4.0).",
        "点位：城市政府驻地，来自 cpca 0.5.5 / Vonng/adcode（CC BY 4.0）。",
    ),
    "fig.map.source_user": (
        "Points: the data's columns {lon} and {lat}.",
        "点位：数据中的 {lon} 与 {lat} 列。",
    ),
    "fig.map.land": (
        "Land: Natural Earth 1:50m (public domain); coastlines only, no boundaries drawn.",
        "底图：Natural Earth 1:50m 陆地（公有领域），仅绘海岸线，未绘任何边界。",
    ),
    "fig.map.missing": (
        "{n} of {total} units have no coordinates and are not shown: {units}.",
        "{total} 个个体中有 {n} 个缺少坐标，未显示：{units}。",
    ),
    "fig.event.trend": (
        "Hypothesised trend (slope {slope:.3g})",
        "假设的事前趋势（斜率 {slope:.3g}）",
    ),
}
