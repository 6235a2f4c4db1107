"""The report context: one plain dict built from models/<quarter>/, which every format renders
(render_md, render_html, pdf, docx; build.write_report writes the files).

    build_context(ws, quarter, lang) -> dict          everything the report shows, as plain data

To add a section: compute it in a function here, add one key to the dict `build_context` returns,
and one block to each template/renderer that shows it.

`build_context` reads the inputs once (`_Inputs`: the quarter's `_Model`, the previous one,
taxonomy, settings, corpus facts) and builds the report section by section: `_topic` (one per
visible topic), `_summary`, `_radar`, `_comparison`, `_appendix`; the context dict is their sum.

Reading: the model of the quarter (topics, trends, evidence, assignments, manifest) through
`trends.models.load_model`, which applies the analyst's curation.yaml (label, hide, merge_into,
ring, commentary); the previous quarter's model (the latest models/<q> before this one) for the
comparison; the corpus for source names, article counts and failures (optional); taxonomy.yaml
for the radar's sectors (`fields:`) and rings (`rings:`).

Merging (`merge_into: T003`, resolved by `trends.models.load_model` for every reader): the merged
topic's articles count under the target in every quarter; shares and growth are recomputed,
sources and municipalities are united, and the trend class is decided again by
`trends.trend.classify` on the merged series. The maturity stage of a merged topic in a quarter is
that of the member with the highest confidence. The merged topic
disappears from every list, also from the previous quarter's (so nothing "moves" or "drops" just
because of a merge).

"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from trends import i18n, maturity
from trends.config import Workspace
from trends.models import (
    AnalysisError,
    load_curation,
    load_model,
    manifest_rules,
    model_quarters,
    normalise_row,
    pick_evidence,
    read_curation,
)
from trends.records import quarter_bounds
from trends.report import charts
from trends.report.archive import archive_name
from trends.report.safety import (
    _clip,
    commentary_html,
    commentary_markdown,
    quotation,
    safe_url,
)
from trends.trend import TrendRules, explain_stored, observed

STAGE_ORDER = maturity.STAGES
RING_ORDER = ("standard", "rollout", "pilot", "konzept")  # radar rings, innermost first
SUMMARY_TOPICS = 5  # topics in the executive summary (curation.yaml: report.summary_topics)
MAX_EVIDENCE = 3
MAX_TRANSFER_EVIDENCE = 2
MAX_TITLE = 180  # characters of an article title shown (the link carries the rest)
MAX_QUOTE = 420


# -- inputs --------------------------------------------------------------------------------------------
def _read_json(path: Path, default):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def _taxonomy(ws: Workspace) -> dict:
    """rings (stage -> name), fields [{name, name_en}], trl per stage, from the same taxonomy the
    analysis used (the workspace's taxonomy.yaml over the packaged one)."""
    lex = maturity.load_lexicon(ws.taxonomy_yaml if ws.taxonomy_yaml.exists() else None)
    return {
        "rings": dict(lex.rings),
        "fields": [{"name": f.name, "name_en": None} for f in lex.fields],
        "trl": dict(lex.trl),
    }


def _report_settings(ws: Workspace) -> dict:
    """The optional `report:` block of curation.yaml (title, subtitle, author, introduction, ...)."""
    block = read_curation(ws).get("report")
    return block if isinstance(block, dict) else {}


def _corpus_info(ws: Workspace) -> dict:
    """Source metadata, article counts per source and quarter, failures (empty without a corpus)."""
    info = {
        "exists": False,
        "sources": {},
        "counts": [],
        "last_run": None,
        "failures_run": [],
        "failures_all": [],
    }
    if not ws.corpus_db.exists():
        return info
    from trends.corpus import Corpus  # the corpus pulls in the collector's dedup helpers

    with Corpus(ws.corpus_db) as corpus:
        info["exists"] = True
        info["sources"] = corpus.sources()
        info["counts"] = [dict(r) for r in corpus.counts_by_source_quarter()]
        run = corpus.last_run("collect") or corpus.last_run("import")
        info["last_run"] = dict(run) if run else None
        if run is not None:
            info["failures_run"] = [dict(r) for r in corpus.failures_by_reason(run["id"])]
        info["failures_all"] = [dict(r) for r in corpus.failures_by_reason()]
    return info


# -- curation: rings, merges, hides ------------------------------------------------------------------------
def _ring_lookup(rings: dict[str, str]) -> dict[str, str]:
    """Anything an analyst may write for a ring -> stage key."""
    out = {}
    for stage in STAGE_ORDER:
        for name in (
            stage,
            rings[stage],
            i18n.RING_EN.get(rings[stage], rings[stage]),
            *i18n.STAGES[stage],
        ):
            out[str(name).strip().lower()] = stage
    return out


class _Model:
    """One quarter's model with curation applied: visible topics with merged numbers."""

    def __init__(self, ws: Workspace, quarter: str, tax: dict, lang: str):
        self.quarter = quarter
        self.data = load_model(ws, quarter)
        self.quarters: list[str] = list(self.data.get("quarters") or [quarter])
        self.manifest: dict = self.data["manifest"]
        self.rows: list[dict] = self.data["trends"]
        self.evidence: dict = self.data["evidence"]
        self.assignments: list[dict] = self.data["assignments"]
        self.lang = lang
        self.applied: list[str] = []
        self.rules = manifest_rules(self.manifest)
        topics = [t for t in self.data.get("topics", []) if isinstance(t, dict) and t.get("id")]
        self.by_id = {t["id"]: t for t in topics}
        lookup = _ring_lookup(tax["rings"])
        ring_names = ", ".join(tax["rings"][s] for s in RING_ORDER)
        # merges are resolved by load_model (chains followed, unknown targets and cycles dropped)
        self.warnings: list[str] = [
            i18n.fmt(w["key"], lang, id=w["id"], target=w["target"])
            for w in self.data["curation_warnings"]
        ]
        final: dict[str, str] = self.data["merged_into"]
        self.merged_into = final
        self.members: dict[str, list[str]] = self.data["members"]
        self.visible = [tid for tid in self.members if not self.by_id[tid].get("hidden")]
        self.hidden = [t["id"] for t in topics if t.get("hidden")]
        self.pins: dict[str, str] = {}
        for t in topics:
            ring = t.get("ring")
            if ring in (None, ""):
                continue
            stage = lookup.get(str(ring).strip().lower())
            if stage is None:
                self.warnings.append(
                    i18n.fmt(
                        "warn_unknown_ring",
                        lang,
                        id=t["id"],
                        ring=_clip(ring, 40),
                        rings=ring_names,
                    )
                )
            else:
                self.pins[t["id"]] = stage
        for t in topics:
            if t.get("label") != t.get("model_label") and t.get("model_label"):
                self.applied.append(
                    i18n.fmt("curation_renamed", lang, id=t["id"], label=_clip(t["label"], 80))
                )
            if t["id"] in final:
                self.applied.append(
                    i18n.fmt("curation_merged", lang, id=t["id"], target=final[t["id"]])
                )
            if t.get("hidden"):
                self.applied.append(i18n.fmt("curation_hidden", lang, id=t["id"]))
            if t["id"] in self.pins:
                ring = i18n.ring_name(tax["rings"][self.pins[t["id"]]], lang)
                self.applied.append(i18n.fmt("curation_ring", lang, id=t["id"], ring=ring))
        n_comm = sum(
            1 for tid in self.visible if str(self.by_id[tid].get("commentary") or "").strip()
        )
        if n_comm:
            self.applied.append(i18n.fmt("curation_commentary", lang, n=n_comm))
        self._assign_by: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for a in self.assignments:
            self._assign_by[(a.get("topic_id", "other"), a.get("quarter", ""))].append(a)
        self.series = {tid: self.data["series"][tid] for tid in self.visible}
        self.verdict = {tid: self._verdict(tid) for tid in self.visible}

    def _verdict(self, tid: str) -> dict:
        t = self.by_id[tid]  # a merge target's class was decided on the merged series
        return {
            "class": t.get("trend_class", "stable"),
            "rule": t.get("trend_rule", ""),
            "numbers": t.get("trend_numbers") or {},
            "decided_on": t.get("trend_decided_on") or self.quarter,
        }

    def now(self, tid: str) -> dict:
        for r in self.series[tid]:
            if r["quarter"] == self.quarter:
                return r
        return normalise_row({}, self.quarter)

    def stage(self, tid: str) -> tuple[str, float, int | None]:
        t = self.by_id[tid]  # a merge target's: its most confident member's (load_model)
        return (
            t.get("stage") or self.now(tid)["stage"] or "none",
            float(t.get("confidence") or 0.0),
            t.get("trl"),
        )

    def ring(self, tid: str) -> str:
        """The stage key of the topic's ring (pinned by the analyst, else from the stage)."""
        stage = self.stage(tid)[0]
        return self.pins.get(tid) or (stage if stage in STAGE_ORDER else "konzept")

    def evidence_for(self, tid: str, kind: str, limit: int) -> tuple[list[dict], str | None]:
        """Up to `limit` evidence items of the topic (members included): this quarter's, else the
        latest quarter that has some. Returns (items, quarter)."""
        preferred = self.now(tid).get("evidence_topic", tid)
        ids = sorted(self.members[tid], key=lambda i: i != preferred)  # stable: preferred first
        return pick_evidence(
            self.evidence, ids, kind, self.quarter, stage=self.stage(tid)[0], limit=limit
        )

    def sources_in(self, tid: str, quarter: str) -> Counter:
        ids = self.members[tid]
        return Counter(
            a.get("source")
            for i in ids
            for a in self._assign_by.get((i, quarter), [])
            if a.get("source")
        )


# -- sentences ---------------------------------------------------------------------------------------
def _transfer_level(score: float) -> str:
    if score <= 0:
        return "none"
    return (
        "transfer_low" if score < 0.45 else ("transfer_medium" if score < 0.75 else "transfer_high")
    )


def _summary_basis(series: list[dict], now: dict, decided_on: str) -> dict:
    """The quarter row the summary speaks of: the one the trend class was decided on. While the
    report's quarter is still running that is the last complete quarter; its first weeks ("0
    articles, share rising from 18 % to 0 %") would contradict the class next to them."""
    basis = next((r for r in series if r["quarter"] == decided_on), now)
    before = next((r for r in reversed(series) if r["quarter"] < basis["quarter"]), None)
    keep = ("quarter", "count", "share", "growth_yoy", "sources", "independent_sources")
    return {
        **{k: basis[k] for k in keep},
        "previous_share": before["share"] if before else None,
        "previous_count": before["count"] if before else None,
        "municipality_names": [_clip(m, 60) for m in basis["municipality_names"]],
    }


def _summary_sentences(topic: dict, lang: str, rules: TrendRules) -> list[str]:
    nums, now = topic["trend"]["numbers"], topic["summary_basis"]
    q = now["quarter"]
    share = i18n.fmt_pct(now["share"], lang)
    count = i18n.fmt_int(now["count"], lang)
    cls = topic["trend"]["class"]
    if cls == "new":
        s1 = i18n.fmt(
            "s1_new", lang, quarter=q, count=count, share=share, min_articles=rules.min_articles
        )
    elif cls == "emerging":
        prev = i18n.fmt_pct(now["previous_share"], lang)
        s1 = i18n.fmt(
            "s1_emerging" if prev != share else "s1_emerging_same_share",
            lang,
            first_seen=nums.get("first_seen") or q,
            quarter=q,
            count=count,
            prev_share=prev,
            prev_count=i18n.fmt_int(now["previous_count"] or 0, lang),
            share=share,
        )
    elif cls == "growing":
        yoy = now.get("growth_yoy")
        yoy_text = (
            i18n.fmt("s1_yoy", lang, growth=i18n.fmt_pct(yoy, lang, 0, signed=True))
            if yoy is not None
            else ""
        )
        s1 = i18n.fmt(
            "s1_growing",
            lang,
            quarter=q,
            count=count,
            share=share,
            n_quarters=topic["complete_quarters"],
            slope=i18n.fmt_pct(nums.get("slope_per_quarter"), lang, 0, signed=True),
            yoy=yoy_text,
        )
    else:
        s1 = i18n.fmt(
            "s1_other",
            lang,
            trend_class=i18n.trend_class(cls, lang).capitalize(),
            quarter=q,
            count=count,
            share=share,
        )
    names = now["municipality_names"] or topic["municipalities"]["window"]
    n_names = len(names)
    if n_names == 0:
        munis = i18n.fmt("s2_no_munis", lang)
    elif n_names == 1:
        munis = i18n.fmt("s2_one_muni", lang, names=names[0])
    else:
        munis = i18n.fmt("s2_munis", lang, n=n_names, names=i18n.join_words(names[:3], lang))
    s2 = i18n.fmt(
        "s2_one_source" if now["sources"] == 1 else "s2",
        lang,
        sources=now["sources"],
        independent=now["independent_sources"],
        municipalities=munis,
    )
    m = topic["maturity"]
    tr = topic["transfer"]
    transfer = (
        i18n.fmt(
            "s3_transfer", lang, level=tr["level_label"], score=i18n.fmt_dec(tr["score"], lang)
        )
        if tr["score"] > 0
        else ""
    )
    pinned = i18n.fmt("s3_pinned", lang) if m["ring_pinned"] else ""
    if m["stage"] in STAGE_ORDER:
        trl = f", TRL {m['trl']}" if m.get("trl") else ""
        s3 = i18n.fmt(
            "s3_stage",
            lang,
            stage=m["stage_label"],
            ring=m["ring_label"] + pinned,
            confidence=i18n.fmt_dec(m["confidence"], lang),
            trl=trl,
            transfer=transfer,
        )
    else:
        s3 = i18n.fmt("s3_none", lang, ring=m["ring_label"] + pinned, transfer=transfer)
    return [s1, s2, s3]


def _source_name(meta: dict[str, dict], sid: str) -> str:
    """A source's name as sources.yaml gives it, its id where it gives none."""
    return str((meta.get(sid) or {}).get("name") or sid)


def _evidence_view(e: dict, sources: dict, lang: str) -> dict:
    src = str(e.get("source") or "")
    return {
        "text": quotation(_clip(e.get("text"), MAX_QUOTE), lang),
        "title": _clip(e.get("title") or e.get("url") or src, MAX_TITLE),
        "url": safe_url(e.get("url")),
        "source": src,
        "source_name": _clip(_source_name(sources, src), 80),
        "published": str(e.get("published") or "")[:10],
        "quarter": e.get("quarter"),
        "stage": e.get("stage"),
        "stage_label": i18n.stage(str(e.get("stage") or "none"), lang) if e.get("stage") else "",
        "cue": e.get("cue"),
        "article_id": e.get("article_id"),
        # the local copy (report-relative, so the zipped folder keeps working)
        "archive": archive_name(e.get("article_id"), file_suffix(lang))
        if e.get("article_id")
        else "",
    }


def _names_list(names: list[str], limit: int, lang: str) -> dict:
    names = [_clip(n, 60) for n in names]
    more = max(0, len(names) - limit)
    return {
        "names": names[:limit],
        "more": more,
        "more_text": i18n.fmt("and_more", lang, n=more) if more else "",
    }


# -- context -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Inputs:
    """What the sections of the report read: the language and its texts, the quarter, its model
    and the previous quarter's (curation applied), the taxonomy, report settings, corpus facts."""

    ws: Workspace
    lang: str
    t: dict
    quarter: str
    tax: dict
    settings: dict
    corpus: dict
    source_types: dict
    cur: _Model
    prev: _Model | None

    @property
    def source_meta(self) -> dict[str, dict]:
        return self.corpus["sources"]


@dataclass(frozen=True)
class _Figures:
    """Article and source counts of the analysed window (from the model's assignments)."""

    per_quarter: Counter
    window: list[str]
    partial_q: set
    n_quarter: int
    n_window: int
    window_sources: set
    quarter_sources: set
    type_counts: Counter


def _curation_warnings(inp: _Inputs) -> list[str]:
    """The model's curation warnings plus curation entries for topics that do not exist."""
    ws, cur, lang, quarter = inp.ws, inp.cur, inp.lang, inp.quarter
    known = set(cur.by_id) | {
        d.get("id") for d in cur.data.get("dormant", []) if isinstance(d, dict)
    }
    warnings = list(cur.warnings)
    for key, value in (load_curation(ws) or {}).items():
        if str(key) == "report" or not isinstance(key, str):
            continue
        if not isinstance(value, dict):
            warnings.append(i18n.fmt("warn_bad_entry", lang, id=_clip(key, 40)))
        elif key not in known:
            warnings.append(
                i18n.fmt("warn_unknown_topic", lang, id=_clip(key, 40), quarter=quarter)
            )
    return warnings


def _sectors(inp: _Inputs) -> list[dict]:
    """Radar sectors: the taxonomy's fields of action, plus "other" when a topic has none."""
    tax, cur, lang = inp.tax, inp.cur, inp.lang
    sectors = [
        {"name": f["name"], "label": i18n.field_name(f["name"], lang, f.get("name_en"))}
        for f in tax["fields"]
    ]
    sector_index = {s["name"]: i for i, s in enumerate(sectors)}
    if any(cur.by_id[tid].get("field") not in sector_index for tid in cur.visible):
        sectors.append({"name": "", "label": i18n.field_name("", lang)})
    for i, s in enumerate(sectors):
        s["color"] = (
            charts.PALETTE[i % (len(charts.PALETTE) - 1)] if s["name"] else charts.OTHER_COLOR
        )
        s["index"] = i
    return sectors


def _sector_index(sectors: list[dict]) -> dict[str, int]:
    return {s["name"]: s["index"] for s in sectors if s["name"]}


def _rings(inp: _Inputs) -> list[dict]:
    tax, lang = inp.tax, inp.lang

    def ring_view(stage_key: str) -> dict:
        name = tax["rings"][stage_key]
        return {
            "key": stage_key,
            "name": name,
            "label": i18n.ring_name(name, lang),
            "index": RING_ORDER.index(stage_key),
        }

    rings = [ring_view(s) for s in RING_ORDER]
    return rings


def _previous_view(prev: _Model | None) -> dict[str, dict]:
    """What each topic looked like in the previous quarter's model."""
    prev_view: dict[str, dict] = {}
    if prev is not None:
        for tid in prev.visible:
            pt = prev.by_id[tid]
            prev_view[tid] = {
                "label": pt.get("label", tid),
                "ring": prev.ring(tid),
                "stage": prev.stage(tid)[0],
                "class": prev.verdict[tid]["class"],
                "count": prev.now(tid)["count"],
            }
    return prev_view


def _change(
    inp: _Inputs,
    p: dict | None,
    prev_q_row: dict | None,
    now: dict,
    ring_key: str,
    stage: str,
    trend_class: str,
) -> dict:
    """A topic's change since the previous quarter's model (`p`: its view there, if it was
    there): status (no_previous, new, moved, unchanged), ring direction and the before/now rows."""
    prev, tax, lang, t = inp.prev, inp.tax, inp.lang, inp.t
    moved = None
    if prev is None:
        status = "no_previous"
    elif p is None:
        status = "new"
    else:
        delta = RING_ORDER.index(ring_key) - RING_ORDER.index(p["ring"])
        moved = "in" if delta < 0 else ("out" if delta > 0 else None)
        status = "moved" if moved else "unchanged"
    change = {
        "status": status,
        "moved": moved,
        "previous_quarter": prev.quarter if prev else None,
        "text": (
            i18n.fmt("change_new", lang, quarter=prev.quarter)
            if status == "new"
            else i18n.fmt("change_no_previous", lang)
            if status == "no_previous"
            else ""
        ),
        "rows": [],
    }
    if p is not None:
        change["rows"] = [
            {
                "what": t["articles"],
                "before": i18n.fmt_int(prev_q_row["count"] if prev_q_row else p["count"], lang),
                "now": i18n.fmt_int(now["count"], lang),
            },
            {
                "what": t["ring"],
                "before": i18n.ring_name(tax["rings"][p["ring"]], lang),
                "now": i18n.ring_name(tax["rings"][ring_key], lang),
            },
            {
                "what": t["maturity"],
                "before": i18n.stage(p["stage"], lang),
                "now": i18n.stage(stage, lang),
            },
            {
                "what": t["trend_class"],
                "before": i18n.trend_class(p["class"], lang),
                "now": i18n.trend_class(trend_class, lang),
            },
        ]
        for row in change["rows"]:
            row["changed"] = row["before"] != row["now"]
    return change


def _topic(inp: _Inputs, tid: str, sectors: list[dict], prev_view: dict[str, dict]) -> dict:
    """One topic's section: trajectory, trend class and rule, maturity with evidence,
    transferability, municipalities, sources, change since the previous quarter, commentary."""
    cur, quarter, tax, lang, t = inp.cur, inp.quarter, inp.tax, inp.lang, inp.t
    source_meta = inp.source_meta
    sector_index = _sector_index(sectors)
    tp = cur.by_id[tid]
    series = cur.series[tid]
    now = cur.now(tid)
    verdict = cur.verdict[tid]
    stage, confidence, trl = cur.stage(tid)
    ring_key = cur.ring(tid)
    field = tp.get("field") if tp.get("field") in sector_index else ""
    sector = sector_index.get(field, len(sectors) - 1)
    # complete quarters the corpus has articles in: what the trend class was read over
    complete = [r for r in series if not r["partial"] and observed(r)]
    prev_q_row = next((r for r in reversed(series) if r["quarter"] < quarter), None)
    stage_ev, ev_q = cur.evidence_for(tid, "stage", MAX_EVIDENCE)
    transfer_ev, _ = cur.evidence_for(tid, "transfer", MAX_TRANSFER_EVIDENCE)
    transfer_score = float(now.get("transfer_score") or 0.0)
    level_key = _transfer_level(transfer_score)
    munis_window = sorted(
        {m for i in cur.members[tid] for m in (cur.by_id[i].get("municipalities") or [])}
    )
    src_counts = cur.sources_in(tid, quarter)
    src_window = sorted({s for i in cur.members[tid] for s in (cur.by_id[i].get("sources") or [])})
    keyphrases = []
    for i in cur.members[tid]:
        for k in cur.by_id[i].get("keyphrases") or []:
            k = _clip(k, 80)
            if k and k not in keyphrases:
                keyphrases.append(k)
    commentary = str(tp.get("commentary") or "")
    change = _change(inp, prev_view.get(tid), prev_q_row, now, ring_key, stage, verdict["class"])
    moved = change["moved"]
    is_new = change["status"] == "new" or (
        change["status"] == "no_previous" and verdict["class"] == "new"
    )
    topic = {
        "id": tid,
        "anchor": f"topic-{re.sub(r'[^A-Za-z0-9_-]', '', tid) or 'x'}",
        "label": _clip(tp.get("label") or tid, 160),
        "model_label": _clip(tp.get("model_label") or "", 160),
        "renamed": bool(tp.get("model_label")) and tp.get("label") != tp.get("model_label"),
        "quarter": quarter,
        "field": field,
        "field_label": sectors[sector]["label"],
        "sector": sector,
        "color": sectors[sector]["color"],
        "keyphrases": keyphrases[:10],
        "size": int(tp.get("size") or 0),  # a merge target's counts its members
        "series": [
            {
                "quarter": r["quarter"],
                "count": r["count"],
                "share": r["share"],
                "partial": bool(r["partial"]),
                # the corpus has articles in this quarter ("–" in the table where it has none:
                # before collection began, no article is not the same as zero on the topic)
                "observed": observed(r),
            }
            for r in series
        ],
        "now": {
            k: now.get(k)
            for k in (
                "count",
                "total",
                "share",
                "growth_prev",
                "growth_yoy",
                "burst",
                "sources",
                "independent_sources",
                "source_types",
                "municipalities",
                "regions",
                "partial",
            )
        },
        "complete_quarters": len(complete),
        "previous_quarter_share": prev_q_row["share"] if prev_q_row else None,
        "summary_basis": _summary_basis(series, now, verdict.get("decided_on") or quarter),
        "trend": {
            "class": verdict["class"],
            "class_label": i18n.trend_class(verdict["class"], lang),
            "explanation": explain_stored(tp, series, cur.rules, lang, cur.quarter),
            "rule": verdict.get("rule", ""),
            "numbers": verdict.get("numbers") or {},
            "decided_on": verdict.get("decided_on"),
            "decided_on_text": i18n.fmt(
                "decided_on", lang, quarter=verdict.get("decided_on") or quarter
            ),
        },
        "maturity": {
            "stage": stage,
            "stage_label": i18n.stage(stage, lang),
            "confidence": round(confidence, 3),
            "trl": trl,
            "ring": ring_key,
            "ring_label": i18n.ring_name(tax["rings"][ring_key], lang),
            "ring_index": RING_ORDER.index(ring_key),
            "ring_pinned": tid in cur.pins,
            "ring_pinned_text": i18n.fmt(
                "ring_pinned",
                lang,
                ring=i18n.ring_name(
                    tax["rings"][stage if stage in STAGE_ORDER else "konzept"], lang
                ),
            ),
            "model_ring_label": i18n.ring_name(
                tax["rings"][stage if stage in STAGE_ORDER else "konzept"], lang
            ),
            "evidence": [_evidence_view(e, source_meta, lang) for e in stage_ev],
            # a stage whose sentences are all about something else is said so, not left blank
            "no_evidence_text": i18n.fmt("no_backing_sentence", lang)
            if stage in STAGE_ORDER
            else "",
            "evidence_quarter": ev_q,
            "evidence_from_text": i18n.fmt("evidence_from", lang, quarter=ev_q)
            if ev_q and ev_q != quarter
            else "",
        },
        "transfer": {
            "score": round(transfer_score, 3),
            "level": level_key,
            "level_label": t.get(level_key, "") if level_key != "none" else "",
            "evidence": [_evidence_view(e, source_meta, lang) for e in transfer_ev],
        },
        "municipalities": {
            "quarter": [_clip(m, 60) for m in now.get("municipality_names") or []],
            "window": [_clip(m, 60) for m in munis_window],
            "quarter_list": _names_list(list(now.get("municipality_names") or []), 20, lang),
            "window_list": _names_list(munis_window, 30, lang),
        },
        "sources": {
            "quarter": [
                {
                    "id": sid,
                    "name": _clip(_source_name(source_meta, sid), 80),
                    "url": safe_url((source_meta.get(sid) or {}).get("url")),
                    "count": n,
                }
                for sid, n in sorted(src_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
            ],
            "quarter_more": max(0, len(src_counts) - 15),
            "more_text": i18n.fmt("and_more", lang, n=len(src_counts) - 15)
            if len(src_counts) > 15
            else "",
            "n_window": len(src_window),
        },
        "change": change,
        "is_new": is_new,
        "moved": moved,
        "merged_from": [
            {"id": i, "label": _clip(cur.by_id[i].get("label") or i, 160)}
            for i in cur.members[tid][1:]
        ],
        "commentary": commentary,
        "commentary_html": commentary_html(commentary),
        "commentary_md": commentary_markdown(commentary),
        "commentary_hint": i18n.fmt("commentary_hint", lang, id=tid),
    }
    topic["trend"]["sparkline_svg"] = Markup(
        charts.sparkline(
            [r["count"] for r in series],
            labels=[r["quarter"] for r in series],
            partial_last=bool(series and series[-1]["partial"]),
            color=topic["color"],
        )
    )
    topic["trend"]["sparkline_text"] = charts.sparkline_text([r["count"] for r in series])
    return topic


def _figures(inp: _Inputs) -> _Figures:
    cur, quarter, source_types = inp.cur, inp.quarter, inp.source_types
    per_quarter = Counter(a.get("quarter") for a in cur.assignments)
    if not per_quarter:
        for r in cur.rows:
            per_quarter[r.get("quarter")] = max(
                per_quarter[r.get("quarter")], int(r.get("total") or 0)
            )
    window = cur.quarters
    partial_q = {r["quarter"] for s in cur.series.values() for r in s if r["partial"]}
    n_quarter = per_quarter.get(quarter, 0)
    n_window = sum(per_quarter.get(q, 0) for q in window) or int(
        cur.manifest.get("n_articles") or 0
    )
    window_sources = {a.get("source") for a in cur.assignments if a.get("source")}
    quarter_sources = {
        a.get("source") for a in cur.assignments if a.get("source") and a.get("quarter") == quarter
    }
    type_counts = Counter(source_types.get(s) or "" for s in quarter_sources)
    return _Figures(
        per_quarter,
        window,
        partial_q,
        n_quarter,
        n_window,
        window_sources,
        quarter_sources,
        type_counts,
    )


def _summary(inp: _Inputs, topics: list[dict], fig: _Figures) -> dict:
    """The executive summary: the corpus in one sentence, then the rising topics (or, when none
    rises, the largest)."""
    settings, t, lang, quarter = inp.settings, inp.t, inp.lang, inp.quarter
    n_quarter, n_window, window = fig.n_quarter, fig.n_window, fig.window
    quarter_sources = fig.quarter_sources
    # a corpus younger than the window: "in 4 quarters since 2025Q4", not "in 8 since 2024Q4"
    covered = [q for q in window if fig.per_quarter.get(q)] or list(window)
    rank = {"new": 0, "emerging": 0, "growing": 1}
    try:
        top_n = max(0, int(settings.get("summary_topics", SUMMARY_TOPICS)))
    except (TypeError, ValueError):
        top_n = SUMMARY_TOPICS
    rising = sorted(
        (tp for tp in topics if tp["trend"]["class"] in rank),
        key=lambda x: (rank[x["trend"]["class"]], -x["now"]["count"], x["number"]),
    )[:top_n]
    fallback = not rising
    if fallback:
        rising = sorted(topics, key=lambda x: (-x["now"]["count"], x["number"]))[: min(3, top_n)]
    class_counts = Counter(tp["trend"]["class"] for tp in topics)
    classes_text = (
        i18n.join_words(
            [
                f"{class_counts[c]} {i18n.trend_class(c, lang)}"
                for c in i18n.TREND_CLASSES
                if class_counts[c]
            ],
            lang,
        )
        or t["none"]
    )

    summary = {
        "intro": i18n.fmt(
            "summary_intro",
            lang,
            quarter=quarter,
            articles=i18n.counted(n_quarter, "article", lang),
            sources=i18n.counted(len(quarter_sources), "source", lang),
            window_articles=i18n.fmt_int(n_window, lang),
            n_quarters=len(covered),
            first_quarter=covered[0] if covered else quarter,
            topics=len(topics),
            classes=classes_text,
        ),
        "lead": t["summary_none"] if fallback else t["summary_top"],
        "entries": [
            {
                "number": tp["number"],
                "id": tp["id"],
                "anchor": tp["anchor"],
                "label": tp["label"],
                "class": tp["trend"]["class"],
                "class_label": tp["trend"]["class_label"],
                "field_label": tp["field_label"],
                "sentences": tp["summary"],
            }
            for tp in rising
        ],
        "introduction_html": commentary_html(str(settings.get("introduction") or "")),
        "introduction_md": commentary_markdown(str(settings.get("introduction") or "")),
    }
    return summary


def _radar(inp: _Inputs, topics: list[dict], sectors: list[dict], rings: list[dict]) -> dict:
    t, quarter = inp.t, inp.quarter
    blips = [
        {
            "number": tp["number"],
            "id": tp["id"],
            "label": tp["label"],
            "sector": tp["sector"],
            "ring": tp["maturity"]["ring_index"],
            "ring_label": tp["maturity"]["ring_label"],
            "href": "#" + tp["anchor"],
            "is_new": tp["is_new"],
            "moved": tp["moved"],
            "anchor": tp["anchor"],
            "class": tp["trend"]["class"],
            "class_label": tp["trend"]["class_label"],
            "field_label": tp["field_label"],
            "color": tp["color"],
        }
        for tp in topics
    ]
    radar_sectors = []
    for s in sectors:
        members = [b for b in blips if b["sector"] == s["index"]]
        radar_sectors.append({**s, "blips": members})
    radar = {
        "rings": rings,
        "sectors": radar_sectors,
        "blips": blips,
        "radar_svg": Markup(
            charts.radar(
                [{"name": s["label"], "color": s["color"]} for s in sectors],
                [r["label"] for r in rings],
                blips,
                title=f"{t['radar']} {quarter}",
                new_label=t["new"],
                moved_in_label=t["moved_in"],
                moved_out_label=t["moved_out"],
            )
        ),
        "legend_svg": {k: Markup(charts.legend_icon(k)) for k in ("blip", "new", "in", "out")},
    }
    return radar


def _stems(label: str) -> frozenset[str]:
    # "Städtische Zuschuss" and "Städtischer Zuschuss", "Ausschuß" and "Ausschuss" share theirs
    return maturity.word_stems([label.replace("ß", "ss")])


def _comparison(inp: _Inputs, topics: list[dict], prev_view: dict[str, dict]) -> dict:
    """New, moved and dropped topics against the previous quarter's model."""
    cur, prev, tax, lang, t = inp.cur, inp.prev, inp.tax, inp.lang, inp.t
    by_id = {tp["id"]: tp for tp in topics}
    comparison = {
        "previous_quarter": prev.quarter if prev else None,
        "new": [],
        "moved": [],
        "dropped": [],
        "renamed": [],
        "unchanged": 0,
    }
    if prev is not None:
        for tp in topics:
            # a topic named anew (analyze.link_topics: its articles left its former name) says
            # so, else a reader takes it for a new one; a name spelled anew is the same name
            before = prev_view.get(tp["id"], {}).get("label", "").removesuffix(f" ({tp['id']})")
            if before and not _stems(before) & _stems(tp["label"]):
                comparison["renamed"].append(
                    {**{k: tp[k] for k in ("number", "label", "anchor")}, "previous": before}
                )
            entry = {
                "number": tp["number"],
                "id": tp["id"],
                "label": tp["label"],
                "anchor": tp["anchor"],
                "ring_label": tp["maturity"]["ring_label"],
                "class_label": tp["trend"]["class_label"],
                "count": tp["now"]["count"],
            }
            if tp["change"]["status"] == "new":
                comparison["new"].append(entry)
            elif tp["change"]["status"] == "moved":
                p = prev_view[tp["id"]]
                entry["previous_ring_label"] = i18n.ring_name(tax["rings"][p["ring"]], lang)
                entry["direction"] = tp["moved"]
                entry["direction_label"] = t["moved_in"] if tp["moved"] == "in" else t["moved_out"]
                comparison["moved"].append(entry)
            else:
                comparison["unchanged"] += 1
        dormant = {d.get("id") for d in cur.data.get("dormant", []) if isinstance(d, dict)}
        for tid, p in sorted(prev_view.items()):
            if tid in by_id:
                continue
            if tid in cur.merged_into:
                target = by_id.get(cur.merged_into[tid])
                reason = i18n.fmt(
                    "dropped_merged",
                    lang,
                    target=target["label"] if target else cur.merged_into[tid],
                )
            elif tid in cur.hidden:
                reason = t["dropped_hidden"]
            elif tid in dormant:
                reason = t["dropped_dormant"]
            else:
                reason = t["dropped_gone"]
            comparison["dropped"].append(
                {
                    "id": tid,
                    "label": _clip(p["label"], 160),
                    "ring_label": i18n.ring_name(tax["rings"][p["ring"]], lang),
                    "class_label": i18n.trend_class(p["class"], lang),
                    "reason": reason,
                }
            )
        comparison["unchanged_text"] = i18n.fmt("unchanged_topics", lang, n=comparison["unchanged"])
        comparison["compared_with_text"] = i18n.fmt("compared_with", lang, quarter=prev.quarter)
    return comparison


def _source_rows(inp: _Inputs, fig: _Figures) -> tuple[list[dict], dict]:
    """Every source with its relevant articles in the quarter and the window and all it stored."""
    corpus, cur, quarter, lang, source_meta = (
        inp.corpus,
        inp.cur,
        inp.quarter,
        inp.lang,
        inp.source_meta,
    )
    window = fig.window
    counts_q: Counter = Counter()
    counts_w: Counter = Counter()
    counts_all: Counter = Counter()
    for row in corpus["counts"]:
        sid = row["source"]
        counts_all[sid] += int(row["n"] or 0)
        if row["quarter"] == quarter:
            counts_q[sid] += int(row["relevant"] or 0)
        if row["quarter"] in window:
            counts_w[sid] += int(row["relevant"] or 0)
    if not corpus["exists"]:
        for a in cur.assignments:
            counts_w[a.get("source")] += 1
            if a.get("quarter") == quarter:
                counts_q[a.get("source")] += 1
    source_rows = []
    for sid in sorted(
        set(source_meta) | set(counts_all) | set(counts_w),
        key=lambda s: (-counts_w[s], -counts_all[s], str(s)),
    ):
        if sid is None:
            continue
        meta = source_meta.get(sid) or {}
        source_rows.append(
            {
                "id": sid,
                "name": _clip(meta.get("name") or sid, 80),
                "url": safe_url(meta.get("url")),
                "type": meta.get("type") or "",
                "type_label": i18n.source_type(meta.get("type") or "", lang)
                if meta.get("type")
                else "",
                "region": _clip(meta.get("region") or "", 40),
                "in_quarter": counts_q[sid],
                "in_window": counts_w[sid],
                "stored": counts_all[sid],
            }
        )
    totals = {
        "in_quarter": sum(r["in_quarter"] for r in source_rows),
        "in_window": sum(r["in_window"] for r in source_rows),
        "stored": sum(r["stored"] for r in source_rows),
    }
    return source_rows, totals


def _failures(corpus: dict, lang: str) -> dict:
    """Collect failures of the last run by reason, and the total."""
    run = corpus["last_run"]
    failures = {
        "run": (
            {
                "id": run["id"],
                "command": run["command"],
                "started": str(run["started"] or "")[:16].replace("T", " "),
                "n": sum(int(r["n"]) for r in corpus["failures_run"]),
            }
            if run
            else None
        ),
        "by_reason": [
            {"stage": _clip(r["stage"], 40), "kind": _clip(r["kind"], 80), "n": int(r["n"])}
            for r in corpus["failures_run"]
        ],
        "total": sum(int(r["n"]) for r in corpus["failures_all"]),
    }
    if run:
        failures["run_text"] = i18n.fmt(
            "failures_run",
            lang,
            run=run["id"],
            started=failures["run"]["started"],
            n=failures["run"]["n"],
        )
    failures["total_text"] = i18n.fmt("failures_all", lang, n=failures["total"])
    return failures


def _manifest_rows(inp: _Inputs, window: list[str]) -> list[dict]:
    """The model's manifest as key/value rows (what was analysed, how, with which versions)."""
    cur, quarter, t = inp.cur, inp.quarter, inp.t
    man = cur.manifest
    versions = man.get("versions") or {}
    model = man.get("model") or {}
    params = model.get("params") or {}
    rules = cur.rules
    manifest_rows = [
        (t["quarter"], man.get("quarter", quarter)),
        (t["window"], f"{window[0]} – {window[-1]} ({len(window)})" if window else ""),
        ("n_articles", man.get("n_articles")),
        ("n_topics", man.get("n_topics")),
        ("config_hash", man.get("config_hash")),
        ("corpus_hash", man.get("corpus_hash")),
        ("seed", man.get("seed")),
        ("analysis_version", man.get("analysis_version")),
        ("previous_model", man.get("previous_model") or "–"),
        (
            "model",
            " ".join(
                [str(model.get("class") or "")] + [f"{k}={v}" for k, v in sorted(params.items())]
            ).strip(),
        ),
        ("versions", ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))),
        (
            "trend_rules",
            ", ".join(
                f"{k}={v}" for k, v in sorted((man.get("trend_rules") or rules.__dict__).items())
            ),
        ),
    ]
    manifest_rows = [
        {"key": k, "value": "" if v is None else _clip(v, 400)} for k, v in manifest_rows
    ]
    return manifest_rows


def _rules_view(inp: _Inputs) -> dict:
    """The trend and maturity rules in words, with the thresholds in force."""
    rules, tax, lang = inp.cur.rules, inp.tax, inp.lang
    fmt_rules = {
        "min_articles": rules.min_articles,
        "emerging_quarters": rules.emerging_quarters,
        "growth_slope": i18n.fmt_pct(rules.growth_slope, lang, 0),
        **{f"r_{k}": i18n.ring_name(v, lang) for k, v in tax["rings"].items()},
        **{f"trl_{k}": f"{lo}–{hi}" if lo != hi else f"{lo}" for k, (lo, hi) in tax["trl"].items()},
    }
    rule_paragraphs = {
        key: [p.format(**fmt_rules) for p in i18n.pick(pair, lang)]
        for key, pair in i18n.RULES.items()
    }
    rules_view = {
        key: [
            {"md": Markup(charts.defuse(p.replace("<", "&lt;"))), "html": commentary_html(p)}
            for p in paras
        ]
        for key, paras in rule_paragraphs.items()
    }
    rules_view["trl"] = {s: list(v) for s, v in tax["trl"].items()}
    return rules_view


def _appendix(inp: _Inputs, fig: _Figures, warnings: list[str]) -> dict:
    """Sources with their counts, articles per quarter, collect failures, the model's manifest,
    the rules in words, and what curation did."""
    corpus, lang, t = inp.corpus, inp.lang, inp.t
    per_quarter, window, partial_q = fig.per_quarter, fig.window, fig.partial_q
    source_rows, totals = _source_rows(inp, fig)
    bars = [(q, per_quarter.get(q, 0)) for q in window]
    articles_svg = Markup(
        charts.bar_chart(
            bars,
            title=t["app_articles_chart"],
            partial=[q in partial_q for q in window],
            value_format=lambda v: i18n.fmt_int(v, lang),
            partial_note=t["partial_star"].lstrip("* "),
        )
    )
    from trends.health import report_rows as source_health_rows

    failures = _failures(corpus, lang)
    manifest_rows = _manifest_rows(inp, window)
    rules_view = _rules_view(inp)
    return {
        "sources": source_rows,
        "source_totals": totals,
        "articles_per_quarter": [
            {"quarter": q, "n": n, "partial": q in partial_q} for q, n in bars
        ],
        "articles_svg": articles_svg,
        "failures": failures,
        "manifest": manifest_rows,
        "rules": rules_view,
        "curation": {"applied": inp.cur.applied, "warnings": warnings},
        "health": source_health_rows(inp.ws, lang),  # dead and silent sources
    }


def _set_aside(manifest: dict, source_meta: dict[str, dict], lang: str) -> dict | None:
    """The methods' line on relevance: articles of the window set aside, per source (from the
    manifest analyze wrote); None for a model analysed before relevance was judged."""
    rel = manifest.get("relevance")
    if not isinstance(rel, dict) or not isinstance(rel.get("by_source"), dict):
        return None
    rows = [
        {
            "name": _source_name(source_meta, sid),
            "n": int(row.get("set aside", 0)),
            "of": sum(int(v) for v in row.values()),
        }
        for sid, row in sorted(rel["by_source"].items())
    ]
    total = sum(r["of"] for r in rows)
    joined = len(rel.get("joined_new_subjects") or [])
    return {
        "text": i18n.fmt(
            "set_aside",
            lang,
            n=i18n.fmt_int(int(rel.get("set_aside", 0)), lang),
            total=i18n.fmt_int(total, lang),
            threshold=f"{rel.get('threshold')}".replace(".", "," if lang == "de" else "."),
            not_judged=i18n.fmt_int(int(rel.get("not_judged", 0)), lang),
            joined=i18n.fmt("set_aside_joined", lang, n=i18n.fmt_int(joined, lang))
            if joined
            else "",
        ),
        "by_source": [r for r in rows if r["n"]],
    }


def _source_forms(manifest: dict, source_meta: dict[str, dict], lang: str) -> dict | None:
    """The methods' line on topics that were one source's form (from the manifest analyze
    wrote); None when there were none or the model predates the check."""
    forms = [f for f in manifest.get("source_forms") or [] if isinstance(f, dict)]
    if not forms:
        return None
    return {
        "text": i18n.fmt("source_forms", lang),
        "by_source": [
            {
                "name": _source_name(source_meta, str(f.get("source") or "")),
                "n": int(f.get("articles", 0)),
            }
            for f in forms
        ],
    }


def _period(manifest: dict, quarter: str, start, end, partial: bool, lang: str) -> dict:
    """The quarter's days; for a quarter the articles cover only in part (analyze's `coverage`,
    e.g. a stream that stops on its first day) the days covered, and a note that says so."""
    cov = manifest.get("coverage") or {}
    if cov and not cov.get("complete", True) and not partial:
        first, last = dt.date.fromisoformat(cov["from"]), dt.date.fromisoformat(cov["to"])
        note = i18n.fmt("coverage_note", lang, quarter=quarter)
        return {
            "start": cov["from"],
            "end": cov["to"],
            "text": f"{i18n.fmt_period(first, last, lang)} ({note})",
            "covered_in_part": True,
        }
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "text": i18n.fmt_period(start, end, lang),
        "covered_in_part": False,
    }


def build_context(
    ws: Workspace, quarter: str | None = None, lang: str = "de", *, today: dt.date | None = None
) -> dict:
    """Everything the report shows, as one dict of plain data (plus pre-rendered SVG/HTML markup
    under keys ending in `_svg`/`_html`/`_md`). Raises AnalysisError when there is no model."""
    if lang not in i18n.LANGS:
        raise AnalysisError(
            f"unknown report language {lang!r} (use one of: {', '.join(i18n.LANGS)})"
        )
    if quarter is not None:
        try:
            quarter_bounds(quarter)
        except ValueError as exc:
            raise AnalysisError(str(exc)) from None
        quarter = quarter.upper()
    available = model_quarters(ws)
    quarter = quarter or (available[-1] if available else None)
    if quarter is None:
        raise AnalysisError("no model yet: run `trends analyze` first")
    today = today or dt.date.today()
    t = i18n.texts(lang)
    tax = _taxonomy(ws)
    settings = _report_settings(ws)
    corpus = _corpus_info(ws)
    source_meta: dict[str, dict] = corpus["sources"]
    source_types = {sid: str(s.get("type") or "") for sid, s in source_meta.items()}
    cur = _Model(ws, quarter, tax, lang)  # raises AnalysisError without a model
    earlier = [q for q in available if q < quarter]
    prev = _Model(ws, earlier[-1], tax, lang) if earlier else None
    inp = _Inputs(ws, lang, t, quarter, tax, settings, corpus, source_types, cur, prev)
    warnings = _curation_warnings(inp)
    sectors = _sectors(inp)
    rings = _rings(inp)
    prev_view = _previous_view(prev)
    topics = [_topic(inp, tid, sectors, prev_view) for tid in cur.visible]

    # order: by sector, then ring (inner first), then size; numbers follow that order
    topics.sort(
        key=lambda x: (
            x["sector"],
            x["maturity"]["ring_index"],
            -x["now"]["count"],
            -x["size"],
            x["id"],
        )
    )
    for n, tp in enumerate(topics, 1):
        tp["number"] = n
        tp["summary"] = _summary_sentences(tp, lang, cur.rules)

    fig = _figures(inp)
    summary = _summary(inp, topics, fig)
    radar = _radar(inp, topics, sectors, rings)
    comparison = _comparison(inp, topics, prev_view)
    appendix = _appendix(inp, fig, warnings)
    start, end = quarter_bounds(quarter)
    partial = quarter in fig.partial_q

    context = {
        "lang": lang,
        "t": t,
        "title": _clip(settings.get("title") or t["title"], 200),
        "subtitle": _clip(settings.get("subtitle") or t["subtitle"], 200),
        "author": _clip(settings.get("author") or "", 200),
        "quarter": quarter,
        "period": _period(cur.manifest, quarter, start, end, partial, lang),
        "partial": partial,
        "partial_text": i18n.fmt(
            "partial_note", lang, quarter=quarter, date=i18n.fmt_date(today, lang)
        )
        if partial
        else "",
        "labels": {"in_quarter": i18n.fmt("munis_quarter", lang, quarter=quarter)},
        "generated": today.isoformat(),
        "generated_text": i18n.fmt_date(today, lang),
        "corpus": {
            "articles_quarter": fig.n_quarter,
            "articles_window": fig.n_window,
            "window": fig.window,
            "sources_quarter": len(fig.quarter_sources),
            "sources_window": len(fig.window_sources),
            "source_types": [
                {"type": k, "label": i18n.source_type(k, lang) if k else t["na"], "n": v}
                for k, v in sorted(fig.type_counts.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            "topics": len(topics),
            "hidden": len(cur.hidden),
            "other_articles": cur.data.get("other_size", 0),
            "exists": corpus["exists"],
        },
        "summary": summary,
        "radar": radar,
        "topics": topics,
        "fields": [
            {
                "label": s["label"],
                "color": s["color"],
                "anchor": f"field-{s['index'] + 1}",
                "topics": [tp["number"] for tp in topics if tp["sector"] == s["index"]],
            }
            for s in sectors
        ],
        "comparison": comparison,
        "appendix": appendix,
        "set_aside": _set_aside(cur.manifest, inp.source_meta, lang),
        "source_forms": _source_forms(cur.manifest, inp.source_meta, lang),
        "files": report_files(lang),
        # "Transfer und Nachnutzung" (templates/_transfer.*.j2); data from trends.transfer
        "transfer": _transfer_section(ws, quarter, lang),
    }
    appendix["cite"] = _cite_view(context)
    return context


def _transfer_section(ws: Workspace, quarter: str, lang: str) -> dict:
    from trends.transfer import report_section

    return report_section(ws, quarter, lang)


def file_suffix(lang: str) -> str:
    """'' for the first language (German: the files keep their names), '.en' for English, so both
    languages sit side by side in one folder."""
    return "" if lang == i18n.LANGS[0] else f".{lang}"


def report_files(lang: str) -> dict[str, str]:
    """The names of the report's files in this language (the templates link the charts)."""
    sfx = file_suffix(lang)
    return {
        "md": f"report{sfx}.md",
        "html": f"report{sfx}.html",
        "pdf": f"report{sfx}.pdf",
        "docx": f"report{sfx}.docx",
        "metrics": f"metrics{sfx}.json",
        "topics": f"topics{sfx}.csv",
        "radar_table": f"radar{sfx}.csv",
        "radar_chart": f"radar{sfx}.svg",
        "articles_chart": f"articles{sfx}.svg",
    }


def _cite_view(context: dict) -> dict:
    """How to cite the report itself (methods appendix), and the command that lists its sources."""
    lang, author = context["lang"], context["author"]
    return {
        "text": i18n.fmt(
            "cite_report",
            lang,
            author=f"{author}: " if author else "",
            title=context["title"],
            subtitle=context["subtitle"],
            quarter=context["quarter"],
            date=context["generated_text"],
        ),
        "note": context["t"]["cite_report_note"],
        "command": f"trends export citations --quarter {context['quarter']} --format bibtex",
    }
