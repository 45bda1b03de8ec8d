"""The sensitivity stage: HonestDiD confidence sets for the event study and the pre-test's power.

A referee's question after the event study is not "are the leads insignificant?" but "how
far may parallel trends fail before the conclusion changes?" (Rambachan & Roth 2023), and
"could the pre-test have seen a trend that matters?" (Roth 2022). This stage answers both
from the event study's coefficients and covariance matrix.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from pilotdid.errors import PilotdidError
from pilotdid.study.config import StudyConfig
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.did.dynamic import DynamicEffects
    from pilotdid.did.event_study_result import EventStudyResult
    from pilotdid.robustness.honest_result import HonestDidResult
    from pilotdid.robustness.pretrend_power import PretrendPower
    from pilotdid.study.stages import MatchingStage
    from pilotdid.study.staggered import StaggeredStage
    from pilotdid.tables.table import Table

__all__ = ["SensitivityStage", "run_sensitivity", "run_staggered_sensitivity"]


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
    robust : mapping of str to HonestDidResult
        HonestDiD on the staggered stage's dynamic effects, by estimator (``"CS"``: event-time
        aggregation with a universal base period; ``"SA"``; ``"BJS"``: leads and effects mapped
        to reference period -1), in that order; empty when the staggered stage did not run.
    robust_notes : tuple of str
        How each robust input was built, and why one is missing.
    """

    honest: HonestDidResult | None
    power: PretrendPower | None
    notes: tuple[str, ...] = ()
    robust: Mapping[str, HonestDidResult] = field(default_factory=dict)
    robust_notes: tuple[str, ...] = ()

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

    def robust_table(self, language: str = "en") -> Table | None:
        """Return the robust estimators' sets side by side (None when none ran)."""
        if not self.robust:
            return None
        import pandas as pd

        from pilotdid.tables.table import ColumnGroup, Table

        tables = {name: res.table(language=language) for name, res in self.robust.items()}
        body = pd.concat([t.body for t in tables.values()], axis=1)
        notes = [f"{name}: {t.notes[0]}" for name, t in tables.items()]
        first = next(iter(self.robust.values()))
        return Table(
            body,
            title=text("sensitivity_staggered", language),
            notes=(*notes, *self.robust_notes),
            column_groups=((*(ColumnGroup(name, 2) for name in tables),),),
            stub_header=first.parameter,
            key="sensitivity_staggered",
        )

    def robust_figure(self, language: str = "en") -> Figure | None:
        """Return the robust estimators' sensitivity plots side by side (None when none ran)."""
        if not self.robust:
            return None
        from pilotdid.robustness.figures import honest_panels_figure

        return honest_panels_figure(dict(self.robust), language=language)


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


def _window(effects: DynamicEffects, lo: int, hi: int, shift: int = 0) -> DynamicEffects:
    """Keep the effects inside the event-study window (periods shifted back by ``shift``)."""
    if shift:
        ref = None if effects.ref is None else effects.ref - shift
        effects = dataclasses.replace(effects, periods=np.asarray(effects.periods) - shift, ref=ref)
    periods = np.asarray(effects.periods)
    return effects.subset(periods[(periods >= lo) & (periods <= hi)])


def _robust_inputs(
    cfg: StudyConfig, matching: MatchingStage, stag: StaggeredStage
) -> tuple[dict[str, DynamicEffects], list[str]]:
    """Return the dynamic effects HonestDiD takes from each robust estimator, and their notes."""
    from pilotdid.study.staggered import refit

    lo, hi = cfg.event_study.window
    a, lang = cfg.staggered.anticipation, cfg.report.language
    inputs: dict[str, DynamicEffects] = {}
    notes: list[str] = []
    if stag.cs is not None:
        dynamic: Any = stag.cs_dynamic
        if stag.cs.base_period != "universal":
            found = refit(cfg, matching, {"cs": {"base_period": "universal", "bootstrap": 0}})
            dynamic = found.get("cs_dynamic")
            notes.append(text("note.sensitivity_cs_universal", lang, ref=-1 - a))
            if "cs" in found["failed"]:
                notes.append(f"CS: {found['failed']['cs']}")
        if dynamic is not None:
            inputs["CS"] = _window(dynamic.dynamic(), lo, hi)
    if stag.sa is not None:
        inputs["SA"] = _window(stag.sa.dynamic(), lo, hi)
    bjs = stag.bjs
    if bjs is not None and bjs.pre_periods.size:
        r0 = int(bjs.pre_periods.min())
        if not np.array_equal(np.sort(bjs.lead_periods), np.arange(r0 + 1, 0)) and r0 < -1:
            found = refit(cfg, matching, {"bjs": {"pretrends": -r0 - 1}})
            bjs = found.get("bjs")
            if "bjs" in found["failed"]:
                notes.append(f"BJS: {found['failed']['bjs']}")
        if bjs is not None:
            try:
                inputs["BJS"] = _window(bjs.referenced(), lo, hi, a)
                notes.append(text("note.sensitivity_bjs_mapped", lang, leads=-r0 - 1))
            except PilotdidError as exc:
                notes.append(f"BJS: {exc}")
    return inputs, notes


def run_staggered_sensitivity(
    cfg: StudyConfig,
    matching: MatchingStage,
    stage: SensitivityStage | None,
    stag: StaggeredStage | None,
) -> SensitivityStage | None:
    """Add HonestDiD on the staggered stage's robust estimators to the sensitivity stage.

    Callaway-Sant'Anna is re-aggregated with a universal base period (its varying-base
    pre-period estimates have no common reference, as R HonestDiD warns), Sun-Abraham is used
    as estimated, and the imputation estimator's leads and effects are mapped to reference
    period -1 (:mod:`pilotdid.did.imputation_reference`; refit with every lead when needed).

    Parameters
    ----------
    cfg : StudyConfig
        The study.
    matching : MatchingStage
        The analysis sample (for the refits).
    stage : SensitivityStage or None
        The TWFE event study's sensitivity stage (None when the event study did not run).
    stag : StaggeredStage or None
        The staggered stage.

    Returns
    -------
    SensitivityStage or None
        ``stage`` with :attr:`SensitivityStage.robust` filled; None when ``[sensitivity]`` is
        off, or when neither the event study nor the staggered stage ran.
    """
    from pilotdid.robustness.honest_did import honest_did

    sens = cfg.sensitivity
    if not sens.enabled or stag is None:
        return stage
    inputs, notes = _robust_inputs(cfg, matching, stag)
    grid = {"Mbar": sens.Mbar} if sens.restriction == "relative_magnitude" else {"M": sens.M}
    robust = {}
    for name, effects in inputs.items():
        try:
            robust[name] = honest_did(
                effects, restriction=sens.restriction, target=sens.target, **grid
            )
        except PilotdidError as exc:
            notes.append(f"{name}: {exc}")
    base = stage if stage is not None else SensitivityStage(None, None)
    return dataclasses.replace(base, robust=robust, robust_notes=tuple(notes))
