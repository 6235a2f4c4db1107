"""Jinja2 templates shared by the text renderers: where templates are looked up, the number
filters, and `render(ws, context, fmt)`, which picks the environment of render_md / render_html."""

from __future__ import annotations

import contextlib
from importlib import resources
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, TemplateNotFound
from markupsafe import Markup

from trends import i18n
from trends.config import Workspace
from trends.models import AnalysisError
from trends.report.safety import _clip, md_escape, safe_url


def template_dirs(ws: Workspace) -> list[Path]:
    """Where templates are looked up, first match wins: the workspace, then the defaults."""
    dirs = [ws.templates_dir, Path(__file__).resolve().parents[2] / "templates"]
    with contextlib.suppress(ModuleNotFoundError, TypeError):  # exotic loaders: no packaged copy
        dirs.append(Path(str(resources.files("trends.report") / "templates")))
    out: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in out:
            out.append(d.resolve())
    return out


def _formatters(lang: str) -> dict:
    return {
        "n": lambda v: i18n.fmt_int(v, lang),
        "dec": lambda v, digits=2: i18n.fmt_dec(v, lang, digits),
        "pct": lambda v, digits=1: i18n.fmt_pct(v, lang, digits),
        "growth": lambda v: i18n.fmt_pct(v, lang, 0, signed=True),
        "date": lambda v: i18n.fmt_date(v, lang),
    }


def make_environment(ws: Workspace, lang: str, *, autoescape, finalize, link) -> Environment:
    """An environment over the template folders with the filters every template may use; the
    format brings its escaping (`autoescape`, `finalize`) and its own `link(text, url)`."""
    env = Environment(
        loader=FileSystemLoader([str(d) for d in template_dirs(ws)]),
        autoescape=autoescape,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(_formatters(lang))
    env.filters["link"] = link
    env.filters["url"] = safe_url
    env.filters["md"] = lambda v: Markup(md_escape(v))
    env.filters["clip"] = _clip
    return env


def environment(ws: Workspace, lang: str, fmt: str):
    """The Jinja2 environment for 'html' (autoescaped) or 'md' (every value Markdown-escaped)."""
    from trends.report import render_html, render_md

    return (render_html if fmt == "html" else render_md).environment(ws, lang)


def render(
    ws: Workspace, context: dict, fmt: str, name: str = "report", env: Environment | None = None
) -> str:
    """Render <name>.<fmt>.j2 (fmt 'md' or 'html'; name 'report' or 'brief') with the context;
    `env`: an `environment(ws, lang, fmt)` kept by the caller, whose compiled templates it reuses."""
    env = env or environment(ws, context["lang"], fmt)
    try:
        template = env.get_template(f"{name}.{fmt}.j2")
    except TemplateNotFound:
        raise AnalysisError(
            f"template {name}.{fmt}.j2 not found in {', '.join(map(str, template_dirs(ws))) or 'templates/'}"
        ) from None
    return template.render(**context)
