"""The release's headline counts, defined once: every command, the README and the report say them with these words.

What each count is:

- ``files``: files found under the PATHs (archives count once; members are items inside them).
- ``files_read``: files that gave at least one message or one document that is not email.
- ``messages``: messages in the release, each copy printed or exported separately counted
  (a printed page of an email that is also in the dump is a second message here).
  The same message found in two files with the same Message-ID is one message.
- ``distinct``: messages with their near-duplicate copies counted once: the number to quote.
- ``duplicates``: near-duplicate copies, ``messages - distinct``.
- ``recovered``: messages not in the release, rebuilt from quoted history; never part of
  ``messages``. Listings that include them say so with this label.
- ``not_email``: released documents that hold no email (a memo, a form, a press clipping).
- ``undated``: distinct messages with no date at all.
- ``problems``: items that could not be read (see ``foiatool problems``).

So ``messages == distinct + duplicates``, and a listing of every row holds
``messages + recovered`` rows.
"""
from __future__ import annotations

import sqlite3

# The order and the words every command uses; keys are stable (JSON, tests, reports).
COUNT_LABELS: list[tuple[str, str]] = [
    ("files", "files found"),
    ("files_read", "files read"),
    ("messages", "messages"),
    ("distinct", "distinct messages"),
    ("duplicates", "duplicates"),
    ("recovered", "recovered from quoted history"),
    ("not_email", "documents not email"),
    ("undated", "undated"),
    ("problems", "problems"),
]
LABELS: dict[str, str] = dict(COUNT_LABELS)


def _one(conn: sqlite3.Connection, sql: str) -> int:
    row = conn.execute(sql).fetchone()
    return int(row[0] or 0) if row else 0


def release_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """The headline counts of the index, keyed as in ``COUNT_LABELS``."""
    in_release = "recovered = 0"
    return {
        "files": _one(conn, "SELECT count(*) FROM files"),
        "files_read": _one(conn, "SELECT count(*) FROM files f WHERE f.messages > 0"
                                 " OR EXISTS (SELECT 1 FROM documents d WHERE d.file_id = f.id)"),
        "messages": _one(conn, f"SELECT count(*) FROM messages WHERE {in_release}"),
        "distinct": _one(conn, f"SELECT count(*) FROM messages WHERE {in_release} AND duplicate_of IS NULL"),
        "duplicates": _one(conn, f"SELECT count(*) FROM messages WHERE {in_release} AND duplicate_of IS NOT NULL"),
        "recovered": _one(conn, "SELECT count(*) FROM messages WHERE recovered = 1"),
        "not_email": _one(conn, "SELECT count(*) FROM documents"),
        "undated": _one(conn, f"SELECT count(*) FROM messages WHERE {in_release} AND duplicate_of IS NULL AND date IS NULL"),
        "problems": _one(conn, "SELECT count(*) FROM problems"),
    }


def counted(counts: dict[str, int], key: str) -> str:
    """``57 distinct messages``: a count with its shared label."""
    return f"{counts.get(key, 0)} {LABELS[key]}"


def account_line(counts: dict[str, int]) -> str:
    """The one-line account after indexing, in the shared words.

    ``57 distinct messages from 38 files read of 41 files found (59 messages, 2 duplicates);
    3 recovered from quoted history; 1 undated; 3 problems, see 'foiatool problems'``
    """
    c = counts
    line = f"{counted(c, 'distinct')} from {counted(c, 'files_read')} of {counted(c, 'files')}"
    line += f" ({counted(c, 'messages')}, {counted(c, 'duplicates')})"
    for key in ("recovered", "not_email", "undated"):
        if c.get(key):
            line += f"; {counted(c, key)}"
    line += f"; {counted(c, 'problems')}"
    if c.get("problems"):
        line += ", see 'foiatool problems'"
    return line


def rows_note(counts: dict[str, int], rows: int, *, recovered: bool = True, duplicates: bool = True) -> str:
    """What a listing's rows are, in the shared words: ``62 rows: 57 distinct messages + 2 duplicates + 3 recovered ...``.

    ``recovered``/``duplicates`` say whether the listing includes those rows; ``rows`` is how many it shows
    (fewer than the parts when filters are on).
    """
    parts = [counted(counts, "distinct")]
    if duplicates:
        parts.append(counted(counts, "duplicates"))
    if recovered:
        parts.append(counted(counts, "recovered"))
    whole = counts.get("distinct", 0) + (counts.get("duplicates", 0) if duplicates else 0) + (counts.get("recovered", 0) if recovered else 0)
    note = " + ".join(parts)
    if rows == whole:
        return f"{rows} rows: {note}"
    return f"{rows} rows shown, of {whole}: {note}"
