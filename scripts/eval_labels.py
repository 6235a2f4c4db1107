"""How often a label's adjective gets its noun's gender: the articles' votes (the noun's, else its
compound head's: `keyphrases.compound_gender`), the suffix guess.

Labels inflect an adjective for its noun ("wassersparender Duschkopf"). The gender comes from how
the corpus's articles use the noun (`keyphrases.noun_gender`: "einen Duschkopf", "zur Bühne"),
and where they do not tell it, from the noun's suffix. This script scores both against the
genders of FreeDict's English-German dictionary (Debian `dict-freedict-eng-deu`, whose German
side marks nouns <masc>, <fem>, <neut>; nouns it gives two genders are left out), on capitalised
words seen at least four times in each set: the written streams of the protocol (training and
test streams; unseen judges are not read) and the 10kGNAD dev half (../shared/data, real Austrian
news, skipped when absent), each without its lockbox. Each noun is voted on
in the first 40 articles that contain it, as analyze reads 40 a search finds.

    python scripts/eval_labels.py              # both sets, every noun (~45 s)
    python scripts/eval_labels.py --nouns 600  # a seeded sample of 600 nouns a set
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import re
import sys
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import protocol  # noqa: E402

from trends.analyze import GENDER_TEXTS  # noqa: E402
from trends.nlp.keyphrases import _inflect, compound_gender, noun_gender  # noqa: E402

DICTIONARY = Path("/usr/share/dictd/freedict-eng-deu.dict.dz")
GNAD = ROOT.parent / "shared" / "data" / "10kGNAD" / "dev.csv"


def dictionary_genders() -> dict[str, str]:
    genders: dict[str, set[str]] = defaultdict(set)
    with gzip.open(DICTIONARY, "rt", encoding="utf-8") as f:
        for m in re.finditer(r"^([A-ZÄÖÜ][a-zäöüß]+) <(masc|fem|neut)", f.read(), re.M):
            genders[m.group(1)].add(m.group(2)[0])
    return {w: next(iter(g)) for w, g in genders.items() if len(g) == 1}


def sets() -> dict[str, list[str]]:
    streams = []
    for folder in (*protocol.TRAINING_STREAMS, *protocol.TEST_STREAMS):
        with (folder / "articles.jsonl").open(encoding="utf-8") as f:
            streams += [json.loads(line)["text"] for line in f]
    out = {"streams": streams}
    if GNAD.exists():
        with GNAD.open(encoding="utf-8") as f:
            out["10kGNAD"] = [row[1] for row in csv.reader(f, delimiter=";", quotechar="'")]
    return {name: protocol.split_lockbox(texts, str)[0] for name, texts in out.items()}


def suffix_guess(noun: str) -> str:
    return {"xer": "m", "xe": "f", "xes": "n"}[_inflect("x", noun)]


def score(texts: list[str], truth: dict[str, str], n_nouns: int, seed: int = 0) -> str:
    counts = Counter(w for t in texts for w in re.findall(r"\b[A-ZÄÖÜ][a-zäöüß]{3,}\b", t))
    nouns = sorted(w for w, c in counts.items() if c >= 4 and w in truth)
    random.Random(seed).shuffle(nouns)
    nouns = nouns[:n_nouns] if n_nouns else nouns
    lowered = [t.lower() for t in texts]

    @cache  # compound_gender asks again for the noun itself: one scan of the texts a noun
    def votes(noun: str) -> str | None:
        low = noun.lower()
        found = [t for t, tl in zip(texts, lowered, strict=True) if low in tl][:GENDER_TEXTS]
        return noun_gender(found, noun)

    voted = voted_right = by_head = head_right = both_right = suffix_right = 0
    for noun in nouns:
        own, vote, guess = votes(noun), compound_gender(noun, votes), suffix_guess(noun)
        suffix_right += guess == truth[noun]
        if own is not None:
            voted += 1
            voted_right += own == truth[noun]
        elif vote is not None:
            by_head += 1
            head_right += vote == truth[noun]
        both_right += (vote or guess) == truth[noun]
    n = len(nouns)
    return (
        f"{n} nouns: the articles tell {voted} ({voted / n:.2f}), right {voted_right} of them "
        f"({voted_right / max(voted, 1):.3f}); of the others their head's articles tell "
        f"{by_head}, right {head_right}; votes, else suffix: {both_right / n:.3f}; "
        f"suffix alone: {suffix_right / n:.3f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nouns", type=int, default=0, help="nouns per set (0 = all)")
    args = ap.parse_args()
    if not DICTIONARY.exists():
        sys.exit(f"{DICTIONARY}: not found (apt-get install dict-freedict-eng-deu)")
    truth = dictionary_genders()
    for name, texts in sets().items():
        print(f"{name} ({len(texts)} articles): {score(texts, truth, args.nouns)}")


if __name__ == "__main__":
    main()
