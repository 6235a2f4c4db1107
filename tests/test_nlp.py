"""Text mining: normalisation, tokenizers, lemmas, compounds, the analysed string, keyphrases."""

from __future__ import annotations

from collections import Counter

import pytest

from trends.nlp.keyphrases import (
    candidate_phrases,
    display,
    extract_keyphrases,
    names_only_means,
    topic_label,
)
from trends.nlp.lemmatize import (
    ANALYZER_VERSION,
    PARALLEL_MIN_DOCS,
    analyze_text,
    analyze_texts,
    lemmatize,
    segments,
    split_compound,
)
from trends.nlp.text import (
    BOUNDARY,
    clean_text,
    domain_stopwords,
    keep_token,
    normalize,
    spacy_stop_words,
    stopwords,
    strip_boilerplate,
    tokenize,
)

SOEST = (
    "Die Stadt Soest bietet den Bewohnerparkausweis ab sofort online an. Bürgerinnen und Bürger "
    "beantragen und bezahlen den Ausweis im Serviceportal, die Parkberechtigung ist digital an das "
    "Kennzeichen gebunden. Das Pilotprojekt läuft zunächst bis Jahresende."
)


# --- normalisation and tokens ----------------------------------------------------------------


def test_normalize_folds_gender_forms_and_odd_characters():
    assert normalize("Bürger*innen, Bürger:innen, Bürger_innen, BürgerInnen") == (
        "Bürger, Bürger, Bürger, Bürger"
    )
    assert normalize("Lehrer*in") == "Lehrer"
    assert normalize("Rat\u00adhaus\u00a0heute\u2019s") == "Rathaus heute's"
    assert normalize("Innenministerium") == "Innenministerium"  # a word, not a gender suffix


def test_boilerplate_lines_are_dropped():
    text = "Foto: Stadt Soest\nDer Rat beschließt das Budget.\nLesen Sie auch: Parken\nTeilen"
    assert strip_boilerplate(text) == "Der Rat beschließt das Budget."
    assert clean_text("") == ""


@pytest.mark.parametrize("tokenizer", ["regex", "spacy"])
def test_tokenizers_keep_compounds_and_mark_boundaries(tokenizer):
    toks = tokenize(
        "Das Smart-City-Projekt nutzt Servicekonto.NRW, mehr: https://example.org/a?b=1.",
        "de",
        tokenizer,
    )
    words = [t for t in toks if t != BOUNDARY]
    assert "Smart-City-Projekt" in words
    assert not any("example" in w for w in words)  # URL removed
    assert BOUNDARY in toks


def test_regex_and_spacy_tokenizers_agree_on_words():
    words = {
        tok: [t for t in tokenize(SOEST, "de", tok) if t != BOUNDARY] for tok in ("regex", "spacy")
    }
    assert words["regex"] == words["spacy"]


def test_newlines_are_boundaries():
    # a line break is a boundary where no stopword or punctuation makes one
    assert analyze_text("Neues Portal\n\nStadt startet", "de") == f"Portal {BOUNDARY} Stadt starten"
    assert analyze_text("Neues Portal Stadt startet", "de") == "Portal Stadt starten"


def test_keep_token_drops_numbers_and_abbreviations():
    assert not keep_token("2024")
    assert not keep_token("3.500")
    assert not keep_token("z.B")
    assert not keep_token("Bundes-")
    assert keep_token("5G")
    assert keep_token("COVID-19")
    assert keep_token("eAkte")


def test_stopword_lists(tmp_path):
    assert {"und", "der", "the", "sowie"} <= stopwords("de")
    assert {"stadt", "kommune", "bürger"} <= domain_stopwords()
    assert "stadt" not in stopwords("de")  # domain words stay in the analysed text
    assert {"les", "et"} <= spacy_stop_words("fr")  # another language's list, read from spaCy
    # an imported article's language field is data: it never names a file to run
    (tmp_path / "stop_words.py").write_text("STOP_WORDS = {'planted'}\n", encoding="utf-8")
    assert spacy_stop_words(str(tmp_path)) == spacy_stop_words("..") == frozenset()
    assert stopwords("/x") == stopwords("de")


def test_spacy_stopwords_are_read_without_importing_spacy():
    # the fast path runs spaCy's stop_words.py on its own (importing spaCy costs 2-3 s in every
    # worker); a spaCy that moves the file fails here instead of silently losing or slowing it
    import subprocess
    import sys

    code = (
        "import sys; from trends.nlp.text import spacy_stop_words as s; "
        "de, en = s('de'), s('en'); assert 'spacy' not in sys.modules, 'spaCy was imported'; "
        "from spacy.lang.de.stop_words import STOP_WORDS as DE; "
        "from spacy.lang.en.stop_words import STOP_WORDS as EN; "
        "assert (de, en) == (DE, EN) and len(de) > 500, 'not spaCy lists'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- lemmas and compounds --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "lemma"),
    [
        ("Pilotprojekten", "Pilotprojekt"),
        ("Bewohnerparkausweise", "Bewohnerparkausweis"),
        ("Kommunen", "Kommune"),
        ("Bürgerinnen", "Bürger"),
        ("Mitarbeiterinnen", "Mitarbeiter"),
        ("Daten", "Daten"),  # override: not "Datum"
        ("Smart-City-Projekte", "Smart-City-Projekt"),
        ("digitalen", "digital"),
        # override: simplemma makes the noun a verb ("wallen"), also inside compounds
        ("EUDI-Wallet", "EUDI-Wallet"),
        ("Wallets", "Wallet"),
        # a place name is its own lemma: Datteln is no plural of Dattel (a topic was labelled
        # "Standesamt Dattel"), Rheine no form of Rhein, Lichtenau no compound of Licht ...
        ("Datteln", "Datteln"),
        ("Rheine", "Rheine"),
        ("Lichtenau", "Lichtenau"),
        ("Schleiden", "Schleiden"),
        ("Halle", "Halle"),
        # ... unless the gazetteer marks the name as a common word too (queues, wages)
        ("Schlangen", "Schlange"),
        ("Löhne", "Lohn"),
        ("Kreises", "Kreis"),  # a genitive, not a name
    ],
)
def test_german_lemmas(token, lemma):
    assert lemmatize(token, "de") == lemma


def test_a_place_name_in_a_label_is_recognised_as_a_place():
    from trends.analyze import readable_label
    from trends.nlp.keyphrases import extract_keyphrases

    docs = [
        analyze_text("Der Rat der Stadt Schleiden berät die Vorlage zur Drohne.", "de"),
        analyze_text("Die Stadt Schleiden prüft Dächer mit der Drohne.", "de"),
        analyze_text("Der Kreis baut einen Radweg an der Landstraße.", "de"),
    ]
    phrases = [p for p, _ in extract_keyphrases(docs, [0, 0, 1], "de")[0]]
    assert "Stadt Schleiden" in phrases  # not "Stadt Schleider", which no gazetteer knows
    label = readable_label(phrases)
    assert "Drohne" in label and "Schleid" not in label


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("Digitalisierungsstrategie", ("Digitalisierung", "Strategie")),
        ("Bundesregierung", ("Bund", "Regierung")),
        ("Verwaltungsleistung", ("Verwaltung", "Leistung")),
        ("Smart-City-Projekt", ("Smart", "City", "Projekt")),
        ("Ausstellung", ("Ausstellung",)),  # "aus" is a stopword, not a modifier
        ("Digitalisierung", ("Digitalisierung",)),
        ("Rathaus", ("Rathaus",)),  # too short to split
        ("Schleiden", ("Schleiden",)),  # a place name, not Sch + Leiden
    ],
)
def test_split_compound(word, parts):
    assert split_compound(word) == parts


def test_compound_parts_are_the_lemmatizers_own_base_nouns():
    # the set of base nouns is read once from simplemma's public dictionary API and must answer as
    # the lemmatizer does: a known capitalised word that is its own lemma (not Erreich -> erreichen)
    import simplemma

    from trends.nlp.lemmatize import _base_nouns

    nouns = _base_nouns()
    words = ["Regierung", "Strategie", "Parkausweis", "Leistung", "Erreich", "Häuser", "Verwaltung"]
    words += ["Bund", "Kommunen", "Datum", "Daten", "Projekt", "Projekte", "Gehen", "Xyzzyplonk"]
    expected = {
        w for w in words if simplemma.is_known(w, "de") and simplemma.lemmatize(w, "de") == w
    }
    assert {w for w in words if w in nouns} == expected
    assert {"Regierung", "Strategie", "Parkausweis"} <= expected and "Erreich" not in expected


@pytest.mark.slow
def test_base_nouns_fast_path_reads_what_the_public_mapping_says():
    # the bytes fast path over the cached dictionary must give exactly the set simplemma's own
    # public Mapping gives, word for word
    from collections.abc import Mapping

    from simplemma.strategies import DEFAULT_DICTIONARY_FACTORY

    from trends.nlp.lemmatize import _DICTIONARIES, _identity_entries

    forms = DEFAULT_DICTIONARY_FACTORY.get_dictionary("de")

    class Plain(Mapping):  # a storage without the bytes dict: the public path
        def __getitem__(self, key):
            return forms[key]

        def __iter__(self):
            return iter(forms)

        def __len__(self):
            return len(forms)

    mine = _DICTIONARIES.get_dictionary("de")
    assert set(_identity_entries(mine)) == set(_identity_entries(Plain()))


def test_decoded_dictionary_is_kept_per_machine_and_rebuilt_when_broken(tmp_path, monkeypatch):
    # simplemma's decoding costs every command 0.8 s: it is done once and read back; a broken or
    # foreign cache file is rebuilt, an unwritable cache dir only costs the time
    import simplemma

    from trends.nlp.lemmatize import _BytesMapping, _Dictionaries

    monkeypatch.setenv("TRENDS_CACHE_DIR", str(tmp_path / "c"))
    words = ["Häuser", "Pilotprojekten", "Bürgerinnen", "ging", "Xyzzyplonk", "Daten"]
    expected = [simplemma.lemmatize(w, "de", greedy=True) for w in words]

    def lemmas(factory):
        strategy = simplemma.strategies.DefaultStrategy(greedy=True, dictionary_factory=factory)
        lemmatizer = simplemma.Lemmatizer(lemmatization_strategy=strategy)
        return [lemmatizer.lemmatize(w, "de") for w in words]

    assert lemmas(_Dictionaries()) == expected
    cached = tmp_path / "c" / "simplemma-de.marshal"
    assert cached.stat().st_size > 1_000_000
    read_back = _Dictionaries().get_dictionary("de")
    assert isinstance(read_back, _BytesMapping) and lemmas(_Dictionaries()) == expected
    cached.write_bytes(b"\x00garbage")
    assert lemmas(_Dictionaries()) == expected and cached.stat().st_size > 1_000_000
    monkeypatch.setenv("TRENDS_CACHE_DIR", str(cached / "not-a-dir"))
    assert lemmas(_Dictionaries()) == expected
    assert [p.name for p in cached.parent.iterdir()] == ["simplemma-de.marshal"]  # no temp files
    with pytest.raises(ValueError):
        _Dictionaries().get_dictionary("../de")


# --- analysed string -------------------------------------------------------------------------


def test_analyze_text_format():
    out = analyze_text(
        "Die Stadt startet zwei Pilotprojekten für den Online-Bewohnerparkausweis. "
        "Mehr unter https://www.koeln.de/x?y=1 oder per E-Mail an info@koeln.de, Kosten: 3,5 Mio. Euro.",
        "de",
    )
    toks = out.split(" ")
    assert "Pilotprojekt" in toks and "Online-Bewohnerparkausweis" in toks
    assert not out.startswith(BOUNDARY) and not out.endswith(BOUNDARY)
    assert f"{BOUNDARY} {BOUNDARY}" not in out
    assert not any(t in toks for t in ("die", "für", "zwei", "3,5", "koeln", "info"))
    assert "Stadt" in toks  # domain stopwords are removed later, at feature time
    # a removed stopword leaves a marker, so "starten" and "Pilotprojekt" are never one phrase
    assert segments(out)[:2] == [["Stadt", "starten"], ["Pilotprojekt"]]


def test_analyze_text_edge_cases():
    assert analyze_text("", "de") == ""
    assert analyze_text("und oder aber 2024 !!!", "de") == ""
    assert analyze_text("Digitalisierung", "xx") == "Digitalisierung"  # unknown language: no lemmas
    assert ANALYZER_VERSION


def test_analyze_text_english():
    out = analyze_text("The city council launched two pilot projects for parking permits.", "en")
    assert "pilot project" in out and "the" not in out.split()


def test_analyze_text_tokenizers_give_same_lemmas():
    assert analyze_text(SOEST, "de", "regex") == analyze_text(SOEST, "de", "spacy")


def test_analyze_texts_parallel_equals_serial():
    texts = [
        f"{SOEST} Artikel Nummer {i} über Glasfaser und Schulen."
        for i in range(PARALLEL_MIN_DOCS + 10)
    ]
    langs = ["de"] * len(texts)
    serial = analyze_texts(texts, langs, n_jobs=1)
    assert analyze_texts(texts, langs, n_jobs=2) == serial
    assert serial[0] == analyze_text(texts[0], "de")
    with pytest.raises(ValueError):
        analyze_texts(["a", "b"], ["de"])


# --- keyphrases ------------------------------------------------------------------------------


def test_candidate_phrases_follow_the_noun_pattern():
    doc = analyze_text(
        "Künstliche Intelligenz hilft. Den Bewohnerparkausweis online beantragen. "
        "Die digitale Bauantragsplattform startet.",
        "de",
    )
    phrases = {" ".join(p) for p in candidate_phrases(doc, "de")}
    assert "künstlich Intelligenz" in phrases
    assert "Bewohnerparkausweis online" in phrases
    assert "digital Bauantragsplattform" in phrases
    assert not any(p.endswith("beantragen") for p in phrases)


def test_display_inflects_adjectives():
    assert display(Counter({("künstlich", "Intelligenz"): 3})) == "künstliche Intelligenz"
    assert display(Counter({("digital", "Zentrum"): 1})) == "digitales Zentrum"
    assert display(Counter({("offen", "Daten"): 1})) == "offene Daten"
    assert display(Counter({("Bewohnerparkausweis", "online"): 1})) == "Bewohnerparkausweis online"
    # heads whose gender the suffix does not tell
    assert (
        display(Counter({("digital", "Bewohnerparkausweis"): 1})) == "digitaler Bewohnerparkausweis"
    )
    assert display(Counter({("islamisch", "Staat"): 1})) == "islamischer Staat"  # 10kGNAD
    assert display(Counter({("öffentlich", "Verkehr"): 1})) == "öffentlicher Verkehr"
    assert display(Counter({("zentral", "Bürgerportal"): 1})) == "zentrales Bürgerportal"
    assert display(Counter({("digital", "Bauarchiv"): 1})) == "digitales Bauarchiv"  # stream10
    assert display(Counter({("digital", "Klassenbuch"): 1})) == "digitales Klassenbuch"  # stream2
    assert display(Counter({("schwerbehindert", "Mensch"): 1})) == "schwerbehinderter Mensch"
    # masculine heads of municipal news (the demo's cemetery register was "Städtische Friedhof")
    nouns = ("Friedhof", "Radweg", "Windpark", "Glasfaserausbau", "Leitstand", "Digitalfunk")
    for noun in (*nouns, "Straßenbaum", "Serverraum"):  # -aum is no neuter -um
        assert display(Counter({("städtisch", noun): 1})) == f"städtischer {noun}"


def test_a_labels_adjective_takes_the_gender_its_articles_give_the_noun():
    """The suffix guess gave "wassersparende Duschkopf" and "feste Team"; the articles' own
    "einen Duschkopf", "das Team" tell the gender. Where they say nothing clear, the guess stays."""
    from trends.nlp.keyphrases import agree, noun_gender

    shower = [
        "Die Stadt bezuschusst einen wassersparenden Duschkopf mit 30 Euro.",
        "Wer den alten Duschkopf tauscht, spart Wasser. Der neue Duschkopf kostet wenig.",
        "Mit dem Antrag für einen Sparduschkopf geht es online schneller.",
    ]
    assert noun_gender(shower, "Duschkopf") == "m"
    team = ["Das feste Team der Bibliothek wächst.", "Im Team sind drei Leute, das Team hilft."]
    assert noun_gender(team, "Team") == "n"
    stage = ["Vereine buchen eine mobile Bühne.", "Zur Bühne gehört ein Anhänger; eine Bühne."]
    assert noun_gender(stage, "Bühne") == "f"
    # "die" and "der" before a noun whose plural is its singular tell nothing (die Partner)
    assert noun_gender(["Die Partner und der Partner treffen die Partner."], "Partner") is None
    # after "ein" the adjective's ending tells masculine from neuter
    slots = ["Wer ein festes Zeitfenster bucht, bekommt ein festes Zeitfenster am Schalter."]
    assert noun_gender(slots, "Zeitfenster") == "n"
    # only the article next to the noun counts, and only lower-case words stand between them
    towed = ["Heute prüft der Außendienst das Fahrzeug. Das Fahrzeug steht seit Mai."]
    assert noun_gender(towed, "Fahrzeug") == "n"
    # a preposition fused with "das" tells neuter (stream88's "Alte Rathaus")
    town_hall = [
        "Wer ins Rathaus kommt, bucht vorher.",
        "Der Weg ins Rathaus ist kurz; im Rathaus.",
    ]
    assert noun_gender(town_hall, "Rathaus") == "n"
    assert noun_gender(["Ohne Artikel: Duschkopf, Duschkopf."], "Duschkopf") is None

    genders = {"Duschkopf": "m", "Team": "n", "Bühne": "f"}.get
    assert agree("wassersparende Duschkopf", genders) == "wassersparender Duschkopf"
    assert agree("feste Team", genders) == "festes Team"
    assert agree("mobile Bühne", genders) == "mobile Bühne"
    assert agree("neue Online-Antrag", genders) == "neue Online-Antrag"  # no vote: unchanged
    assert agree("Bühne online", genders) == "Bühne online"
    assert agree("online Bühne", genders) == "online Bühne"
    # an adjective that began a sentence keeps its capital and is still an adjective
    genders = {"Fahrzeug": "n", "Rathaus": "n", "Rhein-Waal": "m", "Innenstadt": "f"}.get
    assert agree("Abgestellte Fahrzeug", genders) == "Abgestelltes Fahrzeug"
    for noun_first in ("Eschweiler Rathaus", "Hochschule Rhein-Waal", "Schule Innenstadt"):
        assert agree(noun_first, genders) == noun_first
    # "mobil" is inflected like any adjective (it was kept bare: "Mobil Bühne")
    assert display(Counter({("mobil", "Bühne"): 2})) == "mobile Bühne"


def test_analyze_reads_a_nouns_gender_in_the_corpus(tmp_path):
    import datetime as dt

    from trends.analyze import noun_genders
    from trends.corpus import Corpus
    from trends.records import Article

    texts = [
        "Der Zuschuss für einen wassersparenden Duschkopf wird online beantragt.",
        "Einen neuen Duschkopf bekommt, wer den Antrag stellt; der Duschkopf spart Wasser.",
        "Der Stadtrat lobt das Programm: jeder Duschkopf zählt.",
    ]
    with Corpus(tmp_path / "corpus.sqlite") as corpus:
        for i, text in enumerate(texts):
            art = Article(
                id=f"a{i}",
                title="Duschkopf-Zuschuss",
                text=text,
                published=dt.date(2026, 5, 1),
                source="stadt",
                url=f"https://example.org/{i}",
                language="de",
            )
            corpus.add_article(art, url_key=art.url, content_hash=art.id, minhash=None, run_id=None)
        gender = noun_genders(corpus)
        assert gender("Duschkopf") == "m"
        assert gender("Bühne") is None
        # no article of the corpus puts an article before "Sparduschkopf": its head tells
        assert gender("Sparduschkopf") == "m"


def test_a_compound_takes_its_heads_gender_where_its_own_articles_say_nothing():
    """A German compound has the gender of its last part; where the articles leave the compound
    open, its head's votes decide (the suffix guess gave "neue Bewohnerparkausweis")."""
    from trends.nlp.keyphrases import compound_gender

    head_only = {"Ausweis": "m"}.get
    assert compound_gender("Bewohnerparkausweis", head_only) == "m"  # via Parkausweis, Ausweis
    assert compound_gender("Bewohner-Parkausweis", head_only) == "m"
    # the compound's own votes come first; a word that is no compound has only its own
    assert (
        compound_gender("Bewohnerparkausweis", {"Bewohnerparkausweis": "f", **{"Ausweis": "m"}}.get)
        == "f"
    )
    assert compound_gender("Team", head_only) is None


def test_keyphrases_are_spelled_as_texts_spell_them_now():
    """The dictionary's lemma of Ausschuss is Ausschuß (a label read "Familienpass · Paß"): the
    display takes today's spelling; words whose ß is right today keep it."""
    from trends.nlp.keyphrases import extract_keyphrases

    assert display(Counter({("digital", "Ausschuß"): 1})) == "digitaler Ausschuss"
    assert display(Counter({("Soest-Paß",): 1})) == "Soest-Pass"
    for kept in ("Straße", "Maß", "Gruß", "Fuß"):
        assert display(Counter({(kept,): 1})) == kept
    docs = [
        analyze_text("Der Ausschuss berät den Beschluss zum Prozess.", "de"),
        analyze_text("Die Ausschüsse fassen einen Beschluss, der Prozess beginnt.", "de"),
        analyze_text("Der Kreis baut einen Radweg an der Landstraße.", "de"),
    ]
    phrases = [p for p, _ in extract_keyphrases(docs, [0, 0, 1], "de")[0]]
    assert {"Ausschuss", "Beschluss", "Prozess"} <= set(phrases), phrases


def test_extract_keyphrases_names_topics_by_distinctive_phrases():
    park = analyze_text(
        "Der Bewohnerparkausweis ist ab sofort online erhältlich. Anwohner beantragen den "
        "Bewohnerparkausweis online im Serviceportal und zahlen die Gebühr digital.",
        "de",
    )
    school = analyze_text(
        "Die Grundschule erhält WLAN und Tablets aus dem Digitalpakt. Lehrkräfte lernen den "
        "Unterricht mit Tablets, die Grundschule bekommt Glasfaser.",
        "de",
    )
    docs = [park, park, park, school, school, school]
    labels = [0, 0, 0, 1, 1, 1]
    kps = extract_keyphrases(docs, labels, "de")
    assert kps[0][0][0] == "Bewohnerparkausweis online"
    assert {"Tablet", "Grundschule", "Digitalpakt"} <= {p for p, _ in kps[1]}
    assert not {p for p, _ in kps[0]} & {p for p, _ in kps[1]}
    assert topic_label(kps[0]) == "Bewohnerparkausweis online"
    assert extract_keyphrases([], [], "de") == {}


def test_function_words_and_dating_adjectives_make_no_keyphrase():
    """A preposition fused with its article ("aufs Handy") was read as an adjective and shown as
    "aufse Handy"; a time-deictic adjective ("im kommenden Winter") dates a report and named a
    topic on road-temperature sensors "Kommender Winter"."""
    from trends.nlp.keyphrases import extract_keyphrases

    sensors = analyze_text(
        "Im kommenden Winter messen Sensoren an den Räumfahrzeugen die Fahrbahntemperatur, "
        "die Werte kommen aufs Handy der Fahrer.",
        "de",
    )
    other = analyze_text("Der Kreis baut einen Radweg an der Landstraße.", "de")
    phrases = [p for p, _ in extract_keyphrases([sensors] * 3 + [other] * 3, [0] * 3 + [1] * 3)[0]]
    assert "Handy" in phrases and "Winter" in phrases, phrases
    assert not [p for p in phrases if p.split()[0].lower().startswith(("aufs", "kommend"))], phrases


def test_a_hyphenated_compound_counts_as_a_phrase_in_keyphrase_scores():
    # "LoRaWAN-Netz" is as specific as a two-word phrase: it beats the plain "Gateway" that more
    # of the topic's articles use (in the demo the LoRaWAN topic was called "Sensor · Gateway")
    lora = ["LoRaWAN-Netz | Sensor | Gateway"] * 6 + ["Sensor | Gateway"] * 3
    other = ["Schule | Tablet | Sensor"] * 9
    kps = extract_keyphrases(lora + other, [0] * 9 + [1] * 9, "de")
    assert kps[0][0][0] == "LoRaWAN-Netz"


def test_hyphenated_tokens_with_a_lowercase_head_are_not_keyphrases():
    # "Telenotarzt-zentral" is how the lemmatizer leaves "Telenotarzt-Zentrale"
    docs = ["Telenotarzt-zentral | Telenotarzt | EU-weit"] * 5 + ["Schule | Tablet"] * 5
    phrases = [p for p, _ in extract_keyphrases(docs, [0] * 5 + [1] * 5, "de")[0]]
    assert phrases == ["Telenotarzt"]


def test_topic_label_joins_single_words():
    assert topic_label([("Bewohnerparkausweis", 1.0), ("Serviceportal", 0.5)]) == (
        "Bewohnerparkausweis · Serviceportal"
    )
    assert topic_label(["elektronische Akte", "Posteingang"]) == "Elektronische Akte"
    assert topic_label([]) == ""


def test_a_label_that_names_only_the_means_also_names_the_subject():
    # every digital topic is online or uses AI: such a label tells two topics apart by nothing,
    # and two topics named alike are merged as one subject
    assert topic_label(["Online-Antrag", "Online-Formular", "Baumbestattung", "Friedhof"]) == (
        "Online-Antrag · Baumbestattung"
    )
    assert topic_label(["künstliche Intelligenz", "KI", "Chatbot", "Hygienekontrolle"]) == (
        "Künstliche Intelligenz · Hygienekontrolle"
    )
    assert topic_label(["QR-Code", "Briefwahl"]) == "QR-Code · Briefwahl"
    # with nothing else to say, the means stays the name
    assert topic_label(["Chatbot", "Sprachassistent"]) == "Chatbot"
    assert [names_only_means(p) for p in ("Onlineformular", "Serviceportal", "Bürgerportal")] == [
        True,
        True,
        False,
    ]


def test_a_press_release_contact_block_never_reaches_the_features():
    from trends.nlp.lemmatize import analyze_text
    from trends.nlp.text import clean_text

    story = (
        "Die Stadt Soest bietet den Bauantrag jetzt vollständig digital an. Architektinnen laden "
        "Pläne im Portal hoch, die Bauaufsicht prüft sie elektronisch und gibt Rückmeldung."
    )
    for block in (
        " Pressekontakt: Ayşe Demir, Telefon 02921 103-1234, E-Mail presse@soest.de",
        "\nAnsprechpartner*in Kerstin Trompa Amt für Bürgerdienste Telefon: (030) 90298-2055",
        " Medienkontakt: Tomasz Nowak, Tel. 0521 51-0, www.example.org/presse",
        " Press contact: Jane Doe, phone +49 211 123, jane@example.org",
    ):
        assert clean_text(story + block) == story
        analysed = analyze_text(story + block).lower()
        assert "telefon" not in analysed and "trompa" not in analysed and "demir" not in analysed
    # early in a text the same words belong to the story
    early = "Weitere Informationen: " + story
    assert clean_text(early) == early


def test_person_names_of_any_origin_are_no_label():
    from trends.analyze import is_person, readable_label

    for name in (
        "Cansel Kiziltepe",
        "Ayşe Yılmaz",
        "Jonas Heitkemper",
        "Kerstin Trompa",
        "Frau Okonkwo Anmeldung",  # a contact line's "Anmeldung bei Frau …"
        "Herrn Dr. Lindqvist",
        "Astrid-Sabine Bus",  # a double first name, the surname as the lemmatizer leaves it
        "Karl-Heinz Ampel",
        "Geschäftsführer Dr",  # "Geschäftsführer Dr. Rainer Vogt" once the name is out
        "Prof. Lindqvist",
        "Ratsherr Kemper",  # council minutes name their members by office
        "Ratsfrau Yilmaz",
        "Councillor Okafor",
        # role, given name, surname: any role, given names that no list here holds
        "Kita-Leiterin Mirjam Brinkjost",
        "Ortsvorsteher Meinolf Kleinekathöfer",
        "Sachbearbeiterin Olena Wöstmann",
        # a role and a given name, the surname lost to the lemmatizer ("… Petra Schwarz")
        "Kulturdezernentin Petra",
        "Stadtbaurat Thomas",
    ):
        assert is_person(name), name
    for topic in (
        "Neues Abholterminal",
        "Servicekonto NRW",
        "Urbane Datenplattform",
        "EUDI Wallet",
        "Frauenhaus Beratung",
        "E-Akte Einführung",
        "Open-Data Portal",
        "Drohne Dreharbeiten",
        "App Mängelmelder",  # a product name no dictionary knows
        "Bürgerbüro Terminvergabe Online",
    ):
        assert not is_person(topic), topic
    assert readable_label(["Cansel Kiziltepe", "Digitaler Bauantrag"]) == "Digitaler Bauantrag"


def test_a_forms_field_labels_make_no_phrase_with_the_field_before():
    """An event notice whose line breaks were lost ("… 12207 Berlin Termin: jeden Montag …
    Kosten: 24 € pro Person Leitung: …") named a topic "Berlin Termin" and "pro Person"."""
    from trends.nlp.keyphrases import candidate_phrases
    from trends.nlp.lemmatize import analyze_text

    notice = (
        "Der Kurs zeigt, wie Senioren ihr Tablet nutzen. Ort: Kommunikationszentrum am "
        "Ostpreußendamm 52, 12207 Berlin Termin: jeden Montag von 10:00 bis 11:00 Uhr Kosten: "
        "24,00 € pro Person Leitung: Frau Schwerdtner"
    )
    phrases = {" ".join(p) for p in candidate_phrases(analyze_text(notice, "de"), "de")}
    assert "Berlin Termin" not in phrases and not any("Person" in p and " " in p for p in phrases)
    assert {"Tablet", "Kommunikationszentrum"} <= phrases
    # a headline's or a sentence's "Topic: …" is no form: its phrase stays
    for text in (
        "Digitaler Zwilling: Paderborn startet. Ort: Rathaus Termin: Montag Kosten: keine",
        "Nun ist der digitale Zwilling: ein Modell der Stadt. Ort: Rathaus Termin: Montag Kosten: keine",
    ):
        phrases = {" ".join(p) for p in candidate_phrases(analyze_text(text, "de"), "de")}
        assert "digital Zwilling" in phrases, phrases
