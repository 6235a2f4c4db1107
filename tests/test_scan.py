"""Adviser views: scan, search, who, brief — on an analysed corpus and at the edges."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_analyze import TODAY, demo_jsonl

import trends
from trends.analyze import AnalysisConfig, analyze
from trends.cli import main
from trends.config import Workspace
from trends.corpus import Corpus
from trends.scan import Views, brief, parse_since, scan, search, snippet, sparkline, who


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Workspace:
    root = tmp_path_factory.mktemp("scan")
    (root / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    CliRunner().invoke(main, ["-w", str(root), "import", str(demo_jsonl(root / "demo.jsonl"))])
    workspace = Workspace.resolve(root)
    analyze(workspace, AnalysisConfig(today=TODAY))
    return workspace


def run(ws: Workspace, *args: str):
    return CliRunner().invoke(main, ["-w", str(ws.root), *args])


def test_search_finds_compound_parts_ranked_with_snippets(ws):
    hits = search(ws, "Parkausweis")
    assert hits and all("parkausweis" in (h["title"] + h["snippet"]).lower() for h in hits[:5])
    assert any("bewohner«parkausweis»" in h["snippet"].lower() for h in hits)
    assert (
        "«" in hits[0]["snippet"] and hits[0]["published"] and hits[0]["url"].startswith("https://")
    )
    one = search(ws, "Parkausweis", source=hits[0]["source"])
    assert one and all(h["source"] == hits[0]["source"] for h in one)
    unknown = run(ws, "search", "Parkausweis", "--source", "nope")
    assert unknown.exit_code == 1 and "unknown source 'nope'; sources: " in unknown.output
    since = search(ws, "Parkausweis", since=dt.date(2026, 7, 1))
    assert since and all(h["published"] >= "2026-07-01" for h in since)


@pytest.mark.parametrize(
    "query", ['"', "Park* OR", "NEAR(a b", "AND", "-", "()", "'; DROP TABLE articles; --", "ä"]
)
def test_fts_syntax_in_queries_never_crashes(ws, query):
    result = run(ws, "search", query)
    assert result.exit_code == 0, result.output
    # click turns a crash into exit 1, so only 0 shows that `who` handled the query
    result = run(ws, "who", query)
    assert result.exit_code == 0 and result.exception is None, result.output


def test_query_with_no_hits(ws):
    assert search(ws, "Quantencomputer Marsmission") == []
    result = run(ws, "search", "Quantencomputer Marsmission")
    assert result.exit_code == 0 and "no articles match" in result.output
    result = run(ws, "brief", "Quantencomputer Marsmission")
    assert result.exit_code == 1 and "nothing found" in result.output


def test_who_for_the_parking_topic_names_its_pilot_and_its_rollout_towns(ws):
    names = [g["name"] for g in who(ws, "Bewohnerparkausweis")["municipalities"]]
    assert "Soest" in names and "Lippstadt" in names


def test_who_for_a_topic_lists_municipalities_with_stage_and_links(ws):
    data = who(ws, "Bewohnerparkausweis")
    names = [g["name"] for g in data["municipalities"]]
    assert data["topic"] and "Soest" in names
    soest = next(g for g in data["municipalities"] if g["name"] == "Soest")
    # the demo's Soest piloted the online permit, then rolled it out (trends/demo/truth.yaml)
    assert soest["stage"] == "rollout" and soest["first"] < soest["latest"]
    assert soest["evidence"][0]["url"].startswith("https://")
    as_json = json.loads(run(ws, "who", "Bewohnerparkausweis", "--json").output)
    assert as_json["municipalities"][0]["name"]


@pytest.mark.parametrize(
    "name",
    ["Lippstadt", "lippstadt", "Bad Lippspringe", "Bad-Lippspringe", "Delbrück", "Delbrueck"],
)
def test_who_municipality_handles_case_umlauts_and_hyphens(ws, name):
    data = who(ws, municipality=name)
    assert data["topics"], name
    assert all(t["label"] and t["evidence"] for t in data["topics"])


def test_who_links_each_municipality_to_its_own_news_first(ws):
    # the LoRaWAN articles name neighbouring towns too ("as in Delbrück"): a town's first link is
    # an article whose headline names it, not the latest article that mentions it in passing
    groups = {g["name"]: g for g in who(ws, "LoRaWAN")["municipalities"]}
    for name, stem in [("Delbrück", "Delbrück"), ("Wuppertal", "Wupperta"), ("Soest", "Soest")]:
        assert stem in groups[name]["evidence"][0]["title"], groups[name]["evidence"]
    soest = who(ws, municipality="Soest")["topics"]
    parking = next(t for t in soest if "Bewohnerpark" in t["label"])
    assert "Soest" in parking["evidence"][0]["title"]


def test_who_unknown_municipality_is_a_clear_error(ws):
    result = run(ws, "who", "--municipality", "Atlantis")
    assert result.exit_code == 1 and "unknown municipality" in result.output


def test_scan_lists_classes_with_evidence_and_json(ws):
    rows = scan(ws, classes=("new", "emerging", "growing", "stable", "declining"))
    assert rows and all(r["class"] and r["stage"] and r["trajectory"] for r in rows)
    assert all(set(r) >= {"id", "label", "class", "growth", "stage", "evidence"} for r in rows)
    result = run(ws, "scan", "--all", "--json")
    assert result.exit_code == 0 and json.loads(result.output)
    assert scan(
        ws, region="Kreis Soest", classes=("stable", "growing", "new", "emerging", "declining")
    )
    assert run(ws, "scan", "--since", "soon").exit_code == 2
    # a typo is an error, not an empty "nothing is emerging"
    typo = run(ws, "scan", "--field", "Mobilitat")
    assert typo.exit_code == 1 and "fields: " in typo.output and "Mobilität" in typo.output
    nowhere = run(ws, "scan", "--region", "Atlantis")
    assert nowhere.exit_code == 1 and "no article of the model names 'Atlantis'" in nowhere.output
    assert run(ws, "scan", "--field", "mobil", "--all").exit_code == 0  # a prefix is enough
    # growing is decided by the slope over the window, which is shown next to the class (the
    # growth column is quarter on quarter and may be negative for a growing topic)
    growing = [r for r in rows if r["class"] == "growing"]
    assert growing and all(r["slope_per_quarter"] >= 0.1 for r in growing)
    table = run(ws, "scan").output
    assert f"{growing[0]['slope_per_quarter']:+.0%}/q" in table and "Theil-Sen" in table


def test_scan_leads_with_new_topics_and_shows_all_they_rest_on(ws):
    rows = scan(ws, classes=("new", "emerging", "growing", "stable", "declining"), limit=50)
    classes = [r["class"] for r in rows]
    assert classes[0] == "new" and classes.index("emerging") < classes.index("growing")
    new = rows[0]  # the demo's EUDI wallet: 7 articles from 7 sources in 2026Q3
    assert new["articles"] == len(new["items"]) >= 7
    dates = [i["published"] for i in new["items"]]
    assert dates == sorted(dates, reverse=True) and all(i["url"] for i in new["items"])
    assert len(new["sources"]) >= 7 and not new["single_source"]
    assert "Aachen" in new["municipalities"]
    big = next(r for r in rows if r["class"] == "stable")
    assert len(big["items"]) == 3 < big["articles"]  # a big topic shows its latest only
    assert "sources" in run(ws, "scan").output
    as_json = json.loads(run(ws, "scan", "--json").output)
    assert as_json[0]["items"] == new["items"] and as_json[0]["municipalities"]


def test_brief_in_markdown_and_html(ws, tmp_path):
    text = brief(ws, "Bewohnerparkausweis")
    for heading in (
        "# Workshop-Brief",
        "**Verlauf**",
        "**Reifegrad:**",
        "## Wer hat es schon gemacht?",
        "## Übertragbarkeit",
        "## Offene Fragen",
        "## Quellen",
    ):
        assert heading in text
    # the same brief in English: headings, class, rule, stage and questions; quotes as written
    en = run(ws, "brief", "Bewohnerparkausweis", "--lang", "en").output
    for heading in ("# Workshop brief", "**Trajectory**", "## Who has already done it?",
                    "## Transferability", "## Open questions", "## Sources"):  # fmt: skip
        assert heading in en
    for german in ("## Übertragbarkeit", "## Offene Fragen", "**Reifegrad:**", "| Kommune |"):
        assert german not in en
    out = tmp_path / "brief.html"
    result = run(ws, "brief", "Bewohnerparkausweis", "--format", "html", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert (
        result.exit_code == 0
        and html.startswith("<!DOCTYPE html>")
        and '<table class="who">' in html
    )
    assert "<script" not in html and "javascript:" not in html
    quotes = re.search(r"<blockquote[^>]*>(.*?)</blockquote>", html, re.S)[1]
    assert quotes.count("<p>") >= 2  # each evidence quote a paragraph of its own


def test_brief_quotes_are_never_doubled(ws):
    # the demo quotes sentences that open with a quotation of their own („Das Netz ist da …“,
    # sagt …): between the brief's marks they become inner ones, as in the report
    from trends.models import load_model

    model = load_model(ws)
    for lang, doubled in (("de", ("„„", "““")), ("en", ("““", "””"))):
        for topic in model["topics"]:
            text = brief(ws, topic["id"], lang=lang)
            assert not any(d in text for d in doubled), (topic["id"], lang)


def test_brief_template_in_the_workspace_wins(ws, tmp_path):
    import shutil

    copy = Workspace.resolve(shutil.copytree(ws.root, tmp_path / "ws"))
    (copy.root / "templates").mkdir(exist_ok=True)
    (copy.root / "templates" / "brief.md.j2").write_text(
        "# {{ heading }}\n{% for g in who %}- {{ g.name }}\n{% endfor %}", encoding="utf-8"
    )
    own = brief(copy, "Bewohnerparkausweis")
    assert own.startswith("# Workshop-Brief: ") and "## Quellen" not in own
    assert own.count("\n- ") == len(who(ws, "Bewohnerparkausweis")["municipalities"][:15])
    # the HTML brief has no copy there: the default one
    assert "<h2>Quellen</h2>" in brief(copy, "Bewohnerparkausweis", "html")


def test_brief_states_class_rule_and_stage_in_the_readers_language(ws):
    # German throughout: class, rule with its numbers, stage (demo: growing, rollout); English too
    text = brief(ws, "Bewohnerparkausweis")
    assert "**Trend:** wachsend – Der Anteil steigt um " in text
    assert "Theil-Sen-Steigung; Schwelle +10 %" in text and "**Reifegrad:** Rollout" in text
    en = run(ws, "brief", "Bewohnerparkausweis", "--lang", "en").output
    assert "**Trend:** growing – The share rises by " in en and "**Maturity:** Rollout" in en


def test_brief_questions_fit_the_stage(ws):
    concept_q, pilot_q = (
        "Wer plant einen Piloten",
        "Welche Ergebnisse liefern die laufenden Piloten",
    )
    eudi = brief(ws, "EUDI-Wallet")  # demo: a new topic, still a concept
    assert "**Reifegrad:** Konzept" in eudi and concept_q in eudi and pilot_q not in eudi
    chatbot = brief(ws, "KI-Assistent")  # demo: emerging, in pilots
    assert "**Reifegrad:** Pilot" in chatbot and pilot_q in chatbot and concept_q not in chatbot


def test_a_sentence_that_is_evidence_in_several_quarters_is_quoted_once(ws):
    views = Views(ws)
    same = {"article_id": "a1", "text": "Weitere Kommunen können die Lösung nachnutzen."}
    other = {"article_id": "a2", "text": "Der Quellcode steht als Open Source bereit."}
    views.evidence = {
        f"TX|{q}|{i}": {**e, "topic_id": "TX", "quarter": q, "kind": "transfer"}
        for q in ("2026Q1", "2026Q2")
        for i, e in enumerate((same, other))
    }
    quoted = views.evidence_for("TX", "transfer")
    assert [e["text"] for e in quoted] == [same["text"], other["text"]]
    assert quoted[0]["quarter"] == "2026Q2"  # the latest quarter's copy


def test_evidence_includes_merged_topics_and_backs_the_stage_first(ws):
    views = Views(ws)
    views.model = {
        "quarter": "2026Q3",
        "topics": [
            {"id": "TA", "stage": "pilot"},
            {"id": "TB", "stage": "pilot", "merge_into": "TA"},
        ],
    }
    views.evidence = {
        "TA|2026Q3|0": {"text": "A plant.", "stage": "konzept"},
        "TA|2026Q3|1": {"text": "A testet.", "stage": "pilot"},
        "TB|2026Q3|0": {"text": "B testet.", "stage": "pilot"},
        "TB|2026Q2|0": {"text": "B früher.", "stage": "pilot"},
    }
    for key, e in views.evidence.items():
        e.update(topic_id=key.split("|")[0], quarter=key.split("|")[1], kind="stage")
    # the topic's own sentences first, the one backing its stage (pilot) before the other; then the
    # merged topic's; only the model's quarter
    assert [e["text"] for e in views.evidence_for("TA")] == ["A testet.", "A plant.", "B testet."]


def test_a_broken_curation_file_is_a_one_line_error_everywhere(ws):
    ws.curation_yaml.write_text('topics:\n  T001: {label: "Neu"\n', encoding="utf-8")
    try:
        for args in (["scan"], ["who", "LoRaWAN"], ["brief", "LoRaWAN"], ["export", "topics"]):
            result = run(ws, *args)
            assert result.exit_code == 1, (args, result.output)
            assert "curation.yaml:3: not valid YAML" in result.output, args
    finally:
        ws.curation_yaml.unlink()


def test_a_damaged_model_file_says_how_to_rebuild_it(ws, tmp_path):
    import shutil

    copy = Workspace.resolve(shutil.copytree(ws.root, tmp_path / "copy"))
    topics = copy.models_dir / "2026Q3" / "topics.json"
    topics.write_text(topics.read_text(encoding="utf-8")[:1000], encoding="utf-8")  # cut short
    for args in (["scan"], ["report"], ["export", "topics"], ["brief", "LoRaWAN"]):
        result = run(copy, *args)
        assert result.exit_code == 1, (args, result.output)
        assert "topics.json is damaged" in result.output, args
        assert "run `trends analyze --quarter 2026Q3` again" in " ".join(result.output.split())


def test_two_letter_words_like_ki_are_found_as_words_not_inside_others(ws):
    hits = search(ws, "KI", limit=100)
    assert len(hits) >= 10  # the demo's KI assistant topic
    as_word = re.compile(r"(?<![^\W_])KI(?![^\W_])", re.I)
    with Corpus(ws.corpus_db) as corpus:
        texts = corpus.texts([h["id"] for h in hits])
    for title, text, _ in texts.values():  # "KI-Assistent" yes; "Kita", "Kinder" (in the demo) no
        assert as_word.search(f"{title} {text}"), title
    assert all("«" in h["snippet"] for h in hits)  # the snippet marks where KI stands
    both = search(ws, "KI Soest", limit=100)  # a long word through the index, KI on the text
    assert both and {h["id"] for h in both} <= {h["id"] for h in hits}
    # advisers type the acronym: who and brief find the topic by it
    assert who(ws, "KI")["topic"]["label"].startswith("KI-Assistent")
    assert brief(ws, "KI").startswith("# Workshop-Brief: KI-Assistent")


def test_views_on_an_empty_workspace(tmp_path):
    (tmp_path / "sources.yaml").write_text("sources: []\n")
    ws = Workspace.resolve(tmp_path)
    for args in (["scan"], ["who", "OZG"], ["brief", "OZG"], ["who", "--municipality", "Soest"]):
        result = run(ws, *args)
        assert result.exit_code == 1 and "run `trends analyze` first" in result.output, args
    # no corpus yet: say so, rather than "no articles match"
    result = run(ws, "search", "OZG")
    assert (
        result.exit_code == 1 and "run `trends collect` or `trends import` first" in result.output
    )


def test_helpers():
    assert parse_since("90d", dt.date(2026, 11, 22)) == dt.date(2026, 8, 24)
    assert parse_since("2026Q3") == dt.date(2026, 7, 1)
    assert sparkline([0, 1, 2, 4]) == "▁▃▅█" and sparkline([0, 0]) == "▁▁"
    assert (
        snippet("Die Stadt bietet Bewohnerparkausweise an.", "parkausweis")
        == "Die Stadt bietet Bewohner«parkausweis»e an."
    )


def test_who_gives_a_place_the_stage_its_articles_corroborate(tmp_path):
    # a place's stage in a topic is the furthest stage as many of its articles tell as a topic's
    # stage needs (taxonomy: rollout two), or its latest article's: one article read too far
    # among several at pilot does not make the town "run" the solution
    def row(day: str, stage: str) -> dict:
        return {
            "title": "Bericht",
            "url": f"https://example.org/{day}",
            "published": day,
            "source": "s",
            "municipalities": ["Soest"],
            "stage": stage,
        }

    views = Views(Workspace(tmp_path))
    pilots = [row("2026-01-10", "pilot"), row("2026-02-10", "rollout"), row("2026-03-10", "pilot")]
    assert views.by_place(pilots)[0]["stage"] == "pilot"
    again = [*pilots, row("2026-04-10", "rollout"), row("2026-05-10", "pilot")]
    assert views.by_place(again)[0]["stage"] == "rollout"  # told twice
    latest = [*pilots, row("2026-06-10", "standard")]
    assert views.by_place(latest)[0]["stage"] == "standard"  # the newest news counts alone
    # a workspace taxonomy that lets one article carry a rollout gives the town that
    packaged = (Path(trends.__file__).parent / "taxonomy.yaml").read_text(encoding="utf-8")
    lenient = packaged.replace("rollout: 2, standard: 2}", "rollout: 1, standard: 1}", 1)
    assert lenient != packaged
    (tmp_path / "taxonomy.yaml").write_text(lenient, encoding="utf-8")
    assert Views(Workspace(tmp_path)).by_place(pilots)[0]["stage"] == "rollout"
