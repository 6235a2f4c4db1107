"""Run the demo end to end (or reuse a demo workspace) and score it against trends/demo/truth.yaml.

    python scripts/eval_demo.py [--out demo-workspace] [--reuse]

Prints: articles collected / published, duplicates stored, topics recovered, trend classes right,
last-quarter stage right, municipalities per topic (precision/recall), and seconds per stage.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from trends.config import Workspace
from trends.demo.evaluate import evaluate, format_report
from trends.pipeline import run_demo


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", help="demo workspace (default: a fresh temporary folder)")
    parser.add_argument(
        "--reuse", action="store_true", help="score --out as it is, without running the demo"
    )
    args = parser.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="trends-demo-")
    if not args.reuse:
        started = time.perf_counter()
        result = run_demo(out)
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
        print(f"demo: {time.perf_counter() - started:.1f} s wall ({stages})")
    print(format_report(evaluate(Workspace.resolve(out))))


if __name__ == "__main__":
    main()
