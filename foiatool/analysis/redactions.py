"""Redaction counts: by exemption code, thread, person, month or field, with what each code means."""
from __future__ import annotations

import sqlite3
from collections import Counter

from ..index.query import Filters, message_where

GROUPINGS = ("code", "thread", "person", "month", "field")
# A sender blacked out in the release is a participant with no name; its marks are still counted.
REDACTED_SENDER = "(redacted sender)"
UNKNOWN_SENDER = "(no sender)"


def redaction_rows(conn: sqlite3.Connection, filters: Filters | None = None, by: str = "code") -> list[dict]:
    """Counts of redaction marks grouped ``by`` code | thread | person | month | field, largest first.

    Each distinct message counts once: a near-duplicate copy (``duplicate_of``
    set) repeats its canonical copy's marks and is left out.
    """
    from ..mail.marks.redactions import describe

    if by not in GROUPINGS:
        raise ValueError(f"cannot group redactions by {by!r}; choose one of {', '.join(GROUPINGS)}")
    where, params = message_where(filters or Filters())
    rows = conn.execute(
        "SELECT r.code, r.family, r.field, m.id, m.thread_id, substr(m.date, 1, 7), m.from_redacted,"
        " (SELECT a.person FROM addresses a WHERE a.message = m.id AND a.role = 'from') AS sender,"
        " (SELECT p.name FROM people p JOIN addresses a ON a.person = p.id WHERE a.message = m.id AND a.role = 'from') AS sender_name,"
        " (SELECT t.subject FROM threads t WHERE t.id = m.thread_id) AS thread_subject"
        f" FROM redactions r JOIN messages m ON m.id = r.message WHERE m.duplicate_of IS NULL AND {where}",
        params,
    ).fetchall()
    marks: Counter[str] = Counter()
    messages: dict[str, set[str]] = {}
    meta: dict[str, dict] = {}
    for code, family, field, mid, thread, month, from_redacted, sender, sender_name, thread_subject in rows:
        if by == "person" and not sender:
            # No person to name: a redacted sender and a missing one are kept apart.
            key = "\x00" + (REDACTED_SENDER if from_redacted else UNKNOWN_SENDER)
        else:
            key = {"code": code, "thread": thread, "person": sender, "month": month, "field": field}[by] or ""
        marks[key] += 1
        messages.setdefault(key, set()).add(mid)
        if by == "code":
            meta[key] = {"family": family, "meaning": describe(code)}
        elif by == "thread":
            meta[key] = {"subject": thread_subject or ""}
        elif by == "person":
            meta[key] = {"name": sender_name or key.lstrip("\x00")}
    out = []
    for key, n in sorted(marks.items(), key=lambda kv: (-kv[1], kv[0])):
        row = {by: None if not key or key.startswith("\x00") else key, "marks": n, "messages": len(messages[key])}
        row.update(meta.get(key, {}))
        out.append(row)
    if by == "code":
        _add_release_stamps(conn, out, None if (filters is None or filters.empty()) else (where, params))
    return out


def _add_release_stamps(conn: sqlite3.Connection, rows: list[dict], where: tuple[str, list] | None) -> None:
    """Beside each code's inline marks, how many documents carry a release stamp citing it
    ("RELEASE IN PART B5, B6"); a code only stamped gets a row of its own."""
    from ..index.documents import release_stamp_counts
    from ..mail.marks.redactions import describe

    stamped = release_stamp_counts(conn, where)
    for row in rows:
        row["stamped"] = stamped.pop(row["code"], 0)
    for code, n in stamped.items():
        meaning = "Released in full, nothing withheld" if code == "full" else (
            "Denied in full" if code == "denied" else describe(code))
        rows.append({"code": code, "marks": 0, "messages": 0, "family": "release stamp" if code in ("full", "denied")
                     else "federal", "meaning": meaning, "stamped": n})
