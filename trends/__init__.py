"""trends: quarterly trend reports on public-sector digitalization news.

Pipeline: sources.yaml -> collect -> corpus/ (SQLite) -> analyze -> models/<quarter>/ -> report.
See README.md and docs in each module.
"""

__version__ = "0.1.0"
