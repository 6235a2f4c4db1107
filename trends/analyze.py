"""analyze: corpus -> models/<quarter>/ (topics, trend metrics, maturity with evidence).

`analyze` runs these stages, each a function over what the stages before it returned:
  0. inputs    - `read_inputs`: taxonomy (maturity lexicon, trend rules), curation (relevance
                 policy) and the key of cached per-article results, read once;
  1. window    - relevance decided for every stored article, then `select_window`: the quarter
                 to analyse (`choose_window`, default: the latest the corpus covers), the N
                 quarters up to it (default 8) and their dated, relevant articles;
  2. text      - `article_nlp`: per article lemmas, places (gazetteer), maturity signals and its
                 own stage, in worker processes, cached in the corpus (only new articles are
                 processed; each batch is saved, so an interrupted run keeps its work);
  3. topics    - `fit_topics`: TopicModel fit on the window (a seeded sample above `fit_max`
                 articles); every article gets a main topic or "other"; then `link_topics`:
                 topics matched one-to-one to the previous quarter's model by term-vector
                 similarity keep its id and label, others get new ids, unmatched old topics are
                 kept as dormant;
  4. trends and maturity - `describe_topics`: per topic the quarter metrics and trend class
                 (trends.trend), and per quarter the stage, confidence and evidence
                 (trends.maturity), judged on at least 3 articles (a thin quarter borrows the
                 earlier quarters' articles it needs);
  5. save      - `_write_model`: JSON files written deterministically (same corpus + same config
                 = same bytes), each through a temporary file, and manifest.json (`_manifest`)
                 last: a folder without a manifest is not a model (a killed run leaves none
                 half-written).

Every setting that shapes the model is an `AnalysisConfig` field, in its digest (the manifest's
`config_hash`) and in the manifest's `settings`; `n_jobs` and `nlp_batch` only decide speed and
memory: the manifest's `resources`, not the digest.

Memory stays bounded as the corpus grows: only places and stages of the window's articles are
held; lemmas are read back from the cache for the fit and for placing, signals topic by topic.
The analyst's curation (renames, merges, hidden topics) is applied when a model is *read*
(`load_model`), so it survives every re-analysis.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import itertools
import json
import multiprocessing as mp
import platform
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from multiprocessing.pool import AsyncResult
from pathlib import Path

import numpy as np

from trends import maturity, relevance
from trends.config import Workspace
from trends.corpus import Corpus
from trends.files import replacing
from trends.models import AnalysisError, model_quarters, read_model_file
from trends.nlp import entities
from trends.nlp.keyphrases import (
    LABEL_SEPARATOR,
    agree,
    base_words,
    compound_gender,
    contains_words,
    noun_gender,
    topic_label,
    written_now,
)
from trends.nlp.lemmatize import (
    ANALYZER_VERSION,
    analyze_text,
    is_known,
    lemmatize,
    split_compound,
)
from trends.nlp.topics import TooLittleText, TopicModel, match_topics
from trends.nlp.translate import installed as translation_dictionaries
from trends.nlp.translate import problem as translation_problem
from trends.nlp.translate import remember as remember_words
from trends.nlp.translate import translate_docs
from trends.records import Article, Progress, quarter_coverage, quarter_range, shift_quarter
from trends.trend import Mention, TrendRules, classify, quarter_metrics

ANALYSIS_VERSION = "nlp-13"  # bump when per-article analysis changes: cached results are redone

# Fields that decide how fast a run is and how much memory it holds, never what it writes: the
# manifest records them, the digest leaves them out (two runs that differ only here are the same
# model, byte for byte).
RESOURCE_FIELDS = ("n_jobs", "nlp_batch")


@dataclass(frozen=True)
class AnalysisConfig:
    """Every setting of a run. Those that shape the model are in `settings()` and its `digest()`
    (manifest.json: `settings`, `config_hash`); the resource fields only in `resources()`.
    `quarter` and `today` pick what is analysed (the manifest says the quarter and the days
    covered), not how."""

    quarter: str | None = None
    window: int = 8
    n_topics: int | None = None
    seed: int = 0
    today: dt.date | None = None
    # a subject only the window's last `new_quarters` quarters share may become a topic while
    # small (TopicModel.new_subjects): the span in which a topic can still be new or emerging
    new_quarters: int = 3
    # relevance score an article needs to count (None: curation.yaml `articles: threshold:`, else
    # the model's default); the threshold used is recorded in the manifest's `relevance`
    relevance_threshold: float | None = None
    # the topic model is fitted on at most this many articles (a seeded sample); the others are
    # placed with transform()
    fit_max: int = 12_000
    # an article placed by transform() needs this share in its best topic, else it is "other"
    min_placed_weight: float = 0.4
    # cosine similarity of topic term vectors to count as "the same topic" as last quarter's
    match_threshold: float = 0.3
    # a quarter's stage is read on its articles and the previous quarter's; with fewer than this
    # it also reads earlier quarters, back to the window's first, until it has this many
    min_stage_articles: int = 3
    # share of a topic's term weight a radar field's seeds need, else the topic is "other" (_field_of)
    field_min_share: float = 0.04
    # articles whose lemmas are read back and placed at a time. It bounds memory, but it shapes
    # the model too: the topic model's transform() solves a whole chunk at once and stops on a
    # chunk-wide tolerance, so other chunks give topic weights that differ in the 4th decimal
    # (2 of 388 demo articles with fit_max 250, chunks of 40 vs 1000)
    cache_chunk: int = 5_000
    # articles set aside as off-topic that keyphrases are scored against (a seeded sample): what
    # every article of the stream carries names no topic
    background_max: int = 1_000
    # -- resources (RESOURCE_FIELDS): not in the digest --
    n_jobs: int = 2  # text-stage worker processes (sized for 2 cores)
    nlp_batch: int = 4000  # articles per text batch: bounds texts in memory; each batch is saved

    def __post_init__(self) -> None:
        for name in ("window", "new_quarters", "n_jobs", "nlp_batch", "cache_chunk"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        if self.fit_max < 2:  # a topic model needs two documents
            raise ValueError(f"fit_max must be at least 2, not {self.fit_max}")
        for name in ("min_placed_weight", "match_threshold", "field_min_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1, not {getattr(self, name)}")
        if self.min_stage_articles < 0:
            raise ValueError(f"min_stage_articles must be 0 or more, not {self.min_stage_articles}")

    def settings(self) -> dict:
        """What shapes the model (besides the corpus, the taxonomy and the code's versions)."""
        skip = {"quarter", "today", *RESOURCE_FIELDS}
        data = {
            f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in skip
        }
        return {**data, "analysis": ANALYSIS_VERSION}

    def resources(self) -> dict:
        return {name: getattr(self, name) for name in RESOURCE_FIELDS}

    def digest(self) -> str:
        return hashlib.sha1(json.dumps(self.settings(), sort_keys=True).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class AnalysisResult:
    quarter: str
    folder: Path
    n_articles: int
    n_topics: int
    seconds: dict
    classes: dict = field(default_factory=dict)  # trend class -> topics
    carried: int = 0  # topics that kept their id from the previous quarter's model
    dormant: int = 0  # previous topics not found again
    # the window's quarters, and those with articles (trend classes are read over these only)
    window: tuple[str, ...] = ()
    observed: tuple[str, ...] = ()
    coverage: dict = field(default_factory=dict)  # the quarter's days the corpus covers


# -- helpers ------------------------------------------------------------------------------------------
def _dump(path: Path, data) -> None:
    with replacing(path) as fh:
        fh.write(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


@contextmanager
def _gc_spares_what_exists() -> Iterator[None]:
    """Objects that exist now (the window's articles and places, the model) live to the end of
    the run: the garbage collector need not scan them again on each of the many collections that
    building ~10 signals per article triggers (100k articles: trends stage 9.6 -> 5.1 s)."""
    if gc.get_freeze_count():  # the caller froze objects itself: unfreezing would thaw them too
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("trends", "scikit-learn", "numpy", "scipy", "simplemma", "spacy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "?"
    # the bilingual dictionaries English articles are placed with (trends.nlp.translate)
    out.update({f"dictionary {pair}": d for pair, d in translation_dictionaries().items()})
    return out


def trend_rules(ws: Workspace) -> TrendRules:
    """Trend-class thresholds: the `trend:` section of the workspace's taxonomy.yaml, if any."""
    if not ws.taxonomy_yaml.exists():
        return TrendRules()
    try:
        return TrendRules.from_mapping(maturity.read_taxonomy(ws.taxonomy_yaml).get("trend"))
    except (TypeError, ValueError) as exc:
        raise maturity.TaxonomyError(f"{ws.taxonomy_yaml}: {exc}") from None


def _previous_model(ws: Workspace, quarter: str) -> dict | None:
    earlier = [q for q in model_quarters(ws) if q < quarter]
    if not earlier:
        return None
    return read_model_file(ws, earlier[-1], "topics.json")


def _field_of(
    terms: dict[str, float],
    fields: dict[str, list[str]],
    min_share: float = AnalysisConfig.field_min_share,
) -> str:
    """The radar sector whose seed terms carry most of the topic's term weight; "" (other) when
    no field's seeds carry at least `min_share` of it.

    Below that share a field's seeds matched by chance (a stray "Wasser" or "Netz"): the topic
    goes to the report's "other" sector instead of the nearest field. Measured on the top-50
    terms: demo topics 0.055-0.36, off-domain news (10kGNAD sport, culture, foreign politics)
    0.000-0.027 (so 0.04 by default)."""
    best, best_score = "", 0.0
    lowered = {t.lower(): w for t, w in terms.items()}
    for name, seeds in fields.items():
        score = 0.0
        for seed in seeds:
            s = seed.lower()
            if len(s) <= 3:  # "KI", "5G", "OZG": a whole term or compound part, not "Kita"
                score += sum(w for t, w in lowered.items() if s == t or s in t.split("-"))
            else:
                score += sum(w for t, w in lowered.items() if s in t)
        if score > best_score:
            best, best_score = name, score
    return best if best_score >= min_share * sum(terms.values()) else ""


# -- steps ----------------------------------------------------------------------------------------------
def choose_window(corpus: Corpus, cfg: AnalysisConfig) -> tuple[str, list[str]]:
    """The quarter to analyse and its window. Default: the latest quarter that has ended and that
    the corpus covers to its last weeks (`records.quarter_coverage`); a quarter the articles
    cover only in part (a running one, or one where the collection stops early) is analysed when
    asked for, and says which of its days it covers. Only when no quarter is complete is the
    latest quarter with articles the default."""
    quarters = corpus.quarters()
    if not quarters:
        aside = corpus.db.execute(
            "SELECT COUNT(*) FROM articles WHERE relevant=0 AND published IS NOT NULL"
        ).fetchone()[0]
        raise AnalysisError(
            f"the corpus has no dated, relevant articles ({aside} dated ones are set aside as "
            "off-topic: see `trends status`; curation.yaml can keep them)"
            if aside
            else "the corpus has no dated, relevant articles (run `trends collect` or "
            "`trends import` first)"
        )
    if cfg.quarter:
        quarter = cfg.quarter
    else:
        span, today = corpus.date_span(), cfg.today or dt.date.today()
        done = [q for q in quarters if quarter_coverage(q, span, today)[2]]
        quarter = done[-1] if done else quarters[-1]
    if quarter not in quarters:
        raise AnalysisError(
            f"no articles in {quarter}; quarters with articles: {quarters[0]} … {quarters[-1]}"
        )
    return quarter, quarter_range(shift_quarter(quarter, -(cfg.window - 1)), quarter)


def coverage(corpus: Corpus, quarter: str, today: dt.date) -> dict:
    """What the manifest says of the quarter's days: {"from", "to", "complete"}."""
    first, last, complete = quarter_coverage(quarter, corpus.date_span(), today)
    return {"from": first.isoformat(), "to": last.isoformat(), "complete": complete}


@dataclass(frozen=True)
class ArticleNLP:
    """What analyze holds in memory per article: the places it names, its own stage and the
    stage it gives those places. Its lemmas and maturity signals, the bulk, are cached beside
    this in the corpus and read when needed (`lemma_docs`, `cached_signals`)."""

    municipalities: tuple[str, ...]
    regions: tuple[str, ...]
    stage: str  # maturity.article_stage: how far the solution it reports got
    place_stage: str  # maturity.place_stage: what `who` and `suggest` give the places it names
    # (place, stage) for a place named beside others: what the sentences naming it tell
    place_stages: tuple[tuple[str, str], ...] = ()

    def own_stages(self) -> dict[str, str]:
        return dict(self.place_stages)

    def dumps(self) -> str:
        return json.dumps(
            {
                "municipalities": self.municipalities,
                "regions": self.regions,
                "stage": self.stage,
                "place_stage": self.place_stage,
                "place_stages": self.place_stages,
            },
            ensure_ascii=False,
        )

    @classmethod
    def loads(cls, text: str) -> ArticleNLP:
        d = json.loads(text)
        return cls(
            tuple(d["municipalities"]),
            tuple(d["regions"]),
            d["stage"],
            d["place_stage"],
            tuple((p, st) for p, st in d.get("place_stages", ())),
        )

    @classmethod
    def read(
        cls, title: str, text: str, lexicon: maturity.Lexicon | None = None
    ) -> tuple[ArticleNLP, list[maturity.Signal]]:
        """An article's places and stages, and its maturity signals. A place it names alone
        gets the article's own stage: whatever the article reports is that place's. Stage of
        each place an article names, the working parts of twenty-three written streams: 2,405
        -> 2,933 of 3,962; on the two the article layer had not learned from, 197 -> 240 of 335
        (stop 39).

        Places named together get the stage the sentences that name them make likeliest
        (`place_stages`, see `_stages_by_place`), and the rules' cautious stage
        (maturity.place_stage) where no sentence names them. Stop 41, twenty-seven written
        streams, two folds as below: from all sentences that name a place instead of the staged
        ones only, each place an article names 3,515 -> 3,703 of 4,611 (+0.040 ± 0.037 a
        stream), the furthest stage per place and topic in `who` 1,081 -> 1,212 of 1,674
        (+0.074 ± 0.054); take over and in parallel F1 -0.004 ± 0.016 (two streams worse:
        funding rounds read rollout now lift the places they name); the demo unchanged.
        Stop 40 (sentences that tell a stage, else the cautious stage), twenty-five streams,
        each read by an article layer trained without it (two folds): each place an article
        names 3,005 -> 3,272 of 4,313 (+0.062 ± 0.019 a stream, all 25 better); the furthest
        stage per place and topic that `who` shows 991 -> 1,042 of 1,610 (+0.013 ± 0.034: ten
        streams better, four worse); transfer lists as before; the demo's `who` 65 of 67 as
        before."""
        municipalities, regions = _municipalities(title, text)
        signals, stage, place_stage, sentences = maturity.read_article_sentences(
            f"{title}. {text}", lexicon
        )
        if len(municipalities) == 1:
            return cls(municipalities, regions, stage, stage), signals
        own = _stages_by_place(municipalities, sentences, stage)
        return cls(municipalities, regions, stage, place_stage, own), signals


_WORKER_LEXICON: maturity.Lexicon | None = None


def _init_worker(taxonomy: str | None) -> None:
    global _WORKER_LEXICON
    _WORKER_LEXICON = maturity.load_lexicon(taxonomy)


def _nlp_one(item: tuple[str, str, str]) -> tuple[str, str, str]:
    """One article -> its cached parts: places (ArticleNLP), lemmas, signals (runs in worker
    processes)."""
    title, text, lang = item
    places, signals = ArticleNLP.read(title, text, _WORKER_LEXICON)
    return (
        places.dumps(),
        analyze_text(f"{title}\n\n{text}", lang or "de"),
        json.dumps(signals, ensure_ascii=False),  # named tuples: lists in field order
    )


def article_nlp(
    corpus: Corpus,
    articles: list[Article],
    taxonomy: Path | None,
    n_jobs: int = AnalysisConfig.n_jobs,
    progress: Progress | None = None,
    version: str | None = None,
    batch: int = AnalysisConfig.nlp_batch,
) -> dict[str, ArticleNLP]:
    """Lemmas, places and maturity signals per article, cached in the corpus; returns the places
    and stage of each (`ArticleNLP`; lemmas and signals are read back when needed).

    Only articles without a cached result for this analysis version and taxonomy are processed,
    in parallel over `n_jobs` processes (so a new quarter costs only its new articles). Texts are
    read from the corpus `batch` articles at a time and each batch is stored when done: `articles` may come
    without text, memory stays bounded, and an interrupted run keeps what it finished. `version`:
    the run's `nlp_version` (computed here when not given)."""
    version = version or nlp_version(taxonomy)
    wanted = {a.id for a in articles}
    out = {
        aid: ArticleNLP.loads(js) for aid, js in corpus.analysis_places(version) if aid in wanted
    }
    todo = [a.id for a in articles if a.id not in out]
    progress = progress or Progress()
    progress.source_started("text analysis", len(articles))
    progress.advance("text analysis", len(out))
    if not todo:
        return out
    tax = str(taxonomy) if taxonomy else None
    batches = [todo[i : i + batch] for i in range(0, len(todo), batch)]

    def items(ids: list[str]) -> list[tuple[str, str, str]]:
        texts = corpus.texts(ids)
        return [texts[aid] for aid in ids]

    def finish(ids: list[str], done: list[tuple[str, str, str]]) -> None:
        corpus.store_analysis(zip(ids, done), version)
        out.update((aid, ArticleNLP.loads(parts[0])) for aid, parts in zip(ids, done))
        progress.advance("text analysis", len(ids))

    if n_jobs <= 1 or len(todo) < 200:
        _init_worker(tax)
        for ids in batches:
            finish(ids, [_nlp_one(item) for item in items(ids)])
        return out
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    if ctx.get_start_method() == "fork":
        # load dictionaries, gazetteer and lexicon once here (~2 s); forked workers share them
        _init_worker(tax)
        _nlp_one(("Haus", "Stadt Soest", "de"))
    chunksize = max(1, min(batch, len(todo)) // (n_jobs * 8))
    pool = ctx.Pool(n_jobs, initializer=_init_worker, initargs=(tax,))
    try:
        # Two batches in flight: the workers start on the next batch while this process stores
        # the last one (with one batch at a time they waited for every store and text read).
        in_flight: deque[tuple[list[str], AsyncResult]] = deque()
        for ids in batches:
            in_flight.append((ids, pool.map_async(_nlp_one, items(ids), chunksize)))
            if len(in_flight) > 1:
                ids0, result = in_flight.popleft()
                finish(ids0, result.get())
        while in_flight:
            ids0, result = in_flight.popleft()
            finish(ids0, result.get())
    except BaseException:  # Ctrl-C or a failing article: stop the workers, keep what is stored
        pool.terminate()
        raise
    finally:
        pool.close()
        pool.join()
    return out


def lemma_docs(corpus: Corpus, ids: list[str], version: str) -> list[str]:
    """The cached lemma strings of these articles, in this order (run `article_nlp` first)."""
    cached = corpus.analysis_of(ids, version, "lemmas")
    return [cached[aid] for aid in ids]


def cached_signals(
    corpus: Corpus, ids: list[str], version: str
) -> dict[str, tuple[maturity.Signal, ...]]:
    """The cached maturity signals of these articles (run `article_nlp` first)."""
    cached = corpus.analysis_of(ids, version, "signals")
    return {aid: tuple(map(maturity.Signal._make, json.loads(js))) for aid, js in cached.items()}


def nlp_version(taxonomy: Path | None) -> str:
    """The key of cached per-article results: they are redone when the analysis code or the
    taxonomy (its cues) changes. Computed once per run, so editing taxonomy.yaml during a run
    cannot make the run look for results under a key it did not write."""
    return f"{ANALYSIS_VERSION}:{ANALYZER_VERSION}:{_taxonomy_digest(taxonomy)}"


def _taxonomy_digest(taxonomy: Path | None) -> str:
    data = (
        taxonomy.read_bytes()
        if taxonomy
        else b"packaged:" + Path(maturity.__file__).with_name("taxonomy.yaml").read_bytes()
    )
    if maturity.MODEL_FILE.exists():  # the learned stage model reads the sentences too
        data += maturity.MODEL_FILE.read_bytes()
    return hashlib.sha1(data).hexdigest()[:10]


@dataclass(frozen=True)
class Linked:
    ids: list[str]
    labels: list[str]
    dormant: list[dict]  # previous topics no longer found, kept so reports can say so
    next_id: int


def link_topics(
    terms: list[dict[str, float]],
    labels: list[str],
    previous: dict | None,
    threshold: float = AnalysisConfig.match_threshold,
    gender: Callable[[str], str | None] | None = None,
    keyphrases: list[list[str]] | None = None,
    publishers: Iterable[str] = (),
) -> Linked:
    """Give the new topics ids: a topic matched to the previous model (term vectors at least
    `threshold` cosine-similar) keeps its id and label, unless that label names a person or is
    part of one of the `publishers`' names (a label an older version gave, before it knew the
    name for one or made its adjective agree: "Kommunaler IT" of "Kommunale IT Westfalen") or
    no longer names what the topic is about (given its `keyphrases` now: no part of the label
    is one of them or inside one): then it takes its new one. A kept label is written as labels
    are written now (`keyphrases.written_now`: spelling, and with `gender`, the nouns' genders
    as `noun_genders` reads them)."""
    prev_topics = {t["id"]: t for t in (previous or {}).get("topics", [])}
    mapping = (
        match_topics({tid: t["terms"] for tid, t in prev_topics.items()}, terms, threshold)
        if prev_topics
        else {}
    )
    next_id = (previous or {}).get("next_id", 1)
    publishers = list(publishers)
    ids, names = [], []
    for i, label in enumerate(labels):
        if i in mapping:
            ids.append(mapping[i])
            # an id added last quarter to tell two equal names apart is added again only if needed
            inherited = prev_topics[mapping[i]]["label"].removesuffix(f" ({mapping[i]})")
            parts = inherited.split(LABEL_SEPARATOR)
            no_subject = any(is_person(part) or _of_a_publisher(part, publishers) for part in parts)
            now = [k.lower() for k in keyphrases[i]] if keyphrases is not None else None
            # a topic whose subject moved on (berlin.de's "Gesellschaftliche Teilhabe" for two
            # years of gigabit-strategy releases) is named by what it is about now
            drifted = now is not None and not any(p.lower() in k for p in parts for k in now)
            names.append(label if no_subject or drifted else written_now(inherited, gender))
        else:
            ids.append(f"T{next_id:03d}")
            next_id += 1
            names.append(label)
    # Two topics must not share a name in one report: a topic that inherited a label another
    # topic of this model carries too (its content drifted, a new topic took over the subject)
    # goes by its own label; names still shared get the id.
    taken = Counter(names)
    for i in mapping:
        if taken[names[i]] > 1 and labels[i] != names[i]:
            taken[names[i]] -= 1
            names[i] = labels[i]
            taken[names[i]] += 1
    names = [f"{n} ({tid})" if taken[n] > 1 else n for n, tid in zip(names, ids, strict=True)]
    matched = set(mapping.values())
    dormant = [
        {**t, "status": "dormant"} for tid, t in sorted(prev_topics.items()) if tid not in matched
    ]
    dormant += [t for t in (previous or {}).get("dormant", []) if t["id"] not in matched]
    return Linked(ids, names, sorted(dormant, key=lambda t: t["id"]), next_id)


@dataclass(frozen=True)
class Inputs:
    """What the workspace tells a run besides the corpus, read before the corpus is opened: a
    broken taxonomy.yaml or curation.yaml stops the run here, naming the line."""

    taxonomy: Path | None
    lexicon: maturity.Lexicon
    version: str  # nlp_version: the key of the cached per-article results
    rules: TrendRules
    policy: relevance.Policy  # curation.yaml read once, here


def read_inputs(ws: Workspace, cfg: AnalysisConfig) -> Inputs:
    """The inputs stage: the workspace's taxonomy (lexicon first: a broken file stops the run
    before anything else is read), trend rules and relevance policy."""
    taxonomy = ws.taxonomy
    lexicon = maturity.load_lexicon(taxonomy)
    return Inputs(
        taxonomy,
        lexicon,
        nlp_version(taxonomy),
        trend_rules(ws),
        relevance.policy(ws, cfg.relevance_threshold),
    )


@dataclass(frozen=True)
class WindowArticles:
    """The window stage's result: the quarter, its window and the window's dated, relevant
    articles (without text) in the order the topic model samples them."""

    quarter: str
    quarters: list[str]
    articles: list[Article]
    sources: dict[str, dict]
    kept: relevance.Counts  # the window's articles kept / set aside, for the manifest
    today: dt.date


def select_window(corpus: Corpus, policy: relevance.Policy, cfg: AnalysisConfig) -> WindowArticles:
    """The quarter to analyse (`choose_window`) and its articles; run after the stored articles'
    relevance was decided."""
    quarter, quarters = choose_window(corpus, cfg)
    kept = relevance.decide_stored(corpus, policy, quarters=set(quarters))
    articles = list(corpus.articles(quarters=quarters, dated_only=True, with_text=False))
    # The model samples by position, so the order must not depend on ids (hashes of URLs,
    # which change with the host): by date and title, ids only break ties.
    articles.sort(key=lambda a: (a.published, a.title, a.id))
    if len(articles) < 2:
        raise AnalysisError(
            f"only {len(articles)} dated article in the window {quarters[0]}–{quarters[-1]}: "
            "topics need at least 2 (collect or import more, or pick another --quarter)"
        )
    return WindowArticles(
        quarter, quarters, articles, corpus.sources(), kept, cfg.today or dt.date.today()
    )


def set_aside_samples(
    corpus: Corpus, win: WindowArticles, cfg: AnalysisConfig
) -> tuple[list[Article], list[Article]]:
    """The window's articles set aside as off-topic, in one pass over it: (those in the language
    the topic model is fitted on: what topics are named against; those of the last
    `cfg.new_quarters` quarters in other languages: read in the fitted language's words, one may
    complete a new subject, see `fit_topics`), each a seeded sample of at most
    `cfg.background_max`."""
    lang = fit_language(win.articles)
    recent = set(win.quarters[-cfg.new_quarters :])
    own: list[Article] = []
    other: list[Article] = []
    for a in corpus.articles(
        quarters=win.quarters, relevant_only=False, dated_only=True, with_text=False
    ):
        if a.relevant:
            continue
        if (a.language or "de")[:2] == lang:
            own.append(a)
        elif a.quarter in recent:
            other.append(a)
    return _sample(own, cfg), _sample(other, cfg)


def _sample(articles: list[Article], cfg: AnalysisConfig) -> list[Article]:
    articles.sort(key=lambda a: (a.published, a.title, a.id))  # as the window: not by id
    if len(articles) > cfg.background_max:
        rng = np.random.RandomState(cfg.seed)
        pick = rng.choice(len(articles), cfg.background_max, replace=False)
        articles = [articles[i] for i in sorted(pick)]
    return articles


def set_aside_by_score(
    corpus: Corpus, articles: list[Article], policy: relevance.Policy
) -> list[Article]:
    """Those of `articles` that their relevance score alone set aside (not curation, not a
    source's `filter`): the ones analysis may let complete a new subject (`fit_topics`)."""
    decided = relevance.decisions(corpus, policy)
    return [a for a in articles if decided[a.id].reason == relevance.BELOW_THRESHOLD]


def fit_language(articles: list[Article]) -> str:
    """The language the topic model is fitted on: the window's most common one."""
    langs = [(a.language or "de")[:2] for a in articles]
    return max(sorted(set(langs)), key=langs.count)


def describe_topics(
    corpus: Corpus,
    win: WindowArticles,
    nlp: dict[str, ArticleNLP],
    fit: TopicFit,
    linked: Linked,
    inputs: Inputs,
    cfg: AnalysisConfig,
    progress: Progress,
) -> _TopicOutputs:
    """The trends and maturity stage: every topic's record, trend rows and evidence
    (`_describe_topic`), its articles' signals read from the cache topic by topic."""
    window = _Window(
        win.quarter,
        win.quarters,
        win.today,
        inputs.rules,
        inputs.lexicon,
        win.sources,
        nlp,
        Counter(a.published for a in win.articles),
        cfg,
    )
    out = _TopicOutputs()
    members = fit.members(win.articles)
    weights = {a.id: w for a, w in zip(win.articles, fit.weight)}  # how typical of its topic
    progress.source_started("trends and maturity", len(members))
    with _gc_spares_what_exists():  # ~1M signals are built here
        for k, arts in sorted(members.items()):
            signals = cached_signals(corpus, [a.id for a in arts], inputs.version)
            _describe_topic(window, k, arts, signals, fit, linked, out, weights)
            progress.advance("trends and maturity")
    return out


@contextmanager
def _timed(seconds: dict[str, float], stage: str) -> Iterator[None]:
    t = time.perf_counter()
    yield
    seconds[stage] = time.perf_counter() - t


def analyze(
    ws: Workspace, cfg: AnalysisConfig | None = None, progress: Progress | None = None
) -> AnalysisResult:
    """Run the analysis for one quarter and write models/<quarter>/. Returns where it went.

    The stages, each a function over what the one before returned (see the module docstring)."""
    cfg = cfg or AnalysisConfig()
    progress = progress or Progress()
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    inputs = read_inputs(ws, cfg)
    with Corpus(ws.corpus_db) as corpus:
        with _timed(seconds, "relevance"):
            # articles stored before relevance was judged (or by an older model) are judged now;
            # then every article is decided again: curation or the threshold may have changed
            relevance.judge_stored(corpus, progress)
            relevance.decide_stored(corpus, inputs.policy, write=True)
        win = select_window(corpus, inputs.policy, cfg)
        with _timed(seconds, "text"):
            # the set-aside sample's lemmas in the same pass (one pool of workers, not two);
            # only the window's articles go on
            background, foreign = set_aside_samples(corpus, win, cfg)
            nlp = article_nlp(
                corpus,
                win.articles + background + foreign,
                inputs.taxonomy,
                cfg.n_jobs,
                progress,
                inputs.version,
                batch=cfg.nlp_batch,
            )
        with _timed(seconds, "topics"):
            publishers = [str(src.get("name") or "") for src in win.sources.values()]
            ids = [a.id for a in background]
            fit = fit_topics(
                corpus,
                win.articles,
                inputs.version,
                publishers,
                cfg,
                progress,
                dict(zip(ids, lemma_docs(corpus, ids, inputs.version), strict=True)),
                set_aside_by_score(corpus, background + foreign, inputs.policy),
            )
            # set-aside articles that completed a new subject count from here on as the
            # window's; the other set-aside ones were read for the topic model only
            win = dataclasses.replace(win, articles=win.articles + fit.joined)
            nlp = with_home_places(
                {a.id: nlp[a.id] for a in win.articles}, win.articles, win.sources
            )
        previous = _previous_model(ws, win.quarter)
        linked = link_topics(
            fit.terms,
            fit.labels,
            previous,
            cfg.match_threshold,
            fit.gender,
            fit.keyphrases,
            publishers,
        )
        with _timed(seconds, "trends_maturity"):
            out = describe_topics(corpus, win, nlp, fit, linked, inputs, cfg, progress)
        seen_in = corpus.seen_in()
        covered = coverage(corpus, win.quarter, win.today)

    folder = ws.models_dir / win.quarter
    manifest = _manifest(cfg, inputs, win, fit, out, previous, covered)
    _write_model(folder, win, nlp, fit, linked, out, seen_in, manifest)
    seconds["total"] = time.perf_counter() - t0
    previous_ids = {t["id"] for t in (previous or {}).get("topics", [])}
    return AnalysisResult(
        win.quarter,
        folder,
        len(win.articles),
        len(out.topics),
        seconds,
        dict(Counter(t["trend_class"] for t in out.topics)),
        len(previous_ids & set(linked.ids)),
        len(linked.dormant),
        tuple(win.quarters),
        tuple(sorted({a.quarter for a in win.articles})),
        covered,
    )


def _manifest(
    cfg: AnalysisConfig,
    inputs: Inputs,
    win: WindowArticles,
    fit: TopicFit,
    out: _TopicOutputs,
    previous: dict | None,
    covered: dict,
) -> dict:
    """What manifest.json says of a model: how it was made (settings, versions, inputs' digests)
    so that the same config and corpus can be shown to give the same model."""
    return {
        "quarter": win.quarter,
        "window": win.quarters,
        "config_hash": cfg.digest(),
        "settings": cfg.settings(),
        "resources": cfg.resources(),
        "corpus_hash": hashlib.sha1(
            "".join(sorted(a.id + (a.quarter or "") for a in win.articles)).encode()
        ).hexdigest()[:16],
        "seed": cfg.seed,
        "n_topics": len(out.topics),
        "n_articles": len(win.articles),
        "analysis_version": ANALYSIS_VERSION,
        "versions": _versions(),
        "model": {
            "class": "TopicModel",
            "params": {
                k: v
                for k, v in fit.model.get_params().items()
                if isinstance(v, (int, float, str, type(None)))
            },
        },
        "previous_model": previous["quarter"] if previous else None,
        "coverage": covered,
        "trend_rules": inputs.rules.__dict__,
        "relevance": relevance.manifest_entry(inputs.policy, win.kept, (a.id for a in fit.joined)),
        # topics the fit found to be one source's form, not a subject (their articles went to
        # the topics that explain them next; see trends.nlp.topics.source_forms)
        "source_forms": [
            {"source": source, "articles": n}
            for _, (source, n) in sorted(fit.model.source_forms_.items())
        ],
    }


@dataclass(frozen=True)
class TopicFit:
    """The topic stage's result: the fitted model and where each article of the window went."""

    model: TopicModel
    main: list[int]  # per article (window order): its topic index, -1 = "other"
    weight: list[float]  # per article: its weight in its best topic
    labels: list[str]  # per topic: a readable label
    keyphrases: list[list[str]]  # per topic, people removed
    # set-aside articles that completed a new subject: `main` and `weight` go on with them, so
    # they follow the window's articles
    joined: list[Article] = field(default_factory=list)
    # a noun's gender as the corpus uses it (`noun_genders`); None when the corpus is not German
    gender: Callable[[str], str | None] | None = None

    @property
    def terms(self) -> list[dict[str, float]]:
        return self.model.topic_terms_

    def members(self, articles: list[Article]) -> dict[int, list[Article]]:
        """Topic index -> its articles (window order); "other" left out."""
        out: dict[int, list[Article]] = {}
        for a, m in zip(articles, self.main, strict=True):
            if m >= 0:
                out.setdefault(m, []).append(a)
        return out


def fit_topics(
    corpus: Corpus,
    articles: list[Article],
    version: str,
    publishers: list[str],
    cfg: AnalysisConfig,
    progress: Progress | None = None,
    background: dict[str, str] | None = None,
    aside: list[Article] | None = None,
) -> TopicFit:
    """Fit the topic model on the window and give every article its main topic.

    Lemma features do not cross languages: fitted on all articles, the English ones formed a topic
    of their own ("North Rhine-Westphalia"). So the model is fitted on the corpus's main language
    and the rest are placed with transform() (on the demo: 16 of 16 English articles landed in
    their true topic, through shared names and terms). Above `cfg.fit_max` articles the model is
    fitted on a seeded sample of them and the others are placed the same way, `cfg.cache_chunk`
    at a time: time and memory of this stage stay those of `cfg.fit_max` articles. Run `article_nlp` first (lemmas come from the
    cache). `background`: the lemmas of articles set aside (`set_aside_samples`), by article id,
    which keyphrases are scored against. `aside`: background articles their score set aside
    (`set_aside_by_score`); the recent ones may complete a new subject, and those that do come
    back as `TopicFit.joined`; the older ones' words make no new subject."""
    langs = [(a.language or "de")[:2] for a in articles]
    main_lang = fit_language(articles)
    fit_idx = [i for i, lang in enumerate(langs) if lang == main_lang]
    if len(fit_idx) > cfg.fit_max:
        rng = np.random.RandomState(cfg.seed)
        fit_idx = sorted(int(i) for i in rng.choice(fit_idx, cfg.fit_max, replace=False))
    fitted = set(fit_idx)
    rest_idx = [i for i in range(len(articles)) if i not in fitted]

    def docs(idx: list[int]) -> list[str]:
        return lemma_docs(corpus, [articles[i].id for i in idx], version)

    progress = progress or Progress()
    progress.source_started("topic model", len(articles))
    recent_from = shift_quarter(max(a.quarter for a in articles), -(cfg.new_quarters - 1))
    # the older ones tell which words ordinary local news uses anyway (see find_new_subjects)
    older_aside = [
        a for a in aside or [] if a.quarter < recent_from and (a.language or "de")[:2] == main_lang
    ]
    aside = [a for a in aside or [] if a.quarter >= recent_from]
    # Articles in other languages are also read in the main language's words (a dictionary adds
    # them, see trends.nlp.translate; unchanged where none is installed): the recent ones count
    # for a new subject (an English report on it), all are placed below. The words of all of them
    # are looked up at once, read a chunk at a time (memory stays that of the chunk).
    foreign_idx = [i for i in rest_idx if langs[i] != main_lang]
    for lang in sorted({langs[i] for i in foreign_idx}):
        same = [i for i in foreign_idx if langs[i] == lang]
        chunks = (same[k : k + cfg.cache_chunk] for k in range(0, len(same), cfg.cache_chunk))
        remember_words((doc for part in chunks for doc in docs(part)), lang, main_lang)
        if why := translation_problem(lang, main_lang):
            progress.message(f"{len(same)} '{lang}' articles placed by their own words only: {why}")

    fit_docs = docs(fit_idx)
    aside_langs = [(a.language or "de")[:2] for a in aside]
    # which of a word's translations the corpus itself writes (see translate._most_used)
    usage = None
    if foreign_idx or set(aside_langs) - {main_lang}:
        usage = Counter(w for d in fit_docs for w in set(d.split()))

    def in_main_language(idx: list[int], texts: list[str]) -> list[str]:
        return read_in_language(texts, [langs[i] for i in idx], main_lang, usage)

    # a set-aside report in another language is read in the main language's words too, so it
    # may complete a new subject as a kept one does (its own words are not the subject's)
    aside_docs = lemma_docs(corpus, [a.id for a in aside], version)
    aside_read = read_in_language(aside_docs, aside_langs, main_lang, usage)
    extra_idx = [i for i in foreign_idx if articles[i].quarter >= recent_from]
    # read once: the fit needs their lemmas, and so does their placing below
    extra_docs = dict(zip(extra_idx, docs(extra_idx), strict=True))
    try:
        model = TopicModel(n_topics=cfg.n_topics, random_state=cfg.seed).fit(
            fit_docs,
            langs=main_lang,
            recent=[articles[i].quarter >= recent_from for i in fit_idx],
            groups=[articles[i].source for i in fit_idx],
            extra=(extra_read := in_main_language(extra_idx, list(extra_docs.values()))),
            extra_groups=[articles[i].source for i in extra_idx],
            background=list(background.values()) if background is not None else None,
            extra_translated=[a != b for a, b in zip(extra_read, extra_docs.values())],
            aside=aside_read,
            aside_groups=[a.source for a in aside],
            aside_foreign=[lang != main_lang for lang in aside_langs],
            aside_translated=[a != b for a, b in zip(aside_read, aside_docs, strict=True)],
            # (already read: the older ones are background articles of the fitted language)
            older_aside=[background[a.id] for a in older_aside] if background else [],
            name=lambda ks: readable_label(_without_people(ks), publishers),
        )
    except TooLittleText as exc:
        raise AnalysisError(f"no topics can be found in this window: {exc}") from None
    del fit_docs  # the placing below reads a chunk at a time: memory stays that of the fit
    progress.advance("topic model", len(fit_idx))
    other = frozenset(int(k) for k in np.flatnonzero(model.other_topics_))
    main = [-1] * len(articles)
    weight = [0.0] * len(articles)
    for i, label, row in zip(fit_idx, model.labels_, model.doc_topic_, strict=True):
        main[i], weight[i] = int(label), float(row.max())
    joined = dict(zip(extra_idx, model.extra_labels_.tolist(), strict=True))
    for start in range(0, len(rest_idx), cfg.cache_chunk):
        chunk = rest_idx[start : start + cfg.cache_chunk]
        unread = [i for i in chunk if i not in extra_docs]
        read = dict(zip(unread, docs(unread), strict=True))
        texts = [extra_docs[i] if i in extra_docs else read[i] for i in chunk]
        rows = model.transform(texts)
        # An article in another language is placed by whichever reading places it more surely:
        # its own words (names, loan words) or its translation. Read by its translation alone,
        # the demo's English articles fell 31 -> 21 of 42 (the translation's many generic words
        # spread an article over topics that its names placed well); by its translation only
        # where its own words placed it nowhere, 91 -> 108 of 142 on the five streams and the
        # demo; by the surer reading, 123 -> 133 of 159 with stream6 (10 right that were not,
        # none the other way, every corpus's topics as good or better).
        foreign = [n for n, i in enumerate(chunk) if langs[i] != main_lang]
        read_as = in_main_language([chunk[n] for n in foreign], [texts[n] for n in foreign])
        # only where the dictionary added words is there a second reading to weigh
        changed = [(n, t) for n, t in zip(foreign, read_as, strict=True) if t != texts[n]]
        if changed:
            translated = model.transform([t for _, t in changed])
            for (n, _), row in zip(changed, translated, strict=True):
                if row.max() > rows[n].max():
                    rows[n] = row
        for i, row in zip(chunk, rows, strict=True):
            k, best = int(row.argmax()), float(row.max())
            main[i] = k if best >= cfg.min_placed_weight and k not in other else -1
            weight[i] = best
            if joined.get(i, -1) >= 0:  # found a new subject with the fitted articles
                main[i], weight[i] = joined[i], 1.0
        progress.advance("topic model", len(chunk))
    keyphrases = [_without_people(ks) for ks in model.keyphrases_]
    gender = noun_genders(corpus) if main_lang == "de" else None
    if gender is not None:
        keyphrases = [[agree(k, gender) for k in ks] for ks in keyphrases]
    labels = [
        readable_label(ks, publishers) or fallback
        for ks, fallback in zip(keyphrases, model.topic_labels_, strict=True)
    ]
    came_back = [(a, int(j)) for a, j in zip(aside, model.aside_labels_, strict=True) if j >= 0]
    main += [j for _, j in came_back]
    weight += [1.0] * len(came_back)
    return TopicFit(model, main, weight, labels, keyphrases, [a for a, _ in came_back], gender)


GENDER_TEXTS = 40  # articles whose use of a noun tells its gender (see noun_genders)


def noun_genders(corpus: Corpus) -> Callable[[str], str | None]:
    """A noun's gender as the corpus's articles use it (:func:`keyphrases.noun_gender`, read in
    the `GENDER_TEXTS` articles a search for it ranks first; None where they do not tell it),
    so a label's adjective agrees with its noun: "städtischer Zuschuss", "festes Zeitfenster",
    where the ending guessed from the noun's suffix gave "städtische Zuschuss" and "fester
    Zeitfenster" (7 of the 105 label parts of two or more words on the 55 written streams
    change, each to the right form). Of the nouns of the written streams and of 10kGNAD to
    which FreeDict's dictionary gives one gender (2,425 and 1,239), the articles tell it for
    half and are right for 0.975 and 0.988 of those; right with the suffix guess where they do
    not tell it: 0.757 and 0.728 of all, against 0.624 and 0.582 by the suffix alone
    (scripts/eval_labels.py). Since stop 54 a compound the articles leave open takes its head's
    gender where the head's articles tell it (:func:`keyphrases.compound_gender`): 0.791 and
    0.743 of all (of 3,017 and 1,239 nouns), every head's vote right. Since stop 55 "ins", "ans",
    "fürs" … tell neuter too: the articles tell 1,708 and 592 nouns instead of 1,692 and 581,
    0.974 and 0.988 right; 0.794 and 0.750 of all (of 3,148 and 1,239)."""

    @cache
    def votes(noun: str) -> str | None:
        found = corpus.search(noun, limit=GENDER_TEXTS)
        return noun_gender((f"{a.title}. {a.text}" for a, _ in found), noun)

    return lambda noun: compound_gender(noun, votes)


def read_in_language(
    texts: list[str], langs: list[str], target: str, usage: Mapping[str, int] | None = None
) -> list[str]:
    """Analysed documents with those in other languages than `target` read in its words too (a
    dictionary adds them, see trends.nlp.translate; unchanged where none is installed). `usage`:
    how many of the corpus's `target` documents use each word (each word then gives the
    translation the corpus uses most)."""
    out = list(texts)
    for lang in sorted(set(langs) - {target}):
        pos = [n for n, other in enumerate(langs) if other == lang]
        read = translate_docs([texts[n] for n in pos], lang, target, usage)
        for n, doc in zip(pos, read, strict=True):
            out[n] = doc
    return out


@dataclass(frozen=True)
class _Window:
    """What every topic's description shares: the window and the per-article facts."""

    quarter: str
    quarters: list[str]
    today: dt.date
    rules: TrendRules
    lexicon: maturity.Lexicon
    sources: dict[str, dict]
    nlp: dict[str, ArticleNLP]  # places and own stage per article
    dates: Counter  # publication date -> articles of the window (shares, bursts)
    cfg: AnalysisConfig


@dataclass
class _TopicOutputs:
    topics: list[dict] = field(default_factory=list)
    trends: list[dict] = field(default_factory=list)
    evidence: dict[str, dict] = field(default_factory=dict)


def _describe_topic(
    w: _Window,
    k: int,
    arts: list[Article],
    signals: dict[str, tuple[maturity.Signal, ...]],
    fit: TopicFit,
    linked: Linked,
    out: _TopicOutputs,
    weights: dict[str, float] | None = None,
) -> None:
    """One topic's record, its trend rows per quarter and the evidence behind its stages
    (quoted only where a sentence is about the topic: maturity.topic_backing)."""
    tid = linked.ids[k]
    meta = {a.id: maturity.ArticleMeta.from_article(a, w.nlp[a.id].municipalities) for a in arts}
    mentions = [
        Mention(
            a.id,
            a.published,
            a.source,
            w.sources.get(a.source, {}).get("type", ""),
            w.nlp[a.id].municipalities,
            w.nlp[a.id].regions,
        )
        for a in arts
    ]
    series = quarter_metrics(mentions, w.dates, w.quarters, today=w.today, rules=w.rules)
    verdict = classify(series, w.rules)
    by_quarter = _by_quarter(arts)
    stages: dict[str, maturity.StageEstimate | None] = {}
    topic_weights = {a.id: (weights or {}).get(a.id, 1.0) for a in arts}
    backs = maturity.topic_backing(
        fit.terms[k], fit.keyphrases[k], topic_weights, {a.id: a.language for a in arts}
    )
    staged = staged_articles(arts, topic_weights)
    staged_by_quarter = _by_quarter(staged)
    for qm in series:
        basis, stage_quarters = stage_basis(staged_by_quarter, qm.quarter, w.cfg.min_stage_articles)
        items = [(sig, meta[a.id]) for a in basis for sig in signals[a.id]]
        later = [
            (sig, meta[a.id]) for a in staged if a.quarter > qm.quarter for sig in signals[a.id]
        ]
        est = (
            maturity.aggregate(items, lexicon=w.lexicon, backs=backs, corroborating=later)
            if items
            else None
        )
        stages[qm.quarter] = est
        munis = sorted(
            {x for a in by_quarter.get(qm.quarter, []) for x in w.nlp[a.id].municipalities}
        )
        out.trends.append(
            {
                "topic_id": tid,
                "quarter": qm.quarter,
                **{kk: v for kk, v in qm.as_dict().items() if kk != "quarter"},
                "municipality_names": munis,
                "stage": est.stage if est else "none",
                "confidence": round(est.confidence, 3) if est else 0.0,
                "trl": est.trl if est else None,
                "transfer_score": round(est.transfer_score, 3) if est else 0.0,
                "stage_quarters": stage_quarters,
                "evidence_ids": [f"{e.article_id}:{i}" for i, e in enumerate(est.evidence)]
                if est
                else [],
            }
        )
        if est:
            for i, e in enumerate(est.evidence + est.transfer_evidence):
                out.evidence[f"{tid}|{qm.quarter}|{i}"] = {
                    **e.__dict__,
                    "topic_id": tid,
                    "quarter": qm.quarter,
                    "kind": "stage" if i < len(est.evidence) else "transfer",
                }
    now = stages.get(w.quarter)
    terms = fit.terms[k]
    fields = {f.name: list(f.seeds) for f in w.lexicon.fields}
    out.topics.append(
        {
            "id": tid,
            "label": linked.labels[k],
            "model_label": fit.labels[k],
            "keyphrases": fit.keyphrases[k],
            "terms": {t_: round(float(v), 5) for t_, v in terms.items()},
            "size": len(arts),
            "quarter_counts": {qm.quarter: qm.count for qm in series},
            "status": "active",
            "field": _field_of(terms, fields, w.cfg.field_min_share) if fields else "",
            "trend_class": verdict.label,
            "trend_rule": verdict.rule,
            "trend_numbers": verdict.numbers,
            "trend_decided_on": verdict.decided_on,
            "stage": now.stage if now else "none",
            "confidence": round(now.confidence, 3) if now else 0.0,
            "trl": now.trl if now else None,
            "municipalities": topic_municipalities([w.nlp[a.id].municipalities for a in arts]),
            "sources": sorted({a.source for a in arts}),
        }
    )


def _write_model(
    folder: Path,
    win: WindowArticles,
    nlp: dict[str, ArticleNLP],
    fit: TopicFit,
    linked: Linked,
    out: _TopicOutputs,
    seen_in: dict[str, set[str]],
    manifest: dict,
) -> None:
    """topics.json, trends.json, evidence.json and assignments.jsonl, sorted (same input, same
    bytes), then manifest.json."""
    folder.mkdir(parents=True, exist_ok=True)
    # manifest.json marks a complete model: gone while the files are replaced, written last, so
    # a run killed in between leaves no model that mixes old and new files
    (folder / "manifest.json").unlink(missing_ok=True)
    _dump(
        folder / "topics.json",
        {
            "quarter": win.quarter,
            "quarters": win.quarters,
            "topics": sorted(out.topics, key=lambda x: x["id"]),
            "dormant": linked.dormant,
            "next_id": linked.next_id,
            "other_size": sum(1 for m in fit.main if m < 0),
        },
    )
    _dump(folder / "trends.json", sorted(out.trends, key=lambda r: (r["topic_id"], r["quarter"])))
    _dump(folder / "evidence.json", out.evidence)
    rows = sorted(zip(win.articles, fit.main, fit.weight, strict=True), key=lambda x: x[0].id)
    joined = {a.id for a in fit.joined}
    with replacing(folder / "assignments.jsonl") as fh:
        for a, m, weight in rows:
            fh.write(
                json.dumps(
                    {
                        "id": a.id,
                        "topic_id": linked.ids[m] if m >= 0 else "other",
                        "topic_weight": round(weight, 4),
                        "quarter": a.quarter,
                        "published": a.published.isoformat(),
                        "title": a.title,
                        "url": a.url,
                        "source": a.source,
                        "municipalities": list(nlp[a.id].municipalities),
                        "stage": nlp[a.id].stage,
                        "place_stage": nlp[a.id].place_stage,
                        **(
                            {"place_stages": nlp[a.id].own_stages()}
                            if nlp[a.id].place_stages
                            else {}
                        ),
                        "seen_in": sorted(seen_in.get(a.id, {a.source})),
                        # set aside by its score, in a topic as part of a new subject
                        **({"completes_new_subject": True} if a.id in joined else {}),
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    _dump(folder / "manifest.json", manifest)


_NOT_A_NAME = re.compile(
    r"^(?:\d[\d.,]*|Million|Milliarde|Euro|Prozent|Jahr|GmbH|AG)\b|\b(?:Euro|GmbH|Prozent)$", re.I
)
_NAME_KINDS = {"municipality", "district", "regbez", "land", "city", "organisation"}
_GENERIC = {
    "kreis",
    "stadt",
    "gemeinde",
    "kommune",
    "kommunen",
    "verwaltung",
    "projekt",
    "jahr",
    "bürger",
    "bürgerin",
    "land",
    "bund",
    "zone",
    "thema",
    "angebot",
    "mitarbeiter",
    "mitarbeiterin",
    "leistung",
    "beitrag",
    "inhalt",
    # the programme this tool serves: in its corpus it says nothing about a topic
    "modellregion",
    "digitale modellregion",
}
# who acts is not what the topic is ("kommunaler IT-Dienstleister", "Stabsstelle Digitalisierung"
# name an actor whatever it does): phrases with a word ending in one of these do not name a topic
_ACTOR_HEADS = (
    "dienstleister",
    "stabsstelle",
    "mitgliedskommune",
    "bürgermeister",
    "landrat",
    "dezernent",
    "ministerium",
    "behörde",
    # a person's role ("Geschäftsführer Dr", "Bereichsleiter Verwaltungsanwendungen")
    "geschäftsführer",
    "bereichsleiter",
    "amtsleiter",
    "abteilungsleiter",
    "projektleiter",
    "pressesprecher",
    # members and chairs of a body ("Ausschussmitglied Weber", "Fraktionsvorsitzende Krause")
    "mitglied",
    "vorsitzende",
    "vorsitzender",
    # holders of political office ("Wirtschaftssenator …", "Digitalministerin …", "Präsident …")
    "senator",
    "minister",
    "präsident",
)
# a street is where, not what: "Kölner Straße", "Eper Straße", "Alter Markt" (a place's or
# person's adjective before a street word; "Freier Platz" is a free space: frei is a word)
_STREET = re.compile(r"\b([A-ZÄÖÜ][\w-]*er) (?:Straße|Strasse|Weg|Allee|Gasse|Platz|Ring|Markt)\b")


def _names_a_street(phrase: str) -> bool:
    return any(lemmatize(m.group(1), "de")[:1].isupper() for m in _STREET.finditer(phrase))


def _by_quarter(arts: list[Article]) -> dict[str, list[Article]]:
    out: dict[str, list[Article]] = {}
    for a in arts:
        out.setdefault(a.quarter, []).append(a)
    return out


def staged_articles(arts: list[Article], weights: dict[str, float]) -> list[Article]:
    """The articles of a topic its stage is judged on: those typical of it (topic weight at
    least `maturity.typical_floor`, as for its evidence). An article mostly about something
    else that the topic took in (a stray article that shares a few words) does not tell how
    far the topic's solution got: two such articles, each on another service's rollout, made
    a shared software plan read rollout. Stop 51, 71 written streams, each read by an article
    layer trained without it: stage in every quarter 4,539 -> 4,569 of 4,756 (+0.006 ± 0.015
    a stream, within its spread; 14 streams better, 1 worse), last-quarter stages 687 -> 690
    of 709 (3 better, none worse), nothing else moved; on the four unseen judges scored beside
    it (stream72 … stream75) every quarter 256 -> 258 of 268, none worse, which decided it."""
    floor = maturity.typical_floor(weights)
    return [a for a in arts if weights.get(a.id, 1.0) >= floor]


def stage_basis(
    by_quarter: dict[str, list[Article]],
    quarter: str,
    min_articles: int = AnalysisConfig.min_stage_articles,
) -> tuple[list[Article], list[str]]:
    """The articles a quarter's stage is judged on (from a topic's articles by quarter): the
    quarter's own and the previous quarter's, and when they are fewer than `min_articles`, those
    of earlier quarters too, one quarter at a time, until there are that many or the topic's
    first quarter is in.

    A stage reached does not lapse when a quarter's news is about others: in the last quarter of
    a growing topic, one article on the town that runs it and two on towns that trial it read
    "pilot", although the quarter before had reported the rollout twice (stop 35: the stage of
    every quarter in which a topic's articles report, against the furthest stage its articles
    told up to then, 923 -> 943 of 1,070 over sixteen written streams, none worse, +1.25 ± 0.93
    quarters a stream; the last quarter's alone 146 -> 150 of 158). And one stray "soll ...
    geplant" in a thin quarter does not turn an established topic back into a concept.

    Nor does a quiet one: a declining topic told in ones in its last quarters, on a service
    that has run for years, read "pilot" when the two quarters before held one article between
    them (one article cannot corroborate a rollout); borrowing back to three articles instead of
    at most two quarters: last-quarter stages 217 -> 223 of 228 over twenty-three written
    streams (six streams +1, none worse; +0.026 ± 0.045 a stream), every quarter 1,381 -> 1,388
    of 1,539 (stream11 -1), the demo and the berlin.de releases unchanged (stop 39)."""
    basis = list(by_quarter.get(quarter, ()))
    used = [quarter]
    first = min(by_quarter, default=quarter)
    for back in itertools.count(1):
        earlier = shift_quarter(quarter, -back)
        if back > 1 and (len(basis) >= min_articles or earlier < first):
            break
        basis += by_quarter.get(earlier, ())
        used.append(earlier)
    return basis, used


def topic_municipalities(places: list[tuple[str, ...]]) -> list[str]:
    """Municipalities (not districts) acting in a topic, from the places of each of its articles:
    named in at least two articles (one for small topics), most often named first. A single
    passing mention is not involvement."""
    counts = Counter(name for names in places for name in names)
    need = 2 if len(places) >= 10 else 1
    return sorted(
        (
            n
            for n, c in counts.items()
            if c >= need and (e := entities.lookup(n)) is not None and e.kind == "municipality"
        ),
        key=lambda n: (-counts[n], n),
    )


_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_A-Z]+(?:-[^\W\d_][^\W\d_A-Z]+)?")


def _unknown_name_word(word: str) -> bool:
    """A capitalised word that no dictionary knows and that is no compound of known words:
    what given names and surnames of any origin look like to the lemmatizer."""
    return (
        bool(_NAME_WORD.fullmatch(word))
        and word[0].isupper()
        and not any(is_known(word, lang) for lang in ("de", "en"))
        and len(split_compound(word)) == 1
    )


# a form of address before a capitalised word names a person ("Anmeldung bei Frau Schwerdtner");
# council minutes address their members by office ("Ratsherr Kemper", "Ratsfrau Yilmaz")
_HONORIFICS = frozenset(
    {"Frau", "Herr", "Herrn", "Dr.", "Prof.", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms."}
    | {"Ratsherr", "Ratsherrn", "Ratsfrau", "Ratsmitglied", "Stadtverordneter", "Stadtverordnete"}
    | {"Beigeordneter", "Beigeordnete", "Kämmerer", "Kämmerin", "Councillor", "Cllr", "Cllr."}
)


_ACADEMIC_TITLES = frozenset({"Dr", "Prof", "Dipl"})


def _without_people(keyphrases: list) -> list[str]:
    """A topic's keyphrases (phrases, or (phrase, score) pairs) without people: people quoted in
    press releases are not what a topic is about."""
    phrases = (kp[0] if isinstance(kp, (list, tuple)) else kp for kp in keyphrases)
    return [p for p in phrases if not is_person(p)]


def is_person(phrase: str) -> bool:
    """ "Petra Offermann", "Dezernentin Petra Offermann", "Cansel Kiziltepe", "Frau Schwerdtner",
    "Astrid-Sabine Bus" (a double first name; the surname as the lemmatizer left it):
    a known first name or a form of address followed by a word, or two to three capitalised
    words whose first and last no dictionary knows (names of any origin; "Neues Abholterminal"
    or "Servicekonto NRW" are not)."""
    words = phrase.split()
    given = entities.first_names()
    # double first names are hyphenated ("Astrid-Sabine", "Hans-Peter"): every part a given name
    if any(all(part in given for part in w.split("-")) for w in words[:-1]):
        return True
    if any(w in _HONORIFICS and nxt[:1].isupper() for w, nxt in zip(words, words[1:])):
        return True
    # an academic title stands only with a name, even where the name itself was left out
    # ("Geschäftsführer Dr. Rainer Vogt" -> "Geschäftsführer Dr")
    if any(w.rstrip(".") in _ACADEMIC_TITLES for w in words):
        return True
    capitalised = all(w[:1].isupper() for w in words)
    # a role and a given name whose surname the lemmatizer took for a word ("Wirtschaftssenator
    # Stephan" of "… Stephan Schwarz")
    if len(words) >= 2 and words[-1] in given and capitalised:
        return True
    # how a release introduces someone: role, given name, surname ("Bauhofleiter Ludger
    # Pöhlker"). Roles are any noun and dictionaries know many given names, so what tells it is
    # the shape: a surname no dictionary knows after a single word that is no compound
    if (
        len(words) == 3
        and capitalised
        and len(split_compound(words[1])) == 1
        and _unknown_name_word(words[2])
    ):
        return True
    return 2 <= len(words) <= 3 and _unknown_name_word(words[0]) and _unknown_name_word(words[-1])


def _of_a_publisher(phrase: str, publishers: Iterable[str]) -> bool:
    """Whether a phrase is part of one of the publishers' names, also where its adjective was
    made to agree with its noun ("Kommunaler IT" of "Kommunale IT Westfalen"). The check on
    characters stays beside the one on words: it also leaves out words inside a source's id
    ("Rat" of "ratsinfo-velbert", "Portal" of "land-portal"), which on the written streams named
    ten topics worse when they came back."""
    low, words = phrase.lower(), base_words(phrase)
    return any(
        low in name.lower() or contains_words(base_words(name), words)
        for name in publishers
        if name
    )


def readable_label(keyphrases: list[str], publishers: Iterable[str] = ()) -> str:
    """A topic name a reader recognises: the best keyphrases that are not places, organisations,
    people, actors, amounts, maturity cues or part of a publisher's name ("Bewohnerparkausweis ·
    Serviceportal", not "Soest · Kreis", "Million Euro" or "Kommunale IT" from "Kommunale IT
    Westfalen")."""
    publishers = list(publishers)
    kept = []
    for phrase in keyphrases:
        if _of_a_publisher(phrase, publishers):
            continue
        named = sum(
            e.end - e.start for e in entities.find_entities(phrase) if e.kind in _NAME_KINDS
        )
        # a bare place name the in-text matcher rejects out of context ("Delbrück" is a surname too)
        place = (entry := entities.lookup(phrase)) is not None and entry.kind in _NAME_KINDS
        if (
            named >= 0.5 * len(phrase)
            or place
            # a place's office or works is one town's, not the subject ("Standesamt Datteln")
            or entities.names_a_place(phrase)
            or _names_a_street(phrase)
            or _NOT_A_NAME.search(phrase)
            or phrase.lower() in _GENERIC
            or any(w.removesuffix("in").endswith(_ACTOR_HEADS) for w in phrase.lower().split())
            or is_person(phrase)
            # how far a topic got is its stage, not its name ("Testphase", "Modellprojekt")
            or maturity.classify_sentence(phrase).stage != maturity.NONE
        ):
            continue
        kept.append(phrase)
    return topic_label(kept)


_PLACE_KINDS = ("municipality", "district")
_SOURCE_WORDS = re.compile(r"[^\W_]+")


def home_place(
    source_id: str, source: dict | None = None, named: Iterable[tuple[str, ...]] = ()
) -> entities.GazetteerEntry | None:
    """The municipality or district a source speaks for: its `region` in sources.yaml, else a
    place its name or id spells ("ratsinfo-bocholt", "kreis-lippe", "Stadt Lage") that at least
    half of its articles naming a place name (`named`: the places of each of its articles). That
    second test keeps a town name that is also a word ("wetter-news", "much-more") or a paper of
    several towns from giving every article one place. None: a source of no one place."""
    source = source or {}
    region = entities.lookup(str(source.get("region") or ""))
    if region is not None and region.kind in _PLACE_KINDS:
        return region
    candidates = []
    for text in (str(source.get("name") or ""), source_id):
        words = _SOURCE_WORDS.findall(text)
        candidates += [f"{a} {b}" for a, b in zip(words, words[1:])]  # "kreis lippe"
        candidates += [w for w in words if len(w) >= 4]
    placed = [set(names) for names in named if names]
    for name in candidates:
        entry = entities.lookup(name)
        if entry is not None and entry.kind in _PLACE_KINDS:
            hits = sum(entry.name in names for names in placed)
            if hits and 2 * hits >= len(placed):
                return entry
    return None


def with_home_places(
    nlp: dict[str, ArticleNLP], articles: Iterable[Article], sources: dict[str, dict]
) -> dict[str, ArticleNLP]:
    """A town's press office or council system writes about the town without naming it
    ("Mitteilung 2026/0512: Telefonassistenz Bürgerbüro gestartet"): an article that names no
    place gets its source's home place (`home_place`). One that names places keeps only those:
    a council report on a neighbour's solution must not make the home town run it."""
    by_source: dict[str, list[Article]] = {}
    for a in articles:
        if a.id in nlp:
            by_source.setdefault(a.source, []).append(a)
    out = dict(nlp)
    for src, arts in by_source.items():
        home = home_place(src, sources.get(src), (nlp[a.id].municipalities for a in arts))
        if home is None:
            continue
        region = _region_of(home)
        for a in arts:
            if not nlp[a.id].municipalities:
                out[a.id] = dataclasses.replace(
                    nlp[a.id], municipalities=(home.name,), regions=(region,) if region else ()
                )
    return out


def _municipalities(title: str, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(municipalities and districts named, their regions) for one article, sorted, unique."""
    names, regions = set(), set()
    # the headline ends a sentence: its last word is the end of a phrase ("Tablets an allen
    # Grundschulen in Lage"), not the start of a noun phrase with the text's first word
    for e in entities.local_places(f"{title}.\n{text}"):
        names.add(e.name)
        if e.region:
            regions.add(_region_of(e))
    return tuple(sorted(names)), tuple(sorted(regions))


def _stages_by_place(
    places: tuple[str, ...], sentences: maturity.SentenceStages, stage: str
) -> tuple[tuple[str, str], ...]:
    """Each place of an article that names several, with the stage the sentences that name it
    make likeliest together (the sentence model's probabilities summed; a tie goes to the
    earlier stage), never beyond the article's own stage: in "In Detmold läuft seit Mai ein
    Pilotprojekt … Gütersloh hat zwei Geräte ausgeschrieben" Detmold gets its pilot and
    Gütersloh its call for tenders. Places no sentence names (a name only in the headline's
    run-on) are left out and keep the cautious stage. With the rules alone the sentences are
    those whose signal tells a stage."""
    wanted = set(places)
    mine: dict[str, dict[str, float]] = {}
    for text, probs in sentences:
        for e in entities.local_places(text):
            if e.name in wanted:
                totals = mine.setdefault(e.name, dict.fromkeys(maturity.STAGES, 0.0))
                for st in maturity.STAGES:
                    totals[st] += probs.get(st, 0.0)
    out = []
    for place in sorted(mine):
        totals = mine[place]
        best = max(maturity.STAGES, key=lambda st: totals[st])  # first of equals: the earlier
        if totals[best] > 0:
            out.append((place, maturity.no_further(best, stage)))
    return tuple(out)


def _region_of(place: entities.Entity | entities.GazetteerEntry) -> str:
    """The region an article naming `place` is counted for: a municipality's district (or
    "kreisfrei"), a district itself."""
    return place.region if place.kind == "municipality" else place.name
