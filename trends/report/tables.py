"""The report's tables: metrics.json (the context without markup), topics.csv, radar.csv, and
the charts as standalone SVG files."""

from __future__ import annotations

import csv
import io
import re

from markupsafe import Markup

from trends import i18n
from trends.report import charts
from trends.report.safety import _csv_cell


def _plain(value):
    """The context without markup: what metrics.json holds."""
    if isinstance(value, dict):
        return {
            k: _plain(v)
            for k, v in value.items()
            if not (k.endswith(("_svg", "_html", "_md")) or k == "t")
        }
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Markup):
        return None
    return value


def _csv(rows: list[dict], fields: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([_csv_cell(row.get(f)) for f in fields])
    return buf.getvalue()


TOPIC_FIELDS = [
    "number",
    "id",
    "label",
    "model_label",
    "field",
    "ring",
    "stage",
    "confidence",
    "trl",
    "transfer_score",
    "trend_class",
    "trend_rule",
    "count",
    "share",
    "growth_prev",
    "growth_yoy",
    "sources",
    "independent_sources",
    "municipalities",
    "municipality_names",
    "keyphrases",
    "quarter_counts",
    "is_new",
    "moved",
    "previous_ring",
    "merged_from",
    "ring_pinned",
]
RADAR_FIELDS = ["name", "ring", "quadrant", "isNew", "description"]


def topic_table(context: dict) -> list[dict]:
    rows = []
    for tp in context["topics"]:
        prev_ring = next(
            (r["before"] for r in tp["change"]["rows"] if r["what"] == context["t"]["ring"]), ""
        )
        rows.append(
            {
                "number": tp["number"],
                "id": tp["id"],
                "label": tp["label"],
                "model_label": tp["model_label"],
                "field": tp["field_label"],
                "ring": tp["maturity"]["ring_label"],
                "stage": tp["maturity"]["stage"],
                "confidence": tp["maturity"]["confidence"],
                "trl": tp["maturity"]["trl"],
                "transfer_score": tp["transfer"]["score"],
                "trend_class": tp["trend"]["class"],
                "trend_rule": tp["trend"]["rule"],
                "count": tp["now"]["count"],
                "share": tp["now"]["share"],
                "growth_prev": tp["now"]["growth_prev"],
                "growth_yoy": tp["now"]["growth_yoy"],
                "sources": tp["now"]["sources"],
                "independent_sources": tp["now"]["independent_sources"],
                "municipalities": tp["now"]["municipalities"],
                "municipality_names": tp["municipalities"]["quarter"],
                "keyphrases": tp["keyphrases"],
                "quarter_counts": {r["quarter"]: r["count"] for r in tp["series"]},
                "is_new": tp["is_new"],
                "moved": tp["moved"] or "",
                "previous_ring": prev_ring,
                "merged_from": [m["id"] for m in tp["merged_from"]],
                "ring_pinned": tp["maturity"]["ring_pinned"],
            }
        )
    return rows


def radar_table(context: dict) -> list[dict]:
    """Thoughtworks Build-your-own-Radar rows. BYOR takes the ring order from the first appearance,
    so rows go innermost ring first. The description is HTML-escaped text (BYOR renders it as HTML)."""
    import html as _html

    lang = context["lang"]
    rows = []
    for tp in sorted(context["topics"], key=lambda x: (x["maturity"]["ring_index"], x["number"])):
        parts = [
            f"{tp['id']}",
            tp["trend"]["class_label"],
            f"{i18n.fmt_int(tp['now']['count'], lang)} {context['t']['articles']} {context['quarter']}",
            f"{tp['maturity']['stage_label']} ({context['t']['confidence']} {i18n.fmt_dec(tp['maturity']['confidence'], lang)})",
        ]
        if tp["keyphrases"]:
            parts.append(", ".join(tp["keyphrases"][:5]))
        rows.append(
            {
                "name": re.sub(r"[<>]", "", tp["label"]),
                "ring": tp["maturity"]["ring_label"],
                "quadrant": tp["field_label"],
                "isNew": "TRUE" if tp["is_new"] else "FALSE",
                "description": charts.defuse(_html.escape(" · ".join(parts))),
            }
        )
    return rows


def _standalone_svg(svg: str) -> str:
    """An inline chart as a file: XML declaration and a white background for viewers."""
    svg = str(svg)  # plain text: Markup would escape what is added below
    if not svg:
        return '<svg xmlns="http://www.w3.org/2000/svg"/>\n'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + svg.replace(">", '><rect width="100%" height="100%" fill="#fff"/>', 1)
        + "\n"
    )
