"""`trends demo` end to end, scored against trends/demo/truth.yaml: floors so regressions fail CI.

The figures themselves are printed by scripts/eval_demo.py; the floors sit a little below them.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from trends.cli import main
from trends.config import Workspace
from trends.demo.evaluate import evaluate, load_truth
from trends.demo.site import load_articles


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output, evaluate(Workspace.resolve(out))


@pytest.mark.slow
def test_demo_writes_the_report_and_says_where(demo):
    out, output, _ = demo
    assert "report.html" in output and "report.md" in output
    assert (out / "reports" / "2026Q3" / "report.html").stat().st_size > 10_000
    assert "not yet built" not in output


@pytest.mark.slow
def test_every_reachable_article_is_collected_once(demo):
    _, _, result = demo
    assert result["articles_collected"] == result["articles_published"] == len(load_articles())
    assert result["duplicates_stored"] == 0


@pytest.mark.slow
def test_planted_topics_trends_stages_and_municipalities(demo):
    _, _, result = demo
    planted = load_truth()["topics"]
    assert {a.topics[0] for a in load_articles() if a.topics} == {t["id"] for t in planted}
    # Measured (scripts/eval_demo.py, 3 runs, identical since the model's input order no longer
    # depends on the port in the URLs): 14/14 recovered, classes, stages and radar sectors;
    # municipalities P 0.98 R 1.0; `who` shows the furthest stage of 57 of 60 municipalities
    # right. A little slack for other machines; the issue asks 11 of 12.
    recovered = result["topics_recovered"]
    assert recovered >= len(planted) - 1, result["topics"]
    assert result["classes_right"] >= recovered - 1, result["topics"]
    assert result["stages_right"] >= recovered - 1, result["topics"]
    assert result["fields_right"] >= recovered - 2, result["topics"]
    assert result["muni_precision"] >= 0.9 and result["muni_recall"] >= 0.9
    assert result["who_stage_right"] >= 0.85 * result["who_stage_total"] > 0


@pytest.mark.slow
def test_rerunning_the_demo_reuses_the_corpus(demo):
    out, _, _ = demo
    again = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert again.exit_code == 0
    assert "unchanged since the last run" in again.output


@pytest.mark.slow
def test_transfer_profiles_against_the_truth(demo):
    """`suggest NAME --peers all` for the truth's transfer profiles (scripts/eval_transfer.py
    prints the figures: pooled over 4 profiles, take over P 0.93 R 0.90, parallel P 0.80 R 1.0 on
    2026-12-04; the floors sit a little below)."""
    from trends.demo.evaluate import evaluate_transfer

    out, _, _ = demo
    result = evaluate_transfer(Workspace.resolve(out))
    assert len(result) >= 3
    for key, floor_p, floor_r in (("take_over", 0.85, 0.8), ("parallel", 0.7, 0.75)):
        tp = sum(r[key]["tp"] for r in result.values())
        shown = sum(r[key]["shown"] for r in result.values())
        expected = sum(r[key]["expected"] for r in result.values())
        assert tp / max(1, shown) >= floor_p, (key, result)
        assert tp / max(1, expected) >= floor_r, (key, result)
