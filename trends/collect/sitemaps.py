"""XML sitemaps (urlset and sitemapindex), parsed from bytes with lxml, entities refused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lxml import etree

from trends.collect.xmlsafe import entity_problem
from trends.records import Failure, Link

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


@dataclass
class SitemapPage:
    links: list[Link] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # children of a sitemap index
    failures: list[Failure] = field(default_factory=list)


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def parse_sitemap(body: bytes, url: str, *, source: str = "") -> SitemapPage:
    page = SitemapPage()
    problem = entity_problem(body)
    if problem:
        page.failures.append(Failure(url, "sitemap", problem, source))
        return page
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        root = None
        reason = str(exc)
    else:
        reason = "empty document"
    if root is None:
        page.failures.append(Failure(url, "sitemap", f"not a sitemap: {reason[:160]}", source))
        return page
    tag = etree.QName(root).localname
    for node in root:
        if not isinstance(node.tag, str):
            continue
        fields = {
            etree.QName(child).localname: (child.text or "").strip()
            for child in node
            if isinstance(child.tag, str)
        }
        loc = fields.get("loc")
        if not loc:
            continue
        if tag == "sitemapindex":
            page.sitemaps.append(loc)
        else:
            page.links.append(Link(url=loc, modified=_date(fields.get("lastmod"))))
    if tag not in ("urlset", "sitemapindex"):
        page.failures.append(
            Failure(url, "sitemap", f"not a sitemap: root element <{tag}>", source)
        )
    return page
