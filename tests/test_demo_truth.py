"""`trends demo` end to end, scored against trends/demo/truth.yaml: floors so regressions fail CI.

The figures themselves are printed by scripts/eval_demo.py; the floors sit a little below them.
"""

from __future__ import annotations

from collections import Counter, defaultdict

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
    assert result["offtopic_total"] + result["ontopic_total"] == len(load_articles())


# Planted topics the pipeline does not recover yet (issue 23: a new subject at three articles, an
# emerging one at two to four a quarter, stages said without cue words). Each has its own xfail
# test below; take an id out of here when the model finds it, and the floors cover it too.
NOT_YET = {
    "friedhofsregister": "issue 23.2: found (2 German + 1 English article) and classed new, "
    "but its pilot stage (facts, no cue words) is read as rollout; since stop 32 it reads pilot, "
    "but only with the demo in the article layer's training (left out of it: rollout still)",
    # hitzewarnung (1 -> 3 -> 3 articles) is classed emerging since stop 44 and left this list
}


def test_truth_follows_from_the_articles():
    """truth.yaml states per topic what the articles say: counts per quarter by first topic, the
    most common stage of each quarter, the municipalities named; off-topic articles counted."""
    truth = load_truth()
    articles = load_articles()
    quarter = {a.slug: f"{a.published.year}Q{(a.published.month - 1) // 3 + 1}" for a in articles}
    for t in truth["topics"]:
        mine = [a for a in articles if a.topics and a.topics[0] == t["id"]]
        counts = Counter(quarter[a.slug] for a in mine)
        assert [counts.get(q, 0) for q in truth["quarters"]] == t["counts"], t["id"]
        stages: dict[str, Counter] = defaultdict(Counter)
        for a in mine:
            stages[quarter[a.slug]][a.stage] += 1
        expected = [
            stages[q].most_common(1)[0][0] if stages[q] else "none" for q in truth["quarters"]
        ]
        assert expected == t["stages"], t["id"]
        assert {m for a in mine for m in a.municipalities} == set(t["municipalities"]), t["id"]
    offtopic = sum(1 for a in articles if not a.topics)
    assert offtopic == truth["offtopic_articles"] + truth["offtopic_with_digital_words"]
    assert set(NOT_YET) <= {t["id"] for t in truth["topics"]}


@pytest.mark.slow
def test_planted_topics_trends_stages_and_municipalities(demo):
    _, _, result = demo
    planted = load_truth()["topics"]
    assert {a.topics[0] for a in load_articles() if a.topics} == {t["id"] for t in planted}
    # Measured (scripts/eval_demo.py, 3 runs, identical since the model's input order no longer
    # depends on the port in the URLs): 14/14 recovered, classes, stages and radar sectors;
    # municipalities P 0.98 R 1.0; `who` shows the furthest stage of 57 of 60 municipalities
    # right. A little slack for other machines; the issue asks 11 of 12. The topics in NOT_YET
    # are scored by their own (xfail) test, not by this one's slack.
    rows = [r for r in result["topics"] if r["planted"] not in NOT_YET]
    rec = [r for r in rows if r["found"]]
    recovered = len(rec)
    assert recovered >= len(rows) - 1, result["topics"]
    assert sum(r["class_truth"] == r["class_found"] for r in rec) >= recovered - 1, rows
    assert sum(r["stage_truth"] == r["stage_found"] for r in rec) >= recovered - 1, rows
    assert sum(r["field_right"] for r in rec) >= recovered - 2, rows
    assert result["muni_precision"] >= 0.9 and result["muni_recall"] >= 0.9
    who = [v for k, v in result["who_by_topic"].items() if k not in NOT_YET]
    assert sum(r for r, _ in who) >= 0.85 * sum(t for _, t in who) > 0, result["who_by_topic"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "planted",
    [
        pytest.param(t, marks=pytest.mark.xfail(strict=False, reason=why))
        for t, why in NOT_YET.items()
    ],
)
def test_issue_23_topic_is_recovered_with_its_class_and_stage(demo, planted):
    _, _, result = demo
    row = next(r for r in result["topics"] if r["planted"] == planted)
    assert row["found"], row
    assert (row["class_found"], row["stage_found"]) == (row["class_truth"], row["stage_truth"]), row


@pytest.mark.slow
def test_offtopic_news_is_set_aside_and_on_topic_news_kept(demo):
    _, _, result = demo
    assert result["offtopic_set_aside"] >= 0.9 * result["offtopic_total"], result
    assert result["ontopic_lost"] <= 0.05 * result["ontopic_total"], result


@pytest.mark.slow
def test_each_articles_own_stage_is_mostly_right(demo):
    """Issue 23's goal for an article's stage (>= 0.80), as `export documents` gives it: a plan
    beside what runs must not pull the article back to konzept (348 of 384 right at stop 27,
    308 before)."""
    _, _, result = demo
    assert result["article_stage_right"] >= 0.85 * result["article_stage_total"], result


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
    result = evaluate_transfer(Workspace.resolve(out), leave_out=frozenset(NOT_YET))
    assert len(result) >= 3
    for key, floor_p, floor_r in (("take_over", 0.85, 0.8), ("parallel", 0.7, 0.75)):
        tp = sum(r[key]["tp"] for r in result.values())
        shown = sum(r[key]["shown"] for r in result.values())
        expected = sum(r[key]["expected"] for r in result.values())
        assert tp / max(1, shown) >= floor_p, (key, result)
        assert tp / max(1, expected) >= floor_r, (key, result)
