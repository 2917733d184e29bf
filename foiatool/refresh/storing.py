"""The writer's side of indexing: read files stored as rows, many at once when they allow it, else one by one."""
from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..index import batch, store
from ..model import Problem

if TYPE_CHECKING:
    from .ingest import FileResult
    from .report import IndexReport


def store_files(conn: sqlite3.Connection, waiting: list[FileResult], stats: Mapping[str, tuple[int, int]],
                 mtimes: Mapping[str, int], report: IndexReport) -> None:
    """Store the files read so far and empty ``waiting``: plain files of new messages all at once,
    the others (documents, copies of indexed messages, rows SQLite refuses) one file at a time.

    Each file's rows land together: a kill or Ctrl-C leaves whole files or none.
    """
    if not waiting:
        return
    files = [batch.FileRows(r.path, stats[r.path][0], mtimes.get(r.path, 0), r.sha256, r.kind, r.messages, r.problems)
             for r in waiting if not r.documents]
    added = None
    if len(files) == len(waiting):
        conn.execute("SAVEPOINT one_file")
        try:
            added = batch.insert_new_files(conn, files)
        except sqlite3.Error:
            added = None
        if added is None:
            conn.execute("ROLLBACK TO one_file")
        conn.execute("RELEASE one_file")
    if added is not None:
        report.new_messages += added
    else:
        for result in waiting:
            conn.execute("SAVEPOINT one_file")
            try:
                report.new_messages += store_file(conn, result, stats[result.path][0], mtimes.get(result.path, 0))
            except Exception as exc:  # a row SQLite refuses must not stop the run or lose the file silently
                conn.execute("ROLLBACK TO one_file")
                store_failure(conn, result, stats[result.path][0], mtimes.get(result.path, 0), exc)
            conn.execute("RELEASE one_file")
    waiting.clear()


def store_file(conn: sqlite3.Connection, result: FileResult, size: int, mtime_ns: int) -> int:
    cur = conn.execute(
        "INSERT INTO files (path, size, mtime_ns, sha256, kind, messages, problems) VALUES (?,?,?,?,?,?,?)",
        (store.db_text(result.path), size, mtime_ns, result.sha256, result.kind, len(result.messages), len(result.problems)),
    )
    file_id = cur.lastrowid
    added = 0
    for rows in result.messages:
        if store.insert_message(conn, rows, file_id):
            added += 1
    for prob in result.problems:
        store.insert_problem(conn, prob, file_id)
    for document in result.documents:
        store.insert_document(conn, document, file_id)
    return added


def store_failure(conn: sqlite3.Connection, result: FileResult, size: int, mtime_ns: int, error: Exception) -> None:
    cur = conn.execute(
        "INSERT INTO files (path, size, mtime_ns, sha256, kind, messages, problems) VALUES (?,?,?,?,?,?,?)",
        (store.db_text(result.path), size, mtime_ns, result.sha256, result.kind, 0, 1),
    )
    reason = (f"could not be stored in the index ({type(error).__name__}: {error}); {len(result.messages)} messages"
              + (f" and {len(result.documents)} documents" if result.documents else "") + " not indexed")
    store.insert_problem(conn, Problem(result.path, "", reason), cur.lastrowid)
