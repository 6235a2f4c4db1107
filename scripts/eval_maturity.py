#!/usr/bin/env python
"""Evaluate the maturity / transfer sentence classifier on a labelled set.

    python scripts/eval_maturity.py [PATH] [--taxonomy FILE] [--errors] [--bench]

PATH defaults to tests/data/maturity_sentences.tsv: a header line, then one sentence per line
with the columns ``text, stage, transfer, split, lang`` (tab-separated; stage is konzept |
pilot | rollout | standard | none; transfer 0/1; split dev | test, every 5th line is test;
lang de | en). Prints, for dev and test separately: accuracy, per-stage precision / recall / F1,
the confusion matrix (rows = gold, columns = predicted) and transfer accuracy / P / R.
``--errors`` lists the misclassified DEV sentences (never tune on test). ``--bench`` times
``article_signals`` over 10,000 synthetic articles of ~2,500 characters on one core.

Labelling guide (how the set was written, before any rule existed)
    stage = what the sentence says about the CURRENT state of the thing it reports:
    - konzept: idea, concept, study, feasibility, tender, funding application, decision, plan;
      everything announced for the future (also a planned pilot or a planned rollout).
    - pilot: test, pilot, model project, real lab, prototype, first municipality, limited trial.
    - rollout: introduced / live / available for everyone, area-wide, statewide, further
      municipalities joined, in operation.
    - standard: routine operation, established, the standard, legally required, nationwide.
    - none: no maturity information (also study-as-a-source, aircraft pilots, "Standardformular").
    Several stages in one sentence: the most advanced one that is CURRENT (a completed pilot plus a
    planned rollout = pilot). "noch nicht / bislang nicht X" = the stage before X
    ("noch nicht flächendeckend" = pilot, "noch kein Standard" = rollout); a flat denial
    ("ist nicht geplant", "hat kein Konzept") = none.
    transfer = 1 when the sentence says the solution is or will be reused elsewhere: Nachnutzung,
    EfA, open source, übertragbar, interkommunal / shared by several municipalities, the same
    solution in several places, offered to other municipalities.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trends.maturity import (  # noqa: E402
    NONE,
    STAGES,
    article_signals,
    classify_sentence,
    load_lexicon,
    split_sentences,
)

LABELS = (*STAGES, NONE)
DEFAULT = ROOT / "tests" / "data" / "maturity_sentences.tsv"
GNAD = (
    ROOT.parent / "shared" / "data" / "10kGNAD" / "dev.csv"
)  # optional, never copied into the repo


def read_rows(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    for i, row in enumerate(rows, start=2):
        if row["stage"] not in LABELS or row["transfer"] not in ("0", "1"):
            raise SystemExit(f"{path}:{i}: bad label {row['stage']!r}/{row['transfer']!r}")
    return rows


def evaluate(rows: list[dict], lexicon=None) -> dict:
    """Metrics for rows (dicts with text, stage, transfer); predictions included for listing."""
    gold, pred, tgold, tpred = [], [], [], []
    for row in rows:
        signal = classify_sentence(row["text"], lexicon)
        gold.append(row["stage"])
        pred.append(signal.stage)
        tgold.append(row["transfer"] == "1")
        tpred.append(signal.transfer)
    n = len(rows)
    confusion = Counter(zip(gold, pred))
    per_stage = {}
    for label in LABELS:
        tp = confusion[(label, label)]
        fp = sum(confusion[(g, label)] for g in LABELS if g != label)
        fn = sum(confusion[(label, p)] for p in LABELS if p != label)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per_stage[label] = {"precision": p, "recall": r, "f1": f, "support": tp + fn}
    ttp = sum(g and p for g, p in zip(tgold, tpred))
    tfp = sum(p and not g for g, p in zip(tgold, tpred))
    tfn = sum(g and not p for g, p in zip(tgold, tpred))
    return {
        "n": n,
        "accuracy": sum(g == p for g, p in zip(gold, pred)) / n if n else 0.0,
        "macro_f1": sum(v["f1"] for v in per_stage.values()) / len(LABELS),
        "per_stage": per_stage,
        "confusion": confusion,
        "transfer_accuracy": sum(g == p for g, p in zip(tgold, tpred)) / n if n else 0.0,
        "transfer_precision": ttp / (ttp + tfp) if ttp + tfp else 0.0,
        "transfer_recall": ttp / (ttp + tfn) if ttp + tfn else 0.0,
        "predictions": list(zip(rows, pred, tpred)),
    }


def report(name: str, m: dict) -> None:
    print(f"\n== {name}: {m['n']} sentences ==")
    print(
        f"accuracy {m['accuracy']:.3f}   macro-F1 {m['macro_f1']:.3f}   "
        f"transfer accuracy {m['transfer_accuracy']:.3f} "
        f"(P {m['transfer_precision']:.3f} R {m['transfer_recall']:.3f})"
    )
    print(f"{'stage':<10}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
    for label in LABELS:
        v = m["per_stage"][label]
        print(
            f"{label:<10}{v['precision']:>7.3f}{v['recall']:>7.3f}{v['f1']:>7.3f}{v['support']:>6}"
        )
    print("confusion (rows gold, columns predicted):")
    print(" " * 10 + "".join(f"{p[:7]:>9}" for p in LABELS))
    for g in LABELS:
        print(f"{g:<10}" + "".join(f"{m['confusion'][(g, p)]:>9}" for p in LABELS))


def bench(
    rows: list[dict], lexicon, n_articles: int = 10_000, size: int = 2_500, repeat: int = 3
) -> None:
    """article_signals over 10,000 articles of ~2,500 characters: made of the labelled sentences
    (short and cue-dense: a pessimistic case) and, if ../shared/data is there, real German news."""
    rng = random.Random(0)

    def articles(pool: list[str]) -> list[str]:
        out = []
        for _ in range(n_articles):
            parts, length = [], 0
            while length < size:
                s = rng.choice(pool)
                parts.append(s)
                length += len(s) + 1
            # paragraphs every ~4 sentences, like extracted article text
            out.append("\n".join(" ".join(parts[i : i + 4]) for i in range(0, len(parts), 4)))
        return out

    runs = [
        ("dense: labelled sentences (nearly all carry a cue)", articles([r["text"] for r in rows]))
    ]
    if GNAD.exists():  # real German news, cut into chunks of `size` characters
        with open(GNAD, encoding="utf-8") as fh:
            texts = [
                row[1] for row in csv.reader(fh, delimiter=";", quotechar="'") if len(row) == 2
            ]
        joined = "\n".join(texts)
        chunks = [joined[i : i + size] for i in range(0, len(joined) - size, size)]
        runs.append(
            (
                f"real news: 10kGNAD chunks ({len(chunks)} distinct)",
                [chunks[i % len(chunks)] for i in range(n_articles)],
            )
        )
        # on-topic news: 40 % of the sentences carry maturity cues (labelled set), the rest real news
        news = [x for t in texts[:200] for x in split_sentences(t) if len(x) > 40]
        labelled = [r["text"] for r in rows if r["stage"] != NONE or r["transfer"] == "1"]
        mixed = []
        for _ in range(n_articles):
            parts, length = [], 0
            while length < size:
                x = rng.choice(labelled) if rng.random() < 0.4 else rng.choice(news)
                parts.append(x)
                length += len(x) + 1
            mixed.append("\n".join(" ".join(parts[i : i + 4]) for i in range(0, len(parts), 4)))
        runs.append(("on-topic mix: 40 % cue sentences, 60 % real news sentences", mixed))
    for name, docs in runs:
        chars = sum(map(len, docs))
        article_signals(docs[0], lexicon)  # warm up (compile, cache)
        times = []
        for _ in range(repeat):  # best of `repeat`: the machine may be shared
            t0 = time.perf_counter()
            n_signals = sum(len(article_signals(d, lexicon)) for d in docs)
            times.append(time.perf_counter() - t0)
        dt = min(times)
        print(
            f"bench {name}: {len(docs)} articles, {chars / 1e6:.1f} M chars, {n_signals} signals "
            f"({n_signals / len(docs):.1f} per article), best of {repeat}: {dt:.2f} s "
            f"({chars / dt / 1e6:.1f} M chars/s; runs {', '.join(f'{t:.2f}' for t in times)})"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", nargs="?", default=str(DEFAULT))
    ap.add_argument("--taxonomy", help="taxonomy.yaml to use (default: the packaged one)")
    ap.add_argument("--errors", action="store_true", help="list misclassified dev sentences")
    ap.add_argument("--bench", action="store_true", help="time article_signals on 10,000 articles")
    ap.add_argument("--repeat", type=int, default=3, help="benchmark runs (best is reported)")
    args = ap.parse_args(argv)
    lexicon = load_lexicon(args.taxonomy)
    rows = read_rows(args.path)
    print(
        f"{args.path}: {len(rows)} sentences "
        f"({Counter(r.get('lang', 'de') for r in rows)}), taxonomy {lexicon.path}"
    )
    for split in ("dev", "test"):
        part = [r for r in rows if r["split"] == split]
        m = evaluate(part, lexicon)
        report(split, m)
        for lang in sorted({r.get("lang", "de") for r in part}):
            sub = evaluate([r for r in part if r.get("lang", "de") == lang], lexicon)
            print(
                f"  {lang}: {sub['n']} sentences, accuracy {sub['accuracy']:.3f}, "
                f"transfer accuracy {sub['transfer_accuracy']:.3f}"
            )
        if args.errors and split == "dev":
            print("\nmisclassified dev sentences (gold -> predicted):")
            for row, stage, transfer in m["predictions"]:
                s = classify_sentence(row["text"], lexicon)
                if stage != row["stage"] or transfer != (row["transfer"] == "1"):
                    print(
                        f"  {row['stage']:>8} -> {stage:<8} T{row['transfer']}->{int(transfer)} "
                        f"[{s.cue}{' NEG' if s.negated else ''}|{s.transfer_cue}]  {row['text']}"
                    )
    if args.bench:
        bench(rows, lexicon, repeat=args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
