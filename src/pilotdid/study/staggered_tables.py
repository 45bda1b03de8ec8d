"""The tables of the staggered-adoption stage: overall ATT by estimator, dynamic effects, Bacon."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pilotdid.tables.cells import Number, format_value
from pilotdid.tables.strings import text
from pilotdid.tables.table import Table

if TYPE_CHECKING:
    from pilotdid.study.config import StudyConfig
    from pilotdid.study.stages import BaselineStage
    from pilotdid.study.staggered import StaggeredStage

__all__ = ["att_table", "bacon_table", "row_label", "staggered_tables"]


def row_label(key: str, cfg: StudyConfig, baseline: BaselineStage) -> str:
    """Row label of an estimator of the overall-ATT table (``twfe_1``, ``cs`` ...)."""
    lang = cfg.report.language
    if key == "twfe_main":
        return text("table.stag.row.twfe_main", lang, col=baseline.main_column)
    return text(f"table.stag.row.{key}", lang)


def _count(value: float) -> Number | str:
    return format_value(int(value)) if np.isfinite(value) else ""


def att_table(cfg: StudyConfig, stage: StaggeredStage, baseline: BaselineStage) -> Table:
    """Overall ATT of TWFE (Table 3) next to CS (simple), SA and BJS: estimate, SE, CI, N."""
    lang, rows = cfg.report.language, []
    for _, r in stage.overall.iterrows():
        ci = f"[{format_value(r['conf_low'])}, {format_value(r['conf_high'])}]"
        rows.append([format_value(r["estimate"]), format_value(r["std_error"], enclose="()"),
                     ci, _count(r["nobs"]), _count(r["units"])])  # fmt: skip
    columns = [
        text(k, lang)
        for k in ("estimate", "std_error", "table.stag.ci", "table.stag.nobs", "table.stag.units")
    ]
    index = [row_label(k, cfg, baseline) for k in stage.overall.index]
    body = pd.DataFrame(rows, index=index, columns=columns, dtype=object)
    sc = cfg.staggered
    notes = [
        text("table.stag.note.att", lang, y=cfg.model.outcome),
        text("table.stag.note.controls_yes" if sc.controls else "table.stag.note.controls_no", lang),
        text("table.stag.note.options", lang, method=sc.method, control=sc.control_group,
             anticipation=sc.anticipation, draws=sc.bootstrap),
    ]  # fmt: skip
    for key, message in stage.failed.items():
        notes.append(
            text(
                "table.stag.note.failed",
                lang,
                name=text(f"table.stag.row.{key}", lang),
                why=message,
            )
        )
    return Table(body, title=text("staggered_att", lang), notes=tuple(notes),
                 stub_header=text("table.stag.estimator", lang))  # fmt: skip


def bacon_table(cfg: StudyConfig, stage: StaggeredStage) -> Table | None:
    """Return the Goodman-Bacon decomposition by comparison type: weight, average 2x2 estimate."""
    if stage.bacon is None:
        return None
    lang = cfg.report.language
    by = stage.bacon.by_type()
    body = pd.DataFrame(
        [[Number(float(r["weight"]), 3), format_value(float(r["estimate"])),
          format_value(int(r["comparisons"]))] for _, r in by.iterrows()],
        index=[text(f"fig.bacon.{k}", lang) for k in by.index],
        columns=[text(k, lang) for k in ("fig.bacon.x", "table.stag.bacon.mean", "table.stag.bacon.n")],
        dtype=object,
    )  # fmt: skip
    notes = [text("table.stag.note.bacon", lang, twfe=f"{stage.bacon.twfe:.4g}",
                  share=stage.bacon.forbidden_share, units=stage.bacon_units)]  # fmt: skip
    if stage.bacon_note:
        notes.append(text("table.stag.note.bacon_balanced", lang, units=stage.bacon_units))
    if cfg.model.weights is not None:  # Goodman-Bacon's theorem is about the unweighted TWFE
        notes.append(text("note.bacon_unweighted", lang, w=cfg.model.weights))
    return Table(body, title=text("bacon", lang), notes=tuple(notes),
                 stub_header=text("table.stag.bacon.type", lang))  # fmt: skip


def staggered_tables(
    cfg: StudyConfig, stage: StaggeredStage, baseline: BaselineStage
) -> dict[str, Table]:
    """``staggered_att``, ``staggered_dynamic`` (when any dynamic estimate) and ``bacon``."""
    lang = cfg.report.language
    out = {"staggered_att": att_table(cfg, stage, baseline)}
    if stage.comparison is not None:
        out["staggered_dynamic"] = stage.comparison.table(
            language=lang, title=text("staggered_dynamic", lang)
        )
    bacon = bacon_table(cfg, stage)
    if bacon is not None:
        out["bacon"] = bacon
    return out
