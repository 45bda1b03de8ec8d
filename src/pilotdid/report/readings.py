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

from pilotdid.report.narrative import (
    Reading,
    count,
    num,
    pct,
    phrase,
    pval,
    reading,
    significance,
    word,
)
from pilotdid.tables.labels import Labels
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from pilotdid.estimation.result import FeolsResult
    from pilotdid.report.source import StudyOutputs as StudyResult

__all__ = [
    "read_data",
    "read_event_study",
    "read_exclusions",
    "read_matching",
    "read_matching_effect",
    "read_mechanisms",
    "read_moderation",
    "read_placebo",
    "read_table1",
    "read_table2",
    "read_table3",
    "read_truth",
]


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
        phrase("post_adoption", lang)
        if report.post == "adoption"
        else phrase("post_common", lang, year=report.post_common)
    )
    return reading("data", lang,
        rows=count(report.n_rows, "data.rows"), units=count(report.n_units, "data.units"),
        unit=_var(result, panel.treatment.unit), first=word(str(report.periods[0])),
        last=word(str(report.periods[1])), balance=phrase("balanced" if check.balanced else "unbalanced", lang),
        treated=count(report.n_treated_units, "data.treated_units"),
        share_units=pct(report.treated_share_units, "data.treated_share_units"),
        share_rows=pct(report.treated_share_rows, "data.treated_share_rows"), post=post,
        filtered=count(sum(d.rows for d in panel.drops), "data.filtered_rows"),
        loaded=count(panel.n_loaded, "data.loaded_rows"),
    )  # fmt: skip


def read_table1(result: StudyResult) -> Reading:
    """Read Table 1: the outcome's moments and the treated share (the stage's numbers)."""
    cfg, stats = result.study.config, result.descriptives.summary
    lang = cfg.report.language
    y, treat = cfg.model.outcome, cfg.treatment.names.treat
    key = "table1.{}.{}".format
    return reading("table1", lang, y=_var(result, y), treat=_var(result, treat),
        n=count(int(stats.loc[y, "count"]), key(y, "obs")), mean=num(stats.loc[y, "mean"], key(y, "mean")),
        sd=num(stats.loc[y, "std"], key(y, "sd")), min=num(stats.loc[y, "min"], key(y, "min")),
        max=num(stats.loc[y, "max"], key(y, "max")),
        treat_mean=num(stats.loc[treat, "mean"], key(treat, "mean")),
        treat_pct=pct(stats.loc[treat, "mean"], key(treat, "mean")),
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
    cfg, stage = result.study.config, result.descriptives
    lang, did, controls = cfg.report.language, cfg.treatment.names.did, list(cfg.model.controls)
    names = [did, *controls]
    r = stage.correlation.loc[names, names].to_numpy()
    others = list(range(1, len(names)))
    r_did, _, j_did = _largest(r, [0], others) if others else (float("nan"), 0, 0)
    r_max, i_max, j_max = _largest(r, others, others) if len(others) > 1 else (float("nan"), 0, 0)
    factors = stage.vif
    vif_max = float(factors.max()) if len(factors) else float("nan")
    vif_mean = float(factors.mean()) if len(factors) else float("nan")
    vif_var = _var(result, factors.idxmax()).shown if len(factors) else ""
    high = vif_max >= 10
    if not others:
        return reading("table2_none", lang)
    if len(others) == 1:  # one control: no pair of controls, its VIF is the only one
        return reading("table2_one", lang, did=_var(result, did), with_did=_var(result, names[1]),
            r_did=num(r_did, f"table2.{did}.{names[1]}"), vif_max=num(vif_max, "vif.max"),
            vif_verdict=phrase("above" if high else "below", lang),
            mc=phrase("mc_yes" if high else "mc_no", lang),
        )  # fmt: skip
    return reading("table2", lang, did=_var(result, did), with_did=_var(result, names[j_did]),
        r_did=num(r_did, f"table2.{did}.{names[j_did]}"),
        r_max=num(r_max, f"table2.{names[i_max]}.{names[j_max]}"),
        pair=word(f"{_var(result, names[i_max]).shown}, {_var(result, names[j_max]).shown}"), vif_max=num(vif_max, "vif.max"),
        vif_var=word(str(vif_var)), vif_mean=num(vif_mean, "vif.mean"),
        vif_verdict=phrase("above" if high else "below", lang), mc=phrase("mc_yes" if high else "mc_no", lang),
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
    base = reading("matching", lang, method=phrase(f"method_{cfg.matching.method}", lang),
        mode=phrase(f"mode_{cfg.matching.mode}", lang),
        matched=count(c["n_matched_treated"], "matching.n_matched_treated"),
        treated=count(c["n_treated"], "matching.n_treated"),
        used=count(c["n_used_controls"], "matching.n_used_controls"),
        controls=count(c["n_controls"], "matching.n_controls"),
        rows=count(len(stage.sample), "matching.sample_rows"),
        bias_u=num(overall["Unmatched", "mean_bias"], "balance.unmatched.mean_bias"),
        bias_m=num(overall["Matched", "mean_bias"], "balance.matched.mean_bias"),
        r2_u=num(overall["Unmatched", "pseudo_r2"], "balance.unmatched.pseudo_r2"),
        r2_m=num(overall["Matched", "pseudo_r2"], "balance.matched.pseudo_r2"),
        p_m=pval(lr_p, "balance.matched.p_chi2") if np.isfinite(lr_p) else phrase("no_p", lang),
        lr_verdict=phrase(verdict, lang), quality=word(""),
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
        parts.append(reading("matching_partial" if treated - matched > 1 else "matching_partial_one", lang,
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
            items.append(reading("worse_item", lang, var=_var(result, cov),
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
        joined = text("word.item_sep", lang).join(texts)
        head = text("reading.matching_worse", lang)
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
        "dir2": phrase("raises" if b2 >= 0 else "lowers", lang),
        "b2_abs": num(abs(b2), f"table3.({col}).{did}.abs_estimate"),
        "n2": count(main.nobs, f"table3.({col}).nobs"), "r2": num(main.r2, f"table3.({col}).r2"),
    }  # fmt: skip
    if col == 1:  # no control variables: one headline column
        return reading("table3_single", lang, **common)
    return reading("table3", lang, b1=one["b"], se1=one["se"], p1=one["p"],
        with_controls=_with_controls(result, main, cfg.model.controls, lang), **common,
    )  # fmt: skip


def _with_controls(result: StudyResult, main: FeolsResult, controls: Any, lang: str) -> Any:
    """Return the "With the controls" phrase, naming controls the fixed effects absorbed."""
    dropped = [c for c in controls if c in main.collinear]
    if not dropped:
        return phrase("with_controls", lang)
    names = text("word.list_sep", lang).join(str(_var(result, c).shown) for c in dropped)
    key = "with_no_controls" if len(dropped) == len(controls) else "with_some_controls"
    return phrase(key, lang, dropped=names)


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
    return reading("placebo", lang, draws=count(pl.n_draws, "placebo.draws"),
        kind=phrase(f"kind_{pl.kind}", lang), mean=num(coefs.mean(), "placebo.mean"),
        sd=num(coefs.std(), "placebo.sd"), share=pct(pl.share_significant(0.1), "placebo.share_10"),
        b=num(true, "placebo.true_estimate"), where=phrase("tail" if beyond < 0.1 else "body", lang),
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
    return reading("event", lang, ref=word(str(es.ref)), n_leads=count(int(test.df_num), "event.n_leads"),
        lead_verdict=phrase("jointly_ok" if ok else "jointly_bad", lang),
        f=num(test.statistic, "event.pretrend_f"), p=pval(test.p_value, "event.pretrend_p"),
        pretrend=phrase("pretrend_ok" if ok else "pretrend_bad", lang),
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
        pair = text("reading.truth_pair", lang)
        parts.append(pair.replace("{name}", f"{{name{i}}}").replace("{est}", f"{{est{i}}}")
                     .replace("{true}", f"{{true{i}}}").replace("{z}", f"{{z{i}}}"))  # fmt: skip
        values |= {
            f"name{i}": word(t.name), f"est{i}": num(t.estimate, f"truth.{t.name}.estimate"),
            f"true{i}": num(t.true, f"truth.{t.name}.true"), f"z{i}": num(t.z, f"truth.{t.name}.z", 2),
        }  # fmt: skip
    head = text("reading.truth", lang)
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
            out.append(reading("mediator", lang, m=_var(result, m), dir=phrase("raises" if a >= 0 else "lowers", lang),
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
        reading("split_perm", lang, p_perm=pval(perm, f"{key}.p_perm")) if perm == perm else None
    )
    values: dict[str, Any] = {
        "by": by, "rule": phrase(f"rule_{rule}", lang), "g_hi": word(hi), "g_lo": word(lo),
        "b_hi": num(float(fits[hi].coef()[did]), f"{key}.{hi}.estimate"),
        "p_hi": pval(float(fits[hi].pvalue()[did]), f"{key}.{hi}.p"),
        "b_lo": num(float(fits[lo].coef()[did]), f"{key}.{lo}.estimate"),
        "p_lo": pval(float(fits[lo].pvalue()[did]), f"{key}.{lo}.p"),
        "diff": num(float(diff["estimate"]), f"{key}.difference"),
        "p_diff": pval(float(diff["p_value"]), f"{key}.p_pooled"),
        "perm": word(""),
    }  # fmt: skip
    template = text("reading.split", lang)
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
            "moves": phrase("strengthens" if b3 >= 0 else "weakens", lang),
            "b3_abs": num(abs(b3), f"{key}.(2).{term}.abs_estimate"), "at_mean": word(""),
        }  # fmt: skip
        template = text("reading.moderation", lang)
        if res.center:
            at = reading("at_mean", lang, m=_var(result, m), c=num(res.center_value, f"{key}.center"),
                b=num(float(inter.coef()[d]), f"{key}.(2).{d}.estimate"),
                p=pval(float(inter.pvalue()[d]), f"{key}.(2).{d}.p"),
            )  # fmt: skip
            template = template.replace("{at_mean}", at.template.replace("{m}", "{m}"))
            values |= {k: v for k, v in at.values.items() if k != "m"}
        out.append(Reading(template, values))
    return out


def read_matching_effect(result: StudyResult) -> Reading | None:
    """Read the matching estimate of the ATT: the estimate and which standard error it carries."""
    effect = getattr(result.matching, "effect", None)
    if effect is None:
        return None
    cfg = result.study.config
    lang = cfg.report.language
    if effect.se_type == "standard":
        se_name = phrase("se_standard", lang)
    elif effect.se_type == "ai_pscore":
        se_name = phrase("se_ai_pscore", lang, J=effect.J)
    else:
        se_name = phrase("se_ai" if effect.J else "se_ai0", lang, J=effect.J)
    period = ""
    if cfg.matching.mode == "base_year":
        shown = cfg.matching.effect_period
        if shown is None:
            shown = result.matching.result.data[cfg.time].max()
        period = text("word.match_period", lang, period=shown)
    return reading("matching_effect", lang, outcome=_var(result, effect.outcome),
        period=word(period), est=num(effect.estimate, "matching_effect.estimate"),
        se=num(effect.se, "matching_effect.se"), se_name=se_name,
        p=pval(effect.pvalue, "matching_effect.p"), n=count(effect.n_focal, "matching_effect.n"),
    )  # fmt: skip
