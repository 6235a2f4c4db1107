"""The demo website behaves like the real sites collect meets (feeds, paging, 304, noise)."""

from __future__ import annotations

import httpx

from trends.collect.feeds import parse_feed
from trends.collect.sitemaps import parse_sitemap
from trends.demo.site import (
    BROKEN_LINKS,
    LATEST,
    PAGE_SIZE,
    load_articles,
    load_sources,
    serve,
    sources_yaml,
)


def test_corpus_files_are_well_formed():
    articles = load_articles()
    sources = {s["id"] for s in load_sources()}
    assert len({a.slug for a in articles}) == len(articles)
    assert all(
        a.source in sources and (a.syndicated_by is None or a.syndicated_by in sources)
        for a in articles
    )
    assert all(a.syndicated_by != a.source for a in articles)


def test_feeds_paging_sitemap_and_conditional_get():
    with serve() as site, httpx.Client() as http:
        base = site.base_url
        paged = next(s["id"] for s in load_sources() if s["paging"] == "paged")
        first = parse_feed(http.get(f"{base}/{paged}/feed.xml").content, f"{base}/{paged}/feed.xml")
        assert len(first.links) <= PAGE_SIZE
        total = len(site.site.feed_entries(paged))
        if total > PAGE_SIZE:
            assert first.next_url and "page=2" in first.next_url
        latest = next(s["id"] for s in load_sources() if s["paging"] == "latest")
        feed = parse_feed(http.get(f"{base}/{latest}/feed.xml").content, "x")
        smap = parse_sitemap(http.get(f"{base}/{latest}/sitemap.xml").content, "x")
        assert len(feed.links) <= LATEST and len(smap.links) == len(site.site.feed_entries(latest))
        resp = http.get(f"{base}/{paged}/feed.xml")
        again = http.get(
            f"{base}/{paged}/feed.xml", headers={"If-None-Match": resp.headers["etag"]}
        )
        assert again.status_code == 304
        assert "Disallow" in http.get(f"{base}/robots.txt").text


def test_article_pages_carry_boilerplate_and_planted_faults():
    a = (
        next(a for a in load_articles() if a.syndicated_by)
        if any(x.syndicated_by for x in load_articles())
        else load_articles()[0]
    )
    with serve() as site, httpx.Client() as http:
        page = http.get(f"{site.base_url}/{a.source}/{a.slug}.html").text
        assert "cookie" in page.lower() and "Kommentar" in page and "Impressum" in page
        assert a.text.split()[0] in page
        if a.syndicated_by:
            copy = http.get(f"{site.base_url}/{a.syndicated_by}/{a.slug}.html").text
            assert "Pressemitteilung der Quelle" in copy
        for sid, slug, status in BROKEN_LINKS:
            assert http.get(f"{site.base_url}/{sid}/{slug}.html").status_code == status
        wrong = next(s["id"] for s in load_sources() if s.get("charset") == "wrong")
        body = http.get(f"{site.base_url}/{wrong}/feed.xml").content
        try:
            body.decode("utf-8")
            decodes = True
        except UnicodeDecodeError:
            decodes = False
        umlauts = any(
            ch in x.title for x in load_articles() if x.source == wrong for ch in "äöüÄÖÜß"
        )
        # the source's titles have umlauts, so its feed in another charset cannot pass as UTF-8
        assert umlauts and not decodes


def test_sources_yaml_for_the_demo_is_valid(tmp_path):
    from trends.config import load_sources as load_config

    path = tmp_path / "sources.yaml"
    path.write_text(sources_yaml("http://127.0.0.1:8123"), encoding="utf-8")
    config = load_config(path)
    assert not config.errors and len(config.sources) == len(load_sources()) >= 12
    assert config.defaults.allow_private_hosts
