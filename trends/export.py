"""Tabular exports (CSV, CSV for Excel, JSONL, JSON) of documents, topics and trends.

One writer for every table: `write_rows(rows, fmt, out)`. Field names are interfaces that scripts rely
on; add columns, never rename them. CSV cells that a spreadsheet would run as formulas are defused
(the texts come from the web).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from trends import relevance
from trends.corpus import Corpus
from trends.relevance import Policy

DOCUMENT_FIELDS = [
    "id",
    "url",
    "title",
    "published",
    "quarter",
    "source",
    "language",
    "relevant",
    "text",
    "topic_id",
    "topic_weight",
    "relevance",  # the score of trends.relevance.judge; empty when not judged
    "stage",  # how far the solution it reports got (maturity.article_stage)
    "municipalities",  # the municipalities and districts it names
]


def defuse_formula(text: str) -> str:
    """A spreadsheet opens a cell starting with = + - @ (or a tab / carriage return) as a formula;
    a page title like '=HYPERLINK(...)' must stay text, so such cells get a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _cell(value: Any, excel: bool = False) -> Any:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return defuse_formula(value)
    if excel and isinstance(value, float):
        return repr(value).replace(".", ",")  # German Excel reads 0.25 as a date or text
    return "" if value is None else value


def write_rows(
    rows: Iterable[dict], fmt: str, out: IO[str], fields: list[str] | None = None
) -> int:
    """Write dict rows as csv, excel (CSV as German Excel opens it: semicolons, decimal commas,
    UTF-8 with a byte order mark), jsonl or json (a list); returns the number of rows."""
    n = 0
    if fmt in ("csv", "excel"):
        excel = fmt == "excel"
        dialect = {"delimiter": ";" if excel else ","}
        if excel:
            out.write("\ufeff")  # how Excel knows the file is UTF-8
        writer = None
        for row in rows:
            if writer is None:
                writer = csv.DictWriter(
                    out, fieldnames=fields or list(row), extrasaction="ignore", **dialect
                )
                writer.writeheader()
            writer.writerow({k: _cell(v, excel) for k, v in row.items()})
            n += 1
        if writer is None and fields:
            csv.DictWriter(out, fieldnames=fields, **dialect).writeheader()
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            n += 1
    elif fmt == "json":
        items = list(rows)
        json.dump(items, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
        n = len(items)
    else:
        raise ValueError(f"unknown format {fmt!r} (csv, excel, jsonl or json)")
    return n


def document_rows(
    corpus: Corpus,
    assignments: dict[str, dict] | None = None,
    include_offtopic: bool = True,
    policy: Policy | None = None,
) -> Iterator[dict]:
    """One row per stored article; topic columns are empty until `trends analyze` has run.
    `relevant` is `policy`'s decision now (default: the model's threshold, no curation), so an
    edit of curation.yaml shows before the next analyze."""
    assignments = assignments or {}
    policy = policy or relevance.policy()
    decided = relevance.decisions(corpus, policy)
    for art in corpus.articles(relevant_only=False):
        assigned = assignments.get(art.id, {})
        decision = decided[art.id]
        # analysis counts an article its score set aside when it completes a new subject
        relevant = decision.relevant or (
            decision.reason == relevance.BELOW_THRESHOLD
            and bool(assigned.get("completes_new_subject"))
        )
        if not (relevant or include_offtopic):
            continue
        weight = assigned.get("topic_weight")
        yield {
            "id": art.id,
            "url": art.url,
            "title": art.title,
            "published": art.published.isoformat() if art.published else "",
            "quarter": art.quarter,
            "source": art.source,
            "language": art.language,
            "relevant": relevant,
            "text": art.text,
            "topic_id": assigned.get("topic_id", ""),
            "topic_weight": round(weight, 4) if weight is not None else "",
            "relevance": art.relevance if art.relevance is not None else "",
            "stage": assigned.get("stage", ""),
            "municipalities": assigned.get("municipalities", []),
        }
