"""Transfer: what a municipality can take over, whom to ask, and where work runs in parallel.

Built on what `trends who` already knows: for every topic of the model and every municipality or
district the gazetteer found in its articles, the furthest stage, first and latest mention and the
evidence links (``scan._group``, the grouping `who` uses). On top of that:

- :func:`suggest` — one place's profile against its peers:
  **has** (its topics, stage, latest quarter), **take_over** (topics peers brought to rollout or
  standard and it has no article on, ranked by an explained score), **parallel** (topics where it
  and peers are at konzept/pilot within the last four quarters), **ahead** (topics it brought to
  rollout/standard while most of its peers have nothing);
- :func:`parallel_work` — Land-wide: topics with at least three municipalities at konzept/pilot in
  the last four quarters and none at rollout yet (candidates for a shared platform);
- :func:`report_section` — the report's "Transfer und Nachnutzung" data;
- :func:`transfer_rows` — `trends export transfer`, one row per topic and place.

Peers (``--peers``): ``similar`` (default) the same settlement-density class (Destatis, EU degree of
urbanisation) and population within a factor of 2, widened (3, 4, 6, 10×, then any class) until at
least 10 exist; ``district`` the same Kreis; ``region`` the same Regierungsbezirk; ``all`` every
municipality and Kreis of NRW. Population and density come from ``trends.geo`` (Destatis 2018).

Nothing is suggested without an article behind it: every peer carries the link that shows its stage.
"""

from __future__ import annotations

import difflib
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property, lru_cache

from markupsafe import Markup

from trends import geo, i18n
from trends.config import Workspace
from trends.models import AnalysisError
from trends.records import quarter_of, shift_quarter
from trends.scan import STAGE_ORDER, Views

__all__ = [
    "ADOPTED",
    "PEER_MODES",
    "WORKING",
    "TEXTS",
    "TransferError",
    "parallel_work",
    "report_section",
    "resolve",
    "suggest",
    "transfer_rows",
]

ADOPTED = ("rollout", "standard")
WORKING = ("konzept", "pilot")
PEER_MODES = ("similar", "district", "region", "all")
WINDOW = 4  # "the last four quarters": the model quarter and the three before it
MIN_SIMILAR = 10
_WIDEN = (2.0, 3.0, 4.0, 6.0, 10.0)

# how much a peer's stage, a topic's trend class weigh in the take-over score (explained in `why`)
_STAGE_WEIGHT = {"rollout": 1.0, "standard": 1.25}
_CLASS_WEIGHT = {
    "new": 1.1,
    "emerging": 1.2,
    "growing": 1.2,
    "stable": 1.0,
    "declining": 0.8,
}

# Fixed texts of the transfer profile and the report section (German, English)
TEXTS: dict[str, tuple[str, str]] = {
    "section": ("Transfer und Nachnutzung", "Transfer and reuse"),
    "section_intro": (
        "Wer ein Thema schon in Betrieb hat (Vorreiter: Rollout oder Standard), wer es plant oder "
        "erprobt (Nachfolger: Konzept oder Pilot) und in wie vielen der 53 Kreise und kreisfreien "
        "Städte es angekommen ist; darunter Parallelentwicklungen: Themen, an denen mindestens drei "
        "Kommunen in den letzten vier Quartalen planen oder pilotieren, ohne dass eine es schon "
        "ausgerollt hat – Kandidaten für eine gemeinsame Plattform oder Beschaffung.",
        "Who already runs a topic (leaders: rollout or standard), who plans or pilots it (followers: "
        "concept or pilot) and how many of the 53 districts and district-free cities it has reached; "
        "below, parallel developments: topics that at least three municipalities planned or piloted "
        "in the last four quarters while none has rolled it out yet – candidates for a shared "
        "platform or a joint procurement.",
    ),
    "topic": ("Thema", "Topic"),
    "leaders": ("Vorreiter", "Leaders"),
    "followers": ("Nachfolger", "Followers"),
    "districts_reached": ("Kreise erreicht", "Districts reached"),
    "parallel": ("Parallelentwicklungen", "Parallel developments"),
    "no_parallel": (
        "Keine: kein Thema mit mindestens drei Kommunen in Konzept oder Pilot ohne Rollout.",
        "None: no topic with at least three municipalities at concept or pilot and no rollout.",
    ),
    "no_places": (
        "Die Artikel nennen noch keine Kommunen.",
        "The articles name no municipalities yet.",
    ),
    "places": ("Kommunen", "Municipalities"),
    "of": ("von", "of"),
    "profile_title": ("Transferprofil: {name}", "Transfer profile: {name}"),
    "profile_meta": (
        "{kind}, {district} · {population} Einwohner · Modell {quarter} · Vergleich: {peers}",
        "{kind}, {district} · population {population} · model {quarter} · compared with: {peers}",
    ),
    "has": ("Was {name} schon hat", "What {name} already has"),
    "take_over": (
        "Was andere schon betreiben (zum Übernehmen)",
        "What others already run (to take over)",
    ),
    "in_parallel": ("Woran andere parallel arbeiten", "Who else is working on the same"),
    "ahead": ("Wo {name} vorne liegt", "Where {name} is ahead"),
    "none": ("keine", "none"),
    "no_own": (
        "{name} hat keine eigenen Artikel im Korpus; die Liste zeigt, was seine Vergleichskommunen haben.",
        "{name} has no articles of its own in the corpus; the list shows what its peers have.",
    ),
    "stage": ("Stand", "Stage"),
    "latest": ("zuletzt", "latest"),
    "peers_col": ("Vergleichskommunen", "Peers"),
    "why": ("Begründung", "Why"),
    "score_why": (
        "{n} Vergleichskommune(n) mit Rollout/Standard ({standard} Standard), zuletzt {latest}, "
        "Trend {trend}, Ähnlichkeit {similarity}",
        "{n} peer(s) at rollout/standard ({standard} standard), latest {latest}, trend {trend}, "
        "similarity {similarity}",
    ),
    "peers_similar": (
        "{n} ähnliche Kommunen (gleiche Siedlungsdichte, Einwohner bis Faktor {factor})",
        "{n} similar places (same settlement density, population within a factor of {factor})",
    ),
    "peers_similar_any": (
        "{n} Kommunen ähnlicher Größe (Einwohner bis Faktor {factor}, jede Siedlungsdichte)",
        "{n} places of similar size (population within a factor of {factor}, any density)",
    ),
    "peers_district": ("{n} Kommunen im selben Kreis", "{n} places in the same district"),
    "peers_district_none": (
        "keine: eine kreisfreie Stadt gehört zu keinem Kreis (--peers region oder similar)",
        "none: a district-free city belongs to no Kreis (use --peers region or similar)",
    ),
    "peers_region": (
        "{n} Kommunen im Regierungsbezirk {regbez}",
        "{n} places in Regierungsbezirk {regbez}",
    ),
    "peers_all": (
        "alle {n} Kommunen und Kreise in NRW",
        "all {n} municipalities and districts of NRW",
    ),
    "km": ("km", "km"),
    "brief_parallel": (
        "Parallelentwicklung: {n} Kommunen planen oder erproben es in den letzten vier Quartalen "
        "({names}; {districts}), keine hat es ausgerollt – gemeinsame Plattform oder Beschaffung?",
        "Parallel development: {n} municipalities planned or piloted it in the last four quarters "
        "({names}; {districts}), none has rolled it out – a shared platform or joint procurement?",
    ),
    "map_title": (
        "Kommunen und Kreise in den Artikeln, nach dem weitesten Stand in einem Thema",
        "Municipalities and districts in the articles, by the furthest stage in any topic",
    ),
    "map_label": ("{name}: {n} Thema/Themen", "{name}: {n} topic(s)"),
    "source_note": (
        "Einwohner: © Statistisches Bundesamt (Destatis), Gemeindeverzeichnis, Stand 31.12.2018 (Daten verändert), dl-de/by-2.0",
        "Population: © Statistisches Bundesamt (Destatis), Gemeindeverzeichnis, as of 31.12.2018 (data modified), dl-de/by-2.0",
    ),
}


def text(key: str, lang: str, **values: object) -> str:
    s = i18n.pick(TEXTS[key], lang)
    return s.format(**values) if values else s


class TransferError(AnalysisError):
    """A name that is no NRW municipality or district; str() is the one-line reason."""


# -- places ----------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _places() -> dict[str, geo.Place]:
    """Every NRW municipality and Kreis, by AGS (the kreisfreie Städte are municipalities)."""
    out = {ags: geo.find(ags) for ags in geo.municipalities()}
    for d in geo.districts().values():
        if d.bez == "Kreis":
            out[d.ags] = geo.find(d.ags)
    return {k: v for k, v in out.items() if v is not None}


@lru_cache(maxsize=1)
def _by_name() -> dict[str, geo.Place]:
    """Places by the gazetteer's canonical name (what the assignments carry)."""
    return {p.name: p for p in _places().values()}


def resolve(name: str) -> geo.Place:
    """An NRW municipality or district by name, alias or AGS; else a TransferError naming the
    closest matches (or saying it lies outside NRW)."""
    from trends.nlp.entities import lookup

    q = (name or "").strip()
    if not q:
        raise TransferError("give a municipality or district (name or AGS)")
    digits = q.replace(" ", "")
    if digits.isdigit():
        if len(digits) in (2, 5, 8) and not digits.startswith("05"):
            raise TransferError(
                f"{q} is not in Nordrhein-Westfalen (NRW keys start with 05); "
                "only NRW municipalities and districts have profiles"
            )
        place = geo.find(digits)
        if place is None:
            raise TransferError(f"no NRW municipality or district has the key {q}")
        return place
    place = geo.find(q)
    if place is not None:
        return place
    entry = lookup(q)
    if entry is not None and entry.kind in ("city", "land"):
        where = f" ({entry.region})" if entry.region else ""
        raise TransferError(
            f"{entry.name}{where} is not in Nordrhein-Westfalen: only NRW municipalities and "
            "districts have profiles"
        )
    names = sorted(_by_name())
    close = difflib.get_close_matches(q, names, n=4, cutoff=0.6) or difflib.get_close_matches(
        q.title(), names, n=4, cutoff=0.5
    )
    hint = f"; closest: {', '.join(close)}" if close else ""
    raise TransferError(f"unknown NRW municipality or district: {q!r}{hint}")


@dataclass(frozen=True)
class PeerSet:
    mode: str
    places: tuple[geo.Place, ...]
    description_key: str
    values: tuple[tuple[str, object], ...] = ()

    def describe(self, lang: str) -> str:
        return text(self.description_key, lang, n=len(self.places), **dict(self.values))


def peers(target: geo.Place, mode: str = "similar") -> PeerSet:
    """The places `target` is compared with (see the module docstring)."""
    if mode not in PEER_MODES:
        raise ValueError(f"--peers {mode!r}: use one of {', '.join(PEER_MODES)}")
    others = [p for p in _places().values() if p.ags != target.ags]
    if mode == "all":
        return PeerSet(mode, tuple(others), "peers_all")
    if mode == "region":
        return PeerSet(
            mode,
            tuple(p for p in others if p.regbez == target.regbez),
            "peers_region",
            (("regbez", target.regbez),),
        )
    if mode == "district":
        if target.kind == "district":  # a Kreis: its own municipalities
            chosen = [p for p in others if p.district_ags == target.ags]
        else:  # a town: the other towns of its Kreis and the Kreis itself
            chosen = [
                p
                for p in others
                if p.district_ags == target.district_ags and p.kind == "municipality"
            ]
            chosen += [p for p in others if p.ags == target.district_ags]
        return PeerSet(mode, tuple(chosen), "peers_district" if chosen else "peers_district_none")
    same_kind = [p for p in others if p.kind == target.kind]
    for any_class in (False, True):
        for factor in _WIDEN:
            chosen = [
                p
                for p in same_kind
                if (any_class or p.density_class == target.density_class)
                and _ratio(p.population, target.population) <= factor
            ]
            if len(chosen) >= MIN_SIMILAR:
                key = "peers_similar_any" if any_class else "peers_similar"
                return PeerSet(mode, tuple(chosen), key, (("factor", f"{factor:g}"),))
    return PeerSet(mode, tuple(same_kind), "peers_similar_any", (("factor", "∞"),))


def _ratio(a: int, b: int) -> float:
    if a <= 0 or b <= 0:
        return math.inf
    return max(a, b) / min(a, b)


# -- who did what, all topics at once ------------------------------------------------------------------
class Landscape:
    """Per topic and place: furthest stage, first/latest mention, evidence (scan's grouping)."""

    def __init__(
        self, ws: Workspace, quarter: str | None = None, views: Views | None = None
    ) -> None:
        """`views`: a model already loaded (the browser app's), instead of reading it again."""
        if quarter is not None:
            try:
                quarter = shift_quarter(quarter.upper(), 0)
            except ValueError as exc:
                raise AnalysisError(str(exc)) from None
        self.views = views if views is not None else Views(ws, quarter)
        self.quarter: str = self.views.model["quarter"]  # raises AnalysisError without a model
        self.window_start = shift_quarter(self.quarter, -(WINDOW - 1))

    @property
    def topics(self) -> dict[str, dict]:
        return self.views.topics

    @cached_property
    def groups(self) -> dict[str, dict[str, dict]]:
        """place name -> topic id -> {stage, first, latest, quarter, articles, evidence}."""
        topics = self.views.topics
        by_topic: dict[str, list[dict]] = defaultdict(list)
        for r in self.views.assignments:
            if r["topic_id"] in topics and r.get("municipalities"):
                by_topic[r["topic_id"]].append(r)
        out: dict[str, dict[str, dict]] = defaultdict(dict)
        for topic_id, rows in by_topic.items():
            # exactly `trends who TOPIC`: per place its corroborated stage, dates, own news first
            for g in self.views.by_place(rows):
                g["quarter"] = quarter_of(_date(g["latest"]))
                out[g["name"]][topic_id] = g
        return dict(out)

    @cached_property
    def by_topic(self) -> dict[str, dict[str, dict]]:
        """topic id -> place name -> group."""
        out: dict[str, dict[str, dict]] = defaultdict(dict)
        for name, topics in self.groups.items():
            for topic_id, g in topics.items():
                out[topic_id][name] = g
        return dict(out)

    def recent(self, g: dict) -> bool:
        return g["quarter"] >= self.window_start


def _date(value: str):
    import datetime as dt

    return dt.date.fromisoformat(str(value)[:10])


def _peer_entry(g: dict, place: geo.Place | None, target: geo.Place | None) -> dict:
    ev = g["evidence"][0] if g["evidence"] else {}
    return {
        "name": g["name"],
        "ags": place.ags if place else "",
        "kind": place.kind if place else "",
        "district": place.district if place else "",
        "population": place.population if place else None,
        "distance_km": (
            round(geo.distance_km(target, place), 1) if place is not None and target else None
        ),
        "stage": g["stage"],
        "quarter": g["quarter"],
        "first": g["first"],
        "latest": g["latest"],
        "articles": g["articles"],
        "title": ev.get("title", ""),
        "url": ev.get("url", ""),
    }


def _topic_head(land: Landscape, topic_id: str) -> dict:
    t = land.topics[topic_id]
    return {"topic_id": topic_id, "label": t["label"], "trend_class": t.get("trend_class")}


def _similarity(target: geo.Place, p: geo.Place) -> float:
    """1 for a twin; halves per factor 4 of population, ×0.75 for another density class."""
    r = _ratio(p.population, target.population)
    size = 0.0 if math.isinf(r) else r**-0.5
    return size * (1.0 if p.density_class == target.density_class else 0.75)


def _quarters_between(a: str, b: str) -> int:
    return (int(b[:4]) * 4 + int(b[5])) - (int(a[:4]) * 4 + int(a[5]))


def suggest(
    ws: Workspace,
    name: str,
    *,
    peers_mode: str = "similar",
    quarter: str | None = None,
    lang: str = "de",
    land: Landscape | None = None,
) -> dict:
    """The transfer profile of one municipality or district (see the module docstring).

    Keys `municipality`, `has`, `take_over`, `parallel`, `ahead` are an interface: each list item
    has at least `topic_id`, `label`, `stage` and `peers` (name, ags, stage, quarter, url)."""
    target = resolve(name)  # before the model: a wrong name is the first thing to say
    land = land or Landscape(ws, quarter)
    peer_set = peers(target, peers_mode)
    by_name = _by_name()
    peer_names = {p.name for p in peer_set.places}
    mine = land.groups.get(target.name, {})

    def peer_rows(topic_id: str, keep) -> list[dict]:
        rows = [
            _peer_entry(g, by_name.get(n), target)
            for n, g in land.by_topic.get(topic_id, {}).items()
            if n in peer_names and keep(g)
        ]
        rows.sort(
            key=lambda r: (-STAGE_ORDER.index(r["stage"]), r["distance_km"] or 0.0, r["name"])
        )
        return rows

    has = []
    for topic_id, g in mine.items():
        ev = g["evidence"][0] if g["evidence"] else {}
        has.append(
            {
                **_topic_head(land, topic_id),
                "stage": g["stage"],
                "quarter": g["quarter"],
                "first": g["first"],
                "latest": g["latest"],
                "articles": g["articles"],
                "title": ev.get("title", ""),
                "url": ev.get("url", ""),
                "peers": peer_rows(topic_id, lambda g: True),
            }
        )
    has.sort(key=lambda x: (-STAGE_ORDER.index(x["stage"]), x["latest"], x["label"]), reverse=False)

    take_over = []
    for topic_id in land.by_topic:
        if topic_id in mine:
            continue
        leaders = peer_rows(topic_id, lambda g: g["stage"] in ADOPTED)
        if not leaders:
            continue
        parts = []
        for r in leaders:
            p = by_name.get(r["name"])
            sim = _similarity(target, p) if p else 0.5
            age = max(0, _quarters_between(r["quarter"], land.quarter))
            parts.append((_STAGE_WEIGHT[r["stage"]] * 0.5 ** (age / WINDOW) * sim, sim))
        cls = land.topics[topic_id].get("trend_class") or "stable"
        score = _CLASS_WEIGHT.get(cls, 1.0) * sum(s for s, _ in parts)
        latest = max(r["quarter"] for r in leaders)
        mean_sim = sum(s for _, s in parts) / len(parts)
        take_over.append(
            {
                **_topic_head(land, topic_id),
                "stage": max((r["stage"] for r in leaders), key=STAGE_ORDER.index),
                "score": round(score, 3),
                "why": text(
                    "score_why",
                    lang,
                    n=len(leaders),
                    standard=sum(r["stage"] == "standard" for r in leaders),
                    latest=latest,
                    trend=i18n.trend_class(cls, lang),
                    similarity=i18n.fmt_dec(mean_sim, lang),
                ),
                "reason": {
                    "peers": len(leaders),
                    "standard": sum(r["stage"] == "standard" for r in leaders),
                    "latest_quarter": latest,
                    "trend_class": cls,
                    "similarity": round(mean_sim, 3),
                },
                "peers": leaders,
            }
        )
    take_over.sort(key=lambda x: (-x["score"], x["label"]))

    parallel = []
    for topic_id, g in mine.items():
        if g["stage"] not in WORKING or not land.recent(g):
            continue
        others = peer_rows(topic_id, lambda g: g["stage"] in WORKING and land.recent(g))
        if others:
            parallel.append(
                {
                    **_topic_head(land, topic_id),
                    "stage": g["stage"],
                    "quarter": g["quarter"],
                    "peers": others,
                }
            )
    parallel.sort(key=lambda x: (-len(x["peers"]), x["label"]))

    ahead = []
    for topic_id, g in mine.items():
        if g["stage"] not in ADOPTED:
            continue
        behind = peer_rows(topic_id, lambda g: True)
        if len(behind) * 2 < len(peer_set.places):  # most peers have nothing on it
            ahead.append(
                {
                    **_topic_head(land, topic_id),
                    "stage": g["stage"],
                    "quarter": g["quarter"],
                    "peers_without": len(peer_set.places) - len(behind),
                    "peers_total": len(peer_set.places),
                    "peers": behind,
                }
            )
    ahead.sort(key=lambda x: (-x["peers_without"], x["label"]))

    return {
        "municipality": {
            "name": target.name,
            "ags": target.ags,
            "kind": target.kind,
            "status": target.status,
            "district": target.district,
            "district_ags": target.district_ags,
            "regbez": target.regbez,
            "population": target.population,
            "density_class": target.density_class,
        },
        "quarter": land.quarter,
        "peers_mode": peers_mode,
        "peers_description": peer_set.describe(lang),
        "peers_count": len(peer_set.places),
        "own_articles": sum(g["articles"] for g in mine.values()),
        "note": "" if mine else text("no_own", lang, name=target.name),
        "has": has,
        "take_over": take_over,
        "parallel": parallel,
        "ahead": ahead,
    }


def parallel_work(
    ws: Workspace, quarter: str | None = None, *, land: Landscape | None = None
) -> list[dict]:
    """Land-wide parallel developments: topics with at least three municipalities at konzept or
    pilot in the last four quarters and no place at rollout/standard yet."""
    land = land or Landscape(ws, quarter)
    out = []
    for topic_id, places in land.by_topic.items():
        found = parallel_places(places.values(), land.window_start)
        if found is None:
            continue
        rows, districts = found
        out.append(
            {
                **_topic_head(land, topic_id),
                "stage": max((r["stage"] for r in rows), key=STAGE_ORDER.index),
                "municipalities": rows,
                "districts": districts,
            }
        )
    out.sort(key=lambda x: (-len(x["municipalities"]), x["label"]))
    return out


def parallel_places(groups, window_start: str) -> tuple[list[dict], list[str]] | None:
    """(places at konzept/pilot since `window_start`, their districts) if a topic with these
    per-place groups (as `who` groups them) is a parallel development: at least three
    municipalities there and no place at rollout/standard; else None."""
    groups = list(groups)
    if any(g["stage"] in ADOPTED for g in groups):
        return None
    by_name = _by_name()
    rows = []
    for g in groups:
        g.setdefault("quarter", quarter_of(_date(g["latest"])))
        if g["stage"] in WORKING and g["quarter"] >= window_start:
            rows.append(_peer_entry(g, by_name.get(g["name"]), None))
    if sum(r["kind"] == "municipality" for r in rows) < 3:
        return None
    rows.sort(key=lambda r: (-STAGE_ORDER.index(r["stage"]), r["first"], r["name"]))
    districts = sorted(
        {
            geo.districts()[_district_of(by_name[r["name"]])].name_long
            for r in rows
            if r["name"] in by_name
        }
    )
    return rows, districts


def brief_lines(groups: list[dict], quarter: str, lang: str) -> list[str]:
    """Two items, plain text, for a topic's workshop brief (`trends brief`; its templates escape
    and list them): its leaders, and whether it is a parallel development (groups: the brief's
    `who` groups; quarter: the model's)."""
    leaders = [g["name"] for g in groups if g["stage"] in ADOPTED]
    lines = [f"{text('leaders', lang)}: {', '.join(leaders) if leaders else text('none', lang)}"]
    found = parallel_places(groups, shift_quarter(quarter, -(WINDOW - 1)))
    if found:
        rows, districts = found
        lines.append(
            text(
                "brief_parallel",
                lang,
                n=len(rows),
                names=", ".join(r["name"] for r in rows),
                districts=", ".join(districts),
            )
        )
    return lines


def _district_of(p: geo.Place) -> str:
    """The 5-digit key of the district (Kreis or kreisfreie Stadt) a place belongs to."""
    return p.district_ags or p.ags[:5]


def report_section(ws: Workspace, quarter: str | None = None, lang: str = "de") -> dict:
    """The data of the report section "Transfer und Nachnutzung": per topic its leaders, followers
    and districts reached (of 53), and the Land-wide parallel developments; `labels` holds the
    section's fixed texts in `lang`. Rendered by templates/_transfer.{md,html}.j2."""
    land = Landscape(ws, quarter)
    by_name = _by_name()
    total = len(geo.districts())
    topics = []
    for topic_id, places in land.by_topic.items():
        rows = [_peer_entry(g, by_name.get(n), None) for n, g in places.items()]
        leaders = sorted(
            (r for r in rows if r["stage"] in ADOPTED),
            key=lambda r: (r["first"], r["name"]),
        )
        followers = sorted(
            (r for r in rows if r["stage"] in WORKING),
            key=lambda r: (-STAGE_ORDER.index(r["stage"]), r["first"], r["name"]),
        )
        reached = {_district_of(by_name[r["name"]]) for r in rows if r["name"] in by_name}
        topics.append(
            {
                **_topic_head(land, topic_id),
                "leaders": leaders,
                "followers": followers,
                "districts_reached": len(reached),
                "districts_total": total,
            }
        )
    topics.sort(key=lambda x: (-len(x["leaders"]), -x["districts_reached"], x["label"]))
    parallel = parallel_work(ws, land=land)
    for item in [*topics, *parallel]:
        item["stage_label"] = i18n.stage(item.get("stage", "none"), lang)
        for p in [
            *item.get("leaders", []),
            *item.get("followers", []),
            *item.get("municipalities", []),
        ]:
            p["stage_label"] = i18n.stage(p["stage"], lang)
    return {
        "quarter": land.quarter,
        "labels": {k: i18n.pick(v, lang) for k, v in TEXTS.items()},
        "map_svg": Markup(_places_map(land, lang)),
        "topics": topics,
        "parallel": parallel,
        "districts_total": total,
    }


def _places_map(land: Landscape, lang: str) -> str:
    """Every place the articles name, coloured by the furthest stage it reached on any topic;
    each dot names its topics and links to the evidence of that stage."""
    by_name = _by_name()
    points = []
    for name, topics in sorted(land.groups.items()):
        place = by_name.get(name)
        if place is None:
            continue
        best = max(topics.values(), key=lambda g: (STAGE_ORDER.index(g["stage"]), g["latest"]))
        label = text("map_label", lang, name=name, n=len(topics))
        url = best["evidence"][0]["url"] if best["evidence"] else ""
        points.append((place.ags, best["stage"], label, url))
    return geo.map_svg(points, width=640, lang=lang, title=text("map_title", lang))


def transfer_rows(ws: Workspace, quarter: str | None = None) -> list[dict]:
    """Rows for `trends export transfer`: one per topic and place with its furthest stage and
    role (leader: rollout/standard; follower: konzept/pilot; mentioned: no stage), and whether the
    topic is a Land-wide parallel development."""
    land = Landscape(ws, quarter)
    by_name = _by_name()
    parallel_ids = {p["topic_id"] for p in parallel_work(ws, land=land)}
    rows = []
    for topic_id, places in sorted(land.by_topic.items()):
        head = _topic_head(land, topic_id)
        for name, g in sorted(
            places.items(), key=lambda kv: (-STAGE_ORDER.index(kv[1]["stage"]), kv[0])
        ):
            e = _peer_entry(g, by_name.get(name), None)
            stage = g["stage"]
            rows.append(
                {
                    **head,
                    "place": name,
                    "ags": e["ags"],
                    "kind": e["kind"],
                    "district": e["district"],
                    "population": e["population"],
                    "stage": stage,
                    "role": "leader"
                    if stage in ADOPTED
                    else "follower"
                    if stage in WORKING
                    else "mentioned",
                    "first": g["first"],
                    "latest": g["latest"],
                    "quarter": g["quarter"],
                    "articles": g["articles"],
                    "parallel": topic_id in parallel_ids,
                    "title": e["title"],
                    "url": e["url"],
                }
            )
    return rows


# -- output ----------------------------------------------------------------------------------------
_LISTS = ("has", "take_over", "parallel", "ahead")


def _heading(key: str, profile: dict, lang: str) -> str:
    name = profile["municipality"]["name"]
    return text(
        {"take_over": "take_over", "parallel": "in_parallel"}.get(key, key), lang, name=name
    )


def _peer_line(p: dict, lang: str) -> str:
    bits = [p["name"]]
    if p.get("population"):
        bits.append(i18n.fmt_int(p["population"], lang))
    if p.get("distance_km") is not None:
        bits.append(f"{i18n.fmt_dec(p['distance_km'], lang, 0)} km")
    return f"{', '.join(bits)}: {i18n.stage(p['stage'], lang)} {p['quarter']}"


def format_text(profile: dict, lang: str = "de", *, peers_shown: int = 5) -> str:
    """The profile as plain text for the terminal (the JSON has everything)."""
    m = profile["municipality"]
    lines = [
        text("profile_title", lang, name=m["name"]),
        text(
            "profile_meta",
            lang,
            kind=m["status"],
            district=m["district"],
            population=i18n.fmt_int(m["population"], lang),
            quarter=profile["quarter"],
            peers=profile["peers_description"],
        ),
    ]
    if profile["note"]:
        lines.append(profile["note"])
    for key in _LISTS:
        items = profile[key]
        lines += ["", f"{_heading(key, profile, lang)} ({len(items)})"]
        if not items:
            lines.append(f"  {text('none', lang)}")
        for i, item in enumerate(items, 1):
            head = f"  {i}. {item['label']} ({item['topic_id']}): {i18n.stage(item['stage'], lang)}"
            if item.get("quarter"):
                head += f", {text('latest', lang)} {item['quarter']}"
            lines.append(head)
            if item.get("why"):
                lines.append(f"     {item['why']}")
            if key == "has" and item.get("url"):
                lines.append(f"     {item['url']}")
            for p in item["peers"][:peers_shown]:
                lines.append(f"     - {_peer_line(p, lang)}  {p['url']}")
            if len(item["peers"]) > peers_shown:
                lines.append(f"     … +{len(item['peers']) - peers_shown}")
    return "\n".join(lines) + "\n"


def format_parallel_text(rows: list[dict], lang: str = "de") -> str:
    lines = [text("parallel", lang) + f" ({len(rows)})"]
    if not rows:
        lines.append(text("no_parallel", lang))
    for i, r in enumerate(rows, 1):
        lines.append(
            f"{i}. {r['label']} ({r['topic_id']}): {len(r['municipalities'])} · "
            + ", ".join(r["districts"])
        )
        for p in r["municipalities"]:
            lines.append(f"   - {_peer_line(p, lang)} ({p['district']})  {p['url']}")
    return "\n".join(lines) + "\n"


def format_md(ws: Workspace, profile: dict, lang: str = "de", env=None) -> str:
    """A one-page profile for a consultation in Markdown, rendered with the report's environment
    (every value Markdown-escaped, links checked): templates/suggest.md.j2. `env`: that
    environment for `lang`, kept by a long-running caller such as `serve` (a new one compiles
    the template again: a third of the municipality page's time at 10k articles)."""
    from trends.report.build import environment

    env = env or environment(ws, lang, "md")
    return env.get_template("suggest.md.j2").render(
        p=profile,
        lists=[(k, _heading(k, profile, lang), profile[k]) for k in _LISTS],
        l={k: i18n.pick(v, lang) for k, v in TEXTS.items()},
        stage=lambda s: i18n.stage(s, lang),
        lang=lang,
    )
