"""The quarterly report: one context (trends.report.context), rendered once per format, written
to reports/<quarter>/.

    build_context(ws, quarter, lang) -> dict          everything the report shows, as plain data
    write_report(ws, quarter, lang)  -> {name: path}   reports/<quarter>/report.md, report.html,
                                                       metrics.json, topics.csv, radar.csv (+ SVGs)

Modules: `context` builds the dict; `render_md` and `render_html` fill the Jinja2 templates
(`templating`: the workspace's templates/ wins over the default ones, repo-root templates/, which
the package reaches through the link trends/report/templates, a copy in a wheel); `tables` writes
metrics.json and the CSVs; `safety` holds the escaping every format uses (DESIGN rule 6: HTML is
autoescaped and every printed value also has scheme and event-handler look-alikes defused;
Markdown output escapes every value; commentary Markdown is rendered with `markdown` and sanitized
with nh3; only http(s) links). The names other modules import from here stay importable here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from pathlib import Path

from trends.config import Workspace
from trends.files import replacing
from trends.models import AnalysisError
from trends.report.archive import archive_pages
from trends.report.context import (
    MAX_EVIDENCE,
    MAX_QUOTE,
    MAX_TITLE,
    MAX_TRANSFER_EVIDENCE,
    RING_ORDER,
    STAGE_ORDER,
    SUMMARY_TOPICS,
    _read_json,
    build_context,
)
from trends.report.docx import render_docx
from trends.report.pdf import render_pdf
from trends.report.render_html import render_html
from trends.report.render_md import render_md
from trends.report.safety import (
    commentary_html,
    commentary_markdown,
    html_text,
    md_escape,
    safe_url,
)
from trends.report.tables import (
    RADAR_FIELDS,
    TOPIC_FIELDS,
    _csv,
    _plain,
    _standalone_svg,
    radar_table,
    topic_table,
)
from trends.report.templating import environment, render, template_dirs

__all__ = [
    "EDITABLE",
    "MAX_EVIDENCE",
    "MAX_QUOTE",
    "MAX_TITLE",
    "MAX_TRANSFER_EVIDENCE",
    "RADAR_FIELDS",
    "RING_ORDER",
    "STAGE_ORDER",
    "SUMMARY_TOPICS",
    "TOPIC_FIELDS",
    "build_context",
    "commentary_html",
    "commentary_markdown",
    "environment",
    "html_text",
    "md_escape",
    "radar_table",
    "render",
    "safe_url",
    "template_dirs",
    "topic_table",
    "write_report",
]

# kept as a backup when edited by hand since generation
EDITABLE = ("report.md", "report.html", "report.en.md", "report.en.html")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_files(folder: Path, files: dict[str, bytes]) -> dict[str, Path]:
    """Write atomically; a report.md/.html edited by hand since it was generated is kept as
    `<name>.edited-<time>` instead of being overwritten."""
    folder.mkdir(parents=True, exist_ok=True)
    record_path = folder / ".generated.json"
    record = _read_json(record_path, {})
    out: dict[str, Path] = {}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name, data in files.items():
        path = folder / name
        if name in EDITABLE and path.exists():
            old = _sha(path.read_bytes())
            if old != record.get(name) and old != _sha(data):
                stem, suffix = name.rsplit(".", 1)
                backup = folder / f"{stem}.edited-{stamp}.{suffix}"
                os.replace(path, backup)
                out[f"edited_{name}"] = backup
        path.parent.mkdir(parents=True, exist_ok=True)  # archive/
        with replacing(path, "wb") as fh:
            fh.write(data)
        record[name] = _sha(data)
        out[name] = path
    with replacing(record_path) as fh:
        fh.write(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return out


FORMATS = ("md", "html", "pdf", "docx")


def unavailable_formats() -> dict[str, str]:
    """Formats whose system libraries are missing here, with the reason: PDF needs Pango (through
    WeasyPrint), Word needs cairo (through cairosvg, for the radar picture)."""
    out = {}
    for fmt, module, libs in (
        ("pdf", "weasyprint", "libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"),
        ("docx", "cairosvg", "libcairo2"),
    ):
        try:
            __import__(module)
        except (ImportError, OSError) as exc:  # OSError: installed, but its C library is not
            out[fmt] = f"needs {libs} (apt-get install {libs}): {str(exc).splitlines()[0]}"
    return out


def parse_formats(value: str | None) -> tuple[str, ...]:
    """'md,html,pdf,docx' (any subset, any order) -> the formats in the canonical order."""
    if not value:
        return FORMATS
    asked = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in asked if f not in FORMATS]
    if unknown or not asked:
        raise AnalysisError(
            f"unknown report format {', '.join(unknown) or repr(value)} "
            f"(use any of: {','.join(FORMATS)})"
        )
    return tuple(f for f in FORMATS if f in asked)


def write_report(
    ws: Workspace,
    quarter: str | None = None,
    lang: str = "de",
    *,
    today: dt.date | None = None,
    out: Path | None = None,
    formats: tuple[str, ...] | list[str] = FORMATS,
) -> dict[str, Path]:
    """Build the context once and write reports/<quarter>/ (or `out`): report.md, report.html,
    report.pdf, report.docx (those in `formats`), metrics.json, topics.csv, radar.csv,
    radar.svg and articles.svg (the charts the Markdown links to), and archive/<article>.html
    for every quoted article. German keeps these names; English writes report.en.md,
    metrics.en.json, archive/<article>.en.html, … beside them.

    Returns {file name: path}; a hand-edited report.md/.html that was moved aside appears as
    `edited_report.md` / `edited_report.html`."""
    context = build_context(ws, quarter, lang, today=today)
    names = context["files"]
    metrics = json.dumps(_plain(context), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    files: dict[str, bytes] = {}
    if "md" in formats:
        files[names["md"]] = render_md(ws, context).encode("utf-8")
    if "html" in formats:
        files[names["html"]] = render_html(ws, context).encode("utf-8")
    if "pdf" in formats:
        files[names["pdf"]] = render_pdf(ws, context)
    if "docx" in formats:
        files[names["docx"]] = render_docx(ws, context)
    files.update(
        {
            names["metrics"]: metrics.encode("utf-8"),
            names["topics"]: _csv(topic_table(context), TOPIC_FIELDS).encode("utf-8"),
            names["radar_table"]: _csv(radar_table(context), RADAR_FIELDS).encode("utf-8"),
            names["radar_chart"]: _standalone_svg(context["radar"]["radar_svg"]).encode("utf-8"),
            names["articles_chart"]: _standalone_svg(context["appendix"]["articles_svg"]).encode(
                "utf-8"
            ),
        }
    )
    # the archive pages link back to the report: the HTML, else whichever format was written
    report = names[next(f for f in ("html", "pdf", "md", "docx") if f in formats)]
    for name, page in archive_pages(ws, context, report).items():
        files[name] = page.encode("utf-8")
    return _write_files(out or ws.reports_dir / context["quarter"], files)
