"""The study's matching estimate: the ATT of the outcome in the matched sample, with its SE.

Shown with the balance tables (``matching.se``, ``matching.se_matches``,
``matching.effect_period``). It is the cross-sectional matching estimate of
:func:`pilotdid.matching_effect` on the study's own match, a companion to the PSM-DID of
Table 3, not a replacement: with ``mode = "base_year"`` it compares the outcome *level* of the
matched units in one period (by default the last).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from pilotdid.errors import MatchingError, PilotdidWarning
from pilotdid.matching.effect import matching_effect
from pilotdid.matching.effect_result import MatchEffect

if TYPE_CHECKING:
    from pilotdid.matching.result import MatchResult
    from pilotdid.study.config_schema import StudyConfig

__all__ = ["study_match_effect"]


def study_match_effect(
    cfg: StudyConfig, result: MatchResult
) -> tuple[MatchEffect | None, tuple[str, ...]]:
    """Return the ATT of ``model.outcome`` on the study's match and the notes it raised.

    Returns ``(None, (why,))`` when the match has no such estimate (kernel or radius matching,
    ``by_year`` matching, a missing outcome); the study goes on.
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
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PilotdidWarning)
        try:
            effect = matching_effect(
                result, cfg.model.outcome, se=m.se, J=m.se_matches, period=period
            )
        except MatchingError as exc:
            return None, (f"no matching estimate of the ATT: {exc}",)
    notes = tuple(str(w.message) for w in caught if issubclass(w.category, PilotdidWarning))
    return effect, notes
