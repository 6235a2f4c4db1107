"""Time `trends report` in all four formats (md, html, pdf, docx, plus tables and archive).

    python scripts/bench_report.py [--n 10000] [--skip-demo]

1. The demo quarter: runs `trends demo` into a temporary folder once, then times write_report
   for German and English separately (each: md + html + pdf + docx + tables + archive).
2. A synthetic corpus of N articles built and analysed like scripts/bench_analyze.py, then the
   report timed the same way.
Prints wall-clock and CPU seconds per run (best of `--repeat`; the machine's load average too, since
a shared machine stretches wall time); the issue's targets are < 10 s and < 30 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_analyze import build  # noqa: E402

from trends.analyze import AnalysisConfig, analyze  # noqa: E402
from trends.config import Workspace  # noqa: E402
from trends.report.build import FORMATS, write_report  # noqa: E402


def timed(label: str, ws: Workspace, repeat: int, **kwargs) -> None:
    best, cpu, files = float("inf"), float("inf"), {}
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        files = write_report(ws, formats=FORMATS, **kwargs)
        best = min(best, time.perf_counter() - t)
        cpu = min(cpu, time.process_time() - c)
    pages = sum(1 for k in files if k.startswith("archive/"))
    pdf = next(p for k, p in files.items() if k.endswith(".pdf"))
    print(
        f"  {label:<22} {best:6.2f} s wall, {cpu:6.2f} s CPU   ({pdf.stat().st_size // 1024} KB pdf, "
        f"{pages} archive pages)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_demo:
            from trends.pipeline import run_demo

            demo = Path(tmp) / "demo"
            run_demo(str(demo))
            ws = Workspace.resolve(demo)
            print(
                f"demo quarter, md + html + pdf + docx + tables + archive (best of {args.repeat}):"
            )
            timed("report (de)", ws, args.repeat)
            timed("report --lang en", ws, args.repeat, lang="en")
        root = Path(tmp) / "synthetic"
        root.mkdir()
        build(root, args.n)
        ws = Workspace.resolve(root)
        analyze(ws, AnalysisConfig(today=dt.date(2026, 11, 22)))
        print(f"{args.n} articles analysed, md + html + pdf + docx + tables + archive:")
        timed("report (de)", ws, args.repeat)


if __name__ == "__main__":
    main()
