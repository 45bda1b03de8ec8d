"""Chinese wording of the notes a study run produces (data, roster, matching, run warnings).

The notes are written in English where they arise (the panel check, the treatment assignment,
the matching), since the functions there are language-neutral API. A Chinese report translates
the ones it knows with :func:`zh_note`, pattern by pattern, keeping every number and name; a note
no pattern matches is shown as written. The wording lives in the text catalogue
(:mod:`pilotdid.tables.strings_notes`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pilotdid.tables.strings import text

__all__ = ["zh_note"]

_Fields = Callable[[re.Match[str]], dict[str, str]]
_Rule = tuple[re.Pattern[str], str, _Fields]

#: Stage prefixes of the run's notes ("event study: ...") and their catalogue keys.
_STAGES = {
    name: f"stage.{name.replace(' ', '_')}"
    for name in ("data", "descriptives", "matching", "baseline", "placebo", "event study",
                 "staggered", "mechanisms", "moderation", "figures")
}  # fmt: skip


def _r(pattern: str, key: str, fields: _Fields) -> _Rule:
    return re.compile(pattern), key, fields


def _what(word: str) -> str:
    return text("note.unit" if word == "unit" else "note.row", "zh")


def _keys(m: re.Match[str]) -> str:
    return text("note.roster_keys", "zh", roster=m[2], ids=m[3]) if m[2] else ""


_RULES: tuple[_Rule, ...] = (
    _r(r"^column (.+) of the data was recomputed from the roster \(([\d,]+) of ([\d,]+) rows differ\)$",
       "note.recomputed", lambda m: {"column": m[1], "n": m[2], "total": m[3]}),
    _r(r"^([\d,]+) roster units? not in the data(?: \(roster keys are (\w+), unit ids are (\w+)\))?: (.+)$",
       "note.roster_missing", lambda m: {"n": m[1], "keys": _keys(m), "units": m[4]}),
    _r(r"^([\d,]+) treated units? (?:has|have) no row at or after (?:its|their) adoption period: (.+)$",
       "note.no_row_after", lambda m: {"n": m[1], "units": m[2]}),
    _r(r"^([\d,]+) unit\(s\) adopt after the last sample period (\S+), so they are never treated within the sample: (.+)$",
       "note.adopt_late", lambda m: {"n": m[1], "last": m[2], "units": m[3]}),
    _r(r"^every unit is treated: there is no never-treated control group$",
       "note.all_treated", lambda m: {}),
    _r(r"^unbalanced panel: ([\d,]+) of ([\d,]+) units \((.+)\) are not observed in all ([\d,]+) periods$",
       "note.unbalanced", lambda m: {"n": m[1], "total": m[2], "share": m[3], "periods": m[4]}),
    _r(r"^([\d,]+) unit\(s\) have gaps inside their observed span, e\.g\. (.+)$",
       "note.gaps", lambda m: {"n": m[1], "units": m[2]}),
    _r(r"^Units were matched once, on covariates at their mean over (\S+) < (\S+)\.$",
       "note.matched_mean", lambda m: {"time": m[1], "year": m[2]}),
    _r(r"^Units were matched once, on covariates at their values in (\S+) (\S+)\.$",
       "note.matched_at", lambda m: {"time": m[1], "year": m[2]}),
    _r(r"^([\d,]+) treated (unit|row)s? (?:is|are) off common support \(score outside the controls' range\)\.$",
       "note.off_support", lambda m: {"n": m[1], "what": _what(m[2])}),
    _r(r"^([\d,]+) treated (unit|row)s? (?:was|were) trimmed \(lowest control density\)\.$",
       "note.trimmed", lambda m: {"n": m[1], "what": _what(m[2])}),
    _r(r"^([\d,]+) treated (unit|row)s? had no control within the caliper or bandwidth and (?:was|were) set off support \(psmatch2 convention\)\.$",
       "note.no_control", lambda m: {"n": m[1], "what": _what(m[2])}),
    _r(r"^([\d,]+) units without complete covariates at (.+) were left out of matching \(their psmatch2 columns are missing\)\.$",
       "note.incomplete", lambda m: {"n": m[1], "when": m[2]}),
    _r(r"^([\d,]+) characters could not be drawn; no font with Chinese glyphs was found.*$",
       "note.no_cjk_font", lambda m: {"n": m[1]}),
)  # fmt: skip


def zh_note(note: str) -> str:
    """Return the Chinese wording of a note, or the note itself when no pattern knows it.

    Examples
    --------
    >>> zh_note("1 treated unit is off common support (score outside the controls' range).")
    '1个处理组个体不在共同支撑域内（倾向得分超出对照组的范围）。'
    >>> zh_note("matching: 2 roster units not in the data: 520500, 520600")
    '匹配：名单中有2个个体不在数据中：520500, 520600'
    """
    stage, sep, rest = note.partition(": ")
    if sep and stage in _STAGES:
        return text("note.stage", "zh", stage=text(_STAGES[stage], "zh"), note=zh_note(rest))
    for pattern, key, fields in _RULES:
        hit = pattern.match(note)
        if hit:
            return text(key, "zh", **fields(hit))
    return note
