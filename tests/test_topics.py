"""Topic model: estimator contract, determinism, accuracy floors, topic matching across quarters.

The synthetic corpus runs everywhere; the 10kGNAD floor runs when ../shared/data is present.
Timings are measured in scripts/bench_nlp.py, not here.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import normalized_mutual_info_score

from trends.nlp.lemmatize import analyze_texts
from trends.nlp.topics import (
    OTHER,
    LemmaFeatures,
    Topic,
    TopicModel,
    count_matrix,
    find_new_subjects,
    match_topics,
    prune_rows,
)

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GNAD_DEV = SHARED_DATA / "10kGNAD" / "dev.csv"

TOPICS = {
    "parken": [
        "Der Bewohnerparkausweis kann ab sofort online beantragt werden.",
        "Anwohner laden die Nachweise für den Bewohnerparkausweis im Serviceportal hoch.",
        "Die Gebühr für das Bewohnerparken wird digital bezahlt.",
        "Parkscheinautomaten werden durch die Handyparken-App ersetzt.",
        "Sensoren in den Parkbuchten melden freie Stellplätze an die Verkehrszentrale.",
        "Den Bewohnerparkausweis online zu beantragen spart den Weg ins Bürgerbüro.",
        "Die Parkraumbewirtschaftung wird neu geordnet.",
    ],
    "rat": [
        "Das Ratsinformationssystem stellt Sitzungsvorlagen digital bereit.",
        "Die Fraktionen arbeiten mit Tablets statt mit Papierunterlagen.",
        "Ausschusssitzungen werden per Livestream übertragen.",
        "Die Tagesordnung des Stadtrats ist im Ratsportal abrufbar.",
        "Hybride Ratssitzungen erlauben die Teilnahme per Videokonferenz.",
        "Niederschriften der Ratssitzungen werden elektronisch signiert.",
    ],
    "lorawan": [
        "Das LoRaWAN-Netz deckt das gesamte Stadtgebiet ab.",
        "Bodenfeuchtesensoren melden, wann Stadtbäume bewässert werden müssen.",
        "Die Stadtwerke betreiben die LoRaWAN-Gateways auf Kirchtürmen.",
        "Pegelsensoren warnen bei Starkregen vor Hochwasser.",
        "Die Messdaten der Sensoren fließen in eine urbane Datenplattform.",
        "Füllstandssensoren in Glascontainern optimieren die Abfuhrtouren.",
    ],
    "schule": [
        "Alle Grundschulen erhalten WLAN und interaktive Tafeln aus dem Digitalpakt.",
        "Lehrkräfte werden für den Unterricht mit Tablets fortgebildet.",
        "Der Medienentwicklungsplan legt die Ausstattung der Schulen fest.",
        "Schülerinnen und Schüler nutzen eine Lernplattform für Hausaufgaben.",
        "Glasfaseranschlüsse für Schulen werden aus Fördermitteln finanziert.",
        "Die Schulträger übernehmen die IT-Administration der Grundschulen.",
    ],
    "ki": [
        "Ein KI-Chatbot beantwortet Fragen zu Verwaltungsleistungen rund um die Uhr.",
        "Künstliche Intelligenz sortiert eingehende Anträge nach Zuständigkeit.",
        "Der Sprachassistent versteht auch Anfragen in einfacher Sprache.",
        "Datenschützer prüfen den Einsatz von Sprachmodellen in der Verwaltung.",
        "Der Chatbot lernt aus den häufigsten Bürgeranfragen.",
        "Die KI-Strategie setzt auf Transparenz und menschliche Kontrolle.",
    ],
    "ozg": [
        "Nach dem Onlinezugangsgesetz sollen Verwaltungsleistungen digital angeboten werden.",
        "Das Servicekonto.NRW dient als Zugang zu den Onlinediensten.",
        "Über FIT-Connect werden Anträge an die zuständige Behörde übermittelt.",
        "Nach dem Prinzip Einer für Alle werden Onlinedienste nachgenutzt.",
        "Die BundID ermöglicht die Anmeldung mit dem Personalausweis.",
        "Der digitale Bauantrag wird im Kreis flächendeckend eingeführt.",
    ],
}
GENERIC = [
    "Die Stadt informiert die Bürgerinnen und Bürger auf ihrer Internetseite.",
    "Der Oberbürgermeister zeigte sich zufrieden mit dem Projekt.",
    "Weitere Informationen gibt es im Rathaus.",
    "Das Thema wird in der nächsten Sitzung erneut beraten.",
]


def synthetic_corpus(per_topic: int = 25, seed: int = 7) -> tuple[list[str], list[str]]:
    """German articles recombined from topic sentences plus generic municipal filler."""
    rng = random.Random(seed)
    texts, labels = [], []
    for name in sorted(TOPICS):
        for _ in range(per_topic):
            sents = rng.sample(TOPICS[name], 4) + rng.sample(GENERIC, 2)
            rng.shuffle(sents)
            texts.append(" ".join(sents))
            labels.append(name)
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], [labels[i] for i in order]


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], list[str]]:
    texts, labels = synthetic_corpus()
    return analyze_texts(texts, "de", n_jobs=1), labels


@pytest.fixture(scope="module")
def fitted(corpus) -> TopicModel:
    docs, _ = corpus
    return TopicModel(n_topics=6, random_state=0).fit(docs)


def serialize(model: TopicModel) -> bytes:
    """Everything a saved model and report depend on, as bytes."""
    payload = {
        "terms": model.topic_terms_,
        "labels": model.topic_labels_,
        "keyphrases": model.keyphrases_,
        "doc_labels": model.labels_.tolist(),
        "k_scores": model.k_scores_,
    }
    return (
        json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        + np.asarray(model.components_).tobytes()
        + np.asarray(model.doc_topic_).tobytes()
    )


# --- estimator contract ----------------------------------------------------------------------


def test_init_only_stores_params():
    model = TopicModel(n_topics=7, random_state=3, stop_words=None)
    assert model.get_params()["n_topics"] == 7
    assert model.get_params()["stop_words"] is None
    assert not [a for a in vars(model) if a.endswith("_")]
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(NotFittedError):
        model.transform(["Haus"])


def test_fitted_attributes(fitted, corpus):
    docs, _ = corpus
    k = fitted.n_topics_
    assert k == 6
    assert fitted.components_.shape[0] == k
    assert fitted.doc_topic_.shape == (len(docs), k)
    assert np.allclose(fitted.doc_topic_.sum(1), 1.0)
    assert fitted.labels_.shape == (len(docs),)
    assert set(fitted.labels_) <= set(range(k)) | {OTHER}
    assert len(fitted.topic_terms_) == len(fitted.topic_labels_) == len(fitted.keyphrases_) == k
    assert all(0 < len(t) <= 50 for t in fitted.topic_terms_)
    json.dumps(fitted.topic_terms_)  # serialisable
    topics = fitted.topics()
    assert all(isinstance(t, Topic) for t in topics)
    assert sum(t.size for t in topics) == len(docs)


def test_synthetic_topics_are_found_and_named(fitted, corpus):
    _, truth = corpus
    pred = fitted.doc_topic_.argmax(1)
    assert normalized_mutual_info_score(truth, pred) >= 0.9
    names = " ".join(fitted.topic_labels_ + [p for kp in fitted.keyphrases_ for p, _ in kp])
    for word in ("Bewohnerparkausweis", "Ratsinformationssystem", "LoRaWAN", "Chatbot"):
        assert word in names
    # domain stopwords never name a topic on their own
    assert not {"Stadt", "Bürger", "Projekt", "Thema"} & {
        lab.split(" · ")[0] for lab in fitted.topic_labels_
    }


def test_transform_and_predict_agree_with_fit(fitted, corpus):
    docs, _ = corpus
    W = fitted.transform(docs)
    assert W.shape == fitted.doc_topic_.shape
    assert (W.argmax(1) == fitted.doc_topic_.argmax(1)).mean() >= 0.9
    pred = fitted.predict(docs[:5] + [""])
    assert pred[-1] == OTHER  # an empty document has no topic
    assert fitted.transform([]).shape == (0, fitted.n_topics_)


def test_auto_k_is_reasonable(corpus):
    docs, truth = corpus
    model = TopicModel(random_state=0).fit(docs)
    assert 4 <= model.n_topics_ <= 9
    assert model.k_scores_ and model.n_topics_ in model.k_scores_
    assert normalized_mutual_info_score(truth, model.doc_topic_.argmax(1)) >= 0.8


def test_small_topics_fold_into_other(corpus):
    docs, _ = corpus
    model = TopicModel(n_topics=6, min_topic_size=10_000).fit(docs)
    assert model.other_topics_.all()
    assert (model.labels_ == OTHER).all()
    assert (model.predict(docs[:3]) == OTHER).all()


def test_empty_documents_are_other(corpus):
    docs, _ = corpus
    model = TopicModel(n_topics=6).fit(docs + ["", ""])
    assert model.labels_[-1] == model.labels_[-2] == OTHER


def test_errors_are_clear():
    with pytest.raises(ValueError, match="at least 2"):
        TopicModel().fit(["Haus"])
    with pytest.raises(ValueError, match="no usable terms"):
        TopicModel(n_topics=2).fit(["", "", ""])
    with pytest.raises(TypeError):
        TopicModel().fit("Haus Auto")
    with pytest.raises(ValueError, match="stop_words"):
        TopicModel(stop_words="german").fit(["Haus Auto", "Auto Haus"])


# --- determinism -----------------------------------------------------------------------------


def test_same_input_same_params_identical_output(corpus, fitted):
    docs, _ = corpus
    again = TopicModel(n_topics=6, random_state=0).fit(docs)
    assert serialize(again) == serialize(fitted)
    one_thread = TopicModel(n_topics=6, random_state=0, n_jobs=1).fit(docs)
    assert serialize(one_thread) == serialize(fitted)


def test_auto_k_is_deterministic(corpus):
    docs, _ = corpus
    a = TopicModel(random_state=1).fit(docs)
    b = TopicModel(random_state=1, n_jobs=1).fit(docs)
    assert serialize(a) == serialize(b)


def test_streaming_path_hashing_and_minibatch(corpus):
    docs, truth = corpus
    model = TopicModel(n_topics=6, streaming_threshold=50, random_state=0).fit(docs)
    assert model.hashing_ and model.feature_names_ is None
    assert not any(t.startswith("#") for terms in model.topic_terms_ for t in list(terms)[:10])
    assert normalized_mutual_info_score(truth, model.doc_topic_.argmax(1)) >= 0.7
    again = TopicModel(n_topics=6, streaming_threshold=50, random_state=0).fit(docs)
    assert serialize(again) == serialize(model)
    assert model.transform(docs[:4]).shape == (4, 6)


# --- features and helpers --------------------------------------------------------------------


def test_lemma_features_nouns_compounds_and_stopwords():
    feats = LemmaFeatures(compounds=True, stop_words={"stadt"}, nouns=True)
    german = "Stadt starten | Digitalisierungsstrategie | schnell umsetzen | Breitband"
    assert feats(german) == [
        "digitalisierungsstrategie",
        "digitalisierung",
        "strategie",
        "breitband",
    ]
    english = "city council | launch | pilot project | parking permit"
    assert "launch" in feats(english)  # not German-looking: all lemmas
    import pickle

    assert pickle.loads(pickle.dumps(feats))(german) == feats(german)


def test_count_matrix_matches_analyzer_counts():
    from collections import Counter

    feats = LemmaFeatures(stop_words={"stadt"})
    docs = [
        "Stadt Haus Haus | Rathaus Bundesregierung",
        "",
        "Auto fahren | Haus",
        "city council | city",
    ]
    M, vocab = count_matrix(docs, feats, bridge=False)
    for i, doc in enumerate(docs):
        expected = Counter(feats(doc))
        assert {t: M[i, vocab[t]] for t in expected} == expected
        assert M[i].sum() == sum(expected.values())
    assert list(vocab) == sorted(vocab)


def test_english_articles_keep_features_shared_with_german_ones():
    feats = LemmaFeatures()
    docs = [
        "Soest starten | LoRaWAN-Netz | Sensor",
        "Soest | LoRaWAN-Netz | Bodenfeuchte",
        "Sensor | Gateway | Soest",
        "sensor network | Soest | lorawan-netz | tree | soil moisture",
    ]
    M, vocab = count_matrix(docs, feats)
    english = {t for t in vocab if M[3, vocab[t]]}
    assert english == {"soest", "sensor", "lorawan-netz", "lorawan", "netz"}  # in >= 2 German ones
    assert M[:, vocab["tree"]].nnz == 0  # dropped by min_df when fitting


def test_prune_rows_keeps_largest_entries():
    X = sp.csr_matrix(np.array([[0.1, 0.5, 0.0, 0.3], [0.0, 0.0, 0.2, 0.0]], dtype=np.float32))
    P = prune_rows(X, 2)
    assert P[0].nonzero()[1].tolist() == [1, 3]
    assert P[1].nonzero()[1].tolist() == [2]
    assert np.allclose(np.asarray(P.multiply(P).sum(1)).ravel(), 1.0)


# --- quarter linking -------------------------------------------------------------------------


def test_match_topics_one_to_one_with_threshold():
    prev = {
        "T001": {"parkausweis": 0.5, "bewohnerparken": 0.3, "online": 0.2},
        "T002": {"schule": 0.6, "tablet": 0.4},
        "T003": {"lorawan": 0.7, "sensor": 0.3},
    }
    new = [
        {"tablet": 0.5, "schule": 0.4, "wlan": 0.1},  # T002
        {"chatbot": 0.8, "ki": 0.2},  # new topic
        {"parkausweis": 0.6, "online": 0.3, "gebühr": 0.1},  # T001
        {"schule": 0.2, "tablet": 0.1, "lehrkraft": 0.7},  # like T002, but T002 is taken
    ]
    assert match_topics(prev, new, threshold=0.3) == {0: "T002", 2: "T001"}
    assert match_topics(prev, new, threshold=0.99) == {}
    assert match_topics({}, new, 0.3) == {}
    assert match_topics(prev, [], 0.3) == {}


def test_match_topics_links_a_refit_model(corpus, fitted):
    docs, _ = corpus
    refit = TopicModel(n_topics=6, random_state=5).fit(list(reversed(docs)))
    prev = {f"T{j}": t for j, t in enumerate(fitted.topic_terms_)}
    mapping = match_topics(prev, refit.topic_terms_, threshold=0.5)
    assert len(mapping) == 6 and len(set(mapping.values())) == 6


# --- accuracy floor on real news (skipped without ../shared/data) ----------------------------


@pytest.mark.skipif(not GNAD_DEV.exists(), reason="../shared/data/10kGNAD not present")
def test_10kgnad_slice_floor():
    """First 300 articles of 10kGNAD dev, 9 labels. Measured: k=9 NMI 0.565, auto k 0.51 as the
    mean of seeds 0-2 (0.51 / 0.51 / 0.52; on 300 articles one seed's choice of k flipped from 6
    to 5, 0.42, when 22 tokens were lemmatized differently, so the floor is on the mean); plain
    TF-IDF + NMF (the reference method) gets about 0.46 on the whole file."""
    with GNAD_DEV.open(encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh, delimiter=";", quotechar="'") if len(r) >= 2][:300]
    docs = analyze_texts([r[1] for r in rows], "de")
    truth = [r[0] for r in rows]
    fixed = TopicModel(n_topics=9, random_state=0).fit(docs)
    assert normalized_mutual_info_score(truth, fixed.doc_topic_.argmax(1)) >= 0.50
    auto = [TopicModel(random_state=seed).fit(docs).doc_topic_.argmax(1) for seed in range(3)]
    assert np.mean([normalized_mutual_info_score(truth, a) for a in auto]) >= 0.45


@pytest.mark.slow
@pytest.mark.skipif(not GNAD_DEV.exists(), reason="../shared/data/10kGNAD not present")
def test_10kgnad_dev_meets_the_quality_goal():
    """The issue's goal on the whole dev file: NMI >= 0.55, automatic k, mean of 3 seeds
    (measured 0.556). A lemma change that touched 22 tokens once took it to 0.5497 unnoticed by
    the slice test above; this one fails then."""
    with GNAD_DEV.open(encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh, delimiter=";", quotechar="'") if len(r) >= 2]
    docs = analyze_texts([r[1] for r in rows], "de")
    truth = [r[0] for r in rows]
    scores = [
        normalized_mutual_info_score(
            truth, TopicModel(random_state=seed).fit(docs).doc_topic_.argmax(1)
        )
        for seed in range(3)
    ]
    assert np.mean(scores) >= 0.55, scores


# --- new subjects while small -----------------------------------------------------------------

WALLET = [
    "Die Stadt prüft die Anbindung der EUDI-Wallet an das Servicekonto.",
    "Mit der EUDI-Wallet weisen sich Bürger digital gegenüber dem Bürgerbüro aus.",
    "Die Machbarkeitsstudie zur EUDI-Wallet beschreibt die Wallet-Schnittstelle.",
    "Ausweisdaten aus der Wallet sollen Anträge ohne Papier ermöglichen.",
]


def _with_new_subject(n_new: int, sources: list[str]):
    """The synthetic corpus as 'old' news plus n_new recent wallet articles from `sources`."""
    texts, _ = synthetic_corpus()
    rng = random.Random(3)
    new = [" ".join(rng.sample(WALLET, 3) + rng.sample(GENERIC, 2)) for _ in range(n_new)]
    # recent news on old subjects too, so "recent" alone makes no topic
    recent_old = texts[-20:]
    docs = analyze_texts(texts[:-20] + recent_old + new, "de", n_jobs=1)
    n_old = len(texts) - 20
    recent = [False] * n_old + [True] * (20 + n_new)
    groups = ["old"] * n_old + [f"s{i % 4}" for i in range(20)] + sources
    return docs, recent, groups, len(docs) - n_new


@pytest.mark.parametrize("n_new", [3, 4])
def test_a_recent_subject_of_three_articles_becomes_its_own_topic(n_new):
    docs, recent, groups, first_new = _with_new_subject(n_new, ["a", "b", "c", "d"][:n_new])
    absorbed = TopicModel(n_topics=6, random_state=0, new_subjects=False).fit(
        docs, recent=recent, groups=groups
    )
    model = TopicModel(n_topics=6, random_state=0).fit(docs, recent=recent, groups=groups)
    # without the step the wallet articles sit inside an old topic; with it they have their own
    assert absorbed.new_topics_ == []
    assert len(model.new_topics_) == 1
    (j,) = model.new_topics_
    assert set(np.flatnonzero(model.labels_ == j)) == set(range(first_new, len(docs)))
    assert not model.other_topics_[j]  # small, but not folded into "other"
    assert "wallet" in list(model.topic_terms_[j])[:5]
    # a new article on the subject is placed in it
    placed = model.predict(analyze_texts([" ".join(WALLET[:2])], "de", n_jobs=1))
    assert placed.tolist() == [j]


def test_one_source_or_two_articles_make_no_topic():
    docs, recent, groups, _ = _with_new_subject(3, ["a", "a", "a"])
    assert (
        TopicModel(n_topics=6, random_state=0).fit(docs, recent=recent, groups=groups).new_topics_
        == []
    )
    docs, recent, groups, _ = _with_new_subject(2, ["a", "b"])
    assert (
        TopicModel(n_topics=6, random_state=0).fit(docs, recent=recent, groups=groups).new_topics_
        == []
    )


def test_recent_articles_of_old_subjects_make_no_new_topic(corpus):
    docs, _ = corpus
    recent = [i % 3 == 0 for i in range(len(docs))]
    groups = [f"s{i % 5}" for i in range(len(docs))]
    model = TopicModel(n_topics=6, random_state=0).fit(docs, recent=recent, groups=groups)
    assert model.new_topics_ == []


WALLET_EN = (
    "The city tests the EUDI-Wallet with its Servicekonto: with the wallet, residents prove who "
    "they are at the Bürgerbüro, and the wallet interface follows the feasibility study."
)


def test_an_article_in_another_language_completes_a_new_subject():
    """Two German articles and an English one on a new subject: the English article is not
    fitted on (`extra`) but counts, through the names and loan words it shares with them."""
    docs, recent, groups, first_new = _with_new_subject(2, ["a", "b"])
    english = analyze_texts([WALLET_EN], "en", n_jobs=1)
    without = TopicModel(n_topics=6, random_state=0).fit(docs, recent=recent, groups=groups)
    assert without.new_topics_ == []  # two articles are no subject yet
    model = TopicModel(n_topics=6, random_state=0).fit(
        docs, recent=recent, groups=groups, extra=english, extra_groups=["c"]
    )
    assert len(model.new_topics_) == 1
    (j,) = model.new_topics_
    assert set(np.flatnonzero(model.labels_ == j)) == set(range(first_new, len(docs)))
    assert model.extra_labels_.tolist() == [j]
    # an English article on something else joins nothing
    stray = analyze_texts(["The football club of the city won the cup final on Sunday."], "en")
    model = TopicModel(n_topics=6, random_state=0).fit(
        docs, recent=recent, groups=groups, extra=stray, extra_groups=["c"]
    )
    assert model.new_topics_ == [] and model.extra_labels_.tolist() == [-1]


def test_an_older_report_on_the_subject_makes_it_old():
    """Fresh words may each have one stray older mention; an older article that uses two of the
    subject's words is an earlier report, and the subject is not new."""
    docs, recent, groups, first_new = _with_new_subject(4, ["a", "b", "c", "d"])
    older = analyze_texts([" ".join(WALLET[:2])], "de", n_jobs=1)
    docs, recent, groups = older + docs, [False, *recent], ["old", *groups]
    assert (
        TopicModel(n_topics=6, random_state=0).fit(docs, recent=recent, groups=groups).new_topics_
        == []
    )


def test_an_older_compound_and_its_own_parts_are_one_stray_word():
    """One older mention of "EUDI-Wallet" gives the features eudi-wallet, eudi and wallet, all
    words of the subject; it is one word, a stray, and the subject stays new."""
    docs, recent, groups, _ = _with_new_subject(4, ["a", "b", "c", "d"])
    older = analyze_texts(["Im Ausblick nennt die Stadt auch die EUDI-Wallet."], "de", n_jobs=1)
    docs, recent, groups = older + docs, [False, *recent], ["old", *groups]
    model = TopicModel(n_topics=6, random_state=0).fit(docs, recent=recent, groups=groups)
    assert len(model.new_topics_) == 1


def test_what_every_set_aside_article_carries_names_no_topic():
    """Press releases share words with their stream (a weekly market, an event calendar): a
    topic whose articles all mention the market must not be named after it when the articles
    set aside as off-topic mention it just as often (`background`, scored against, not fitted)."""
    texts, labels = synthetic_corpus()
    market = " Der Wochenmarkt auf dem Marktplatz öffnet am Samstag."
    texts = [t + market if lab == "schule" else t for t, lab in zip(texts, labels)]
    docs = analyze_texts(texts, "de", n_jobs=1)
    background = analyze_texts(
        [
            f"Der Wochenmarkt auf dem Marktplatz öffnet am Samstag. {other}"
            for other in (
                "Die Feuerwehr übt am Rathaus.",
                "Das Freibad schließt früher.",
                "Der Sportverein feiert sein Jubiläum.",
                "Die Straße wird saniert.",
                "Der Chor gibt ein Konzert.",
            )
            * 8
        ],
        "de",
        n_jobs=1,
    )

    def school_phrases(model: TopicModel) -> list[str]:
        school = [d for d, lab in zip(model.labels_, labels) if lab == "schule"]
        j = max(set(school), key=school.count)
        return [p for p, _ in model.keyphrases_[j]]

    alone = TopicModel(n_topics=6, random_state=0).fit(docs)
    against = TopicModel(n_topics=6, random_state=0).fit(docs, background=background)
    assert any("Wochenmarkt" in p for p in school_phrases(alone))
    assert not any("Wochenmarkt" in p for p in school_phrases(against))
    # the background is not fitted: the topics are the same
    assert (alone.labels_ == against.labels_).all()


def _bags(width: int):
    """A maker of documents as rows of ``width`` word weights, seeded: each word it is given
    weighs 1-2, each ``strong`` one 4 more."""
    rng = np.random.RandomState(0)

    def doc(words: list[int], strong: list[int] = ()) -> np.ndarray:
        v = np.zeros(width)
        v[words] += 1 + rng.rand(len(words))
        v[list(strong)] += 4
        return v

    return doc


def _two_german_and_one_translated(labels_of_new: int):
    """16 documents on an old subject (words 0-5) and three recent ones on a new one (6-8) from
    three sources, the last in another language but using the words in translation."""
    doc = _bags(12)

    old = [doc([0, 1, 2, 3, 4, 5][i % 3 : i % 3 + 4] + [9 + i % 3]) for i in range(16)]
    new = [doc([6, 7, 8, 9 + i]) for i in range(3)]
    X = sp.csr_matrix(np.array(old + new))
    recent = np.array([False] * 10 + [True] * 9)
    groups = np.array([f"s{i % 4}" for i in range(16)] + ["a", "b", "c"], dtype=object)
    labels = np.array([0] * 16 + [labels_of_new] * 3)
    foreign = np.arange(19) == 18
    return X, recent, groups, labels, foreign


def test_one_kept_one_set_aside_and_one_english_report_make_a_new_subject():
    """A new subject of three reports, one kept, one set aside as off-topic by its score and one
    in English: its words are used by one fitted article only, too rare for the fitted features,
    but the search for new subjects reads the words it shares with the set-aside report."""
    docs, recent, groups, first_new = _with_new_subject(2, ["a", "b"])
    kept, aside = docs[:-1], docs[-1:]
    english = analyze_texts([WALLET_EN], "en", n_jobs=1)
    model = TopicModel(n_topics=6, random_state=0).fit(
        kept,
        recent=recent[:-1],
        groups=groups[:-1],
        extra=english,
        extra_groups=["c"],
        aside=aside,
        aside_groups=["b"],
    )
    assert len(model.new_topics_) == 1
    (j,) = model.new_topics_
    assert np.flatnonzero(model.labels_ == j).tolist() == [first_new]
    assert model.extra_labels_.tolist() == [j] and model.aside_labels_.tolist() == [j]
    # the fitted features stay those of the fitted articles: what one of them says alone is
    # not a feature of the topic model
    assert "wallet" not in model.vocabulary_


def test_a_translated_article_completes_a_new_subject_and_a_too_small_topic_is_no_home():
    """Two recent articles and a translated third make a subject. The model may have given
    them a topic of their own; that is their home only if it has the fitted articles a topic
    needs (`min_topic`): 2 fitted of 3 needed would fold it into "other" and lose them."""
    X, recent, groups, labels, foreign = _two_german_and_one_translated(labels_of_new=0)
    assert [d.tolist() for d in find_new_subjects(X, recent, groups, labels, foreign=foreign)] == [
        [16, 17, 18]
    ]
    X, recent, groups, labels, foreign = _two_german_and_one_translated(labels_of_new=1)
    assert find_new_subjects(X, recent, groups, labels, foreign=foreign, min_topic=2) == []
    found = find_new_subjects(X, recent, groups, labels, foreign=foreign, min_topic=3)
    assert [d.tolist() for d in found] == [[16, 17, 18]]


def _new_subject_matrix(older: list[list[int]], recent_extra: list[list[int]] = ()):
    """Word 0-5: an old subject (10 older and 6 recent documents); words 6-12: a new one (three
    recent documents from three sources, each using all seven). ``older``: further older
    documents, each the old subject's words 0-3 and the given ones; ``recent_extra``: further
    recent documents likewise, from a fourth source. -> (X, recent, groups, labels, index of the
    first new document)."""
    doc = _bags(13)

    old = [doc([0, 1, 2, 3, 4, 5][i % 3 : i % 3 + 4]) for i in range(16)]
    more_old = [doc([0, 1, 2, 3, *w]) for w in older]
    extra = [doc([0, 1, 2, 3, *w]) for w in recent_extra]
    new = [doc(list(range(6, 13))) for _ in range(3)]
    rows = more_old + old + extra + new
    n_older = len(more_old) + 10
    recent = np.arange(len(rows)) >= n_older
    groups = np.array(
        ["old"] * (len(more_old) + 16) + ["d"] * len(extra) + ["a", "b", "c"], dtype=object
    )
    labels = np.zeros(len(rows), dtype=np.int64)
    return sp.csr_matrix(np.array(rows)), recent, groups, labels, len(rows) - 3


def test_one_older_article_with_two_of_its_words_is_a_stray_two_are_an_earlier_report():
    """A new subject's words may have one stray older mention each, and the subject may have one
    older article that uses two of its seven words (an app and a neighbourhood, said of
    something else). Two such articles, or one that uses three of its words, report on it
    before: it is not new."""
    X, recent, groups, labels, first = _new_subject_matrix([[6, 7]])
    found = find_new_subjects(X, recent, groups, labels)
    assert [d.tolist() for d in found] == [list(range(first, first + 3))]
    for older in ([[6, 7], [8, 9]], [[6, 7, 8]]):
        X, recent, groups, labels, _ = _new_subject_matrix(older)
        assert find_new_subjects(X, recent, groups, labels) == [], older


def test_a_set_aside_article_completes_a_new_subject_but_never_makes_one():
    """Set aside as off-topic by its own score, an article on the new subject completes it with
    two kept ones; with only one kept article there is no subject; and a set-aside article that
    shares just one of the subject's words (a detour, the winter service) does not join."""
    X, recent, groups, labels, first = _new_subject_matrix([])
    aside = np.zeros(X.shape[0], dtype=bool)
    aside[first] = True
    found = find_new_subjects(X, recent, groups, labels, aside=aside)
    assert [d.tolist() for d in found] == [list(range(first, first + 3))]
    aside[first + 1] = True
    assert find_new_subjects(X, recent, groups, labels, aside=aside) == []
    X, recent, groups, labels, first = _new_subject_matrix([], recent_extra=[[6]])
    X = X.tolil()
    X[first - 1, :] = 0
    X[first - 1, 6] = 1.0  # a recent article whose only word of weight is one of the subject's
    X = X.tocsr()
    aside = np.arange(X.shape[0]) == first - 1
    found = find_new_subjects(X, recent, groups, labels, aside=aside)
    assert [d.tolist() for d in found] == [list(range(first, first + 3))]


def test_words_that_older_set_aside_news_uses_make_no_new_subject():
    """A word ordinary local news uses every week (Straße) links recent articles without being a
    subject: older articles set aside as off-topic that use the subject's words count as older
    uses of them. One such stray use is allowed, as for kept articles; two make the words old."""
    X, recent, groups, labels, first = _new_subject_matrix([])
    news = sp.csr_matrix(X[first].toarray())  # an older set-aside item using those words
    found = find_new_subjects(X, recent, groups, labels, older_aside=news)
    assert [d.tolist() for d in found] == [list(range(first, first + 3))]
    assert find_new_subjects(X, recent, groups, labels, older_aside=sp.vstack([news, news])) == []


def test_a_topic_that_also_holds_an_older_article_is_not_the_new_subjects_own():
    """The model may give a new subject a topic of its own: then it stays there. A topic that
    holds an older article besides is not its own: that article dates it back and the subject
    reads stable in it (stream28's noise sensors with a heat warning of 2025), so it is carved."""
    X, recent, groups, labels, first = _new_subject_matrix([])
    labels[first : first + 3] = 1
    assert find_new_subjects(X, recent, groups, labels) == []
    labels[0] = 1  # an older article in the same model topic
    found = find_new_subjects(X, recent, groups, labels)
    assert [d.tolist() for d in found] == [list(range(first, first + 3))]


def test_with_hashed_features_every_column_is_a_word_of_its_own():
    """Without feature names a compound cannot be told from its parts: column 12 is not a part
    of column 112."""
    from trends.nlp.topics import _distinct, _name

    assert _distinct([_name(None, t) for t in (12, 112, 3)]) == 3
    assert _distinct([_name(["frühjahr", "jahr", "wallet"], t) for t in (0, 1, 2)]) == 2


def test_a_group_the_model_has_a_topic_for_gives_no_part_of_itself_to_another():
    """An emerging subject the model already has a topic for (five recent articles, words 6-10)
    whose neighbour links split it in two: three articles that also share words 13-14, and two
    that share words 11-12 (and 6) with an article set aside by its score. The first group is the
    model's topic and is left to it, and its documents are taken with it: the two others and the
    set-aside article must not split off as a "new" subject (stream13's emerging topic did)."""
    doc = _bags(15)

    old = [doc([0, 1, 2, 3, 4, 5][i % 3 : i % 3 + 4]) for i in range(16)]
    three = [doc([6, 7, 8, 9, 10, 13, 14], strong=[13, 14]) for _ in range(3)]
    two = [doc([6, 7, 8, 9, 10, 11, 12], strong=[11, 12]) for _ in range(2)]
    aside_doc = doc([6, 11, 12], strong=[11, 12])
    X = sp.csr_matrix(np.array(old + three + two + [aside_doc]))
    recent = np.arange(22) >= 10
    groups = np.array(["old"] * 16 + ["a", "b", "c", "d", "e", "f"], dtype=object)
    labels = np.array([0] * 16 + [1] * 6)
    aside = np.arange(22) == 21
    assert find_new_subjects(X, recent, groups, labels, neighbors=2, aside=aside) == []


def test_recent_articles_that_add_a_fresh_word_to_an_old_subject_stay_in_its_topic():
    """Three recent articles from three sources on an old subject (its words 0-3) that share
    fresh words of their own (6-8: the e-invoice portal now used by the culture centre and the
    library) fit the old topic about as well as its own articles do: they are its recent part,
    not a new subject. Three that share the fresh words alone are one."""
    doc = _bags(9)

    old = [doc([0, 1, 2, 3, 4, 5][i % 3 : i % 3 + 4]) for i in range(16)]
    groups = np.array(["old"] * 16 + ["a", "b", "c"], dtype=object)
    recent = np.arange(19) >= 10
    labels = np.zeros(19, dtype=np.int64)
    part = sp.csr_matrix(np.array(old + [doc([0, 1, 2, 3, 6, 7, 8]) for _ in range(3)]))
    assert find_new_subjects(part, recent, groups, labels) == []
    new = sp.csr_matrix(np.array(old + [doc([6, 7, 8]) for _ in range(3)]))
    assert [d.tolist() for d in find_new_subjects(new, recent, groups, labels)] == [[16, 17, 18]]


def test_a_new_subject_near_a_broad_topic_is_measured_against_other_articles():
    """A broad topic (words 0-1 in every article: "digital", "administration") is close to many
    articles. Three recent ones on a new subject (fresh words 8-10) that name its word 0 fit it
    as well as the articles of another topic that name word 0 do: no better than something
    else, so they are a subject of their own (an online portal for booking sports grounds among
    the berlin.de releases), not the broad topic's recent part."""
    doc = _bags(11)
    broad = [doc([0, 1, 2 + i % 4]) for i in range(16)]
    other = [doc([0, 6, 7]) for _ in range(10)]
    new = [doc([0, 8, 9, 10]) for _ in range(3)]
    X = sp.csr_matrix(np.array(broad + other + new))
    recent = np.arange(29) >= 20
    groups = np.array(["old"] * 26 + ["a", "b", "c"], dtype=object)
    labels = np.array([0] * 16 + [1] * 10 + [0] * 3)
    assert [d.tolist() for d in find_new_subjects(X, recent, groups, labels)] == [[26, 27, 28]]


def test_a_member_that_came_in_by_two_words_is_peeled_off_a_new_subject():
    """Three recent articles from three sources on a new subject (fresh words 6-9) and a recent
    report on the old subject (words 0-3) that names two of them (the civil-engineering office
    that also watches the new bridge sensors). An older report comes as close to the centre of
    all four as that member does, which made the whole group read as the old subject's recent
    part (stream22's bridge sensors). Without that member the three are a new subject."""
    doc = _bags(12)
    old = [doc([0, 1, 2, 3, 4, 5][i % 3 : i % 3 + 4]) for i in range(16)]
    new = [doc([6, 7, 8, 9]) for _ in range(3)]
    member = doc([0, 1, 2, 3, 8, 9], strong=[0, 1, 2, 3])
    X = sp.csr_matrix(np.array(old + new + [member]))
    recent = np.arange(20) >= 10
    groups = np.array(["old"] * 16 + ["a", "b", "c", "d"], dtype=object)
    labels = np.zeros(20, dtype=np.int64)
    assert [d.tolist() for d in find_new_subjects(X, recent, groups, labels)] == [[16, 17, 18]]


def test_peeling_stops_before_a_group_loses_its_main_language_members():
    """Two German members and three foreign ones, and an older article that outdoes every German
    member: peeling may not take the second German member away (a subject needs two; the
    foreign rows are not judged), so the group is old, not an error."""
    from sklearn.preprocessing import normalize

    from trends.nlp.topics import _peel_intruders

    doc = _bags(6)
    rows = [doc([0, 1, 2], strong=[0]), doc([1, 3]), doc([2, 4])] + [doc([5]) for _ in range(3)]
    X = normalize(sp.csr_matrix(np.array(rows)))
    docs = np.arange(1, 6)
    judged = np.array([True, True, True, False, False, False])

    def enough(d: np.ndarray) -> bool:  # three members, two of them German
        return len(d) >= 3 and judged[d].sum() >= 2

    assert _peel_intruders(X, docs, np.array([0]), judged, enough) is None


MINUTES_FORM = [
    "TOP {n}: Bericht der Verwaltung, Vorlage Nr. 2025/{n}0.",
    "Beschluss: Der Ausschuss nimmt den Bericht zur Kenntnis.",
    "Abstimmung: einstimmig bei zwei Enthaltungen.",
    "Die Niederschrift der Sitzung wird im Ratsinformationssystem veröffentlicht.",
]
VENDOR = [
    "Mit FormWerk Studio bauen Kommunen Antragsformulare ohne Programmierung.",
    "Die FormWerk GmbH stellt eine neue Version ihres Formular-Baukastens vor.",
    "FormWerk Studio verbindet Formulare mit dem Servicekonto.",
    "Kunden der FormWerk GmbH erhalten Vorlagen für häufige Anträge.",
]


def _with_minutes_and_vendor() -> tuple[list[str], list[str], list[str]]:
    """The synthetic corpus from four press offices, a council's minutes on every subject (each
    item in the minutes' form; half of them say little more) and a vendor on its product."""
    rng = random.Random(3)
    texts, labels = synthetic_corpus()
    groups = [f"presse-{i % 4}" for i in range(len(texts))]
    for name in sorted(TOPICS):
        for n in range(4):
            told = rng.sample(TOPICS[name], 1 if n < 2 else 4)
            texts.append(" ".join(told + [f.format(n=n + 3) for f in MINUTES_FORM]))
            labels.append(name)
            groups.append("ratsinfo")
    for _ in range(8):
        texts.append(" ".join(rng.sample(VENDOR, 3) + rng.sample(GENERIC, 1)))
        labels.append("vendor")
        groups.append("formwerk")
    return analyze_texts(texts, "de", n_jobs=1), labels, groups


def test_council_minutes_make_no_topic_of_their_form_and_join_their_subjects():
    """Council minutes share their form (TOP, Vorlage, Beschluss, Kenntnis) whatever they are
    about; without the sources, that form is a topic of its own ("Abstimmung · Ausschuß") that
    holds minutes on every subject. With them, it is no topic, and each item joins its subject's.
    A vendor writing only on its product stays a topic: it is a subject, one source's."""
    docs, labels, groups = _with_minutes_and_vendor()

    def minutes_in_their_subject(model: TopicModel) -> int:
        named = {}
        for j in range(model.n_topics_):
            members = [labels[i] for i in np.flatnonzero(model.labels_ == j)]
            if members:
                named[j] = max(set(members), key=members.count)
        return sum(
            named.get(int(model.labels_[i])) == labels[i]
            for i, g in enumerate(groups)
            if g == "ratsinfo"
        )

    blind = TopicModel(n_topics=8, random_state=0).fit(docs)
    model = TopicModel(n_topics=8, random_state=0).fit(docs, groups=groups)
    assert blind.form_topics_.sum() == 0  # without sources nothing tells a form
    assert minutes_in_their_subject(blind) < 16
    assert model.form_topics_.sum() == 1
    (form,) = np.flatnonzero(model.form_topics_)
    assert model.other_topics_[form] and not (model.labels_ == form).any()
    assert minutes_in_their_subject(model) == 24
    vendor = {int(model.labels_[i]) for i, g in enumerate(groups) if g == "formwerk"}
    assert len(vendor) == 1 and not model.form_topics_[vendor.pop()]
    # an article placed later reads as the subjects explain it, never as the form
    later = analyze_texts([" ".join(TOPICS["ki"][:1] + MINUTES_FORM).format(n=9)], "de")
    assert model.transform(later)[0, form] == 0.0


def test_topics_of_one_name_are_one_subject():
    """A fit with more topics than subjects splits one of them into two topics that the reader
    would see under one name ("E-Akte" twice; the demo's E-Akte once came in three): with the
    caller's naming the parts are merged, and the subject's articles share one topic."""
    from trends.nlp.lemmatize import analyze_text

    rng = random.Random(0)
    subjects = {
        "akte": [
            "Die Stadt führt die elektronische Akte ein.",
            "Die E-Akte ersetzt die Papierakte im Bauamt.",
            "Mit der E-Akte arbeiten alle Ämter digital.",
            "Die E-Akte spart Wege zwischen den Ämtern.",
            "Scannen und E-Akte: das Archiv wird digital.",
        ],
        "park": [
            "Der Bewohnerparkausweis kann online beantragt werden.",
            "Parkausweis online: Anwohner sparen den Weg.",
            "Der digitale Bewohnerparkausweis startet im Mai.",
            "Parken im Quartier: Ausweis jetzt online.",
            "Online-Antrag für den Bewohnerparkausweis.",
        ],
        "sensor": [
            "LoRaWAN-Sensoren messen die Bodenfeuchte.",
            "Das LoRaWAN-Netz deckt die Stadt ab.",
            "Sensoren melden Füllstände über LoRaWAN.",
            "Neue Gateways erweitern das LoRaWAN-Netz.",
            "Die Sensoren senden Daten ins LoRaWAN-Netz.",
        ],
    }
    docs, truth = [], []
    for subject, sentences in subjects.items():
        for _ in range(12):
            docs.append(analyze_text(" ".join(rng.sample(sentences, 3)), "de"))
            truth.append(subject)

    def shown(model):
        return [
            model.topic_labels_[j] for j in range(model.n_topics_) if not model.other_topics_[j]
        ]

    alone = TopicModel(n_topics=6, random_state=0).fit(docs)
    assert shown(alone).count("E-Akte") == 2  # the split the guard is for
    model = TopicModel(n_topics=6, random_state=0).fit(docs, name=lambda ks: ks[0][0] if ks else "")
    assert shown(model).count("E-Akte") == 1 and len(set(shown(model))) == len(shown(model))
    akte = {int(t) for t, s in zip(model.labels_, truth, strict=True) if s == "akte"}
    assert len(akte) == 1
    # what the model reads later goes where its fitted articles went
    assert model.predict([docs[0]])[0] in akte


def test_a_subject_two_towns_tell_in_their_own_words_is_one_topic(monkeypatch):
    """Each town names its own product ("Unna-App", "Werne-App"): a fit with a topic to spare
    splits the app by town, and the parts carry different names. Their terms, the towns' names
    left out, are the same, so they are one subject (a written stream's citizens' app of 40
    reports came in four such parts)."""
    from trends.nlp import topics
    from trends.nlp.lemmatize import analyze_text

    rng = random.Random(0)
    app = [
        "Die {t}-App zeigt jetzt auch die Abfuhrtermine.",
        "In {t} buchen die {t}er Termine im Bürgerbüro über die {t}-App.",
        "Die {t}-App schickt Nachrichten aus dem Rathaus aufs Handy.",
        "Mehr als 5.000 {t}er haben die {t}-App geladen.",
        "Neu in der {t}-App: Mängel melden mit Foto.",
    ]
    others = {
        "fibre": [
            "Der Glasfaserausbau kommt voran.",
            "Die Schulen bekommen einen Glasfaseranschluss.",
            "2.000 Haushalte sind an das Glasfasernetz angeschlossen.",
            "Bagger für das Glasfasernetz rollen durch die Straßen.",
            "Das Glasfasernetz erreicht die Gewerbegebiete.",
        ],
        "file": [
            "Die E-Akte ersetzt die Papierakte im Bauamt.",
            "Mit der E-Akte arbeiten alle Ämter digital.",
            "Die E-Akte spart Wege zwischen den Ämtern.",
            "Scannen und E-Akte: das Archiv wird digital.",
            "Die Stadt führt die elektronische Akte ein.",
        ],
    }
    docs, subject = [], []
    for town in ("Unna", "Werne"):
        for _ in range(10):
            docs.append(analyze_text(" ".join(s.format(t=town) for s in rng.sample(app, 3)), "de"))
            subject.append("app")
    for name, sentences in others.items():
        for _ in range(12):
            docs.append(analyze_text(" ".join(rng.sample(sentences, 3)), "de"))
            subject.append(name)

    def first_keyphrase(kps):
        return kps[0][0] if kps else ""

    def app_topics() -> set[int]:
        model = TopicModel(n_topics=4, random_state=0).fit(docs, name=first_keyphrase)
        return {int(t) for t, s in zip(model.labels_, subject, strict=True) if s == "app"}

    assert len(app_topics()) == 1
    monkeypatch.setattr(topics, "SAME_TERMS", 1.01)  # no merging by terms: one topic per town
    assert len(app_topics()) == 2
