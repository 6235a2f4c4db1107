"""The demo website: serves the bundled demo corpus on 127.0.0.1 like real news sites do.

Per source (trends/demo/sources.yaml) it serves an RSS or Atom feed — the whole archive, paged
(`?page=N` with `rel="next"`), or only the latest 20 entries plus a sitemap — and HTML article pages
wrapped in navigation, a cookie banner, comments and a footer. It also plants the noise a real crawl
meets: syndicated copies of press releases under a second source, a feed whose bytes are Latin-1
while its header says UTF-8, pages with broken markup, feed links that answer 404 or 500, and a
robots.txt with a disallowed area. ETag / Last-Modified and conditional GET are supported.

Use `serve()` as a context manager: `with serve() as site: site.base_url`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import html
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

DEMO_DIR = Path(__file__).parent
PAGE_SIZE = 15  # entries per feed page for `paging: paged`
LATEST = 20  # entries in the feed for `paging: latest` (the rest only via sitemap.xml)
# Feed links that do not resolve, like stale entries on real sites: (source, slug, status).
BROKEN_LINKS = [
    ("wuppertal", "archiv-verschoben", 404),
    ("land-digital", "pressemappe-2024", 404),
    ("verwaltung-digital", "serverfehler-meldung", 500),
    ("kreis-soest", "entwurf-alt", 404),
]


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    source: str
    published: dt.date
    language: str
    title: str
    text: str
    topics: tuple[str, ...]
    stage: str
    municipalities: tuple[str, ...]
    syndicated_by: str | None = None
    broken_html: bool = False


@lru_cache(maxsize=1)
def _sources_file() -> dict:
    return yaml.safe_load((DEMO_DIR / "sources.yaml").read_text(encoding="utf-8"))


def load_sources() -> tuple[dict, ...]:
    return tuple(_sources_file()["sources"])


@lru_cache(maxsize=1)
def load_articles(folder: Path = DEMO_DIR / "articles") -> tuple[DemoArticle, ...]:
    """All demo articles, sorted by date and slug. Raises ValueError naming the file on bad data."""
    out = []
    for path in sorted(folder.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            try:
                out.append(
                    DemoArticle(
                        slug=item["slug"],
                        source=item["source"],
                        published=_as_date(item["published"]),
                        language=item.get("language", "de"),
                        title=str(item["title"]),
                        text=str(item["text"]).strip(),
                        topics=tuple(item.get("topics") or ()),
                        stage=item.get("stage", "none"),
                        municipalities=tuple(item.get("municipalities") or ()),
                        syndicated_by=item.get("syndicated_by"),
                        broken_html=bool(item.get("broken_html")),
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{path}: bad article {item.get('slug', '?')}: {exc}") from None
    return tuple(sorted(out, key=lambda a: (a.published, a.slug)))


def import_rows(until: dt.date = dt.date(2026, 9, 30)) -> list[dict]:
    """The demo articles as `trends import` reads them (JSONL rows), up to `until`: the demo
    without its website, for tests and benchmarks."""
    return [
        {
            "id": a.slug,
            "url": f"https://demo.invalid/{a.source}/{a.slug}.html",
            "title": a.title,
            "text": a.text,
            "published": a.published.isoformat(),
            "source": a.source,
            "language": a.language,
        }
        for a in load_articles()
        if a.published <= until
    ]


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


# -- page rendering ---------------------------------------------------------------------------------
_NAV = (
    "<header class='site'><a class='logo' href='/'>{name}</a><nav><a href='/'>Start</a> "
    "<a href='/{sid}/'>Presse</a> <a href='/{sid}/feed.xml'>RSS</a> <a href='/kontakt'>Kontakt</a>"
    "</nav><form class='search'><input name='q' placeholder='Suche'></form></header>"
)
_COOKIE = (
    "<div id='cookie-consent' class='cookie-banner'><p>Wir verwenden Cookies, um unsere Website "
    "für Sie optimal zu gestalten. Mit der Nutzung stimmen Sie der Verwendung zu.</p>"
    "<button>Alle akzeptieren</button><button>Nur notwendige</button></div>"
)
_ASIDE = (
    "<aside class='sidebar'><h3>Weitere Meldungen</h3><ul><li><a href='/{sid}/'>Alle Pressemitteilungen"
    "</a></li><li><a href='/kontakt'>Pressekontakt</a></li></ul><p>Newsletter abonnieren und "
    "keine Meldung verpassen!</p></aside>"
)
_COMMENTS = (
    "<section class='comments'><h3>2 Kommentare</h3><div class='comment'><b>Leser123</b>: "
    "Endlich tut sich etwas, weiter so!</div><div class='comment'><b>M. Schulte</b>: Und was "
    "ist mit den älteren Menschen ohne Smartphone?</div><form><textarea></textarea>"
    "<button>Kommentar senden</button></form></section>"
)
_FOOTER = (
    "<footer><p>© {year} {name} · <a href='/impressum'>Impressum</a> · <a href='/datenschutz'>"
    "Datenschutz</a> · <a href='/barrierefreiheit'>Barrierefreiheit</a></p></footer>"
)


def article_page(a: DemoArticle, source: dict, *, syndicated_from: dict | None = None) -> str:
    paragraphs = _paragraphs(a.text)
    if syndicated_from is not None:  # a republished press release: new lead-in, same body
        paragraphs = [
            f"Pressemitteilung der Quelle {syndicated_from['name']}, veröffentlicht von "
            f"{source['name']}:"
        ] + paragraphs
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    if a.broken_html:  # unclosed tags and a stray table, as some CMS exports produce
        body = body.replace("</p>", "", 2).replace("<p>", "<p><span><div>", 1) + "<table><tr><td>"
    iso = a.published.isoformat()
    ctx = {"name": html.escape(source["name"]), "sid": source["id"], "year": a.published.year}
    return (
        f"<!DOCTYPE html><html lang='{a.language}'><head><meta charset='utf-8'>"
        f"<title>{html.escape(a.title)} | {ctx['name']}</title>"
        f"<meta name='description' content='{html.escape(paragraphs[0][:150])}'>"
        f"<meta property='og:title' content='{html.escape(a.title)}'>"
        f"<meta property='article:published_time' content='{iso}T09:00:00+01:00'></head><body>"
        + _COOKIE
        + _NAV.format(**ctx)
        + f"<main><article><h1>{html.escape(a.title)}</h1><p class='meta'><time datetime='{iso}'>"
        f"{a.published.strftime('%d.%m.%Y')}</time></p>{body}</article>"
        + _ASIDE.format(**ctx)
        + "</main>"
        + _COMMENTS
        + _FOOTER.format(**ctx)
        + "</body></html>"
    )


def _rss(
    source: dict, base: str, entries: list[tuple[DemoArticle, str]], next_url: str | None
) -> str:
    items = "".join(
        f"<item><title>{html.escape(a.title)}</title><link>{base}{path}</link>"
        f"<guid>{base}{path}</guid><pubDate>{email.utils.format_datetime(_noon(a.published))}</pubDate>"
        f"<description>{html.escape(_paragraphs(a.text)[0][:300])}</description></item>"
        for a, path in entries
    )
    nxt = f"<atom:link rel='next' href='{base}{next_url}'/>" if next_url else ""
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0' xmlns:atom='http://www.w3.org/2005/Atom'>"
        f"<channel><title>{html.escape(source['name'])}</title><link>{base}/{source['id']}/</link>"
        f"<description>Pressemitteilungen</description><language>{source['language']}</language>"
        f"{nxt}{items}</channel></rss>"
    )


def _atom(
    source: dict, base: str, entries: list[tuple[DemoArticle, str]], next_url: str | None
) -> str:
    updated = _noon(entries[0][0].published).isoformat() if entries else "2026-01-01T12:00:00+00:00"
    items = "".join(
        f"<entry><title>{html.escape(a.title)}</title><link href='{base}{path}'/><id>{base}{path}</id>"
        f"<published>{_noon(a.published).isoformat()}</published><updated>{_noon(a.published).isoformat()}</updated>"
        f"<summary>{html.escape(_paragraphs(a.text)[0][:300])}</summary></entry>"
        for a, path in entries
    )
    nxt = f"<link rel='next' href='{base}{next_url}'/>" if next_url else ""
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>{html.escape(source['name'])}</title><id>{base}/{source['id']}/</id>"
        f"<updated>{updated}</updated><link href='{base}/{source['id']}/'/>{nxt}{items}</feed>"
    )


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime(
        day.year, day.month, day.day, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )


class DemoSite:
    """Routes of the demo site, computed once from the corpus files."""

    def __init__(self, articles: tuple[DemoArticle, ...] | None = None):
        self.sources = {s["id"]: s for s in load_sources()}
        self.articles = articles if articles is not None else load_articles()
        # per source: (article, path) newest first; syndicated copies appear under the syndicator
        self.entries: dict[str, list[tuple[DemoArticle, str]]] = {sid: [] for sid in self.sources}
        self.pages: dict[str, tuple[DemoArticle, str, str | None]] = {}
        for a in self.articles:
            path = f"/{a.source}/{a.slug}.html"
            self.entries[a.source].append((a, path))
            self.pages[path] = (a, a.source, None)
            if a.syndicated_by:
                copy = f"/{a.syndicated_by}/{a.slug}.html"
                self.entries[a.syndicated_by].append((a, copy))
                self.pages[copy] = (a, a.syndicated_by, a.source)
        for entries in self.entries.values():
            entries.sort(key=lambda e: (e[0].published, e[1]), reverse=True)
        self.broken = {f"/{sid}/{slug}.html": status for sid, slug, status in BROKEN_LINKS}

    def feed_entries(self, sid: str) -> list[tuple[DemoArticle, str]]:
        entries = list(self.entries[sid])
        for path, _status in self.broken.items():
            if path.startswith(f"/{sid}/"):
                stub = DemoArticle(
                    slug=path,
                    source=sid,
                    published=entries[len(entries) // 2][0].published
                    if entries
                    else dt.date(2025, 1, 1),
                    language="de",
                    title="Archivmeldung",
                    text="Archiv",
                    topics=(),
                    stage="none",
                    municipalities=(),
                )
                entries.insert(len(entries) // 2, (stub, path))
        return entries

    def respond(self, path: str, base: str) -> tuple[int, bytes, str]:
        """(status, body, content type) for a request path."""
        parts = urlsplit(path)
        route, query = parts.path, parse_qs(parts.query)
        if route == "/robots.txt":
            return 200, b"User-agent: *\nDisallow: /intern/\n", "text/plain; charset=utf-8"
        if route in self.broken:
            status = self.broken[route]
            return (
                status,
                f"<html><body><h1>Fehler {status}</h1></body></html>".encode(),
                "text/html",
            )
        if route in self.pages:
            a, sid, orig = self.pages[route]
            page = article_page(
                a, self.sources[sid], syndicated_from=self.sources[orig] if orig else None
            )
            return 200, page.encode("utf-8"), "text/html; charset=utf-8"
        if route == "/":
            links = "".join(
                f"<li><a href='/{sid}/feed.xml'>{html.escape(s['name'])}</a></li>"
                for sid, s in self.sources.items()
            )
            return (
                200,
                f"<html><body><h1>Demo-Quellen</h1><ul>{links}</ul></body></html>".encode(),
                "text/html; charset=utf-8",
            )
        sid, _, name = route.strip("/").partition("/")
        source = self.sources.get(sid)
        if source is None:
            return 404, b"not found", "text/plain"
        entries = self.feed_entries(sid)
        if name == "feed.xml":
            next_url = None
            if source["paging"] == "paged":
                page = max(1, int((query.get("page") or ["1"])[0]))
                chunk = entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
                if page * PAGE_SIZE < len(entries):
                    next_url = f"/{sid}/feed.xml?page={page + 1}"
                entries = chunk
            elif source["paging"] == "latest":
                entries = entries[:LATEST]
            render = _atom if source["feed"] == "atom" else _rss
            text = render(source, base, entries, next_url)
            if source.get("charset") == "wrong":  # bytes are Latin-1, the header claims UTF-8
                return (
                    200,
                    text.encode("latin-1", errors="replace"),
                    "application/rss+xml; charset=utf-8",
                )
            kind = "application/atom+xml" if source["feed"] == "atom" else "application/rss+xml"
            return 200, text.encode("utf-8"), f"{kind}; charset=utf-8"
        if name == "sitemap.xml":
            urls = "".join(
                f"<url><loc>{base}{p}</loc><lastmod>{a.published.isoformat()}</lastmod></url>"
                for a, p in entries
            )
            return (
                200,
                (
                    "<?xml version='1.0' encoding='utf-8'?><urlset xmlns="
                    f"'http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>"
                ).encode(),
                "application/xml",
            )
        if name == "":
            items = "".join(
                f"<li><a href='{p}'>{html.escape(a.title)}</a></li>" for a, p in entries
            )
            return (
                200,
                f"<html><body><h1>{html.escape(source['name'])}</h1><ul>{items}</ul></body></html>".encode(),
                "text/html; charset=utf-8",
            )
        return 404, b"not found", "text/plain"


def _handler(site: DemoSite) -> type[BaseHTTPRequestHandler]:
    last_modified = email.utils.format_datetime(
        _noon(max((a.published for a in site.articles), default=dt.date(2026, 1, 1))).astimezone(
            dt.timezone.utc
        ),
        usegmt=True,
    )

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        requests = 0

        def log_message(self, *args: object) -> None:
            pass

        def setup(self) -> None:
            super().setup()
            # headers and body go out in two writes; without NODELAY each response waits ~40 ms
            # for a delayed ACK (Nagle), which made a 400-article demo crawl take minutes
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:  # noqa: N802
            type(self).requests += 1
            host = self.headers.get("Host", "127.0.0.1")
            status, body, ctype = site.respond(self.path, f"http://{host}")
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if status == 200 and (
                self.headers.get("If-None-Match") == etag
                or self.headers.get("If-Modified-Since") == last_modified
            ):
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if status == 200:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last_modified)
            self.end_headers()
            self.wfile.write(body)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # a client that hangs up mid-response (a timeout, a cancelled run) is normal, not an error
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


@dataclass
class Running:
    base_url: str
    site: DemoSite
    server: ThreadingHTTPServer

    @property
    def requests(self) -> int:
        return self.server.RequestHandlerClass.requests  # type: ignore[attr-defined]


@contextmanager
def serve(port: int = 0, articles: tuple[DemoArticle, ...] | None = None) -> Iterator[Running]:
    """Serve the demo site on 127.0.0.1 (port 0 = any free port; a taken port falls back to 0)."""
    site = DemoSite(articles)
    try:
        server = _Server(("127.0.0.1", port), _handler(site))
    except OSError:
        server = _Server(("127.0.0.1", 0), _handler(site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Running(f"http://127.0.0.1:{server.server_address[1]}", site, server)
    finally:
        server.shutdown()
        server.server_close()


def sources_yaml(base_url: str) -> str:
    """A workspace sources.yaml that collects every demo source from a running demo site."""
    municipal_filter = _sources_file()["municipal_filter"]
    lines = [
        "# Written by `trends demo`: the sources of the local demo website.",
        "defaults:",
        "  allow_private_hosts: true   # the demo site runs on 127.0.0.1",
        "  delay: 0",
        "  concurrency: 4",
        "  retries: 1",
        "  backoff: 0.1",
        "  max_articles: 500",
        "  max_pages: 20",
        "sources:",
    ]
    for s in load_sources():
        kind, url = (
            ("sitemap", f"{base_url}/{s['id']}/sitemap.xml")
            if s["paging"] == "latest"
            else ("feed", f"{base_url}/{s['id']}/feed.xml")
        )
        lines += [
            f"  - id: {s['id']}",
            f'    name: "{s["name"]}"',
            f"    kind: {kind}",
            f"    url: {url}",
            f"    type: {s['type']}",
            f'    region: "{s["region"]}"',
            f"    language: {s['language']}",
        ]
        if s["type"] in ("municipality", "district"):
            lines.append(f"    filter: {json.dumps(municipal_filter, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"
