"""`trends serve`: a read-only browser app over a workspace, for advisers.

Pages render what `trends.scan` (scan, search, who, brief, topic, facets) returns through Jinja2
templates in templates/serve/ (sharing the report's styles); the app itself only parses
parameters, picks a template and guards the door. It opens the corpus read-only and never writes
a file.

Safety: binds 127.0.0.1 unless told otherwise, and then only with TRENDS_PASSWORD set (HTTP Basic
on every request but /healthz); GET and HEAD only; a Content-Security-Policy on every response
(no scripts, nothing loaded from elsewhere); autoescaped templates, links only http(s); under
/reports/ only files inside reports/ (resolved and checked; `..`, dot files and encoded slashes
refused); every parameter bounded in length.
"""

from __future__ import annotations

from trends.serve.app import create_app, is_loopback, serve

__all__ = ["create_app", "is_loopback", "serve"]
