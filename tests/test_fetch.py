"""The fetcher against a local server: every fault ends as a one-line reason, never an exception."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time

import pytest

from trends.collect.fetch import Fetcher
from trends.config import Defaults


def make(**kw) -> Fetcher:
    # generous timeouts: a loaded CI machine may starve the local server for a second; the tests
    # of timeouts set their own tight ones
    settings = dict(
        allow_private_hosts=True,
        delay=0,
        retries=2,
        backoff=0.05,
        read_timeout=5.0,
        connect_timeout=5.0,
        deadline=10.0,
    )
    settings.update(kw)
    return Fetcher(Defaults(**settings))


def test_plain_get_and_conditional_get(site):
    def etag_page(h):
        if h.headers.get("If-None-Match") == '"v1"':
            return h.send(304, b"", headers={"ETag": '"v1"'})
        h.send(
            200,
            "<rss/>",
            "application/rss+xml",
            {"ETag": '"v1"', "Last-Modified": "Tue, 04 Mar 2025 10:00:00 GMT"},
        )

    site.route("/feed", etag_page)
    with make() as f:
        first = f.fetch(site.base + "/feed")
        assert first.ok and first.status == 200 and first.body == b"<rss/>"
        assert first.etag == '"v1"' and first.last_modified
        second = f.fetch(site.base + "/feed", etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.body == b""
    assert site.hits["/feed"] == 2


def test_connection_refused_is_a_reason():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with make(retries=0) as f:
        result = f.fetch(f"http://127.0.0.1:{port}/feed")
    assert not result.ok and result.error_kind == "connect"
    assert "cannot connect" in result.error and "\n" not in result.error


def test_server_that_hangs_times_out(site):
    site.route("/hang", lambda h: time.sleep(3))
    with make(retries=0, read_timeout=0.5) as f:
        started = time.monotonic()
        result = f.fetch(site.base + "/hang")
    assert result.error_kind == "timeout" and "timeout" in result.error
    assert time.monotonic() - started < 2.5


def test_trickling_server_hits_the_deadline(site):
    def trickle(h):
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        for _ in range(100):  # 10 s of trickle, far past the 0.5 s deadline
            try:
                h.wfile.write(b"x" * 1000)
                h.wfile.flush()
            except OSError:
                return
            time.sleep(0.1)

    site.route("/trickle", trickle)
    with make(retries=0, deadline=0.5, read_timeout=2) as f:
        started = time.monotonic()
        result = f.fetch(site.base + "/trickle")
        waited = time.monotonic() - started
    assert result.error_kind == "timeout" and "deadline" in result.error
    # the deadline is looked at as data arrives, not once 64 KB have piled up (6.4 s here)
    assert waited < 5, waited


def test_500_then_success_is_retried(site):
    calls = []

    def flaky(h):
        calls.append(1)
        if len(calls) == 1:
            return h.send(500, "oops")
        h.send(200, "fine")

    site.route("/flaky", flaky)
    with make(retries=2) as f:
        result = f.fetch(site.base + "/flaky")
    assert result.ok and result.body == b"fine" and len(calls) == 2


def test_500_forever_gives_up_with_status(site):
    site.page("/down", "down", status=500)
    with make(retries=2) as f:
        result = f.fetch(site.base + "/down")
    assert result.status == 500 and "HTTP 500" in result.error
    assert site.hits["/down"] == 3


def test_429_honours_retry_after(site):
    calls = []

    def limited(h):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return h.send(429, "slow down", headers={"Retry-After": "1"})
        h.send(200, "ok")

    site.route("/limited", limited)
    slept = []
    f = make(retries=2)
    f._sleep = lambda s: (slept.append(s), time.sleep(s))
    with f:
        result = f.fetch(site.base + "/limited")
    assert result.ok and slept == [1.0]


def test_retry_after_beyond_cap_is_not_waited_for(site):
    site.page("/later", "later", status=429, headers={"Retry-After": "3600"})
    with make(retries=3, max_retry_after=10) as f:
        result = f.fetch(site.base + "/later")
    assert "Retry-After 3600 s" in result.error and site.hits["/later"] == 1


def test_redirect_loop_and_too_many_redirects(site):
    site.page("/a", "", status=302, headers={"Location": "/b"})
    site.page("/b", "", status=302, headers={"Location": "/a"})
    for i in range(10):
        site.page(f"/r{i}", "", status=301, headers={"Location": f"/r{i + 1}"})
    with make(max_redirects=3) as f:
        loop = f.fetch(site.base + "/a")
        chain = f.fetch(site.base + "/r0")
    assert loop.error_kind == "redirect" and "loop" in loop.error
    assert chain.error_kind == "redirect" and "more than 3 redirects" in chain.error


def test_redirect_is_followed_and_final_url_kept(site):
    site.page("/old", "", status=301, headers={"Location": "/new"})
    site.page("/new", "here")
    with make() as f:
        result = f.fetch(site.base + "/old")
    assert result.ok and result.final_url == site.base + "/new" and result.url == site.base + "/old"


def test_redirect_to_private_address_is_refused(site):
    # The local site counts as public here; 169.254.169.254 (cloud metadata) is refused before any
    # connection is attempted, so no traffic leaves for a private range.
    site.page(
        "/go", "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data"}
    )

    def is_private(host: str) -> bool:
        return host != "127.0.0.1" and not ipaddress.ip_address(host).is_global

    f = Fetcher(Defaults(allow_private_hosts=False, delay=0, retries=0), is_private=is_private)
    with f:
        result = f.fetch(site.base + "/go")
    assert result.error_kind == "ssrf" and "169.254.169.254" in result.error


def test_loopback_is_refused_by_default(site):
    with Fetcher(Defaults(delay=0, retries=0)) as f:
        result = f.fetch(site.base + "/robots.txt")
    assert result.error_kind == "ssrf"
    assert site.hits["/robots.txt"] == 0


def test_non_http_scheme_is_refused():
    with make() as f:
        assert f.fetch("file:///etc/passwd").error_kind == "scheme"
        assert f.fetch("ftp://example.org/x").error_kind == "scheme"


def test_gzip_bomb_stops_at_the_cap(site):
    site.gzip_page("/bomb", b"\0" * 60_000_000)  # ~60 KB on the wire, 60 MB inflated
    with make(max_bytes=1_000_000) as f:
        result = f.fetch(site.base + "/bomb")
    assert result.error_kind == "size" and "after decompression" in result.error


def test_body_larger_than_cap(site):
    site.page("/big", b"a" * 2_000_000)
    with make(max_bytes=1_000_000) as f:
        result = f.fetch(site.base + "/big")
    assert result.error_kind == "size" and "exceeds max_bytes" in result.error


def test_robots_disallow_and_robots_5xx(site):
    site.page("/private/x", "secret")
    with make() as f:
        blocked = f.fetch(site.base + "/private/x")
    assert blocked.error_kind == "robots" and site.hits["/private/x"] == 0

    site.page("/robots.txt", "broken", status=503)
    site.page("/open", "open")
    with make() as f:  # new fetcher = new run
        refused = f.fetch(site.base + "/open")
    assert refused.error_kind == "robots" and site.hits["/open"] == 0


def test_robots_404_allows_everything(site):
    site.page("/robots.txt", "nope", status=404)
    site.page("/x", "ok")
    with make() as f:
        assert f.fetch(site.base + "/x").ok


def test_per_host_delay_is_kept_across_threads(site):
    site.page("/p", "ok")
    with make(delay=0.2) as f:
        threads = [threading.Thread(target=f.fetch, args=(site.base + "/p",)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    times = sorted(t for t, path, _ in site.log if path == "/p")
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(times) == 4 and min(gaps) >= 0.18


def test_user_agent_is_sent(site):
    site.page("/ua", "ok")
    with make(user_agent="trends-test/1 (+http://example.invalid)") as f:
        f.fetch(site.base + "/ua")
    headers = next(h for _, path, h in site.log if path == "/ua")
    assert headers["User-Agent"].startswith("trends-test/1")


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0", 0.0),
        ("120", 120.0),
        (" 7 ", 7.0),
        ("Wed, 21 Oct 2015 07:30:00 GMT", 90.0),  # an HTTP date: seconds from "now"
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # already past: no wait, never negative
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_forms(value, seconds, monkeypatch):
    from trends.collect import fetch

    # "now" is 21 Oct 2015 07:28:30 GMT, so the dates above are 90 s ahead and 30 s behind
    monkeypatch.setattr(fetch.time, "time", lambda: 1445412510.0)
    assert fetch._retry_after(value) == seconds
