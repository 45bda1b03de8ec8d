"""Built-in map data: a point for each prefecture-level city, and Natural Earth's land.

``city_coordinates.csv`` gives the longitude and latitude of each of the 299 cities of
:func:`pilotdid.datasets.cities` (from the cpca package's copy of the Vonng/adcode data, CC BY
4.0); ``land_50m.csv`` holds Natural Earth's 1:50m land polygons (public domain), coastlines
only. Sources, licences and every change are in ``pilotdid/datasets/geodata/README.md``; the
files were made by ``scripts/build_map_data.py``.

Examples
--------
>>> from pilotdid.datasets.geo import city_coordinates
>>> xy = city_coordinates().set_index("code")
>>> round(float(xy.loc[520100, "lon"]), 1), round(float(xy.loc[520100, "lat"]), 1)  # Guiyang
(106.6, 26.6)
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

__all__ = ["COORDINATE_SOURCE", "LAND_SOURCE", "city_coordinates", "land_rings"]

COORDINATE_SOURCE = "cpca 0.5.5 / Vonng/adcode (CC BY 4.0)"
"""Short attribution of the city points (full text in ``geodata/README.md``)."""

LAND_SOURCE = "Natural Earth 1:50m land (public domain)"
"""Short attribution of the land polygons (full text in ``geodata/README.md``)."""


@cache
def _coordinates() -> pd.DataFrame:
    source = resources.files("pilotdid.datasets").joinpath("geodata", "city_coordinates.csv")
    with source.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, keep_default_na=False, dtype={"note": str})
    return frame.astype({"code": "int64", "lon": "float64", "lat": "float64"})


def city_coordinates() -> pd.DataFrame:
    """Return a point (longitude, latitude) for each prefecture-level city, 2007-2019.

    Returns
    -------
    pandas.DataFrame
        One row per city of :func:`pilotdid.datasets.cities` (299): ``code`` (6-digit GB/T
        2260), ``name_en``, ``lon`` and ``lat`` (decimal degrees; the centre that AMap gives
        for the city, at or near the seat of its government), ``source_code`` (the code looked
        up in the source) and ``note``. A fresh copy: callers may modify it.

    Examples
    --------
    >>> from pilotdid import datasets
    >>> xy = datasets.city_coordinates()
    >>> len(xy), bool(xy[["lon", "lat"]].notna().all().all())
    (299, True)
    """
    return _coordinates().copy()


@cache
def land_rings() -> tuple[np.ndarray, ...]:
    """Return Natural Earth's 1:50m land polygons as ``(n, 2)`` arrays of lon/lat vertices.

    Rings cut by Natural Earth at the 180th meridian are joined again, so some longitudes run
    past 180 (draw such a ring once more shifted by -360 where the view needs it). The arrays
    are read-only and shared.

    Returns
    -------
    tuple of numpy.ndarray

    Examples
    --------
    >>> rings = land_rings()
    >>> len(rings) > 500, rings[0].shape[1]
    (True, 2)
    """
    source = resources.files("pilotdid.datasets").joinpath("geodata", "land_50m.csv")
    with source.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype={"ring": "int64", "lon": "float64", "lat": "float64"})
    ring = frame["ring"].to_numpy()
    xy = frame[["lon", "lat"]].to_numpy()
    cuts = np.flatnonzero(np.diff(ring)) + 1
    out = tuple(np.split(xy, cuts))
    for part in out:
        part.flags.writeable = False
    return out
