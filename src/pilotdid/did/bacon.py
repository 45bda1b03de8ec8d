"""The Goodman-Bacon (2021) decomposition of the two-way fixed-effects DID.

With staggered adoption, the TWFE coefficient of ``y ~ D | unit + time`` on a balanced panel is a
weighted average of every 2x2 DID between two adoption groups: treated vs never treated,
treated vs always treated, earlier- vs later-treated (the later group as control before it
adopts) and later- vs earlier-treated (the earlier group as control *after* it adopted: the
"forbidden" comparisons, which bias TWFE when effects change over time). The weights and the
estimates come from group-by-period means (a few ``bincount`` passes over the rows), not from a
regression per pair.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pilotdid.did.bacon_result import BaconResult
from pilotdid.did.bacon_timing import Timing, comparisons, timing
from pilotdid.errors import PanelError, did_you_mean
from pilotdid.panel.adoption import adoption_cohorts
from pilotdid.panel.frames import check_frame

__all__ = ["bacon"]


def bacon(
    data: pd.DataFrame,
    outcome: str,
    *,
    unit: str,
    time: str,
    treatment: str | None = None,
    cohort: str | None = None,
) -> BaconResult:
    """Decompose the TWFE DID ``outcome ~ D | unit + time`` into its 2x2 comparisons.

    Parameters
    ----------
    data : pandas.DataFrame
        A balanced panel (every unit observed in every period, no missing outcome); never
        modified.
    outcome : str
        Outcome column.
    unit, time : str
        Unit and period columns (periods: whole numbers).
    treatment : str, optional
        A binary, absorbing treatment dummy (0 until adoption, 1 from then on). Give this or
        ``cohort``.
    cohort : str, optional
        Each unit's adoption period (missing, 0 or +inf: never treated, the package's rule);
        the treatment is ``time >= cohort``. Units adopting at or before the first period are
        "always treated", those adopting after the last period count as never treated.

    Returns
    -------
    BaconResult
        Every comparison with its weight and estimate (``tidy()``), the summary by type,
        ``forbidden_share``, the TWFE coefficient and a figure.

    Raises
    ------
    PanelError
        Missing columns, an unbalanced panel or a missing outcome (balance the panel first),
        a treatment that is not a binary absorbing dummy, or both/neither of ``treatment`` and
        ``cohort``.
    EstimationError
        No variation in the treatment after unit and period effects.

    Notes
    -----
    The decomposition is defined for the TWFE regression without controls on a balanced panel
    (Goodman-Bacon 2021, Theorem 1); the weights sum to 1 and the weighted sum of the 2x2
    estimates equals the TWFE coefficient exactly. Always-treated units act as controls only,
    like never-treated units (their treatment does not vary).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import pilotdid as pdid
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"id": np.repeat(np.arange(30), 6), "year": np.tile(np.arange(6), 30)})
    >>> df["g"] = np.select([df["id"] < 10, df["id"] < 20], [2, 4], np.nan)
    >>> effect = np.where(df["year"] >= df["g"], 1 + df["year"] - df["g"], 0.0)
    >>> df["y"] = effect + rng.normal(size=180)
    >>> b = bacon(df, "y", unit="id", time="year", cohort="g")
    >>> round(float(b.tidy()["weight"].sum()), 12)
    1.0
    >>> fit = pdid.feols("y ~ D | id + year", df.assign(D=(df["year"] >= df["g"]).astype(float)))
    >>> bool(abs(b.twfe - fit.coef()["D"]) < 1e-10)
    True
    """
    t, y = _prepare(data, outcome, unit=unit, time=time, treatment=treatment, cohort=cohort)
    comp = comparisons(t, where="bacon")
    G, T = len(t.start), len(t.periods)
    cell = t.row_group * T + t.row_period
    counts = np.bincount(cell, minlength=G * T).reshape(G, T)
    means = np.bincount(cell, weights=y, minlength=G * T).reshape(G, T) / counts
    share = t.n_units / t.n_units.sum()
    twfe = float((share @ (comp.dtilde * means).mean(axis=1)) / comp.variance)
    frame = comp.frame
    frame.insert(3, "estimate", _two_by_two(means, frame))
    return BaconResult(
        comparisons=frame[["type", "treated", "control", "estimate", "weight"]],
        twfe=twfe,
        outcome=outcome,
        n_units=int(t.n_units.sum()),
        periods=tuple(t.periods.tolist()),
        groups=pd.Series(t.n_units, index=pd.Index(t.labels, name="cohort"), name="units"),
    )


def _two_by_two(means: np.ndarray, frame: pd.DataFrame) -> np.ndarray:
    """Each comparison's DID: (post - pre mean of treated) - (post - pre mean of control)."""
    csum = np.concatenate([np.zeros((means.shape[0], 1)), np.cumsum(means, axis=1)], axis=1)

    def window(groups: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        out: np.ndarray = (csum[groups, hi] - csum[groups, lo]) / (hi - lo)
        return out

    def change(groups: np.ndarray) -> np.ndarray:
        post = window(groups, *(frame[c].to_numpy(dtype=int) for c in ("post_lo", "post_hi")))
        pre = window(groups, *(frame[c].to_numpy(dtype=int) for c in ("pre_lo", "pre_hi")))
        diff: np.ndarray = post - pre
        return diff

    treated = frame["g_treated"].to_numpy(dtype=int)
    control = frame["g_control"].to_numpy(dtype=int)
    out: np.ndarray = change(treated) - change(control)
    return out


def _prepare(
    data: pd.DataFrame,
    outcome: str,
    *,
    unit: str,
    time: str,
    treatment: str | None,
    cohort: str | None,
) -> tuple[Timing, np.ndarray]:
    if not isinstance(data, pd.DataFrame):
        raise PanelError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if (treatment is None) == (cohort is None):
        raise PanelError(
            "bacon() needs exactly one of treatment= (a 0/1 absorbing dummy) and cohort= "
            "(each unit's adoption period)"
        )
    role = treatment if treatment is not None else cohort
    for column in (outcome, unit, time, role):
        if column not in data.columns:
            raise PanelError(
                f"bacon: column {column!r} not found{did_you_mean(str(column), data.columns)}"
            )
    used = [outcome, unit, time, *([treatment] if treatment is not None else [])]
    check_frame(data, used, where="bacon", keys=(unit, time), unique_keys=True, periods=time)
    y = pd.to_numeric(data[outcome], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(y).any():
        n_bad = int(np.isnan(y).sum())
        raise PanelError(
            f"bacon: {n_bad:,} row(s) have a missing or non-numeric {outcome!r}; the "
            "decomposition needs a balanced panel: drop the units with a missing outcome "
            "(all their rows) first"
        )
    period = pd.to_numeric(data[time], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if cohort is not None:
        cohorts = adoption_cohorts(data, unit, cohort, time=time)
        codes, adoption = cohorts.codes, cohorts.per_unit
    else:
        codes, adoption = _adoption_from_dummy(data, str(treatment), unit, period)
    return timing(codes, period, adoption, where="bacon"), y


def _adoption_from_dummy(
    data: pd.DataFrame, treatment: str, unit: str, period: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's first treated period from a 0/1 dummy; refuse a dummy that switches off."""
    d = pd.to_numeric(data[treatment], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isin(d, (0.0, 1.0))
    if bad.any():
        raise PanelError(
            f"bacon: treatment {treatment!r} must be a 0/1 dummy without missing values; "
            f"{int(bad.sum()):,} row(s) hold other values"
        )
    codes, units = pd.factorize(data[unit], use_na_sentinel=True)
    first = np.full(len(units), np.inf)
    on = d == 1
    np.minimum.at(first, codes[on & (codes >= 0)], period[on & (codes >= 0)])
    ok = codes >= 0
    expected = period[ok] >= first[codes[ok]]
    switched = ok.copy()
    switched[ok] = expected != on[ok]
    if switched.any():
        examples = pd.unique(data.loc[switched, unit])[:5].tolist()
        raise PanelError(
            f"bacon: treatment {treatment!r} is not absorbing: {int(switched.sum()):,} row(s) "
            f"are 0 after the unit's first treated period (units {examples}); the "
            "decomposition needs a treatment that stays on once adopted"
        )
    return codes, np.where(np.isinf(first), np.nan, first)
