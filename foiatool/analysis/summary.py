"""What is in this release, on one screen: counts, dates, threads, people, organisations, duplicates, redactions."""
from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from datetime import UTC, tzinfo

from ..index.documents import release_stamp_counts
from ..index.query import Filters
from ..mail.dates import is_utc
from .counts import release_counts
from .timeline import activity, period_reader, sparkline


def _one(conn: sqlite3.Connection, sql: str, params: tuple = ()) -> int:
    row = conn.execute(sql, params).fetchone()
    return int(row[0] or 0) if row else 0


# The summary in UTC with the default top lists is computed whenever the index changes
# and kept in it, so `summary` on a large release answers at once.
CACHE_KEY = "summary:utc:6"
CACHED_TOP = 5


def cache_summary(conn: sqlite3.Connection) -> None:
    """Store the UTC summary in the index (inside the writer's transaction)."""
    data = compute_summary(conn, UTC, CACHED_TOP)
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (CACHE_KEY, json.dumps(data, ensure_ascii=False)))


def summary(conn: sqlite3.Connection, tz: tzinfo | None = None, top: int = 5) -> dict:
    """The summary as plain data (JSON-ready); renderers draw it.

    Months and busiest days are counted in zone ``tz`` (None: the local zone);
    ``sparkline`` has one character per month from the first to the last.
    """
    if top == CACHED_TOP and is_utc(tz):
        cached = _meta(conn, CACHE_KEY)
        if cached:
            return json.loads(cached)
    return compute_summary(conn, tz, top)


def compute_summary(conn: sqlite3.Connection, tz: tzinfo | None = None, top: int = 5) -> dict:
    """The summary computed from the index's tables."""
    # networkx takes a tenth of a second to import: a warm `summary` answers from the cache without it.
    from .network import central_people, people_graph, person_rows

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

    # One pass over the people's addresses gives the top senders, recipients and organisations,
    # which count distinct messages (each message's id held once, however many addresses it has).
    people = {r["id"]: r for r in conn.execute("SELECT id, name, org, unit, unit_label, org_label, org_kind FROM people")}
    unit_of = {pid: p["unit"] for pid, p in people.items()
               if p["unit"] is not None and (p["org_kind"] or "") != "personal"}
    sent_by: dict[str, set[str]] = defaultdict(set)
    received_by: dict[str, set[str]] = defaultdict(set)
    unit_people: dict[str, set[str]] = defaultdict(set)
    unit_messages: dict[str, set[str]] = defaultdict(set)
    message_ids: dict[str, str] = {}
    for mid, role, person, _ in person_rows(conn, distinct):
        if person not in people:
            continue
        mid = message_ids.setdefault(mid, mid)
        if role == "from":
            sent_by[person].add(mid)
        elif role in ("to", "cc", "bcc"):
            received_by[person].add(mid)
        unit = unit_of.get(person)
        if unit is not None:
            unit_people[unit].add(person)
            unit_messages[unit].add(mid)

    def most(messages_of: dict[str, set[str]]) -> list[tuple[int, str]]:
        """(messages, key) of the ``top`` keys with most messages, ties by key."""
        return [(-n, key) for n, key in sorted((-len(mids), key) for key, mids in messages_of.items())[:top]]

    def top_people(messages_of: dict[str, set[str]]) -> list[dict]:
        return [{"id": pid, "name": people[pid]["name"], "org": people[pid]["org"], "messages": n}
                for n, pid in most(messages_of)]

    def largest(unit: str, column: str) -> str | None:  # SQL's max() over the unit's people: NULLs left out
        present = [people[pid][column] for pid in unit_people[unit] if people[pid][column] is not None]
        return max(present) if present else None

    # Organisations are domain-level units (ice.dhs.gov), each under its parent (dhs.gov).
    orgs = [
        {"org": unit, "label": largest(unit, "unit_label"), "parent": largest(unit, "org"),
         "parent_label": largest(unit, "org_label"), "people": len(unit_people[unit]), "messages": n}
        for n, unit in most(unit_messages)
    ]
    per_day: Counter[str] = Counter()
    day_of = period_reader("day", tz)
    for (d,) in conn.execute("SELECT date FROM messages WHERE recovered = 0 AND duplicate_of IS NULL AND date IS NOT NULL"):
        day = day_of(d)
        if day is not None:
            per_day[day.isoformat()] += 1
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
        "top_senders": top_people(sent_by),
        "top_recipients": top_people(received_by),
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
