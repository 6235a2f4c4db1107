"""A small linear text classifier that ships as JSON: the one learned-model format of trends.

Features are word uni- and bigrams, character n-grams inside words, and any extra tokens the caller
adds (e.g. "cue=pilot" from a lexicon), weighted by TF-IDF and L2-normalised; the classifier is
scikit-learn's logistic regression. Only what prediction needs is saved (vocabulary, idf,
coefficients), as JSON: no pickles, so a model file is safe to load, readable, diffable, and not
tied to one scikit-learn version. Prediction needs numpy only.

Used by `trends.relevance` (is it about public-sector digitalization / a digital solution) and
`trends.maturity` (the stage a sentence states). Models are built by scripts in `scripts/`
from labelled sets, never at run time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

_WORD = re.compile(r"\w[\w-]*", re.UNICODE)
FORMAT = "trends-linear-1"
WORD_CACHE = 200_000  # distinct words whose token indices a model remembers


@dataclass(frozen=True)
class Features:
    """How a text becomes tokens; saved with the model so training and prediction agree."""

    char_min: int = 3
    char_max: int = 5
    bigrams: bool = True

    def words(self, text: str) -> list[str]:
        low = text.lower()
        if len(low) == len(text):  # the same words as lowering each, without a copy per word
            return _WORD.findall(low)
        # "İ" lowers to two characters, the second no word character: lower word by word
        return [w.lower() for w in _WORD.findall(text)]

    def word_tokens(self, word: str) -> list[str]:
        """The tokens one (lower-case) word gives on its own: itself and its character n-grams."""
        out = [f"w:{word}"]
        padded = f"<{word}>"
        for n in range(self.char_min, self.char_max + 1):
            out += [f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1)]
        return out

    def tokens(self, text: str, extra: Iterable[str] = ()) -> list[str]:
        words = self.words(text)
        out = [t for w in words for t in self.word_tokens(w)]
        if self.bigrams:
            out += [f"b:{a} {b}" for a, b in zip(words, words[1:])]
        out += [f"x:{t}" for t in extra]
        return out


@dataclass
class LinearTextModel:
    """Fitted model: `classes[i]` is scored by `coef[i] · tfidf(text) + intercept[i]`."""

    classes: list[str]
    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray  # (n_classes, n_features); one row for a binary model (score of classes[1])
    intercept: np.ndarray
    features: Features
    meta: dict
    # word -> indices of its vocabulary tokens (prediction only; bounded by WORD_CACHE)
    _word_index: dict[str, list[int]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # (word, next word) -> index of its bigram token, -1 if none (a tuple of two words hashes
    # faster than a new "b:a b" string; half of an article's lookups)
    _pair_index: dict[tuple[str, str], int] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    # -- fitting (scripts only) -----------------------------------------------------------------
    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        extra: Sequence[Iterable[str]] | None = None,
        features: Features | None = None,
        C: float = 4.0,
        min_df: int = 2,
        char_weight: float = 1.0,
        sample_weight: Sequence[float] | None = None,
        meta: dict | None = None,
    ) -> LinearTextModel:
        """``char_weight`` scales the character n-grams against the other tokens before the
        L2 norm (kept in ``idf``, so prediction needs nothing more): a word gives ~15 of them and
        one token of its own, so at 1 they make most of a text's vector."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import normalize

        feats = features or Features()
        docs = [feats.tokens(t, e) for t, e in zip(texts, extra or [()] * len(texts))]
        vec = TfidfVectorizer(
            analyzer=lambda d: d, min_df=min_df, sublinear_tf=True, dtype=np.float64, norm=None
        )
        x = vec.fit_transform(docs)
        idf = np.asarray(vec.idf_, dtype=np.float64)
        scale = np.ones(len(idf))
        scale[[i for t, i in vec.vocabulary_.items() if t.startswith("c:")]] = char_weight
        x = normalize(x.multiply(scale).tocsr())
        clf = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
        clf.fit(x, list(labels), sample_weight=sample_weight)
        return cls(
            classes=[str(c) for c in clf.classes_],
            vocabulary={k: int(v) for k, v in vec.vocabulary_.items()},
            idf=idf * scale,
            coef=np.asarray(clf.coef_, dtype=np.float64),
            intercept=np.asarray(clf.intercept_, dtype=np.float64),
            features=feats,
            meta=dict(meta or {}),
        )

    # -- prediction --------------------------------------------------------------------------------
    def _indices(self, text: str, extra: Iterable[str], found: list[int]) -> None:
        # Appends to `found` the tokens of Counter(features.tokens(...)) that are in the
        # vocabulary, built from each word's vocabulary indices, remembered per word: words recur,
        # so most of an article costs one lookup a word instead of ~15 n-gram strings (4 ms -> 1 ms
        # an article). One flat list for all texts of a call: numpy takes it in one conversion.
        vocab, cache, feats = self.vocabulary, self._word_index, self.features
        words = feats.words(text)
        for w in words:
            hit = cache.get(w)
            if hit is None:
                if len(cache) >= WORD_CACHE:
                    cache.clear()
                hit = cache[w] = [
                    i for t in feats.word_tokens(w) if (i := vocab.get(t)) is not None
                ]
            found += hit
        if feats.bigrams:
            pairs = self._pair_index
            if len(pairs) >= WORD_CACHE:
                pairs.clear()
            for pair in zip(words, words[1:]):
                i = pairs.get(pair)
                if i is None:
                    i = pairs[pair] = vocab.get(f"b:{pair[0]} {pair[1]}", -1)
                if i >= 0:
                    found.append(i)
        found += [i for t in extra if (i := vocab.get(f"x:{t}")) is not None]

    def decisions(self, texts: Sequence[str], extras: Sequence[Iterable[str]]) -> np.ndarray:
        """Class scores of several texts at once, (n_texts, n_rows of coef): sublinear TF-IDF,
        L2-normalised per text, in a few array operations for all of them (an article's
        sentences cost one pass instead of one each)."""
        flat: list[int] = []
        ends = []
        for t, e in zip(texts, extras, strict=True):
            self._indices(t, e, flat)
            ends.append(len(flat))
        out = np.tile(self.intercept, (len(ends), 1))
        if not flat:
            return out
        n = len(self.idf)
        lengths = np.diff(np.array(ends, dtype=np.int64), prepend=0)
        row = np.repeat(np.arange(len(ends), dtype=np.int64), lengths)
        keys, counts = np.unique(row * n + np.array(flat, dtype=np.int64), return_counts=True)
        rows, idx = np.divmod(keys, n)
        val = (1.0 + np.log(counts)) * self.idf[idx]
        norm = np.sqrt(np.bincount(rows, weights=val * val, minlength=len(ends)))
        norm[norm == 0] = 1.0  # only tokens of weight 0 (char_weight=0): the text scores as empty
        val /= norm[rows]
        for c in range(out.shape[1]):
            out[:, c] += np.bincount(rows, weights=self.coef[c, idx] * val, minlength=len(ends))
        return out

    def probas(
        self, texts: Sequence[str], extras: Sequence[Iterable[str]]
    ) -> list[dict[str, float]]:
        """Class probabilities of several texts (logistic for two classes, softmax over
        one-vs-rest otherwise)."""
        z = self.decisions(texts, extras)
        if len(self.classes) == 2:
            p = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return [{self.classes[0]: 1.0 - float(v), self.classes[1]: float(v)} for v in p]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        e /= e.sum(axis=1, keepdims=True)
        return [dict(zip(self.classes, map(float, r))) for r in e]

    def proba(self, text: str, extra: Iterable[str] = ()) -> dict[str, float]:
        """Class probabilities of one text (see :meth:`probas`)."""
        return self.probas([text], [extra])[0]

    def predict(self, text: str, extra: Iterable[str] = ()) -> str:
        probs = self.proba(text, extra)
        return max(probs, key=probs.__getitem__)

    # -- files -------------------------------------------------------------------------------------
    def to_dict(self, *, digits: int = 5) -> dict:
        """The model as plain JSON data; weights under 10^-digits are left out (sparse, and small
        files). A model may carry another in its meta this way (maturity's article layer)."""
        keep = np.flatnonzero(np.abs(self.coef).max(axis=0) >= 10**-digits)
        inverse = {i: t for t, i in self.vocabulary.items()}
        return {
            "format": FORMAT,
            "meta": self.meta,
            "features": self.features.__dict__,
            "classes": self.classes,
            "intercept": [round(float(v), digits) for v in self.intercept],
            "terms": {
                inverse[i]: [round(float(self.idf[i]), 4)]
                + [round(float(v), digits) for v in self.coef[:, i]]
                for i in keep
            },
        }

    def to_json(self, path: Path, *, digits: int = 5) -> None:
        """Write the model (:meth:`to_dict`)."""
        data = self.to_dict(digits=digits)
        path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n", "utf-8")

    @classmethod
    def from_json(cls, path: Path) -> LinearTextModel:
        try:
            return cls.from_dict(json.loads(Path(path).read_text("utf-8")))
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None

    @classmethod
    def from_dict(cls, data: dict) -> LinearTextModel:
        """The model :meth:`to_dict` gave."""
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} model")
        terms = sorted(data["terms"].items())
        table = np.array([v for _, v in terms], dtype=np.float64).reshape(len(terms), -1)
        return cls(
            classes=list(data["classes"]),
            vocabulary={t: i for i, (t, _) in enumerate(terms)},
            idf=table[:, 0].copy(),
            coef=np.ascontiguousarray(table[:, 1:].T),
            intercept=np.array(data["intercept"], dtype=np.float64),
            features=Features(**data["features"]),
            meta=data.get("meta", {}),
        )
