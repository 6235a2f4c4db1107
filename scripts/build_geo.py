"""Build the package's NRW map data (trends/geo/nrw.json) from the open-licence geodata.

    python scripts/build_geo.py [--src ../shared/data/geo_nrw] [--tolerance 1.2]

Reads the BKG district polygons, the Land outline and the 396 municipality points with their
Destatis population (see the source folder's README.txt), projects everything once to SVG
coordinates, simplifies the polygons (Douglas–Peucker, tolerance in SVG units; the map is
1000 units wide, so 1 unit is about 250 m) and writes one compact JSON file plus
trends/geo/ATTRIBUTION.txt. The package never reads the source folder at run time.

The projection is equirectangular around NRW's mid-latitude (x scaled by cos φ₀): at this size
it is indistinguishable from UTM and needs no library; its parameters are stored so the package
can place any lat/lon the same way.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = ROOT.parent / "shared" / "data" / "geo_nrw"
OUT = ROOT / "trends" / "geo"
WIDTH = 1000.0
PAD = 8.0

ATTRIBUTION = """\
NRW map data in trends/geo/nrw.json — sources, licence and changes
====================================================================

Verwaltungsgrenzen (district polygons, Land outline, municipality points):
  © GeoBasis-DE / BKG (Daten verändert)
  BKG Verwaltungsgebiete 1:250 000 (VG250, Stand 31.12.2018) and 1:5 000 000 (VG5000, Stand 01.01.2021),
  https://www.bkg.bund.de

Einwohner und Fläche (population, area, degree of urbanisation):
  © Statistisches Bundesamt (Destatis), Gemeindeverzeichnis (Daten verändert)
  GV-ISys, Stand 31.12.2018

Licence: Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2.0),
  https://www.govdata.de/dl-de/by-2-0

Changes made (scripts/build_geo.py): NRW selected; coordinates projected to an equirectangular SVG
plane (x scaled by cos of the mid-latitude); polygons simplified with Douglas–Peucker; coordinates
rounded; municipality points are the area centroids of the municipalities (not town halls).
Every map the package draws carries the short source note inside the SVG.
"""

SHORT_ATTRIBUTION = (
    "© GeoBasis-DE / BKG (Daten verändert); Einwohner: © Statistisches Bundesamt (Destatis), "
    "Gemeindeverzeichnis (Daten verändert); Datenlizenz Deutschland – Namensnennung 2.0"
)


def rings_of(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for poly in geometry["coordinates"] for ring in poly]
    raise ValueError(f"unexpected geometry type {geometry['type']}")


def douglas_peucker(points: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Iterative Douglas–Peucker (no recursion limit on long rings)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        best, best_i = -1.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            d = (
                abs(dy * (px - ax) - dx * (py - ay)) / norm
                if norm
                else math.hypot(px - ax, py - ay)
            )
            if d > best:
                best, best_i = d, i
        if best > tol:
            keep[best_i] = True
            stack.append((a, best_i))
            stack.append((best_i, b))
    return [p for p, k in zip(points, keep) if k]


def simplify_ring(ring: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    # a closed ring: split at the point farthest from the start so both ends are kept
    if ring[0] == ring[-1]:
        ring = ring[:-1]
    if len(ring) < 4:
        return ring
    far = max(range(len(ring)), key=lambda i: math.dist(ring[0], ring[i]))
    half1 = douglas_peucker(ring[: far + 1], tol)
    half2 = douglas_peucker(ring[far:] + [ring[0]], tol)
    return half1[:-1] + half2[:-1]


def path_d(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for ring in rings:
        pts = [(round(x, 1), round(y, 1)) for x, y in ring]
        dedup = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
        if len(dedup) < 3:
            continue
        parts.append("M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in dedup) + "Z")
    return "".join(parts)


def _n(v: float) -> str:
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC)
    parser.add_argument("--tolerance", type=float, default=1.2, help="in SVG units (1000 wide)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    src: Path = args.src
    if not (src / "nrw_districts.geojson").is_file():
        raise SystemExit(f"error: no nrw_districts.geojson in {src}")

    districts_gj = json.loads((src / "nrw_districts.geojson").read_text("utf-8"))
    land_gj = json.loads((src / "nrw_land.geojson").read_text("utf-8"))

    lons = [c[0] for f in land_gj["features"] for r in rings_of(f["geometry"]) for c in r]
    lats = [c[1] for f in land_gj["features"] for r in rings_of(f["geometry"]) for c in r]
    lon_min, lon_max, lat_min, lat_max = min(lons), max(lons), min(lats), max(lats)
    lat0 = (lat_min + lat_max) / 2
    kx = math.cos(math.radians(lat0))
    scale = (WIDTH - 2 * PAD) / ((lon_max - lon_min) * kx)
    height = math.ceil((lat_max - lat_min) * scale + 2 * PAD)
    proj = {
        "lon_min": lon_min,
        "lat_max": lat_max,
        "cos_lat0": round(kx, 8),
        "scale": round(scale, 6),
        "pad": PAD,
        "width": WIDTH,
        "height": height,
    }

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (PAD + (lon - lon_min) * kx * scale, PAD + (lat_max - lat) * scale)

    def polygon_path(geometry: dict) -> tuple[str, int]:
        rings = [
            simplify_ring([project(lon, lat) for lon, lat in r], args.tolerance)
            for r in rings_of(geometry)
        ]
        return path_d(rings), sum(len(r) for r in rings)

    districts = []
    total_pts = 0
    for f in sorted(districts_gj["features"], key=lambda f: f["properties"]["ags"]):
        p = f["properties"]
        d, n = polygon_path(f["geometry"])
        total_pts += n
        districts.append(
            {
                "ags": p["ags"],
                "name": p["name"],
                "name_long": p["name_long"],
                "bez": p["bez"],
                "path": d,
            }
        )
    land_path, land_pts = polygon_path(land_gj["features"][0]["geometry"])

    with (src / "nrw_municipalities_population.csv").open(encoding="utf-8") as fh:
        pop = {r["ags"]: r for r in csv.DictReader(fh)}
    municipalities = []
    with (src / "nrw_municipalities.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            lat, lon = float(r["lat"]), float(r["lon"])
            x, y = project(lon, lat)
            p = pop[r["ags"]]
            municipalities.append(
                {
                    "ags": r["ags"],
                    "name": r["name"],
                    "district_ags": r["district_ags"],
                    "lat": lat,
                    "lon": lon,
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "population": int(p["population"]),
                    "area_km2": float(p["area_km2"]),
                    "density_class": int(p["density_class"]),
                }
            )
    municipalities.sort(key=lambda m: m["ags"])

    data = {
        "attribution": SHORT_ATTRIBUTION,
        "licence": "dl-de/by-2.0",
        "density_classes": {
            "1": "dicht besiedelt",
            "2": "mittlere Besiedlungsdichte",
            "3": "gering besiedelt",
        },
        "projection": proj,
        "land": land_path,
        "districts": districts,
        "municipalities": municipalities,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / "nrw.json"
    out.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    (args.out / "ATTRIBUTION.txt").write_text(ATTRIBUTION, encoding="utf-8")
    most = max(d["path"].count("L") + d["path"].count("M") for d in districts)
    print(
        f"{out}: {out.stat().st_size:,} bytes; {len(districts)} districts ({total_pts} points, "
        f"at most {most} in one), Land {land_pts} points, {len(municipalities)} municipalities"
    )


if __name__ == "__main__":
    main()
