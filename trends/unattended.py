"""What `trends run` needs besides the stages: the workspace lock, the run record and the
"what changed" page.

- **Lock** `logs/run.lock`: a POSIX record lock (`fcntl.lockf`) held for the run's lifetime. The
  kernel drops it when the process ends, however it ends, so a killed run never blocks the next;
  unlike `flock`, it is not inherited by the worker processes analyze forks, which could outlive
  a killed run and keep holding it.
- **Record** `logs/last-run.json` (the latest run) and `logs/runs.jsonl` (one line per run, the
  last `RUNS_KEPT`), each replaced atomically: a killed run leaves the previous versions.
- **Changes** `reports/<quarter>/changes.md`: new articles per source since the previous run and
  topics that appeared or changed class or stage since the model the previous run saw (its
  summary is kept in `logs/last-model.json`).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections import Counter
from pathlib import Path

from trends import i18n
from trends.config import Workspace
from trends.corpus import Corpus
from trends.files import replacing
from trends.health import SourceHealth, localized
from trends.models import load_model, visible_topics
from trends.records import Failure

RUNS_KEPT = 1000  # lines of logs/runs.jsonl: about three years of daily runs
ARTICLES_LISTED = 30  # per source in changes.md; the rest are counted


def logs_dir(ws: Workspace) -> Path:
    return ws.root / "logs"


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# -- lock ------------------------------------------------------------------------------------------
class LockHeld(Exception):
    """Another process holds the workspace's run lock; str() says which."""


class RunLock:
    """`with RunLock(ws):` holds logs/run.lock or raises LockHeld at once (never waits)."""

    def __init__(self, ws: Workspace):
        self.path = logs_dir(ws) / "run.lock"
        self.fd: int | None = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip()
            os.close(fd)
            raise LockHeld(
                f"another trends run holds {self.path}"
                + (f" ({holder})" if holder else "")
                + ": nothing done"
            ) from None
        # who holds it, for the message above; the lock itself is the kernel's, not this text
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {now_utc()}\n".encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock; the file stays (deleting it would race)
            self.fd = None


# -- record ----------------------------------------------------------------------------------------
def write_record(ws: Workspace, record: dict) -> Path:
    """logs/last-run.json, and the record appended to logs/runs.jsonl (last RUNS_KEPT lines)."""
    folder = logs_dir(ws)
    folder.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False, sort_keys=True)
    with replacing(folder / "last-run.json") as fh:
        fh.write(json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    history = folder / "runs.jsonl"
    kept = history.read_text(encoding="utf-8").splitlines() if history.exists() else []
    kept = [x for x in kept if x.strip()][-(RUNS_KEPT - 1) :] + [line]
    with replacing(history) as fh:
        fh.write("\n".join(kept) + "\n")
    return folder / "last-run.json"


def read_runs(ws: Workspace) -> list[dict]:
    """The records in logs/runs.jsonl, oldest first (unreadable lines skipped)."""
    path = logs_dir(ws) / "runs.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def failures_by_source(failures: list[Failure], limit: int = 20) -> dict[str, list[dict]]:
    """source -> [{stage, reason, count, url (the first)}], most frequent first."""
    grouped: dict[str, Counter] = {}
    first_url: dict[tuple[str, str, str], str] = {}
    for f in failures:
        key = (f.source or f"({f.stage})", f.stage, f.reason)  # "(config)": a broken entry
        grouped.setdefault(key[0], Counter())[key[1:]] += 1
        first_url.setdefault(key, f.url)
    return {
        src: [
            {"stage": stage, "reason": reason, "count": n, "url": first_url[(src, stage, reason)]}
            for (stage, reason), n in counts.most_common(limit)
        ]
        for src, counts in sorted(grouped.items())
    }


# -- model summary ---------------------------------------------------------------------------------
def model_summary(ws: Workspace, quarter: str) -> dict:
    """What changes.md compares: each visible topic's label, class and stage (curation applied)."""
    data = load_model(ws, quarter)
    return {
        "quarter": quarter,
        "topics": {
            t["id"]: {"label": t["label"], "class": t["trend_class"], "stage": t["stage"]}
            for t in visible_topics(data)
        },
    }


def previous_model_summary(ws: Workspace) -> dict | None:
    try:
        return json.loads((logs_dir(ws) / "last-model.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def save_model_summary(ws: Workspace, summary: dict) -> None:
    with replacing(logs_dir(ws) / "last-model.json") as fh:
        fh.write(json.dumps(summary, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def topic_changes(previous: dict | None, current: dict) -> list[dict]:
    """Topics new since `previous` or with another class or stage: {id, label, kind, before,
    after}, kind one of new / class / stage."""
    if previous is None:
        return []
    before = previous.get("topics") or {}
    out = []
    for tid, now in sorted(current["topics"].items()):
        old = before.get(tid)
        if old is None:
            out.append(
                {"id": tid, "label": now["label"], "kind": "new", "before": None, "after": now}
            )
            continue
        for kind in ("class", "stage"):
            if old.get(kind) != now[kind]:
                out.append(
                    {
                        "id": tid,
                        "label": now["label"],
                        "kind": kind,
                        "before": old.get(kind),
                        "after": now[kind],
                    }
                )
    return out


# -- changes.md ------------------------------------------------------------------------------------
def changes_markdown(
    *,
    lang: str,
    quarter: str,
    started: str,
    since: str | None,
    articles: list,
    sources: list[str],
    failed: list[str],
    previous: dict | None,
    current: dict | None,
    health: list[SourceHealth],
) -> str:
    """The page an adviser reads after a run (German or English)."""
    from trends.report.build import md_escape, safe_url

    t = i18n.texts(lang)
    lines = [f"# {i18n.fmt('chg_title', lang, quarter=quarter)}", ""]
    lines.append(
        i18n.fmt("chg_run", lang, started=started[:16].replace("T", " "))
        + " "
        + (
            i18n.fmt("chg_since", lang, since=since[:16].replace("T", " "))
            if since
            else t["chg_first"]
        )
    )
    relevant = [a for a in articles if a["relevant"]]
    lines += ["", f"## {i18n.fmt('chg_articles', lang, n=len(relevant))}", ""]
    by_source: dict[str, list] = {}
    for a in relevant:
        by_source.setdefault(a["source"], []).append(a)
    for src, items in sorted(by_source.items()):
        lines.append(f"### {md_escape(src)} ({len(items)})")
        lines.append("")
        for a in items[:ARTICLES_LISTED]:
            url = safe_url(a["url"])
            title = md_escape(a["title"])
            day = i18n.fmt_date(a["published"], lang) if a["published"] else t["chg_undated"]
            lines.append(f"- {day} · " + (f"[{title}](<{url}>)" if url else title))
        if len(items) > ARTICLES_LISTED:
            lines.append(f"- {i18n.fmt('chg_more', lang, n=len(items) - ARTICLES_LISTED)}")
        lines.append("")
    offtopic = len(articles) - len(relevant)
    if offtopic:
        lines += [i18n.fmt("chg_offtopic", lang, n=offtopic), ""]
    quiet = [s for s in sources if s not in by_source and s not in failed]
    if quiet:
        lines += [f"{t['chg_nothing_new']}: {', '.join(md_escape(s) for s in quiet)}", ""]
    if failed:
        lines += [f"{t['chg_failed']}: {', '.join(md_escape(s) for s in failed)}", ""]

    lines += [f"## {t['chg_topics']}", ""]
    if current is None:
        lines.append(t["chg_not_analysed"])
    elif previous is None:
        lines.append(i18n.fmt("chg_no_previous", lang, n=len(current["topics"])))
    else:
        changes = topic_changes(previous, current)
        if previous.get("quarter") != current["quarter"]:
            lines += [
                i18n.fmt(
                    "chg_quarters", lang, before=previous.get("quarter"), after=current["quarter"]
                ),
                "",
            ]
        for c in changes:
            label = f"**{md_escape(c['label'])}** ({c['id']})"
            after = c["after"]
            if c["kind"] == "new":
                lines.append(
                    f"- {t['chg_new_topic']}: {label} · {i18n.trend_class(after['class'], lang)}"
                    f" · {i18n.stage(after['stage'], lang)}"
                )
            else:
                name = i18n.trend_class if c["kind"] == "class" else i18n.stage
                what = t["trend_class"] if c["kind"] == "class" else t["chg_stage"]
                lines.append(
                    f"- {label}: {what} {name(c['before'] or '', lang)} → {name(after, lang)}"
                )
        if not changes:
            lines.append(t["chg_no_topic_changes"])
    lines.append("")
    bad = [h for h in health if h.state != "ok"]
    if bad:
        lines += [f"## {t['app_health']}", ""]
        for h in bad:
            row = localized(h, lang)
            lines.append(
                f"- **{md_escape(h.source)}**: {row['state_label']}, {row['why']}; "
                f"{t['health_last_success']} {row['last_success_text']}; "
                f"{t['health_last_error']} {md_escape(row['last_error_text'])}"
            )
        lines.append("")
    return "\n".join(lines)


def write_changes(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as fh:
        fh.write(text)
    return path


def new_articles(corpus: Corpus, since_run: int) -> list[dict]:
    return [dict(r) for r in corpus.articles_since_run(since_run)]
