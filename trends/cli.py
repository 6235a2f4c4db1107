"""The `trends` command line: a thin layer over the library (no logic lives here).

Exit codes: 0 ok; 1 nothing usable was produced (the message says why); 2 bad input or config;
3 (`trends run`) another run holds the workspace's lock.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from trends import __version__
from trends.config import ConfigError, Workspace, load_sources

err = Console(stderr=True)
con = Console()


def _lang_option(help_text: str):
    return click.option(
        "--lang", type=click.Choice(["de", "en"]), default="de", show_default=True, help=help_text
    )


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    sys.exit(code)


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


class RichProgress:
    """A progress bar per source (collect, import) or stage (analyze), on stderr."""

    def __init__(self) -> None:
        self.bar = Progress(
            TextColumn("{task.description:<24}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=False,
            disable=not err.is_terminal,
        )
        self.tasks: dict[str, int] = {}

    def __enter__(self) -> RichProgress:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)

    def source_started(self, source: str, total: int) -> None:
        self.tasks[source] = self.bar.add_task(source[-24:], total=total)

    def advance(self, source: str, n: int = 1) -> None:
        self.bar.advance(self.tasks[source], n)

    def message(self, text: str) -> None:
        err.print(text)


class _Main(click.Group):
    """The command group; a broken taxonomy.yaml or corpus file ends any command with its
    one-line reason."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ValueError as exc:
            from trends.maturity import TaxonomyError

            if isinstance(exc, TaxonomyError):
                _fail(f"taxonomy: {exc}")
            raise
        except RuntimeError as exc:
            from trends.relevance import ModelError

            if isinstance(exc, ModelError):
                _fail(str(exc))
            raise
        except sqlite3.OperationalError as exc:  # also what a wrong query raises: keep those loud
            if "locked" not in str(exc):
                raise
            _fail(
                "the corpus is locked: another trends command is writing it; run this again "
                "when it has finished"
            )
        except sqlite3.DatabaseError as exc:  # "file is not a database", "disk image is malformed"
            _fail(
                f"the corpus file cannot be read ({exc}): move corpus/corpus.sqlite aside and "
                "rebuild it with `trends collect` / `trends import`"
            )


@click.group(
    cls=_Main,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False),
    envvar="TRENDS_WORKSPACE",
    help="Folder with sources.yaml, corpus/, models/, reports/ (default: current folder; "
    "env TRENDS_WORKSPACE).",
)
@click.version_option(__version__, prog_name="trends")
@click.pass_context
def main(ctx: click.Context, workspace: str | None) -> None:
    """Quarterly trend reports on public-sector digitalization news.

    \b
    Typical quarter:
      trends collect              fetch new articles from the sources in sources.yaml
      trends analyze              topics, trends, maturity for the latest quarter
      trends report               reports/<quarter>/report.md and report.html
      trends scan                 what is emerging, for advisers
      trends run --quiet          all of it unattended (cron, systemd timers)
    Try it offline first:  trends demo
    Start your own:        trends init
    """
    ctx.obj = Workspace.resolve(workspace)


def _config(ws: Workspace):
    try:
        return load_sources(ws.sources_yaml)
    except ConfigError as exc:
        _fail(str(exc), 2)


def _summary(stats, title: str) -> None:
    table = Table(title=title, show_edge=False)
    for col in ("source", "new", "unchanged", "duplicates", "skipped", "failures"):
        table.add_column(col, justify="left" if col == "source" else "right")
    for source, c in sorted(stats.per_source.items()):
        table.add_row(
            source or "-",
            *(str(c.get(k, 0)) for k in ("new", "unchanged", "duplicates", "skipped", "failures")),
        )
    table.add_row(
        "[bold]total",
        *(
            f"[bold]{getattr(stats, k)}"
            for k in ("new", "unchanged", "duplicates", "skipped", "failures")
        ),
    )
    err.print(table)
    if stats.listings_unchanged:
        err.print(
            f"{stats.listings_unchanged} feed/sitemap/listing page(s) unchanged since the last run (HTTP 304)."
        )
    if stats.offtopic:
        err.print(
            f"{stats.offtopic} new article(s) set aside as off-topic (relevance score under the "
            "threshold, a source's filter or curation.yaml): stored and searchable, left out of "
            "topics and trends."
        )
    if stats.not_judged:
        err.print(
            f"{stats.not_judged} new article(s) not judged (a title only, or a language other "
            "than German or English): stored and analysed."
        )
    if stats.failures:
        err.print("Failures are stored with their reason: see `trends status`.")


@main.command()
@click.option(
    "--source",
    "-s",
    "sources",
    multiple=True,
    metavar="ID",
    help="Collect only this source (repeatable). Default: all enabled sources.",
)
@click.option("--since", metavar="DATE", help="Skip articles published before DATE (YYYY-MM-DD).")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    metavar="N",
    help="At most N new articles per source in this run (overrides max_articles).",
)
@click.pass_obj
def collect(ws: Workspace, sources: tuple[str, ...], since: str | None, limit: int | None) -> None:
    """Fetch new articles from the sources in sources.yaml into corpus/corpus.sqlite.

    Feeds, sitemaps and listing pages are fetched politely (robots.txt, per-host delay, conditional
    GET); each article's text and date are extracted and stored in its own transaction, so an
    interrupted run loses nothing: run it again to continue. Problems become failure rows with a
    one-line reason (see `trends status`) and the run goes on.
    """
    from trends.collect.run import collect as run_collect
    from trends.corpus import Corpus

    config = _config(ws)
    for problem in config.errors:
        err.print(f"[yellow]skipped source:[/] {problem}", highlight=False)
    try:
        selected = config.select(sources)
    except ConfigError as exc:
        _fail(str(exc), 2)
    if not selected:
        _fail(f"{config.path}: no enabled sources to collect", 2)
    policy = _relevance_policy(ws)
    with Corpus(ws.corpus_db) as corpus, RichProgress() as progress:
        stats = run_collect(
            config,
            corpus,
            source_ids=sources,
            since=_date(since),
            limit=limit,
            progress=progress,
            policy=policy,
        )
    _summary(stats, "collect")
    if (
        stats.new + stats.unchanged + stats.duplicates + stats.listings_unchanged == 0
        and stats.failures
    ):
        _fail("nothing was collected: every source failed (see `trends status` for the reasons)")


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--source",
    default="import",
    show_default=True,
    help="Source id for rows/files that do not name one.",
)
@click.option("--language", default="de", show_default=True, help="Fallback language code.")
@click.pass_obj
def import_(ws: Workspace, paths: tuple[str, ...], source: str, language: str) -> None:
    """Import articles from JSONL/CSV files or folders of .html/.md/.txt files.

    \b
    JSONL/CSV columns: title, text, published (2026-03-01 or 01.03.2026) required;
    id, url, source, language optional; German names (Titel, Inhalt, Datum, Quelle,
    Sprache, Link) work too. CSV as German Excel saves it (semicolons, Windows-1252) is
    read as such. Markdown and HTML markup in texts is reduced to plain text. Same dedup
    and relevance judgement as collect; a row with a title and no text is stored, marked
    not judged.
    """
    from trends.collect.run import import_paths
    from trends.corpus import Corpus

    policy = _relevance_policy(ws)
    with Corpus(ws.corpus_db) as corpus, RichProgress() as progress:
        stats = import_paths(
            paths, corpus, source=source, language=language, progress=progress, policy=policy
        )
    _summary(stats, "import")
    if stats.new + stats.unchanged + stats.duplicates == 0:
        _fail("nothing was imported (see the failures above and in `trends status`)")


@main.command()
@click.pass_obj
def init(ws: Workspace) -> None:
    """Start a workspace here (or in --workspace DIR): a sources.yaml listing public-sector news
    sources for NRW, every setting explained in its comments. Edit it, then `trends status` and
    `trends collect`. An existing sources.yaml is never overwritten."""
    from importlib import resources

    if ws.sources_yaml.exists():
        _fail(f"{ws.sources_yaml} exists already: edit it, or start in another folder (-w DIR)")
    ws.root.mkdir(parents=True, exist_ok=True)
    example = resources.files("trends").joinpath("sources.example.yaml").read_text("utf-8")
    ws.sources_yaml.write_text(example, encoding="utf-8")
    con.print(f"wrote {ws.sources_yaml}")
    con.print(
        "next: edit it (sources marked `verified: false` have not been fetched yet), then "
        "`trends status` to check it and `trends collect` to fetch"
    )


def _relevance_policy(ws: Workspace):
    """What decides relevance here (threshold, curation.yaml's `articles:`); a broken
    curation.yaml or a missing model ends the command with its reason."""
    from trends import relevance
    from trends.models import AnalysisError

    try:
        return relevance.policy(ws)
    except AnalysisError as exc:
        _fail(str(exc), 2)


@main.command()
@click.pass_obj
def status(ws: Workspace) -> None:
    """Validate sources.yaml, then show the corpus: articles per source and quarter, kept / set
    aside / not judged per source, last run, failures by reason. Exits 2 if sources.yaml is
    invalid; a workspace of imported articles needs none."""
    from trends.corpus import Corpus

    if not ws.sources_yaml.exists() and ws.corpus_db.exists():
        con.print(f"{ws.sources_yaml}: none (imported articles only; `trends init` starts one)")
    else:
        try:
            config = load_sources(ws.sources_yaml)
        except ConfigError as exc:
            _fail(str(exc), 2)
        if config.errors:
            for problem in config.errors:
                err.print(f"[red]{problem}[/]", highlight=False)
            _fail(
                f"{ws.sources_yaml}: {len(config.errors)} invalid source entr{'y' if len(config.errors) == 1 else 'ies'}",
                2,
            )
        con.print(
            f"{ws.sources_yaml}: valid, {len(config.sources)} sources "
            f"({sum(s.enabled for s in config.sources)} enabled)"
        )
    policy = _relevance_policy(ws)
    with Corpus(ws.corpus_db) as corpus:
        rows = corpus.counts_by_source_quarter()
        if not rows:
            con.print("corpus: empty (run `trends collect` or `trends import`)")
        else:
            quarters = sorted({r["quarter"] for r in rows})
            con.print(f"articles per source and quarter ({corpus.count()} in total):")
            table = Table(show_edge=False)
            longest = max(len(r["source"]) for r in rows)
            table.add_column("source", no_wrap=True, min_width=min(longest, 24))
            for q in quarters:  # "2026\nQ3": eight quarters and the source ids fit in 80 columns
                table.add_column(f"{q[:4]}\n{q[4:]}", justify="right")
            by_source: dict[str, dict[str, int]] = {}
            for r in rows:
                by_source.setdefault(r["source"], {})[r["quarter"]] = r["n"]
            for src, counts in by_source.items():
                table.add_row(src, *(str(counts.get(q, "")) for q in quarters))
            con.print(table)
            _relevance_table(corpus, policy)
        last = corpus.last_run()
        if last:
            state = f"finished {last['finished']}" if last["finished"] else "did not finish"
            con.print(f"last run: {last['command']} started {last['started']}, {state}")
        fails = corpus.failures_by_reason(last["id"] if last else None)
        if fails:
            con.print("failures in the last run, by reason:")
            table = Table(show_edge=False)
            for col in ("stage", "reason", "count"):
                table.add_column(col, justify="right" if col == "count" else "left")
            for r in fails:
                table.add_row(r["stage"], r["kind"], str(r["n"]))
            con.print(table)
    from trends.health import problems, workspace_health

    for h in problems(workspace_health(ws)):  # dead or silent: see trends/health.py
        con.print(f"[yellow]source {h.describe()}[/]", highlight=False, soft_wrap=True)
    from trends.models import model_quarters

    models = model_quarters(ws)
    con.print(
        f"models: {', '.join(models)} (reports with `trends report --quarter Q`)"
        if models
        else "models: none yet (run `trends analyze`)"
    )


def _relevance_table(corpus, policy) -> None:
    """Kept / set aside / not judged per source, as analysis will count them."""
    from trends import relevance

    counts = relevance.decide_stored(corpus, policy)
    origin = {"model": "the model's default"}.get(policy.origin, policy.origin)
    con.print(
        f"relevance per source (threshold {policy.threshold:g} from {origin}; set aside: "
        "stored and searchable, not in topics and trends):"
    )
    table = Table(show_edge=False)
    table.add_column("source", no_wrap=True)
    for col in (relevance.KEPT, relevance.SET_ASIDE, relevance.NOT_JUDGED):
        table.add_column(col, justify="right")
    for src, row in sorted(counts.by_source.items()):
        table.add_row(
            src, *(str(row[c]) for c in (relevance.KEPT, relevance.SET_ASIDE, relevance.NOT_JUDGED))
        )
    table.add_row(
        "[bold]total",
        *(
            f"[bold]{counts.total(c)}"
            for c in (relevance.KEPT, relevance.SET_ASIDE, relevance.NOT_JUDGED)
        ),
    )
    con.print(table)


def _format_option(choices: list[str], default: str):
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="excel: CSV as German Excel opens it (semicolons, decimal commas, UTF-8 with BOM).",
    )


@main.group()
def export() -> None:
    """Export tables for scripts and spreadsheets (documents, topics, trends, transfer)."""


@export.command("documents")
@_format_option(["csv", "jsonl", "excel"], "jsonl")
@click.option(
    "--out", "out_path", type=click.Path(dir_okay=False), help="Write here instead of stdout."
)
@click.option("--relevant-only", is_flag=True, help="Leave out articles marked off-topic.")
@click.pass_obj
def export_documents(ws: Workspace, fmt: str, out_path: str | None, relevant_only: bool) -> None:
    """One row per article: id, url, title, published, quarter, source, language, relevant, text,
    topic_id, topic_weight, relevance, stage, municipalities (topic columns filled once `trends
    analyze` has run).

    relevant: false when the article is set aside (relevance score under the threshold, the
    source's filter, or curation.yaml); relevance: the score, empty when not judged; stage: how
    far the solution the article reports got (konzept, pilot, rollout, standard or none; `who`
    gives it to a place the article names alone; places named together get the stage of the
    sentences that name them, else a cautious one, konzept where it also reports a plan);
    municipalities: the places it names (a JSON list in CSV)."""
    from trends.corpus import Corpus
    from trends.export import DOCUMENT_FIELDS, document_rows, write_rows

    if not ws.corpus_db.exists():
        _fail(f"no corpus at {ws.corpus_db} (run `trends collect` or `trends import` first)")
    policy = _relevance_policy(ws)
    with Corpus(ws.corpus_db) as corpus:
        assignments = _assignments(ws)
        rows = document_rows(corpus, assignments, include_offtopic=not relevant_only, policy=policy)
        _write(lambda fh: write_rows(rows, fmt, fh, DOCUMENT_FIELDS), out_path)


@main.command()
@click.option(
    "--out",
    default="demo-workspace",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Workspace folder for the demo (re-running reuses its corpus).",
)
def demo(out: str) -> None:
    """Run the whole pipeline offline on the bundled demo corpus.

    Serves a fictional news website (14 sources, 8 quarters of municipal digitalization news with
    planted trends) on 127.0.0.1, collects it into OUT, analyzes it and writes the quarterly report,
    then prints where the report is. No internet needed.
    """
    from trends.pipeline import run_demo

    with RichProgress() as progress:
        result = run_demo(out, progress=progress)
    _summary(result.collect, "demo: collect")
    timing = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
    con.print(f"demo workspace: {result.workspace}  ({timing})")
    archived = [p for n, p in result.outputs.items() if n.startswith("archive/")]
    for name, path in result.outputs.items():
        if not name.startswith("archive/"):
            con.print(f"  {name}: {path}")
    if archived:
        con.print(
            f"  archive: {archived[0].parent} ({len(archived)} pages: quoted articles, de + en)"
        )
    for fmt, why in result.skipped.items():
        err.print(f"[yellow]note:[/] report.{fmt} left out: it {why}", highlight=False)


def _langs(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    langs = tuple(dict.fromkeys(x.strip().lower() for x in value.split(",") if x.strip()))
    from trends.i18n import LANGS

    wrong = [x for x in langs if x not in LANGS]
    if wrong or not langs:
        raise click.BadParameter(f"{value!r}: give de, en or both (de,en)")
    return langs


@main.command("run")
@click.option(
    "--quarter",
    "-q",
    metavar="YYYYQn",
    help="Quarter to analyse and report (default: as `trends analyze` picks it, the latest "
    "complete quarter).",
)
@click.option(
    "--lang",
    "langs",
    default="de",
    show_default=True,
    callback=_langs,
    metavar="de,en",
    help="Report language(s), comma-separated; the first goes to reports/<quarter>/, "
    "each further one to reports/<quarter>/<lang>/.",
)
@click.option(
    "--no-report",
    is_flag=True,
    help="Only collect (and write changes.md): the daily run between weekly reports.",
)
@click.option("--quiet", is_flag=True, help="Print only problems (for cron mail).")
@click.option(
    "--print-changes",
    is_flag=True,
    help="Print changes.md to stdout at the end, e.g. for a weekly cron mail.",
)
@click.pass_obj
def run(
    ws: Workspace,
    quarter: str | None,
    langs: tuple[str, ...],
    no_report: bool,
    quiet: bool,
    print_changes: bool,
) -> None:
    """Collect, analyse and report in one go, for cron and systemd timers.

    Collects all enabled sources, analyses the quarter `trends analyze` would pick (or --quarter)
    and writes its report, then reports/<quarter>/changes.md (new articles per source since the
    previous run, topics new or with another class or stage since the previous run's model).
    One line per stage on stderr. Writes logs/last-run.json and appends to logs/runs.jsonl.
    Names sources that are dead (failed in each of their last 3 runs) or silent (nothing
    published for longer than their usual interval: the longest pause between their last 10
    articles, at least 14 days).

    \b
    Exit codes:
      0  all went well
      1  finished, but some sources failed in this run (or nothing could be analysed)
      2  configuration or usage error (e.g. a broken sources.yaml, named as file:line);
         nothing fetched
      3  another run holds the workspace's lock (logs/run.lock); nothing done, exits at once
    """
    from trends.pipeline import EXIT_LOCKED, run_pipeline
    from trends.records import Progress as Silent
    from trends.records import quarter_bounds
    from trends.unattended import LockHeld

    if quarter:
        try:
            quarter_bounds(quarter)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--quarter") from None
        quarter = quarter.upper()

    if not ws.root.is_dir():  # a mistyped -w must not create a workspace (logs/) anywhere
        _fail(f"{ws.root}: no such workspace folder (`trends init` starts one)", 2)

    def say(text: str, problem: bool = False) -> None:
        if problem:
            err.print(f"[yellow]problem:[/] {text}", highlight=False, soft_wrap=True)
        elif not quiet:
            err.print(text, highlight=False, soft_wrap=True)

    try:
        if quiet:
            record = run_pipeline(
                ws, quarter=quarter, langs=langs, report=not no_report, say=say, progress=Silent()
            )
        else:
            with RichProgress() as progress:
                record = run_pipeline(
                    ws,
                    quarter=quarter,
                    langs=langs,
                    report=not no_report,
                    say=say,
                    progress=progress,
                )
    except LockHeld as exc:
        _fail(str(exc), EXIT_LOCKED)
    if not quiet:
        err.print(
            f"record: {ws.root / 'logs' / 'last-run.json'} (exit {record['exit_code']})",
            highlight=False,
            soft_wrap=True,
        )
    if print_changes and record["changes"]:
        sys.stdout.write(Path(record["changes"]).read_text(encoding="utf-8"))
    sys.exit(record["exit_code"])


@main.command()
@click.option(
    "--quarter",
    "-q",
    metavar="YYYYQn",
    help="Quarter to analyse (default: the latest with articles).",
)
@click.option(
    "--window",
    default=8,
    show_default=True,
    type=click.IntRange(2, 40),
    help="Quarters up to --quarter that the topic model is fitted on.",
)
@click.option(
    "--topics",
    "n_topics",
    type=click.IntRange(2, 200),
    metavar="N",
    help="Fix the number of topics (default: chosen automatically by stability).",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    help="Random seed; same seed + same corpus = same model.",
)
@click.pass_obj
def analyze(
    ws: Workspace, quarter: str | None, window: int, n_topics: int | None, seed: int
) -> None:
    """Find topics, trends and maturity for a quarter; writes models/<quarter>/.

    Fits the topic model on the last WINDOW quarters, keeps topic ids and labels from the previous
    quarter's model where the topics match, computes per topic and quarter the trend metrics and
    class, the maturity stage with evidence sentences, and saves everything with a manifest.
    Lemmas are cached per article, so a new quarter only processes new articles.
    """
    from trends.analyze import AnalysisConfig
    from trends.analyze import analyze as run_analyze
    from trends.models import AnalysisError
    from trends.records import quarter_bounds

    if quarter:
        try:
            quarter_bounds(quarter)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--quarter") from None
    if not ws.corpus_db.exists():
        _fail(f"no corpus at {ws.corpus_db} (run `trends collect` or `trends import` first)")
    try:
        with RichProgress() as progress:
            result = run_analyze(
                ws,
                AnalysisConfig(quarter=quarter, window=window, n_topics=n_topics, seed=seed),
                progress=progress,
            )
    except AnalysisError as exc:
        _fail(str(exc))
    timing = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
    con.print(
        f"{result.quarter}: {result.n_topics} topics from {result.n_articles} articles -> {result.folder}"
    )
    from trends.trend import CLASSES

    classes = ", ".join(f"{result.classes[c]} {c}" for c in CLASSES if result.classes.get(c))
    carried = (
        f"; {result.carried} kept their id from the previous quarter, {result.dormant} dormant"
        if result.carried or result.dormant
        else ""
    )
    con.print(f"trends: {classes}{carried}")
    if result.coverage and not result.coverage["complete"]:
        con.print(
            f"note: {result.quarter} is covered from {result.coverage['from']} to "
            f"{result.coverage['to']} only (the articles reach no further); "
            "its figures are those days', not the whole quarter's"
        )
    from trends.models import load_manifest

    rel = load_manifest(ws, result.quarter).get("relevance") or {}
    if rel:
        con.print(
            f"relevance: {rel['kept']} kept, {rel['set_aside']} set aside as off-topic, "
            f"{rel['not_judged']} not judged in the window (threshold {rel['threshold']:g}; "
            "per source: `trends status`)"
        )
    if len(result.observed) < len(result.window):
        con.print(
            f"note: articles in {len(result.observed)} of the window's {len(result.window)} "
            f"quarters (from {result.observed[0]}); trends are read over these only"
            + (
                "; one quarter is too little history to classify"
                if len(result.observed) < 2
                else ""
            )
        )
    from trends.models import model_quarters

    later = [q for q in model_quarters(ws) if q > result.quarter]
    if later:  # they were linked to the model this run replaced
        con.print(
            f"note: {', '.join(later)} took topic ids from the model this run replaced; "
            f"re-run `trends analyze --quarter {later[0]}` (and later ones) to keep ids in step"
        )
    con.print(f"[dim]{timing}[/]")
    con.print(f"next: trends report --quarter {result.quarter}   ·   trends scan")


@main.command()
@click.option(
    "--input",
    "input_file",
    type=click.File("r", encoding="utf-8"),
    default="-",
    help="File with one sentence per line (default: stdin).",
)
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.pass_obj
def signals(ws: Workspace, input_file, fmt: str) -> None:
    """Classify sentences by maturity stage: one JSON object per input line.

    \b
    Output fields: text, stage (konzept|pilot|rollout|standard|none), cue, negated, transfer.
    Uses the workspace's taxonomy.yaml if present, else the packaged one. The learned model
    (trends/nlp/data/maturity.json) decides where it is sure, the cue rules elsewhere where
    they find a stage, and the model's likeliest stage for the rest (also sentences without a
    cue word).
    """
    import json

    from trends import maturity

    lexicon = maturity.load_lexicon(ws.taxonomy)
    for line in input_file:
        text = line.strip()
        if not text:
            continue
        record = maturity.signal_record(maturity.sentence_stage(text, lexicon))
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def _views_or_fail(fn, *args, **kw):
    from trends.models import AnalysisError

    try:
        return fn(*args, **kw)
    except (AnalysisError, ValueError) as exc:
        _fail(str(exc))


def _since(value: str | None):
    from trends.scan import parse_since

    try:
        return parse_since(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None


def _json_out(data) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


@main.command()
@click.option(
    "--since",
    metavar="90d|DATE|YYYYQn",
    help="Only count articles since then (e.g. 90d, 2026-07-01).",
)
@click.option(
    "--region",
    metavar="NAME",
    help="Only articles naming this municipality or district (e.g. 'Kreis Soest').",
)
@click.option(
    "--field",
    metavar="FIELD",
    help="Only topics in this field of action (e.g. Mobilität; Sonstiges: those in none).",
)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1))
@click.option("--all", "all_classes", is_flag=True, help="Show stable and declining topics too.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def scan(ws: Workspace, since, region, field, limit, all_classes, as_json) -> None:
    """What is emerging? New, emerging and growing topics with class, growth, stage and evidence."""
    from trends.report.safety import quotation
    from trends.scan import CLASS_ORDER
    from trends.scan import scan as run_scan

    classes = CLASS_ORDER if all_classes else ("new", "emerging", "growing")
    rows = _views_or_fail(
        run_scan, ws, since=_since(since), region=region, field=field, limit=limit, classes=classes
    )
    if as_json:
        return _json_out(rows)
    if not rows:
        con.print("no emerging or growing topics for this selection (try --all or a wider --since)")
        return
    table = Table(
        show_lines=True,
        caption="growth: the topic's share of articles against the previous quarter; %/q: the "
        "slope of its share per quarter over the window (Theil-Sen), which decides growing",
    )
    table.add_column("topic", max_width=30)
    for col in ("class", "growth", "stage", "trajectory"):
        table.add_column(col, no_wrap=True)
    table.add_column("evidence", overflow="fold", min_width=30)
    for r in rows:
        growth = f"{r['growth']:+.0%}" if r["growth"] is not None else "–"
        slope = r.get("slope_per_quarter")
        decided_by_slope = r["class"] in ("growing", "stable", "declining") and slope is not None
        cls = f"{r['class']}\n{slope:+.0%}/q" if decided_by_slope else r["class"]
        ev = ""
        if r["evidence"]:
            text = quotation(r["evidence"]["text"])
            text = text if len(text) <= 160 else text[:159].rsplit(" ", 1)[0] + " …"
            ev = f"„{text}“\n{r['evidence']['url']}"
        reach = f"{len(r['sources'])} source" + ("s" if len(r["sources"]) != 1 else " only")
        if r["municipalities"]:
            reach += f", {len(r['municipalities'])} places: " + ", ".join(r["municipalities"][:4])
            reach += " …" if len(r["municipalities"]) > 4 else ""
        if r["class"] in ("new", "emerging"):  # small and recent: list what it rests on
            ev += "".join(f"\n· {i['published']} {i['title']}" for i in r["items"])
        table.add_row(
            f"[bold]{r['label']}[/] ({r['id']}, {r['articles']} art.; {reach})",
            cls,
            growth,
            f"{r['stage']} ({r['confidence']:.0%})",
            r["trajectory"],
            ev,
        )
    con.print(table)


@main.command()
@click.argument("query")
@click.option("--since", metavar="90d|DATE|YYYYQn", help="Only articles published since then.")
@click.option("--source", metavar="ID", help="Only articles of this source.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def search(ws: Workspace, query, since, source, limit, as_json) -> None:
    """Full-text search over the corpus; finds word parts too ("Parkausweis" finds
    "Bewohnerparkausweise"). Ranked, with snippets and dates."""
    from trends.scan import search as run_search

    hits = _views_or_fail(run_search, ws, query, since=_since(since), source=source, limit=limit)
    if as_json:
        return _json_out(hits)
    if not hits:
        con.print(f"no articles match {query!r}")
        return
    for h in hits:
        topic = f" · {h['topic_label']}" if h["topic_label"] else ""
        con.print(
            f"[bold]{h['title']}[/]  [dim]{h['published']} · {h['source']}{topic}[/]",
            highlight=False,
        )
        con.print(f"  {h['snippet']}", highlight=False)
        con.print(f"  {h['url']}", highlight=False)


@main.command()
@click.argument("query", required=False)
@click.option(
    "--municipality", "-m", metavar="NAME", help="Show what this municipality has done, by topic."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def who(ws: Workspace, query, municipality, as_json) -> None:
    """Who has already done this? Municipalities with stage reached, first and latest mention and
    evidence links, for a topic (id or name) or any search query."""
    from trends.scan import who as run_who

    if not query and not municipality:
        raise click.UsageError("give a TOPIC_OR_QUERY or --municipality NAME")
    data = _views_or_fail(run_who, ws, query, municipality=municipality)
    if as_json:
        return _json_out(data)
    groups = data["topics"] if municipality else data["municipalities"]
    if municipality:
        heading = f"{data['municipality']} ({data['kind']}, {data['region']})"
    elif data["topic"]:
        heading = f"{data['topic']['label']} ({data['topic']['id']})"
    else:
        heading = f"search: {query}"
    con.print(f"[bold]{heading}[/]", highlight=False)
    if not groups:
        con.print("nothing found")
        return
    table = Table()
    table.add_column("topic" if municipality else "municipality", max_width=28)
    for col in ("stage", "first", "latest", "articles"):
        table.add_column(col, no_wrap=True)
    table.add_column("evidence", overflow="fold", min_width=30)
    for g in groups:
        ev = g["evidence"][0]
        table.add_row(
            g.get("label", g["name"]),
            g["stage"],
            g["first"],
            g["latest"],
            str(g["articles"]),
            f"{ev['title'][:70]}\n{ev['url']}",
        )
    con.print(table)


@main.command()
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@_lang_option("Language of the brief's texts (quotes stay as the sources wrote them).")
@click.option(
    "--out", "out_path", type=click.Path(dir_okay=False), help="Write to FILE (default: stdout)."
)
@click.pass_obj
def brief(ws: Workspace, query, fmt, lang, out_path) -> None:
    """A one-page workshop brief on a topic (id or name) or query: what it is, trajectory, maturity with
    evidence, who has done it, contacts named in the sources, transferability, open questions, sources."""
    from trends.scan import brief as run_brief

    text = _views_or_fail(run_brief, ws, query, fmt, lang)
    if out_path:
        Path(out_path).write_text(text, encoding="utf-8")
        err.print(f"wrote {out_path}")
    else:
        sys.stdout.write(text)


def _quarter_arg(value: str | None) -> str | None:
    from trends.records import quarter_bounds

    if value:
        try:
            quarter_bounds(value.upper())
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--quarter") from None
    return value.upper() if value else None


@main.command()
@click.argument("name", required=False)
@click.option(
    "--parallel",
    is_flag=True,
    help="Land-wide instead: topics with at least three municipalities at konzept/pilot in the "
    "last four quarters and none at rollout yet (candidates for a shared platform).",
)
@click.option(
    "--peers",
    "peers_mode",
    type=click.Choice(["similar", "district", "region", "all"]),
    default="similar",
    show_default=True,
    help="Compare with: similar (same settlement density, population within a factor of 2, "
    "widened until 10 peers), district (same Kreis), region (same Regierungsbezirk), all.",
)
@click.option(
    "--quarter",
    "-q",
    metavar="YYYYQn",
    callback=lambda ctx, param, v: _quarter_arg(v),
    help="Model quarter (default: the latest).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md"]),
    default="text",
    show_default=True,
    help="md: a one-page profile for a consultation (escaped like the report).",
)
@_lang_option("Language of the fixed texts.")
@click.pass_obj
def suggest(ws: Workspace, name, parallel, peers_mode, quarter, as_json, fmt, lang) -> None:
    """What can NAME (municipality or district: name, alias or AGS) take over, whom to ask, and
    where does work run in parallel? Lists: has, take over (peers at rollout/standard, ranked
    with reasons), in parallel (konzept/pilot in the last four quarters), ahead."""
    from trends import transfer

    if bool(name) == parallel:
        raise click.UsageError("give a municipality NAME or --parallel (not both)")
    if parallel:
        rows = _views_or_fail(transfer.parallel_work, ws, quarter)
        if as_json:
            return _json_out(rows)
        sys.stdout.write(transfer.format_parallel_text(rows, lang))
        return
    profile = _views_or_fail(
        transfer.suggest, ws, name, peers_mode=peers_mode, quarter=quarter, lang=lang
    )
    if as_json:
        return _json_out(profile)
    if fmt == "md":
        sys.stdout.write(transfer.format_md(ws, profile, lang))
    else:
        sys.stdout.write(transfer.format_text(profile, lang))


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback needs TRENDS_PASSWORD.",
)
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@_lang_option("Language of the pages (a link on every page switches).")
@click.pass_obj
def serve(ws: Workspace, host: str, port: int, lang: str) -> None:
    """The browser app: what is emerging, topics with their map, search, who did what, printable
    briefs and the written reports, read-only over this workspace.

    \b
    Binds 127.0.0.1 by default. Another --host (e.g. 0.0.0.0 on an intranet) starts only with
    TRENDS_PASSWORD set. Whenever it is set, every request needs it (HTTP Basic, any user name;
    /healthz excepted). Ctrl-C stops."""
    from trends.serve.app import ServeError
    from trends.serve.app import serve as run_serve

    try:
        run_serve(
            ws,
            host,
            port,
            lang,
            on_ready=lambda url: err.print(f"serving {ws.root} on {url} (Ctrl-C stops)"),
        )
    except ServeError as exc:
        _fail(str(exc), 2)


@main.command()
@click.option(
    "--quarter", "-q", metavar="YYYYQn", help="Quarter to report (default: the latest model)."
)
@_lang_option("Language of the report's fixed texts.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write to (default: reports/<quarter>/). English files carry .en "
    "(report.en.html, …), so both languages fit in one folder.",
)
@click.option(
    "--format",
    "formats",
    default="md,html,pdf,docx",
    show_default=True,
    metavar="LIST",
    help="Which report files to write, comma-separated: md, html, pdf (A4, WeasyPrint), docx "
    "(Word). The tables and the archive are always written.",
)
@click.pass_obj
def report(ws: Workspace, quarter: str | None, lang: str, out: Path | None, formats: str) -> None:
    """Write the quarterly report: reports/<quarter>/report.md, report.html (self-contained),
    report.pdf, report.docx, metrics.json, topics.csv and radar.csv, and archive/<article>.html,
    a local copy of every quoted article (quoted sentences marked; every quote links it).

    Built from models/<quarter>/ (run `trends analyze` first) and curation.yaml. Templates in the
    workspace's templates/ replace the default ones. A report.md/.html edited by hand since it was
    generated is kept as report.edited-<time>.md/.html instead of being overwritten. The German
    files keep these names; --lang en writes report.en.md, report.en.html, report.en.pdf,
    report.en.docx, metrics.en.json, … beside them."""
    from trends.models import AnalysisError
    from trends.report.build import parse_formats, write_report

    try:
        with err.status("writing report…"):
            paths = write_report(ws, quarter, lang, out=out, formats=parse_formats(formats))
    except AnalysisError as exc:
        _fail(str(exc))
    for name, path in paths.items():
        if name.startswith("edited_"):
            err.print(f"[yellow]kept your edited {name[7:]} as[/] {path}", highlight=False)
    written = [k for k in paths if not k.startswith(("edited_", "archive/"))]
    n_archive = sum(1 for k in paths if k.startswith("archive/"))
    con.print(
        f"{paths[written[0]].parent}: "
        + ", ".join(written)
        + (f", archive/ ({n_archive} quoted articles)" if n_archive else "")
    )


def _assignments(ws: Workspace) -> dict[str, dict]:
    """article id -> its row in the latest model (topic, weight, stage, places), if any."""
    from trends.models import AnalysisError, latest_assignments

    try:
        return latest_assignments(ws)
    except AnalysisError as exc:  # a damaged model: its one-line reason, not a traceback
        _fail(str(exc))


def _model_rows(ws: Workspace, reader, quarter: str | None, fmt: str, out_path: str | None) -> None:
    from trends.export import write_rows
    from trends.models import AnalysisError

    try:
        rows = reader(ws, quarter)
    except AnalysisError as exc:
        _fail(str(exc))
    _write(lambda fh: write_rows(rows, fmt, fh), out_path)


def _model_export_options(f):
    """--format, --quarter, --out and the workspace, shared by the model exports."""
    f = click.pass_obj(f)
    f = click.option(
        "--out", "out_path", type=click.Path(dir_okay=False), help="Write here instead of stdout."
    )(f)
    f = click.option(
        "--quarter", "-q", metavar="YYYYQn", help="Model quarter (default: the latest)."
    )(f)
    return _format_option(["json", "jsonl", "csv", "excel"], "json")(f)


@export.command("topics")
@_model_export_options
def export_topics(ws: Workspace, fmt: str, quarter: str | None, out_path: str | None) -> None:
    """Topics of a model: id, label, keyphrases, size, quarter_counts (+ status, field, trend_class,
    stage, confidence). Curation renames are applied; hidden topics are left out."""
    from trends.models import topic_rows

    _model_rows(ws, topic_rows, quarter, fmt, out_path)


@export.command("trends")
@_model_export_options
def export_trends(ws: Workspace, fmt: str, quarter: str | None, out_path: str | None) -> None:
    """One row per topic and quarter: topic_id, label, quarter, count, share, growth, burst, sources,
    municipalities, class, stage, confidence, evidence_ids (+ growth_yoy, independent_sources, partial)."""
    from trends.models import trend_rows

    _model_rows(ws, trend_rows, quarter, fmt, out_path)


@export.command("citations")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csl-json", "bibtex", "ris"]),
    default="csl-json",
    show_default=True,
    help="CSL-JSON (Zotero, citeproc), BibTeX (biblatex @online with urldate; JabRef, Citavi) or RIS.",
)
@click.option(
    "--quarter", "-q", metavar="YYYYQn", help="The report's quarter (default: the latest model)."
)
@click.option(
    "--out", "out_path", type=click.Path(dir_okay=False), help="Write here instead of stdout."
)
@click.pass_obj
def export_citations(ws: Workspace, fmt: str, quarter: str | None, out_path: str | None) -> None:
    """The articles the quarter's report quotes, one record each, for reference managers: title,
    URL, publication date, the date it was collected (accessed), the source's name and the
    language. BibTeX keys stay the same across runs."""
    from trends.models import AnalysisError
    from trends.report.citations import citation_records, write_citations

    try:
        items = citation_records(ws, quarter)
    except AnalysisError as exc:
        _fail(str(exc))
    _write(lambda fh: write_citations(items, fmt, fh), out_path)


@export.command("transfer")
@_model_export_options
def export_transfer(ws: Workspace, fmt: str, quarter: str | None, out_path: str | None) -> None:
    """One row per topic and place: topic_id, label, trend_class, place, ags, kind, district,
    population, stage, role (leader/follower/mentioned), first, latest, quarter, articles,
    parallel (a Land-wide parallel development), title, url (the evidence)."""
    from trends.transfer import transfer_rows

    _model_rows(ws, transfer_rows, quarter, fmt, out_path)


def _write(writer, out_path: str | None) -> None:
    if out_path:
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        with open(out_path, "w", encoding="utf-8", newline="") as fh:
            n = writer(fh)
        err.print(f"wrote {n} rows to {out_path}")
    else:
        writer(sys.stdout)


if __name__ == "__main__":
    main()
