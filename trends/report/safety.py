"""Output safety for every report format (DESIGN rule 6): only http(s) links, values escaped for
Markdown and HTML, analyst commentary sanitized, spreadsheet cells defused."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import markdown as markdown_lib
import nh3
from markupsafe import Markup

from trends.export import defuse_formula
from trends.report import charts

_URL_START = re.compile(r"^https?://[^\s/?#\\]+", re.IGNORECASE)
_URL_SCHEME_LOOKALIKE = re.compile(r"(?i)(javascript|vbscript|livescript)(\s*):")
_URL_HANDLER = re.compile(
    r"(?i)(?<![a-z])on(error|load|click|dblclick|mouse[a-z]*|focus[a-z]*|blur|key[a-z]+|submit|change|"
    r"input|begin|end|toggle|animation[a-z]+|transition[a-z]+|pointer[a-z]+|touch[a-z]+|"
    r"drag[a-z]*|drop|wheel|scroll|resize|unload|beforeunload|message|hashchange|popstate)(\s*)="
)


def safe_url(url: object) -> str:
    """The URL if it is an absolute http(s) URL, made safe to put in an attribute; else ''."""
    if not isinstance(url, str):
        return ""
    url = url.strip()
    if not _URL_START.match(url) or any(ord(c) < 32 or c == "\x7f" for c in url):
        return ""
    url = quote(url, safe=":/?#[]@!$&'*+,;=%~-._")  # spaces, quotes, brackets, <, > encoded
    url = _URL_SCHEME_LOOKALIKE.sub(r"\1\2%3A", url)
    return _URL_HANDLER.sub(r"on\1\2%3D", url)


def _md_url(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29")


def md_escape(value: object) -> str:
    """Plain text -> Markdown that shows exactly that text: one line, no HTML, no links."""
    s = " ".join(str(value).split())
    s = s.replace("\\", "\\\\")
    s = re.sub(r"([`*_\[\]|])", r"\\\1", s)
    s = s.replace("\\](", "\\]\\(")  # "[x](y)" in a value must not become a link
    s = s.replace("<", "&lt;").replace(">", "&gt;")
    return charts.defuse(s)


def html_text(value: object) -> Markup:
    return Markup(charts.esc(value))


_NH3_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "del",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "code",
    "pre",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "sup",
    "sub",
}


def _nh3_attr(tag: str, attr: str, value: str) -> str | None:
    if tag == "a" and attr == "href":
        return safe_url(value) or None
    return value


def commentary_html(text: str) -> Markup:
    """Analyst Markdown -> sanitized HTML (small tag set, http(s) links only, no attributes but href)."""
    if not text.strip():
        return Markup("")
    rendered = markdown_lib.markdown(text, extensions=["tables", "sane_lists"])
    clean = nh3.clean(
        rendered,
        tags=_NH3_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        attribute_filter=_nh3_attr,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(charts.defuse(clean))


_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"\n]*\")?\s*\)")
_MD_REFDEF = re.compile(r"(?m)^ {0,3}\[[^\]\n]+\]:[ \t]*<?(\S*?)>?(?:[ \t]+.*)?$")


def commentary_markdown(text: str) -> Markup:
    """Analyst Markdown -> Markdown without raw HTML, images or non-http(s) links."""
    if not text.strip():
        return Markup("")
    s = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    s = s.replace("<", "&lt;")

    def link(m: re.Match) -> str:
        url = safe_url(m.group(2))
        return f"[{m.group(1)}]({_md_url(url)})" if url else m.group(1)

    s = _MD_LINK.sub(link, s)
    s = _MD_REFDEF.sub(lambda m: m.group(0) if safe_url(m.group(1)) else "", s)
    return Markup(charts.defuse(s))


def _csv_cell(value: object) -> object:
    """Spreadsheet-safe cell: lists joined, formulas (= + - @ at the start) neutralised."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str):
        value = defuse_formula(" ".join(value.split()))
    return value


_QUOTES = "\"'„“”‚‘’«»‹›"
# inside our own quotation marks a quote becomes the inner kind (German „…“ -> ‚…‘, English
# “…” -> ‘…’, guillemets « » -> ‹ ›); a plain " alternates as the language's inner pair
_INNER = str.maketrans({"„": "‚", "“": "‘", "”": "’", "«": "‹", "»": "›"})
_INNER_ASCII = {"de": ("‚", "‘"), "en": ("‘", "’")}


def quotation(text: str, lang: str = "de") -> str:
    """A quoted sentence as it goes between our quotation marks: without its own marks when it
    is itself one quotation, and with the quotes inside it turned into inner ones, so that
    „Digital first“, sagt … is shown as „‚Digital first‘, sagt …“ and not with doubled marks.
    A sentence cut from a quotation of several sentences carries one mark of its pair only
    (see :func:`_paired`)."""
    text = _paired(text.strip())
    while len(text) > 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    text = text.translate(_INNER)
    if '"' in text:
        pair = _INNER_ASCII.get(lang, _INNER_ASCII["en"])
        parts = text.split('"')
        text = parts[0] + "".join(pair[i % 2] + part for i, part in enumerate(parts[1:]))
    return text


def _paired(text: str) -> str:
    """A sentence with one mark of a quotation pair, as the sentences of a quotation of several
    have: the first opens it („Die E-Akte ist gängige Praxis.), the last closes it (… etabliert“,
    sagt …). Where the quotation runs to the sentence's end from its start, the sentence is one
    quotation and loses the mark; otherwise the missing mark is added (at the start for a
    closing one, at the end for an opening one), to become an inner quotation."""
    if "„" in text and "“" not in text:  # German „…“
        return text[1:].lstrip() if text.startswith("„") else text + "“"
    if text.startswith("“") and "”" not in text:  # English “…”: a sentence opens no quote with “
        return text[1:].lstrip()
    if "“" in text and "„" not in text and "”" not in text:  # a German closing mark alone
        return "„" + text
    if "”" in text and "“" not in text:  # an English closing mark alone
        return "“" + text
    return text


def _clip(text: object, limit: int) -> str:
    s = " ".join(("" if text is None else str(text)).split())
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"
