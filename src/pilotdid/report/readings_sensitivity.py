"""Readings of the sensitivity stage: the HonestDiD breakdown value and the pre-test's power.

Kept apart from :mod:`pilotdid.report.readings` (one module per report area); the numbers
come from the stage's result objects, never from rendered tables.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from pilotdid.report.narrative import Reading, num, pct, phrase, reading, word
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from pilotdid.report.source import StudyOutputs as StudyResult

__all__ = ["read_sensitivity", "read_staggered_sensitivity"]


def read_sensitivity(result: StudyResult) -> list[Reading]:
    """Read the sensitivity stage: one sentence on HonestDiD, one on the pre-test's power.

    Parameters
    ----------
    result : StudyOutputs
        A study run.

    Returns
    -------
    list of Reading
        Empty when the stage did not run.
    """
    stage = result.sensitivity
    if stage is None:
        return []
    lang = result.study.config.report.language
    out = []
    if stage.honest is not None:
        target = result.study.config.sensitivity.target
        one = _read_honest(stage.honest, lang, target)
        out.append(_named(one, "twfe", lang) if getattr(stage, "robust", None) else one)
    if stage.power is not None and result.event_study is not None:
        out.append(_read_power(stage.power, result.event_study, lang))
    return out


def read_staggered_sensitivity(result: StudyResult) -> list[Reading]:
    """Read HonestDiD on each heterogeneity-robust estimator, named (CS, SA, BJS).

    Parameters
    ----------
    result : StudyOutputs
        A study run.

    Returns
    -------
    list of Reading
        One sentence per estimator; numbers keyed ``sensitivity_<estimator>.*``.
    """
    stage = result.sensitivity
    robust = getattr(stage, "robust", None) if stage is not None else None
    if not robust:
        return []
    lang = result.study.config.report.language
    target = result.study.config.sensitivity.target
    return [
        _named(_read_honest(h, lang, target, f"sensitivity_{name.lower()}"), name, lang)
        for name, h in robust.items()
    ]


def _named(one: Reading, estimator: str, lang: str) -> Reading:
    """Prefix a sensitivity reading with the estimator it is for."""
    prefix = text("reading.honest_prefix", lang, estimator="{estimator}")
    return Reading(
        prefix + one.template, {**one.values, "estimator": phrase(f"honest_{estimator}", lang)}
    )


def _read_honest(h: Any, lang: str, target: str, key: str = "sensitivity") -> Reading:
    rm = h.restriction == "relative_magnitude"
    common = {
        "restriction": phrase("rm" if rm else "sd", lang),
        "target": phrase(f"target_{target}", lang),
        "level": word(f"{h.level:.0%}"),
    }
    lo, hi = h.original
    if lo <= 0 <= hi:
        return reading("honest_none", lang, target=common["target"], level=common["level"])
    grid = h.robust
    if not math.isfinite(h.breakdown):
        top = num(float(grid.index.max()), f"{key}.grid_max")
        return reading("honest_inf", lang, bound_max=top, **common)
    b = num(h.breakdown, f"{key}.breakdown")
    bound = phrase("rm_bound" if rm else "sd_bound", lang, b=b.shown)
    at_one = word("")
    if rm and 1.0 in set(grid.index):
        row = grid.loc[1.0]
        at_one = phrase(
            "honest_at_one",
            lang,
            lo=num(row["conf_low"], f"{key}.mbar1.low").shown,
            hi=num(row["conf_high"], f"{key}.mbar1.high").shown,
        )
    return reading("honest", lang, bound=bound, breakdown=b, at_one=at_one, **common)


def _read_power(p: Any, event: Any, lang: str) -> Reading:
    post = event.tidy()
    post = post[(post.index >= 0) & ~post["is_ref"]]
    estimate = float(post["estimate"].mean())
    bias = float(p.bias["unconditional"].mean())
    cbias = float(p.bias["conditional"].mean())
    share = abs(bias / estimate) if estimate else float("nan")
    return reading(
        "power",
        lang,
        s50=num(p.slope_50, "sensitivity.slope_50"),
        s80=num(p.slope_80, "sensitivity.slope_80"),
        bias=num(bias, "sensitivity.bias"),
        cbias=num(cbias, "sensitivity.bias_conditional"),
        share=pct(share, "sensitivity.bias_share"),
    )
