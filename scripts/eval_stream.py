#!/usr/bin/env python
"""Issue 23's table on a news stream with known truth: import, analyze, and score what an adviser
would see.

    python scripts/eval_stream.py                       # tests/data/stream (written for us)
    python scripts/eval_stream.py DIR [--quarter 2026Q3] [--keep WS]
    python scripts/eval_stream.py --lockbox             # article figures on the lockbox, once
    python scripts/eval_stream.py DIR --judge "written blind in stop N, …; scored once, whole, …"
                                                        # a judge's one scoring, logged whole

DIR holds ``articles.jsonl`` (what `trends import` reads), ``truth.jsonl`` (per article: ``topic``
T01… or ``offtopic``, ``stage``, ``places`` [{name, stage}]) and ``topics.yaml`` (per topic its
``class`` and ``stage_<quarter>``). The stream in tests/data/stream was written from a brief by a
colleague who never read the code (189 articles, 8 sources, 10 topics, 50 off-topic).

Printed, as in the issue: known topics recovered (the best model topic by F1 over articles,
recovered when F1 >= 0.6), trend class and last-quarter stage of each topic (and, with more
power, its stage in every quarter its articles report on, against the furthest stage they told
up to then: `quarter_stages`), stage of each article (`article_stage`, as `export documents`
gives it), how many kept on-topic articles sit in the model topic that stands for their
subject (in all and in English), the stage of each place an article names as `who` and
`suggest` read it (`trends.scan.place_stage_of`, against the truth's places) and the furthest
stage per place and topic that `who` shows, off-topic articles set aside and on-topic ones
lost, and municipalities that `who` names for each topic.

Protocol (scripts/protocol.py): the analysis sees every article (it is unsupervised); the
article-level figures are computed on the working part, and on the hash-chosen lockbox only with
``--lockbox``. Topic-level figures cannot be split by article and are computed on all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import protocol  # noqa: E402
import yaml  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from trends import maturity  # noqa: E402
from trends.analyze import AnalysisConfig, ArticleNLP, analyze  # noqa: E402
from trends.cli import main as cli  # noqa: E402
from trends.config import Workspace  # noqa: E402
from trends.corpus import Corpus  # noqa: E402
from trends.demo.evaluate import furthest_stages  # noqa: E402
from trends.models import load_model  # noqa: E402
from trends.nlp import entities  # noqa: E402
from trends.records import STAGES, quarter_of  # noqa: E402
from trends.scan import place_stage_of, who  # noqa: E402

DEFAULT = ROOT / "tests" / "data" / "stream"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def build(folder: Path, ws_root: Path, quarter: str, today: dt.date) -> Workspace:
    ws_root.mkdir(parents=True, exist_ok=True)
    res = CliRunner().invoke(cli, ["-w", str(ws_root), "import", str(folder / "articles.jsonl")])
    if res.exit_code != 0:
        raise SystemExit(f"import failed: {res.output}")
    ws = Workspace.resolve(ws_root)
    analyze(ws, AnalysisConfig(quarter=quarter, today=today))
    return ws


def _gazetteer_name(name: str) -> str:
    """The name analysis gives a place the truth names ("Menden" is "Menden (Sauerland)")."""
    entry = entities.lookup(name)
    return entry.name if entry else name


def f1(a: set, b: set) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.0


def quarter_stages(
    ws: Workspace, quarter: str, articles: dict, truth: dict, recovered: dict, spec: dict
) -> tuple[int, int, int]:
    """A topic's stage in every quarter in which its articles report on it, against a truth
    derived from the articles: the furthest stage any of its articles told up to that quarter
    (a stage reached stays reached; in the last quarter that is the brief's "stage of the
    leading town"). Ten topics give ten last-quarter stages but some seventy quarters: a measure
    with the power to tell small rule changes apart. -> (right, judged, topics whose derived
    last-quarter stage agrees with topics.yaml: the check of the derivation)."""
    order = {s: n for n, s in enumerate(STAGES)}
    told: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for i, t in truth.items():
        if t["topic"] != "offtopic" and t["stage"] in order:
            day = dt.date.fromisoformat(str(articles[i]["published"])[:10])
            told[t["topic"]].append((quarter_of(day), t["stage"]))

    def derived(tid: str, q: str) -> str | None:
        stages = [s for qq, s in told[tid] if qq <= q]
        return max(stages, key=order.__getitem__) if stages else None

    series = json.loads((ws.models_dir / quarter / "trends.json").read_text(encoding="utf-8"))
    model_stage = {(r["topic_id"], r["quarter"]): r["stage"] for r in series}
    judged = [
        (m, tid, q) for tid, m in recovered.items() for q in sorted({q for q, _ in told[tid]})
    ]
    right = sum(model_stage.get((m, q)) == derived(tid, q) for m, tid, q in judged)
    agree = sum(derived(tid, quarter) == spec[tid].get(f"stage_{quarter}") for tid in spec)
    return right, len(judged), agree


def judge_line(name: str, note: str, figures: dict[str, list[int]], topics: list[dict]) -> str:
    """One line for scripts/lockbox.log on a judge's one scoring: the whole stream's figures,
    the new and emerging topics with their F1 and class, and each class and stage read wrong,
    so that the log alone tells what the judge said (transfer: eval_transfer.py's own line)."""

    def short(t: dict) -> str:
        return re.split(r" \(|, ", t["subject"], maxsplit=1)[0]

    def of(key: str) -> str:
        right, n = figures[key]
        return f"{right} of {n}"

    def share(key: str) -> str:
        right, n = figures[key]
        return f"{right} of {n} ({right / max(1, n):.0%})"

    found = [t for t in topics if t["f1"] >= 0.6]
    small = "; ".join(
        f"the {t['class'][0]} topic, {short(t)}, F1 {t['f1']:.2f}, read {t['class'][1] or '-'}"
        for t in topics
        if t["class"][0] in ("new", "emerging")
    )
    wrong = {
        what: "; ".join(
            f"{short(t)}, {t[what][0]}, read {t[what][1]}"
            for t in found
            if t[what][0] != t[what][1]
        )
        for what in ("class", "stage")
    }
    lost, on = figures["on_topic_lost"]
    return (
        f"{name} ({note}): topics {of('known')} ({small}), classes {of('class')}"
        + (f" ({wrong['class']})" if wrong["class"] else "")
        + f", stages {of('stage')}"
        + (f" ({wrong['stage']})" if wrong["stage"] else "")
        + f", stage in every quarter {of('every_quarter')}, who {of('who')}, furthest stage per "
        f"place in who {of('who_stage')}; on the working part: off-topic set aside "
        f"{share('off_topic_set_aside')}, on-topic lost {lost} of {on} ({lost / max(1, on):.1%}),"
        f" article stage {of('article_stage')}, in their subject's topic {of('in_topic')} "
        f"(English {of('in_topic_english')}), places {of('place_stage')}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("folder", type=Path, nargs="?", default=DEFAULT)
    ap.add_argument("--quarter", default="2026Q3")
    ap.add_argument("--today", default="2026-11-22", help="analysis date (YYYY-MM-DD)")
    ap.add_argument("--keep", type=Path, help="build the workspace here and keep it")
    ap.add_argument("--lockbox", action="store_true", help="article figures on the lockbox (once)")
    ap.add_argument(
        "--json", type=Path, help="also write the figures here ({name: [right, of]}, per topic)"
    )
    ap.add_argument(
        "--stage-model",
        type=Path,
        help="read stages with this maturity model instead of the shipped one (one trained "
        "without this stream: scripts/eval_streams.py --folds)",
    )
    ap.add_argument(
        "--judge",
        metavar="NOTE",
        help="an unseen stream's one scoring (tests/data/README.md): also log the figures of the "
        "whole stream to scripts/lockbox.log, with NOTE (who wrote it, with which code it is "
        "scored); not with --lockbox",
    )
    args = ap.parse_args(argv)
    if args.judge and args.lockbox:
        ap.error("--judge logs the working part's figures: score the lockbox part separately")
    if args.stage_model:
        if not args.stage_model.exists():
            ap.error(f"{args.stage_model}: no such model file")
        maturity.MODEL_FILE = args.stage_model  # analyze and its forked workers read it here

    articles, truth = protocol.read_stream(args.folder)
    spec = yaml.safe_load((args.folder / "topics.yaml").read_text(encoding="utf-8"))["topics"]
    root = args.keep or Path(tempfile.mkdtemp(prefix="trends-stream-"))
    ws = build(args.folder, root, args.quarter, dt.date.fromisoformat(args.today))

    with Corpus(ws.corpus_db) as corpus:
        stored = {a.id: a for a in corpus.articles(relevant_only=False)}
    assignments = {
        r["id"]: r for r in read_jsonl(ws.models_dir / args.quarter / "assignments.jsonl")
    }
    model = {t["id"]: t for t in load_model(ws, args.quarter)["topics"]}

    work, box = protocol.split_lockbox(list(truth), lambda i: protocol.stream_key(articles[i]))
    scored = sorted(set(box if args.lockbox else work))  # in id order: output never in hash order
    print(
        f"{args.folder}: {len(articles)} articles, {len(spec)} topics; workspace {root}\n"
        f"article figures on {'the LOCKBOX' if args.lockbox else 'the working part'}: "
        f"{len(scored)} of {len(truth)}"
    )

    # topics: the best model topic of each known one, by F1 over (all) articles
    members: dict[str, set] = defaultdict(set)
    for aid, row in assignments.items():
        if row["topic_id"] in model:  # "other" (articles in no topic) is no topic
            members[row["topic_id"]].add(aid)
    rows, recovered = [], {}
    for tid in sorted(spec):
        gold = {i for i, t in truth.items() if t["topic"] == tid}
        best = max(members, key=lambda m: (f1(gold, members[m]), m)) if members else None
        score = f1(gold, members[best]) if best else 0.0
        if score >= 0.6:
            recovered[tid] = best
        topic = model.get(best, {})
        rows.append((tid, best, score, topic))
    ok_class = sum(
        1 for tid, m in recovered.items() if model[m]["trend_class"] == spec[tid]["class"]
    )
    key = f"stage_{args.quarter}"
    ok_stage = sum(1 for tid, m in recovered.items() if model[m]["stage"] == spec[tid].get(key))
    print(f"known topics recovered (F1 >= 0.6): {len(recovered)} of {len(spec)}")
    print(f"trend class right (recovered): {ok_class} of {len(recovered)}")
    print(f"stage in {args.quarter} right (recovered): {ok_stage} of {len(recovered)}")
    right_q, total_q, agree = quarter_stages(ws, args.quarter, articles, truth, recovered, spec)
    print(
        f"stage in every quarter right (recovered, quarters with articles): {right_q} of "
        f"{total_q}; the truth derived so agrees with topics.yaml on {agree} of {len(spec)} "
        "last quarters"
    )

    # articles
    on = [i for i in scored if truth[i]["topic"] != "offtopic"]
    off = [i for i in scored if truth[i]["topic"] == "offtopic"]
    set_aside = sum(1 for i in off if not stored[i].relevant)
    lost = sum(1 for i in on if not stored[i].relevant)
    print(
        f"off-topic set aside: {set_aside} of {len(off)} ({set_aside / max(1, len(off)):.0%}); "
        f"on-topic lost: {lost} of {len(on)} ({lost / max(1, len(on)):.1%}); none deleted: "
        f"{all(i in stored for i in articles)}"
    )
    staged = [i for i in on if i in assignments]
    right = sum(1 for i in staged if assignments[i].get("stage") == truth[i]["stage"])
    confusion = Counter((truth[i]["stage"], assignments[i].get("stage")) for i in staged)
    print(
        f"article stage right (article_stage): {right} of {len(staged)} "
        f"({right / max(1, len(staged)):.2f}); articles in no topic: {len(on) - len(staged)}"
    )
    print("  gold -> read: " + ", ".join(f"{g}->{p} {n}" for (g, p), n in confusion.most_common(8)))
    # each kept on-topic article in the model topic that stands for its subject (the best one by
    # F1), by language: what a change of the topic model moves, below the topics' F1 bar
    best_of = {tid: best for tid, best, _, _ in rows}
    english = {i for i in staged if (articles[i].get("language") or "de")[:2] == "en"}
    placed = {i for i in staged if assignments[i]["topic_id"] == best_of.get(truth[i]["topic"])}
    print(
        f"articles in their subject's topic: {len(placed)} of {len(staged)} "
        f"({len(placed) / max(1, len(staged)):.2f}); English {len(placed & english)} of "
        f"{len(english)}"
    )

    # stage per place: who and suggest give each place an article names maturity.place_stage
    # (issue 22's "in parallel" reads it); scored against the truth's places of each article
    mentions = right_place = 0
    for i in on:
        if not truth[i]["places"]:
            continue
        a = articles[i]
        # as who reads it: the analysed article's place stage (articles set aside: as analyze
        # would read them)
        row = assignments.get(i)
        if row is None:
            nlp_row = ArticleNLP.read(a["title"], a["text"])[0]
            row = {"place_stage": nlp_row.place_stage, "place_stages": nlp_row.own_stages()}
        for p in truth[i]["places"]:
            mentions += 1
            right_place += place_stage_of(row, _gazetteer_name(p["name"])) == p["stage"]
    print(
        f"stage per place right (as who reads it, each place an article names): {right_place} "
        f"of {mentions} ({right_place / max(1, mentions):.2f})"
    )

    # who: places per topic that the matched topic's who-table names, and the furthest stage it
    # shows for each against the furthest the topic's articles tell for that place
    named = total = right_who = 0
    for tid, m in recovered.items():
        furthest = furthest_stages(
            (p["name"], p["stage"])
            for t in truth.values()
            if t["topic"] == tid
            for p in t["places"]
        )
        shown = {g["name"]: g["stage"] for g in who(ws, model[m]["label"])["municipalities"]}
        for name, stage in furthest.items():
            named += _gazetteer_name(name) in shown
            right_who += shown.get(_gazetteer_name(name)) == stage
        total += len(furthest)
    print(
        f"municipalities named by who (recovered topics): {named} of {total} ({named / max(1, total):.0%})"
    )
    print(
        f"furthest stage per place that who shows (recovered topics): {right_who} of {total} "
        f"({right_who / max(1, total):.2f})"
    )

    print("\ntopic  found    F1    class truth/found        stage truth/found    label")
    for tid, best, score, topic in rows:
        print(
            f"{tid}    {best or '-':6s} {score:.2f}  {spec[tid]['class']:>9s}/{topic.get('trend_class', '-'):<10s}"
            f" {spec[tid].get(key, '-'):>8s}/{topic.get('stage', '-'):<9s} {topic.get('label', '')}"
        )
    # what scripts/eval_streams.py pools over every stream: each figure as [right, of]
    found_new = [tid for tid, m in recovered.items() if spec[tid]["class"] == "new"]
    figures = {
        "known": [len(recovered), len(spec)],
        "new": [len(found_new), sum(1 for t in spec.values() if t["class"] == "new")],
        "class": [ok_class, len(recovered)],
        "stage": [ok_stage, len(recovered)],
        "every_quarter": [right_q, total_q],
        "off_topic_set_aside": [set_aside, len(off)],
        "on_topic_lost": [lost, len(on)],
        "article_stage": [right, len(staged)],
        "in_topic": [len(placed), len(staged)],
        "in_topic_english": [len(placed & english), len(english)],
        "place_stage": [right_place, mentions],
        "who": [named, total],
        "who_stage": [right_who, total],
    }
    topics = [
        {
            "truth": tid,
            "found": best,
            "f1": round(score, 3),
            "class": [spec[tid]["class"], topic.get("trend_class")],
            "stage": [spec[tid].get(key), topic.get("stage")],
            "label": topic.get("label", ""),
            "subject": spec[tid].get("subject", ""),
        }
        for tid, best, score, topic in rows
    ]
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "stream": args.folder.name,
                    "lockbox": args.lockbox,
                    "figures": figures,
                    "topics": topics,
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    if args.judge:
        protocol.log_lockbox(
            "eval_stream.py", judge_line(args.folder.name, args.judge, figures, topics)
        )
    if args.lockbox:
        protocol.log_lockbox(
            "eval_stream",
            f"{args.folder.name}: article stage {right}/{len(staged)}, "
            f"off-topic set aside {set_aside}/{len(off)}, on-topic lost {lost}/{len(on)}",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
