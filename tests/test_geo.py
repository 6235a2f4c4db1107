"""The packaged NRW geodata and the SVG map."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import pytest

from trends import geo

ROOT = Path(__file__).resolve().parents[1]
SHARED_GEO = ROOT.parent / "shared" / "data" / "geo_nrw"
SVG = "{http://www.w3.org/2000/svg}"


def test_data_file_is_packaged_small_and_attributed() -> None:
    data = resources.files("trends.geo").joinpath("nrw.json")
    assert data.is_file()
    assert len(data.read_bytes()) < 500_000
    attribution = resources.files("trends.geo").joinpath("ATTRIBUTION.txt").read_text("utf-8")
    assert "© GeoBasis-DE / BKG (Daten verändert)" in attribution
    assert (
        "© Statistisches Bundesamt (Destatis), Gemeindeverzeichnis (Daten verändert)" in attribution
    )
    assert "Datenlizenz Deutschland" in attribution
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    assert '"*.json"' in pyproject and '"*.txt"' in pyproject  # package-data globs carry both


def test_counts_match_nrw() -> None:
    munis = geo.municipalities()
    dists = geo.districts()
    assert len(munis) == 396
    assert len(dists) == 53
    bez = [d.bez for d in dists.values()]
    assert bez.count("Kreisfreie Stadt") == 22
    assert bez.count("Kreis") == 31
    assert all(m.district_ags in dists for m in munis.values())
    assert all(len(d.path) > 50 and d.path.startswith("M") for d in dists.values())
    # every district path has a few hundred points at most
    assert max(d.path.count("L") + d.path.count("M") for d in dists.values()) <= 400
    assert 17_000_000 < sum(m.population for m in munis.values()) < 19_000_000


def test_delbrueck_and_soest_have_population_and_density() -> None:
    soest = geo.find("Soest")
    delbrueck = geo.find("Delbrück")
    assert soest is not None and delbrueck is not None
    assert (soest.ags, soest.kind, soest.district) == ("05974040", "municipality", "Kreis Soest")
    assert delbrueck.ags == "05774020" and delbrueck.district_ags == "05774"
    # Destatis, 31.12.2018
    assert (soest.population, soest.area_km2) == (47460, 85.81)
    assert (delbrueck.population, delbrueck.area_km2) == (31949, 157.28)
    # settlement density (1 dicht, 2 mittel, 3 gering besiedelt): Soest 2, Delbrück 3
    assert (soest.density_class, delbrueck.density_class) == (2, 3)
    assert geo.municipalities()["05774020"].population == delbrueck.population


def test_find_by_key_spelling_and_district() -> None:
    assert geo.find("05974040").name == "Soest"
    assert geo.find("5974040").name == "Soest"  # leading zero lost in a spreadsheet
    assert geo.find("Muenster").ags == "05515000"
    kreis = geo.find("Kreis Soest")
    assert kreis.kind == "district" and kreis.ags == "05974"
    assert kreis.population == sum(
        m.population for m in geo.municipalities().values() if m.district_ags == "05974"
    )
    assert geo.find("05315").name == "Köln"  # a kreisfreie Stadt's district key is the city
    assert geo.find("München") is None  # in the gazetteer, but not in NRW
    assert geo.find("09162000") is None
    assert geo.find("Nirgendwo") is None
    assert geo.find("") is None


def test_distance_km() -> None:
    # Köln–Düsseldorf centroids: about 34 km apart
    assert 30 < geo.distance_km("Köln", "Düsseldorf") < 40
    assert geo.distance_km("Soest", "Soest") == 0
    assert geo.distance_km((51.0, 7.0), (52.0, 7.0)) == pytest.approx(111.2, abs=0.3)
    with pytest.raises(ValueError, match="unknown"):
        geo.distance_km("Soest", "Atlantis")


def _circles(root: ET.Element) -> list[ET.Element]:
    return [c for c in root.iter(f"{SVG}circle") if c.get("r") == "8"]


def test_map_svg_draws_a_dot_inside_the_land_for_an_ags() -> None:
    svg = geo.map_svg(
        [
            ("05974040", "pilot", "Soest", "https://example.org/soest"),
            ("09162000", "standard", "München", "https://example.org/m"),  # outside NRW
        ],
        width=500,
        highlight="05974040",
    )
    root = ET.fromstring(svg)  # well-formed XML
    assert root.get("width") == "500"
    dots = _circles(root)
    assert len(dots) == 1  # München is not drawn
    x, y = float(dots[0].get("cx")), float(dots[0].get("cy"))
    coords = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", geo._data()["land"])]
    xs, ys = coords[0::2], coords[1::2]
    assert min(xs) < x < max(xs) and min(ys) < y < max(ys)
    assert dots[0].get("fill") == geo.STAGE_COLORS["pilot"]
    links = list(root.iter(f"{SVG}a"))
    assert [a.get("href") for a in links] == ["https://example.org/soest"]
    assert links[0].find(f"{SVG}title").text == "Soest – Pilot"
    assert "© GeoBasis-DE / BKG (Daten verändert)" in svg
    assert len(list(root.iter(f"{SVG}path"))) == 54  # 53 districts + the Land outline
    for word in ("Konzept", "Pilot", "Rollout", "Standard"):
        assert f">{word}</text>" in svg
    assert ">Concept</text>" in geo.map_svg([], lang="en")


def test_map_svg_escapes_hostile_labels_and_links() -> None:
    hostile = '<script>alert(1)</script>" onmouseover="x'
    svg = geo.map_svg(
        [
            ("05974040", "rollout", hostile, "javascript:alert(1)"),
            ("05774020", "konzept", "Delbrück & <b>Co</b>", 'https://e.org/"><script>'),
        ],
        title="<img src=x onerror=alert(1)>",
    )
    root = ET.fromstring(svg)
    assert "<script" not in svg and "<img" not in svg and "<b>" not in svg
    assert "javascript:" not in svg
    assert not [el for el in root.iter() if any(k.startswith("on") for k in el.attrib)]
    hrefs = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert len(hrefs) == 1 and "<" not in hrefs[0] and '"' not in hrefs[0]
    # the dot with the refused link is still there and keyboard-focusable, named by its label
    focusable = [g for g in root.iter(f"{SVG}g") if g.get("tabindex") == "0"]
    assert len(focusable) == 1
    assert focusable[0].find(f"{SVG}title").text.startswith("<script>alert(1)</script>")


@pytest.mark.skipif(not SHARED_GEO.is_dir(), reason="shared geodata absent")
def test_build_script_reproduces_the_packaged_data(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_geo.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    built = (tmp_path / "nrw.json").read_bytes()
    assert built == resources.files("trends.geo").joinpath("nrw.json").read_bytes()
