"""Lemmas (simplemma, cached per token), German compound splitting, and the per-article cache.

:func:`analyze_text` turns an article into a compact string that the corpus stores next to the
article (with :data:`ANALYZER_VERSION`), so a new quarter only analyses new articles::

    >>> analyze_text("Die Stadt startet zwei Pilotprojekten für den Online-Bewohnerparkausweis.", "de")
    'Stadt starten | Pilotprojekt | Online-Bewohnerparkausweis'

Tokens are lemmas separated by single spaces, case kept as the lemmatizer returns it (German nouns
capitalised, which the keyphrase patterns use); ``|`` (:data:`~trends.nlp.text.BOUNDARY`) marks a
place where a stopword, number, URL or clause punctuation was removed, so n-grams built later never
span it. Consecutive markers are collapsed and none leads or trails.
"""

from __future__ import annotations

import marshal
import multiprocessing as mp
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path

import simplemma
from simplemma.strategies import DEFAULT_DICTIONARY_FACTORY, DefaultStrategy
from simplemma.strategies.dictionary_lookup import DictionaryLookupStrategy
from simplemma.utils import normalize_token

from trends.nlp.text import (
    BOUNDARY,
    clean_text,
    german_stopwords,
    keep_token,
    raw_tokens,
    stopwords,
    tokenize,
)

ANALYZER_VERSION = "9"
"""Bump when :func:`analyze_text` output changes; cached strings of another version are stale."""

# Batches smaller than this are analysed in-process: starting workers costs more than it saves.
PARALLEL_MIN_DOCS = 400

_GENDER_SUFFIXES = ("er", "or", "ent", "ant", "ist", "and", "eur", "ör", "at", "eut", "ekt")


def cache_dir() -> Path:
    """Where derived data that belongs to this machine, not to a workspace, is kept:
    ``$TRENDS_CACHE_DIR``, else ``$XDG_CACHE_HOME/trends``, else ``~/.cache/trends``."""
    if os.environ.get("TRENDS_CACHE_DIR"):
        return Path(os.environ["TRENDS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "trends"


class _BytesMapping(Mapping[str, str]):
    """simplemma's bytes -> bytes dictionary read as str -> str (what its own factory returns)."""

    __slots__ = ("raw",)

    def __init__(self, raw: dict[bytes, bytes]) -> None:
        self.raw = raw

    def __getitem__(self, key: str) -> str:
        return self.raw[key.encode()].decode()

    def get(self, key: str, default=None):  # type: ignore[override]  # hot path: no KeyError
        value = self.raw.get(key.encode())
        return default if value is None else value.decode()

    def __iter__(self) -> Iterator[str]:
        return (k.decode() for k in self.raw)

    def __len__(self) -> int:
        return len(self.raw)


_LANG_CODE = re.compile(r"[a-z]{2,3}")


class _Dictionaries:
    """simplemma's dictionaries, decoded once per machine instead of once per process.

    simplemma stores them compressed and front-coded; decoding German takes 0.8 s, which every
    command that lemmatizes paid at start (``analyze`` before its workers fork). The decoded dict
    is written to :func:`cache_dir` with marshal (~25 MB for German) and read back in 0.3 s. The
    file is keyed by simplemma's version; a missing, stale or unreadable one is rebuilt, and when
    nothing can be written the dictionary is simply decoded as before. Anything but simplemma's
    bytes dict behind its Mapping (another major version) is used as it comes, uncached."""

    @cache  # noqa: B019 - one module-level instance, kept for the process
    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        if not _LANG_CODE.fullmatch(lang):  # the code names a file: simplemma says what is wrong
            return DEFAULT_DICTIONARY_FACTORY.get_dictionary(lang)
        tag = f"simplemma {metadata.version('simplemma')} {lang}"
        try:
            path = cache_dir() / f"simplemma-{lang}.marshal"
            stored_tag, raw = marshal.loads(path.read_bytes())
            if stored_tag == tag and isinstance(raw, dict):
                return _BytesMapping(raw)
        except (OSError, RuntimeError, ValueError, EOFError, TypeError):  # RuntimeError: no home
            pass
        forms = DEFAULT_DICTIONARY_FACTORY.get_dictionary(lang)
        raw = getattr(forms, "_dict", None)
        if not (isinstance(raw, dict) and isinstance(next(iter(raw), None), bytes)):
            return forms
        try:
            path = cache_dir() / f"simplemma-{lang}.marshal"
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            try:
                tmp.write_bytes(marshal.dumps((tag, raw)))
                os.replace(tmp, path)  # atomic: a concurrent reader sees the old or the new file
            finally:
                tmp.unlink(missing_ok=True)  # a full disk leaves no half-written file behind
        except (OSError, RuntimeError):
            pass
        return _BytesMapping(raw)


_DICTIONARIES = _Dictionaries()
_KNOWN = DictionaryLookupStrategy(_DICTIONARIES)


@cache
def _lemmatizer(greedy: bool) -> simplemma.Lemmatizer:
    """What ``simplemma.lemmatize(token, lang, greedy)`` uses, over :data:`_DICTIONARIES`."""
    return simplemma.Lemmatizer(
        lemmatization_strategy=DefaultStrategy(greedy=greedy, dictionary_factory=_DICTIONARIES)
    )


def is_known(word: str, lang: str) -> bool:
    """``simplemma.is_known`` over :data:`_DICTIONARIES` (one language)."""
    return _KNOWN.get_lemma(normalize_token(word), lang) is not None


@lru_cache(maxsize=1)
def _overrides() -> dict[str, str]:
    """Surface form -> lemma corrections (``data/lemmas_de.tsv``), e.g. Daten -> Daten, not Datum."""
    from importlib import resources

    try:
        raw = resources.files("trends.nlp").joinpath("data", "lemmas_de.tsv").read_text("utf-8")
    except FileNotFoundError:
        return {}
    out = {}
    for line in raw.splitlines():
        line = line.split("#", 1)[0].strip()
        if "\t" in line:
            form, lemma = line.split("\t", 1)
            out[form.strip()] = lemma.strip()
    return out


def _misread_place(word: str) -> bool:
    """A place name the dictionary reads as another word (Datteln -> Dattel, Schleiden ->
    Schleider, Rheine -> Rhein): it is its own lemma and no compound. Only those: a name the
    dictionary leaves alone keeps its compound parts as before (Wuppertal -> Wupper + Tal;
    leaving every place name whole split the demo's emerging AI topic in two, see the README).
    Asked word by word (`lemmatize` and `split_compound` cache their answers), so no process
    lemmatizes all 470 names up front."""
    from trends.nlp.entities import place_name_words

    return (
        word in place_name_words()
        and _fold_feminine(_lemmatizer(True).lemmatize(word, "de")) != word
    )


def _fold_feminine(lemma: str) -> str:
    """Bürgerin -> Bürger, Ministerin -> Minister (only when the base is a known word)."""
    if len(lemma) > 5 and lemma.endswith("in") and lemma[0].isupper():
        base = lemma[:-2]
        if base.endswith(_GENDER_SUFFIXES) and is_known(base, "de"):
            return base
    return lemma


@lru_cache(maxsize=1 << 20)
def lemmatize(token: str, lang: str = "de") -> str:
    """Lemma of one token (cached). German: greedy simplemma (Pilotprojekten -> Pilotprojekt,
    Bewohnerparkausweise -> Bewohnerparkausweis), feminine forms folded into the base noun
    (Bürgerin -> Bürger), a small override table; hyphenated compounds lemmatise their last part."""
    over = _overrides().get(token) if lang == "de" else None
    if over:
        return over
    if lang == "de" and _misread_place(token):
        return token
    if "-" in token and not token.endswith("-"):
        head, _, last = token.rpartition("-")
        return f"{head}-{lemmatize(last, lang)}" if last else token
    try:
        lemma = _lemmatizer(lang == "de").lemmatize(token, lang)
    except (ValueError, KeyError):  # language simplemma does not know
        return token
    if lang == "de":
        lemma = _fold_feminine(lemma)
    # simplemma lowercases unknown capitalised words at times; keep nouns recognisable
    if (
        lemma != token
        and lang == "de"
        and token[0].isupper()
        and lemma[0].islower()
        and token[1:].islower()
        and not is_known(lemma, "de")
    ):
        lemma = token
    return lemma


_BAD_HEADS = frozenset({"Schaft", "Schaften", "Lich", "Ling", "Heit", "Keit", "Ung"})
_MIN_PART = 3


@lru_cache(maxsize=1)
def _base_nouns() -> frozenset[str]:
    """Capitalised German dictionary entries that are their own lemma (Regierung; not Erreich ->
    erreichen), as one set of about 260k words built once: membership is then a hash lookup.
    Read from the dictionary `lemmatize` uses; see `_identity_entries` for how."""
    forms = _DICTIONARIES.get_dictionary("de")
    # A-Z only, as the topic model was tuned and evaluated: admitting Ä/Ö/Ü-initial words splits
    # e.g. Datenübermittlung into Date + Übermittlung; a change for scripts/eval_topics.py to judge
    return frozenset(w for w in _identity_entries(forms) if "A" <= w[:1] <= "Z")


def _identity_entries(forms: Mapping[str, str]) -> Iterator[str]:
    """The words `forms` maps to themselves. Comparing the bytes of simplemma's dict takes 0.07 s
    instead of 0.45 s through the Mapping's decoding `__getitem__` (which `analyze` waits for at
    every cold start). Any other storage goes through the public Mapping API, so an upgrade
    cannot change the result, only the time (tests/test_nlp.py checks that both paths agree)."""
    if isinstance(forms, _BytesMapping):
        return (k.decode() for k, v in forms.raw.items() if k == v)
    return (w for w in forms if forms[w] == w)


_LINKERS = ("es", "en", "s", "n", "e", "")


@lru_cache(maxsize=1 << 18)
def split_compound(lemma: str, lang: str = "de") -> tuple[str, ...]:
    """German closed compound -> (modifier, head) lemmas when both are known words, else (lemma,).

    ``Digitalisierungsstrategie -> ('Digitalisierung', 'Strategie')``,
    ``Bewohnerparkausweis -> ('Bewohner', 'Parkausweis')``. Hyphenated compounds split at the
    hyphens (``Smart-City-Projekt -> ('Smart', 'City', 'Projekt')``). The longest known head wins.
    """
    if lang != "de" or _misread_place(lemma):  # Schleiden: no Sch + Leiden
        return (lemma,)
    if "-" in lemma:
        parts = tuple(p for p in lemma.split("-") if p)
        return parts if len(parts) > 1 else (lemma,)
    n = len(lemma)
    if n < 8 or not lemma[0].isupper() or not lemma[1:].islower():
        return (lemma,)
    low = lemma.lower()
    known = _base_nouns().__contains__
    stop = stopwords("de")
    for i in range(_MIN_PART, n - _MIN_PART + 1):  # longest head first, parts >= 3 letters
        head = low[i].upper() + low[i + 1 :]
        if not known(head) or head in _BAD_HEADS:
            continue
        mod = lemma[:i]
        for link in _LINKERS:
            if link and not mod.endswith(link):
                continue
            stem = mod[: len(mod) - len(link)] if link else mod
            if len(stem) >= _MIN_PART and known(stem) and stem.lower() not in stop:
                return (stem, _fold_feminine(head))
    return (lemma,)


_DROP = BOUNDARY  # cache value of a token that is removed (stopword, number, punctuation)
_TOKEN_CACHES: dict[str, dict[str, str]] = {}
_TOKEN_CACHE_MAX = 2_000_000
_RUNS = re.compile(r"\|(?: \|)+")


def _token_output(tok: str, lang: str) -> str:
    """What one token becomes in the analysed string: its lemma, or _DROP."""
    if tok == BOUNDARY or not keep_token(tok):
        return _DROP
    if tok.isupper():  # acronyms: IT, US, KI, OZG are not "it", "us"; a headline's DIE is "die"
        return _DROP if tok.lower() in german_stopwords() else tok
    stop = stopwords(lang)
    if tok.lower() in stop:
        return _DROP
    lemma = lemmatize(tok, lang) if _lemma_supported(lang) else tok
    if not lemma or lemma.lower() in stop:
        return _DROP
    return lemma.replace(" ", "_").replace(BOUNDARY, "_")


def _token_cache(lang: str) -> dict[str, str]:
    cache = _TOKEN_CACHES.get(lang)
    if cache is None:
        cache = _TOKEN_CACHES.setdefault(lang, {})
    return cache


def _lemmas(words: list[str], lang: str, cache: dict[str, str]) -> list[str]:
    out = list(map(cache.get, words))  # the common case runs in C
    if None in out:
        for i, lemma in enumerate(out):
            if lemma is None:
                tok = words[i]
                lemma = out[i] = _token_output(tok, lang)
                if len(cache) < _TOKEN_CACHE_MAX:
                    cache[tok] = lemma
    return out


def _finish(parts: list[str]) -> str:
    """Join clause strings with BOUNDARY, collapse marker runs, strip leading/trailing markers."""
    text = _RUNS.sub(BOUNDARY, " | ".join(parts))
    if text.startswith("| "):
        text = text[2:]
    if text.endswith(" |"):
        text = text[:-2]
    return "" if text == BOUNDARY else text


def analyze_tokens(tokens: Iterable[str], lang: str = "de") -> str:
    """Tokens (words and BOUNDARY markers) -> the analysed string (see module doc)."""
    tokens = list(tokens)
    return _finish([" ".join(_lemmas(tokens, lang, _token_cache(lang)))]) if tokens else ""


def _analyze_regex(text: str, lang: str) -> str:
    """Fast path of analyze_text for the regex tokenizer: one findall, one map, one join.
    Punctuation tokens go through the same cache and come out as BOUNDARY."""
    tokens = raw_tokens(text)
    return _finish([" ".join(_lemmas(tokens, lang, _token_cache(lang)))]) if tokens else ""


@lru_cache(maxsize=64)
def _lemma_supported(lang: str) -> bool:
    try:
        _lemmatizer(False).lemmatize("test", lang)
        return True
    except (ValueError, KeyError):
        return False


# A field label of a form whose line breaks were lost ("… 12207 Berlin Termin: jeden Montag …
# Kosten: 24 € pro Person Leitung: …", event notices): the end of one field and the next label
# are no phrase ("Berlin Termin"), so a boundary goes before the label. Only in a form (three
# labels or more), never after a line's first word or a lower-case word: "Digitaler Zwilling:
# Paderborn startet" and "der digitale Zwilling: ein Überblick" keep their phrase.
_FIELD_LABEL = re.compile(r"[ \t]+(?=[A-ZÄÖÜ][\w/-]{1,29}:[ \t])")
_FORM_FIELDS = 3


def field_boundaries(text: str) -> str:
    """`text` with a clause break before each field label of a form (see _FIELD_LABEL)."""
    if text.count(":") < _FORM_FIELDS:  # the common case, without running the pattern
        return text
    labels = list(_FIELD_LABEL.finditer(text))
    if len(labels) < _FORM_FIELDS:
        return text
    parts, last = [], 0
    for m in labels:
        line = text[text.rfind("\n", 0, m.start()) + 1 : m.start()].split()
        if len(line) < 2 or line[-1][:1].islower():
            continue
        parts += [text[last : m.start()], " ; "]
        last = m.end()
    return "".join(parts) + text[last:]


def analyze_text(text: str, lang: str = "de", tokenizer: str = "regex") -> str:
    """Article text -> compact analysed string (lemmas, BOUNDARY markers), what the corpus caches."""
    lang = (lang or "de").lower()[:2]
    text = field_boundaries(clean_text(text))
    if tokenizer == "regex":
        return _analyze_regex(text, lang)
    return analyze_tokens(tokenize(text, lang, tokenizer), lang)


def _analyze_chunk(args: tuple[list[str], list[str], str]) -> list[str]:
    texts, langs, tokenizer = args
    return [analyze_text(t, lg, tokenizer) for t, lg in zip(texts, langs, strict=True)]


def analyze_texts(
    texts: Sequence[str],
    langs: Sequence[str] | str = "de",
    n_jobs: int = 2,
    tokenizer: str = "regex",
) -> list[str]:
    """Analyse many articles, in ``n_jobs`` processes for large batches (order kept).

    ``langs`` is one language for all or one per text. ``n_jobs=-1`` uses every core. Batches
    under :data:`PARALLEL_MIN_DOCS` run in-process.
    """
    texts = list(texts)
    langs = [langs] * len(texts) if isinstance(langs, str) else list(langs)
    if len(langs) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(langs)} languages")
    if n_jobs is None or n_jobs == 0:
        n_jobs = 1
    if n_jobs < 0:
        n_jobs = os.cpu_count() or 1
    n_jobs = min(n_jobs, max(1, len(texts) // (PARALLEL_MIN_DOCS // 2)))
    if n_jobs <= 1 or len(texts) < PARALLEL_MIN_DOCS:
        return _analyze_chunk((texts, langs, tokenizer))
    # warm the dictionaries once so forked workers inherit them instead of loading them each
    for lg in set(langs):
        analyze_text("Haus", lg, tokenizer)
    # contiguous chunks, several per worker so an unlucky chunk of long texts does not stall one
    n_chunks = n_jobs * 4
    size = -(-len(texts) // n_chunks)
    chunks = [
        (texts[i : i + size], langs[i : i + size], tokenizer) for i in range(0, len(texts), size)
    ]
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else None)
    with ctx.Pool(n_jobs) as pool:
        parts = pool.map(_analyze_chunk, chunks, chunksize=1)
    return [s for part in parts for s in part]


def segments(analyzed: str) -> list[list[str]]:
    """Analysed string -> runs of tokens between BOUNDARY markers."""
    out: list[list[str]] = []
    for seg in analyzed.split(f" {BOUNDARY} ") if analyzed else ():
        toks = [t for t in seg.split(" ") if t and t != BOUNDARY]
        if toks:
            out.append(toks)
    return out


__all__ = [
    "ANALYZER_VERSION",
    "analyze_text",
    "analyze_texts",
    "analyze_tokens",
    "lemmatize",
    "segments",
    "split_compound",
]
