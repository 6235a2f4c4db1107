"""How well does the relevance judgement keep what matters? (protocol: scripts/protocol.py)

    python scripts/eval_relevance.py [--seeds 5] [--folds 5] [--threshold T]
    python scripts/eval_relevance.py --lockbox        # once, at the end: scores the shipped model
    python scripts/eval_relevance.py --paired-without releases   # does training on a set help?
    python scripts/eval_relevance.py --unseen         # the shipped models on the sets never trained on

Per set, mean ± spread over repeated stratified folds of the working part (never the lockbox):
  berlin     recall and precision of what is kept, on the real stream (each item weighted by
             its stratum's size in the 20,000-item sample; ~4 % of the stream is yes); beside
             it the baselines on the same folds: keep all, and the keyword screen (two digital
             terms or one in the title = stratum A by construction); and what the weighted
             recall rests on: recall over strata A and B alone, stratum C's share of the yes
             weight (C has no digital term; its 2 yes items in the dev file weigh ~30 %), and
             the share of C's no items kept
  articles   accuracy on our written articles (tests/data/relevance_articles.jsonl)
  releases   accuracy on our written press releases (tests/data/relevance_releases.jsonl)
  sentences  accuracy on our written sentences (tests/data/solution_sentences.tsv), at 0.5
  10kgnad    false-positive rate (every article a negative: sport, culture, business, …;
             never trained on: non-commercial licence)
  english    the English model, on its own folds of the written English items (not pooled:
             it judges English articles only, and the German sets never see it)
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


def kept_figures(out: dict, name: str, scored: list, threshold: float) -> None:
    """Add a set's accuracy, share of on-topic items lost and of off-topic ones set aside."""
    out[f"{name} accuracy"].append(accuracy(scored, threshold))
    yes = [s for it, s in scored if it.label == "yes"]
    no = [s for it, s in scored if it.label == "no"]
    out[f"{name} on-topic lost"].append(statistics.fmean(s < threshold for s in yes))
    out[f"{name} off-topic set aside"].append(statistics.fmean(s < threshold for s in no))


def evaluate(pairs: dict, gnad: list, threshold: float, out: dict) -> None:
    """Add one repeat's figures to `out` (name -> list of values)."""
    if "berlin" in pairs:
        items = [it for it, _ in pairs["berlin"]]
        r, p = tr.stream_pr(items, [s for _, s in pairs["berlin"]], threshold)
        out["berlin recall"].append(r)
        out["berlin precision"].append(p)
        out["berlin F1"].append(f1(r, p))
        # What the weighted recall rests on: stratum C (no digital term at all, 17,350 of the
        # 20,000) has 2 labelled yes items in the whole dev file, ~30 % of the stream's yes
        # weight; recall over A and B alone, C's share of the yes weight and C's kept share of
        # its no items (each C item stands for ~115 releases: one kept no costs much precision)
        scored = pairs["berlin"]
        ab = [(it, s) for it, s in scored if it.stratum != "C"]
        out["berlin recall A+B"].append(
            tr.stream_pr([it for it, _ in ab], [s for _, s in ab], threshold)[0]
        )
        n = Counter(it.stratum for it in items)
        yes_w = Counter()
        for it in items:
            if it.label == "yes":
                yes_w[it.stratum] += tr.STREAM[it.stratum] / n[it.stratum]
        out["berlin yes weight in C"].append(yes_w["C"] / sum(yes_w.values()))
        c_no = [s for it, s in scored if it.stratum == "C" and it.label == "no"]
        out["berlin C no kept"].append(fpr([(None, s) for s in c_no], threshold))
        r0, p0 = tr.stream_pr(items, [float(it.stratum == "A") for it in items], 0.5)
        out["berlin screen recall"].append(r0)
        out["berlin screen precision"].append(p0)
        _, pa = tr.stream_pr(items, [1.0] * len(items), 0.5)
        out["berlin keep-all precision"].append(pa)
    if "releases" in pairs:
        out["releases accuracy"].append(accuracy(pairs["releases"], threshold))
    for name, scored in pairs.items():  # written articles of every other kind
        if name not in ("berlin", "releases", "sentences"):
            kept_figures(out, name, scored, threshold)
    if "sentences" in pairs:
        out["sentences accuracy"].append(accuracy(pairs["sentences"], SENTENCE_THRESHOLD))
    if gnad:
        scores = gnad
        out["10kgnad FPR"].append(fpr(scores, threshold))
        core = [(it, s) for it, s in scores if it.note not in ("Web", "Inland")]
        out["10kgnad FPR w/o Web+Inland"].append(fpr(core, threshold))


PRIMARY = {
    "berlin": "berlin F1",
    "articles": "articles accuracy",
    "releases": "releases accuracy",
    "sentences": "sentences accuracy",
}


def primary_scores(values: dict[str, list[float]]) -> dict[str, list[float]]:
    """Per set, the figure that is pooled (10kGNAD: 1 - false-positive rate), per repeat: the
    sets of PRIMARY, then every other set of written articles by its accuracy."""
    out = {name: values[key] for name, key in PRIMARY.items() if key in values}
    for key, v in values.items():
        name = key.removesuffix(" accuracy")
        if key.endswith(" accuracy") and name not in out and name != "english":
            out[name] = v
    if "10kgnad FPR" in values:
        out["10kgnad"] = [1 - v for v in values["10kgnad FPR"]]
    return out


def print_figures(values: dict[str, list[float]]) -> None:
    for name, vals in values.items():
        sc = protocol.Scores(name, vals)
        print(sc.line(""))
    sets = [protocol.Scores(name, v) for name, v in primary_scores(values).items()]
    mean, spread = protocol.pooled(sets)
    print(f"{'pooled (' + ', '.join(s.name for s in sets) + ')':28s} {mean:.3f} ± {spread:.3f}")


def cross_validate(
    sets: dict, gnad: list, seeds: int, k: int, exclude=frozenset(), tests: dict | None = None
):
    """(threshold chosen by train_relevance's rule, per-fold scores, per-fold 10kGNAD scores).
    ``tests``: written sets no model is trained on (train_relevance.test_sets), scored whole by
    every fold's model beside its fold of the others: what a change does on text unlike the
    training sets."""
    folds, gnad_scores = [], []
    for seed, fold, model, pairs in tr.out_of_fold(sets, seeds, k, exclude=exclude):
        folds.append(pairs)
        gnad_scores.append([(it, tr.score(model, it)) for it in gnad])
        for name, items in (tests or {}).items():
            pairs[name] = [(it, tr.score(model, it)) for it in items]
        print(f"  seed {seed} fold {fold} done", file=sys.stderr)
    return tr.choose_threshold(folds), folds, gnad_scores


def paired(sets: dict, gnad: list, seeds: int, k: int, names: list[str]) -> None:
    """Train on the sets `names` or not, on the same folds, each at its own chosen threshold."""
    runs = []
    label = ", ".join(names)
    for exclude in (frozenset(names), frozenset()):
        threshold, folds, gnad_scores = cross_validate(
            sets, gnad, seeds, k, exclude, tr.test_sets()
        )
        values: dict[str, list[float]] = defaultdict(list)
        for pairs, g in zip(folds, gnad_scores):
            evaluate(pairs, g, threshold, values)
        print(
            f"\n== {'without' if exclude else 'with'} {label} in training (threshold {threshold})"
        )
        print_figures(values)
        scores = primary_scores(values)  # set -> per repeat; protocol.paired wants per repeat
        runs.append([dict(zip(scores, repeat)) for repeat in zip(*scores.values())])
    without, with_ = runs
    for title, scored in (
        ("pooled", list(with_[0])),
        (f"pooled without {label}", [n for n in with_[0] if n not in names]),
    ):
        effect, spread = protocol.paired(without, with_, scored)
        print(f"paired effect on the {title} mean: {effect:+.3f} ± {spread:.3f}")
    for n in with_[0]:
        effect, spread = protocol.paired(without, with_, [n])
        print(f"  {n:<10} {effect:+.3f} ± {spread:.3f}")


def english(seeds: int, k: int) -> None:
    """The English model on its own folds (the working part of the written English items), at
    the threshold its rule picks on these folds: accuracy, on-topic lost, off-topic set aside."""
    sets = tr.english_sets()
    if not sets:
        print("english: not there")
        return
    tests = tr.test_sets("en")
    folds = []
    for _, _, model, pairs in tr.out_of_fold(sets, seeds, k):
        pairs.update({n: [(it, tr.score(model, it)) for it in v] for n, v in tests.items()})
        folds.append(pairs)
    t = tr.choose_threshold(folds, ruler="english")
    values: dict[str, list[float]] = defaultdict(list)
    for pairs in folds:
        for name, scored in pairs.items():
            kept_figures(values, name, scored, t)
    sizes = ", ".join(f"{n} {len(v)}" for n, v in {**sets, **tests}.items())
    print(
        f"\n== the English model ({sizes}; the last {len(tests)} never trained on), threshold {t}"
    )
    for name, vals in values.items():
        print(protocol.Scores(name, vals).line(""))


def unseen() -> None:
    """Accuracy of the shipped models at their threshold on the written sets they were never
    trained on (`train_relevance.unseen_sets`), by kind (digital, plain, passing)."""
    threshold = relevance.default_threshold()
    for name, items in tr.unseen_sets().items():
        if not items:
            print(f"{name}: not there")
            continue
        kept = [tr.score(relevance.article_model(it.language), it) >= threshold for it in items]
        right = [k == (it.label == "yes") for it, k in zip(items, kept)]
        print(
            f"{name} (never trained on), threshold {threshold}: "
            f"{sum(right)} of {len(items)} = {statistics.fmean(right):.3f}"
        )
        by_kind: dict[str, list[bool]] = defaultdict(list)
        for it, ok in zip(items, right):
            by_kind[it.note].append(ok)
        print(
            "  by kind: " + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(by_kind.items()))
        )


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
    ap.add_argument(
        "--unseen",
        action="store_true",
        help="the shipped models on the written sets they were never trained on (releases2, council, "
        "local, local2, english4)",
    )
    ap.add_argument(
        "--paired-without",
        metavar="SET[,SET]",
        help="the keep rule for training sets: the same folds with the SETs scored but not "
        "trained on, against all sets trained on; the paired effect on the pooled mean ± its "
        "spread",
    )
    args = ap.parse_args(argv)
    if args.unseen:
        return unseen()
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
        en_box = tr.lockbox(tr.load_english_training())
        if en_box:
            en_model = relevance.article_model("en")
            values["english accuracy"].append(
                accuracy([(it, tr.score(en_model, it)) for it in en_box], threshold)
            )
        gnad_box = [(it, tr.score(model, it)) for it in tr.lockbox(gnad_all)]
        evaluate(pairs, gnad_box, threshold, values)
        print("LOCKBOX (scored once; the shipped model, trained on the working part only)")
        line = "; ".join(f"{k} {v[0]:.3f}" for k, v in values.items())
        print(line)
        print("lockbox sizes: " + ", ".join(f"{k} {len(v)}" for k, v in boxes.items()))
        protocol.log_lockbox("eval_relevance.py", f"{relevance.model_id()} t={threshold}: {line}")
        return
    gnad = tr.working(gnad_all)
    if args.paired_without:
        names = args.paired_without.split(",")
        if unknown := [n for n in names if n not in sets]:
            sys.exit(f"--paired-without: no set {', '.join(unknown)} (sets: {sorted(sets)})")
        return paired(sets, gnad, args.seeds, args.folds, names)
    best, folds, gnad_scores = cross_validate(
        sets, gnad, args.seeds, args.folds, tests=tr.test_sets()
    )
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

    english(args.seeds, args.folds)


if __name__ == "__main__":
    main()
