"""The model store: reading models/<quarter>/ as written by `trends.analyze`.

Everything downstream of analyze (export, report, scan, who, brief, serve, suggest) reads models
through these functions, and they apply the analyst's curation.yaml (rename, merge, hide, pin a
ring, commentary) on the way, so curation survives every re-analysis. This module is light: no
NLP imports.

Two rules hold for every reader:
- every file of a model is read by `read_model_file`: a damaged one (cut short by a full disk,
  edited by hand) is an AnalysisError naming the file and `trends analyze --quarter Q`, never an
  empty section or a skipped line;
- curation is resolved once, by `load_model`: `merge_into` chains are followed to their end,
  unknown targets and cycles are dropped (with a warning in `curation_warnings`), and a merge
  target carries the merged numbers (quarter counts, trend class decided again on the merged
  series, stage of its most confident member), so the report and the adviser views agree.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from trends.config import Workspace, yaml_error
from trends.records import shift_quarter
from trends.trend import QuarterMetrics, TrendRules, classify


class AnalysisError(Exception):
    """Nothing to analyse or read (empty corpus, unknown quarter); str() is the one-line reason."""


class ModelDamaged(AnalysisError):
    """A file of a model is damaged or missing: the reason names it and `trends analyze`."""


def model_quarters(ws: Workspace) -> list[str]:
    if not ws.models_dir.exists():
        return []
    return sorted(p.name for p in ws.models_dir.iterdir() if (p / "manifest.json").exists())


def load_manifest(ws: Workspace, quarter: str) -> dict:
    """manifest.json of a quarter's model ({} when it is missing; damaged: AnalysisError)."""
    return read_model_file(ws, quarter, "manifest.json", default={})


def manifest_rules(manifest: dict) -> TrendRules:
    """The trend thresholds a model was classified with (the defaults if its manifest has none
    or a broken entry)."""
    try:
        return TrendRules.from_mapping(manifest.get("trend_rules"))
    except (TypeError, ValueError):
        return TrendRules()


def latest_quarter(ws: Workspace) -> str | None:
    quarters = model_quarters(ws)
    return quarters[-1] if quarters else None


def model_stamp(ws: Workspace) -> tuple:
    """Changes whenever what `load_model` and the adviser views read changes (a new quarter, a
    re-analysis, an edited curation.yaml): a long-running reader reloads when it differs."""
    quarter = latest_quarter(ws)
    paths = [ws.curation_yaml]
    if quarter:
        folder = ws.models_dir / quarter
        names = (
            "manifest.json",
            "topics.json",
            "trends.json",
            "evidence.json",
            "assignments.jsonl",
        )
        paths += [folder / name for name in names]
    stamp: list = [quarter]
    for path in paths:
        try:
            st = path.stat()
            stamp.append((st.st_mtime_ns, st.st_size))
        except OSError:
            stamp.append(None)
    return tuple(stamp)


def read_curation(ws: Workspace) -> dict:
    """curation.yaml as a mapping ({} when absent); broken YAML is an AnalysisError naming the
    line, for every command that reads it (report, scan, who, brief, export)."""
    if not ws.curation_yaml.exists():
        return {}
    try:
        data = yaml.safe_load(ws.curation_yaml.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise AnalysisError(yaml_error(ws.curation_yaml.name, exc)) from None
    return data if isinstance(data, dict) else {}


def load_curation(ws: Workspace) -> dict:
    """The analyst's topic edits: the `topics:` block (or, in older files, the whole mapping)."""
    data = read_curation(ws)
    return data.get("topics", data)


# what each model file holds at its top level (a file cut short at a bracket can still parse)
_SHAPES = {
    "manifest.json": dict,
    "topics.json": dict,
    "trends.json": list,
    "evidence.json": dict,
}
_NO_DEFAULT = object()


def _damaged(path: Path, quarter: str, reason: object) -> ModelDamaged:
    reason = " ".join(str(reason).split())[:160]
    return ModelDamaged(
        f"{path} is damaged ({reason}): run `trends analyze --quarter {quarter}` again"
    )


def read_model_file(
    ws: Workspace,
    quarter: str,
    name: str,
    default: Any = _NO_DEFAULT,
    *,
    manifest: dict | None = None,
) -> Any:
    """The one reader of a quarter's model files: a JSON file (`*.json`) or the rows of a JSON
    Lines file (`*.jsonl`). A damaged file (cut short by a full disk or a killed copy, edited by
    hand) is an AnalysisError naming it and the command that rebuilds it; nothing is skipped, so
    no reader shows a report without quotes or a topic without its articles as if all were well.
    A missing file is `default` when given (older models lack some files), else an error too.
    `manifest`: the quarter's manifest.json when the caller has read it already (assignments.jsonl
    is checked against its article count; without it, it is read here)."""
    path = ws.models_dir / quarter / name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if default is not _NO_DEFAULT:
            return default
        raise ModelDamaged(
            f"{path} is missing: run `trends analyze --quarter {quarter}` again"
        ) from None
    except (OSError, ValueError) as exc:  # unreadable, or not UTF-8 (cut inside a character)
        raise _damaged(path, quarter, exc) from None
    if name.endswith(".jsonl"):
        return _jsonl_rows(ws, quarter, path, text, manifest)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _damaged(path, quarter, exc) from None
    shape = _SHAPES.get(name)
    if shape is not None and not isinstance(data, shape):
        raise _damaged(path, quarter, f"not a JSON {'object' if shape is dict else 'list'}")
    if name == "topics.json":
        topics = data.get("topics")
        if not isinstance(topics, list):
            raise _damaged(path, quarter, "no list of topics")
        if not all(isinstance(t, dict) and isinstance(t.get("id"), str) for t in topics):
            raise _damaged(path, quarter, "a topic without an id")
    return data


def _jsonl_rows(
    ws: Workspace, quarter: str, path: Path, text: str, manifest: dict | None
) -> list[dict]:
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise _damaged(path, quarter, f"line {n}: {exc}") from None
        if not isinstance(row, dict) or "id" not in row or "topic_id" not in row:
            raise _damaged(path, quarter, f"line {n}: not an article row")
        rows.append(row)
    if path.name == "assignments.jsonl":
        # cut at a line end, the rows still parse: the manifest says how many there must be
        if manifest is None:
            manifest = read_model_file(ws, quarter, "manifest.json", default={})
        expected = manifest.get("n_articles")
        if isinstance(expected, int) and expected != len(rows):
            raise _damaged(path, quarter, f"{len(rows)} articles, manifest.json says {expected}")
    return rows


def load_model(ws: Workspace, quarter: str | None = None) -> dict:
    """topics.json of a quarter (default: the latest) with the analyst's curation applied, the
    one place curation is resolved. Each topic gets `label`, `hidden`, `ring`, `commentary` and
    `merge_into` (the *final* target of its chain, None when it stays or its merge is ignored);
    a merge target gets the merged numbers and `merged_from`. Added keys:
    `merged_into` (topic -> final target), `members` (each topic that stays -> itself and the
    topics merged into it), `series` (topic -> one row per quarter of the window, merged),
    `trend_rows` (topic -> its trends.json rows; the merged series for a merge target),
    `curation_warnings` (ignored merges: {"key": i18n key, "id", "target"}); and the model's
    other files as read: `manifest`, `trends`, `evidence`, `assignments` (rows as analyze
    wrote them, topic ids unmerged; readers copy before changing them)."""
    quarter = quarter or latest_quarter(ws)
    if quarter is None:
        raise AnalysisError("no model yet: run `trends analyze` first")
    if quarter not in model_quarters(ws):  # no manifest: never written, or its run was killed
        raise AnalysisError(f"no model for {quarter}: run `trends analyze --quarter {quarter}`")
    data = read_model_file(ws, quarter, "topics.json")
    curation = load_curation(ws)
    if not isinstance(curation, dict):  # e.g. `topics:` holding a list: nothing usable
        curation = {}
    for topic in data["topics"]:
        edit = curation.get(topic["id"]) or {}
        if not isinstance(edit, dict):  # `T001: hide` instead of `T001: {hide: true}`: ignored
            edit = {}
        if edit.get("label"):
            topic["label"] = str(edit["label"])
        topic["hidden"] = bool(edit.get("hide"))
        topic["merge_into"] = edit.get("merge_into")
        topic["ring"] = edit.get("ring")
        topic["commentary"] = str(edit.get("commentary") or "")
    topics = [t for t in data["topics"] if isinstance(t, dict) and t.get("id")]
    final, warnings = resolve_merges(topics)
    for t in topics:
        t["merge_into"] = final.get(t["id"])
    members = {
        t["id"]: [t["id"]] + sorted(k for k, v in final.items() if v == t["id"])
        for t in topics
        if t["id"] not in final
    }
    data["merged_into"], data["members"], data["curation_warnings"] = final, members, warnings
    # the other files, read (and so checked) now: a damaged one stops every reader alike, not
    # only those that happen to look into it
    data["manifest"] = read_model_file(ws, quarter, "manifest.json")
    data["trends"] = load_trends(ws, quarter)
    data["evidence"] = read_model_file(ws, quarter, "evidence.json", default={})
    data["assignments"] = read_model_file(
        ws, quarter, "assignments.jsonl", manifest=data["manifest"]
    )
    _merge_numbers(ws, quarter, data)
    return data


def resolve_merges(topics: list[dict]) -> tuple[dict[str, str], list[dict]]:
    """`merge_into` of each topic -> the end of its chain (T1 -> T2 -> T3: T1 and T2 -> T3).
    A target that is no topic of the model (or the topic itself) and a cycle are ignored, each
    with a warning {"key": the i18n text, "id", "target"}."""
    by_id = {t["id"]: t for t in topics}
    warnings: list[dict] = []
    target: dict[str, str] = {}
    for t in topics:
        m = t.get("merge_into")
        if m in (None, "", False):
            continue
        m = str(m).strip()
        if m not in by_id or m == t["id"]:
            warnings.append({"key": "warn_unknown_target", "id": t["id"], "target": m})
            continue
        target[t["id"]] = m
    final: dict[str, str] = {}
    for tid in target:
        seen, cur = [tid], target[tid]
        while cur in target and cur not in seen:
            seen.append(cur)
            cur = target[cur]
        if cur in seen:
            warnings.append({"key": "warn_merge_cycle", "id": tid, "target": target[tid]})
            continue
        final[tid] = cur
    return final, warnings


def _source_types(ws: Workspace) -> dict[str, str]:
    """source id -> type (vendor, city, ...) from the corpus ({} without one): a merged topic's
    independent sources are counted anew over its members' articles."""
    if not ws.corpus_db.exists():
        return {}
    from trends.corpus import Corpus  # the corpus pulls in the collector's dedup helpers

    with Corpus(ws.corpus_db, readonly=True) as corpus:
        return {sid: str(s.get("type") or "") for sid, s in corpus.sources().items()}


def _merge_numbers(ws: Workspace, quarter: str, data: dict) -> None:
    """`series` and `trend_rows` of every topic that stays; a merge target's numbers (counts,
    class, stage, size, keyphrases, places, sources) become those of it and its members."""
    by_id = {t["id"]: t for t in data["topics"] if isinstance(t, dict) and t.get("id")}
    quarters = list(data.get("quarters") or [quarter])
    rows = data["trends"]
    rows_by = {(r.get("topic_id"), r.get("quarter")): r for r in rows if isinstance(r, dict)}
    own_rows: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if isinstance(r, dict):
            own_rows[str(r.get("topic_id"))].append(r)
    merges = {tid: ids for tid, ids in data["members"].items() if len(ids) > 1}
    assign_by: dict[tuple[str, str], list[dict]] = defaultdict(list)
    source_types: dict[str, str] = {}
    if merges:  # the articles, to unite sources and places without double counts
        for a in data["assignments"]:
            assign_by[(a.get("topic_id", "other"), a.get("quarter", ""))].append(a)
        source_types = _source_types(ws)
    rules = manifest_rules(data["manifest"])
    series, trend_rows = {}, {}
    for tid, ids in data["members"].items():
        series[tid] = _series(by_id, ids, quarters, rows_by, assign_by, source_types)
        trend_rows[tid] = own_rows.get(tid, [])
    for tid, ids in merges.items():
        t, rows_of = by_id[tid], series[tid]
        trend_rows[tid] = [{"topic_id": tid, **r} for r in rows_of]
        verdict = classify([_metrics(r) for r in rows_of], rules)
        now = next((r for r in rows_of if r["quarter"] == quarter), normalise_row({}, quarter))
        t.update(
            merged_from=ids[1:],
            quarter_counts={r["quarter"]: r["count"] for r in rows_of},
            size=sum(int(by_id[i].get("size") or 0) for i in ids),
            trend_class=verdict.label,
            trend_rule=verdict.rule,
            trend_numbers=verdict.numbers,
            trend_decided_on=verdict.decided_on,
            stage=now["stage"] or "none",
            confidence=float(now["confidence"] or 0.0),
            trl=now["trl"],
            **{
                key: list(dict.fromkeys(x for i in ids for x in (by_id[i].get(key) or [])))
                for key in ("keyphrases", "municipalities", "sources")
            },
        )
    data["series"], data["trend_rows"] = series, trend_rows


def _series(
    by_id: dict[str, dict],
    ids: list[str],
    quarters: list[str],
    rows_by: dict[tuple, dict],
    assign_by: dict[tuple[str, str], list[dict]],
    source_types: dict[str, str],
) -> list[dict]:
    """One row per quarter of the window for a topic and the topics merged into it (`ids`)."""
    tid = ids[0]
    out: list[dict] = []
    for q in quarters:
        rows = [rows_by[(i, q)] for i in ids if (i, q) in rows_by]
        if len(ids) == 1:
            row = dict(rows[0]) if rows else None
            if row is None:
                count = int(by_id[tid].get("quarter_counts", {}).get(q, 0) or 0)
                row = {"quarter": q, "count": count, "total": 0, "share": 0.0, "partial": False}
            out.append(normalise_row(row, q))
            continue
        total = max((r.get("total", 0) for r in rows), default=0)
        count = sum(int(r.get("count", 0)) for r in rows)
        best = max(rows, key=lambda r: (r.get("confidence", 0.0), r.get("count", 0)), default={})
        articles = [a for i in ids for a in assign_by.get((i, q), [])]
        srcs = {a.get("source") for a in articles if a.get("source")}
        munis = sorted({m for r in rows for m in r.get("municipality_names", [])})
        row = {
            "quarter": q,
            "count": count,
            "total": total,
            "share": round(count / total, 6) if total else 0.0,
            "burst": max((r.get("burst", 0.0) for r in rows), default=0.0),
            "sources": len(srcs)
            if articles
            else max((r.get("sources", 0) for r in rows), default=0),
            "independent_sources": len({s for s in srcs if source_types.get(s) != "vendor"})
            if articles
            else max((r.get("independent_sources", 0) for r in rows), default=0),
            "source_types": len({source_types.get(s) for s in srcs if source_types.get(s)})
            if articles
            else max((r.get("source_types", 0) for r in rows), default=0),
            "municipalities": len(munis),
            "municipality_names": munis,
            "regions": max((r.get("regions", 0) for r in rows), default=0),
            "partial": any(r.get("partial") for r in rows),
            "stage": best.get("stage", "none"),
            "confidence": best.get("confidence", 0.0),
            "trl": best.get("trl"),
            "transfer_score": max((r.get("transfer_score", 0.0) for r in rows), default=0.0),
            "evidence_topic": best.get("topic_id", tid),
            "merged": True,
        }
        out.append(normalise_row(row, q))
    if len(ids) > 1:  # growth from the merged shares
        share = {r["quarter"]: r["share"] for r in out}
        for r in out:
            for key, back in (("growth_prev", 1), ("growth_yoy", 4)):
                before = share.get(shift_quarter(r["quarter"], -back))
                r[key] = round(r["share"] / before - 1, 4) if before else None
    return out


def normalise_row(row: dict, q: str) -> dict:
    """A quarter row with every key a reader looks up (missing ones as in an empty quarter)."""
    defaults = {
        "quarter": q,
        "count": 0,
        "total": 0,
        "share": 0.0,
        "growth_prev": None,
        "growth_yoy": None,
        "burst": 0.0,
        "sources": 0,
        "independent_sources": 0,
        "source_types": 0,
        "municipalities": 0,
        "regions": 0,
        "partial": False,
        "municipality_names": [],
        "stage": "none",
        "confidence": 0.0,
        "trl": None,
        "transfer_score": 0.0,
        "evidence_ids": [],
    }
    return {
        **defaults,
        **{
            k: v
            for k, v in row.items()
            if v is not None or k in ("growth_prev", "growth_yoy", "trl")
        },
    }


def _metrics(r: dict) -> QuarterMetrics:
    """A trends.json quarter row (it may carry more keys) as the record the trend rules read."""
    values = {f.name: r[f.name] for f in dataclasses.fields(QuarterMetrics)}
    return QuarterMetrics(**values | {"partial": bool(values["partial"])})


def visible_topics(data: dict) -> list[dict]:
    """The topics a reader shows: not hidden, not merged into another (curation applied)."""
    return [t for t in data["topics"] if not t.get("hidden") and not t.get("merge_into")]


def load_trends(ws: Workspace, quarter: str | None = None) -> list[dict]:
    """trends.json as analyze wrote it (no curation: `load_model(...)["trend_rows"]` has it)."""
    quarter = quarter or latest_quarter(ws)
    return read_model_file(ws, str(quarter), "trends.json", default=[])


def pick_evidence(
    evidence: dict,
    topic_ids: list[str],
    kind: str,
    quarter: str,
    *,
    stage: str | None = None,
    limit: int | None = None,
) -> tuple[list[dict], str | None]:
    """The evidence sentences to quote for a topic (evidence.json of a model; `topic_ids`: the
    topic first, then the topics merged into it): the quarter's own, else the latest earlier
    quarter that has some. The topic's own sentences first, then those that back the `stage`
    shown, then in analyze's order; each sentence once (a thin quarter's stage is judged with the
    quarters before it, so a sentence can be evidence in several). Returns (items, their quarter)."""
    by_q: dict[str, list[tuple]] = {}
    for key, e in evidence.items():
        if not isinstance(e, dict) or e.get("topic_id") not in topic_ids:
            continue
        if e.get("kind", "stage") != kind:
            continue
        try:
            index = int(str(key).rsplit("|", 1)[-1])
        except ValueError:
            index = 99
        rank = (
            e.get("topic_id") != topic_ids[0],
            kind == "stage" and stage is not None and e.get("stage") != stage,
            index,
            str(key),
        )
        by_q.setdefault(str(e.get("quarter", "")), []).append((rank, e))
    if not by_q:
        return [], None
    earlier = [q for q in by_q if q <= quarter]
    chosen = quarter if quarter in by_q else max(earlier or by_q)
    seen, out = set(), []
    for _, e in sorted(by_q[chosen], key=lambda x: x[0]):
        key = (" ".join(str(e.get("text", "")).split()), e.get("url"))
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out[:limit], chosen


def latest_assignments(ws: Workspace) -> dict[str, dict]:
    """article id -> {topic_id, topic_weight, stage, municipalities} from the latest model ({} when
    there is none); the topic is the one curation merged it into, the stage the article's own
    (maturity.article_stage)."""
    if latest_quarter(ws) is None:
        return {}
    data = load_model(ws)
    merged = data["merged_into"]
    return {
        row["id"]: {
            "topic_id": merged.get(row["topic_id"], row["topic_id"]),
            "topic_weight": row["topic_weight"],
            "stage": row.get("stage", ""),
            "municipalities": row.get("municipalities", []),
        }
        for row in data["assignments"]
    }


def topic_rows(ws: Workspace, quarter: str | None = None) -> list[dict]:
    """Rows for `trends export topics`: id, label, keyphrases, size, quarter counts (+ class, stage)."""
    data = load_model(ws, quarter)
    return [
        {
            "id": t["id"],
            "label": t["label"],
            "keyphrases": t["keyphrases"],
            "size": t["size"],
            "quarter_counts": t["quarter_counts"],
            "status": t["status"],
            "field": t["field"],
            "trend_class": t["trend_class"],
            "stage": t["stage"],
            "confidence": t["confidence"],
        }
        for t in visible_topics(data) + data.get("dormant", [])
    ]


def trend_rows(ws: Workspace, quarter: str | None = None) -> list[dict]:
    """Rows for `trends export trends`: one per topic and quarter."""
    data = load_model(ws, quarter)
    rows = []
    for topic in visible_topics(data):
        for r in data["trend_rows"].get(topic["id"], []):
            rows.append(
                {
                    "topic_id": topic["id"],
                    "label": topic["label"],
                    "quarter": r["quarter"],
                    "count": r["count"],
                    "share": r["share"],
                    "growth": r["growth_prev"],
                    "growth_yoy": r["growth_yoy"],
                    "burst": r["burst"],
                    "sources": r["sources"],
                    "independent_sources": r["independent_sources"],
                    "municipalities": r["municipalities"],
                    "class": topic["trend_class"],
                    "stage": r["stage"],
                    "confidence": r["confidence"],
                    "evidence_ids": r["evidence_ids"],
                    "partial": r["partial"],
                }
            )
    return rows
