"""Redaction counts: by exemption code, thread, person and month, with what each code means."""
from __future__ import annotations

import sqlite3
from collections import Counter

from ..query import Filters, message_where


def redaction_rows(conn: sqlite3.Connection, filters: Filters | None = None, by: str = "code") -> list[dict]:
    """Counts of redaction marks grouped ``by`` code | thread | person | month | field."""
    from ..redactions import describe

    where, params = message_where(filters or Filters())
    rows = conn.execute(
        "SELECT r.code, r.family, r.field, m.id, m.thread_id, substr(m.date, 1, 7),"
        " (SELECT a.person FROM addresses a WHERE a.message = m.id AND a.role = 'from') AS sender,"
        " (SELECT p.name FROM people p JOIN addresses a ON a.person = p.id WHERE a.message = m.id AND a.role = 'from') AS sender_name"
        f" FROM redactions r JOIN messages m ON m.id = r.message WHERE {where}",
        params,
    ).fetchall()
    marks: Counter = Counter()
    messages: dict = {}
    meta: dict = {}
    for code, family, field, mid, thread, month, sender, sender_name in rows:
        key = {"code": code, "thread": thread, "person": sender, "month": month, "field": field}[by]
        key = key if key is not None else ""
        marks[key] += 1
        messages.setdefault(key, set()).add(mid)
        if by == "code":
            meta[key] = {"family": family, "meaning": describe(code)}
        elif by == "person":
            meta[key] = {"name": sender_name or ("(redacted or unknown sender)" if not sender else sender)}
    out = []
    for key, n in sorted(marks.items(), key=lambda kv: (-kv[1], kv[0])):
        row = {by: key or None, "marks": n, "messages": len(messages[key])}
        row.update(meta.get(key, {}))
        out.append(row)
    return out
