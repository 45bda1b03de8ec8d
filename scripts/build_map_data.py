"""Build the map data shipped in ``src/pilotdid/datasets/geodata/`` (run once; output committed).

Inputs, fetched with the ordinary package clients (no other download):

- ``pip download --no-deps cpca==0.5.5`` -> ``cpca-0.5.5-py3-none-any.whl`` (MIT). Its
  ``cpca/resources/adcodes.csv`` holds the longitude/latitude of every province, prefecture and
  county of China, copied from the Vonng/adcode project (CC BY 4.0; coordinates from AMap's
  district service, GCJ-02, as of 2016-2018).
- ``npm pack world-atlas@2.0.2`` -> ``world-atlas-2.0.2.tgz`` (ISC): Natural Earth 4.1.0
  (public domain) as TopoJSON; ``land-50m.json`` is the 1:50m land.

Usage::

    python scripts/build_map_data.py CPCA_WHEEL WORLD_ATLAS_TGZ

Writes ``city_coordinates.csv`` (one row per city of ``panel/rosters/cities.csv``) and
``land_50m.csv`` (Natural Earth land polygons, simplified, one vertex per row).
"""

from __future__ import annotations

import csv
import io
import json
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CITIES = ROOT / "src" / "pilotdid" / "panel" / "rosters" / "cities.csv"
OUT = ROOT / "src" / "pilotdid" / "datasets" / "geodata"

#: Cities of cities.csv absent from cpca's table under their own code, and the code used instead
#: (the same seat under its earlier or later code).
FALLBACK = {
    341400: (340181, "abolished 2011; seat of the former prefecture-level city (now the "
                     "county-level city 340181 under Hefei)"),
    540600: (542400, "coordinates of the former Nagqu prefecture (542400), same seat"),
}  # fmt: skip

#: Land simplification tolerance in degrees (Douglas-Peucker) and the smallest ring kept.
TOLERANCE = 0.05
MIN_AREA = 0.05  # square degrees: islands smaller than about 25 km x 25 km are left out


def read_adcodes(wheel: Path) -> dict[int, tuple[str, float, float]]:
    """Read cpca's adcodes.csv from the wheel: 6-digit code -> (name, lon, lat)."""
    with zipfile.ZipFile(wheel) as z:
        raw = z.read("cpca/resources/adcodes.csv").decode("utf-8")
    out = {}
    for row in csv.DictReader(io.StringIO(raw)):
        code = int(row["adcode"][:6])
        if row["longitude"] and row["latitude"]:
            out[code] = (row["name"], float(row["longitude"]), float(row["latitude"]))
    return out


def city_rows(adcodes: dict[int, tuple[str, float, float]]) -> list[dict[str, object]]:
    """One output row per city of cities.csv (a city without coordinates raises KeyError)."""
    rows = []
    with CITIES.open(encoding="utf-8") as handle:
        for city in csv.DictReader(handle):
            code = int(city["code"])
            used, note = code, ""
            if code not in adcodes:
                used, note = FALLBACK[code]  # KeyError: a city without coordinates
            _name, lon, lat = adcodes[used]
            rows.append(
                {
                    "code": code,
                    "name_en": city["name_en"],
                    "lon": f"{lon:.4f}",
                    "lat": f"{lat:.4f}",
                    "source_code": used,
                    "note": note,
                }
            )
    return rows


def decode_arcs(topo: dict) -> list[np.ndarray]:
    """Decode TopoJSON's quantized, delta-encoded arcs to lon/lat arrays."""
    scale = np.array(topo["transform"]["scale"])
    shift = np.array(topo["transform"]["translate"])
    return [np.cumsum(np.array(a, dtype=float), axis=0) * scale + shift for a in topo["arcs"]]


def ring(arcs: list[np.ndarray], indices: list[int]) -> np.ndarray:
    """Join a ring's arcs (a negative index ~i is arc i reversed), dropping shared points."""
    parts = []
    for k, i in enumerate(indices):
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(a if k == 0 else a[1:])
    return np.concatenate(parts)


def simplify(points: np.ndarray, tol: float) -> np.ndarray:
    """Douglas-Peucker on an open polyline (a closed ring keeps its first and last point)."""
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        seg = points[j] - points[i]
        rel = points[i + 1 : j] - points[i]
        norm = np.hypot(*seg)
        if norm == 0:
            d = np.hypot(rel[:, 0], rel[:, 1])
        else:
            d = np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / norm
        k = int(np.argmax(d))
        if d[k] > tol:
            m = i + 1 + k
            keep[m] = True
            stack += [(i, m), (m, j)]
    return points[keep]


def area(points: np.ndarray) -> float:
    """Shoelace area of a closed ring in square degrees."""
    x, y = points[:, 0], points[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def unwrap(points: np.ndarray) -> np.ndarray | None:
    """Make a ring cut at the antimeridian continuous (lon may pass 180); None if it circles the pole.

    Natural Earth cuts Eurasia (Chukotka) and Wrangel Island at 180 degrees; unwrapped, they
    run on past 180 and the figure draws them once more shifted by -360. Antarctica circles the
    pole and cannot be closed that way: it is left out (no unit of a pilot policy lies there).
    """
    step = np.diff(points[:, 0])
    turn = np.concatenate(
        [[0.0], np.cumsum(np.where(step > 180, -360.0, 0.0) + np.where(step < -180, 360.0, 0.0))]
    )
    if turn[-1] != 0:
        return None
    out = points.copy()
    out[:, 0] += turn
    if out[:, 0].min() < -180:
        out[:, 0] += 360
    return out


def land_rings(topo: dict) -> list[np.ndarray]:
    """Every land ring, joined at the antimeridian, simplified, small islands dropped."""
    arcs = decode_arcs(topo)
    rings = []
    for geom in topo["objects"]["land"]["geometries"]:
        polygons = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        for polygon in polygons:
            for indices in polygon:  # outer ring, then holes (lakes inside land: none at 50m)
                r = unwrap(ring(arcs, indices))
                if r is None:
                    continue
                r = simplify(r, TOLERANCE)
                if len(r) >= 4 and area(r) >= MIN_AREA:
                    rings.append(r)
    return rings


def main(wheel: Path, atlas: Path) -> None:
    """Write both CSV files."""
    OUT.mkdir(parents=True, exist_ok=True)
    rows = city_rows(read_adcodes(wheel))
    with (OUT / "city_coordinates.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with tarfile.open(atlas) as tar:
        member = tar.extractfile("package/land-50m.json")
        assert member is not None
        topo = json.load(member)
    rings = land_rings(topo)
    with (OUT / "land_50m.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("ring,lon,lat\n")
        for k, r in enumerate(rings):
            for lon, lat in r:
                handle.write(f"{k},{lon:.2f},{lat:.2f}\n")
    n = sum(len(r) for r in rings)
    print(f"{len(rows)} cities; {len(rings)} land rings, {n} vertices")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
