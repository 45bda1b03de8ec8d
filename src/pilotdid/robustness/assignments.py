"""Random placebo treatment assignments, drawn at the unit level.

Each draw gives fake adoption periods to some units (the others are not treated in that draw).
The draws are stored sparsely (:class:`Draws`: the fake-treated units of each draw and their
periods, ``R × k`` instead of ``R × N``); :meth:`Draws.dense` gives the ``R × N`` matrix of
adoption periods (``inf`` = not treated). All draws are made up front from one generator, so the
same seed gives the same draws whatever the chunking of the estimation that follows.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from pilotdid.errors import PilotdidError

__all__ = ["Draws", "draw_both", "draw_timing", "draw_units", "enumerate_units"]

#: Up to this many units, :func:`draw_units` shuffles all draws in one call; above, it draws
#: each draw's ``k`` units without replacement (no ``R × N`` array).
SMALL_PANEL = 2_000


@dataclass(frozen=True, eq=False)
class Draws:
    """Placebo assignments in sparse form: ``k`` fake-treated units per draw.

    Attributes
    ----------
    unit : numpy.ndarray of int, shape (R, k)
        Positions (``0 .. N-1``) of the fake-treated units of each draw, distinct within a draw.
    period : numpy.ndarray of float, shape (R, k)
        Their fake adoption periods.
    n_units : int
        Number of units ``N``.
    """

    unit: np.ndarray
    period: np.ndarray
    n_units: int

    @property
    def n_draws(self) -> int:
        """Number of draws ``R``."""
        return int(self.unit.shape[0])

    @classmethod
    def from_dense(cls, cohorts: np.ndarray) -> Draws:
        """Sparse form of an ``R × N`` matrix with the same number of finite entries per row."""
        cohorts = np.atleast_2d(cohorts)
        draw, unit = np.nonzero(np.isfinite(cohorts))
        k = unit.size // max(cohorts.shape[0], 1)
        if k * cohorts.shape[0] != unit.size:
            raise PilotdidError("every draw must treat the same number of units")
        shape = (cohorts.shape[0], k)
        return cls(unit.reshape(shape), cohorts[draw, unit].reshape(shape), cohorts.shape[1])

    def dense(self, rows: slice | None = None) -> np.ndarray:
        """Adoption period per draw and unit (``inf`` = not treated), for ``rows`` of the draws."""
        unit, period = (
            (self.unit, self.period) if rows is None else (self.unit[rows], self.period[rows])
        )
        out = np.full((unit.shape[0], self.n_units), np.inf)
        np.put_along_axis(out, unit, period, axis=1)
        return out


def draw_units(cohorts: np.ndarray, draws: int, rng: np.random.Generator) -> Draws:
    """Fake treated units at random, keeping the number treated and the adoption periods.

    Parameters
    ----------
    cohorts : numpy.ndarray, shape (N,)
        True adoption period per unit, ``inf`` for never-treated units.
    draws : int
        Number of placebo assignments ``R``.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    Draws
        Per draw, ``k`` units drawn without replacement (``k`` = number truly treated, listed in
        ascending order) and a random permutation of the true adoption periods over them: the
        same distribution as shuffling the cohort vector across units, without drawing
        ``R × N`` numbers.

    Examples
    --------
    >>> out = draw_units(np.array([2016.0, np.inf, np.inf]), 4, np.random.default_rng(0))
    >>> out.dense().shape, int(np.isfinite(out.dense()).sum(axis=1).max())
    ((4, 3), 1)
    """
    # a uniform k-subset in uniform random order, paired with the true periods: the treated
    # count and the distribution of adoption periods are kept, the identity of the units is not
    periods = cohorts[np.isfinite(cohorts)]
    if cohorts.size <= SMALL_PANEL:  # few units: shuffle all draws at once (no Python loop)
        order = rng.permuted(np.tile(np.arange(cohorts.size), (draws, 1)), axis=1)
        unit = np.sort(order[:, : periods.size], axis=1)
        period = rng.permuted(np.tile(periods, (draws, 1)), axis=1)
        return Draws(unit, period, cohorts.size)
    unit = np.empty((draws, periods.size), dtype=np.int64)
    period = np.empty(unit.shape)
    chosen = np.zeros(cohorts.size, dtype=bool)
    for row in range(draws):
        chosen[rng.choice(cohorts.size, periods.size, replace=False)] = True
        unit[row] = np.flatnonzero(chosen)  # sorted: the estimation reads the tables in order
        chosen[unit[row]] = False
        period[row] = rng.permutation(periods)
    return Draws(unit, period, cohorts.size)


def draw_timing(
    cohorts: np.ndarray, periods: np.ndarray, draws: int, rng: np.random.Generator
) -> Draws:
    """Fake adoption periods for the truly treated units inside the pre-policy window.

    Parameters
    ----------
    cohorts : numpy.ndarray, shape (N,)
        True adoption period per unit (``inf`` = never treated).
    periods : numpy.ndarray
        Candidate fake adoption periods (pre-policy periods after the first one).
    draws : int
        Number of draws.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    Draws
        In each draw every truly treated unit adopts at one common fake period (the policy
        date moved earlier); other units stay untreated.
    """
    fake = rng.choice(periods, size=draws).astype(float)
    treated = np.flatnonzero(np.isfinite(cohorts))
    unit = np.broadcast_to(treated, (draws, treated.size)).copy()
    return Draws(unit, np.broadcast_to(fake[:, None], unit.shape).copy(), cohorts.size)


def draw_both(
    cohorts: np.ndarray, periods: np.ndarray, draws: int, rng: np.random.Generator
) -> Draws:
    """Random units and random adoption periods (the mixed placebo).

    Parameters
    ----------
    cohorts : numpy.ndarray, shape (N,)
        True adoption period per unit; only the number of treated units is kept.
    periods : numpy.ndarray
        Candidate adoption periods (every period but the first).
    draws : int
        Number of draws.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    Draws
        Fake-treated units and their adoption periods per draw.
    """
    units = draw_units(cohorts, draws, rng)
    fake = rng.choice(periods, size=units.unit.shape).astype(float)
    return Draws(units.unit, fake, cohorts.size)


def enumerate_units(cohorts: np.ndarray, limit: int = 1_000_000) -> Draws:
    """Every assignment of the treated units' common cohort to a subset of the same size.

    Parameters
    ----------
    cohorts : numpy.ndarray, shape (N,)
        True adoption periods; all treated units must share one period.
    limit : int
        Refuse to enumerate more assignments than this.

    Returns
    -------
    Draws
        One draw per assignment (``C(N, n_treated)`` of them), the observed one included.
    """
    treated = np.isfinite(cohorts)
    values = np.unique(cohorts[treated])
    if values.size != 1:
        raise PilotdidError(
            "exhaustive randomization inference needs a single adoption period; "
            f"found {values.size} cohorts — use random draws instead"
        )
    n, k = cohorts.size, int(treated.sum())
    total = math.comb(n, k)
    if total > limit:
        raise PilotdidError(
            f"exhaustive randomization inference would need {total:,} regressions "
            f"(C({n}, {k})); use random draws instead"
        )
    unit = np.array(list(itertools.combinations(range(n), k)), dtype=np.int64).reshape(total, k)
    return Draws(unit, np.full(unit.shape, values[0]), n)
