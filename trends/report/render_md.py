"""report.md: the Markdown template, every value Markdown-escaped (no raw HTML from inputs)."""

from __future__ import annotations

from jinja2 import Environment
from markupsafe import Markup

from trends.config import Workspace
from trends.report.safety import _md_url, md_escape, safe_url
from trends.report.templating import make_environment, render


def environment(ws: Workspace, lang: str) -> Environment:
    def finalize(value):
        if value is None:
            return ""
        return value if hasattr(value, "__html__") else md_escape(value)

    def link(text, url, cls="ext"):
        href = safe_url(url)
        if not href:
            return Markup(md_escape(text))
        return Markup(f"[{md_escape(text)}]({_md_url(href)})")

    return make_environment(ws, lang, autoescape=False, finalize=finalize, link=link)


def render_md(ws: Workspace, context: dict) -> str:
    return render(ws, context, "md")
