"""The articles a quarter's report quotes, for reference managers (Zotero, Citavi, JabRef):
CSL-JSON, BibTeX (biblatex `@online` with `urldate`) and RIS, one record per distinct article.

Records come from the report's own context (`quoted_articles`, the same list the archive pages
are written from), completed from the corpus: title, URL, publication date, the date the article
was collected (accessed), the source's name (container-title) and the language. BibTeX keys are
derived from the source and the article id only, so they stay the same across runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import TextIO

from trends.config import Workspace
from trends.report.archive import quoted_articles, stored_articles
from trends.report.context import build_context
from trends.report.safety import safe_url

FORMATS = ("csl-json", "bibtex", "ris")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _one_line(value: object) -> str:
    return " ".join(_CONTROL.sub(" ", "" if value is None else str(value)).split())


def _date_parts(value: object) -> list[int] | None:
    try:
        d = dt.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None
    return [d.year, d.month, d.day]


def bibtex_key(source: str, article_id: str, year: int | None) -> str:
    """Stable key: source slug, year, six hex digits of the article id's hash."""
    slug = re.sub(r"[^a-z0-9]", "", source.lower())[:20] or "source"
    digest = hashlib.sha256(article_id.encode("utf-8", "surrogatepass")).hexdigest()[:6]
    return f"{slug}{year or 'nd'}{digest}"


def citation_records(ws: Workspace, quarter: str | None = None) -> list[dict]:
    """One CSL-JSON item per distinct quoted article of the quarter's report, in report order."""
    context = build_context(ws, quarter)
    quoted = quoted_articles(context)
    stored = stored_articles(ws, list(quoted))
    items = []
    for aid, item in quoted.items():
        e, rec = item["evidence"], stored.get(aid) or {}
        issued = _date_parts(rec.get("published") or e.get("published"))
        accessed = _date_parts(rec.get("fetched_at"))
        record = {
            "id": bibtex_key(
                str(e.get("source") or rec.get("source") or ""), aid, (issued or [None])[0]
            ),
            "type": "webpage",
            "title": _one_line(rec.get("title") or e.get("title") or aid),
            "URL": safe_url(rec.get("url") or e.get("url")),
            "container-title": _one_line(e.get("source_name") or rec.get("source")),
            "language": _one_line(rec.get("language")) or context["lang"],
            "note": f"trends article {_one_line(aid)}; archived copy: {e['archive']}",
        }
        if issued:
            record["issued"] = {"date-parts": [issued]}
        if accessed:
            record["accessed"] = {"date-parts": [accessed]}
        items.append(record)
    return items


def _iso(parts: dict | None) -> str:
    if not parts:
        return ""
    y, m, d = parts["date-parts"][0]
    return f"{y:04d}-{m:02d}-{d:02d}"


_BIB_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bib_escape(value: str) -> str:
    """A value that cannot end its field or run a command: special characters escaped."""
    return "".join(_BIB_SPECIAL.get(ch, ch) for ch in value)


def write_bibtex(items: list[dict], fh: TextIO) -> int:
    for it in items:
        fields = [
            ("title", "{" + bib_escape(it["title"]) + "}"),  # inner braces keep the case
            ("organization", bib_escape(it["container-title"])),
            ("date", _iso(it.get("issued"))),
            ("url", it["URL"]),  # safe_url: no braces, backslashes or spaces left
            ("urldate", _iso(it.get("accessed"))),
            ("langid", bib_escape(it["language"])),
            ("note", bib_escape(it["note"])),
        ]
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields if v)
        fh.write(f"@online{{{it['id']},\n{body}\n}}\n\n")
    return len(items)


def _ris(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")


def write_ris(items: list[dict], fh: TextIO) -> int:
    for it in items:
        lines = [
            ("TY", "ELEC"),
            ("ID", it["id"]),
            ("TI", it["title"]),
            ("T2", it["container-title"]),
            ("UR", it["URL"]),
            ("DA", _iso(it.get("issued")).replace("-", "/")),
            ("PY", str(it["issued"]["date-parts"][0][0]) if it.get("issued") else ""),
            ("Y2", _iso(it.get("accessed")).replace("-", "/")),
            ("LA", it["language"]),
            ("N1", it["note"]),
        ]
        for tag, value in lines:
            if value:
                fh.write(f"{tag}  - {_ris(value)}\n")
        fh.write("ER  - \n\n")
    return len(items)


def write_citations(items: list[dict], fmt: str, fh: TextIO) -> int:
    if fmt == "csl-json":
        fh.write(json.dumps(items, ensure_ascii=False, indent=1) + "\n")
        return len(items)
    if fmt == "bibtex":
        return write_bibtex(items, fh)
    return write_ris(items, fh)
