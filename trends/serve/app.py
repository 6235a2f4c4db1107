"""The Starlette app behind `trends serve` (see the package docstring for what it guarantees).

Starlette + uvicorn rather than Flask: the ASGI test client needs only httpx (already a
dependency), uvicorn is a production server out of the box (Flask's own server is for development
only), and the whole stack is two small, well-kept packages.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import mimetypes
import os
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode

from jinja2 import Environment
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from trends import i18n
from trends.config import Workspace
from trends.models import AnalysisError, ModelDamaged, model_stamp
from trends.report import charts
from trends.report.build import commentary_html, environment
from trends.report.safety import quotation
from trends.scan import (
    CLASS_ORDER,
    Views,
    brief,
    facets,
    parse_since,
    scan,
    search,
    topic,
    who,
)
from trends.transfer import Landscape, format_md, suggest

try:  # the NRW map (package data built by scripts/build_geo.py); pages work without it
    from trends import geo
except ImportError:  # pragma: no cover - only in an installation without trends.geo
    geo = None

MAX_PARAM = 200  # characters of one parameter (query, region, name, id)
MAX_QUERY_STRING = 2000  # bytes of the whole query string
PAGE_SIZE = 20  # search hits per page
ARTICLES_PER_PAGE = 200  # of a topic's articles
MAX_PAGE = 50
EMERGING = ("new", "emerging", "growing")
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
_MEDIA = {
    ".md": "text/markdown; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}


class Problem(Exception):
    """A request the app answers with a plain message (and this status) instead of data."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


# -- the door: methods, password, headers --------------------------------------------------------------
class Guard:
    """ASGI middleware: GET/HEAD only (405), HTTP Basic when a password is set (401; /healthz
    exempt), a bounded query string (414), and the security headers on every response."""

    def __init__(self, app, password: str | None):
        self.app = app
        self.digest = hashlib.sha256(password.encode()).digest() if password else None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_secured(message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in _SECURITY_HEADERS}
                headers = [h for h in message.get("headers", []) if h[0].lower() not in names]
                message = {**message, "headers": headers + _SECURITY_HEADERS}
            await send(message)

        if scope["method"] not in ("GET", "HEAD"):
            response = PlainTextResponse(
                "405 method not allowed: this app only reads (GET, HEAD)\n",
                405,
                headers={"Allow": "GET, HEAD"},
            )
        elif self.digest and scope["path"] != "/healthz" and not self._authorized(scope):
            response = PlainTextResponse(
                "401 password required\n",
                401,
                headers={"WWW-Authenticate": 'Basic realm="trends", charset="UTF-8"'},
            )
        elif len(scope.get("query_string", b"")) > MAX_QUERY_STRING:
            response = PlainTextResponse(f"414 query longer than {MAX_QUERY_STRING} bytes\n", 414)
        else:
            return await self.app(scope, receive, send_secured)
        await response(scope, receive, send_secured)

    def _authorized(self, scope) -> bool:
        header = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, token = header.partition(b" ")
        if scheme.lower() != b"basic":
            return False
        try:
            decoded = base64.b64decode(token.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        password = decoded.partition(b":")[2]  # the user name is not checked: one shared password
        # equal-length digests, compared in constant time: neither the password nor its length leaks
        return hmac.compare_digest(hashlib.sha256(password).digest(), self.digest)


# -- the site ------------------------------------------------------------------------------------------
class Site:
    """The workspace, one Jinja environment per language, and the loaded model (reloaded when
    models/ or curation.yaml change)."""

    def __init__(self, ws: Workspace, lang: str = "de"):
        self.ws = ws
        self.lang = lang if lang in i18n.LANGS else "de"
        self.envs = {lang: self._environment(lang) for lang in i18n.LANGS}
        # the brief's Markdown: kept, so its template is compiled once, not on every download
        self.md_envs = {lang: environment(ws, lang, "md") for lang in i18n.LANGS}
        self._views: Views | None = None
        self._stamp: tuple | None = None
        self._land: Landscape | None = None
        self._lock = threading.Lock()

    def _environment(self, lang: str) -> Environment:
        env = environment(self.ws, lang, "html")  # the report's escaping, links and number formats
        env.filters.update(
            stage=lambda v: i18n.stage(v or "none", lang),
            trend_class=lambda v: i18n.trend_class(v, lang),
            field_name=lambda v: i18n.field_name(v, lang),
            seg=lambda v: quote(str(v), safe=""),  # one path segment
            segs=lambda v: quote(str(v), safe="/"),  # a path under reports/
            spark=_sparkline,
            quoted=lambda v: quotation(str(v or ""), lang),  # between our marks, as the report
        )
        env.globals.update(t=i18n.texts(lang), lang=lang, other_lang="en" if lang == "de" else "de")
        return env

    def views(self) -> Views:
        stamp = model_stamp(self.ws)
        with self._lock:
            if self._views is None or stamp != self._stamp:
                self._views, self._stamp, self._land = Views(self.ws), stamp, None
            return self._views

    def landscape(self) -> Landscape:
        """The transfer view of the loaded model (per place and topic its corroborated stage),
        built once per model instead of on every municipality page."""
        views = self.views()
        with self._lock:
            if self._land is None or self._land.views is not views:
                self._land = Landscape(self.ws, views=views)
            return self._land

    def warm_up(self) -> None:
        """Load the model and the gazetteer before the first request (a slow first page reads
        as a hang)."""
        try:
            views = self.views()
            views.assignments, views.trends, views.evidence  # noqa: B018 - load them now
            who(self.ws, municipality="Soest", views=views)
        except (AnalysisError, ValueError, OSError, sqlite3.Error):
            pass  # pages say what is missing

    # -- helpers for handlers
    def lang_of(self, request: Request) -> str:
        lang = request.query_params.get("lang", "")
        return lang if lang in i18n.LANGS else self.lang

    def url_maker(self, lang: str) -> Callable[..., str]:
        """u('/search', q='x') -> '/search?q=x' (with lang= when it is not the site's default)."""

        def u(path: str, **params: object) -> str:
            pairs = [(k, str(v)) for k, v in params.items() if v not in (None, "", False)]
            if lang != self.lang:
                pairs.append(("lang", lang))
            return path + ("?" + urlencode(pairs) if pairs else "")

        return u

    def render(self, request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        lang = self.lang_of(request)
        u = self.url_maker(lang)
        here = {k: v for k, v in request.query_params.items() if k != "lang"}
        path = "/" + quote(request.url.path, safe="/").lstrip("/")  # never "//host": off-site
        switch = self.url_maker("en" if lang == "de" else "de")(path, **here)
        template = self.envs[lang].get_template(f"serve/{name}.html.j2")
        return HTMLResponse(template.render(u=u, switch_url=switch, page=name, **context), status)

    def map(self, groups: list[dict], lang: str, **kw) -> dict:
        """The NRW map of these municipality groups (name, stage, key) and the names it cannot
        draw (outside NRW, no key); svg is None when trends.geo is not installed."""
        if geo is None:
            return {"svg": None, "not_drawn": []}
        u = self.url_maker(lang)
        drawn = [g for g in groups if g.get("key") and geo.find(g["key"]) is not None]
        points = [
            (g["key"], g["stage"], g["name"], u("/municipalities/" + quote(g["name"], safe="")))
            for g in drawn
        ]
        return {
            "svg": Markup(geo.map_svg(points, lang=lang, **kw)),
            "not_drawn": [g["name"] for g in groups if g not in drawn],
        }


def _sparkline(counts: dict | list) -> Markup:
    """The report's sparkline of {quarter: count} (scan rows) or of series rows (a topic)."""
    if isinstance(counts, dict):
        return Markup(charts.sparkline(list(counts.values()), labels=list(counts)))
    return Markup(
        charts.sparkline(
            [r["count"] for r in counts],
            labels=[r["quarter"] for r in counts],
            partial_last=bool(counts and counts[-1]["partial"]),
        )
    )


def _param(request: Request, name: str, default: str = "") -> str:
    value = request.query_params.get(name, default)
    if len(value) > MAX_PARAM:
        raise Problem(400, i18n.fmt("serve_too_long", "en", n=MAX_PARAM))
    return value.strip()


def _path_param(request: Request, name: str) -> str:
    value = request.path_params[name]
    if len(value) > MAX_PARAM:
        raise Problem(400, i18n.fmt("serve_too_long", "en", n=MAX_PARAM))
    return value


def _since(value: str):
    try:
        return parse_since(value)
    except ValueError as exc:
        raise Problem(400, str(exc).replace("--since", "period")) from None


def _page_number(request: Request) -> int:
    try:
        return min(MAX_PAGE, max(1, int(_param(request, "page", "1") or 1)))
    except ValueError:
        return 1


# -- handlers: each returns a Response; Problems become a message page or JSON error ------------------
def create_app(ws: Workspace, *, lang: str = "de", password: str | None = None) -> Guard:
    """The ASGI app over workspace `ws` (German pages by default, `lang="en"` for English)."""
    site = Site(ws, lang)

    def page(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def wrapped(request: Request) -> Response:
            try:
                return handler(request)
            except Problem as exc:
                return site.render(request, "message", exc.status, message=str(exc))
            except ModelDamaged as exc:  # not the visitor's fault: the model needs rebuilding
                return site.render(request, "message", 503, message=str(exc))
            except (AnalysisError, ValueError) as exc:
                return site.render(request, "message", 404, message=str(exc))
            except sqlite3.Error as exc:
                return site.render(request, "message", 503, message=_db_message(exc))

        return wrapped

    def api(handler: Callable[[Request], object]) -> Callable[[Request], Response]:
        def wrapped(request: Request) -> Response:
            try:
                return JSONResponse(handler(request))
            except Problem as exc:
                return JSONResponse({"error": str(exc)}, exc.status)
            except ModelDamaged as exc:
                return JSONResponse({"error": str(exc)}, 503)
            except (AnalysisError, ValueError) as exc:
                return JSONResponse({"error": str(exc)}, 404)
            except sqlite3.Error as exc:
                return JSONResponse({"error": _db_message(exc)}, 503)

        return wrapped

    # -- what is emerging
    def scan_data(request: Request) -> tuple[dict, list[dict]]:
        views = site.views()
        show_all = _param(request, "all") == "1"
        rows = scan(
            ws,
            since=_since(_param(request, "since")),
            region=_param(request, "region") or None,
            field=_param(request, "field") or None,
            limit=10_000,
            classes=CLASS_ORDER if show_all else EMERGING,
            views=views,
        )
        return facets(ws, views), rows

    @page
    def home(request: Request) -> Response:
        params = {k: _param(request, k) for k in ("field", "region", "since", "all")}
        try:
            found, rows = scan_data(request)
            error = ""
        except (Problem, AnalysisError) as exc:  # a typo in a filter: say so above the form
            found, rows, error = facets(ws, site.views()), [], str(exc)
        return site.render(request, "emerging", facets=found, rows=rows, params=params, error=error)

    # -- one topic
    @page
    def topic_page(request: Request) -> Response:
        lang = site.lang_of(request)
        data = topic(ws, _path_param(request, "topic_id"), lang, views=site.views())
        the_map = site.map(data["municipalities"], lang, title=data["label"])
        # all articles, a page at a time (a big topic at 10k has 700: rendering is the cost)
        number = _page_number(request)
        first = (number - 1) * ARTICLES_PER_PAGE
        shown = data["articles"][first : first + ARTICLES_PER_PAGE]
        pager = {"page": number, "first": first + 1, "last": first + len(shown)}
        return site.render(request, "topic", topic=data, map=the_map, shown=shown, pager=pager)

    # -- search
    def search_data(request: Request) -> dict:
        query = _param(request, "q")
        source = _param(request, "source")
        since = _param(request, "since")
        number = _page_number(request)
        hits: list[dict] = []
        if query:
            try:
                hits = search(
                    ws,
                    query,
                    since=_since(since),
                    source=source or None,
                    limit=PAGE_SIZE + 1,
                    offset=(number - 1) * PAGE_SIZE,
                    views=site.views() if _has_model(ws) else None,
                )
            except sqlite3.OperationalError as exc:  # what FTS5 cannot parse: a message, no 500
                raise Problem(400, f"this search cannot be run ({exc}): try plain words") from None
        return {
            "query": query,
            "source": source,
            "since": since,
            "page": number,
            "first": (number - 1) * PAGE_SIZE + 1,
            "hits": hits[:PAGE_SIZE],
            "more": len(hits) > PAGE_SIZE,
        }

    @page
    def search_page(request: Request) -> Response:
        try:
            data, error = search_data(request), ""
        except (Problem, AnalysisError) as exc:
            data, error = {"query": _param(request, "q"), "hits": []}, str(exc)
        sources = facets(ws, site.views())["sources"] if _has_model(ws) else {}
        return site.render(request, "search", data=data, sources=sources, error=error)

    # -- who did what
    @page
    def who_page(request: Request) -> Response:
        lang = site.lang_of(request)
        query = _param(request, "q")
        data, the_map, error = None, None, ""
        if query:
            try:
                data = who(ws, query, views=site.views())
                title = data["topic"]["label"] if data["topic"] else query
                the_map = site.map(data["municipalities"], lang, title=title)
            except AnalysisError as exc:
                error = str(exc)
        topics = facets(ws, site.views())["topics"]
        return site.render(
            request, "who", query=query, data=data, map=the_map, topics=topics, error=error
        )

    @page
    def municipality_page(request: Request) -> Response:
        lang = site.lang_of(request)
        # an unknown name is a 404, a damaged model a 503: the page wrapper says which
        data = who(ws, municipality=_path_param(request, "name"), views=site.views())
        place = {"name": data["municipality"], "stage": data["stage"], "key": data["key"]}
        # the transfer profile (`trends suggest`), as its one-page Markdown with the report's
        # escaping, rendered and sanitized like the analyst's commentary; its peers join the map
        transfer, peers = None, {}
        try:
            profile = suggest(ws, data["municipality"], lang=lang, land=site.landscape())
            transfer = commentary_html(format_md(ws, profile, lang, env=site.md_envs[lang]))
            for key in ("take_over", "parallel", "ahead"):
                for item in profile[key]:
                    for p in item["peers"]:
                        peers.setdefault(
                            p["name"], {"name": p["name"], "stage": p["stage"], "key": p["ags"]}
                        )
        except ModelDamaged:
            raise  # not the place's fault: the page wrapper answers 503
        except AnalysisError:
            pass  # a place outside NRW or no model yet: the page shows what who() has
        peers.pop(place["name"], None)
        the_map = site.map(
            [place, *peers.values()], lang, highlight=data["key"], title=data["municipality"]
        )
        return site.render(request, "municipality", data=data, map=the_map, transfer=transfer)

    # -- the workshop brief
    @page
    def brief_page(request: Request) -> Response:
        lang = site.lang_of(request)
        query = _path_param(request, "topic_id")
        if _param(request, "format") == "md":
            text = brief(ws, query, "md", lang, views=site.views(), env=site.md_envs[lang])
            name = re.sub(r"[^A-Za-z0-9_-]+", "-", query).strip("-")[:60] or "brief"
            return Response(
                text,
                media_type="text/markdown; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="brief-{name}.md"'},
            )
        return HTMLResponse(brief(ws, query, "html", lang, views=site.views(), env=site.envs[lang]))

    # -- the written reports
    @page
    def reports_page(request: Request) -> Response:
        rel = request.path_params.get("path", "")
        target = _report_path(ws, request.scope, rel)
        if not rel and target is not None and not target.exists():  # nothing written yet
            return site.render(request, "reports", rel=rel, entries=[])
        if target is None or not target.exists():
            raise Problem(404, f"not found: /reports/{rel}")
        if target.is_file():
            media = _MEDIA.get(target.suffix.lower()) or (
                mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            )
            return FileResponse(target, media_type=media)
        if rel and not rel.endswith("/"):
            return RedirectResponse(site.url_maker(site.lang_of(request))(f"/reports/{rel}/"))
        entries = [
            {"name": p.name + ("/" if p.is_dir() else ""), "size": p.stat().st_size}
            for p in sorted(target.iterdir(), key=lambda p: (not p.is_dir(), p.name), reverse=False)
            if not p.name.startswith(".")
        ]
        if not rel:  # newest quarter first
            entries.sort(key=lambda e: e["name"], reverse=True)
        return site.render(request, "reports", rel=rel, entries=entries)

    # -- JSON
    @api
    def api_scan(request: Request) -> object:
        try:
            return scan_data(request)[1]
        except ModelDamaged:
            raise  # not a filter's fault: the api wrapper answers 503
        except AnalysisError as exc:  # a filter that matches nothing known, or no model
            raise Problem(400, str(exc)) from None

    @api
    def api_topic(request: Request) -> object:
        lang = site.lang_of(request)
        return topic(ws, _path_param(request, "topic_id"), lang, views=site.views())

    @api
    def api_search(request: Request) -> object:
        data = search_data(request)
        return {k: data[k] for k in ("query", "page", "hits", "more")}

    @api
    def api_who(request: Request) -> object:
        municipality = _param(request, "municipality")
        if municipality:
            return who(ws, municipality=municipality, views=site.views())
        query = _param(request, "q")
        if not query:
            raise Problem(400, "give q=TOPIC_OR_QUERY or municipality=NAME")
        return who(ws, query, views=site.views())

    def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    def not_found(request: Request, exc: Exception) -> Response:
        return site.render(request, "message", 404, message=f"not found: {request.url.path}")

    routes = [
        Route("/", home),
        Route("/topics/{topic_id}", topic_page),
        Route("/search", search_page),
        Route("/who", who_page),
        Route("/municipalities/{name}", municipality_page),
        Route("/brief/{topic_id}", brief_page),
        Route("/reports", lambda r: RedirectResponse("/reports/")),
        Route("/reports/", reports_page),
        Route("/reports/{path:path}", reports_page),
        Route("/api/scan", api_scan),
        Route("/api/topics/{topic_id}", api_topic),
        Route("/api/search", api_search),
        Route("/api/who", api_who),
        Route("/healthz", healthz),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found})
    app.state.site = site
    return Guard(app, password)


def _has_model(ws: Workspace) -> bool:
    return model_stamp(ws)[0] is not None


def _db_message(exc: sqlite3.Error) -> str:
    if "locked" in str(exc):
        return "the corpus is busy (another trends command is writing it): reload in a moment"
    return f"the corpus cannot be read ({exc})"


_ENCODED_SEPARATOR = re.compile(rb"%(2f|5c|00|2e)", re.IGNORECASE)


def _report_path(ws: Workspace, scope: dict, rel: str) -> Path | None:
    """The file or folder under reports/ that `rel` names, or None when it is not one: encoded
    separators or dots, `..`, dot files and anything that resolves (links included) outside."""
    raw = scope.get("raw_path") or scope["path"].encode()
    if _ENCODED_SEPARATOR.search(raw):
        return None
    parts = [p for p in rel.split("/") if p]
    if any(p.startswith(".") or "\\" in p or "\x00" in p for p in parts):
        return None
    root = ws.reports_dir.resolve()
    target = root.joinpath(*parts).resolve()
    if target != root and root not in target.parents:
        return None
    return target


# -- running it ----------------------------------------------------------------------------------------
class ServeError(Exception):
    """`trends serve` cannot start; str() is the one-line reason."""


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, or a ServeError that says why not (port taken, unknown host)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto named: asyncio sets TCP_NODELAY only on sockets that say IPPROTO_TCP, and without it
    # every keep-alive response waits ~40 ms for the client's delayed ACK (headers, body: 2 writes)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    return sock


def check_host(host: str, password: str | None) -> None:
    """Anything but loopback exposes the workspace to the network: only with a password."""
    if not is_loopback(host) and not password:
        raise ServeError(
            f"--host {host} lets others on the network read this workspace: set TRENDS_PASSWORD "
            "(every request then needs it, HTTP Basic) or keep the default 127.0.0.1"
        )


def serve(
    ws: Workspace,
    host: str = "127.0.0.1",
    port: int = 8765,
    lang: str = "de",
    password: str | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Run the app until interrupted. `password` defaults to TRENDS_PASSWORD."""
    import uvicorn

    password = password if password is not None else os.environ.get("TRENDS_PASSWORD") or None
    check_host(host, password)
    sock = bind(host, port)
    app = create_app(ws, lang=lang, password=password)
    app.app.state.site.warm_up()
    shown = f"[{host}]" if ":" in host else host
    if on_ready:
        on_ready(f"http://{shown}:{sock.getsockname()[1]}/")
    config = uvicorn.Config(app, log_level="warning", server_header=False, access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


@contextmanager
def background(app, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run `app` with uvicorn in a thread (tests, benchmarks); yields its base URL and stops it
    on exit. Port 0 picks a free port."""
    import uvicorn

    sock = bind(host, port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        if not server.started:
            raise ServeError("the server did not start")
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
