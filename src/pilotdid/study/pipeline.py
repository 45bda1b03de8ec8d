"""``run_study``: one study file in, every table and figure of the paper out (as objects).

The stages run in the paper's order: data and sample, Table 1, Table 2, matching and balance,
Table 3 (PSM-DID without/with controls and the exclusion columns), Figure 1 (placebo), the
event study, staggered adoption (the heterogeneity-robust estimators), Table 4 (mechanisms and heterogeneity) and Table 5 (moderation). Each is one
function in :mod:`pilotdid.study.stages`; this module only connects them, times them and keeps
their results in a :class:`StudyResult`. Writing files is the report's job
(:meth:`StudyResult.write_report`).
"""

from __future__ import annotations

import inspect
import os
import platform
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pilotdid.report.messages import capture
from pilotdid.study import stages
from pilotdid.study.config import Study, load_study
from pilotdid.study.peak_memory import PeakMeter
from pilotdid.study.prepare import DropRecord, PreparedPanel, prepare_panel
from pilotdid.study.sample_checks import check_sample
from pilotdid.study.sensitivity import (
    SensitivityStage,
    run_sensitivity,
    run_staggered_sensitivity,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from pilotdid.did.event_study_result import EventStudyResult
    from pilotdid.estimation.result import FeolsResult
    from pilotdid.robustness.placebo_result import PlaceboResult
    from pilotdid.robustness.spec_curve_result import SpecCurveResult
    from pilotdid.study.mechanisms import MechanismStage, ModerationStage
    from pilotdid.study.staggered import StaggeredStage
    from pilotdid.tables.stata import DtaFile
    from pilotdid.tables.table import Table

__all__ = ["STAGES", "ProgressHook", "StudyResult", "TrueEffect", "package_versions", "run_study"]

#: Stage names, in the order they run (what a progress hook sees).
STAGES: tuple[str, ...] = (
    "data",
    "descriptives",
    "matching",
    "baseline",
    "placebo",
    "event study",
    "sensitivity",
    "staggered",
    "mechanisms",
    "moderation",
    "spec curve",
)

ProgressHook = Callable[..., None]
"""Called as ``hook(i, n, stage, None)`` when stage ``i`` of ``n`` starts and
``hook(i, n, stage, seconds)`` when it ends; a hook with a ``peak_mib`` parameter also gets
``peak_mib=`` (the stage's peak resident memory in MiB, :mod:`pilotdid.study.peak_memory`)."""

_VERSIONED = (
    "pilotdid", "numpy", "scipy", "pandas", "formulaic", "pydantic", "matplotlib",
    "python-docx", "openpyxl",
)  # fmt: skip


def package_versions() -> dict[str, str]:
    """Return the versions of Python and of the packages the results depend on."""
    out = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


@dataclass(frozen=True)
class TrueEffect:
    """An estimate next to the true value built into the demo panel.

    Attributes
    ----------
    name : str
        Key of :attr:`pilotdid.datasets.DemoPanel.true_effects`.
    where : str
        Which table, column and term holds the estimate.
    estimate, std_error, true : float
    """

    name: str
    where: str
    estimate: float
    std_error: float
    true: float

    @property
    def z(self) -> float:
        """``|estimate - true| / std_error``."""
        return abs(self.estimate - self.true) / self.std_error


@dataclass(frozen=True, eq=False)
class StudyResult:
    """Every stage of a study run, as result objects.

    Attributes
    ----------
    study : Study
        The validated study file.
    panel : PreparedPanel
        The analysis panel, the filters' drops, the panel check and the treatment report.
    tables : mapping of str to Table
        Every table by key, in report order (``table1``, ``table2``, ``vif``, ``balance``,
        ``balance_overall``, ``table3``, ``event_table``, ``staggered_att``,
        ``staggered_dynamic``, ``bacon``, ``table4``, ``table5``).
    matching : stages.MatchingStage
        The match, its balance diagnostics and the PSM-DID sample.
    baseline : stages.BaselineStage
        Table 3's models and exclusion subsamples.
    placebo : PlaceboResult or None
    event_study : EventStudyResult or None
    mechanisms : MechanismStage or None
        Table 4: mediators and split samples.
    moderation : ModerationStage or None
        Table 5.
    sensitivity : SensitivityStage or None
        HonestDiD sets and the pre-test's power for the event study (``[sensitivity]``).
    descriptives : stages.DescriptiveStage or None
        Tables 1-2 and the VIF table with their numbers (None only for results built by hand).
    staggered : StaggeredStage or None
        Cohorts, the Bacon decomposition and the heterogeneity-robust estimators (None when
        ``[staggered]`` is off, or "auto" and adoption is not staggered).
    outcome_events : mapping of str to EventStudyResult
        The event study of each further outcome of ``model.outcomes`` (outcome -> result);
        the event table has one column per outcome.
    peak_memory : mapping of str to float
        Peak resident memory of the process during each stage, in MiB (Linux: the kernel's
        high-water mark, reset at each stage's start; elsewhere the peak so far).
    spec_curve : SpecCurveResult or None
        The specification curve (``[spec_curve]``; None when off).
    timings : mapping of str to float
        Seconds per stage.
    versions : mapping of str to str
        Python and package versions.
    messages : tuple of str
        Python warnings raised by the stages, one line each (``"placebo: ..."``).
    """

    study: Study
    panel: PreparedPanel
    tables: Mapping[str, Table]
    matching: stages.MatchingStage
    baseline: stages.BaselineStage
    placebo: PlaceboResult | None
    event_study: EventStudyResult | None
    mechanisms: MechanismStage | None
    moderation: ModerationStage | None
    timings: Mapping[str, float] = field(default_factory=dict)
    versions: Mapping[str, str] = field(default_factory=dict)
    messages: tuple[str, ...] = ()
    descriptives: stages.DescriptiveStage | None = None
    sensitivity: SensitivityStage | None = None
    staggered: StaggeredStage | None = None
    outcome_events: Mapping[str, EventStudyResult] = field(default_factory=dict)
    peak_memory: Mapping[str, float] = field(default_factory=dict)
    spec_curve: SpecCurveResult | None = None

    @property
    def sample(self) -> pd.DataFrame:
        """The PSM-DID estimation sample."""
        return self.matching.sample

    @property
    def main(self) -> FeolsResult:
        """The headline PSM-DID regression (Table 3, with controls)."""
        return self.baseline.main

    def drops(self) -> tuple[DropRecord, ...]:
        """Every row left out anywhere, by stage and cause."""
        out = [*self.panel.drops, *self.matching.drops, *self.baseline.drops]
        event = self.event_study
        if event is not None and event.dropped_outside_window:
            cause = "outside the event window (not binned)"
            out.append(DropRecord("event study", cause, event.dropped_outside_window))
        for y, more in self.outcome_events.items():  # model.outcomes after the first
            if more.dropped_outside_window:
                cause = "outside the event window (not binned)"
                out.append(DropRecord(f"event study ({y})", cause, more.dropped_outside_window))
        if self.staggered is not None:
            out.extend(self.staggered.drops)
        for stage in (self.mechanisms, self.moderation):
            if stage is not None:
                out.extend(stage.drops)
        return tuple(out)

    def seeds(self) -> dict[str, int]:
        """Seeds of every random step that ran."""
        cfg = self.study.config
        out = {"study": cfg.study.seed}
        if cfg.data.source == "demo" and self.panel.demo is not None:
            out["demo panel"] = int(self.panel.demo.seed or 0)
        if self.placebo is not None:
            out["placebo"] = cfg.seed_for("placebo")
        if self.sensitivity is not None and self.sensitivity.power is not None:
            out["sensitivity"] = cfg.seed_for("sensitivity")
        if self.matching.result is not None and cfg.matching.order == "random":
            out["matching"] = cfg.seed_for("matching")
        mech = self.mechanisms
        if (
            mech is not None
            and mech.heterogeneity
            and cfg.heterogeneity.test in ("both", "permutation")
        ):
            out["heterogeneity"] = cfg.seed_for("heterogeneity")
        if (
            mech is not None
            and mech.mechanism is not None
            and cfg.mechanisms.method == "three_step"
        ):
            out["mechanisms"] = cfg.seed_for("mechanisms")
        stag = self.staggered
        if stag is not None and stag.cs is not None and cfg.staggered.bootstrap > 0:
            out["staggered"] = cfg.seed_for("staggered")
        if self.spec_curve is not None:
            out["spec curve"] = self.spec_curve.seed
        return out

    def true_effects(self) -> list[TrueEffect]:
        """Estimates next to the demo panel's true effects (empty unless the data are the demo)."""
        from pilotdid.study.truth import compare_with_truth

        return compare_with_truth(self)

    def figures(self) -> Iterator[tuple[str, Figure]]:
        """Yield ``(key, figure)`` for every figure of the report, in report order."""
        from pilotdid.study.figures import study_figures

        yield from study_figures(self)

    def write_report(self, out: str | os.PathLike[str] | None = None) -> Path:
        """Write report.html, tables.* and figures/ atomically into ``out``.

        Parameters
        ----------
        out : path-like, optional
            The output folder; default ``report.output`` of the study file.

        Returns
        -------
        pathlib.Path
            The output folder.
        """
        from pilotdid.report.build import write_report

        return write_report(self, self.study.output_dir(out))

    def summary(self) -> str:
        """Return a few lines: the study, the sample, the headline estimate and what ran."""
        cfg = self.study.config
        did = cfg.treatment.names.did
        main = self.main
        coefs = main.model_summary().coefs
        lines = [cfg.study.title, f"Panel: {len(self.panel.data):,} rows; estimation sample: "
                 f"{len(self.sample):,} rows"]  # fmt: skip
        if self.matching.result is not None:
            c = self.matching.result.counts
            lines.append(
                f"Matching: {c.get('n_matched_treated', 0):,} of {c.get('n_treated', 0):,} "
                f"treated matched, {c.get('n_used_controls', 0):,} controls used"
            )
        if did in coefs.index:
            row = coefs.loc[did]
            lines.append(
                f"Headline ({self.baseline.main_title}): {did} = {row['estimate']:.4g} "
                f"(s.e. {row['std_error']:.4g}, p = {row['p_value']:.3g}), N = {main.nobs:,}"
            )
        lines.append("Tables: " + ", ".join(self.tables))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from pilotdid._text import html_summary

        return html_summary(self.summary(), self.baseline.table.to_html())

    def to_stata(self, folder: str | os.PathLike[str]) -> dict[str, DtaFile]:
        """Write the analysis panel and the coefficients as Stata data sets into ``folder``.

        ``panel.dta``: the prepared panel with psmatch2's variables (when matching ran) and
        ``_insample`` (1 for rows of the PSM-DID estimation sample). ``results.dta``: one row per
        coefficient of Table 3, the event study and Tables 4-5, with ``table column term b se p
        N depvar``. The report folder holds both when ``report.formats`` lists ``"dta"``. Needs
        ``pyreadstat`` (``pip install 'pilotdid[stata]'``).

        Parameters
        ----------
        folder : path-like
            An existing folder; each file is written atomically.

        Returns
        -------
        dict of str to DtaFile
            ``{"panel": ..., "results": ...}``, each with the columns renamed for Stata.
        """
        from pilotdid.report.stata_out import write_study_dta

        return dict(write_study_dta(self, folder))


def _as_study(study: Study | str | os.PathLike[str]) -> Study:
    return study if isinstance(study, Study) else load_study(study)


class _Clock:
    """Run stages one after another, timing each and telling the progress hook."""

    def __init__(self, hook: ProgressHook | None) -> None:
        self.hook = hook
        self.timings: dict[str, float] = {}
        self.peaks: dict[str, float] = {}
        self.messages: list[str] = []
        self.meter = PeakMeter()
        self.with_peak = hook is not None and _takes_peak(hook)
        self.trusted: ExitStack | None = None

    def trust_keys(self, sample: pd.DataFrame, unit: str, time: str) -> None:
        """Check the sample's (unit, time) keys once for every later stage (see keys_checked).

        Each public function the stages call on the same sample would check them again (O(n)
        each). Repeated keys are left to those functions' own messages, as before.
        """
        from pilotdid.errors import PilotdidError
        from pilotdid.panel.frames import keys_checked

        if self.trusted is None:
            return
        try:
            self.trusted.enter_context(keys_checked(sample, unit, time))
        except PilotdidError:
            pass

    def run(self, name: str, work: Callable[[], Any]) -> Any:
        i = STAGES.index(name) + 1
        if self.hook:
            self.hook(i, len(STAGES), name, None)
        self.meter.start()
        start = time.perf_counter()
        with capture(name, self.messages):  # warnings become messages, not terminal output
            value = work()
        self.timings[name] = time.perf_counter() - start
        self.peaks[name] = self.meter.stop()
        if self.hook and self.with_peak:
            self.hook(i, len(STAGES), name, self.timings[name], peak_mib=self.peaks[name])
        elif self.hook:
            self.hook(i, len(STAGES), name, self.timings[name])
        return value


def _takes_peak(hook: ProgressHook) -> bool:
    try:
        params = inspect.signature(hook).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature
        return False
    return any(p.name == "peak_mib" or p.kind is p.VAR_KEYWORD for p in params)


def run_study(
    study: Study | str | os.PathLike[str], *, progress: ProgressHook | None = None
) -> StudyResult:
    """Run every stage of a study file and return the results (no files are written).

    Parameters
    ----------
    study : Study, str or path-like
        A validated :class:`~pilotdid.study.config.Study` or the path of a study file.
    progress : callable, optional
        ``progress(i, n, stage, seconds)``: called with ``seconds=None`` when stage ``i`` of
        ``n`` starts and with its run time when it ends (the CLI prints these).

    Returns
    -------
    StudyResult
        Every table, model, matching and robustness result; ``.write_report(out)`` writes them.

    Raises
    ------
    StudyFileError
        The study file is invalid or does not fit the data (every problem listed).
    PanelError, MatchingError, EstimationError
        The data or the design cannot be estimated as specified.

    Examples
    --------
    >>> from pilotdid.study.config import parse_study
    >>> study = parse_study('''
    ... [data]
    ... source = "demo"
    ... [treatment]
    ... roster = "bigdata"
    ... [model]
    ... outcome = "lnESF"
    ... controls = ["lnHCL", "FIN"]
    ... [placebo]
    ... draws = 50
    ... ''')
    >>> result = run_study(study)
    >>> result.main.nobs == len(result.sample)
    True
    """
    clock = _Clock(progress)
    with ExitStack() as trusted:  # the sample's key check is trusted only until the run ends
        clock.trusted = trusted
        return _run_stages(_as_study(study), clock)


def _run_stages(study: Study, clock: _Clock) -> StudyResult:
    cfg = study.config
    panel = clock.run("data", lambda: prepare_panel(study))
    descriptives = clock.run("descriptives", lambda: stages.descriptive_stage(cfg, panel))
    tables: dict[str, Table] = dict(descriptives.tables)
    matching = clock.run("matching", lambda: _matched(study, panel))
    if matching.balance is not None:
        lang = cfg.report.language
        tables["balance"] = matching.balance.to_table(title=_title("balance", cfg), language=lang)
        tables["balance_overall"] = matching.balance.overall_table(
            title=_title("balance_overall", cfg), language=lang
        )
    if matching.effect is not None:
        tables["matching_effect"] = matching.effect.table(language=cfg.report.language)
    clock.trust_keys(matching.sample, cfg.unit, cfg.time)
    baseline = clock.run("baseline", lambda: stages.baseline_models(cfg, matching))
    tables["table3"] = baseline.table
    placebo = clock.run("placebo", lambda: stages.run_placebo(cfg, matching))
    from pilotdid.study.outcomes import outcome_event_studies, outcome_event_table

    event, more_events = clock.run(
        "event study",
        lambda: (stages.run_event_study(cfg, matching), outcome_event_studies(cfg, matching)),
    )
    if event is not None:
        tables["event_table"] = outcome_event_table(cfg, event, more_events)
    sensitivity = clock.run("sensitivity", lambda: run_sensitivity(cfg, event))
    if sensitivity is not None and sensitivity.honest is not None:
        tables["sensitivity_table"] = sensitivity.table(cfg.report.language)
    from pilotdid.study.staggered import run_staggered

    def staggered_stage() -> tuple[Any, SensitivityStage | None]:
        found = run_staggered(cfg, matching, baseline, event)
        return found, run_staggered_sensitivity(cfg, matching, sensitivity, found)

    stag, sensitivity = clock.run("staggered", staggered_stage)
    if stag is not None:
        tables.update(stag.tables)
    if sensitivity is not None and sensitivity.robust:
        tables["sensitivity_staggered"] = sensitivity.robust_table(cfg.report.language)
    from pilotdid.study import mechanisms

    mech = clock.run("mechanisms", lambda: mechanisms.run_mechanisms(cfg, matching))
    if mech is not None:
        tables.update(mech.tables)
    moderation = clock.run("moderation", lambda: mechanisms.run_moderation(cfg, matching))
    if moderation is not None:
        tables.update(moderation.tables)
    from pilotdid.study.spec_curve import run_spec_curve

    curve = clock.run("spec curve", lambda: run_spec_curve(cfg, panel))
    if curve is not None:
        tables["spec_curve"] = curve.table(language=cfg.report.language)
    return StudyResult(
        study=study, panel=panel, tables=tables, matching=matching, baseline=baseline,
        placebo=placebo, event_study=event, mechanisms=mech, moderation=moderation,
        timings=dict(clock.timings), versions=package_versions(), messages=tuple(clock.messages),
        descriptives=descriptives, sensitivity=sensitivity, staggered=stag,
        outcome_events=more_events,
        peak_memory=dict(clock.peaks),
        spec_curve=curve,
    )  # fmt: skip


def _matched(study: Study, panel: PreparedPanel) -> stages.MatchingStage:
    matching = stages.run_matching(study.config, panel)
    check_sample(study, matching)
    return matching


def _title(key: str, cfg: Any) -> str:
    from pilotdid.tables.strings import text

    return text(key, cfg.report.language)
