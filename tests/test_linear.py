"""The JSON text model predicts what scikit-learn fitted, before and after a round trip."""

import numpy as np
import pytest

from trends.nlp.linear import Features, LinearTextModel

TEXTS = [
    "Die Stadt führt die E-Akte in allen Ämtern ein",
    "Der Rat beschließt ein Konzept für die Datenplattform",
    "Der Fußballverein gewinnt das Derby am Samstag",
    "Das Stadtfest beginnt am Freitag mit Musik",
    "Bürgerinnen beantragen den Parkausweis jetzt online",
    "Morgen wird es sonnig und warm",
    "Sensoren melden den Pegel der Lenne an die Leitstelle",
    "Die Feuerwehr löscht einen Brand in der Altstadt",
]
LABELS = ["yes", "yes", "no", "no", "yes", "no", "yes", "no"]


def _sklearn_proba(model_texts, labels, extra, query, query_extra, char_weight=1.0):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize

    feats = Features()
    docs = [feats.tokens(t, e) for t, e in zip(model_texts, extra)]
    vec = TfidfVectorizer(analyzer=lambda d: d, min_df=1, sublinear_tf=True, norm=None)
    scale = np.array(
        [char_weight if t.startswith("c:") else 1.0 for t in vec.fit(docs).get_feature_names_out()]
    )

    def rows(d):
        return normalize(vec.transform(d).multiply(scale).tocsr())

    clf = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
    clf.fit(rows(docs), labels)
    return clf.predict_proba(rows([feats.tokens(query, query_extra)]))[0]


@pytest.mark.parametrize("labels", [LABELS, ["a", "b", "c", "a", "b", "c", "a", "b"]])
def test_same_probabilities_as_sklearn_and_after_json(tmp_path, labels):
    extra = [["cue=rollout"], ["cue=konzept"], [], [], [], [], ["cue=pilot"], []]
    model = LinearTextModel.fit(TEXTS, labels, extra=extra, min_df=1)
    query = "Die Stadt beantragt Sensoren für die Plattform"
    expected = _sklearn_proba(TEXTS, labels, extra, query, ["cue=pilot"])
    got = model.proba(query, ["cue=pilot"])
    assert np.allclose([got[c] for c in model.classes], expected, atol=1e-9)

    path = tmp_path / "model.json"
    model.to_json(path, digits=8)
    again = LinearTextModel.from_json(path).proba(query, ["cue=pilot"])
    assert np.allclose([again[c] for c in model.classes], expected, atol=1e-5)
    # a model carried inside another's meta (maturity's article layer) reads the same
    outer = LinearTextModel.fit(TEXTS, LABELS, min_df=1, meta={"inner": model.to_dict(digits=8)})
    outer.to_json(path)
    inner = LinearTextModel.from_dict(LinearTextModel.from_json(path).meta["inner"])
    got = inner.proba(query, ["cue=pilot"])
    assert np.allclose([got[c] for c in model.classes], expected, atol=1e-5)


def test_character_ngrams_weigh_as_asked():
    """char_weight scales the character n-grams before the norm; prediction applies it too (it
    lives in the model's idf), and at 0 a word the model never saw moves nothing, however many
    pieces it shares with words it knows."""
    query = "Die Stadt meldet Sensordaten online"
    for weight in (0.5, 0.0):
        model = LinearTextModel.fit(TEXTS, LABELS, min_df=1, char_weight=weight)
        expected = _sklearn_proba(TEXTS, LABELS, [()] * len(TEXTS), query, (), weight)
        got = model.proba(query)
        assert np.allclose([got[c] for c in model.classes], expected, atol=1e-9)
    blind = LinearTextModel.fit(TEXTS, LABELS, min_df=1, char_weight=0.0)
    seeing = LinearTextModel.fit(TEXTS, LABELS, min_df=1)
    # "Onlineportal" and "Sensorik" are unknown as words, but share pieces with "online", "Sensoren"
    assert blind.proba("Onlineportal Sensorik") == blind.proba("qqq zzz")
    assert seeing.proba("Onlineportal Sensorik")["yes"] > seeing.proba("qqq zzz")["yes"]


def test_unknown_words_give_the_prior_and_wrong_files_are_refused(tmp_path):
    model = LinearTextModel.fit(TEXTS, LABELS, min_df=1)
    probs = model.proba("qqq zzz")
    assert set(probs) == {"no", "yes"} and abs(sum(probs.values()) - 1) < 1e-9
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "other"}', "utf-8")
    with pytest.raises(ValueError, match="bad.json: not a trends-linear-1 model"):
        LinearTextModel.from_json(bad)
    bad.write_text("{", "utf-8")
    with pytest.raises(ValueError, match="bad.json: "):
        LinearTextModel.from_json(bad)


@pytest.mark.parametrize("labels", [LABELS, ["a", "b", "c", "a", "b", "c", "a", "b"]])
def test_several_texts_at_once_score_as_each_alone(labels):
    """An article's sentences are scored together (read_article): the same probabilities as one
    by one, also for a text with no known word among them."""
    model = LinearTextModel.fit(TEXTS, labels, min_df=1)
    texts = [*TEXTS[:3], "qqq zzz", TEXTS[6]]
    extras = [["cue=pilot"], [], ["cue=rollout"], [], []]
    together = model.probas(texts, extras)
    for text, extra, got in zip(texts, extras, together, strict=True):
        alone = model.proba(text, extra)
        assert got.keys() == alone.keys()
        assert np.allclose([got[c] for c in model.classes], [alone[c] for c in model.classes])
    assert model.probas([], []) == []
