"""Radius (caliper) matching: every control within the caliper, equally weighted per treated unit.

This is psmatch2's ``radius caliper(#)``, which psmatch2 runs as kernel matching with a uniform
kernel whose bandwidth is the caliper; distances equal to the caliper are inside.
"""

from __future__ import annotations

import numpy as np

from pilotdid.errors import MatchingError
from pilotdid.matching.kernel import window_pairs
from pilotdid.matching.nearest import Matches, from_pairs

__all__ = ["radius_match"]


def radius_match(score_t: np.ndarray, score_c: np.ndarray, caliper: float) -> Matches:
    """Match each treated unit to all controls with ``|p_i - p_j| <= caliper``.

    Parameters
    ----------
    score_t, score_c : numpy.ndarray
        Scores of the treated and control units.
    caliper : float
        Radius in score units (must be finite and positive).

    Returns
    -------
    Matches
        Equal weights ``1 / n_i`` over the n_i controls of treated unit i.

    Examples
    --------
    >>> m = radius_match(np.array([0.5]), np.array([0.47, 0.52, 0.7]), 0.05)
    >>> m.control.tolist(), m.weight.tolist()
    ([1, 0], [0.5, 0.5])
    """
    if not np.isfinite(caliper) or caliper <= 0:
        raise MatchingError(
            f"radius matching needs a positive, finite caliper (got {caliper!r}); pass caliper=."
        )
    t, c, d = window_pairs(score_t, score_c, caliper, f"radius matching (caliper {caliper})")
    return from_pairs(t, c, d, len(score_t))
