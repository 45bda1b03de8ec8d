"""The regression specification of ``[model]`` as the stages use it.

One place turns the study file's keys into estimator arguments: the fixed effects
(``"province^year"`` is an interaction), the columns they name, the regression weights
(``model.weights``, times the matching weights when ``matching.sample = "weights"``) and the
checks of the weight column against the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pilotdid.estimation import formula

if TYPE_CHECKING:
    from pilotdid.study.config_schema import StudyConfig

__all__ = [
    "COMBINED_WEIGHT",
    "fixef_columns",
    "fixef_terms",
    "regression_weights",
    "weight_problems",
]

#: Column added to the sample when model.weights and matching weights are multiplied.
COMBINED_WEIGHT = "_weight_x_model"


def fixef_terms(cfg: StudyConfig) -> list[str | tuple[str, ...]]:
    """``model.fixed_effects`` for :func:`~pilotdid.estimation.formula.build_formula`."""
    return formula.fixef_terms(cfg.model.fixed_effects or [])


def fixef_columns(cfg: StudyConfig) -> list[str]:
    """Every column the fixed effects name, each once (``"province^year"`` names two)."""
    return formula.fixef_columns(cfg.model.fixed_effects or [])


def regression_weights(
    cfg: StudyConfig, sample: pd.DataFrame, matching_weights: str | None
) -> tuple[pd.DataFrame, str | None]:
    """Return the sample and the weight column every regression stage uses.

    ``model.weights`` alone, the matching weights alone, or their product (in the added
    column :data:`COMBINED_WEIGHT`) when both are set; None when neither is.
    """
    w = cfg.model.weights
    if w is None:
        return sample, matching_weights
    if matching_weights is None:
        return sample, w
    product = pd.to_numeric(sample[matching_weights], errors="coerce") * pd.to_numeric(
        sample[w], errors="coerce"
    )
    return sample.assign(**{COMBINED_WEIGHT: product}), COMBINED_WEIGHT


def _varies_within_units(cfg: StudyConfig, frame: pd.DataFrame, column: str) -> int:
    values = pd.to_numeric(frame[column], errors="coerce")
    spread = values.groupby(frame[cfg.unit], sort=False).agg(["min", "max"])
    return int((spread["max"] > spread["min"]).sum())


def weight_problems(cfg: StudyConfig, frame: pd.DataFrame, n_cohorts: int) -> list[str]:
    """Problems of ``model.weights`` in the data, each with its key path.

    Negative or all-zero weights; and weights that vary within units while the
    Callaway–Sant'Anna estimator (one weight per unit, as R ``did``) would run.
    """
    w = cfg.model.weights
    if w is None or w not in frame.columns:
        return []
    values = pd.to_numeric(frame[w], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    out = []
    negative = int((values < 0).sum())
    if negative:
        out.append(f"model.weights: column {w!r} has {negative:,} negative value(s)")
    elif not np.nansum(values) > 0:
        out.append(f"model.weights: column {w!r} is zero or missing in every row")
    st = cfg.staggered
    cs_runs = "cs" in st.estimators and (
        st.enabled is True or (st.enabled == "auto" and n_cohorts > 1)
    )
    varying = _varies_within_units(cfg, frame, w) if cs_runs else 0
    if varying:
        out.append(
            f"model.weights: {w!r} varies within {varying:,} unit(s), but the staggered "
            'estimator "cs" (Callaway-Sant\'Anna) takes one weight per unit; use a weight '
            'fixed per unit (e.g. base-year population), remove "cs" from '
            "staggered.estimators, or set staggered.enabled = false"
        )
    return out
