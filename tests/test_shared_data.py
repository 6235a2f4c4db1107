"""Collection survives real-world feeds and pages (data in ../shared/data; skipped when absent)."""

from __future__ import annotations

import json
import re

import pytest
from conftest import SHARED_DATA, rss

from trends.collect.extract import extract_article
from trends.collect.feeds import parse_feed
from trends.collect.run import collect
from trends.config import load_sources
from trends.corpus import Corpus

FEEDS = SHARED_DATA / "feeds"
pytestmark = pytest.mark.skipif(not FEEDS.exists(), reason="../shared/data is not present")


def feed_files():
    return sorted(p for p in FEEDS.rglob("*") if p.is_file() and not p.name.startswith("LICENSE"))


@pytest.mark.slow
def test_every_real_feed_yields_entries_or_a_clear_failure():
    files = feed_files()
    assert len(files) > 100
    with_links = 0
    for path in files:
        body = path.read_bytes()
        header = re.search(rb"Header:\s+Content-type:\s*([^\n]+)", body[:600], re.I)
        ctype = header.group(1).strip().decode() if header else ""
        page = parse_feed(body, f"file://{path}", ctype)  # must never raise
        assert all(f.reason and "\n" not in f.reason for f in page.failures), path
        with_links += bool(page.links)
        # feedparser's fixtures state what a parser should see; "bozo" must surface as a failure row
        if b"Expect:      bozo" in body[:400]:
            assert page.failures, f"{path.name}: malformed, but no failure recorded"
    assert with_links >= 60


@pytest.mark.slow
def test_feeds_with_expected_bozo_give_a_failure_row(site, workspace):
    bozo = [
        p
        for p in (FEEDS / "feedparser-illformed").rglob("*.xml")
        if b"Expect:      bozo" in p.read_bytes()[:400]
    ]
    assert bozo
    for i, path in enumerate(bozo[:10]):
        site.page(f"/f{i}", path.read_bytes(), "application/xml")
    workspace.sources(
        "".join(
            f"  - {{id: f{i}, kind: feed, url: '{site.base}/f{i}'}}\n"
            for i in range(len(bozo[:10]))
        )
    )
    with Corpus(workspace.root / "c.sqlite") as corpus:
        collect(load_sources(workspace.root / "sources.yaml"), corpus)
        failures = corpus.failures()
    assert {f.source for f in failures} == {f"f{i}" for i in range(len(bozo[:10]))}


GOLD = SHARED_DATA / "extraction_de" / "gold.json"


@pytest.mark.slow
@pytest.mark.skipif(not GOLD.exists(), reason="extraction_de is not present")
def test_extraction_floor_on_german_pages():
    """Share of gold snippets handled right; scripts/eval_extraction.py prints the full figures."""
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    items = sorted(gold.items())[:80]
    good = total = 0
    for url, item in items:
        got = extract_article((GOLD.parent / item["file"]).read_bytes(), url)
        text = got.text if not isinstance(got, str) else ""
        good += sum(s in text for s in item.get("with", [])) + sum(
            s not in text for s in item.get("without", [])
        )
        total += len(item.get("with", [])) + len(item.get("without", []))
    assert good / total >= 0.80, good / total


def test_rss_helper_is_valid():
    page = parse_feed(
        rss([("t", "/a", "Tue, 04 Mar 2025 10:00:00 +0100")], "http://x").encode(), "http://x/feed"
    )
    assert [lk.url for lk in page.links] == ["http://x/a"]
