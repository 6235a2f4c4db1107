"""The corpus: one SQLite file (WAL) with articles, URL aliases, HTTP cache, failures and runs.

Each article is written in its own transaction, so a killed run leaves every finished article in
place and nothing half-written; the next run skips what is stored (by URL key) and goes on.
Schema changes are numbered migrations in `_MIGRATIONS`; never edit an old one, append a new one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from trends.records import Article, Failure, quarter_of

if TYPE_CHECKING:
    from trends.collect.dedup import NearDuplicateIndex

_MIGRATIONS: list[str] = [
    # 1: initial schema
    """
    CREATE TABLE sources (
        id TEXT PRIMARY KEY, name TEXT, kind TEXT, type TEXT, region TEXT,
        url TEXT, language TEXT, tags TEXT
    );
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        url TEXT, url_key TEXT UNIQUE,
        title TEXT NOT NULL, text TEXT NOT NULL,
        published TEXT, quarter TEXT,
        source TEXT NOT NULL, language TEXT, relevant INTEGER NOT NULL DEFAULT 1,
        content_hash TEXT NOT NULL, minhash BLOB,
        fetched_at TEXT NOT NULL, run_id INTEGER,
        analysis TEXT, analysis_version TEXT
    );
    CREATE INDEX articles_hash ON articles(content_hash);
    CREATE INDEX articles_quarter ON articles(quarter);
    CREATE INDEX articles_source ON articles(source);
    CREATE TABLE aliases (
        url_key TEXT PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id),
        url TEXT, source TEXT, kind TEXT NOT NULL, seen_at TEXT
    );
    CREATE INDEX aliases_article ON aliases(article_id);
    CREATE TABLE http_cache (
        url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, status INTEGER, fetched_at TEXT
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY, command TEXT, started TEXT, finished TEXT, stats TEXT
    );
    CREATE TABLE failures (
        id INTEGER PRIMARY KEY, run_id INTEGER, url TEXT, source TEXT, stage TEXT,
        reason TEXT, at TEXT
    );
    CREATE INDEX failures_run ON failures(run_id);
    """,
    # 2: full-text search. Trigram tokens match inside words, so "Parkausweis" finds
    # "Bewohnerparkausweise" (German compounds and inflections) without a stemmer.
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='rowid', tokenize='trigram'
    );
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
    END;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
    """,
    # 3: the per-article analysis cache in a table of its own, one column per part: reading the
    # places of 100k articles no longer scans their texts, and the topic fit reads lemmas without
    # parsing signals. The old one-JSON cache is dropped (analysis reruns it once).
    """
    CREATE TABLE analysis (
        id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        version TEXT NOT NULL,
        places TEXT NOT NULL, lemmas TEXT NOT NULL, signals TEXT NOT NULL
    );
    ALTER TABLE articles DROP COLUMN analysis;
    ALTER TABLE articles DROP COLUMN analysis_version;
    """,
    # 4: a covering index for the metadata that analysis and the adviser views read: without it
    # every row is read past its text (100k articles: 4 s from disk, 0.7 s with the index)
    """
    CREATE INDEX articles_meta
        ON articles(quarter, relevant, published, id, title, source, url, language);
    """,
    # 5: a word index beside the trigram one, for two-letter words ("KI", "5G", "EU") that
    # trigrams cannot find: without it such a search read every text (10k articles: 2.2 s)
    """
    CREATE VIRTUAL TABLE articles_words USING fts5(
        title, text, content='articles', content_rowid='rowid', tokenize='unicode61'
    );
    CREATE TRIGGER articles_words_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_words(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    CREATE TRIGGER articles_words_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_words(articles_words, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
    END;
    CREATE TRIGGER articles_words_au AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_words(articles_words, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
        INSERT INTO articles_words(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    INSERT INTO articles_words(articles_words) VALUES ('rebuild');
    """,
    # 6: relevance as a judgement on the text (trends.relevance): `relevance` is the model's score
    # (NULL = not judged: no text beyond a title, or a language it does not know), `relevance_model`
    # the model that judged (NULL = stored before this migration: judged on the next analyze),
    # `source_filter` what the source's `filter` said (until now that was `relevant`). `relevant`
    # stays what analysis reads: the decision of `relevance.Policy.decide` over all three.
    """
    ALTER TABLE articles ADD COLUMN relevance REAL;
    ALTER TABLE articles ADD COLUMN relevance_model TEXT;
    ALTER TABLE articles ADD COLUMN source_filter INTEGER NOT NULL DEFAULT 1;
    UPDATE articles SET source_filter = relevant;
    """,
]
ANALYSIS_PARTS = ("places", "lemmas", "signals")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Corpus:
    """A handle on corpus.sqlite. Use as a context manager; not shared between threads."""

    def __init__(self, path: str | Path, *, readonly: bool = False):
        """`readonly`: for readers that must never write the file (the adviser views and `trends
        serve`): SQLite refuses every write, and an older schema is read as it is, not migrated."""
        self.path = Path(path)
        self._word_index: bool | None = None
        if readonly:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            self.db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        # what `search` asks of two-letter words, which the trigram index cannot find
        self.db.create_function("trends_has_words", 3, _has_words, deterministic=True)
        self.db.create_function("trends_mentions", 3, _mentions, deterministic=True)
        if readonly:  # an older schema is read as it is (search goes without the word index)
            return
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives a killed process
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(script):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={number}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    # -- runs, failures, sources ----------------------------------------------------------------
    def start_run(self, command: str) -> int:
        cur = self.db.execute("INSERT INTO runs(command, started) VALUES (?, ?)", (command, _now()))
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, stats: dict) -> None:
        self.db.execute(
            "UPDATE runs SET finished=?, stats=? WHERE id=?",
            (_now(), json.dumps(stats, sort_keys=True), run_id),
        )

    def add_failure(self, run_id: int, failure: Failure) -> None:
        self.db.execute(
            "INSERT INTO failures(run_id, url, source, stage, reason, at) VALUES (?,?,?,?,?,?)",
            (run_id, failure.url, failure.source, failure.stage, failure.reason, _now()),
        )

    def upsert_source(
        self,
        *,
        id: str,
        name: str,
        kind: str,
        type: str,
        region: str,
        url: str,
        language: str,
        tags: Iterable[str],
    ) -> None:
        self.db.execute(
            "INSERT INTO sources VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
            "name=excluded.name, kind=excluded.kind, type=excluded.type, region=excluded.region, "
            "url=excluded.url, language=excluded.language, tags=excluded.tags",
            (id, name, kind, type, region, url, language, json.dumps(list(tags))),
        )

    def sources(self) -> dict[str, dict]:
        return {r["id"]: dict(r) for r in self.db.execute("SELECT * FROM sources")}

    # -- HTTP cache -----------------------------------------------------------------------------
    def http_cache(self) -> dict[str, tuple[str | None, str | None]]:
        """url -> (etag, last_modified), read once per run (worker threads must not touch SQLite)."""
        rows = self.db.execute("SELECT url, etag, last_modified FROM http_cache")
        return {r["url"]: (r["etag"], r["last_modified"]) for r in rows}

    def set_http_cache(
        self, url: str, etag: str | None, last_modified: str | None, status: int
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO http_cache VALUES (?,?,?,?,?)",
            (url, etag, last_modified, status, _now()),
        )

    # -- articles -------------------------------------------------------------------------------
    def known(self, url_key: str) -> str | None:
        """The article id stored under this URL key (directly or as an alias), else None."""
        row = self.db.execute(
            "SELECT id FROM articles WHERE url_key=? UNION ALL "
            "SELECT article_id FROM aliases WHERE url_key=? LIMIT 1",
            (url_key, url_key),
        ).fetchone()
        return row[0] if row else None

    def by_content_hash(self, digest: str) -> str | None:
        row = self.db.execute(
            "SELECT id FROM articles WHERE content_hash=? LIMIT 1", (digest,)
        ).fetchone()
        return row[0] if row else None

    def near_duplicate_index(self) -> NearDuplicateIndex:
        # imported here: the views open the corpus too, and courlan/numpy/datasketch cost 0.4 s
        from trends.collect.dedup import NearDuplicateIndex, from_signature

        index = NearDuplicateIndex()
        for row in self.db.execute("SELECT id, minhash FROM articles WHERE minhash IS NOT NULL"):
            index.add(row["id"], from_signature(row["minhash"]))
        return index

    def add_article(
        self,
        article: Article,
        *,
        url_key: str,
        content_hash: str,
        minhash: bytes | None,
        run_id: int | None,
        relevance_model: str | None = None,
        source_filter: bool = True,
    ) -> None:
        """Insert one article in its own transaction (a crash never leaves half of one).
        `article.relevance` is stored as judged by `relevance_model` (None: not judged yet)."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute(
                "INSERT INTO articles(id, url, url_key, title, text, published, quarter, source, "
                "language, relevant, content_hash, minhash, fetched_at, run_id, relevance, "
                "relevance_model, source_filter) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    article.id,
                    article.url,
                    url_key,
                    article.title,
                    article.text,
                    article.published.isoformat() if article.published else None,
                    article.quarter or None,
                    article.source,
                    article.language,
                    int(article.relevant),
                    content_hash,
                    minhash,
                    _now(),
                    run_id,
                    article.relevance,
                    relevance_model,
                    int(source_filter),
                ),
            )

    def add_alias(self, url_key: str, article_id: str, *, url: str, source: str, kind: str) -> bool:
        """Record that `url` (from `source`) is the stored article; False if already recorded."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO aliases VALUES (?,?,?,?,?,?)",
            (url_key, article_id, url, source, kind, _now()),
        )
        return cur.rowcount > 0

    def count(self, *, relevant_only: bool = False) -> int:
        where = " WHERE relevant=1" if relevant_only else ""
        return self.db.execute(f"SELECT COUNT(*) FROM articles{where}").fetchone()[0]

    def articles(
        self,
        *,
        quarters: Iterable[str] | None = None,
        relevant_only: bool = True,
        dated_only: bool = False,
        with_text: bool = True,
    ) -> Iterator[Article]:
        """Stored articles in a stable order (published, id). `with_text=False` leaves `text`
        empty, so a large window fits in memory (fetch texts in batches with `texts()`)."""
        columns = (
            "*"
            if with_text
            # only what the covering index holds (the score is not needed without the text)
            else "id, title, '' AS text, published, source, url, language, relevant, "
            "NULL AS relevance"
        )
        sql, args = f"SELECT {columns} FROM articles WHERE 1=1", []
        if relevant_only:
            sql += " AND relevant=1"
        if dated_only:
            sql += " AND published IS NOT NULL"
        if quarters is not None:
            qs = list(quarters)
            sql += f" AND quarter IN ({','.join('?' * len(qs))})"
            args += qs
        sql += " ORDER BY published, id"
        for row in self.db.execute(sql, args):
            yield _article(row)

    def quarters(self) -> list[str]:
        """The quarters that have dated, relevant articles, oldest first."""
        # distinct quarters from the index, then one matching row each: filtering every row
        # read past each article's text (5 s on 100k articles)
        rows = self.db.execute(
            "SELECT q.quarter FROM (SELECT DISTINCT quarter FROM articles) q WHERE EXISTS "
            "(SELECT 1 FROM articles a WHERE a.quarter = q.quarter AND a.relevant = 1 "
            "AND a.published IS NOT NULL) ORDER BY q.quarter"
        )
        return [r[0] for r in rows]

    def date_span(self) -> tuple[dt.date, dt.date] | None:
        """First and last publication date of any dated article (relevant or not): how far the
        collection reaches, which decides whether a quarter is covered to its end."""
        row = self.db.execute(
            "SELECT MIN(published), MAX(published) FROM articles WHERE published IS NOT NULL"
        ).fetchone()
        if not row or row[0] is None:
            return None
        return dt.date.fromisoformat(row[0][:10]), dt.date.fromisoformat(row[1][:10])

    def seen_in(self) -> dict[str, set[str]]:
        """article id -> every source that published it (own source plus syndicating ones)."""
        out: dict[str, set[str]] = {}
        for row in self.db.execute(
            "SELECT id, source FROM articles UNION SELECT article_id, source FROM aliases "
            "WHERE source IS NOT NULL AND source != ''"
        ):
            out.setdefault(row[0], set()).add(row[1])
        return out

    # -- relevance (trends.relevance decides; these only read and write) -------------------------
    def relevance_rows(self) -> Iterator[sqlite3.Row]:
        """id, url, source, quarter, relevance, source_filter, relevant of every article (no
        texts)."""
        yield from self.db.execute(
            "SELECT id, url, source, quarter, relevance, source_filter, relevant FROM articles "
            "ORDER BY id"
        )

    def unjudged(self, model_id: str) -> list[str]:
        """Ids of articles not judged by this model (stored before it, or by an older one)."""
        rows = self.db.execute(
            "SELECT id FROM articles WHERE relevance_model IS NULL OR relevance_model != ? "
            "ORDER BY id",
            (model_id,),
        )
        return [r[0] for r in rows]

    def set_relevance(self, items: Iterable[tuple[str, float | None]], model_id: str) -> None:
        """Store (id, score) as judged by `model_id`, in one transaction."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "UPDATE articles SET relevance=?, relevance_model=? WHERE id=?",
                [(score, model_id, aid) for aid, score in items],
            )

    def set_relevant(self, items: Iterable[tuple[str, bool]]) -> None:
        """Store the decision (id, counts in analysis) of `relevance.Policy.decide`."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "UPDATE articles SET relevant=? WHERE id=?",
                [(int(rel), aid) for aid, rel in items],
            )

    # -- status ---------------------------------------------------------------------------------
    def counts_by_source_quarter(self) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT source, COALESCE(quarter, 'undated') AS quarter, COUNT(*) AS n, "
            "SUM(relevant) AS relevant FROM articles GROUP BY source, quarter ORDER BY source, quarter"
        ).fetchall()

    def last_run(self, command: str | None = None) -> sqlite3.Row | None:
        sql = (
            "SELECT * FROM runs"
            + (" WHERE command=?" if command else "")
            + " ORDER BY id DESC LIMIT 1"
        )
        return self.db.execute(sql, (command,) if command else ()).fetchone()

    def finished_runs(self, command: str, limit: int = 500) -> list[sqlite3.Row]:
        """The latest finished runs of a command (id, started, finished, stats), newest first; a
        killed run never finished and has no stats."""
        return self.db.execute(
            "SELECT * FROM runs WHERE command=? AND finished IS NOT NULL ORDER BY id DESC LIMIT ?",
            (command, limit),
        ).fetchall()

    def last_failures_by_source(self) -> dict[str, sqlite3.Row]:
        """source -> its latest failure row (reason, stage, url, at, run_id)."""
        rows = self.db.execute(
            "SELECT f.* FROM failures f JOIN (SELECT source, MAX(id) AS id FROM failures "
            "GROUP BY source) m ON f.id = m.id"
        )
        return {r["source"] or "": r for r in rows}

    def publication_dates(self, source: str, limit: int) -> list[dt.date]:
        """The newest `limit` distinct publication dates of a source's articles, newest first,
        counting articles it shared with another source (stored once, under the other one)."""
        rows = self.db.execute(
            "SELECT DISTINCT published FROM (SELECT published FROM articles WHERE source=? "
            "UNION ALL SELECT a.published FROM aliases al JOIN articles a ON a.id = al.article_id "
            "WHERE al.source=?) WHERE published IS NOT NULL ORDER BY published DESC LIMIT ?",
            (source, source, limit),
        )
        return [dt.date.fromisoformat(r[0]) for r in rows]

    def articles_since_run(self, run_id: int) -> list[sqlite3.Row]:
        """Articles stored by runs after `run_id` (id, title, url, published, source, relevant),
        by source and date: what is new since then."""
        return self.db.execute(
            "SELECT id, title, url, published, source, relevant FROM articles WHERE run_id > ? "
            "ORDER BY source, published DESC, title",
            (run_id,),
        ).fetchall()

    def failures_by_reason(self, run_id: int | None = None) -> list[sqlite3.Row]:
        """Failure counts grouped by stage and the reason's kind (text before the first ':')."""
        where, args = ("WHERE run_id=?", (run_id,)) if run_id is not None else ("", ())
        return self.db.execute(
            "SELECT stage, CASE WHEN instr(reason, ':') > 0 THEN substr(reason, 1, instr(reason, ':') - 1) "
            f"ELSE reason END AS kind, COUNT(*) AS n FROM failures {where} GROUP BY stage, kind "
            "ORDER BY n DESC, stage, kind",
            args,
        ).fetchall()

    def failures(self, run_id: int | None = None) -> list[Failure]:
        where, args = ("WHERE run_id=?", (run_id,)) if run_id is not None else ("", ())
        return [
            Failure(r["url"], r["stage"], r["reason"], r["source"] or "")
            for r in self.db.execute(f"SELECT * FROM failures {where} ORDER BY id", args)
        ]

    def search(
        self,
        query: str,
        *,
        since: dt.date | None = None,
        source: str | None = None,
        limit: int = 20,
    ) -> list[tuple[Article, float]]:
        """Ranked full-text search (BM25, title weighted 3x); [] for a query with no usable words.
        Two-letter words ("KI", "5G", "EU") cannot use the trigram index: they must stand as a
        word or a compound's part ("KI-Assistent", not "Kita"), checked on the text itself (a scan
        of the corpus when the query has no longer word)."""
        match = fts_query(query)
        short = short_words(query)
        if match is None and not short:
            return []
        words = " ".join('"' + w.replace('"', '""') + '"' for w in short)
        if match is not None:
            sql = (
                "SELECT a.*, bm25(articles_fts, 3.0, 1.0) AS score FROM articles_fts "
                "JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ?"
            )
            args: list = [match]
            if short and self._has_word_index():  # only the rows whose words include them
                sql += " AND a.rowid IN (SELECT rowid FROM articles_words WHERE articles_words MATCH ?)"
                args.append(words)
        elif self._has_word_index():  # two-letter words only: ranked by the word index
            sql = (
                "SELECT a.*, bm25(articles_words, 3.0, 1.0) AS score FROM articles_words "
                "JOIN articles a ON a.rowid = articles_words.rowid WHERE articles_words MATCH ?"
            )
            args = [words]
        else:  # no index to rank by: more mentions (a title's counting 3x) rank higher
            sql = (
                "SELECT a.*, -trends_mentions(a.title, a.text, ?) AS score FROM articles a WHERE 1"
            )
            args = [" ".join(short)]
        if short:  # the index's words are close; the text decides ("KI-Assistent", not "Kita")
            sql += " AND trends_has_words(a.title, a.text, ?)"
            args.append(" ".join(short))
        if since:
            sql += " AND a.published >= ?"
            args.append(since.isoformat())
        if source:
            sql += " AND a.source = ?"
            args.append(source)
        sql += " ORDER BY score, a.published DESC LIMIT ?"
        args.append(limit)
        return [(_article(r), -float(r["score"])) for r in self.db.execute(sql, args)]

    def _has_word_index(self) -> bool:
        """Migration 5 ran (a read-only handle on an older corpus has no word index)."""
        if self._word_index is None:
            self._word_index = bool(
                self.db.execute(
                    "SELECT 1 FROM sqlite_master WHERE name='articles_words'"
                ).fetchone()
            )
        return self._word_index

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # -- per-article analysis cache ---------------------------------------------------------------
    def _by_ids(self, sql: str, ids: list[str], *args: object) -> Iterator[sqlite3.Row]:
        """Rows of `sql` (which ends in "id IN ({})") for many ids, in chunks SQLite accepts."""
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            chunk = ids[start : start + 500]
            yield from self.db.execute(sql.format(",".join("?" * len(chunk))), [*args, *chunk])

    def texts(self, ids: list[str]) -> dict[str, tuple[str, str, str]]:
        """id -> (title, text, language) for the given ids."""
        rows = self._by_ids("SELECT id, title, text, language FROM articles WHERE id IN ({})", ids)
        return {r[0]: (r[1], r[2], r[3] or "") for r in rows}

    def records(self, ids: list[str]) -> dict[str, dict]:
        """id -> the stored article with when it was collected (fetched_at), for the report's
        archive pages and citations."""
        sql = (
            "SELECT id, url, title, text, published, source, language, fetched_at "
            "FROM articles WHERE id IN ({})"
        )
        return {r["id"]: dict(r) for r in self._by_ids(sql, ids)}

    def analysis_of(self, ids: list[str], version: str, part: str) -> dict[str, str]:
        """id -> one cached part ("places", "lemmas" or "signals") of these articles' analysis
        (`version` only)."""
        if part not in ANALYSIS_PARTS:
            raise ValueError(f"unknown analysis part {part!r}")
        rows = self._by_ids(
            f"SELECT id, {part} FROM analysis WHERE version=? AND id IN ({{}})", ids, version
        )
        return {r[0]: r[1] for r in rows}

    def analysis_places(self, version: str) -> Iterator[tuple[str, str]]:
        """(id, cached "places" part) of every article analysed with `version`."""
        yield from self.db.execute("SELECT id, places FROM analysis WHERE version=?", (version,))

    def store_analysis(
        self, items: Iterable[tuple[str, tuple[str, str, str]]], version: str
    ) -> None:
        """Store (id, (places, lemmas, signals)) per article, replacing older versions."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR REPLACE INTO analysis(id, version, places, lemmas, signals) "
                "VALUES (?,?,?,?,?)",
                [(aid, version, *parts) for aid, parts in items],
            )


def _statements(script: str) -> Iterator[str]:
    """Split a migration into statements (triggers contain ';' inside BEGIN ... END)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer
            buffer = ""
    if buffer.strip():
        yield buffer


# Not searched for: FTS operators typed by users, and function words that would make every
# query require them (all words are required).
_QUERY_SKIP = frozenset(
    [
        "and",
        "or",
        "not",
        "near",
        "und",
        "oder",
        "nicht",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "ein",
        "eine",
        "einer",
        "für",
        "mit",
        "von",
        "vom",
        "zum",
        "zur",
        "bei",
        "auf",
        "aus",
        "the",
        "for",
        "with",
        "from",
    ]
)


def short_words(query: str) -> list[str]:
    """The query's two-character words (KI, 5G, EU): too short for the trigram index."""
    return [w for w in re.findall(r"\w+", query.lower()) if len(w) == 2 and w not in _QUERY_SKIP]


@lru_cache(maxsize=256)
def word_pattern(word: str) -> re.Pattern:
    """`word` as a word or a compound's part, any case: not touching a letter or digit
    ("KI" finds "KI-Assistent", not "Kita")."""
    return re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", re.I)


def find_word(word: str, lowered: str) -> re.Match | None:
    """Where a (lower-case) query word stands in lower-case text, as search matches it: a
    two-letter word as a word or a compound's part ("ki" in "ki-assistent", not in "kita"),
    a longer one anywhere ("parkausweis" in "bewohnerparkausweise")."""
    return next(find_words(word, lowered), None)


def find_words(word: str, lowered: str) -> Iterator[re.Match]:
    """Every place `find_word` would find, left to right (to highlight all hits)."""
    pattern = word_pattern(word) if len(word) == 2 else re.compile(re.escape(word))
    return pattern.finditer(lowered)


def _has_words(title: str, text: str, words: str) -> bool:
    return all(word_pattern(w).search(title) or word_pattern(w).search(text) for w in words.split())


def _mentions(title: str, text: str, words: str) -> int:
    return sum(
        3 * len(word_pattern(w).findall(title)) + len(word_pattern(w).findall(text))
        for w in words.split()
    )


def fts_query(query: str) -> str | None:
    """User words -> an FTS5 query: each word a quoted phrase (so FTS syntax in the input is inert),
    all required. Words under 3 characters cannot match trigrams and are dropped; None if none left."""
    words = [w.strip(".-") for w in re.findall(r"[\w.-]+", query.lower())]
    words = [w for w in words if len(w) >= 3 and w not in _QUERY_SKIP]
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _article(row: sqlite3.Row) -> Article:
    published = dt.date.fromisoformat(row["published"]) if row["published"] else None
    return Article(
        id=row["id"],
        title=row["title"],
        text=row["text"],
        published=published,
        source=row["source"],
        url=row["url"] or "",
        language=row["language"] or "",
        relevant=bool(row["relevant"]),
        relevance=row["relevance"],
    )


__all__ = ["Corpus", "quarter_of"]
