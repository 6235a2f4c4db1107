"""Entity recognition by gazetteer: who (which municipality) did what, with which programme or platform.

The gazetteer lives in three UTF-8 TSV files under ``data/`` (each explains its columns and sources):

- ``gazetteer_nrw.tsv``: the 396 municipalities of Nordrhein-Westfalen with their 8-digit AGS, the
  31 districts (30 Kreise + StädteRegion Aachen) with their 5-digit Kreisschlüssel, the 5 Regierungsbezirke;
- ``gazetteer_de.tsv``: the 16 Länder and the large German cities outside NRW;
- ``gazetteer_terms.tsv``: programmes, laws, platforms, standards and organisations of the field.

:func:`find_entities` tokenizes once and looks up word n-grams in one dictionary (no regex per entry):
only tokens that can start an entry (capitalised words, digits and a few lowercase starts such as
``lorawan``, ``xdomea``, ``d-NRW``) are looked at, and from each the longest known key wins.
The result is ordered by position and never overlaps.

Forms that are recognised besides the names and aliases of the TSV files:

- designator forms, which need no further context: *Stadt Lage*, *Gemeinde Much*, *Kreisstadt Soest*,
  *Hansestadt Attendorn*, *Stadtverwaltung Essen*, *Klingenstadt Solingen* (the designation from the official
  name), *Essen (NRW)*; districts as *Kreis Soest*, *Kreises Soest*, *Landkreis Soest*, *Kreisverwaltung Soest*,
  *im Kreis Lippe*, *Rhein-Kreis Neuss*, *StädteRegion Aachen*; Regierungsbezirke as *Regierungsbezirk Detmold*
  or *Bezirksregierung Detmold*;
- genitives (*Soests*, *Kölns*, *Onlinezugangsgesetzes*) and inhabitant/adjective forms (*Kölner*,
  *Münsteraner*, *Soesterin*, *den Bochumern*); an adjective form followed by a newspaper or street word
  (*Kölner Stadt-Anzeiger*, *Soester Straße*) is not a mention of the city;
- spellings without umlauts (*Muenster*, *Koeln*, *Schloss Holte-Stukenbrock*) and English exonyms (*Cologne*).

Precision before recall. Place names match only when written with a capital letter; a lowercase word never
matches a place. A bare place name is further checked by the ``ambiguity`` class of its gazetteer row:

``""`` (plain)
    accepted, unless directly preceded by an article (*das*, *dem*, *ein* ...: a place name takes none).
``noun`` (Münster, Kiel)
    as plain, and not after a capitalised adjective in -er (*das Freiburger Münster*).
``name`` (Hagen, Hamm, Werne, Marl, Rheine, Borken, Herten, Kaarst, Brühl, Delbrück, Warburg, ...: also surnames,
    first names, other places)
    as plain, and not at the start of a sentence or line (*Hagen hat ...*, *Dr. Hagen*), not after a number
    (*13 Siegen*), not after an attached hyphen (*Nina-Hagen-Platz*), not after a capitalised word that is neither a
    place/institution cue (*Stadtwerke Hamm*, *Region Hagen*) nor capitalised only because it starts the sentence
    (*Auch Hamm hat ...* is fine; *Professor Hagen* is not), and not before a capitalised word unless a preposition
    or cue precedes (*Hagen Rether*).
``word`` (Essen, Lage, Kamen, Senden, Wetter, Siegen, Bünde, Enger, Recke, Heiden, Wenden, Alpen, Much, Geldern: also
    common German words)
    needs context: a designator form (*Stadt Essen*), a place or institution cue right before it (*die Städte Essen*,
    *Landgericht Essen*, *Bürgermeisterin von Much*), the prepositions *in*, *aus*, *nach*, *bei* right before it
    *and* no noun-like continuation after it (rejected: *nach Senden des Formulars*, *in Essen enthaltene
    Zusatzstoffe*, *in Essen und Getränken*, *aus Wetter Daten*), or an accepted place next to it in an enumeration
    (*Bochum, Essen und Dortmund*). So *Wir essen in Essen* gives one entity and *Die Lage ist ernst* none.
``strict`` (Schlangen, Löhne: also follow *in* as common nouns: *in Schlangen stehen*, *Investitionen in Löhne*)
    only designator forms, a place cue, or an enumeration with other places.

Whatever the class, a single-word place name right after a common given name (``data/gazetteer_first_names.txt``)
is taken as a surname: *Carsten Heimbach*, *Andreas Ulmer* (an inhabitant form) are no places.

Programmes, laws, platforms and standards follow their ``case`` column: ``ci`` matches the usual casings
(*LoRaWAN*, *LORAWAN*, *Lorawan*, and *lorawan* where the TSV lists that form), ``cs`` only the written forms
(*OZG*, *EfA*, *BSI*, *ELSTER* but not *Elster*). *Einer für alle, alle für einen* is the motto, not EfA.

Speed: on one core, 10,000 texts of 2,500 characters take about 0.9 s (German news, few entities) to 1.8 s
(municipal digitalization news, ~12 entities per text), building the gazetteer once about 0.2 s.

:func:`lookup` finds one gazetteer entry by name or key, ignoring case, umlaut spelling, hyphens and spaces
(*Muenster*, *bad-sassendorf*, *05974040*, *5974040*, *05974*), for ``trends who --municipality NAME``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = [
    "AMBIGUITY_CLASSES",
    "KINDS",
    "Entity",
    "GazetteerEntry",
    "entries",
    "find_entities",
    "local_places",
    "lookup",
    "normalize_name",
]

KINDS = (
    "municipality",
    "district",
    "regbez",
    "land",
    "city",
    "programme",
    "law",
    "platform",
    "standard",
    "organisation",
)
PLACE_KINDS = frozenset({"municipality", "district", "regbez", "land", "city"})
AMBIGUITY_CLASSES = ("", "noun", "name", "word", "strict")


@dataclass(frozen=True)
class GazetteerEntry:
    """One row of the gazetteer."""

    name: str  # canonical name ("Münster", "Kreis Soest", "Servicekonto.NRW")
    kind: str  # one of KINDS
    key: str = ""  # AGS (8 digits), Kreisschlüssel (5), Regierungsbezirk (3) for NRW; "" otherwise
    region: str = ""  # municipality: its district or "kreisfrei"; city: its Land; district: its Regierungsbezirk
    district_key: str = ""  # municipality in a Kreis: the Kreisschlüssel
    regbez: str = ""  # NRW entries: Regierungsbezirk (Düsseldorf, Köln, Münster, Detmold, Arnsberg)
    status: str = (
        ""  # kreisfreie Stadt | Stadt | Gemeinde | Kreis | StädteRegion | Regierungsbezirk
    )
    official_name: str = ""  # as written by Destatis ("Soest, Stadt")
    aliases: tuple[str, ...] = ()
    ambiguity: str = ""  # see AMBIGUITY_CLASSES and the module docstring
    code: str = ""  # Länderschlüssel of a Land (informational)
    note: str = ""  # terms: what it is


@dataclass(frozen=True)
class Entity:
    """One mention of a gazetteer entry in a text."""

    name: str  # canonical name, e.g. "Münster", "Kreis Soest", "Servicekonto.NRW"
    kind: str  # "municipality" | "district" | "regbez" | "land" | "city" | "programme" | "law" | "platform" | "standard" | "organisation"
    key: str  # AGS / Kreisschlüssel for NRW entries, "" otherwise
    region: str  # for NRW municipalities: the district (or "kreisfrei"); for cities: their Land
    start: int  # char offsets of the surface form in the text
    end: int
    surface: str  # the text as it appeared ("Kölner", "Münster", "Kreis Soest", "Stadt Lage")


# --- loading ----------------------------------------------------------------------------------


def _read_tsv(filename: str) -> list[dict[str, str]]:
    raw = resources.files("trends.nlp").joinpath("data", filename).read_text("utf-8")
    lines = [ln for ln in raw.splitlines() if ln.strip() and not ln.startswith("#")]
    header = lines[0].split("\t")
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(header):
            raise ValueError(
                f"{filename}: data line {n} has {len(cells)} columns, expected {len(header)}"
            )
        rows.append(dict(zip(header, (c.strip() for c in cells))))
    return rows


def _split(cell: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a.strip() for a in cell.split("|") if a.strip()))


class _Row:
    """An entry plus the matching details that are not part of the public record."""

    __slots__ = ("entry", "case", "demonyms")

    def __init__(self, entry: GazetteerEntry, case: str = "cs", demonyms: str = "") -> None:
        self.entry = entry
        self.case = case
        self.demonyms = demonyms


def _load_rows() -> list[_Row]:
    rows: list[_Row] = []
    for r in _read_tsv("gazetteer_nrw.tsv"):
        kind = r["kind"]
        if kind == "municipality":
            region = r["district"]
        elif kind == "district":
            region = f"Regierungsbezirk {r['regbez']}"
        else:
            region = "Nordrhein-Westfalen"
        e = GazetteerEntry(
            name=r["name"],
            kind=kind,
            key=r["key"],
            region=region,
            district_key=r["district_key"],
            regbez=r["regbez"],
            status=r["status"],
            official_name=r["official_name"],
            aliases=_split(r["aliases"]),
            ambiguity=r["ambiguity"],
        )
        rows.append(_Row(e, "cs", r["demonyms"]))
    for r in _read_tsv("gazetteer_de.tsv"):
        e = GazetteerEntry(
            name=r["name"],
            kind=r["kind"],
            region=r["region"],
            aliases=_split(r["aliases"]),
            ambiguity=r["ambiguity"],
            code=r["code"],
        )
        rows.append(_Row(e, "cs", r["demonyms"]))
    for r in _read_tsv("gazetteer_terms.tsv"):
        e = GazetteerEntry(
            name=r["name"],
            kind=r["kind"],
            region=r["region"],
            aliases=_split(r["aliases"]),
            note=r["note"],
        )
        rows.append(_Row(e, r["case"] or "cs", "-"))
    for row in rows:
        e = row.entry
        if e.kind not in KINDS:
            raise ValueError(f"gazetteer entry {e.name!r}: unknown kind {e.kind!r}")
        if e.ambiguity not in AMBIGUITY_CLASSES:
            raise ValueError(f"gazetteer entry {e.name!r}: unknown ambiguity class {e.ambiguity!r}")
        if row.case not in ("cs", "ci"):
            raise ValueError(f"gazetteer entry {e.name!r}: case must be cs or ci, not {row.case!r}")
    return rows


# --- surface forms ----------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+|[^\w\s]")
_NEXT_TOKEN = re.compile(r"\s*(\w+|[^\w\s])")
_CAPITALISED = re.compile(r"[A-ZÄÖÜ0-9]\w*")  # no lookbehind: faster; whole-token check comes later
_NEXT_COMPOUND = re.compile(r"\s*(\w+(?:-\w+)*)")
_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)

# form types, in order of strength
_STRONG, _NAME, _GENITIVE, _DEMONYM = 0, 1, 2, 3

_MUNI_DESIGNATORS = (
    "Stadt",
    "Gemeinde",
    "Kommune",
    "Kreisstadt",
    "Hansestadt",
    "Stadtverwaltung",
    "Gemeindeverwaltung",
)
_CITY_DESIGNATORS = ("Stadt", "Landeshauptstadt", "Hansestadt", "Stadtverwaltung")
_DISTRICT_PREFIXES = ("Kreis", "Kreises", "Landkreis", "Landkreises", "Kreisverwaltung")

# Generated adjective/inhabitant forms that are common words or names (Werner, Lager, Hammer, Kasseler ...).
_BLOCKED_DEMONYMS = frozenset(
    {
        "Hammer",
        "Werner",
        "Lager",
        "Recker",
        "Hiller",
        "Lotter",
        "Selmer",
        "Haller",
        "Warsteiner",
        "Kasseler",
        "Dahlemer",
        "Engerer",
        "Kaller",
        "Wetterer",
    }
)
_KIND_PRIORITY = {
    k: i
    for i, k in enumerate(
        (
            "municipality",
            "district",
            "regbez",
            "city",
            "land",
            "programme",
            "law",
            "platform",
            "standard",
            "organisation",
        )
    )
}


def _key(surface: str) -> str:
    """The lookup key of a surface form: its tokens, joined by one space where the text had whitespace."""
    return " ".join(surface.split())


def _case_variants(s: str) -> set[str]:
    """Usual casings of a case-insensitive term (LoRaWAN, LORAWAN, Lorawan). All-lowercase forms come only from
    the aliases of the TSV (lorawan, servicekonto.nrw): every key that starts lowercase costs a substring test per
    text (see _Gazetteer.lower_anchors), so they are kept to the forms that occur."""
    return {v for v in (s, s.upper(), s[:1].upper() + s[1:].lower(), s.title()) if v}


def _demonyms(name: str) -> list[str]:
    """Inhabitant/adjective forms by rule: Soest -> Soester, Herne -> Herner, Solingen -> Solinger, Lippstadt -> Lippstädter."""
    if not re.fullmatch(r"(?:Bad |Sankt )?[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?", name):
        return []
    if name.endswith("stadt"):
        return [name[:-5] + "städter"]
    if name.endswith("ingen"):
        return [name[:-2] + "er"]
    if name.endswith("hausen"):
        return [name + "er", name[:-6] + "häuser"]
    if name.endswith("e"):
        return [name + "r"]
    return [name + "er"]


def _inflected_demonyms(base: str) -> list[str]:
    # die Kölner Verwaltung, den Kölnern, die Kölnerin, die Kölnerinnen
    if not base.endswith("er"):
        return [base]
    return [base, base + "n", base + "in", base + "innen"]


def _genitive(s: str) -> list[str]:
    if not s or not s[-1].isalpha() or s[-1] in "sxzßSXZ" or not s[-1].islower():
        return []
    return [s + "s"]


def _surfaces(row: _Row) -> list[tuple[str, int, str]]:
    """(surface, form type, ambiguity class) of one gazetteer row."""
    e = row.entry
    out: list[tuple[str, int, str]] = []

    def bare(s: str, form: int = _NAME) -> None:
        single = len(_TOKEN.findall(s)) == 1
        cls = e.ambiguity if single else ""
        out.append((s, form if single or form == _DEMONYM else _STRONG, cls))

    if e.kind in ("municipality", "city"):
        names = (e.name, *e.aliases)
        for n in names:
            if n.startswith(("Landeshauptstadt ", "Bundesstadt ")):
                out.append((n, _STRONG, ""))
                continue
            bare(n)
            if re.fullmatch(r"\w+ \w+", n):  # Bad-Sassendorf, Porta-Westfalica: a frequent spelling
                bare(n.replace(" ", "-"))
            designators = _MUNI_DESIGNATORS if e.kind == "municipality" else _CITY_DESIGNATORS
            for d in designators:
                out.append((f"{d} {n}", _STRONG, ""))
            if e.kind == "municipality":
                out.append((f"{n} (NRW)", _STRONG, ""))
            if e.ambiguity not in ("word", "strict") and "(" not in n and "/" not in n:
                for g in _genitive(n):
                    bare(g, _GENITIVE)
        # designation of the official name: "Solingen, Klingenstadt" -> "Klingenstadt Solingen"
        parts = [p.strip() for p in e.official_name.split(",")[1:]]
        for p in parts:
            if re.fullmatch(r"[A-ZÄÖÜ][\w-]*(?:stadt|gemeinde|Stadt)", p) and p not in ("Stadt",):
                for n in names:
                    out.append((f"{p} {n}", _STRONG, ""))
        if row.demonyms != "-":
            bases = list(_split(row.demonyms)) if row.demonyms else _demonyms(e.name)
            if not row.demonyms and not bases:
                for a in e.aliases:
                    bases += _demonyms(a)
            for b in bases:
                for d in _inflected_demonyms(b):
                    if d not in _BLOCKED_DEMONYMS:
                        out.append((d, _DEMONYM, ""))
    elif e.kind == "district":
        out.append((e.name, _STRONG, ""))
        for a in e.aliases:
            out.append((a, _STRONG, ""))
        if e.name.startswith("Kreis "):
            base = e.name[len("Kreis ") :]
            for p in _DISTRICT_PREFIXES:
                out.append((f"{p} {base}", _STRONG, ""))
        elif e.name.endswith("kreis") or e.name.endswith("-Kreis"):
            out.append((e.name + "es", _STRONG, ""))
    elif e.kind == "regbez":
        out.append((e.name, _STRONG, ""))
        for a in e.aliases:
            out.append((a, _STRONG, ""))
    elif e.kind == "land":
        for n in (e.name, *e.aliases):
            bare(n)
            for g in _genitive(n):
                bare(g, _GENITIVE)
    else:  # programmes, laws, platforms, standards, organisations
        for n in (e.name, *e.aliases):
            out.append((n, _STRONG, ""))
            if (
                e.kind != "organisation"
                and re.search(r"[a-zäöü]$", n)
                and n[-1] not in "sxzß"
                and " " not in n
            ):
                out.append((n + ("es" if n.endswith(("gesetz", "rat")) else "s"), _STRONG, ""))

    # umlaut-free spellings (Muenster, Koeln, Schloss Holte-Stukenbrock) and, for ci rows, the usual casings
    expanded: list[tuple[str, int, str]] = []
    for s, form, cls in out:
        forms = {s, s.translate(_UMLAUTS)}
        if row.case == "ci":
            forms = {v for f in forms for v in _case_variants(f)}
        for f in sorted(forms):
            expanded.append((f, form, cls))
    return expanded


class _Gazetteer:
    """Everything find_entities() and lookup() need, built once."""

    def __init__(self, rows: list[_Row]) -> None:
        self.rows = rows
        self.entries = [r.entry for r in rows]
        # key -> list of (priority, entry index, form, class); best first
        keys: dict[str, list[tuple[tuple[int, int], int, int, str]]] = {}
        for i, row in enumerate(rows):
            for surface, form, cls in _surfaces(row):
                k = _key(surface)
                prio = (form if form != _STRONG else -1, _KIND_PRIORITY[row.entry.kind])
                lst = keys.setdefault(k, [])
                if not any(c[1] == i for c in lst):
                    lst.append((prio, i, form, cls))
        for lst in keys.values():
            lst.sort()
        self.keys = {k: tuple((i, form, cls) for _, i, form, cls in v) for k, v in keys.items()}
        self.first: dict[str, int] = {}
        self.prefixes: set[str] = set()
        for k in self.keys:
            toks = list(_TOKEN.finditer(k))
            first = toks[0].group()
            self.first[first] = max(self.first.get(first, 0), len(toks))
            for t in toks:
                self.prefixes.add(k[: t.end()])
        # tokens that start a place name (for "in Essen und Bochum" continuations)
        self.place_first = {
            k.split()[0]
            for k, cands in self.keys.items()
            if self.entries[cands[0][0]].kind in PLACE_KINDS
        }
        # Candidate tokens: capitalised words and digits are found with one C-level findall and a set
        # intersection; keys that start with a lowercase token (xdomea, d-NRW, eIDAS, lorawan, urbane
        # Datenplattform) are rare, so a text is scanned for them only if one of their anchors occurs in it.
        self.first_set = frozenset(self.first)
        lower_keys = [k for k in self.keys if not k[:1].isupper() and not k[:1].isdigit()]
        anchors: set[str] = set()
        pivots: dict[str, set[str]] = {}
        for k in lower_keys:
            chunks = k.split(" ")
            plain = re.fullmatch(r"[a-zäöüß]+", chunks[0]) is not None
            anchor = " ".join(chunks[:2]) if len(chunks) > 1 and plain else chunks[0]
            if "nrw" in anchor:
                anchor = (
                    "nrw"  # servicekonto.nrw, open.nrw, d-nrw ...: lowercase "nrw" is rare in prose
                )
            frags = _CAPITALISED.findall(anchor)
            if frags:  # eIDAS, d-NRW, i-Kfz, urbane Datenplattform: test only if "IDAS", "NRW", "Kfz" ... occur
                pivots.setdefault(frags[0], set()).add(anchor)
            else:
                anchors.add(anchor)
        # substring tests that must run on every text: as few as possible
        self.lower_anchors: tuple[str, ...] = tuple(
            a
            for a in sorted(anchors, key=len)
            if not any(b in a for b in anchors if b != a and len(b) < len(a))
        )
        self.pivots = {p: tuple(sorted(a)) for p, a in pivots.items()}
        self.pivot_set = frozenset(self.pivots)
        lower_starts = sorted({_TOKEN.match(k).group() for k in lower_keys}, key=len, reverse=True)
        alt = "|".join(re.escape(t) for t in lower_starts)
        self.candidates = re.compile(
            rf"(?<!\w)(?:[A-ZÄÖÜ0-9]\w*|(?:{alt})(?!\w))" if alt else r"(?<!\w)[A-ZÄÖÜ0-9]\w*"
        )
        self._names: tuple[dict[str, int], dict[str, int]] | None = None
        self._forms: tuple[dict[str, int], dict[str, int]] | None = None

    def _build_lookup(self, forms: bool) -> tuple[dict[str, int], dict[str, int]]:
        """(exact, ascii-folded) name -> entry index. `forms=False`: names, keys, official names
        and aliases (levels 0-1, a few thousand, instant); `forms=True`: inflected surfaces and
        bare district names (levels 2-3, ~0.5 s to build). A level 0-1 hit always beats a level
        2-3 one, so the second table is built only when the first has no answer."""
        exact: dict[str, tuple[tuple[int, int], int]] = {}
        ascii_: dict[str, tuple[tuple[int, int], int]] = {}

        def add(name: str, i: int, level: int) -> None:
            prio = (level, _KIND_PRIORITY[self.entries[i].kind])
            for table, norm in ((exact, normalize_name(name)), (ascii_, _ascii_fold(name))):
                if norm and (norm not in table or prio < table[norm][0]):
                    table[norm] = (prio, i)

        for i, row in enumerate(self.rows):
            e = row.entry
            if not forms:
                add(e.name, i, 0)
                if e.key:
                    add(e.key, i, 0)
                if e.official_name:
                    add(e.official_name, i, 1)
                for a in e.aliases:
                    add(a, i, 1)
                continue
            for surface, form, _ in _surfaces(row):
                if form != _DEMONYM:
                    add(surface, i, 2)
            if (
                e.kind == "district"
            ):  # "Lippe", "Rhein-Sieg", "Hochsauerland": below any municipality of that name
                base = re.sub(r"^(?:Kreis|StädteRegion) |-?[Kk]reis$", "", e.name)
                add(base, i, 3)
        return {k: v[1] for k, v in exact.items()}, {k: v[1] for k, v in ascii_.items()}

    def lookup(self, name: str) -> GazetteerEntry | None:
        if self._names is None:
            self._names = self._build_lookup(forms=False)
        q = name.strip()
        digits = re.sub(r"\s", "", q)
        if digits.isdigit():
            if len(digits) in (
                7,
                4,
            ):  # an AGS or Kreisschlüssel whose leading zero was lost in a spreadsheet
                digits = "0" + digits
            i = self._names[0].get(digits)
            return self.entries[i] if i is not None else None
        exact, fold = normalize_name(q), _ascii_fold(q)
        i = self._names[0].get(exact)
        if i is None:
            if self._forms is None:
                self._forms = self._build_lookup(forms=True)
            # the original order: exact over all levels, then ascii-folded over all levels
            i = self._forms[0].get(exact)
            if i is None:
                i = self._names[1].get(fold)
            if i is None:
                i = self._forms[1].get(fold)
        return self.entries[i] if i is not None else None


def normalize_name(name: str) -> str:
    """Case-, umlaut-, hyphen- and space-insensitive form of a name: "Bad-Sassendorf" -> "badsassendorf",
    "Münster" and "Muenster" -> "muenster"."""
    s = unicodedata.normalize("NFC", name).translate(_UMLAUTS).casefold()
    return "".join(ch for ch in s if ch.isalnum())


def _ascii_fold(name: str) -> str:
    """Second chance: diacritics dropped ("Munster" -> Münster)."""
    s = unicodedata.normalize("NFKD", name.casefold().replace("ß", "ss"))
    return "".join(ch for ch in s if ch.isalnum() and not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Common German first names (to tell "Katrin Brüggemann" from a place or a topic)."""
    raw = (
        resources.files("trends.nlp")
        .joinpath("data", "gazetteer_first_names.txt")
        .read_text("utf-8")
    )
    return frozenset(ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.startswith("#"))


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    return _Gazetteer(_load_rows())


@lru_cache(maxsize=1)
def _plain_place_names() -> tuple[str, ...]:
    """Names of municipalities, districts and cities whose row does not mark them as common
    words too (ambiguity "" or "name"). Read from the rows, not the matcher (13 ms, not
    250 ms), because lemmatizing worker processes need them too."""
    return tuple(
        row.entry.name
        for row in _load_rows()
        if row.entry.kind in ("municipality", "district", "city")
        and row.entry.ambiguity in ("", "name")
    )


@lru_cache(maxsize=1)
def place_name_words() -> frozenset[str]:
    """The capitalised words of the plain place names (above). A lemmatizer must leave them as
    they are: Datteln is no plural of Dattel, Rheine no form of Rhein, Kürten no form of küren,
    and a topic labelled "Standesamt Dattel" names a place nobody can find. Names only, not
    aliases (those hold genitives: "Kreises" is a form of Kreis)."""
    return frozenset(
        w for name in _plain_place_names() for w in re.split(r"[\s/()]+", name) if w[:1].isupper()
    )


@lru_cache(maxsize=1)
def place_feature_words() -> frozenset[str]:
    """Lower-case words that name an NRW municipality or its people: single-word names and
    aliases ("unna", "emmerich" of Emmerich am Rhein), the name after "Bad"/"Sankt"
    ("sassendorf"), and inhabitant/adjective forms ("unnaer", "kamenerin"). Names that are
    common words too ("Essen", "Alpen") are left out, their adjective forms are not. What two
    topics say is compared without them (``TopicModel._same_terms``): a subject does not change
    with the town it happens in."""
    out: set[str] = set()
    for row in _load_rows():
        e = row.entry
        if e.kind not in ("municipality", "city"):
            continue
        if e.ambiguity in ("", "name"):
            for n in (e.name, *e.aliases):
                words = n.split()
                if len(words) == 1:
                    out.add(n)
                elif len(words) == 2 and words[0] in ("Bad", "Sankt", "St."):
                    out.add(words[1])
        if row.demonyms != "-":
            bases = list(_split(row.demonyms)) if row.demonyms else _demonyms(e.name)
            out.update(
                d for b in bases for d in _inflected_demonyms(b) if d not in _BLOCKED_DEMONYMS
            )
    return frozenset(w.lower() for w in out if w[:1].isupper() and "(" not in w)


def names_a_place(phrase: str) -> bool:
    """Whether a phrase holds a whole plain place name ("Standesamt Datteln", "Technischer
    Betrieb Rheine", "Stadtwerke Mülheim an der Ruhr"), whatever else it says; "Bad" alone or
    "Digitale Lage" do not."""
    names, longest = _place_name_grams()
    words = phrase.lower().split()
    return any(
        " ".join(words[i:j]) in names
        for i in range(len(words))
        for j in range(i + 1, min(len(words), i + longest) + 1)
    )


@lru_cache(maxsize=1)
def _place_name_grams() -> tuple[frozenset[str], int]:
    """The plain place names in lower case, and the most words one has ("mülheim an der ruhr")."""
    names = frozenset(name.lower() for name in _plain_place_names())
    return names, max((len(name.split()) for name in names), default=1)


def entries(kind: str | None = None) -> list[GazetteerEntry]:
    """All gazetteer entries (loaded once), optionally only one kind."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    all_entries = _gazetteer().entries
    return list(all_entries) if kind is None else [e for e in all_entries if e.kind == kind]


def lookup(name: str) -> GazetteerEntry | None:
    """The gazetteer entry for a name or key, or None.

    Case, umlaut spelling, hyphens and spaces do not matter ("Muenster" -> Münster, "Bad-Sassendorf",
    "kreis soest", "05974040", "5974040"). Where a municipality and a district share a name, the bare name
    is the municipality ("Soest"); the district is "Kreis Soest" or its key "05974".
    """
    if not name or not name.strip():
        return None
    return _gazetteer().lookup(name)


# --- matching ---------------------------------------------------------------------------------

_ARTICLES = frozenset(
    {
        "der",
        "die",
        "das",
        "dem",
        "den",
        "des",
        "ein",
        "eine",
        "einem",
        "einen",
        "einer",
        "eines",
        "kein",
        "keine",
        "keinem",
        "keinen",
        "keiner",
        "keines",
        "zum",
        "zur",
        "beim",
        "vom",
        "im",
        "am",
        "ins",
        "dieses",
        "diesem",
        "jedes",
        "jedem",
        "unser",
        "unserem",
        "the",
    }
)
_DETERMINERS_AFTER = _ARTICLES | frozenset(
    {"seiner", "seines", "ihrer", "ihres", "unserer", "unseres", "von", "vom", "of"}
)
_PREPOSITIONS = frozenset({"in", "aus", "nach", "bei"})
_NAME_PREPOSITIONS = _PREPOSITIONS | frozenset(
    {
        "von",
        "für",
        "über",
        "gegenüber",
        "zwischen",
        "um",
        "durch",
        "mit",
        "an",
        "auf",
        "wie",
        "und",
        "oder",
        "sowie",
        "bis",
        "ab",
        "nahe",
        "nördlich",
        "südlich",
        "östlich",
        "westlich",
        "of",
        "from",
        "at",
        "to",
    }
)
# Nouns right before a place name that make it a place: "die Städte Essen und Bochum", "Nachbarstadt Werl".
# An explicit list, not a suffix rule: Schwalmstadt or Lippstadt before a word are places themselves.
_PLACE_CUES = frozenset(
    {
        "stadt",
        "städte",
        "städten",
        "gemeinde",
        "gemeinden",
        "kommune",
        "kommunen",
        "kreisstadt",
        "kreisstädte",
        "hansestadt",
        "großstadt",
        "großstädte",
        "großstädten",
        "mittelstadt",
        "kleinstadt",
        "nachbarstadt",
        "nachbarstädte",
        "nachbarkommune",
        "nachbarkommunen",
        "nachbargemeinde",
        "nachbargemeinden",
        "partnerstadt",
        "universitätsstadt",
        "ruhrgebietsstadt",
        "heimatstadt",
        "landeshauptstadt",
        "bundesstadt",
        "modellkommune",
        "modellkommunen",
        "modellstadt",
        "pilotkommune",
        "pilotkommunen",
        "pilotstadt",
        "mitgliedskommune",
        "mitgliedskommunen",
        "stadtgebiet",
        "gemeindegebiet",
        "stadtverwaltung",
        "gemeindeverwaltung",
        "rathaus",
        "bürgermeister",
        "bürgermeisterin",
        "oberbürgermeister",
        "oberbürgermeisterin",
    }
)
# Institutions named after their town: "Stadtwerke Hamm", "Sparkasse Soest", "Landgericht Essen".
_INSTITUTION_CUES = frozenset(
    {
        "stadtwerke",
        "sparkasse",
        "universität",
        "hochschule",
        "fachhochschule",
        "flughafen",
        "hauptbahnhof",
        "landgericht",
        "amtsgericht",
        "arbeitsgericht",
        "verwaltungsgericht",
        "polizei",
        "kreispolizeibehörde",
        "polizeipräsidium",
        "jobcenter",
        "stadtbibliothek",
        "volkshochschule",
        "vhs",
        "ihk",
        "hwk",
        "bistum",
        "erzbistum",
        "klinikum",
        "feuerwehr",
        "wirtschaftsförderung",
        "stadtmarketing",
        "stadtarchiv",
        "stadtsparkasse",
    }
)
# ... and, for names that are also surnames or other places (class "name"), looser location nouns
_NAME_CUES = (
    _PLACE_CUES
    | _INSTITUTION_CUES
    | frozenset({"region", "raum", "großraum", "standort", "standorten", "kreis", "umgebung"})
)
_CONJUNCTIONS = frozenset({"und", "oder", "sowie", "&", "and", "or"})
_AFTER_DEMONYM_BLOCK = frozenset(
    {
        "Zeitung",
        "Nachrichten",
        "Anzeiger",
        "Stadt-Anzeiger",
        "Allgemeine",
        "Allgemeinen",
        "Rundschau",
        "Morgenpost",
        "Abendblatt",
        "Tageblatt",
        "Kurier",
        "Express",
        "Volksblatt",
        "Kreisblatt",
        "Tagblatt",
        "Stadtanzeiger",
        "Straße",
        "Strasse",
        "Str",
        "Weg",
        "Platz",
        "Allee",
        "Ring",
        "Damm",
        "Chaussee",
        "Landstraße",
        "Wall",
        "Tor",
        "Würstchen",
        "Würstel",
        "Bier",
        "Pils",
    }
)
_SENTENCE_END = frozenset(".!?:…")
_MUSKETEERS = re.compile(r"\s*[,;–-]?\s*[Aa]lle für [Ee]inen")
_TIME_WORDS = frozenset(
    {
        "Anfang",
        "Ende",
        "Mitte",
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
        "Frühjahr",
        "Sommer",
        "Herbst",
        "Winter",
    }
)
_OPENERS = " \t\u00a0„“\"'‚‘»«([{•*·–—"
_LIST_GAP = re.compile(
    r"\s*(?:,\s*(?:und|oder|sowie)?|;|/|&|und|oder|sowie|and|or)\s*", re.IGNORECASE
)


def _prev(text: str, start: int) -> tuple[str | None, bool, int]:
    """Previous token before `start`, whether it is attached (no whitespace in between), and its offset."""
    j = start - 1
    while j >= 0 and text[j].isspace():
        j -= 1
    if j < 0:
        return None, False, 0
    attached = j == start - 1
    if not _is_word_char(text[j]):
        return text[j], attached, j
    k = j
    while k > 0 and _is_word_char(text[k - 1]):
        k -= 1
    return text[k : j + 1], attached, k


def _next_tokens(text: str, end: int, n: int = 2) -> list[tuple[str, bool]]:
    """Up to n tokens after `end`, each with whether whitespace precedes it."""
    out = []
    pos = end
    for _ in range(n):
        m = _NEXT_TOKEN.match(text, pos)
        if not m:
            break
        out.append((m.group(1), m.start(1) > pos))
        pos = m.end()
    return out


def _sentence_initial(text: str, start: int) -> bool:
    j = start - 1
    while j >= 0 and text[j] in _OPENERS:
        j -= 1
    if j < 0:
        return True
    if text[j] in "\r\n":
        return True
    return text[j] in _SENTENCE_END


def _is_word(tok: str) -> bool:
    return tok[:1].isalpha()


def _continuation_ok(text: str, end: int, g: _Gazetteer) -> bool:
    """After 'in Essen': reject noun-like continuations that make 'Essen' the common word."""
    nxt = _next_tokens(text, end, 2)
    if not nxt:
        return True
    t1, _ = nxt[0]
    t2 = nxt[1][0] if len(nxt) > 1 else None
    if not _is_word(t1):
        return True  # punctuation: end of phrase ("in Essen." / "in Essen-Steele" / "in Essen,")
    if t1.lower() in _DETERMINERS_AFTER:
        return False  # nach Senden des Formulars
    if t1.lower() in _CONJUNCTIONS:
        # in Essen und Bochum (ok) vs. in Essen und Getränken (no)
        return not (t2 and t2[:1].isupper() and t2 not in g.place_first)
    if (
        t1[:1].islower()
        and t2
        and t2[:1].isupper()
        and _is_word(t2)
        and re.search(r"(?:e|en|er|es|em)$", t1)
    ):
        return False  # in Essen enthaltene Zusatzstoffe
    # in Essen Suchen / aus Wetter Daten: a noun phrase, not a place (but: in Essen Anfang Mai, in Essen und Bochum)
    return not (t1[:1].isupper() and t1 not in _TIME_WORDS and t1 not in g.place_first)


_ACCEPT, _REJECT, _PENDING = 0, 1, 2


def _judge(
    text: str, start: int, end: int, entry: GazetteerEntry, form: int, cls: str, g: _Gazetteer
) -> int:
    if form == _STRONG:
        if entry.name == "EfA" and _MUSKETEERS.match(text, end):
            return _REJECT  # "Einer für alle, alle für einen" is the motto, not the OZG principle
        return _ACCEPT
    if form == _DEMONYM:
        nxt = _NEXT_COMPOUND.match(text, end)
        if nxt and nxt.group(1) in _AFTER_DEMONYM_BLOCK:
            return _REJECT  # Kölner Stadt-Anzeiger, Soester Straße
        prev, attached, _ = _prev(text, start)
        if (prev == "-" and attached) or prev in first_names():
            return _REJECT  # compounds are street or firm names; "Daniel Offenbacher" is a person
        if text.endswith(("in", "innen", "ern"), start, end):
            return _ACCEPT  # Kölnerin, Kölnerinnen, den Bochumern: nouns, never surnames
        # an adjective needs its noun (die Kölner Polizei); an inhabitant noun its article (die Kölner);
        # otherwise it is most likely a surname (Andreas Ulmer, Daniel Offenbacher)
        nxt_tok = _next_tokens(text, end, 1)
        if nxt_tok and nxt_tok[0][1] and _is_word(nxt_tok[0][0]) and nxt_tok[0][0][:1].isupper():
            return _ACCEPT
        if prev is not None and (
            prev.lower() in _ARTICLES
            or prev.lower() in _NAME_PREPOSITIONS
            or prev.lower() in _DETERMINERS_AFTER
        ):
            return _ACCEPT
        return _REJECT
    prev, attached, prev_start = _prev(text, start)
    low_prev = prev.lower() if prev else None
    if (
        entry.kind in ("municipality", "city")
        and low_prev in _ARTICLES
        and cls not in ("word", "strict")
    ):
        return _REJECT  # das Münster, ein Borken
    if prev in first_names() and not attached:
        return _REJECT  # Carsten Heimbach, Nina Hagen: a surname
    if cls == "":
        return _ACCEPT
    if cls == "noun":
        if (
            prev
            and prev[:1].isupper()
            and prev.endswith("er")
            and not _sentence_initial(text, start)
        ):
            return _REJECT  # das Freiburger Münster
        return _ACCEPT
    if cls == "name":
        if prev is not None and prev.isdigit():
            return _REJECT  # "13 Siegen"
        if _sentence_initial(text, start):
            # "Hagen hat ..." stays out, but "Delbrück, Paderborn und Soest ..." is a list of places:
            # pending entries are accepted only next to an accepted place in an enumeration
            return _PENDING
        if prev == "-" and attached:
            return _REJECT
        cue = prev is not None and (low_prev in _NAME_CUES or low_prev in _NAME_PREPOSITIONS)
        if (
            prev
            and _is_word(prev)
            and prev[:1].isupper()
            and not cue
            and prev not in g.place_first
            and not _sentence_initial(
                text, prev_start
            )  # "Auch Hagen hat ...": capitalised by position only
        ):
            return _REJECT  # Professor Hagen, Familie Hamm
        nxt = _next_tokens(text, end, 1)
        if nxt and nxt[0][1] and _is_word(nxt[0][0]) and nxt[0][0][:1].isupper() and not cue:
            return _REJECT  # Hagen Rether
        return _ACCEPT
    # word / strict: need context
    if low_prev in _PLACE_CUES or low_prev in _INSTITUTION_CUES:
        return _ACCEPT  # die Städte Essen, Nachbarstadt Werl, Landgericht Essen
    if low_prev in ("von", "der") and prev is not None:
        prev2, _, _ = _prev(text, prev_start)
        if prev2 and prev2.lower() in _PLACE_CUES:
            return _ACCEPT  # Bürgermeisterin von Much, Rathaus der Gemeinde ...
    if cls == "word" and low_prev in _PREPOSITIONS and _continuation_ok(text, end, g):
        return _ACCEPT
    return _PENDING


def _entity(entry: GazetteerEntry, start: int, end: int, text: str) -> Entity:
    return Entity(entry.name, entry.kind, entry.key, entry.region, start, end, text[start:end])


def local_places(text: str) -> list[Entity]:
    """The municipalities and districts `text` names (what "who did it where" is built from)."""
    return [e for e in find_entities(text) if e.kind in ("municipality", "district")]


def find_entities(text: str) -> list[Entity]:
    """Gazetteer entities in `text`, ordered by start, non-overlapping, longest match first.

    Offsets refer to `text` as given (no normalisation is applied before matching).
    """
    if not text:
        return []
    g = _gazetteer()
    keys, first, prefixes = g.keys, g.first, g.prefixes
    found: list[Entity] = []
    pending: list[tuple[int, int, GazetteerEntry]] = []
    last_end = 0
    for start, tok in _candidate_positions(text, g):
        if start < last_end:
            continue
        maxn = first[tok]
        key = tok
        pos = start + len(tok)
        best = (key, pos) if key in keys else None
        n = 1
        while n < maxn:
            m2 = _NEXT_TOKEN.match(text, pos)
            if m2 is None:
                break
            gap = m2.start(1) - pos
            if gap > 1 and text.count("\n", pos, m2.start(1)) > 1:
                break  # a key never spans a blank line ("Stadt" at the end of one block, "Essen" in the next)
            key2 = key + (" " if gap else "") + m2.group(1)
            if key2 not in prefixes:
                break
            key, pos, n = key2, m2.end(), n + 1
            if key in keys:
                best = (key, pos)
        if best is None:
            continue
        end = best[1]
        i, form, cls = keys[best[0]][0]
        entry = g.entries[i]
        verdict = _judge(text, start, end, entry, form, cls, g)
        if verdict == _ACCEPT:
            found.append(_entity(entry, start, end, text))
            last_end = end
        elif verdict == _PENDING:
            pending.append((start, end, entry))
    if pending:
        found = _resolve_enumerations(text, found, pending, g)
    return found


def _candidate_positions(text: str, g: _Gazetteer) -> list[tuple[int, str]]:
    """(offset, token) of every token that starts a gazetteer key, in text order."""
    caps = _CAPITALISED.findall(text)
    lower = any(map(text.__contains__, g.lower_anchors))
    if not lower:
        for p in g.pivot_set.intersection(caps):
            if any(map(text.__contains__, g.pivots[p])):
                lower = True
                break
    if lower:  # rare: a key that starts lowercase may occur; scan every token
        first = g.first_set
        return [(m.start(), m.group()) for m in g.candidates.finditer(text) if m.group() in first]
    hits = g.first_set.intersection(caps)
    if not hits:
        return []
    out = []
    n_text = len(text)
    find = text.find
    for tok in hits:
        n = len(tok)
        p = find(tok)
        while p != -1:
            q = p + n
            # a whole token: no word character right before or after (findall also yields "IDAS" from "eIDAS")
            if p:
                c = text[p - 1]
                if c.isalnum() or c == "_":
                    p = find(tok, q)
                    continue
            if q < n_text:
                c = text[q]
                if c.isalnum() or c == "_":
                    p = find(tok, q)
                    continue
            out.append((p, tok))
            p = find(tok, q)
    out.sort()
    return out


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _resolve_enumerations(
    text: str, found: list[Entity], pending: list[tuple[int, int, GazetteerEntry]], g: _Gazetteer
) -> list[Entity]:
    """Accept an ambiguous place name that stands in an enumeration next to an accepted place:
    'Bochum, Essen und Dortmund', 'in Kamen, Bergkamen oder Unna'."""
    places = [e for e in found if e.kind in ("municipality", "district", "city")]
    changed = True
    while changed and pending:
        changed = False
        bounds = sorted((e.start, e.end) for e in places)
        for p in list(pending):
            start, end, entry = p
            if any(s < end and start < e for s, e in ((x.start, x.end) for x in found)):
                pending.remove(p)
                continue
            adjacent = any(
                (e <= start and _LIST_GAP.fullmatch(text, e, start))
                or (end <= s and _LIST_GAP.fullmatch(text, end, s))
                for s, e in bounds
            )
            if adjacent and _continuation_ok_in_list(text, end, g):
                ent = _entity(entry, start, end, text)
                found.append(ent)
                places.append(ent)
                pending.remove(p)
                changed = True
    found.sort(key=lambda e: e.start)
    return found


def _continuation_ok_in_list(text: str, end: int, g: _Gazetteer) -> bool:
    nxt = _next_tokens(text, end, 1)
    return not (nxt and nxt[0][0].lower() in _DETERMINERS_AFTER)
