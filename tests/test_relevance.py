"""Relevance as a judgement on the text: scores, not-judged articles, the one decision (threshold,
source filter, curation), and what import, export, status and analyze make of it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from trends import relevance
from trends.analyze import AnalysisConfig, analyze
from trends.cli import main
from trends.config import Workspace
from trends.corpus import Corpus
from trends.models import load_manifest

ON_DE = (
    "Stadt Hagen startet digitalen Antrag für Wohngeld",
    "Die Stadtverwaltung Hagen bietet den Antrag auf Wohngeld ab sofort online an. Über das "
    "Serviceportal der Stadt laden Antragstellende ihre Nachweise hoch und verfolgen den Stand "
    "der Bearbeitung digital. Das Sozialamt bearbeitet die Anträge in der elektronischen Akte; "
    "Papierformulare und Postwege entfallen. Nach einer Pilotphase im Sommer nutzt inzwischen "
    "jeder dritte Haushalt den Onlinedienst.",
)
OFF_DE = (
    "SV Hagen gewinnt das Derby gegen Iserlohn",
    "Vor 4.000 Zuschauern hat der SV Hagen am Sonntag das Derby gegen den TuS Iserlohn mit 3:1 "
    "gewonnen. Nach einem frühen Rückstand drehten die Gastgeber die Partie in der zweiten "
    "Halbzeit. Trainer Markus Reiter lobte die Moral seiner Mannschaft, die nun auf Platz zwei "
    "der Tabelle steht. Das nächste Heimspiel findet am kommenden Samstag statt.",
)
ON_EN = (
    "County council moves building permits online",
    "From March, the county council accepts building permit applications only through its new "
    "online portal. Applicants upload plans and documents, pay the fee by card and follow the "
    "status of their case on the web. Case workers handle every application in an electronic "
    "file shared with the fire service and the heritage office, which the council says will "
    "halve processing times.",
)
OFF_EN = (
    "Summer fair returns to the market square",
    "The town's summer fair returns to the market square this weekend with forty stalls, a brass "
    "band and rides for children. Organisers expect about ten thousand visitors over the three "
    "days. The square will be closed to traffic from Friday morning until Sunday night, and "
    "extra buses will run from the station to the old town.",
)


def test_clear_cases_in_both_languages():
    t = relevance.default_threshold()
    assert relevance.judge(*ON_DE, "de") >= t
    assert relevance.judge(*ON_EN, "en") >= t
    assert relevance.judge(*OFF_DE, "de") < t
    assert relevance.judge(*OFF_EN, "en") < t
    # a digital word in a story about something else is not enough
    assert relevance.judge(*ON_DE, "de") > relevance.judge(
        "Stadtfest mit Live-Stream", OFF_EN[1].replace("brass band", "live stream"), "en"
    )


def test_sentence_level_scores_a_digital_solution_above_a_cue_word_alone():
    solution = "Bürgerinnen beantragen den Bewohnerparkausweis jetzt online über das Serviceportal."
    other = "Der Rat hat das Konzept für den neuen Spielplatz am Stadtpark beschlossen."
    assert relevance.solution_score(solution, "de") > 0.5 > relevance.solution_score(other, "de")


def test_contact_block_does_not_count():
    body = ON_DE[1]
    contact = (
        "\nPressekontakt: Stadt Hagen, Telefon: 02331 207-0, E-Mail: presse@hagen.de, www.hagen.de"
    )
    assert relevance.lead(body + contact) == relevance.lead(body)
    assert "hagen.de" not in relevance.lead("Die Stadt informiert im Netz. " * 5 + contact)


@pytest.mark.parametrize(
    ("title", "text", "language"),
    [
        ("Nur ein Titel über das Serviceportal", "", "de"),
        ("Kurz", "Serviceportal online.", "de"),
        ("La ville lance un portail", "La ville de Lyon lance un nouveau portail " * 5, "fr"),
    ],
)
def test_not_judged(title, text, language):
    assert relevance.judge(title, text, language) is None


def test_the_one_decision():
    p = relevance.Policy.make(
        0.5,
        keep=["a1", "https://hagen.de/presse/*"],
        set_aside=["https://hagen.de/presse/sport/*", "b2"],
    )
    assert p.decide("x", "", 0.9).relevant and p.decide("x", "", 0.9).reason == "score"
    assert p.decide("x", "", 0.1) == relevance.Decision(False, "set aside", "below threshold")
    assert p.decide("x", "", None) == relevance.Decision(True, "not judged", "not judged")
    assert p.decide("x", "", 0.9, source_filter=False).reason == "source filter"
    assert p.decide("a1", "", 0.0, source_filter=False).relevant  # curation wins
    assert not p.decide("b2", "", 1.0).relevant
    assert p.decide("x", "https://hagen.de/presse/wlan", 0.0).relevant
    # between two patterns, set_aside wins; the article named itself beats any pattern
    assert not p.decide("x", "https://hagen.de/presse/sport/derby", 1.0).relevant
    p2 = relevance.Policy.make(0.5, keep=["https://hagen.de/presse/sport/derby"], set_aside=["*"])
    assert p2.decide("x", "https://hagen.de/presse/sport/derby", 0.0).relevant


PASSING_EN = (
    "Police warn of fake parking fines sent by text message",
    "Police in the district have warned residents about text messages that claim to come from "
    "the town's public order office and ask for an unpaid parking fine to be settled by card. "
    "The office never sends fines by text, a spokesperson said, and anyone who has paid should "
    "contact their bank and report the fraud at the nearest station. Officers have identified "
    "more than forty victims since the start of the month.",
)


def test_english_articles_have_a_model_of_their_own():
    """English news is judged by the English model (trained on English items only); German
    articles and sentences by the main one, untouched by it. Its intercept is shifted so that the
    one threshold means the same for both."""
    en = relevance.article_model("en")
    assert en is not relevance.model() and en.meta["language"] == "en"
    assert en.meta.get("id") and en.meta.get("licences")
    assert en.meta["threshold"] == relevance.default_threshold()
    assert relevance.article_model("de") is relevance.model()
    assert relevance.article_model(None) is relevance.model()
    # both models name the judgement: a new English model makes analyze judge again
    assert relevance.model_id() == f"{relevance.model().meta['id']}+{en.meta['id']}"
    # a police warning about a scam by text message is no digitalization news
    assert relevance.judge(*PASSING_EN, "en") < relevance.default_threshold()
    assert relevance.judge(*ON_EN, "en") >= relevance.default_threshold()


def test_without_the_english_model_the_main_one_judges_english(tmp_path, monkeypatch):
    monkeypatch.setattr(relevance, "LANGUAGE_MODELS", {"en": tmp_path / "gone.json"})
    assert relevance.article_model("en") is relevance.model()
    assert relevance.judge(*ON_EN, "en") == round(
        relevance.model().proba(*relevance.article_features(*ON_EN))["yes"], 4
    )
    assert relevance.model_id() == str(relevance.model().meta["id"])


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, floor",
    [
        ("english4", 0.8),  # 0.945 (English model on two sets: 0.905; main: 0.67)
        ("releases2", 0.9),  # 0.985 (0.980 before the streams trained it)
        ("releases3", 0.85),  # 0.930 (300 items; the berlin label's wider sense of "digital")
        ("council", 0.85),  # 0.970 (0.930)
        ("local", 0.85),  # 0.930 (0.920)
        ("local2", 0.85),  # 0.955 (0.935)
        # 0.908 (240 items, stop 46): administrative news without a digital subject, in the voices
        # of digital trade press and IT blogs, kept 22 of 120; digital subjects 120 of 120
        ("adminpairs", 0.85),
        # 0.933 (240 items, stop 47): public bodies beyond the town hall (museums, courts,
        # police, ministries); digital offers 112 of 120, passing mentions kept 8 of 80
        ("bodies", 0.85),
    ],
)
def test_news_nobody_here_has_seen_is_judged(name, floor):
    """200 items per set (releases3: 300, adminpairs and bodies: 240), each written blind from a brief of its own by colleagues other than
    those whose items trained the models, and never trained on (scripts/train_relevance.py says
    what each is and what training on it did): the shipped models at their threshold."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import train_relevance as tr

    items = tr.unseen_sets()[name]
    t = relevance.default_threshold()
    right = [
        (relevance.judge(it.title, it.text, it.language) >= t) == (it.label == "yes")
        for it in items
    ]
    assert len(items) >= 200 and sum(right) >= floor * len(items)


def test_a_missing_or_broken_model_file_is_named(tmp_path, monkeypatch):
    with pytest.raises(relevance.ModelError, match="relevance model missing: .*train_relevance"):
        relevance.model(tmp_path / "gone.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(relevance.ModelError, match="relevance model unreadable"):
        relevance.model(broken)
    # the command line says it in one line, and stores nothing
    monkeypatch.setattr(relevance, "MODEL_FILE", tmp_path / "gone.json")
    monkeypatch.setattr(relevance, "model", lambda path=tmp_path / "gone.json": _raise(path))
    rows = tmp_path / "in.jsonl"
    rows.write_text(json.dumps({"title": ON_DE[0], "text": ON_DE[1]}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["-w", str(tmp_path), "import", str(rows)])
    assert result.exit_code == 1
    assert "relevance model missing" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "corpus" / "corpus.sqlite").exists()  # stopped before opening it


def _raise(path: Path):
    raise relevance.ModelError(f"relevance model missing: {path} (reinstall trends)")


def test_the_shipped_model_is_there_and_readable():
    path = relevance.MODEL_FILE
    assert path.exists(), f"{path} is missing: build it with scripts/train_relevance.py"
    m = relevance.model(path)
    assert m.classes == ["no", "yes"], f"{path}: not a yes/no relevance model"
    assert 0.0 < relevance.default_threshold() < 1.0
    assert m.meta.get("id") and m.meta.get("licences"), f"{path}: meta lacks id or licences"


# -- import, export, status ------------------------------------------------------------------------
def _rows(*items: dict) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in items)


@pytest.fixture
def imported(tmp_path) -> Path:
    """A workspace with imported articles only (no sources.yaml): on- and off-topic, a title
    only, a French one, one with Markdown and HTML."""
    src = tmp_path / "in.jsonl"
    src.write_text(
        _rows(
            {
                "id": "on",
                "title": ON_DE[0],
                "text": ON_DE[1],
                "published": "2026-05-04",
                "source": "hagen",
                "url": "https://hagen.de/presse/wohngeld",
            },
            {
                "id": "off",
                "title": OFF_DE[0],
                "text": OFF_DE[1],
                "published": "2026-05-05",
                "source": "hagen",
                "url": "https://hagen.de/presse/sport/derby",
            },
            {
                "id": "en",
                "title": ON_EN[0],
                "text": ON_EN[1],
                "published": "2026-05-06",
                "source": "digest",
                "language": "en",
            },
            {
                "id": "title",
                "title": "Neues Serviceportal geht online",
                "text": "",
                "published": "2026-05-07",
                "source": "digest",
            },
            {
                "id": "fr",
                "title": "La ville lance un portail",
                "language": "fr",
                "text": "La ville de Lyon lance un nouveau portail pour les démarches en ligne. "
                * 3,
                "published": "2026-05-08",
                "source": "digest",
            },
            {
                "id": "md",
                "title": "**Neu:** [Bürgerportal](https://hagen.de/portal) startet",
                "text": "## Überblick\n\n- Das <b>Bürgerportal</b> der Stadt bietet "
                "[27 Dienste](https://hagen.de/dienste) *online* an.\n- Anträge &amp; Nachweise "
                "laufen digital über das Servicekonto.<br>Die Verwaltung spart Papier und Wege.",
                "published": "2026-05-09",
                "source": "hagen",
            },
        ),  # fmt: skip
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["-w", str(tmp_path), "import", str(src)])
    assert result.exit_code == 0, result.output
    assert "not judged" in result.output and "set aside" in result.output
    return tmp_path


def _docs(root: Path) -> dict[str, dict]:
    out = CliRunner().invoke(main, ["-w", str(root), "export", "documents"]).output
    return {d["id"]: d for d in map(json.loads, out.splitlines())}


def test_import_judges_stores_everything_and_export_says_so(imported):
    docs = _docs(imported)
    assert set(docs) == {"on", "off", "en", "title", "fr", "md"}  # nothing dropped
    assert docs["on"]["relevant"] is True and docs["on"]["relevance"] >= 0.5
    assert docs["en"]["relevant"] is True
    assert docs["off"]["relevant"] is False and docs["off"]["relevance"] < 0.5
    for nj in ("title", "fr"):  # stored, marked not judged, not dropped from analysis
        assert docs[nj]["relevance"] == "" and docs[nj]["relevant"] is True
    assert docs["title"]["text"] == ""
    csv_out = (
        CliRunner()
        .invoke(main, ["-w", str(imported), "export", "documents", "--format", "csv"])
        .output
    )
    header = csv_out.splitlines()[0].split(",")
    # columns are only ever added, after the ones scripts already read
    assert header[:12] == [
        "id", "url", "title", "published", "quarter", "source", "language", "relevant", "text",
        "topic_id", "topic_weight", "relevance",
    ]  # fmt: skip
    only = CliRunner().invoke(main, ["-w", str(imported), "export", "documents", "--relevant-only"])
    assert "off" not in {json.loads(x)["id"] for x in only.output.splitlines()}


def test_markup_is_reduced_to_text_at_import_and_stays_searchable(imported):
    md = _docs(imported)["md"]
    assert md["title"] == "Neu: Bürgerportal startet"
    for mark in ("**", "](", "<b>", "<br>", "&amp;", "## ", "- Das", "*online*"):
        assert mark not in md["text"], mark
    assert "Das Bürgerportal der Stadt bietet 27 Dienste online an." in md["text"]
    assert "Anträge & Nachweise" in md["text"]
    hits = CliRunner().invoke(main, ["-w", str(imported), "search", "27 Dienste", "--json"])
    assert [h["title"] for h in json.loads(hits.output)] == ["Neu: Bürgerportal startet"]


def test_status_counts_per_source_without_sources_yaml(imported):
    assert not (imported / "sources.yaml").exists()
    result = CliRunner().invoke(main, ["-w", str(imported), "status"])
    assert result.exit_code == 0, result.output
    assert "sources.yaml: none (imported articles only" in " ".join(result.output.split())
    cells = [[c for c in line.split() if c != "│"] for line in result.output.splitlines()]
    lines = {row[0]: row[1:] for row in cells if row}  # the relevance table comes last
    # kept / set aside / not judged
    assert lines["hagen"][-3:] == ["2", "1", "0"]
    assert lines["digest"][-3:] == ["1", "0", "2"]


def test_curation_forces_articles_in_and_out_and_sets_the_threshold(imported):
    (imported / "curation.yaml").write_text(
        "articles:\n  keep: ['off']\n  set_aside: ['https://hagen.de/presse/wohn*']\n",
        encoding="utf-8",
    )
    docs = _docs(imported)
    assert docs["off"]["relevant"] is True and docs["on"]["relevant"] is False
    (imported / "curation.yaml").write_text("articles:\n  threshold: 1.0\n", encoding="utf-8")
    assert not _docs(imported)["on"]["relevant"]
    (imported / "curation.yaml").write_text("articles:\n  threshold: hoch\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["-w", str(imported), "export", "documents"])
    assert result.exit_code == 2 and "articles.threshold must be a number" in result.output


# -- analyze: off-topic articles leave topics; curation survives re-analysis -----------------------
@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory) -> Path:
    from test_analyze import demo_jsonl

    root = tmp_path_factory.mktemp("relws")
    result = CliRunner().invoke(
        main, ["-w", str(root), "import", str(demo_jsonl(root / "demo.jsonl"))]
    )
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.slow
def test_offtopic_articles_leave_topics_and_curation_survives_reanalysis(demo_ws, tmp_path):
    from trends.demo.site import load_articles

    root = tmp_path / "ws"
    shutil.copytree(demo_ws, root)
    ws = Workspace.resolve(root)
    offtopic = {a.slug for a in load_articles() if not a.topics}
    planted = {a.slug for a in load_articles() if a.topics}
    today = __import__("datetime").date(2026, 11, 22)
    analyze(ws, AnalysisConfig(today=today))
    assigned = {
        json.loads(line)["id"]
        for line in (ws.models_dir / "2026Q3" / "assignments.jsonl").open(encoding="utf-8")
    }
    docs = _docs(root)
    aside = {s for s, d in docs.items() if not d["relevant"]}
    assert aside and not assigned & aside  # set aside: in no topic, no share
    # on the demo's sources (all digital news) a few planted articles score under the threshold
    # chosen on the real stream and written local news (20 of 383 on 2026-12-04)
    lost = [s for s in planted if s in docs and not docs[s]["relevant"]]
    assert len(lost) <= 0.1 * len(planted), lost
    assert sum(not docs[s]["relevant"] for s in offtopic) >= 0.8 * len(offtopic)
    manifest = load_manifest(ws, "2026Q3")["relevance"]
    assert manifest["threshold"] == relevance.default_threshold()
    assert manifest["set_aside"] >= 1 and manifest["by_source"]

    keep = sorted(offtopic & aside)[0]
    drop = sorted(planted - aside)[0]
    (root / "curation.yaml").write_text(
        f"articles:\n  keep: [{keep}]\n  set_aside: [{drop}]\n", encoding="utf-8"
    )
    analyze(ws, AnalysisConfig(today=today))
    analyze(ws, AnalysisConfig(today=today))  # and again: the curation holds
    assigned = {
        json.loads(line)["id"]
        for line in (ws.models_dir / "2026Q3" / "assignments.jsonl").open(encoding="utf-8")
    }
    assert keep in assigned and drop not in assigned
    docs = _docs(root)
    assert docs[keep]["relevant"] and not docs[drop]["relevant"]
    report = CliRunner().invoke(main, ["-w", str(root), "report", "--quarter", "2026Q3"])
    assert report.exit_code == 0, report.output
    md = (root / "reports" / "2026Q3" / "report.md").read_text(encoding="utf-8")
    assert "Beiseitegelegt je Quelle:" in md


def test_articles_stored_before_the_migration_are_judged_on_the_next_analyze(imported):
    with Corpus(imported / "corpus" / "corpus.sqlite") as corpus:
        corpus.db.execute("UPDATE articles SET relevance=NULL, relevance_model=NULL, relevant=1")
        assert len(corpus.unjudged(relevance.model_id())) == 6
        relevance.judge_stored(corpus)
        relevance.decide_stored(corpus, relevance.policy(Workspace.resolve(imported)), write=True)
        assert corpus.unjudged(relevance.model_id()) == []
        rows = {r["id"]: r for r in corpus.relevance_rows()}
    assert rows["off"]["relevant"] == 0 and rows["on"]["relevant"] == 1
    assert rows["title"]["relevance"] is None and rows["title"]["relevant"] == 1
