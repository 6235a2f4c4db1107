"""Adviser views over the stored corpus and the latest model; nothing here refits anything.

- `scan`   : emerging and growing topics (optionally since a date, in a region, in a field), each
             with class, growth, stage and one evidence line;
- `search` : ranked full-text search with snippets (FTS5 trigram index: compounds match);
- `who`    : which municipalities have done something on a topic or query, how far they got,
             first and latest mention, links; or, for one municipality, what it has done by topic;
- `brief`  : a one-page workshop brief in Markdown or HTML.

All return plain dicts/strings; the CLI renders them. `Views` loads the model files once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property, lru_cache

from trends import i18n
from trends.config import Workspace
from trends.corpus import Corpus, find_word, find_words
from trends.models import (
    AnalysisError,
    latest_quarter,
    load_model,
    manifest_rules,
    pick_evidence,
    visible_topics,
)
from trends.records import NONE, STAGES, quarter_bounds
from trends.trend import CLASSES, TrendRules, explain_stored, observed

STAGE_ORDER = (NONE, *STAGES)
CLASS_ORDER = CLASSES  # scan lists topics by class in the order trend.py defines them
_SPARK = "▁▂▃▄▅▆▇█"


def parse_since(value: str | None, today: dt.date | None = None) -> dt.date | None:
    """'90d' -> 90 days ago; '2026-07-01' -> that date; '2026Q3' -> the quarter's first day."""
    if not value:
        return None
    today = today or dt.date.today()
    value = value.strip()
    if re.fullmatch(r"\d+d", value):
        return today - dt.timedelta(days=int(value[:-1]))
    if re.fullmatch(r"\d{4}[Qq][1-4]", value):
        return quarter_bounds(value.upper())[0]
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"--since {value!r}: use e.g. 90d, 2026-07-01 or 2026Q3") from None


def sparkline(values: list[int]) -> str:
    top = max(values) if values else 0
    if not top:
        return _SPARK[0] * len(values)
    return "".join(_SPARK[min(len(_SPARK) - 1, round(v / top * (len(_SPARK) - 1)))] for v in values)


def _query_words(query: str) -> list[str]:
    return [w for w in re.findall(r"\w+", query.lower()) if len(w) >= 2]


def mark_spans(text: str, query: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_hit) where the query's words stand, as search matches them:
    what a page highlights with <mark> (the pieces are raw text, to be escaped)."""
    lowered = text.lower()
    found = sorted(
        (m.start(), m.end()) for w in _query_words(query) for m in find_words(w, lowered)
    )
    spans, pos = [], 0
    for start, end in found:
        if start < pos:  # overlaps the previous hit: extend it
            if end > pos:
                spans[-1] = (spans[-1][0] + text[pos:end], True)
                pos = end
            continue
        if start > pos:
            spans.append((text[pos:start], False))
        spans.append((text[start:end], True))
        pos = end
    if pos < len(text) or not spans:
        spans.append((text[pos:], False))
    return spans


def _window(text: str, query: str, width: int) -> tuple[int, int, int, int] | None:
    """(start, end, hit start, hit end) of the text around the first query word found."""
    lowered = text.lower()
    hits = [(m.start(), w) for w in _query_words(query) if (m := find_word(w, lowered))]
    if not hits:
        return None
    pos, word = min(hits)
    return max(0, pos - width), min(len(text), pos + len(word) + width), pos, pos + len(word)


def snippet_spans(text: str, query: str, width: int = 90) -> list[tuple[str, bool]]:
    """`snippet` as `mark_spans` pieces, every hit in it marked (for <mark> on a page)."""
    window = _window(text, query, width)
    if window is None:
        return [(snippet(text, query, width), False)]
    start, end, _, _ = window
    spans = [(re.sub(r"\s+", " ", piece), hit) for piece, hit in mark_spans(text[start:end], query)]
    spans[0] = (("…" if start else "") + spans[0][0].lstrip(), spans[0][1])
    spans[-1] = (spans[-1][0].rstrip() + ("…" if end < len(text) else ""), spans[-1][1])
    return spans


def snippet(text: str, query: str, width: int = 90) -> str:
    """The text around the first query word found, with the match in «»."""
    window = _window(text, query, width)
    if window is None:
        return " ".join(text[: 2 * width].split()) + ("…" if len(text) > 2 * width else "")
    start, end, pos, hit_end = window
    piece = text[start:pos] + "«" + text[pos:hit_end] + "»" + text[hit_end:end]
    return ("…" if start else "") + " ".join(piece.split()) + ("…" if end < len(text) else "")


@dataclass
class Views:
    """The latest model and corpus, loaded lazily and once per command."""

    ws: Workspace
    quarter: str | None = None

    @cached_property
    def model(self) -> dict:
        return load_model(self.ws, self.quarter)

    @cached_property
    def topics(self) -> dict[str, dict]:
        return {t["id"]: t for t in visible_topics(self.model)}

    @cached_property
    def fields(self) -> list[str]:
        """The fields of action of the visible topics (`field_of`: "Sonstiges" for none)."""
        return sorted({field_of(t) for t in self.topics.values()})

    @cached_property
    def trends(self) -> dict[str, list[dict]]:
        # a merge target's rows are the merged series load_model built
        return defaultdict(list, self.model["trend_rows"])

    @cached_property
    def rules(self) -> TrendRules:
        """The trend thresholds the model was classified with (its manifest)."""
        return manifest_rules(self.model["manifest"])

    @cached_property
    def min_articles(self) -> dict[str, int]:
        """Articles a stage needs to count (the workspace taxonomy's): a place's too."""
        from trends import maturity

        return maturity.load_lexicon(self.ws.taxonomy).min_articles

    def by_place(self, rows: list[dict]) -> list[dict]:
        """`rows` grouped per municipality they name, each with the stage its articles
        corroborate (see `_group`), furthest first."""
        return _group(rows, lambda r: r.get("municipalities", []), self.min_articles)

    @cached_property
    def evidence(self) -> dict[str, dict]:
        return self.model["evidence"]

    @cached_property
    def assignments(self) -> list[dict]:
        merged = self.model["merged_into"]  # chains resolved: T1 -> T2 -> T3 is T1 -> T3
        # curation merges: articles count under the target topic
        return [
            {**row, "topic_id": merged.get(row["topic_id"], row["topic_id"])}
            for row in self.model["assignments"]
        ]

    @cached_property
    def _rows_by_topic(self) -> dict[str, list[dict]]:
        # one pass instead of one per topic: a page over every topic of a 10k model reads the
        # assignments once (scan --all: 18 passes were 0.2 s)
        out: dict[str, list[dict]] = defaultdict(list)
        for row in self.assignments:
            out[row["topic_id"]].append(row)
        return out

    def by_topic(self, topic_id: str) -> list[dict]:
        return list(self._rows_by_topic.get(topic_id, ()))

    @cached_property
    def _evidence_by_topic(self) -> dict[str, dict[str, dict]]:
        out: dict[str, dict[str, dict]] = defaultdict(dict)
        for key, e in self.evidence.items():
            if isinstance(e, dict):
                out[str(e.get("topic_id"))][key] = e
        return out

    def evidence_for(self, topic_id: str, kind: str = "stage") -> list[dict]:
        """The evidence to quote for a topic, as the report quotes it (models.pick_evidence)."""
        ids = [topic_id] + [
            t["id"] for t in self.model["topics"] if t.get("merge_into") == topic_id
        ]
        stage = self.topics[topic_id]["stage"] if topic_id in self.topics else None
        own = {k: e for i in ids for k, e in self._evidence_by_topic.get(i, {}).items()}
        return pick_evidence(own, ids, kind, self.model["quarter"], stage=stage)[0]

    def find_topic(self, query: str) -> dict | None:
        """A topic by id, or the topic whose label/keyphrases best contain the query's words."""
        q = query.strip().lower()
        if q.upper() in self.topics:
            return self.topics[q.upper()]
        words = [w for w in re.findall(r"\w+", q) if len(w) >= 2]
        if not words:
            return None
        best, best_score = None, 0.0
        for t in self.topics.values():
            hay = " ".join([t["label"], *t.get("keyphrases", [])]).lower()
            score = sum(1.0 for w in words if find_word(w, hay)) / len(words)
            score += 0.5 * (q in t["label"].lower())
            if score > best_score:
                best, best_score = t, score
        return best if best_score >= 0.99 else None


def _latest_complete(rows: list[dict]) -> dict | None:
    complete = [r for r in rows if not r.get("partial")]
    return complete[-1] if complete else (rows[-1] if rows else None)


def _region_filter(region: str | None):
    """A predicate on assignment rows for --region (municipality, district or source region)."""
    if not region:
        return lambda row: True
    from trends.nlp import entities

    entry = entities.lookup(region)
    wanted = region.strip().lower()
    if entry is not None:
        names = {entry.name}
        if entry.kind == "district":
            names |= {e.name for e in entities.entries("municipality") if e.region == entry.name}
        return lambda row: bool(names & set(row.get("municipalities", [])))
    return lambda row: any(wanted in m.lower() for m in row.get("municipalities", []))


# -- views ---------------------------------------------------------------------------------------------
def field_of(topic: dict) -> str:
    """A topic's field of action, one in none being in "Sonstiges" (the report's radar sector
    for them), so it can be picked as a field too."""
    return topic.get("field") or i18n.OTHER_FIELD


def scan(
    ws: Workspace,
    *,
    since: dt.date | None = None,
    region: str | None = None,
    field: str | None = None,
    limit: int = 10,
    classes: tuple[str, ...] = ("new", "emerging", "growing"),
    views: Views | None = None,
) -> list[dict]:
    """`views`: an already loaded model (the browser app keeps one); else it is read now."""
    views = views or Views(ws)
    in_region = _region_filter(region)
    # a typo must not read as "nothing is emerging": an unknown field or place is an error
    if field and not any(f.lower().startswith(field.lower()) for f in views.fields):
        raise AnalysisError(f"no topic in the field {field!r}; fields: {', '.join(views.fields)}")
    if region and not any(in_region(r) for r in views.assignments):
        raise AnalysisError(
            f"no article of the model names {region!r} (a municipality or district, "
            "e.g. 'Soest' or 'Kreis Soest')"
        )
    out = []
    for topic in views.topics.values():
        if topic["trend_class"] not in classes:
            continue
        if field and not field_of(topic).lower().startswith(field.lower()):
            continue
        rows = [
            r
            for r in views.by_topic(topic["id"])
            if in_region(r) and (since is None or r["published"] >= since.isoformat())
        ]
        if not rows:
            continue
        latest = _latest_complete(views.trends.get(topic["id"], []))
        evidence = views.evidence_for(topic["id"])
        sources = sorted({r["source"] for r in rows})
        places = sorted({m for r in rows for m in r.get("municipalities", [])})
        fresh = topic["trend_class"] in ("new", "emerging")
        out.append(
            {
                "id": topic["id"],
                "label": topic["label"],
                "class": topic["trend_class"],
                "growth": latest["growth_prev"] if latest else None,
                # the slope that decides growing/declining: a growing topic can have had a weaker
                # last quarter than the one before (growth < 0)
                "slope_per_quarter": (topic.get("trend_numbers") or {}).get("slope_per_quarter"),
                "articles": len(rows),
                "sources": sources,
                # a topic carried by one publisher may be its campaign, not a trend
                "single_source": len(sources) == 1,
                "municipalities": places,
                # a new or emerging topic is small: an adviser reads all of it
                "items": [
                    {k: r.get(k) for k in ("title", "url", "published", "source")}
                    for r in sorted(rows, key=lambda r: r["published"], reverse=True)
                ][: None if fresh else 3],
                "stage": topic["stage"],
                "confidence": topic["confidence"],
                "field": topic.get("field", ""),
                "trajectory": sparkline(list(topic["quarter_counts"].values())),
                "counts": dict(topic["quarter_counts"]),
                "evidence": (
                    {
                        "text": evidence[0]["text"],
                        "url": evidence[0]["url"],
                        "title": evidence[0]["title"],
                        "published": evidence[0]["published"],
                    }
                    if evidence
                    else None
                ),
            }
        )
    out.sort(
        key=lambda r: (CLASS_ORDER.index(r["class"]), -(r["growth"] or 0), -r["articles"], r["id"])
    )
    return out[:limit]


def search(
    ws: Workspace,
    query: str,
    *,
    since: dt.date | None = None,
    source: str | None = None,
    limit: int = 20,
    offset: int = 0,
    views: Views | None = None,
) -> list[dict]:
    """Hits `offset` to `offset + limit` of the ranking (a page of results)."""
    if not ws.corpus_db.exists():
        raise AnalysisError(
            f"no corpus at {ws.corpus_db} (run `trends collect` or `trends import` first)"
        )
    topics: dict[str, str] = {}
    labels: dict[str, str] = {}
    if views is not None or latest_quarter(ws):
        views = views or Views(ws)
        topics = {r["id"]: r["topic_id"] for r in views.assignments}
        labels = {t["id"]: t["label"] for t in views.topics.values()}
    with Corpus(ws.corpus_db, readonly=True) as corpus:
        if source and source not in (known := corpus.sources()):
            raise AnalysisError(f"unknown source {source!r}; sources: {', '.join(sorted(known))}")
        hits = corpus.search(query, since=since, source=source, limit=offset + limit)[offset:]
    return [
        {
            "id": a.id,
            "title": a.title,
            "title_spans": mark_spans(a.title, query),
            "published": a.published.isoformat() if a.published else "",
            "source": a.source,
            "url": a.url,
            "score": round(score, 3),
            "snippet": snippet(a.text, query),
            "snippet_spans": snippet_spans(a.text, query),
            "topic_id": topics.get(a.id, ""),
            "topic_label": labels.get(topics.get(a.id, ""), ""),
        }
        for a, score in hits
    ]


def _articles_for(ws: Workspace, views: Views, query: str) -> tuple[dict | None, list[dict]]:
    """(topic, assignment rows) for a topic id/label, or search hits when no topic matches."""
    topic = views.find_topic(query)
    if topic is not None:
        return topic, views.by_topic(topic["id"])
    known = {r["id"]: r for r in views.assignments}
    hits = search(ws, query, limit=200, views=views)
    return None, [known[h["id"]] for h in hits if h["id"] in known]


# bounded: the headlines of a 10k model; serve's who, municipality and topic pages ask for the same
# headlines on every request (at 10k, Aachen's page matched 1,700 headlines, half its time)
TITLE_CACHE = 20_000


@lru_cache(maxsize=TITLE_CACHE)
def _title_names(title: str) -> frozenset[str]:
    """Municipalities and districts a headline names ("Wuppertaler Funknetz ..." -> Wuppertal)."""
    from trends.nlp import entities  # the gazetteer loads on first use only

    return frozenset(e.name for e in entities.local_places(title))


def place_stage_of(row: dict, place: str) -> str:
    """The stage an assignment row gives `place` (one of the places its article names): the
    stage the sentences that name it make likeliest where the article names several
    (`place_stages`), else the stage it gives all its places (maturity.place_stage); models
    written before that was stored have the article's stage only."""
    own = (row.get("place_stages") or {}).get(place)
    return own or row.get("place_stage") or row.get("stage", NONE)


def _corroborated(stages: list[str], need: dict[str, int]) -> str:
    """A place's stage in a topic from the stages of its articles, oldest first: the furthest
    stage that as many of them tell as a topic's stage needs (`need`, the taxonomy's
    `min_articles`: rollout and standard two by default), or what its latest article tells.
    Progress is news more than once; a misread is seldom repeated. (Stop 42: over 27 seen
    streams the furthest stage per place in `who` went 1,212 -> 1,250 of 1,674, +0.048 ± 0.057
    a stream, within its spread; on the two unseen judges scored beside it 24 -> 26 and 25 -> 28
    of 29, which decided it.)"""
    told = NONE
    for s in reversed(STAGES):
        k = sum(STAGE_ORDER.index(x) >= STAGE_ORDER.index(s) for x in stages)
        if k and k >= min(need[s], len(stages)):
            told = s
            break
    return max(told, stages[-1], key=STAGE_ORDER.index)


def _group(rows: list[dict], key, need: dict[str, int], about: str | None = None) -> list[dict]:
    """Rows grouped by `key(row)` (one row may count in several groups), each group with the
    stage its articles corroborate (`_corroborated`, `need`: the taxonomy's `min_articles`),
    first and latest date and up to three evidence links. Evidence shows the place's own news
    first: articles whose headline names the group (municipality groups) or `about` (topic
    groups of one municipality), then those at the stage shown; newest first."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        for k in key(row):
            groups[k].append(row)
    out = []
    for name, items in groups.items():
        items.sort(key=lambda r: r["published"])
        subject = about or name  # the place whose stage the group shows
        told = [place_stage_of(r, subject) for r in items]
        stage = _corroborated(told, need)
        shown = [  # stable: newest first among equals
            r
            for r, _ in sorted(
                zip(items[::-1], told[::-1], strict=True),
                key=lambda pair: (subject not in _title_names(pair[0]["title"]), pair[1] != stage),
            )
        ]
        out.append(
            {
                "name": name,
                "stage": stage,
                "first": items[0]["published"],
                "latest": items[-1]["published"],
                "articles": len(items),
                "evidence": [
                    {
                        "title": r["title"],
                        "url": r["url"],
                        "published": r["published"],
                        "source": r["source"],
                    }
                    for r in shown[:3]
                ],
            }
        )
    out.sort(
        key=lambda g: (-STAGE_ORDER.index(g["stage"]), g["first"], g["name"])
    )  # furthest, then pioneers
    return out


def who(
    ws: Workspace,
    query: str | None = None,
    *,
    municipality: str | None = None,
    views: Views | None = None,
) -> dict:
    """Municipalities that did something on `query`, or topics one `municipality` worked on.
    Each municipality group carries its gazetteer `key` (AGS, "" outside NRW) for maps."""
    views = views or Views(ws)
    if municipality:
        from trends.nlp import entities

        entry = entities.lookup(municipality)
        if entry is None:
            raise AnalysisError(f"unknown municipality or district: {municipality!r}")
        rows = [
            r
            for r in views.assignments
            if entry.name in r.get("municipalities", []) and r["topic_id"] in views.topics
        ]
        groups = _group(rows, lambda r: [r["topic_id"]], views.min_articles, about=entry.name)
        for g in groups:
            g["topic_id"], g["label"] = g["name"], views.topics[g["name"]]["label"]
        return {
            "municipality": entry.name,
            "kind": entry.kind,
            "key": entry.key,
            "region": entry.region,
            # the furthest stage over its topics (groups come furthest first)
            "stage": groups[0]["stage"] if groups else NONE,
            "topics": groups,
        }
    topic, rows = _articles_for(ws, views, query or "")
    groups = _with_keys(views.by_place(rows))
    return {
        "query": query,
        "topic": {"id": topic["id"], "label": topic["label"]} if topic else None,
        "municipalities": groups,
    }


def facets(ws: Workspace, views: Views | None = None) -> dict:
    """What the views can be filtered by: the model's quarter and window, the fields of action of
    its visible topics, the places its articles name, and the corpus's sources (id -> name)."""
    views = views or Views(ws)
    sources: dict[str, str] = {}
    if ws.corpus_db.exists():
        with Corpus(ws.corpus_db, readonly=True) as corpus:
            sources = {k: v["name"] or k for k, v in sorted(corpus.sources().items())}
    return {
        "quarter": views.model["quarter"],
        "quarters": list(views.model["quarters"]),
        "fields": views.fields,
        "places": sorted({m for r in views.assignments for m in r.get("municipalities", [])}),
        "topics": sorted(
            ({"id": t["id"], "label": t["label"]} for t in views.topics.values()),
            key=lambda t: t["label"].lower(),
        ),
        "sources": sources,
    }


def topic(ws: Workspace, topic_id: str, lang: str = "de", views: Views | None = None) -> dict:
    """Everything known about one topic: what the report says of it (keyphrases, quarters, trend
    class with the numbers that decided it, stage with evidence, transferability, commentary),
    who did what (municipality groups with their AGS), its sources, and all its articles, newest
    first, with the archived copy's path under reports/ where the report made one."""
    views = views or Views(ws)
    tp = views.topics.get(topic_id.strip().upper())
    if tp is None:
        raise AnalysisError(f"no topic {topic_id!r} in the model of {views.model['quarter']}")
    tid, quarter = tp["id"], views.model["quarter"]
    rows = views.by_topic(tid)
    trend_rows = views.trends.get(tid, [])
    latest = _latest_complete(trend_rows)
    names: dict[str, str] = {}
    if ws.corpus_db.exists():
        with Corpus(ws.corpus_db, readonly=True) as corpus:
            names = {k: v["name"] or k for k, v in corpus.sources().items()}
    archive_dir = ws.reports_dir / quarter / "archive"
    archived = {p.name for p in archive_dir.iterdir()} if archive_dir.is_dir() else set()
    report = ws.reports_dir / quarter / "report.html"

    def quote(e: dict) -> dict:
        return {k: e.get(k, "") for k in ("text", "title", "url", "source", "published", "stage")}

    by_source: dict[str, int] = defaultdict(int)
    for r in rows:
        by_source[r["source"]] += 1
    return {
        "id": tid,
        "label": tp["label"],
        "quarter": quarter,
        "field": tp.get("field", ""),
        "keyphrases": list(tp.get("keyphrases", [])),
        "class": tp["trend_class"],
        "explanation": explain_stored(tp, trend_rows, views.rules, lang),
        "series": [
            {
                "quarter": r["quarter"],
                "count": r["count"],
                "share": r["share"],
                "partial": bool(r.get("partial")),
                "observed": observed(r),
            }
            for r in trend_rows
        ],
        "latest": {
            k: latest.get(k)
            for k in ("quarter", "growth_prev", "growth_yoy", "sources", "independent_sources")
        }
        if latest
        else {},
        "stage": tp["stage"],
        "confidence": tp["confidence"],
        "trl": tp.get("trl"),
        "evidence": [quote(e) for e in views.evidence_for(tid)[:3]],
        "transfer_score": float((latest or {}).get("transfer_score") or 0.0),
        "transfer_evidence": [quote(e) for e in views.evidence_for(tid, "transfer")[:3]],
        "commentary": tp.get("commentary", ""),
        "merged_from": [
            {"id": t["id"], "label": t["label"]}
            for t in views.model["topics"]
            if t.get("merge_into") == tid
        ],
        "municipalities": _with_keys(views.by_place(rows)),
        "sources": [
            {"id": k, "name": names.get(k, k), "articles": n}
            for k, n in sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "articles": [
            {
                "id": r["id"],
                "title": r["title"],
                "url": r["url"],
                "published": r["published"],
                "source": r["source"],
                "source_name": names.get(r["source"], r["source"]),
                "stage": r.get("stage", NONE),
                "municipalities": r.get("municipalities", []),
                "archive": f"{quarter}/archive/{r['id']}.html"
                if f"{r['id']}.html" in archived
                else "",
            }
            for r in sorted(rows, key=lambda r: (r["published"], r["id"]), reverse=True)
        ],
        "report": f"{quarter}/report.html" if report.exists() else "",
        "report_anchor": f"topic-{tid}",  # the topic's section there
    }


def _with_keys(groups: list[dict]) -> list[dict]:
    """Municipality/district groups with their gazetteer key (AGS; "" if none)."""
    from trends.nlp import entities

    for g in groups:
        entry = entities.lookup(g["name"])
        g["key"] = entry.key if entry is not None else ""
    return groups


def _questions(topic: dict, rows: list[dict], latest: dict | None, lang: str) -> list[str]:
    """Open questions for the workshop, derived from what the data does not show yet."""
    keys = []
    if topic.get("stage", "none") == "konzept":
        keys.append("brief_q_concept")
    elif topic.get("stage", "none") == "pilot":
        keys.append("brief_q_pilots")
    if latest and latest.get("independent_sources", 0) < 2:
        keys.append("brief_q_one_source")
    if len({m for r in rows for m in r.get("municipalities", [])}) < 3:
        keys.append("brief_q_few")
    if not any(e for e in rows if e.get("stage") == "standard"):
        keys.append("brief_q_standards")
    keys.append("brief_q_cost")
    return [i18n.fmt(k, lang) for k in keys]


_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|(?:Tel\.?|Telefon)\s*:?\s*[\d /()+-]{6,}")


def _quoted(e: dict, lang: str) -> dict:
    """An evidence record whose sentence goes between the brief's quotation marks."""
    from trends.report.safety import quotation

    return {**e, "text": quotation(str(e.get("text") or ""), lang)}


def brief(
    ws: Workspace,
    query: str,
    fmt: str = "md",
    lang: str = "de",
    views: Views | None = None,
    env=None,
) -> str:
    """A one-page workshop brief on a topic (or, failing that, on the articles matching the query),
    in German or English (`lang`), as Markdown or HTML (`fmt`): `brief_context` rendered through
    templates/brief.<fmt>.j2 with the report's escaping and link rules (`env`: the Jinja
    environment of that format and language, kept by a long-running caller such as `serve`)."""
    from trends.report.templating import render

    return render(ws, brief_context(ws, query, lang, views), fmt, "brief", env)


def brief_context(ws: Workspace, query: str, lang: str = "de", views: Views | None = None) -> dict:
    """What the workshop brief shows, as plain values (the templates escape every one): `heading`,
    `title`, `topic` (None for a query brief; else `what`, `class_label`, `class_text`,
    `stage_text`, `quotes`, `no_backing`), `course` (`first`, `last`, `spark`, `counts`), `who`
    (places with `stage_label` and their evidence `link`), `contacts`, `transfer` (leaders,
    parallel work), `transfer_quotes`, `questions`, `sources`; `t` and `quote_open`/`quote_close`
    in the reader's language."""
    views = views or Views(ws)
    topic, rows = _articles_for(ws, views, query)
    if not rows:
        raise AnalysisError(
            f"nothing found for {query!r}: try `trends search {query}` or another topic name"
        )
    quarters = views.model["quarters"]
    counts = [sum(1 for r in rows if r["quarter"] == q) for q in quarters]
    trend_rows = views.trends.get(topic["id"], []) if topic else []
    # "–" for quarters before the corpus begins, as in the report: no data is not zero
    empty = {r["quarter"] for r in trend_rows if not observed(r)}
    shown = ["–" if q in empty and not c else c for q, c in zip(quarters, counts)]
    latest = _latest_complete(trend_rows)
    whos = views.by_place(rows)
    contacts = sorted(
        {
            m.group(0).strip()
            for text in _texts(ws, [r["id"] for r in rows[:200]])
            for m in _CONTACT.finditer(text)
        }
    )[:6]
    lq, rq = ("„", "“") if lang == "de" else ("“", "”")
    title = topic["label"] if topic else f"{lq}{query}{rq}"
    about = None
    transfer: list[str] = []
    transfer_ev: list[dict] = []
    if topic:
        from trends.transfer import brief_lines  # leaders and parallel work (issue 22)

        trl = f", TRL {topic['trl']}" if topic.get("trl") else ""
        stage_ev = views.evidence_for(topic["id"])
        transfer_ev = [_quoted(e, lang) for e in views.evidence_for(topic["id"], "transfer")[:3]]
        transfer = brief_lines(whos, views.model["quarter"], lang)
        about = {
            "what": i18n.fmt(
                "brief_what",
                lang,
                phrases=", ".join(topic.get("keyphrases", [])[:6]),
                field=i18n.field_name(topic.get("field", ""), lang),
            ),
            "class_label": i18n.trend_class(topic["trend_class"], lang),
            "class_text": explain_stored(topic, trend_rows, views.rules, lang),
            "stage_text": i18n.fmt(
                "brief_stage",
                lang,
                stage=i18n.stage(topic["stage"], lang),
                confidence=i18n.fmt_pct(topic["confidence"], lang, 0),
                trl=trl,
            ),
            "quotes": [_quoted(e, lang) for e in stage_ev[:3]],
            # its stage sentences are off the topic
            "no_backing": not stage_ev and topic["stage"] in STAGES,
        }
    return {
        "lang": lang,
        "t": i18n.texts(lang),
        "quote_open": lq,
        "quote_close": rq,
        "title": title,
        "heading": i18n.fmt("brief_title", lang, title=title),
        "topic": about,
        "course": {
            "first": quarters[0],
            "last": quarters[-1],
            "spark": sparkline(counts),
            "counts": list(zip(quarters, shown)),
        },
        "who": [
            {**g, "stage_label": i18n.stage(g["stage"], lang), "link": g["evidence"][0]}
            for g in whos[:15]
        ],
        "contacts": contacts,
        "transfer": transfer,
        "transfer_quotes": transfer_ev,
        "questions": _questions(topic or {}, rows, latest, lang),
        "sources": sorted(rows, key=lambda r: r["published"], reverse=True)[:10],
    }


def _texts(ws: Workspace, ids: list[str]) -> list[str]:
    if not ids or not ws.corpus_db.exists():
        return []
    with Corpus(ws.corpus_db, readonly=True) as corpus:
        rows = corpus.db.execute(
            f"SELECT text FROM articles WHERE id IN ({','.join('?' * len(ids))})", ids
        )
        return [r[0] for r in rows]
