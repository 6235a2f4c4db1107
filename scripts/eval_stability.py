"""How stable are the topics? Share of topics found again (term-vector cosine > 0.8) when

- the seed changes (same window), and
- the window moves back by one quarter (seed 0),

both compared with the seed-0 model of the latest quarter. Runs on a copy of the workspace's
corpus, so the workspace's own models are not touched.

    python scripts/eval_stability.py                 # on a fresh demo corpus
    python scripts/eval_stability.py --workspace W   # on the corpus of workspace W
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from trends.analyze import AnalysisConfig, analyze
from trends.config import Workspace
from trends.corpus import Corpus
from trends.nlp.topics import match_topics
from trends.records import shift_quarter

SIMILAR = 0.8


def topic_terms(folder: Path) -> dict[str, dict[str, float]]:
    data = json.loads((folder / "topics.json").read_text(encoding="utf-8"))
    return {t["id"]: t["terms"] for t in data["topics"]}


def run(corpus_db: Path, cfg: AnalysisConfig) -> dict[str, dict[str, float]]:
    """Analyze a copy of the corpus in a fresh workspace (no previous model to link to)."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "corpus").mkdir()
        shutil.copy(corpus_db, Path(tmp) / "corpus" / "corpus.sqlite")
        (Path(tmp) / "sources.yaml").write_text("sources: []\n")
        return topic_terms(analyze(Workspace.resolve(tmp), cfg).folder)


def share_matched(base: dict, other: dict) -> float:
    matched = match_topics(base, list(other.values()), SIMILAR)
    return len(matched) / len(base) if base else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workspace", help="workspace whose corpus to use (default: a new demo)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 1..N-1 compared with seed 0")
    args = parser.parse_args()
    if args.workspace:
        ws = Workspace.resolve(args.workspace)
    else:
        from trends.pipeline import run_demo

        out = tempfile.mkdtemp(prefix="trends-stability-")
        run_demo(out)
        ws = Workspace.resolve(out)
    if not ws.corpus_db.exists():
        sys.exit(f"no corpus at {ws.corpus_db}")
    base_cfg = AnalysisConfig()
    base = run(ws.corpus_db, base_cfg)
    print(f"seed 0: {len(base)} topics")
    for seed in range(1, args.seeds):
        other = run(ws.corpus_db, AnalysisConfig(seed=seed))
        print(
            f"seed {seed}: {len(other)} topics, {share_matched(base, other):.0%} of seed 0's "
            f"topics found again (cosine > {SIMILAR})"
        )
    with Corpus(ws.corpus_db) as corpus:
        latest = corpus.quarters()[-1]
    shifted = run(ws.corpus_db, AnalysisConfig(quarter=shift_quarter(latest, -1)))
    print(
        f"window shifted to end {shift_quarter(latest, -1)}: {len(shifted)} topics, "
        f"{share_matched(base, shifted):.0%} of {latest}'s topics found again (cosine > {SIMILAR})"
    )


if __name__ == "__main__":
    main()
