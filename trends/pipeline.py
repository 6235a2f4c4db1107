"""run = collect -> analyze -> report, and the offline demo that runs all three.

The stages only meet through the workspace (corpus.sqlite, models/, reports/), so each one can be
re-run alone; this module just calls them in order.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from trends.config import ConfigError, Workspace, load_sources
from trends.corpus import Corpus
from trends.health import failed_in, problems, source_health
from trends.models import AnalysisError, model_quarters
from trends.records import Progress, shift_quarter
from trends.unattended import (
    RunLock,
    changes_markdown,
    failures_by_source,
    model_summary,
    new_articles,
    now_utc,
    previous_model_summary,
    read_runs,
    save_model_summary,
    write_changes,
    write_record,
)

if TYPE_CHECKING:
    from trends.analyze import AnalysisResult
    from trends.collect.run import RunStats

# The stages are imported where they run: `trends run` takes its lock (and exits 3 when another
# run holds it) before loading the NLP stack, which alone takes seconds.

DEMO_PORT_FILE = ".demo-port"


@dataclass
class DemoResult:
    workspace: Path
    collect: RunStats
    seconds: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # report format -> why it was left out


def analyze_with_previous(
    ws: Workspace, quarter: str | None, progress: Progress | None = None
) -> AnalysisResult:
    """Analyse `quarter` (default: the latest with articles), after analysing the quarter before
    it once if it has articles but no model yet: the report can then compare quarters, and topic
    ids carry over from one quarter to the next."""
    from trends.analyze import AnalysisConfig, analyze, choose_window

    with Corpus(ws.corpus_db) as corpus:
        quarter, _ = choose_window(corpus, AnalysisConfig(quarter=quarter))
        available = corpus.quarters()
    previous = shift_quarter(quarter, -1)
    if previous in available and previous not in model_quarters(ws):
        analyze(ws, AnalysisConfig(quarter=previous))
    return analyze(ws, AnalysisConfig(quarter=quarter), progress=progress)


def run_demo(out: str | Path, progress: Progress | None = None) -> DemoResult:
    """Serve the bundled demo site on 127.0.0.1, collect it into `out`, then analyze and report.

    Re-running reuses the corpus: the site is served on the port of the previous run when it is free,
    so article URLs stay the same and nothing is fetched twice.
    """
    from trends.collect.run import collect
    from trends.demo.site import serve, sources_yaml
    from trends.report.build import FORMATS, unavailable_formats, write_report

    ws = Workspace.resolve(out)
    ws.root.mkdir(parents=True, exist_ok=True)
    port_file = ws.root / DEMO_PORT_FILE
    port = int(port_file.read_text()) if port_file.exists() else 0
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with serve(port) as site:
        port_file.write_text(site.base_url.rsplit(":", 1)[1])
        ws.sources_yaml.write_text(sources_yaml(site.base_url), encoding="utf-8")
        with Corpus(ws.corpus_db) as corpus:
            stats = collect(load_sources(ws.sources_yaml), corpus, progress=progress)
    seconds["collect"] = time.perf_counter() - started
    result = DemoResult(ws.root, stats, seconds)
    t = time.perf_counter()
    result.outputs["model"] = analyze_with_previous(ws, None, progress).folder
    seconds["analyze"] = time.perf_counter() - t
    t = time.perf_counter()
    # the demo must run on a bare machine: a format whose system library is missing is left
    # out with a note (`trends report` asked for it explicitly fails instead)
    result.skipped = unavailable_formats()
    formats = [f for f in FORMATS if f not in result.skipped]
    result.outputs.update(write_report(ws, formats=formats))
    result.outputs.update(write_report(ws, lang="en", formats=formats))  # report.en.* beside it
    seconds["report"] = time.perf_counter() - t
    return result


# -- trends run: unattended, for cron and systemd ---------------------------------------------------
EXIT_OK, EXIT_SOURCES_FAILED, EXIT_CONFIG, EXIT_LOCKED = 0, 1, 2, 3


class Say(Protocol):
    def __call__(self, text: str, problem: bool = False) -> None: ...


def _quiet(text: str, problem: bool = False) -> None:
    pass


def run_pipeline(
    ws: Workspace,
    *,
    quarter: str | None = None,
    langs: tuple[str, ...] = ("de",),
    report: bool = True,
    say: Say = _quiet,
    progress: Progress | None = None,
) -> dict:
    """collect -> analyze -> report -> changes.md under the workspace's lock; returns the run
    record (also written to logs/last-run.json and logs/runs.jsonl), whose `exit_code` is
    0 all went well, 1 finished but sources failed (or nothing could be analysed), 2 sources.yaml
    unusable (nothing fetched). Raises LockHeld (exit 3) at once, writing nothing, when another
    run holds the lock. `say(text, problem)` gets one line per stage and one per problem."""
    record: dict = {
        "started": now_utc(),
        "finished": None,
        "exit_code": None,
        "pid": os.getpid(),
        "quarter": quarter,
        "languages": list(langs),
        "report_requested": report,
        "collect_run": None,
        "new_articles": {},
        "failed_sources": [],
        "failures": {},
        "analyze": None,
        "report": {},
        "changes": None,
        "health": [],
        "problems": [],
        "error": None,
    }

    def problem(text: str) -> None:
        record["problems"].append(text)
        say(text, True)

    with RunLock(ws):
        try:
            record["exit_code"] = _run(ws, record, quarter, langs, report, say, problem, progress)
        except BaseException as exc:  # a bug or Ctrl-C: recorded, then raised as before
            record["exit_code"] = 130 if isinstance(exc, KeyboardInterrupt) else 1
            record["error"] = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            record["finished"] = now_utc()
            write_record(ws, record)
    return record


def _run(
    ws: Workspace,
    record: dict,
    quarter: str | None,
    langs: tuple[str, ...],
    report: bool,
    say: Say,
    problem,
    progress: Progress | None,
) -> int:
    from trends.collect.run import collect

    try:
        config = load_sources(ws.sources_yaml)
        selected = config.select()
    except ConfigError as exc:
        record["error"] = str(exc)
        problem(str(exc))
        return EXIT_CONFIG
    if not selected:
        record["error"] = f"{config.path}: no enabled sources to collect"
        problem(record["error"])
        return EXIT_CONFIG
    for entry in config.errors:  # the other sources are collected: a typo loses no news
        problem(f"source entry skipped: {entry}")

    previous_run = next((r for r in reversed(read_runs(ws)) if r.get("collect_run")), None)
    with Corpus(ws.corpus_db) as corpus:
        stats = collect(config, corpus, progress=progress)
        run = corpus.last_run("collect")
        run_id = int(run["id"]) if run else 0
        record["collect_run"] = run_id
        stats_dict = stats.as_dict()
        failures = corpus.failures(run_id)
        failed = [s for s in stats.sources if failed_in(stats_dict, s)]
        record["new_articles"] = {
            s: stats.per_source.get(s, Counter()).get("new", 0) for s in stats.sources
        }
        record["failed_sources"] = failed
        record["failures"] = failures_by_source(failures)
        health = source_health(corpus, [s.id for s in selected])
        since_run = int(previous_run["collect_run"]) if previous_run else run_id - 1
        fresh = new_articles(corpus, since_run)
    say(
        f"collect: {len(stats.sources)} sources, {stats.new} new, {stats.unchanged} unchanged, "
        f"{stats.duplicates} duplicates, {stats.failures} failures"
        + (f", {len(failed)} source(s) failed" if failed else "")
    )
    for sid in failed:
        first = record["failures"].get(sid, [{}])[0]
        reason, url = str(first.get("reason", "?")), str(first.get("url", ""))
        problem(f"source failed: {sid}: {reason}" + (f" ({url})" if url not in reason else ""))
    record["health"] = [asdict(h) for h in problems(health)]
    for h in problems(health):
        problem(f"source {h.describe()}")
    code = EXIT_SOURCES_FAILED if failed or config.errors else EXIT_OK

    current = None
    if report:
        from trends.report.build import write_report
        from trends.report.context import report_files

        try:
            t = time.perf_counter()
            result = analyze_with_previous(ws, quarter, progress)
            quarter = result.quarter
            record["analyze"] = {
                "quarter": result.quarter,
                "topics": result.n_topics,
                "articles": result.n_articles,
                "model": str(result.folder),
                "seconds": round(time.perf_counter() - t, 1),
            }
            say(
                f"analyze: {result.quarter}: {result.n_topics} topics from {result.n_articles} "
                f"articles -> {result.folder}"
            )
            for lang in langs:
                # both languages in one folder: English files carry .en (report.en.html, …)
                paths = write_report(ws, result.quarter, lang)
                record["report"][lang] = {
                    k: str(p) for k, p in paths.items() if not k.startswith("archive/")
                }
                names = report_files(lang)
                say(
                    f"report ({lang}): {paths[names['html']].parent}: "
                    + ", ".join(names[f] for f in ("html", "md", "pdf", "docx"))
                )
            current = model_summary(ws, result.quarter)
        except AnalysisError as exc:
            problem(f"analyze: {exc}")
            code = EXIT_SOURCES_FAILED
    if quarter is None:  # not analysed: changes.md goes where analyze would have written
        from trends.analyze import AnalysisConfig, choose_window

        try:
            with Corpus(ws.corpus_db) as corpus:
                quarter, _ = choose_window(corpus, AnalysisConfig())
        except AnalysisError as exc:
            problem(f"changes.md not written: {exc}")
            return EXIT_SOURCES_FAILED
    record["quarter"] = quarter

    text = changes_markdown(
        lang=langs[0],
        quarter=str(quarter),
        started=record["started"],
        since=previous_run["started"] if previous_run else None,
        articles=fresh,
        sources=list(stats.sources),
        failed=failed,
        previous=previous_model_summary(ws),
        current=current,
        health=health,
    )
    path = write_changes(ws.reports_dir / str(quarter) / "changes.md", text)
    record["changes"] = str(path)
    if current is not None:  # the next run's changes are read against this model
        save_model_summary(ws, current)
    say(f"changes: {path}")
    return code
