"""Frozen records passed between stages.

Stages are pure functions over these; only the edges (fetch, corpus, report writer) do I/O.
Analysis records (topics, signals, evidence) live beside the code that produces them
(`trends.nlp.topics`, `trends.maturity`, `trends.trend`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Maturity stages, lowest first; "none" where an article gives no evidence. Here rather than in
# trends.maturity so the adviser views can order stages without loading the cue lexicon code.
STAGES = ("konzept", "pilot", "rollout", "standard")
NONE = "none"


@dataclass(frozen=True)
class FetchResult:
    """What the fetcher got for one URL. `error` set means nothing usable came back."""

    url: str
    final_url: str = ""
    status: int = 0
    body: bytes = b""
    content_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    location: str | None = None  # Location header of a redirect response
    error: str | None = None
    # The fetch stage that failed ("robots", "ssrf", "http", "size", ...), for the failure row.
    error_kind: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Failure:
    """One thing that went wrong, kept as data: the run goes on and the report counts these."""

    url: str
    stage: str  # fetch | robots | feed | sitemap | page | dir | extract | import | store
    reason: str  # one line, for humans
    source: str = ""


@dataclass(frozen=True)
class Link:
    """An article link found in a feed, sitemap or listing page, with what the listing said."""

    url: str
    title: str = ""
    published: dt.date | None = None
    summary: str = ""
    modified: dt.date | None = None  # sitemap lastmod: not a publication date, only for --since


@dataclass(frozen=True)
class Article:
    """One stored article. `id` is stable: derived from the canonical URL (or the text for imports)."""

    id: str
    title: str
    text: str
    published: dt.date | None
    source: str
    url: str = ""
    language: str = ""
    relevant: bool = True
    extra: dict = field(default_factory=dict, compare=False, hash=False)
    # score of trends.relevance.judge (None: not judged); `relevant` is what analysis reads
    relevance: float | None = None

    @property
    def quarter(self) -> str:
        return quarter_of(self.published) if self.published else ""


def quarter_of(day: dt.date) -> str:
    """2026-08-14 -> '2026Q3'."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    """'2026Q3' -> (2026-07-01, 2026-09-30). Raises ValueError on a malformed quarter."""
    try:
        year, q = int(quarter[:4]), int(quarter[5:])
        if quarter[4] not in "Qq" or not 1 <= q <= 4 or len(quarter) != 6:
            raise ValueError
    except (ValueError, IndexError):
        raise ValueError(f"not a quarter: {quarter!r} (expected e.g. 2026Q3)") from None
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return start, end


def shift_quarter(quarter: str, n: int) -> str:
    """shift_quarter('2026Q1', -1) -> '2025Q4'."""
    start, _ = quarter_bounds(quarter)
    index = start.year * 4 + (start.month - 1) // 3 + n
    return f"{index // 4}Q{index % 4 + 1}"


def quarter_range(first: str, last: str) -> list[str]:
    """All quarters from first to last inclusive."""
    out = [first]
    while out[-1] < last:
        out.append(shift_quarter(out[-1], 1))
    return out


# The corpus covers a quarter when it reaches into the quarter's last two weeks (and its first
# two): news is sparse, so a quarter whose last article is ten days before its end is complete.
COVERAGE_SLACK = dt.timedelta(days=14)


def quarter_coverage(
    quarter: str, span: tuple[dt.date, dt.date] | None, today: dt.date
) -> tuple[dt.date, dt.date, bool]:
    """(first day, last day, complete) of `quarter` that the corpus covers: the quarter cut to
    the corpus's first and last article and to today. Complete means the quarter has ended and
    the corpus reaches within COVERAGE_SLACK of both its ends."""
    start, end = quarter_bounds(quarter)
    if span is None:
        return start, min(end, today), False
    first = max(start, min(span[0], end))
    last = min(end, max(span[1], start), today)
    complete = end < today and span[1] >= end - COVERAGE_SLACK and span[0] <= start + COVERAGE_SLACK
    return first, last, complete


class Progress:
    """What the CLI shows of long work (a bar per source or stage); the library calls these hooks
    and stays silent by default."""

    def source_started(self, source: str, total: int) -> None: ...
    def advance(self, source: str, n: int = 1) -> None: ...
    def message(self, text: str) -> None: ...
