"""The study's matching estimate: the ATT of the outcome in the matched sample, with its SE.

Shown with the balance tables (``matching.se``, ``matching.se_matches``,
``matching.effect_period``). It is the cross-sectional matching estimate of
:func:`pilotdid.matching_effect` on the study's own match, a companion to the PSM-DID of
Table 3, not a replacement: with ``mode = "base_year"`` it compares the outcome *level* of the
matched units in one period (by default the last).

Units (or, pooled, rows) without the outcome in that period cannot enter the estimate. As
``teffects psmatch`` estimates on the complete cases, they are then left out and the rest is
matched again with the study's settings, for this estimate only; the PSM-DID keeps the study's
match, and a note says how many were left out.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from pilotdid.errors import MatchingError, PilotdidWarning
from pilotdid.matching.effect import matching_effect
from pilotdid.matching.effect_result import MatchEffect

if TYPE_CHECKING:
    from pilotdid.matching.result import MatchResult
    from pilotdid.study.config_schema import StudyConfig

__all__ = ["study_match_effect"]


def _without_outcome(result: MatchResult, outcome: str, period: Any) -> pd.Series | None:
    """Rows of the matched data to keep for a complete-case estimate, or None when all have it.

    base_year: the rows of units whose outcome in ``period`` is observed; pooled: the rows with
    an outcome. Only units or rows that entered the match count.
    """
    data = result.data
    if outcome not in data.columns:
        return None
    if result.panel == "base_year" and result.unit is not None and result.time is not None:
        units = result.frame[result.unit]
        rows = data[data[result.time] == period]
        seen = set(rows.loc[rows[outcome].notna(), result.unit])
        if units.isin(seen).all():
            return None
        return data[result.unit].isin(seen)
    if result.panel == "pooled":
        matched = data.index.isin(data.index[result.frame["_id"].to_numpy()])
        if not data.loc[matched, outcome].isna().any():
            return None
        return data[outcome].notna()
    return None


def study_match_effect(
    cfg: StudyConfig,
    result: MatchResult,
    rematch: Callable[[pd.Index], MatchResult] | None = None,
) -> tuple[MatchEffect | None, tuple[str, ...]]:
    """Return the ATT of ``model.outcome`` on the study's match and the notes it raised.

    Returns ``(None, (why,))`` when the match has no such estimate (kernel or radius matching,
    ``by_year`` matching, a missing outcome); the study goes on. ``rematch`` matches the rows
    of the study's data with the given index labels, with the study's settings: with it, units
    without the outcome are left out and the rest matched again (the complete-case sample)
    instead of giving no estimate.
    """
    m = cfg.matching
    if m.method != "nearest":
        return None, (
            f"no matching estimate of the ATT: its Abadie-Imbens standard error is derived for "
            f"nearest-neighbour matching, not method = {m.method!r}.",
        )
    if m.mode == "by_year":
        return None, (
            "no matching estimate of the ATT: mode = 'by_year' has one matching sample per "
            "period (use 'base_year' or 'pooled').",
        )
    period: Any = None
    if m.mode == "base_year":
        period = m.effect_period if m.effect_period is not None else result.data[cfg.time].max()
    outcome = cfg.model.outcome
    notes: tuple[str, ...] = ()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PilotdidWarning)
        try:
            keep = _without_outcome(result, outcome, period) if rematch is not None else None
            if keep is not None and rematch is not None:
                notes = (_complete_case_note(result, keep, outcome, period),)
                result = rematch(result.data.index[keep.to_numpy()])
            effect = matching_effect(result, outcome, se=m.se, J=m.se_matches, period=period)
        except MatchingError as exc:
            return None, (*notes, f"no matching estimate of the ATT: {exc}")
    notes += tuple(str(w.message) for w in caught if issubclass(w.category, PilotdidWarning))
    return effect, notes


def _complete_case_note(result: MatchResult, keep: pd.Series, outcome: str, period: Any) -> str:
    if result.panel == "base_year" and result.unit is not None:
        lost = result.frame[result.unit].nunique() - result.data.loc[keep, result.unit].nunique()
        what, where = f"{lost:,} units", f" in {period}"
    else:
        what, where = f"{int((~keep).sum()):,} rows", ""
    return (
        f"matching estimate of the ATT: {what} without {outcome!r}{where} are left out and the "
        "rest matched again for this estimate (the complete-case sample, as teffects psmatch "
        "uses); the PSM-DID keeps the study's match."
    )
