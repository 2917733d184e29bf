"""The conductor of a refresh: read what changed (in parallel), store it, derive again, cache the summary."""
from .ingest import IndexReport, refresh

__all__ = ["IndexReport", "refresh"]
