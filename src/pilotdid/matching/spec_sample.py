"""The matched sample of one specification-curve choice (the matcher :func:`pilotdid.spec_curve` uses).

The curve itself lives in :mod:`pilotdid.robustness` (a sibling layer that cannot import
matching); :func:`pilotdid.spec_curve` hands it :func:`matched_sample`, a module-level function
that process pools and Dask workers can pickle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import pandas as pd

from pilotdid.options import AnalysisHow, PanelMode

__all__ = ["matched_sample"]


def matched_sample(
    data: pd.DataFrame,
    group: str,
    covariates: Sequence[str],
    *,
    unit: str,
    time: str,
    mode: str,
    seed: int,
    how: str,
    setting: Mapping[str, Any],
) -> tuple[pd.DataFrame, str | None]:
    """Match with :func:`pilotdid.match` and return the analysis sample and its weights column.

    Parameters
    ----------
    data : pandas.DataFrame
        The panel.
    group : str
        The treated-group indicator (0/1, constant within unit).
    covariates : sequence of str
        Propensity-score covariates.
    unit, time : str
        Unit and period columns.
    mode : {"pooled", "by_year", "base_year"}
        ``panel=`` of :func:`pilotdid.match`.
    seed : int
        Seed of any random matching order.
    how : {"matched", "support", "weights"}
        The analysis sample (:meth:`pilotdid.MatchResult.analysis_sample`).
    setting : mapping
        Further :func:`pilotdid.match` keywords (``method``, ``k``, ``caliper``, ...).

    Returns
    -------
    (pandas.DataFrame, str or None)
        The sample, and ``"_weight"`` when ``how="weights"`` (analytic weights), else None.
    """
    from pilotdid.matching.api import match

    result = match(
        data, group, list(covariates), unit=unit, time=time, panel=cast(PanelMode, mode),
        seed=seed, **setting,
    )  # fmt: skip
    return result.analysis_sample(cast(AnalysisHow, how)), "_weight" if how == "weights" else None
