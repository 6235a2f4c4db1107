"""The only code in `trends` that talks to the network (DESIGN rule 3).

`Fetcher.fetch(url)` returns a `FetchResult` and never raises for network trouble: every problem
becomes `result.error` (one line) plus `result.error_kind`, and the caller turns it into a Failure row.

What it guarantees, per request:
- only http(s); at most `max_redirects` hops, each hop checked again (scheme, loop, SSRF guard);
- SSRF guard: hosts resolving to loopback/private/link-local/reserved/metadata addresses are refused
  unless `allow_private_hosts` (tests and the demo set it);
- robots.txt per host (protego); a 5xx or unreachable robots.txt disallows that host for the run,
  a 4xx allows everything (the common convention, also Google's);
- timeouts for connect and read, and a whole-download deadline (a server that trickles bytes);
- a byte cap counted on the *decoded* body, so a gzip bomb stops at the cap;
- retries with exponential backoff on 429, 5xx, timeouts, honouring Retry-After (capped);
- politeness: one request at a time per host, `delay` seconds apart (thread-safe, shared by workers);
- conditional GET with stored ETag / Last-Modified: an unchanged resource costs one 304.
"""

from __future__ import annotations

import email.utils
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from trends.config import Defaults
from trends.records import FetchResult

RETRY_STATUS = {429, 500, 502, 503, 504}
_METADATA_HOSTS = {"metadata.google.internal", "metadata"}


class _Refused(Exception):
    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.I)
    return match.group(1).lower() if match else None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def address_is_private(host: str) -> bool:
    """True if any address the host resolves to is not a public unicast address."""
    if host.lower() in _METADATA_HOSTS:
        return True
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False  # unresolvable: the request itself will fail with a clear DNS error
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            return True
    return False


class HostGate:
    """One request at a time per host, `delay` seconds apart; shared by all worker threads."""

    def __init__(self, delay: float, clock: Callable[[], float] = time.monotonic):
        self.delay = delay
        self._clock = clock
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._guard = threading.Lock()

    def lock(self, host: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(host, threading.Lock())

    def wait_turn(self, host: str) -> None:
        """Call with lock(host) held; sleeps until the host's delay has passed."""
        last = self._last.get(host)
        if last is not None:
            pause = self.delay - (self._clock() - last)
            if pause > 0:
                time.sleep(pause)

    def done(self, host: str) -> None:
        self._last[host] = self._clock()


class Fetcher:
    """A polite HTTP client for collection. Thread-safe; one instance per run."""

    def __init__(
        self,
        settings: Defaults,
        *,
        sleep: Callable[[float], None] = time.sleep,
        is_private: Callable[[str], bool] = address_is_private,
    ):
        self.settings = settings
        self._sleep = sleep
        self._is_private = is_private
        self.gate = HostGate(settings.delay)
        self._robots: dict[str, Protego | _Refused | None] = {}
        self._robots_lock = threading.Lock()
        self.requests_by_host: dict[str, list[float]] = {}
        self._client = httpx.Client(
            follow_redirects=False,
            timeout=httpx.Timeout(
                settings.read_timeout, connect=settings.connect_timeout, pool=settings.deadline
            ),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=settings.concurrency * 2),
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public -------------------------------------------------------------------------------
    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        check_robots: bool = True,
    ) -> FetchResult:
        """GET `url` with redirects, caps, robots, retries; errors come back as data."""
        try:
            return self._fetch(url, etag, last_modified, check_robots)
        except _Refused as exc:
            return FetchResult(url=url, error=str(exc), error_kind=exc.kind)

    # -- internals ----------------------------------------------------------------------------
    def _check_target(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise _Refused(
                "scheme", f"only http(s) URLs are fetched, not {parts.scheme or 'relative'}: {url}"
            )
        host = parts.hostname or ""
        if not host:
            raise _Refused("scheme", f"URL has no host: {url}")
        if not self.settings.allow_private_hosts and self._is_private(host):
            raise _Refused(
                "ssrf",
                f"refused: {host} resolves to a private/loopback address (allow_private_hosts is off)",
            )
        return host

    def _check_robots(self, url: str) -> None:
        """Raise _Refused unless robots.txt allows `url`. Looked up once per origin and run."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            if origin not in self._robots:
                result = self._fetch(
                    origin + "/robots.txt", None, None, check_robots=False, retries=0
                )
                if result.status == 0 and result.error:
                    # host unreachable: the real reason, not "robots", and no further attempts
                    self._robots[origin] = _Refused(result.error_kind or "connect", result.error)
                elif result.status >= 500:
                    self._robots[origin] = None  # 5xx robots.txt: disallow this host for the run
                elif result.ok and result.status == 200:
                    self._robots[origin] = Protego.parse(
                        result.body.decode("utf-8", errors="replace")
                    )
                else:
                    self._robots[origin] = Protego.parse("")  # 4xx: no rules
            rules = self._robots[origin]
        if isinstance(rules, _Refused):
            raise _Refused(rules.kind, f"{rules} (while fetching robots.txt for {url})")
        if rules is None:
            raise _Refused("robots", f"robots.txt answered 5xx, host skipped for this run: {url}")
        if not rules.can_fetch(url, self.settings.user_agent):
            raise _Refused("robots", f"disallowed by robots.txt: {url}")

    def _fetch(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        check_robots: bool,
        retries: int | None = None,
    ) -> FetchResult:
        seen: list[str] = []
        current = url
        while True:
            host = self._check_target(current)
            if check_robots and self.settings.respect_robots:
                self._check_robots(current)
            result = self._get_with_retries(current, host, etag, last_modified, retries)
            if result.error or result.status not in (301, 302, 303, 307, 308):
                return FetchResult(**{**result.__dict__, "url": url, "final_url": current})
            location = result.location
            seen.append(current)
            if not location:
                raise _Refused("redirect", f"redirect without Location header: {current}")
            nxt = urljoin(current, location)
            if nxt in seen:
                raise _Refused("redirect", f"redirect loop after {len(seen)} hops: {url}")
            if len(seen) > self.settings.max_redirects:
                raise _Refused(
                    "redirect", f"more than {self.settings.max_redirects} redirects: {url}"
                )
            current = nxt

    def _get_with_retries(
        self, url: str, host: str, etag: str | None, last_modified: str | None, retries: int | None
    ) -> FetchResult:
        retries = self.settings.retries if retries is None else retries
        wait = self.settings.backoff
        for attempt in range(retries + 1):
            result, retry_after = self._get_once(url, host, etag, last_modified)
            retryable = result.status in RETRY_STATUS or result.error_kind == "timeout"
            if not retryable or attempt == retries:
                return result
            if retry_after is not None:
                if retry_after > self.settings.max_retry_after:
                    return FetchResult(
                        url=url,
                        status=result.status,
                        error_kind="http",
                        error=f"HTTP {result.status} with Retry-After {retry_after:.0f} s beyond max_retry_after: {url}",
                    )
                pause = retry_after
            else:
                pause = wait
                wait *= 2
            self._sleep(pause)
        raise AssertionError("unreachable")

    def _get_once(
        self, url: str, host: str, etag: str | None, last_modified: str | None
    ) -> tuple[FetchResult, float | None]:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        lock = self.gate.lock(host)
        with lock:
            self.gate.wait_turn(host)
            self.requests_by_host.setdefault(host, []).append(time.monotonic())
            try:
                return self._stream(url, headers)
            finally:
                self.gate.done(host)

    def _stream(self, url: str, headers: dict[str, str]) -> tuple[FetchResult, float | None]:
        s = self.settings
        started = time.monotonic()
        try:
            with self._client.stream("GET", url, headers=headers) as resp:
                status = resp.status_code
                ctype = resp.headers.get("content-type", "")
                if status in (301, 302, 303, 307, 308):
                    loc = resp.headers.get("location")
                    return FetchResult(url=url, status=status, location=loc), None
                if status == 304:
                    return FetchResult(
                        url=url,
                        status=304,
                        not_modified=True,
                        etag=resp.headers.get("etag"),
                        last_modified=resp.headers.get("last-modified"),
                    ), None
                if status >= 400:
                    return FetchResult(
                        url=url,
                        status=status,
                        error_kind="http",
                        error=f"HTTP {status} {resp.reason_phrase}: {url}",
                    ), _retry_after(resp.headers.get("retry-after"))
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > s.max_bytes:
                    return FetchResult(
                        url=url,
                        status=status,
                        error_kind="size",
                        error=f"body exceeds max_bytes ({int(declared):,} > {s.max_bytes:,} bytes): {url}",
                    ), None
                chunks: list[bytes] = []
                size = 0
                # iter_bytes yields *decoded* bytes: the cap holds after gzip/deflate inflation.
                # No chunk_size: httpx would wait until 64 KB had arrived before the deadline is
                # looked at again, so a server trickling 1 KB a second held a fetch for a minute.
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > s.max_bytes:
                        return FetchResult(
                            url=url,
                            status=status,
                            error_kind="size",
                            error=f"body exceeds max_bytes {s.max_bytes:,} (after decompression): {url}",
                        ), None
                    if time.monotonic() - started > s.deadline:
                        return FetchResult(
                            url=url,
                            status=status,
                            error_kind="timeout",
                            error=f"download took longer than the {s.deadline:g} s deadline: {url}",
                        ), None
                    chunks.append(chunk)
                return FetchResult(
                    url=url,
                    status=status,
                    body=b"".join(chunks),
                    content_type=ctype,
                    charset=_charset(ctype),
                    etag=resp.headers.get("etag"),
                    last_modified=resp.headers.get("last-modified"),
                ), None
        except httpx.TimeoutException as exc:
            kind = "connect" if isinstance(exc, httpx.ConnectTimeout) else "read"
            return FetchResult(url=url, error_kind="timeout", error=f"{kind} timeout: {url}"), None
        except httpx.ConnectError as exc:
            return FetchResult(
                url=url, error_kind="connect", error=f"cannot connect ({_short(exc)}): {url}"
            ), None
        except httpx.DecodingError as exc:
            return FetchResult(
                url=url, error_kind="decode", error=f"broken compressed body ({_short(exc)}): {url}"
            ), None
        except (httpx.HTTPError, OSError) as exc:
            return FetchResult(
                url=url, error_kind="http", error=f"{type(exc).__name__} ({_short(exc)}): {url}"
            ), None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]
