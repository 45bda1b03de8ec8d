"""Built-in data: China's prefecture-level cities, the big data pilot-zone roster, the demo panel.

``cities()`` and ``bigdata_roster()`` are real reference tables (sources in
``pilotdid/panel/rosters/README.md``); ``city_coordinates()`` places each city on the map
(sources and licences in ``pilotdid/datasets/geodata/README.md``). ``demo_panel()`` is **synthetic data - not real
statistics**: 280 real city codes and the real pilot roster, with outcomes and covariates drawn
from a documented data-generating process whose true effects are known.

Examples
--------
>>> from pilotdid import datasets
>>> demo = datasets.demo_panel(seed=2024)
>>> demo.data.shape[0], round(demo.true_effects["TP_x_freedom"], 3)
(3025, -0.012)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from pilotdid.datasets.demo import BETA_LNESF, BETA_TFP, COVARIATES, DemoTruth, simulate_demo
from pilotdid.datasets.geo import city_coordinates
from pilotdid.errors import PanelError
from pilotdid.options import LaterZonesYear, RosterDefinition, validate_option
from pilotdid.panel.rosters import bigdata_roster_table, cities_table

__all__ = [
    "DEMO_EXCLUDED",
    "SYNTHETIC_NOTE",
    "DemoPanel",
    "bigdata_roster",
    "cities",
    "city_coordinates",
    "demo_panel",
]

SYNTHETIC_NOTE = "synthetic data — not real statistics"

DEMO_YEARS = np.arange(2007, 2020, dtype=np.int64)
DEMO_ROWS = 3025  # the paper's Table 1 N

DEMO_EXCLUDED: Mapping[int, str] = MappingProxyType(
    {
        540100: "Lhasa: Tibet has no continuous city-level statistics for 2007-2019",
        340100: "Hefei: absorbed part of the abolished Chaohu in 2011 (boundary break)",
        340200: "Wuhu: absorbed part of the abolished Chaohu in 2011 (boundary break)",
        340500: "Ma'anshan: absorbed part of the abolished Chaohu in 2011 (boundary break)",
        370100: "Jinan: absorbed the former Laiwu in 2019 (boundary break)",
    }
)
"""Cities that exist throughout 2007-2019 but are left out of the demo's 280, with the reason."""


def cities(year: int | None = None) -> pd.DataFrame:
    """Return China's prefecture-level-and-higher cities 2007-2019 (real reference data).

    Parameters
    ----------
    year : int, optional
        Keep only the cities that existed as prefecture-level cities in this year (2007-2019).

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (6-digit GB/T 2260), ``name_zh``, ``name_en``, ``province_code``,
        ``province_zh``, ``province_en``, ``autonomous_region``, ``tier``,
        ``provincial_capital``, ``valid_from``, ``valid_to`` (missing = open),
        ``successor_code``, ``note``.

    Examples
    --------
    >>> from pilotdid import datasets
    >>> len(datasets.cities(2007)), len(datasets.cities(2019))
    (287, 297)
    """
    return cities_table(year)


def bigdata_roster(
    definition: RosterDefinition = "provinces", later_zones_year: LaterZonesYear = 2017
) -> pd.DataFrame:
    """Return the national big data pilot zones' treated cities (real reference data).

    Parameters
    ----------
    definition : {"provinces", "cities"}, default "provinces"
        ``"cities"``: the 57 cities the eight zones list; ``"provinces"``: all 82 prefecture-level
        cities of the ten provincial units hosting a zone (Guizhou, Beijing, Tianjin, Hebei,
        Guangdong, Shanghai, Henan, Chongqing, Liaoning, Inner Mongolia).
    later_zones_year : {2017, 2016}, default 2017
        Adoption year of the seven zones approved on 2016-10-08; Guizhou always adopts in 2016.

    Returns
    -------
    pandas.DataFrame
        ``code``, ``name_zh``, ``name_en``, ``province_code``, ``zone``, ``zone_zh``,
        ``zone_type``, ``approval_date``, ``adoption_year``.

    Examples
    --------
    >>> from pilotdid import datasets
    >>> roster = datasets.bigdata_roster("provinces")
    >>> len(roster), roster["adoption_year"].value_counts().sort_index().to_dict()
    (82, {2016: 6, 2017: 76})
    """
    return bigdata_roster_table(definition, later_zones_year)


@dataclass(frozen=True, eq=False)
class DemoPanel:
    """The synthetic demo panel with its known truth. Synthetic data - not real statistics.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per city-year (``code``, ``year`` unique): ``code``, ``city``, ``city_zh``,
        ``province``, ``year``, ``treat`` (pilot group, 0/1), ``adoption_year`` (<NA> if never),
        ``TP`` (``treat x post``), ``lnESF``, the controls ``lnHCL FIN lnPERgdp HUM MAR lnAOL
        lnFINA``, ``freedom``, ``RD`` (NaN in about 7.5 % of rows) and ``TFP``. Its ``attrs``
        repeat the note, the seed and the true effects.
    true_effects : mapping of str to float
        ``lnESF`` (sample ATT of ``TP``), ``lnESF_at_mean_freedom``, ``TP_x_freedom``, ``RD``,
        ``TFP`` and ``freedom_mean`` (the centring constant for the interaction).
    description : str
        The data-generating process in words, starting with the synthetic-data note.
    roster : pandas.DataFrame
        The treated cities of the panel with ``code``, ``zone`` and ``adoption_year``.
    seed : int or None
        The seed the panel was drawn with (None when a Generator was passed).
    parameters : mapping
        The DGP's coefficients (controls in ``lnESF`` and ``TFP``).
    """

    data: pd.DataFrame = field(repr=False)
    true_effects: Mapping[str, float]
    description: str = field(repr=False)
    roster: pd.DataFrame = field(repr=False)
    seed: int | None
    parameters: Mapping[str, Any] = field(repr=False)

    def __repr__(self) -> str:
        n_units = self.data["code"].nunique()
        return (
            f"DemoPanel({SYNTHETIC_NOTE}; {len(self.data)} rows, {n_units} cities, "
            f"{self.data['year'].min()}-{self.data['year'].max()}, seed={self.seed}, "
            f"true_effects={dict(self.true_effects)})"
        )


def demo_panel(
    seed: int | np.random.Generator = 2024,
    *,
    definition: RosterDefinition = "provinces",
    later_zones_year: LaterZonesYear = 2017,
) -> DemoPanel:
    """Draw the synthetic demo panel: 280 real cities x 2007-2019, 3,025 rows, known effects.

    The cities, codes and pilot roster are real; every number is synthetic. Covariate means and
    SDs equal the paper's Table 1; the treated share of rows is close to its 0.2873. The
    outcomes follow a two-way fixed-effects DGP (see :mod:`pilotdid.datasets.demo`) with selection
    into treatment on covariates, a pre-existing ``FIN`` trend in treated cities (so controls
    matter) and controls unaffected by treatment (so a TWFE DID with controls is unbiased).

    Parameters
    ----------
    seed : int or numpy.random.Generator, default 2024
        Same integer seed, identical panel (byte for byte).
    definition : {"provinces", "cities"}, default "provinces"
        Which roster definition assigns treatment (see :func:`bigdata_roster`).
    later_zones_year : {2017, 2016}, default 2017
        Adoption year of the zones approved in October 2016.

    Returns
    -------
    DemoPanel

    Raises
    ------
    PanelError
        If ``seed`` is not a non-negative integer or a Generator, or an option is not allowed.

    Examples
    --------
    >>> from pilotdid import datasets
    >>> demo = datasets.demo_panel(seed=7)
    >>> demo.data[["code", "year"]].duplicated().any()
    np.False_
    """
    validate_option(definition, RosterDefinition, "definition", PanelError)
    validate_option(later_zones_year, LaterZonesYear, "later_zones_year", PanelError)
    root, seed_value = _seed_sequence(seed)
    units = _demo_units()
    roster = bigdata_roster_table(definition, later_zones_year)
    roster = roster.loc[roster["code"].isin(units["code"])].reset_index(drop=True)
    adoption = units["code"].map(roster.set_index("code")["adoption_year"])
    treated = adoption.notna().to_numpy()
    adoption_year = adoption.fillna(0).to_numpy(dtype=np.int64)
    truth = DemoTruth()
    sim = simulate_demo(treated, adoption_year, DEMO_YEARS, DEMO_ROWS, root, truth)
    data = _assemble(units, treated, adoption_year, sim)
    effects = MappingProxyType({"lnESF": sim.att_lnESF, **asdict(truth)})
    description = _describe(definition, later_zones_year, effects)
    data.attrs.update(
        synthetic=True,
        note=SYNTHETIC_NOTE,
        description=description,
        seed=seed_value,
        true_effects=dict(effects),
    )
    parameters = MappingProxyType(
        {"beta_lnESF": dict(BETA_LNESF), "beta_TFP": dict(BETA_TFP), "covariates": COVARIATES}
    )
    return DemoPanel(
        data,
        effects,
        description,
        roster[["code", "name_en", "zone", "adoption_year"]],
        seed_value,
        parameters,
    )


def _seed_sequence(seed: int | np.random.Generator) -> tuple[np.random.SeedSequence, int | None]:
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(int(seed.integers(0, 2**63))), None
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise PanelError(
            f"seed={seed!r} cannot seed the demo panel; pass a non-negative integer "
            "or a numpy.random.Generator."
        )
    return np.random.SeedSequence(int(seed)), int(seed)


def _demo_units() -> pd.DataFrame:
    """Return the 280 demo cities: cities throughout 2007-2019 less the documented exclusions."""
    table = cities_table()
    whole = table["valid_from"].isna() & table["valid_to"].isna()
    units = table.loc[whole & ~table["code"].isin(list(DEMO_EXCLUDED))]
    return units[["code", "name_en", "name_zh", "province_en"]].reset_index(drop=True)


def _assemble(
    units: pd.DataFrame, treated: np.ndarray, adoption_year: np.ndarray, sim: Any
) -> pd.DataFrame:
    pick = units.iloc[sim.unit].reset_index(drop=True)
    adoption = pd.Series(adoption_year[sim.unit], dtype="Int64")
    frame = pd.DataFrame(
        {
            "code": pick["code"].to_numpy(dtype=np.int64),
            "city": pick["name_en"],
            "city_zh": pick["name_zh"],
            "province": pick["province_en"],
            "year": sim.year,
            "treat": treated[sim.unit].astype(np.int64),
            "adoption_year": adoption.where(treated[sim.unit], pd.NA),
            "TP": sim.tp,
        }
    )
    order = ["lnESF", *COVARIATES, "freedom", "RD", "TFP"]
    return frame.assign(**{name: sim.columns[name] for name in order})


def _describe(definition: str, later_zones_year: int, effects: Mapping[str, float]) -> str:
    return (
        f"{SYNTHETIC_NOTE.capitalize()}. 280 real prefecture-level cities (codes and names "
        "real), 2007-2019, thinned at random to 3,025 city-years (poorer cities and the first "
        f"and last years miss more rows). Treated: the big data pilot roster, definition "
        f"'{definition}', Guizhou from 2016 and the other zones from {later_zones_year}. "
        "Covariates lnHCL FIN lnPERgdp HUM MAR lnAOL lnFINA and freedom = city effects + year "
        "effects + AR(1) noise, never affected by TP, winsorised at 1%/99% and rescaled to the "
        "paper's Table 1 means and SDs (freedom, absent from Table 1: mean 9.93, SD 1.55, "
        "implied by Table 5); treated cities are richer (selection on covariates) "
        "and their FIN grows faster over the whole period (so the DID without controls is "
        "biased upwards). lnESF = city + year effects + the paper's control coefficients "
        "(Table 3 col. 2; freedom 0.0287) + TP x (effect at mean freedom + slope x centred "
        "freedom) + AR(1) noise; RD and TFP = city + year effects (+ controls for TFP) + a "
        f"constant TP effect + noise; RD is missing at random in 7.5% of rows. True effects: "
        f"ATT on lnESF {effects['lnESF']:.4f}, at mean freedom "
        f"{effects['lnESF_at_mean_freedom']:.4f}, TP x freedom {effects['TP_x_freedom']:.4f} "
        f"(freedom centred at {effects['freedom_mean']:.2f}), RD {effects['RD']:.4f}, "
        f"TFP {effects['TFP']:.4f}."
    )
