"""Tables 4 and 5 of a study: mechanisms, split samples and moderation (adapters, no numbers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pilotdid.errors import PilotdidError
from pilotdid.study.config import StudyConfig
from pilotdid.study.prepare import DropRecord

if TYPE_CHECKING:
    from pilotdid.report.table import Table
    from pilotdid.study.stages import MatchingStage

__all__ = ["MechanismStage", "ModerationStage", "run_mechanisms", "run_moderation"]


@dataclass(frozen=True, eq=False)
class MechanismStage:
    """Table 4: the policy's effect on each mediator and the split-sample regressions."""

    models: Mapping[str, Any]
    table: Table
    drops: tuple[DropRecord, ...] = ()

    def true_effects(self, truth: Mapping[str, float], did: str) -> list[Any]:
        """Estimates of the demo panel's true effects in this table."""
        return []


@dataclass(frozen=True, eq=False)
class ModerationStage:
    """Table 5: the DID with the moderator and its interaction."""

    models: Mapping[str, Any]
    table: Table
    drops: tuple[DropRecord, ...] = ()

    def true_effects(self, truth: Mapping[str, float], did: str) -> list[Any]:
        """Estimates of the demo panel's true effects in this table."""
        return []


def run_mechanisms(cfg: StudyConfig, matching: MatchingStage) -> MechanismStage | None:
    """Table 4 (WIP: waits for pilotdid.mechanisms)."""
    wanted = (cfg.mechanisms.enabled and cfg.mechanisms.mediators) or (
        cfg.heterogeneity.enabled and cfg.heterogeneity.split_by
    )
    if not wanted:
        return None
    raise PilotdidError("mechanisms are not available yet in this version of pilotdid")


def run_moderation(cfg: StudyConfig, matching: MatchingStage) -> ModerationStage | None:
    """Table 5 (WIP: waits for pilotdid.moderation)."""
    if not (cfg.moderation.enabled and cfg.moderation.moderators):
        return None
    raise PilotdidError("moderation is not available yet in this version of pilotdid")
