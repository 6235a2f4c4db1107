"""collect and import: sources -> links -> fetched bytes -> extracted articles -> corpus.

The stages, each a plain function:
  discover(source)   -> links (feed pages, sitemaps, listing pages; conditional GET)
  fetch_and_extract  -> Candidate or Failure (runs in worker threads; network + trafilatura)
  store(candidate)   -> new | unchanged | duplicate (main thread; one transaction per article)
Articles are stored in a fixed order (source order, then link order) even though they are fetched in
parallel, so two runs over the same sites build the same corpus.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import email.utils
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from trends import relevance
from trends.collect.dedup import article_id, content_hash, minhash, signature_bytes, url_key
from trends.collect.extract import Extracted, detect_language, extract_article, listing_links
from trends.collect.feeds import parse_feed
from trends.collect.fetch import Fetcher
from trends.collect.markup import plain_text
from trends.collect.sitemaps import parse_sitemap
from trends.config import Source, SourcesConfig
from trends.corpus import Corpus
from trends.records import Article, Failure, Link, Progress


@dataclass
class RunStats:
    """What a collect/import run did; printed as the summary and stored with the run."""

    new: int = 0
    unchanged: int = 0
    duplicates: int = 0
    offtopic: int = (
        0  # stored, set aside (relevance under the threshold, a source filter, curation)
    )
    not_judged: int = (
        0  # stored, not judged (title only, or a language the judgement does not know)
    )
    skipped: int = 0  # older than --since, or over the per-source limit
    failures: int = 0
    listings_unchanged: int = 0  # feeds/sitemaps/pages that answered 304 Not Modified
    per_source: dict[str, Counter] = field(default_factory=dict)
    # every source the run tried, also those with nothing to count (a feed answering 304):
    # source health needs to know which runs a source took part in
    sources: list[str] = field(default_factory=list)

    def count(self, source: str, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.per_source.setdefault(source, Counter())[outcome] += 1

    def as_dict(self) -> dict:
        return {
            "new": self.new,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "offtopic": self.offtopic,
            "not_judged": self.not_judged,
            "skipped": self.skipped,
            "failures": self.failures,
            "per_source": {k: dict(v) for k, v in sorted(self.per_source.items())},
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Candidate:
    """An article ready to store, before dedup."""

    url: str
    title: str
    text: str
    published: dt.date | None
    language: str
    source: str
    id: str | None = None  # given by an import file; else derived from the URL key


# -- storing (shared by collect and import) -------------------------------------------------------
def is_relevant(source: Source | None, title: str, text: str) -> bool:
    terms, min_hits = source.relevance_terms() if source else ((), 0)
    if not terms:
        return True
    haystack = f" {title} {text} ".lower()
    return sum(1 for t in terms if t in haystack) >= min_hits


class Store:
    """Dedup + judge + insert, one transaction per article. Keeps the near-duplicate index in
    memory. `policy` decides what counts (default: the model's threshold, no curation)."""

    def __init__(
        self, corpus: Corpus, run_id: int, stats: RunStats, policy: relevance.Policy | None = None
    ):
        self.corpus, self.run_id, self.stats = corpus, run_id, stats
        self.policy = policy or relevance.policy()  # a missing model stops here, before any work
        self.model_id = relevance.model_id()
        self.near = corpus.near_duplicate_index()

    def fail(self, failure: Failure) -> None:
        self.corpus.add_failure(self.run_id, failure)
        self.stats.failures += 1
        self.stats.per_source.setdefault(failure.source, Counter())["failures"] += 1

    def add(self, c: Candidate, source: Source | None) -> str:
        # an article without text (a title only) is told apart by its title
        same = c.text if c.text.strip() else f"title only: {c.title}"
        key = url_key(c.url) if c.url else f"id:{c.id}" if c.id else f"text:{content_hash(same)}"
        if self.corpus.known(key):
            self.stats.count(c.source, "unchanged")
            return "unchanged"
        digest = content_hash(same)
        signature = minhash(same)
        original = self.corpus.by_content_hash(digest) or self.near.find(signature)
        if original:
            self.corpus.add_alias(key, original, url=c.url, source=c.source, kind="duplicate")
            self.stats.count(c.source, "duplicates")
            return "duplicates"
        source_filter = is_relevant(source, c.title, c.text)
        score = relevance.judge(c.title, c.text, c.language)
        published = c.published
        # a date after tomorrow is a typo or an event date, not when the news appeared: kept, it
        # would make its quarter the latest one that analyze and report default to
        if published and published > dt.date.today() + dt.timedelta(days=1):
            self.fail(
                Failure(
                    c.url or c.id or c.title[:80],
                    "store",
                    f"published date in the future, stored undated: {published.isoformat()}",
                    c.source,
                )
            )
            published = None
        aid = c.id or article_id(key)
        decision = self.policy.decide(aid, c.url, score, source_filter)
        art = Article(
            id=aid,
            title=c.title,
            text=c.text,
            published=published,
            source=c.source,
            url=c.url,
            language=c.language,
            relevant=decision.relevant,
            relevance=score,
        )
        self.corpus.add_article(
            art,
            url_key=key,
            content_hash=digest,
            minhash=signature_bytes(signature),
            run_id=self.run_id,
            relevance_model=self.model_id,
            source_filter=source_filter,
        )
        self.near.add(art.id, signature)
        self.stats.count(c.source, "new")
        if decision.status == relevance.SET_ASIDE:
            self.stats.offtopic += 1
        elif decision.status == relevance.NOT_JUDGED:
            self.stats.not_judged += 1
        return "new"


# -- discovery -------------------------------------------------------------------------------------
@dataclass
class Discovery:
    links: list[Link] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    cache_updates: list[tuple[str, str | None, str | None, int]] = field(default_factory=list)
    unchanged_listings: int = 0


def discover(
    source: Source,
    fetcher: Fetcher,
    cache: dict[str, tuple[str | None, str | None]],
    max_pages: int,
) -> Discovery:
    """Fetch the source's listing documents (following feed paging / sitemap indexes)."""
    out = Discovery()
    queue, seen = [source.url or ""], set()
    while queue and len(seen) < max_pages:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        etag, modified = cache.get(url, (None, None))
        result = fetcher.fetch(url, etag=etag, last_modified=modified)
        if result.not_modified:
            out.unchanged_listings += 1
            continue
        if not result.ok:
            out.failures.append(Failure(url, "fetch", result.error or "", source.id))
            continue
        out.cache_updates.append((url, result.etag, result.last_modified, result.status))
        if source.kind == "feed":
            page = parse_feed(
                result.body, result.final_url or url, result.content_type, source=source.id
            )
            out.links += page.links
            out.failures += page.failures
            if page.next_url:
                queue.append(page.next_url)
        elif source.kind == "sitemap":
            smap = parse_sitemap(result.body, url, source=source.id)
            out.links += smap.links
            out.failures += smap.failures
            queue += smap.sitemaps
        else:  # page: a listing whose article links we follow
            found = listing_links(
                result.body,
                result.final_url or url,
                source.article_pattern,
                source.exclude_pattern,
                result.charset,
            )
            if not found:
                out.failures.append(
                    Failure(
                        url, "page", "listing page has no links matching article_pattern", source.id
                    )
                )
            out.links += [Link(url=u, title=t) for u, t in found]
    if source.article_pattern and source.kind != "page":
        pattern = re.compile(source.article_pattern)
        out.links = [lk for lk in out.links if pattern.search(lk.url)]
    if source.exclude_pattern:
        skip = re.compile(source.exclude_pattern)
        out.links = [lk for lk in out.links if not skip.search(lk.url)]
    return out


def fetch_and_extract(
    link: Link, source: Source, fetcher: Fetcher, default_language: str
) -> Candidate | Failure:
    result = fetcher.fetch(link.url)
    if not result.ok:
        return Failure(link.url, "fetch", result.error or "", source.id)
    ctype = result.content_type.lower()
    if ctype and not any(t in ctype for t in ("html", "xml", "text/plain")):
        return Failure(
            link.url,
            "extract",
            f"not an HTML page ({ctype.split(';')[0]}); not extracted",
            source.id,
        )
    got = extract_article(
        result.body, result.final_url or link.url, result.charset, fallback_title=link.title
    )
    if isinstance(got, str):
        return Failure(link.url, "extract", got, source.id)
    return _candidate(got, link, source, default_language)


def _candidate(got: Extracted, link: Link, source: Source, default_language: str) -> Candidate:
    return Candidate(
        url=link.url,
        title=got.title or link.title,
        text=got.text,
        published=link.published or got.published,
        language=got.language or source.language or default_language,
        source=source.id,
    )


# -- collect ---------------------------------------------------------------------------------------
def collect(
    config: SourcesConfig,
    corpus: Corpus,
    *,
    source_ids: Iterable[str] = (),
    since: dt.date | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    fetcher: Fetcher | None = None,
    policy: relevance.Policy | None = None,
) -> RunStats:
    """Collect new articles from the configured sources into the corpus (each judged and decided
    by `policy`, default: the model's threshold)."""
    progress = progress or Progress()
    defaults = config.defaults
    sources = config.select(tuple(source_ids))
    stats = RunStats(sources=[s.id for s in sources])
    pol = policy or relevance.policy()  # a missing model stops here, before a run is recorded
    run_id = corpus.start_run("collect")
    store = Store(corpus, run_id, stats, pol)
    for problem in config.errors:
        store.fail(Failure(str(config.path), "config", problem))
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(defaults)
    try:
        for s in sources:
            corpus.upsert_source(
                id=s.id,
                name=s.name or s.id,
                kind=s.kind,
                type=s.type,
                region=s.region,
                url=s.url or s.path or "",
                language=s.language or defaults.language,
                tags=s.tags,
            )
        with ThreadPoolExecutor(max_workers=defaults.concurrency) as pool:
            web = [s for s in sources if s.kind != "dir"]
            cache = corpus.http_cache()
            found = [pool.submit(discover, s, fetcher, cache, defaults.max_pages) for s in web]
            for source, fut in zip(web, found):
                _collect_source(
                    source,
                    fut.result(),
                    pool,
                    fetcher,
                    store,
                    corpus,
                    config,
                    since,
                    limit,
                    progress,
                )
        for source in (s for s in sources if s.kind == "dir"):
            # relative to the workspace (where sources.yaml is), not to where the command runs
            folder = Path(config.path).parent / Path(source.path or "").expanduser()
            if not folder.is_dir():
                store.fail(Failure(str(folder), "dir", "folder not found", source.id))
                continue
            files = sorted(p for p in folder.rglob("*") if p.is_file())
            progress.source_started(source.id, len(files))
            for cand in _dir_candidates(
                files, source.id, source.language or defaults.language, store
            ):
                if since and cand.published and cand.published < since:
                    stats.count(source.id, "skipped")
                else:
                    store.add(cand, source)
                progress.advance(source.id)
    finally:
        if own_fetcher:
            fetcher.close()
        corpus.finish_run(run_id, stats.as_dict())
    return stats


def _collect_source(
    source: Source,
    found: Discovery,
    pool: ThreadPoolExecutor,
    fetcher: Fetcher,
    store: Store,
    corpus: Corpus,
    config: SourcesConfig,
    since: dt.date | None,
    limit: int | None,
    progress: Progress,
) -> None:
    for url, etag, modified, status in found.cache_updates:
        corpus.set_http_cache(url, etag, modified, status)
    for failure in found.failures:
        store.fail(failure)
    store.stats.listings_unchanged += found.unchanged_listings
    cap = limit or source.max_articles or config.defaults.max_articles
    todo: list[Link] = []
    seen: set[str] = set()
    for link in found.links:
        key = url_key(link.url)
        if key in seen:
            continue
        seen.add(key)
        if since and (link.published or link.modified or since) < since:
            store.stats.count(source.id, "skipped")
        elif corpus.known(key):
            store.stats.count(source.id, "unchanged")
        elif len(todo) >= cap:
            store.stats.count(source.id, "skipped")
        else:
            todo.append(link)
    progress.source_started(source.id, len(todo))
    futures: list[Future] = [
        pool.submit(fetch_and_extract, lk, source, fetcher, config.defaults.language) for lk in todo
    ]
    for fut in futures:  # in submission order: a deterministic corpus
        got = fut.result()
        if isinstance(got, Failure):
            store.fail(got)
        elif since and got.published and got.published < since:
            store.stats.count(source.id, "skipped")
        else:
            store.add(got, source)
        progress.advance(source.id)


# -- import ----------------------------------------------------------------------------------------
_PAGE_SUFFIXES = (".html", ".htm", ".md", ".txt")  # one article per file, alone or in folders
IMPORT_SUFFIXES = (".jsonl", ".csv", *_PAGE_SUFFIXES)


def import_paths(
    paths: Iterable[str | Path],
    corpus: Corpus,
    *,
    source: str = "import",
    language: str = "de",
    progress: Progress | None = None,
    policy: relevance.Policy | None = None,
) -> RunStats:
    """Import JSONL/CSV files or folders of .html/.md/.txt files with the same dedup and
    relevance judgement as collect."""
    progress = progress or Progress()
    stats = RunStats()
    pol = policy or relevance.policy()  # a missing model stops here, before a run is recorded
    run_id = corpus.start_run("import")
    store = Store(corpus, run_id, stats, pol)
    known_sources = set(corpus.sources())
    try:
        for raw in paths:
            path = Path(raw)
            if not path.exists():
                store.fail(Failure(str(path), "import", "no such file or folder", source))
                continue
            files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            progress.source_started(str(path), len(files))
            if path.is_dir():
                candidates: Iterator[Candidate] = _dir_candidates(files, source, language, store)
            elif path.suffix.lower() == ".jsonl":
                candidates = _jsonl_candidates(path, source, language, store)
            elif path.suffix.lower() == ".csv":
                candidates = _csv_candidates(path, source, language, store)
            elif path.suffix.lower() in _PAGE_SUFFIXES:
                candidates = _dir_candidates([path], source, language, store)
            else:  # a folder skips such files; one named alone is a mistake worth saying
                reason = f"not {', '.join(IMPORT_SUFFIXES[:-1])} or {IMPORT_SUFFIXES[-1]}"
                store.fail(Failure(str(path), "import", reason, source))
                continue
            for cand in candidates:
                if cand.source not in known_sources:
                    known_sources.add(cand.source)
                    corpus.upsert_source(
                        id=cand.source,
                        name=cand.source,
                        kind="import",
                        type="press",
                        region="",
                        url="",
                        language=cand.language,
                        tags=(),
                    )
                store.add(cand, None)
                progress.advance(str(path))
    finally:
        corpus.finish_run(run_id, stats.as_dict())
    return stats


_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def _row_date(raw: str) -> dt.date | None:
    """An imported row's date: ISO (2026-03-01, also with a time), German (01.03.2026, as German
    spreadsheets write it) or a feed's RFC 822 date (Tue, 03 Mar 2026 10:00:00 +0100, as feed
    readers export it); None if it is none of these."""
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        pass
    m = _GERMAN_DATE.fullmatch((raw.split() or [""])[0])
    if m is None:
        try:
            return email.utils.parsedate_to_datetime(raw).date()
        except (TypeError, ValueError, IndexError):
            return None
    try:
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:  # 31.02.2026
        return None


# Column names as a German team's spreadsheet or script may write them (any case): imports read
# them as the documented English ones.
_COLUMN_ALIASES = {
    "titel": "title",
    "überschrift": "title",
    "headline": "title",
    "inhalt": "text",
    "volltext": "text",
    "body": "text",
    "content": "text",
    "datum": "published",
    "date": "published",
    "veröffentlicht": "published",
    "quelle": "source",
    "sprache": "language",
    "lang": "language",
    "link": "url",
}


def _columns(row: dict) -> dict:
    """A row with its keys read as the documented columns (`Titel` -> title, `Datum` ->
    published, ...); a documented name wins over an alias of it."""
    out: dict = {}
    for key, value in row.items():
        name = str(key or "").strip().lower()
        name = _COLUMN_ALIASES.get(name, name)
        if name not in out or str(key).strip().lower() == name:
            out[name] = value
    return out


def _row_candidate(
    row: dict, where: str, source: str, language: str, store: Store
) -> Candidate | None:
    row = _columns(row)
    title, text = str(row.get("title") or "").strip(), str(row.get("text") or "").strip()
    title, text = plain_text(title), plain_text(text)
    if not title:  # a title alone is stored (marked not judged); a text needs its title
        missing = "title and text" if not text else "title"
        store.fail(Failure(where, "import", f"missing {missing}", source))
        return None
    published = None
    raw_date = str(row.get("published") or "").strip()
    if raw_date:
        published = _row_date(raw_date)
        if published is None:
            store.fail(
                Failure(
                    where,
                    "import",
                    f"unparseable published date, stored undated: {raw_date[:40]!r}",
                    source,
                )
            )
    return Candidate(
        url=str(row.get("url") or "").strip(),
        title=title,
        text=text,
        published=published,
        language=str(row.get("language") or "").strip()
        or (detect_language(text) if text else "")
        or language,
        source=str(row.get("source") or "").strip() or source,
        id=str(row.get("id") or "").strip() or None,
    )


def _jsonl_candidates(path: Path, source: str, language: str, store: Store) -> Iterator[Candidate]:
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError("not a JSON object")
            except ValueError as exc:
                store.fail(
                    Failure(f"{path}:{n}", "import", f"invalid JSON line: {str(exc)[:120]}", source)
                )
                continue
            cand = _row_candidate(row, f"{path}:{n}", source, language, store)
            if cand:
                yield cand


T = TypeVar("T")

# A CSV cell may hold a whole article (a long text pasted into a spreadsheet), more than the csv
# module's default cap of 128 KiB per field.
CSV_FIELD_LIMIT = 50_000_000


def _wide_fields(read: Callable[[], T]) -> T:
    """read() with the csv field cap raised to CSV_FIELD_LIMIT. The cap is process-wide (the csv
    module has no per-reader one), so it is restored at once: other code that reads CSV, also
    while an import is paused between two rows, keeps its own cap."""
    before = csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        return read()
    finally:
        csv.field_size_limit(before)


def _csv_candidates(path: Path, source: str, language: str, store: Store) -> Iterator[Candidate]:
    """Rows of a CSV file as written by scripts or by a spreadsheet: comma, semicolon (German
    Excel) or tab separated, as the header line shows; UTF-8 (with or without BOM), else
    Windows-1252 (Excel's "CSV" on German Windows)."""
    with path.open(encoding=_text_encoding(path), errors="replace", newline="") as fh:
        header = fh.readline()
        delimiter = max((",", ";", "\t"), key=lambda d: (header.count(d), d == ","))
        fh.seek(0)
        reader = csv.DictReader(fh, delimiter=delimiter)
        names = _wide_fields(lambda: reader.fieldnames) or ()
        columns = _columns({name: None for name in names})
        if "title" not in columns and "text" not in columns:  # one reason, not one per row
            found = ", ".join(map(str, names)) or "none"
            store.fail(
                Failure(str(path), "import", f"no title or text column (found {found})", source)
            )
            return
        while (row := _wide_fields(lambda: next(reader, None))) is not None:
            cand = _row_candidate(row, f"{path}:{reader.line_num}", source, language, store)
            if cand:
                yield cand


def _text_encoding(path: Path) -> str:
    """utf-8-sig if the whole file is UTF-8 (checked in 1 MB steps: nothing is held), else cp1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


_FRONT_DATE = re.compile(r"^(?:date|published|datum)\s*:\s*(\d{4}-\d{2}-\d{2})", re.I | re.M)


def _dir_candidates(
    files: list[Path], source: str, language: str, store: Store
) -> Iterator[Candidate]:
    """Local .html/.md/.txt files; the title is the first heading/line, the date from a
    `date: YYYY-MM-DD` line (Markdown front matter) or, for HTML, the page's metadata."""
    for path in files:
        suffix = path.suffix.lower()
        if suffix not in _PAGE_SUFFIXES:
            continue
        url = path.resolve().as_uri()
        if suffix in (".html", ".htm"):
            got = extract_article(path.read_bytes(), url)
            if isinstance(got, str):
                store.fail(Failure(str(path), "extract", got, source))
                continue
            yield Candidate(
                url=url,
                title=got.title or path.stem,
                text=got.text,
                published=got.published,
                language=got.language or language,
                source=source,
            )
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        match = _FRONT_DATE.search(raw[:2000])
        body = re.sub(r"\A---\n.*?\n---\n", "", raw, flags=re.S).strip()
        lines = body.splitlines()
        while lines and (not lines[0].strip() or _FRONT_DATE.match(lines[0])):
            lines.pop(0)  # "Date: 2026-08-01" above the title, without a --- block
        title = plain_text(lines[0]) if lines else path.stem
        text = plain_text("\n".join(lines[1:]))  # empty: a title only, stored as not judged
        published = _row_date(match.group(1)) if match else None
        if match and published is None:
            store.fail(
                Failure(
                    str(path),
                    "import",
                    f"unparseable published date, stored undated: {match.group(1)!r}",
                    source,
                )
            )
        yield Candidate(
            url=url,
            title=title,
            text=text,
            published=published,
            language=(detect_language(text) if text else "") or language,
            source=source,
        )
