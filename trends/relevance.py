"""Is this text about digitalization in the public sector? One judgement, at two levels.

- `judge(title, text, language)`: an article "reports on digitalization in the public sector"
  (score in [0, 1], or None when it cannot be judged: no text beyond a title, or a language the
  judgement does not know). Stored beside each article at collect and import; analyze leaves
  articles under the threshold out of topics, shares and trends (they stay in the corpus).
- `solution_score(sentence, language)`: a sentence "describes a digital solution". Evidence for a
  topic's stage needs it (a sentence that only carries a cue word is no evidence).

Both levels are one learned model (`trends/nlp/data/relevance.json`, built by
`scripts/train_relevance.py`, format `trends.nlp.linear`; English articles have their own,
`LANGUAGE_MODELS`) over the same features: word and
character n-grams of the title and the lead (the labels were given on title + first 700
characters; the character n-grams at half weight, or a word's many pieces outweigh what the
article says), title words on their own, and a few lexicon tokens (how many digital terms, one in
the title). A token `level=sentence` lets the sentence level have its own base rate. Press-contact
lines (Pressekontakt, Telefon, E-Mail, …) are left out before judging: every release carries them.

Whether an article then counts (score against the threshold, the source's `filter`, the
analyst's curation.yaml) is decided in one place: `Policy.decide`.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trends.config import Workspace
    from trends.corpus import Corpus
    from trends.nlp.linear import LinearTextModel
    from trends.records import Progress

LANGUAGES = ("de", "en")
MIN_WORDS = 12  # fewer words of body text than this: a title only, not judged
LEAD_CHARS = 1000  # the labels were given on title + first 700 characters; a little more context
MODEL_FILE = Path(__file__).parent / "nlp" / "data" / "relevance.json"
# Articles in these languages are judged by a model of their own, trained on that language's
# items only (scripts/train_relevance.py): in one model with the German sets, 200 English items
# moved the German scores and the shared threshold (berlin precision 0.59 -> 0.46), and without
# them English news is read at 0.56 (88 of 120 off-topic items kept). The model's intercept is
# shifted at training so that the one threshold (the main model's, or curation.yaml's) means the
# same for it. Without the file, the main model judges these articles too.
LANGUAGE_MODELS = {"en": MODEL_FILE.with_name("relevance_en.json")}
FALLBACK_THRESHOLD = 0.5  # only if a model file does not record its own

_DIGITAL = re.compile(
    r"digital|online|\bapps?\b|software|plattform|platform|portal|e-akte|\bozg\b|"
    r"sensor|lorawan|\bki\b|künstliche intelligenz|artificial intelligence|\bai\b|daten|\bdata\b|"
    r"\bit-|cloud|internet|breitband|glasfaser|broadband|e-government|elektronisch|virtuell|"
    r"video|podcast|livestream|stream|website|webseite|homepage|e-mail|wlan|wi-?fi|5g|"
    r"chatbot|algorithm|automatisiert|automated|e-rechnung|e-payment|servicekonto|cyber",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
# Where the contact block of a press release begins ("Pressekontakt", "Telefon: …"): nothing
# after it says what the release is about.
_CONTACT = re.compile(
    r"(?:^|\n)[ \t]*(?:Pressekontakt|Medienkontakt|Pressestelle|Presseanfragen|Rückfragen|"
    r"Ansprechpartner|Kontakt für (?:die )?Medien|Media contact|Press contact)"
    r"|(?:Pressekontakt|Medienkontakt|Ansprechpartner\S*|Rückfragen an)\s*:"
    r"|\b(?:Telefon|Tel\.|Fax|E-Mail|Email|Phone)\s*:",  # "per Telefon oder online" stays
    re.IGNORECASE,
)
_NOISE = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|\(?\+?\d[\d ()/-]{6,}\d")


class ModelError(RuntimeError):
    """The shipped relevance model is missing or unreadable; str() is the one-line reason."""


def language_of(language: str | None) -> str:
    return (language or "").lower()[:2]


def judgeable(text: str, language: str | None) -> bool:
    return language_of(language) in LANGUAGES and len(_WORD.findall(text[:400])) >= MIN_WORDS


def lead(text: str, chars: int = LEAD_CHARS) -> str:
    """The opening of an article without its contact block, e-mail addresses, URLs and phone
    numbers, cut at a word boundary after `chars` characters."""
    text = text[: chars + 200]  # what lies beyond the lead is never read
    m = _CONTACT.search(text, 80)  # a contact line in the very first words is a dateline
    if m:
        text = text[: m.start()]
    text = _NOISE.sub(" ", text)
    if len(text) > chars:
        text = text[:chars].rsplit(" ", 1)[0]
    return text


def _lexicon(title: str, body: str) -> list[str]:
    in_title = len(_DIGITAL.findall(title))
    in_body = len({m.lower() for m in _DIGITAL.findall(body)})
    tokens = [f"dig_body={min(in_body, 3)}"]
    if in_title:
        tokens.append("dig_title")
    if in_title or in_body >= 2:
        tokens.append(
            "screen"
        )  # the issues' keyword screen: two digital terms, or one in the title
    return tokens


def article_features(title: str, text: str) -> tuple[str, list[str]]:
    """(text, extra tokens) the model reads for an article; also what training reads."""
    body = lead(text)
    title_words = [f"t:{w.lower()}" for w in _WORD.findall(title)]
    return f"{title}\n{body}", [*title_words, *_lexicon(title, body), "level=article"]


def sentence_features(sentence: str) -> tuple[str, list[str]]:
    """(text, extra tokens) the model reads for a sentence."""
    return sentence, [*_lexicon("", sentence), "level=sentence"]


@cache
def model(path: Path = MODEL_FILE) -> LinearTextModel:
    """The shipped model, loaded once; a missing or broken file is a ModelError saying so."""
    from trends.nlp.linear import LinearTextModel

    try:
        return LinearTextModel.from_json(path)
    except FileNotFoundError:
        raise ModelError(
            f"relevance model missing: {path} (reinstall trends, or build it with "
            "scripts/train_relevance.py)"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(
            f"relevance model unreadable: {path}: {str(exc)[:120]} (reinstall trends, or build it "
            "with scripts/train_relevance.py)"
        ) from None


def article_model(language: str | None) -> LinearTextModel:
    """The model that judges an article in `language` (its own, else the main model)."""
    path = LANGUAGE_MODELS.get(language_of(language))
    return model(path) if path is not None and path.exists() else model()


def default_threshold() -> float:
    """The threshold chosen by cross-validation when the model was built (recorded in it)."""
    return float(model().meta.get("threshold", FALLBACK_THRESHOLD))


def judge(title: str, text: str, language: str | None) -> float | None:
    """Score for "reports on digitalization in the public sector"; None when not judged."""
    if not judgeable(text, language):
        return None
    return round(article_model(language).proba(*article_features(title, text))["yes"], 4)


def solution_score(sentence: str, language: str | None = "de") -> float:
    """Score for "this sentence describes a digital solution"."""
    return model().proba(*sentence_features(sentence))["yes"]


def model_id() -> str:
    """Names the models that judge articles: when one changes, analyze judges again."""
    ids = [str(model().meta.get("id", "relevance"))]
    ids += [
        str(model(path).meta.get("id", lang))
        for lang, path in LANGUAGE_MODELS.items()
        if path.exists()
    ]
    return "+".join(ids)


# -- the one decision ----------------------------------------------------------------------------
KEPT, SET_ASIDE, NOT_JUDGED = "kept", "set aside", "not judged"
# the reason of a decision made by the score alone (analysis may let such an article complete a
# new subject; curation and source filters it never overrules)
BELOW_THRESHOLD = "below threshold"


@dataclass(frozen=True)
class Decision:
    relevant: bool  # in topics, shares and trends
    status: str  # KEPT, SET_ASIDE or NOT_JUDGED (kept: nothing is known against it)
    reason: str  # "score", "below threshold", "source filter", "curation", "not judged"


@dataclass(frozen=True)
class Policy:
    """What decides whether a stored article counts: the threshold and the analyst's
    curation.yaml `articles:` block (keep / set_aside, each a list of article ids, URLs or URL
    patterns with `*`)."""

    threshold: float
    keep: tuple[str, ...] = ()
    set_aside: tuple[str, ...] = ()
    origin: str = "model"  # where the threshold came from: model | curation.yaml | given
    _keep_exact: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    _drop_exact: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @classmethod
    def make(
        cls,
        threshold: float,
        keep: Iterable[str] = (),
        set_aside: Iterable[str] = (),
        origin: str = "model",
    ) -> Policy:
        keep, set_aside = tuple(map(str, keep)), tuple(map(str, set_aside))
        return cls(
            threshold,
            keep,
            set_aside,
            origin,
            frozenset(k for k in keep if "*" not in k),
            frozenset(k for k in set_aside if "*" not in k),
        )

    def _forced(self, article_id: str, url: str) -> bool | None:
        # the article named itself (id or URL) wins over a pattern; between patterns, set_aside
        for exact in (article_id, url):
            if exact and exact in self._drop_exact:
                return False
            if exact and exact in self._keep_exact:
                return True
        if url and any(fnmatch.fnmatchcase(url, p) for p in self.set_aside if "*" in p):
            return False
        if url and any(fnmatch.fnmatchcase(url, p) for p in self.keep if "*" in p):
            return True
        return None

    def decide(
        self, article_id: str, url: str, score: float | None, source_filter: bool = True
    ) -> Decision:
        """Curation first (forced in or out), then the source's `filter`, then the score."""
        forced = self._forced(article_id, url or "")
        if forced is not None:
            return Decision(forced, KEPT if forced else SET_ASIDE, "curation")
        if not source_filter:
            return Decision(False, SET_ASIDE, "source filter")
        if score is None:
            return Decision(True, NOT_JUDGED, "not judged")
        if score >= self.threshold:
            return Decision(True, KEPT, "score")
        return Decision(False, SET_ASIDE, BELOW_THRESHOLD)


def policy(ws: Workspace | None = None, threshold: float | None = None) -> Policy:
    """What decides relevance in a workspace: `threshold` if given, else curation.yaml's
    `articles: threshold:`, else the model's default; curation.yaml's `articles: keep:` and
    `set_aside:` lists. Broken curation is an AnalysisError naming the file."""
    if ws is None:
        if threshold is None:
            return Policy.make(default_threshold())
        return Policy.make(threshold, origin="given")
    from trends.models import AnalysisError, read_curation

    block = read_curation(ws).get("articles") or {}
    if not isinstance(block, dict):
        raise AnalysisError(
            f"{ws.curation_yaml.name}: `articles:` must be a mapping (threshold, keep, set_aside)"
        )
    origin = "given"
    if threshold is None and block.get("threshold") is not None:
        try:
            threshold, origin = float(block["threshold"]), ws.curation_yaml.name
        except (TypeError, ValueError):
            threshold = -1.0
        if not 0.0 <= threshold <= 1.0:
            raise AnalysisError(
                f"{ws.curation_yaml.name}: articles.threshold must be a number from 0 to 1, "
                f"not {block['threshold']!r}"
            )
    if threshold is None:
        threshold, origin = default_threshold(), "model"
    return Policy.make(
        float(threshold), _entries(block.get("keep")), _entries(block.get("set_aside")), origin
    )


def _entries(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return []


# -- the corpus: judge what is not judged, decide, count ----------------------------------------
JUDGE_BATCH = 2000  # articles whose texts are read at a time


def judge_stored(corpus: Corpus, progress: Progress | None = None) -> int:
    """Judge the stored articles that the current model has not judged (stored before the
    relevance column existed, or judged by an older model); returns how many."""
    current = model_id()
    todo = corpus.unjudged(current)
    if progress and todo:
        progress.source_started("relevance", len(todo))
    for start in range(0, len(todo), JUDGE_BATCH):
        ids = todo[start : start + JUDGE_BATCH]
        texts = corpus.texts(ids)
        corpus.set_relevance(((aid, judge(*texts[aid])) for aid in ids if aid in texts), current)
        if progress:
            progress.advance("relevance", len(ids))
    return len(todo)


@dataclass
class Counts:
    """Per source: articles kept, set aside and not judged (not judged ones count as kept)."""

    by_source: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, source: str, status: str) -> None:
        row = self.by_source.setdefault(source, {KEPT: 0, SET_ASIDE: 0, NOT_JUDGED: 0})
        row[status] += 1

    def total(self, status: str) -> int:
        return sum(row[status] for row in self.by_source.values())


def _decide_row(pol: Policy, row) -> Decision:
    return pol.decide(row["id"], row["url"] or "", row["relevance"], bool(row["source_filter"]))


def decisions(corpus: Corpus, pol: Policy) -> dict[str, Decision]:
    """Every stored article's decision under `pol`, by id (nothing is written)."""
    return {row["id"]: _decide_row(pol, row) for row in corpus.relevance_rows()}


def decide_stored(
    corpus: Corpus, pol: Policy, *, write: bool = False, quarters: set[str] | None = None
) -> Counts:
    """Decide every stored article with `pol`; with `write`, store the decisions that changed
    (what analysis reads). Returns the counts per source (of these quarters' articles only)."""
    counts, changed = Counts(), []
    for row in corpus.relevance_rows():
        d = _decide_row(pol, row)
        if quarters is None or row["quarter"] in quarters:
            counts.add(row["source"], d.status)
        if d.relevant != bool(row["relevant"]):
            changed.append((row["id"], d.relevant))
    if write and changed:
        corpus.set_relevant(changed)
    return counts


def manifest_entry(pol: Policy, counts: Counts, joined: Iterable[str] = ()) -> dict:
    """What the manifest records of relevance: model, threshold and where it came from, the
    window's articles kept / set aside / not judged per source, and the set-aside ones that
    analysis let complete a new subject (`joined`: article ids; they count in it)."""
    return {
        "model": model_id(),
        "threshold": pol.threshold,
        "threshold_from": pol.origin,
        "curation": {"keep": len(pol.keep), "set_aside": len(pol.set_aside)},
        "kept": counts.total(KEPT),
        "set_aside": counts.total(SET_ASIDE),
        "not_judged": counts.total(NOT_JUDGED),
        "by_source": {src: dict(row) for src, row in sorted(counts.by_source.items())},
        "joined_new_subjects": sorted(joined),
    }
