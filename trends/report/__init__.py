"""Quarterly report: context building, charts; templates live in templates/."""
