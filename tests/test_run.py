"""`trends run` for cron and systemd, against a local feed server: exit codes, the lock, the run
record, source health, changes.md, killed runs, and the scheduling examples in contrib/."""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import Site, article_html, rss

from trends.cli import main
from trends.config import Workspace
from trends.corpus import Corpus
from trends.demo.site import load_articles
from trends.health import source_health
from trends.records import Article
from trends.unattended import RunLock, changes_markdown, topic_changes, write_record

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date.today()


class Newsroom:
    """A German municipal news feed on the local site, built from the demo corpus's articles,
    dated in the last weeks (so the source is not silent). `publish(n)` puts the first n in the
    feed; article k was published k days before the newest."""

    def __init__(self, site: Site, path: str = "/feed"):
        self.site, self.path = site, path
        demo = [a for a in load_articles() if a.language == "de" and not a.broken_html]
        self.articles = demo[:60]

    def title(self, i: int) -> str:
        return self.articles[i].title

    def publish(self, n: int) -> None:
        items = []
        for i in range(n):
            a = self.articles[i]
            day = TODAY - dt.timedelta(days=2 * (n - i))
            self.site.page(f"/news/{i}", article_html(a.title, a.text, day.isoformat()))
            items.append((a.title, f"/news/{i}", day.strftime("%a, %d %b %Y 10:00:00 +0000")))
        self.site.page(self.path, rss(items, self.site.base), "application/rss+xml")


def sources(workspace, site: Site, *extra: str) -> None:
    entries = f"  - {{id: rathaus, kind: feed, url: '{site.base}/feed', type: municipality}}\n"
    entries += "".join(extra)
    workspace.sources(entries)


DEAD = "  - {id: verstummt-nie, kind: feed, url: 'http://127.0.0.1:9/feed'}\n"


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["-w", str(root), "run", *args])


def record(root: Path) -> dict:
    return json.loads((root / "logs" / "last-run.json").read_text(encoding="utf-8"))


def leftovers(root: Path) -> list[Path]:
    """Temporary files a write left behind: a half-written file."""
    return [p for p in root.rglob("*.tmp")]


@pytest.mark.slow
def test_a_good_and_a_dead_source_exit_1_with_record_report_and_changes(site, workspace):
    news = Newsroom(site)
    news.publish(24)
    sources(workspace, site, DEAD)
    result = run(workspace.root, "--lang", "de,en")
    assert result.exit_code == 1, result.output
    out = result.output
    assert "collect: 2 sources, 24 new" in out
    assert "source failed: verstummt-nie: cannot connect" in out

    rec = record(workspace.root)
    assert rec["exit_code"] == 1 and rec["started"] <= rec["finished"]
    assert rec["new_articles"] == {"rathaus": 24, "verstummt-nie": 0}
    assert rec["failed_sources"] == ["verstummt-nie"]
    assert "cannot connect" in rec["failures"]["verstummt-nie"][0]["reason"]
    quarter = rec["quarter"]
    assert quarter == rec["analyze"]["quarter"] and rec["analyze"]["topics"] >= 1
    de, en = Path(rec["report"]["de"]["report.html"]), Path(rec["report"]["en"]["report.en.html"])
    assert de.parent == workspace.root / "reports" / quarter and en.parent == de.parent
    assert '<html lang="de">' in de.read_text() and '<html lang="en">' in en.read_text()
    lines = (workspace.root / "logs" / "runs.jsonl").read_text().splitlines()
    assert [json.loads(x)["started"] for x in lines] == [rec["started"]]

    changes = (workspace.root / "reports" / quarter / "changes.md").read_text(encoding="utf-8")
    assert rec["changes"].endswith("changes.md")
    with Corpus(Workspace.resolve(workspace.root).corpus_db) as corpus:
        kept = sum(a.relevant for a in corpus.articles(relevant_only=False))
    # the judgement may set a demo text aside; changes.md lists the kept ones and counts the rest
    assert f"Neue Artikel ({kept})" in changes and 20 <= kept <= 24
    assert (f"{24 - kept} weitere neue Artikel wurden" in changes) == (kept < 24)
    assert "Fehlgeschlagen in diesem Lauf: verstummt-nie" in changes
    assert not leftovers(workspace.root)

    quiet = run(workspace.root, "--quiet", "--no-report", "--print-changes")
    assert quiet.exit_code == 1
    # only problems on stderr: the failed source, nothing about stages that went well
    problems = quiet.stderr.strip().splitlines()
    assert problems and all(line.startswith("problem:") for line in problems)
    assert "verstummt-nie" in quiet.stderr and "collect:" not in quiet.stderr
    # and the run's changes page on stdout, for the cron mail
    assert quiet.stdout.startswith("# Was ist neu") and "Neue Artikel (0)" in quiet.stdout


@pytest.mark.slow
def test_three_runs_name_the_dead_source_and_changes_list_the_second_runs_articles(site, workspace):
    news = Newsroom(site)
    news.publish(20)
    sources(workspace, site, DEAD)
    first = run(workspace.root)
    assert first.exit_code == 1, first.output
    quarter = record(workspace.root)["quarter"]

    news.publish(23)  # three new articles between the runs
    second = run(workspace.root, "--no-report")
    assert second.exit_code == 1, second.output
    changes = Path(record(workspace.root)["changes"])
    assert changes.parent.parent == workspace.root / "reports"
    text = changes.read_text(encoding="utf-8")
    assert "Neue Artikel (3)" in text
    for i in (20, 21, 22):
        assert news.title(i) in text
    assert news.title(0) not in text and news.title(19) not in text
    assert "nicht analysiert" in text
    assert record(workspace.root)["health"] == []  # two failed runs are not dead yet

    third = run(workspace.root, "--no-report")
    assert "source verstummt-nie: dead, failed in its last 3 runs" in third.output
    status = CliRunner().invoke(main, ["-w", str(workspace.root), "status"])
    assert "verstummt-nie: dead, failed in its last 3 runs; last success never" in " ".join(
        status.output.split()
    )
    assert "rathaus" not in status.output.split("last run:")[1]  # the good one is not named
    assert [h["source"] for h in record(workspace.root)["health"]] == ["verstummt-nie"]
    assert len((workspace.root / "logs" / "runs.jsonl").read_text().splitlines()) == 3

    # the report's data appendix names it too, with its last error
    report = CliRunner().invoke(main, ["-w", str(workspace.root), "report"])
    assert report.exit_code == 0, report.output
    md = (workspace.root / "reports" / quarter / "report.md").read_text(encoding="utf-8")
    appendix = md.split("### Ausgefallene und verstummte Quellen")[1]
    assert (
        "verstummt-nie | ausgefallen | in den letzten 3 Läufen fehlgeschlagen | nie |" in appendix
    )
    assert "cannot connect" in appendix


def test_a_broken_sources_yaml_exits_2_naming_file_and_line_and_fetches_nothing(site, workspace):
    path = workspace.sources(
        f"  - {{id: rathaus, kind: feed, url: '{site.base}/feed'}}\n"
        "  - id: kaputt\n    kind: [feed\n"
    )
    result = run(workspace.root)
    assert result.exit_code == 2, result.output
    assert f"{path}:" in result.output and "not valid YAML" in result.output
    assert site.hits["/feed"] == 0 and not (workspace.root / "corpus").exists()
    rec = record(workspace.root)
    assert rec["exit_code"] == 2 and "not valid YAML" in rec["error"]

    workspace.sources("", defaults="  concurrency: many\n")
    result = run(workspace.root)
    assert result.exit_code == 2 and "sources.yaml:8: defaults.concurrency" in result.output
    assert run(workspace.root, "--lang", "fr").exit_code == 2  # usage errors too
    assert run(workspace.root, "--quarter", "2026Q5").exit_code == 2


def test_a_broken_source_entry_skips_only_that_source(site, workspace):
    """A typo in one entry must not stop collecting the others (feeds forget old items)."""
    news = Newsroom(site)
    news.publish(3)
    sources(workspace, site, "  - {id: Falsch, kind: feed, url: 'http://127.0.0.1:9/x'}\n")
    result = run(workspace.root, "--no-report")
    assert result.exit_code == 1, result.output
    assert "source entry skipped:" in result.output and "sources.yaml:" in result.output
    rec = record(workspace.root)
    assert rec["new_articles"] == {"rathaus": 3}
    assert "sources.yaml:" in rec["failures"]["(config)"][0]["reason"]
    assert run(workspace.root.parent / "no-such-folder").exit_code == 2
    assert not (workspace.root.parent / "no-such-folder").exists()


def test_a_run_whose_analysis_fails_still_lists_its_new_articles(site, workspace):
    """Nothing to analyse yet (one article): exit 1 with the reason, and changes.md still lists
    what came in, or the next run (which compares with this one) would never show it."""
    news = Newsroom(site)
    news.publish(1)
    sources(workspace, site)
    result = run(workspace.root)
    assert result.exit_code == 1, result.output
    assert "problem: analyze: only 1 dated article" in result.output
    rec = record(workspace.root)
    assert rec["analyze"] is None and rec["report"] == {} and rec["failed_sources"] == []
    changes = Path(rec["changes"]).read_text(encoding="utf-8")
    assert news.title(0) in changes and "nicht analysiert" in changes


def _hold_lock_in_a_subprocess(root: Path) -> subprocess.Popen:
    code = (
        "import sys, time\n"
        "from trends.config import Workspace\n"
        "from trends.unattended import RunLock\n"
        f"with RunLock(Workspace.resolve({str(root)!r})):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(600)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_run_while_the_lock_is_held_exits_3_at_once_and_a_dead_holder_frees_it(
    site, workspace
):
    news = Newsroom(site)
    news.publish(2)
    sources(workspace, site)
    holder = _hold_lock_in_a_subprocess(workspace.root)
    try:
        result = run(workspace.root, "--no-report")
        assert result.exit_code == 3, result.output
        assert "another trends run holds" in result.output and f"pid {holder.pid}" in result.output
        assert site.hits["/feed"] == 0 and not (workspace.root / "logs" / "last-run.json").exists()
    finally:
        holder.kill()
        holder.wait()
    # the holder died without unlocking: the kernel released the lock with it
    result = run(workspace.root, "--no-report")
    assert result.exit_code == 0, result.output
    with RunLock(Workspace.resolve(workspace.root)):  # and the run released it
        pass


def test_a_worker_forked_by_a_killed_run_does_not_keep_the_lock(tmp_path):
    """analyze forks workers; if the run is killed they may live on a while, and must not hold
    the workspace's lock (flock would be inherited by them, lockf is not)."""
    code = (
        "import os, sys, time\n"
        "from trends.config import Workspace\n"
        "from trends.unattended import RunLock\n"
        f"lock = RunLock(Workspace.resolve({str(tmp_path)!r})).__enter__()\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    null = os.open(os.devnull, os.O_RDWR)\n"
        "    os.dup2(null, 1), os.dup2(null, 2)\n"  # let the test read the parent's output
        "    time.sleep(120)\n"
        "    os._exit(0)\n"
        "print(child, flush=True)\n"
        "os._exit(0)\n"  # the run dies without unlocking; its worker lives on
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    worker = int(proc.stdout.strip())
    try:
        os.kill(worker, 0)  # still alive
        with RunLock(Workspace.resolve(tmp_path)):
            pass
    finally:
        os.kill(worker, signal.SIGKILL)


def _wait_for(condition, what: str, limit: float = 120.0) -> None:
    """Wait for a state of another process; the limit only stops a hung test."""
    end = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < end, f"gave up waiting for {what}"
        time.sleep(0.05)


def _stored(root: Path) -> int:
    db = root / "corpus" / "corpus.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is being created
        return 0


@pytest.mark.slow
def test_a_killed_run_loses_no_article_blocks_nothing_and_leaves_no_half_file(site, workspace):
    """A run killed mid-collect (SIGKILL, no cleanup): its stored articles stay, the run while
    it lived got exit 3, and the next run works and leaves every file whole."""
    news = Newsroom(site)
    news.publish(6)
    release = threading.Event()
    last = news.articles[5]
    day = (TODAY - dt.timedelta(days=2)).isoformat()
    # the feed's last article hangs until released: the run is stuck inside collect
    site.route(
        "/news/5",
        lambda h: (release.wait(120), h.send(200, article_html(last.title, last.text, day))),
    )
    sources(workspace, site)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "trends", "-w", str(workspace.root), "run", "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(lambda: site.hits["/news/5"] >= 1 and _stored(workspace.root) == 5, "5 stored")
        second = run(workspace.root, "--no-report")
        assert second.exit_code == 3, second.output
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
    assert _stored(workspace.root) == 5  # nothing it had stored was lost

    result = run(workspace.root)
    assert result.exit_code == 0, result.output
    assert _stored(workspace.root) == 6
    rec = record(workspace.root)
    assert rec["exit_code"] == 0 and rec["new_articles"] == {"rathaus": 1}
    assert not leftovers(workspace.root)
    for path in (workspace.root / "reports").rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
    html = Path(rec["report"]["de"]["report.html"]).read_text(encoding="utf-8")
    assert html.rstrip().endswith("</html>")
    # the killed run is not the previous run: changes are read against the last finished one,
    # which there is none of here, so the page counts everything of this run
    changes = Path(rec["changes"]).read_text(encoding="utf-8")
    assert "Neue Artikel (1)" in changes and last.title in changes


def test_runs_jsonl_keeps_only_the_latest_runs(tmp_path, monkeypatch):
    import trends.unattended as U

    monkeypatch.setattr(U, "RUNS_KEPT", 3)
    ws = Workspace.resolve(tmp_path)
    for n in range(5):
        write_record(ws, {"n": n})
    lines = (tmp_path / "logs" / "runs.jsonl").read_text().splitlines()
    assert [json.loads(x)["n"] for x in lines] == [2, 3, 4]
    assert record(tmp_path) == {"n": 4}


def _publish(corpus: Corpus, source: str, days_ago: list[int]) -> None:
    """Store articles of `source` published that many days before TODAY."""
    if source not in corpus.sources():
        corpus.upsert_source(
            id=source,
            name=source,
            kind="feed",
            type="press",
            region="",
            url="",
            language="de",
            tags=(),
        )
    for days in days_ago:
        key = f"{source}-{days}"
        corpus.add_article(
            Article(
                id=key,
                title=f"Meldung {key}",
                text=f"Text {key}",
                published=TODAY - dt.timedelta(days=days),
                source=source,
                url=f"https://example.org/{key}",
                language="de",
            ),
            url_key=key,
            content_hash=key,
            minhash=None,
            run_id=None,
        )


def test_silent_means_a_pause_longer_than_any_of_its_last_ten(tmp_path):
    with Corpus(tmp_path / "c.sqlite") as corpus:
        _publish(corpus, "weekly", [3 + 7 * k for k in range(12)])  # newest 3 days ago: ok
        _publish(corpus, "stopped", [40 + 7 * k for k in range(12)])  # weekly until 40 days ago
        _publish(corpus, "monthly", [40 + 45 * k for k in range(6)])  # 37 days: its usual pause
        _publish(corpus, "new", [400])  # one old article: too little history to judge
        health = {h.source: h for h in source_health(corpus, today=TODAY)}
    assert {s: h.state for s, h in health.items()} == {
        "weekly": "ok",
        "stopped": "silent",
        "monthly": "ok",
        "new": "ok",
    }
    assert health["stopped"].usual_interval_days == 14  # 7-day rhythm, floor of two weeks
    assert health["stopped"].days_quiet == 37  # counted to the corpus's newest article
    assert health["monthly"].usual_interval_days == 45
    assert "nothing published for 37 days" in health["stopped"].describe()
    # when nobody has published for weeks (holidays, an imported archive), nobody is silent
    later = TODAY + dt.timedelta(days=60)
    with Corpus(tmp_path / "c.sqlite") as corpus:
        assert [h.state for h in source_health(corpus, ["weekly"], today=later)] == ["ok"]


def test_a_source_fails_a_run_only_when_nothing_of_it_worked(tmp_path):
    """One broken link among working ones is an article failure; three runs with nothing but
    failures make a source dead, and one good run in between resets the count."""
    with Corpus(tmp_path / "c.sqlite") as corpus:

        def collect_run(per_source: dict) -> None:
            rid = corpus.start_run("collect")
            corpus.finish_run(rid, {"per_source": per_source, "sources": sorted(per_source)})

        for _ in range(3):
            collect_run({"flaky": {"new": 2, "failures": 1}, "down": {"failures": 1}, "idle": {}})
        collect_run({"down": {"unchanged": 4}})  # --source down: only it took part
        for _ in range(2):
            collect_run({"down": {"failures": 1}, "flaky": {"failures": 3}, "idle": {}})
        health = {h.source: h for h in source_health(corpus, ["flaky", "down", "idle"])}
    assert health["flaky"].state == "ok" and health["flaky"].failed_in_a_row == 2
    assert health["down"].state == "ok" and health["down"].failed_in_a_row == 2
    assert health["idle"].state == "ok" and health["idle"].runs == 5


def test_topic_changes_name_new_topics_and_changed_class_or_stage():
    before = {
        "quarter": "2026Q3",
        "topics": {
            "T001": {"label": "E-Akte", "class": "stable", "stage": "rollout"},
            "T002": {"label": "Parken", "class": "emerging", "stage": "pilot"},
        },
    }
    after = {
        "quarter": "2026Q4",
        "topics": {
            "T001": {"label": "E-Akte", "class": "stable", "stage": "rollout"},
            "T002": {"label": "Parken", "class": "growing", "stage": "rollout"},
            "T003": {"label": "Wallet", "class": "new", "stage": "konzept"},
        },
    }
    assert [(c["id"], c["kind"], c["before"]) for c in topic_changes(before, after)] == [
        ("T002", "class", "emerging"),
        ("T002", "stage", "pilot"),
        ("T003", "new", None),
    ]
    assert topic_changes(None, after) == []
    page = changes_markdown(
        lang="en",
        quarter="2026Q4",
        started="2026-12-07T05:30:00+00:00",
        since="2026-11-30T05:30:00+00:00",
        articles=[],
        sources=["rathaus"],
        failed=[],
        previous=before,
        current=after,
        health=[],
    )
    assert "Model 2026Q4 compared with model 2026Q3." in page
    assert "- **Parken** (T002): Trend class emerging → growing" in page
    assert "- **Parken** (T002): maturity Pilot → Rollout" in page
    assert "- new topic: **Wallet** (T003) · new · Concept" in page
    assert "E-Akte" not in page and "Nothing new from: rathaus" in page


# -- scheduling examples -----------------------------------------------------------------------------
def _check_trends_command(argv: list[str], where: str) -> None:
    """argv must be `…/trends <command> [options]` that the CLI accepts as it stands."""
    assert Path(argv[0]).name == "trends", f"{where}: runs {argv[0]!r}, not trends"
    ctx = click.Context(main, info_name="trends")
    command = main.get_command(ctx, argv[1]) if len(argv) > 1 else None
    assert isinstance(command, click.Command), f"{where}: no command in {argv!r}"
    command.make_context(argv[1], list(argv[2:]), parent=ctx)  # unknown options raise here


def _contrib() -> Path:
    return ROOT / "contrib"


def test_systemd_units_and_crontab_name_real_commands_and_options():
    commands: list[tuple[list[str], str]] = []
    for unit in sorted(_contrib().glob("*.service")):
        for line in unit.read_text(encoding="utf-8").splitlines():
            if line.startswith("ExecStart="):
                commands.append((shlex.split(line.split("=", 1)[1]), unit.name))
            if line.startswith("WorkingDirectory="):
                assert line.split("=", 1)[1].strip(), unit.name
    for timer in sorted(_contrib().glob("*.timer")):
        text = timer.read_text(encoding="utf-8")
        assert (
            "OnCalendar=" in text
            and (_contrib() / timer.name.replace(".timer", ".service")).exists()
        )
    cron = (_contrib() / "crontab").read_text(encoding="utf-8")
    for line in cron.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or "=" in line.split()[0]:
            continue
        command = " ".join(line.split()[5:])  # after the five time fields
        for part in command.split("&&"):
            argv = shlex.split(part)
            if argv and Path(argv[0]).name == "trends":
                commands.append((argv, "crontab"))
    assert len(commands) >= 4  # daily and weekly, systemd and cron
    for argv, where in commands:
        _check_trends_command(argv, where)
    runs = [argv for argv, _ in commands if argv[1:2] == ["run"]]
    assert any("--no-report" in a for a in runs) and any("--no-report" not in a for a in runs)
    with pytest.raises(click.UsageError):  # the check itself catches a wrong option
        _check_trends_command(["trends", "run", "--quite"], "test")
