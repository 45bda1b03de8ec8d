"""Random placebo treatment assignments, drawn at the unit level.

Each draw is a vector of fake adoption periods, one per unit (``inf`` = not treated in that
draw). All draws are made up front from one generator, so the same seed gives the same draws
whatever the chunking of the estimation that follows.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from pilotdid.errors import PilotdidError

__all__ = ["draw_both", "draw_timing", "draw_units", "enumerate_units"]


def draw_units(cohorts: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
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
    numpy.ndarray, shape (R, N)
        Fake adoption period per draw and unit: the true cohorts, shuffled across units.

    Examples
    --------
    >>> out = draw_units(np.array([2016.0, np.inf, np.inf]), 4, np.random.default_rng(0))
    >>> out.shape, int(np.isfinite(out).sum(axis=1).max())
    ((4, 3), 1)
    """
    # a random permutation of the cohort vector per draw: the treated count and the
    # distribution of adoption periods are kept, the identity of the treated units is not
    return rng.permuted(np.broadcast_to(cohorts, (draws, cohorts.size)), axis=1)


def draw_timing(
    cohorts: np.ndarray, periods: np.ndarray, draws: int, rng: np.random.Generator
) -> np.ndarray:
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
    numpy.ndarray, shape (R, N)
        In each draw every truly treated unit adopts at one common fake period (the policy
        date moved earlier); other units stay untreated.
    """
    fake = rng.choice(periods, size=draws)
    treated = np.isfinite(cohorts)
    return np.where(treated[None, :], fake[:, None].astype(float), np.inf)


def draw_both(
    cohorts: np.ndarray, periods: np.ndarray, draws: int, rng: np.random.Generator
) -> np.ndarray:
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
    numpy.ndarray, shape (R, N)
        Fake adoption period per draw and unit.
    """
    units = draw_units(cohorts, draws, rng)
    fake = rng.choice(periods, size=units.shape).astype(float)
    return np.where(np.isfinite(units), fake, np.inf)


def enumerate_units(cohorts: np.ndarray, limit: int = 1_000_000) -> np.ndarray:
    """Every assignment of the treated units' common cohort to a subset of the same size.

    Parameters
    ----------
    cohorts : numpy.ndarray, shape (N,)
        True adoption periods; all treated units must share one period.
    limit : int
        Refuse to enumerate more assignments than this.

    Returns
    -------
    numpy.ndarray, shape (C(N, n_treated), N)
        One row per assignment, the observed one included.
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
    out = np.full((total, n), np.inf)
    for row, subset in enumerate(itertools.combinations(range(n), k)):
        out[row, list(subset)] = values[0]
    return out
