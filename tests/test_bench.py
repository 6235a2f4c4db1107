"""The speed script the issue's goals are read with: it must keep running, and its paired mode
must print the ratio line (the figures themselves are measured, not asserted)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bench_analyze_paired_prints_the_ratio():
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "bench_analyze.py"),
            "--sizes",
            "300",
            "--paired",
            "1",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=240,
    ).stdout
    assert re.search(r"N=\s*300: baseline [\d.]+ s, peak RSS \d+ MB", out), out
    assert re.search(r"N=\s*300: analyze [\d.]+ s.*NMI [\d.]+ vs planted", out), out
    ratio = re.search(r"analyze / reference = ([\d.]+) / ([\d.]+) s = ([\d.]+)x", out)
    assert ratio, out
    analyze_s, ref_s, shown = map(float, ratio.groups())
    assert shown == pytest.approx(analyze_s / ref_s, abs=0.01)
