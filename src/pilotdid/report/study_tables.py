"""Report tables that describe the run itself: rows left out by cause, estimates vs truth."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from pilotdid.tables.cells import Number, format_value
from pilotdid.tables.strings import text
from pilotdid.tables.table import Table

if TYPE_CHECKING:
    from pilotdid.report.source import StudyOutputs as StudyResult

__all__ = ["drops_table", "truth_table"]


def drops_table(result: StudyResult) -> Table:
    """Every row left out anywhere in the run, by stage and cause (Table A6)."""
    lang = result.study.config.report.language
    drops = result.drops()
    body = pd.DataFrame(
        [[d.cause, Number(d.rows, 0)] for d in drops],
        index=[d.stage for d in drops],
        columns=[text("cause", lang), text("rows", lang)],
        dtype=object,
    )
    note = text(
        "drops_note",
        lang,
        loaded=result.panel.n_loaded,
        panel=len(result.panel.data),
        sample=len(result.sample),
    )
    return Table(body, title=text("drops", lang), notes=(note,), stub_header=text("stage", lang))


def truth_table(result: StudyResult) -> Table | None:
    """Estimates next to the demo panel's true effects (Table A5); None off the demo."""
    pairs = result.true_effects()
    if not pairs:
        return None
    lang = result.study.config.report.language
    rows = [
        [t.where, format_value(t.estimate), format_value(t.std_error, enclose="()"),
         format_value(t.true), format_value(t.estimate - t.true), Number(t.z, 2)]
        for t in pairs
    ]  # fmt: skip
    columns = [
        text(k, lang)
        for k in ("where", "estimate", "std_error", "true_value", "difference", "in_se")
    ]
    body = pd.DataFrame(rows, index=[t.name for t in pairs], columns=columns, dtype=object)
    note = text("truth_note", lang)
    return Table(body, title=text("truth", lang), notes=(note,), stub_header=text("quantity", lang))
