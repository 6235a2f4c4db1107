"""Text normalisation, tokenization and stopwords (German first, English second).

Two tokenizers give the same kind of output, a list of word tokens interleaved with
:data:`BOUNDARY` tokens wherever a phrase must not continue (sentence and clause punctuation,
removed URLs):

- ``"regex"`` (default): one compiled regular expression, about 10x faster than spaCy's
  tokenizer (see ``scripts/bench_nlp.py``); it keeps hyphenated compounds
  (*Smart-City-Projekt*), dotted names (*Servicekonto.NRW*) and drops URLs and e-mail addresses.
- ``"spacy"``: ``spacy.blank(lang).tokenizer``, for callers that want spaCy's exceptions
  (abbreviations, special cases) at the price of speed.

Stopwords are spaCy's German and English lists, our own additions
(``data/stopwords_de.txt``, ``data/stopwords_en.txt``) and, separately, *domain* stopwords
(``data/stopwords_domain.txt``: Stadt, Kommune, Bürgerinnen, …) that are frequent in every
article about municipal digitalization and name no topic. General stopwords are removed when an
article is analysed (they never reach the cache); domain stopwords are removed only when features
are built, so the list can change without re-analysing the corpus.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

BOUNDARY = "|"
"""Marker for a position where something was removed; n-grams never span it."""

SUPPORTED_LANGS = ("de", "en")

# --- normalisation --------------------------------------------------------------------------

# Gender-inclusive forms: Bürger*innen, Bürger:innen, Bürger_innen, BürgerInnen, Bürger/-innen
# -> the base form, so all variants count as one feature. Only after a lower-case letter, which
# `_fold_gender` checks: a pattern that began with that look-behind was tried at every position of
# every text (38 µs an article; 16 µs when it starts with the suffix's first character).
_GENDER = re.compile(r"(?:[*:_·/]-?in(?:nen)?|Innen)\b")
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyzäöüß")


def _fold_gender(m: re.Match) -> str:
    i = m.start()
    return "" if i and m.string[i - 1] in _LOWER else m.group()


# Lines that are page furniture rather than article text.
_BOILERPLATE_LINE = re.compile(
    r"""^\s*(?:
        (?:foto|bild|grafik|quelle|credits?|copyright|©|\(c\))\s*[:©]
      | ©
      | (?:lesen\s+sie\s+(?:auch|mehr)|mehr\s+(?:zum\s+thema|dazu|erfahren|lesen)|weiterlesen|zum\s+artikel)\b
      | (?:teilen|drucken|teilen\s+auf|share|tweet|e-?mail\s+senden)\s*(?:$|:)
      | (?:diese\s+(?:website|seite)\s+verwendet\s+cookies|wir\s+verwenden\s+cookies|cookie-?einstellungen)
      | (?:newsletter\s+(?:abonnieren|bestellen)|jetzt\s+abonnieren)
      | (?:zur(?:ück)?\s+(?:übersicht|startseite)|nach\s+oben|seitenanfang|inhaltsverzeichnis)\s*$
      | (?:impressum|datenschutz(?:erklärung)?|barrierefreiheit|kontakt|sitemap)\s*$
      | (?:stand|zuletzt\s+aktualisiert|veröffentlicht\s+am)\s*:?\s*\d
      | (?:this\s+(?:website|site)\s+uses\s+cookies|read\s+more|related\s+articles?|share\s+this)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)


# Characters to replace, in one pass: invisible ones dropped, odd spaces, apostrophes and
# in-word hyphens unified.
_ODD = re.compile(
    "[\u00ad\u200b\u200c\u200d\u2060\ufeff\u00a0\u2002-\u200a\u202f\u205f\u3000"
    "\u2019\u02bc\u00b4`\u2010\u2011]"
)
_ODD_MAP = {
    **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", ""),
    **dict.fromkeys(
        "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "
    ),
    **dict.fromkeys("\u2019\u02bc\u00b4`", "'"),
    **dict.fromkeys("\u2010\u2011", "-"),
}
_GENDER_HINTS = ("innen", "Innen", "*in", ":in", "_in", "/in", "·in", "/-in")


def normalize(text: str) -> str:
    """NFC, invisible characters removed, odd spaces and apostrophes unified, gender forms folded."""
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        text = _ODD.sub(lambda m: _ODD_MAP[m.group()], text)
    elif "`" in text:
        text = text.replace("`", "'")
    if any(h in text for h in _GENDER_HINTS):
        text = _GENDER.sub(_fold_gender, text)
    return text


def strip_boilerplate(text: str) -> str:
    """Drop lines that are page furniture (photo credits, share/cookie/newsletter lines, …)."""
    if "\n" not in text:
        return "" if _BOILERPLATE_LINE.match(text) and len(text) < 120 else text
    lines = [
        line
        for line in text.splitlines()
        if not (len(line) < 120 and _BOILERPLATE_LINE.match(line))
    ]
    return "\n".join(lines)


# Where a press release's contact block begins: from there on come names, phone numbers and
# addresses of the press office, which every release of a source carries and which would make a
# topic ("E-Mail · Telefon") or a label (a press officer's name) of their own.
_CONTACT = re.compile(
    r"""(?:^|(?<=[\s.;:!?)\]]))(?:
        presse-?\s?kontakt|medien-?\s?kontakt|kontakt\s+für\s+(?:die\s+)?(?:presse|medien)
      | pressestelle\s*:|ansprechpartner(?:\*in|:in|_in|/in|in|innen)?\b|ansprechperson
      | (?:für\s+)?rückfragen(?:\s+(?:bitte\s+)?an|\s*:)|weitere\s+informationen\s*(?::|unter\b|erhalten\b)
      | press\s+contact|media\s+contact|for\s+(?:further|more)\s+information\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)


# Every contact cue contains one of these: texts without them skip the (slow) pattern.
_CONTACT_WORDS = ("kontakt", "pressestelle", "ansprech", "rückfrage", "information", "contact")


def strip_contact_block(text: str) -> str:
    """Cut a press release's contact block: from the first contact cue in the text's second half
    to the end (in the first half such a cue is part of the story)."""
    half = len(text) // 2
    tail = text[half:].lower()
    if not any(w in tail for w in _CONTACT_WORDS):
        return text
    for m in _CONTACT.finditer(text, half):
        return text[: m.start()].rstrip()
    return text


def clean_text(text: str) -> str:
    """What every article goes through before tokenizing: boilerplate lines and the contact
    block out, then normalize."""
    return normalize(strip_contact_block(strip_boilerplate(text or "")))


# --- tokenization ---------------------------------------------------------------------------

# URLs and e-mail addresses become clause boundaries; the (slow) pattern only runs when the text
# contains "://", "www." or "@".
_URL = re.compile(r"""(?:https?://|www\.)[^\s<>"]+|[\w.+-]+@[\w-]+\.[\w.-]+""")
# Words, and what ends a clause: punctuation and line breaks (title / paragraphs). A dot inside a
# word (Servicekonto.NRW, 3.5) is part of the word; a dash between spaces becomes "–" first.
_TOKEN = re.compile(r"""\w+(?:[-'.&]\w+)*-?|[.!?…;:,()\[\]{}"„“”«»‹›–—|\n]""")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_ABBREV = re.compile(r"^(?:\w{1,3}\.)+\w{0,3}$")  # z.B, u.a, d.h, i.d.R


def raw_tokens(text: str) -> list[str]:
    """Words and clause punctuation as found (URLs and e-mails replaced by '|'). One findall,
    so the per-token work stays in C; about 10x faster than spaCy's tokenizer."""
    if "://" in text or "www." in text or "@" in text:
        text = _URL.sub(" | ", text)
    if " - " in text:
        text = text.replace(" - ", " – ")
    return _TOKEN.findall(text)


def regex_tokenize(text: str) -> list[str]:
    """Word tokens and BOUNDARY markers (URLs, e-mails and clause punctuation become BOUNDARY)."""
    return [t if t[0].isalnum() or t[0] == "_" else BOUNDARY for t in raw_tokens(text)]


@cache
def _spacy_tokenizer(lang: str):
    import spacy

    return spacy.blank(lang if lang in SUPPORTED_LANGS else "xx").tokenizer


def spacy_tokenize(text: str, lang: str = "de") -> list[str]:
    """Same contract as :func:`regex_tokenize`, with ``spacy.blank(lang)``'s tokenizer."""
    out: list[str] = []
    for tok in _spacy_tokenizer(lang)(text):
        if tok.is_space:
            if "\n" in tok.text:
                out.append(BOUNDARY)
        elif tok.like_url or tok.like_email or tok.is_punct:
            out.append(BOUNDARY)
        else:
            out.append(tok.text)
    return out


def tokenize(text: str, lang: str = "de", tokenizer: str = "regex") -> list[str]:
    """Tokenize normalized text into words and BOUNDARY markers. ``tokenizer``: regex | spacy."""
    if tokenizer == "regex":
        return regex_tokenize(text)
    if tokenizer == "spacy":
        return spacy_tokenize(text, lang)
    raise ValueError(f"unknown tokenizer {tokenizer!r} (expected 'regex' or 'spacy')")


@lru_cache(maxsize=1 << 18)
def keep_token(token: str) -> bool:
    """False for numbers, abbreviations, truncated compounds and one-letter tokens."""
    if len(token) < 2 or len(token) > 60 or not _HAS_LETTER.search(token):
        return False
    if token.endswith("-"):  # "Bundes- und Landesebene": the truncated half names nothing
        return False
    if "." in token and _ABBREV.match(token):
        return False
    # mostly digits: 2024er, 12h, 3D stays (letters carry meaning), 1.000er not
    digits = sum(c.isdigit() for c in token)
    return digits * 2 <= len(token) or any(c.isupper() for c in token)


# --- stopwords ------------------------------------------------------------------------------


def _read_list(name: str) -> frozenset[str]:
    try:
        raw = resources.files("trends.nlp").joinpath("data", name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return frozenset()
    words = (line.split("#", 1)[0].strip() for line in raw.splitlines())
    return frozenset(unicodedata.normalize("NFC", w).lower() for w in words if w)


@cache
def spacy_stop_words(lang: str) -> frozenset[str]:
    """spaCy's stopword list for a language (empty if spaCy has none).

    The list is a plain module, spacy/lang/<lang>/stop_words.py; it is executed on its own, because
    importing it the usual way first imports all of spaCy (2-3 s, in every worker process). That
    file's place is spaCy's layout, not its API: pyproject.toml bounds spaCy's version and
    tests/test_nlp.py fails when the file moves, rather than this falling back silently."""
    import importlib.util

    if not (lang.isascii() and lang.isalpha()):  # a language code, never a path ("/x", "..")
        return frozenset()
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("spaCy is not installed: pip install -e . installs it")
    path = Path(spec.submodule_search_locations[0]) / "lang" / lang / "stop_words.py"
    if not path.is_file():
        return frozenset()  # a language spaCy has no stopword list for
    module_spec = importlib.util.spec_from_file_location(f"_trends_stop_{lang}", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return frozenset(module.STOP_WORDS)


@cache
def stopwords(lang: str = "de") -> frozenset[str]:
    """General stopwords (lowercase) for a language: spaCy's list plus ours. Both DE and EN lists
    are always included, because German articles quote English and vice versa."""
    words = (
        spacy_stop_words("de")
        | spacy_stop_words("en")
        | _read_list("stopwords_de.txt")
        | _read_list("stopwords_en.txt")
    )
    if lang not in SUPPORTED_LANGS:
        words |= spacy_stop_words(lang)
    return frozenset(w.lower() for w in words)


@cache
def german_stopwords() -> frozenset[str]:
    """German stopwords only (spaCy's and ours), lowercase."""
    return frozenset(w.lower() for w in spacy_stop_words("de") | _read_list("stopwords_de.txt"))


@cache
def domain_stopwords() -> frozenset[str]:
    """Lowercase lemmas frequent in all public-sector digitalization news (Stadt, Kommune, …)."""
    return _read_list("stopwords_domain.txt")
