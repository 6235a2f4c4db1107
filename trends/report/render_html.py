"""report.html: the HTML template, autoescaped, every value also defused (safety.html_text)."""

from __future__ import annotations

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from trends.config import Workspace
from trends.report import charts
from trends.report.safety import html_text, safe_url
from trends.report.templating import make_environment, render


def environment(ws: Workspace, lang: str) -> Environment:
    def finalize(value):
        if value is None:
            return ""
        return value if hasattr(value, "__html__") else html_text(value)

    def link(text, url, cls="ext"):
        href = safe_url(url)
        if not href:
            return html_text(text)
        return Markup(
            f'<a href="{charts.esc(href)}" class="{charts.esc(cls)}" '
            f'rel="noopener noreferrer nofollow">{charts.esc(text)}</a>'
        )

    return make_environment(
        ws,
        lang,
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        finalize=finalize,
        link=link,
    )


def render_html(ws: Workspace, context: dict) -> str:
    return render(ws, context, "html")
