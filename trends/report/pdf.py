"""report.pdf: the HTML template in its print form (`pdf` flag: running header with the quarter,
page numbers, contents with page numbers), laid out by WeasyPrint. Charts stay inline SVG, so
WeasyPrint draws them as vector graphics; links stay clickable.

WeasyPrint needs Pango (Debian: libpango-1.0-0 libpangoft2-1.0-0) and a font (fonts-dejavu-core).
Nothing is fetched: the template loads no external resource and the URL fetcher refuses all.
"""

from __future__ import annotations

from trends.config import Workspace
from trends.models import AnalysisError
from trends.report.templating import render


def _no_fetch(url: str, *args, **kwargs) -> dict:
    raise ValueError(f"report.pdf loads nothing from outside ({url[:60]})")


def pdf_html(ws: Workspace, context: dict) -> str:
    """The HTML that becomes the PDF (also handy to inspect the print layout in a browser)."""
    return render(ws, {**context, "pdf": True}, "html")


def render_pdf(ws: Workspace, context: dict) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint is installed but Pango is not
        raise AnalysisError(
            "report.pdf needs WeasyPrint and Pango (apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0 fonts-dejavu-core), or leave it out with --format md,html,docx: "
            f"{str(exc).splitlines()[0]}"
        ) from None
    # no base URL: links to archive/… stay relative, so they work in the zipped report folder
    document = HTML(string=pdf_html(ws, context), url_fetcher=_no_fetch)
    return document.write_pdf() or b""
