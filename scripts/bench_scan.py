"""Time the adviser views (scan, search, who, brief, suggest) and the report on an analysed synthetic corpus.

    python scripts/bench_scan.py [--n 10000]

Builds the corpus like scripts/bench_analyze.py, analyzes it once, then times each view as a user
would run it (a fresh process-level call: model files are read every time, nothing refits).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_analyze import build  # noqa: E402

from trends.analyze import AnalysisConfig, analyze  # noqa: E402
from trends.config import Workspace  # noqa: E402
from trends.report.build import write_report  # noqa: E402
from trends.scan import brief, scan, search, who  # noqa: E402
from trends.transfer import parallel_work, suggest  # noqa: E402


def timed(label: str, fn, repeat: int = 3) -> None:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    print(f"  {label:<42} {best:6.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build(root, args.n)
        ws = Workspace.resolve(root)
        analyze(ws, AnalysisConfig(today=dt.date(2026, 11, 22)))
        print(f"{args.n} articles analysed; best of 3:")
        every = ("new", "emerging", "growing", "stable", "declining")
        timed("scan --all", lambda: scan(ws, classes=every))
        timed(
            "scan --region 'Kreis Soest' --since 90d",
            lambda: scan(ws, region="Kreis Soest", since=dt.date(2026, 7, 1), classes=every),
        )
        timed("search Parkausweis", lambda: search(ws, "Parkausweis"))
        timed("search 'LoRaWAN Sensor'", lambda: search(ws, "LoRaWAN Sensor"))
        timed("who Bewohnerparkausweis", lambda: who(ws, "Bewohnerparkausweis"))
        timed("who --municipality Soest", lambda: who(ws, municipality="Soest"))
        timed("brief Bewohnerparkausweis (md)", lambda: brief(ws, "Bewohnerparkausweis"))
        timed("suggest Soest", lambda: suggest(ws, "Soest"))
        timed("suggest Soest --peers all", lambda: suggest(ws, "Soest", peers_mode="all"))
        timed("suggest --parallel", lambda: parallel_work(ws))
        timed("report (md + html + csv/json)", lambda: write_report(ws), repeat=1)


if __name__ == "__main__":
    main()
