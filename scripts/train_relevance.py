"""Build trends/nlp/data/relevance.json: the relevance judgement of articles and sentences.

    python scripts/train_relevance.py [--out PATH]

Trained on the working part (never the lockbox, see scripts/protocol.py) of:
  - berlin.de press releases labelled yes/no (../shared/data/berlin_press_relevance/dev.jsonl,
    CC BY-SA 4.0). Unweighted: weighting them by stratum as the stream has them (capped at 8 or
    2.5, or not capped) lowered the pooled cross-validated figure (written articles 0.92 -> 0.76-0.88
    accuracy, berlin F1 no better); the strata weigh in evaluation only;
  - our written articles (tests/data/relevance_articles.jsonl), press releases
    (tests/data/relevance_releases.jsonl: 200, written blind; adding them, paired over the same
    5 x 5 folds: pooled +0.054 ± 0.033 with the set scored, +0.043 ± 0.039 on the other sets;
    berlin precision 0.39 -> 0.59 at recall 0.67 -> 0.60, written articles 0.81 -> 0.87) and sentences
    (tests/data/solution_sentences.tsv: does the sentence describe a digital solution?).
Not on 10kGNAD or GermEval (non-commercial licences): eval_relevance.py uses 10kGNAD as
negatives only. The default threshold is chosen on out-of-fold predictions (the same folds
eval_relevance.py scores): the highest at which the written articles lose at most 5 % of their
on-topic ones (the issue's goal) as mean + one spread over the folds, written into the model file.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import math
import statistics
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import protocol  # noqa: E402

from trends import relevance  # noqa: E402
from trends.nlp.linear import Features, LinearTextModel  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
BERLIN = SHARED / "berlin_press_relevance" / "dev.jsonl"
GNAD = SHARED / "10kGNAD" / "dev.csv"
DATA = ROOT / "tests" / "data"
WRITTEN_ARTICLES = DATA / "relevance_articles.jsonl"
# 200 press releases of public bodies (city-state, districts, NRW towns and Kreise, Land offices),
# written blind from a brief asking for what the berlin stream's false positives are: ordinary
# administrative news in the same vocabulary, and digital means in passing
WRITTEN_RELEASES = DATA / "relevance_releases.jsonl"
# a second batch of 200 (other Länder; police, courts, job centres, libraries, utilities, ...),
# half of its digital ones told with few digital words. Never trained on: training on it too
# added +0.007 ± 0.019 pooled (eval_relevance.py --paired-without, less than its spread), so it
# measures the shipped model on releases nobody here has seen (eval_relevance.py --unseen)
WRITTEN_RELEASES2 = DATA / "relevance_releases2.jsonl"
# 300 press releases of public bodies from a brief of stop 33 (the berlin label's definition: a
# digital solution, service, infrastructure, programme or strategy of a public body as the topic):
# strategies, broadband, funding programmes, digital teaching, AI research, online participation,
# digital culture, services, administration, mobility, new channels; 90 passing, 60 plain. Not
# trained on, and why: paired over 3 seeds x 5 folds (eval_relevance.py --paired-without
# releases3), pooled +0.003 ± 0.010, without the set itself +0.001 ± 0.010 (berlin recall of A+B
# 0.718 -> 0.743, F1 +0.004 ± 0.159; 10kGNAD false positives 8.2 -> 10.0 %): within the spread.
# It is a test of the shipped model instead, like releases2.
WRITTEN_RELEASES3 = DATA / "relevance_releases3.jsonl"
# 200 English items on German and European local government (digests, city news, trade press),
# written blind. Not trained on, and why: the model trained without English news keeps every
# English digital item but also 88 of 120 off-topic ones (accuracy 0.56). Training on it,
# paired over the same folds: english 0.54 -> 0.94 and pooled +0.054 ± 0.018, but the other
# sets -0.015 ± 0.020: the threshold rule then picks 0.40 instead of 0.45, so berlin precision
# falls 0.59 -> 0.46 (10kGNAD false positives 5.9 -> 9.0 %), and on the written stream the new
# topic of three articles merges into its neighbour once that neighbour keeps more articles.
# It measures the shipped model on English news (eval_relevance.py --unseen).
WRITTEN_ENGLISH = DATA / "relevance_english.jsonl"
# 200 council papers (Vorlage, Mitteilung, Niederschrift), local newspaper reports and blog posts,
# written blind by two colleagues from a brief of their own (stop 27): the voices a town's own
# news comes in besides press releases, half of the digital ones told with few digital words.
# Never trained on: training on it too, paired over the same 5 x 5 folds, +0.020 ± 0.020 pooled
# (+0.019 ± 0.022 without it; the threshold rule moved to 0.50, berlin precision 0.59 -> 0.73 at
# recall 0.60 -> 0.54, 10kGNAD false positives 5.9 -> 3.9 %): not more than its spread. It
# measures the shipped model on local news nobody here has seen (eval_relevance.py --unseen).
WRITTEN_COUNCIL = DATA / "relevance_council.jsonl"
# 200 items in the other voices a town's public business comes in (official gazette, district
# press office, local radio, utilities, council groups' statements, question time), written
# blind by two colleagues from a brief of their own (stop 28), half of the digital ones told in
# plain words. Never trained on: training on it and the council set too, paired over the same
# 5 x 5 folds, +0.022 ± 0.024 pooled (articles +0.073, 10kGNAD +0.031, berlin -0.003 ± 0.089; the
# threshold rule moved to 0.55, berlin recall 0.60 -> 0.45): not more than its spread, and away
# from the recall goal. It measures the shipped model (eval_relevance.py --unseen).
WRITTEN_LOCAL = DATA / "relevance_local.jsonl"
# 200 more, from the same brief by two further colleagues (stop 29: gazettes, utilities and
# question time; district press, radio and council groups; a third in NRW, the rest in seven
# other Länder). Training on it too: +0.013 ± 0.018 pooled; on it, the council set and the first
# local set: +0.022 ± 0.027 (threshold rule 0.45 -> 0.55 again). Not kept: a further test.
WRITTEN_LOCAL2 = DATA / "relevance_local2.jsonl"
# 200 more English items, written blind from a second brief (other outlets: British trade
# press, a broadcaster's English service, twinning newsletters, expat forums; other subjects).
# The English model is trained on it since stop 28: paired over the same 5 x 5 folds of both,
# +0.057 ± 0.037 pooled (english +0.045 ± 0.045, english2 0.858 -> 0.927), and a third set, never
# trained on then, rose from 0.795 to 0.885.
WRITTEN_ENGLISH2 = DATA / "relevance_english2.jsonl"
# 200 English items written blind from a third brief (stop 28: English pages of Dutch, Nordic,
# Baltic and Austrian cities, EU agencies and city networks, international community papers in
# German cities, student papers, chambers of commerce, transport authorities, think tanks,
# podcasts, wires). Read by the model of the first two sets at 0.885 while never trained on;
# then trained on too: paired over the same 5 x 5 folds of the three sets +0.012 ± 0.010
# (+0.009 ± 0.013 on the other two), and on the fourth set below 181 -> 189 of 200.
WRITTEN_ENGLISH3 = DATA / "relevance_english3.jsonl"
# 200 English items from a fourth brief (stop 28: UK, Irish, North American and Australian
# councils and local media, German universities' English news, base community papers, community
# posts, consumer advice, travel blogs): never trained on, the English news nobody here has seen
WRITTEN_ENGLISH4 = DATA / "relevance_english4.jsonl"
# 240 hard pairs (stop 45): a public body's digital service where the setting is leisure,
# culture, sport, festivals or everyday town life (a Christmas market's app, pool tickets with a
# time slot, e-books at the library), beside news from the same settings with a digital means in
# passing or none; written blind from a brief of their own (tests/data/briefs/relevance_hardpairs.md).
# Stop 45, with the character n-grams at full weight, training on it: pooled +0.017 ± 0.003, but
# the threshold rule flipped between 0.45 and 0.5 and the berlin.de releases lost precision
# (0.660 -> 0.604) or recall (0.544 -> 0.466): not shipped. Stop 46, with them at half weight
# (CHAR_WEIGHT), paired over the same 2 x 5 folds: ROC AUC +0.0073 ± 0.0010 over every German set
# (berlin.de 0.926 -> 0.931, the other written sets +0.0041 ± 0.0036, the 49 test streams 0.981 ->
# 0.989), pooled accuracy 0.928 -> 0.940 ± 0.013; the rule keeps 0.45 (2 and 5 seeds); berlin.de
# recall 0.516 -> 0.542, precision 0.662 -> 0.650; 10kGNAD false positives +1.6 points; on the 49
# streams analysed on-topic lost 233 -> 113 of 5,299, off-topic set aside 1,642 -> 1,619 of 1,780.
# Trained on since (its working part; the lockbox stays out).
WRITTEN_HARDPAIRS = DATA / "relevance_hardpairs.jsonl"
# 240 administrative pairs (stop 46): a public body's digital subject beside news from the same
# administrations with no digital subject (staff, budgets, buildings, heat, winter service,
# funding for sports halls, the IT blogger's holidays), told in the voices that usually write
# about digital matters (trade press, the Land portal, IT employees' blogs, council minutes,
# press releases); written blind from a brief of their own (tests/data/briefs/relevance_adminpairs.md)
# after the test streams showed such news kept. Never trained on: the shipped model reads 218 of
# 240 (digital 120/120, passing 63/80, plain 35/40). Training on it, paired over the same 2 x 5
# folds: pooled accuracy +0.0089 ± 0.0027, AUC +0.0021 ± 0.0007 (test streams 0.989 -> 0.992),
# and on the 51 streams analysed off-topic set aside 1,684 -> 1,758 of 1,850 (streams under 90 %:
# 21 -> 6) for on-topic lost 115 -> 146 of 5,506 (balanced accuracy +0.017 ± 0.019 a stream);
# but both real sets move the other way: berlin.de AUC 0.931 -> 0.924 (recall 0.542 -> 0.531,
# precision 0.650 -> 0.636), 10kGNAD false positives 9.6 -> 10.5 %. Not shipped (stop 46): the
# gain is on the news this project wrote, the cost on the real news. (stream52 and stream53 were
# scored in stop 47 with the shipped model only.)
WRITTEN_ADMINPAIRS = DATA / "relevance_adminpairs.jsonl"
# 240 press releases of public bodies beyond the town hall (stop 47: ministries, state offices,
# police, courts, libraries, museums, theatres, schools, universities, health offices, economic
# development, transport), written blind from a brief of their own after berlin.de's missed
# releases showed such bodies' digital offers (a hackathon, virtual exhibition rooms, an AI
# teaching fund) read as off-topic: 120 digital subjects, 80 digital means in passing, 40 plain
# (tests/data/briefs/relevance_bodies.md). Never trained on: the shipped model reads 224 of 240
# (missed: conferences on AI, a library's maker space, a streamed premiere). Training on it, paired
# over 2 x 5 folds: AUC +0.0004 ± 0.0010, berlin.de 0.931 -> 0.909; releases3 the same way
# (+0.0000 ± 0.0007, berlin.de -0.004), releases2 and releases3 together (berlin.de -0.013):
# written news in berlin.de's sense of "digital" does not teach the model berlin.de's releases.
WRITTEN_BODIES = DATA / "relevance_bodies.jsonl"
WRITTEN_SENTENCES = DATA / "solution_sentences.tsv"

# STREAMS_NOTE. The German articles of the working parts of the written news streams
# (protocol.TRAINING_STREAMS) train the model too (stop 30): local news in the voices the tool
# reads (press offices, district news, local papers, council papers, trade press, blogs, a Land
# portal), where a solution is often told without digital vocabulary ("Container melden sich,
# wenn sie voll sind"). Paired over the same folds, every labelled set scored (the written sets and
# streams no model is trained on by every fold's model): pooled +0.041 ± 0.011; without the
# streams set itself +0.035 ± 0.012. What it rests on: the test streams, on-topic lost 28 -> 3 %
# (stream3 +0.180 ± 0.024, stream4 +0.190 ± 0.026 accuracy), the written local sets council
# +0.023, local +0.013, local2 +0.017, releases2 +0.006; at a cost on the real and national
# sets: berlin F1 -0.017 ± 0.062 (recall 0.597 -> 0.555, precision 0.591 -> 0.615), 10kGNAD
# false positives 5.9 -> 8.2 %. Without the test streams the pooled effect is +0.002: the
# decision favours the municipal news streams the tool is for.
# The 20,000-item sample the berlin labels were drawn from (its README): items per stratum.
STREAM = {"A": 908, "B": 1742, "C": 17350}
C_REG = 4.0
# The character n-grams weigh half as much as the other tokens (stop 46; LinearTextModel.fit):
# at full weight they make most of an article's vector and carry its setting's vocabulary
# (Kinder-, -heide) more than what it reports. Out of fold (2 seeds x 5 folds, ROC AUC per set,
# paired against weight 1): 0.7 +0.0027 ± 0.0005, 0.5 +0.0053 ± 0.0008 over every German set
# (the 49 test streams 0.975 -> 0.981, berlin.de 0.921 -> 0.926, the sets other than the
# streams +0.0033 ± 0.0018, none worse than -0.001), 0.3 +0.0080 ± 0.0014 (the other sets
# +0.0039 ± 0.0038, berlin.de +0.002), 0 (no character n-grams) +0.0050 ± 0.0025 with berlin.de
# -0.021: 0.5 gains on every kind of set. English items +0.0015 ± 0.0007. C: 1 -0.002 and
# 16 -0.000 against 4.
CHAR_WEIGHT = 0.5
SEEDS, K = 5, 5


@dataclass(frozen=True)
class Item:
    set: str  # berlin | articles | sentences | 10kgnad
    title: str
    text: str
    label: str  # yes | no
    stratum: str = ""  # berlin only
    language: str = "de"
    note: str = ""  # 10kGNAD label, written item kind

    @property
    def key(self) -> str:
        """What the lockbox hash reads."""
        return self.text

    def features(self) -> tuple[str, list[str]]:
        if self.set == "sentences":
            return relevance.sentence_features(self.text)
        return relevance.article_features(self.title, self.text)


def load_berlin() -> list[Item]:
    if not BERLIN.exists():
        return []
    out = []
    for line in BERLIN.open(encoding="utf-8"):
        r = json.loads(line)
        if r["label"] in ("yes", "no"):  # two items the annotators split on are left out
            out.append(Item("berlin", r["title"], r["text"], r["label"], r["stratum"], "de"))
    return out


def load_written_articles(
    path: Path = WRITTEN_ARTICLES, name: str = "articles", language: str = "de"
) -> list[Item]:
    if not path.exists():
        return []
    out = []
    for line in path.open(encoding="utf-8"):
        if line.strip():
            r = json.loads(line)
            label = _yes_no(r.get("label", r.get("relevant")))
            note = str(r.get("kind") or r.get("style") or "")
            lang = str(r.get("language") or r.get("lang") or language)
            out.append(Item(name, r["title"], r["text"], label, "", lang, note))
    return out


def load_written_releases() -> list[Item]:
    return load_written_articles(WRITTEN_RELEASES, "releases")


def load_written_english() -> list[Item]:
    return load_written_articles(WRITTEN_ENGLISH, "english", "en")


def load_written_english2() -> list[Item]:
    return load_written_articles(WRITTEN_ENGLISH2, "english2", "en")


def load_written_english3() -> list[Item]:
    return load_written_articles(WRITTEN_ENGLISH3, "english3", "en")


def unseen_sets() -> dict[str, list[Item]]:
    """The written sets no model is trained on, by name: they measure the shipped models
    (eval_relevance.py --unseen, tests/test_relevance.py)."""
    return {
        name: load_written_articles(path, name, language)
        for name, path, language in (
            ("releases2", WRITTEN_RELEASES2, "de"),
            ("releases3", WRITTEN_RELEASES3, "de"),
            ("council", WRITTEN_COUNCIL, "de"),
            ("local", WRITTEN_LOCAL, "de"),
            ("local2", WRITTEN_LOCAL2, "de"),
            ("adminpairs", WRITTEN_ADMINPAIRS, "de"),
            ("bodies", WRITTEN_BODIES, "de"),
            ("english4", WRITTEN_ENGLISH4, "en"),
        )
    }


def stream_items(name: str, pairs: Iterable[tuple[dict, dict]], language: str = "de") -> list[Item]:
    """The articles of written news streams in one language: on-topic (T01...) = yes,
    off-topic = no."""
    return [
        Item(name, a["title"], a["text"], "no" if t["topic"] == "offtopic" else "yes", "", language)
        for a, t in pairs
        if a.get("language", "de") == language
    ]


# The streams whose working parts train each language's model. The English model also learns
# from the test streams' English articles (stop 31): English items are few (those of the first
# two streams: 38), and the test streams lost 9 % of their English on-topic articles to it.
# Paired over the same folds, each model at the threshold its rule picks (the shipped model is
# shifted to the shared one): english +0.014 ± 0.012, english4 (never trained on) +0.009 ±
# 0.010, the added articles +0.049 ± 0.037 (scored out of fold), pooled +0.018 ± 0.011; the
# German model, trained on the test streams too, lost -0.013 ± 0.013 pooled (council -0.058,
# 10kGNAD -0.025): its test streams stay tests.
STREAMS_BY_LANGUAGE = {
    "de": protocol.TRAINING_STREAMS,
    "en": protocol.ENGLISH_TRAINING_STREAMS,
}


def load_streams(language: str = "de") -> list[Item]:
    """The working parts of the streams that train this language's model (see STREAMS_NOTE)."""
    name = "streams" if language == "de" else f"streams_{language}"
    folders = STREAMS_BY_LANGUAGE.get(language, protocol.TRAINING_STREAMS)
    pairs = (p for f in folders for p in protocol.stream_working_part(f))
    return stream_items(name, pairs, language)


def test_sets(language: str = "de") -> dict[str, list[Item]]:
    """The written sets in one language no model is trained on, scored in cross-validation by
    every fold's model (eval_relevance.py): the unseen sets and the test streams."""
    sets = {n: v for n, v in unseen_sets().items() if v and v[0].language == language}
    trained = STREAMS_BY_LANGUAGE.get(language, protocol.TRAINING_STREAMS)
    for folder in protocol.TEST_STREAMS:
        if folder not in trained and (folder / "truth.jsonl").exists():
            sets[folder.name] = stream_items(folder.name, protocol.stream_pairs(folder), language)
    return {n: v for n, v in sets.items() if v}


def load_written_sentences() -> list[Item]:
    if not WRITTEN_SENTENCES.exists():
        return []
    out = []
    with WRITTEN_SENTENCES.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if not row or row[0].startswith("#") or row[0].strip().lower() == "label":
                continue
            label, text = _yes_no(row[0]), row[1]
            lang = row[2] if len(row) > 2 and row[2] else "de"
            note = row[3] if len(row) > 3 else ""
            out.append(Item("sentences", "", text, label, "", lang, note))
    return out


def load_gnad() -> list[Item]:
    if not GNAD.exists():
        return []
    with GNAD.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter=";", quotechar="'"))
    # 10kGNAD has no titles: its first sentence stands in for one
    return [Item("10kgnad", "", text, "no", "", "de", label) for label, text in rows]


def _yes_no(value: object) -> str:
    v = str(value).strip().lower()
    if v in ("yes", "ja", "1", "true", "relevant", "y", "on-topic", "on"):
        return "yes"
    if v in ("no", "nein", "0", "false", "irrelevant", "n", "off-topic", "off"):
        return "no"
    raise ValueError(f"not a yes/no label: {value!r}")


def working(items: Sequence[Item]) -> list[Item]:
    return protocol.split_lockbox(items, lambda it: it.key)[0]


def lockbox(items: Sequence[Item]) -> list[Item]:
    return protocol.split_lockbox(items, lambda it: it.key)[1]


def fit(items: Sequence[Item], meta: dict | None = None) -> LinearTextModel:
    feats = [it.features() for it in items]
    return LinearTextModel.fit(
        [f[0] for f in feats],
        [it.label for it in items],
        extra=[f[1] for f in feats],
        features=Features(),
        C=C_REG,
        min_df=2,
        char_weight=CHAR_WEIGHT,
        meta=meta,
    )


def score(model: LinearTextModel, item: Item) -> float:
    return model.proba(*item.features())["yes"]


def stream_pr(
    items: Sequence[Item], scores: Sequence[float], threshold: float
) -> tuple[float, float]:
    """(recall, precision) of "kept" on the real stream: each berlin item weighted by its
    stratum's size in the stream over its count among `items`."""
    n: dict[str, int] = {}
    for it in items:
        n[it.stratum] = n.get(it.stratum, 0) + 1
    tp = fn = fp = 0.0
    for it, s in zip(items, scores):
        w = STREAM[it.stratum] / n[it.stratum]
        kept = s >= threshold
        if it.label == "yes":
            tp += w * kept
            fn += w * (not kept)
        else:
            fp += w * kept
    recall = tp / (tp + fn) if tp + fn else 0.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    return recall, precision


def out_of_fold(
    sets: dict[str, list[Item]],
    seeds: int = SEEDS,
    k: int = K,
    exclude: frozenset[str] = frozenset(),
):
    """For each seed: every item's score by a model fitted without its fold (all sets are split
    into stratified folds together; fold f of every set is left out of model f). Sets in
    `exclude` are scored but never trained on (does a new set help?).
    Yields (seed, fold, model, {set: [(item, score)]})."""
    for seed in range(seeds):
        per_set = {
            name: protocol.stratified_folds([f"{it.label}{it.stratum}" for it in items], k, seed)
            for name, items in sets.items()
        }
        for f in range(k):
            train = [sets[n][i] for n in sets if n not in exclude for i in per_set[n][f][0]]
            model = fit(train)
            test = {n: [sets[n][i] for i in per_set[n][f][1]] for n in sets}
            yield (
                seed,
                f,
                model,
                {n: [(it, score(model, it)) for it in its] for n, its in test.items()},
            )


MAX_LOST = 0.05  # the goal: at most 5 % of on-topic articles lost


def choose_threshold(
    folds: list[dict[str, list[tuple[Item, float]]]], ruler: str = "articles"
) -> float:
    """The highest threshold (most off-topic articles set aside) at which the written articles,
    local news of every kind, lose at most MAX_LOST of their on-topic ones, as mean + one spread
    over the folds: the goal must hold on news not seen, not only on average (0.45 lost 3.7 % ±
    3.9 %, 0.40 1.5 %); without written articles, the best berlin stream F1."""
    grid = [round(0.05 * i, 2) for i in range(2, 17)]

    def lost(t: float) -> float:
        shares = []
        for pairs in folds:
            yes = [s for it, s in pairs.get(ruler, []) if it.label == "yes"]
            shares.append(sum(s < t for s in yes) / len(yes))
        return statistics.fmean(shares) + (statistics.stdev(shares) if len(shares) > 1 else 0.0)

    def berlin_f1(t: float) -> float:
        total = 0.0
        for pairs in folds:
            b = pairs["berlin"]
            r, p = stream_pr([it for it, _ in b], [s for _, s in b], t)
            total += 2 * r * p / (r + p) if r + p else 0.0
        return total / len(folds)

    if not all(pairs.get(ruler) for pairs in folds):
        return max(grid, key=berlin_f1)
    ok = [t for t in grid if lost(t) <= MAX_LOST]
    return max(ok) if ok else grid[0]


def training_sets() -> dict[str, list[Item]]:
    sets = {
        "berlin": working(load_berlin()),
        "articles": working(load_written_articles()),
        "releases": working(load_written_releases()),
        "sentences": working(load_written_sentences()),
        "streams": load_streams(),  # their working parts already
        "hardpairs": working(load_written_articles(WRITTEN_HARDPAIRS, "hardpairs")),
    }
    return {k: v for k, v in sets.items() if v}


def model_id(prefix: str, items: Sequence[Item]) -> str:
    """Names a model by its day, its training items and its recipe (what analyze re-judges on)."""
    recipe = f"C={C_REG} chars={CHAR_WEIGHT}"
    digest = hashlib.sha1(("".join(sorted(it.key for it in items)) + recipe).encode()).hexdigest()
    digest = digest[:8]
    return f"{prefix}-{dt.date.today().isoformat()}-{digest}"


def load_english_training() -> list[Item]:
    """Every written English item the English model learns from (lockbox parts included)."""
    return load_written_english() + load_written_english2() + load_written_english3()


def english_sets() -> dict[str, list[Item]]:
    """What the English model is trained on: the working part of the written English items and
    the English articles of the streams' working parts (STREAMS_BY_LANGUAGE: the training
    streams' since stop 30, the test streams' since stop 31). Stop 30, the first two streams,
    paired over the same folds with the English test items scored by every fold's model: pooled
    +0.034 ± 0.015 (stream3 +0.056, stream4 +0.086, on-topic lost 17 -> 10 % and 14 -> 3 %;
    english -0.007, english4 -0.008)."""
    sets = {"english": working(load_english_training()), "streams_en": load_streams("en")}
    return {n: v for n, v in sets.items() if v} if sets["english"] else {}


def fit_english(threshold: float) -> tuple[LinearTextModel, float] | None:
    """The English article model and the threshold cross-validation chose for it (the same rule
    as the main model's, on the English items), with its intercept shifted so that `threshold`
    (the main model's) decides as its own threshold would."""
    sets = english_sets()
    if not sets:
        return None
    own = choose_threshold([pairs for _, _, _, pairs in out_of_fold(sets)], ruler="english")
    items = [it for v in sets.values() for it in v]
    model = fit(
        items,
        {
            "id": model_id("relevance-en", items),
            "language": "en",
            "threshold_own": own,
            "threshold": threshold,
            "trained_on": {name: len(v) for name, v in sets.items()},
            "licences": {
                "english": "written for trends (tests/data/relevance_english.jsonl, "
                "relevance_english2.jsonl, relevance_english3.jsonl)",
                "streams_en": "written for trends (tests/data/stream … stream5)",
            },
            "C": C_REG,
            "char_weight": CHAR_WEIGHT,
        },
    )
    shift_threshold(model, own, threshold)
    return model, own


def shift_threshold(model: LinearTextModel, own: float, target: float) -> None:
    """Move a binary model's intercept so that a score >= `target` now means what a score >=
    `own` meant (a shift of the logit)."""

    def logit(p: float) -> float:
        return math.log(p / (1 - p))

    model.intercept = model.intercept + (logit(target) - logit(own))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=relevance.MODEL_FILE)
    ap.add_argument("--threshold", type=float, help="skip the cross-validated choice")
    args = ap.parse_args(argv)
    sets = training_sets()
    if "berlin" not in sets:
        sys.exit(f"error: {BERLIN} not found: the berlin labels are needed to train")
    threshold = args.threshold
    if threshold is None:
        threshold = choose_threshold([pairs for _, _, _, pairs in out_of_fold(sets)])
    items = [it for s in sets.values() for it in s]
    meta = {
        "id": model_id("relevance", items),
        "threshold": threshold,
        "trained_on": {name: len(s) for name, s in sets.items()},
        "labels": "yes = reports on digitalization in the public sector (articles) / "
        "describes a digital solution (sentences)",
        "licences": {
            "berlin": "berlin.de press releases (QUADRIGA Fallstudie 2), CC BY-SA 4.0",
            "articles": "written for trends (tests/data/relevance_articles.jsonl)",
            "releases": "written for trends (tests/data/relevance_releases.jsonl)",
            "sentences": "written for trends (tests/data/solution_sentences.tsv)",
            "streams": "written for trends (tests/data/stream, tests/data/stream2)",
            "hardpairs": "written for trends (tests/data/relevance_hardpairs.jsonl)",
        },
        "C": C_REG,
        "char_weight": CHAR_WEIGHT,
    }
    model = fit(items, meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.to_json(args.out, digits=4)
    print(
        f"wrote {args.out} ({args.out.stat().st_size // 1024} KB, {len(model.vocabulary)} terms); "
        f"threshold {threshold}; trained on {meta['trained_on']}"
    )
    english = fit_english(threshold)
    if english is not None:
        en_model, own = english
        en_out = args.out.with_name(relevance.LANGUAGE_MODELS["en"].name)
        en_model.to_json(en_out, digits=4)
        print(
            f"wrote {en_out} ({en_out.stat().st_size // 1024} KB, {len(en_model.vocabulary)} "
            f"terms); its own threshold {own}, shifted to {threshold}; trained on "
            f"{en_model.meta['trained_on']}"
        )


if __name__ == "__main__":
    main()
