"""The model store: reading models/<quarter>/ as written by `trends.analyze`.

Everything downstream of analyze (export, report, scan) reads models through these functions, and
they apply the analyst's curation.yaml (rename, merge, hide, pin a ring, commentary) on the way,
so curation survives every re-analysis. This module is light: no NLP imports.
"""

from __future__ import annotations

import json

import yaml

from trends.config import Workspace, yaml_error
from trends.trend import TrendRules


class AnalysisError(Exception):
    """Nothing to analyse or read (empty corpus, unknown quarter); str() is the one-line reason."""


def model_quarters(ws: Workspace) -> list[str]:
    if not ws.models_dir.exists():
        return []
    return sorted(p.name for p in ws.models_dir.iterdir() if (p / "manifest.json").exists())


def load_manifest(ws: Workspace, quarter: str) -> dict:
    """manifest.json of a quarter's model ({} when it is missing or unreadable)."""
    try:
        return json.loads((ws.models_dir / quarter / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


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


def read_model_file(ws: Workspace, quarter: str, name: str):
    """A JSON file of a quarter's model; a damaged one (edited by hand, a full disk) is an
    AnalysisError that says how to rebuild it."""
    path = ws.models_dir / quarter / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise AnalysisError(
            f"{path} is damaged ({exc}): run `trends analyze --quarter {quarter}` again"
        ) from None


def load_model(ws: Workspace, quarter: str | None = None) -> dict:
    """topics.json of a quarter (default: the latest) with the analyst's curation applied."""
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
    return data


def load_trends(ws: Workspace, quarter: str | None = None) -> list[dict]:
    quarter = quarter or latest_quarter(ws)
    path = ws.models_dir / str(quarter) / "trends.json"
    return read_model_file(ws, str(quarter), "trends.json") if path.exists() else []


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


def latest_assignments(ws: Workspace) -> dict[str, tuple[str, float]]:
    """article id -> (topic id, weight) from the latest model ({} when there is none)."""
    quarter = latest_quarter(ws)
    if quarter is None:
        return {}
    out = {}
    with (ws.models_dir / quarter / "assignments.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            out[row["id"]] = (row["topic_id"], row["topic_weight"])
    return out


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
        for t in data["topics"] + data.get("dormant", [])
        if not t.get("hidden")
    ]


def trend_rows(ws: Workspace, quarter: str | None = None) -> list[dict]:
    """Rows for `trends export trends`: one per topic and quarter."""
    labels = {t["id"]: t for t in load_model(ws, quarter)["topics"]}
    rows = []
    for r in load_trends(ws, quarter):
        topic = labels.get(r["topic_id"])
        if topic is None or topic.get("hidden"):
            continue
        rows.append(
            {
                "topic_id": r["topic_id"],
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
