"""The map of the pilot units: treated units coloured by adoption cohort, controls in grey.

Applied papers on place-based policies open with such a map. Points are the built-in seats of
China's prefecture-level cities (:func:`pilotdid.datasets.geo.city_coordinates`) or the user's
own ``lon``/``lat`` columns; the background is Natural Earth's land (coastlines only, no
boundaries). The projection is plain longitude/latitude with the aspect ``1 / cos(mean
latitude)``, so shapes near the map's centre keep their proportions.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pilotdid.datasets.geo import city_coordinates, land_rings
from pilotdid.errors import PanelError, PilotdidWarning
from pilotdid.panel.adoption import require_columns, unit_cohorts
from pilotdid.tables.fonts import in_figure_language
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["CHINA_EXTENT", "pilot_map", "unit_points"]

#: lon min, lon max, lat min, lat max of a map with the built-in city points.
CHINA_EXTENT = (73.0, 136.0, 17.0, 54.0)

_SHOWN = 5  # units named in a note before "..."
_CONTROL = "#8c8c8c"
_LAND = ("#f2f2f0", "#9fa8b0")  # fill, coastline
_SEA = "#eaf1f7"


def unit_points(
    data: pd.DataFrame, unit: Hashable, lon: Hashable | None = None, lat: Hashable | None = None
) -> pd.DataFrame:
    """Return one point per unit: the ``lon``/``lat`` columns, or the built-in city seats.

    Parameters
    ----------
    data : pandas.DataFrame
        A panel or a table with one row per unit (never modified).
    unit : str
        The unit column. Without ``lon``/``lat`` its values are read as 6-digit city codes
        (``pilotdid.datasets.cities()``; integers or digit strings).
    lon, lat : str, optional
        Columns with each unit's longitude and latitude in decimal degrees (both or neither).

    Returns
    -------
    pandas.DataFrame
        Indexed by unit (order of first appearance): ``lon`` and ``lat``, NaN for a unit without
        a point.

    Raises
    ------
    PanelError
        If a column is missing, only one of ``lon``/``lat`` is given, the coordinates are not
        numbers in range or differ within a unit.

    Examples
    --------
    >>> frame = pd.DataFrame({"code": [520100, 999999]})
    >>> unit_points(frame, "code").round(1).to_dict("index")
    {520100: {'lon': 106.6, 'lat': 26.6}, 999999: {'lon': nan, 'lat': nan}}
    """
    if (lon is None) != (lat is None):
        raise PanelError("pilot_map(): give both lon= and lat= (or neither, for city codes).")
    require_columns(data, [unit] + ([lon, lat] if lon is not None else []))
    units = pd.Index(data[unit].dropna().unique())
    if lon is None or lat is None:
        seats = city_coordinates().set_index("code")[["lon", "lat"]]
        codes = pd.Series([_as_code(u) for u in units], index=units, dtype="Int64")
        return seats.reindex(codes.to_numpy()).set_axis(units)
    out = {}
    for column, bound in ((lon, 360.0), (lat, 90.0)):
        values = data[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            raise PanelError(f"pilot_map(): column {column!r} must hold numbers (decimal degrees).")
        per_unit = values.groupby(data[unit], sort=False)
        varying = per_unit.nunique()
        if (varying > 1).any():
            raise PanelError(
                f"pilot_map(): column {column!r} differs within unit(s) "
                f"{_names(varying.index[varying > 1])}; give one point per unit."
            )
        first = per_unit.first().reindex(units).astype("float64")
        if (first.abs() > bound).any():
            raise PanelError(
                f"pilot_map(): column {column!r} has values beyond +/-{bound:g} degrees "
                f"(units {_names(first.index[first.abs() > bound])}); give decimal degrees."
            )
        out["lon" if column == lon else "lat"] = first
    return pd.DataFrame(out, index=units)


def _as_code(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _names(units: pd.Index) -> str:
    shown = ", ".join(str(u) for u in units[:_SHOWN])
    return shown + (f", ... ({len(units)} in all)" if len(units) > _SHOWN else "")


def _groups(
    data: pd.DataFrame,
    unit: Hashable,
    cohort: Hashable | None,
    treated: Hashable | None,
    time: Hashable | None,
) -> pd.Series:
    """Adoption period per unit (``Int64``, <NA> never) or, with ``treated``, 1/0 per unit."""
    if (cohort is None) == (treated is None):
        raise PanelError(
            "pilot_map(): give cohort= (each unit's adoption period, colours by wave) "
            "or treated= (a 0/1 treated-group column), not both and not neither."
        )
    if cohort is not None:
        return unit_cohorts(data, unit, cohort, time=time)
    require_columns(data, [unit, treated])
    flag = pd.to_numeric(data[treated], errors="coerce")
    bad = ~(flag.isin([0, 1]) | data[treated].isna())
    if bad.any():
        raise PanelError(
            f"pilot_map(): column {treated!r} must be 0/1; found {data[treated][bad].iloc[0]!r}."
        )
    ever = flag.groupby(data[unit], sort=False).max()
    return ever.fillna(0).astype("int64")


@in_figure_language
def pilot_map(
    data: pd.DataFrame,
    *,
    unit: str,
    cohort: str | None = None,
    treated: str | None = None,
    time: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    title: str | None = None,
    basemap: bool = True,
    language: str = "en",
) -> Figure:
    """Map the units: treated ones coloured by adoption cohort (wave), controls in grey.

    Parameters
    ----------
    data : pandas.DataFrame
        A panel or one row per unit (never modified).
    unit : str
        The unit column; without ``lon``/``lat``, 6-digit codes of China's prefecture-level
        cities (:func:`pilotdid.datasets.cities`), placed at their built-in seats.
    cohort : str, optional
        Each unit's adoption period (missing, 0 or +inf: never treated); one colour per cohort.
    treated : str, optional
        A 0/1 treated-group column instead of ``cohort`` (a unit with a 1 in any row is treated);
        one colour for all treated units.
    time : str, optional
        The period column (with ``cohort``: refuses a cohort of 0 when 0 is a period).
    lon, lat : str, optional
        The units' own longitude and latitude columns (decimal degrees), for units that are not
        Chinese cities or to override the built-in points.
    title : str, optional
        Figure title; default: the number of treated and control units.
    basemap : bool, default True
        Draw Natural Earth's land (coastlines only) behind the points.
    language : {"en", "zh"}
        Language of the labels and the note.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (not shown). Its note names the source of every point and line; units
        without a point are counted and named there and in a :class:`PilotdidWarning`.

    Raises
    ------
    PanelError
        If a column is missing or malformed, neither or both of ``cohort``/``treated`` are
        given, or no unit has a point.

    Examples
    --------
    >>> from pilotdid import datasets
    >>> demo = datasets.demo_panel(seed=1).data
    >>> fig = pilot_map(demo, unit="code", cohort="adoption_year")
    >>> fig.axes[0].get_title()
    '80 treated and 200 control units'
    """
    from matplotlib.figure import Figure

    groups = _groups(data, unit, cohort, treated, time)
    points = unit_points(data, unit, lon, lat).reindex(groups.index)
    missing = points.index[points["lon"].isna() | points["lat"].isna()]
    if len(missing) == len(points):
        how = (
            ""
            if lon is not None
            else (
                "; its values are not 6-digit city codes of pilotdid.datasets.cities(): "
                "give the units' coordinates with lon= and lat="
            )
        )
        raise PanelError(f"pilot_map(): no unit of column {unit!r} has a point{how}.")
    if len(missing):
        warnings.warn(
            f"pilot_map(): {len(missing)} of {len(points)} units have no coordinates and are "
            f"not shown: {_names(missing)}.",
            PilotdidWarning,
            stacklevel=3,
        )
    shown = points.drop(index=missing)
    groups = groups.drop(index=missing)
    fig = Figure(figsize=(7.4, 6.2), dpi=150)
    ax = fig.add_subplot()
    extent = _extent(shown, builtin=lon is None)
    if basemap:
        _draw_land(ax, extent)
    n_treated = _draw_points(ax, shown, groups, by_cohort=cohort is not None, language=language)
    _frame(ax, extent, basemap=basemap)
    ax.set_title(
        title
        if title is not None
        else text("fig.map.title", language, treated=n_treated, control=len(shown) - n_treated)
    )
    fig.text(0.01, 0.01, _note(lon, lat, basemap, missing, len(points), language),
             fontsize=6.5, color="#555555", ha="left", va="bottom", wrap=True)  # fmt: skip
    fig.subplots_adjust(left=0.08, right=0.98, top=0.94, bottom=0.12)
    return fig


def _extent(points: pd.DataFrame, *, builtin: bool) -> tuple[float, float, float, float]:
    x, y = points["lon"].to_numpy(), points["lat"].to_numpy()
    x0, x1, y0, y1 = float(x.min()), float(x.max()), float(y.min()), float(y.max())
    pad_x, pad_y = max(1.0, 0.08 * (x1 - x0)), max(1.0, 0.08 * (y1 - y0))
    x0, x1, y0, y1 = x0 - pad_x, x1 + pad_x, max(-89.0, y0 - pad_y), min(89.0, y1 + pad_y)
    if builtin:
        cx0, cx1, cy0, cy1 = CHINA_EXTENT
        x0, x1, y0, y1 = min(x0, cx0), max(x1, cx1), min(y0, cy0), max(y1, cy1)
    return x0, x1, y0, y1


def _draw_land(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    from matplotlib.collections import PolyCollection

    x0, x1, y0, y1 = extent
    polys = []
    for ring in land_rings():
        lo, hi = ring.min(axis=0), ring.max(axis=0)
        if hi[1] < y0 or lo[1] > y1:
            continue
        for shift in (-360.0, 0.0, 360.0):
            if hi[0] + shift >= x0 and lo[0] + shift <= x1:
                polys.append(ring + np.array([shift, 0.0]) if shift else ring)
    fill, edge = _LAND
    ax.add_collection(PolyCollection(polys, facecolors=fill, edgecolors=edge, linewidths=0.4,
                                     zorder=0))  # fmt: skip


def _draw_points(
    ax: Axes, points: pd.DataFrame, groups: pd.Series, *, by_cohort: bool, language: str
) -> int:
    """Scatter controls (grey, below) and treated units (by cohort); return the treated count."""
    from matplotlib import colormaps

    never = (groups.isna() if by_cohort else groups.eq(0)).to_numpy(dtype=bool)
    waves = sorted(groups[~never].unique().tolist()) if by_cohort else [1]
    cmap = colormaps["plasma"]
    handles = []
    for i, wave in enumerate(waves):
        part = points[groups.eq(wave).fillna(False).to_numpy(dtype=bool) & ~never]
        if part.empty:
            continue
        colour = cmap(0.05 + 0.7 * i / max(1, len(waves) - 1)) if len(waves) > 1 else "#b2182b"
        label = (text("fig.map.cohort", language, g=wave, n=len(part)) if by_cohort
                 else text("fig.map.treated", language, n=len(part)))  # fmt: skip
        handles.append(ax.scatter(part["lon"], part["lat"], s=30, color=colour,
                                  edgecolors="white", linewidths=0.5, zorder=3, label=label))  # fmt: skip
    ctrl = points[never]
    if not ctrl.empty:
        key = "fig.map.never" if by_cohort else "fig.map.control"
        handles.append(ax.scatter(ctrl["lon"], ctrl["lat"], s=14, color=_CONTROL,
                                  edgecolors="white", linewidths=0.4, zorder=2,
                                  label=text(key, language, n=len(ctrl))))  # fmt: skip
    ax.legend(handles=handles, loc="best", fontsize=8, framealpha=0.9, edgecolor="#cccccc")
    return int((~never).sum())


def _frame(ax: Axes, extent: tuple[float, float, float, float], *, basemap: bool) -> None:
    from matplotlib.ticker import FuncFormatter

    x0, x1, y0, y1 = extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1.0 / math.cos(math.radians((y0 + y1) / 2)))
    ax.set_facecolor(_SEA if basemap else "white")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _degrees(v, "E", "W")))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _degrees(v, "N", "S")))
    ax.tick_params(labelsize=7, color="#999999", labelcolor="#666666")
    for spine in ax.spines.values():
        spine.set_color("#bbbbbb")


def _degrees(value: float, pos: str, neg: str) -> str:
    wrapped = (value + 180.0) % 360.0 - 180.0 if pos == "E" else value
    if wrapped == 0:
        return "0°"
    return f"{abs(wrapped):g}°{pos if wrapped > 0 else neg}"


def _note(
    lon: str | None, lat: str | None, basemap: bool, missing: pd.Index, total: int, lang: str
) -> str:
    parts = [
        text("fig.map.source_builtin", lang)
        if lon is None
        else text("fig.map.source_user", lang, lon=lon, lat=lat)
    ]
    if basemap:
        parts.append(text("fig.map.land", lang))
    if len(missing):
        units = ", ".join(str(u) for u in missing[:_SHOWN]) + (
            ", ..." if len(missing) > _SHOWN else ""
        )
        parts.append(text("fig.map.missing", lang, n=len(missing), total=total, units=units))
    return " ".join(parts)
