"""Tables 4 and 5 of a study: mechanisms, split samples and moderation.

Adapters only: the numbers come from :func:`pilotdid.mechanism`, :func:`pilotdid.heterogeneity`
and :func:`pilotdid.moderation`, called on the PSM-DID sample with the study's specification
(controls, fixed effects, variance, matching weights).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pilotdid.errors import PilotdidWarning
from pilotdid.study.config import StudyConfig
from pilotdid.study.prepare import DropRecord
from pilotdid.study.stages import fit_drops, formula, make_labels, vcov_spec
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from pilotdid.mechanisms.heterogeneity_result import HeterogeneityResult
    from pilotdid.mechanisms.mechanism_result import MechanismResult
    from pilotdid.mechanisms.moderation_result import ModerationResult
    from pilotdid.study.pipeline import TrueEffect
    from pilotdid.study.stages import MatchingStage
    from pilotdid.tables.table import Table

__all__ = ["MechanismStage", "ModerationStage", "run_mechanisms", "run_moderation"]


def _pair(name: str, where: str, fit: Any, term: str, true: float) -> TrueEffect:
    from pilotdid.study.pipeline import TrueEffect

    return TrueEffect(name, where, float(fit.coef()[term]), float(fit.se()[term]), float(true))


@dataclass(frozen=True, eq=False)
class MechanismStage:
    """Table 4: the policy's effect on each mediator and the split-sample regressions.

    Attributes
    ----------
    mechanism : MechanismResult or None
        The mediator regressions (None when no mediators are listed).
    heterogeneity : tuple of HeterogeneityResult
        One split per ``heterogeneity.split_by`` variable.
    tables : mapping of str to Table
        ``table4`` (and ``table4_2`` ... when there are several splits but no mediators).
    drops : tuple of DropRecord
        Rows each regression left out (missing mediator values ...).
    notes : tuple of str
        Warnings raised while estimating.
    """

    mechanism: MechanismResult | None
    heterogeneity: tuple[HeterogeneityResult, ...]
    tables: Mapping[str, Table]
    drops: tuple[DropRecord, ...] = ()
    notes: tuple[str, ...] = ()

    def true_effects(self, truth: Mapping[str, float], did: str) -> list[TrueEffect]:
        """Estimates of the demo panel's true effects on the mediators."""
        if self.mechanism is None:
            return []
        out = []
        for m in self.mechanism.mediators:
            key = m if self.mechanism.method == "d_to_m" else f"step2:{m}"
            if m in truth and key in self.mechanism.models:
                out.append(
                    _pair(m, f"Table 4, {m} on {did}", self.mechanism.models[key], did, truth[m])
                )
        return out


@dataclass(frozen=True, eq=False)
class ModerationStage:
    """Table 5: the DID with each moderator and its interaction.

    Attributes
    ----------
    results : tuple of ModerationResult
        One per ``moderation.moderators`` entry.
    tables : mapping of str to Table
        ``table5`` (and ``table5_2`` ... for further moderators).
    drops : tuple of DropRecord
    """

    results: tuple[ModerationResult, ...]
    tables: Mapping[str, Table]
    drops: tuple[DropRecord, ...] = ()

    def true_effects(self, truth: Mapping[str, float], did: str) -> list[TrueEffect]:
        """Estimates of the demo panel's true moderation effects (slope and effect at the mean)."""
        out = []
        for res in self.results:
            fit, m = res.models["interaction"], res.moderator
            slope_key = f"TP_x_{m}"  # the demo panel names its effects after its own TP column
            if slope_key in truth:
                out.append(
                    _pair(
                        slope_key,
                        f"Table 5 (2), {did} × {m}",
                        fit,
                        res.interaction,
                        truth[slope_key],
                    )
                )
            at_mean = f"{fit.depvar}_at_mean_{m}"
            if res.center and at_mean in truth and f"{m}_mean" in truth and slope_key in truth:
                # the truth at this sample's mean of the moderator, not the panel's
                true = truth[at_mean] + truth[slope_key] * (res.center_value - truth[f"{m}_mean"])
                out.append(_pair(at_mean, f"Table 5 (2), {did}", fit, res.treatment, true))
        return out


def _suffix(key: str, i: int) -> str:
    return key if i == 0 else f"{key}_{i + 1}"


def _heterogeneity(cfg: StudyConfig, matching: MatchingStage) -> tuple[HeterogeneityResult, ...]:
    from pilotdid.mechanisms.heterogeneity import heterogeneity

    h, names = cfg.heterogeneity, cfg.treatment.names
    if not (h.enabled and h.split_by):
        return ()
    fml = formula(cfg, cfg.model.outcome, [names.did, *cfg.model.controls])
    return tuple(
        heterogeneity(
            matching.sample,
            fml,
            by,
            split=h.rule,
            measured=h.measured,
            test=h.test,
            unit=cfg.unit,
            time=cfg.time,
            cohort=names.cohort,
            treatment=names.did,
            vcov=vcov_spec(cfg),
            weights=matching.weights,
            permutations=h.permutations,
            seed=cfg.seed_for("heterogeneity"),
        )
        for by in h.split_by
    )


def run_mechanisms(cfg: StudyConfig, matching: MatchingStage) -> MechanismStage | None:
    """Table 4: mediators (``[mechanisms]``) and split samples (``[heterogeneity]``).

    Cost: one within regression per mediator and per split group, O(n k²) each; the
    heterogeneity permutation test P × (one regression per group) in blocks of permutations
    (see :mod:`pilotdid.mechanisms.permutation` for its memory bound).
    """
    m = cfg.mechanisms
    wanted_m = m.enabled and bool(m.mediators)
    if not wanted_m and not (cfg.heterogeneity.enabled and cfg.heterogeneity.split_by):
        return None
    from pilotdid.mechanisms.mediation import mechanism

    lang, labels, did = cfg.report.language, make_labels(cfg), cfg.treatment.names.did
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PilotdidWarning)
        mech = None
        if wanted_m:
            mech = mechanism(
                matching.sample, did, m.mediators, outcome=cfg.model.outcome,
                controls=cfg.model.controls, fixef=cfg.model.fixed_effects or (),
                vcov=vcov_spec(cfg), method=m.method, weights=matching.weights, unit=cfg.unit,
                bootstrap=m.bootstrap if m.method == "three_step" else 0,
                seed=cfg.seed_for("mechanisms"),
            )  # fmt: skip
        hets = _heterogeneity(cfg, matching)
    title = text("table4", lang)
    if mech is not None:
        tables = {"table4": mech.table(hets, language=lang, labels=labels, title=title)}
    else:
        tables = {
            _suffix("table4", i): het.table(language=lang, labels=labels, title=title)
            for i, het in enumerate(hets)
        }
    fits = {**(dict(mech.models) if mech else {})}
    for het in hets:
        fits |= {f"{het.by}: {g}": fit for g, fit in het.models.items()}
    drops = tuple(d for name, fit in fits.items() for d in fit_drops(f"Table 4 {name}", fit))
    notes = tuple(str(w.message) for w in caught if issubclass(w.category, PilotdidWarning))
    return MechanismStage(mech, hets, tables, drops, notes)


def run_moderation(cfg: StudyConfig, matching: MatchingStage) -> ModerationStage | None:
    """Table 5: the DID with each moderator and its (centred) interaction.

    Cost: one within regression per moderator, O(n k²) time, O(n k) memory.
    """
    mod = cfg.moderation
    if not (mod.enabled and mod.moderators):
        return None
    from pilotdid.mechanisms.moderation import moderation

    lang, labels, did = cfg.report.language, make_labels(cfg), cfg.treatment.names.did
    fml = formula(cfg, cfg.model.outcome, [did, *cfg.model.controls])
    results = tuple(
        moderation(
            matching.sample,
            fml,
            m,
            treatment=did,
            center=mod.center,
            vcov=vcov_spec(cfg),
            weights=matching.weights,
        )
        for m in mod.moderators
    )
    tables = {
        _suffix("table5", i): res.table(language=lang, labels=labels, title=text("table5", lang))
        for i, res in enumerate(results)
    }
    drops = tuple(
        d
        for res in results
        for name, fit in res.models.items()
        for d in fit_drops(f"Table 5 {res.moderator} ({name})", fit)
    )
    return ModerationStage(results, tables, drops)
