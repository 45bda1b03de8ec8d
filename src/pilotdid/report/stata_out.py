"""A study's data sets for Stata: the analysis panel and one row per estimated coefficient.

``panel.dta`` is the prepared panel (with psmatch2's variables when matching ran) and a marker
``_insample`` for the rows of the PSM-DID estimation sample; ``results.dta`` holds every
coefficient of the regression tables (Table 3, the event study, Tables 4 and 5) with its table,
column, term, estimate, standard error, p-value and number of observations.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pilotdid.matching.stata import psmatch2_label
from pilotdid.tables.stata import DtaFile, write_dta

if TYPE_CHECKING:
    from pilotdid.report.source import StudyOutputs

__all__ = ["RESULT_COLUMNS", "STATA_FILES", "panel_frame", "results_frame", "write_study_dta"]

#: Columns of the results data set, in order.
RESULT_COLUMNS = ("table", "column", "term", "b", "se", "p", "N", "depvar")
#: File names written by :func:`write_study_dta`.
STATA_FILES = {"panel": "panel.dta", "results": "results.dta"}

_RESULT_LABELS = {
    "table": "report table (table3, event_table, table4, table5 ...)",
    "column": "column title of the model in that table",
    "term": "regressor",
    "b": "coefficient",
    "se": "standard error",
    "p": "p-value",
    "N": "observations used by the model",
    "depvar": "dependent variable",
}


def _suffix(key: str, i: int) -> str:
    return key if i == 0 else f"{key}_{i + 1}"


def _models(result: StudyOutputs) -> Iterator[tuple[str, str, Any]]:
    """Yield ``(table key, column title, model)`` for every model of a regression table."""
    for title, fit in result.baseline.models.items():
        yield "table3", str(title), fit
    if result.event_study is not None:
        yield "event_table", "event study", result.event_study
    mech = result.mechanisms
    if mech is not None:
        if mech.mechanism is not None:
            for title, fit in mech.mechanism.models.items():
                yield "table4", str(title), fit
        for i, het in enumerate(mech.heterogeneity):
            key = "table4" if mech.mechanism is not None else _suffix("table4", i)
            for title, fit in het.models.items():
                yield key, str(title), fit
    if result.moderation is not None:
        for i, res in enumerate(result.moderation.results):
            for title, fit in res.models.items():
                yield _suffix("table5", i), str(title), fit


def results_frame(result: StudyOutputs) -> pd.DataFrame:
    """Return one row per coefficient of the study's regression tables (see :data:`RESULT_COLUMNS`)."""
    rows: list[dict[str, Any]] = []
    for table, column, model in _models(result):
        summary = model.model_summary()
        coefs = summary.coefs
        for term in coefs.index:
            rows.append(
                {
                    "table": table,
                    "column": column,
                    "term": str(term),
                    "b": float(coefs.at[term, "estimate"]),
                    "se": float(coefs.at[term, "std_error"]),
                    "p": float(coefs.at[term, "p_value"]),
                    "N": int(summary.nobs),
                    "depvar": str(summary.depvar),
                }
            )
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def panel_frame(result: StudyOutputs) -> pd.DataFrame:
    """Return the analysis panel (psmatch2 variables when matched) with ``_insample`` (0/1)."""
    match = result.matching.result
    data = match.data if match is not None else result.panel.data
    out: pd.DataFrame = data.copy()
    out["_insample"] = np.asarray(out.index.isin(result.sample.index), dtype=np.int8)
    return out


def write_study_dta(result: StudyOutputs, folder: str | os.PathLike[str]) -> Mapping[str, DtaFile]:
    """Write ``panel.dta`` and ``results.dta`` into ``folder`` (which must exist), atomically.

    Returns
    -------
    mapping of str to DtaFile
        ``{"panel": ..., "results": ...}``: each file with the columns renamed for Stata.
    """
    target = Path(folder)
    panel = panel_frame(result)
    labels = {str(c): lab for c in panel.columns if (lab := psmatch2_label(str(c))) is not None}
    labels["_insample"] = "in the PSM-DID estimation sample (1 yes, 0 no)"
    return {
        "panel": write_dta(
            panel, target / STATA_FILES["panel"], labels=labels,
            data_label="pilotdid: analysis panel",
        ),
        "results": write_dta(
            results_frame(result), target / STATA_FILES["results"], labels=_RESULT_LABELS,
            data_label="pilotdid: estimated coefficients, one row per table, column and term",
        ),
    }  # fmt: skip
