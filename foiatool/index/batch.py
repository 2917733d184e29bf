"""Many read files written at once: the writer's fast path for files whose messages are all new."""
from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Problem
from .store import (
    _INSERT_ADDRESS,
    _INSERT_ATTACHMENT,
    _INSERT_FILE,
    _INSERT_MESSAGE,
    _INSERT_REDACTION,
    _INSERT_SOURCE,
    _INSERT_TEXTS,
    PreparedRows,
    db_text,
    insert_problem,
)


@dataclass(slots=True)
class FileRows:
    """One read file as the writer stores it."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    kind: str
    messages: list[PreparedRows]
    problems: list[Problem]


def insert_new_files(conn: sqlite3.Connection, files: Sequence[FileRows]) -> int | None:
    """Store files whose messages are all new to the index and to each other, with a few
    statements for the lot instead of several per message; the number of messages added.

    None (nothing written) when a message is already indexed or comes twice: copies need
    insert_message's choice of the copy to keep, so the caller stores such files one by one.
    """
    ids = [rows.id for f in files for rows in f.messages]
    if len(set(ids)) != len(ids):
        return None
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        if conn.execute(f"SELECT 1 FROM messages WHERE id IN ({','.join('?' * len(chunk))}) LIMIT 1", chunk).fetchone():
            return None
    messages: list[tuple] = []
    texts: list[tuple] = []
    sources: list[tuple] = []
    addresses: list[tuple] = []
    attachments: list[tuple] = []
    redactions: list[tuple] = []
    for f in files:
        file_id = conn.execute(_INSERT_FILE, (db_text(f.path), f.size, f.mtime_ns, f.sha256, f.kind,
                                              len(f.messages), len(f.problems))).lastrowid
        for rows in f.messages:
            messages.append(rows.message)
            texts.append(rows.texts)
            sources.extend((s[0], file_id, *s[1:]) for s in rows.sources)
            addresses.extend(rows.addresses)
            attachments.extend(rows.attachments)
            redactions.extend(rows.redactions)
        for prob in f.problems:
            insert_problem(conn, prob, file_id)
    conn.executemany(_INSERT_MESSAGE, messages)
    conn.executemany(_INSERT_TEXTS, texts)
    conn.executemany(_INSERT_SOURCE, sources)
    conn.executemany(_INSERT_ADDRESS, addresses)
    if attachments:
        conn.executemany(_INSERT_ATTACHMENT, attachments)
    if redactions:
        conn.executemany(_INSERT_REDACTION, redactions)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        conn.execute(f"INSERT OR IGNORE INTO fts_pending (rowid) SELECT rowid FROM messages WHERE id IN "
                     f"({','.join('?' * len(chunk))})", chunk)
    return len(ids)
