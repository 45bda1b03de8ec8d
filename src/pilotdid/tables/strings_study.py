"""Catalogue group: notes of the richer study file (several outcomes, regression weights).

Part of the one text catalogue (:mod:`pilotdid.tables.strings`).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["STUDY_STRINGS"]

STUDY_STRINGS: Mapping[str, tuple[str, str]] = {
    "note.more_outcomes": (
        "Columns {cols}: the specification of column ({main}) for the study's further outcomes "
        "(model.outcomes).",
        "第{cols}列：以第({main})列的设定估计研究的其他结果变量（model.outcomes）。",
    ),
    "note.weights": (
        "Regressions weighted by {w}.",
        "回归以{w}加权。",
    ),
    "note.weights_matching": (
        "Regressions weighted by {w} times the matching weights.",
        "回归以{w}与匹配权重之积加权。",
    ),
    "note.bacon_unweighted": (
        "The decomposition is of the unweighted TWFE regression without controls; "
        "model.weights ({w}) do not enter it.",
        "分解针对不加权、无控制变量的双向固定效应回归；model.weights（{w}）不参与分解。",
    ),
    "note.event_outcomes": (
        "One column per outcome (model.outcomes), each with the event study's specification.",
        "每列为一个结果变量（model.outcomes），设定与事件研究相同。",
    ),
}
