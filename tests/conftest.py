"""Shared fixtures: a local HTTP server on 127.0.0.1 with fixture files and fault endpoints.

Tests never touch the internet (DESIGN rule 7). `site` serves `tests/fixtures/site/` plus the
routes in `FaultHandler.routes`; each test gets a fresh server (own port = own robots.txt origin).
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

ARTICLE_TEXT = (
    "Die Stadt Soest bietet den Bewohnerparkausweis ab sofort online an. Bürgerinnen und Bürger "
    "beantragen und bezahlen den Ausweis im Serviceportal, die Parkberechtigung ist digital an das "
    "Kennzeichen gebunden. Das Pilotprojekt läuft zunächst bis Jahresende. Nach Angaben der "
    "Digitalisierungsbeauftragten dauert ein Antrag weniger als fünf Minuten; bisher mussten die "
    "Menschen dafür ins Bürgerbüro kommen. Weitere Kommunen im Kreis Soest haben Interesse angemeldet."
)


_TOPICS = [
    "Bewohnerparkausweis",
    "E-Akte",
    "LoRaWAN-Gateway",
    "Ratsinformationssystem",
    "Open-Data-Portal",
    "Energiemonitoring",
    "Chatbot",
    "Beteiligungsplattform",
    "Schul-WLAN",
    "Telenotarzt",
    "Formularservice",
    "Mängelmelder",
    "Servicekonto",
    "Videoberatung",
    "Sensornetz",
]
_TOWNS = [
    "Soest",
    "Lippstadt",
    "Werl",
    "Paderborn",
    "Delbrück",
    "Aachen",
    "Wuppertal",
    "Solingen",
    "Remscheid",
    "Gelsenkirchen",
    "Herten",
    "Lemgo",
    "Detmold",
    "Höxter",
    "Warburg",
]


def distinct_text(i: int) -> str:
    """A German news text that shares no 5-word run with distinct_text(j) for j != i."""
    t, town = _TOPICS[i % len(_TOPICS)], _TOWNS[(i * 7 + 3) % len(_TOWNS)]
    return (
        f"In {town} beginnt Vorhaben Nummer {i}: {t} wird im Rathaus vorgestellt. "
        f"Projektleitung {i} nennt Kosten von {1000 + 37 * i} Euro für {t}. "
        f"Beschäftigte aus {town} testen seit Woche {i % 52 + 1} die Abläufe rund um {t}. "
        f"Anschließend berichtet {town} dem Ausschuss über Ergebnisse zu {t} (Vorlage {i * 11}). "
        f"Eine Evaluation {i} folgt, sobald {t} in {town} mehrere Monate lief."
    )


def article_html(
    title: str, text: str = ARTICLE_TEXT, date: str = "2025-03-04", extra: str = ""
) -> str:
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in text.split(". ") if s.strip())
    return (
        f"<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'><title>{title}</title>"
        f"<meta property='article:published_time' content='{date}'></head><body>"
        "<nav><a href='/'>Start</a> | <a href='/presse'>Presse</a></nav>"
        "<div class='cookie-banner'>Diese Website verwendet Cookies. <button>OK</button></div>"
        f"<main><article><h1>{title}</h1>{paragraphs}{extra}</article></main>"
        "<section class='comments'><h3>Kommentare</h3><p>Super Sache, endlich!</p></section>"
        "<footer>Impressum · Datenschutz</footer></body></html>"
    )


def rss(items: list[tuple[str, str, str]], base: str, extra_channel: str = "") -> str:
    """items: (title, path, rfc822 date)."""
    body = "".join(
        f"<item><title>{t}</title><link>{base}{p}</link><pubDate>{d}</pubDate></item>"
        for t, p, d in items
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Test</title>"
        f"<link>{base}/</link>{extra_channel}{body}</channel></rss>"
    )


class FaultHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: dict = {}
    hits: Counter = Counter()
    log: list = []

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle stalls

    def do_GET(self) -> None:  # noqa: N802
        path = self.path
        self.hits[path] += 1
        self.log.append((time.monotonic(), path, dict(self.headers)))
        route = self.routes.get(path.split("?")[0])
        if route is None:
            return self.send(404, b"not found", "text/plain")
        route(self)

    def send(
        self,
        status: int,
        body: bytes | str,
        ctype: str = "text/html; charset=utf-8",
        headers: dict | None = None,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


class Site:
    """A running fault server. `site.route(path, fn)` or `site.page(path, body, ...)`."""

    def __init__(self) -> None:
        handler = type("Handler", (FaultHandler,), {"routes": {}, "hits": Counter(), "log": []})
        self.handler = handler
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.page("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")

    @property
    def hits(self) -> Counter:
        return self.handler.hits

    @property
    def log(self) -> list:
        return self.handler.log

    def route(self, path: str, fn) -> None:
        self.handler.routes[path] = fn

    def page(
        self,
        path: str,
        body: bytes | str,
        ctype: str = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict | None = None,
    ) -> None:
        self.route(path, lambda h: h.send(status, body, ctype, headers))

    def gzip_page(self, path: str, raw: bytes, ctype: str = "text/html") -> None:
        packed = gzip.compress(raw, compresslevel=9)
        self.page(path, packed, ctype, headers={"Content-Encoding": "gzip"})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


@pytest.fixture
def workspace(tmp_path: Path, site: Site):
    """A workspace whose sources.yaml points at the local site; write sources with `ws.sources(...)`."""

    class WS:
        root = tmp_path

        def sources(self, entries: str, defaults: str = "") -> Path:
            text = (
                "defaults:\n  allow_private_hosts: true\n  delay: 0\n  retries: 1\n  backoff: 0.05\n"
                "  read_timeout: 5\n  deadline: 10\n" + defaults + "sources:\n" + entries
            )
            path = tmp_path / "sources.yaml"
            path.write_text(text, encoding="utf-8")
            return path

    return WS()


def write_dictd(folder: Path, name: str, entries: dict[str, list[str]]) -> Path:
    """A dictd dictionary as the Debian ``dict-freedict-*`` packages install it: an index of
    ``headword<TAB>offset<TAB>length`` (base 64) and gzip data, one entry per sense whose
    second line holds its translations. Returns ``folder``."""
    digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    def b64(n: int) -> str:
        out = ""
        while True:
            n, r = divmod(n, 64)
            out = digits[r] + out
            if not n:
                return out

    data, index = b"", []
    for head, senses in entries.items():
        for sense in senses:
            entry = f"{head} /ipa/\n{sense}\n\n".encode()
            index.append(f"{head}\t{b64(len(data))}\t{b64(len(entry))}")
            data += entry
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.index").write_text("\n".join(sorted(index)) + "\n", encoding="utf-8")
    with gzip.open(folder / f"{name}.dict.dz", "wb") as fh:
        fh.write(data)
    return folder
