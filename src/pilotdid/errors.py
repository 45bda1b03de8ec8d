"""Exceptions and warnings raised by pilotdid.

Every user mistake raises a subclass of :class:`PilotdidError` with a one-line message that says
what is wrong, where, and how to fix it. Numerical code never uses ``assert`` on user input.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "EstimationError",
    "MatchingError",
    "MeasureError",
    "PanelError",
    "PilotdidError",
    "PilotdidWarning",
    "StaggeredAdoptionWarning",
    "StudyFileError",
    "did_you_mean",
]


class PilotdidError(Exception):
    """Base class of every error pilotdid raises on bad input or an impossible request."""


class StudyFileError(PilotdidError):
    """The study file (TOML) is malformed, has unknown keys or values of the wrong type."""


class PanelError(PilotdidError):
    """The panel data cannot be used as given (missing columns, duplicate keys, bad types ...)."""


class MatchingError(PilotdidError):
    """Propensity-score matching cannot be carried out as specified."""


class EstimationError(PilotdidError):
    """A regression cannot be estimated as specified (empty sample, bad formula, bad vcov ...)."""


class MeasureError(PilotdidError):
    """Trade records cannot be turned into a measure (missing file or column, mixed HS revisions ...)."""


class PilotdidWarning(UserWarning):
    """A reported, counted adjustment (dropped collinear regressor, singleton, ...)."""


class StaggeredAdoptionWarning(PilotdidWarning):
    """Adoption is staggered (several cohorts): two-way fixed effects may be biased."""


def did_you_mean(name: str, candidates: Iterable[str], n: int = 3) -> str:
    """Return a ``" (did you mean 'x'?)"`` suffix for a misspelled name, or ``""``.

    Parameters
    ----------
    name : str
        The name the user wrote.
    candidates : iterable of str
        The names that exist.
    n : int, default 3
        Maximum number of suggestions.

    Returns
    -------
    str
        A suffix to append to an error message; empty when nothing is close.

    Examples
    --------
    >>> did_you_mean("lnESf", ["lnESF", "FIN"])
    " (did you mean 'lnESF'?)"
    """
    pool = [str(c) for c in candidates]
    close = difflib.get_close_matches(name, pool, n=n, cutoff=0.5)
    if not close:
        lowered = {c.lower(): c for c in pool}
        if name.lower() in lowered:
            close = [lowered[name.lower()]]
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"
