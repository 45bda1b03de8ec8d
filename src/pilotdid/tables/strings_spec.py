"""Catalogue group: the specification curve (figure, table, summary and report reading).

Part of the one text catalogue (:mod:`pilotdid.tables.strings`). Keys start with ``fig.spec.``
(the figure), ``spec.`` (the result's summary and table), ``reading.spec_curve`` (the report's
reading) and the plain ``sec_spec_curve`` / ``figure_spec_curve`` (its heading and caption).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["SPEC_STRINGS"]

SPEC_STRINGS: Mapping[str, tuple[str, str]] = {
    "fig.spec.estimate": ("Estimate ({level:.0%} CI)", "估计值（{level:.0%} 置信区间）"),
    "fig.spec.rank": ("Specifications, ranked by estimate", "设定（按估计值排序）"),
    "fig.spec.title": (
        "Specification curve: {n:,} of {total:,} specifications",
        "设定曲线：{total:,} 个设定中的 {n:,} 个",
    ),
    "fig.spec.pos": ("Positive, p < {a}", "正向显著，p < {a}"),
    "fig.spec.neg": ("Negative, p < {a}", "负向显著，p < {a}"),
    "fig.spec.ns": ("Not significant", "不显著"),
    "fig.spec.median": ("Median = {m:.4g}", "中位数 = {m:.4g}"),
    "fig.spec.est_twfe": ("TWFE", "双向固定效应"),
    "fig.spec.est_sa": ("Sun-Abraham", "Sun-Abraham"),
    "fig.spec.est_bjs": ("Imputation (BJS)", "插补估计（BJS）"),
    "fig.spec.est_cs": ("Callaway-Sant'Anna", "Callaway-Sant'Anna"),
    "fig.spec.no_mode": ("n/a (no matching)", "不适用（未匹配）"),
    "fig.spec.dim_matching": ("Matching", "匹配方法"),
    "fig.spec.dim_mode": ("Mode", "匹配模式"),
    "fig.spec.dim_controls": ("Controls", "控制变量"),
    "fig.spec.dim_sample": ("Sample", "样本"),
    "fig.spec.dim_estimator": ("Estimator", "估计量"),
    "fig.spec.dim_cluster": ("Cluster", "聚类"),
    "spec.summary": (
        "Specification curve: {n:,} of {total:,} specifications estimated ({failed:,} failed); "
        "median estimate {median} (range {low} to {high}); {positive} positive, "
        "{significant} significant at 5%",
        "设定曲线：共 {total:,} 个设定，估计 {n:,} 个（{failed:,} 个失败）；估计值中位数 {median}"
        "（范围 {low} 至 {high}）；{positive} 为正，{significant} 在 5% 水平显著",
    ),
    "spec.table.title": ("Specification curve", "设定曲线"),
    "spec.table.value": ("Value", "数值"),
    "spec.table.n": ("Specifications estimated / possible", "已估计 / 全部设定"),
    "spec.table.failed": ("Not estimable", "无法估计"),
    "spec.table.median": ("Median estimate", "估计值中位数"),
    "spec.table.range": ("Range of estimates", "估计值范围"),
    "spec.table.positive": ("Share positive", "正向比例"),
    "spec.table.significant": ("Share significant", "显著比例"),
    "spec.table.positive_significant": ("Share positive and significant", "正向且显著比例"),
    "spec.table.negative_significant": ("Share negative and significant", "负向且显著比例"),
    "spec.table.note": (
        "Significance at the {level} level. Each specification combines one choice of matching, "
        "matching mode, controls, sample, estimator and clustering.",
        "显著性水平为 {level}。每个设定由匹配方法、匹配模式、控制变量、样本、估计量和聚类方式"
        "各取一种组合而成。",
    ),
    "spec.table.ssn_median": ("SSN test: median estimate", "SSN 检验：估计值中位数"),
    "spec.table.ssn_share_significant": ("SSN test: share significant", "SSN 检验：显著比例"),
    "spec.table.ssn_mean_z": ("SSN test: mean z", "SSN 检验：平均 z 值"),
    "spec.table.ssn_note": (
        "SSN test (Simonsohn, Simmons & Nelson 2020): p = share of {draws:,} curves under the null "
        "(adoption cohorts reassigned across units) at least as extreme; {n:,} TWFE specifications.",
        "SSN 检验（Simonsohn、Simmons 与 Nelson，2020）：p 为 {draws:,} 条原假设下的曲线（在个体间"
        "随机重新分配政策批次）中至少同样极端者的比例；包含 {n:,} 个 TWFE 设定。",
    ),
    "reading.spec_curve": (
        "Across {n} specifications (matching, mode, controls, sample, estimator, clustering), "
        "the estimate has the headline's sign in {same} of them and is significant at 5% with "
        "that sign in {sig}; the median estimate is {median} (range {low} to {high}). {verdict}",
        "在 {n} 个设定（匹配方法、匹配模式、控制变量、样本、估计量、聚类方式）中，{same} 的估计值"
        "与基准结果同号，{sig} 同号且在 5% 水平显著；估计值中位数为 {median}（范围 {low} 至 "
        "{high}）。{verdict}",
    ),
    "reading.spec_curve.robust": (
        "The headline result does not hinge on one combination of choices.",
        "基准结论并不依赖于某一种特定的设定组合。",
    ),
    "reading.spec_curve.fragile": (
        "The headline result depends on the analytic choices: read it with caution.",
        "基准结论依赖于分析设定的选择，应谨慎解读。",
    ),
    "reading.spec_curve.ssn": (
        "Under the null (SSN test: adoption cohorts reassigned across units, {draws} draws), a "
        "curve with a median estimate this far from zero has {p_median}, one with this share "
        "of significant specifications {p_share}.",
        "在原假设下（SSN 检验：在个体间随机重新分配政策批次，{draws}次抽样），估计值中位数同样远离零的"
        "概率为 {p_median}，显著设定比例同样高的概率为 {p_share}。",
    ),
    "spec.controls_none": ("none", "无"),
    "spec.controls_all": ("all controls", "全部控制变量"),
    "spec.sample_full": ("whole sample", "全样本"),
    "figure_spec_curve": ("Specification curve", "设定曲线"),
    "sec_spec_curve": ("Specification curve", "设定曲线"),
}
