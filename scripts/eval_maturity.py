#!/usr/bin/env python
"""Evaluate the maturity sentence classifier on every labelled sentence set (scripts/protocol.py).

    python scripts/eval_maturity.py [--method rules|model|hybrid|all] [--seeds 3] [--folds 5]
    python scripts/eval_maturity.py --ablation        # each tuned rule step's effect (rules)
    python scripts/eval_maturity.py --lockbox         # once, at the end: scores the lockbox, logs it
    python scripts/eval_maturity.py --bench           # article_signals on 10,000 articles
    python scripts/eval_maturity.py --articles        # the article layer, one corpus left out
    python scripts/eval_maturity.py --article-words RUN  # with and without its word model, per
                                                      # language (RUN: eval_streams.py --folds 2)
    python scripts/eval_maturity.py PATH [--errors]   # the old report on one file's dev/test split

Sets: our sentences (tests/data/maturity_sentences.tsv), the sentences a colleague wrote for us
without seeing the rules (tests/data/maturity_written.tsv) and the real sentences from published
texts (../shared/data/maturity_real/dev.tsv, when there; also scored per source kind, since
about 40 % of its `standard` sentences come from the web pages). A fixed 20 % of each set, chosen by
a hash of the text, is the lockbox: left out of every figure here and of training, scored only by
``--lockbox``. The rest is scored in stratified k folds over several seeds; the learned model is
trained on the training folds of all sets together and scored on each set's test fold. Prints
accuracy mean ± spread (over seeds x folds) per set and pooled (unweighted mean of the sets), and
per-stage recall. A change is kept only if it raises the pooled mean by more than its spread.

Labelling guide of our sentences (how the set was written, before any rule existed)
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
import copy
import csv
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import protocol  # noqa: E402
import train_maturity  # noqa: E402

from trends import maturity  # noqa: E402
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
        # rules alone and rules + learned model, alternately (the machine may be shared)
        times: dict[str, list[float]] = {"rules": [], "rules + model": []}
        counts = {}
        for _ in range(repeat):
            for label, model in (("rules", None), ("rules + model", "default")):
                article_signals(docs[0], lexicon, model)  # warm up (compile, cache, load)
                t0 = time.perf_counter()
                counts[label] = sum(len(article_signals(d, lexicon, model)) for d in docs)
                times[label].append(time.perf_counter() - t0)
        print(f"bench {name}: {len(docs)} articles, {chars / 1e6:.1f} M chars")
        for label, ts in times.items():
            dt = min(ts)
            print(
                f"  {label:<14} {counts[label]} signals ({counts[label] / len(docs):.1f} per "
                f"article), best of {repeat}: {dt:.2f} s ({chars / dt / 1e6:.1f} M chars/s; "
                f"runs {', '.join(f'{t:.2f}' for t in ts)})"
            )


# --- the protocol: every set, lockbox out, repeated stratified folds ---------------------------

Predictor = Callable[[str], str]
Method = Callable[[list[dict]], Predictor]  # training rows -> sentence -> stage


def rules_method(lexicon) -> Method:
    return lambda train: lambda text: classify_sentence(text, lexicon).stage


def model_method(lexicon) -> Method:
    def fit(train: list[dict]) -> Predictor:
        model = train_maturity.fit_model(train, lexicon)
        return lambda text: model.predict(text, maturity.rule_features(text, lexicon)[1])

    return fit


def hybrid_method(lexicon) -> Method:
    def fit(train: list[dict]) -> Predictor:
        stage_model = train_maturity.train(train, lexicon)
        return lambda text: stage_model.classify(text, lexicon).stage

    return fit


class Result:
    """Scores of one method over the repeats: per set, per (set, kind), per (set, stage)."""

    def __init__(self, names: list[str]) -> None:
        self.sets = {n: protocol.Scores(n) for n in names}
        self.kinds: dict[tuple[str, str], list[int]] = {}
        self.recall: dict[tuple[str, str], list[int]] = {}
        self.per_repeat: list[dict[str, float]] = []
        self.seeds = 1

    def add(self, name: str, rows: list[dict], preds: list[str]) -> float:
        right = [r["stage"] == p for r, p in zip(rows, preds)]
        acc = sum(right) / len(rows)
        self.sets[name].values.append(acc)
        for r, ok in zip(rows, right):
            for key, table in (((name, r["kind"]), self.kinds), ((name, r["stage"]), self.recall)):
                cell = table.setdefault(key, [0, 0])
                cell[0] += ok
                cell[1] += 1
        return acc

    def pooled(self) -> tuple[float, float]:
        return protocol.pooled(self.sets.values())


def cross_validate(
    method: Method,
    sets: dict[str, list[dict]],
    seeds: int,
    k: int,
    fixed: bool = False,
    extra: list[dict] | None = None,
) -> Result:
    """Stratified k folds per set and seed; a fold's training rows are the other folds of all
    sets together, plus ``extra`` (rows that train every fold and are never scored: does a new
    set help the others?). ``fixed``: the method does not learn (rules), so it is built once."""
    names = sorted(sets)
    result = Result(names)
    result.seeds = seeds
    predict = method([]) if fixed else None
    for seed in range(seeds):
        splits = {
            n: protocol.stratified_folds([r["stage"] for r in sets[n]], k, seed) for n in names
        }
        for f in range(k):
            if not fixed:
                predict = method(
                    [sets[n][i] for n in names for i in splits[n][f][0]] + (extra or [])
                )
            repeat = {}
            for n in names:
                rows = [sets[n][i] for i in splits[n][f][1]]
                repeat[n] = result.add(n, rows, [predict(r["text"]) for r in rows])
            result.per_repeat.append(repeat)
    return result


def print_result(title: str, result: Result) -> None:
    print(f"\n== {title} ==")
    protocol.report(list(result.sets.values()), "accuracy")
    print("per-stage recall (all repeats):")
    print(f"  {'set':<10}" + "".join(f"{s:>10}" for s in LABELS))
    for n in result.sets:
        cells = [result.recall.get((n, s), [0, 0]) for s in LABELS]
        print(f"  {n:<10}" + "".join(f"{ok / m if m else 0:>10.3f}" for ok, m in cells))
    print("per source kind / style (accuracy over all repeats):")
    for (n, kind), (ok, m) in sorted(result.kinds.items()):
        if n != "ours":
            print(f"  {n:<10}{kind:<16}{ok / m:.3f}  ({m // result.seeds} sentences)")


# --- ablation of the rules' tuned steps --------------------------------------------------------


def _strip(cues: list, keys: tuple[str, ...]) -> list:
    out = []
    for c in cues:
        if isinstance(c, dict):
            c = {k: v for k, v in c.items() if k not in keys}
            if set(c) == {"cue"}:
                c = c["cue"]
        out.append(c)
    return out


def _stages(t: dict, keys: tuple[str, ...]) -> None:
    for spec in t["maturity"]["stages"].values():
        spec["cues"] = _strip(spec["cues"], keys)


def _window(key: str, value: int) -> Callable[[dict], None]:
    return lambda t: t["maturity"].setdefault("windows", {}).__setitem__(key, value)


ABLATIONS: list[tuple[str, Callable[[dict], None]]] = [
    ("plan/future rule (markers -> konzept)", lambda t: t["maturity"].__setitem__("plan", [])),
    (
        "negation (all)",
        lambda t: t["maturity"]["negation"].update(before=[], after=[], not_yet=[]),
    ),
    ("negation after the cue", lambda t: t["maturity"]["negation"].__setitem__("after", [])),
    ("'not yet' = one stage back", lambda t: t["maturity"]["negation"].__setitem__("not_yet", [])),
    (
        "'nicht nur' is no negation",
        lambda t: t["maturity"]["negation"].__setitem__("not_negation", []),
    ),
    ("past shield", lambda t: t["maturity"].__setitem__("past", [])),
    ("completed rule", lambda t: t["maturity"].__setitem__("completed", [])),
    ("clause-break words", lambda t: t["maturity"].__setitem__("clause_breaks", [])),
    ("cue weights (all 1.0)", lambda t: _stages(t, ("weight",))),
    (
        "cue context checks (unless/before/after/requires)",
        lambda t: _stages(
            t, ("unless", "unless_before", "unless_after", "before", "after", "requires")
        ),
    ),
    ("window negation_before 3 -> 1", _window("negation_before", 1)),
    ("window negation_before 3 -> 6", _window("negation_before", 6)),
    ("window negation_after 6 -> 3", _window("negation_after", 3)),
    ("window negation_after 6 -> 12", _window("negation_after", 12)),
    ("window past 4 -> 2", _window("past", 2)),
    ("window past 4 -> 8", _window("past", 8)),
    ("window completed 2 -> 1", _window("completed", 1)),
    ("window completed 2 -> 4", _window("completed", 4)),
]


def ablation(sets: dict[str, list[dict]], seeds: int, k: int, taxonomy: str | None) -> None:
    """Each step switched off (or a constant moved) alone: its effect on the pooled mean, and the
    spread of that effect over the repeats (paired: the same folds with and without)."""
    base_path = Path(taxonomy) if taxonomy else maturity._packaged_path()
    base_data = maturity.read_taxonomy(base_path)
    base = cross_validate(rules_method(load_lexicon(base_path)), sets, seeds, k, fixed=True)
    b_mean, b_spread = base.pooled()
    print(f"\n== ablation of the rules (pooled accuracy {b_mean:.3f} ± {b_spread:.3f}) ==")
    names = sorted(sets)
    print(
        f"{'step switched off / constant moved':<52}{'pooled':>8}{'effect':>9}{'± spread':>10}"
        + "".join(f"{n[:8]:>9}" for n in names)
        + "  verdict (effect = pooled with the step - without; per set the same)"
    )
    tmp = Path(tempfile.mkdtemp(prefix="ablation-"))
    for i, (name, change) in enumerate(ABLATIONS):
        data = copy.deepcopy(base_data)
        change(data)
        path = tmp / f"taxonomy{i}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
        res = cross_validate(rules_method(load_lexicon(path)), sets, seeds, k, fixed=True)
        # what the step adds: with it (base) minus without
        effect, spread = protocol.paired(res.per_repeat, base.per_repeat)
        verdict = (
            "carries" if effect > spread else ("hurts" if -effect > spread else "drop/neutral")
        )
        per_set = [base.sets[n].mean - res.sets[n].mean for n in names]
        print(
            f"{name:<52}{res.pooled()[0]:>8.3f}{effect:>+9.3f}{spread:>10.3f}"
            + "".join(f"{d:>+9.3f}" for d in per_set)
            + f"  {verdict}"
        )


def lockbox(sets: dict[str, list[dict]], method_name: str, lexicon) -> None:
    """Train on the whole working part, score the lockbox once, log it."""
    work = train_maturity.working_part(sets)
    box = train_maturity.lockbox_part(sets)
    train = [r for n in sorted(work) for r in work[n]]
    predict = METHODS[method_name](lexicon)(train)
    parts = []
    for n in sorted(box):
        rows = box[n]
        acc = sum(predict(r["text"]) == r["stage"] for r in rows) / len(rows)
        parts.append(f"{n} {acc:.3f} (n={len(rows)})")
    line = f"{method_name}: " + ", ".join(parts)
    print("lockbox " + line)
    protocol.log_lockbox("eval_maturity.py", line)


METHODS = {"rules": rules_method, "model": model_method, "hybrid": hybrid_method}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("path", nargs="?", help="one labelled file: the old dev/test report on it")
    ap.add_argument("--taxonomy", help="taxonomy.yaml to use (default: the packaged one)")
    ap.add_argument("--method", choices=[*METHODS, "all"], default="all")
    ap.add_argument("--seeds", type=int, default=3, help="seeds of the repeated folds")
    ap.add_argument("--folds", type=int, default=5, help="folds per seed")
    ap.add_argument("--ablation", action="store_true", help="effect of each tuned rule step")
    ap.add_argument(
        "--train-only",
        metavar="SET",
        action="append",
        default=[],
        help="a set whose working part trains every fold but is not scored (repeatable)",
    )
    ap.add_argument(
        "--paired",
        action="store_true",
        help="with --train-only: the effect of those sets on the others, paired over the same folds",
    )
    ap.add_argument(
        "--lockbox", action="store_true", help="score the lockbox once (logged); at the end only"
    )
    ap.add_argument(
        "--errors", action="store_true", help="with PATH: list misclassified dev sentences"
    )
    ap.add_argument("--bench", action="store_true", help="time article_signals on 10,000 articles")
    ap.add_argument(
        "--unseen",
        action="store_true",
        help="the shipped model on the blind-written set it was never trained on",
    )
    ap.add_argument(
        "--articles",
        action="store_true",
        help="articles' stages: the article layer trained without the corpus it is scored on",
    )
    ap.add_argument(
        "--article-words",
        type=Path,
        metavar="RUN",
        help="the article layer with and without its word model, out of fold, per language, "
        "with the fold layers of an `eval_streams.py --folds` run",
    )
    ap.add_argument("--repeat", type=int, default=3, help="benchmark runs (best is reported)")
    args = ap.parse_args(argv)
    lexicon = load_lexicon(args.taxonomy)
    if args.path:
        return old_report(args, lexicon)
    if args.bench:
        bench(read_rows(DEFAULT), lexicon, repeat=args.repeat)
        return 0
    if args.unseen:
        return unseen(lexicon)
    if args.articles:
        return articles(lexicon)
    if args.article_words:
        return article_words(args.article_words, lexicon)
    sets = train_maturity.load_sets()
    if args.lockbox:
        lockbox(sets, "hybrid" if args.method == "all" else args.method, lexicon)
        return 0
    work = train_maturity.working_part(sets)
    print(
        "working part (lockbox left out): "
        + ", ".join(f"{n} {len(r)} of {len(sets[n])}" for n, r in sorted(work.items()))
        + f"; {args.seeds} seeds x {args.folds} stratified folds"
    )
    if args.ablation:
        ablation(work, args.seeds, args.folds, args.taxonomy)
        return 0
    unknown = set(args.train_only) - set(work)
    if unknown:
        raise SystemExit(
            f"--train-only: no set {', '.join(sorted(unknown))} (sets: {sorted(work)})"
        )
    extra = [r for n in args.train_only for r in work.pop(n)]
    if args.paired:
        return paired(work, extra, args.seeds, args.folds, lexicon)
    for name in METHODS if args.method == "all" else [args.method]:
        result = cross_validate(
            METHODS[name](lexicon), work, args.seeds, args.folds, fixed=name == "rules", extra=extra
        )
        print_result(name, result)
    return 0


def paired(sets: dict, extra: list[dict], seeds: int, k: int, lexicon) -> int:
    """Does training on `extra` help the scored sets? The hybrid with and without it on the same
    folds; the effect on the pooled mean and its spread over the repeats (the keep rule)."""
    if not extra:
        raise SystemExit("--paired needs --train-only SET")
    base = cross_validate(hybrid_method(lexicon), sets, seeds, k)
    more = cross_validate(hybrid_method(lexicon), sets, seeds, k, extra=extra)
    print_result("hybrid, without", base)
    print_result(f"hybrid, trained also on {len(extra)} extra rows", more)
    effect, spread = protocol.paired(base.per_repeat, more.per_repeat)
    print(f"\npaired effect on the pooled mean: {effect:+.3f} ± {spread:.3f}")
    for n in sorted(sets):
        e, sd = protocol.paired(base.per_repeat, more.per_repeat, [n])
        print(f"  {n:<10} {e:+.3f} ± {sd:.3f}")
    print("keep" if effect > spread else "within the spread: do not keep")
    return 0


def articles(lexicon) -> int:
    """Stage of each article (what `export documents` gives as article_stage) on every corpus
    of articles with a known stage, the article layer trained on the other corpora only; beside
    it the reading without the layer (the rules, the model reviewing the deciding sentence).
    Paired bootstrap of the difference per corpus and pooled (mean of the corpora)."""
    shipped = maturity.load_stage_model()
    if shipped is None:
        raise SystemExit(f"no model at {maturity.MODEL_FILE}: run scripts/train_maturity.py")
    bare = maturity.StageModel(copy.copy(shipped.model))
    bare.model.meta = {k: v for k, v in shipped.model.meta.items() if k != "article"}
    sets = train_maturity.article_sets()
    rng = random.Random(0)
    pooled: list[list[float]] = []

    def compare(name: str, rows: list[tuple[str, str]], layered, trained_on: str) -> list[float]:
        before = [maturity.read_article(t, lexicon, bare)[1] == g for t, g in rows]
        after = [maturity.read_article(t, lexicon, layered)[1] == g for t, g in rows]
        diffs = [int(a) - int(b) for a, b in zip(after, before)]
        boot = [sum(rng.choice(diffs) for _ in diffs) / len(diffs) for _ in range(1000)]
        print(
            f"{name:<8} {len(rows):4d} articles: without the layer {sum(before) / len(rows):.3f}, "
            f"layer trained on {trained_on} {sum(after) / len(rows):.3f} "
            f"({statistics.fmean(boot):+.3f} ± {statistics.stdev(boot):.3f})"
        )
        return boot

    for name, rows in sets.items():
        layered = maturity.StageModel(copy.copy(shipped.model))
        others = {k: v for k, v in sets.items() if k != name}
        layered.model.meta = {
            **bare.model.meta,
            "article": train_maturity.fit_article_layer(bare, others, lexicon),
        }
        pooled.append(compare(name, rows, layered, "+".join(others)))
    per_draw = [statistics.fmean(d) for d in zip(*pooled)]
    mean, spread = statistics.fmean(per_draw), statistics.stdev(per_draw)
    print(f"pooled (mean of the corpora): {mean:+.3f} ± {spread:.3f}")
    # the streams the layer is never trained on, read by the shipped model (all their articles)
    for folder in protocol.TEST_STREAMS:
        if folder not in protocol.ARTICLE_TRAINING_STREAMS and (folder / "truth.jsonl").exists():
            rows = train_maturity.stream_articles(protocol.stream_pairs(folder))
            compare(folder.name, rows, shipped, "the shipped model's corpora")
    unseen = train_maturity.stage_articles(train_maturity.STAGE_ARTICLES_UNSEEN)
    rows = [(f"{r['title']}. {r['text']}", r["stage"]) for r in unseen]
    compare("stage_articles2 (never trained on)", rows, shipped, "the shipped model's corpora")
    return 0


def article_words(run: Path, lexicon) -> int:
    """Stage of each on-topic article of the streams' working parts, read out of fold: by the
    fold's layer of `run` (sentences and the word model of the whole article) and by a layer
    over the sentence readings alone (`train_maturity.fit_article_layer(words=False)`, the
    same corpora), per language and stage. Asks whether the word model, which reads some
    English ideas as pilots, is worth its errors (stop 53: yes, in both languages)."""
    import eval_streams

    shipped = maturity.load_stage_model()
    if shipped is None:
        raise SystemExit(f"no model at {maturity.MODEL_FILE}: run scripts/train_maturity.py")
    right: Counter = Counter()
    for n, fold in enumerate(eval_streams.folds(2)):
        with_words = maturity.load_stage_model(run / f"layer_fold{n}.json")
        if with_words is None:
            raise SystemExit(f"{run}/layer_fold{n}.json: no such layer (eval_streams.py --folds 2)")
        sets = train_maturity.article_sets(leave_out=[f.name for f in fold])
        sentences_only = maturity.StageModel(copy.copy(shipped.model))
        sentences_only.model.meta = {
            **shipped.model.meta,
            "article": train_maturity.fit_article_layer(shipped, sets, lexicon, words=False),
        }
        for folder in fold:
            for art, truth in protocol.stream_working_part(folder):
                if truth["topic"] == "offtopic":
                    continue
                text = f"{art['title']}. {art['text']}"
                probs = train_maturity.sentence_probabilities(text, shipped, lexicon)
                hits = {
                    name: layered.article(probs, text)[0] == truth["stage"]
                    for name, layered in (("words", with_words), ("sentences", sentences_only))
                }
                for kind in ("all", truth["stage"]):
                    key = (art.get("language", "de"), kind)
                    right[key + ("n",)] += 1
                    for name, hit in hits.items():
                        right[key + (name,)] += hit
    for lang, kind, _ in sorted(k for k in right if k[2] == "n"):
        n = right[(lang, kind, "n")]
        print(
            f"{lang} {kind:<9} {n:5d} articles: with the word model {right[(lang, kind, 'words')]}"
            f", sentences alone {right[(lang, kind, 'sentences')]}"
        )
    return 0


def unseen(lexicon) -> int:
    """Accuracy of the shipped model (as `trends signals` reads a sentence on its own) on the
    blind-written sets it was never trained on (tests/data/maturity_written3.tsv, written5,
    written9), per stage and language."""
    sets = train_maturity.unseen_sets()
    if not sets:
        raise SystemExit(f"no unseen set at {train_maturity.UNSEEN}")
    for name, rows in sets.items():
        preds = [maturity.sentence_stage(r["text"], lexicon).stage for r in rows]
        ok = [r["stage"] == p for r, p in zip(rows, preds)]
        print(
            f"unseen ({name}, never trained on): {sum(ok)} of {len(rows)} = "
            f"{sum(ok) / len(rows):.3f}"
        )
        for key in ("stage", "lang"):
            cells = defaultdict(lambda: [0, 0])
            for r, good in zip(rows, ok):
                cells[r[key]][0] += good
                cells[r[key]][1] += 1
            print(
                f"  by {key}: " + ", ".join(f"{k} {a}/{n}" for k, (a, n) in sorted(cells.items()))
            )
    return 0


def old_report(args: argparse.Namespace, lexicon) -> int:
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
