"""Trend metrics per topic and quarter, and the trend class with the rule that assigned it.

Metrics (per topic and quarter):
- count, and share = count / all analysed articles of that quarter (so a quarter with more sources
  does not fake growth). Articles set aside as off-topic count in no share (issue 23). The cost,
  measured in stop 57: where the digital news of a quarter grows (from 7 to 16 articles over the
  window on the written streams of a city's news), a topic of steady count reads declining; over
  all stored articles instead, those streams' classes went from 35 to 43 of 45 and the other
  streams' from 890 to 889 of 900;
- growth vs the previous quarter and vs the same quarter a year earlier (relative change of share);
- burst: Kleinberg's two-state automaton over the monthly article stream (batched form, Kleinberg
  2002 §4): a month is "bursty" when the topic's share of that month is better explained by a rate
  `s` times the topic's base rate, after paying `gamma * ln(n)` to enter the burst state. The
  quarter's burst score is the summed weight (cost saved) of its bursty months. Months, not weeks:
  with a few articles per topic and week, no burst could pay the entry cost of ln(104 weeks);
- sources, independent sources (distinct sources that are not vendors: a topic pushed by one
  vendor's press releases is not a trend), source types, municipalities and regions (diffusion);
- partial: the quarter was still running on the analysis date; it is shown but never compared as
  if complete (the class is decided on the last complete quarter).

Trend class, first rule that matches (thresholds in `TrendRules`, overridable in taxonomy.yaml
under `trend:`):
1. new       - first seen in the decision quarter;
2. emerging  - first seen at most `emerging_quarters` quarters ago, at least `min_articles` in the
               decision quarter and not falling back: at least as many articles as the quarter
               before, or a higher share (a young subject's share moves with everything else: on
               each written stream the new topic's arrival lowered the share of the emerging one
               as it went 3 -> 4; and one that held 4 -> 4 read "stable" by the slope rule, its
               zeros before outweighing its two quarters);
   "first seen" is the quarter in which the topic's articles add up to `min_articles`, a single
   article of a quarter counting only within `STEADY_RUN` quarters in a row with articles: a
   topic model pulls a stray article into a topic from its neighbours now and then, and a lone
   article must not make a new topic old, but one a quarter for a year is no stray; a new topic
   also has at least as many articles in the decision quarter as in all quarters before (strays
   are few; a subject told in ones and twos for two years is not new when it reaches three);
3. growing   - the Theil-Sen slope of the share over the window is >= `growth_slope` of the mean
               share per quarter (a robust slope: one burst quarter does not make a trend);
4. declining - that slope <= -`growth_slope`;
5. stable    - everything else.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from itertools import groupby

from trends.i18n import fmt_pct
from trends.records import quarter_bounds, quarter_of, shift_quarter

CLASSES = ("new", "emerging", "growing", "stable", "declining")
# quarters in a row with articles from which on single articles are no strays (see _first_seen)
STEADY_RUN = 3


@dataclass(frozen=True)
class TrendRules:
    min_articles: int = 3
    emerging_quarters: int = 2
    growth_slope: float = 0.10  # relative Theil-Sen slope of the share per quarter
    burst_s: float = 2.0
    burst_gamma: float = 1.0

    @classmethod
    def from_mapping(cls, data: dict | None) -> TrendRules:
        known = {f.name for f in fields(cls)}
        unknown = set(data or {}) - known
        if unknown:
            raise ValueError(
                f"trend: unknown threshold(s) {sorted(unknown)}; known: {sorted(known)}"
            )
        return cls(**(data or {}))


@dataclass(frozen=True)
class Mention:
    """One article of a topic, with what diffusion and source metrics need."""

    article_id: str
    published: dt.date
    source: str
    source_type: str = ""
    municipalities: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuarterMetrics:
    quarter: str
    count: int
    total: int
    share: float
    growth_prev: float | None
    growth_yoy: float | None
    burst: float
    sources: int
    independent_sources: int
    source_types: int
    municipalities: int
    regions: int
    partial: bool

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TrendClass:
    label: str
    rule: str  # the rule in words, with the numbers that decided it
    decided_on: str  # the quarter the class is based on
    numbers: dict = field(default_factory=dict)


# -- Kleinberg ---------------------------------------------------------------------------------------
def _fit_cost(r: int, d: int, p: float) -> float:
    """-ln P(r of d relevant | rate p), without the binomial coefficient (equal across states)."""
    if d == 0:
        return 0.0
    return -(r * math.log(p) + (d - r) * math.log(1 - p))


def kleinberg_states(
    r: Sequence[int], d: Sequence[int], s: float = 2.0, gamma: float = 1.0
) -> list[int]:
    """Viterbi path (0 = base, 1 = burst) of the two-state batched automaton."""
    n = len(r)
    if n == 0 or sum(d) == 0 or sum(r) == 0:
        return [0] * n
    p0 = sum(r) / sum(d)
    p = (min(p0, 1 - 1e-9), min(p0 * s, 0.9999))
    up = gamma * math.log(n)
    cost = [_fit_cost(r[0], d[0], p[0]), _fit_cost(r[0], d[0], p[1]) + up]
    back: list[tuple[int, int]] = []
    for t in range(1, n):
        stay0, from1 = cost[0], cost[1]  # moving down is free
        c0 = min(stay0, from1)
        b0 = 0 if stay0 <= from1 else 1
        c1 = min(cost[0] + up, cost[1])
        b1 = 0 if cost[0] + up < cost[1] else 1
        cost = [c0 + _fit_cost(r[t], d[t], p[0]), c1 + _fit_cost(r[t], d[t], p[1])]
        back.append((b0, b1))
    state = 0 if cost[0] <= cost[1] else 1
    path = [state]
    for b0, b1 in reversed(back):
        state = b0 if state == 0 else b1
        path.append(state)
    return path[::-1]


def burst_weights(
    r: Sequence[int], d: Sequence[int], s: float = 2.0, gamma: float = 1.0
) -> list[float]:
    """Per batch: the cost the burst state saves over the base state where the path is bursty, else 0."""
    states = kleinberg_states(r, d, s, gamma)
    if not any(states):
        return [0.0] * len(r)
    p0 = sum(r) / sum(d)
    p1 = min(p0 * s, 0.9999)
    return [
        max(0.0, _fit_cost(ri, di, p0) - _fit_cost(ri, di, p1)) if st else 0.0
        for ri, di, st in zip(r, d, states)
    ]


def _month(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


# -- metrics ------------------------------------------------------------------------------------------
def is_partial(quarter: str, today: dt.date) -> bool:
    return quarter_bounds(quarter)[1] >= today


def quarter_metrics(
    mentions: Iterable[Mention],
    all_dates: Iterable[dt.date] | Mapping[dt.date, int],
    quarters: Sequence[str],
    *,
    today: dt.date,
    rules: TrendRules = TrendRules(),
) -> list[QuarterMetrics]:
    """Metrics of one topic for each quarter in `quarters` (oldest first).

    `all_dates` are the publication dates of every analysed article (the denominator of shares and
    of the burst automaton), or how many articles each date has (a Counter of them: cheaper when
    many topics share one window)."""
    mentions = list(mentions)
    day_counts = all_dates if isinstance(all_dates, Mapping) else Counter(all_dates)
    totals = {q: 0 for q in quarters}
    # monthly stream for the burst automaton, over the whole window
    first = _month(quarter_bounds(quarters[0])[0])
    d = [0] * (3 * len(quarters))
    r = [0] * len(d)
    for day, n in day_counts.items():
        q = quarter_of(day)
        if q in totals:
            totals[q] += n
        if 0 <= _month(day) - first < len(d):
            d[_month(day) - first] += n
    for m in mentions:
        if 0 <= _month(m.published) - first < len(r):
            r[_month(m.published) - first] += 1
    weights = burst_weights(r, d, rules.burst_s, rules.burst_gamma)
    burst_by_q: dict[str, float] = {}
    for i, w in enumerate(weights):
        q = quarters[i // 3]
        burst_by_q[q] = burst_by_q.get(q, 0.0) + w

    by_q: dict[str, list[Mention]] = {q: [] for q in quarters}
    for m in mentions:
        q = quarter_of(m.published)
        if q in by_q:
            by_q[q].append(m)
    share = {q: (len(by_q[q]) / totals[q]) if totals[q] else 0.0 for q in quarters}
    out = []
    for q in quarters:
        ms = by_q[q]
        prev, year = shift_quarter(q, -1), shift_quarter(q, -4)
        out.append(
            QuarterMetrics(
                quarter=q,
                count=len(ms),
                total=totals[q],
                share=round(share[q], 6),
                growth_prev=_growth(share[q], share.get(prev)),
                growth_yoy=_growth(share[q], share.get(year)),
                burst=round(burst_by_q.get(q, 0.0), 4),
                sources=len({m.source for m in ms}),
                independent_sources=len({m.source for m in ms if m.source_type != "vendor"}),
                source_types=len({m.source_type for m in ms if m.source_type}),
                municipalities=len({x for m in ms for x in m.municipalities}),
                regions=len({x for m in ms for x in m.regions}),
                partial=is_partial(q, today),
            )
        )
    return out


def _growth(now: float, before: float | None) -> float | None:
    if before is None or before == 0:
        return None
    return round(now / before - 1, 4)


def theil_sen(values: Sequence[float], xs: Sequence[float] | None = None) -> float:
    """Median of pairwise slopes (`scipy.stats.theilslopes`): robust to a single outlying
    quarter. `xs`: the values' positions (default 0, 1, 2, …), so a quarter left out does not
    shorten the time between. Fewer than two values have no slope: 0.0."""
    if len(values) < 2:
        return 0.0
    # imported on first use: scipy.stats takes ~0.8 s to load, and most commands that import
    # this module (search, who, serve) never compute a slope
    from scipy.stats import theilslopes

    xs = range(len(values)) if xs is None else xs
    return float(theilslopes(values, xs).slope)


def observed(row: Mapping) -> bool:
    """A quarter row (of trends.json or the report's series) in which the corpus has articles:
    quarters before the corpus begins are no observations (`classify` reads
    `QuarterMetrics.total` the same way). Rows without `total` (older models) count."""
    return bool(row.get("total", 1) or row.get("count"))


def _first_seen(series: Sequence[QuarterMetrics], min_articles: int) -> int | None:
    """The index of the quarter in which the topic's articles first add up to ``min_articles``,
    or None. A single article counts only within a run of at least ``STEADY_RUN`` quarters in a
    row that each hold some: a topic model pulls a stray article into a topic from its
    neighbours now and then, and a stray comes alone; a subject told once a quarter, quarter
    after quarter, is no stray.

    A small subject arrives with two articles a quarter before it has three in one ([0, 2, 2, 3]):
    counted one quarter at a time it would be first seen in the last quarter and read as new,
    although it has been reported on for three quarters. Pairs before a quiet quarter count as
    well: a subject told about twice a quarter for two years, one quarter without a word
    ([2, 2, 1, 2, 0, 1, 2, 2]), was seen long ago. Scattered single articles do not make a topic
    old ([1, 0, 1, 0, 1, 0, 0, 7], [0, 2, 1, 0, 0, 1, 0, 7]); one a quarter for a year does
    ([0, 1, 1, 1, 1, 2, 3, 4]: growing, not emerging).
    """
    counts = [m.count for m in series]
    run: list[int] = []  # length of the run of quarters with articles each one belongs to
    for _, quarters in groupby(counts, key=bool):
        n = len(list(quarters))
        run += [n] * n
    total = 0
    for i, count in enumerate(counts):
        total += count if count >= 2 or run[i] >= STEADY_RUN else 0
        if total >= min_articles:
            return i
    return None


def classify(series: Sequence[QuarterMetrics], rules: TrendRules = TrendRules()) -> TrendClass:
    """The trend class for the last complete quarter of `series`, with the rule and numbers.

    Quarters in which the corpus has no article at all are not observations: a corpus that starts
    inside the window (feeds give only recent news) must not read as every topic rising from zero,
    and a topic present since the corpus began is not "new" or "emerging"."""
    position = {m.quarter: i for i, m in enumerate(series)}
    complete = [m for m in series if not m.partial and m.total > 0]
    if not complete:
        return TrendClass(
            "stable",
            "no complete quarter yet: not classified",
            series[-1].quarter if series else "",
        )
    now = complete[-1]
    age = _first_seen(complete, rules.min_articles)
    first = complete[age].quarter if age is not None else None
    quarters_since_first = len(complete) - 1 - age if age is not None else None
    shares = [m.share for m in complete]
    mean = sum(shares) / len(shares) if shares else 0.0
    slope = theil_sen(shares, [position[m.quarter] for m in complete])
    rel = slope / mean if mean else 0.0
    prev = complete[-2] if len(complete) > 1 else None
    numbers = {
        "count": now.count,
        "share": round(now.share, 4),
        "first_seen": first,
        "slope_per_quarter": round(rel, 4),
        "growth_prev": now.growth_prev,
        "growth_yoy": now.growth_yoy,
        "independent_sources": now.independent_sources,
        "quarters": len(complete),  # complete quarters the slope is taken over
        "share_prev": round(prev.share, 4) if prev else None,
        "count_prev": prev.count if prev else None,
    }
    if len(complete) < 2:
        label = "stable"  # one quarter of history says nothing about a trend (explain says so)
    elif quarters_since_first == 0 and now.count >= sum(m.count for m in complete[:-1]):
        label = "new"  # at least half of what was ever said on it is from this quarter
    elif (
        quarters_since_first is not None
        and age > 0  # absent in a quarter the corpus covers before it was first seen
        and quarters_since_first < rules.emerging_quarters
        and now.count >= rules.min_articles
        and prev is not None
        and (now.count >= prev.count or now.share > prev.share)
    ):
        label = "emerging"
    elif rel >= rules.growth_slope:
        label = "growing"
    elif rel <= -rules.growth_slope:
        label = "declining"
    else:
        label = "stable"
    return TrendClass(label, explain(label, numbers, now.quarter, rules), now.quarter, numbers)


def explain(
    label: str, numbers: Mapping, quarter: str, rules: TrendRules = TrendRules(), lang: str = "en"
) -> str:
    """The rule that gave `label`, with the numbers that decided it, as one sentence in English
    or German (`lang="de"`): the stored `trend_rule`, the report and the brief all say it this way.
    `numbers` as in `TrendClass.numbers`."""
    de = lang == "de"
    count, n_q = numbers.get("count"), numbers.get("quarters")
    articles = "article" if count == 1 else "articles"
    share = fmt_pct(numbers.get("share"), lang)
    threshold = fmt_pct(rules.growth_slope, lang, 0)
    if n_q is not None and n_q < 2:
        return (
            f"Nicht eingestuft: nur ein abgeschlossenes Quartal mit Artikeln ({quarter}: {count} "
            f"zu diesem Thema, {share} der ausgewerteten Artikel); ein Trend braucht mindestens "
            "zwei."
            if de
            else f"Not classified: only one complete quarter has articles ({quarter}: {count} on "
            f"this topic, {share} of the analysed ones); a trend needs at least two."
        )
    if label == "new":
        return (
            f"Erstmals erfasst in {quarter} ({count} Artikel); in den {max(0, n_q - 1)} Quartalen "
            f"davor jeweils weniger als {rules.min_articles}."
            if de
            else f"First seen in {quarter} ({count} {articles}); fewer than {rules.min_articles} in "
            f"each of the {max(0, n_q - 1)} quarters before."
        )
    if label == "emerging":
        first, prev_share = numbers.get("first_seen"), fmt_pct(numbers.get("share_prev"), lang)
        before = numbers.get("count_prev")  # None in models written before it was recorded
        if de:
            return (
                f"Erstmals {first} erfasst, {count} Artikel in {quarter} (mindestens "
                f"{rules.min_articles} nötig"
                + (f", {before} im Quartal davor" if before is not None else "")
                + f"), Anteil von {prev_share} auf {share}."
            )
        return (
            f"First seen in {first}, {count} {articles} in {quarter} (at least "
            f"{rules.min_articles} needed"
            + (f", {before} the quarter before" if before is not None else "")
            + f"), share from {prev_share} to {share}."
        )
    rel = numbers.get("slope_per_quarter")
    if label in ("growing", "declining"):
        slope = fmt_pct(abs(rel), lang, 0)  # "falls by 21 %", not "falls by −21 %"
        verb = {"growing": ("steigt", "rises"), "declining": ("sinkt", "falls")}[label][not de]
        sign = "+" if label == "growing" else "−"
        return (
            f"Der Anteil {verb} um {slope} seines Mittelwerts pro Quartal über {n_q} Quartale "
            f"(Theil-Sen-Steigung; Schwelle {sign}{threshold}); zuletzt {count} Artikel, {share} "
            f"der ausgewerteten Artikel in {quarter}."
            if de
            else f"The share {verb} by {slope} of its mean per quarter over {n_q} quarters "
            f"(Theil-Sen slope; threshold {sign}{threshold}); latest {count} {articles}, {share} of "
            f"the analysed articles in {quarter}."
        )
    slope = fmt_pct(rel, lang, 0, signed=True)
    return (
        f"Der Anteil ändert sich um {slope} seines Mittelwerts pro Quartal über {n_q} Quartale "
        f"(innerhalb ±{threshold}); {count} Artikel, {share} der ausgewerteten Artikel in "
        f"{quarter}."
        if de
        else f"The share changes by {slope} of its mean per quarter over {n_q} quarters "
        f"(within ±{threshold}); {count} {articles}, {share} of the analysed articles in "
        f"{quarter}."
    )


def explain_stored(
    topic: Mapping,
    series: Sequence[Mapping],
    rules: TrendRules,
    lang: str,
    quarter: str = "",
) -> str:
    """A topic's stored verdict (its `trend_class`, `trend_numbers`, `trend_decided_on`,
    `trend_rule`) said by `explain` in `lang`; `quarter` stands in for a missing decision quarter.
    Unclassified topics keep their stored rule; models written before the numbers carried
    `quarters` and `share_prev` get them from their quarter rows (`series`: quarter, share,
    partial)."""
    label = topic.get("trend_class", "stable")
    numbers = topic.get("trend_numbers") or {}
    decided_on = topic.get("trend_decided_on") or quarter
    if numbers.get("count") is None:  # no complete quarter: not classified
        return str(topic.get("trend_rule") or "")
    complete = [r for r in series if not r["partial"] and observed(r)]
    prev = next((r for r in reversed(complete) if r["quarter"] < decided_on), None)
    numbers = {"quarters": len(complete), "share_prev": prev["share"] if prev else None, **numbers}
    return explain(label, numbers, decided_on, rules, lang)
