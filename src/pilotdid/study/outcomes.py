"""Several outcomes in one study (``model.outcomes``): the design and its extra columns.

The design keeps the pipeline simple: the first outcome is the headline one (``model.outcome``),
and every stage runs on it exactly as in a one-outcome study (placebo, sensitivity, staggered
estimators, mechanisms and moderation stay about it). The tables whose layout has one column
per regression gain a column per further outcome:

- Table 3: after the headline outcome's columns, one column per further outcome with the
  headline specification (treatment, controls, fixed effects, weights, variance);
- the event-study table (Table A4): one column per outcome, each with the event study's window.

Table 1 describes every outcome. Rows a further outcome's regression leaves out (missing
values) are counted in the drops under its Table 3 column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from pilotdid.study.model_spec import COMBINED_WEIGHT
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    import pandas as pd

    from pilotdid.did.event_study_result import EventStudyResult
    from pilotdid.estimation.result import FeolsResult
    from pilotdid.study.config_schema import StudyConfig
    from pilotdid.study.stages import MatchingStage
    from pilotdid.tables.table import Table

__all__ = [
    "further_outcomes",
    "outcome_columns",
    "outcome_event_studies",
    "outcome_event_table",
    "table3_notes",
]


def further_outcomes(cfg: StudyConfig) -> list[str]:
    """Return the outcomes after the headline one (empty for a one-outcome study)."""
    return cfg.model.outcome_list[1:]


def _title(cfg: StudyConfig, outcome: str, taken: Sequence[str]) -> str:
    from pilotdid.study.stages import make_labels

    title, n = make_labels(cfg).var(outcome), 2
    base = title
    while title in taken:
        title, n = f"{base} ({n})", n + 1
    return title


def outcome_columns(
    cfg: StudyConfig, sample: pd.DataFrame, *, taken: Sequence[str], weights: str | None
) -> dict[str, FeolsResult]:
    """Fit the headline specification of Table 3 for each further outcome.

    Parameters
    ----------
    cfg : StudyConfig
        The study.
    sample : pandas.DataFrame
        The PSM-DID sample.
    taken : sequence of str
        Column titles already used (titles stay unique).
    weights : str or None
        The regressions' weight column.

    Returns
    -------
    dict of str to FeolsResult
        Column title (the outcome's label) -> result, in ``model.outcomes`` order.
    """
    from pilotdid.estimation.feols import feols
    from pilotdid.study.stages import formula, vcov_spec

    rhs = [cfg.treatment.names.did, *cfg.model.controls]
    out: dict[str, FeolsResult] = {}
    for y in further_outcomes(cfg):
        title = _title(cfg, y, [*taken, *out])
        out[title] = feols(formula(cfg, y, rhs), sample, vcov=vcov_spec(cfg), weights=weights)
    return out


def table3_notes(
    cfg: StudyConfig, n_first: int, n_more: int, main: int, weights: str | None
) -> list[str]:
    """Table 3's notes about further outcomes and regression weights."""
    lang, out = cfg.report.language, []
    if n_more:
        cols = ", ".join(f"({i})" for i in range(n_first + 1, n_first + n_more + 1))
        out.append(text("note.more_outcomes", lang, cols=cols, main=main))
    w = cfg.model.weights
    if w is not None:
        key = "note.weights_matching" if weights == COMBINED_WEIGHT else "note.weights"
        out.append(text(key, lang, w=w))
    return out


def outcome_event_studies(cfg: StudyConfig, matching: MatchingStage) -> dict[str, EventStudyResult]:
    """Run the event study of each further outcome (empty when the event study is off)."""
    from pilotdid.study.stages import run_event_study

    out: dict[str, EventStudyResult] = {}
    for y in further_outcomes(cfg):
        result = run_event_study(cfg, matching, outcome=y)
        if result is not None:
            out[y] = result
    return out


def outcome_event_table(
    cfg: StudyConfig, first: EventStudyResult, more: Mapping[str, EventStudyResult]
) -> Table:
    """Return the event-study table: one column per outcome (one column with one outcome)."""
    from pilotdid.did.dynamic import period_label
    from pilotdid.study.stages import event_table, make_labels
    from pilotdid.tables.etable import etable

    if not more:
        return event_table(cfg, first)
    lang, labels = cfg.report.language, make_labels(cfg)
    results = [first, *more.values()]
    terms = list(dict.fromkeys(period_label(k) for r in results for k in r.periods.values()))
    titles = [labels.var(y) for y in [cfg.model.outcome, *more]]
    return etable(results, keep=terms, labels=labels, language=lang,
                  title=text("event_table", lang), titles=titles, depvar=False,
                  notes=[text("note.event_outcomes", lang)])  # fmt: skip
