"""Benchmark `collect` against the local demo site with N generated articles.

Prints, for each N: articles/s, wall seconds, peak RSS of this process (server included), requests
per host per second (the busiest 1-second window, to show the per-host delay holds), and the time and
request count of a second run where nothing changed (one conditional request per feed).

    python scripts/bench_collect.py            # N = 100 and 2000, delay 0 (throughput)
    python scripts/bench_collect.py --delay 0.05 --sizes 100   # politeness: <= 20 requests/s
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path

from trends.collect.fetch import Fetcher
from trends.collect.run import collect
from trends.config import load_sources
from trends.corpus import Corpus
from trends.demo.site import DemoArticle, load_articles, serve, sources_yaml
from trends.demo.site import load_sources as demo_sources


def generate(n: int, seed: int = 0) -> tuple[DemoArticle, ...]:
    """N articles of ~250 words recombined from the demo corpus's sentences, spread over 8 quarters."""
    rng = random.Random(seed)
    sentences = [
        s.strip() + "."
        for a in load_articles()
        for s in a.text.replace("\n", " ").split(". ")
        if len(s) > 40
    ]
    sources = [s["id"] for s in demo_sources()]
    start = dt.date(2024, 10, 1)
    out = []
    for i in range(n):
        body = " ".join(rng.sample(sentences, 14))
        paragraphs = "\n\n".join(body[j : j + 600] for j in range(0, len(body), 600))
        out.append(
            DemoArticle(
                slug=f"bench-{i}",
                source=sources[i % len(sources)],
                published=start + dt.timedelta(days=rng.randrange(730)),
                language="de",
                title=f"Meldung {i}: {body[:60]}",
                text=f"Meldung Nummer {i}.\n\n{paragraphs}",
                topics=(),
                stage="none",
                municipalities=(),
            )
        )
    return tuple(out)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] < t - 1.0:
            j += 1
        best = max(best, i - j + 1)
    return best


def bench(n: int, delay: float) -> None:
    articles = generate(n)
    with tempfile.TemporaryDirectory() as tmp, serve(articles=articles) as site:
        ws = Path(tmp)
        text = sources_yaml(site.base_url).replace("  delay: 0", f"  delay: {delay}")
        text = text.replace("max_articles: 500", "max_articles: 100000").replace(
            "max_pages: 20", "max_pages: 1000"
        )
        (ws / "sources.yaml").write_text(text)
        config = load_sources(ws / "sources.yaml")
        fetcher = Fetcher(config.defaults)
        with Corpus(ws / "corpus.sqlite") as corpus:
            t = time.perf_counter()
            stats = collect(config, corpus, fetcher=fetcher)
            first = time.perf_counter() - t
            req_first = site.requests
            t = time.perf_counter()
            stats2 = collect(config, corpus)
            second = time.perf_counter() - t
        per_host = {h: busiest_second(ts) for h, ts in fetcher.requests_by_host.items()}
        fetcher.close()
    hosts = Counter(per_host)
    print(
        f"N={n:>5} delay={delay}: {stats.new} new, {stats.duplicates} dup, {stats.failures} failures; "
        f"{first:.1f} s, {stats.new / first:.0f} articles/s, {req_first} requests; "
        f"peak RSS {peak_rss_mb():.0f} MB; busiest second per host: "
        + ", ".join(f"{h} {c} req/s" for h, c in hosts.items())
    )
    print(
        f"        second run (nothing changed): {second:.2f} s, {site.requests - req_first} requests, "
        f"{stats2.new} new, {stats2.listings_unchanged} listings answered 304"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 2000])
    parser.add_argument("--delay", type=float, default=0.0, help="per-host delay in seconds")
    args = parser.parse_args()
    for n in args.sizes:
        bench(n, args.delay)


if __name__ == "__main__":
    main()
