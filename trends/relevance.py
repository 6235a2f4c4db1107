"""Is this text about digitalization in the public sector? One judgement, at two levels.

- `judge(title, text, language)`: an article "reports on digitalization in the public sector"
  (score in [0, 1], or None when it cannot be judged: no text beyond a title, or a language the
  judgement does not know). Stored beside each article at collect and import; analyze leaves
  articles under the threshold out of topics, shares and trends (they stay in the corpus).
- `solution_score(sentence, language)`: a sentence "describes a digital solution". Evidence for a
  topic's stage needs it (a sentence that only carries a cue word is no evidence).

Both read the same features, so the two levels cannot drift apart.

This first version is the keyword screen the issues use as their baseline (two digital terms, or
one in the title); a learned model replaces the scoring behind the same functions.
"""

from __future__ import annotations

import re

LANGUAGES = ("de", "en")
DEFAULT_THRESHOLD = 0.5
MIN_WORDS = 12  # fewer words of body text than this: a title only, not judged

_DIGITAL = re.compile(
    r"digital|online|\bapp\b|\bapps\b|software|plattform|platform|portal|e-akte|\bozg\b|"
    r"sensor|lorawan|\bki\b|künstliche intelligenz|artificial intelligence|\bai\b|daten|\bdata\b|"
    r"\bit-|cloud|internet|breitband|glasfaser|broadband|e-government|elektronisch|virtuell",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")


def judgeable(text: str, language: str | None) -> bool:
    return (language or "").lower()[:2] in LANGUAGES and len(_WORD.findall(text)) >= MIN_WORDS


def judge(title: str, text: str, language: str | None) -> float | None:
    """Score for "reports on digitalization in the public sector"; None when not judged."""
    if not judgeable(text, language):
        return None
    hits = len(_DIGITAL.findall(text)) + 2 * len(_DIGITAL.findall(title))
    return min(1.0, hits / 4)


def solution_score(sentence: str, language: str | None = "de") -> float:
    """Score for "this sentence describes a digital solution"."""
    return min(1.0, len(_DIGITAL.findall(sentence)) / 2)
