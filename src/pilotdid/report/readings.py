"""The report's generated paragraphs: one reading per section, numbers taken from the results.

Each function takes a :class:`~pilotdid.study.pipeline.StudyResult` and returns
:class:`~pilotdid.report.narrative.Reading` values (a template plus keyed numbers). The numbers
come from the result objects themselves (fitted models, the placebo draws, the balance table,
the cells of Tables 1 and 2), never from rendered text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from pilotdid.report.narrative import Reading, count, num, pct, pval, reading, significance, word
from pilotdid.tables.labels import Labels

if TYPE_CHECKING:
    from pilotdid.estimation.result import FeolsResult
    from pilotdid.report.source import StudyOutputs as StudyResult

__all__ = [
    "TEMPLATES",
    "read_data",
    "read_event_study",
    "read_exclusions",
    "read_matching",
    "read_mechanisms",
    "read_moderation",
    "read_placebo",
    "read_table1",
    "read_table2",
    "read_table3",
    "read_truth",
]

TEMPLATES: Mapping[str, tuple[str, str]] = {
    "data": (
        "The analysis panel has {rows} rows on {units} units ({unit}) observed from {first} to "
        "{last}; it is {balance}. {treated} units are treated ({share_units} of units, "
        "{share_rows} of rows); {post}. Filters removed {filtered} of the {loaded} rows read.",
        "分析面板共有{rows}行、{units}个个体（{unit}），时间跨度为{first}—{last}年，为{balance}。"
        "其中{treated}个个体为处理组（占个体的{share_units}、观测值的{share_rows}）；{post}。"
        "筛选条件删除了读入的{loaded}行中的{filtered}行。",
    ),
    "table1": (
        "The outcome {y} has a mean of {mean} and a standard deviation of {sd}, ranging from "
        "{min} to {max} over {n} observations. The mean of {treat} is {treat_mean}: "
        "{treat_pct} of the observations belong to pilot units.",
        "被解释变量{y}的均值为{mean}，标准差为{sd}，最小值为{min}，最大值为{max}，共{n}个观测值。"
        "{treat}的均值为{treat_mean}，即{treat_pct}的观测值属于试点地区。",
    ),
    "table2": (
        "The largest correlation of {did} with a control variable is {r_did} ({with_did}); the "
        "largest between two controls is {r_max} ({pair}). The largest variance inflation factor "
        "is {vif_max} ({vif_var}, mean {vif_mean}), {vif_verdict} the usual threshold of 10, "
        "so multicollinearity is {mc}.",
        "{did}与控制变量的最大相关系数为{r_did}（{with_did}）；控制变量之间的最大相关系数为{r_max}"
        "（{pair}）。最大方差膨胀因子为{vif_max}（{vif_var}，均值{vif_mean}），{vif_verdict}"
        "通常的临界值10，{mc}。",
    ),
    "table2_one": (
        "The correlation of {did} with the only control variable, {with_did}, is {r_did}. The "
        "variance inflation factor is {vif_max}, {vif_verdict} the usual threshold of 10, so "
        "multicollinearity is {mc}.",
        "{did}与唯一的控制变量{with_did}的相关系数为{r_did}。方差膨胀因子为{vif_max}，{vif_verdict}"
        "通常的临界值10，{mc}。",
    ),
    "table2_none": (
        "The study lists no control variables, so there are no correlations between regressors "
        "to check.",
        "研究文件未设控制变量，无需检验解释变量之间的相关性。",
    ),
    "matching": (
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
    "matching_partial": (
        " Only {matched} of the {treated} treated units were matched; the other {lost} are off "
        "common support or have no control within the caliper, so the PSM-DID estimates describe "
        "these {matched} units, not all treated units.",
        "仅{treated}个处理组个体中的{matched}个匹配成功，其余{lost}个不在共同支撑域内或在卡尺内"
        "没有对照个体，因此PSM-DID估计结果仅代表这{matched}个个体，而非全部处理组个体。",
    ),
    "matching_partial_one": (
        " Only {matched} of the {treated} treated units were matched; the remaining one is off "
        "common support or has no control within the caliper, so the PSM-DID estimates describe "
        "these {matched} units, not all treated units.",
        "仅{treated}个处理组个体中的{matched}个匹配成功，其余1个不在共同支撑域内或在卡尺内"
        "没有对照个体，因此PSM-DID估计结果仅代表这{matched}个个体，而非全部处理组个体。",
    ),
    "matching_worse": (
        " Matching made balance worse for {worse}.",
        "匹配使以下协变量的平衡性变差：{worse}。",
    ),
    "worse_item": (
        "{var} (|bias| from {before}% to {after}%)",
        "{var}（|标准化偏差|由{before}%升至{after}%）",
    ),
    "table3": (
        "Without control variables the estimate is {b1} (SE {se1}, {p1}). "
        "{with_controls} the estimate is {b2} (SE {se2}, {p2}), {sig2}: the pilot policy {dir2} "
        "{y} by {b2_abs}, on {n2} observations with unit and time fixed effects (R² = {r2}).",
        "不加入控制变量时，估计值为{b1}（标准误{se1}，{p1}）。{with_controls}估计值为"
        "{b2}（标准误{se2}，{p2}），{sig2}：试点政策使{y}{dir2}{b2_abs}（{n2}个观测值，控制个体"
        "与时间固定效应，R² = {r2}）。",
    ),
    "table3_single": (
        "The estimate is {b2} (SE {se2}, {p2}), {sig2}: the pilot policy {dir2} {y} by {b2_abs}, "
        "on {n2} observations with unit and time fixed effects (R² = {r2}); the study lists no "
        "control variables.",
        "估计值为{b2}（标准误{se2}，{p2}），{sig2}：试点政策使{y}{dir2}{b2_abs}（{n2}个观测值，控制"
        "个体与时间固定效应，R² = {r2}）；研究文件未设控制变量。",
    ),
    "exclusion": (
        "{name}: dropping {rows} rows ({units} units, {treated} of them treated) leaves {n} "
        "observations; the estimate is {b} (SE {se}, {p}), {sig}.",
        "{name}：删除{rows}行（{units}个个体，其中{treated}个为处理组）后剩余{n}个观测值；估计值为"
        "{b}（标准误{se}，{p}），{sig}。",
    ),
    "placebo": (
        "In {draws} placebo regressions with {kind}, the placebo coefficients average {mean} "
        "(SD {sd}) and {share} of them are significant at the 10% level. The actual estimate "
        "{b} lies {where} of the placebo distribution: {beyond} of the draws are at least as "
        "large in absolute value, a randomization-inference {p_ri}.",
        "在{draws}次安慰剂回归中（{kind}），安慰剂系数的均值为{mean}（标准差{sd}），其中{share}在10%"
        "的水平上显著。实际估计值{b}位于安慰剂分布的{where}：绝对值不小于它的安慰剂系数占{beyond}，"
        "随机化推断{p_ri}。",
    ),
    "event": (
        "Relative to period {ref}, the {n_leads} leads are jointly {lead_verdict} (F = {f}, "
        "{p}){pretrend}. After adoption the coefficients average {post_mean}; {post_sig} of "
        "{n_post} are significant at the 5% level.",
        "以第{ref}期为基期，{n_leads}个政策前系数的联合检验{lead_verdict}（F = {f}，{p}）"
        "{pretrend}。政策实施后系数的均值为{post_mean}，{n_post}个中有{post_sig}个在5%的水平上显著。",
    ),
    "mediator": (
        "The estimate for {m} is {a} (SE {se}, {p}), {sig}: the policy {dir} {m} by {a_abs}, "
        "on {n} observations.",
        "政策对{m}的估计系数为{a}（标准误{se}，{p}），{sig}：政策使{m}{dir}{a_abs}（{n}个观测值）。",
    ),
    "split": (
        "Split by {by} ({rule}): the estimate is {b_hi} in the {g_hi} group ({p_hi}) and {b_lo} "
        "in the {g_lo} group ({p_lo}); their difference {diff} has a pooled-test {p_diff}{perm}.",
        "按{by}分组（{rule}）：{g_hi}组的估计值为{b_hi}（{p_hi}），{g_lo}组为{b_lo}（{p_lo}）；"
        "组间差异为{diff}，交互模型检验{p_diff}{perm}。",
    ),
    "split_perm": (" and a permutation-test {p_perm}", "，置换检验{p_perm}"),
    "moderation": (
        "With {m} added the policy estimate is {b1} ({p1}). With the interaction, the "
        "coefficient of {d} × {m} is {b3} ({p3}), {sig3}: each unit more of {m} {moves} the "
        "policy effect by {b3_abs}{at_mean}.",
        "加入{m}后政策估计值为{b1}（{p1}）。加入交互项后，{d} × {m}的系数为{b3}（{p3}），{sig3}："
        "{m}每增加一个单位，政策效应{moves}{b3_abs}{at_mean}。",
    ),
    "at_mean": (
        "; at the mean of {m} ({c}) the policy effect is {b} ({p})",
        "；在{m}的均值（{c}）处政策效应为{b}（{p}）",
    ),
    "truth": (
        "On the synthetic demo panel the true effects are known. {pairs}",
        "演示面板为模拟数据，真实效应已知。{pairs}",
    ),
    "truth_pair": (
        "{name}: estimate {est} vs true {true} ({z} standard errors apart).",
        "{name}：估计值{est}，真实值{true}（相差{z}个标准误）。",
    ),
}

_WORDS: Mapping[str, tuple[str, str]] = {
    "balanced": ("a balanced panel", "平衡面板"),
    "unbalanced": ("an unbalanced panel", "非平衡面板"),
    "post_adoption": (
        "Post = 1 from each unit's adoption period",
        "Post自各个体的政策实施年份起取1",
    ),
    "post_common": ("Post = 1 for every unit from {year}", "Post自{year}年起对所有个体取1"),
    "raises": ("raises", "提高了"),
    "lowers": ("lowers", "降低了"),
    "below": ("below", "低于"),
    "above": ("above", "高于"),
    "mc_no": ("not a concern", "不存在严重的多重共线性"),
    "mc_yes": ("a concern", "可能存在多重共线性"),
    "lr_ok": ("balance is not rejected", "不拒绝平衡性假设"),
    "lr_bad": ("balance is rejected at the 5% level", "在5%的水平上拒绝平衡性假设"),
    "lr_na": ("the test could not be computed", "无法计算该检验"),
    "kind_units": ("randomly drawn fake treated units", "随机抽取伪处理组"),
    "kind_timing": ("randomly moved policy dates", "随机设定伪政策时间"),
    "kind_both": ("random fake treated units and dates", "随机抽取伪处理组与政策时间"),
    "tail": ("in the tail", "尾部"),
    "body": ("in the body", "主体部分"),
    "weakens": ("lowers", "降低"),
    "strengthens": ("raises", "提高"),
    "rule_median": ("median split", "中位数分组"),
    "rule_mean": ("mean split", "均值分组"),
    "jointly_ok": ("insignificant", "不显著"),
    "jointly_bad": ("significant", "显著"),
    "pretrend_ok": (", consistent with parallel pre-trends", "，支持平行趋势假设"),
    "pretrend_bad": (", a warning sign for parallel trends", "，平行趋势假设存疑"),
    "mode_base_year": ("units matched once on base-period covariates", "基期匹配"),
    "mode_by_year": ("year by year", "逐年匹配"),
    "mode_pooled": ("pooled over all years", "混合匹配"),
    "method_nearest": ("Nearest-neighbour", "近邻"),
    "method_radius": ("Radius", "半径"),
    "method_kernel": ("Kernel", "核"),
    "with_controls": ("With the controls", "加入控制变量后"),
    "with_some_controls": (
        "With the controls ({dropped} dropped as collinear with the fixed effects)",
        "加入控制变量后（{dropped}因与固定效应共线被剔除）",
    ),
    "with_no_controls": (
        "The controls ({dropped}) are all collinear with the fixed effects and were dropped, so "
        "with them",
        "控制变量（{dropped}）均与固定效应共线而被剔除，因此加入后",
    ),
}


def _w(key: str, language: str, **fields: Any) -> Any:
    pair = _WORDS[key]
    return word((pair[1] if language == "zh" else pair[0]).format(**fields))


def _var(result: StudyResult, name: Any) -> Any:
    """Return a variable's display name from the study's labels, as a word."""
    report = result.study.config.report
    labels = Labels(en=dict(report.labels.en), zh=dict(report.labels.zh), language=report.language)
    return word(labels.var(str(name)))


def read_data(result: StudyResult) -> Reading:
    """Read the data section: rows, units, periods, treated share, Post coding, filters."""
    lang, panel = result.study.config.report.language, result.panel
    report, check = panel.treatment.report, panel.check
    post = (
        _w("post_adoption", lang)
        if report.post == "adoption"
        else _w("post_common", lang, year=report.post_common)
    )
    return reading(
        TEMPLATES, "data", lang,
        rows=count(report.n_rows, "data.rows"), units=count(report.n_units, "data.units"),
        unit=_var(result, panel.treatment.unit), first=word(str(report.periods[0])),
        last=word(str(report.periods[1])), balance=_w("balanced" if check.balanced else "unbalanced", lang),
        treated=count(report.n_treated_units, "data.treated_units"),
        share_units=pct(report.treated_share_units, "data.treated_share_units"),
        share_rows=pct(report.treated_share_rows, "data.treated_share_rows"), post=post,
        filtered=count(sum(d.rows for d in panel.drops), "data.filtered_rows"),
        loaded=count(panel.n_loaded, "data.loaded_rows"),
    )  # fmt: skip


def _cell(table: Any, row: int, column: int) -> float:
    return float(table.body.iloc[row, column].value)


def read_table1(result: StudyResult) -> Reading:
    """Read Table 1: the outcome's moments and the treated share (cells of the table)."""
    cfg, t1 = result.study.config, result.tables["table1"]
    lang = cfg.report.language
    y, treat = cfg.model.outcome, cfg.treatment.names.treat
    key = "table1.{}.{}".format
    return reading(
        TEMPLATES, "table1", lang, y=_var(result, y), treat=_var(result, treat),
        n=count(int(_cell(t1, 0, 0)), key(y, "obs")), mean=num(_cell(t1, 0, 1), key(y, "mean")),
        sd=num(_cell(t1, 0, 2), key(y, "sd")), min=num(_cell(t1, 0, 3), key(y, "min")),
        max=num(_cell(t1, 0, 4), key(y, "max")),
        treat_mean=num(_cell(t1, 1, 1), key(treat, "mean")),
        treat_pct=pct(_cell(t1, 1, 1), key(treat, "mean")),
    )  # fmt: skip


def _largest(r: np.ndarray, rows: list[int], cols: list[int]) -> tuple[float, int, int]:
    best = (0.0, rows[0], cols[0])
    for i in rows:
        for j in cols:
            if i != j and abs(r[i, j]) > abs(best[0]):
                best = (float(r[i, j]), i, j)
    return best


def read_table2(result: StudyResult) -> Reading:
    """Read Table 2 and the VIF table: the largest correlations and the largest VIF."""
    from pilotdid.descriptives.correlation import correlation_matrix

    cfg = result.study.config
    lang, did, controls = cfg.report.language, cfg.treatment.names.did, list(cfg.model.controls)
    names = [did, *controls]
    x = result.panel.data[names].to_numpy(dtype=float)
    r = correlation_matrix(x).r
    others = list(range(1, len(names)))
    r_did, _, j_did = _largest(r, [0], others) if others else (float("nan"), 0, 0)
    r_max, i_max, j_max = _largest(r, others, others) if len(others) > 1 else (float("nan"), 0, 0)
    vif = result.tables.get("vif")
    vif_max = _cell(vif, 0, 0) if vif is not None else float("nan")
    vif_mean = _cell(vif, len(vif.body) - 1, 0) if vif is not None else float("nan")
    vif_var = vif.body.index[0] if vif is not None else ""
    high = vif_max >= 10
    if not others:
        return reading(TEMPLATES, "table2_none", lang)
    if len(others) == 1:  # one control: no pair of controls, its VIF is the only one
        return reading(
            TEMPLATES, "table2_one", lang, did=_var(result, did), with_did=_var(result, names[1]),
            r_did=num(r_did, f"table2.{did}.{names[1]}"), vif_max=num(vif_max, "vif.max"),
            vif_verdict=_w("above" if high else "below", lang),
            mc=_w("mc_yes" if high else "mc_no", lang),
        )  # fmt: skip
    return reading(
        TEMPLATES, "table2", lang, did=_var(result, did), with_did=_var(result, names[j_did]),
        r_did=num(r_did, f"table2.{did}.{names[j_did]}"),
        r_max=num(r_max, f"table2.{names[i_max]}.{names[j_max]}"),
        pair=word(f"{_var(result, names[i_max]).shown}, {_var(result, names[j_max]).shown}"), vif_max=num(vif_max, "vif.max"),
        vif_var=word(str(vif_var)), vif_mean=num(vif_mean, "vif.mean"),
        vif_verdict=_w("above" if high else "below", lang), mc=_w("mc_yes" if high else "mc_no", lang),
    )  # fmt: skip


def read_matching(result: StudyResult) -> Reading | None:
    """Read the matching section: units kept, bias and pseudo-R² before and after."""
    stage, cfg = result.matching, result.study.config
    if stage.result is None or stage.balance is None:
        return None
    lang, c = cfg.report.language, stage.result.counts
    overall = {
        (sample, stat): float(stage.balance.overall.loc[sample, stat])
        for sample in ("Unmatched", "Matched")
        for stat in ("mean_bias", "pseudo_r2", "p_chi2")
    }
    lr_p = overall["Matched", "p_chi2"]
    verdict = "lr_na" if not np.isfinite(lr_p) else "lr_ok" if lr_p >= 0.05 else "lr_bad"
    extra = _matching_quality(result, c, lang)
    base = reading(
        TEMPLATES, "matching", lang, method=_w(f"method_{cfg.matching.method}", lang),
        mode=_w(f"mode_{cfg.matching.mode}", lang),
        matched=count(c["n_matched_treated"], "matching.n_matched_treated"),
        treated=count(c["n_treated"], "matching.n_treated"),
        used=count(c["n_used_controls"], "matching.n_used_controls"),
        controls=count(c["n_controls"], "matching.n_controls"),
        rows=count(len(stage.sample), "matching.sample_rows"),
        bias_u=num(overall["Unmatched", "mean_bias"], "balance.unmatched.mean_bias"),
        bias_m=num(overall["Matched", "mean_bias"], "balance.matched.mean_bias"),
        r2_u=num(overall["Unmatched", "pseudo_r2"], "balance.unmatched.pseudo_r2"),
        r2_m=num(overall["Matched", "pseudo_r2"], "balance.matched.pseudo_r2"),
        p_m=pval(lr_p, "balance.matched.p_chi2") if np.isfinite(lr_p) else word("no p-value" if lang != "zh" else "无p值"),
        lr_verdict=_w(verdict, lang), quality=word(""),
    )  # fmt: skip
    if extra is None:
        return base
    values = {k: v for k, v in base.values.items() if k != "quality"} | dict(extra.values)
    return Reading(base.template.replace("{quality}", extra.template), values)


def _matching_quality(result: StudyResult, counts: Mapping[str, int], lang: str) -> Reading | None:
    """Values of the ``{quality}`` field: treated units lost, covariates balanced worse."""
    stage = result.matching
    assert stage.balance is not None
    parts: list[Reading] = []
    matched, treated = int(counts["n_matched_treated"]), int(counts["n_treated"])
    if matched < treated:
        parts.append(reading(
            TEMPLATES, "matching_partial" if treated - matched > 1 else "matching_partial_one", lang,
            matched=count(matched, "matching.n_matched_treated"),
            treated=count(treated, "matching.n_treated"),
            lost=count(treated - matched, "matching.n_unmatched_treated"),
        ))  # fmt: skip
    bias = stage.balance.covariates["pct_bias"]
    items: list[Reading] = []
    for cov in dict.fromkeys(str(k[0]) for k in bias.index):
        before, after = abs(float(bias[cov, "Unmatched"])), abs(float(bias[cov, "Matched"]))
        if np.isfinite(before) and np.isfinite(after) and after > before:
            key = f"balance.{cov}"
            items.append(reading(
                TEMPLATES, "worse_item", lang, var=_var(result, cov),
                before=num(before, f"{key}.unmatched.abs_bias", 2),
                after=num(after, f"{key}.matched.abs_bias", 2),
            ))  # fmt: skip
    if items:
        values: dict[str, Any] = {}
        texts = []
        for i, item in enumerate(items):
            t = item.template
            for name, value in item.values.items():
                t = t.replace("{" + name + "}", "{" + f"w{i}_{name}" + "}")
                values[f"w{i}_{name}"] = value
            texts.append(t)
        joined = ("、" if lang == "zh" else "; ").join(texts)
        head = TEMPLATES["matching_worse"][1 if lang == "zh" else 0]
        parts.append(Reading(head.replace("{worse}", joined), values))
    if not parts:
        return None
    merged: dict[str, Any] = {}
    for part in parts:
        merged |= dict(part.values)
    return Reading("".join(part.template for part in parts), merged)


def _coef(fit: FeolsResult, term: str, key: str) -> dict[str, Any]:
    b, se, p = float(fit.coef()[term]), float(fit.se()[term]), float(fit.pvalue()[term])
    return {"b": num(b, f"{key}.estimate"), "se": num(se, f"{key}.se"), "p": pval(p, f"{key}.p")}


def read_table3(result: StudyResult) -> Reading:
    """Read Table 3: the DID estimate without and with controls."""
    cfg = result.study.config
    lang, did, y = cfg.report.language, cfg.treatment.names.did, cfg.model.outcome
    first, main, col = (
        next(iter(result.baseline.models.values())),
        result.main,
        result.baseline.main_column,
    )
    one, two = _coef(first, did, f"table3.(1).{did}"), _coef(main, did, f"table3.({col}).{did}")
    b2 = float(main.coef()[did])
    common = {
        "y": _var(result, y), "b2": two["b"], "se2": two["se"], "p2": two["p"],
        "sig2": word(significance(float(two["p"].value), lang)),
        "dir2": _w("raises" if b2 >= 0 else "lowers", lang),
        "b2_abs": num(abs(b2), f"table3.({col}).{did}.abs_estimate"),
        "n2": count(main.nobs, f"table3.({col}).nobs"), "r2": num(main.r2, f"table3.({col}).r2"),
    }  # fmt: skip
    if col == 1:  # no control variables: one headline column
        return reading(TEMPLATES, "table3_single", lang, **common)
    return reading(
        TEMPLATES, "table3", lang, b1=one["b"], se1=one["se"], p1=one["p"],
        with_controls=_with_controls(result, main, cfg.model.controls, lang), **common,
    )  # fmt: skip


def _with_controls(result: StudyResult, main: FeolsResult, controls: Any, lang: str) -> Any:
    """Return the "With the controls" phrase, naming controls the fixed effects absorbed."""
    dropped = [c for c in controls if c in main.collinear]
    if not dropped:
        return _w("with_controls", lang)
    names = ("、" if lang == "zh" else ", ").join(str(_var(result, c).shown) for c in dropped)
    key = "with_no_controls" if len(dropped) == len(controls) else "with_some_controls"
    return _w(key, lang, dropped=names)


def read_exclusions(result: StudyResult) -> list[Reading]:
    """Read each exclusion column of Table 3."""
    cfg = result.study.config
    lang, did = cfg.report.language, cfg.treatment.names.did
    out = []
    titles = list(result.baseline.models)
    for sub in result.baseline.exclusions:
        col = titles.index(sub.label) + 1
        fit = result.baseline.models[sub.label]
        key = f"table3.({col})"
        c = _coef(fit, did, f"{key}.{did}")
        out.append(
            reading(
                TEMPLATES,
                "exclusion",
                lang,
                name=word(sub.label),
                rows=count(sub.dropped_rows, f"{key}.dropped_rows"),
                units=count(len(sub.dropped_units), f"{key}.dropped_units"),
                treated=count(len(sub.dropped_treated_units), f"{key}.dropped_treated_units"),
                n=count(fit.nobs, f"{key}.nobs"),
                b=c["b"],
                se=c["se"],
                p=c["p"],
                sig=word(significance(float(c["p"].value), lang)),
            )
        )
    return out


def read_placebo(result: StudyResult) -> Reading | None:
    """Read Figure 1: the placebo distribution and where the true estimate lies in it."""
    pl = result.placebo
    if pl is None:
        return None
    lang = result.study.config.report.language
    coefs = pl.draws["coef"].dropna()
    true = float(pl.estimate["coef"])
    beyond = float((coefs.abs() >= abs(true)).mean())
    return reading(
        TEMPLATES, "placebo", lang, draws=count(pl.n_draws, "placebo.draws"),
        kind=_w(f"kind_{pl.kind}", lang), mean=num(coefs.mean(), "placebo.mean"),
        sd=num(coefs.std(), "placebo.sd"), share=pct(pl.share_significant(0.1), "placebo.share_10"),
        b=num(true, "placebo.true_estimate"), where=_w("tail" if beyond < 0.1 else "body", lang),
        beyond=pct(beyond, "placebo.share_beyond"), p_ri=pval(pl.p_ri_coef, "placebo.p_ri"),
    )  # fmt: skip


def read_event_study(result: StudyResult) -> Reading | None:
    """Read Figure 2: the joint pre-trend test and the post-adoption coefficients."""
    es = result.event_study
    if es is None:
        return None
    lang = result.study.config.report.language
    test = es.pretrend_test()
    tidy = es.tidy()
    post = tidy[(tidy.index >= 0) & ~tidy["is_ref"]]
    ok = not test.p_value < 0.05
    return reading(
        TEMPLATES, "event", lang, ref=word(str(es.ref)), n_leads=count(int(test.df_num), "event.n_leads"),
        lead_verdict=_w("jointly_ok" if ok else "jointly_bad", lang),
        f=num(test.statistic, "event.pretrend_f"), p=pval(test.p_value, "event.pretrend_p"),
        pretrend=_w("pretrend_ok" if ok else "pretrend_bad", lang),
        post_mean=num(post["estimate"].mean(), "event.post_mean"),
        post_sig=count(int((post["p_value"] < 0.05).sum()), "event.post_significant"),
        n_post=count(len(post), "event.n_post"),
    )  # fmt: skip


def read_truth(result: StudyResult) -> Reading | None:
    """Read the demo comparison: each estimate against its true value, in standard errors."""
    pairs = result.true_effects()
    if not pairs:
        return None
    lang = result.study.config.report.language
    values: dict[str, Any] = {}
    parts = []
    for i, t in enumerate(pairs):
        pair = TEMPLATES["truth_pair"][1 if lang == "zh" else 0]
        parts.append(pair.replace("{name}", f"{{name{i}}}").replace("{est}", f"{{est{i}}}")
                     .replace("{true}", f"{{true{i}}}").replace("{z}", f"{{z{i}}}"))  # fmt: skip
        values |= {
            f"name{i}": word(t.name), f"est{i}": num(t.estimate, f"truth.{t.name}.estimate"),
            f"true{i}": num(t.true, f"truth.{t.name}.true"), f"z{i}": num(t.z, f"truth.{t.name}.z", 2),
        }  # fmt: skip
    head = TEMPLATES["truth"][1 if lang == "zh" else 0]
    return Reading(head.replace("{pairs}", " ".join(parts)), values)


def read_mechanisms(result: StudyResult) -> list[Reading]:
    """Read Table 4: the policy's effect on each mediator and each split-sample comparison."""
    stage, cfg = result.mechanisms, result.study.config
    if stage is None:
        return []
    lang, did = cfg.report.language, cfg.treatment.names.did
    out = []
    mech = stage.mechanism
    if mech is not None:
        for m, row in mech.effects.iterrows():
            a, p = float(row["a"]), float(row["p_a"])
            key = f"table4.{m}.{did}"
            out.append(reading(
                TEMPLATES, "mediator", lang, m=_var(result, m), dir=_w("raises" if a >= 0 else "lowers", lang),
                a=num(a, f"{key}.estimate"), a_abs=num(abs(a), f"{key}.abs_estimate"),
                se=num(float(row["se_a"]), f"{key}.se"),
                p=pval(p, f"{key}.p"), sig=word(significance(p, lang)),
                n=count(int(row["nobs"]), f"{key}.nobs"),
            ))  # fmt: skip
    for het in stage.heterogeneity:
        out.append(_read_split(het, did, cfg.heterogeneity.rule, lang, _var(result, het.by)))
    return out


def _read_split(het: Any, did: str, rule: str, lang: str, by: Any) -> Reading:
    hi, lo = het.groups[0], het.groups[-1]
    fits = het.models
    key = f"table4.{het.by}"
    diff = het.differences.iloc[0]
    perm = float(diff.get("p_perm", float("nan")))
    perm_text = (
        reading(TEMPLATES, "split_perm", lang, p_perm=pval(perm, f"{key}.p_perm"))
        if perm == perm
        else None
    )
    values: dict[str, Any] = {
        "by": by, "rule": _w(f"rule_{rule}", lang), "g_hi": word(hi), "g_lo": word(lo),
        "b_hi": num(float(fits[hi].coef()[did]), f"{key}.{hi}.estimate"),
        "p_hi": pval(float(fits[hi].pvalue()[did]), f"{key}.{hi}.p"),
        "b_lo": num(float(fits[lo].coef()[did]), f"{key}.{lo}.estimate"),
        "p_lo": pval(float(fits[lo].pvalue()[did]), f"{key}.{lo}.p"),
        "diff": num(float(diff["estimate"]), f"{key}.difference"),
        "p_diff": pval(float(diff["p_value"]), f"{key}.p_pooled"),
        "perm": word(""),
    }  # fmt: skip
    template = TEMPLATES["split"][1 if lang == "zh" else 0]
    if perm_text is not None:
        template = template.replace("{perm}", perm_text.template)
        values |= dict(perm_text.values)
    return Reading(template, values)


def read_moderation(result: StudyResult) -> list[Reading]:
    """Read Table 5: the moderator's interaction with the policy and the effect at its mean."""
    stage, cfg = result.moderation, result.study.config
    if stage is None:
        return []
    lang, out = cfg.report.language, []
    for res in stage.results:
        main, inter = res.models["main"], res.models["interaction"]
        d, m, term = res.treatment, res.moderator, res.interaction
        key = f"table5.{m}"
        b3, p3 = float(inter.coef()[term]), float(inter.pvalue()[term])
        values: dict[str, Any] = {
            "m": _var(result, m), "d": _var(result, d),
            "b1": num(float(main.coef()[d]), f"{key}.(1).{d}.estimate"),
            "p1": pval(float(main.pvalue()[d]), f"{key}.(1).{d}.p"),
            "b3": num(b3, f"{key}.(2).{term}.estimate"), "p3": pval(p3, f"{key}.(2).{term}.p"),
            "sig3": word(significance(p3, lang)),
            "moves": _w("strengthens" if b3 >= 0 else "weakens", lang),
            "b3_abs": num(abs(b3), f"{key}.(2).{term}.abs_estimate"), "at_mean": word(""),
        }  # fmt: skip
        template = TEMPLATES["moderation"][1 if lang == "zh" else 0]
        if res.center:
            at = reading(
                TEMPLATES, "at_mean", lang, m=_var(result, m), c=num(res.center_value, f"{key}.center"),
                b=num(float(inter.coef()[d]), f"{key}.(2).{d}.estimate"),
                p=pval(float(inter.pvalue()[d]), f"{key}.(2).{d}.p"),
            )  # fmt: skip
            template = template.replace("{at_mean}", at.template.replace("{m}", "{m}"))
            values |= {k: v for k, v in at.values.items() if k != "m"}
        out.append(Reading(template, values))
    return out
