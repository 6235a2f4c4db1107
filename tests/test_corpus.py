"""The corpus store: schema upgrades keep a user's articles; quarters come from relevant, dated ones."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from trends.corpus import _MIGRATIONS, Corpus, _statements
from trends.records import Article


def _add(corpus: Corpus, aid: str, published: dt.date | None, relevant: bool = True) -> None:
    article = Article(
        id=aid,
        title=f"Bürgerportal {aid}",
        text="Die Stadt Soest startet das neue Bürgerportal mit dem digitalen Parkausweis.",
        published=published,
        source="soest",
        url=f"https://example.org/{aid}",
        language="de",
        relevant=relevant,
    )
    corpus.add_article(article, url_key=article.url, content_hash=aid, minhash=None, run_id=None)


def test_a_corpus_from_before_the_analysis_table_is_upgraded_and_keeps_its_articles(tmp_path):
    path = tmp_path / "corpus.sqlite"
    old = sqlite3.connect(path)
    for script in _MIGRATIONS[:2]:  # the schema as released before migration 3
        for statement in _statements(script):
            old.execute(statement)
    old.execute("PRAGMA user_version=2")
    old.execute(
        "INSERT INTO articles(id, url, url_key, title, text, published, quarter, source, "
        "content_hash, fetched_at, analysis, analysis_version) VALUES ('a1', 'u', 'u', "
        "'Bürgerportal', 'Das Bürgerportal ist online.', '2026-08-01', '2026Q3', 's', 'h', '', "
        "'{}', 'nlp-2')"
    )
    old.commit()
    old.close()

    with Corpus(path) as corpus:
        assert corpus.db.execute("PRAGMA user_version").fetchone()[0] == len(_MIGRATIONS)
        columns = {r[1] for r in corpus.db.execute("PRAGMA table_info(articles)")}
        assert "analysis" not in columns and "analysis_version" not in columns
        assert [a.id for a in corpus.articles()] == ["a1"]
        assert [a.id for a, _ in corpus.search("Bürgerportal")] == ["a1"]  # FTS still in step
        assert corpus.integrity_ok()
        corpus.store_analysis([("a1", ("{}", "Bürgerportal", "[]"))], "v")
        assert corpus.analysis_of(["a1"], "v", "lemmas") == {"a1": "Bürgerportal"}
        assert corpus.analysis_of(["a1"], "other version", "lemmas") == {}


def test_quarters_are_those_of_relevant_dated_articles(tmp_path):
    with Corpus(tmp_path / "corpus.sqlite") as corpus:
        _add(corpus, "a", dt.date(2026, 2, 1))
        _add(
            corpus, "b", dt.date(2026, 8, 1), relevant=False
        )  # off-topic: not a quarter of its own
        _add(corpus, "c", dt.date(2025, 11, 3))
        _add(corpus, "d", None)
        _add(corpus, "e", dt.date(2026, 2, 9), relevant=False)
        assert corpus.quarters() == ["2025Q4", "2026Q1"]
        # the window that analyze loads is read from an index, not from rows that hold texts
        statements: list[str] = []
        corpus.db.set_trace_callback(statements.append)
        window = list(corpus.articles(quarters=["2026Q1"], dated_only=True, with_text=False))
        corpus.db.set_trace_callback(None)
        assert [a.id for a in window] == ["a"]
        plan = corpus.db.execute(f"EXPLAIN QUERY PLAN {statements[-1]}").fetchall()
        assert any("COVERING INDEX articles_meta" in row[3] for row in plan), plan


def test_two_letter_words_use_the_word_index_and_an_older_corpus_reads_without_it(tmp_path):
    texts = {
        "k1": ("KI-Assistent im Bürgerbüro", "Die Stadt testet einen KI-Assistenten."),
        "k2": ("Neue Kita eröffnet", "Die Kita hat 80 Plätze."),
        "k3": ("Förderung", "Die EU und das Land fördern KI in Kommunen."),
    }

    def fill(corpus: Corpus) -> None:
        for aid, (title, text) in texts.items():
            art = Article(
                id=aid, url=f"https://x.example/{aid}", title=title, text=text,
                published=dt.date(2026, 8, 1), source="s", language="de",
            )  # fmt: skip
            corpus.add_article(art, url_key=art.url, content_hash=aid, minhash=None, run_id=None)

    with Corpus(tmp_path / "new.sqlite") as corpus:
        fill(corpus)
        assert corpus._has_word_index()
        assert sorted(a.id for a, _ in corpus.search("KI")) == ["k1", "k3"]
        assert [a.id for a, _ in corpus.search("KI EU")] == ["k3"]
        assert [a.id for a, _ in corpus.search("KI Assistent")] == ["k1"]
    # schema 4 (before the word index), read-only: the same answers from the texts, nothing migrated
    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    for script in _MIGRATIONS[:4]:
        for statement in _statements(script):
            old.execute(statement)
    old.execute("PRAGMA user_version=4")
    old.commit()
    old.close()
    with Corpus(path) as corpus:  # fill through the current code, then take the index away again
        fill(corpus)
        corpus.db.execute("DROP TABLE articles_words")
        for name in ("ai", "ad", "au"):
            corpus.db.execute(f"DROP TRIGGER articles_words_{name}")
        corpus.db.execute("PRAGMA user_version=4")
    with Corpus(path, readonly=True) as corpus:
        assert not corpus._has_word_index()
        assert sorted(a.id for a, _ in corpus.search("KI")) == ["k1", "k3"]
        with pytest.raises(sqlite3.OperationalError):
            corpus.db.execute("DELETE FROM articles")
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 4
