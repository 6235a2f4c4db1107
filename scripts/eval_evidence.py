#!/usr/bin/env python
"""Is the quoted evidence about its topic? Share of quoted stage sentences that name a keyphrase.

    python scripts/eval_evidence.py [WORKSPACE] [--quarter Q] [--list]

WORKSPACE: an analysed workspace (default: the demo, run into a temporary folder). For each
topic of the quarter's model that the report shows, the stage evidence the report quotes
(`trends.models.pick_evidence`, as many as the report shows) is checked: a sentence "names a
keyphrase of its topic" when one of the words of its topic's keyphrases (four letters or more)
occurs in it, also inflected or inside a compound. Prints the share, the topics that quote no
sentence, and with ``--list`` every quote that names none.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trends.config import Workspace  # noqa: E402
from trends.maturity import word_stems  # noqa: E402
from trends.models import latest_quarter, load_model, pick_evidence, read_model_file  # noqa: E402
from trends.report.build import MAX_EVIDENCE  # noqa: E402


def names_keyphrase(sentence: str, stems: frozenset[str]) -> bool:
    low = sentence.lower()
    return any(s in low for s in stems)


def score(ws: Workspace, quarter: str | None = None, show: bool = False) -> tuple[int, int, int]:
    """(quotes naming a keyphrase, quotes, topics without a quote)."""
    quarter = quarter or latest_quarter(ws)
    model = load_model(ws, quarter)
    evidence = read_model_file(ws, quarter, "evidence.json")
    named = total = empty = 0
    for topic in model["topics"]:
        if topic.get("hidden") or topic.get("merge_into"):
            continue
        items, _ = pick_evidence(
            evidence, [topic["id"]], "stage", quarter, stage=topic["stage"], limit=MAX_EVIDENCE
        )
        if not items and topic["stage"] != "none":
            empty += 1
        stems = word_stems(topic["keyphrases"])  # the stems topic_backing matches too
        for e in items:
            total += 1
            ok = names_keyphrase(e["text"], stems)
            named += ok
            if show and not ok:
                print(f"  {topic['id']} {topic['label']!r} [{e['stage']}]: {e['text']}")
    return named, total, empty


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("workspace", nargs="?", help="analysed workspace (default: run the demo)")
    ap.add_argument("--quarter")
    ap.add_argument("--list", action="store_true", help="list the quotes that name no keyphrase")
    args = ap.parse_args(argv)
    if args.workspace:
        ws = Workspace.resolve(args.workspace)
    else:
        from trends.pipeline import run_demo

        out = tempfile.mkdtemp(prefix="trends-demo-")
        run_demo(out)
        ws = Workspace.resolve(out)
    named, total, empty = score(ws, args.quarter, args.list)
    share = named / total if total else 0.0
    print(
        f"{ws.root}: {named} of {total} quoted stage sentences name a keyphrase of their topic "
        f"({share:.0%}); topics with a stage but no quote: {empty}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
