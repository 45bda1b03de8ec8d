"""``[measures]``: build the outcome column from raw trade records before the analysis runs.

With this section the study file covers the whole paper: PRODY from world trade records, EXPY
of each region from its export records, optionally the paper's city index (tertiary share x
provincial EXPY), its log written into the panel as ``column``, then every table.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from pilotdid.options import MeasureEngine

__all__ = ["MeasuresConfig"]


class MeasuresConfig(BaseModel):
    """``[measures]``: PRODY/EXPY inputs, their columns, and the panel column they fill.

    Like every section: unknown keys are errors and values keep their TOML types.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    column: str
    trade: str | list[str]
    gdp: str
    regional: str | list[str] | None = None
    level: str | None = None
    engine: MeasureEngine = "duckdb"
    year: str = "t"
    exporter: str = "i"
    product: str = "k"
    value: str = "v"
    quantity: str | None = None
    gdp_value: str = "gdppc"
    regional_year: str | None = None
    regional_product: str | None = None
    regional_value: str | None = None
    regional_digits: Annotated[int, Field(ge=2, le=12)] = 6
    years: list[int] | None = None
    window: Annotated[int, Field(gt=0)] | None = None
    min_exports: Annotated[float, Field(ge=0)] = 0.0
    quality_adjusted: bool = False
    tertiary: str | None = None
    province: str | None = None
    log: bool = True
