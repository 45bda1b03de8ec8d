"""The study file's ``[measures]`` section: the outcome column built from raw trade records.

:func:`build_outcome` runs :func:`pilotdid.measures.build_expy` (PRODY from world trade, EXPY of
every region) and writes ``column`` into the panel before anything else reads it: ln EXPY of the
panel's own unit, or with ``tertiary`` the paper's city index ln(tertiary share x EXPY of the
city's province) (Chao 2022).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pilotdid.errors import MeasureError, did_you_mean
from pilotdid.measures import ExpyInputs, build_expy
from pilotdid.measures.command import spark_session
from pilotdid.study.config import Study
from pilotdid.study.config_messages import study_error

__all__ = ["build_outcome"]


def _paths(study: Study, value: str | list[str]) -> str | list[str]:
    items = [value] if isinstance(value, str) else value
    resolved = [v if "://" in v else str(study.resolve(v)) for v in items]
    return resolved[0] if len(resolved) == 1 else resolved


def build_outcome(study: Study, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Return the panel with ``measures.column`` added, and the notes of its construction.

    Parameters
    ----------
    study : Study
        A validated study file; nothing happens without a ``[measures]`` section.
    frame : pandas.DataFrame
        The panel as loaded (not modified).

    Returns
    -------
    tuple
        The panel (a copy when a column was added) and the notes (records and panel rows left
        out, the PRODY base).

    Raises
    ------
    StudyFileError
        An input or column of ``[measures]`` cannot be used (the message names the key).
    """
    m = study.config.measures
    if m is None:
        return frame, []
    cfg = study.config
    key = m.province if m.tertiary else cfg.unit
    needed = [("measures.province" if m.tertiary else "data.unit", key)]
    needed += [("measures.tertiary", m.tertiary)] if m.tertiary else []
    needed += [("data.time", cfg.time)]
    if m.tertiary and not m.province:
        raise study_error(study.name, ["measures.province: the city index needs the panel's "
                                       "province column (tertiary share x provincial EXPY)"])  # fmt: skip
    pool = [str(c) for c in frame.columns]
    missing = [f"{k}: column {c!r} is not in the data{did_you_mean(str(c), pool)}"
               for k, c in needed if c not in frame.columns]  # fmt: skip
    if missing:
        raise study_error(study.name, missing)
    inputs = ExpyInputs(
        trade=_paths(study, m.trade), gdp=_paths(study, m.gdp),
        regional=_paths(study, m.regional) if m.regional is not None else None,
        level=m.level or m.exporter, year=m.year, exporter=m.exporter, product=m.product,
        value=m.value, quantity=m.quantity, regional_year=m.regional_year,
        regional_product=m.regional_product, regional_value=m.regional_value,
        regional_digits=m.regional_digits, years=m.years, window=m.window,
        min_exports=m.min_exports, quality_adjusted=m.quality_adjusted, gdp_value=m.gdp_value,
        engine=m.engine,
    )  # fmt: skip
    try:
        prody, expy = build_expy(inputs, spark=spark_session(m.engine))
    except MeasureError as exc:
        raise study_error(study.name, [f"measures: {exc}"]) from None
    table = expy.data
    region, year = expy.keys[1], expy.keys[0]
    lookup = pd.Series(
        table["expy"].to_numpy(),
        index=pd.MultiIndex.from_arrays([table[region].astype(str), table[year].astype("int64")]),
    )
    keys = pd.MultiIndex.from_arrays(
        [frame[key].astype(str), pd.to_numeric(frame[cfg.time], errors="coerce").astype("Int64")]
    )
    values = lookup.reindex(keys).to_numpy(dtype=float)
    if m.tertiary:
        values = values * pd.to_numeric(frame[m.tertiary], errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(values > 0, np.log(values), np.nan) if m.log else values
    out = frame.copy()
    notes = [f"measures: {n}" for n in (*prody.notes, *expy.notes)]
    if m.column in frame.columns:
        notes.append(f"measures: column {m.column!r} of the data was replaced by the measure")
    out[m.column] = values
    lacking = int(np.isnan(values).sum())
    what = "tertiary share x provincial EXPY" if m.tertiary else f"EXPY of each {key}"
    notes.append(
        f"measures: {m.column!r} = {'ln ' if m.log else ''}{what}; {lacking:,} of {len(out):,} "
        "panel rows have no value (no EXPY for their region-year or no positive share)"
    )
    return out, notes
