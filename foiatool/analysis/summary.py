"""What is in this release, on one screen: counts, dates, threads, people, organisations, duplicates, redactions."""
from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import UTC, tzinfo

from ..index.documents import release_stamp_counts
from ..index.query import Filters
from ..mail.dates import from_iso
from .counts import release_counts
from .timeline import activity, period_start, sparkline


def _one(conn: sqlite3.Connection, sql: str, params: tuple = ()) -> int:
    row = conn.execute(sql, params).fetchone()
    return int(row[0] or 0) if row else 0


# The summary in UTC with the default top lists is computed whenever the index changes
# and kept in it, so `summary` on a large release answers at once.
CACHE_KEY = "summary:utc:6"
CACHED_TOP = 5


def _is_utc(tz: tzinfo | None) -> bool:
    if tz is None:
        return False
    return tz is UTC or tz.tzname(None) == "UTC" or type(tz).__name__ == "tzutc"


def cache_summary(conn: sqlite3.Connection) -> None:
    """Store the UTC summary in the index (inside the writer's transaction)."""
    data = compute_summary(conn, UTC, CACHED_TOP)
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (CACHE_KEY, json.dumps(data, ensure_ascii=False)))


def summary(conn: sqlite3.Connection, tz: tzinfo | None = None, top: int = 5) -> dict:
    """The summary as plain data (JSON-ready); renderers draw it.

    Months and busiest days are counted in zone ``tz`` (None: the local zone);
    ``sparkline`` has one character per month from the first to the last.
    """
    if top == CACHED_TOP and _is_utc(tz):
        cached = _meta(conn, CACHE_KEY)
        if cached:
            return json.loads(cached)
    return compute_summary(conn, tz, top)


def compute_summary(conn: sqlite3.Connection, tz: tzinfo | None = None, top: int = 5) -> dict:
    """The summary computed from the index's tables."""
    # networkx takes a tenth of a second to import: a warm `summary` answers from the cache without it.
    from .network import central_people, people_graph

    # A near-duplicate (a printed copy of an .eml, say) is one more copy, not one more message.
    messages = _one(conn, "SELECT count(*) FROM messages WHERE recovered = 0 AND duplicate_of IS NULL")
    recovered = _one(conn, "SELECT count(*) FROM messages WHERE recovered = 1")
    files = _one(conn, "SELECT count(*) FROM files")
    sources = _one(conn, "SELECT count(*) FROM sources s JOIN messages m ON m.id = s.message WHERE m.recovered = 0")
    kinds = dict(conn.execute("SELECT kind, count(*) FROM sources s JOIN messages m ON m.id = s.message WHERE m.recovered = 0 GROUP BY kind ORDER BY kind").fetchall())
    problems = _one(conn, "SELECT count(*) FROM problems")
    documents = _one(conn, "SELECT count(*) FROM documents")
    # A file is read when it gave at least one message or a document that holds no email.
    files_read = _one(conn, "SELECT count(*) FROM files f WHERE f.messages > 0"
                            " OR EXISTS (SELECT 1 FROM documents d WHERE d.file_id = f.id)")
    # A message and its near-duplicate copies (a printed page of an .eml) are one message found more than once.
    multi = _one(conn, "SELECT count(*) FROM (SELECT coalesce(m.duplicate_of, m.id) AS original FROM sources s"
                       " JOIN messages m ON m.id = s.message WHERE m.recovered = 0 GROUP BY original HAVING count(*) > 1)")
    near = _one(conn, "SELECT count(*) FROM messages WHERE duplicate_of IS NOT NULL")
    first, last = conn.execute("SELECT min(date), max(date) FROM messages WHERE recovered = 0 AND duplicate_of IS NULL").fetchone()
    undated = _one(conn, "SELECT count(*) FROM messages WHERE recovered = 0 AND duplicate_of IS NULL AND date IS NULL")
    guessed = _one(conn, "SELECT count(*) FROM messages WHERE recovered = 0 AND duplicate_of IS NULL AND date_status = 'guessed'")
    inferred = _one(conn, "SELECT count(*) FROM messages WHERE recovered = 0 AND duplicate_of IS NULL AND date_status = 'inferred'")
    # Months and redactions count the same messages as ``messages``: near-duplicate copies once.
    distinct = Filters(include_recovered=False, include_duplicates=False)
    monthly = [r for r in activity(conn, distinct, "month", tz) if r["period"] != "undated"]

    sizes = [r[0] for r in conn.execute("SELECT messages FROM threads")]
    buckets = Counter("1" if n == 1 else "2-3" if n <= 3 else "4-9" if n <= 9 else "10+" for n in sizes)
    biggest = [
        {"id": r[0], "subject": r[1], "messages": r[2], "first": r[3], "last": r[4]}
        for r in conn.execute("SELECT id, subject, messages, first, last FROM threads ORDER BY messages DESC, first, id LIMIT ?", (top,))
    ]

    def top_people(roles: str) -> list[dict]:
        return [
            {"id": r[0], "name": r[1], "org": r[2], "messages": r[3]}
            for r in conn.execute(
                "SELECT p.id, p.name, p.org, count(DISTINCT a.message) AS n FROM addresses a JOIN people p ON p.id = a.person"
                f" JOIN messages m ON m.id = a.message WHERE m.recovered = 0 AND m.duplicate_of IS NULL AND a.role IN ({roles})"
                " GROUP BY p.id ORDER BY n DESC, p.id LIMIT ?",
                (top,),
            )
        ]

    # Organisations are domain-level units (ice.dhs.gov), each under its parent (dhs.gov).
    orgs = [
        {"org": r[0], "label": r[1], "parent": r[2], "parent_label": r[3], "people": r[4], "messages": r[5]}
        for r in conn.execute(
            "SELECT p.unit, max(p.unit_label), max(p.org), max(p.org_label), count(DISTINCT p.id), count(DISTINCT a.message) AS n"
            " FROM addresses a JOIN people p ON p.id = a.person JOIN messages m ON m.id = a.message"
            " WHERE m.recovered = 0 AND m.duplicate_of IS NULL AND p.unit IS NOT NULL AND coalesce(p.org_kind, '') != 'personal'"
            " GROUP BY p.unit ORDER BY n DESC, p.unit LIMIT ?",
            (top,),
        )
    ]
    per_day: Counter[str] = Counter()
    for (d,) in conn.execute("SELECT date FROM messages WHERE recovered = 0 AND duplicate_of IS NULL AND date IS NOT NULL"):
        when = from_iso(d)
        if when is not None:
            per_day[period_start(when, "day", tz).isoformat()] += 1
    days = [{"day": day, "messages": n} for day, n in sorted(per_day.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    redactions = dict(conn.execute(
        "SELECT r.code, count(*) FROM redactions r JOIN messages m ON m.id = r.message WHERE m.duplicate_of IS NULL"
        " GROUP BY r.code ORDER BY count(*) DESC, r.code"
    ).fetchall())
    redacted_messages = _one(conn, "SELECT count(DISTINCT r.message) FROM redactions r JOIN messages m ON m.id = r.message WHERE m.duplicate_of IS NULL")
    placeholders = _one(conn, "SELECT count(DISTINCT ref_message_id) FROM placeholders")
    conflicts = json.loads(_meta(conn, "id_conflicts") or "{}")

    return {
        # The shared headline counts (analysis/counts.py); "messages" below is their "distinct".
        "counts": release_counts(conn),
        "messages": messages,
        "files": files,
        "sources": sources,
        "source_kinds": kinds,
        "problems": problems,
        "documents_not_email": documents,
        "files_read": files_read,
        "people": _one(conn, "SELECT count(*) FROM people"),
        "organisations": _one(conn, "SELECT count(DISTINCT unit) FROM people WHERE unit IS NOT NULL AND coalesce(org_kind, '') != 'personal'"),
        "parent_organisations": _one(conn, "SELECT count(DISTINCT org) FROM people WHERE org IS NOT NULL AND coalesce(org_kind, '') != 'personal'"),
        "threads": len(sizes),
        "thread_sizes": {k: buckets.get(k, 0) for k in ("1", "2-3", "4-9", "10+")},
        "largest_threads": biggest,
        "first": first,
        "last": last,
        "undated": undated,
        "guessed_dates": guessed,
        "inferred_dates": inferred,
        "monthly": [{"month": r["period"], "messages": r["messages"]} for r in monthly],
        "sparkline": sparkline([r["messages"] for r in monthly]),
        "top_senders": top_people("'from'"),
        "top_recipients": top_people("'to','cc','bcc'"),
        "top_organisations": orgs,
        "busiest_days": days,
        "central_people": central_people(people_graph(conn, distinct), top),
        "duplicates": {"messages_with_copies": multi, "extra_copies": sources - messages, "near_duplicates": near},
        "recovered": recovered,
        "referenced_not_in_dump": placeholders,
        "message_id_conflicts": len(conflicts),
        "redactions": {"marks": sum(redactions.values()), "messages": redacted_messages, "by_code": redactions,
                       "release_stamps": release_stamp_counts(conn)},
    }


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return row[0] if row else None
