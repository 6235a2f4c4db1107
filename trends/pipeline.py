"""run = collect -> analyze -> report, and the offline demo that runs all three.

The stages only meet through the workspace (corpus.sqlite, models/, reports/), so each one can be
re-run alone; this module just calls them in order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from trends.analyze import AnalysisConfig, analyze, choose_window
from trends.collect.run import Progress, RunStats, collect
from trends.config import Workspace, load_sources
from trends.corpus import Corpus
from trends.demo.site import serve, sources_yaml
from trends.models import model_quarters
from trends.records import shift_quarter
from trends.report.build import write_report

DEMO_PORT_FILE = ".demo-port"


@dataclass
class DemoResult:
    workspace: Path
    collect: RunStats
    seconds: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)


def run_demo(out: str | Path, progress: Progress | None = None) -> DemoResult:
    """Serve the bundled demo site on 127.0.0.1, collect it into `out`, then analyze and report.

    Re-running reuses the corpus: the site is served on the port of the previous run when it is free,
    so article URLs stay the same and nothing is fetched twice.
    """
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
    # analyse the quarter before the latest first (once), so the report can compare quarters and
    # the demo shows topic ids carried over from one quarter to the next
    with Corpus(ws.corpus_db) as corpus:
        latest_quarter, _ = choose_window(corpus, AnalysisConfig())
    previous = shift_quarter(latest_quarter, -1)
    if previous not in model_quarters(ws):
        analyze(ws, AnalysisConfig(quarter=previous))
    result.outputs["model"] = analyze(ws, progress=progress).folder
    seconds["analyze"] = time.perf_counter() - t
    t = time.perf_counter()
    result.outputs.update(write_report(ws))
    result.outputs.update(write_report(ws, lang="en"))  # report.en.* beside the German files
    seconds["report"] = time.perf_counter() - t
    return result
