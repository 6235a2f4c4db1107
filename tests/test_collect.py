"""`collect` end to end against a local site: articles stored once, faults kept as failure rows."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ARTICLE_TEXT, article_html, distinct_text, rss

from trends.collect.run import collect
from trends.config import load_sources
from trends.corpus import Corpus

OTHER_TEXT = (
    "Der Kreis Lippe führt die elektronische Akte in allen Fachbereichen ein. Nach einer Testphase im "
    "Bauamt arbeiten nun rund 900 Beschäftigte mit dem Dokumentenmanagementsystem. Papierakten werden "
    "gescannt und revisionssicher archiviert; die Schriftform bleibt dabei eine rechtliche Hürde. Die "
    "Umstellung soll bis zum Sommer abgeschlossen sein, teilte die Kreisverwaltung in Detmold mit."
)


def run(ws_root: Path, **kw):
    config = load_sources(ws_root / "sources.yaml")
    with Corpus(ws_root / "corpus" / "corpus.sqlite") as corpus:
        stats = collect(config, corpus, **kw)
        failures = corpus.failures()
        articles = list(corpus.articles(relevant_only=False))
    return stats, failures, articles


def reasons(failures) -> str:
    return "\n".join(f"{f.stage}: {f.reason}" for f in failures)


def test_feed_articles_are_extracted_and_second_run_costs_one_304(site, workspace):
    site.page("/a1", article_html("Soest startet Online-Parkausweis"))
    site.page("/a2", article_html("Kreis Lippe führt E-Akte ein", OTHER_TEXT, "2025-05-02"))
    feed = rss(
        [
            ("Soest startet Online-Parkausweis", "/a1", "Tue, 04 Mar 2025 10:00:00 +0100"),
            ("Kreis Lippe führt E-Akte ein", "/a2", "Fri, 02 May 2025 09:00:00 +0200"),
        ],
        site.base,
    )
    site.route(
        "/feed",
        lambda h: (
            h.send(304, b"")
            if h.headers.get("If-None-Match") == '"f1"'
            else h.send(200, feed, "application/rss+xml", {"ETag": '"f1"'})
        ),
    )
    workspace.sources(
        f"  - {{id: test, kind: feed, url: '{site.base}/feed', type: municipality}}\n"
    )

    stats, failures, articles = run(workspace.root)
    assert (stats.new, stats.failures) == (2, 0), reasons(failures)
    by_title = {a.title: a for a in articles}
    art = by_title["Soest startet Online-Parkausweis"]
    assert art.published == dt.date(2025, 3, 4) and art.quarter == "2025Q1"
    assert "Bewohnerparkausweis ab sofort online" in art.text
    assert (
        "Cookies" not in art.text and "Super Sache" not in art.text and "Impressum" not in art.text
    )
    assert art.language == "de" and art.source == "test"

    stats2, _, articles2 = run(workspace.root)
    assert stats2.new == 0 and len(articles2) == 2
    assert site.hits["/feed"] == 2 and site.hits["/a1"] == 1  # one conditional request, no refetch


def test_faults_become_failure_rows_and_the_rest_goes_on(site, workspace):
    site.page("/good", article_html("Gute Nachricht"))
    site.page("/empty", "")
    site.page("/doc.pdf", b"%PDF-1.7 binary", "application/pdf")
    site.page(
        "/wall",
        "<html><body><div>Bitte akzeptieren Sie Cookies, um fortzufahren.</div></body></html>",
    )
    site.page("/gone", "nope", status=404)
    site.page("/err", "boom", status=500)
    feed = rss(
        [
            ("Gut", "/good", "Tue, 04 Mar 2025 10:00:00 +0100"),
            ("Leer", "/empty", "Tue, 04 Mar 2025 10:00:00 +0100"),
            ("PDF", "/doc.pdf", "Tue, 04 Mar 2025 10:00:00 +0100"),
            ("Wand", "/wall", "Tue, 04 Mar 2025 10:00:00 +0100"),
            ("Weg", "/gone", "Tue, 04 Mar 2025 10:00:00 +0100"),
            ("Fehler", "/err", "Tue, 04 Mar 2025 10:00:00 +0100"),
        ],
        site.base,
    )
    site.page("/feed", feed, "application/rss+xml")
    site.page("/html-feed", "<!DOCTYPE html><html><body><h1>Presse</h1></body></html>")
    site.page(
        "/broken-feed", "<rss><channel><title>x</title><item><title>A</tit", "application/rss+xml"
    )
    workspace.sources(
        f"  - {{id: ok, kind: feed, url: '{site.base}/feed'}}\n"
        f"  - {{id: htmlfeed, kind: feed, url: '{site.base}/html-feed'}}\n"
        f"  - {{id: broken, kind: feed, url: '{site.base}/broken-feed'}}\n"
        "  - {id: refused, kind: feed, url: 'http://127.0.0.1:9/feed'}\n"
    )
    stats, failures, articles = run(workspace.root)
    text = reasons(failures)
    assert [a.title for a in articles] == ["Gute Nachricht"]
    assert "extract: empty page" in text
    assert "not an HTML page (application/pdf)" in text
    assert "no article text" in text  # cookie wall
    assert "HTTP 404" in text and "HTTP 500" in text
    assert "not a feed: the URL serves an HTML page" in text
    assert "malformed feed" in text
    assert "cannot connect" in text
    assert all("\n" not in f.reason for f in failures)
    assert stats.failures == len(failures) >= 8


def test_hostile_xml_is_refused(site, workspace):
    laughs = (
        "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
        + "".join(
            f"<!ENTITY lol{i} '{('&lol' + str(i - 1) + ';') * 10 if i else '&lol;' * 10}'>"
            for i in range(9)
        )
        + "]><rss version='2.0'><channel><title>&lol8;</title></channel></rss>"
    )
    xxe = (
        "<?xml version='1.0'?><!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
        "<rss version='2.0'><channel><title>&x;</title><item><title>&x;</title><link>http://x/</link></item></channel></rss>"
    )
    site.page("/laughs", laughs, "application/rss+xml")
    site.page("/xxe", xxe, "application/rss+xml")
    site.page("/sitemap-xxe", xxe.replace("rss", "urlset"), "application/xml")
    workspace.sources(
        f"  - {{id: a, kind: feed, url: '{site.base}/laughs'}}\n"
        f"  - {{id: b, kind: feed, url: '{site.base}/xxe'}}\n"
        f"  - {{id: c, kind: sitemap, url: '{site.base}/sitemap-xxe'}}\n"
    )
    stats, failures, articles = run(workspace.root)
    assert articles == []
    assert sum("declares entities" in f.reason for f in failures) == 3
    assert all("root:" not in f.reason for f in failures)


def test_odd_feed_entries(site, workspace):
    site.page("/a", article_html("Zukunft", date="2025-06-10"))
    site.page("/b", article_html("Kaputtes Datum", OTHER_TEXT, date="2025-06-11"))
    site.page(
        "/c",
        article_html(
            "Ohne Titel im Feed", ARTICLE_TEXT.replace("Soest", "Werl"), date="2025-06-12"
        ),
    )
    feed = (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
        "<item><title>Kein Link</title><pubDate>Tue, 04 Mar 2025 10:00:00 +0100</pubDate></item>"
        f"<item><title>Zukunft</title><link>{site.base}/a</link><pubDate>Mon, 01 Jan 2099 10:00:00 +0100</pubDate></item>"
        f"<item><title>Kaputtes Datum</title><link>{site.base}/b</link><pubDate>gestern irgendwann</pubDate></item>"
        f"<item><link>{site.base}/c</link></item></channel></rss>"
    )
    site.page("/feed", feed, "application/rss+xml")
    workspace.sources(f"  - {{id: odd, kind: feed, url: '{site.base}/feed'}}\n")
    stats, failures, articles = run(workspace.root)
    text = reasons(failures)
    assert "feed entry without link: Kein Link" in text
    assert "entry date in the future" in text and "unparseable entry date" in text
    dates = {a.title: a.published for a in articles}
    assert dates == {
        "Zukunft": dt.date(2025, 6, 10),
        "Kaputtes Datum": dt.date(2025, 6, 11),
        "Ohne Titel im Feed": dt.date(2025, 6, 12),
    }


def test_wrong_and_missing_charset(site, workspace):
    umlauts = ARTICLE_TEXT + " Größere Städte wie Münster prüfen die Übernahme."
    latin1_page = article_html("Prüfung in Münster", umlauts).replace("charset='utf-8'", "")
    site.page("/latin1", latin1_page.encode("latin-1"), "text/html; charset=utf-8")  # header lies
    site.page(
        "/nocharset",
        article_html("Grüße aus Köln", OTHER_TEXT + " Köln grüßt.").encode("utf-8"),
        "text/html",
    )
    feed = rss(
        [
            ("Prüfung", "/latin1", "Tue, 04 Mar 2025 10:00:00 +0100"),
            ("Grüße", "/nocharset", "Tue, 04 Mar 2025 10:00:00 +0100"),
        ],
        site.base,
    )
    site.page(
        "/feed", feed.encode("latin-1").replace(b"utf-8", b"iso-8859-1"), "application/rss+xml"
    )
    workspace.sources(f"  - {{id: cs, kind: feed, url: '{site.base}/feed'}}\n")
    stats, failures, articles = run(workspace.root)
    texts = " ".join(a.text for a in articles)
    assert stats.new == 2, reasons(failures)
    assert "Größere Städte wie Münster" in texts and "Köln grüßt" in texts
    assert "\ufffd" not in texts


def test_same_article_under_url_variants_is_stored_once(site, workspace):
    site.page("/news/parken/", article_html("Parken digital"))
    site.page("/news/parken", article_html("Parken digital"))
    variants = [
        "/news/parken/?utm_source=newsletter&utm_medium=mail",
        "/news/parken",
        "/news/parken/#top",
    ]
    feed = rss(
        [("Parken digital", v, "Tue, 04 Mar 2025 10:00:00 +0100") for v in variants], site.base
    )
    site.page("/feed", feed, "application/rss+xml")
    workspace.sources(f"  - {{id: v, kind: feed, url: '{site.base}/feed'}}\n")
    stats, failures, articles = run(workspace.root)
    assert len(articles) == 1 and stats.new == 1


def test_syndicated_near_duplicate_is_stored_once_and_seen_in_both(site, workspace):
    site.page("/orig", article_html("Soest startet Online-Parkausweis"))
    copy = "Wie die Stadt mitteilt: " + ARTICLE_TEXT + " (Quelle: Pressestelle)"
    site.page("/copy", article_html("Online-Parkausweis in Soest", copy))
    site.page(
        "/f1",
        rss([("Soest", "/orig", "Tue, 04 Mar 2025 10:00:00 +0100")], site.base),
        "application/rss+xml",
    )
    site.page(
        "/f2",
        rss([("Soest", "/copy", "Wed, 05 Mar 2025 10:00:00 +0100")], site.base),
        "application/rss+xml",
    )
    workspace.sources(
        f"  - {{id: stadt, kind: feed, url: '{site.base}/f1'}}\n"
        f"  - {{id: presse, kind: feed, url: '{site.base}/f2'}}\n"
    )
    stats, failures, articles = run(workspace.root)
    assert len(articles) == 1 and stats.duplicates == 1
    with Corpus(workspace.root / "corpus" / "corpus.sqlite") as corpus:
        assert corpus.seen_in() == {articles[0].id: {"stadt", "presse"}}


def test_sitemap_page_and_dir_sources(site, workspace, tmp_path):
    site.page("/meldungen/eins", article_html("Eins", date="2025-01-10"))
    site.page("/meldungen/zwei", article_html("Zwei", OTHER_TEXT, date="2025-02-10"))
    site.page("/themen/x", article_html("Themenseite", OTHER_TEXT + " Anders."))
    site.page(
        "/",
        f"<html><body><a href='/meldungen/eins'>Eins</a><a href='{site.base}/meldungen/zwei#c'>Zwei</a>"
        "<a href='/themen/x'>Thema</a><a href='mailto:a@b'>M</a><a href='http://elsewhere.invalid/meldungen/3'>x</a></body></html>",
    )
    site.page(
        "/sitemap.xml",
        "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<sitemap><loc>{site.base}/sm1.xml</loc></sitemap></sitemapindex>",
        "application/xml",
    )
    site.page(
        "/sm1.xml",
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<url><loc>{site.base}/meldungen/eins</loc><lastmod>2025-01-11</lastmod></url></urlset>",
        "application/xml",
    )
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text(
        "---\ndate: 2025-04-01\n---\n# Notiz LoRaWAN\n" + distinct_text(3), encoding="utf-8"
    )
    (notes / "b.txt").write_text("Nur ein Titel\n", encoding="utf-8")
    workspace.sources(
        f"  - {{id: listing, kind: page, url: '{site.base}/', article_pattern: '/meldungen/'}}\n"
        f"  - {{id: smap, kind: sitemap, url: '{site.base}/sitemap.xml'}}\n"
        f"  - {{id: local, kind: dir, path: '{notes}'}}\n"
    )
    stats, failures, articles = run(workspace.root)
    titles = sorted(a.title for a in articles)
    # a file with a title line only is stored too, marked not judged (no relevance score)
    assert titles == ["Eins", "Notiz LoRaWAN", "Nur ein Titel", "Zwei"], reasons(failures)
    assert stats.unchanged == 1  # the sitemap's link was already stored by the listing source
    assert next(a for a in articles if a.title == "Nur ein Titel").relevance is None
    assert next(a for a in articles if a.title == "Notiz LoRaWAN").published == dt.date(2025, 4, 1)


def test_local_folders_resolve_against_the_workspace_and_fail_loudly(workspace, monkeypatch):
    notes = workspace.root / "notizen"
    notes.mkdir()
    # a date line above the title, without a --- block: the date, not the title
    (notes / "a.md").write_text(
        "Datum: 2025-04-01\n# LoRaWAN in Soest\n\n" + distinct_text(4), encoding="utf-8"
    )
    (notes / "b.md").write_text("date: 2025-13-45\n# Tippfehler\n" + distinct_text(5), "utf-8")
    workspace.sources(
        "  - {id: notes, kind: dir, path: notizen}\n  - {id: gone, kind: dir, path: weg}\n"
    )
    monkeypatch.chdir(workspace.root.parent)  # `trends -w WS collect` from somewhere else
    stats, failures, articles = run(workspace.root)
    by_title = {a.title: a.published for a in articles}
    assert by_title == {"LoRaWAN in Soest": dt.date(2025, 4, 1), "Tippfehler": None}
    assert "dir: folder not found" in reasons(failures)
    assert "unparseable published date, stored undated: '2025-13-45'" in reasons(failures)


def test_relevance_filter_marks_offtopic_but_stores_it(site, workspace):
    sport = (
        "Der FC Beispiel hat am Wochenende das Derby mit 3:1 gewonnen. Vor 12.000 Zuschauern "
        "traf der Stürmer zweimal. Der Trainer lobte die Abwehr und die Fans feierten bis spät "
        "in die Nacht. Nächste Woche geht es auswärts weiter, das Stadion ist ausverkauft."
    )
    site.page("/sport", article_html("Derbysieg", sport))
    site.page(
        "/ozg",
        article_html(
            "OZG in der Kommune", OTHER_TEXT + " Die Verwaltung der Kommune ist zufrieden."
        ),
    )
    site.page(
        "/feed",
        rss(
            [
                ("Derbysieg", "/sport", "Tue, 04 Mar 2025 10:00:00 +0100"),
                ("OZG", "/ozg", "Tue, 04 Mar 2025 10:00:00 +0100"),
            ],
            site.base,
        ),
        "application/rss+xml",
    )
    workspace.sources(
        f"  - {{id: general, kind: feed, url: '{site.base}/feed', filter: public-sector}}\n"
    )
    stats, failures, articles = run(workspace.root)
    relevant = {a.title: a.relevant for a in articles}
    assert relevant == {"Derbysieg": False, "OZG in der Kommune": True}
    assert stats.offtopic == 1


def test_since_and_limit(site, workspace):
    items = []
    for i in range(5):
        site.page(f"/n{i}", article_html(f"Nachricht {i}", distinct_text(i)))
        items.append((f"Nachricht {i}", f"/n{i}", f"Tue, 0{i + 1} Apr 2025 10:00:00 +0100"))
    site.page("/feed", rss(items, site.base), "application/rss+xml")
    workspace.sources(f"  - {{id: s, kind: feed, url: '{site.base}/feed'}}\n")
    stats, _, articles = run(workspace.root, since=dt.date(2025, 4, 3), limit=2)
    assert len(articles) == 2 and all(a.published >= dt.date(2025, 4, 3) for a in articles)
    assert stats.skipped == 3


CRASH_SCRIPT = """
import sys
from trends.collect.run import collect
from trends.config import load_sources
from trends.corpus import Corpus
config = load_sources(sys.argv[1] + '/sources.yaml')
with Corpus(sys.argv[1] + '/corpus/corpus.sqlite') as corpus:
    collect(config, corpus)
"""


def test_kill_9_mid_run_then_rerun_gives_the_same_corpus(site, workspace, tmp_path):
    n = 30
    items = []
    for i in range(n):
        site.page(f"/m{i}", article_html(f"Meldung {i}", distinct_text(i)))
        items.append((f"Meldung {i}", f"/m{i}", "Tue, 04 Mar 2025 10:00:00 +0100"))
    site.page("/feed", rss(items, site.base), "application/rss+xml")
    workspace.sources(
        f"  - {{id: k, kind: feed, url: '{site.base}/feed'}}\n", defaults="  concurrency: 2\n"
    )
    # slow the site down so the kill lands mid-run
    original = dict(site.handler.routes)
    for i in range(n):
        fn = original[f"/m{i}"]
        site.route(f"/m{i}", lambda h, fn=fn: (time.sleep(0.05), fn(h)))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen([sys.executable, "-c", CRASH_SCRIPT, str(workspace.root)], env=env)
    db = workspace.root / "corpus" / "corpus.sqlite"
    deadline = time.monotonic() + 30
    stored = 0
    while time.monotonic() < deadline and stored < 5:
        time.sleep(0.05)
        if db.exists():
            try:
                with Corpus(db) as c:
                    stored = c.count()
            except Exception:
                stored = 0
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Corpus(db) as c:
        interrupted = c.count()
    assert 0 < interrupted < n, "the kill should land mid-run"

    stats, failures, articles = run(workspace.root)
    assert not failures
    reference_root = tmp_path / "ref"
    reference_root.mkdir()
    (reference_root / "sources.yaml").write_text((workspace.root / "sources.yaml").read_text())
    _, _, reference = run(reference_root)
    key = sorted((a.id, a.title, a.text, a.published) for a in articles)
    assert key == sorted((a.id, a.title, a.text, a.published) for a in reference)
    assert len(articles) == n
    with Corpus(db) as c:
        assert c.integrity_ok()
