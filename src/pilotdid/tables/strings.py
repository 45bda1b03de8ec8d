"""The one en/zh text catalogue: every text pilotdid shows to users in English and Chinese.

One mapping, :data:`STRINGS`, holds ``key -> (English, Chinese)`` pairs; :func:`text` picks the
language and fills in ``{fields}``. Every module takes its words from here (a test keeps Chinese
text out of every other module). The entries are grouped by area, large groups in sibling modules:

- the report's own strings (this module): captions of the tables and figures, model titles,
  the sample notes under Table 3, section titles, the reproducibility block (plain keys);
- :mod:`~pilotdid.tables.strings_tables`: row/column labels and notes of the tables
  (``table.*``), fixed-effect names (``fe.*``), variance labels (``vcov.*``), Tables 4-5 (``mech.*``);
- :mod:`~pilotdid.tables.strings_figures`: figure labels (``fig.*``);
- :mod:`~pilotdid.tables.strings_readings`: the report's paragraphs (``reading.*``), the words
  chosen from the numbers (``word.*``) and significance phrases (``sig.*``);
- :mod:`~pilotdid.tables.strings_notes`: the run's notes (``note.*``) and stage names (``stage.*``).

Examples
--------
>>> from pilotdid.tables.strings import text
>>> text("table3", "en"), text("table3", "zh")
('Table 3. PSM-DID Estimation Results', '表3 PSM-DID估计结果')
"""

from __future__ import annotations

from collections.abc import Mapping

from pilotdid.errors import PilotdidError
from pilotdid.tables.strings_figures import FIGURE_STRINGS
from pilotdid.tables.strings_notes import NOTE_STRINGS
from pilotdid.tables.strings_readings import READING_STRINGS
from pilotdid.tables.strings_spec import SPEC_STRINGS
from pilotdid.tables.strings_study import STUDY_STRINGS
from pilotdid.tables.strings_tables import TABLE_STRINGS

__all__ = ["STRINGS", "text"]

_REPORT_STRINGS: Mapping[str, tuple[str, str]] = {
    # captions
    "table1": ("Table 1. Descriptive Statistics", "表1 描述性统计"),
    "table2": ("Table 2. Correlation Analysis", "表2 相关性分析"),
    "table3": ("Table 3. PSM-DID Estimation Results", "表3 PSM-DID估计结果"),
    "table3_did": ("Table 3. DID Estimation Results", "表3 DID估计结果"),
    "table4": ("Table 4. Influence Mechanism", "表4 影响机制"),
    "table5": ("Table 5. Moderating Effect", "表5 调节效应"),
    "vif": ("Table A1. Variance Inflation Factors", "表A1 方差膨胀因子"),
    "balance": (
        "Table A2. Covariate Balance Before and After Matching",
        "表A2 匹配前后协变量平衡性检验",
    ),
    "balance_overall": (
        "Table A3. Overall Balance Before and After Matching",
        "表A3 匹配前后整体平衡性检验",
    ),
    "event_table": ("Table A4. Event Study Coefficients", "表A4 事件研究估计系数"),
    "truth": (
        "Table A5. Estimated vs True Effects (synthetic demo)",
        "表A5 估计效应与真实效应（模拟数据）",
    ),
    "drops": ("Table A6. Rows Left Out, by Cause", "表A6 样本删除情况"),
    "sensitivity_table": (
        "Table A4b. Sensitivity to Violations of Parallel Trends (HonestDiD)",
        "表A4b 平行趋势偏离的敏感性分析（HonestDiD）",
    ),
    "figure_sensitivity": (
        "Figure 2b. Sensitivity to Violations of Parallel Trends (HonestDiD)",
        "图2b 平行趋势偏离的敏感性分析（HonestDiD）",
    ),
    "staggered_att": (
        "Table A7. Overall ATT: TWFE and Heterogeneity-Robust Estimators",
        "表A7 总体平均处理效应：TWFE与异质性稳健估计量",
    ),
    "staggered_dynamic": (
        "Table A8. Dynamic Effects by Estimator (TWFE, CS, SA, BJS)",
        "表A8 各估计量的动态效应（TWFE、CS、SA、BJS）",
    ),
    "bacon": (
        "Table A9. Goodman-Bacon Decomposition of the TWFE DID",
        "表A9 TWFE双重差分的Goodman-Bacon分解",
    ),
    "figure1": ("Figure 1. Placebo Test", "图1 安慰剂检验"),
    "figure_map": (
        "Figure 0. Treated and Control Units by Adoption Cohort",
        "图0 处理组与对照组个体的地理分布（按实施批次）",
    ),
    "figure_rollout": ("Figure A5. Units by Adoption Period", "图A5 各批次试点个体数"),
    "figure_bacon": ("Figure A6. Goodman-Bacon Decomposition", "图A6 Goodman-Bacon分解"),
    "figure_staggered": (
        "Figure A7. Event Study: TWFE and Heterogeneity-Robust Estimators",
        "图A7 事件研究：TWFE与异质性稳健估计量",
    ),
    "figure2": ("Figure 2. Event Study", "图2 事件研究"),
    "figure_pscore": (
        "Figure A1. Propensity Score Densities Before and After Matching",
        "图A1 匹配前后倾向得分核密度",
    ),
    "figure_support": ("Figure A2. Common Support", "图A2 共同支撑"),
    "figure_bias": ("Figure A3. Standardised Bias Across Covariates", "图A3 协变量标准化偏差"),
    "figure_moderation": (
        "Figure A4. Effect of the Policy Across the Moderator",
        "图A4 政策效应随调节变量的变化",
    ),
    # model titles
    "baseline": ("Baseline", "基准"),
    "with_controls": ("With controls", "加入控制变量"),
    "high": ("High {var}", "高{var}"),
    "low": ("Low {var}", "低{var}"),
    # sample notes under Table 3
    "sample_full": (
        "Sample: the full panel, {rows} rows (no matching).",
        "样本：全样本，共{rows}行（未匹配）。",
    ),
    "sample_psm": (
        "PSM-DID sample: {how} ({method} matching, {mode} mode), {rows} rows; the estimates "
        "describe {who}.",
        "PSM-DID样本：{how}（{method}匹配，{mode}模式），共{rows}行；估计结果代表{who}。",
    ),
    "who_all": ("all {n} treated units", "全部{n}个处理组个体"),
    "who_one": ("the one treated unit", "唯一的处理组个体"),
    "who_part": (
        "the {m} of {n} treated units on common support",
        "{n}个处理组个体中位于共同支撑域内的{m}个",
    ),
    "method_nearest": ("nearest-neighbour", "近邻"),
    "method_radius": ("radius", "半径"),
    "method_kernel": ("kernel", "核"),
    "mode_base_year": ("base-year", "基期"),
    "mode_by_year": ("year-by-year", "逐年"),
    "mode_pooled": ("pooled", "混合"),
    "sample_matched": ("matched rows", "匹配成功的观测"),
    "sample_support": ("rows on common support", "共同支撑域内的观测"),
    "sample_weights": ("matched rows weighted by the matching weights", "以匹配权重加权的匹配观测"),
    # sections
    "report_title": ("{title}", "{title}"),
    "synthetic_banner": (
        "Synthetic data — not real statistics. This report was produced on pilotdid's built-in "
        "demo panel: real city codes and the real pilot roster, simulated numbers with known "
        "true effects.",
        "模拟数据——并非真实统计数据。本报告基于pilotdid内置的演示面板：城市代码与试点名单真实，"
        "数值为模拟生成，真实效应已知。",
    ),
    "contents": ("Contents", "目录"),
    "sec_data": ("Data and sample", "数据与样本"),
    "sec_table1": ("Descriptive statistics", "描述性统计"),
    "sec_table2": ("Correlation analysis", "相关性分析"),
    "sec_matching": ("Propensity-score matching and balance", "倾向得分匹配与平衡性检验"),
    "sec_table3": ("Baseline PSM-DID results", "PSM-DID基准回归结果"),
    "sec_table3_did": ("Baseline DID results", "DID基准回归结果"),
    "sec_placebo": ("Placebo test", "安慰剂检验"),
    "sec_event": ("Event study and parallel trends", "事件研究与平行趋势检验"),
    "sec_staggered": ("Staggered adoption", "多期（交错）政策实施"),
    "not_staggered": (
        "adoption is not staggered in the analysis sample (one adoption cohort)",
        "分析样本中仅有一个政策实施批次，不存在交错实施",
    ),
    "sec_exclusions": ("Excluding special samples", "剔除特殊样本"),
    "sec_table4": ("Mechanisms", "影响机制"),
    "sec_table5": ("Moderating effect", "调节效应"),
    "sec_truth": ("Estimated vs true effects", "估计效应与真实效应"),
    "sec_repro": ("Reproducibility", "可复现信息"),
    "not_run": ("This stage was not run: {why}.", "本部分未运行：{why}。"),
    "disabled": ("disabled in the study file", "研究文件中已关闭"),
    "nothing_listed": ("the study file lists no {what}", "研究文件未列出{what}"),
    "what_exclusions": ("exclusions", "剔除样本"),
    "what_mechanisms": ("mediators or split variables", "中介变量或分组变量"),
    "what_moderators": ("moderators", "调节变量"),
    # notes under Tables A5 and A6
    "drops_note": (
        "Rows read: {loaded:,}; analysis panel: {panel:,}; PSM-DID sample: {sample:,}.",
        "读入{loaded:,}行；分析面板{panel:,}行；PSM-DID样本{sample:,}行。",
    ),
    "truth_note": (
        "Synthetic data - not real statistics. True values: the effects the demo panel was "
        "simulated with (lnESF: the average effect over the treated rows).",
        "模拟数据，并非真实统计数据。真实值为演示面板模拟时设定的效应（lnESF为处理组观测的平均效应）。",
    ),
    # reproducibility
    "generated": ("Generated by pilotdid {version}", "由 pilotdid {version} 生成"),
    "study_file": ("Study file", "研究文件"),
    "sha256": ("SHA-256 of the study file", "研究文件 SHA-256"),
    "data_source": ("Data", "数据"),
    "seeds": ("Seeds", "随机数种子"),
    "versions": ("Package versions", "软件包版本"),
    "timings": ("Run time by stage (seconds)", "各阶段运行时间（秒）"),
    "timings_memory": (
        "Run time (seconds) · peak memory (MiB) by stage",
        "各阶段运行时间（秒）· 峰值内存（MiB）",
    ),
    "notes": ("Notes on the data", "数据说明"),
    "messages": ("Warnings raised during the run", "运行中的警告"),
    "stage": ("Stage", "阶段"),
    "cause": ("Cause", "原因"),
    "rows": ("Rows", "行数"),
    "estimate": ("Estimate", "估计值"),
    "std_error": ("Std. error", "标准误"),
    "true_value": ("True value", "真实值"),
    "difference": ("Difference", "差异"),
    "in_se": ("|Difference| / SE", "|差异| / 标准误"),
    "quantity": ("Quantity", "参数"),
    "where": ("Where", "来源"),
    # HonestDiD on the heterogeneity-robust estimators (study/sensitivity.py)
    "sensitivity_staggered": (
        "Table A4c. Sensitivity of the Heterogeneity-Robust Event Studies (HonestDiD)",
        "表A4c 异质性稳健事件研究的敏感性分析（HonestDiD）",
    ),
    "figure_sensitivity_staggered": (
        "Figure 2c. Sensitivity of the Heterogeneity-Robust Event Studies (HonestDiD)",
        "图2c 异质性稳健事件研究的敏感性分析（HonestDiD）",
    ),
    "note.sensitivity_cs_universal": (
        "CS: the sensitivity analysis uses the event-time aggregation recomputed with a universal "
        "base period (every estimate against period {ref}), as R HonestDiD advises; the "
        "staggered tables show the default varying base period",
        "CS：敏感性分析使用以统一基期（各估计值均相对于第{ref}期）重新计算的事件时间汇总，"
        "与R包HonestDiD的建议一致；多期DID表格中为默认的滚动基期",
    ),
    "note.sensitivity_bjs_mapped": (
        "BJS: the pre-trend coefficients ({leads} leads, on the untreated observations) and the "
        "imputation effects are mapped to one reference period (-1): each effect plus its "
        "imputation weight on each lead, less the lead at -1; less precise than the imputation "
        "effects, and it assumes the violation path is common to the cohorts",
        "BJS：将前趋势系数（未处理观测上的{leads}个前导项）与插补效应映射到同一参照期（-1）："
        "各效应加上其插补权重与各前导项之积，再减去-1期的前导项；精度低于插补效应，"
        "并假定各批次的偏离路径相同",
    ),
}


def _merge(*groups: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for group in groups:
        twice = merged.keys() & group.keys()
        if twice:  # a programming error in the catalogue itself
            raise PilotdidError(f"text catalogue keys defined twice: {sorted(twice)}")
        merged |= group
    return merged


#: Every text of the catalogue: key -> (English, Chinese).
_GROUPS = (_REPORT_STRINGS, TABLE_STRINGS, FIGURE_STRINGS, READING_STRINGS, NOTE_STRINGS)
STRINGS: Mapping[str, tuple[str, str]] = _merge(*_GROUPS, STUDY_STRINGS, SPEC_STRINGS)


def text(key: str, language: str = "en", **fields: object) -> str:
    """Return string ``key`` in ``language`` ("en" or "zh"), with ``{fields}`` filled in.

    Without ``fields`` the template is returned as stored (its ``{}`` placeholders unfilled);
    fields a language's template does not use are ignored, so one call can serve both languages.

    Raises
    ------
    PilotdidError
        When ``key`` is not a known string.
    """
    try:
        pair = STRINGS[key]
    except KeyError:
        raise PilotdidError(f"no report string named {key!r}") from None
    template = pair[1] if language == "zh" else pair[0]
    return template.format(**fields) if fields else template
