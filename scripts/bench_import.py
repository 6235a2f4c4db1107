"""What an imported article costs: `trends import` of N articles of ~2,500 characters (JSONL),
milliseconds per article in all, and how much of it the relevance judgement and the markup
reduction take.

    python scripts/bench_import.py [N ...]        # default 2000 10000
"""

from __future__ import annotations

import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rows(n: int, seed: int = 0) -> list[dict]:
    from trends.demo.site import load_articles
    from trends.maturity import split_sentences

    rng = random.Random(seed)
    pool = [s for a in load_articles() for s in split_sentences(a.text)]
    out = []
    for i in range(n):
        text, sentences = "", []
        while len(text) < 2500:
            sentences.append(rng.choice(pool))
            text = " ".join(sentences)
        out.append(
            {
                "id": f"b{i}",
                "title": sentences[0][:90],
                "text": f"Meldung {i}. {text}",
                "published": f"2026-0{1 + i % 9}-{1 + i % 28:02d}",
                "source": f"s{i % 14}",
                "language": "de",
            }
        )
    return out


def main() -> None:
    from trends import relevance
    from trends.collect.markup import plain_text
    from trends.collect.run import import_paths
    from trends.corpus import Corpus

    sizes = [int(a) for a in sys.argv[1:]] or [2000, 10000]
    relevance.model()  # loaded once per process, as in a CLI run
    for n in sizes:
        data = rows(n)
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "in.jsonl"
            src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in data))
            with Corpus(Path(tmp) / "corpus.sqlite") as corpus:
                t = time.perf_counter()
                stats = import_paths([src], corpus)
                total = time.perf_counter() - t
        t = time.perf_counter()
        for r in data:
            relevance.judge(r["title"], r["text"], "de")
        judge = time.perf_counter() - t
        t = time.perf_counter()
        for r in data:
            plain_text(r["text"])
        markup = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"N={n:>6}: import {total:.1f} s = {1000 * total / n:.2f} ms an article "
            f"(relevance judgement {1000 * judge / n:.2f} ms, markup {1000 * markup / n:.3f} ms); "
            f"{stats.new} new, {stats.offtopic} set aside; peak RSS {peak:.0f} MB"
        )


if __name__ == "__main__":
    main()
