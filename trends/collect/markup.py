"""Imported text that carries Markdown or HTML, reduced to plain text.

Rows of a JSONL/CSV export and .md/.txt files often carry the markup of the system they came
from: links `[Serviceportal](https://…)`, `**bold**`, list bullets, headings, `<p>` and `<br>`
tags, `&amp;`. Stored as is, it ends up in quotes, keyphrases and search snippets; reduced here,
the words stay (searchable) and the markup goes. HTML *pages* are extracted by trafilatura
instead (`trends.collect.extract`).
"""

from __future__ import annotations

import html
import re

_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# block-level tags end a line; any other tag just goes
_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|div|br|li|ul|ol|h[1-6]|tr|table|blockquote|section|article|hr)\b[^<>]*>",
    re.I,
)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9:-]*(?:\s[^<>]*)?/?>")
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)")
_REF_LINK = re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_REF_DEF = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]+\S+.*$", re.M)
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]+)>")
_FENCE = re.compile(r"^[ \t]*(?:```|~~~).*$", re.M)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.M)
_RULE = re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", re.M)
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.M)
_BULLET = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,3}\))[ \t]+", re.M)
# emphasis: the markers stand at the edges of words ("Bürger*innen" keeps its star)
_STRONG = re.compile(r"(?<![\w*])(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?![\w*])", re.S)
_EM = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])([^*_\n]+?)(?<=[^\s*_])\1(?![\w*])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_CODE = re.compile(r"`([^`\n]+)`")
_SPACES = re.compile(r"[ \t]+")
_BLANKS = re.compile(r"\n\s*\n\s*\n+")
_MARKERS = re.compile(r"[<>\[\]*_#`&~]|^[ \t]*(?:[-+•]|\d{1,3}\))[ \t]", re.M)


def plain_text(text: str) -> str:
    """`text` without Markdown and HTML markup: link and image texts, emphasised words, list
    items and headings stay as words; tags, URLs of links, bullets and entities go."""
    if not text or not _MARKERS.search(text):
        return text.strip()
    text = _COMMENT.sub(" ", _SCRIPT.sub(" ", text))
    text = _AUTOLINK.sub(r"\1", text)
    text = _BLOCK_TAG.sub("\n", text)
    text = _TAG.sub("", text)
    text = _FENCE.sub("", text)
    text = _REF_DEF.sub("", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _HEADING.sub(r"\1", text)
    text = _RULE.sub("", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub("", text)
    text = _STRONG.sub(r"\2", text)
    text = _EM.sub(r"\2", text)
    text = _STRIKE.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    if "&" in text:
        text = html.unescape(text)
    text = _SPACES.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
