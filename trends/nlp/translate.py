"""English lemmas in German words, from a bilingual dictionary, so that an English report shares
the words of the German articles on its subject.

The topic model's features are German nouns; an English article's lemmas share only names and
loan words with them (*pothole* is not *Schlagloch*), so the model placed 60 of 100 English
articles of the five written streams in the topic of their German peers (78 with the translation
read where the article's own words placed it nowhere; analyze.fit_topics now keeps whichever of
the two readings places an article more surely: 123 -> 133 of 159 English articles over six
streams and the demo, none worse). Of a word's
senses only the one the German articles of the corpus use most is added (`translate_docs` with
``usage``): on the 59 written streams English articles in their subject's topic 820 -> 855 of 906
(29 streams better, 3 worse; stream6's new topic found for the first time). The dictionary is the
Debian package ``dict-freedict-eng-deu`` (FreeDict's edition of TU Chemnitz's Ding dictionary,
GPL; read where it is installed, never shipped with trends). Without it, English articles are
placed as before, by the words they share.

The dictd files are an index (``headword<TAB>offset<TAB>length``, numbers in base 64) and a
dictzip file (gzip in chunks). Only the headwords an analysis needs are looked up; an entry's
second line holds its translations ("Lastwagen <masc>, Lastkraftwagen <masc>, Laster …"), of
which the German nouns (capitalised single words) are kept.
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from trends.nlp.text import BOUNDARY

DICT_DIR = Path(os.environ.get("TRENDS_DICT_DIR", "/usr/share/dictd"))
DICTS = {("en", "de"): "freedict-eng-deu"}
MEMO = 200_000
_B64 = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}
# tags, pronunciations and usage notes inside a translation line
_NOISE = re.compile(r"<[^>]*>|\[[^\]]*\]|/[^/]*/|\{[^}]*\}|\([^)]*\)")
_NOUN = re.compile(r"^[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜa-zäöüß]+)*$")


def _b64(s: str) -> int:
    n = 0
    for ch in s:
        n = n * 64 + _B64[ch]
    return n


def _lookup(name: str, words: set[str]) -> dict[str, list[str]] | None:
    """The nouns of each of ``words`` the dictionary has; None when it is not installed or
    cannot be read (the reason is kept for :func:`problem`). The index is scanned for these
    words only and the data read once per call, then dropped: an analysis needs a few thousand
    words, and a resident dictionary would cost 80 MB."""
    index, data = DICT_DIR / f"{name}.index", DICT_DIR / f"{name}.dict.dz"
    if name in _PROBLEMS or not (index.exists() and data.exists()):
        return None  # an unreadable one is not read again in this process
    spans: dict[str, list[tuple[int, int]]] = {}
    try:
        for line in index.read_text(encoding="utf-8").splitlines():
            head, _, rest = line.partition("\t")
            if head in words:
                off, _, length = rest.partition("\t")
                spans.setdefault(head, []).append((_b64(off), _b64(length)))
        if not spans:
            return {}
        with gzip.open(data) as fh:
            raw = fh.read()
    except (OSError, EOFError, KeyError, UnicodeDecodeError, zlib.error) as exc:
        _PROBLEMS[name] = f"{index.parent}/{name}: unreadable ({type(exc).__name__}: {exc})"
        return None
    out = {}
    for w, where in spans.items():
        entries = (raw[off : off + length].decode("utf-8", "replace") for off, length in where)
        nouns = [n for entry in entries for n in _nouns(entry)]
        if nouns:
            out[w] = list(dict.fromkeys(nouns))
    return out


def _nouns(entry: str) -> list[str]:
    lines = entry.split("\n")
    if len(lines) < 2:
        return []
    out = []
    for item in _NOISE.sub(" ", lines[1]).split(","):
        words = item.split()
        if len(words) == 1 and _NOUN.match(words[0]):
            out.append(words[0])
    return out


_SEEN: dict[tuple[str, str], dict[str, list[str]]] = {}
_PROBLEMS: dict[str, str] = {}  # dictionary name -> why it could not be read


def installed() -> dict[str, str]:
    """The dictionaries found, for the manifest (placements depend on them): pair -> name and
    the size of its index, e.g. {"en-de": "freedict-eng-deu (10830968 bytes)"}."""
    out = {}
    for (source, target), name in sorted(DICTS.items()):
        index = DICT_DIR / f"{name}.index"
        if index.exists():
            out[f"{source}-{target}"] = f"{name} ({index.stat().st_size} bytes)"
    return out


def problem(source: str, target: str) -> str | None:
    """Why the installed dictionary for this pair could not be read, if it could not (a missing
    dictionary is no problem: it is optional)."""
    return _PROBLEMS.get(DICTS.get((source, target), ""))


def translations(words: Iterable[str], source: str, target: str) -> dict[str, list[str]]:
    """Each word or two-word phrase (lowercase) -> the target language's nouns it translates
    to, for those the dictionary has; {} when no dictionary for the pair is installed or it
    cannot be read. Words looked up before are remembered (up to ``MEMO`` of them), so a process
    that analyses again (``trends run``, ``serve``) reads the dictionary for new words only."""
    name = DICTS.get((source, target))
    if name is None:
        return {}
    memo = _SEEN.setdefault((source, target), {})
    wanted = set(words)
    new = wanted - memo.keys()
    if new:
        found = _lookup(name, new)
        if found is None:
            return {}
        if len(memo) > MEMO:
            memo.clear()
        memo.update({w: found.get(w, []) for w in new})
    return {w: memo[w] for w in wanted if memo[w]}


def _phrases(doc: str) -> list[str]:
    return [p.strip().lower() for p in doc.split(BOUNDARY)]


def _wanted(phrases: Iterable[list[str]]) -> set[str]:
    """What a document's phrases are looked up as: two-word phrases whole, and every word."""
    out: set[str] = set()
    for ps in phrases:
        out.update(p for p in ps if p.count(" ") == 1)
        out.update(w for p in ps for w in p.split())
    return out


def remember(docs: Iterable[str], source: str, target: str) -> None:
    """Look up the words of all these documents at once (they may come a chunk at a time and
    are not kept), so that translating them later reads the dictionary no more."""
    translations(_wanted(_phrases(d) for d in docs), source, target)


def translate_docs(
    docs: list[str], source: str, target: str, usage: Mapping[str, int] | None = None
) -> list[str]:
    """Analysed documents (lemma strings) with the target language's nouns appended: a phrase
    between markers is looked up whole ("bin lorry" -> Müllwagen), else word by word. With
    ``usage`` (in how many of the target-language corpus's documents each noun occurs), a word
    gives only the translation that corpus uses most, and none that it never uses."""
    phrases = [_phrases(d) for d in docs]
    lex = translations(_wanted(phrases), source, target)
    if usage is not None:
        lex = {w: used for w, nouns in lex.items() if (used := _most_used(nouns, usage))}
    if not lex:
        return docs
    out = []
    for doc, ps in zip(docs, phrases, strict=True):
        added: list[str] = []
        for p in ps:
            if p in lex:
                added.extend(lex[p])
            else:
                for w in p.split():
                    added.extend(lex.get(w, ()))
        out.append(f"{doc} {BOUNDARY} {' '.join(added)}" if added else doc)
    return out


def _most_used(nouns: list[str], usage: Mapping[str, int]) -> list[str]:
    # A dictionary gives a word all its senses ("permit": Genehmigung, Erlaubnis, Zulassung,
    # Passierschein, …) and each became a word of the English report, so its generic words
    # outweighed what it shares with its German peers; the corpus's own choice is the sense it
    # writes about. (The sense its articles write beside the report's other words, branch
    # `sense-context`, stop 58: English placements moved both ways, within the spread.)
    best = max((usage.get(n, 0) for n in nouns), default=0)
    return [n for n in nouns if best and usage.get(n, 0) == best]
