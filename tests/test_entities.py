"""Gazetteer entities: the NRW data is complete and right, and mentions are found the way an adviser expects."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from trends.nlp.entities import Entity, entries, find_entities, lookup, normalize_name

DATA = Path(__file__).resolve().parents[1] / "trends" / "nlp" / "data"


def names(text: str) -> list[tuple[str, str]]:
    return [(e.name, e.kind) for e in find_entities(text)]


def places(text: str) -> list[str]:
    return [
        e.name
        for e in find_entities(text)
        if e.kind in ("municipality", "district", "city", "land", "regbez")
    ]


# --- the data -------------------------------------------------------------------------------------


def test_nrw_has_396_municipalities_31_districts_5_regierungsbezirke():
    assert len(entries("municipality")) == 396
    assert len(entries("district")) == 31
    assert len(entries("regbez")) == 5
    assert len(entries("land")) == 16
    kreisfrei = [e for e in entries("municipality") if e.region == "kreisfrei"]
    assert len(kreisfrei) == 22
    assert all(e.status == "kreisfreie Stadt" for e in kreisfrei)
    assert sum(e.status == "StädteRegion" for e in entries("district")) == 1
    assert {e.regbez for e in entries("regbez")} == {
        "Düsseldorf",
        "Köln",
        "Münster",
        "Detmold",
        "Arnsberg",
    }


def test_keys_are_official_shape_unique_and_consistent():
    munis, districts = entries("municipality"), entries("district")
    assert all(re.fullmatch(r"05\d{6}", e.key) for e in munis)
    assert all(re.fullmatch(r"05\d{3}", e.key) for e in districts)
    keys = [e.key for e in munis + districts + entries("regbez")]
    assert len(keys) == len(set(keys))
    assert len({e.name for e in munis}) == 396
    by_key = {d.key: d for d in districts}
    regbez = {r.regbez: r.key for r in entries("regbez")}
    for m in munis:
        assert m.key[:3] == regbez[m.regbez], m
        if m.region == "kreisfrei":
            assert m.key.endswith("000") and m.district_key == ""
        else:
            assert m.key.startswith(m.district_key), m
            assert by_key[m.district_key].name == m.region, m
    # every district has municipalities: 374 kreisangehörige in 31 districts
    assert Counter(m.district_key for m in munis if m.district_key).keys() == by_key.keys()


@pytest.mark.parametrize(
    ("name", "key", "region"),
    [
        ("Köln", "05315000", "kreisfrei"),
        ("Münster", "05515000", "kreisfrei"),
        ("Aachen", "05334002", "StädteRegion Aachen"),
        ("Soest", "05974040", "Kreis Soest"),
        ("Wickede (Ruhr)", "05974056", "Kreis Soest"),
        ("Büren", "05774016", "Kreis Paderborn"),
        ("Delbrück", "05774020", "Kreis Paderborn"),
        ("Monheim am Rhein", "05158026", "Kreis Mettmann"),
        ("Gladbeck", "05562014", "Kreis Recklinghausen"),
        ("Lage", "05766040", "Kreis Lippe"),
    ],
)
def test_known_keys(name, key, region):
    e = lookup(name)
    assert (e.name, e.key, e.region, e.kind) == (name, key, region, "municipality")


def test_data_files_document_columns_and_sources():
    for f in sorted(DATA.glob("gazetteer_*.tsv")):
        head = f.read_text("utf-8").splitlines()[:3]
        assert head[0].startswith("#") and "ource" in "".join(head), f.name


def test_entries_kind_is_validated_and_cached(monkeypatch):
    from trends.nlp import entities as E

    with pytest.raises(ValueError, match="unknown kind"):
        entries("village")
    # the gazetteer files are read once per process, not on every call
    reads = []
    real = E._load_rows

    def counted():
        reads.append(1)
        return real()

    monkeypatch.setattr(E, "_load_rows", counted)
    E._gazetteer.cache_clear()
    try:
        everything = entries()
        n = len(everything)
        everything.clear()  # a caller changing its list changes nobody else's
        assert len(entries()) == n and len(entries("municipality")) == 396
        assert len(reads) == 1
    finally:
        E._gazetteer.cache_clear()  # the next caller loads the real rows again
    assert {e.kind for e in entries()} >= {
        "municipality",
        "district",
        "land",
        "city",
        "programme",
        "law",
        "platform",
        "standard",
        "organisation",
    }


# --- forms and inflections ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Die Kölner Verwaltung digitalisiert.", ("Köln", "Kölner")),
        ("Die Münsteraner nutzen das Portal.", ("Münster", "Münsteraner")),
        ("Soests Bürgermeister stellte das Projekt vor.", ("Soest", "Soests")),
        ("Nach Angaben des Kreises Soest ist das Portal online.", ("Kreis Soest", "Kreises Soest")),
        ("Im Kreis Lippe startet ein Pilot.", ("Kreis Lippe", "Kreis Lippe")),
        (
            "Die StädteRegion Aachen plant eine Datenplattform.",
            ("StädteRegion Aachen", "StädteRegion Aachen"),
        ),
        ("Die Gemeinde Bad Sassendorf ist dabei.", ("Bad Sassendorf", "Gemeinde Bad Sassendorf")),
        ("Auch Wickede (Ruhr) ist dabei.", ("Wickede (Ruhr)", "Wickede (Ruhr)")),
        ("Mülheim an der Ruhr startet.", ("Mülheim an der Ruhr", "Mülheim an der Ruhr")),
        ("Die Kupferstadt Stolberg testet.", ("Stolberg (Rhld.)", "Kupferstadt Stolberg")),
        ("Kölnerinnen und Kölner sind gefragt.", ("Köln", "Kölnerinnen")),
        ("Das gilt bei den Bochumern.", ("Bochum", "Bochumern")),
        ("Die Stadt Lage führt das ein.", ("Lage", "Stadt Lage")),
        ("In Lage (Lippe) wurde es eingeführt.", ("Lage", "Lage (Lippe)")),
        (
            "Die Rheinisch-Bergischen Kreises Verwaltung.",
            ("Rheinisch-Bergischer Kreis", "Rheinisch-Bergischen Kreises"),
        ),
        (
            "Der Märkische Kreis und der Hochsauerlandkreis.",
            ("Märkischer Kreis", "Märkische Kreis"),
        ),
        (
            "Die Bezirksregierung Detmold fördert.",
            ("Regierungsbezirk Detmold", "Bezirksregierung Detmold"),
        ),
        ("Muenster und Koeln", ("Münster", "Muenster")),
        ("The city of Cologne uses LoRaWAN.", ("Köln", "Cologne")),
        (
            "Projekte in Schloss Holte-Stukenbrock",
            ("Schloß Holte-Stukenbrock", "Schloss Holte-Stukenbrock"),
        ),
    ],
)
def test_forms(text, expected):
    first = find_entities(text)[0]
    assert (first.name, first.surface) == expected
    assert text[first.start : first.end] == first.surface


def test_kreis_and_city_of_the_same_name():
    ents = find_entities(
        "Der Kreis Soest und die Stadt Soest kooperieren; die Kreisstadt Soest ist Vorreiter. Soest ist Modellregion."
    )
    assert [(e.name, e.kind, e.key) for e in ents] == [
        ("Kreis Soest", "district", "05974"),
        ("Soest", "municipality", "05974040"),
        ("Soest", "municipality", "05974040"),
        ("Soest", "municipality", "05974040"),
    ]
    assert find_entities("Kreis Soest")[0].region == "Regierungsbezirk Arnsberg"
    assert find_entities("Soest")[0].region == "Kreis Soest"


# --- ambiguous names: precision before recall ----------------------------------------------------


def test_essen_the_food_and_essen_the_city():
    ents = find_entities("Wir essen in Essen.")
    assert [(e.name, e.surface, e.start) for e in ents] == [("Essen", "Essen", 13)]
    assert places("Beim Essen sprachen wir über Zucker in Essen und Getränken.") == []
    assert places("Die Stadt Essen und das Essen.") == ["Essen"]


def test_lage_the_situation_and_lage_the_town():
    assert places("Die Lage ist ernst.") == []
    assert places("Die Lage in Lage ist ernst.") == ["Lage"]
    assert places("Das beschloss die Stadt Lage.") == ["Lage"]


@pytest.mark.parametrize(
    "text",
    [
        "Nach Senden des Formulars erhalten Sie eine Bestätigung.",
        "Die Kamen-Fans kamen zahlreich.",
        "Das Wetter ist gut, bei Wetter und Wind geht es los.",
        "Investitionen in Löhne steigen, in Schlangen stehen die Leute.",
        "Die Recken und die Heiden in den Alpen.",
        "Mit drei Siegen in Folge.",
        "Nina Hagen und Carsten Heimbach sangen.",
        "Hagen hat ein neues Album.",
        "Andreas Ulmer verletzte sich.",
        "Laut Kölner Stadt-Anzeiger wohnt er an der Soester Straße.",
        "Aus öffentlichen Geldern finanziert.",
        "much ado about nothing, essen, lage, soest, köln",
    ],
)
def test_common_words_names_and_lowercase_are_no_places(text):
    assert places(text) == []


def test_a_demonym_before_a_building_names_the_place():
    assert places("Das Freiburger Münster ist alt.") == ["Freiburg im Breisgau"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bochum, Essen und Dortmund arbeiten zusammen.", ["Bochum", "Essen", "Dortmund"]),
        ("Die Städte Kamen, Bergkamen und Unna", ["Kamen", "Bergkamen", "Unna"]),
        ("Bürgermeisterin von Much", ["Much"]),
        ("Die Gemeinde Much und die Stadt Löhne", ["Much", "Löhne"]),
        ("Das Projekt startet in Senden.", ["Senden"]),
        ("In Wetter (Ruhr) und in Hagen", ["Wetter (Ruhr)", "Hagen"]),
        ("Die Stadtwerke Hamm und die Stadt Werne", ["Hamm", "Werne"]),
        ("Projekte in Siegen, Kreuztal und Netphen", ["Siegen", "Kreuztal", "Netphen"]),
        ("Auch Hamm hat ein Portal, Marl plant eines.", ["Hamm", "Marl"]),
        ("Laut Professor Hagen plant Borken ein Portal.", ["Borken"]),
    ],
)
def test_ambiguous_names_in_context(text, expected):
    assert places(text) == expected


# --- programmes, laws, platforms, standards --------------------------------------------------------


def test_programmes_and_platforms():
    assert names("Die Anmeldung erfolgt über das Servicekonto.NRW.") == [
        ("Servicekonto.NRW", "platform")
    ]
    assert names("Anbindung per FIT-Connect") == [("FIT-Connect", "platform")]
    assert names("Die OZG-Umsetzung läuft.") == [("OZG", "law")]
    assert names("Nach dem Prinzip Einer für Alle entwickelt") == [("EfA", "programme")]
    assert names("als EfA-Leistung") == [("EfA", "programme")]
    assert names("Einer für alle, alle für einen!") == []
    assert names("Sensoren im lorawan und im LoRaWAN-Netz") == [
        ("LoRaWAN", "standard"),
        ("LoRaWAN", "standard"),
    ]
    assert names("Das OZG 2.0 (OZGÄndG) gilt.") == [("OZG 2.0", "law"), ("OZG 2.0", "law")]
    assert names("Die Elster im Garten") == []
    assert names("Steuern über ELSTER") == [("ELSTER", "platform")]
    assert names("d-NRW und IT.NRW, XÖV-Standards wie XZuFi und xdomea") == [
        ("d-NRW", "organisation"),
        ("IT.NRW", "organisation"),
        ("XÖV", "standard"),
        ("XZuFi", "standard"),
        ("xdomea", "standard"),
    ]
    assert names("nach DIN SPEC 91357 mit FIWARE; die EUDI-Wallet nach eIDAS 2.0") == [
        ("DIN SPEC 91357", "standard"),
        ("FIWARE", "platform"),
        ("EUDI-Wallet", "platform"),
        ("eIDAS-Verordnung", "law"),
    ]


def test_a_sentence_with_several_entities():
    text = (
        "Im Rahmen der Digitalen Modellregionen NRW bietet die Stadt Soest den Bewohnerparkausweis im Serviceportal an; "
        "die Anmeldung läuft über das Servicekonto.NRW, Daten kommen per FIT-Connect, und Lippstadt, Werl sowie der "
        "Kreis Paderborn wollen die EfA-Lösung nach dem OZG nachnutzen."
    )
    ents = find_entities(text)
    assert [(e.name, e.kind) for e in ents] == [
        ("Digitale Modellregionen NRW", "programme"),
        ("Soest", "municipality"),
        ("Serviceportal", "platform"),
        ("Servicekonto.NRW", "platform"),
        ("FIT-Connect", "platform"),
        ("Lippstadt", "municipality"),
        ("Werl", "municipality"),
        ("Kreis Paderborn", "district"),
        ("EfA", "programme"),
        ("OZG", "law"),
    ]
    assert [e.key for e in ents if e.kind == "municipality"] == ["05974040", "05974028", "05974052"]
    assert all(text[e.start : e.end] == e.surface for e in ents)


def test_results_are_ordered_non_overlapping_and_longest_match():
    text = " ".join(
        [
            "Rhein-Kreis Neuss",
            "Neuss",
            "Bedburg-Hau",
            "Bedburg",
            "Neunkirchen-Seelscheid",
            "Neunkirchen",
            "Sachsen-Anhalt",
            "Sachsen",
            "E-Government-Gesetz NRW",
            "NRW",
            "BSI-Grundschutz",
            "BSI",
        ]
        * 3
    )
    ents = find_entities(text)
    assert all(a.end <= b.start for a, b in zip(ents, ents[1:]))
    assert [e.name for e in ents[:12]] == [
        "Rhein-Kreis Neuss",
        "Neuss",
        "Bedburg-Hau",
        "Bedburg",
        "Neunkirchen-Seelscheid",
        "Neunkirchen",
        "Sachsen-Anhalt",
        "Sachsen",
        "E-Government-Gesetz NRW",
        "Nordrhein-Westfalen",
        "BSI IT-Grundschutz",
        "BSI",
    ]
    assert all(isinstance(e, Entity) for e in ents)
    assert find_entities("") == []


def test_every_municipality_is_found_by_its_name_after_stadt_or_gemeinde():
    for m in entries("municipality"):
        designator = "Gemeinde" if m.status == "Gemeinde" else "Stadt"
        got = find_entities(f"Die {designator} {m.name} bietet den Dienst online an.")
        assert [(e.name, e.key) for e in got] == [(m.name, m.key)], m.name


# --- lookup ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name", "kind"),
    [
        ("Muenster", "Münster", "municipality"),
        ("Munster", "Münster", "municipality"),
        ("MÜNSTER", "Münster", "municipality"),
        ("Bad-Sassendorf", "Bad Sassendorf", "municipality"),
        ("bad sassendorf", "Bad Sassendorf", "municipality"),
        ("Wickede", "Wickede (Ruhr)", "municipality"),
        ("Schloss Holte Stukenbrock", "Schloß Holte-Stukenbrock", "municipality"),
        ("05974040", "Soest", "municipality"),
        ("5974040", "Soest", "municipality"),
        ("Soest", "Soest", "municipality"),
        ("Soest, Stadt", "Soest", "municipality"),
        ("Kreis Soest", "Kreis Soest", "district"),
        ("05974", "Kreis Soest", "district"),
        ("Lippe", "Kreis Lippe", "district"),
        ("Städteregion Aachen", "StädteRegion Aachen", "district"),
        ("Essen", "Essen", "municipality"),
        ("Köln", "Köln", "municipality"),
        ("Berlin", "Berlin", "city"),
        ("NRW", "Nordrhein-Westfalen", "land"),
        ("servicekonto nrw", "Servicekonto.NRW", "platform"),
    ],
)
def test_lookup(query, name, kind):
    e = lookup(query)
    assert e is not None and (e.name, e.kind) == (name, kind)


def test_lookup_misses():
    assert lookup("Atlantis") is None
    assert lookup("") is None
    assert lookup("99999999") is None
    assert normalize_name("Bad-Sassendorf") == normalize_name("bad sassendorf") == "badsassendorf"


# --- the demo corpus: every municipality an article is about is found --------------------------------

DEMO = Path(__file__).resolve().parents[1] / "trends" / "demo" / "articles"


@pytest.mark.skipif(not DEMO.is_dir(), reason="demo articles not present")
def test_demo_articles_municipalities_are_found():
    yaml = pytest.importorskip("yaml")
    checked = 0
    for f in sorted(DEMO.glob("*.yaml")):
        for a in yaml.safe_load(f.read_text("utf-8")) or []:
            truth = set(a.get("municipalities") or [])
            if not truth:
                continue
            found = {
                e.name
                for e in find_entities(a.get("title", "") + "\n" + a.get("text", ""))
                if e.kind == "municipality"
            }
            assert truth <= found, (a.get("slug"), truth - found)
            checked += 1
    assert checked > 0


def test_place_feature_words_are_towns_and_their_people_not_common_words():
    from trends.nlp.entities import place_feature_words

    words = place_feature_words()
    assert {"unna", "unnaer", "emmerich", "kamener", "sassendorf", "rheda-wiedenbrück"} <= words
    # a town's name that is a common word too stays a word: "Essen" is a meal, "Lage" a situation
    assert not {"essen", "lage", "wetter", "bad", "rhein"} & words
