"""Archived evidence: one self-contained page per quoted article, reports/<quarter>/archive/<name>.html.

News sites move and delete articles; a quote is only evidence while its text can be shown. Each
page carries title, source, publication date, original URL, the date the article was collected,
the stored text with the quoted sentences marked (<mark>). Pages load nothing from outside (CSP
`default-src 'none'`), so the report folder can be zipped and mailed.

File names come from the article id, never trusted as a path: ids that are not short plain
[A-Za-z0-9_-] words are replaced by a hash (no '../', no separators, no reserved names).
"""

from __future__ import annotations

import hashlib
import re

from trends import i18n
from trends.config import Workspace
from trends.report.charts import esc
from trends.report.safety import safe_url

FOLDER = "archive"
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def archive_name(article_id: object, suffix: str = "") -> str:
    """The page's path relative to the report folder: archive/<id><suffix>.html (suffix '.en'
    for the English report), with a hash in place of an id that is no plain word."""
    aid = str(article_id or "")
    if not _PLAIN_ID.fullmatch(aid):
        aid = "a-" + hashlib.sha256(aid.encode("utf-8", "surrogatepass")).hexdigest()[:20]
    return f"{FOLDER}/{aid}{suffix}.html"


def quoted_articles(context: dict) -> dict[str, dict]:
    """article id -> {"evidence": first evidence view, "quotes": [quoted sentences]} for every
    article the report quotes, in report order (stage evidence, then transfer evidence)."""
    out: dict[str, dict] = {}
    for tp in context["topics"]:
        for e in [*tp["maturity"]["evidence"], *tp["transfer"]["evidence"]]:
            aid = e.get("article_id")
            if not aid:
                continue
            item = out.setdefault(str(aid), {"evidence": e, "quotes": []})
            if e["text"] and e["text"] not in item["quotes"]:
                item["quotes"].append(e["text"])
    return out


def stored_articles(ws: Workspace, ids: list[str]) -> dict[str, dict]:
    """The corpus's records of these articles (empty without a corpus)."""
    if not ids or not ws.corpus_db.exists():
        return {}
    from trends.corpus import Corpus

    with Corpus(ws.corpus_db) as corpus:
        return corpus.records(ids)


def _quote_pattern(quote: str) -> re.Pattern | None:
    """The quote as it stands in the text: whitespace-insensitive, without a clipping ellipsis."""
    words = quote.rstrip("…").split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def highlight(text: str, quotes: list[str]) -> tuple[str, int]:
    """Escaped text with every quote wrapped in <mark>; returns (html, number of quotes found)."""
    spans: list[tuple[int, int]] = []
    found = 0
    for q in quotes:
        pat = _quote_pattern(q)
        m = pat.search(text) if pat else None
        if m:
            found += 1
            spans.append(m.span())
    spans.sort()
    parts, pos = [], 0
    for start, end in spans:
        if start < pos:  # overlapping quotes: mark the rest of the later one
            start = pos
        if end <= start:
            continue
        parts.append(esc(text[pos:start]))
        parts.append(f"<mark>{esc(text[start:end])}</mark>")
        pos = end
    parts.append(esc(text[pos:]))
    return "".join(parts), found


_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>
body {{ margin: 0; background: #e9ecef; color: #1d2327; font: 16px/1.6 system-ui, "Noto Sans", "DejaVu Sans", Arial, sans-serif; }}
main {{ max-width: 46rem; margin: 0 auto; background: #fff; padding: 1.5rem 2rem 3rem; overflow-wrap: break-word; }}
.kicker {{ text-transform: uppercase; letter-spacing: .08em; color: #56616b; font-size: .8rem; margin: 0; }}
h1 {{ font-size: 1.5rem; line-height: 1.3; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; font-size: .92rem; }}
dt {{ color: #56616b; }} dd {{ margin: 0; }}
.note {{ font-size: .88rem; color: #56616b; border-left: 4px solid #d5dbe1; padding-left: .7rem; }}
blockquote {{ margin: .4rem 0; padding: .3rem .8rem; border-left: 3px solid #b38f00; background: #fffbea; }}
.text {{ white-space: pre-wrap; }}
mark {{ background: #ffe066; padding: 0 .1em; }}
a {{ color: #1f5f9e; }}
@media print {{ body {{ background: #fff; }} main {{ padding: 0; }} }}
</style>
</head>
<body>
<main>
<p class="kicker">{kicker}</p>
<h1>{title}</h1>
<dl>
<dt>{t_source}</dt><dd>{source}</dd>
<dt>{t_published}</dt><dd>{published}</dd>
<dt>{t_original}</dt><dd>{original}</dd>
<dt>{t_collected}</dt><dd>{collected}</dd>
</dl>
<p class="note">{note}</p>
<h2>{t_quoted}</h2>
{quotes}
<h2>{t_text}</h2>
{body}
<p class="note"><a href="../{report}">{t_back}</a> · {report_title}</p>
</main>
</body>
</html>
"""


def page(context: dict, article_id: str, item: dict, record: dict | None, report: str) -> str:
    """One archive page. `record` is the corpus's row (None: only the quote is known)."""
    lang, t = context["lang"], context["t"]
    e = item["evidence"]
    url = safe_url((record or {}).get("url") or e.get("url"))
    title = (record or {}).get("title") or e.get("title") or article_id
    text = str((record or {}).get("text") or "")
    if text:
        marked, _ = highlight(text, item["quotes"])
        body = f'<div class="text" dir="auto">{marked}</div>'
    else:
        body = f"<p>{esc(t['archive_no_text'])}</p>"
    quotes = "\n".join(
        f'<blockquote dir="auto"><mark>{esc(q)}</mark></blockquote>' for q in item["quotes"]
    )
    original = (
        f'<a href="{esc(url)}" rel="noopener noreferrer nofollow">{esc(url)}</a>' if url else "–"
    )
    return _PAGE.format(
        lang=esc(lang),
        kicker=esc(f"{t['archive_title']} · {context['title']} {context['quarter']}"),
        title=esc(" ".join(str(title).split())),
        t_source=esc(t["source"]),
        source=esc(e.get("source_name") or (record or {}).get("source") or "–"),
        t_published=esc(t["archive_published"]),
        published=esc(i18n.fmt_date((record or {}).get("published") or e.get("published"), lang)),
        t_original=esc(t["archive_original"]),
        original=original,
        t_collected=esc(t["archive_collected"]),
        collected=esc(i18n.fmt_date(str((record or {}).get("fetched_at") or "")[:10], lang)),
        note=esc(t["archive_note"]),
        t_quoted=esc(t["archive_quoted"]),
        quotes=quotes,
        t_text=esc(t["archive_text"]),
        body=body,
        report=esc(report),
        t_back=esc(t["archive_back"]),
        report_title=esc(context["title"]),
    )


def archive_pages(
    ws: Workspace, context: dict, report: str = "report.html", stored: dict | None = None
) -> dict[str, str]:
    """{archive/<name>.html: page} for every article the report quotes."""
    quoted = quoted_articles(context)
    if stored is None:
        stored = stored_articles(ws, list(quoted))
    return {
        item["evidence"]["archive"]: page(context, aid, item, stored.get(aid), report)
        for aid, item in quoted.items()
    }
