"""Chinese wording of the notes a study run produces (data, roster, matching, run warnings).

The notes are written in English where they arise (the panel check, the treatment assignment,
the matching), since the functions there are language-neutral API. A Chinese report translates
the ones it knows with :func:`zh_note`, pattern by pattern, keeping every number and name; a note
no pattern matches is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["zh_note"]

_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

_STAGES = {
    "data": "数据", "descriptives": "描述性统计", "matching": "匹配", "baseline": "基准回归",
    "placebo": "安慰剂检验", "event study": "事件研究", "mechanisms": "影响机制",
    "moderation": "调节效应", "figures": "图形",
}  # fmt: skip


def _r(pattern: str, fill: Callable[[re.Match[str]], str]) -> _Rule:
    return re.compile(pattern), fill


_RULES: tuple[_Rule, ...] = (
    _r(r"^column (.+) of the data was recomputed from the roster \(([\d,]+) of ([\d,]+) rows differ\)$",
       lambda m: f"数据中的{m[1]}列已按试点名单重新生成（{m[3]}行中有{m[2]}行不同）"),
    _r(r"^([\d,]+) roster units? not in the data(?: \(roster keys are (\w+), unit ids are (\w+)\))?: (.+)$",
       lambda m: f"名单中有{m[1]}个个体不在数据中" + (f"（名单键为{m[2]}，个体标识为{m[3]}）" if m[2] else "") + f"：{m[4]}"),
    _r(r"^([\d,]+) treated units? (?:has|have) no row at or after (?:its|their) adoption period: (.+)$",
       lambda m: f"{m[1]}个处理组个体在政策实施年份及之后没有观测值：{m[2]}"),
    _r(r"^([\d,]+) unit\(s\) adopt after the last sample period (\S+), so they are never treated within the sample: (.+)$",
       lambda m: f"{m[1]}个个体在样本最后一期{m[2]}之后才实施政策，样本期内从未受处理：{m[3]}"),
    _r(r"^every unit is treated: there is no never-treated control group$",
       lambda m: "所有个体均为处理组：没有从未受处理的对照组"),
    _r(r"^unbalanced panel: ([\d,]+) of ([\d,]+) units \((.+)\) are not observed in all ([\d,]+) periods$",
       lambda m: f"非平衡面板：{m[2]}个个体（{m[3]}）中有{m[1]}个未在全部{m[4]}期中观测到"),
    _r(r"^([\d,]+) unit\(s\) have gaps inside their observed span, e\.g\. (.+)$",
       lambda m: f"{m[1]}个个体在观测期内存在缺失年份，例如{m[2]}"),
    _r(r"^Units were matched once, on covariates at their mean over (\S+) < (\S+)\.$",
       lambda m: f"各个体仅匹配一次，匹配变量取{m[1]} < {m[2]}（政策前）各期的均值。"),
    _r(r"^Units were matched once, on covariates at their values in (\S+) (\S+)\.$",
       lambda m: f"各个体仅匹配一次，匹配变量取{m[1]} = {m[2]}期的值。"),
    _r(r"^([\d,]+) treated (unit|row)s? (?:is|are) off common support \(score outside the controls' range\)\.$",
       lambda m: f"{m[1]}个处理组{'个体' if m[2] == 'unit' else '观测'}不在共同支撑域内（倾向得分超出对照组的范围）。"),
    _r(r"^([\d,]+) treated (unit|row)s? (?:was|were) trimmed \(lowest control density\)\.$",
       lambda m: f"{m[1]}个处理组{'个体' if m[2] == 'unit' else '观测'}被修剪（对照组密度最低）。"),
    _r(r"^([\d,]+) treated (unit|row)s? had no control within the caliper or bandwidth and (?:was|were) set off support \(psmatch2 convention\)\.$",
       lambda m: f"{m[1]}个处理组{'个体' if m[2] == 'unit' else '观测'}在卡尺或带宽内没有对照，被设为不在共同支撑域内（psmatch2惯例）。"),
    _r(r"^([\d,]+) units without complete covariates at (.+) were left out of matching \(their psmatch2 columns are missing\)\.$",
       lambda m: f"{m[1]}个个体的协变量不完整（{m[2]}），未参与匹配。"),
    _r(r"^([\d,]+) characters could not be drawn; no font with Chinese glyphs was found.*$",
       lambda m: f"有{m[1]}个字符无法绘制：未找到含中文字形的字体，图中的中文显示为方框；"
                 "请运行 `pip install pilotdid[zh]`（mplfonts）或安装系统中文字体（如 fonts-noto-cjk）"),
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
        return f"{_STAGES[stage]}：{zh_note(rest)}"
    for pattern, fill in _RULES:
        hit = pattern.match(note)
        if hit:
            return fill(hit)
    return note
