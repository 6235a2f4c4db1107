#!/usr/bin/env python
"""Cluster a labelled corpus with trends' topic model and print NMI, ARI and seconds.

    python scripts/eval_topics.py ../shared/data/10kGNAD/dev.csv            # automatic k
    python scripts/eval_topics.py ../shared/data/10kGNAD/dev.csv --topics 9 # fixed k

Input: 10kGNAD CSV (``label;'text'``, quote char ') or JSONL with ``text`` and ``label``
(optional ``lang``). A document's cluster is the argmax of its topic weights; documents the model
puts in "other" (small topics) are scored with their argmax topic too, so every document counts.
Seconds are reported separately for lemmatizing (analyze_texts, 2 processes) and fitting.
The model never sees the labels; they are used here only to score.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score  # noqa: E402

from trends.nlp.lemmatize import analyze_texts  # noqa: E402
from trends.nlp.topics import OTHER, TopicModel  # noqa: E402


def load(path: Path) -> tuple[list[str], list[str], list[str]]:
    """-> texts, labels, langs."""
    texts, labels, langs = [], [], []
    if path.suffix in (".jsonl", ".json"):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    texts.append(row["text"])
                    labels.append(str(row["label"]))
                    langs.append(row.get("lang", "de"))
    else:
        with path.open(encoding="utf-8") as fh:
            for row in csv.reader(fh, delimiter=";", quotechar="'"):
                if len(row) >= 2:
                    labels.append(row[0])
                    texts.append(row[1])
                    langs.append("de")
    return texts, labels, langs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("path", type=Path)
    ap.add_argument(
        "--topics", type=int, default=None, help="number of topics (default: automatic)"
    )
    ap.add_argument("--seeds", type=int, default=3, help="random_state 0..N-1, figures are means")
    ap.add_argument("--jobs", type=int, default=2, help="processes for lemmatizing")
    ap.add_argument("--show", action="store_true", help="print the topics of the first seed")
    args = ap.parse_args(argv)

    texts, labels, langs = load(args.path)
    print(f"{args.path.name}: {len(texts)} documents, {len(set(labels))} labels")
    t0 = time.perf_counter()
    docs = analyze_texts(texts, langs, n_jobs=args.jobs)
    t_lemma = time.perf_counter() - t0

    rows = []
    for seed in range(args.seeds):
        t1 = time.perf_counter()
        model = TopicModel(n_topics=args.topics, random_state=seed).fit(docs, langs=langs)
        t_fit = time.perf_counter() - t1
        pred = model.doc_topic_.argmax(1)
        nmi = normalized_mutual_info_score(labels, pred)
        ari = adjusted_rand_score(labels, pred)
        n_other = int((model.labels_ == OTHER).sum())
        rows.append((nmi, ari, t_fit, model.n_topics_, n_other))
        print(
            f"  seed {seed}: k={model.n_topics_:2d}  NMI {nmi:.3f}  ARI {ari:.3f}  "
            f"fit {t_fit:.2f} s  other {n_other} docs"
            + (f"  stability {model.k_scores_}" if model.k_scores_ else "")
        )
        if args.show and seed == 0:
            show(model, labels)
    mean = lambda i: statistics.fmean(r[i] for r in rows)  # noqa: E731
    ks = sorted({r[3] for r in rows})
    print(
        f"mean of {len(rows)} seeds: k={'/'.join(map(str, ks))} ({'auto' if args.topics is None else 'fixed'})"
        f"  NMI {mean(0):.3f}  ARI {mean(1):.3f}  lemmatize {t_lemma:.2f} s  fit {mean(2):.2f} s"
        f"  ('other' docs scored by their argmax topic)"
    )
    return 0


def show(model: TopicModel, labels: list[str]) -> None:
    from collections import Counter

    pred = model.doc_topic_.argmax(1)
    for j, topic in enumerate(model.topics()):
        mix = Counter(lab for lab, p in zip(labels, pred, strict=True) if p == j).most_common(3)
        flag = " (other)" if topic.other else ""
        print(
            f"    {j:2d} [{topic.size:3d}]{flag} {topic.label:40s} | {', '.join(topic.keyphrases[:5])}"
        )
        print(f"         terms: {', '.join(list(topic.terms)[:8])}   labels: {mix}")


if __name__ == "__main__":
    sys.exit(main())
