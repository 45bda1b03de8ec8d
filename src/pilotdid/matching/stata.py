"""Write a :class:`~pilotdid.matching.result.MatchResult` as a Stata data set with psmatch2's variables.

The matched panel keeps every input row, as psmatch2 does, so a Stata user can go on with
``pstest``, ``psgraph`` or ``drop if _weight == .`` exactly as after ``psmatch2``.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from pilotdid.tables.stata import DtaFile, write_dta

if TYPE_CHECKING:
    from pilotdid.matching.result import MatchResult

__all__ = ["PSMATCH2_LABELS", "psmatch2_label", "write_match_dta"]

#: Variable labels of psmatch2's variables (their meaning as in psmatch2's help file; ``_id``
#: and ``_n#`` are 0-based row positions in pilotdid).
PSMATCH2_LABELS = {
    "_pscore": "psmatch2: propensity score",
    "_treated": "psmatch2: treatment assignment (1 treated, 0 control)",
    "_support": "psmatch2: on common support (1 on, 0 off, . not matched)",
    "_weight": "psmatch2: weight of matched obs. (1 treated; . not used)",
    "_id": "psmatch2: identifier (0-based row position)",
    "_nn": "psmatch2: number of matched controls",
    "_pdif": "psmatch2: abs(pscore - pscore of nearest matched control)",
}
_NEIGHBOUR = re.compile(r"^_n(\d+)$")


def psmatch2_label(name: str) -> str | None:
    """Return the variable label of a psmatch2 variable (None for other columns).

    Examples
    --------
    >>> psmatch2_label("_n2"), psmatch2_label("gdp")
    ('psmatch2: _id of matched control no. 2', None)
    """
    found = _NEIGHBOUR.match(name)
    if found:
        return f"psmatch2: _id of matched control no. {found[1]}"
    return PSMATCH2_LABELS.get(name)


def write_match_dta(result: MatchResult, path: str | os.PathLike[str]) -> DtaFile:
    """Write ``result.data`` (every input row plus psmatch2's variables) to ``path``.

    See :meth:`pilotdid.matching.result.MatchResult.to_stata`.
    """
    labels: dict[str, str] = {}
    for col in result.data.columns:
        label = psmatch2_label(str(col))
        if label is not None:
            labels[str(col)] = label
    s = result.spec
    how = s.method if s.method != "nearest" else f"{s.k}-nearest neighbour"
    data_label = f"pilotdid match: {how}, {s.model} score on {', '.join(result.covariates)}"
    return write_dta(result.data, path, labels=labels, data_label=data_label)
