"""What a refresh did, and the one-line account every run ends with (light: read-only commands import it)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..index import store
from ..model import Problem


@dataclass(slots=True)
class IndexReport:
    db_path: str
    files: int = 0
    parsed: int = 0
    unchanged: int = 0
    removed: int = 0
    messages: int = 0
    problems: int = 0
    documents: int = 0
    new_messages: int = 0
    derived: bool = False
    ocr_pages: int = 0
    ocr_cached: int = 0
    problem_list: list[Problem] = field(default_factory=list)

    def account(self) -> str:
        """The one-line account every run ends with, in the counts every command shares (analysis/counts.py)."""
        from ..analysis.counts import account_line, release_counts

        conn = store.connect(self.db_path, readonly=True)
        try:
            return account_line(release_counts(conn))
        finally:
            conn.close()
