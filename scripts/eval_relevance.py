"""How well does the relevance judgement keep what matters? (protocol: scripts/protocol.py)

    python scripts/eval_relevance.py [--seeds 5] [--folds 5] [--threshold T]
    python scripts/eval_relevance.py --lockbox        # once, at the end: scores the shipped model

Per set, mean ± spread over repeated stratified folds of the working part (never the lockbox):
  berlin     recall and precision of what is kept, on the real stream (each item weighted by
             its stratum's size in the 20,000-item sample; ~4 % of the stream is yes); beside
             it the baselines on the same folds: keep all, and the keyword screen (two digital
             terms or one in the title = stratum A by construction)
  articles   accuracy on our written articles (tests/data/relevance_articles.jsonl)
  releases   accuracy on our written press releases (tests/data/relevance_releases.jsonl)
  sentences  accuracy on our written sentences (tests/data/solution_sentences.tsv), at 0.5
  10kgnad    false-positive rate (every article a negative: sport, culture, business, …;
             never trained on: non-commercial licence)
Pooled: the unweighted mean of berlin F1, articles and releases accuracy, sentences accuracy and 10kGNAD
specificity (1 - FPR).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import protocol  # noqa: E402
import train_relevance as tr  # noqa: E402

from trends import relevance  # noqa: E402

SENTENCE_THRESHOLD = 0.5


def f1(r: float, p: float) -> float:
    return 2 * r * p / (r + p) if r + p else 0.0


def accuracy(pairs, threshold: float) -> float:
    return statistics.fmean((s >= threshold) == (it.label == "yes") for it, s in pairs)


def fpr(pairs, threshold: float) -> float:
    return statistics.fmean(s >= threshold for _, s in pairs)


def evaluate(pairs: dict, gnad: list, threshold: float, out: dict) -> None:
    """Add one repeat's figures to `out` (name -> list of values)."""
    if "berlin" in pairs:
        items = [it for it, _ in pairs["berlin"]]
        r, p = tr.stream_pr(items, [s for _, s in pairs["berlin"]], threshold)
        out["berlin recall"].append(r)
        out["berlin precision"].append(p)
        out["berlin F1"].append(f1(r, p))
        r0, p0 = tr.stream_pr(items, [float(it.stratum == "A") for it in items], 0.5)
        out["berlin screen recall"].append(r0)
        out["berlin screen precision"].append(p0)
        _, pa = tr.stream_pr(items, [1.0] * len(items), 0.5)
        out["berlin keep-all precision"].append(pa)
    if "articles" in pairs:
        out["articles accuracy"].append(accuracy(pairs["articles"], threshold))
        yes = [s for it, s in pairs["articles"] if it.label == "yes"]
        no = [s for it, s in pairs["articles"] if it.label == "no"]
        out["articles on-topic lost"].append(statistics.fmean(s < threshold for s in yes))
        out["articles off-topic set aside"].append(statistics.fmean(s < threshold for s in no))
    if "releases" in pairs:
        out["releases accuracy"].append(accuracy(pairs["releases"], threshold))
    if "sentences" in pairs:
        out["sentences accuracy"].append(accuracy(pairs["sentences"], SENTENCE_THRESHOLD))
    if gnad:
        scores = gnad
        out["10kgnad FPR"].append(fpr(scores, threshold))
        core = [(it, s) for it, s in scores if it.note not in ("Web", "Inland")]
        out["10kgnad FPR w/o Web+Inland"].append(fpr(core, threshold))


def print_figures(values: dict[str, list[float]]) -> None:
    sets = []
    for name, vals in values.items():
        sc = protocol.Scores(name, vals)
        print(sc.line(""))
    primary = {
        "berlin": "berlin F1",
        "articles": "articles accuracy",
        "releases": "releases accuracy",
        "sentences": "sentences accuracy",
    }
    for name, key in primary.items():
        if key in values:
            sets.append(protocol.Scores(name, values[key]))
    if "10kgnad FPR" in values:
        sets.append(protocol.Scores("10kgnad", [1 - v for v in values["10kgnad FPR"]]))
    mean, spread = protocol.pooled(sets)
    print(f"{'pooled (' + ', '.join(s.name for s in sets) + ')':28s} {mean:.3f} ± {spread:.3f}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=tr.SEEDS)
    ap.add_argument("--folds", type=int, default=tr.K)
    ap.add_argument(
        "--threshold",
        type=float,
        help="default: chosen on the folds (lockbox: the shipped model's)",
    )
    ap.add_argument("--lockbox", action="store_true", help="score the lockbox (once, logged)")
    args = ap.parse_args(argv)
    sets = tr.training_sets()
    gnad_all = tr.load_gnad()
    print(
        "working part: "
        + ", ".join(
            f"{k} {len(v)} ({Counter(it.label for it in v)['yes']} yes)" for k, v in sets.items()
        )
        + f", 10kgnad {len(tr.working(gnad_all))}"
    )
    values: dict[str, list[float]] = defaultdict(list)
    if args.lockbox:
        model = relevance.model()
        threshold = relevance.default_threshold() if args.threshold is None else args.threshold
        boxes = {
            "berlin": tr.lockbox(tr.load_berlin()),
            "articles": tr.lockbox(tr.load_written_articles()),
            "releases": tr.lockbox(tr.load_written_releases()),
            "sentences": tr.lockbox(tr.load_written_sentences()),
        }
        pairs = {n: [(it, tr.score(model, it)) for it in b] for n, b in boxes.items() if b}
        gnad_box = [(it, tr.score(model, it)) for it in tr.lockbox(gnad_all)]
        evaluate(pairs, gnad_box, threshold, values)
        print("LOCKBOX (scored once; the shipped model, trained on the working part only)")
        line = "; ".join(f"{k} {v[0]:.3f}" for k, v in values.items())
        print(line)
        print("lockbox sizes: " + ", ".join(f"{k} {len(v)}" for k, v in boxes.items()))
        protocol.log_lockbox("eval_relevance.py", f"{relevance.model_id()} t={threshold}: {line}")
        return
    gnad = tr.working(gnad_all)
    folds, gnad_scores = [], []
    for seed, fold, model, pairs in tr.out_of_fold(sets, args.seeds, args.folds):
        folds.append(pairs)
        gnad_scores.append([(it, tr.score(model, it)) for it in gnad])
        print(f"  seed {seed} fold {fold} done", file=sys.stderr)
    best = tr.choose_threshold(folds)
    threshold = best if args.threshold is None else args.threshold
    for pairs, g in zip(folds, gnad_scores):
        evaluate(pairs, g, threshold, values)
    shipped = relevance.model().meta.get("threshold") if relevance.MODEL_FILE.exists() else None
    print(
        f"threshold chosen on these folds (train_relevance.py's rule): {best}; scored at "
        f"{threshold}; the shipped model's: {shipped}"
    )
    print(f"{args.seeds} seeds × {args.folds} folds, mean ± spread over the repeats:")
    print_figures(values)
    # the whole curve, so the choice can be read against the alternatives
    for t in (0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6):
        curve: dict[str, list[float]] = defaultdict(list)
        for pairs, g in zip(folds, gnad_scores):
            evaluate(pairs, g, t, curve)
        print(
            f"  at {t:.2f}: "
            + ", ".join(
                f"{k} {statistics.fmean(v):.3f}"
                for k, v in curve.items()
                if k
                in (
                    "berlin recall",
                    "berlin precision",
                    "articles on-topic lost",
                    "articles off-topic set aside",
                    "10kgnad FPR",
                )
            )
        )


if __name__ == "__main__":
    main()
