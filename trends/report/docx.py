"""report.docx: the report context as a Word document (python-docx), for editing, commenting and
merging into the programme's own documents.

Word's own structure throughout: Title/Subtitle, Heading 1-3 (the navigation pane shows the
outline: sections, fields, one heading per topic), a TOC field Word fills in when the file opens,
tables as Word tables, quotes in the "Quote" style, hyperlinks as real hyperlinks (the original
article and the relative archive/… copy), the radar and the articles chart as PNG pictures
(cairosvg draws the same SVG the HTML shows). Text goes in as runs, never as markup: python-docx
escapes it; characters XML cannot hold are dropped.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from html.parser import HTMLParser

from trends.config import Workspace
from trends.models import AnalysisError
from trends.report.safety import safe_url
from trends.report.tables import _standalone_svg

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_ARCHIVE = re.compile(r"archive/[A-Za-z0-9_-]+(\.[a-z]{2})?\.html")


def _x(value: object) -> str:
    """Text Word can store: XML-incompatible characters dropped, whitespace collapsed."""
    return _CONTROL.sub("", " ".join(("" if value is None else str(value)).split()))


class _Writer:
    def __init__(self, context: dict):
        from docx import Document
        from docx.shared import Cm, Pt

        self.Cm, self.Pt = Cm, Pt
        self.c = context
        self.t = context["t"]
        self.lang = context["lang"]
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)  # A4
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(2.0))
        self.doc.core_properties.title = _x(f"{context['title']} – {context['quarter']}")
        self.doc.core_properties.subject = _x(context["subtitle"])
        self.doc.core_properties.author = _x(context["author"] or "trends")
        self.doc.core_properties.language = self.lang
        self.doc.styles["Normal"].font.size = Pt(10)
        # python-docx looks a style name up by walking every style: resolve each name once
        self._styles: dict[str, object] = {}
        self.outline: list[tuple[int, str]] = []  # (level, text) of every heading, for contents
        # running header with the quarter, page number in the footer
        header = section.header.paragraphs[0]
        header.text = _x(f"{context['title']} · {context['quarter']}")
        footer = section.footer.paragraphs[0]
        self._field(footer, "PAGE")

    # -- low-level helpers ---------------------------------------------------------------------
    def _field(self, paragraph, instruction: str, placeholder: str = "") -> None:
        """A Word field (PAGE, TOC …): Word computes it; `placeholder` shows until then."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        def fld(kind: str):
            run = paragraph.add_run()
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)

        fld("begin")
        run = paragraph.add_run()
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = f" {instruction} "
        run._r.append(instr)
        fld("separate")
        paragraph.add_run(_x(placeholder))
        fld("end")

    def link(self, paragraph, text: object, url: str) -> None:
        """A hyperlink run: http(s) URLs, or a relative archive/… page; otherwise plain text."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        target = safe_url(url) or (url if _ARCHIVE.fullmatch(url or "") else "")
        if not target:
            paragraph.add_run(_x(text))
            return
        r_id = paragraph.part.relate_to(target, RT.HYPERLINK, is_external=True)
        hyperlink = OxmlElement("w:hyperlink")
        hyperlink.set(qn("r:id"), r_id)
        run = OxmlElement("w:r")
        props = OxmlElement("w:rPr")
        color = OxmlElement("w:color")
        color.set(qn("w:val"), "1F5F9E")
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        props.extend([color, underline])
        run.append(props)
        text_el = OxmlElement("w:t")
        text_el.set(qn("xml:space"), "preserve")
        text_el.text = _x(text)
        run.append(text_el)
        hyperlink.append(run)
        paragraph._p.append(hyperlink)

    def style(self, name: str | None):
        if name is None:
            return None
        if name not in self._styles:
            self._styles[name] = self.doc.styles[name]
        return self._styles[name]

    def para(self, text: object = "", style: str | None = None, *, bold: str = ""):
        p = self.doc.add_paragraph(style=self.style(style))
        if bold:
            p.add_run(_x(bold) + " ").bold = True
        if text:
            p.add_run(_x(text))
        return p

    def heading(self, text: object, level: int):
        self.outline.append((level, _x(text)))
        return self.doc.add_paragraph(_x(text), style=self.style(f"Heading {level}"))

    def table(self, header: list, rows: list[list], *, widths: list[float] | None = None):
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = self.style("Light Grid Accent 1")
        for cell, value in zip(table.rows[0].cells, header):
            cell.text = _x(value)
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row):
                if isinstance(value, tuple):  # (text, url): a linked cell
                    self.link(cell.paragraphs[0], value[0], value[1])
                else:
                    cell.text = _x(value)
        if widths:
            for row in table.rows:
                for cell, w in zip(row.cells, widths):
                    cell.width = self.Cm(w)
        self.doc.add_paragraph()
        return table

    def picture(self, svg: str, width_cm: float) -> None:
        try:
            import cairosvg
        except (ImportError, OSError) as exc:
            raise AnalysisError(
                "report.docx needs cairosvg and the cairo library (libcairo2), or leave it out "
                f"with --format md,html,pdf: {exc}"
            ) from None
        png = cairosvg.svg2png(
            bytestring=_standalone_svg(svg).encode("utf-8"),
            output_width=int(width_cm / 2.54 * 200),  # 200 dpi at the printed width
            unsafe=False,
        )
        self.doc.add_picture(io.BytesIO(png), width=self.Cm(width_cm))

    def html(self, fragment: object) -> None:
        """Sanitized commentary/rules HTML (small tag set) as Word paragraphs with bold, italics,
        lists, quotes and links."""
        if fragment:
            _HtmlToDocx(self).feed(str(fragment))

    def n(self, value) -> str:
        from trends import i18n

        return i18n.fmt_int(value, self.lang)

    # -- sections ------------------------------------------------------------------------------
    def write(self) -> bytes:
        from docx.enum.text import WD_BREAK

        c, t = self.c, self.t
        self.para(f"{t['quarter']} {c['quarter']}", "Subtitle")
        self.para(c["title"], "Title")
        self.para(c["subtitle"], "Subtitle")
        corpus = c["corpus"]
        self.table(
            [t["key"], t["value"]],
            [
                [t["quarter"], f"{c['quarter']} ({c['period']['text']})"],
                [t["articles_quarter"], self.n(corpus["articles_quarter"])],
                [
                    t["articles_window"],
                    f"{self.n(corpus['articles_window'])} ({corpus['window'][0]} – "
                    f"{corpus['window'][-1]})"
                    if corpus["window"]
                    else self.n(corpus["articles_window"]),
                ],
                [t["sources"], self.n(corpus["sources_quarter"])],
                [t["topics_count"], self.n(corpus["topics"])],
                [t["generated"], c["generated_text"]],
                *([[t["author"], c["author"]]] if c["author"] else []),
            ],
            widths=[6, 10],
        )
        if c["partial"]:
            self.para(c["partial_text"], "Intense Quote")
        self.heading(t["contents"], 1)
        toc = self.doc.add_paragraph()
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        self.summary()
        self.radar()
        self.topics()
        self.transfer()
        self.comparison()
        self.appendix()
        self._contents(toc)
        buf = io.BytesIO()
        self._update_fields_on_open()
        when = dt.datetime.combine(dt.date.fromisoformat(c["generated"]), dt.time())
        self.doc.core_properties.created = self.doc.core_properties.modified = when
        self.doc.save(buf)
        return _fixed_zip_times(buf.getvalue(), when)

    def _contents(self, anchor) -> None:
        """The contents as a TOC field that already holds the outline (without page numbers), so
        a reader that does not update fields (LibreOffice's converter, previews) still shows it;
        Word replaces it with the page-numbered contents when it opens the file."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        entries = [(level, text) for level, text in self.outline if text != _x(self.t["contents"])]
        paragraphs = []
        for level, text in entries or [(1, self.t["contents"])]:
            para = anchor.insert_paragraph_before()
            para.paragraph_format.left_indent = self.Cm(0.6 * (level - 1))
            para.paragraph_format.space_after = self.Pt(1)
            paragraphs.append((para, text))

        def fld(para, kind: str):
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            para.add_run()._r.append(el)

        first, last = paragraphs[0][0], paragraphs[-1][0]
        fld(first, "begin")
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = ' TOC \\o "1-3" \\h \\z \\u '
        first.add_run()._r.append(instr)
        fld(first, "separate")
        for para, text in paragraphs:
            para.add_run(text)
        fld(last, "end")
        anchor._p.getparent().remove(anchor._p)

    def _update_fields_on_open(self) -> None:
        """Ask Word to fill in the contents (TOC field) when the document opens."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        settings = self.doc.settings.element
        el = OxmlElement("w:updateFields")
        el.set(qn("w:val"), "true")
        settings.append(el)

    def summary(self) -> None:
        c, t = self.c, self.t
        s = c["summary"]
        self.heading(t["summary"], 1)
        self.para(s["intro"])
        if s.get("introduction_html"):
            self.para(bold=t["introduction"])
            self.html(s["introduction_html"])
        self.para(s["lead"])
        for item in s["entries"]:
            p = self.doc.add_paragraph()
            p.add_run(_x(f"{item['number']}. {item['label']}")).bold = True
            p.add_run(_x(f" – {item['class_label']} · {item['field_label']}"))
            self.para(" ".join(item["sentences"]))

    def radar(self) -> None:
        c, t = self.c, self.t
        r = c["radar"]
        self.heading(t["radar"], 1)
        self.para(t["radar_intro"])
        self.picture(r["radar_svg"], 16.5)
        rings = " · ".join(x["label"] for x in r["rings"])
        self.para(f"{rings} ({t['rings_order']})", "Caption")
        for s in r["sectors"]:
            if not s["blips"]:
                continue
            self.para(bold=s["label"])
            for b in s["blips"]:
                marks = (f" – {t['new']}" if b["is_new"] else "") + (
                    f" – {t['moved_in']}"
                    if b["moved"] == "in"
                    else (f" – {t['moved_out']}" if b["moved"] == "out" else "")
                )
                self.para(f"{b['number']}. {b['label']} ({b['ring_label']}){marks}", "List")

    def _evidence(self, items: list[dict]) -> None:
        t = self.t
        for e in items:
            self.para(f"{t['quote_open']}{e['text']}{t['quote_close']}", "Quote")
            p = self.doc.add_paragraph()
            p.add_run(_x(f"{t['cite_sep']} "))
            self.link(p, e["title"], e["url"])
            p.add_run(_x(f", {e['source_name']}, {self._date(e['published'])}"))
            if e.get("archive"):
                p.add_run(" · ")
                self.link(p, t["archived"], e["archive"])

    def _date(self, value) -> str:
        from trends import i18n

        return i18n.fmt_date(value, self.lang)

    def topics(self) -> None:
        from trends import i18n

        c, t = self.c, self.t
        self.heading(t["topics"], 1)
        by_number = {tp["number"]: tp for tp in c["topics"]}
        for f in c["fields"]:
            if not f["topics"]:
                continue
            self.heading(f["label"], 2)
            for number in f["topics"]:
                tp = by_number[number]
                self.heading(f"{tp['number']} {tp['label']}", 3)
                meta = [tp["trend"]["class_label"], f"{t['ring']} {tp['maturity']['ring_label']}"]
                if tp["is_new"] and tp["trend"]["class"] != "new":
                    meta.append(t["new"])
                if tp["moved"] == "in":
                    meta.append(f"▲ {t['moved_in']}")
                elif tp["moved"] == "out":
                    meta.append(f"▼ {t['moved_out']}")
                meta.append(tp["id"])
                self.para(" · ".join(meta))
                if tp["renamed"]:
                    self.para(tp["model_label"], bold=f"{t['model_label']}:")
                if tp["merged_from"]:
                    merged = "; ".join(f"{m['id']} {m['label']}" for m in tp["merged_from"])
                    self.para(merged, bold=f"{t['merged_from']}:")
                if tp["keyphrases"]:
                    self.para(" · ".join(tp["keyphrases"]), bold=f"{t['keyphrases']}:")
                self.para(bold=t["last_quarters"])
                self.table(
                    [r["quarter"] for r in tp["series"]],
                    [
                        [
                            (self.n(r["count"]) if r["observed"] else "–")
                            + ("*" if r["partial"] else "")
                            for r in tp["series"]
                        ]
                    ],
                )
                tr = tp["trend"]
                self.para(
                    f"{tr['class_label']}. {tr['explanation']} ({tr['decided_on_text']})",
                    bold=f"{t['trend_class']}:",
                )
                m = tp["maturity"]
                text = m["stage_label"]
                if m["stage"] != "none":
                    text += f" – {t['confidence']} {i18n.fmt_dec(m['confidence'], self.lang)}"
                    if m["trl"]:
                        text += f", {t['trl']} {m['trl']}"
                text += f"; {t['ring']} {m['ring_label']}"
                if m["ring_pinned"]:
                    text += f" ({m['ring_pinned_text']})"
                self.para(text, bold=f"{t['maturity']}:")
                if m["evidence_from_text"]:
                    self.para(m["evidence_from_text"])
                if m["evidence"]:
                    self._evidence(m["evidence"])
                else:
                    self.para(m.get("no_evidence_text") or t["no_evidence"])
                tf = tp["transfer"]
                self.para(
                    f"{tf['level_label']} ({i18n.fmt_dec(tf['score'], self.lang)})"
                    if tf["score"] > 0
                    else t["transfer_none"],
                    bold=f"{t['transfer']}:",
                )
                self._evidence(tf["evidence"])
                mu = tp["municipalities"]
                names = mu["quarter_list"]
                self.para(
                    (
                        ", ".join(names["names"])
                        + (f" {names['more_text']}" if names["more"] else "")
                    )
                    if names["names"]
                    else t["none_named"],
                    bold=f"{t['municipalities']} – {c['labels']['in_quarter']}:",
                )
                self.para(
                    f"{len(mu['window'])}"
                    + (f" – {', '.join(mu['window_list']['names'])}" if mu["window"] else "")
                    + (f" {mu['window_list']['more_text']}" if mu["window_list"]["more"] else ""),
                    bold=f"{t['munis_window']}:",
                )
                p = self.para(bold=f"{t['sources_involved']} – {c['labels']['in_quarter']}:")
                for i, s in enumerate(tp["sources"]["quarter"]):
                    if i:
                        p.add_run(", ")
                    self.link(p, s["name"], s["url"])
                    p.add_run(f" ({s['count']})")
                if not tp["sources"]["quarter"]:
                    p.add_run(_x(t["none"]))
                if tp["sources"]["quarter_more"]:
                    p.add_run(_x(f" {tp['sources']['more_text']}"))
                self.para(bold=t["change"])
                if tp["change"]["rows"]:
                    self.table(
                        ["", t["before"], t["now"]],
                        [[r["what"], r["before"], r["now"]] for r in tp["change"]["rows"]],
                    )
                else:
                    self.para(tp["change"]["text"])
                self.para(bold=t["commentary"])
                if tp["commentary_html"]:
                    self.html(tp["commentary_html"])
                else:
                    self.para(tp["commentary_hint"])

    def transfer(self) -> None:
        """The section "Transfer und Nachnutzung" (trends.transfer.report_section), if any."""
        tr = self.c.get("transfer")
        if not tr:
            return
        lab = tr["labels"]
        self.heading(lab["section"], 1)
        self.para(lab["section_intro"])
        if tr.get("map_svg"):
            self.picture(tr["map_svg"], 15)
            self.para(lab["map_title"], "Caption")

        def places(rows: list[dict]) -> str:
            shown = ", ".join(f"{p['name']} ({p['stage_label']})" for p in rows[:8]) or "–"
            return shown + (f" … +{len(rows) - 8}" if len(rows) > 8 else "")

        if tr["topics"]:
            self.table(
                [lab["topic"], lab["leaders"], lab["followers"], lab["districts_reached"]],
                [
                    [
                        tp["label"],
                        places(tp["leaders"]),
                        places(tp["followers"]),
                        f"{tp['districts_reached']} {lab['of']} {tp['districts_total']}",
                    ]
                    for tp in tr["topics"]
                ],
            )
        else:
            self.para(lab["no_places"])
        self.heading(lab["parallel"], 2)
        for tp in tr["parallel"]:
            munis = "; ".join(
                f"{p['name']} ({p['stage_label']}, {p['district']})" for p in tp["municipalities"]
            )
            self.para(munis, "List Bullet", bold=f"{tp['label']} ({tp['stage_label']}):")
        if not tr["parallel"]:
            self.para(lab["no_parallel"])

    def comparison(self) -> None:
        c, t = self.c, self.t
        cmp_ = c["comparison"]
        self.heading(t["comparison"], 1)
        if not cmp_["previous_quarter"]:
            self.para(t["no_previous"])
            return
        self.para(f"{cmp_['compared_with_text']} {cmp_['unchanged_text']}")
        self.heading(t["new_topics"], 2)
        if cmp_["new"]:
            self.table(
                [t["number"], t["topic"], t["ring"], t["trend_class"], t["articles"]],
                [
                    [e["number"], e["label"], e["ring_label"], e["class_label"], self.n(e["count"])]
                    for e in cmp_["new"]
                ],
            )
        else:
            self.para(t["none"])
        self.heading(t["moved_topics"], 2)
        if cmp_["moved"]:
            self.table(
                [t["number"], t["topic"], t["previous_ring"], t["ring"], t["marks"]],
                [
                    [
                        e["number"],
                        e["label"],
                        e["previous_ring_label"],
                        e["ring_label"],
                        ("▲ " if e["direction"] == "in" else "▼ ") + e["direction_label"],
                    ]
                    for e in cmp_["moved"]
                ],
            )
        else:
            self.para(t["none"])
        if cmp_["renamed"]:
            self.heading(t["renamed_topics"], 2)
            self.para(t["renamed_note"])
            self.table(
                [t["number"], t["topic"], t["previous_name"]],
                [[e["number"], e["label"], e["previous"]] for e in cmp_["renamed"]],
            )
        self.heading(t["dropped_topics"], 2)
        if cmp_["dropped"]:
            self.table(
                [t["topic_id"], t["topic"], t["last_ring"], t["reason"]],
                [[e["id"], e["label"], e["ring_label"], e["reason"]] for e in cmp_["dropped"]],
            )
        else:
            self.para(t["none"])

    def appendix(self) -> None:
        c, t = self.c, self.t
        a = c["appendix"]
        self.heading(t["appendix"], 1)
        self.heading(t["app_sources"], 2)
        self.picture(a["articles_svg"], 15)
        if c["partial"]:
            self.para(t["partial_star"], "Caption")
        if not c["corpus"]["exists"]:
            self.para(t["no_corpus"])
        totals = a["source_totals"]
        self.table(
            [t["source"], t["type"], t["region"], t["in_quarter"], t["in_window"], t["stored"]],
            [
                [
                    (s["name"], s["url"]),
                    s["type_label"],
                    s["region"],
                    self.n(s["in_quarter"]),
                    self.n(s["in_window"]),
                    self.n(s["stored"]),
                ]
                for s in a["sources"]
            ]
            + [
                [
                    t["total"],
                    "",
                    "",
                    self.n(totals["in_quarter"]),
                    self.n(totals["in_window"]),
                    self.n(totals["stored"]),
                ]
            ],
        )
        if c.get("set_aside"):
            sa = c["set_aside"]
            per = "; ".join(
                f"{r['name']} {self.n(r['n'])}/{self.n(r['of'])}" for r in sa["by_source"]
            )
            self.para(f"{sa['text']} {per or '–'}.")
        if c.get("source_forms"):
            sf = c["source_forms"]
            per = "; ".join(f"{r['name']} ({self.n(r['n'])})" for r in sf["by_source"])
            self.para(f"{sf['text']} {per}.")
        self.heading(t["app_failures"], 2)
        fl = a["failures"]
        self.para((f"{fl['run_text']} " if fl["run"] else "") + fl["total_text"])
        if fl["by_reason"]:
            self.table(
                [t["stage"], t["kind"], t["count"]],
                [[f["stage"], f["kind"], self.n(f["n"])] for f in fl["by_reason"]],
            )
        if a.get("health"):
            self.heading(t["app_health"], 2)
            self.table(
                [
                    t["source"],
                    t["health_state"],
                    t["health_why"],
                    t["health_last_success"],
                    t["health_last_error"],
                ],
                [
                    [
                        h["source"],
                        h["state_label"],
                        h["why"],
                        h["last_success_text"],
                        h["last_error_text"],
                    ]
                    for h in a["health"]
                ],
            )
        self.heading(t["app_manifest"], 2)
        self.table([t["key"], t["value"]], [[r["key"], r["value"]] for r in a["manifest"]])
        self.heading(t["app_rules"], 2)
        self.para(bold=t["trend_class"])
        for p in a["rules"]["trend"]:
            self.html(p["html"])
        self.para(bold=t["maturity"])
        for p in a["rules"]["maturity"]:
            self.html(p["html"])
        self.heading(t["app_curation"], 2)
        for item in a["curation"]["applied"] or [t["curation_none"]]:
            self.para(item, "List Bullet")
        if a["curation"]["warnings"]:
            self.para(bold=f"{t['curation_warnings']}:")
            for w in a["curation"]["warnings"]:
                self.para(w, "List Bullet")
        self.heading(t["cite_report_title"], 2)
        self.para(a["cite"]["text"])
        self.para(a["cite"]["note"])
        self.para(a["cite"]["command"], "macro")
        self.heading(t["files"], 2)
        self.para(t["files_text"])


class _HtmlToDocx(HTMLParser):
    """The small, already sanitized tag set of commentary_html -> paragraphs and runs."""

    _BLOCKS = {"p", "blockquote", "h4", "h5", "h6", "pre", "tr"}

    def __init__(self, w: _Writer):
        super().__init__(convert_charrefs=True)
        self.w = w
        self.p = None
        self.bold = self.italic = 0
        self.href: str | None = None
        self.link_text: list[str] = []
        self.list_style = "List Bullet"
        self.quote = 0

    def _paragraph(self):
        if self.p is None:
            self.p = self.w.doc.add_paragraph(style=self.w.style("Quote" if self.quote else None))
        return self.p

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self.list_style = "List Number" if tag == "ol" else "List Bullet"
        elif tag == "li":
            self.p = self.w.doc.add_paragraph(style=self.w.style(self.list_style))
        elif tag in self._BLOCKS:
            self.p = None
            self.quote += tag == "blockquote"
            self.bold += tag in ("h4", "h5", "h6")
        elif tag in ("strong", "b", "th"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "a":
            self.href = dict(attrs).get("href") or ""
            self.link_text = []
        elif tag == "br":
            self._paragraph().add_run().add_break()

    def handle_endtag(self, tag):
        if tag in self._BLOCKS or tag == "li":
            self.p = None
            self.quote = max(0, self.quote - (tag == "blockquote"))
            self.bold = max(0, self.bold - (tag in ("h4", "h5", "h6")))
        elif tag in ("strong", "b", "th"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag == "a" and self.href is not None:
            self.w.link(self._paragraph(), "".join(self.link_text), self.href)
            self.href = None
        elif tag == "td":
            self._paragraph().add_run(" · ")

    def handle_data(self, data):
        if not data.strip() and self.p is None:
            return
        if self.href is not None:
            self.link_text.append(data)
            return
        run = self._paragraph().add_run(_CONTROL.sub("", data))
        run.bold = bool(self.bold) or None
        run.italic = bool(self.italic) or None


def _fixed_zip_times(data: bytes, when: dt.datetime) -> bytes:
    """The same .docx with every member dated `when`: equal inputs give equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def render_docx(ws: Workspace, context: dict) -> bytes:
    try:
        import docx  # noqa: F401
    except ImportError as exc:
        raise AnalysisError(f"report.docx needs python-docx: {exc}") from None
    return _Writer(context).write()
