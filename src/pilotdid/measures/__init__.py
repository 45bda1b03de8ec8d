"""Export sophistication from raw trade records: PRODY, EXPY, RCA and the paper's city index.

The computation is written once, as SQL (:mod:`pilotdid.measures._sql`), and runs in DuckDB
(embedded, the default: reads Parquet/CSV in place, spills to disk beyond memory) or on a
Spark session (``engine="spark"``, ``pip install 'pilotdid[spark]'``). Neither engine is
imported before a measure is computed.

Examples
--------
>>> import pandas as pd
>>> import pilotdid
>>> trade = pd.DataFrame({"t": 2019, "i": ["A", "B"], "k": ["010121", "010121"], "v": [1.0, 3.0]})
>>> gdp = pd.DataFrame({"t": 2019, "i": ["A", "B"], "gdppc": [10.0, 30.0]})
>>> float(pilotdid.measures.prody(trade, gdp).data["prody"].iloc[0])
20.0
"""

from pilotdid.measures._common import MeasureResult
from pilotdid.measures.build import ExpyInputs, build_expy
from pilotdid.measures.expy import city_esf, expy
from pilotdid.measures.prody import prody, rca

__all__ = ["ExpyInputs", "MeasureResult", "build_expy", "city_esf", "expy", "prody", "rca"]
