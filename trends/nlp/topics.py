"""Topics: TF-IDF on lemmas + neighbourhood smoothing + NMF, with automatic k, deterministic.

Input is what the corpus caches per article: the analysed strings of
:func:`trends.nlp.lemmatize.analyze_text`. Steps of :meth:`TopicModel.fit`:

1. **Features** (:class:`LemmaFeatures`): in German articles the noun-like lemmas (capitalised:
   *Rathaus*, *eAkte*, *5G*), in other articles all lemmas; lowercased, plus the parts of German
   compounds (*Digitalisierungsstrategie* -> *digitalisierungsstrategie, digitalisierung,
   strategie*); domain stopwords removed. Sublinear TF-IDF, rows L2-normalised, sparse float32.
   From ``streaming_threshold`` documents on, terms are hashed into 2**20 columns (no vocabulary
   in memory) and names are recovered for the top terms only.
2. **Neighbourhood smoothing**: each document vector is averaged with its ``n_neighbors`` most
   similar documents (cosine in a ``svd_dims``-dimensional LSA projection, weighted by similarity;
   each neighbour contributes its ``anchor_terms`` strongest terms) and pruned back to its
   ``max_row_terms`` largest entries. Short or atypical articles borrow vocabulary from similar
   ones, which keeps NMF from spending topics on a handful of near-duplicates (10kGNAD dev, k=9:
   NMI 0.48 -> 0.55; compound parts: 0.48 -> 0.55; nouns only: 0.53 -> 0.55). Neighbours come from at most ``max_anchors`` documents (all below that).
3. **NMF** with ``nndsvda`` initialisation (deterministic given ``random_state``);
   :class:`~sklearn.decomposition.MiniBatchNMF` from ``streaming_threshold`` documents on.
4. **k** (``n_topics=None``): a sample of documents (``k_search_docs``) is split into random
   halves; for each candidate k, NMF is fitted on each half and the *stability* of k is the mean
   of (a) the agreement of the two models' top terms (average Jaccard of top-20 term sets after a
   one-to-one matching of topics, as in Greene et al. 2014) and (b) the adjusted Rand index of the
   topics the two models give the whole sample. The largest k whose stability is at least
   ``stability_tolerance`` times the best one is chosen: the most detailed model that is about as
   reproducible as the most reproducible one. No labels are involved; candidates run in
   ``n_jobs`` threads (the result does not depend on it).
5. **Other**: topics with fewer than ``min_topic_size`` documents are folded into "other"
   (document label -1), as are documents with no topic weight at all.
6. **Names**: keyphrases per topic (:mod:`trends.nlp.keyphrases`) from each topic's most typical
   documents; the label is built from the best ones ("Bewohnerparkausweis online").

Quarter to quarter, :func:`match_topics` links a new model's topics to the previous model's by the
cosine similarity of their term-weight dicts (:attr:`TopicModel.topic_terms_`, JSON-serialisable).
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import NMF, MiniBatchNMF, TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import normalize
from sklearn.utils import murmurhash3_32
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from trends.nlp.entities import place_feature_words
from trends.nlp.keyphrases import extract_keyphrases, topic_label
from trends.nlp.lemmatize import split_compound
from trends.nlp.text import BOUNDARY, domain_stopwords

OTHER = -1
"""Document label of "other": small topics, empty documents."""

HASH_FEATURES = 2**20
# NMF tolerance in the k search: stability compares rough models, and stopping at 2 % of the
# initial gradient instead of 0.1 % cuts the search to 40 % (10kGNAD dev, 5 seeds: the same k
# choices within one, NMI 0.539 -> 0.548; the 10k benchmark keeps k=18, search 4.1 -> 1.7 s;
# 1 % gave the same choices at 2.2 s)
SEARCH_TOL = 2e-2
# a recent group that fits the topic it came from this far from an unrelated article's fit
# towards that of the topic's own articles (mean cosine to its centre) is part of that topic
# (see find_new_subjects)
PART_OF_OLD = 1 / 3
# A topic that one source's articles make with what all of that source's articles say (council
# minutes: TOP, Vorlage, Beschluss, Ausschuss; an IT provider's "Mitgliedskommunen") is the
# source's form, not a subject: at least FORM_SHARE of its articles come from one source, and its
# component is at least FORM_LIKENESS times as close to the mean of that source's articles in
# other topics as to the mean of other sources' articles (see `source_forms`).
FORM_SHARE = 3 / 4
FORM_LIKENESS = 2.0
# Two topics whose strongest terms, towns' names left out, point more the same way than apart
# (cosine of their term weights at least this) are one subject in two parts (see `_same_terms`)
SAME_TERMS = 0.5


# --- features -------------------------------------------------------------------------------


class TooLittleText(ValueError):
    """The documents give nothing to fit topics on (fewer than 2, or no term that is neither too
    rare nor too common): a property of the data, not a bug, so callers can say so plainly."""


class LemmaFeatures:
    """Analysed string -> feature tokens: lowercase lemmas and, for German compounds, their parts.

    ``nouns=True`` keeps only noun-like lemmas (capitalised, or with an inner capital or digit:
    *Rathaus*, *eAkte*, *5G*) in documents that look German (at least ``NOUN_SHARE`` of their
    lemmas noun-like); other documents (English) keep all lemmas. German nouns carry the topic;
    verbs, adverbs and adjectives mostly add noise (10kGNAD dev, k=9: NMI 0.53 -> 0.55; 0.53 ->
    0.56 on average over 30 smoothing settings). Picklable; the per-instance token cache is not pickled.
    """

    NOUN_SHARE = 0.3

    def __init__(self, compounds: bool = True, stop_words: Iterable[str] = (), nouns: bool = True):
        self.compounds = compounds
        self.nouns = nouns
        self.stop_words = frozenset(w.lower() for w in stop_words)
        self._cache: dict[str, tuple[str, ...]] = {BOUNDARY: ()}

    def __getstate__(self):
        return {
            "compounds": self.compounds,
            "stop_words": sorted(self.stop_words),
            "nouns": self.nouns,
        }

    def __setstate__(self, state):
        self.__init__(state["compounds"], state["stop_words"], state.get("nouns", True))

    def token_features(self, tok: str) -> tuple[str, ...]:
        """Features of one lemma (cached): itself lowercased, and its compound parts."""
        hit = self._cache.get(tok)
        if hit is not None:
            return hit
        stop = self.stop_words
        low = tok.lower()
        feats = [] if low in stop else [low]
        if self.compounds:
            parts = split_compound(tok)
            if len(parts) > 1:
                feats.extend(p.lower() for p in parts if p.lower() not in stop and len(p) > 1)
        out = tuple(feats)
        if len(self._cache) < 1_000_000:
            self._cache[tok] = out
        return out

    def __call__(self, doc: str) -> list[str]:
        toks = doc.split()
        if self.nouns and toks:
            n_marks = toks.count(BOUNDARY)
            nounish = [t for t in toks if not t.islower()]  # includes the markers
            if len(nounish) - n_marks >= self.NOUN_SHARE * (len(toks) - n_marks):
                toks = nounish
        mapped = list(map(self._cache.get, toks))
        if None in mapped:
            for i, hit in enumerate(mapped):
                if hit is None:
                    mapped[i] = self.token_features(toks[i])
        return list(chain.from_iterable(mapped))


@lru_cache(maxsize=1 << 18)
def _hash_column(term: str) -> int:
    return abs(murmurhash3_32(term, seed=0)) % HASH_FEATURES


def count_matrix(
    docs: Sequence[str],
    analyzer: LemmaFeatures,
    vocabulary: dict[str, int] | None = None,
    hashing: bool = False,
    bridge: bool = True,
) -> tuple[sp.csr_matrix, dict[str, int] | None]:
    """Feature counts (float32 CSR), the same as counting ``analyzer(doc)`` per document.

    ``vocabulary=None`` and not ``hashing``: builds a vocabulary (sorted, so the column order does
    not depend on document order); with a vocabulary: unknown features are ignored; ``hashing``:
    column = ``murmurhash3(feature) % 2**20``, no vocabulary kept. ``bridge`` (when building a
    vocabulary for a mostly German corpus): other-language documents keep only features that
    German documents use too.

    Vectorised: lemma tokens get ids with one C-level ``map`` per document, a sparse
    documents x tokens matrix is built once, and a tokens x features matrix (each distinct token
    analysed once) turns it into feature counts, so no Python code runs per token occurrence.
    """
    tok_id: dict[str, int] = {}
    ids: list[int] = []
    id_blocks: list[np.ndarray] = []  # flushed every ~1M ids: Python int lists are big
    lengths: list[int] = []
    get = tok_id.get
    for doc in docs:
        toks = doc.split()
        row = list(map(get, toks))
        if None in row:
            for i, t in enumerate(row):
                if t is None:
                    row[i] = tok_id.setdefault(toks[i], len(tok_id))
        ids.extend(row)
        lengths.append(len(row))
        if len(ids) > 1_000_000:
            id_blocks.append(np.asarray(ids, dtype=np.int32))
            ids = []
    id_blocks.append(np.asarray(ids, dtype=np.int32))
    all_ids = np.concatenate(id_blocks)
    n_docs, n_tok = len(docs), len(tok_id)
    rows = np.repeat(np.arange(n_docs, dtype=np.int32), lengths)
    T = sp.csr_matrix(
        (np.ones(len(all_ids), dtype=np.float32), (rows, all_ids)),
        shape=(n_docs, n_tok),
    )
    del rows, all_ids, id_blocks
    T.sum_duplicates()
    tokens = sorted(tok_id, key=tok_id.__getitem__)
    # German-looking documents: at least NOUN_SHARE of their lemmas noun-like (see LemmaFeatures)
    german = np.zeros(n_docs, dtype=bool)
    if n_tok:
        marker = np.fromiter((t == BOUNDARY for t in tokens), dtype=bool, count=n_tok)
        nounish = np.fromiter((not t.islower() for t in tokens), dtype=bool, count=n_tok) & ~marker
        total = np.asarray(T @ (~marker).astype(np.float32)).ravel()
        nouns = np.asarray(T @ nounish.astype(np.float32)).ravel()
        german = (nouns >= analyzer.NOUN_SHARE * total) & (total > 0)
        if analyzer.nouns:  # German documents keep their noun-like tokens only
            mask = sp.diags(german.astype(np.float32)) @ T @ sp.diags((~nounish).astype(np.float32))
            T = (T - mask).tocsr()
            T.eliminate_zeros()
    building = vocabulary is None and not hashing
    vocab: dict[str, int] = {} if building else (vocabulary or {})
    p_rows: list[int] = []
    p_cols: list[int] = []
    for i, tok in enumerate(tokens):
        for f in analyzer.token_features(tok):
            if building:
                col = vocab.setdefault(f, len(vocab))
            elif hashing:
                col = _hash_column(f)
            else:
                col = vocab.get(f, -1)
                if col < 0:
                    continue
            p_rows.append(i)
            p_cols.append(col)
    n_cols = HASH_FEATURES if hashing else len(vocab)
    P = sp.csr_matrix(
        (np.ones(len(p_rows), dtype=np.float32), (p_rows, p_cols)), shape=(n_tok, n_cols)
    )
    M = (T @ P).tocsr()
    if building and bridge and german.mean() >= 0.5 and not german.all():
        # Mostly German corpus with some English articles: an English article keeps only the
        # features German articles use too (names, acronyms, shared words: LoRaWAN, Soest, app),
        # so it joins its topic instead of forming a topic of its own by language.
        shared = np.asarray(M[german].getnnz(axis=0) >= 2)
        drop = sp.diags((~german).astype(np.float32)) @ M @ sp.diags((~shared).astype(np.float32))
        M = (M - drop).tocsr()
        M.eliminate_zeros()
    if building:  # sort the vocabulary, permute the columns accordingly
        terms = sorted(vocab)
        M = M[:, np.fromiter((vocab[t] for t in terms), dtype=np.int64, count=len(terms))]
        vocab = {t: i for i, t in enumerate(terms)}
    M.sum_duplicates()
    M.sort_indices()
    return M.astype(np.float32).tocsr(), (vocab if building else vocabulary)


def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF (1 + log tf) times idf, rows L2-normalised."""
    X = counts.copy().astype(np.float32)
    np.log(X.data, out=X.data)
    X.data += 1.0
    X = X @ sp.diags(idf.astype(np.float32))
    return normalize(X).astype(np.float32).tocsr()


# --- neighbourhood smoothing ----------------------------------------------------------------


def knn_graph(
    Z: np.ndarray,
    anchors: np.ndarray,
    n_neighbors: int,
    self_index: np.ndarray | None = None,
    chunk: int = 256,
) -> sp.csr_matrix:
    """Row-normalised sparse graph: each row of Z -> its n_neighbors most cosine-similar anchors.

    Z and anchors are dense with L2-normalised rows. ``self_index[i]`` is the anchor index of
    row i (excluded from its own neighbours) or -1. Chunked: memory is chunk x anchors floats.
    """
    n, m = Z.shape[0], anchors.shape[0]
    nn = min(n_neighbors, m - (1 if self_index is not None else 0))
    if nn <= 0 or n == 0:
        return sp.csr_matrix((n, m), dtype=np.float32)
    rows, cols, vals = [], [], []
    AT = np.ascontiguousarray(anchors.T)
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        S = Z[start:stop] @ AT
        if self_index is not None:
            own = self_index[start:stop]
            hit = np.nonzero(own >= 0)[0]
            S[hit, own[hit]] = -np.inf
        idx = np.argpartition(S, -nn, axis=1)[:, -nn:]  # no negated copy of S
        v = np.clip(np.take_along_axis(S, idx, axis=1), 0.0, None)
        rows.append(np.repeat(np.arange(start, stop), nn))
        cols.append(idx.ravel())
        vals.append(v.ravel())
    G = sp.csr_matrix(
        (np.concatenate(vals).astype(np.float32), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n, m),
    )
    G.eliminate_zeros()
    return normalize(G, norm="l1")


def top_per_row(X: sp.csr_matrix, max_terms: int, floor: float = 0.0) -> sp.csr_matrix:
    """Each row's ``max_terms`` largest entries, values unchanged (vectorised, no row loop).
    ``floor``: entries below this fraction of their row's largest are dropped first (cheaper)."""
    X = X.tocsr()
    X.sum_duplicates()
    if floor > 0 and X.nnz:
        row_max = np.asarray(X.max(axis=1).todense()).ravel()
        lengths = np.diff(X.indptr)
        keep = X.data >= floor * np.repeat(row_max, lengths)
        if not keep.all():
            rows = np.repeat(np.arange(X.shape[0]), lengths)[keep]
            X = sp.csr_matrix((X.data[keep], (rows, X.indices[keep])), shape=X.shape, dtype=X.dtype)
    lengths = np.diff(X.indptr)
    if max_terms <= 0 or lengths.max(initial=0) <= max_terms:
        return X
    n, width = X.shape[0], int(lengths.max())
    row_of = np.repeat(np.arange(n), lengths)
    pos = np.arange(X.nnz) - X.indptr[row_of]
    padded = np.full((n, width), -np.inf, dtype=np.float32)
    padded[row_of, pos] = X.data
    keep_pos = np.sort(np.argpartition(-padded, max_terms - 1, axis=1)[:, :max_terms], axis=1)
    valid = keep_pos < lengths[:, None]
    flat = (X.indptr[:-1, None] + keep_pos)[valid]
    out_rows = np.repeat(np.arange(n), valid.sum(1))
    out = sp.csr_matrix((X.data[flat], (out_rows, X.indices[flat])), shape=X.shape, dtype=X.dtype)
    out.eliminate_zeros()
    return out


def prune_rows(X: sp.csr_matrix, max_terms: int, floor: float = 0.0) -> sp.csr_matrix:
    """Keep each row's ``max_terms`` largest entries (see top_per_row), then L2-normalise rows."""
    return normalize(top_per_row(X, max_terms, floor))


# --- topic matching across quarters ---------------------------------------------------------


def term_similarity(
    rows: Sequence[Mapping[str, float]], cols: Sequence[Mapping[str, float]]
) -> np.ndarray:
    """Cosine similarity of term-weight dicts on their union vocabulary, ``rows`` x ``cols``
    (an empty dict is similar to nothing)."""
    vocab = sorted({t for d in (*rows, *cols) for t in d})
    index = {t: i for i, t in enumerate(vocab)}

    def unit(dicts: Sequence[Mapping[str, float]]) -> np.ndarray:
        M = np.zeros((len(dicts), len(vocab)))
        for r, d in enumerate(dicts):
            for t, w in d.items():
                M[r, index[t]] = float(w)
        norms = np.linalg.norm(M, axis=1, keepdims=True)
        return np.divide(M, norms, out=np.zeros_like(M), where=norms > 0)

    return unit(rows) @ unit(cols).T


def match_topics(
    prev_terms: Mapping[Any, Mapping[str, float]],
    new_terms: Sequence[Mapping[str, float]],
    threshold: float = 0.3,
) -> dict[int, Any]:
    """Link new topics to previous ones: ``{new_index: prev_topic_id}``.

    Cosine similarity of the term-weight vectors on the union vocabulary, then a one-to-one
    assignment maximising total similarity (Hungarian, ``scipy.optimize.linear_sum_assignment``);
    pairs below ``threshold`` stay unmatched (a new topic). Pure and deterministic.
    """
    prev_ids = list(prev_terms)
    if not prev_ids or not new_terms:
        return {}
    sim = term_similarity(list(new_terms), [prev_terms[i] for i in prev_ids])
    rows, cols = linear_sum_assignment(sim, maximize=True)
    return {int(r): prev_ids[c] for r, c in zip(rows, cols, strict=True) if sim[r, c] >= threshold}


# --- records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """One fitted topic. ``index`` is its position in the model; stable IDs across quarters are
    assigned by the caller with :func:`match_topics`."""

    index: int
    label: str
    keyphrases: tuple[str, ...]
    terms: dict[str, float] = field(compare=False, hash=False)
    size: int = 0
    other: bool = False


# --- the estimator --------------------------------------------------------------------------


class TopicModel(TransformerMixin, BaseEstimator):
    """TF-IDF + neighbourhood smoothing + NMF over analysed articles (see the module doc).

    Parameters
    ----------
    n_topics : int or None
        Number of topics; None chooses it by stability between ``k_min`` and ``k_max``.
    k_min, k_max : int or None
        Range searched when ``n_topics`` is None (None: 5 and min(30, docs / docs_per_topic)).
    docs_per_topic : int
        Documents per topic the default k_max allows on average.
    stability_tolerance : float
        Auto k is the largest k whose stability >= this fraction of the best stability.
    min_df, max_df : int or float
        Document-frequency bounds of features (relaxed automatically for tiny corpora).
    compounds : bool
        Add the parts of German compounds as features.
    nouns : bool
        Features from noun-like lemmas only, in German documents (see :class:`LemmaFeatures`).
    stop_words : "domain", None or iterable of str
        Feature stopwords: the domain list, none, or your own list.
    n_neighbors : int
        Neighbours for smoothing (0 disables it).
    smoothing : float
        Weight of the neighbours against the document itself.
    svd_dims : int
        Dimensions of the LSA projection used to find neighbours.
    svd_iter : int
        Power iterations of the randomized SVD.
    anchor_terms : int
        Strongest terms a neighbour contributes.
    max_row_terms : int
        Entries kept per smoothed document vector.
    prune_floor : float
        Smoothed entries below this fraction of their row's largest are dropped before that.
    max_anchors : int
        Documents searched for neighbours (a deterministic sample above this).
    min_topic_size : int or None
        Topics with fewer documents go to "other"; None: clip(0.5 % of documents, 3, 15).
    n_terms : int
        Terms kept per topic in ``topic_terms_``.
    n_keyphrases : int
        Keyphrases kept per topic.
    keyphrase_docs : int
        Documents read for keyphrases: each topic's most typical ones, up to this many in all.
    streaming_threshold : int
        From this many documents: hashed features and MiniBatchNMF.
    k_search_docs : int
        Sample size for the search of k.
    n_splits : int or None
        Random split halves per candidate k (more: steadier choice, slower). None: 3 below 500
        sampled documents, 2 below 1000, else 1 (small halves are noisy).
    max_iter : int
        NMF iterations.
    tol : float
        NMF stopping tolerance of the final fit. 1e-3 stops after ~16 instead of ~86 iterations on
        10k documents, at the same reconstruction error (68.26 vs 68.26) and NMI on 10kGNAD.
    n_jobs : int
        Threads for the search of k and the neighbour search (results do not depend on it).
    random_state : int
        Seed for everything random (same input + same params => identical output).
    new_subjects : bool
        With ``recent`` given to :meth:`fit`: carve subjects that only recent documents share
        out of the topics that absorbed them (see :func:`find_new_subjects`).
    new_min_docs, new_min_groups : int
        A new subject needs this many recent documents from this many groups (sources).
    new_neighbors : int
        Nearest neighbours per recent document when grouping them.

    Fitted attributes
    -----------------
    n_topics_, components_ (k x features), doc_topic_ (documents x k, rows sum to 1),
    labels_ (topic per document, -1 = other), topic_sizes_, other_topics_ (bool per topic),
    source_forms_ ({topic: (source, documents)} of topics that were one source's form, fitted
    with ``groups``; their documents are read as the other topics explain them) and form_topics_
    (bool per topic), merged_ ({topic: the topic of the same name it joined}, fitted with
    ``name``; a topic that joined another is then empty, an "other" topic),
    topic_terms_ (list of {term: weight}, top ``n_terms``), keyphrases_ (list of [(phrase,
    score)]), topic_labels_, k_scores_ ({k: stability} when k was chosen), reconstruction_err_,
    feature_names_ (None when hashing), vocabulary_, idf_.
    """

    def __init__(
        self,
        n_topics: int | None = None,
        *,
        k_min: int | None = None,
        k_max: int | None = None,
        stability_tolerance: float = 0.9,
        min_df: int | float = 2,
        max_df: float = 0.5,
        compounds: bool = True,
        nouns: bool = True,
        stop_words: str | Iterable[str] | None = "domain",
        n_neighbors: int = 20,
        smoothing: float = 1.0,
        svd_dims: int = 128,
        svd_iter: int = 2,
        anchor_terms: int = 100,
        max_row_terms: int = 400,
        prune_floor: float = 0.02,
        max_anchors: int = 10000,
        min_topic_size: int | None = None,
        n_terms: int = 50,
        n_keyphrases: int = 10,
        keyphrase_docs: int = 1000,
        streaming_threshold: int = 20000,
        k_search_docs: int = 1000,
        n_splits: int | None = None,
        max_iter: int = 400,
        tol: float = 1e-3,
        n_jobs: int = 2,
        random_state: int = 0,
        new_subjects: bool = True,
        new_min_docs: int = 3,
        new_min_groups: int = 2,
        new_neighbors: int = 3,
        docs_per_topic: int = 10,
    ):
        self.n_topics = n_topics
        self.k_min = k_min
        self.k_max = k_max
        self.stability_tolerance = stability_tolerance
        self.min_df = min_df
        self.max_df = max_df
        self.compounds = compounds
        self.nouns = nouns
        self.stop_words = stop_words
        self.n_neighbors = n_neighbors
        self.smoothing = smoothing
        self.svd_dims = svd_dims
        self.svd_iter = svd_iter
        self.anchor_terms = anchor_terms
        self.max_row_terms = max_row_terms
        self.prune_floor = prune_floor
        self.max_anchors = max_anchors
        self.min_topic_size = min_topic_size
        self.n_terms = n_terms
        self.n_keyphrases = n_keyphrases
        self.keyphrase_docs = keyphrase_docs
        self.streaming_threshold = streaming_threshold
        self.k_search_docs = k_search_docs
        self.n_splits = n_splits
        self.max_iter = max_iter
        self.tol = tol
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.new_subjects = new_subjects
        self.new_min_docs = new_min_docs
        self.new_min_groups = new_min_groups
        self.new_neighbors = new_neighbors
        self.docs_per_topic = docs_per_topic

    # -- features --

    def _analyzer(self) -> LemmaFeatures:
        if isinstance(self.stop_words, str):
            if self.stop_words != "domain":
                raise ValueError(
                    f"stop_words: expected 'domain', None or a list, not {self.stop_words!r}"
                )
            stop: Iterable[str] = domain_stopwords()
        else:
            stop = self.stop_words or ()
        return LemmaFeatures(compounds=self.compounds, stop_words=stop, nouns=self.nouns)

    def _df_bounds(self, n: int) -> tuple[int, float]:
        """(minimum document count, maximum document count) for a feature."""
        if n < 10:
            return 1, float(n)
        lo = self.min_df if isinstance(self.min_df, int) else math.ceil(self.min_df * n)
        hi = self.max_df * n if isinstance(self.max_df, float) else float(self.max_df)
        if hi < 2:
            hi = float(n)
        return max(1, lo), hi

    def _fit_features(self, docs: list[str]) -> sp.csr_matrix:
        n = len(docs)
        self.analyzer_ = self._analyzer()
        self.hashing_ = n >= self.streaming_threshold
        counts, vocab = count_matrix(docs, self.analyzer_, hashing=self.hashing_)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        lo, hi = self._df_bounds(n)
        cols = np.nonzero((df >= lo) & (df <= hi))[0]
        if cols.size == 0:
            raise TooLittleText(f"no usable terms in {n} documents (all too rare or too common)")
        all_names = (
            None if self.hashing_ else np.array(sorted(vocab, key=vocab.__getitem__), dtype=object)
        )
        # kept until the new-subject search has read the documents that are not fitted
        self._fit_counts = (counts, df, vocab, all_names)
        counts = counts[:, cols]
        self.idf_ = (np.log((1.0 + n) / (1.0 + df[cols])) + 1.0).astype(np.float32)
        if all_names is None:
            self.vocabulary_ = None
            self.hash_columns_ = cols
            self.feature_names_ = None  # recovered for top terms only, see _hash_names
        else:
            names = all_names[cols]
            self.feature_names_ = names
            self.vocabulary_ = {str(t): i for i, t in enumerate(names)}
            self.hash_columns_ = None
        return tfidf(counts, self.idf_)

    def _reading_features(
        self, kept: list[str], aside: list[str], older: list[str]
    ) -> tuple[sp.csr_matrix, sp.csr_matrix | None, np.ndarray | None]:
        """The fitted documents and those not fitted (``kept`` ones in other languages, then
        ``aside`` ones) in the fitted features plus the words that one fitted document shares
        with a ``kept`` one (too rare among the fitted ones alone): (rows of the fitted
        documents, then of ``kept`` and ``aside``; rows of ``older`` in the same features; the
        feature names, None when hashed).

        A new subject of three reports, one kept, one set aside and one in English, has one
        fitted document, so the fitted features hold none of its words (stream40's fire-brigade
        drones: Drohne was used by the kept report and, in translation, the English one).
        Set-aside documents add no word, as they give a subject none (see find_new_subjects):
        counted with them as well, stream15 got a false new subject made of two other subjects'
        recent reports (and no subject more was found). Words of the fitted features keep their
        weights; an added word is weighed as a word of one fitted document."""
        counts, df, vocab, all_names = self._fit_counts
        n = counts.shape[0]

        def count(docs: list[str]) -> sp.csr_matrix:
            return count_matrix(docs, self.analyzer_, vocabulary=vocab, hashing=self.hashing_)[0]

        more = kept + aside
        more_counts = count(more) if more else sp.csr_matrix((0, counts.shape[1]), dtype=np.float32)
        lo, hi = self._df_bounds(n)
        df_more = np.bincount(more_counts[: len(kept)].indices, minlength=counts.shape[1])
        fitted = (df >= lo) & (df <= hi)
        shared = ~fitted & (df >= 1) & (df + df_more >= lo) & (df + df_more <= hi)
        cols = np.flatnonzero(fitted | shared)
        idf = (np.log((1.0 + n) / (1.0 + df[cols])) + 1.0).astype(np.float32)
        rows = tfidf(sp.vstack([counts, more_counts], format="csr")[:, cols], idf)
        older_rows = tfidf(count(older)[:, cols], idf) if older else None
        return rows, older_rows, None if all_names is None else all_names[cols]

    def _features(self, docs: list[str]) -> sp.csr_matrix:
        if self.hashing_:
            counts, _ = count_matrix(docs, self.analyzer_, hashing=True)
            counts = counts[:, self.hash_columns_]
        else:
            counts, _ = count_matrix(docs, self.analyzer_, vocabulary=self.vocabulary_)
        return tfidf(counts, self.idf_)

    def _hash_names(self, docs: list[str], wanted: np.ndarray) -> dict[int, str]:
        """Most frequent term per wanted column of the hashed feature space."""
        col_of_hash = {int(h): i for i, h in enumerate(self.hash_columns_)}
        wanted_set = {int(c) for c in wanted}
        counts: dict[int, Counter] = {}
        seen: dict[str, int] = {}
        step = max(1, len(docs) // 5000)  # top terms are frequent: a spread sample finds them
        for doc in docs[::step]:
            for term in self.analyzer_(doc):
                col = seen.get(term)
                if col is None:
                    col = seen[term] = col_of_hash.get(_hash_column(term), -1)
                if col in wanted_set:
                    counts.setdefault(col, Counter())[term] += 1
        return {c: min(cnt.items(), key=lambda kv: (-kv[1], kv[0]))[0] for c, cnt in counts.items()}

    # -- smoothing --

    def _fit_smoothing(self, X: sp.csr_matrix, rng: np.random.RandomState) -> sp.csr_matrix:
        n = X.shape[0]
        self.n_neighbors_ = nn = min(self.n_neighbors, max(0, n // 10))
        self.svd_ = self.anchor_vectors_ = self.anchors_ = None
        if nn <= 0 or self.smoothing <= 0:
            return X
        dims = min(self.svd_dims, X.shape[1] - 1, n - 1)
        if dims < 2:
            return X
        self.svd_ = TruncatedSVD(dims, n_iter=self.svd_iter, random_state=self.random_state)
        Z = normalize(self.svd_.fit_transform(X)).astype(np.float32)
        idx = np.arange(n)
        if n > self.max_anchors:
            idx = np.sort(rng.choice(n, self.max_anchors, replace=False))
        own = np.full(n, -1, dtype=np.int64)
        own[idx] = np.arange(len(idx))
        self.anchor_vectors_ = Z[idx]
        self.anchors_ = top_per_row(X[idx], self.anchor_terms)
        return self._smooth(X, Z, own)

    def _smooth(self, X: sp.csr_matrix, Z: np.ndarray | None = None, own=None) -> sp.csr_matrix:
        """X + smoothing * (similarity-weighted mean of the neighbours' strongest terms), pruned.
        Rows are processed in chunks (bounded memory), ``n_jobs`` chunks at a time."""
        if self.anchors_ is None:
            return X
        if Z is None:
            Z = normalize(self.svd_.transform(X)).astype(np.float32)
        n, chunk = X.shape[0], 1024

        def work(start: int) -> sp.csr_matrix:
            stop = min(n, start + chunk)
            G = knn_graph(
                Z[start:stop],
                self.anchor_vectors_,
                self.n_neighbors_,
                None if own is None else own[start:stop],
            )
            Y = X[start:stop] + self.smoothing * (G @ self.anchors_)
            return prune_rows(Y.astype(np.float32), self.max_row_terms, self.prune_floor)

        with ThreadPoolExecutor(max(1, self.n_jobs)) as pool:
            parts = list(pool.map(work, range(0, n, chunk)))
        return sp.vstack(parts, format="csr").astype(np.float32)

    # -- NMF --

    def _nmf(
        self,
        k: int,
        streaming: bool = False,
        init: str = "nndsvda",
        max_iter: int | None = None,
        tol: float | None = None,
    ):
        if streaming:
            return MiniBatchNMF(
                n_components=k,
                init=init,
                batch_size=2048,
                max_iter=max_iter or 200,
                tol=self.tol if tol is None else tol,
                random_state=self.random_state,
            )
        return NMF(
            n_components=k,
            init=init,
            max_iter=max_iter or self.max_iter,
            tol=self.tol if tol is None else tol,
            random_state=self.random_state,
        )

    def _k_range(self, n: int) -> list[int]:
        k_min = self.k_min if self.k_min is not None else (5 if n >= 100 else 2)
        k_max = (
            self.k_max if self.k_max is not None else min(30, max(k_min, n // self.docs_per_topic))
        )
        k_max = max(k_min, min(k_max, n // 4))
        grid = [k for k in (*range(2, 13), 14, 16, 18, 20, 25, 30) if k_min <= k <= k_max]
        if k_max > 30:
            grid += list(range(35, k_max + 1, 5))
        return grid or [k_min]

    def _stability(self, S: sp.csr_matrix, k: int, halves: list) -> float:
        """Mean over split halves of (top-term agreement + partition ARI) / 2 for k topics."""
        scores = []
        for a, b in halves:
            ma = self._nmf(k, max_iter=200, tol=SEARCH_TOL).fit(S[a])
            mb = self._nmf(k, max_iter=200, tol=SEARCH_TOL).fit(S[b])
            terms = _term_agreement(_top_sets(ma.components_, 20), _top_sets(mb.components_, 20))
            part = adjusted_rand_score(ma.transform(S).argmax(1), mb.transform(S).argmax(1))
            scores.append((terms + part) / 2)
        return float(np.mean(scores))

    def _select_k(self, Xs: sp.csr_matrix, rng: np.random.RandomState) -> int:
        """Largest k whose split-half stability is >= stability_tolerance x the best one."""
        n = Xs.shape[0]
        grid = self._k_range(n)
        if len(grid) == 1:
            return grid[0]
        m = min(n, self.k_search_docs)
        sample = np.sort(rng.choice(n, m, replace=False)) if m < n else np.arange(n)
        S = Xs[sample]
        # rare terms do not decide k: keep the columns that weigh most in the sample
        weight = np.asarray(S.sum(0)).ravel()
        cols = np.sort(np.argsort(-weight, kind="stable")[: min(S.shape[1], 4000)])
        S = normalize(S[:, cols])
        n_splits = self.n_splits or max(1, min(3, round(1000 / m)))
        halves = []
        for _ in range(max(1, n_splits)):
            perm = rng.permutation(m)
            halves.append((np.sort(perm[: m // 2]), np.sort(perm[m // 2 :])))
        # Ascending k in batches of 2 (fixed, so the result does not depend on n_jobs); stop once
        # the last 3 candidates are all below the tolerance line: stability falls with k.
        tol = self.stability_tolerance
        scores: dict[int, float] = {}
        with warnings.catch_warnings():  # the search caps NMF iterations on purpose
            warnings.simplefilter("ignore", ConvergenceWarning)
            with ThreadPoolExecutor(max(1, self.n_jobs)) as pool:
                for start in range(0, len(grid), 2):
                    batch = grid[start : start + 2]
                    for k, sc in zip(
                        batch, pool.map(lambda k: self._stability(S, k, halves), batch), strict=True
                    ):
                        scores[k] = round(sc, 6)
                    best = max(scores.values())
                    tail = list(scores.values())[-3:]
                    if len(scores) >= 5 and all(v < tol * best for v in tail):
                        break
        self.k_scores_ = scores
        best = max(scores.values())
        return max(k for k, v in scores.items() if v >= tol * best)

    # -- public API --

    def fit(
        self,
        X: Iterable[str],
        y: Any = None,
        langs: Sequence[str] | str | None = None,
        recent: Sequence[bool] | None = None,
        groups: Sequence[str] | None = None,
        extra: Iterable[str] | None = None,
        extra_groups: Sequence[str] | None = None,
        background: Iterable[str] | None = None,
        extra_translated: Sequence[bool] | None = None,
        aside: Iterable[str] | None = None,
        aside_groups: Sequence[str] | None = None,
        aside_foreign: Sequence[bool] | None = None,
        aside_translated: Sequence[bool] | None = None,
        older_aside: Iterable[str] | None = None,
        name: Callable[[list[tuple[str, float]]], str] | None = None,
    ):
        """Fit on analysed strings (``analyze_text`` output). ``langs`` (one per document or one
        for all, default German) selects the keyphrase patterns. ``recent`` (one flag per
        document) and ``groups`` (its source) let a subject that only the latest documents share
        become a topic of its own while small (``new_subjects``).

        ``extra``: recent documents in other languages, which the model is not fitted on (their
        words would make topics by language) but which count for a new subject with the words
        they share with the fitted ones (``extra_groups``: their sources). ``extra_labels_`` then
        gives, per extra document, the new subject's topic it belongs to, or -1 (place it with
        :meth:`transform` as any other document). ``extra_translated`` marks the extra documents
        that carry a translation into the fitted language (see :func:`find_new_subjects`).

        ``background``: documents of the same language the model is not about (the articles set
        aside as off-topic): keyphrases are scored against them too, so a phrase that every press
        release carries ("Veranstaltung", "Bedarf") names no topic. They are not fitted.

        ``aside``: recent documents set aside as off-topic (their sources: ``aside_groups``).
        They are not fitted and make no subject, but one may complete a new subject that two
        kept documents make (see :func:`find_new_subjects`): a per-article judgement misses a
        report whose digital part is a detail, the subject's other reports do not.
        ``aside_foreign`` marks those in another language than the fitted one, and
        ``aside_translated`` those of them that carry a translation, as for extra documents.
        ``aside_labels_`` gives, per aside document, the new subject's topic it joined, or -1.
        ``older_aside``: older documents set aside (fitted language): a word they use too makes
        no new subject (see :func:`find_new_subjects`).

        ``name``: how the caller names a topic from its keyphrases (analyze's readable label,
        which leaves out places and people); topics of one such name are one subject in two parts
        and are merged. Without it nothing is merged: the model's own labels may be a town's name
        ("Bad Honnef" named two subjects of one town's articles in a written stream)."""
        # BLAS threads only slow the small dense products down and fight with the k-search threads
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(
                X,
                langs,
                recent,
                groups,
                extra,
                extra_groups,
                background,
                extra_translated,
                aside,
                aside_groups,
                aside_foreign,
                aside_translated,
                older_aside,
                name,
            )

    def _fit(
        self,
        X: Iterable[str],
        langs: Sequence[str] | str | None,
        recent: Sequence[bool] | None = None,
        groups: Sequence[str] | None = None,
        extra: Iterable[str] | None = None,
        extra_groups: Sequence[str] | None = None,
        background: Iterable[str] | None = None,
        extra_translated: Sequence[bool] | None = None,
        aside: Iterable[str] | None = None,
        aside_groups: Sequence[str] | None = None,
        aside_foreign: Sequence[bool] | None = None,
        aside_translated: Sequence[bool] | None = None,
        older_aside: Iterable[str] | None = None,
        name: Callable[[list[tuple[str, float]]], str] | None = None,
    ):
        docs = _as_docs(X)
        extra_docs = _as_docs(extra) if extra is not None else []
        if extra_groups is not None and len(extra_groups) != len(extra_docs):
            raise ValueError(f"{len(extra_docs)} extra documents but {len(extra_groups)} groups")
        aside_docs = _as_docs(aside) if aside is not None else []
        if aside_groups is not None and len(aside_groups) != len(aside_docs):
            raise ValueError(f"{len(aside_docs)} aside documents but {len(aside_groups)} groups")
        n = len(docs)
        if n < 2:
            raise TooLittleText(f"need at least 2 documents to find topics, got {n}")
        if langs is None or isinstance(langs, str):
            lang_list = [langs or "de"] * n
        else:
            lang_list = list(langs)
            if len(lang_list) != n:
                raise ValueError(f"{n} documents but {len(lang_list)} languages")
        rng = np.random.RandomState(self.random_state)
        X0 = self._fit_features(docs)
        Xs = self._fit_smoothing(X0, rng)
        self.k_scores_ = {}
        if self.n_topics is None:
            k = self._select_k(Xs, rng)
        else:
            k = int(self.n_topics)
            if k < 1:
                raise ValueError(f"n_topics must be >= 1, got {k}")
        k = max(1, min(k, n, Xs.shape[1]))
        self.n_topics_ = k
        self.nmf_ = self._nmf(k, streaming=self.hashing_)
        W = self.nmf_.fit_transform(Xs)
        self.reconstruction_err_ = float(self.nmf_.reconstruction_err_)
        self.new_topics_ = []
        self.extra_labels_ = np.full(len(extra_docs), OTHER, dtype=np.int64)
        self.aside_labels_ = np.full(len(aside_docs), OTHER, dtype=np.int64)
        min_size = self.min_topic_size
        if min_size is None:
            min_size = int(np.clip(round(0.005 * n), 3, 15)) if n >= 50 else 1
        self.min_topic_size_ = min_size
        if self.new_subjects and recent is not None:
            flags = np.asarray(recent, dtype=bool)
            if len(flags) != n or (groups is not None and len(groups) != n):
                raise ValueError(f"{n} documents but {len(flags)} recent flags or groups")
            group_of = np.asarray(groups if groups is not None else range(n), dtype=object)
            Xfit, labels_a = X0, W.argmax(1)
            # rows after the fitted ones: extra, then aside documents; in the fitted features
            # (what a new topic's component is made of) and in those the search reads
            Xa, older_rows, names = self._reading_features(
                extra_docs, aside_docs, _as_docs(older_aside) if older_aside else []
            )
            start = n
            for more_docs, more_groups in ((extra_docs, extra_groups), (aside_docs, aside_groups)):
                if not more_docs:
                    continue
                Xm = self._features(more_docs)
                Xfit = sp.vstack([Xfit, Xm], format="csr")
                labels_a = np.concatenate(
                    [labels_a, self.nmf_.transform(self._smooth(Xm)).argmax(1)]
                )
                flags = np.concatenate([flags, np.ones(len(more_docs), dtype=bool)])
                if more_groups is None:
                    more_groups = range(start, start + len(more_docs))
                group_of = np.concatenate([group_of, np.asarray(list(more_groups), dtype=object)])
                start += len(more_docs)
            rows = np.arange(Xa.shape[0])
            n_extra, n_aside = len(extra_docs), len(aside_docs)
            found = find_new_subjects(
                Xa,
                flags,
                group_of,
                labels_a,
                neighbors=self.new_neighbors,
                min_docs=self.new_min_docs,
                min_groups=self.new_min_groups,
                foreign=np.concatenate(
                    [
                        np.zeros(n, dtype=bool),
                        np.ones(n_extra, bool),
                        _flags(aside_foreign, n_aside),
                    ]
                ),
                translated=np.concatenate(
                    [
                        np.zeros(n, dtype=bool),
                        _flags(extra_translated, n_extra),
                        _flags(aside_translated, n_aside),
                    ]
                ),
                aside=rows >= n + n_extra,
                min_topic=min_size,
                names=names,
                older_aside=older_rows,
            )
            W = self._add_topics(W, Xfit, found)
            k = self.n_topics_
        # its articles are read as the other topics explain them (a carved subject passed its own
        # test of sources)
        self.source_forms_ = {}
        if groups is not None:
            forms = source_forms(
                X0, self.nmf_.components_, W, np.asarray(groups, dtype=object), min_size
            )
            self.source_forms_ = {j: f for j, f in forms.items() if j not in self.new_topics_}
        self.form_topics_ = np.isin(np.arange(k), list(self.source_forms_))
        W[:, self.form_topics_] = 0.0
        self._fit_counts = None
        self.components_ = self.nmf_.components_
        self.merged_ = {}
        self._describe(W, docs, lang_list, background, min_size)
        # Two topics of one name are one subject in two parts (a written stream's shared
        # IT-security centre as 10 + 3 articles; the demo's E-Akte as three topics once its lemmas
        # were spelled anew): the smaller part joins the larger. A new subject keeps its own.
        merged = self._same_terms(self._same_names(name)) if name is not None else {}
        if merged:
            self.merged_ = merged
            self._describe(self._merge(W), docs, lang_list, background, min_size)
        return self

    def _same_names(self, name: Callable[[list[tuple[str, float]]], str]) -> dict[int, int]:
        """{topic: the larger topic of the same `name` it joins}, for topics that are not new."""
        by_name: dict[str, list[int]] = {}
        for j in self._mergeable():
            by_name.setdefault(name(self.keyphrases_[j]) or self.topic_labels_[j], []).append(j)
        out = {}
        for same in by_name.values():
            keep = max(same, key=lambda j: (self.topic_sizes_[j], -j))
            out.update({j: keep for j in same if j != keep and j not in self.new_topics_})
        return out

    def _same_terms(self, merged: dict[int, int]) -> dict[int, int]:
        """``merged`` ({topic: the topic it joins}) and the topics that say what another says
        apart from where: the cosine of their strongest terms, towns' names left out, at least
        ``SAME_TERMS``; the smaller joins the larger. Each town naming its own product split a
        written stream's citizens' app of 40 reports into four topics ("Unna-App",
        "Emmerich-App", …: 0.55-0.62 without the names, 0.42-0.48 with them); on 81 written
        streams 25 of the 33 pairs of topics at 0.33 or more were one subject in two parts, and
        every pair at 0.5 or more that is not a new subject (a new subject keeps its own)."""
        place = place_feature_words()
        live = [j for j in self._mergeable() if j not in self.new_topics_]
        # terms are lower-case lemmas: a compound that holds a name is hyphenated ("unna-app")
        unplaced = [
            {
                t: w
                for t, w in self.topic_terms_[j].items()
                if not any(p in place for p in t.split("-"))
            }
            for j in live
        ]
        sim = term_similarity(unplaced, unplaced)
        root = dict(merged)

        def find(j: int) -> int:
            while j in root:
                j = root[j]
            return j

        pairs = sorted(
            (
                (float(sim[x, y]), a, b)
                for x, a in enumerate(live)
                for y, b in enumerate(live)
                if x < y
            ),
            key=lambda pair: (-pair[0], pair[1], pair[2]),
        )
        for cosine, a, b in pairs:
            if cosine < SAME_TERMS:
                break
            a, b = find(a), find(b)
            # a part may already have joined a new subject by its name: that one keeps its own
            if a != b and a not in self.new_topics_ and b not in self.new_topics_:
                keep, drop = sorted((a, b), key=lambda j: (-self.topic_sizes_[j], j))
                root[drop] = keep
        return {j: find(j) for j in root}

    def _mergeable(self) -> list[int]:
        """Topics that may join another or take one in: with articles, neither the topic of
        what fits no other nor one source's form."""
        return [
            j
            for j in range(len(self.topic_sizes_))
            if self.topic_sizes_[j] and not self.other_topics_[j] and not self.form_topics_[j]
        ]

    def _merge(self, W: np.ndarray) -> np.ndarray:
        for j, keep in self.merged_.items():
            W[:, keep] += W[:, j]
            W[:, j] = 0.0
        return W

    def _describe(self, W, docs, lang_list, background, min_size) -> None:
        """Document weights, sizes, labels, terms and keyphrases of the topics from `W`."""
        k = W.shape[1]
        self.doc_topic_ = _row_normalize(W)
        argmax = W.argmax(1)
        empty = W.max(1) <= 1e-12
        sizes = np.bincount(argmax[~empty], minlength=k)
        self.topic_sizes_ = sizes
        # a carved subject passed its own test of size and sources
        self.other_topics_ = (sizes < min_size) & ~np.isin(np.arange(k), self.new_topics_)
        labels = argmax.copy()
        labels[empty | self.other_topics_[argmax]] = OTHER
        self.labels_ = labels
        self.topic_terms_ = self._topic_terms(docs)
        kp_labels = np.where(empty, OTHER, argmax)
        pick = _representative_docs(W, kp_labels, self.keyphrase_docs)
        bg = _as_docs(background) if background is not None else []
        kps = extract_keyphrases(
            [docs[i] for i in pick] + bg,
            kp_labels[pick].tolist() + [OTHER] * len(bg),
            [lang_list[i] for i in pick] + [lang_list[0]] * len(bg),
            top_n=self.n_keyphrases,
        )
        self.keyphrases_ = [kps.get(j, []) for j in range(k)]
        self.topic_labels_ = [
            topic_label(kp) or ", ".join(list(self.topic_terms_[j])[:3])
            for j, kp in enumerate(self.keyphrases_)
        ]

    def _add_topics(self, W: np.ndarray, X: sp.csr_matrix, subjects: list[np.ndarray]):
        """One topic per new subject: its component is the mean of its documents' features
        (scaled like the others), and its documents belong to it alone."""
        if not subjects:
            return W
        H = np.asarray(self.nmf_.components_, dtype=np.float64)
        scale = float(np.linalg.norm(H, axis=1).mean()) or 1.0
        rows, W = [], np.hstack([W, np.zeros((W.shape[0], len(subjects)))])
        n = W.shape[0]
        for j, docs in enumerate(subjects):
            h = np.asarray(X[docs].mean(axis=0)).ravel()
            rows.append(h * (scale / (np.linalg.norm(h) or 1.0)))
            col = H.shape[0] + j
            fitted = docs[docs < n]
            W[fitted] = 0.0
            W[fitted, col] = 1.0
            for d in docs[docs >= n] - n:  # extra rows, then aside rows
                if d < len(self.extra_labels_):
                    self.extra_labels_[d] = col
                else:
                    self.aside_labels_[d - len(self.extra_labels_)] = col
            self.new_topics_.append(col)
        H = np.vstack([H, *rows]).astype(self.nmf_.components_.dtype)
        self.nmf_.components_ = H
        self.nmf_.n_components = H.shape[0]
        if hasattr(self.nmf_, "_n_components"):
            self.nmf_._n_components = H.shape[0]
        self.n_topics_ = H.shape[0]
        return W

    def fit_transform(
        self, X, y=None, langs=None, recent=None, groups=None, extra=None, extra_groups=None
    ):
        """Fit and return the training documents' topic weights (rows sum to 1)."""
        return self.fit(
            X, y, langs=langs, recent=recent, groups=groups, extra=extra, extra_groups=extra_groups
        ).doc_topic_

    def transform(self, X: Iterable[str]) -> np.ndarray:
        """Topic weights of new analysed documents (rows sum to 1; all-zero for empty documents).
        New documents are smoothed with their neighbours among the training documents."""
        check_is_fitted(self, "components_")
        docs = _as_docs(X)
        if not docs:
            return np.zeros((0, self.n_topics_))
        with threadpool_limits(limits=1, user_api="blas"):
            Xs = self._smooth(self._features(docs))
            W = self.nmf_.transform(Xs)
            W[:, self.form_topics_] = 0.0
            return _row_normalize(self._merge(W))

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """Topic index per document, -1 for "other" (small topics, no topic weight)."""
        W = self.transform(X)
        labels = W.argmax(1)
        labels[(W.max(1) <= 1e-12) | self.other_topics_[labels]] = OTHER
        return labels

    def topics(self) -> list[Topic]:
        """The fitted topics as records (label, keyphrases, top terms, size, other flag)."""
        check_is_fitted(self, "components_")
        return [
            Topic(
                index=j,
                label=self.topic_labels_[j],
                keyphrases=tuple(p for p, _ in self.keyphrases_[j]),
                terms=dict(self.topic_terms_[j]),
                size=int(self.topic_sizes_[j]),
                other=bool(self.other_topics_[j]),
            )
            for j in range(self.n_topics_)
        ]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "components_")
        return np.array([f"topic{j}" for j in range(self.n_topics_)], dtype=object)

    def _topic_terms(self, docs: list[str]) -> list[dict[str, float]]:
        H = np.asarray(self.components_, dtype=np.float64)
        tops = [np.argsort(-h, kind="stable")[: self.n_terms] for h in H]
        if self.feature_names_ is not None:
            names = self.feature_names_

            def lookup(c: int) -> str:
                return str(names[c])
        else:
            found = self._hash_names(docs, np.unique(np.concatenate(tops)))

            def lookup(c: int) -> str:
                return found.get(int(c), f"#{int(c)}")

        out = []
        for h, top in zip(H, tops, strict=True):
            total = h.sum() or 1.0
            out.append({lookup(c): round(float(h[c] / total), 6) for c in top if h[c] > 0})
        return out


# --- new subjects ---------------------------------------------------------------------------


def find_new_subjects(
    X: sp.csr_matrix,
    recent: np.ndarray,
    groups: np.ndarray,
    labels: np.ndarray,
    *,
    neighbors: int = 3,
    min_docs: int = 3,
    min_groups: int = 2,
    top_terms: int = 20,
    novelty: float = 1 / 3,
    foreign: np.ndarray | None = None,
    translated: np.ndarray | None = None,
    min_topic: int = 1,
    names: Sequence[str] | None = None,
    aside: np.ndarray | None = None,
    older_aside: sp.csr_matrix | None = None,
) -> list[np.ndarray]:
    """Groups of recent documents on a subject whose words the older documents do not use.

    A topic model spends its k topics on what is big over the whole window, so a subject that
    appears with three or four articles in the last quarters is absorbed into a larger topic.
    Here recent documents that use a bursting word (see below) are linked when each is among the
    other's ``neighbors`` most similar documents of the whole window (cosine of unsmoothed TF-IDF rows: smoothing would lend them the
    vocabulary of the big topic around them). A connected group is a new subject when some of its
    ``top_terms`` strongest terms burst: at most one older document uses them (one stray earlier
    mention does not make a subject old) and at least ``min_docs`` of the group's documents, from
    ``min_groups`` groups (sources), do, and the fresh words (those at most one older document
    uses) carry ``novelty`` of the weight of the group's strongest terms; leftover documents that are only each other's nearest
    neighbours share no such word. The subject's documents are those of the group that use a
    bursting term, and other recent documents that use two of them; a member that an older
    document outdoes (it comes as close to the centre as the loosest member does to the centre
    of the others) is peeled off while the rest still make a subject. It is the recent part of an old subject,
    not a new one, when an older document still outdoes one of those, or when its documents fit
    the topic most of them are in (mean cosine to its centre) ``PART_OF_OLD`` of the way from
    where the documents of other topics fit it to where its own do: on the written streams new
    subjects lie at 0.02-0.11 of the way, the recent parts of old subjects that found a fresh
    word at 0.37-0.76 (an e-invoice portal now used by the culture centre too), and a new
    subject among the berlin.de releases, an online portal for booking sports grounds, at 0.20
    of the way into a broad digital-administration topic. It is skipped when the model already
    gave it a topic of its own (it holds more than half of the topic most of its documents are
    in, that topic has the ``min_topic`` fitted documents it needs to stay a topic, and no older
    document: stream28's night-time noise sensors shared a topic with a 2025 heat warning and a
    council minute, which made it read stable).

    ``foreign`` marks recent documents in another language than the rest (their rows hold only
    the words they share with it: names, acronyms, loan words; and, where ``translated``, the
    nouns a dictionary gives for theirs). Such a document may not use the other language's
    words, so for a word that no foreign document uses it counts towards the word's
    ``min_docs`` when it is in the group and shares a fresh word with another member (the
    English report on Wuppertal's cemetery register names Ronsdorf and Vohwinkel, not
    *Friedhof*); a word still needs two documents that use it. ``names`` (the feature names,
    None when hashed) let a compound and its own part count as one word. Foreign documents are grouped
    after the main-language ones, and a ``min_topic`` of 1 keeps the old rule that any topic the
    model gave a group is its home.

    ``aside`` marks recent documents set aside as off-topic (not fitted, like foreign ones, and
    not counted in a topic's size): they take part like any other (a foreign one as a foreign
    one), but a subject needs two documents that are not aside. ``older_aside``: rows of older
    documents set aside as off-topic (in the same features). A word that they use as well is
    fresh only to the kept news (road works say Straße every week): it counts towards a subject's
    weight but makes no subject (stream29's gully sensors were joined with three set-aside local
    news items by Straße alone). Returns document indices per subject, in a deterministic order."""
    old = np.flatnonzero(~recent)
    if int(np.sum(recent)) < min_docs or len(old) == 0:
        return []
    foreign = np.zeros(X.shape[0], dtype=bool) if foreign is None else np.asarray(foreign, bool)
    foreign &= recent
    aside = np.zeros(X.shape[0], dtype=bool) if aside is None else np.asarray(aside, bool) & recent
    Xn = normalize(X.astype(np.float64))
    present = (Xn > 0).astype(np.int32).tocsc()
    present_old = present[old].tocsc()
    old_uses = np.asarray(present_old.sum(axis=0)).ravel()
    fresh_term = old_uses <= 1
    if older_aside is not None:  # see `older_aside` above
        old_uses = old_uses + np.asarray((older_aside > 0).sum(axis=0)).ravel()
    own_term = old_uses <= 1
    # only recent documents that use a word bursting in enough of them can belong to a new
    # subject: the neighbour search (the costly part) is run for these alone
    recent_docs = np.flatnonzero(recent & ~foreign)
    recent_uses = np.asarray(present[recent_docs].sum(axis=0)).ravel()
    foreign_docs = np.flatnonzero(foreign)
    # words some kept foreign document uses: the others are the main language's own (a set-aside
    # one's translation must not take that from a word the kept reports share)
    foreign_term = np.asarray(present[np.flatnonzero(foreign & ~aside)].sum(axis=0)).ravel() > 0
    bursting = fresh_term & (recent_uses >= min_docs)
    if len(foreign_docs):  # two main-language documents may make a subject with a foreign one
        # (which uses the word too, in translation, or stands in for it: see the core terms)
        bursting |= fresh_term & (recent_uses >= 2)
    rec = recent_docs[np.asarray(present[recent_docs][:, bursting].sum(axis=1)).ravel() > 0]
    if len(rec) < (2 if len(foreign_docs) else min_docs):
        return []
    m = min(neighbors, X.shape[0] - 1)
    near = _nearest(Xn, rec, m, skip=foreign)  # foreign documents join afterwards, below
    where = {int(d): i for i, d in enumerate(rec)}
    parent = list(range(len(rec)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, row in enumerate(near):
        for d in row:
            j = where.get(int(d))
            if j is not None and j > i and rec[i] in near[j]:
                parent[root(i)] = root(j)
    comps: dict[int, list[int]] = {}
    for i in range(len(rec)):
        comps.setdefault(root(i), []).append(int(rec[i]))
    if len(foreign_docs):
        # A foreign document joins a group of main-language documents that holds most of its
        # nearest main-language documents (compared with those only: among themselves foreign
        # documents are alike by language), or else, when it holds only the names and loan words
        # it shares with them (no translation), the group with the most fresh words that it and
        # two of the group's documents use. A translation's words are no such evidence: the
        # survey in "Low-code survey" brings Studie and Analyse, which a feasibility study on the
        # EUDI wallet uses (the demo cut to three wallet articles then lost its new topic).
        native_nearest = _nearest(Xn, foreign_docs, m, skip=foreign)
        pairs = [(r, np.asarray(c)) for r, c in sorted(comps.items()) if len(c) >= 2]
        shared = [fresh_term & (np.asarray(present[c].sum(axis=0)).ravel() >= 2) for _, c in pairs]
        foreign_present = present[foreign_docs].tocsr()
        for i, (f, row) in enumerate(zip(foreign_docs, native_nearest, strict=True)):
            roots = Counter(root(where[int(d)]) for d in row if int(d) in where)
            best = min(roots.items(), key=lambda kv: (-kv[1], kv[0])) if roots else (0, 0)
            if 2 * best[1] > len(row):
                comps[best[0]].append(int(f))
                continue
            if translated is not None and translated[f]:
                continue
            own = foreign_present[i].indices
            counts = [int(w[own].sum()) for w in shared]
            if counts and max(counts) > 0:
                comps[pairs[int(np.argmax(counts))][0]].append(int(f))
    # a topic's fitted documents decide whether it stays one; foreign and aside rows are not
    # fitted, and aside ones are in no topic
    sizes = np.bincount(labels[~aside], minlength=int(labels.max()) + 1)
    fitted = ~foreign & ~aside
    fitted_sizes = np.bincount(labels[fitted], minlength=len(sizes))
    recent_present = present[rec].tocsr()

    def enough(docs: np.ndarray) -> bool:
        """Enough documents for a subject: in number, sources, main-language and kept ones."""
        return (
            len(docs) >= min_docs
            and len(set(groups[docs])) >= min_groups
            and np.sum(~foreign[docs]) >= min(2, min_docs)  # main-language part taken before
            and np.sum(~aside[docs]) >= min(2, min_docs)  # set aside: completes, never makes
        )

    out: list[np.ndarray] = []
    taken: set[int] = set()
    for comp in sorted(comps.values(), key=lambda c: c[0]):
        if len(comp) < min_docs:
            continue
        comp_a = np.array(sorted(comp))
        if np.sum(~aside[comp_a]) < 2:
            continue
        # set-aside members may complete a subject, not give it its words (stream11's new topic
        # drew five set-aside local news items into its group, whose centre they then made)
        centre = np.asarray(Xn[comp_a[~aside[comp_a]]].mean(axis=0)).ravel()
        strongest = np.argsort(-centre, kind="stable")[:top_terms]
        top = strongest[(centre[strongest] > 0) & fresh_term[strongest]]
        uses = present[comp_a][:, top].toarray() > 0  # group documents x fresh top terms
        # attached foreign members use a word in translation or stand in for the main-language
        # words they cannot use; a word's freshness is known from the main-language documents
        # (older foreign ones are not seen), so it needs two of them
        native = ~foreign[comp_a]
        tied = foreign[comp_a]
        core, strong, joined = [], [], np.zeros(len(comp_a), dtype=bool)
        for c, t in enumerate(top):
            if not own_term[t]:  # older set-aside news uses it: it makes no subject
                continue
            users = uses[:, c] if foreign_term[t] else uses[:, c] | tied
            if (
                uses[native, c].sum() >= 2
                and users.sum() >= min_docs
                and len(set(groups[comp_a[users]])) >= min_groups
            ):
                core.append(t)
                joined |= users & tied
                if uses[native, c].sum() >= min_docs:  # used in the main language
                    strong.append(t)
        # a recurring name in the recent part of an old subject bursts too ("Miriam Kleinschmidt"
        # in Paderborn's parking news); a new subject's own words carry a good part of its weight
        # (demo, stream, cut demo: new subjects 0.49-0.69, such parts 0.14)
        if not core or centre[top].sum() < novelty * centre[strongest].sum():
            continue
        # a fresh word may have one older mention (a stray), and so may the subject: one older
        # document that uses two of its words (stream10's first-responder app: App and Nähe of
        # seven). Two such documents, or one that uses three of its words (all, when it has
        # fewer), are earlier reports on it: the subject is not new. A compound and its own part
        # are one word (one older "Frühjahr" held back the first stream's new topic, whose
        # articles say Frühjahr and so jahr).
        distinct = _distinct([_name(names, t) for t in core])
        uses = _uses(present_old, core, names) + [0, 0]
        if distinct > 1 and (uses[0] >= min(3, distinct) or uses[1] >= 2):
            continue
        hits = np.asarray(recent_present[:, core].sum(axis=1)).ravel()
        in_group = np.isin(rec, comp_a)
        chosen = rec[in_group & (hits >= 1)]
        if strong:  # other recent documents join by the words the group's documents all use
            hits = np.asarray(recent_present[:, strong].sum(axis=1)).ravel()
            chosen = np.union1d(chosen, rec[hits >= min(2, len(strong)) + (len(strong) == 1)])
        chosen = np.concatenate([chosen, comp_a[joined]])
        # a set-aside document was judged off-topic on its own: one shared word (a detour, the
        # winter service) does not outweigh that, two of the subject's words do (its one word,
        # when it has one: EUDI-Wallet)
        chosen = [
            d
            for d in chosen
            if not aside[d] or _uses(present[[d]], core, names)[0] >= min(2, distinct)
        ]
        docs = np.array(sorted(int(d) for d in chosen if int(d) not in taken), dtype=np.int64)
        if not enough(docs):
            continue
        # A member that an older article outdoes came in by a few shared words (a road-works
        # report naming the civil-engineering office joined three on sensors at bridges, and an
        # older road-works report then came as close to the group's centre as it did: stream22).
        # It is peeled off while the rest are still enough for a subject; when an older article
        # still comes as close then, the group is the recent part of an old subject. (Peeling alone, tried in stop 34, made
        # the recent parts of old subjects new on stream11 and stream15: the test of their fit
        # to the old topic below, since stop 38, keeps those.) Foreign rows hold only the shared
        # words, so they are not the measure of a member.
        docs = _peel_intruders(Xn, docs, old, ~foreign, enough)
        if docs is None:
            continue
        # its documents are spoken for either way: by this subject, or by the topic the model
        # already has for it (no part of which makes another one)
        taken.update(docs.tolist())
        kept = labels[docs[~aside[docs]]]
        majority = Counter(kept.tolist()).most_common(1)[0][0]
        # (a topic that also holds an older article is not the subject's own: that article dates
        # it back, and the subject reads stable in it)
        older_members = np.setdiff1d(np.flatnonzero((labels == majority) & fitted & ~recent), docs)
        if (
            2 * np.sum(kept == majority) > sizes[majority]
            and fitted_sizes[majority] >= min_topic
            and not len(older_members)
        ):
            continue
        # a group whose documents sit in the topic they came from nearly as well as that topic's
        # own documents is the recent part of an old subject that found a fresh word (an
        # e-invoice portal now used by the culture centre too), not a new one
        # (measured on its fitted members: foreign rows hold only the shared words)
        mine = docs[fitted[docs]]
        rest = np.setdiff1d(np.flatnonzero((labels == majority) & fitted), docs)
        others = np.setdiff1d(np.flatnonzero((labels != majority) & fitted), docs)
        if len(mine) and len(rest) and _fit_to(Xn, mine, rest, others) >= PART_OF_OLD:
            continue
        out.append(docs)
    return out


def _distinct(words: Sequence[str]) -> int:
    """How many of ``words`` are words of their own: a compound's own part counts with it (the
    features hold *frühjahr* and its part *jahr*: one word)."""
    return sum(1 for w in words if not any(w != v and w in v for v in words))


def _uses(rows: sp.csc_matrix, terms: list[int], names: Sequence[str] | None) -> list[int]:
    """How many of ``terms`` each of ``rows`` uses, counted by `_distinct`, most first.
    ``names``: the feature names (None with hashed features: then every term counts)."""
    used = rows[:, terms].tocsr()
    counts = [
        _distinct([_name(names, terms[j]) for j in used[r].indices]) for r in range(used.shape[0])
    ]
    return sorted(counts, reverse=True)


def _name(names: Sequence[str] | None, term: int) -> str:
    # hashed features have no names: each column is a word of its own, so its stand-in must
    # contain no other ("12" is inside "112", "#12#" is not inside "#112#")
    return names[term] if names is not None else f"#{term}#"


def _nearest(
    Xn: sp.csr_matrix, rows: np.ndarray, m: int, skip: np.ndarray | None = None
) -> np.ndarray:
    """The ``m`` most cosine-similar documents of each of ``rows`` (itself and ``skip`` left
    out), most similar first; ties by index, so re-runs are byte-identical."""
    near = np.empty((len(rows), m), dtype=np.int64)
    for start in range(0, len(rows), 1024):
        part = rows[start : start + 1024]
        S = (Xn[part] @ Xn.T).toarray().astype(np.float32)
        if skip is not None:
            S[:, skip] = -1.0
        S[np.arange(len(part)), part] = -1.0
        top = np.argpartition(-S, m - 1, axis=1)[:, :m]
        order = np.lexsort((top, -np.take_along_axis(S, top, axis=1)), axis=1)
        near[start : start + len(part)] = np.take_along_axis(top, order, axis=1)
    return near


def _centre(Xn: sp.csr_matrix, docs: np.ndarray) -> np.ndarray:
    c = np.asarray(Xn[docs].mean(axis=0)).ravel()
    return c / (np.linalg.norm(c) or 1.0)


def _loosest_member(Xn: sp.csr_matrix, docs: np.ndarray, which: np.ndarray) -> tuple[int, float]:
    """The position in ``docs`` of the member (of those ``which`` marks) with the lowest cosine
    to the centre of the others (leave one out), and that cosine."""
    cosine, position = min(
        (float(Xn[int(d)].dot(_centre(Xn, np.delete(docs, i)))[0]), i)
        for i, d in enumerate(docs)
        if which[i]
    )
    return position, cosine


def _peel_intruders(
    Xn: sp.csr_matrix,
    docs: np.ndarray,
    old: np.ndarray,
    judged: np.ndarray,
    enough: Callable[[np.ndarray], bool],
) -> np.ndarray | None:
    """``docs`` (``enough`` of them) without the members an older document outdoes: while one of
    ``old`` comes as close to the group's centre as its loosest member (of those ``judged``),
    that member goes, as long as the rest are ``enough`` (which keeps judged members to measure);
    None when an older document still comes as close then."""
    while True:
        position, loosest = _loosest_member(Xn, docs, judged[docs])
        if _closest_old(Xn, docs, old) < loosest:
            return docs
        docs = np.delete(docs, position)
        if not enough(docs):
            return None


def _fit_to(Xn: sp.csr_matrix, docs: np.ndarray, topic: np.ndarray, others: np.ndarray) -> float:
    """How far ``docs`` fit a topic: the mean cosine of each to the topic's centre, placed
    between that of the documents of ``others`` (0: no closer than an article on something
    else) and that of the topic's own documents ``topic`` (1). A broad topic ("digital
    administration") is close to many articles, and a subject of its own may then come close
    to it too; measured from its distance to other articles it does not."""
    centre = _centre(Xn, topic)
    base = float(np.mean(Xn[others] @ centre)) if len(others) else 0.0
    own = float(np.mean(Xn[topic] @ centre))
    return (float(np.mean(Xn[docs] @ centre)) - base) / (own - base) if own > base else 0.0


def _closest_old(Xn: sp.csr_matrix, docs: np.ndarray, old: np.ndarray) -> float:
    """The highest cosine of an older document to the group's centre: were it recent, it would
    belong to the group when it comes as close as the group's own loosest member."""
    return float(np.max(Xn[old] @ _centre(Xn, docs)))


# --- helpers --------------------------------------------------------------------------------


def source_forms(
    X: sp.csr_matrix, H: np.ndarray, W: np.ndarray, groups: np.ndarray, min_docs: int
) -> dict[int, tuple[str, int]]:
    """The topics that are one source's form rather than a subject (see FORM_SHARE): topic
    index -> (the source, how many of its documents the topic held).

    Council minutes carry their form in every item (TOP 5, Vorlage Nr., Beschluss, Kenntnis),
    whatever the item is about; the topic model gives that form a topic of its own, labelled
    "TOP · Beschluß", which took minutes on several subjects out of theirs (29 such topics on 45
    written streams, 198 articles, 161 of which the other topics place in their subject's). A
    subject one source writes most about is no form: its words are not what that source's other
    articles say (a district's smartphone courses), and a source all of whose articles are in one
    topic (a vendor on its product) has no other articles to compare with. X: the documents'
    TF-IDF rows (unit length, as `tfidf` makes them), H: the topics' components, W:
    document-topic weights, groups: each document's source; a source needs `min_docs` articles
    outside the topic."""
    k = H.shape[0]
    out: dict[int, tuple[str, int]] = {}
    if X.shape[0] == 0 or k < 2:
        return out
    label = W.argmax(1)
    label[W.max(1) <= 1e-12] = OTHER
    for j in range(k):
        members = label == j
        if not members.any():
            continue
        sources, counts = np.unique(groups[members], return_counts=True)
        if counts.max() < FORM_SHARE * members.sum():
            continue
        source = sources[counts.argmax()]
        elsewhere = (label != j) & (label != OTHER)
        same = elsewhere & (groups == source)
        rest = elsewhere & (groups != source)
        if same.sum() < min_docs or not rest.any():
            continue
        means = [X[part].mean(axis=0, dtype=np.float64) for part in (same, rest)]
        centres = normalize(np.asarray(np.vstack(means)))
        like_source, like_rest = centres @ normalize(np.asarray(H[j : j + 1], dtype=np.float64))[0]
        if like_source >= FORM_LIKENESS * like_rest:
            out[j] = (str(source), int(members.sum()))
    return out


def _flags(values: Sequence[bool] | None, count: int) -> np.ndarray:
    """Per-document flags as a boolean array; None: all False."""
    return np.asarray(values if values is not None else [False] * count, dtype=bool)


def _as_docs(X: Iterable[str]) -> list[str]:
    if isinstance(X, str):
        raise TypeError("expected an iterable of analysed strings, not one string")
    return [str(d) if d is not None else "" for d in X]


def _representative_docs(W: np.ndarray, labels: np.ndarray, budget: int) -> np.ndarray:
    """Indices of at most ``budget`` documents: per topic, those with the highest weight for it
    (keyphrases come from the documents that define a topic; sorted, deterministic)."""
    n = len(labels)
    if n <= budget:
        return np.arange(n)
    groups = [np.nonzero(labels == lab)[0] for lab in np.unique(labels)]
    per = max(1, budget // max(1, len(groups)))
    keep = []
    for idx in groups:
        lab = labels[idx[0]]
        weight = W[idx, lab] if lab >= 0 else -W[idx].max(1)
        keep.append(idx[np.argsort(-weight, kind="stable")[:per]])
    return np.sort(np.concatenate(keep))


def _row_normalize(W: np.ndarray) -> np.ndarray:
    W = np.asarray(W, dtype=np.float64)
    s = W.sum(1, keepdims=True)
    return np.divide(W, s, out=np.zeros_like(W), where=s > 0)


def _top_sets(H: np.ndarray, t: int) -> list[set[int]]:
    return [set(np.argsort(-h, kind="stable")[:t].tolist()) for h in H]


def _term_agreement(a: list[set[int]], b: list[set[int]]) -> float:
    """Mean Jaccard of top-term sets after the best one-to-one matching of topics."""
    M = np.array([[len(x & y) / max(1, len(x | y)) for y in b] for x in a])
    r, c = linear_sum_assignment(M, maximize=True)
    return float(M[r, c].sum() / max(len(a), len(b)))


__all__ = [
    "OTHER",
    "LemmaFeatures",
    "Topic",
    "TopicModel",
    "count_matrix",
    "find_new_subjects",
    "knn_graph",
    "match_topics",
    "prune_rows",
    "tfidf",
    "top_per_row",
]
