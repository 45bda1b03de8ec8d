"""The readings of the "Staggered adoption" section: cohorts, Bacon, and whether TWFE survives.

The verdict compares each heterogeneity-robust estimator (Callaway-Sant'Anna's simple ATT,
Sun-Abraham's ATT, the imputation ATT) with the headline TWFE estimate of Table 3: the TWFE
conclusion survives an estimator when both have the same sign and the same significance at the
5 % level. Every number comes from the stage's result objects.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from pilotdid.report.source import StudyOutputs as StudyResult

__all__ = ["FORBIDDEN_LARGE", "agreement", "join_readings", "read_staggered"]

#: A forbidden-comparison share from which the reading calls it large.
FORBIDDEN_LARGE = 0.1

_NAMES = {"cs": "table.stag.row.cs", "sa": "table.stag.row.sa", "bjs": "table.stag.row.bjs"}


def join_readings(parts: Sequence[Reading], separator: str) -> Reading:
    """One reading from several, their fields renamed ``p0_name``, ``p1_name`` ..."""
    values: dict[str, Any] = {}
    texts = []
    for i, part in enumerate(parts):
        t = part.template
        for name, value in part.values.items():
            t = t.replace("{" + name + "}", "{" + f"p{i}_{name}" + "}")
            values[f"p{i}_{name}"] = value
        texts.append(t)
    return Reading(separator.join(texts), values)


def agreement(b: float, p: float, b_twfe: float, p_twfe: float) -> str:
    """``"agree"``, ``"sign"`` (opposite sign) or ``"sig"`` (significance at 5 % differs)."""
    if np.sign(b) != np.sign(b_twfe):
        return "sign"
    return "agree" if (p < 0.05) == (p_twfe < 0.05) else "sig"


def _period(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _cohorts(stage: Any, lang: str) -> Reading:
    sizes = stage.cohorts
    timed = sizes[np.isfinite(sizes.index.to_numpy(dtype=float))]
    items = [
        reading("stag_cohort", lang, period=word(_period(g)),
                units=count(int(n), f"staggered.cohort.{_period(g)}.units"))
        for g, n in timed.items()
    ]  # fmt: skip
    listed = join_readings(items, text("word.list_sep", lang))
    head = reading("stag_cohorts", lang, n=count(len(timed), "staggered.n_cohorts"),
                   never=count(stage.n_never, "staggered.never_units"), listed=word(""))  # fmt: skip
    values = {k: v for k, v in head.values.items() if k != "listed"} | dict(listed.values)
    return Reading(head.template.replace("{listed}", listed.template), values)


def _bacon(stage: Any, lang: str) -> Reading:
    b = stage.bacon
    if b is None:
        return reading("stag_no_bacon", lang, why=word(stage.bacon_note))
    share = b.forbidden_share
    fields: dict[str, Any] = {
        "twfe": num(b.twfe, "staggered.bacon.twfe"),
        "share": pct(share, "staggered.bacon.forbidden_share"),
        "size": phrase("stag_large" if share >= FORBIDDEN_LARGE else "stag_small", lang),
    }  # fmt: skip
    if stage.bacon_note:
        return reading(
            "stag_bacon_sub",
            lang,
            units=count(stage.bacon_units, "staggered.bacon.units"),
            **fields,
        )
    return reading("stag_bacon", lang, **fields)


def _verdict(result: StudyResult, stage: Any, lang: str) -> Reading:
    overall = stage.overall
    main = "twfe_main" if "twfe_main" in overall.index else "twfe_1"
    t = overall.loc[main]
    b_twfe, p_twfe = float(t["estimate"]), float(t["p_value"])
    robust = [k for k in ("cs", "sa", "bjs") if k in overall.index]
    if not robust:
        return reading("stag_none_ran", lang)
    pairs, failing = [], []
    for key in robust:
        r = overall.loc[key]
        b, p = float(r["estimate"]), float(r["p_value"])
        agree = agreement(b, p, b_twfe, p_twfe)
        if agree != "agree":
            failing.append(text(_NAMES[key], lang))
        pairs.append(reading("stag_pair", lang, name=word(text(_NAMES[key], lang)),
            b=num(b, f"staggered.{key}.estimate"), se=num(float(r["std_error"]), f"staggered.{key}.se"),
            p=pval(p, f"staggered.{key}.p"), agree=phrase(f"stag_{agree}", lang),
        ))  # fmt: skip
    joined = join_readings(pairs, text("word.item_sep", lang))
    if failing:
        names = text("word.list_sep", lang).join(failing)
        conclusion = text("word.stag_fails", lang, names=names)
    else:
        conclusion = text("word.stag_survives", lang)
    col = result.baseline.main_column if main == "twfe_main" else 1
    head = reading("stag_verdict", lang, col=word(str(col)),
        b=num(b_twfe, f"staggered.{main}.estimate"), p=pval(p_twfe, f"staggered.{main}.p"),
        sig=word(significance(p_twfe, lang)), pairs=word(""), conclusion=word(conclusion),
    )  # fmt: skip
    values = {k: v for k, v in head.values.items() if k != "pairs"} | dict(joined.values)
    return Reading(head.template.replace("{pairs}", joined.template), values)


def read_staggered(result: StudyResult) -> list[Reading]:
    """Read the staggered-adoption section (empty when the stage did not run)."""
    stage = result.staggered
    if stage is None:
        return []
    lang = result.study.config.report.language
    out = [_cohorts(stage, lang), _bacon(stage, lang), _verdict(result, stage, lang)]
    for key, message in stage.failed.items():
        out.append(
            reading("stag_failed", lang, name=word(text(_NAMES[key], lang)), why=word(message))
        )
    return out
