"""RSS/Atom/JSON feeds, parsed from bytes with feedparser (never letting it fetch).

`parse_feed` returns the article links, the next page (RFC 5005 `rel="next"`) and failures as
data: a malformed feed that still yields entries gives its entries *and* a failure row; an HTML page
served at a feed URL, an undecodable or entity-declaring document gives only the failure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import feedparser

from trends.collect.xmlsafe import entity_problem
from trends.records import Failure, Link


@dataclass
class FeedPage:
    links: list[Link] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    next_url: str | None = None
    title: str = ""


def _entry_date(entry: feedparser.FeedParserDict) -> tuple[dt.date | None, str | None]:
    """(date, raw) — raw is set when the entry had a date string we could not use."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday), None
        if raw:
            return None, raw
    return None, None


def parse_feed(
    body: bytes, url: str, content_type: str = "", *, source: str = "", today: dt.date | None = None
) -> FeedPage:
    today = today or dt.date.today()
    page = FeedPage()
    problem = entity_problem(body)
    if problem:
        page.failures.append(Failure(url, "feed", problem, source))
        return page
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=True
    )
    page.title = parsed.feed.get("title", "")
    if not parsed.entries:
        head = body[:2048].lstrip().lower()
        if not parsed.version and (head.startswith(b"<!doctype html") or b"<html" in head):
            reason = "not a feed: the URL serves an HTML page"
        elif parsed.bozo:
            reason = f"malformed feed: {_short(parsed.get('bozo_exception'))}"
        elif not body.strip():
            reason = "empty response where a feed was expected"
        else:
            reason = ""  # a valid feed with no entries is not a failure
        if reason:
            page.failures.append(Failure(url, "feed", reason, source))
        return page
    if parsed.bozo:
        exc = parsed.get("bozo_exception")
        page.failures.append(
            Failure(
                url,
                "feed",
                f"malformed feed, {len(parsed.entries)} entries read anyway ({_short(exc)})",
                source,
            )
        )
    for entry in parsed.entries:
        link = entry.get("link") or next(
            (lk.get("href") for lk in entry.get("links", []) if lk.get("href")), None
        )
        title = (entry.get("title") or "").strip()
        if not link:
            page.failures.append(
                Failure(
                    url,
                    "feed",
                    f"feed entry without link: {title[:80] or entry.get('id', '?')}",
                    source,
                )
            )
            continue
        published, raw = _entry_date(entry)
        if raw:
            page.failures.append(
                Failure(
                    link,
                    "feed",
                    f"unparseable entry date, using the page's date: {raw[:40]!r}",
                    source,
                )
            )
        elif published and published > today + dt.timedelta(days=1):
            page.failures.append(
                Failure(
                    link,
                    "feed",
                    f"entry date in the future, using the page's date: {published}",
                    source,
                )
            )
            published = None
        page.links.append(
            Link(
                url=link,
                title=title,
                published=published,
                summary=(entry.get("summary") or "")[:2000],
            )
        )
    page.next_url = next(
        (
            lk.get("href")
            for lk in parsed.feed.get("links", [])
            if lk.get("rel") == "next" and lk.get("href")
        ),
        None,
    )
    return page


def _short(exc: object) -> str:
    text = str(exc or "unknown error").strip().splitlines()
    return (text[0] if text else "unknown error")[:160]
