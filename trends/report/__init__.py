"""Quarterly report: `context` builds one plain dict, `render_md`/`render_html`/`pdf`/`docx` render it,
`archive` keeps the quoted articles, `citations` lists them, `build.write_report` writes the files;
templates live in templates/."""
