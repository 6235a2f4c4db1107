"""Score a demo workspace against trends/demo/truth.yaml (the acceptance test of the pipeline).

Articles are matched to the demo corpus by URL slug (`/<source>/<slug>.html`; a syndicated copy has
the same slug under another source). A planted topic is *recovered* when it and a found topic are
each other's best match by article overlap (F1 of the two article sets) and that F1 is >= 0.5.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import yaml

from trends.config import Workspace
from trends.corpus import Corpus
from trends.demo.site import BROKEN_LINKS, DEMO_DIR, load_articles
from trends.models import load_model

RECOVERY_F1 = 0.5


def load_truth() -> dict:
    return yaml.safe_load((DEMO_DIR / "truth.yaml").read_text(encoding="utf-8"))


def f1(a: set, b: set) -> float:
    """F1 of two article sets (how well a found topic matches a planted one)."""
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _slug(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")


def evaluate(ws: Workspace) -> dict:
    truth = load_truth()
    demo = {a.slug: a for a in load_articles()}
    with Corpus(ws.corpus_db) as corpus:
        stored = list(corpus.articles(relevant_only=False))
        by_slug = Counter(_slug(a.url) for a in stored)
    collected = sum(1 for slug in demo if by_slug.get(slug))
    duplicates = sum(n - 1 for slug, n in by_slug.items() if slug in demo and n > 1)
    model = load_model(ws)
    assignments = model["assignments"]  # as analyze placed them (curation is not judged here)
    found_sets: dict[str, set[str]] = {}
    for row in assignments:
        slug = _slug(row["url"])
        if row["topic_id"] != "other" and slug in demo:
            found_sets.setdefault(row["topic_id"], set()).add(slug)
    planted_sets = {
        t["id"]: {s for s, a in demo.items() if a.topics and a.topics[0] == t["id"]}
        for t in truth["topics"]
    }

    best_found = {
        p: max(found_sets, key=lambda f: f1(ps, found_sets[f]), default=None)
        for p, ps in planted_sets.items()
    }
    best_planted = {
        f: max(planted_sets, key=lambda p: f1(planted_sets[p], fs)) for f, fs in found_sets.items()
    }
    topics = {t["id"]: t for t in model["topics"]}
    rows = []
    for t in truth["topics"]:
        f = best_found[t["id"]]
        score = f1(planted_sets[t["id"]], found_sets[f]) if f else 0.0
        recovered = bool(f) and best_planted.get(f) == t["id"] and score >= RECOVERY_F1
        found = topics.get(f, {}) if recovered else {}
        truth_munis = set(t["municipalities"])
        found_munis = set(found.get("municipalities", []))
        rows.append(
            {
                "planted": t["id"],
                "found": f if recovered else None,
                "label": found.get("label", ""),
                "f1": round(score, 3),
                "class_truth": t["class"],
                "class_found": found.get("trend_class"),
                "stage_truth": t["stages"][-1],
                "stage_found": found.get("stage"),
                # a topic between two fields may sit in either ("Energie, Klima & Umwelt")
                "field_right": found.get("field") in _fields(t.get("field", "")),
                "muni_tp": len(truth_munis & found_munis),
                "muni_found": len(found_munis),
                "muni_truth": len(truth_munis),
            }
        )
    rec = [r for r in rows if r["found"]]
    tp = sum(r["muni_tp"] for r in rec)
    who_by_topic = _who_stages(ws, rec, demo.values())
    return {
        "articles_published": len(demo),
        "articles_collected": collected,
        "planted_broken_links": len(BROKEN_LINKS),
        "duplicates_stored": duplicates,
        "topics_planted": len(rows),
        "topics_recovered": len(rec),
        "classes_right": sum(r["class_truth"] == r["class_found"] for r in rec),
        "stages_right": sum(r["stage_truth"] == r["stage_found"] for r in rec),
        "fields_right": sum(r["field_right"] for r in rec),
        "muni_precision": round(tp / max(1, sum(r["muni_found"] for r in rec)), 3),
        "muni_recall": round(tp / max(1, sum(r["muni_truth"] for r in rec)), 3),
        "who_stage_right": sum(r for r, _ in who_by_topic.values()),
        "who_stage_total": sum(t for _, t in who_by_topic.values()),
        "who_by_topic": who_by_topic,
        **_article_figures(stored, assignments, demo),
        "topics": rows,
    }


def _who_stages(ws: Workspace, recovered: list[dict], demo) -> dict[str, tuple[int, int]]:
    """`trends who` per recovered topic against the demo: a municipality's furthest stage over
    the topic's articles that list it (truth) vs the stage `who` shows; per planted topic
    (right, compared)."""
    from trends.scan import who

    out: dict[str, tuple[int, int]] = {}
    for row in recovered:
        right = total = 0
        truth = furthest_stages(
            (m, a.stage)
            for a in demo
            if a.topics and a.topics[0] == row["planted"]
            for m in a.municipalities
        )
        shown = {g["name"]: g["stage"] for g in who(ws, row["found"])["municipalities"]}
        for name, stage in truth.items():
            if name in shown:
                total += 1
                right += shown[name] == stage
        out[row["planted"]] = (right, total)
    return out


def furthest_stages(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each place's furthest stage over (place, stage) pairs, as `who` shows it from a topic's
    articles; a place only ever at "none" is left out."""
    out: dict[str, str] = {}
    for place, stage in pairs:
        if _ORDER.index(stage) > _ORDER.index(out.get(place, "none")):
            out[place] = stage
    return out


def _article_figures(stored, assignments: list[dict], demo: dict) -> dict:
    """Issue 23's article figures: off-topic articles (no planted topic) set aside by the
    relevance judgement (stored with relevant=0) or left in topics, on-topic ones lost, and each
    on-topic article's stage as the model gives it (`article_stage`) against the truth."""
    relevant = {_slug(a.url): a.relevant for a in stored}
    placed = {_slug(row["url"]): row for row in assignments}
    off = [s for s, a in demo.items() if not a.topics and s in relevant]
    on = [s for s, a in demo.items() if a.topics and s in relevant]
    staged = [s for s in on if s in placed]
    return {
        "offtopic_total": len(off),
        "offtopic_set_aside": sum(not relevant[s] for s in off),
        "offtopic_in_topics": sum(
            placed.get(s, {}).get("topic_id", "other") != "other" for s in off
        ),
        "ontopic_total": len(on),
        "ontopic_lost": sum(not relevant[s] for s in on),
        "article_stage_right": sum(placed[s].get("stage") == demo[s].stage for s in staged),
        "article_stage_total": len(staged),
    }


def _fields(cell: str) -> set[str]:
    """'Energie, Klima & Umwelt' -> {'Energie', 'Klima & Umwelt'} (field names contain '&', not ',')."""
    return {f.strip() for f in cell.split(",") if f.strip()}


def format_report(result: dict) -> str:
    lines = [
        f"articles collected / published: {result['articles_collected']} / {result['articles_published']} "
        f"({result['articles_collected'] / max(1, result['articles_published']):.1%}); planted broken links: {result['planted_broken_links']}",
        f"duplicates stored: {result['duplicates_stored']}",
        f"topics recovered: {result['topics_recovered']} / {result['topics_planted']}",
        f"trend classes right (recovered topics): {result['classes_right']} / {result['topics_recovered']}",
        f"last-quarter stage right (recovered topics): {result['stages_right']} / {result['topics_recovered']}",
        f"radar sector (field) right (recovered topics): {result['fields_right']} / {result['topics_recovered']}",
        f"municipalities per topic: precision {result['muni_precision']:.3f}, recall {result['muni_recall']:.3f}",
        f"who: furthest stage per municipality right {result['who_stage_right']} / {result['who_stage_total']}",
        f"off-topic articles set aside: {result['offtopic_set_aside']} / {result['offtopic_total']}; "
        f"in a topic: {result['offtopic_in_topics']}; on-topic lost: {result['ontopic_lost']} / {result['ontopic_total']}",
        f"article stage right (article_stage, on-topic in the window): {result['article_stage_right']} / {result['article_stage_total']}",
        "",
        f"{'planted':<24}{'found':<7}{'F1':>6}  {'class truth/found':<22}{'stage truth/found':<22}label",
    ]
    for r in result["topics"]:
        lines.append(
            f"{r['planted']:<24}{r['found'] or '-':<7}{r['f1']:>6.2f}  "
            f"{r['class_truth'] + '/' + str(r['class_found']):<22}{r['stage_truth'] + '/' + str(r['stage_found']):<22}{r['label']}"
        )
    return "\n".join(lines)


# -- transfer (trends suggest) ----------------------------------------------------------------------
TRANSFER_LISTS = ("has", "take_over", "parallel", "ahead")
_ORDER = ("none", "konzept", "pilot", "rollout", "standard")


def _quarter_index(day) -> int:
    return day.year * 4 + (day.month - 1) // 3


def expected_transfer(records, name: str, quarter: str) -> dict[str, set[str]]:
    """The right `suggest NAME --peers all` lists, from known who-did-what alone.

    `records`: (topic, stage, places, published date) per article, as a truth file states them.
    A place's stage on a topic is the furthest of the articles that name it. has: topics it is
    named in; take_over: topics it is not named in and another place reached rollout/standard;
    parallel: topics where it and another place are at konzept/pilot with a mention in the last
    four quarters up to `quarter`; ahead: topics where it reached rollout/standard and fewer than
    half of all other places are named (with every NRW place a peer, that is nearly always).
    Written from the issue's definitions, independently of trends.transfer, to check it."""
    last = int(quarter[:4]) * 4 + int(quarter[5]) - 1
    stage: dict[tuple[str, str], str] = {}
    latest: dict[tuple[str, str], int] = {}
    for topic, st, places, published in records:
        q = _quarter_index(published)
        if q > last:
            continue
        for p in places:
            k = (topic, p)
            if _ORDER.index(st) > _ORDER.index(stage.get(k, "none")):
                stage[k] = st
            stage.setdefault(k, st)
            latest[k] = max(latest.get(k, q), q)
    topics = {t for t, _ in stage}
    mine = {t for t, p in stage if p == name}

    def others(t: str, ok) -> bool:
        return any(ok(k) for k in stage if k[0] == t and k[1] != name)

    adopted = ("rollout", "standard")
    working = ("konzept", "pilot")

    def recent(k) -> bool:
        return latest[k] > last - 4

    return {
        "has": mine,
        "take_over": {t for t in topics - mine if others(t, lambda k: stage[k] in adopted)},
        "parallel": {
            t
            for t in mine
            if stage[(t, name)] in working
            and recent((t, name))
            and others(t, lambda k: stage[k] in working and recent(k))
        },
        "ahead": {t for t in mine if stage[(t, name)] in adopted},
    }


def demo_records() -> list[tuple[str, str, tuple[str, ...], object]]:
    return [
        (a.topics[0], a.stage, a.municipalities, a.published) for a in load_articles() if a.topics
    ]


def topic_map(ws: Workspace, truth_sets: dict[str, set[str]], key=None) -> dict[str, str]:
    """Found topic id -> the truth topic whose articles it overlaps most (F1 of article sets);
    `truth_sets`: truth topic -> article keys, `key(assignment row)` the same key (default: the
    URL slug, as the demo's articles are known)."""
    key = key or (lambda row: _slug(row["url"]))
    model = load_model(ws)
    found: dict[str, set[str]] = {}
    for row in model["assignments"]:
        if row["topic_id"] != "other":
            found.setdefault(row["topic_id"], set()).add(key(row))

    out = {}
    for f, fs in found.items():
        best = max(truth_sets, key=lambda t: f1(truth_sets[t], fs), default=None)
        if best is not None and f1(truth_sets[best], fs) > 0:
            out[f] = best
    return out


def score_lists(expected: dict[str, set[str]], shown: dict[str, set[str]]) -> dict[str, dict]:
    """Precision and recall per list (tp, shown, expected kept for pooling)."""
    out = {}
    for key in TRANSFER_LISTS:
        e, s = expected.get(key, set()), shown.get(key, set())
        tp = len(e & s)
        out[key] = {
            "tp": tp,
            "shown": len(s),
            "expected": len(e),
            "precision": round(tp / len(s), 3) if s else (1.0 if not e else 0.0),
            "recall": round(tp / len(e), 3) if e else 1.0,
        }
    return out


def shown_transfer(profile: dict, mapping: dict[str, str]) -> dict[str, set[str]]:
    """A `suggest --json` profile's lists as truth topic ids (unmapped topics count as wrong)."""
    return {
        key: {mapping.get(item["topic_id"], f"?{item['topic_id']}") for item in profile[key]}
        for key in TRANSFER_LISTS
    }


def evaluate_transfer(
    ws: Workspace, names: list[str] | None = None, leave_out: frozenset[str] = frozenset()
) -> dict:
    """`suggest --peers all` of the demo truth's transfer profiles against the truth; planted
    topics in `leave_out` (those the model is known not to read right yet) count on no side."""
    from trends.transfer import Landscape, suggest

    truth = load_truth()["transfer"]
    demo = {a.slug: a for a in load_articles()}
    sets = {t["id"]: set() for t in load_truth()["topics"]}
    for slug, a in demo.items():
        if a.topics:
            sets[a.topics[0]].add(slug)
    mapping = topic_map(ws, sets)
    land = Landscape(ws, truth["quarter"])
    out = {}
    for name in names or list(truth["profiles"]):
        expected = {k: set(v) for k, v in truth["profiles"][name].items()}
        profile = suggest(ws, name, peers_mode="all", quarter=truth["quarter"], land=land)
        shown = shown_transfer(profile, mapping)
        out[name] = score_lists(
            {k: v - leave_out for k, v in expected.items()},
            {k: v - leave_out for k, v in shown.items()},
        )
    return out
