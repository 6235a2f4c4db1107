"""report.pdf, report.docx, the archive of quoted articles and `export citations`, read back the
way a user's tools read them: pdftotext, python-docx, a BibTeX parser, a CSL processor."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_report import TODAY, assert_html_safe, make_workspace

from trends.cli import main
from trends.report.archive import archive_name, stored_articles
from trends.report.build import build_context, write_report

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


@pytest.fixture(scope="module")
def basic(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("formats"), "basic")
    return ws, write_report(ws, "2026Q3", today=TODAY), build_context(ws, "2026Q3", today=TODAY)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("hostile-formats"), "hostile")
    return ws, write_report(ws, "2026Q3", today=TODAY), build_context(ws, "2026Q3", today=TODAY)


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def pdf_objects(path: Path) -> bytes:
    """The PDF's objects with its compressed streams inflated (links live in object streams)."""
    data = path.read_bytes()
    parts = [data]
    for m in re.finditer(rb"stream\r?\n", data):
        chunk = data[m.end() : data.find(b"endstream", m.end())]
        try:
            parts.append(zlib.decompress(chunk))
        except zlib.error:
            continue
    return b"\n".join(parts)


def docx_doc(path: Path):
    import docx

    return docx.Document(str(path))


def docx_links(document) -> list[str]:
    return [r.target_ref for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")]


def quotes(context: dict) -> list[dict]:
    return [
        e
        for tp in context["topics"]
        for e in tp["maturity"]["evidence"] + tp["transfer"]["evidence"]
    ]


def test_pdf_has_every_topic_contents_page_numbers_and_links(basic):
    _, paths, context = basic
    pdf = paths["report.pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "A4" in info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    text = pdf_text(pdf)
    for tp in context["topics"]:
        assert tp["label"] in text, tp["label"]
    assert f"1 / {pages}" in text and f"{pages} / {pages}" in text  # page numbers
    assert text.count("Quartal 2026Q3") >= pages - 1  # running header on every page but the title
    # contents: every topic with the page it starts on
    start = text.index("Inhalt")
    first = text.index("Zusammenfassung", start)  # the contents' own entry
    contents = text[start : text.index("Zusammenfassung", first + 1)]
    for tp in context["topics"]:
        assert re.search(rf"{tp['number']}\. {re.escape(tp['label'])}[ .]*\d+", contents), tp[
            "label"
        ]
    objects = pdf_objects(pdf)
    assert b"/URI (archive/" in objects  # quotes link the archived copy, relative
    assert b"/URI (https://news.example/" in objects  # and the original
    assert b"/Subtype /Image" not in objects  # charts stay vector graphics
    assert "Diesen Bericht zitieren" in text  # methods appendix: how to cite the report


def test_docx_headings_tables_radar_quotes_and_links(basic):
    _, paths, context = basic
    doc = docx_doc(paths["report.docx"])
    headings = {p.text: p.style.name for p in doc.paragraphs if p.style.name.startswith("Heading")}
    for tp in context["topics"]:
        assert headings.get(f"{tp['number']} {tp['label']}") == "Heading 3", tp["label"]
    for f in context["fields"]:
        if f["topics"]:
            assert headings.get(f["label"]) == "Heading 2"
    assert headings.get("Trendradar") == "Heading 1" and headings.get("Methodik und Daten")
    assert len(doc.tables) >= len(context["topics"])  # a quarter-series table per topic at least
    assert len(doc.inline_shapes) >= 2  # the radar, the articles chart (and the transfer map)
    radar_png = doc.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    assert doc.part.related_parts[radar_png].blob.startswith(b"\x89PNG")
    quoted = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert len(quoted) == len(quotes(context))
    links = docx_links(doc)
    assert {e["archive"] for e in quotes(context)} <= set(links)
    assert {e["url"] for e in quotes(context) if e["url"]} <= set(links)


def test_every_quote_has_an_archived_copy_with_the_sentence_marked(basic):
    ws, paths, context = basic
    folder = paths["report.html"].parent
    page = paths["report.html"].read_text(encoding="utf-8")
    md = paths["report.md"].read_text(encoding="utf-8")
    assert quotes(context)
    marked = 0
    for e in quotes(context):
        archived = folder / e["archive"]
        assert archived.is_file(), e["archive"]
        html = archived.read_text(encoding="utf-8")
        assert f"<mark>{e['text']}</mark>" in html  # found in the stored text and marked
        stored = stored_articles(ws, [e["article_id"]])[e["article_id"]]["text"]
        if e["text"] in stored:  # marked in the stored text too, not only in the quote list
            marked += html.count(f"<mark>{e['text']}</mark>") >= 2
        assert f'href="{e["url"]}"' in html and "Erfasst am" in html
        assert f'href="{e["archive"]}"' in page and f"]({e['archive']})" in md
        assert_html_safe(html)
    assert marked >= len(quotes(context)) // 2


@pytest.mark.slow  # writes all four formats again, in English
def test_english_report_sits_beside_the_german_one(basic, tmp_path):
    ws, german, _ = basic
    before = {n: german[n].read_bytes() for n in ("report.md", "report.pdf", "report.docx")}
    english = write_report(ws, "2026Q3", lang="en", today=TODAY)
    for name in ("report.en.md", "report.en.html", "report.en.pdf", "report.en.docx"):
        assert english[name].exists(), name
    assert "Trend radar" in pdf_text(english["report.en.pdf"])
    assert {p.text for p in docx_doc(english["report.en.docx"]).paragraphs} >= {"Trend radar"}
    assert all(german[n].read_bytes() == b for n, b in before.items())
    assert all(k.endswith(".en.html") for k in english if k.startswith("archive/"))


def test_hostile_corpus_stays_inert_in_pdf_docx_and_archive(hostile):
    _, paths, context = hostile
    folder = paths["report.html"].parent
    # PDF: the hostile strings are printed as text; no script, no javascript:/data: link
    text = pdf_text(paths["report.pdf"])
    for shown in (
        "'curated label')</script>Parken",
        "'ort')</script>Soest",
        "'quelle')</script>WDR",
    ):
        assert "<script>alert(" + shown in text, shown
    objects = pdf_objects(paths["report.pdf"]).lower()
    for needle in (b"/javascript", b"/js ", b"/launch", b"javascript:", b"vbscript:", b"data:text"):
        assert needle not in objects, needle
    # DOCX: the same, and only http(s) or archive links
    doc = docx_doc(paths["report.docx"])
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "<script>" in body  # shown as text
    for link in docx_links(doc):
        assert link.startswith(("http://", "https://")) or re.fullmatch(
            r"archive/[A-Za-z0-9_-]+\.html", link
        ), link
    # archive: pages are safe HTML, all inside archive/, the hostile id hashed
    pages = [k for k in paths if k.startswith("archive/")]
    assert pages
    for name in pages:
        path = paths[name]
        assert path.parent == folder / "archive"
        html = path.read_text(encoding="utf-8")
        assert_html_safe(html)
        assert "<script" not in html.lower() and "javascript:" not in html.lower()
    hostile_ids = [e["article_id"] for e in quotes(context) if "/" in str(e["article_id"])]
    assert hostile_ids, "the fixture quotes an article whose id looks like a path"
    assert re.fullmatch(r"archive/a-[0-9a-f]{20}\.html", archive_name(hostile_ids[0]))
    assert not list(folder.parent.glob("**/*script*"))


def test_archive_name_never_leaves_the_folder():
    for hostile_id in ("../../etc/passwd", "a/b", "..", "", "CON", "x" * 500, "é", "a\x00b"):
        name = archive_name(hostile_id)
        assert re.fullmatch(r"archive/[A-Za-z0-9_-]+\.html", name), name
        assert ".." not in name
    assert archive_name("48d71b38fee4ea92") == "archive/48d71b38fee4ea92.html"


def test_report_format_option(tmp_path):
    ws = make_workspace(tmp_path / "ws", "basic")
    runner = CliRunner()
    base = ["-w", str(ws.root), "report", "-q", "2026Q3"]
    result = runner.invoke(main, [*base, "--format", "md,html"])
    assert result.exit_code == 0, result.output
    folder = ws.reports_dir / "2026Q3"
    assert (folder / "report.md").exists() and not (folder / "report.pdf").exists()
    bad = runner.invoke(main, [*base, "--format", "md,odt"])
    assert bad.exit_code != 0 and "odt" in bad.output and "md,html,pdf,docx" in bad.output


def test_citations_round_trip_bibtex_ris_and_csl(basic):
    import bibtexparser
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    ws, _, context = basic
    distinct = {e["article_id"] for e in quotes(context)}
    runner = CliRunner()

    def export(fmt: str) -> str:
        r = runner.invoke(
            main, ["-w", str(ws.root), "export", "citations", "-q", "2026Q3", "--format", fmt]
        )
        assert r.exit_code == 0, r.output
        return r.output

    bib = export("bibtex")
    library = bibtexparser.parse_string(bib)
    assert not library.failed_blocks
    assert len(library.entries) == len(distinct)
    assert {e.entry_type for e in library.entries} == {"online"}
    assert all(
        e.fields_dict["urldate"].value and e.fields_dict["url"].value for e in library.entries
    )
    assert export("bibtex") == bib  # stable keys across runs
    ris = export("ris")
    assert ris.count("TY  - ELEC") == ris.count("ER  - ") == len(distinct)
    items = json.loads(export("csl-json"))
    assert len(items) == len(distinct)
    assert {i["id"] for i in items} == {e.key for e in library.entries}
    for item in items:
        assert {
            "id",
            "type",
            "title",
            "URL",
            "issued",
            "accessed",
            "container-title",
            "language",
        } <= set(item)
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    bibliography.register(Citation([CitationItem(i["id"]) for i in items]))
    rendered = [str(x) for x in bibliography.bibliography()]
    assert len(rendered) == len(distinct)
    assert any(items[0]["title"] in r for r in rendered)


def test_citations_of_a_hostile_corpus_parse(hostile):
    import bibtexparser

    ws, _, context = hostile
    r = CliRunner().invoke(main, ["-w", str(ws.root), "export", "citations", "--format", "bibtex"])
    assert r.exit_code == 0, r.output
    library = bibtexparser.parse_string(r.output)
    assert not library.failed_blocks
    assert len(library.entries) == len({e["article_id"] for e in quotes(context)})
    for e in library.entries:
        url = e.fields_dict.get("url")
        assert url is None or url.value.startswith(("http://", "https://"))


def test_docx_links_only_http_and_our_archive(basic):
    """The Word writer's own check, behind the context's: nothing else becomes a hyperlink."""
    from trends.report.docx import _Writer

    _, _, context = basic
    w = _Writer(context)
    p = w.doc.add_paragraph()
    for bad in (
        "javascript:alert(1)",
        " JaVaScRiPt:alert(2)",
        "data:text/html,x",
        "archive/../../etc/passwd.html",
        "file:///etc/passwd",
        "//evil.example/x",
    ):
        w.link(p, "x", bad)
    assert docx_links(w.doc) == [] and p.text == "x" * 6
    w.link(p, "ok", "https://example.org/a")
    w.link(p, "copy", "archive/abc-1.en.html")
    assert docx_links(w.doc) == ["https://example.org/a", "archive/abc-1.en.html"]


def test_bibtex_values_cannot_break_out_of_their_field():
    import io

    import bibtexparser

    from trends.report.citations import write_bibtex

    item = {
        "id": "evil2026abcdef",
        "title": "Ende} , note = {eingeschleust} @misc{x, title={y}",
        "container-title": "Quelle 100% & Co #1 $x$ a_b ~ ^ \\input{/etc/passwd}",
        "URL": "https://example.org/a?b=1%202",
        "language": "de",
        "note": "n",
        "issued": {"date-parts": [[2026, 7, 1]]},
        "accessed": {"date-parts": [[2026, 10, 1]]},
    }
    buf = io.StringIO()
    write_bibtex([item], buf)
    library = bibtexparser.parse_string(buf.getvalue())
    assert not library.failed_blocks and len(library.entries) == 1
    entry = library.entries[0]
    assert entry.key == "evil2026abcdef" and "eingeschleust" in entry.fields_dict["title"].value
    assert set(entry.fields_dict) == {
        "title",
        "organization",
        "date",
        "url",
        "urldate",
        "langid",
        "note",
    }
    assert "\\input" not in entry.fields_dict["organization"].value


def test_a_format_whose_system_library_is_missing_is_named_with_its_reason(monkeypatch):
    """What the demo leaves out on a bare machine without Pango (it writes the other formats and
    prints this reason): the PDF, naming the packages to install."""
    import builtins

    from trends.report import build

    real_import = builtins.__import__

    def no_pango(name, *args, **kw):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    missing = build.unavailable_formats()
    assert set(missing) == {"pdf"} and "libpango-1.0-0" in missing["pdf"]
