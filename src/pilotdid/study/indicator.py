"""``treatment.indicator``: the roster read off a 0/1 column of the data.

Each unit adopts in its first period with 1 (:mod:`pilotdid.panel.indicator`). A unit whose
indicator switches off (1, then 0) is an error naming the units, unless
``treatment.allow_switch_off = true``: then each unit's first adoption is kept (the treatment is
absorbing from then on, as the DID assumes) and the run notes how many units switched off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pilotdid.errors import PanelError
from pilotdid.panel.indicator import indicator_adoption
from pilotdid.study.config_messages import study_error

if TYPE_CHECKING:
    import pandas as pd

    from pilotdid.study.config import Study

__all__ = ["indicator_roster"]


def indicator_roster(study: Study, frame: pd.DataFrame, notes: list[str]) -> pd.Series:
    """Return unit -> adoption period from ``treatment.indicator`` (the data before filters).

    Raises
    ------
    StudyFileError
        The indicator is not 0/1, or it switches off in some units (listed, with their count)
        and ``treatment.allow_switch_off`` is false.
    """
    cfg = study.config
    t = cfg.treatment
    column = str(t.indicator)
    try:
        read = indicator_adoption(frame, column, unit=cfg.unit, time=cfg.time)
    except PanelError as exc:
        raise study_error(study.name, [f"treatment.indicator: {exc}"]) from None
    if read.switch_off and not t.allow_switch_off:
        raise study_error(
            study.name,
            [
                f"treatment.indicator: {read.switch_off_message(column)}; a DID needs an "
                "absorbing treatment (once 1, always 1). Fix the column, or set "
                "treatment.allow_switch_off = true to keep each unit's first adoption"
            ],
        )
    if read.switch_off:
        n = len(read.switch_off)
        notes.append(
            f"{read.switch_off_message(column)}; treatment.allow_switch_off = true: each "
            f"unit's first adoption is kept and it counts as treated from then on ({n:,} "
            "unit(s) affected)"
        )
    notes.append(
        f"adoption periods read from the indicator {column!r}: {len(read.adoption):,} unit(s) "
        "ever treated (first period with 1)"
    )
    return read.adoption
