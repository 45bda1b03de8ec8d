"""Panel modes: what one matching sample is, and how its results map back to the panel rows.

- ``pooled``: every unit-year is a candidate; one propensity model on all rows.
- ``by_year``: a separate propensity model and matching within each period, appended
  (``forvalues y = ... { psmatch2 ... if year == `y' }``).
- ``base_year``: one row per unit, from one pre-policy period or the pre-period mean of the
  covariates; a unit's result (score, weight, support) is copied to all its rows, so the matched
  sample is a balanced panel of matched units (the "classic" PSM-DID). ``_n1.._nk`` then hold the
  ``_id`` of the matched control unit's row in the same period.

``_id`` is always the row position in the input data (0-based), so ``data.iloc[_n1]`` is the match.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.errors import MatchingError
from pilotdid.matching.engine import FrameMatch, MatchSpec, match_frame

__all__ = ["ModeOutput", "PanelInput", "run_mode"]


@dataclass(frozen=True)
class PanelInput:
    """Validated inputs of a matching run (arrays aligned with the rows of ``data``)."""

    data: pd.DataFrame
    treatment: str
    covariates: list[str]
    spec: MatchSpec
    panel: str
    unit: str | None = None
    time: str | None = None
    pscore: str | None = None
    base: Any = "first"
    policy_year: Any = None


@dataclass(frozen=True)
class ModeOutput:
    """What a panel mode hands to :class:`~pilotdid.matching.result.MatchResult`."""

    columns: pd.DataFrame
    pairs: pd.DataFrame
    frame: pd.DataFrame
    fits: dict[Any, Any]
    caliper: float | None
    notes: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)


class _Columns:
    """psmatch2 columns for all n input rows, filled frame by frame."""

    def __init__(self, n: int, k: int) -> None:
        self.f = {c: np.full(n, np.nan) for c in ("_pscore", "_treated", "_support", "_weight")}
        self.f["_pdif"] = np.full(n, np.nan)
        self.nn = np.full(n, -1, dtype=np.int64)
        self.nb = np.full((n, k), -1, dtype=np.int64)

    def fill(self, rows: np.ndarray, fm: FrameMatch, src: np.ndarray, nb_ids: np.ndarray) -> None:
        """Copy frame results ``fm`` at frame positions ``src`` into ``rows``."""
        self.f["_pscore"][rows] = fm.pscore[src]
        self.f["_treated"][rows] = fm.treated[src]
        self.f["_support"][rows] = fm.support[src]
        self.f["_weight"][rows] = fm.weight[src]
        self.f["_pdif"][rows] = fm.pdif[src]
        self.nn[rows] = fm.n_matches[src]
        self.nb[rows] = nb_ids

    def to_frame(self, index: pd.Index) -> pd.DataFrame:
        out = pd.DataFrame(
            {c: self.f[c] for c in ("_pscore", "_treated", "_support", "_weight")}, index=index
        )
        out["_id"] = np.arange(len(index), dtype=np.int64)
        out["_nn"] = pd.array(np.where(self.nn >= 0, self.nn, 0), dtype="Int64")
        out.loc[self.nn < 0, "_nn"] = pd.NA
        for r in range(self.nb.shape[1]):
            col = pd.array(np.maximum(self.nb[:, r], 0), dtype="Int64")
            col[self.nb[:, r] < 0] = pd.NA
            out[f"_n{r + 1}"] = col
        out["_pdif"] = self.f["_pdif"]
        return out


def _k(spec: MatchSpec) -> int:
    return spec.k if spec.method == "nearest" else 1


def _valid_rows(pi: PanelInput, mask: np.ndarray | None = None) -> np.ndarray:
    cols = [pi.treatment, *pi.covariates] + ([pi.pscore] if pi.pscore else [])
    ok = pi.data[cols].notna().all(axis=1).to_numpy()
    return np.flatnonzero(ok if mask is None else ok & mask)


def _arrays(pi: PanelInput, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    d = pi.data.iloc[rows]
    X = d[pi.covariates].to_numpy(dtype=float)
    treat = d[pi.treatment].to_numpy(dtype=float) == 1
    ps = d[pi.pscore].to_numpy(dtype=float) if pi.pscore else None
    return X, treat, ps


def _pairs(fm: FrameMatch, ids: np.ndarray, labels: dict[str, np.ndarray]) -> pd.DataFrame:
    out: dict[str, Any] = {}
    if len(ids):
        out = {"treated_id": ids[fm.pair_treated], "control_id": ids[fm.pair_control]}
    for name, lab in labels.items():
        out[f"treated_{name}"] = lab[fm.pair_treated]
        out[f"control_{name}"] = lab[fm.pair_control]
    out.update(rank=fm.pair_rank, weight=fm.pair_weight, distance=fm.pair_distance)
    return pd.DataFrame(out)


def _frame_table(
    pi: PanelInput, X: np.ndarray, fm: FrameMatch, extra: dict[str, Any]
) -> pd.DataFrame:
    frame = pd.DataFrame(X, columns=pi.covariates)
    frame.insert(0, "_treated", fm.treated.astype(float))
    for key, val in extra.items():
        frame[key] = val
    frame["_pscore"] = fm.pscore
    frame["_support"] = fm.support.astype(float)
    frame["_weight"] = fm.weight
    return frame


def _labels(pi: PanelInput, rows: np.ndarray) -> dict[str, np.ndarray]:
    return {c: pi.data[c].to_numpy()[rows] for c in (pi.unit, pi.time) if c is not None}


def _row_neighbours(fm: FrameMatch, rows: np.ndarray) -> np.ndarray:
    return np.where(fm.neighbours >= 0, rows[np.maximum(fm.neighbours, 0)], -1)


def run_pooled(pi: PanelInput) -> ModeOutput:
    """Match all unit-years at once."""
    rows = _valid_rows(pi)
    X, treat, ps = _arrays(pi, rows)
    fm = match_frame(X, treat, pi.covariates, pi.spec, ps)
    cols = _Columns(len(pi.data), _k(pi.spec))
    cols.fill(rows, fm, np.arange(len(rows)), _row_neighbours(fm, rows))
    pairs = _pairs(fm, rows, _labels(pi, rows))
    frame = _frame_table(pi, X, fm, {"_id": rows})
    return ModeOutput(
        cols.to_frame(pi.data.index),
        pairs,
        frame,
        {None: fm.fit},
        fm.caliper,
        counts=dict(fm.counts),
    )


def _period_seed(seed: int | None, i: int) -> int | None:
    # an independent, reproducible stream per period for order="random"
    if seed is None:
        return None
    return int(np.random.SeedSequence([seed, i]).generate_state(1)[0])


def run_by_year(pi: PanelInput) -> ModeOutput:
    """Match within each period and append the results."""
    assert pi.time is not None  # guaranteed by the API layer
    time = pi.data[pi.time].to_numpy()
    cols = _Columns(len(pi.data), _k(pi.spec))
    pairs, frames, fits, notes, calipers = [], [], {}, [], set()
    counts: dict[str, int] = {}
    for i, t in enumerate(np.sort(pd.unique(time[pd.notna(time)]))):
        rows = _valid_rows(pi, time == t)
        X, treat, ps = _arrays(pi, rows)
        if treat.sum() == 0 or (~treat).sum() == 0:
            what = "treated" if treat.sum() == 0 else "control"
            notes.append(f"period {t}: no {what} units; its rows are left unmatched.")
            continue
        spec = replace(pi.spec, seed=_period_seed(pi.spec.seed, i))
        fm = match_frame(X, treat, pi.covariates, spec, ps, where=f" in period {t}")
        cols.fill(rows, fm, np.arange(len(rows)), _row_neighbours(fm, rows))
        p = _pairs(fm, rows, _labels(pi, rows))
        p.insert(0, "period", t)
        pairs.append(p)
        frames.append(_frame_table(pi, X, fm, {"_id": rows, "_period": t}))
        fits[t] = fm.fit
        calipers.add(fm.caliper)
        for key, val in fm.counts.items():
            counts[key] = counts.get(key, 0) + val
    if not pairs:
        raise MatchingError("by_year matching: no period has both treated and control units.")
    return ModeOutput(
        cols.to_frame(pi.data.index),
        pd.concat(pairs, ignore_index=True),
        pd.concat(frames, ignore_index=True),
        fits,
        calipers.pop() if len(calipers) == 1 else None,
        tuple(notes),
        counts,
    )


def _unit_frame(pi: PanelInput) -> tuple[pd.DataFrame, str]:
    """One row per unit: covariates from the base period or the pre-period mean."""
    d, unit, time = pi.data, pi.unit, pi.time
    assert unit is not None and time is not None
    cols = [pi.treatment, *pi.covariates] + ([pi.pscore] if pi.pscore else [])
    if pi.base == "pre_mean":
        pre = d[d[time] < pi.policy_year]
        if pre.empty:
            raise MatchingError(f"base='pre_mean': no rows with {time} < {pi.policy_year!r}.")
        per_unit = pre.groupby(unit, sort=False)[cols].mean()
        label = f"their mean over {time} < {pi.policy_year}"
    else:
        period = d[time].min() if pi.base == "first" else pi.base
        base = d[d[time] == period]
        if base.empty:
            raise MatchingError(f"base={pi.base!r}: no rows with {time} == {period!r}.")
        # one row per unit and period: checked by pilotdid.match (check_frame, unique_keys)
        per_unit = base.set_index(unit)[cols]
        label = f"their values in {time} {period}"
    return per_unit, label


def run_base_year(pi: PanelInput) -> ModeOutput:
    """Match units on base-period covariates; copy each unit's result to all its rows."""
    assert pi.unit is not None and pi.time is not None
    per_unit, label = _unit_frame(pi)
    notes = [f"Units were matched once, on covariates at {label}."]
    ok = per_unit.notna().all(axis=1).to_numpy()
    if (~ok).any():
        notes.append(
            f"{int((~ok).sum())} units without complete covariates at {label} were "
            "left out of matching (their psmatch2 columns are missing)."
        )
    units = per_unit.index.to_numpy()[ok]
    sub = per_unit[ok]
    X = sub[pi.covariates].to_numpy(dtype=float)
    treat = sub[pi.treatment].to_numpy(dtype=float) == 1
    ps = sub[pi.pscore].to_numpy(dtype=float) if pi.pscore else None
    fm = match_frame(X, treat, pi.covariates, pi.spec, ps, where=f" at {label}")
    # frame position of each row's unit (-1 when the unit was not matched on)
    pos_of = pd.Series(np.arange(len(units)), index=units)
    row_pos = pos_of.reindex(pi.data[pi.unit].to_numpy()).fillna(-1).to_numpy().astype(np.int64)
    rows = np.flatnonzero(row_pos >= 0)
    src = row_pos[rows]
    nb_ids = _same_period_ids(pi, row_pos, rows, fm.neighbours[src])
    cols = _Columns(len(pi.data), _k(pi.spec))
    cols.fill(rows, fm, src, nb_ids)
    pairs = _pairs(fm, np.zeros(0, dtype=np.int64), {"unit": units})
    frame = _frame_table(pi, X, fm, {pi.unit: units})
    return ModeOutput(
        cols.to_frame(pi.data.index),
        pairs,
        frame,
        {None: fm.fit},
        fm.caliper,
        tuple(notes),
        {**fm.counts, "n_excluded_units": int((~ok).sum())},
    )


def _same_period_ids(
    pi: PanelInput, row_pos: np.ndarray, rows: np.ndarray, nb_pos: np.ndarray
) -> np.ndarray:
    """Row id of (matched control unit, same period) for every matched row, -1 if absent."""
    assert pi.time is not None
    time = pi.data[pi.time].to_numpy()
    key = pd.Series(rows, index=pd.MultiIndex.from_arrays([row_pos[rows], time[rows]]))
    key = key[~key.index.duplicated()]
    out = np.full(nb_pos.shape, -1, dtype=np.int64)
    for r in range(nb_pos.shape[1]):
        has = nb_pos[:, r] >= 0
        idx = pd.MultiIndex.from_arrays([nb_pos[has, r], time[rows][has]])
        out[has, r] = key.reindex(idx).fillna(-1).to_numpy().astype(np.int64)
    return out


def run_mode(pi: PanelInput) -> ModeOutput:
    """Dispatch to the panel mode named in ``pi.panel``."""
    if pi.panel == "pooled":
        return run_pooled(pi)
    if pi.panel == "by_year":
        return run_by_year(pi)
    return run_base_year(pi)
