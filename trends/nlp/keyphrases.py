"""Keyphrases from analysed articles, scored per topic (c-TF-IDF style), and topic labels.

Candidates come from the analysed strings of :func:`trends.nlp.lemmatize.analyze_text` (lemmas with
BOUNDARY markers, so no phrase spans a removed stopword, number or punctuation):

- German noun phrases by a light pattern on lemma case (German nouns are capitalised, adjectives
  and verbs are not): ``ADJ* NOUN+`` (*künstliche Intelligenz*, *digitaler Bauantrag*) and
  ``NOUN+ online/digital/mobil`` (*Bewohnerparkausweis online*), up to ``max_n`` words; single
  words only if nouns. Other languages: n-grams without a verb-like word at either end;
- compounds are single tokens already (*Online-Bewohnerparkausweis*, *Ratsinformationssystem*);
- a domain stopword (Stadt, digital, Projekt, …) may modify but never ends a phrase.

Scoring is class-based TF-IDF on document frequencies: ``p_c * log(p_c / p)`` with ``p_c`` the
share of the topic's documents containing the phrase and ``p`` the share of all documents, so a
phrase common in one topic and rarer elsewhere wins and words found everywhere score about 0.
Multi-word phrases get a bonus, phrases from fewer than ``min_docs`` documents of the topic are
ignored, and a phrase is dropped when a longer one containing it is at least half as frequent
(no "Bewohnerparkausweis" next to an equally common "Bewohnerparkausweis online"). Adjectives are
inflected for display (*künstlich Intelligenz* -> *künstliche Intelligenz*): the ending is guessed
from the noun's suffix, and :func:`agree` corrects it where the articles tell the noun's gender
(:func:`noun_gender`; analyze does this for the topics' keyphrases).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from itertools import product
from typing import Any

from trends.nlp.lemmatize import is_known, lemmatize, split_compound
from trends.nlp.text import BOUNDARY, domain_stopwords

# Lowercase words that may follow a noun in a phrase ("Bewohnerparkausweis online").
POSTPOSITIVE = frozenset({"online", "digital", "mobil", "papierlos", "kontaktlos", "barrierefrei"})
_VERB_ENDINGS = ("en", "ern", "eln")
_ADJ_KEEP = frozenset({"offen", "eigen", "golden", "trocken", "verschieden"})

LABEL_SEPARATOR = " · "  # between the keyphrases of a topic label


def _is_noun(tok: str) -> bool:
    """Rathaus, eAkte, 5G, KI, E-Akte; a hyphenated token only when its last part is one (the
    lemmatizer turns some heads into adjectives, "Telenotarzt-Zentrale" -> "Telenotarzt-zentral",
    and "EU-weit" is an adjective): such tokens name no topic."""
    return not tok.rpartition("-")[2].islower()


def _is_adj(tok: str) -> bool:
    """Lowercase lemma that is not an infinitive (adjective, adverb or participle)."""
    return tok.islower() and (tok in _ADJ_KEEP or not tok.endswith(_VERB_ENDINGS))


# Tags: N noun-like, A adjective-like, P postpositive (online), V verb-like, D domain stopword,
# S boundary. German phrases: ADJ* NOUN+ and NOUN+ POSTPOSITIVE (P also works as an adjective),
# single words only if nouns;
# a domain stopword may stand where an A, N or P stands, except last ("digitaler Bauantrag" yes,
# "Bauantrag digital" and "digital" alone no).
_DE_BASE = (
    "N",
    "NN",
    "NNN",
    "AN",
    "PN",
    "ANN",
    "PNN",
    "AAN",
    "APN",
    "PAN",
    "PPN",
    "NP",
    "NNP",
)


def _with_domain_words(patterns: Iterable[str]) -> frozenset[str]:
    out = set()
    for p in patterns:
        for mask in product((False, True), repeat=len(p) - 1):
            head = "".join(
                "D" if m and c in "ANP" else c for c, m in zip(p[:-1], mask, strict=True)
            )
            out.add(head + p[-1])
    return frozenset(out)


def _patterns(lang_de: bool, n: int) -> frozenset[str]:
    if lang_de:
        return frozenset(p for p in _with_domain_words(_DE_BASE) if len(p) == n)
    # other languages: no boundary, no verb at either end, not ending in a domain stopword
    return frozenset(
        "".join(p) for p in product("NAPVD", repeat=n) if p[0] != "V" and p[-1] not in "VD"
    )


_PATTERNS = {(de, n): _patterns(de, n) for de in (True, False) for n in (1, 2, 3, 4)}


def _tagger(stop: frozenset[str]):
    cache: dict[str, str] = {BOUNDARY: "S", "": "S"}

    def tag(tok: str) -> str:
        t = cache.get(tok)
        if t is None:
            low = tok.lower()
            if low in stop:
                t = "D"
            elif low in POSTPOSITIVE:
                t = "P"
            elif _is_noun(tok):
                t = "N"
            elif _is_adj(tok):
                t = "A"
            else:
                t = "V"
            cache[tok] = t
        return t

    return tag


_TAGGERS: dict[frozenset[str], Any] = {}


def candidate_phrases(
    analyzed: str, lang: str = "de", max_n: int = 3, stop: frozenset[str] | None = None
) -> list[tuple[str, ...]]:
    """Candidate phrases (tuples of cased lemmas) of one analysed article, with repetitions.

    German: ``ADJ* NOUN+`` and ``NOUN+ online`` by lemma case; other languages: n-grams without
    verb-like words at the edges. A domain stopword may modify (*digital Bauantrag*) but never
    ends a phrase or stands alone. Phrases never span a BOUNDARY.
    """
    return [tuple(p.split(" ")) for p in _candidates(analyzed, lang, max_n, stop)]


def _candidates(analyzed: str, lang: str, max_n: int, stop: frozenset[str] | None) -> list[str]:
    """Like candidate_phrases, as space-joined strings (faster to count)."""
    stop = domain_stopwords() if stop is None else stop
    tag = _TAGGERS.get(stop)
    if tag is None:
        tag = _TAGGERS.setdefault(stop, _tagger(stop))
    if not analyzed:
        return []
    toks = analyzed.split(" ")
    tags = "".join(map(tag, toks))
    de = lang == "de"
    out: list[str] = []
    for n in range(1, min(max_n, 4) + 1):
        allowed = _PATTERNS[(de, n)]
        hits = [i for i in range(len(toks) - n + 1) if tags[i : i + n] in allowed]
        if n == 1:
            out.extend([toks[i] for i in hits])
        else:
            out.extend([" ".join(toks[i : i + n]) for i in hits])
    return out


def extract_keyphrases(
    docs: Sequence[str],
    labels: Sequence[int],
    langs: Sequence[str] | str = "de",
    top_n: int = 10,
    max_n: int = 3,
    min_docs: int = 2,
    stop: frozenset[str] | None = None,
    phrase_bonus: float = 0.75,
) -> dict[int, list[tuple[str, float]]]:
    """Top keyphrases per label. Label -1 ("other") counts as a class of its own (so generic
    phrases score low everywhere) but gets no entry in the result.

    Score of phrase t in class c (class-based TF-IDF on document frequencies):
    ``p_c * log(p_c / p)``, with ``p_c`` the share of c's documents containing t and ``p`` the
    share of all documents containing t; times ``1 + phrase_bonus * (words - 1)``. Frequent in the
    topic *and* rarer elsewhere wins; a word that is everywhere (Mensch, Land) scores about 0.

    Returns ``{label: [(display phrase, score), ...]}``, best first.
    """
    if isinstance(langs, str):
        langs = [langs] * len(docs)
    df_c: dict[int, Counter] = defaultdict(Counter)  # lowercase key -> documents, per class
    tf_c: dict[int, Counter] = defaultdict(Counter)  # cased phrase -> occurrences, per class
    n_c: Counter = Counter()
    df: Counter = Counter()
    lang_of: dict[int, Counter] = defaultdict(Counter)
    lower: dict[str, str] = {}
    for doc, lab, lang in zip(docs, labels, langs, strict=True):
        cased = Counter(_candidates(doc, lang, max_n, stop))
        uniq = set()
        for p in cased:
            k = lower.get(p)
            if k is None:
                k = lower[p] = p.lower()
            uniq.add(k)
        tf_c[lab].update(cased)
        df_c[lab].update(uniq)
        df.update(uniq)
        n_c[lab] += 1
        lang_of[lab][lang] += 1
    n_docs = len(docs)
    out: dict[int, list[tuple[str, float]]] = {}
    for lab in sorted(df_c):
        if lab == -1:
            continue
        nc = n_c[lab]
        need = min(min_docs, nc)
        scored = {}
        for k, d in df_c[lab].items():
            if d < need:
                continue
            p_c = d / nc
            p = df[k] / n_docs
            if p_c <= p:
                continue
            # a hyphenated compound is a phrase written as one word (LoRaWAN-Netz, E-Akte)
            n_words = k.count(" ") + min(1, k.count("-")) + 1
            scored[k] = p_c * math.log(p_c / p) * (1 + phrase_bonus * (n_words - 1))
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
        counts: Counter = Counter()
        variants: dict[str, Counter] = defaultdict(Counter)
        for p, c in tf_c[lab].items():
            counts[lower[p]] += c
            variants[lower[p]][tuple(p.split(" "))] += c
        chosen = _drop_contained(ranked, counts, top_n)
        lang = lang_of[lab].most_common(1)[0][0]
        out[lab] = [(display(variants[k], lang), round(s, 6)) for k, s in chosen]
    return out


def _drop_contained(
    ranked: list[tuple[str, float]], counts: Counter, top_n: int
) -> list[tuple[str, float]]:
    """Drop a phrase when a chosen phrase contains it (as words) and is at least half as frequent,
    or when it is contained in a better one; keeps at most top_n."""
    chosen: list[tuple[str, float]] = []
    for k, s in ranked:
        words = k.split()
        redundant = False
        for c, _ in chosen:
            cw = c.split()
            if _contains(cw, words) and counts[c] * 2 >= counts[k]:
                redundant = True
                break
            if _contains(words, cw) and counts[k] * 2 < counts[c]:
                redundant = True
                break
        if not redundant and len(words) > 1:
            # overlapping names ("Präsident Recep Tayyip" / "Recep Tayyip Erdogan"): keep the first
            grams = set(zip(words, words[1:]))
            redundant = any(grams & set(zip(c.split(), c.split()[1:])) for c, _ in chosen)
        if not redundant:
            # a longer phrase that subsumes already chosen shorter ones replaces them
            chosen = [
                (c, cs)
                for c, cs in chosen
                if not (_contains(words, c.split()) and counts[k] * 2 >= counts[c])
            ]
            chosen.append((k, s))
        if len(chosen) >= top_n:
            break
    return chosen


def _contains(big: list[str], small: list[str]) -> bool:
    if len(small) >= len(big):
        return False
    n = len(small)
    return any(big[i : i + n] == small for i in range(len(big) - n + 1))


def display(variants: Counter, lang: str = "de") -> str:
    """Most frequent cased variant of a phrase (ties: alphabetical), German adjectives inflected
    for a label (*künstlich Intelligenz* -> *künstliche Intelligenz*)."""
    gram = min(variants.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    if lang == "de":
        gram = tuple(map(_current_spelling, gram))
    if lang == "de" and len(gram) > 1:
        words = list(gram)
        for i, w in enumerate(words[:-1]):
            if w.islower() and _is_adj(w) and any(not x.islower() for x in words[i + 1 :]):
                words[i] = _inflect(w, next(x for x in words[i + 1 :] if not x.islower()))
        return " ".join(words)
    return " ".join(gram)


def _current_spelling(word: str) -> str:
    """The lemmatizer's dictionary keeps the spelling before 1996 for some nouns (Ausschuß,
    Beschluß, Paß, Prozeß): shown as texts spell them now, where the dictionary reads that
    spelling as the same word ("Ausschuss" -> Ausschuß). Maß, Gruß and Straße keep their ß (their
    ss forms are other words or Swiss). Only the display changes: the lemmas the topic model
    counts stay as they are (renaming them moved its fit: the demo's E-Akte topic split in three)."""
    if "ß" not in word or not word[:1].isupper():
        return word
    modern = word.replace("ß", "ss")
    return modern if lemmatize(modern, "de") == word else word


_FEM = ("ung", "heit", "keit", "schaft", "ion", "tät", "ik", "ur", "enz", "anz", "ie", "e", "in")
_NEUT = ("um", "ment", "chen", "lein", "tum", "nis", "o")
_MASC = ("er", "ling", "ismus", "or", "ist", "ant", "ent", "eur", "ich", "ig")
_INDECLINABLE = frozenset({"online", "live", "open", "smart", "lila", "rosa", "extra"})
# Heads of the field whose gender the suffix rules get wrong ("digitaler Bewohnerparkausweis",
# "digitales Bürgerportal"); checked first, as the end of the noun. Heads the suffix rules get
# right (-zentrum, -management) are not repeated here; -aum ends native masculine nouns (Baum,
# Raum, Schaum), where -um is otherwise neuter (Zentrum, Gremium).
_MASC_HEADS = ("ausweis", "dienst", "antrag", "zugang", "bescheid", "schein", "plan", "platz",
               "aum", "betrieb", "bot", "prozess", "markt", "bericht", "vertrag", "standard",
               "haushalt", "beitrag", "termin", "wandel", "staat", "kreis", "ausschuss",
               "verkehr", "dialog", "beirat", "hof", "weg", "park", "bau", "stand", "pass",
               "brief", "tarif", "kanal", "funk", "automat", "fonds", "verbund", "verband",
               "anschluss", "mensch")  # fmt: skip
_NEUT_HEADS = ("portal", "konto", "netz", "netzwerk", "system", "verfahren", "modell", "projekt",
               "angebot", "büro", "werkzeug", "monitoring", "tool", "register", "gesetz",
               "programm", "amt", "ticket", "formular", "labor", "parken", "lernen", "postfach",
               "gateway", "archiv", "kataster", "dashboard", "zertifikat", "referat",
               "mandat", "buch")  # fmt: skip


def _inflect(adj: str, noun: str, gender: str | None = None) -> str:
    """Strong nominative ending (-er / -e / -es) for the noun's gender: ``gender`` ("m", "f",
    "n") where the texts tell it (:func:`noun_gender`), else guessed from the noun's suffix."""
    if adj in _INDECLINABLE or adj.endswith(("e", "er", "es")) and adj in _ADJ_KEEP:
        return adj
    head = noun.rsplit("-", 1)[-1].lower()
    if adj.endswith("e"):
        adj = adj[:-1]
    if gender in _ENDINGS:
        return adj + _ENDINGS[gender]
    if head.endswith(_MASC_HEADS):
        return adj + "er"
    if head.endswith(_NEUT_HEADS):
        return adj + "es"
    if head.endswith(_FEM):
        return adj + "e"
    if head.endswith(_NEUT):
        return adj + "es"
    if head.endswith(_MASC):
        return adj + "er"
    # No suffix tells it. Masculine is the commonest gender of such nouns in the texts (of those
    # FreeDict gives one gender, 621 of 1,194 on the written streams, 204 feminine), but not of
    # the heads labels end in: guessed masculine, 16 of the 918 labels of the 91 written streams
    # change and 9 of them go wrong ("Elektronischer Unterschrift", "Abendlicher Taxifahrt",
    # "Ausfüllbarer PDF-Datei"; right: "Gelber Sack", "Automatischer Anruf"). Not kept (stop 55).
    return adj + "e"


_ENDINGS = {"m": "er", "f": "e", "n": "es"}
# What an article (or a preposition fused with one) before a noun tells of its gender, in the
# singular: "einen" is masculine only, "eine" and "zur" feminine only, "das" and the prepositions
# fused with it ("ins Rathaus", "ans Netz", "fürs Portal") neuter only; the rest leave two genders
# ("der": masculine nominative or feminine dative) or the plural ("die").
_ARTICLE_GENDERS = {
    "einen": "m", "den": "m", "eine": "f", "einer": "f", "zur": "f", "das": "n",
    "ins": "n", "ans": "n", "aufs": "n", "fürs": "n", "ums": "n", "übers": "n", "durchs": "n",
    "der": "mf", "die": "fp", "ein": "mn", "dem": "mn", "einem": "mn", "des": "mn",
    "eines": "mn", "zum": "mn", "im": "mn", "am": "mn", "vom": "mn", "beim": "mn",
}  # fmt: skip
_ARTICLE = "|".join(sorted(_ARTICLE_GENDERS, key=len, reverse=True))
_SAME_PLURAL = ("er", "el", "en", "chen", "lein")
GENDER_EVIDENCE = 2.0  # votes the winning gender needs beyond the next one


def noun_gender(texts: Iterable[str], noun: str) -> str | None:
    """The gender ("m", "f", "n") the texts give a noun by the articles before it ("einen
    Duschkopf", "der neue Duschkopf", "zur Bühne", "ein festes Zeitfenster"), counting compounds
    that end in it ("Gebärdensprache" for Sprache) where the noun is long enough not to end
    unrelated words (Rat: Apparat, Heirat). Each article votes for the genders it allows, split
    between them; None when the texts do not tell it clearly (the caller guesses from the
    noun's suffix)."""
    word = noun.rsplit("-", 1)[-1]
    if len(word) < 2 or not word[0].isupper():
        return None
    tail = f"[{word[0]}{word[0].lower()}]{re.escape(word[1:])}"
    head = rf"[\w-]*{tail}" if len(word) >= 5 else re.escape(word)
    # the article next to the noun, with up to two lower-case words (adjectives) between
    between = rf"(?:(?!(?i:{_ARTICLE})\s)[a-zäöüß][\w-]*\s+){{0,2}}"
    pattern = re.compile(rf"\b((?i:{_ARTICLE}))\s+({between}){head}\b")
    # a noun whose plural is spelled as its singular (der Partner, das Gebäude) is often plural
    # after "die" and "der", which then tell nothing of its gender
    same_plural = word.endswith(_SAME_PLURAL) or word.startswith("Ge") and word.endswith("e")
    votes = Counter({"m": 0.0, "f": 0.0, "n": 0.0})
    for text in texts:
        for m in pattern.finditer(text):
            allowed = _ARTICLE_GENDERS[m.group(1).lower()]
            if allowed == "mn" and m.group(1).lower() == "ein" and m.group(2):
                # "ein neuer Duschkopf", "ein festes Zeitfenster": the adjective's ending decides
                allowed = {"r": "m", "s": "n"}.get(m.group(2).rstrip()[-1:], allowed)
            if same_plural and allowed in ("fp", "mf"):
                continue
            for g in allowed:
                votes[g] += 1 / len(allowed)
    (best, top), (_, second) = sorted(((g, votes[g]) for g in "mfn"), key=lambda gv: -gv[1])[:2]
    return best if top - second >= GENDER_EVIDENCE else None


def compound_gender(noun: str, votes: Callable[[str], str | None]) -> str | None:
    """The gender ``votes`` gives a noun, else the one it gives the noun's head: a German
    compound takes the gender of its last part (das Bürgerportal, der Parkausweis), and the head is
    used far more often than any one compound, so its articles tell it where the compound's own
    do not. On the written streams and 10kGNAD (scripts/eval_labels.py, FreeDict's genders as
    truth) the heads' votes tell 261 and 52 of the nouns the articles leave open, every one
    right: nouns right 0.759 -> 0.791 and 0.728 -> 0.743 (the suffix guessed the rest)."""
    gender = votes(noun)
    if gender is not None:
        return gender
    parts = split_compound(noun.rsplit("-", 1)[-1])
    return compound_gender(parts[-1], votes) if len(parts) > 1 else None


def agree(phrase: str, gender: Callable[[str], str | None]) -> str:
    """A displayed German phrase (:func:`display`) with its adjectives in the gender that
    ``gender`` gives its noun ("wassersparende Duschkopf" -> "wassersparender Duschkopf" when
    the texts say "einen Duschkopf"); unchanged where it gives none."""
    words = phrase.split(" ")
    first = _sentence_start_adjective(words[0]) if len(words) > 1 else None
    if first:
        words[0] = first
    nouns = [i for i, w in enumerate(words) if not w.islower()]
    if len(words) < 2 or not nouns or nouns[0] == 0:
        return phrase
    noun = words[nouns[0]]
    g = gender(noun.rsplit("-", 1)[-1])
    if g is None:
        return phrase
    for i in range(nouns[0]):
        w = words[i]
        if _is_adj(w) and w not in _INDECLINABLE:
            words[i] = _inflect(_uninflected(w), noun, g)
    if first:
        words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)


def written_now(label: str, gender: Callable[[str], str | None] | None = None) -> str:
    """A label an earlier version wrote, as labels are written now: today's spelling
    (:func:`_current_spelling`) and, given ``gender`` (German), adjectives that agree with
    their nouns (:func:`agree`). A topic that keeps its name from quarter to quarter keeps its
    words, not an old version's mistakes ("Städtische Zuschuss" -> "Städtischer Zuschuss")."""
    parts = [
        " ".join(map(_current_spelling, part.split(" "))) for part in label.split(LABEL_SEPARATOR)
    ]
    if gender is not None:
        parts = [agree(part, gender) for part in parts]
    return LABEL_SEPARATOR.join(parts)


def _sentence_start_adjective(word: str) -> str | None:
    """The lower-case form of a phrase's first word where it is an inflected adjective or
    participle capitalised because it began a sentence ("Abgestellte Fahrzeuge werden …" gives
    the phrase "Abgestellte Fahrzeug"): without its ending it is a word the dictionary reads as
    an adjective (städtisch, offen) or a participle (abgestellt); None otherwise ("Hochschule",
    "Eschweiler", "Schule": the stem is a noun, no word, or a verb's)."""
    low = word.lower()
    if not word[:1].isupper() or not word[1:].islower() or not low.endswith(("e", "er", "es")):
        return None
    stem = _uninflected(low)
    if not is_known(stem, "de"):  # a place's adjective: "Eschweiler Rathaus"
        return None
    lemma = lemmatize(stem, "de")
    return low if lemma.islower() and (lemma == stem or stem.endswith("t")) else None


def base_words(phrase: str) -> list[str]:
    """A phrase's words in lower case without adjective endings, so that a label and a name
    compare whatever the case the label's adjective agrees in ("Kommunaler IT" and "Kommunale IT
    Westfalen" both give kommunal, it)."""
    return [_uninflected(w) for w in phrase.lower().split()]


def contains_words(big: list[str], small: list[str]) -> bool:
    """Whether the words `small` stand together in `big` (or are all of it)."""
    return big == small or _contains(big, small)


def _uninflected(adj: str) -> str:
    """The adjective :func:`_inflect` was given (its ending taken off)."""
    for end in ("er", "es", "e"):
        if adj.endswith(end) and len(adj) > len(end) + 2:
            return adj[: -len(end)]
    return adj


# Words that say how a service is delivered or asked for, not what it is for. In a corpus of
# digital public-sector news a label of these alone ("Online-Formular", "Künstliche Intelligenz",
# "QR-Code") fits most topics, and two topics named alike are merged as one subject
# (`TopicModel._same_names`): such a label takes the next phrase that names something else.
_MEANS_WORDS = frozenset({
    "online", "digital", "elektronisch", "virtuell", "web", "internet", "e", "app", "apps",
    "portal", "plattform", "website", "webseite", "software", "system", "tool", "anwendung",
    "daten", "code", "qr", "ki", "ai", "künstlich", "intelligenz", "chat", "chatbot", "bot",
    "assistent", "assistentin", "sprachassistent", "formular", "antrag", "dienst", "service",
    "lösung", "technik", "technologie", "digitalisierung", "sensor", "sensoren",
})  # fmt: skip


def names_only_means(phrase: str) -> bool:
    """Whether every word of ``phrase`` (or every part of a compound word) is a means word
    (``_MEANS_WORDS``): "Online-Antrag", "KI-Assistent", "Chatbot"; not "Elektronische Akte" or
    "Online-Antrag Baumbestattung"."""
    words = [w for w in re.split(r"[\s\-]+", phrase) if w]
    for word in words:
        low = word.lower()
        if low in _MEANS_WORDS or _uninflected(low) in _MEANS_WORDS:
            continue
        parts = [p.lower() for p in split_compound(word[:1].upper() + word[1:])]
        if len(parts) < 2 or not all(p in _MEANS_WORDS for p in parts):
            return False
    return bool(words)


def topic_label(keyphrases: Iterable[tuple[str, float]] | Iterable[str], max_parts: int = 2) -> str:
    """A short topic name from its best keyphrases: the best phrase, plus the next one when the
    best is a single word ("Bewohnerparkausweis online") or names only the means (then the next
    one that does not: "Künstliche Intelligenz · Hygienekontrolle", see ``_MEANS_WORDS``)."""
    phrases = [p if isinstance(p, str) else p[0] for p in keyphrases]
    if not phrases:
        return ""
    phrases = [p[:1].upper() + p[1:] for p in phrases]
    parts = [phrases[0]]
    means = names_only_means(phrases[0])
    if means or (" " not in phrases[0] and "-" not in phrases[0]):
        for p in phrases[1:]:
            if len(parts) >= max_parts:
                break
            if means and names_only_means(p):
                continue
            if p.lower() not in parts[0].lower() and parts[0].lower() not in p.lower():
                parts.append(p)
    return LABEL_SEPARATOR.join(parts)
