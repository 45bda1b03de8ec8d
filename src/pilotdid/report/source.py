"""What the report reads of a study's results.

The report layer sits below the study pipeline, so it does not import
:class:`pilotdid.study.pipeline.StudyResult`; it reads any object with these members
(``StudyResult`` is one, checked by mypy where the pipeline calls :func:`write_report`).
The stage containers (prepared panel, matching, baseline, mechanisms, moderation) are the
study layer's own types and are read by attribute here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from pilotdid.did.event_study_result import EventStudyResult
    from pilotdid.estimation.result import FeolsResult
    from pilotdid.robustness.placebo_result import PlaceboResult
    from pilotdid.tables.table import Table

__all__ = ["StudyOutputs"]


class StudyOutputs(Protocol):
    """The results of one study run, as the report reads them."""

    @property
    def study(self) -> Any:
        """The validated study file (``.config``, ``.path``, ``.sha``, ``.output_dir()``)."""

    @property
    def panel(self) -> Any:
        """The prepared panel (data, drops, notes, demo metadata)."""

    @property
    def tables(self) -> Mapping[str, Table]:
        """Every table by key, in report order."""

    @property
    def descriptives(self) -> Any:
        """The descriptive stage: Tables 1-2, the VIF table and their numbers."""

    @property
    def matching(self) -> Any:
        """The matching stage (result, balance, sample, notes)."""

    @property
    def baseline(self) -> Any:
        """The baseline stage (Table 3's models and exclusions)."""

    @property
    def placebo(self) -> PlaceboResult | None:
        """The placebo test, if run."""

    @property
    def event_study(self) -> EventStudyResult | None:
        """The event study, if run."""

    @property
    def sensitivity(self) -> Any:
        """The sensitivity stage (HonestDiD, pre-trend power), if run."""

    @property
    def staggered(self) -> Any:
        """The staggered-adoption stage, if run (cohorts, Bacon, CS, SA, BJS)."""

    @property
    def spec_curve(self) -> Any:
        """The specification curve, if run."""

    @property
    def mechanisms(self) -> Any:
        """The mechanisms stage, if run."""

    @property
    def moderation(self) -> Any:
        """The moderation stage, if run."""

    @property
    def messages(self) -> tuple[str, ...]:
        """Warnings and notes raised while the stages ran, one line each."""

    @property
    def timings(self) -> Mapping[str, float]:
        """Seconds per stage."""

    @property
    def peak_memory(self) -> Mapping[str, float]:
        """Peak resident memory per stage, in MiB."""

    @property
    def versions(self) -> Mapping[str, str]:
        """Python and package versions."""

    @property
    def sample(self) -> pd.DataFrame:
        """The PSM-DID estimation sample."""

    @property
    def main(self) -> FeolsResult:
        """The headline regression."""

    def drops(self) -> tuple[Any, ...]:
        """Every row left out anywhere, by stage and cause."""

    def seeds(self) -> dict[str, int]:
        """Seeds of every random step that ran."""

    def true_effects(self) -> list[Any]:
        """Estimates next to the demo panel's true effects."""

    def figures(self) -> Iterator[tuple[str, Figure]]:
        """Every figure of the report, in report order."""
