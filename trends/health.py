"""Source health: which sources stopped working, read from the corpus's own run history.

A source is
- **dead** when it failed in each of its last 3 collect runs (`DEAD_AFTER`). A source *fails* in
  a run when the run recorded failures for it and nothing else: its feed, sitemap or listing
  could not be fetched or parsed, or every article it linked failed. One broken link among
  working ones is an article failure, not a failed source.
- **silent** when it works but has published nothing for longer than its *usual interval*: the
  longest pause between two consecutive publication dates among its last 10 articles
  (`HISTORY`), but at least 14 days (`MIN_INTERVAL_DAYS`), so a daily source on holiday or a
  short history does not raise an alarm. Judged from 3 dated articles on; a moved feed URL or a
  changed site layout that yields nothing shows up this way, while the fetches still succeed.
  The pause is counted up to the newest article in the whole corpus (at most today): silence
  means the others went on publishing, so a week in which nobody publishes, an imported archive
  or the demo's fixed eight quarters name no source.

Runs are the corpus's `collect` runs (`trends collect` and `trends run` alike); a run selected
with `--source` counts only for the sources it tried. Everything here reads the corpus and
writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass

from trends import i18n
from trends.config import ConfigError, Workspace, load_sources
from trends.corpus import Corpus

DEAD_AFTER = 3
HISTORY = 10
MIN_INTERVAL_DAYS = 14
_SUCCESS = ("new", "unchanged", "duplicates", "skipped")


@dataclass(frozen=True)
class SourceHealth:
    source: str
    state: str  # ok | dead | silent
    runs: int  # collect runs the source took part in (of the latest 500)
    failed_in_a_row: int  # its latest runs that failed, counted back from the newest
    last_success: str | None  # when the latest run it did not fail in finished (UTC, ISO)
    last_error: str | None  # its latest failure's reason
    last_error_at: str | None
    newest_article: str | None  # publication date of its newest article
    usual_interval_days: int | None  # None: fewer than 3 dated articles
    days_quiet: int | None  # days from its newest article to the corpus's newest

    def describe(self) -> str:
        """One line for the terminal and the run's output (English, like the rest of the CLI)."""
        if self.state == "dead":
            why = f"failed in its last {self.failed_in_a_row} runs"
        elif self.state == "silent":
            why = (
                f"nothing published for {self.days_quiet} days (usual interval "
                f"≤ {self.usual_interval_days} days)"
            )
        else:
            why = "ok"
        success = (self.last_success or "never")[:16].replace("T", " ")
        error = (
            f"; last error {self.last_error_at[:16].replace('T', ' ')}: {self.last_error}"
            if (self.last_error and self.last_error_at)
            else ""
        )
        return f"{self.source}: {self.state}, {why}; last success {success}{error}"


def failed_in(stats: dict, source: str) -> bool | None:
    """Whether `source` failed in a collect run with these stats; None if it did not take part
    (runs stored before the stats listed their sources count the sources they have numbers for)."""
    per_source = stats.get("per_source") or {}
    tried = stats.get("sources")
    counts = per_source.get(source)
    if tried is not None and source not in tried:
        return None
    if tried is None and counts is None:
        return None
    counts = counts or {}
    return counts.get("failures", 0) > 0 and not any(counts.get(k, 0) for k in _SUCCESS)


def source_health(
    corpus: Corpus, sources: list[str] | None = None, today: dt.date | None = None
) -> list[SourceHealth]:
    """Health of each source (default: every collected source in the corpus), by id."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    span = corpus.date_span()
    as_of = min(today, span[1]) if span else today  # see "silent" above
    runs = [
        (r["finished"], json.loads(r["stats"] or "{}")) for r in corpus.finished_runs("collect")
    ]
    if sources is None:
        sources = sorted(
            sid for sid, meta in corpus.sources().items() if meta.get("kind") != "import"
        )
    last_failures = corpus.last_failures_by_source()
    out = []
    for sid in sources:
        outcomes = [(fin, f) for fin, st in runs if (f := failed_in(st, sid)) is not None]
        in_a_row = 0
        for _, failed in outcomes:
            if not failed:
                break
            in_a_row += 1
        last_success = next((fin for fin, failed in outcomes if not failed), None)
        fail = last_failures.get(sid)
        dates = corpus.publication_dates(sid, HISTORY)
        usual = quiet = None
        if dates:
            quiet = max(0, (as_of - dates[0]).days)
        if len(dates) >= 3:
            longest = max((a - b).days for a, b in zip(dates, dates[1:]))
            usual = max(MIN_INTERVAL_DAYS, longest)
        if in_a_row >= DEAD_AFTER:
            state = "dead"
        elif usual is not None and quiet is not None and quiet > usual:
            state = "silent"
        else:
            state = "ok"
        out.append(
            SourceHealth(
                source=sid,
                state=state,
                runs=len(outcomes),
                failed_in_a_row=in_a_row,
                last_success=last_success,
                last_error=fail["reason"] if fail else None,
                last_error_at=fail["at"] if fail else None,
                newest_article=dates[0].isoformat() if dates else None,
                usual_interval_days=usual,
                days_quiet=quiet,
            )
        )
    return out


def workspace_health(ws: Workspace, today: dt.date | None = None) -> list[SourceHealth]:
    """Health of the workspace's enabled sources (all collected ones when sources.yaml cannot be
    read); [] without a corpus."""
    if not ws.corpus_db.exists():
        return []
    try:
        ids: list[str] | None = [s.id for s in load_sources(ws.sources_yaml).select()]
    except ConfigError:
        ids = None
    with Corpus(ws.corpus_db) as corpus:
        return source_health(corpus, ids, today)


def problems(rows: list[SourceHealth]) -> list[SourceHealth]:
    """The dead and silent ones."""
    return [h for h in rows if h.state != "ok"]


def localized(h: SourceHealth, lang: str) -> dict:
    """A dead or silent source as text in `lang`: state_label, why, last_success_text,
    last_error_text, plus its fields."""
    if h.state == "dead":
        why = i18n.fmt("health_dead_why", lang, n=h.failed_in_a_row)
    else:
        why = i18n.fmt("health_silent_why", lang, days=h.days_quiet, usual=h.usual_interval_days)
    return {
        **asdict(h),
        "state_label": i18n.texts(lang)[f"health_{h.state}"],
        "why": why,
        "last_success_text": (
            i18n.fmt_date(h.last_success[:10], lang)
            if h.last_success
            else i18n.texts(lang)["health_never"]
        ),
        "last_error_text": (
            f"{i18n.fmt_date(h.last_error_at[:10], lang)}: {h.last_error}"
            if h.last_error and h.last_error_at
            else "–"
        ),
    }


def report_rows(ws: Workspace, lang: str, today: dt.date | None = None) -> list[dict]:
    """The report appendix's rows: each dead or silent source with state, why, last success and
    last error, as text in the report's language."""
    return [localized(h, lang) for h in problems(workspace_health(ws, today))]
