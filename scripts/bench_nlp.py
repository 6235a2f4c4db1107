#!/usr/bin/env python
"""Benchmark trends' text mining: tokenizers, lemmatizing (analyze_texts) and topic fitting.

    python scripts/bench_nlp.py                 # 1k and 10k synthetic German docs
    python scripts/bench_nlp.py --sizes 1000    # only 1k

Documents (~2,500 characters) are built by recombining sentences: from
../shared/data/10kGNAD/dev.csv when present (sentences of one label per document, so topics
exist), otherwise from the German sentence bank below. Each measurement runs in a fresh process
(cold caches, clean peak RSS; RSS of worker processes is reported separately).
Timings belong here, not in tests.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GNAD = ROOT.parent / "shared" / "data" / "10kGNAD" / "dev.csv"

BANK = {
    "parken": [
        "Der Bewohnerparkausweis kann ab sofort online beantragt werden.",
        "Anwohnerinnen und Anwohner laden die Nachweise im Serviceportal hoch.",
        "Die Gebühr für das Bewohnerparken wird digital bezahlt.",
        "Parkscheinautomaten werden schrittweise durch die Handyparken-App ersetzt.",
        "Sensoren in den Parkbuchten melden freie Stellplätze an die Verkehrszentrale.",
        "Der Online-Antrag ersetzt den Gang zum Bürgerbüro.",
    ],
    "ratsarbeit": [
        "Das Ratsinformationssystem stellt Sitzungsvorlagen digital bereit.",
        "Die Fraktionen arbeiten mit Tablets statt mit Papierunterlagen.",
        "Ausschusssitzungen werden künftig per Livestream übertragen.",
        "Die Tagesordnung des Stadtrats ist im Ratsportal abrufbar.",
        "Hybride Sitzungen erlauben die Teilnahme per Videokonferenz.",
        "Niederschriften der Ratssitzungen werden elektronisch signiert.",
    ],
    "lorawan": [
        "Das LoRaWAN-Netz deckt inzwischen das gesamte Stadtgebiet ab.",
        "Bodenfeuchtesensoren melden, wann Stadtbäume bewässert werden müssen.",
        "Die Stadtwerke betreiben die Gateways auf Kirchtürmen und Schulen.",
        "Pegelsensoren warnen bei Starkregen vor Hochwasser.",
        "Die Messdaten fließen in eine offene urbane Datenplattform.",
        "Füllstandssensoren in Glascontainern optimieren die Abfuhrtouren.",
    ],
    "schule": [
        "Alle Grundschulen erhalten WLAN und interaktive Tafeln aus dem Digitalpakt.",
        "Lehrkräfte werden für den Unterricht mit Tablets fortgebildet.",
        "Der Medienentwicklungsplan legt die Ausstattung der Schulen fest.",
        "Schülerinnen und Schüler nutzen eine Lernplattform für Hausaufgaben.",
        "Die IT-Administration der Schulen übernimmt ein zentraler Dienstleister.",
        "Glasfaseranschlüsse für Schulen werden aus Fördermitteln des Landes finanziert.",
    ],
    "ki": [
        "Ein KI-Chatbot beantwortet Fragen zu Verwaltungsleistungen rund um die Uhr.",
        "Künstliche Intelligenz sortiert eingehende Anträge nach Zuständigkeit.",
        "Der Sprachassistent versteht auch Anfragen in einfacher Sprache.",
        "Datenschützer prüfen den Einsatz von Large Language Models in der Verwaltung.",
        "Ein Pilotprojekt testet die automatische Bearbeitung von Wohngeldanträgen.",
        "Die KI-Strategie des Kreises setzt auf Transparenz und menschliche Kontrolle.",
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


def sentence_pools(use_gnad: bool) -> dict[str, list[str]]:
    if use_gnad and GNAD.exists():
        pools: dict[str, list[str]] = {}
        with GNAD.open(encoding="utf-8") as fh:
            for row in csv.reader(fh, delimiter=";", quotechar="'"):
                if len(row) >= 2:
                    sents = re.split(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ])", row[1])
                    pools.setdefault(row[0], []).extend(s for s in sents if len(s) > 30)
        return pools
    return BANK


_NOUN = re.compile(r"\b[A-ZÄÖÜ][a-zäöüß]{3,}\b")


def make_docs(
    n: int, chars: int = 2500, seed: int = 0, use_gnad: bool = True, new_words: float = 0.05
) -> list[str]:
    """n documents of about ``chars`` characters, each from one pool's sentences.

    Recombined sentences repeat a small vocabulary, which would flatter the lemmatizer's caches;
    so a share ``new_words`` of the nouns is replaced by a new compound of two nouns
    (Stadtwerk + Plattform -> Stadtwerkplattform), as German does, giving a realistic number of
    distinct words (about 10 new ones per document).
    """
    rng = random.Random(seed)
    pools = sentence_pools(use_gnad)
    names = sorted(pools)
    nouns = sorted({w for pool in pools.values() for s in pool for w in _NOUN.findall(s)})

    def compound(m: re.Match) -> str:
        if rng.random() >= new_words:
            return m.group()
        return m.group() + rng.choice(nouns).lower()

    docs = []
    for i in range(n):
        pool = pools[names[i % len(names)]]
        parts, size = [], 0
        while size < chars:
            s = rng.choice(pool)
            parts.append(s)
            size += len(s) + 1
        docs.append(_NOUN.sub(compound, " ".join(parts)))
    return docs


def peak_rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


def phase(name: str, n: int, use_gnad: bool) -> dict:
    docs = make_docs(n, use_gnad=use_gnad)
    out: dict = {"phase": name, "docs": n, "chars": sum(map(len, docs))}
    out["distinct_words"] = len({w for d in docs for w in d.split()})
    if name == "tokenize":
        from trends.nlp.text import clean_text, tokenize

        cleaned = [clean_text(d) for d in docs]
        for tok in ("regex", "spacy"):
            tokenize("Warm up.", "de", tok)
            t = time.perf_counter()
            n_tok = sum(len(tokenize(d, "de", tok)) for d in cleaned)
            out[f"{tok}_s"] = round(time.perf_counter() - t, 3)
            out[f"{tok}_tokens"] = n_tok
    elif name.startswith("analyze"):
        from trends.nlp.lemmatize import analyze_text, analyze_texts

        jobs = int(name[-1])
        t = time.perf_counter()
        analyze_text("Warm-up: Wörterbuch laden.", "de")  # one-time: dictionary, stopword lists
        out["startup_s"] = round(time.perf_counter() - t, 3)
        t = time.perf_counter()
        analyze_texts(docs, "de", n_jobs=jobs)
        out["seconds"] = round(time.perf_counter() - t, 3)
    elif name.startswith("fit"):
        from trends.nlp.lemmatize import analyze_texts
        from trends.nlp.topics import TopicModel

        analyzed = analyze_texts(docs, "de", n_jobs=2)
        k = None if name == "fit_auto" else 9
        t = time.perf_counter()
        model = TopicModel(n_topics=k, random_state=0).fit(analyzed)
        out["seconds"] = round(time.perf_counter() - t, 3)
        out["k"] = model.n_topics_
    own, kids = peak_rss_mb()
    out["peak_rss_mb"] = round(own, 1)
    out["workers_peak_rss_mb"] = round(kids, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument(
        "--bank", action="store_true", help="use the built-in sentence bank, not 10kGNAD"
    )
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.phase:
        print(json.dumps(phase(args.phase, args.n, not args.bank)))
        return 0
    source = "built-in sentence bank" if args.bank or not GNAD.exists() else "10kGNAD dev sentences"
    print(f"synthetic German documents of ~2,500 chars from the {source}")
    rows = []
    for n in args.sizes:
        for name in ("tokenize", "analyze1", "analyze2", "fit_k9", "fit_auto"):
            cmd = [sys.executable, __file__, "--phase", name, "--n", str(n)] + (
                ["--bank"] if args.bank else []
            )
            res = subprocess.run(cmd, capture_output=True, text=True, check=True)
            row = json.loads(res.stdout.strip().splitlines()[-1])
            rows.append(row)
            if name == "tokenize":
                print(
                    f"{n:6d} docs  tokenize: regex {row['regex_s']:.2f} s ({row['regex_tokens']} tokens), "
                    f"spaCy blank {row['spacy_s']:.2f} s ({row['spacy_tokens']} tokens)"
                )
            else:
                extra = f"  k={row['k']}" if "k" in row else ""
                if "startup_s" in row:
                    extra = f"  (+ {row['startup_s']:.1f} s start-up; {row['distinct_words']} distinct words)"
                label = {
                    "analyze1": "lemmatize, 1 process ",
                    "analyze2": "lemmatize, 2 processes",
                    "fit_k9": "fit, k=9             ",
                    "fit_auto": "fit, auto k          ",
                }[name]
                print(
                    f"{n:6d} docs  {label} {row['seconds']:7.2f} s  peak RSS {row['peak_rss_mb']:.0f} MB"
                    f" (workers {row['workers_peak_rss_mb']:.0f} MB){extra}"
                )
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
