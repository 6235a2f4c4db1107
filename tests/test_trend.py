"""Trend metrics and classes on series whose trajectory we know."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from trends.records import quarter_bounds, quarter_range
from trends.trend import (
    Mention,
    TrendRules,
    burst_weights,
    classify,
    explain,
    kleinberg_states,
    quarter_metrics,
    theil_sen,
)

QUARTERS = quarter_range("2024Q4", "2026Q3")
TODAY = dt.date(2026, 11, 22)


def dates(counts: list[int]) -> list[dt.date]:
    """Spread counts[i] articles evenly over QUARTERS[i]."""
    out = []
    for q, n in zip(QUARTERS, counts):
        start, end = quarter_bounds(q)
        span = (end - start).days
        out += [start + dt.timedelta(days=int(span * (k + 0.5) / max(n, 1))) for k in range(n)]
    return out


def series(topic: list[int], total: list[int], **mention_kw):
    mentions = [
        Mention(f"a{i}", d, mention_kw.get("source", "s")) for i, d in enumerate(dates(topic))
    ]
    return quarter_metrics(mentions, dates(total), QUARTERS, today=TODAY)


TOTAL = [42, 44, 42, 44, 51, 43, 51, 66]  # the share falls 2026Q2 -> Q3 at a steady count


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 7], "new"),
        ([1, 0, 1, 0, 1, 0, 0, 7], "new"),  # single stray articles pulled in by the model
        # told in pairs for two years, a quiet quarter between: seen long ago, not new
        ([2, 2, 1, 2, 0, 1, 2, 2], "stable"),
        ([0, 2, 1, 0, 0, 1, 0, 7], "new"),  # a pair of strays a year and a half before
        # in ones and twos for two years: more before than now, so not new when it reaches three
        ([1, 1, 0, 1, 1, 1, 2, 2], "stable"),
        ([0, 0, 0, 0, 0, 0, 2, 2], "new"),  # two pairs, both recent
        ([0, 0, 0, 0, 0, 0, 6, 12], "emerging"),
        # a small subject reported on without a break since 2026Q1, 3 articles by 2026Q2
        ([0, 0, 0, 0, 0, 2, 2, 3], "emerging"),
        ([0, 0, 0, 0, 0, 1, 1, 5], "new"),  # one stray a quarter before it arrived
        # told every quarter since 2025Q3 (single articles in a run of quarters are no strays)
        ([0, 0, 0, 1, 1, 2, 5, 9], "growing"),
        ([0, 1, 1, 1, 1, 2, 3, 4], "growing"),  # one a quarter for a year, then more
        ([0, 1, 0, 0, 0, 1, 2, 4], "emerging"),  # a lone stray long before it arrived
        ([0, 0, 0, 0, 0, 1, 2, 4], "emerging"),  # arrived with one, then two: seen in 2026Q2
        # more articles while the corpus grew faster (a new topic arrived): still rising
        ([0, 0, 0, 0, 0, 1, 4, 5], "emerging"),
        # young and holding its count while the corpus grew: still emerging, not "stable"
        ([0, 0, 0, 0, 0, 0, 4, 4], "emerging"),
        ([0, 0, 0, 0, 0, 3, 5, 5], "growing"),  # seen since 2026Q1: past the emerging window
        ([2, 3, 4, 5, 6, 7, 8, 9], "growing"),
        ([1, 2, 2, 3, 4, 5, 6, 7], "growing"),
        ([9, 8, 7, 6, 5, 4, 3, 3], "declining"),
        ([5, 5, 4, 4, 3, 2, 2, 1], "declining"),
        ([4, 4, 4, 4, 4, 4, 4, 4], "stable"),
        ([3, 3, 3, 3, 3, 3, 3, 4], "stable"),
        ([2, 2, 2, 2, 10, 2, 2, 2], "stable"),  # one burst quarter is not a trend
        ([2, 3, 2, 3, 2, 3, 2, 3], "stable"),
    ],
)
def test_planted_trajectories_get_their_class(counts, expected):
    result = classify(series(counts, TOTAL))
    assert result.label == expected, result.rule
    assert result.decided_on == "2026Q3" and result.rule


@pytest.mark.parametrize(
    ("counts", "en", "de"),
    [
        (
            [0, 0, 0, 0, 0, 0, 0, 7],
            "First seen in 2026Q3 (7 articles); fewer than 3 in each of the 7 quarters before.",
            "Erstmals erfasst in 2026Q3 (7 Artikel); in den 7 Quartalen "
            "davor jeweils weniger als 3.",
        ),
        (
            [0, 0, 0, 0, 0, 0, 6, 12],
            "First seen in 2026Q2, 12 articles in 2026Q3 (at least 3 "
            "needed, 6 the quarter before), share from 11.8% to 18.2%.",
            "Erstmals 2026Q2 erfasst, 12 Artikel in "
            "2026Q3 (mindestens 3 nötig, 6 im Quartal davor), Anteil von 11,8 % auf 18,2 %.",
        ),
        (
            [9, 8, 7, 6, 5, 4, 3, 3],
            "The share falls by 20% of its mean per quarter over 8 "
            "quarters (Theil-Sen slope; threshold −10%); latest 3 articles, 4.5% of the analysed "
            "articles in 2026Q3.",
            "Der Anteil sinkt um 20 % seines Mittelwerts pro Quartal über 8 Quartale "
            "(Theil-Sen-Steigung; Schwelle −10 %); zuletzt 3 Artikel, 4,5 % der ausgewerteten "
            "Artikel in 2026Q3.",
        ),
    ],
)
def test_the_rule_is_said_with_the_numbers_that_decided_it(counts, en, de):
    result = classify(series(counts, TOTAL))
    assert result.rule == en  # stored as trend_rule
    assert explain(result.label, result.numbers, result.decided_on, lang="de") == de


def test_share_is_normalised_so_more_sources_do_not_fake_growth():
    # the topic doubles, but so does everything: same share, stable
    topic = [2, 2, 2, 2, 4, 4, 4, 4]
    total = [40, 40, 40, 40, 80, 80, 80, 80]
    metrics = series(topic, total)
    assert metrics[4].growth_prev == 0.0 and classify(metrics).label == "stable"


@pytest.mark.parametrize(
    ("counts", "total", "expected"),
    [
        # the corpus starts in 2025Q4 (feeds give only recent news): a steady topic is stable, not
        # growing from the empty quarters before
        ([0, 0, 0, 0, 4, 4, 4, 5], [0, 0, 0, 0, 40, 40, 40, 44], "stable"),
        ([0, 0, 0, 0, 9, 8, 7, 6], [0, 0, 0, 0, 40, 40, 40, 40], "declining"),
        # there since the corpus began, share rising: growing, but not emerging or new
        ([0, 0, 0, 0, 0, 0, 4, 8], [0, 0, 0, 0, 0, 0, 40, 40], "growing"),
        # absent in a quarter the corpus covers, then arriving: new
        ([0, 0, 0, 0, 0, 0, 0, 7], [0, 0, 0, 0, 0, 0, 40, 40], "new"),
    ],
)
def test_quarters_before_the_corpus_begins_are_not_observations(counts, total, expected):
    result = classify(series(counts, total))
    assert result.label == expected, result.rule


def test_one_quarter_of_articles_is_not_classified():
    result = classify(series([0, 0, 0, 0, 0, 0, 0, 7], [0, 0, 0, 0, 0, 0, 0, 40]))
    assert result.label == "stable" and result.rule.startswith("Not classified: only one complete")
    de = explain(result.label, result.numbers, result.decided_on, lang="de")
    assert de.startswith(
        "Nicht eingestuft: nur ein abgeschlossenes Quartal mit Artikeln (2026Q3: 7"
    )


def test_theil_sen_counts_the_time_across_a_quarter_left_out():
    assert theil_sen([1.0, 2.0, 3.0]) == 1.0
    assert theil_sen([1.0, 3.0, 5.0], [0, 2, 4]) == 1.0  # 2026Q1 without articles between


def test_partial_quarter_is_flagged_and_not_used_for_the_class():
    quarters = quarter_range("2025Q4", "2026Q4")
    mentions = [Mention("x", dt.date(2026, 10, 5), "s")]
    all_dates = [dt.date(2026, 10, 5)] + [
        quarter_bounds(q)[0] + dt.timedelta(days=10) for q in quarters[:-1] for _ in range(5)
    ]
    metrics = quarter_metrics(mentions, all_dates, quarters, today=dt.date(2026, 11, 22))
    assert metrics[-1].partial and not metrics[-2].partial
    assert classify(metrics).decided_on == "2026Q3"
    # analyze passes the window's dates counted once for all topics: same figures
    counted = quarter_metrics(mentions, Counter(all_dates), quarters, today=dt.date(2026, 11, 22))
    assert counted == metrics and [m.total for m in counted] == [5, 5, 5, 5, 1]


def test_independent_sources_leave_out_vendors():
    mentions = [
        Mention("a", dt.date(2026, 8, 1), "formwerk", "vendor"),
        Mention("b", dt.date(2026, 8, 2), "formwerk", "vendor"),
        Mention("c", dt.date(2026, 8, 3), "werl", "municipality", ("Werl",), ("Kreis Soest",)),
        Mention("d", dt.date(2026, 8, 4), "presse", "press", ("Werl", "Ense"), ("Kreis Soest",)),
    ]
    m = quarter_metrics(mentions, [x.published for x in mentions], ["2026Q3"], today=TODAY)[0]
    assert (m.sources, m.independent_sources, m.source_types, m.municipalities, m.regions) == (
        3,
        2,
        3,
        2,
        1,
    )


def test_kleinberg_finds_a_spike_and_nothing_in_a_flat_stream():
    d = [20] * 30
    flat = [2] * 30
    assert not any(kleinberg_states(flat, d))
    spike = [1] * 30
    spike[12:15] = [12, 14, 11]
    states = kleinberg_states(spike, d)
    assert states[12:15] == [1, 1, 1] and sum(states) == 3
    weights = burst_weights(spike, d)
    assert all(w > 0 for w in weights[12:15]) and sum(weights) == sum(weights[12:15])


def test_kleinberg_gamma_makes_short_bursts_harder_to_enter():
    d = [20] * 30
    r = [1] * 30
    r[10] = 5
    assert kleinberg_states(r, d, gamma=0.5)[10] == 1
    assert kleinberg_states(r, d, gamma=3.0)[10] == 0


def test_burst_quarter_has_the_burst_score():
    metrics = series([2, 2, 2, 2, 10, 2, 2, 2], TOTAL)
    burst = {m.quarter: m.burst for m in metrics}
    assert max(burst, key=burst.get) == "2025Q4" and burst["2025Q4"] > 0


def test_theil_sen_and_rules_from_yaml():
    assert theil_sen([1, 2, 3, 4]) == 1.0 and theil_sen([2, 2, 10, 2, 2]) == 0.0
    assert TrendRules.from_mapping({"growth_slope": 0.2}).growth_slope == 0.2
    with pytest.raises(ValueError, match="unknown threshold"):
        TrendRules.from_mapping({"growth": 1})
