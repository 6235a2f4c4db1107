"""`trends serve`: every page and JSON route on the analysed demo, search highlights, a hostile
corpus, the door (405, password, query length), paths outside reports/, broken FTS queries, the
map, read-only access, and a look in headless Chromium."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import warnings
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest
from click.testing import CliRunner
from markupsafe import escape
from test_report import CHROMIUM, _chromium, make_workspace, parse
from test_scan import ws  # noqa: F401 - the analysed demo workspace (module-scoped fixture)

from trends.cli import main
from trends.config import Workspace
from trends.corpus import Corpus
from trends.scan import Views, scan, search, who
from trends.serve.app import (
    CSP,
    MAX_PARAM,
    ServeError,
    background,
    check_host,
    create_app,
    is_loopback,
)

with warnings.catch_warnings():  # starlette 1.x suggests httpx2 for its client; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def client(ws):  # noqa: F811
    return TestClient(create_app(ws))


@pytest.fixture(scope="module")
def lora(ws) -> str:  # noqa: F811
    topic = Views(ws).find_topic("LoRaWAN")
    assert topic, "the demo has a LoRaWAN topic"
    return topic["id"]


def assert_inert(page: str) -> None:
    """Nothing in the page can run or load: no scripts, handlers, frames or images, links only
    to this site or http(s), one <style> without url()/@import."""
    tags = parse(page)
    assert tags.scripts == 0
    for tag, attrs in tags.tags:
        assert tag not in ("script", "iframe", "img", "link", "object", "embed", "base", "frame")
        assert not [a for a in attrs if a.lower().startswith("on")], (tag, attrs)
        assert not {"src", "srcset", "xlink:href", "formaction"} & set(attrs), (tag, attrs)
        for name in ("href", "action"):
            if name in attrs:
                value = attrs[name] or ""
                ok = value.startswith(("#", "http://", "https://")) or (
                    value.startswith("/") and not value.startswith("//")
                )
                assert ok, (tag, attrs)
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            raise AssertionError("meta refresh")
    assert [t for t, _ in tags.tags].count("style") == 1
    for css in tags.styles:
        assert "url(" not in css and "@import" not in css


def get(client: TestClient, path: str, **kw) -> httpx.Response:
    response = client.get(path, **kw)
    assert response.headers["content-security-policy"] == CSP, path
    assert response.headers["x-content-type-options"] == "nosniff"
    return response


# -- every page and JSON route ----------------------------------------------------------------------
PAGES = [
    "/",
    "/?all=1",
    "/?field=Mobilit%C3%A4t",
    "/?region=Kreis+Soest",
    "/?since=2026Q3",
    "/search?q=Parkausweis",
    "/search",
    "/who",
    "/who?q=Bewohnerparkausweis",
    "/who?q=Sensor+Funk",
    "/municipalities/Delbr%C3%BCck",
    "/municipalities/Kreis%20Soest",
    "/reports/",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_safe_html(client, path):
    response = get(client, path)
    assert response.status_code == 200, response.text[-500:]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert_inert(response.text)
    assert "<nav" in response.text and 'class="error"' not in response.text


def test_emerging_page_shows_what_scan_says(client, ws):  # noqa: F811
    rows = scan(ws, limit=1000)
    page = get(client, "/").text
    assert rows, "the demo has emerging topics"
    for row in rows:
        assert f'href="/topics/{row["id"]}"' in page
        assert row["label"] in page
    assert page.count('<svg class="spark"') == len(rows)
    # a topic in no field of action is in "Sonstiges", as the report's radar calls it
    assert any(not r["field"] for r in rows), "the demo's new cemetery register has no field"
    assert "Sonstiges · " in page and "– · " not in page
    # … and can be picked as a field like the others
    other = get(client, "/?field=Sonstiges").text
    assert all((f'href="/topics/{r["id"]}"' in other) == (not r["field"]) for r in rows)
    assert '<option value="Sonstiges"' in page
    # the growth column is against the previous quarter: a growing topic may show a fall there
    assert re.search(r"Wachstum<br><span[^>]*>zum Vorquartal</span>", page)
    every = get(client, "/?all=1").text
    assert every.count("<tr>") > page.count("<tr>")  # stable and declining ones too
    api = get(client, "/api/scan").json()
    assert [r["id"] for r in api] == [r["id"] for r in rows]
    mobility = get(client, "/?field=Mobilit%C3%A4t").text
    assert all(
        (f'href="/topics/{r["id"]}"' in mobility) == (r["field"] == "Mobilität") for r in rows
    )


def test_a_filter_typo_is_said_above_the_form(client):
    page = get(client, "/?field=Raumfahrt")
    assert page.status_code == 200 and 'class="error"' in page.text
    assert "no topic in the field" in page.text and "<form" in page.text
    bad = get(client, "/?since=yesterday")
    assert 'class="error"' in bad.text and "use e.g. 90d" in bad.text
    assert get(client, "/api/scan?field=Raumfahrt").status_code == 400


def test_topic_page_has_the_report_view_the_map_and_all_articles(client, ws, lora):  # noqa: F811
    page = get(client, f"/topics/{lora}").text
    views = Views(ws)
    rows = views.by_topic(lora)
    assert views.topics[lora]["label"] in page
    # every article, newest first, with its link
    dates = re.findall(r'<td class="nowrap small">(\d{4}-\d\d-\d\d)</td>', page)
    assert len(dates) == len(rows) and dates == sorted(dates, reverse=True)
    assert f'href="/brief/{lora}"' in page and f'href="/brief/{lora}?format=md"' in page
    # the map: a dot per municipality in NRW, each a link to its page; Delbrück among them
    svg = re.search(r'<svg[^>]*class="nrw-map".*?</svg>', page, re.S)
    assert svg, "the topic page draws the NRW map"
    delbrueck = re.search(
        r'<a href="(/municipalities/Delbr%C3%BCck)" aria-label="Delbrück – ', svg[0]
    )
    assert delbrueck, svg[0][:3000]
    assert get(client, delbrueck.group(1)).status_code == 200
    data = get(client, f"/api/topics/{lora}").json()
    assert data["id"] == lora and len(data["articles"]) == len(rows)
    assert any(m["name"] == "Delbrück" and m["key"] == "05774020" for m in data["municipalities"])


def test_a_big_topics_articles_come_a_page_at_a_time(client, ws, lora, monkeypatch):  # noqa: F811
    monkeypatch.setattr("trends.serve.app.ARTICLES_PER_PAGE", 7)
    rows = Views(ws).by_topic(lora)
    seen, page = [], 1
    while True:
        text = get(client, f"/topics/{lora}?page={page}").text
        seen += re.findall(r'<td class="nowrap small">(\d{4}-\d\d-\d\d)</td>', text)
        if f'href="/topics/{lora}?page={page + 1}#articles"' not in text:
            break
        page += 1
    assert page == -(-len(rows) // 7) and len(seen) == len(rows)
    assert seen == sorted(seen, reverse=True)


def test_unknown_topic_or_place_is_a_plain_404(client):
    for path in ("/topics/T999", "/municipalities/Atlantis", "/brief/Marsmission%20Quanten"):
        response = get(client, path)
        assert response.status_code == 404 and 'class="error"' in response.text, path
        assert "Traceback" not in response.text
    assert get(client, "/api/topics/T999").json()["error"].startswith("no topic")
    assert get(client, "/no/such/page").status_code == 404


def test_municipality_page_lists_its_topics_and_marks_it_on_the_map(client, ws):  # noqa: F811
    page = get(client, "/municipalities/Delbr%C3%BCck").text
    assert "Delbrück" in page and "05774020" in page
    assert re.search(r'<svg[^>]*class="nrw-map"', page)
    assert 'r="12.5"' in page  # the ring geo draws around the highlighted place
    topics = get(client, "/api/who?municipality=Delbr%C3%BCck").json()["topics"]
    assert topics and all(f'href="/topics/{t["topic_id"]}"' in page for t in topics)


def test_who_page_and_api(client, ws, lora):  # noqa: F811
    expected = who(ws, lora)
    assert len(expected["municipalities"]) >= 3
    page = get(client, f"/who?q={lora}").text
    for g in expected["municipalities"]:  # each place with its page, stage and latest date
        assert f'href="/municipalities/{quote(g["name"], safe="")}"' in page, g["name"]
    rows = re.findall(r"<tr>\s*<td><a href=\"/municipalities/", page)
    assert len(rows) == len(expected["municipalities"])
    assert re.search(r'<svg[^>]*class="nrw-map"', page)
    assert get(client, f"/api/who?q={lora}").json() == json.loads(json.dumps(expected))
    text = get(client, "/who?q=Parkausweis").text  # a query, not a topic: its search hits' places
    assert 'class="error"' not in text
    assert get(client, "/api/who").status_code == 400


def test_brief_prints_and_downloads(client, lora):
    page = get(client, f"/brief/{lora}")
    assert page.status_code == 200 and "@media print" in page.text
    assert_inert(page.text)
    md = get(client, f"/brief/{lora}?format=md")
    assert md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert md.headers["content-disposition"] == f'attachment; filename="brief-{lora}.md"'
    assert md.text.startswith("# Workshop-Brief: ")
    english = get(client, f"/brief/{lora}?lang=en&format=md").text
    assert english.startswith("# Workshop brief: ")


def test_english_pages(client, ws):  # noqa: F811
    page = get(client, "/?lang=en").text
    assert "What is emerging?" in page and 'href="/search?lang=en"' in page
    assert '<html lang="en">' in page and 'href="/" hreflang="de" lang="de">Deutsch</a>' in page
    german = get(client, "/").text
    assert "Was kommt auf?" in german and 'href="/?lang=en"' in german
    english_default = TestClient(create_app(ws, lang="en"))
    assert "What is emerging?" in english_default.get("/").text


def test_healthz(client):
    assert get(client, "/healthz").json() == {"status": "ok"}


# -- search -----------------------------------------------------------------------------------------
def test_search_highlights_hits_and_pages(client, ws):  # noqa: F811
    page = get(client, "/search?q=Parkausweis").text
    marks = re.findall(r"<mark>(.*?)</mark>", page)
    assert len(marks) >= 10 and all(m.lower() == "parkausweis" for m in marks), marks[:20]
    hits = search(ws, "Parkausweis", limit=100)
    assert len(hits) > 20, "enough hits to page"
    first = re.findall(r'<div class="title"><a href="([^"]+)"', page)
    assert first == [h["url"] for h in hits[:20]]
    assert 'href="/search?q=Parkausweis&amp;page=2"' in page
    second = get(client, "/search?q=Parkausweis&page=2").text
    assert re.findall(r'<div class="title"><a href="([^"]+)"', second)[0] == hits[20]["url"]
    assert '<ol class="hits" start="21">' in second and "page=1" in second
    # two-letter words are highlighted as words: "KI" in "KI-Assistent", never in "Kita"
    ki = get(client, "/search?q=KI").text
    assert "<mark>KI</mark>" in ki and not re.search(r"<mark>Ki</mark>ta", ki)
    api = get(client, "/api/search?q=Parkausweis").json()
    assert [h["url"] for h in api["hits"]] == [h["url"] for h in hits[:20]] and api["more"]


def test_search_filters(client, ws):  # noqa: F811
    source = search(ws, "Parkausweis")[0]["source"]
    page = get(client, f"/search?q=Parkausweis&source={source}").text
    urls = re.findall(r'<div class="title"><a href="([^"]+)"', page)
    assert urls == [h["url"] for h in search(ws, "Parkausweis", source=source)]
    unknown = get(client, "/search?q=Parkausweis&source=nope").text
    assert 'class="error"' in unknown and "unknown source" in unknown


@pytest.mark.parametrize(
    "query", ['"', "Park* OR", "NEAR(a b", "AND", "-", "()", "'; DROP TABLE articles; --", "ä", "*"]
)
def test_fts_syntax_in_queries_gets_a_page_not_an_error(client, query):
    response = get(client, "/search", params={"q": query})
    assert response.status_code == 200 and "<form" in response.text
    assert_inert(response.text)
    assert get(client, "/api/search", params={"q": query}).status_code == 200


def test_a_query_sqlite_cannot_run_is_a_plain_message(client, monkeypatch):
    def broken(self, *args, **kw):
        raise sqlite3.OperationalError('fts5: syntax error near "NEAR"')

    monkeypatch.setattr(Corpus, "search", broken)
    page = get(client, "/search?q=NEAR")
    assert page.status_code == 200 and 'class="error"' in page.text
    assert "this search cannot be run" in page.text and "Traceback" not in page.text
    api = get(client, "/api/search?q=NEAR")
    assert api.status_code == 400 and "cannot be run" in api.json()["error"]


# -- the door ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_only_get_and_head(client, method):
    for path in ("/", "/search?q=x", "/api/scan", "/no/such/page", "/healthz"):
        response = client.request(method, path)
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == "GET, HEAD"
        assert response.headers["content-security-policy"] == CSP


def test_head_answers_without_body(client):
    response = client.head("/")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-security-policy"] == CSP


def test_query_length_is_bounded(client):
    long = "Parkausweis " * 20
    assert len(long) > MAX_PARAM
    for path in ("/search", "/", "/who", "/api/search"):
        response = get(client, path, params={"q": long, "region": long})
        assert response.status_code == 400, path
        assert "too long" in response.text
    huge = get(client, "/search?q=" + "x" * 2500)
    assert huge.status_code == 414
    assert get(client, "/topics/" + "T" * 300).status_code == 400


def test_password_rule(ws):  # noqa: F811
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")
    with pytest.raises(ServeError, match="TRENDS_PASSWORD"):
        check_host("0.0.0.0", None)
    check_host("0.0.0.0", "s3cret")  # with a password it may
    check_host("127.0.0.1", None)
    # the CLI refuses before binding anything
    env = {k: v for k, v in os.environ.items() if k != "TRENDS_PASSWORD"}
    result = CliRunner(env={"TRENDS_PASSWORD": ""}).invoke(
        main, ["-w", str(ws.root), "serve", "--host", "0.0.0.0", "--port", "0"], env=env
    )
    assert result.exit_code == 2 and "TRENDS_PASSWORD" in result.output, result.output

    locked = TestClient(create_app(ws, password="s3cret"))

    def auth(password: str) -> dict:
        return {
            "Authorization": "Basic " + base64.b64encode(f"anyone:{password}".encode()).decode()
        }

    for path in ("/", "/api/scan", "/reports/", "/search?q=Parkausweis"):
        missing = locked.get(path)
        assert missing.status_code == 401 and "Basic" in missing.headers["www-authenticate"]
        assert missing.headers["content-security-policy"] == CSP
        assert locked.get(path, headers=auth("wrong")).status_code == 401
        assert locked.get(path, headers=auth("s3cret ")).status_code == 401
        assert locked.get(path, headers={"Authorization": "Basic %%%"}).status_code == 401
        assert locked.get(path, headers={"Authorization": "Bearer s3cret"}).status_code == 401
        assert locked.get(path, headers=auth("s3cret")).status_code == 200, path
    assert locked.get("/healthz").status_code == 200  # the health check needs no password


# -- reports/ and nothing else ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def reports_ws(tmp_path_factory) -> Workspace:
    """A workspace with a written report, a secret next to reports/ and a link out of it."""
    root = tmp_path_factory.mktemp("reports")
    workspace = make_workspace(root, "basic")
    folder = workspace.reports_dir / "2026Q3"
    folder.mkdir(parents=True)
    (folder / "report.html").write_text("<!DOCTYPE html><p>Bericht 2026Q3</p>", encoding="utf-8")
    (folder / "report.md").write_text("# Bericht", encoding="utf-8")
    (folder / "topics.csv").write_text("id;label\nT001;x\n", encoding="utf-8")
    (folder / ".hidden").write_text("HIDDEN-CONTENT", encoding="utf-8")
    (root / "secret.txt").write_text("SECRET", encoding="utf-8")
    (workspace.reports_dir / "outside").symlink_to(root)
    (folder / "secret-link.txt").symlink_to(root / "secret.txt")
    return workspace


def test_reports_are_served_from_reports_only(reports_ws):
    client = TestClient(create_app(reports_ws))
    index = get(client, "/reports/")
    assert index.status_code == 200 and 'href="/reports/2026Q3/"' in index.text
    listing = get(client, "/reports/2026Q3/").text
    assert 'href="/reports/2026Q3/report.html"' in listing and ".hidden" not in listing
    report = get(client, "/reports/2026Q3/report.html")
    assert report.text.endswith("Bericht 2026Q3</p>")
    assert report.headers["content-type"] == "text/html; charset=utf-8"
    assert (
        get(client, "/reports/2026Q3/report.md").headers["content-type"].startswith("text/markdown")
    )
    folder = get(client, "/reports/2026Q3")  # redirected to the folder's listing
    assert folder.status_code == 200 and folder.url.path == "/reports/2026Q3/"
    for path in (
        "/reports/..%2fsecret.txt",
        "/reports/..%2Fsecret.txt",
        "/reports/2026Q3%2f..%2f..%2fsecret.txt",
        "/reports/%2e%2e/secret.txt",
        "/reports/2026Q3/..%5c..%5csecret.txt",
        "/reports/outside/secret.txt",
        "/reports/2026Q3/secret-link.txt",
        "/reports/2026Q3/.hidden",
        "/reports/2026Q3/report.html%00.txt",
        "/reports/nope.txt",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "SECRET" not in response.text and "HIDDEN-CONTENT" not in response.text, path


def test_dot_dot_over_a_real_socket(reports_ws):
    """`..` as sent by a client that does not normalize paths (curl --path-as-is, scripts)."""
    with background(create_app(reports_ws)) as base:
        host, port = urlsplit(base).hostname, urlsplit(base).port
        for raw in (
            "/reports/../secret.txt",
            "/reports/2026Q3/../../secret.txt",
            "/reports/./../secret.txt",
            "/reports/%2e%2e/%2e%2e/secret.txt",
            "/reports/2026Q3/..%2f..%2fsecret.txt",
        ):
            with socket.create_connection((host, port), timeout=30) as sock:
                sock.sendall(f"GET {raw} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            status = answer.split(b"\r\n", 1)[0]
            assert b" 404 " in status, (raw, status)
            assert b"SECRET" not in answer, raw
        ok = httpx.get(base + "/reports/2026Q3/report.html", timeout=30)
        assert ok.status_code == 200 and "Bericht 2026Q3" in ok.text


# -- a hostile corpus renders inert -----------------------------------------------------------------
def test_hostile_corpus_renders_inert(tmp_path):
    hostile = make_workspace(tmp_path / "hostile", "hostile")
    client = TestClient(create_app(hostile))
    views = Views(hostile)
    paths = ["/", "/?all=1", "/who", "/search?q=Bewohnerparkausweis", "/search?q=script"]
    paths += [f"/topics/{tid}" for tid in views.topics]
    paths += [f"/who?q={tid}" for tid in list(views.topics)[:3]]
    paths += [f"/brief/{tid}" for tid in list(views.topics)[:3]]
    paths += ["/municipalities/Soest", "/search?q=%3Cscript%3E", "/who?q=%3Cimg%20onerror%3D1%3E"]
    for path in paths:
        response = get(client, path)
        # a brief with nothing to say is a page saying so (404); every other page is there
        ok = (200, 404) if path.startswith("/brief/") else (200,)
        assert response.status_code in ok, (path, response.text[-500:])
        assert_inert(response.text)
    page = get(client, "/?all=1").text
    assert "&lt;script&gt;alert(&#x27;curated label&#x27;)&lt;/script&gt;Parken" in page
    hits = get(client, "/search?q=script").text
    assert "&lt;<mark>script</mark>&gt;" in hits  # the hit is marked, the tag stays text
    for path in ("/api/scan?all=1", "/api/search?q=script", "/api/topics/T001"):
        response = get(client, path)
        assert response.headers["content-type"] == "application/json"
        json.loads(response.text)


# -- read-only --------------------------------------------------------------------------------------
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_serving_never_writes_the_workspace(tmp_path, ws, lora):  # noqa: F811
    copy = Workspace.resolve(shutil.copytree(ws.root, tmp_path / "copy"))
    before = {p: _digest(p) for p in copy.root.rglob("*") if p.is_file() and "-wal" not in p.name}
    client = TestClient(create_app(copy))
    for path in [*PAGES, f"/topics/{lora}", f"/brief/{lora}", "/api/search?q=KI"]:
        assert client.get(path).status_code == 200, path
    after = {p: _digest(p) for p in copy.root.rglob("*") if p.is_file() and "-wal" not in p.name}
    changed = [p for p in before if before[p] != after.get(p) and not p.name.endswith("-shm")]
    assert changed == []
    with Corpus(copy.corpus_db, readonly=True) as corpus, pytest.raises(sqlite3.OperationalError):
        corpus.db.execute("DELETE FROM articles")


def test_a_new_curation_shows_without_restart(tmp_path, ws, lora):  # noqa: F811
    copy = Workspace.resolve(shutil.copytree(ws.root, tmp_path / "copy"))
    client = TestClient(create_app(copy))
    assert "Funknetz der Kommunen" not in client.get(f"/topics/{lora}").text
    copy.curation_yaml.write_text(
        f"topics:\n  {lora}:\n    label: Funknetz der Kommunen\n", encoding="utf-8"
    )
    assert "Funknetz der Kommunen" in client.get(f"/topics/{lora}").text


def test_a_workspace_without_model_says_what_to_do(tmp_path):
    (tmp_path / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    client = TestClient(create_app(Workspace.resolve(tmp_path)))
    for path in ("/", "/who", "/topics/T001"):
        response = get(client, path)
        assert "run `trends analyze` first" in response.text, path
    assert get(client, "/search?q=x").status_code == 200
    assert "trends report" in get(client, "/reports/").text
    assert get(client, "/healthz").status_code == 200


# -- a real server, a real browser ------------------------------------------------------------------
def test_real_socket_serves_pages_and_json(ws, lora):  # noqa: F811
    with background(create_app(ws)) as base:
        page = httpx.get(f"{base}/topics/{lora}", timeout=60)
        assert page.status_code == 200 and 'class="nrw-map"' in page.text
        assert page.headers["content-security-policy"] == CSP
        assert httpx.get(f"{base}/api/scan", timeout=60).json()
        assert httpx.post(f"{base}/", timeout=60).status_code == 405


# _chromium resolves no name at all; the last switch wins, so this lets 127.0.0.1 through
LOCAL_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


@pytest.mark.browser
def test_pages_in_headless_chromium(ws, lora, tmp_path):  # noqa: F811
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium)")
    shots = Path(os.environ.get("TRENDS_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with background(create_app(ws)) as base:
        for name, path in (
            ("emerging", "/"),
            ("topic", f"/topics/{lora}"),
            ("brief", f"/brief/{lora}"),
        ):
            for width, height in ((1280, 2000), (390, 2400)):
                png = shots / f"serve-{name}-{width}.png"
                res = _chromium(
                    [
                        f"--screenshot={png}",
                        f"--window-size={width},{height}",
                        LOCAL_ONLY,
                        base + path,
                    ],
                    tmp_path,
                )
                assert png.exists() and png.stat().st_size > 10_000, res.stderr[-2000:]
        # the map is laid out: the rendered DOM has the SVG with Delbrück's dot
        res = _chromium(["--dump-dom", LOCAL_ONLY, f"{base}/topics/{quote(lora)}"], tmp_path)
        assert 'class="nrw-map"' in res.stdout and "Delbrück – " in res.stdout, res.stderr[-2000:]


def test_municipality_page_shows_its_transfer_profile_with_peers_on_the_map(client, ws):  # noqa: F811
    from trends.transfer import suggest

    profile = suggest(ws, "Soest")
    page = get(client, "/municipalities/Soest").text
    assert 'id="transfer"' in page
    listed = [i for k in ("take_over", "parallel", "ahead") for i in profile[k]]
    assert profile["take_over"], "the demo gives Soest something to take over"
    for item in listed:
        assert str(escape(item["label"])) in page  # as the templates escape it
    svg = re.search(r"<svg.*?</svg>", page, re.S)[0]
    peer_names = {p["name"] for i in profile["take_over"] for p in i["peers"]}
    for name in peer_names:  # the peers are dots on the map, each linking its page
        assert f'href="/municipalities/{quote(name, safe="")}"' in svg, name
    assert "<script" not in page.split('id="transfer"', 1)[1]


def test_quoted_sentences_show_no_doubled_or_lone_marks(client, ws):  # noqa: F811
    # the first sentence of a quotation of several („Die elektronische Akte ist … Praxis.)
    # goes between the app's own marks once, as in the report
    for topic_id in Views(ws).topics:
        page = get(client, f"/topics/{topic_id}").text
        quotes = re.findall(r"<blockquote>(.*?)</blockquote>", page, re.S)
        assert not [q for q in quotes if "„„" in q or "““" in q], topic_id
