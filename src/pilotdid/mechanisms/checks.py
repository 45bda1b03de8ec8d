"""Checks that a mechanism, moderation or heterogeneity variable can carry an estimate.

A constant mediator gives ``a = 0`` with a standard error of 0, a constant moderator makes the
interaction a copy of the treatment, a constant split variable leaves one group empty. Each check
raises :class:`~pilotdid.errors.EstimationError` naming the variable and the fix, and is cheap
enough for ``pilotdid validate`` to call on the study's data before anything is estimated.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pilotdid.errors import EstimationError
from pilotdid.estimation.result import FeolsResult
from pilotdid.panel.frames import check_not_empty

__all__ = [
    "check_mediator",
    "check_mediator_fit",
    "check_moderator",
    "check_splitter",
    "constant_value",
]

#: A dependent variable whose within sum of squares is below this share of its total is absorbed.
ABSORBED_TOL = 1e-12


def constant_value(values: pd.Series) -> str | None:
    """Return the single value of a column as text when it has at most one distinct value.

    Parameters
    ----------
    values : pandas.Series
        The column (missing values ignored).

    Returns
    -------
    str or None
        ``"1"``, ``"missing"`` (nothing observed) or ``None`` when the column varies.

    Examples
    --------
    >>> constant_value(pd.Series([1.0, 1.0, None])), constant_value(pd.Series([1, 2]))
    ('1', None)
    """
    observed = values.dropna()
    if observed.empty:
        return "missing"
    first = observed.iloc[0]
    if bool((observed == first).all()):
        return f"{first:g}" if isinstance(first, float | np.floating) else str(first)
    return None


def check_mediator(data: pd.DataFrame, mediator: str) -> None:
    """Refuse a mediator that is constant (or missing) in every row.

    Parameters
    ----------
    data : pandas.DataFrame
        The estimation sample.
    mediator : str
        The mechanism variable.

    Raises
    ------
    EstimationError
        When ``mediator`` does not vary.
    """
    check_not_empty(data, where="mechanism")
    value = constant_value(data[mediator])
    if value is not None:
        raise EstimationError(
            f"mediator {mediator!r} is {_what(value)} in all {len(data):,} rows, so the policy "
            "cannot move it (its effect and standard error would both be 0); drop it from the "
            "mediators or check the column"
        )


def check_moderator(
    data: pd.DataFrame, moderator: str, treatment: str, rows: np.ndarray | None = None
) -> None:
    """Refuse a moderator that is constant overall or among the treated observations.

    Parameters
    ----------
    data : pandas.DataFrame
        The data.
    moderator, treatment : str
        The moderator and the DID regressor.
    rows : numpy.ndarray of int, optional
        Positions of the estimation sample (default: every row).

    Raises
    ------
    EstimationError
        When ``treatment × moderator`` would be a rescaled copy of the treatment.
    """
    check_not_empty(data, where="moderation")
    sample = data if rows is None else data.iloc[rows]
    value = constant_value(sample[moderator])
    if value is not None:
        raise EstimationError(
            f"moderator {moderator!r} is {_what(value)} in all {len(sample):,} rows, so "
            f"{treatment} × {moderator} is a multiple of {treatment!r} and its coefficient cannot "
            "be estimated; choose a moderator that varies"
        )
    treated = pd.to_numeric(sample[treatment], errors="coerce").fillna(0).to_numpy() != 0
    value = constant_value(sample[moderator][treated]) if treated.any() else None
    if value is not None:
        raise EstimationError(
            f"moderator {moderator!r} is {_what(value)} in all {int(treated.sum()):,} treated "
            f"rows ({treatment} != 0), so {treatment} × {moderator} is a multiple of "
            f"{treatment!r} and its coefficient cannot be estimated; choose a moderator that "
            "varies among the treated"
        )


def check_splitter(data: pd.DataFrame, by: str, groups: Sequence[str] = ()) -> None:
    """Refuse a split variable with fewer than two distinct values.

    Parameters
    ----------
    data : pandas.DataFrame
        The data.
    by : str
        The split variable.
    groups : sequence of str, optional
        The group labels the split would make (for the message).

    Raises
    ------
    EstimationError
        When every observed value of ``by`` is the same.
    """
    value = constant_value(data[by])
    if value is not None:
        empty = f" (groups {', '.join(map(repr, groups))} would be empty but one)" if groups else ""
        raise EstimationError(
            f"split variable {by!r} gives fewer than two groups: it is {_what(value)} in all "
            f"{len(data):,} rows{empty}; choose a variable that varies"
        )


def _what(value: str) -> str:
    return "missing" if value == "missing" else f"constant ({value})"


def check_mediator_fit(fit: FeolsResult, mediator: str) -> None:
    """Refuse a mediator regression whose outcome has no variation left after the fixed effects.

    Parameters
    ----------
    fit : FeolsResult
        ``mediator ~ treatment (+ controls) | FE``.
    mediator : str
        The mechanism variable.

    Raises
    ------
    EstimationError
        When the mediator is constant in the sample or absorbed by the fixed effects (then the
        policy's effect on it is 0 with a standard error of 0 by construction).
    """
    if fit.tss <= 0:
        raise EstimationError(
            f"mediator {mediator!r} is constant in the {fit.nobs:,} rows of {fit.fml!r}, so the "
            "policy cannot move it (its effect and standard error would both be 0); drop it "
            "from the mediators"
        )
    if fit.fixef and fit.tss_within <= ABSORBED_TOL * fit.tss:
        raise EstimationError(
            f"mediator {mediator!r} does not vary once the fixed effects "
            f"({' + '.join(fit.fixef)}) are removed (e.g. it is time-invariant under unit fixed "
            "effects), so the policy's effect on it is 0 with a standard error of 0 by "
            "construction; drop it from the mediators or use a time-varying measure"
        )
