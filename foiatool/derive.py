"""Corpus-wide facts recomputed after every change: threads, recovered messages, reply latency, people."""
from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from datetime import timezone

from . import store
from .dates import from_iso, iso
from .model import Address, Message, Source


def _addr(d: dict | None) -> Address | None:
    if not d:
        return None
    return Address(name=d.get("name") or "", email=d.get("email") or "", redacted=d.get("redacted"))


def quoted_from_json(items: list[dict]):
    from .quoting import QuotedMessage

    out = []
    for q in items:
        out.append(
            QuotedMessage(
                sender=_addr(q.get("sender")),
                to=[a for a in (_addr(x) for x in q.get("to", [])) if a],
                cc=[a for a in (_addr(x) for x in q.get("cc", [])) if a],
                date=from_iso(q.get("date")),
                date_status=q.get("date_status", "missing"),
                date_text=q.get("date_text", ""),
                subject=q.get("subject", ""),
                body=q.get("body", ""),
                style=q.get("style", ""),
            )
        )
    return out


def load_thread_inputs(conn: sqlite3.Connection):
    """Every real (not recovered) message as the threader needs it, streamed from the index."""
    from .threads import ThreadInput

    addrs: dict[str, dict[str, list[Address]]] = defaultdict(lambda: {"to": [], "cc": []})
    for r in conn.execute(
        "SELECT a.message, a.role, a.name, a.email, a.redacted FROM addresses a JOIN messages m ON m.id = a.message"
        " WHERE m.recovered = 0 AND a.role IN ('to', 'cc') ORDER BY a.message, a.role, a.position"
    ):
        addrs[r[0]][r[1]].append(Address(r[2], r[3], r[4]))
    sources: dict[str, list[Source]] = defaultdict(list)
    for r in conn.execute(
        "SELECT s.message, s.path, s.locator, s.kind FROM sources s JOIN messages m ON m.id = s.message"
        " WHERE m.recovered = 0 ORDER BY s.message, s.path, s.locator"
    ):
        sources[r[0]].append(Source(r[1], r[2], r[3]))
    for r in conn.execute(
        "SELECT id, message_id, in_reply_to, refs, subject, from_name, from_email, from_redacted, date, date_status,"
        " new_text, quoted FROM messages WHERE recovered = 0 ORDER BY id"
    ):
        sender = Address(r["from_name"], r["from_email"], r["from_redacted"])
        a = addrs.get(r["id"], {"to": [], "cc": []})
        yield ThreadInput(
            id=r["id"],
            message_id=r["message_id"],
            in_reply_to=r["in_reply_to"],
            references=json.loads(r["refs"]),
            subject=r["subject"],
            sender=sender if (sender.name or sender.email or sender.redacted) else None,
            to=a["to"],
            cc=a["cc"],
            date=from_iso(r["date"]),
            date_status=r["date_status"],
            new_text=r["new_text"],
            quoted=quoted_from_json(json.loads(r["quoted"])),
            sources=sources.get(r["id"], []),
        )


def _participant_key(a: Address | None) -> str | None:
    if a is None or (not a.email and not a.name):
        return None
    return a.email or a.name.lower()


def derive_threads(conn: sqlite3.Connection) -> None:
    from .threads import build_threads

    inputs = list(load_thread_inputs(conn))
    by_id = {m.id: m for m in inputs}
    result = build_threads(inputs)

    old_recovered = [r[0] for r in conn.execute("SELECT id FROM messages WHERE recovered = 1")]
    store.delete_messages(conn, old_recovered)
    for msg in result.recovered:
        msg.recovered = True
        store.insert_message(conn, store.StoredMessage(msg, msg.body, "[]", []), None)

    dates: dict[str, object] = {m.id: (m.date if m.date_status == "ok" else None) for m in inputs}
    for msg in result.recovered:
        dates[msg.id] = None  # printed dates in quotes carry no zone: never used for latency

    parent_of: dict[str, str] = {}
    edges = []
    for parent, child, data in result.graph.edges(data=True):
        how = data.get("how", "header")
        edges.append((parent, child, how))
        if not str(parent).startswith("ph:"):
            parent_of[child] = parent

    conn.execute("DELETE FROM edges")
    conn.executemany("INSERT OR IGNORE INTO edges (parent, child, how) VALUES (?,?,?)", edges)

    conn.execute("DELETE FROM threads")
    thread_rows = []
    for t in result.threads:
        members = [mid for mid in t.message_ids if not str(mid).startswith("ph:")]
        people = set()
        for mid in members:
            m = by_id.get(mid)
            if m is None:
                continue
            for a in [m.sender, *m.to, *m.cc]:
                key = _participant_key(a)
                if key:
                    people.add(key)
        for rec in result.recovered:
            if result.thread_of.get(rec.id) == t.id:
                key = _participant_key(rec.sender)
                if key:
                    people.add(key)
        thread_rows.append((t.id, t.root, t.subject, iso(t.first), iso(t.last), len(members), len(people)))
    conn.executemany("INSERT INTO threads (id, root, subject, first, last, messages, participants) VALUES (?,?,?,?,?,?,?)", thread_rows)

    conn.execute("DELETE FROM placeholders")
    conn.executemany(
        "INSERT INTO placeholders (ref_message_id, referenced_by, thread_id) VALUES (?,?,?)",
        [
            (ref, by, result.thread_of.get(f"ph:{ref}") or result.thread_of.get(by))
            for ref, bys in sorted(result.placeholders.items())
            for by in bys
        ],
    )

    updates = []
    all_ids = [m.id for m in inputs] + [m.id for m in result.recovered]
    for mid in all_ids:
        parent = parent_of.get(mid)
        latency = None
        if parent is not None:
            d_child, d_parent = dates.get(mid), dates.get(parent)
            if d_child is not None and d_parent is not None:
                seconds = (d_child - d_parent).total_seconds()  # type: ignore[operator]
                latency = seconds if seconds >= 0 else None
        updates.append(
            (
                result.thread_of.get(mid),
                result.near_duplicates.get(mid),
                1 if mid in result.inclusive else 0,
                parent,
                latency,
                mid,
            )
        )
    conn.executemany(
        "UPDATE messages SET thread_id=?, duplicate_of=?, inclusive=?, parent_id=?, reply_seconds=? WHERE id=?", updates
    )
    store.set_meta(conn, "id_conflicts", json.dumps(result.id_conflicts, sort_keys=True))


def derive_people(conn: sqlite3.Connection, aliases=()) -> None:
    from .analysis.summary import cache_summary
    from .people import resolve_people

    occurrences = [
        (Address(r[0], r[1], r[2]), r[3])
        for r in conn.execute(
            "SELECT name, email, redacted, count(*) FROM addresses GROUP BY name, email, redacted ORDER BY name, email, redacted"
        )
    ]
    index = resolve_people(occurrences, aliases)
    conn.execute("DELETE FROM people")
    from .orgs import organisation

    def org_fields(org) -> tuple:
        if org is None:
            return (None, None, None, None, None)
        parent = organisation(org.parent) if org.parent and org.parent != org.domain else org
        return (org.parent or org.domain, parent.label, org.kind, org.domain, org.label)

    conn.executemany(
        "INSERT INTO people (id, name, emails, names, org, org_label, org_kind, unit, unit_label, evidence)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            (
                p.id, p.name, json.dumps(p.emails), json.dumps(p.names, ensure_ascii=False, sort_keys=True),
                *org_fields(p.org), json.dumps(p.evidence, ensure_ascii=False),
            )
            for p in index.persons
        ],
    )
    conn.executemany(
        "UPDATE addresses SET person=? WHERE name=? AND email=? AND redacted IS ?",
        [(index.person_of(a), a.name, a.email, a.redacted) for a, _ in occurrences],
    )
    # The summary names people: compute it again for the people just derived.
    cache_summary(conn)


def resolve_names_in_threads(conn: sqlite3.Connection) -> int:
    """Give a name-only participant (a printed or quoted "Chen, Michael") the address that the same
    name has elsewhere in its thread, when exactly one address fits.

    Two people may share a name across organisations; within one conversation the
    people who took part are the evidence of which one a quote meant. Failing that,
    a same-name address at a domain the thread's other participants write from is
    taken, when exactly one fits. Returns how many addresses were filled in.
    """
    from .addresses import normalise_name

    everywhere: dict[str, set[str]] = defaultdict(set)
    for name, email in conn.execute("SELECT DISTINCT name, email FROM addresses WHERE email != '' AND name != ''"):
        key = normalise_name(name)
        if key:
            everywhere[key].add(email)

    by_thread: dict[str, list[tuple]] = defaultdict(list)
    for row in conn.execute(
        "SELECT m.thread_id, a.message, a.role, a.position, a.name, a.email FROM addresses a"
        " JOIN messages m ON m.id = a.message WHERE m.thread_id IS NOT NULL AND a.redacted IS NULL"
        " ORDER BY m.thread_id, a.message, a.role, a.position"
    ):
        by_thread[row[0]].append(row[1:])
    updates = []
    for rows in by_thread.values():
        known: dict[str, set[str]] = defaultdict(set)
        for _, _, _, name, email in rows:
            if email and name:
                key = normalise_name(name)
                if key:
                    known[key].add(email)
        domains = set()
        for *_, name, email in rows:
            if not email:
                unique = everywhere.get(normalise_name(name), set()) if name else set()
                email = next(iter(unique)) if len(unique) == 1 else ""
            if email:
                domains.add(email.rsplit("@", 1)[-1])
        for message, role, position, name, email in rows:
            if email or not name:
                continue
            key = normalise_name(name)
            candidates = known.get(key, set())
            if not candidates:
                candidates = {e for e in everywhere.get(key, ()) if e.rsplit("@", 1)[-1] in domains}
            if len(candidates) == 1:
                updates.append((next(iter(candidates)), message, role, position))
    conn.executemany("UPDATE addresses SET email=? WHERE message=? AND role=? AND position=?", updates)
    conn.executemany(
        "UPDATE messages SET from_email=? WHERE id=? AND from_email=''",
        [(email, message) for email, message, role, _ in updates if role == "from"],
    )
    return len(updates)


# Zones a printed release is most likely to have been printed in, tried in this order.
PRINT_ZONES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
    "America/Anchorage", "Pacific/Honolulu", "UTC", "Europe/London", "Europe/Paris", "Asia/Kolkata",
    "Asia/Tokyo", "Australia/Sydney",
)


def infer_print_zones(conn: sqlite3.Connection) -> dict[str, str]:
    """Place printed local times in the zone their document was printed in, where the document shows it.

    A PDF of printed emails gives wall-clock times without a zone; they are read as
    UTC and marked "guessed". When some of its messages are also in the release
    with full headers (their copies were joined as near-duplicates), those pairs
    show the printing zone: the first common zone that turns every printed time
    into its original's UTC time (daylight saving included) is applied to the
    document's other guessed dates, which become "inferred". Returns path -> zone.
    """
    from zoneinfo import ZoneInfo

    observations: dict[str, list[tuple]] = defaultdict(list)
    for path, printed, original in conn.execute(
        "SELECT s.path, p.date, o.date FROM messages p JOIN messages o"
        " ON (o.id = p.duplicate_of OR p.id = o.duplicate_of) JOIN sources s ON s.message = p.id"
        " WHERE p.date_status = 'guessed' AND o.date_status = 'ok' AND s.kind = 'pdf'"
    ):
        wall, true = from_iso(printed), from_iso(original)
        if wall and true:
            observations[path].append((wall.replace(tzinfo=None), true.replace(second=0)))
    chosen: dict[str, str] = {}
    for path, pairs in sorted(observations.items()):
        for name in PRINT_ZONES:
            zone = ZoneInfo(name)
            if all(w.replace(tzinfo=zone).astimezone(timezone.utc) == t for w, t in pairs):
                chosen[path] = name
                break
    for path, name in chosen.items():
        zone = ZoneInfo(name)
        rows = conn.execute(
            "SELECT m.id, m.date FROM messages m WHERE m.date_status = 'guessed' AND m.recovered = 0"
            " AND EXISTS (SELECT 1 FROM sources s WHERE s.message = m.id AND s.path = ? AND s.kind = 'pdf')"
            " AND NOT EXISTS (SELECT 1 FROM sources s WHERE s.message = m.id AND s.path != ?)",
            (path, path),
        ).fetchall()
        updates = []
        for mid, date in rows:
            wall = from_iso(date)
            if wall is not None:
                updates.append((iso(wall.replace(tzinfo=None).replace(tzinfo=zone).astimezone(timezone.utc)), mid))
        conn.executemany("UPDATE messages SET date = ?, date_status = 'inferred' WHERE id = ?", updates)
    if chosen:
        conn.execute(
            "UPDATE threads SET first = (SELECT min(date) FROM messages m WHERE m.thread_id = threads.id),"
            " last = (SELECT max(date) FROM messages m WHERE m.thread_id = threads.id)"
        )
    store.set_meta(conn, "print_zones", json.dumps(chosen, sort_keys=True))
    return chosen


def thread_figures(conn: sqlite3.Connection) -> None:
    """Per-thread figures that listings show: recovered and missing messages, median reply time."""
    from statistics import median

    # Grouped scans, then one update per thread: correlated subqueries per thread were quadratic.
    recovered = dict(conn.execute("SELECT thread_id, count(*) FROM messages WHERE recovered = 1 AND thread_id IS NOT NULL GROUP BY thread_id"))
    missing = dict(conn.execute("SELECT thread_id, count(DISTINCT ref_message_id) FROM placeholders WHERE thread_id IS NOT NULL GROUP BY thread_id"))
    latencies: dict[str, list[float]] = defaultdict(list)
    for tid, seconds in conn.execute("SELECT thread_id, reply_seconds FROM messages WHERE reply_seconds IS NOT NULL AND thread_id IS NOT NULL"):
        latencies[tid].append(seconds)
    touched = set(recovered) | set(missing) | set(latencies)
    conn.executemany(
        "UPDATE threads SET recovered = ?, missing = ?, median_reply_seconds = ? WHERE id = ?",
        [(recovered.get(t, 0), missing.get(t, 0), median(latencies[t]) if t in latencies else None, t) for t in touched],
    )


def derive_all(conn: sqlite3.Connection, aliases=()) -> None:
    if not aliases:
        # Aliases given once (people --aliases) stay with the index until replaced.
        from .analysis.people import saved_aliases

        saved = saved_aliases(conn)
        aliases = saved.rules if saved else ()
    with conn:
        derive_threads(conn)
        infer_print_zones(conn)
        resolve_names_in_threads(conn)
        thread_figures(conn)
        derive_people(conn, aliases)
        store.set_meta(conn, "derived", "1")


__all__ = ["derive_all", "derive_threads", "derive_people", "load_thread_inputs", "Message"]
