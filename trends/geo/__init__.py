"""NRW geodata: municipalities and districts with population, and an inline SVG map.

The data (``nrw.json``, built by ``scripts/build_geo.py``) come from BKG's administrative areas and
Destatis' Gemeindeverzeichnis under Datenlizenz Deutschland – Namensnennung 2.0 (see
``ATTRIBUTION.txt``); every map carries the source note inside the SVG. Coordinates are already
projected to the map plane (1000 units wide), so drawing needs no projection library.

- :func:`municipalities` / :func:`districts`: records by AGS (8-digit / 5-digit);
- :func:`find`: a municipality or district by name or key, joined with the gazetteer
  (``trends.nlp.entities.lookup``: "Muenster", "kreis soest", "05974040");
- :func:`distance_km`: great-circle distance between two places;
- :func:`map_svg`: district boundaries, Land outline and one focusable dot per (ags, stage) point.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import quote

from trends import i18n
from trends.nlp.entities import lookup
from trends.report.charts import FONT, esc

__all__ = [
    "DENSITY_CLASSES",
    "STAGE_COLORS",
    "District",
    "Municipality",
    "Place",
    "attribution",
    "distance_km",
    "districts",
    "find",
    "map_svg",
    "municipalities",
]

# EU degree of urbanisation as Destatis assigns it
DENSITY_CLASSES = {
    1: ("dicht besiedelt", "densely populated"),
    2: ("mittlere Besiedlungsdichte", "intermediate density"),
    3: ("gering besiedelt", "thinly populated"),
}
# Dot colours by stage: an ordered light-to-dark ramp would lose konzept on the light map, so four
# distinct hues, each with contrast >= 3:1 against the map's pale fill (WCAG non-text contrast).
STAGE_COLORS = {
    "konzept": "#8a6d00",
    "pilot": "#b34700",
    "rollout": "#1f5f9e",
    "standard": "#2f6b2f",
    "none": "#5f6b6d",
}
_STAGE_ORDER = ("konzept", "pilot", "rollout", "standard")

_TEXT = {
    "map": ("Karte Nordrhein-Westfalen", "Map of North Rhine-Westphalia"),
    "stage": ("Stand", "Stage"),
    "district": ("Kreis", "District"),
}


@dataclass(frozen=True)
class Municipality:
    ags: str  # 8 digits, "05974040"
    name: str  # BKG GEN ("Soest")
    district_ags: str  # 5 digits ("05974"; a kreisfreie Stadt is its own district)
    lat: float
    lon: float
    x: float  # map plane, see map_svg
    y: float
    population: int  # 31.12.2018
    area_km2: float
    density_class: int  # 1 dicht, 2 mittel, 3 gering besiedelt


@dataclass(frozen=True)
class District:
    ags: str  # 5 digits
    name: str  # "Soest", "Köln", "Hochsauerlandkreis"
    name_long: str  # "Kreis Soest"
    bez: str  # "Kreisfreie Stadt" | "Kreis"
    path: str  # SVG path data in the map plane
    population: int
    area_km2: float


@dataclass(frozen=True)
class Place:
    """What :func:`find` returns: a municipality or district of NRW with its gazetteer facts."""

    kind: str  # "municipality" | "district"
    ags: str
    name: str  # the gazetteer's canonical name ("Kreis Soest", "Soest")
    district_ags: str  # a municipality's district; a district's own key
    district: str  # "Kreis Soest", "kreisfrei", "StädteRegion Aachen"
    regbez: str  # Regierungsbezirk
    status: str  # kreisfreie Stadt | Stadt | Gemeinde | Kreis | StädteRegion
    lat: float
    lon: float
    x: float
    y: float
    population: int
    area_km2: float
    density_class: int  # of a district: the class most of its people live in


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(resources.files("trends.geo").joinpath("nrw.json").read_text("utf-8"))


def attribution() -> str:
    """The source note every map or table built from these data must show."""
    return _data()["attribution"]


@lru_cache(maxsize=1)
def municipalities() -> dict[str, Municipality]:
    """The 396 municipalities of NRW by 8-digit AGS."""
    return {m["ags"]: Municipality(**m) for m in _data()["municipalities"]}


@lru_cache(maxsize=1)
def districts() -> dict[str, District]:
    """The 53 districts of NRW (22 kreisfreie Städte, 31 Kreise incl. StädteRegion Aachen) by AGS."""
    pop: dict[str, int] = {}
    area: dict[str, float] = {}
    for m in municipalities().values():
        pop[m.district_ags] = pop.get(m.district_ags, 0) + m.population
        area[m.district_ags] = area.get(m.district_ags, 0.0) + m.area_km2
    return {
        d["ags"]: District(
            **d, population=pop.get(d["ags"], 0), area_km2=round(area.get(d["ags"], 0.0), 2)
        )
        for d in _data()["districts"]
    }


def _district_place(ags: str) -> Place | None:
    d = districts().get(ags)
    if d is None:
        return None
    members = [m for m in municipalities().values() if m.district_ags == ags]
    if len(members) == 1:  # a kreisfreie Stadt: the district is the city
        return _municipality_place(members[0].ags)
    e = lookup(ags)
    # area-weighted mean of the member centroids: the district's centroid, near enough for a map
    w = sum(m.area_km2 for m in members) or 1.0
    lat = sum(m.lat * m.area_km2 for m in members) / w
    lon = sum(m.lon * m.area_km2 for m in members) / w
    x = sum(m.x * m.area_km2 for m in members) / w
    y = sum(m.y * m.area_km2 for m in members) / w
    by_class: dict[int, int] = {}
    for m in members:
        by_class[m.density_class] = by_class.get(m.density_class, 0) + m.population
    return Place(
        kind="district",
        ags=ags,
        name=e.name if e else d.name_long,
        district_ags=ags,
        district=e.name if e else d.name_long,
        regbez=e.regbez if e else "",
        status=e.status if e else d.bez,
        lat=round(lat, 5),
        lon=round(lon, 5),
        x=round(x, 1),
        y=round(y, 1),
        population=d.population,
        area_km2=d.area_km2,
        density_class=max(by_class, key=by_class.get) if by_class else 0,
    )


def _municipality_place(ags: str) -> Place | None:
    m = municipalities().get(ags)
    if m is None:
        return None
    e = lookup(ags)
    return Place(
        kind="municipality",
        ags=ags,
        name=e.name if e else m.name,
        district_ags=m.district_ags,
        district=e.region if e else "",
        regbez=e.regbez if e else "",
        status=e.status if e else "",
        lat=m.lat,
        lon=m.lon,
        x=m.x,
        y=m.y,
        population=m.population,
        area_km2=m.area_km2,
        density_class=m.density_class,
    )


def find(name_or_ags: str) -> Place | None:
    """An NRW municipality or district by name, alias or key; None if unknown or outside NRW.

    Names go through the gazetteer (case, umlauts, hyphens do not matter; a bare name shared by a
    town and its Kreis is the town: "Soest", the Kreis is "Kreis Soest"). A kreisfreie Stadt's
    5-digit key ("05315") finds the city.
    """
    q = (name_or_ags or "").strip()
    if not q:
        return None
    digits = q if q.isdigit() else ""
    if digits and len(digits) in (4, 7):  # a key written without its leading zero
        digits = "0" + digits
    if len(digits) == 8:
        return _municipality_place(digits)
    if len(digits) == 5:
        return _district_place(digits)
    e = lookup(q)
    if e is None or not e.key:
        return None
    if e.kind == "municipality":
        return _municipality_place(e.key)
    if e.kind == "district":
        return _district_place(e.key)
    return None


def _latlon(p: str | Place | Municipality | tuple[float, float]) -> tuple[float, float]:
    if isinstance(p, tuple):
        return float(p[0]), float(p[1])
    if isinstance(p, str):
        found = find(p)
        if found is None:
            raise ValueError(f"unknown NRW municipality or district: {p!r}")
        return found.lat, found.lon
    return p.lat, p.lon


def distance_km(
    a: str | Place | Municipality | tuple[float, float],
    b: str | Place | Municipality | tuple[float, float],
) -> float:
    """Great-circle (haversine) distance in km between two places (names, AGS, records or (lat, lon))."""
    (lat1, lon1), (lat2, lon2) = _latlon(a), _latlon(b)
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def _safe_href(href: str | None) -> str:
    """http(s) URLs and relative links ("#t3", "/m/05974040", "report.html#x"); anything else ''."""
    if not href or not isinstance(href, str) or any(ord(c) < 32 or c == "\x7f" for c in href):
        return ""
    href = href.strip()
    m = _SCHEME.match(href)
    if m and m.group(1).lower() not in ("http", "https"):
        return ""
    if href.startswith("//"):  # protocol-relative: an external load in disguise
        return ""
    return quote(href, safe=":/?#[]@!$&'*+,;=%~-._")  # spaces, quotes, <, > percent-encoded


def _point_xy(ags: str) -> tuple[float, float] | None:
    m = municipalities().get(ags)
    if m is not None:
        return m.x, m.y
    if len(ags) == 5:
        p = _district_place(ags)
        if p is not None:
            return p.x, p.y
    return None


def map_svg(
    points: Iterable[Sequence],
    *,
    width: int = 640,
    highlight: str | Iterable[str] | None = None,
    lang: str = "de",
    title: str | None = None,
) -> str:
    """An inline, self-contained SVG map of NRW with one dot per point.

    ``points`` are ``(ags, stage, label, href)``: an 8-digit municipality or 5-digit district key,
    a stage (konzept | pilot | rollout | standard; anything else is drawn grey as "none"), the
    text a screen reader and the hover tooltip give, and a link (http(s) or relative; others are
    dropped and the dot is not a link). Keys outside NRW are not drawn: the caller lists them.
    ``highlight``: key(s) drawn with a ring (e.g. the municipality a suggestion is for; a
    district's key shades the district). No scripts, no external references; all text escaped.
    """
    lang = lang if lang in i18n.LANGS else "de"
    proj = _data()["projection"]
    mw, mh = float(proj["width"]), float(proj["height"])
    legend_h, attr_h = 30.0, 36.0
    vh = mh + legend_h + attr_h
    height = round(width * vh / mw)
    marks = {highlight} if isinstance(highlight, str) else set(highlight or ())
    label_map = i18n.pick(_TEXT["map"], lang)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(mw)} {_n(vh)}" '
        f'width="{int(width)}" height="{height}" role="img" class="nrw-map" '
        f'font-family="{FONT}" aria-label="{esc(title or label_map)}">',
        f"<title>{esc(title or label_map)}</title>",
        '<g class="districts" fill="#f3f1ea" stroke="#a9a49a" stroke-width="0.8" '
        'stroke-linejoin="round" fill-rule="evenodd">',
    ]
    for d in districts().values():
        fill = ' fill="#dfe8f3"' if d.ags in marks else ""
        out.append(f'<path d="{d.path}"{fill}><title>{esc(d.name_long)}</title></path>')
    out.append("</g>")
    out.append(
        f'<path class="land" d="{_data()["land"]}" fill="none" stroke="#4a463f" '
        'stroke-width="1.6" stroke-linejoin="round" fill-rule="evenodd"/>'
    )
    out.append('<g class="points" stroke="#ffffff" stroke-width="1.5">')
    seen: dict[tuple[float, float], int] = {}
    for pt in points:
        ags, stage, label, href = (list(pt) + [None] * 4)[:4]
        xy = _point_xy(str(ags or ""))
        if xy is None:
            continue
        n = seen.get(xy, 0)
        seen[xy] = n + 1
        x, y = xy
        if n:  # several points at one place: fan out so each stays visible and focusable
            ang = n * 2.4
            x, y = x + 9 * math.cos(ang), y + 9 * math.sin(ang)
        stage_key = stage if stage in _STAGE_ORDER else "none"
        color = STAGE_COLORS[stage_key]
        name = str(label) if label else str(ags)
        tip = f"{name} – {i18n.stage(stage_key, lang)}"
        shape = (
            f'<rect x="{_n(x - 7)}" y="{_n(y - 7)}" width="14" height="14" fill="{color}"/>'
            if len(str(ags)) == 5
            else f'<circle cx="{_n(x)}" cy="{_n(y)}" r="8" fill="{color}"/>'
        )
        ring = (
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="12.5" fill="none" stroke="#111" stroke-width="2.5"/>'
            if ags in marks
            else ""
        )
        inner = f"<title>{esc(tip)}</title>{ring}{shape}"
        link = _safe_href(href)
        if link:
            out.append(f'<a href="{esc(link)}" aria-label="{esc(tip)}">{inner}</a>')
        else:
            out.append(f'<g tabindex="0" role="img" aria-label="{esc(tip)}">{inner}</g>')
    out.append("</g>")
    # legend
    ly = mh + 18
    out.append(f'<g class="legend" font-size="15" fill="#222"><text x="8" y="{_n(ly + 5)}">')
    out.append(f"{esc(i18n.pick(_TEXT['stage'], lang))}:</text>")
    lx = 70.0
    for s in _STAGE_ORDER:
        name = i18n.stage(s, lang)
        out.append(
            f'<circle cx="{_n(lx)}" cy="{_n(ly)}" r="6.5" fill="{STAGE_COLORS[s]}"/>'
            f'<text x="{_n(lx + 11)}" y="{_n(ly + 5)}">{esc(name)}</text>'
        )
        lx += 24 + len(name) * 9
    # districts (5-digit keys) are squares
    out.append(
        f'<rect x="{_n(lx - 7)}" y="{_n(ly - 7)}" width="14" height="14" fill="none" '
        f'stroke="#222" stroke-width="1.5"/><text x="{_n(lx + 11)}" y="{_n(ly + 5)}">'
        f"{esc(i18n.pick(_TEXT['district'], lang))}</text>"
    )
    out.append("</g>")
    # the licence's source note, inside the SVG so it travels with every copy of the map
    lines = attribution().split("; ", 1)
    for i, line in enumerate(lines):
        y = vh - 8 - (len(lines) - 1 - i) * 14
        out.append(
            f'<text class="attribution" x="8" y="{_n(y)}" font-size="12" fill="#444">'
            f"{esc(line)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _n(x: float) -> str:
    s = f"{x:.1f}"
    return s[:-2] if s.endswith(".0") else s
