"""Reading of few-cluster inference: which p-value of Table 3 the report relies on, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pilotdid.report.narrative import Reading, count, phrase, pval, reading, word

if TYPE_CHECKING:
    from pilotdid.report.source import StudyOutputs as StudyResult

__all__ = ["read_inference"]


def read_inference(result: StudyResult) -> list[Reading]:
    """Read the wild cluster bootstrap of the headline Table 3 column (empty when not run).

    Parameters
    ----------
    result : StudyOutputs
        A study run.

    Returns
    -------
    list of Reading
        One sentence: clusters, treated clusters, the WCR and CRV1 p-values and which one the
        report relies on.
    """
    base = result.baseline
    wild = {c.title: c for c in base.wild}
    column = wild.get(base.main_title) or (next(iter(wild.values())) if wild else None)
    if column is None:
        return []
    lang = result.study.config.report.language
    r = column.result
    agree = (r.p_value < 0.05) == (r.p_value_crv1 < 0.05)
    col = list(base.models).index(column.title) + 1
    return [
        reading(
            "wild",
            lang,
            col=word(str(col)),
            clusters=count(column.count.clusters, f"inference.({col}).clusters"),
            treated=count(column.count.treated, f"inference.({col}).treated_clusters"),
            p_wcr=pval(r.p_value, f"inference.({col}).p_wcr"),
            p_crv1=pval(r.p_value_crv1, f"inference.({col}).p_crv1"),
            verdict=phrase("wild_agrees" if agree else "wild_differs", lang),
        )
    ]
