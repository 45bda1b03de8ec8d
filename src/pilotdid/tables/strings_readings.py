"""Catalogue group: the sentences of the report's readings, in English and Chinese.

Part of the one text catalogue (:mod:`pilotdid.tables.strings`). ``reading.*`` keys are the
paragraph templates of :mod:`pilotdid.report.readings` (filled with numbers by
:func:`pilotdid.report.narrative.reading`); ``word.*`` keys are the words chosen from the numbers
(raises/lowers, above/below ...); ``sig.*`` the significance phrases.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["READING_STRINGS"]

READING_STRINGS: Mapping[str, tuple[str, str]] = {
    # paragraph templates, by report section
    "reading.data": (
        "The analysis panel has {rows} rows on {units} units ({unit}) observed from {first} to "
        "{last}; it is {balance}. {treated} units are treated ({share_units} of units, "
        "{share_rows} of rows); {post}. Filters removed {filtered} of the {loaded} rows read.",
        "分析面板共有{rows}行、{units}个个体（{unit}），时间跨度为{first}—{last}年，为{balance}。"
        "其中{treated}个个体为处理组（占个体的{share_units}、观测值的{share_rows}）；{post}。"
        "筛选条件删除了读入的{loaded}行中的{filtered}行。",
    ),
    "reading.table1": (
        "The outcome {y} has a mean of {mean} and a standard deviation of {sd}, ranging from "
        "{min} to {max} over {n} observations. The mean of {treat} is {treat_mean}: "
        "{treat_pct} of the observations belong to pilot units.",
        "被解释变量{y}的均值为{mean}，标准差为{sd}，最小值为{min}，最大值为{max}，共{n}个观测值。"
        "{treat}的均值为{treat_mean}，即{treat_pct}的观测值属于试点地区。",
    ),
    "reading.table2": (
        "The largest correlation of {did} with a control variable is {r_did} ({with_did}); the "
        "largest between two controls is {r_max} ({pair}). The largest variance inflation factor "
        "is {vif_max} ({vif_var}, mean {vif_mean}), {vif_verdict} the usual threshold of 10, "
        "so multicollinearity is {mc}.",
        "{did}与控制变量的最大相关系数为{r_did}（{with_did}）；控制变量之间的最大相关系数为{r_max}"
        "（{pair}）。最大方差膨胀因子为{vif_max}（{vif_var}，均值{vif_mean}），{vif_verdict}"
        "通常的临界值10，{mc}。",
    ),
    "reading.table2_one": (
        "The correlation of {did} with the only control variable, {with_did}, is {r_did}. The "
        "variance inflation factor is {vif_max}, {vif_verdict} the usual threshold of 10, so "
        "multicollinearity is {mc}.",
        "{did}与唯一的控制变量{with_did}的相关系数为{r_did}。方差膨胀因子为{vif_max}，{vif_verdict}"
        "通常的临界值10，{mc}。",
    ),
    "reading.table2_none": (
        "The study lists no control variables, so there are no correlations between regressors "
        "to check.",
        "研究文件未设控制变量，无需检验解释变量之间的相关性。",
    ),
    "reading.matching": (
        "{method} matching ({mode}) kept {matched} of {treated} treated units and used {used} "
        "of {controls} control units; the PSM-DID sample has {rows} rows. The mean absolute "
        "standardised bias of the covariates fell from {bias_u}% to {bias_m}% and the pseudo-R² "
        "of the treatment model from {r2_u} to {r2_m}; after matching the likelihood-ratio test "
        "of joint balance has {p_m} ({lr_verdict}).{quality}",
        "{method}匹配（{mode}）保留了{treated}个处理组个体中的{matched}个，使用了{controls}个对照组"
        "个体中的{used}个；PSM-DID样本共{rows}行。协变量的平均绝对标准化偏差由{bias_u}%降至"
        "{bias_m}%，处理方程的伪R²由{r2_u}降至{r2_m}；匹配后联合平衡性似然比检验{p_m}"
        "（{lr_verdict}）。{quality}",
    ),
    "reading.matching_partial": (
        " Only {matched} of the {treated} treated units were matched; the other {lost} are off "
        "common support or have no control within the caliper, so the PSM-DID estimates describe "
        "these {matched} units, not all treated units.",
        "仅{treated}个处理组个体中的{matched}个匹配成功，其余{lost}个不在共同支撑域内或在卡尺内"
        "没有对照个体，因此PSM-DID估计结果仅代表这{matched}个个体，而非全部处理组个体。",
    ),
    "reading.matching_partial_one": (
        " Only {matched} of the {treated} treated units were matched; the remaining one is off "
        "common support or has no control within the caliper, so the PSM-DID estimates describe "
        "these {matched} units, not all treated units.",
        "仅{treated}个处理组个体中的{matched}个匹配成功，其余1个不在共同支撑域内或在卡尺内"
        "没有对照个体，因此PSM-DID估计结果仅代表这{matched}个个体，而非全部处理组个体。",
    ),
    "reading.matching_worse": (
        " Matching made balance worse for {worse}.",
        "匹配使以下协变量的平衡性变差：{worse}。",
    ),
    "reading.worse_item": (
        "{var} (|bias| from {before}% to {after}%)",
        "{var}（|标准化偏差|由{before}%升至{after}%）",
    ),
    "reading.table3": (
        "Without control variables the estimate is {b1} (SE {se1}, {p1}). "
        "{with_controls} the estimate is {b2} (SE {se2}, {p2}), {sig2}: the pilot policy {dir2} "
        "{y} by {b2_abs}, on {n2} observations with unit and time fixed effects (R² = {r2}).",
        "不加入控制变量时，估计值为{b1}（标准误{se1}，{p1}）。{with_controls}估计值为"
        "{b2}（标准误{se2}，{p2}），{sig2}：试点政策使{y}{dir2}{b2_abs}（{n2}个观测值，控制个体"
        "与时间固定效应，R² = {r2}）。",
    ),
    "reading.table3_single": (
        "The estimate is {b2} (SE {se2}, {p2}), {sig2}: the pilot policy {dir2} {y} by {b2_abs}, "
        "on {n2} observations with unit and time fixed effects (R² = {r2}); the study lists no "
        "control variables.",
        "估计值为{b2}（标准误{se2}，{p2}），{sig2}：试点政策使{y}{dir2}{b2_abs}（{n2}个观测值，控制"
        "个体与时间固定效应，R² = {r2}）；研究文件未设控制变量。",
    ),
    "reading.exclusion": (
        "{name}: dropping {rows} rows ({units} units, {treated} of them treated) leaves {n} "
        "observations; the estimate is {b} (SE {se}, {p}), {sig}.",
        "{name}：删除{rows}行（{units}个个体，其中{treated}个为处理组）后剩余{n}个观测值；估计值为"
        "{b}（标准误{se}，{p}），{sig}。",
    ),
    "reading.placebo": (
        "In {draws} placebo regressions with {kind}, the placebo coefficients average {mean} "
        "(SD {sd}) and {share} of them are significant at the 10% level. The actual estimate "
        "{b} lies {where} of the placebo distribution: {beyond} of the draws are at least as "
        "large in absolute value, a randomization-inference {p_ri}.",
        "在{draws}次安慰剂回归中（{kind}），安慰剂系数的均值为{mean}（标准差{sd}），其中{share}在10%"
        "的水平上显著。实际估计值{b}位于安慰剂分布的{where}：绝对值不小于它的安慰剂系数占{beyond}，"
        "随机化推断{p_ri}。",
    ),
    "reading.event": (
        "Relative to period {ref}, the {n_leads} leads are jointly {lead_verdict} (F = {f}, "
        "{p}){pretrend}. After adoption the coefficients average {post_mean}; {post_sig} of "
        "{n_post} are significant at the 5% level.",
        "以第{ref}期为基期，{n_leads}个政策前系数的联合检验{lead_verdict}（F = {f}，{p}）"
        "{pretrend}。政策实施后系数的均值为{post_mean}，{n_post}个中有{post_sig}个在5%的水平上显著。",
    ),
    "reading.mediator": (
        "The estimate for {m} is {a} (SE {se}, {p}), {sig}: the policy {dir} {m} by {a_abs}, "
        "on {n} observations.",
        "政策对{m}的估计系数为{a}（标准误{se}，{p}），{sig}：政策使{m}{dir}{a_abs}（{n}个观测值）。",
    ),
    "reading.split": (
        "Split by {by} ({rule}): the estimate is {b_hi} in the {g_hi} group ({p_hi}) and {b_lo} "
        "in the {g_lo} group ({p_lo}); their difference {diff} has a pooled-test {p_diff}{perm}.",
        "按{by}分组（{rule}）：{g_hi}组的估计值为{b_hi}（{p_hi}），{g_lo}组为{b_lo}（{p_lo}）；"
        "组间差异为{diff}，交互模型检验{p_diff}{perm}。",
    ),
    "reading.split_perm": (" and a permutation-test {p_perm}", "，置换检验{p_perm}"),
    "reading.moderation": (
        "With {m} added the policy estimate is {b1} ({p1}). With the interaction, the "
        "coefficient of {d} × {m} is {b3} ({p3}), {sig3}: each unit more of {m} {moves} the "
        "policy effect by {b3_abs}{at_mean}.",
        "加入{m}后政策估计值为{b1}（{p1}）。加入交互项后，{d} × {m}的系数为{b3}（{p3}），{sig3}："
        "{m}每增加一个单位，政策效应{moves}{b3_abs}{at_mean}。",
    ),
    "reading.at_mean": (
        "; at the mean of {m} ({c}) the policy effect is {b} ({p})",
        "；在{m}的均值（{c}）处政策效应为{b}（{p}）",
    ),
    "reading.truth": (
        "On the synthetic demo panel the true effects are known. {pairs}",
        "演示面板为模拟数据，真实效应已知。{pairs}",
    ),
    "reading.truth_pair": (
        "{name}: estimate {est} vs true {true} ({z} standard errors apart).",
        "{name}：估计值{est}，真实值{true}（相差{z}个标准误）。",
    ),
    "reading.stag_cohorts": (
        "Adoption is staggered in the PSM-DID sample: units adopt the policy in {n} cohorts "
        "({listed}), and {never} units are never treated.",
        "PSM-DID样本中政策为交错实施：个体分{n}个批次实施政策（{listed}），另有{never}个个体从未"
        "受处理。",
    ),
    "reading.stag_cohort": ("{period}: {units} units", "{period}年{units}个"),
    "reading.stag_bacon": (
        "The Goodman-Bacon decomposition of the TWFE DID without controls (TWFE = {twfe}) puts "
        "{share} of its weight on forbidden comparisons, which use earlier-adopting units as "
        "controls after they adopted; {size}.",
        "对不含控制变量的TWFE双重差分（TWFE = {twfe}）进行Goodman-Bacon分解，{share}的权重来自"
        "以已实施政策的较早处理组为对照的“禁止的”比较；{size}。",
    ),
    "reading.stag_bacon_sub": (
        "The panel is unbalanced, so the Goodman-Bacon decomposition of the TWFE DID without "
        "controls uses the balanced sub-panel of the {units} units observed in every period "
        "(TWFE there = {twfe}); it puts {share} of the weight on forbidden comparisons, which "
        "use earlier-adopting units as controls after they adopted; {size}.",
        "面板为非平衡面板，因此Goodman-Bacon分解基于在所有时期均有观测的{units}个个体构成的"
        "平衡子面板（其TWFE估计值 = {twfe}）；{share}的权重来自以已实施政策的较早处理组为对照的"
        "“禁止的”比较；{size}。",
    ),
    "reading.stag_no_bacon": (
        "The Goodman-Bacon decomposition could not be computed: {why}.",
        "无法计算Goodman-Bacon分解：{why}。",
    ),
    "reading.stag_verdict": (
        "Against the TWFE estimate of Table 3, column ({col}), {b} ({p}, {sig}), the "
        "heterogeneity-robust estimates are: {pairs}. {conclusion}",
        "与表3第({col})列的TWFE估计值{b}（{p}，{sig}）相比，异质性稳健估计结果为：{pairs}。"
        "{conclusion}",
    ),
    "reading.stag_pair": (
        "{name} {b} (SE {se}, {p}; {agree})",
        "{name} {b}（标准误{se}，{p}；{agree}）",
    ),
    "reading.stag_none_ran": (
        "No heterogeneity-robust estimator could be estimated on this sample (see the notes), "
        "so the TWFE estimate cannot be checked against them.",
        "在该样本上所有异质性稳健估计量均无法估计（见说明），因此无法据此检验TWFE估计结果。",
    ),
    "reading.stag_failed": ("{name} did not run: {why}.", "{name}未能运行：{why}。"),
    # words chosen from the numbers
    "word.balanced": ("a balanced panel", "平衡面板"),
    "word.unbalanced": ("an unbalanced panel", "非平衡面板"),
    "word.post_adoption": (
        "Post = 1 from each unit's adoption period",
        "Post自各个体的政策实施年份起取1",
    ),
    "word.post_common": ("Post = 1 for every unit from {year}", "Post自{year}年起对所有个体取1"),
    "word.raises": ("raises", "提高了"),
    "word.lowers": ("lowers", "降低了"),
    "word.below": ("below", "低于"),
    "word.above": ("above", "高于"),
    "word.mc_no": ("not a concern", "不存在严重的多重共线性"),
    "word.mc_yes": ("a concern", "可能存在多重共线性"),
    "word.lr_ok": ("balance is not rejected", "不拒绝平衡性假设"),
    "word.lr_bad": ("balance is rejected at the 5% level", "在5%的水平上拒绝平衡性假设"),
    "word.lr_na": ("the test could not be computed", "无法计算该检验"),
    "word.kind_units": ("randomly drawn fake treated units", "随机抽取伪处理组"),
    "word.kind_timing": ("randomly moved policy dates", "随机设定伪政策时间"),
    "word.kind_both": ("random fake treated units and dates", "随机抽取伪处理组与政策时间"),
    "word.tail": ("in the tail", "尾部"),
    "word.body": ("in the body", "主体部分"),
    "word.weakens": ("lowers", "降低"),
    "word.strengthens": ("raises", "提高"),
    "word.rule_median": ("median split", "中位数分组"),
    "word.rule_mean": ("mean split", "均值分组"),
    "word.jointly_ok": ("insignificant", "不显著"),
    "word.jointly_bad": ("significant", "显著"),
    "word.pretrend_ok": (
        ": the pre-test finds no trend, which is not proof of parallel trends (its power is below)",
        "，预检验未发现前趋势，但这并不能证明平行趋势成立（其检验功效见下文）",
    ),
    "word.pretrend_bad": (", a warning sign for parallel trends", "，平行趋势假设存疑"),
    "word.mode_base_year": ("units matched once on base-period covariates", "基期匹配"),
    "word.mode_by_year": ("year by year", "逐年匹配"),
    "word.mode_pooled": ("pooled over all years", "混合匹配"),
    "word.method_nearest": ("Nearest-neighbour", "近邻"),
    "word.method_radius": ("Radius", "半径"),
    "word.method_kernel": ("Kernel", "核"),
    "word.with_controls": ("With the controls", "加入控制变量后"),
    "word.with_some_controls": (
        "With the controls ({dropped} dropped as collinear with the fixed effects)",
        "加入控制变量后（{dropped}因与固定效应共线被剔除）",
    ),
    "word.with_no_controls": (
        "The controls ({dropped}) are all collinear with the fixed effects and were dropped, so "
        "with them",
        "控制变量（{dropped}）均与固定效应共线而被剔除，因此加入后",
    ),
    "word.no_p": ("no p-value", "无p值"),
    "word.stag_small": (
        "a small share, so the TWFE estimate rests mostly on clean comparisons",
        "占比较小，TWFE估计值主要来自“干净”的比较",
    ),
    "word.stag_large": (
        "a large share: the TWFE estimate is biased if effects change over time",
        "占比较大：若政策效应随时间变化，TWFE估计值将有偏",
    ),
    "word.stag_agree": ("same sign and significance at 5%", "符号与5%显著性一致"),
    "word.stag_sign": ("opposite sign", "符号相反"),
    "word.stag_sig": ("same sign, significance at 5% differs", "符号相同，5%显著性不同"),
    "word.stag_survives": (
        "The TWFE conclusion survives: every robust estimator agrees in sign and in "
        "significance at the 5% level.",
        "TWFE结论稳健：各稳健估计量的符号与5%水平的显著性均与其一致。",
    ),
    "word.stag_fails": (
        "The TWFE conclusion does not survive {names}: read it with care.",
        "TWFE结论在{names}下不成立，应谨慎解读。",
    ),
    "word.list_sep": (", ", "、"),
    "word.item_sep": ("; ", "、"),
    # significance of a p-value
    "sig.level": ("significant at the {share} level", "在{share}的水平上显著"),
    "sig.none": ("not significant at the 10% level", "在10%的水平上不显著"),
    # sensitivity (HonestDiD, pre-trend power)
    "reading.honest": (
        "Sensitivity (HonestDiD, {restriction}, the {target}): the {level} robust confidence set "
        "excludes zero as long as {bound}; the breakdown value is {breakdown}. {at_one}",
        "敏感性分析（HonestDiD，{restriction}，{target}）：只要{bound}，{level}稳健置信集就不包含0；"
        "临界值为{breakdown}。{at_one}",
    ),
    "reading.honest_none": (
        "Sensitivity (HonestDiD): the original {level} confidence interval of the {target} "
        "already includes zero, so no bound on violations of parallel trends can sign the effect.",
        "敏感性分析（HonestDiD）：{target}原本的{level}置信区间已包含0，因此无论对平行趋势的偏离"
        "设定何种界限，都无法确定效应的符号。",
    ),
    "reading.honest_inf": (
        "Sensitivity (HonestDiD, {restriction}, the {target}): the {level} robust confidence set "
        "excludes zero at every bound tried, up to {bound_max}.",
        "敏感性分析（HonestDiD，{restriction}，{target}）：在所试的全部界限内（最高{bound_max}），"
        "{level}稳健置信集均不包含0。",
    ),
    "reading.power": (
        "The pre-test detects a linear pre-trend of {s50} per period only half the time "
        "({s80} for 80% power); a trend of {s80} per period would bias the average "
        "post-period estimate by {bias} ({share} of the estimate), or by {cbias} in samples that "
        "pass the pre-test.",
        "预检验只有一半的概率发现每期{s50}的线性前趋势（80%的检验功效需要每期{s80}）；每期{s80}的"
        "趋势会使政策后平均估计值偏误{bias}（占估计值的{share}），在通过预检验的样本中偏误为{cbias}。",
    ),
    "word.rm_bound": (
        "post-treatment violations of parallel trends stay below {b} times the largest "
        "pre-treatment violation",
        "政策后对平行趋势的偏离不超过政策前最大偏离的{b}倍",
    ),
    "word.sd_bound": (
        "the slope of the trend changes by less than {b} per period",
        "趋势斜率每期的变化小于{b}",
    ),
    "word.rm": ("relative magnitudes", "相对幅度限制"),
    "word.sd": ("smoothness", "平滑性限制"),
    "word.target_average": ("average post-period effect", "政策后平均效应"),
    "word.target_first": ("first post-period effect", "政策当期效应"),
    "word.honest_at_one": (
        "With post-period violations as large as the largest pre-period one (Mbar = 1) the set is "
        "[{lo}, {hi}].",
        "当政策后偏离与政策前最大偏离相当（Mbar = 1）时，稳健置信集为[{lo}, {hi}]。",
    ),
    # few-cluster inference (report/readings_inference.py)
    "reading.wild": (
        "Column ({col}) of Table 3 has {clusters} clusters, {treated} of them treated: few enough "
        "for conventional clustered (CRV1) p-values to be too small. The wild cluster bootstrap "
        "(WCR) gives {p_wcr} for the DID coefficient (CRV1: {p_crv1}); the report relies on the "
        "bootstrap p-value, {verdict}.",
        "表3第({col})列共有{clusters}个聚类，其中{treated}个为处理组：聚类较少时，常规聚类稳健（CRV1）"
        "p值会偏小。野聚类自助法（WCR）给出的DID系数p值为{p_wcr}（CRV1：{p_crv1}）；本报告以自助法p值为准，"
        "{verdict}。",
    ),
    "word.wild_agrees": (
        "which agrees with CRV1 on significance at the 5% level",
        "其与CRV1在5%水平上的显著性结论一致",
    ),
    "word.wild_differs": (
        "which changes the conclusion at the 5% level",
        "其改变了5%水平上的显著性结论",
    ),
    "reading.matching_effect": (
        "The matching estimate of the ATT on {outcome}{period} is {est} (standard error {se}: "
        "{se_name}; {p}), averaged over {n} matched treated units. It compares the outcome "
        "levels of matched units and complements the PSM-DID estimates below rather than "
        "replacing them.",
        "匹配估计的{outcome}处理组平均处理效应（ATT）{period}为{est}（标准误{se}：{se_name}；{p}），"
        "基于{n}个匹配成功的处理组个体。该估计比较匹配个体的结果水平，是下文PSM-DID估计的补充而非替代。",
    ),
    "word.match_period": (" in {period}", "（{period}年）"),
    "word.se_ai": (
        "Abadie-Imbens (2006), conditional variances from J = {J} same-arm match(es)",
        "Abadie-Imbens（2006），条件方差由同组{J}个近邻估计",
    ),
    "word.se_ai_pscore": (
        "Abadie-Imbens (2016), adjusted for the estimated propensity score, conditional "
        "variances from J = {J} same-arm match(es)",
        "Abadie-Imbens（2016），已校正倾向得分的估计误差，条件方差由同组{J}个近邻估计",
    ),
    "word.se_ai0": (
        "Abadie-Imbens (2006), homoskedastic conditional variance",
        "Abadie-Imbens（2006），假定条件方差同方差",
    ),
    "word.se_standard": (
        "matching weights treated as fixed, too small when controls are reused",
        "将匹配权重视为固定，对照被重复使用时偏小",
    ),
    # sensitivity of one named estimator (TWFE event study or a heterogeneity-robust one)
    "reading.honest_prefix": ("{estimator}. ", "{estimator}。"),
    "word.honest_twfe": ("TWFE event study", "TWFE事件研究"),
    "word.honest_CS": (
        "Callaway-Sant'Anna (universal base period)",
        "Callaway-Sant'Anna（统一基期）",
    ),
    "word.honest_SA": ("Sun-Abraham", "Sun-Abraham"),
    "word.honest_BJS": (
        "Imputation (BJS, mapped to reference period -1)",
        "插补估计量（BJS，映射到参照期-1）",
    ),
}
