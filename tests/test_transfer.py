"""trends suggest / --parallel / export transfer / the report's transfer section (issue 22).

A small hand-written model (who did what is known exactly) checks the lists, the peer rules, the
JSON interface, escaping and errors; the demo corpus is scored in tests/test_demo_truth.py."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from trends import geo, transfer
from trends.cli import main
from trends.config import Workspace
from trends.demo.evaluate import (
    TRANSFER_LISTS,
    demo_records,
    expected_transfer,
    load_truth,
    score_lists,
)

Q = "2026Q3"
QUARTERS = ["2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
HOSTILE = "<script>alert(1)</script> [x](javascript:alert(1)) | *bold*"

# (topic, stage, places, published, title)
ARTICLES = [
    # T1: Soest and Werl run it; Lippstadt pilots it
    ("T1", "rollout", ["Soest"], "2025-11-03", "Soest: Bewohnerparkausweis online"),
    ("T1", "rollout", ["Werl"], "2026-02-10", "Werl führt den Online-Parkausweis ein"),
    ("T1", "pilot", ["Lippstadt"], "2026-08-01", "Lippstadt testet den Parkausweis"),
    # T2: Delbrück standard, Bocholt rollout -> Soest can take it over
    ("T2", "standard", ["Delbrück"], "2026-07-15", "Delbrück: E-Akte ist Standard"),
    ("T2", "rollout", ["Bocholt"], "2025-06-15", "Bocholt stellt auf E-Akte um"),
    # T3: Soest pilots, so do Brilon and Warstein (recently), Arnsberg long ago
    ("T3", "pilot", ["Soest"], "2026-04-20", "Soest testet KI-Chatbot"),
    ("T3", "konzept", ["Brilon"], "2026-09-01", "Brilon plant einen Chatbot"),
    ("T3", "pilot", ["Warstein"], "2026-01-12", "Warstein pilotiert Chatbot"),
    ("T3", "pilot", ["Arnsberg"], "2024-10-05", "Arnsberg pilotierte einen Chatbot"),
    # T4: nobody at rollout, three municipalities at konzept/pilot -> Land-wide parallel
    ("T4", "konzept", ["Bocholt"], "2026-05-01", "Bocholt plant Sensoren"),
    (
        "T4",
        "pilot",
        ["Brilon", "Kreis Soest"],
        "2026-06-01",
        "Brilon und der Kreis Soest testen Sensoren",
    ),
    ("T4", "konzept", ["Marsberg"], "2026-03-01", "Marsberg denkt über Sensoren nach"),
    # T5: only a mention without stage
    ("T5", "none", ["Soest"], "2026-08-20", "Soest im Gespräch"),
]
TOPICS = {
    "T1": ("Online-Bewohnerparkausweis", "growing"),
    "T2": ("E-Akte", "stable"),
    "T3": ("KI-Chatbot", "emerging"),
    "T4": (HOSTILE, "new"),
    "T5": ("Sonstiges Gespräch", "stable"),
}


def make_workspace(root: Path) -> Workspace:
    qdir = root / "models" / Q
    qdir.mkdir(parents=True)
    (qdir / "manifest.json").write_text(json.dumps({"quarter": Q}), encoding="utf-8")
    topics = [
        {
            "id": tid,
            "label": label,
            "keyphrases": [label],
            "trend_class": cls,
            "stage": "pilot",
            "confidence": 0.5,
            "field": "",
            "municipalities": [],
        }
        for tid, (label, cls) in TOPICS.items()
    ]
    (qdir / "topics.json").write_text(
        json.dumps({"quarter": Q, "quarters": QUARTERS, "topics": topics, "dormant": []}),
        encoding="utf-8",
    )
    with (qdir / "assignments.jsonl").open("w", encoding="utf-8") as fh:
        for i, (tid, stage, places, day, title) in enumerate(ARTICLES):
            row = {
                "id": f"a{i}",
                "topic_id": tid,
                "topic_weight": 0.9,
                "quarter": f"{day[:4]}Q{(int(day[5:7]) - 1) // 3 + 1}",
                "published": day,
                "title": title,
                "url": f"https://example.org/{tid}/{i}",
                "source": "test",
                "municipalities": places,
                "stage": stage,
                "seen_in": ["test"],
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return Workspace.resolve(root)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path / "ws")


def ids(items: list[dict]) -> list[str]:
    return [i["topic_id"] for i in items]


def test_profile_lists_with_all_peers(ws: Workspace) -> None:
    p = transfer.suggest(ws, "Soest", peers_mode="all")
    assert p["municipality"]["ags"] == "05974040"
    assert sorted(ids(p["has"])) == ["T1", "T3", "T5"]
    assert ids(p["take_over"]) == ["T2"]  # T4: nobody at rollout; T1/T3/T5 it has
    peers = p["take_over"][0]["peers"]
    assert [q["name"] for q in peers] == ["Delbrück", "Bocholt"]  # standard before rollout
    assert peers[0]["url"] == "https://example.org/T2/3" and peers[0]["quarter"] == "2026Q3"
    assert 30 < peers[0]["distance_km"] < 45  # Soest–Delbrück, centroid to centroid
    assert peers[0]["population"] == geo.find("Delbrück").population
    assert p["take_over"][0]["reason"]["peers"] == 2
    assert "2" in p["take_over"][0]["why"]
    # parallel: Soest pilots T3; Brilon and Warstein too within four quarters, Arnsberg is older
    assert ids(p["parallel"]) == ["T3"]
    assert {q["name"] for q in p["parallel"][0]["peers"]} == {"Brilon", "Warstein"}
    assert ids(p["ahead"]) == ["T1"]  # rollout, and most NRW places have nothing on it
    assert {q["name"] for q in p["ahead"][0]["peers"]} == {"Werl", "Lippstadt"}


def test_profile_matches_the_independent_reference(ws: Workspace) -> None:
    """The same lists as expected_transfer computes from the articles (the demo/eval oracle)."""
    import datetime as dt

    records = [(t, s, tuple(p), dt.date.fromisoformat(d)) for t, s, p, d, _ in ARTICLES]
    for name in ("Soest", "Brilon", "Bocholt", "Delbrück", "Werl", "Marsberg"):
        p = transfer.suggest(ws, name, peers_mode="all")
        shown = {k: set(ids(p[k])) for k in TRANSFER_LISTS}
        assert shown == expected_transfer(records, name, Q), name


def test_a_place_without_articles_gets_its_peers_list(ws: Workspace) -> None:
    p = transfer.suggest(ws, "Lippetal", peers_mode="all")
    assert p["has"] == [] and p["own_articles"] == 0
    assert "Lippetal" in p["note"]
    assert set(ids(p["take_over"])) == {"T1", "T2"}


def test_similar_peers_rule() -> None:
    soest = geo.find("Soest")
    ps = transfer.peers(soest, "similar")
    assert len(ps.places) >= 10
    assert all(p.kind == "municipality" and p.ags != soest.ags for p in ps.places)
    assert all(p.density_class == soest.density_class for p in ps.places)
    assert all(
        max(p.population, soest.population) / min(p.population, soest.population) <= 2
        for p in ps.places
    )
    district = transfer.peers(soest, "district")
    assert {p.name for p in district.places} >= {"Werl", "Lippstadt", "Kreis Soest"}
    assert all(p.district_ags == "05974" for p in district.places)
    region = transfer.peers(soest, "region")
    assert all(p.regbez == "Arnsberg" for p in region.places)
    assert len(transfer.peers(soest, "all").places) == 396 + 31 - 1


def test_similar_peers_change_the_lists(ws: Workspace) -> None:
    # Soest's district peers are Werl, Lippstadt, Warstein, Brilon is in another Kreis
    p = transfer.suggest(ws, "Soest", peers_mode="district")
    assert ids(p["take_over"]) == []  # Delbrück and Bocholt are not in the Kreis Soest
    assert {q["name"] for q in p["parallel"][0]["peers"]} == {"Warstein"}


def test_land_wide_parallel(ws: Workspace) -> None:
    rows = transfer.parallel_work(ws)
    # T3 too: Soest, Brilon, Warstein recently (Arnsberg's pilot is older than four quarters)
    assert ids(rows) == ["T4", "T3"]
    assert {m["name"] for m in rows[1]["municipalities"]} == {"Soest", "Brilon", "Warstein"}
    assert {m["name"] for m in rows[0]["municipalities"]} == {
        "Bocholt",
        "Brilon",
        "Marsberg",
        "Kreis Soest",
    }
    assert "Kreis Borken" in rows[0]["districts"] and "Hochsauerlandkreis" in rows[0]["districts"]


def test_cli_json_interface(ws: Workspace) -> None:
    r = CliRunner().invoke(
        main, ["-w", str(ws.root), "suggest", "05974040", "--peers", "all", "--json"]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert set(data) >= {"municipality", "has", "take_over", "parallel", "ahead"}
    assert set(data["municipality"]) >= {"name", "ags", "kind", "district", "population"}
    for key in ("has", "take_over", "parallel", "ahead"):
        for item in data[key]:
            assert set(item) >= {"topic_id", "label", "stage", "peers"}
            for q in item["peers"]:
                assert set(q) >= {"name", "ags", "stage", "quarter", "url"}
    r = CliRunner().invoke(main, ["-w", str(ws.root), "suggest", "--parallel", "--json"])
    assert r.exit_code == 0 and ids(json.loads(r.output)) == ["T4", "T3"]


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["suggest", "Soestt"], 1, "closest: Soest"),
        (["suggest", "München"], 1, "not in Nordrhein-Westfalen"),
        (["suggest", "09162000"], 1, "not in Nordrhein-Westfalen"),
        (["suggest"], 2, "NAME or --parallel"),
        (["suggest", "Soest", "--parallel"], 2, "NAME or --parallel"),
        (["suggest", "Soest", "--peers", "nachbarn"], 2, "--peers"),
        (["suggest", "Soest", "--quarter", "2026Q9"], 2, "--quarter"),
        (["suggest", "Soest", "--quarter", "2020Q1"], 1, "no model for 2020Q1"),
    ],
)
def test_bad_input(ws: Workspace, args: list[str], code: int, says: str) -> None:
    r = CliRunner().invoke(main, ["-w", str(ws.root), *args])
    assert r.exit_code == code, r.output
    assert says in r.output
    assert "Traceback" not in r.output


def test_empty_and_unanalysed_workspace(tmp_path: Path) -> None:
    for args in (["suggest", "Soest"], ["suggest", "--parallel"], ["export", "transfer"]):
        r = CliRunner().invoke(main, ["-w", str(tmp_path), *args])
        assert r.exit_code == 1, r.output
        assert "no model yet" in r.output and len(r.output.strip().splitlines()) == 1


def test_markdown_profile_is_escaped(ws: Workspace) -> None:
    r = CliRunner().invoke(
        main,
        [
            "-w",
            str(ws.root),
            "suggest",
            "Brilon",
            "--peers",
            "all",
            "--format",
            "md",
            "--lang",
            "en",
        ],
    )
    assert r.exit_code == 0, r.output
    md = r.output
    assert md.startswith("# Transfer profile: Brilon")
    assert "<script>" not in md and "](javascript" not in md
    assert "&lt;script&gt;" in md and "\\|" in md and "\\*bold\\*" in md
    assert "[Bocholt](https://example.org/T4/9)" in md
    assert "Destatis" in md  # the population's source note


def test_export_transfer(ws: Workspace) -> None:
    for fmt in ("csv", "jsonl", "json"):
        r = CliRunner().invoke(main, ["-w", str(ws.root), "export", "transfer", "--format", fmt])
        assert r.exit_code == 0, r.output
        if fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(r.output)))
        elif fmt == "jsonl":
            rows = [json.loads(line) for line in r.output.splitlines()]
        else:
            rows = json.loads(r.output)
        assert len(rows) == sum(len(a[2]) for a in ARTICLES)  # one per topic and place here
        soest = [x for x in rows if x["place"] == "Soest" and x["topic_id"] == "T1"][0]
        assert soest["role"] == "leader" and soest["ags"] == "05974040"
        t4 = [x for x in rows if x["topic_id"] == "T4"]
        assert all(str(x["parallel"]) == "True" for x in t4)


def test_report_section_partials_render_escaped(ws: Workspace) -> None:
    from trends.report.build import environment

    section = transfer.report_section(ws, lang="de")
    t1 = [t for t in section["topics"] if t["topic_id"] == "T1"][0]
    assert [p["name"] for p in t1["leaders"]] == ["Soest", "Werl"]  # pioneer first
    assert [p["name"] for p in t1["followers"]] == ["Lippstadt"]
    assert t1["districts_reached"] == 1 and t1["districts_total"] == 53
    md = environment(ws, "de", "md").get_template("_transfer.md.j2").render(transfer=section)
    html = environment(ws, "de", "html").get_template("_transfer.html.j2").render(transfer=section)
    assert "## Transfer und Nachnutzung" in md and "Parallelentwicklungen" in md
    for text in (md, html):
        assert "<script>" not in text and "javascript:" not in text
    assert '<section id="transfer">' in html and "1 von 53" in html


def test_demo_truth_profiles_follow_from_the_articles() -> None:
    truth = load_truth()["transfer"]
    assert len(truth["profiles"]) >= 3
    for name, lists in truth["profiles"].items():
        expected = expected_transfer(demo_records(), name, truth["quarter"])
        assert {k: set(v) for k, v in lists.items()} == expected, name
        assert lists["take_over"] and lists["has"]


def test_score_lists() -> None:
    s = score_lists(
        {"has": {"a", "b"}, "take_over": set()}, {"has": {"a", "c"}, "take_over": {"x"}}
    )
    assert s["has"]["precision"] == 0.5 and s["has"]["recall"] == 0.5
    assert s["take_over"]["precision"] == 0.0 and s["take_over"]["recall"] == 1.0


def test_truth_yaml_only_gained_keys() -> None:
    data = yaml.safe_load(
        (Path(transfer.__file__).parent / "demo" / "truth.yaml").read_text("utf-8")
    )
    assert {"quarters", "last_quarter", "topics", "offtopic_articles", "transfer"} <= set(data)


def test_district_peers_of_a_kreisfreie_stadt_say_why_there_are_none(ws: Workspace) -> None:
    p = transfer.suggest(ws, "Bielefeld", peers_mode="district", lang="en")
    assert p["peers_count"] == 0 and "belongs to no Kreis" in p["peers_description"]
    assert p["take_over"] == [] and p["ahead"] == []


def test_report_section_map_shows_named_places(ws: Workspace) -> None:
    import xml.etree.ElementTree as ET

    svg = str(transfer.report_section(ws, lang="en")["map_svg"])
    root = ET.fromstring(svg)
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert "Soest: 3 topic(s) – Rollout" in titles  # furthest stage over its topics
    assert "Kreis Soest: 1 topic(s) – Pilot" in titles
    assert "© GeoBasis-DE / BKG (Daten verändert)" in svg


def test_brief_names_leaders_and_parallel_work(ws: Workspace) -> None:
    from trends.scan import brief

    t1 = brief(ws, "T1", lang="en")
    assert "- Leaders: Soest, Werl" in t1 and "Parallel development" not in t1
    t3 = brief(ws, "T3", lang="de")
    assert "- Vorreiter: keine" in t3
    line = [x for x in t3.splitlines() if x.startswith("- Parallelentwicklung: 3 Kommunen")][0]
    assert "Brilon" in line and "Arnsberg" not in line  # Arnsberg's pilot is older
    assert "Hochsauerlandkreis" in line  # Brilon's district
