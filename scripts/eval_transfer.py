"""Precision and recall of `trends suggest NAME --peers all` against known who-did-what.

    python scripts/eval_transfer.py [--out DIR] [--reuse]          # the demo (trends/demo/truth.yaml)
    python scripts/eval_transfer.py --corpus DIR [--out DIR]        # an external corpus

Demo: runs the demo (or scores the demo workspace --out with --reuse) and compares the profiles of
the truth's `transfer:` block (Soest, Delbrück, Paderborn, Gelsenkirchen).

External corpus (DIR holds articles.jsonl, truth.jsonl with each article's topic, places and
stages, and topics.yaml with the expected lists of some places): imports the articles into a
temporary workspace, analyzes them, runs `suggest --peers all` for each place topics.yaml names,
maps each found topic to the truth topic whose articles it shares most, and scores the lists
against topics.yaml and against the lists the truth implies (trends.demo.evaluate.expected_transfer).
Nothing is tuned to it: the run is logged in scripts/lockbox.log like any held-out scoring.

Prints, per place and list, precision and recall, then the lists pooled over the places.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
import protocol  # noqa: E402

from trends.config import Workspace  # noqa: E402
from trends.demo.evaluate import (  # noqa: E402
    TRANSFER_LISTS,
    evaluate_transfer,
    expected_transfer,
    score_lists,
    shown_transfer,
    topic_map,
)
from trends.transfer import Landscape, suggest  # noqa: E402


def print_scores(results: dict[str, dict], lists=TRANSFER_LISTS) -> None:
    print(f"{'place':18s} " + "  ".join(f"{k:>17s}" for k in lists))
    for name, r in results.items():
        cells = [f"P {r[k]['precision']:.2f} R {r[k]['recall']:.2f}" for k in lists if k in r]
        print(f"{name:18s} " + "  ".join(f"{c:>17s}" for c in cells))
    cells = []
    for k in lists:
        tp = sum(r[k]["tp"] for r in results.values() if k in r)
        shown = sum(r[k]["shown"] for r in results.values() if k in r)
        expected = sum(r[k]["expected"] for r in results.values() if k in r)
        p = tp / shown if shown else float("nan")
        rec = tp / expected if expected else float("nan")
        cells.append(f"P {p:.2f} R {rec:.2f}")
    print(f"{'pooled':18s} " + "  ".join(f"{c:>17s}" for c in cells))
    print(
        f"{'(tp/shown/expected)':18s} "
        + "  ".join(
            f"{sum(r[k]['tp'] for r in results.values() if k in r):>5d}/"
            f"{sum(r[k]['shown'] for r in results.values() if k in r):d}/"
            f"{sum(r[k]['expected'] for r in results.values() if k in r):d}".rjust(17)
            for k in lists
        )
    )


def run_demo_eval(out: str | None, reuse: bool) -> None:
    from trends.pipeline import run_demo

    out = out or tempfile.mkdtemp(prefix="trends-demo-")
    if not reuse:
        started = time.perf_counter()
        run_demo(out)
        print(f"demo: {time.perf_counter() - started:.1f} s")
    print("demo, suggest --peers all against trends/demo/truth.yaml (transfer:)")
    print_scores(evaluate_transfer(Workspace.resolve(out)))


# -- an external corpus -----------------------------------------------------------------------------
def _first(row: dict, *keys: str, default=None):
    for k in keys:
        if row.get(k) not in (None, ""):
            return row[k]
    return default


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def load_external(corpus: Path) -> tuple[list[dict], list[tuple], dict[str, set[str]], dict]:
    """(articles, truth records, truth topic -> article keys, topics.yaml)."""
    articles = _read_jsonl(corpus / "articles.jsonl")
    truth_rows = _read_jsonl(corpus / "truth.jsonl")
    spec = yaml.safe_load((corpus / "topics.yaml").read_text("utf-8")) or {}
    by_key = {}
    for a in articles:
        for k in ("id", "url", "title"):
            if a.get(k):
                by_key[str(a[k])] = a
    records: list[tuple] = []
    sets: dict[str, set[str]] = {}
    for row in truth_rows:
        key = str(_first(row, "id", "article_id", "url", "title", default=""))
        art = by_key.get(key, {})
        topic = _first(row, "topic", "topic_id")
        if topic is None and isinstance(row.get("topics"), list) and row["topics"]:
            topic = row["topics"][0]
        if not topic:
            continue
        day = str(_first(row, "published", "date", default="") or art.get("published", ""))[:10]
        published = dt.date.fromisoformat(day)
        places = _first(row, "places", "municipalities", default=[]) or []
        stage = str(_first(row, "stage", default="none"))
        per_place: dict[str, list[str]] = {}
        for p in places:
            if isinstance(p, dict):
                per_place.setdefault(str(p.get("stage") or stage), []).append(
                    str(_first(p, "name", "place"))
                )
            else:
                per_place.setdefault(stage, []).append(str(p))
        for st, names in per_place.items():
            records.append((str(topic), st, tuple(names), published))
        sets.setdefault(str(topic), set()).add(str(art.get("id") or key))
    return articles, records, sets, spec


def expected_lists(spec: dict) -> dict[str, dict[str, set[str]]]:
    """topics.yaml's expected lists per place, whatever the nesting (place: {list: [topics]})."""
    block = (
        spec.get("focus")
        or spec.get("profiles")
        or spec.get("expected")
        or spec.get("places")
        or spec
    )
    out = {}
    for name, lists in block.items():
        if isinstance(lists, dict) and any(k in lists for k in TRANSFER_LISTS):
            out[name] = {
                k: {str(t) for t in (lists.get(k) or [])} for k in TRANSFER_LISTS if k in lists
            }
    return out


def run_external(corpus: Path, out: str | None) -> None:
    articles, records, sets, spec = load_external(corpus)
    expected = expected_lists(spec)
    if not expected:
        raise SystemExit(f"{corpus / 'topics.yaml'}: no expected lists found")
    ws_dir = Path(out or tempfile.mkdtemp(prefix="trends-transfer-"))
    ws_dir.mkdir(parents=True, exist_ok=True)
    trends = [sys.executable, "-m", "trends", "-w", str(ws_dir)]
    started = time.perf_counter()
    if not (ws_dir / "corpus" / "corpus.sqlite").exists():
        subprocess.run([*trends, "import", str(corpus / "articles.jsonl")], check=True)
    # the truth's last quarter (analyze's default, the latest quarter with articles, is the same)
    quarter = spec.get("quarter") or max(
        f"{d.year}Q{(d.month - 1) // 3 + 1}" for _, _, _, d in records
    )
    subprocess.run([*trends, "analyze", *(["--quarter", quarter] if quarter else [])], check=True)
    print(
        f"{corpus}: {len(articles)} articles imported and analysed in {time.perf_counter() - started:.1f} s"
    )
    ws = Workspace.resolve(ws_dir)
    land = Landscape(ws, quarter)
    shown = shown_lists(ws, land, sets, expected)
    stated = {name: score_lists(lists, shown[name]) for name, lists in expected.items()}
    implied = {
        name: score_lists(expected_transfer(records, name, land.quarter), shown[name])
        for name in expected
    }
    keys = [k for k in TRANSFER_LISTS if any(k in v for v in expected.values())]
    print(f"against topics.yaml (model {land.quarter}, --peers all)")
    print_scores({n: {k: r[k] for k in keys} for n, r in stated.items()}, keys)
    print("against the lists truth.jsonl implies")
    print_scores(implied)
    pooled = pool(stated, expected)
    # the same with the truth's topics in place of the model's: what is left is places and stages
    oracle = _with_truth_topics(ws, sets, land.quarter)
    oracle_land = Landscape(oracle, land.quarter)
    identity = {t: t for t in sets}
    scores = {
        name: score_lists(
            lists,
            shown_transfer(suggest(oracle, name, peers_mode="all", land=oracle_land), identity),
        )
        for name, lists in expected.items()
    }
    print("against topics.yaml with the truth's topics (the model's places and stages only)")
    print_scores({n: {k: r[k] for k in keys} for n, r in scores.items()}, keys)
    protocol.log_lockbox(
        "eval_transfer.py",
        f"{corpus.name}: "
        + "; ".join(f"{k} tp/shown/expected {v[0]}/{v[1]}/{v[2]}" for k, v in pooled.items()),
    )


def shown_lists(
    ws: Workspace, land: Landscape, sets: dict[str, set[str]], names: Iterable[str]
) -> dict[str, dict]:
    """Per focus town, the truth topics in each list `suggest --peers all` shows it."""
    # article keys: the corpus's ids (kept by import) map found topics to truth topics
    mapping = topic_map(ws, sets, key=lambda row: row["id"])
    return {
        name: shown_transfer(suggest(ws, name, peers_mode="all", land=land), mapping)
        for name in names
    }


def pool(scores: dict[str, dict], expected: dict[str, dict]) -> dict[str, list[int]]:
    """List -> [tp, shown, expected] summed over the focus towns that have that list."""
    out: dict[str, list[int]] = {}
    for name, lists in expected.items():
        for k in lists:
            total = out.setdefault(k, [0, 0, 0])
            for n, f in enumerate(("tp", "shown", "expected")):
                total[n] += scores[name][k][f]
    return {k: out[k] for k in TRANSFER_LISTS if k in out}


def _with_truth_topics(ws: Workspace, sets: dict[str, set[str]], quarter: str) -> Workspace:
    """A copy of the model of `quarter` whose articles carry their truth topic ('offtopic' ->
    'other'), so suggest can be scored without the topic model's errors."""
    topic_of = {i: t for t, ids in sets.items() for i in ids}
    root = ws.root.parent / (ws.root.name + "-truth-topics")
    qdir = root / "models" / quarter
    qdir.mkdir(parents=True, exist_ok=True)
    src = ws.models_dir / quarter
    (qdir / "manifest.json").write_text((src / "manifest.json").read_text("utf-8"), "utf-8")
    model = json.loads((src / "topics.json").read_text("utf-8"))
    model["topics"] = [
        {"id": t, "label": t, "keyphrases": [], "trend_class": "stable", "stage": "none"}
        for t in sorted(sets)
        if t != "offtopic"
    ]
    model["dormant"] = []
    (qdir / "topics.json").write_text(json.dumps(model), "utf-8")
    with (
        (src / "assignments.jsonl").open(encoding="utf-8") as fh,
        (qdir / "assignments.jsonl").open("w", encoding="utf-8") as out,
    ):
        for line in fh:
            row = json.loads(line)
            topic = topic_of.get(row["id"], "offtopic")
            row["topic_id"] = "other" if topic == "offtopic" else topic
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return Workspace.resolve(root)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", help="workspace folder (default: a fresh temporary folder)")
    parser.add_argument("--reuse", action="store_true", help="demo: score --out as it is")
    parser.add_argument("--corpus", type=Path, help="an external corpus folder (see above)")
    args = parser.parse_args()
    if args.corpus:
        run_external(args.corpus, args.out)
    else:
        run_demo_eval(args.out, args.reuse)


if __name__ == "__main__":
    main()
