"""Reading what the index keeps beside messages: released documents that hold no email, release marks, printed date texts."""
from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable

from .search import fts_query

# The codes a release stamp cites: "RELEASE IN PART B5, B6, B7(C)".
_STAMP_CODE = re.compile(r"\bB(\d)(?:\(?([A-Fa-f])\)?)?", re.IGNORECASE)
_RELEASE_STAMP = re.compile(r"^(?:RELEASED?|DENY|DENIED) IN (?:PART|FULL)")


def document_rows(conn: sqlite3.Connection, search: str | None = None) -> list[dict]:
    """Every document that holds no email, in path order; with ``search``, only those whose text matches (FTS)."""
    sql = ("SELECT d.id, d.path, d.locator, d.kind, d.pages, d.title, d.marks, d.provenance, length(d.text) AS chars"
           " FROM documents d")
    params: list = []
    if search:
        sql += " WHERE d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)"
        params.append(fts_query(search))
    sql += " ORDER BY d.path, d.locator"
    return [
        {"path": r["path"], "locator": r["locator"], "kind": r["kind"], "pages": r["pages"], "title": r["title"],
         "marks": json.loads(r["marks"]), "provenance": json.loads(r["provenance"]), "chars": r["chars"]}
        for r in conn.execute(sql, params)
    ]


def problem_rows(conn: sqlite3.Connection) -> list[dict]:
    """Every listed problem (path, locator, reason), in path order."""
    return [{"path": r[0], "locator": r[1], "reason": r[2]}
            for r in conn.execute("SELECT path, locator, reason FROM problems ORDER BY path, locator, reason")]


def suspect_date_rows(conn: sqlite3.Connection) -> list[dict]:
    """Each place a message was found whose printed date cannot be true (after the release, before 1990):
    the date as printed and why it is not trusted."""
    rows = []
    for path, locator, date_text, defects in conn.execute(
        "SELECT s.path, s.locator, m.date_text, m.defects FROM messages m JOIN sources s ON s.message = m.id"
        " WHERE m.date_status = 'suspect' ORDER BY s.path, s.locator"
    ):
        why = next((d for d in json.loads(defects) if d.startswith("suspect date:")), f"suspect date: {date_text!r}")
        rows.append({"path": path, "locator": locator, "reason": why})
    return rows


def document_text(conn: sqlite3.Connection, path: str, locator: str) -> str:
    row = conn.execute("SELECT text FROM documents WHERE path = ? AND locator = ?", (path, locator)).fetchone()
    return row[0] if row else ""


def count_documents(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM documents").fetchone()[0]


def message_marks(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, list[str]]:
    """The release marks printed on the documents each message was found in, in order, each once."""
    keys = list(dict.fromkeys(ids))
    out: dict[str, list[str]] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        holes = ",".join("?" * len(chunk))
        for message, marks in conn.execute(
            f"SELECT message, marks FROM sources WHERE message IN ({holes}) AND marks != '[]' ORDER BY message, path, locator",
            chunk,
        ):
            found = out.setdefault(message, [])
            found.extend(mark for mark in json.loads(marks) if mark not in found)
    return out


def message_date_texts(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, str]:
    """The date as printed, for messages whose date could not be trusted or had no year."""
    keys = list(dict.fromkeys(ids))
    out: dict[str, str] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        holes = ",".join("?" * len(chunk))
        out.update(conn.execute(
            f"SELECT id, date_text FROM messages WHERE id IN ({holes}) AND date_text != ''", chunk).fetchall())
    return out


def stamp_codes(mark: str) -> list[str]:
    """The exemption codes a release stamp cites, as the inline marks write them: "RELEASE IN PART B5, B6" -> ["b5", "b6"];
    "RELEASE IN FULL" -> ["full"]. Classification lines give none."""
    if not _RELEASE_STAMP.match(mark):
        return []
    if " IN FULL" in mark and not _STAMP_CODE.search(mark):
        return ["full"] if mark.startswith("RELEASE") else ["denied"]
    return [f"b{number}{letter.lower() if letter else ''}" for number, letter in _STAMP_CODE.findall(mark.split(" IN ", 1)[1])]


def _document_key(path: str, locator: str) -> tuple[str, str]:
    # All messages of one printed document share its marks: count the document once, not each message.
    return path, locator.rsplit("!", 1)[0] if "!" in locator else ""


def release_stamp_counts(conn: sqlite3.Connection, where: tuple[str, list] | None = None) -> dict[str, int]:
    """Per exemption code, how many released documents carry a release stamp citing it (``full`` for RELEASE IN FULL).

    ``where`` (SQL over messages ``m`` and its parameters) counts only the documents holding those messages;
    without it, documents that hold no email count too.
    """
    marks_of: dict[tuple[str, str], set[str]] = {}
    if where is None:
        sql, params = ("SELECT path, locator, marks FROM sources WHERE marks != '[]'"
                       " UNION ALL SELECT path, locator, marks FROM documents WHERE marks != '[]'"), []
    else:
        sql = ("SELECT s.path, s.locator, s.marks FROM sources s JOIN messages m ON m.id = s.message"
               f" WHERE s.marks != '[]' AND {where[0]}")
        params = list(where[1])
    for path, locator, marks in conn.execute(sql, params):
        marks_of.setdefault(_document_key(path, locator), set()).update(json.loads(marks))
    counts: Counter[str] = Counter()
    for marks in marks_of.values():
        counts.update({code for mark in marks for code in stamp_codes(mark)})
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


__all__ = [
    "count_documents",
    "document_rows",
    "document_text",
    "message_date_texts",
    "message_marks",
    "problem_rows",
    "release_stamp_counts",
    "stamp_codes",
]
