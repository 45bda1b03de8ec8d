"""The one protocol that connects every result type to the tables.

Tables never import estimators: anything with a ``model_summary()`` method returning a
:class:`ModelSummary` can be a column of :func:`pilotdid.etable`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import pandas as pd

__all__ = ["COEF_COLUMNS", "ModelSummary", "SupportsModelSummary"]

#: Columns of :attr:`ModelSummary.coefs`, in this order.
COEF_COLUMNS = ("estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high")


@dataclass(frozen=True)
class ModelSummary:
    """What a regression table needs from one estimated model.

    Attributes
    ----------
    coefs : pandas.DataFrame
        One row per coefficient (index: term name, in model order) with the columns
        :data:`COEF_COLUMNS`; ``conf_low``/``conf_high`` are 95 % bounds.
    depvar : str
        Name of the dependent variable.
    fixef : tuple of str
        Names of the absorbed fixed effects, e.g. ``("city", "year")``.
    vcov_label : str
        Human-readable variance estimator, e.g. ``"clustered by city"``.
    nobs : int
        Number of observations used in the estimation.
    stats : mapping of str to float
        Fit statistics by key: ``r2``, ``r2_within``, ``adj_r2``, ``n_clusters`` ... (NaN or absent
        when not defined).
    title : str or None
        Optional model title (e.g. a subsample name such as ``"High RD"``).
    extra_rows : mapping of str to str
        Optional extra indicator rows (e.g. ``{"Sample": "matched"}``).
    collinear : tuple of str
        Regressors the model dropped as collinear (the table notes name them).
    absorbed : tuple of str
        The part of ``collinear`` absorbed by the fixed effects alone.
    """

    coefs: pd.DataFrame
    depvar: str
    fixef: tuple[str, ...] = ()
    vcov_label: str = ""
    nobs: int = 0
    stats: Mapping[str, float] = field(default_factory=dict)
    title: str | None = None
    extra_rows: Mapping[str, str] = field(default_factory=dict)
    collinear: tuple[str, ...] = ()
    absorbed: tuple[str, ...] = ()

    def _repr_html_(self) -> str:
        from pilotdid._text import html_summary

        fe = f"; fixed effects: {', '.join(self.fixef)}" if self.fixef else ""
        vc = f"; {self.vcov_label}" if self.vcov_label else ""
        line = f"{self.title or self.depvar}: N = {self.nobs:,}{fe}{vc}"
        return html_summary(
            line, self.coefs.to_html(float_format=lambda v: f"{v:.4g}", escape=True)
        )


@runtime_checkable
class SupportsModelSummary(Protocol):
    """Any result that can be a column of a regression table."""

    def model_summary(self) -> ModelSummary:
        """Return the table-facing summary of this result."""
        ...
