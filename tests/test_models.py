"""The model store (trends.models): curation resolved once for every reader, and damaged model
files refused by every command with one line that names the file and the command to rebuild it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient
from test_report import TODAY, make_workspace

from trends.cli import main
from trends.config import Workspace
from trends.models import AnalysisError, load_model, read_model_file, visible_topics
from trends.report.build import build_context
from trends.scan import CLASS_ORDER, Views, brief, scan, topic, who
from trends.serve.app import create_app

Q = "2026Q3"
# a chain (T001 -> T002 -> T003), an unknown target (T006 -> T999), a cycle (T007 <-> T008)
CURATION = """topics:
  T001: {merge_into: T002}
  T002: {merge_into: T003}
  T006: {merge_into: T999}
  T007: {merge_into: T008}
  T008: {merge_into: T007}
"""
MODEL_FILES = ("manifest.json", "topics.json", "trends.json", "evidence.json", "assignments.jsonl")


def run(ws: Workspace, *args: str):
    return CliRunner().invoke(main, ["-w", str(ws.root), *args])


@pytest.fixture(scope="module")
def curated(tmp_path_factory) -> Workspace:
    ws = make_workspace(tmp_path_factory.mktemp("curated") / "ws", "plain")
    ws.curation_yaml.write_text(CURATION, encoding="utf-8")
    return ws


def test_merge_chains_unknown_targets_and_cycles_are_resolved_in_load_model(curated):
    raw = {t["id"]: t for t in read_model_file(curated, Q, "topics.json")["topics"]}
    model = load_model(curated, Q)
    assert model["merged_into"] == {"T001": "T003", "T002": "T003"}
    assert model["members"]["T003"] == ["T003", "T001", "T002"]
    warned = {(w["key"], w["id"]) for w in model["curation_warnings"]}
    assert warned == {
        ("warn_unknown_target", "T006"),
        ("warn_merge_cycle", "T007"),
        ("warn_merge_cycle", "T008"),
    }
    by_id = {t["id"]: t for t in model["topics"]}
    assert by_id["T001"]["merge_into"] == "T003"  # the chain's end, not the next hop
    assert by_id["T006"]["merge_into"] is None and by_id["T007"]["merge_into"] is None
    # the target counts its members' articles in every quarter and is classified on that series
    merged = by_id["T003"]["quarter_counts"]
    for q in merged:
        assert merged[q] == sum(
            raw[i]["quarter_counts"].get(q, 0) for i in ("T001", "T002", "T003")
        )
    assert raw["T003"]["trend_class"] == "emerging"  # alone, a small new topic ...
    assert by_id["T003"]["trend_class"] == "stable"  # ... merged with two older ones, it is not
    assert by_id["T003"]["size"] == sum(raw[i]["size"] for i in ("T001", "T002", "T003"))
    assert [t["id"] for t in visible_topics(model)] == [
        "T003",
        "T004",
        "T006",
        "T007",
        "T008",
        "T009",
    ]


def test_every_reader_shows_the_same_topics_counts_and_classes(curated):
    model = load_model(curated, Q)
    expected = {
        t["id"]: (t["trend_class"], sum(t["quarter_counts"].values()))
        for t in visible_topics(model)
    }
    assert expected["T003"] == ("stable", 90)

    ctx = build_context(curated, Q, lang="de", today=TODAY)
    report = {
        t["id"]: (t["trend"]["class"], sum(r["count"] for r in t["series"])) for t in ctx["topics"]
    }
    assert report == expected

    scanned = scan(curated, classes=CLASS_ORDER, limit=1000)
    assert {r["id"]: (r["class"], r["articles"]) for r in scanned} == expected
    assert {r["id"]: sum(r["counts"].values()) for r in scanned} == {
        k: v[1] for k, v in expected.items()
    }

    views = Views(curated)
    for tid, (cls, n) in expected.items():
        page = topic(curated, tid, views=views)  # the browser's topic page and /api/topics
        assert (page["class"], len(page["articles"])) == (cls, n), tid
        assert who(curated, tid, views=views)["topic"]["id"] == tid
        assert brief(curated, tid, views=views).startswith(f"# Workshop-Brief: {page['label']}")
    assert {m["id"] for m in topic(curated, "T003", views=views)["merged_from"]} == {"T001", "T002"}
    for gone in ("T001", "T002"):  # merged away: no reader shows them on their own
        with pytest.raises(AnalysisError):
            topic(curated, gone, views=views)
        found = who(curated, gone, views=views)["topic"]
        assert found is None or found["id"] != gone

    result = run(curated, "scan", "--all", "--json")
    assert result.exit_code == 0, result.output
    assert {r["id"]: (r["class"], r["articles"]) for r in json.loads(result.output)} == expected

    topics = json.loads(run(curated, "export", "topics", "--format", "json").output)
    assert {
        t["id"]: (t["trend_class"], sum(t["quarter_counts"].values()))
        for t in topics
        if t["status"] == "active"
    } == expected
    trend_rows = json.loads(run(curated, "export", "trends", "--format", "json").output)
    counts: Counter = Counter()
    for r in trend_rows:
        assert r["class"] == expected[r["topic_id"]][0], r
        counts[r["topic_id"]] += r["count"]
    assert dict(counts) == {k: v[1] for k, v in expected.items()}
    exported = run(curated, "export", "documents", "--format", "jsonl").output
    documents = [json.loads(line) for line in exported.splitlines()]
    placed = Counter(d["topic_id"] for d in documents if d["quarter"] in model["quarters"])
    assert {k: placed[k] for k in expected} == {k: v[1] for k, v in expected.items()}
    assert not placed["T001"] and not placed["T002"]

    with TestClient(create_app(curated)) as client:
        api = client.get("/api/scan", params={"all": "1"}).json()
        assert {r["id"]: (r["class"], r["articles"]) for r in api} == expected
        for tid, (cls, n) in expected.items():
            data = client.get(f"/api/topics/{tid}").json()
            assert (data["class"], len(data["articles"])) == (cls, n), tid
        assert client.get("/api/topics/T001").status_code == 404


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("name", MODEL_FILES)
def test_a_damaged_model_file_stops_every_command_with_one_line(tmp_path, name):
    ws = make_workspace(tmp_path / "ws", "plain")
    _truncate(ws.models_dir / Q / name)
    said = f"{ws.models_dir / Q / name} is damaged"
    rebuild = f"run `trends analyze --quarter {Q}` again"
    out = tmp_path / "out"
    commands = (
        ["report", "--out", str(out / "report"), "--format", "md,html"],
        ["scan"],
        ["who", "T003"],
        ["brief", "T003"],
        ["export", "topics", "--out", str(out / "topics.csv")],
        ["export", "trends", "--out", str(out / "trends.csv")],
        ["export", "documents", "--out", str(out / "documents.csv")],
        ["export", "transfer", "--out", str(out / "transfer.csv")],
        ["export", "citations", "--quarter", Q, "--format", "bibtex", "--out", str(out / "c.bib")],
        ["suggest", "Soest"],
    )
    for args in commands:
        result = run(ws, *args)
        assert result.exit_code == 1, (args, result.output)
        message = " ".join(result.output.split())
        assert message.startswith("error:") and said in message and rebuild in message, args
        assert "Traceback" not in result.output, args
    assert not out.exists() or not any(out.rglob("*"))  # nothing written, not even in part

    with TestClient(create_app(ws)) as client:
        paths = (
            "/",
            "/topics/T003",
            "/who?q=T003",
            "/municipalities/Soest",
            "/brief/T003",
            "/api/scan",
            "/api/who?municipality=Soest",
        )
        for path in paths:
            page = client.get(path)
            assert page.status_code == 503, path
            assert said in page.text and rebuild in page.text, path
            assert "Traceback" not in page.text


def test_a_model_file_that_still_parses_can_be_damaged_too(tmp_path):
    # every line of a shortened assignments.jsonl still parses: the manifest's count tells
    ws = make_workspace(tmp_path / "ws", "plain")
    path = ws.models_dir / Q / "assignments.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-3]), encoding="utf-8")
    with pytest.raises(
        AnalysisError, match=r"assignments.jsonl is damaged \(\d+ articles, manifest"
    ):
        build_context(ws, Q, lang="de", today=TODAY)
    path.write_text("".join(lines[:-1]) + "[1, 2]\n", encoding="utf-8")  # valid JSON, not a row
    with pytest.raises(AnalysisError, match=rf"line {len(lines)}: not an article row"):
        load_model(ws, Q)
    topics = ws.models_dir / Q / "topics.json"
    topics.write_text('{"quarter": "2026Q3", "topics": [{"label": "ohne id"}]}', encoding="utf-8")
    with pytest.raises(AnalysisError, match=r"topics.json is damaged \(a topic without an id\)"):
        load_model(ws, Q)


def test_an_earlier_models_damage_stops_the_report_that_compares_with_it(tmp_path):
    ws = make_workspace(tmp_path / "ws", "plain")
    (ws.models_dir / "2026Q2" / "evidence.json").write_text("{", encoding="utf-8")
    with pytest.raises(AnalysisError, match=r"2026Q2/evidence.json is damaged .* --quarter 2026Q2"):
        build_context(ws, Q, lang="de", today=TODAY)
