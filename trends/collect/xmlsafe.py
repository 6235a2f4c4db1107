"""Refuse XML that declares entities before any parser sees it.

Entity declarations are how "billion laughs" (exponential expansion) and external-entity (XXE)
attacks work; real feeds and sitemaps do not need them. Checking the prolog is simpler and safer
than trusting each parser's own limits.
"""

from __future__ import annotations

import re

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)


def entity_problem(body: bytes) -> str | None:
    """A one-line reason if the document declares entities, else None."""
    head = body[:65536]
    if b"<!DOCTYPE" in head.upper() and _ENTITY_DECL.search(head):
        return "XML declares entities (refused: entity-expansion / external-entity risk)"
    return None
