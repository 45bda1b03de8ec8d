"""Catalogue group: the fixed strings of the tables, in English and Chinese.

Part of the one text catalogue (:mod:`pilotdid.tables.strings`); look strings up with
:func:`pilotdid.tables.strings.text`, e.g. ``text("table.observations", "zh")``. Keys start with
``table.`` (row and column labels, notes under the tables), ``fe.`` (display names of common
fixed-effect identifiers), ``vcov.`` (variance labels) and ``mech.`` (Tables 4 and 5).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["TABLE_STRINGS"]

TABLE_STRINGS: Mapping[str, tuple[str, str]] = {
    # row and column labels
    "table.variables": ("Variables", "变量"),
    "table.obs": ("Obs", "观测值"),
    "table.mean": ("Mean", "均值"),
    "table.sd": ("Std. Dev.", "标准差"),
    "table.min": ("Min", "最小值"),
    "table.max": ("Max", "最大值"),
    "table.median": ("Median", "中位数"),
    "table.var": ("Variance", "方差"),
    "table.observations": ("Observations", "观测值"),
    "table.r2": ("R-squared", "R²"),
    "table.r2_within": ("Within R-squared", "组内R²"),
    "table.adj_r2": ("Adj. R-squared", "调整R²"),
    "table.n_clusters": ("Clusters", "聚类数"),
    "table.controls": ("Controls", "控制变量"),
    "table.yes": ("Yes", "是"),
    "table.no": ("No", "否"),
    "table.partial": ("Partial", "部分"),
    "table.constant": ("Constant", "常数项"),
    "table.fe": ("{} FE", "{}固定效应"),
    "table.treated": ("Treated", "处理组"),
    "table.control": ("Control", "对照组"),
    "table.full_sample": ("Full sample", "全样本"),
    "table.difference": ("Difference", "差异"),
    "table.group_test": ("Difference in means", "均值差异检验"),
    "table.p_value": ("p-value", "p值"),
    "table.vif": ("VIF", "VIF"),
    "table.inv_vif": ("1/VIF", "1/VIF"),
    "table.mean_vif": ("Mean VIF", "平均VIF"),
    "table.pearson": ("Pearson", "Pearson"),
    "table.spearman": ("Spearman", "Spearman"),
    # notes under the tables
    "table.below_se": ("Standard errors in parentheses", "括号内为标准误"),
    "table.below_t": ("t-statistics in parentheses", "括号内为t值"),
    "table.below_p": ("p-values in parentheses", "括号内为p值"),
    "table.below_ci": ("95% confidence intervals in brackets", "方括号内为95%置信区间"),
    "table.corr_note": (
        "{method} correlation coefficients; p-values in parentheses",
        "{method}相关系数，括号内为p值",
    ),
    "table.listwise": ("N = {n} (listwise deletion)", "N = {n}（成列删除）"),
    "table.corr_note_plain": ("{method} correlation coefficients", "{method}相关系数"),
    "table.pairwise": ("N = {n} (pairwise deletion)", "N = {n}（成对删除）"),
    "table.dropped_fe": (
        "Dropped as collinear with the fixed effects: {names}",
        "因与固定效应共线而剔除：{names}",
    ),
    "table.dropped_other": (
        "Dropped as collinear with other regressors: {names}",
        "因与其他解释变量共线而剔除：{names}",
    ),
    "table.in_models": ("{name} in {where}", "{name}（{where}）"),
    "table.welch_note": (
        "Difference = {a} − {b}; p-value of Welch's t-test (unequal variances); N = {na} / {nb}",
        "差异 = {a} − {b}；p值来自Welch t检验（不假定方差相等）；N = {na} / {nb}",
    ),
    "table.vif_note": (
        "VIF_j = 1/(1 − R²_j), R²_j from regressing variable j on the others with a constant",
        "VIF_j = 1/(1 − R²_j)，R²_j为变量j对其余变量（含常数项）回归的拟合优度",
    ),
    # dynamic estimators side by side (pilotdid.compare_dynamic)
    "table.dynamic.stub": ("Relative period", "相对政策实施期数"),
    "table.dynamic.ref": (
        "Reference period (estimate 0 by construction): {listed}",
        "基期（估计值按构造为0）：{listed}",
    ),
    "table.dynamic.no_ref": ("none", "无"),
    # the stars legend: English lists "*** p<0.01, ..." ({items}); Chinese names marks and levels
    "table.stars_note": ("{items}", "{marks}分别表示在{percents}的水平上显著"),
    # the variance note: models by estimator, or one estimator for all
    "table.vcov_by_model": ("{base}: {listed}", "{base}：{listed}"),
    "table.vcov_se": ("{base}, {vcov}", "{base}；{vcov}"),
    "table.vcov_other": ("{base}; standard errors {vcov}", "{base}；{vcov}"),
    "table.vcov_in_parentheses": ("{vcov} in parentheses", "括号内为{vcov}"),
    # punctuation between the parts of a note
    "table.clause_sep": ("; ", "；"),
    "table.list_sep": (", ", "、"),
    "table.end": (".", "。"),
    # display names of common fixed-effect / panel identifiers
    "fe.city": ("City", "城市"),
    "fe.year": ("Year", "年份"),
    "fe.province": ("Province", "省份"),
    "fe.prov": ("Province", "省份"),
    "fe.county": ("County", "区县"),
    "fe.region": ("Region", "地区"),
    "fe.firm": ("Firm", "企业"),
    "fe.industry": ("Industry", "行业"),
    "fe.unit": ("Unit", "个体"),
    "fe.id": ("Unit", "个体"),
    "fe.month": ("Month", "月份"),
    "fe.quarter": ("Quarter", "季度"),
    "fe.time": ("Time", "时间"),
    "fe.period": ("Period", "时期"),
    # variance labels (the English label of a model is shown as it is)
    "vcov.clustered": ("clustered by {names}", "聚类到{names}层面的稳健标准误"),
    "vcov.cluster_and": (" and ", "和"),
    "vcov.iid": ("iid", "普通标准误"),
    "vcov.hetero": ("heteroskedasticity-robust", "异方差稳健标准误"),
    "vcov.standard_errors": ("standard errors", "标准误"),
    # Tables 4 and 5 (mechanisms, heterogeneity, moderation)
    "mech.d_to_m": ("D → M", "机制检验"),
    "mech.high": ("High {var}", "高{var}组"),
    "mech.low": ("Low {var}", "低{var}组"),
    "mech.difference_hl": ("Difference (High − Low)", "组间系数差异（高−低）"),
    "mech.difference_ref": ("Difference from {group}", "与{group}的系数差异"),
    "mech.p_pooled": ("p-value, pooled test", "交互模型检验p值"),
    "mech.p_perm": ("p-value, permutation test", "置换检验p值"),
    "mech.total": ("Total effect", "总效应"),
    "mech.direct": ("Direct effect", "直接效应"),
    "mech.indirect": ("Indirect effect (a×b)", "间接效应（a×b）"),
    "mech.sobel": ("Sobel z", "Sobel z值"),
    "mech.boot_ci": ("Bootstrap {level:.0%} CI", "Bootstrap {level:.0%}置信区间"),
    "mech.block_note": (
        "Columns {cols}: group difference from the fully interacted pooled model ({vcov})",
        "第{cols}列：组间系数差异检验基于完全交互的混合回归（{vcov}）",
    ),
    "mech.perm_note": (
        "; permutation p-value from {n:,} shuffles of group labels across units{within} "
        "(seed {seed})",
        "；置换检验p值基于{n:,}次在个体层面随机打乱分组标签{within}（随机种子{seed}）",
    ),
    "mech.within": (" within adoption cohorts", "（在同一政策批次内）"),
    "mech.centred": (
        "{m} is centred at its estimation-sample mean ({c:.4g}) in the interaction; the "
        "coefficient of {d} in column (2) is the effect at the mean of {m}.",
        "交互项中{m}已按估计样本均值（{c:.4g}）中心化，第(2)列{d}的系数为{m}取均值时的政策效应。",
    ),
    "mech.uncentred": (
        "The interaction uses {m} uncentred: the coefficient of {d} in column (2) is the effect "
        "at {m} = 0.",
        "交互项中{m}未中心化，第(2)列{d}的系数为{m} = 0时的政策效应。",
    ),
    "mech.d_to_m_note": (
        "D → M columns: effect of the policy on each mechanism variable; M → Y is argued from "
        "theory and prior evidence, not from a regression of Y on D and M (Jiang 2022).",
        "机制检验列为政策对机制变量的影响（D → M）；M → Y依据理论与已有文献论证，"
        "而非以Y对D和M的回归检验（江艇，2022）。",
    ),
    "mech.boot_note": (
        "Indirect effect a×b: Sobel test and {level:.0%} percentile cluster-bootstrap interval "
        "({n:,} draws, seed {seed}).",
        "间接效应a×b：Sobel检验及{level:.0%}聚类Bootstrap百分位置信区间"
        "（{n:,}次抽样，随机种子{seed}）。",
    ),
    "mech.sobel_note": ("Indirect effect a×b: Sobel test.", "间接效应a×b：Sobel检验。"),
    "mech.jiang": (
        "Caveat (Jiang 2022, China Industrial Economics (5): 100-120): the three-step method "
        "does not identify M → Y: M is itself an outcome of the policy and shares confounders "
        "with Y, so b and the indirect effect a×b are descriptive; the causal evidence is D → M "
        "(step 2), with M → Y argued from theory and prior evidence.",
        "注意（江艇，2022，《中国工业经济》第5期）：逐步法不能识别M → Y——M本身是政策的结果，"
        "且与Y有共同的混杂因素，b与间接效应a×b仅具描述意义；因果证据是D → M（第二步），"
        "M → Y应依据理论与已有文献论证。",
    ),
    # pstest balance tables (matching/balance.py)
    "table.balance.variable": ("Variable", "变量"),
    "table.balance.sample": ("Sample", "样本"),
    "table.balance.mean": ("Mean", "均值"),
    "table.balance.treated": ("Treated", "处理组"),
    "table.balance.control": ("Control", "对照组"),
    "table.balance.unmatched": ("Unmatched", "匹配前"),
    "table.balance.matched": ("Matched", "匹配后"),
    "table.balance.note_bias": (
        "%bias: standardised difference in means, 100 x diff / sqrt((V_T + V_C)/2) with the "
        "unmatched variances (pstest); SMD: difference in means over the SD of the treated before "
        "matching (MatchIt, ATT).",
        "%bias：标准化均值差，100 x diff / sqrt((V_T + V_C)/2)，方差取匹配前样本（pstest）；"
        "SMD：均值差除以匹配前处理组的标准差（MatchIt，ATT）。",
    ),
    "table.balance.note_var": (
        "* variance ratio outside the 2.5%/97.5% quantiles of F(n_T - 1, n_T - 1).",
        "* 方差比落在F(n_T - 1, n_T - 1)分布的2.5%/97.5%分位数之外。",
    ),
    "table.balance.note_unit": (
        "Balance on the unit-level matching sample (one row per unit).",
        "平衡性检验基于个体层面的匹配样本（每个个体一行）。",
    ),
    "table.balance.note_rubin": (
        "B: Rubin's standardised difference of the linear index (flag if > 25); R: its variance "
        "ratio (flag outside [0.5, 2]).",
        "B：Rubin线性指数的标准化差异（大于25需警惕）；R：其方差比（落在[0.5, 2]之外需警惕）。",
    ),
    # staggered adoption (the study's staggered stage)
    "table.stag.estimator": ("Estimator", "估计量"),
    "table.stag.ci": ("95% CI", "95%置信区间"),
    "table.stag.nobs": ("Observations", "观测值"),
    "table.stag.units": ("Units", "个体数"),
    "table.stag.row.twfe_1": ("TWFE, Table 3 col. (1)", "TWFE（表3第(1)列）"),
    "table.stag.row.twfe_main": ("TWFE, Table 3 col. ({col})", "TWFE（表3第({col})列）"),
    "table.stag.row.cs": ("Callaway-Sant'Anna (simple ATT)", "Callaway-Sant'Anna（简单加总ATT）"),
    "table.stag.row.sa": ("Sun-Abraham (ATT)", "Sun-Abraham（ATT）"),
    "table.stag.row.bjs": ("Imputation, Borusyak et al. (ATT)", "插补估计，Borusyak等（ATT）"),
    "table.stag.bacon.type": ("Comparison", "比较类型"),
    "table.stag.bacon.mean": ("Average 2x2 estimate", "2×2估计值加权均值"),
    "table.stag.bacon.n": ("2x2 comparisons", "2×2比较个数"),
    "table.stag.note.att": (
        "Overall average effect of the policy on {y} on the PSM-DID sample. TWFE: Table 3; "
        "CS: Callaway and Sant'Anna (2021), ATT(g,t) averaged by cohort size; SA: Sun and "
        "Abraham (2021), post-adoption cells weighted by size; BJS: Borusyak, Jaravel and "
        "Spiess (2024), average over the treated observations. 95% intervals: t (TWFE, SA) or "
        "normal (CS, BJS); CS standard errors from its influence functions.",
        "PSM-DID样本上政策对{y}的总体平均效应。TWFE：表3；CS：Callaway和Sant'Anna（2021），"
        "ATT(g,t)按批次规模加权；SA：Sun和Abraham（2021），政策实施后各单元按规模加权；"
        "BJS：Borusyak、Jaravel和Spiess（2024），处理组观测的平均效应。95%置信区间：TWFE与SA"
        "基于t分布，CS与BJS基于正态分布；CS标准误由影响函数计算。",
    ),
    "table.stag.note.controls_no": (
        "CS, SA and BJS without control variables (unconditional parallel trends; "
        "staggered.controls = false).",
        "CS、SA与BJS未加入控制变量（无条件平行趋势；staggered.controls = false）。",
    ),
    "table.stag.note.controls_yes": (
        "CS with the model's controls as covariates, SA and BJS with them as controls "
        "(conditional parallel trends).",
        "CS以模型控制变量为协变量，SA与BJS以其为控制变量（条件平行趋势）。",
    ),
    "table.stag.note.options": (
        "CS: method {method}, control group {control}, anticipation {anticipation}, "
        "{draws} bootstrap draws.",
        "CS：估计方法{method}，对照组{control}，预期期数{anticipation}，自助抽样{draws}次。",
    ),
    "table.stag.note.failed": ("{name} could not be estimated: {why}", "{name}无法估计：{why}"),
    "table.stag.note.bacon": (
        "TWFE DID without controls on {units} units = {twfe}; {share:.1%} of its weight is on "
        "forbidden comparisons (later- vs earlier-adopting units).",
        "{units}个个体上不含控制变量的TWFE双重差分估计值 = {twfe}；其中{share:.1%}的权重来自"
        "“禁止的”比较（较晚处理组 vs 较早处理组）。",
    ),
    "table.stag.note.bacon_balanced": (
        "The panel is unbalanced: the decomposition uses the balanced sub-panel of the {units} "
        "units observed in every period.",
        "面板为非平衡面板：分解基于在所有时期均有观测的{units}个个体构成的平衡子面板。",
    ),
    # matching estimators (pilotdid.matching.effect)
    "table.match_effect.title": ("Matching estimate of the {estimand}", "匹配估计：{estimand}"),
    "table.match_effect.estimate": ("Estimate", "估计值"),
    "table.match_effect.se": ("Std. Err.", "标准误"),
    "table.match_effect.ci": ("{level:.0%} CI", "{level:.0%}置信区间"),
    "table.match_effect.n": ("Units averaged", "平均的单位数"),
    "table.match_effect.se.ai": (
        "Abadie-Imbens (2006) standard error, conditional variances from J = {J} same-arm match(es).",
        "Abadie-Imbens（2006）标准误，条件方差由同组{J}个近邻估计。",
    ),
    "table.match_effect.se.ai_pscore": (
        "Abadie-Imbens (2016) standard error, adjusted for the estimated propensity score; "
        "conditional variances from J = {J} same-arm match(es).",
        "Abadie-Imbens（2016）标准误，已校正倾向得分的估计误差；条件方差由同组{J}个近邻估计。",
    ),
    "table.match_effect.se.ai0": (
        "Abadie-Imbens (2006) standard error, homoskedastic conditional variance.",
        "Abadie-Imbens（2006）标准误，假定条件方差同方差。",
    ),
    "table.match_effect.se.standard": (
        "Standard error that treats the matching weights as fixed (psmatch2's default; "
        "understates uncertainty when controls are reused).",
        "将匹配权重视为固定的标准误（psmatch2默认；对照被重复使用时低估不确定性）。",
    ),
    "table.match_effect.bias": (
        "Bias-corrected (Abadie-Imbens 2011) on: {covariates}.",
        "偏差校正（Abadie-Imbens 2011），校正变量：{covariates}。",
    ),
}
