"""The conductor of a refresh: read what changed (in parallel), store it, derive again, cache the summary.

``refresh`` and ``IndexReport`` are loaded on first use, so a read-only command that opens an
index never imports the readers.
"""
from __future__ import annotations

from typing import Any

__all__ = ["IndexReport", "refresh"]


def __getattr__(name: str) -> Any:
    if name == "refresh":
        from .ingest import refresh

        return refresh
    if name == "IndexReport":
        from .report import IndexReport

        return IndexReport
    raise AttributeError(name)
