"""The sensitivity stage: HonestDiD confidence sets for the event study and the pre-test's power.

A referee's question after the event study is not "are the leads insignificant?" but "how
far may parallel trends fail before the conclusion changes?" (Rambachan & Roth 2023), and
"could the pre-test have seen a trend that matters?" (Roth 2022). This stage answers both
from the event study's coefficients and covariance matrix.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pilotdid.errors import PilotdidError
from pilotdid.study.config import StudyConfig
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.did.event_study_result import EventStudyResult
    from pilotdid.robustness.honest_result import HonestDidResult
    from pilotdid.robustness.pretrend_power import PretrendPower
    from pilotdid.tables.table import Table

__all__ = ["SensitivityStage", "run_sensitivity"]


@dataclass(frozen=True, eq=False)
class SensitivityStage:
    """The HonestDiD analysis and the pre-trend power of the study's event study.

    Attributes
    ----------
    honest : HonestDidResult or None
        Robust confidence sets over the ``[sensitivity]`` grid and the breakdown value; None
        when the event study has no post-period or pre-period estimate to work with.
    power : PretrendPower or None
        The pre-test's power against a linear trend (the slope it detects with the configured
        power), the slopes for 50 % / 80 % power, and the bias such a trend causes.
    notes : tuple of str
        Why a part could not be computed.
    """

    honest: HonestDidResult | None
    power: PretrendPower | None
    notes: tuple[str, ...] = ()

    def table(self, language: str = "en") -> Table | None:
        """Return the robust confidence sets as a table (None when HonestDiD did not run)."""
        if self.honest is None:
            return None
        table = self.honest.table(language=language)
        title = text("sensitivity_table", language)
        return dataclasses.replace(table, title=title, key="sensitivity_table")

    def figure(self, language: str = "en") -> Figure | None:
        """Return the sensitivity plot (None when HonestDiD did not run)."""
        return None if self.honest is None else self.honest.figure(language=language)


def run_sensitivity(cfg: StudyConfig, event: EventStudyResult | None) -> SensitivityStage | None:
    """Run ``[sensitivity]`` on the event study (None when either is off).

    Parameters
    ----------
    cfg : StudyConfig
        The study.
    event : EventStudyResult or None
        The study's event study.

    Returns
    -------
    SensitivityStage or None
        The HonestDiD sets and the pre-test power; a part that cannot be computed on this
        event study (e.g. no lead besides the reference period) is named in ``notes``.

    Notes
    -----
    Cost: independent of the panel's size. HonestDiD works on the L event-study coefficients
    and their L × L covariance (one small linear program per grid value, O(M · poly(L)));
    the pre-trend power is O(L³). Memory O(L²).
    """
    from pilotdid.robustness.honest_did import honest_did
    from pilotdid.robustness.pretrend_power import pretrend_power

    sens = cfg.sensitivity
    if not sens.enabled or event is None:
        return None
    notes: list[str] = []
    honest = power = None
    grid = {"Mbar": sens.Mbar} if sens.restriction == "relative_magnitude" else {"M": sens.M}
    try:
        honest = honest_did(event, restriction=sens.restriction, target=sens.target, **grid)
    except PilotdidError as exc:
        notes.append(f"HonestDiD: {exc}")
    try:
        power = pretrend_power(event, power=sens.power, seed=cfg.seed_for("sensitivity"))
    except PilotdidError as exc:
        notes.append(f"pre-trend power: {exc}")
    return SensitivityStage(honest, power, tuple(notes))
