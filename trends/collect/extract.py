"""Article text and metadata from HTML bytes (trafilatura, htmldate), link lists, language id.

Everything here is a pure function over bytes that were already fetched (DESIGN rule 3).
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from htmldate import find_date

MIN_TEXT_CHARS = 200  # shorter "articles" are cookie walls, teasers or error pages
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_html(body: bytes, header_charset: str | None = None) -> str:
    """Bytes to text: BOM, then the HTTP header charset, then <meta charset>, then UTF-8, cp1252.

    A declared charset that does not fit the bytes (a common server misconfiguration) is skipped,
    not trusted: strict decoding fails and the next candidate is tried.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    meta = _META_CHARSET.search(body[:4096])
    candidates = [
        header_charset,
        meta.group(1).decode("ascii", "ignore") if meta else None,
        "utf-8",
    ]
    for name in candidates:
        if not name:
            continue
        try:
            return body.decode(codecs.lookup(name).name)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("cp1252", errors="replace")


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str
    published: dt.date | None
    language: str
    author: str = ""


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def extract_article(
    body: bytes,
    url: str,
    charset: str | None = None,
    *,
    fallback_title: str = "",
    today: dt.date | None = None,
) -> Extracted | str:
    """The article, or a one-line reason why there is none (empty page, cookie wall, not HTML)."""
    if not body.strip():
        return "empty page"
    if body[:5] == b"%PDF-":
        return "a PDF, not an HTML article (not extracted)"
    html = decode_html(body, charset)
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
        )
    except Exception as exc:  # trafilatura raises assorted lxml errors on hostile markup
        return f"extraction failed: {type(exc).__name__}"
    text = (doc.text or "").strip() if doc else ""
    title = ((doc.title if doc else "") or fallback_title).strip()
    if title and text.startswith(title):
        text = text[len(title) :].lstrip()
    if len(text) < MIN_TEXT_CHARS:
        return f"no article text ({len(text)} characters; cookie wall, teaser or empty page?)"
    today = today or dt.date.today()
    published = _parse_date(doc.date if doc else None)
    if published is None or published > today:
        try:
            published = _parse_date(
                find_date(html, url=url, original_date=True, max_date=today.isoformat())
            )
        except Exception:  # htmldate is best-effort
            published = None
    return Extracted(
        title=title,
        text=text,
        published=published,
        language=detect_language(text),
        author=(doc.author or "") if doc else "",
    )


def listing_links(
    body: bytes,
    base_url: str,
    pattern: str | None,
    exclude: str | None = None,
    charset: str | None = None,
) -> list[tuple[str, str]]:
    """(absolute URL, anchor text) of article links on a listing page, same host, in page order."""
    try:
        tree = lxml.html.fromstring(decode_html(body, charset))
    except (lxml.etree.ParserError, ValueError):
        return []
    host = urlsplit(base_url).hostname
    include = re.compile(pattern) if pattern else None
    skip = re.compile(exclude) if exclude else None
    out: dict[str, str] = {}
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
            continue
        absolute = urljoin(base_url, href).split("#")[0]
        if urlsplit(absolute).hostname != host or absolute.rstrip("/") == base_url.rstrip("/"):
            continue
        if (include and not include.search(absolute)) or (skip and skip.search(absolute)):
            continue
        out.setdefault(absolute, " ".join(a.text_content().split()))
    return list(out.items())


_LANGID_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _load_langid():
    from pathlib import Path

    import py3langid.langid as langid

    model = Path(langid.__file__).parent / langid.MODEL_FILE  # MODEL_FILE is package-relative
    ident = langid.LanguageIdentifier.from_modelpath(model, norm_probs=True)
    ident.set_languages(["de", "en", "fr", "nl", "it", "es", "pl", "tr"])
    return ident


def _langid():
    # One load for all worker threads: without the lock each thread unpacks the model itself,
    # and four parallel loads took 3 s each at the start of every collect run.
    with _LANGID_LOCK:
        return _load_langid()


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language ('' when the text is too short to say)."""
    if len(text) < 40:
        return ""
    lang, _ = _langid().classify(text[:3000])
    return lang
