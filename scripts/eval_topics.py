#!/usr/bin/env python
"""Cluster labelled corpora with trends' topic model; NMI per set and pooled, by the protocol.

    python scripts/eval_topics.py                      # every set found, working parts only
    python scripts/eval_topics.py --auto               # also with automatic k
    python scripts/eval_topics.py --param n_neighbors=0 --param compounds=false   # an ablation
    python scripts/eval_topics.py --lockbox            # once, at the end of a change
    python scripts/eval_topics.py PATH [--topics N]    # one file of your own (no protocol)

Sets: 10kGNAD dev (514 news, 9 labels) and the GermEval 2019 blurbs (2,079, 8 genres), read
from ../shared/data (never copied into the repo); our demo corpus (planted topics) and the written
streams that scripts/protocol.py lists as training or test streams (8, 10 or 12 topics each;
the unseen judges are not listed until scored), on-topic articles only. The
protocol (scripts/protocol.py): a lockbox per set chosen by a hash of the text is left out of
everything; the working part is split into
random halves over several seeds (sets under 400 working documents: one 80 % sample per seed),
each clustered on its own with k = number of its labels
(and with automatic k under --auto), and NMI is given as mean ± spread per set and pooled.
A document's cluster is the argmax of its topic weights ("other" documents included).
The model never sees the labels.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import protocol  # noqa: E402
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score  # noqa: E402

from trends.nlp.lemmatize import analyze_texts  # noqa: E402
from trends.nlp.topics import TopicModel  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SETS = {
    "10kGNAD dev": DATA / "10kGNAD" / "dev.csv",
    "GermEval19 blurbs": DATA / "germeval19_blurbs" / "items.jsonl",
    # our own municipal news with planted topics (on-topic articles, English ones included)
    "demo corpus": ROOT / "trends" / "demo" / "articles",
    # every written stream once scored (protocol: the training streams and the test streams;
    # an unseen stream joins them there, and so here)
    **{f"{p.name} (written)": p for p in (*protocol.TRAINING_STREAMS, *protocol.TEST_STREAMS)},
}
SMALL = 400  # below this many working documents a set is scored on 80 % samples, not halves


def load(path: Path) -> tuple[list[str], list[str], list[str]]:
    """-> texts, labels, langs (10kGNAD CSV ``label;'text'``, JSONL ``text``/``label``, the demo's
    article folder, or a stream folder with articles.jsonl + truth.jsonl)."""
    texts, labels, langs = [], [], []
    if path.is_dir() and (path / "truth.jsonl").exists():
        articles, truth = protocol.read_stream(path)
        for i, a in articles.items():
            if truth[i]["topic"] != "offtopic":
                texts.append(f"{a['title']}. {a['text']}")
                labels.append(truth[i]["topic"])
                langs.append(a.get("language", "de"))
    elif path.is_dir():
        from trends.demo.site import load_articles

        for a in load_articles(path):
            if a.topics and a.topics[0] != "offtopic":
                texts.append(f"{a.title}. {a.text}")
                labels.append(a.topics[0])
                langs.append(a.language)
    elif path.suffix in (".jsonl", ".json"):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    title = row.get("title")
                    texts.append(f"{title}. {row['text']}" if title else row["text"])
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


def _value(text: str):
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "none":
        return None
    try:
        return int(text)
    except ValueError:
        return float(text)


def params_from(items: list[str]) -> dict:
    out = {}
    for item in items:
        key, _, value = item.partition("=")
        out[key] = _value(value)
    return out


def score_once(docs, labels, langs, k, seed, params) -> tuple[float, float, int, float]:
    t0 = time.perf_counter()
    model = TopicModel(n_topics=k, random_state=seed, **params).fit(docs, langs=langs)
    pred = model.doc_topic_.argmax(1)
    return (
        normalized_mutual_info_score(labels, pred),
        adjusted_rand_score(labels, pred),
        model.n_topics_,
        time.perf_counter() - t0,
    )


def evaluate_set(name, path, args, params) -> list[protocol.Scores]:
    texts, labels, langs = load(path)
    items = list(zip(texts, labels, langs))
    work, box = protocol.split_lockbox(items, lambda it: it[0])
    part = box if args.lockbox else work
    t0 = time.perf_counter()
    docs = analyze_texts([t for t, _, _ in part], [g for _, _, g in part], n_jobs=args.jobs)
    print(
        f"{name}: {len(items)} documents, {len(work)} working, {len(box)} in the lockbox; "
        f"scoring {'the LOCKBOX' if args.lockbox else 'the working part'} "
        f"(lemmatized in {time.perf_counter() - t0:.1f} s)"
    )
    labs = [lab for _, lab, _ in part]
    lng = [g for _, _, g in part]
    fixed = protocol.Scores(f"{name} k=labels")
    auto = protocol.Scores(f"{name} auto k")
    for seed in range(args.seeds):
        if args.lockbox:
            splits = [(list(range(len(part))), [])]
        elif len(part) < SMALL:
            keep = sorted(random.Random(seed).sample(range(len(part)), int(0.8 * len(part))))
            splits = [(keep, [])]
        else:
            splits = protocol.folds(len(part), 2, seed)
        for half, _ in splits:
            d = [docs[i] for i in half]
            y = [labs[i] for i in half]
            g = [lng[i] for i in half]
            k = len(set(y))
            nmi, ari, _, sec = score_once(d, y, g, k, seed, params)
            fixed.values.append(nmi)
            line = f"  seed {seed} n={len(d)} k={k}: NMI {nmi:.3f} ARI {ari:.3f} ({sec:.1f} s)"
            if args.auto:
                nmi_a, _, k_a, _ = score_once(d, y, g, None, seed, params)
                auto.values.append(nmi_a)
                line += f" | auto k={k_a}: NMI {nmi_a:.3f}"
            print(line)
    return [fixed, auto] if args.auto else [fixed]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("path", type=Path, nargs="?", help="one labelled file (no protocol)")
    ap.add_argument("--topics", type=int, default=None, help="k for PATH (default: automatic)")
    ap.add_argument("--seeds", type=int, default=3, help="seeds (protocol: 2 halves each)")
    ap.add_argument("--auto", action="store_true", help="also score automatic k")
    ap.add_argument("--param", action="append", default=[], help="TopicModel param=value")
    ap.add_argument("--lockbox", action="store_true", help="score the lockbox (once!)")
    ap.add_argument("--jobs", type=int, default=2, help="processes for lemmatizing")
    args = ap.parse_args(argv)
    params = params_from(args.param)

    if args.path:
        texts, labels, langs = load(args.path)
        docs = analyze_texts(texts, langs, n_jobs=args.jobs)
        scores = protocol.Scores(args.path.name)
        for seed in range(args.seeds):
            nmi, ari, k, sec = score_once(docs, labels, langs, args.topics, seed, params)
            scores.values.append(nmi)
            print(f"  seed {seed}: k={k} NMI {nmi:.3f} ARI {ari:.3f} fit {sec:.2f} s")
        protocol.report([scores], "NMI")
        return 0

    found = {n: p for n, p in SETS.items() if p.exists()}
    if not found:
        print(f"no labelled sets under {DATA}", file=sys.stderr)
        return 1
    print(f"params: {params or 'defaults'}")
    results: list[protocol.Scores] = []
    for name, path in found.items():
        results += evaluate_set(name, path, args, params)
    fixed = [s for s in results if s.name.endswith("k=labels")]
    protocol.report(fixed, "NMI")
    if args.auto:
        protocol.report([s for s in results if s.name.endswith("auto k")], "NMI")
    if args.lockbox:
        mean, _ = protocol.pooled(fixed)
        protocol.log_lockbox(
            "eval_topics",
            f"params {params or 'defaults'}: "
            + ", ".join(f"{s.name} {s.mean:.3f}" for s in results)
            + f"; pooled {mean:.3f}",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
