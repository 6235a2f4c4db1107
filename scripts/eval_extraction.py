"""How well does collect's extraction keep article text and drop boilerplate on real German pages?

Reads ../shared/data/extraction_de (trafilatura's German evaluation pages with gold snippets) and
prints: pages with text, share of `with` snippets found, share of `without` snippets kept out, and
seconds per page.   python scripts/eval_extraction.py [PATH_TO_extraction_de]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from trends.collect.extract import extract_article

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "extraction_de"


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    gold = json.loads((root / "gold.json").read_text(encoding="utf-8"))
    found = kept_out = n_with = n_without = pages_with_text = 0
    reasons: dict[str, int] = {}
    started = time.perf_counter()
    for url, item in sorted(gold.items()):
        got = extract_article((root / item["file"]).read_bytes(), url)
        if isinstance(got, str):
            reasons[got.split("(")[0].strip()] = reasons.get(got.split("(")[0].strip(), 0) + 1
            text = ""
        else:
            pages_with_text += 1
            text = got.text
        found += sum(s in text for s in item.get("with", []))
        kept_out += sum(s not in text for s in item.get("without", []))
        n_with += len(item.get("with", []))
        n_without += len(item.get("without", []))
    seconds = time.perf_counter() - started
    print(
        f"pages: {len(gold)}, with extracted text: {pages_with_text} ({pages_with_text / len(gold):.1%})"
    )
    print(f"'with' snippets found: {found}/{n_with} = {found / n_with:.3f} (recall)")
    print(
        f"'without' snippets kept out: {kept_out}/{n_without} = {kept_out / n_without:.3f} (precision proxy)"
    )
    print(f"all snippets right: {(found + kept_out) / (n_with + n_without):.3f}")
    print(f"seconds: {seconds:.1f} ({seconds / len(gold) * 1000:.0f} ms/page)")
    for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f"  no text: {n} x {reason}")


if __name__ == "__main__":
    main()
