"""Corpus-wide facts recomputed after every change: threads, recovered messages, reply latency, people."""
from __future__ import annotations

import json
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from ..index import store
from ..mail.dates import from_iso, iso
from ..model import PRINTED_KINDS, Address, Message, Source


def quoted_from_json(items: list[dict], shared: _Shared | None = None):
    """Quoted messages as stored (JSON objects) back into QuotedMessage records.

    With ``shared``, equal values are one object: a parent quoted by twenty replies is
    held once, not twenty times.
    """
    from ..mail.quoting import QuotedMessage

    if shared is None:
        shared = _Shared()
    out = []
    for q in items:
        key = (
            shared.address_of(q.get("sender")),
            tuple(a for a in map(shared.address_of, q.get("to", [])) if a),
            tuple(a for a in map(shared.address_of, q.get("cc", [])) if a),
            q.get("date"), q.get("date_status", "missing"), q.get("date_text", ""),
            q.get("subject", ""), q.get("body", ""), q.get("style", ""),
        )
        quote = shared.quotes.get(key)
        if quote is None:
            quote = shared.quotes[key] = QuotedMessage(
                sender=key[0],
                to=list(key[1]),
                cc=list(key[2]),
                date=from_iso(key[3]),
                date_status=shared.text(key[4]),
                date_text=shared.text(key[5]),
                subject=shared.text(key[6]),
                body=shared.text(key[7]),
                style=shared.text(key[8]),
            )
        out.append(quote)
    return out


class _Shared:
    """One object for each distinct string, address and quoted message read while loading."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.addresses: dict[tuple, Address] = {}
        self.quotes: dict[tuple, object] = {}

    def text(self, value: str) -> str:
        return self.texts.setdefault(value, value)

    def address(self, name: str, email: str, redacted: str | None) -> Address:
        key = (name, email, redacted)
        found = self.addresses.get(key)
        if found is None:
            found = self.addresses[key] = Address(self.text(name), self.text(email), redacted and self.text(redacted))
        return found

    def address_of(self, d: dict | None) -> Address | None:
        """An address as stored in JSON; None for an empty one."""
        if not d:
            return None
        return self.address(d.get("name") or "", d.get("email") or "", d.get("redacted"))


def load_thread_inputs(conn: sqlite3.Connection):
    """Every real (not recovered) message as the threader needs it, streamed from the index.

    The wide message rows are read in storage order (in id order they were random reads);
    equal strings, addresses and quoted messages are shared between inputs.
    """
    from .threads import ThreadInput

    def plain_rows(sql: str) -> sqlite3.Cursor:
        cursor = conn.cursor()
        cursor.row_factory = None  # tuples: named rows cost more than the unpacking they save
        return cursor.execute(sql)

    shared = _Shared()
    # These small tables are read in key order (their primary-key index): each message's
    # addresses and sources come out in order, straight into its lists.
    recipients: dict[str, tuple[list[Address], list[Address]]] = {}
    for message, role, name, email, redacted in plain_rows(
        "SELECT message, role, name, email, redacted FROM addresses WHERE role IN ('to', 'cc')"
        " ORDER BY message, role, position"
    ):
        lists = recipients.get(message)
        if lists is None:
            lists = recipients[message] = ([], [])
        lists[role == "cc"].append(shared.address(name, email, redacted))
    sources: dict[str, list[Source]] = defaultdict(list)
    for message, path, locator, kind in plain_rows(
        "SELECT message, path, locator, kind FROM sources ORDER BY message, path, locator"
    ):
        sources[message].append(Source(shared.text(path), locator, shared.text(kind)))
    # One pass over the wide rows gains nothing from a large page cache, and the pages it
    # would keep are held while the threader needs the memory most.
    cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute("PRAGMA cache_size = -2048")
    try:
        for (mid, message_id, in_reply_to, refs, subject, from_name, from_email, from_redacted, date, date_status,
             new_text, quoted) in plain_rows(
            # NOT INDEXED: through an index on "recovered" the scan would become random reads.
            "SELECT m.id, m.message_id, m.in_reply_to, m.refs, m.subject, m.from_name, m.from_email, m.from_redacted,"
            " m.date, m.date_status, x.new_text, x.quoted FROM messages m NOT INDEXED"
            " JOIN message_texts x ON x.message = m.rowid WHERE m.recovered = 0"
        ):
            to, cc = recipients.pop(mid, ([], []))
            yield ThreadInput(
                id=mid,
                message_id=message_id and shared.text(message_id),
                in_reply_to=in_reply_to and shared.text(in_reply_to),
                references=[shared.text(r) for r in json.loads(refs)],
                subject=shared.text(subject),
                sender=shared.address(from_name, from_email, from_redacted) if (from_name or from_email or from_redacted) else None,
                to=to,
                cc=cc,
                date=from_iso(date),
                date_status=shared.text(date_status),
                new_text=new_text,
                quoted=quoted_from_json(json.loads(quoted), shared) if quoted != "[]" else [],
                sources=sources.pop(mid, []),
            )
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache_size)}")


def _participant_key(a: Address | None) -> str | None:
    if a is None or (not a.email and not a.name):
        return None
    return a.email or a.name.lower()


def derive_threads(conn: sqlite3.Connection, alongside: Callable[[], None] | None = None) -> None:
    """Thread the index and write threads, recovered messages, reply edges, placeholders and
    each message's thread.

    ``alongside``, when given, runs on a thread of its own while the messages are read and
    threaded, and is waited for before anything is written: work on another connection that
    writes nothing the threader reads (the indexer makes the full-text rows and indexes there,
    SQLite's own C code, which lets go of the GIL). ``conn`` must hold no write transaction.
    """
    wait = _start(alongside) if alongside is not None else None
    built = _thread_messages(conn)
    if wait is not None:
        wait()
    _write_threads(conn, *built)


def _start(work: Callable[[], None]) -> Callable[[], None]:
    """``work`` on a daemon thread (an error or Ctrl-C here does not wait for it, nor does the
    process at exit); the function returned waits for it and raises what it raised."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # raised again by wait()
            errors.append(exc)

    thread = threading.Thread(target=run, name="alongside", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if errors:
            raise errors[0]

    return wait


def _thread_messages(conn: sqlite3.Connection):
    """The threader's result over the index, with each message's trusted date (for reply
    latency) and its addresses (for participant counts)."""
    from .threads import build_threads

    # Inputs stream through the threader, which keeps only what linking needs; of each
    # message only its trusted date and its addresses are kept here.
    dates: dict[str, datetime | None] = {}
    addresses_of: dict[str, tuple[Address | None, ...]] = {}

    def inputs():
        for m in load_thread_inputs(conn):
            dates[m.id] = m.date if m.date_status == "ok" else None
            addresses_of[m.id] = (m.sender, *m.to, *m.cc)
            yield m

    return build_threads(inputs()), dates, addresses_of


def _write_threads(conn: sqlite3.Connection, result, dates: dict[str, datetime | None],
                   addresses_of: dict[str, tuple[Address | None, ...]]) -> None:
    all_ids = [*dates, *(m.id for m in result.recovered)]

    old_recovered = [r[0] for r in conn.execute("SELECT id FROM messages WHERE recovered = 1")]
    store.delete_messages(conn, old_recovered)
    for msg in result.recovered:
        msg.recovered = True
        store.insert_message(conn, store.prepare_rows(store.StoredMessage(msg, msg.body, "[]", [])), None)

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
    recovered_senders: dict[str, list[Address | None]] = defaultdict(list)
    for rec in result.recovered:
        thread_id = result.thread_of.get(rec.id)
        if thread_id is not None:
            recovered_senders[thread_id].append(rec.sender)
    thread_rows = []
    for t in result.threads:
        members = [mid for mid in t.message_ids if not str(mid).startswith("ph:")]
        people = set()
        for mid in members:
            for a in addresses_of.get(mid, ()):
                key = _participant_key(a)
                if key:
                    people.add(key)
        for sender in recovered_senders.get(t.id, ()):
            key = _participant_key(sender)
            if key:
                people.add(key)
        thread_rows.append((t.id, t.root, t.subject, iso(t.first), iso(t.last), len(members), len(people)))
    conn.executemany("INSERT INTO threads (id, root, subject, first, last, messages, participants) VALUES (?,?,?,?,?,?,?)", thread_rows)
    addresses_of.clear()
    del thread_rows

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
    for mid in all_ids:
        parent = parent_of.get(mid)
        latency = None
        if parent is not None:
            d_child, d_parent = dates.get(mid), dates.get(parent)
            if d_child is not None and d_parent is not None:
                seconds = (d_child - d_parent).total_seconds()
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
    if conn.execute("SELECT 1 FROM messages WHERE thread_id IS NOT NULL LIMIT 1").fetchone() is not None:
        # A refresh: most messages keep their thread, parent and latency. Rewriting a message row
        # rewrites its whole record, body included, so only the rows that change are written.
        current = {
            r[0]: tuple(r[1:])
            for r in conn.execute("SELECT id, thread_id, duplicate_of, inclusive, parent_id, reply_seconds FROM messages")
        }
        updates = [u for u in updates if current.get(u[5]) != u[:5]]
        del current
    conn.executemany(
        "UPDATE messages SET thread_id=?, duplicate_of=?, inclusive=?, parent_id=?, reply_seconds=? WHERE id=?", updates
    )
    store.set_meta(conn, "id_conflicts", json.dumps(result.id_conflicts, sort_keys=True))


def typed_addresses(conn: sqlite3.Connection) -> set[str]:
    """Addresses seen in mail a program wrote (a header, or history quoted in such a message):
    whatever they look like, they are as typed, never an OCR misreading of another."""
    kinds = sorted(PRINTED_KINDS)
    marks = ",".join("?" * len(kinds))
    if conn.execute(f"SELECT 1 FROM sources WHERE kind IN ({marks}) LIMIT 1", kinds).fetchone() is None:
        # nothing came through a printer: every address is as typed (one pass over the email index)
        return {email for (email,) in conn.execute("SELECT DISTINCT email FROM addresses WHERE email != ''")}
    rows = conn.execute(
        "SELECT DISTINCT a.email FROM addresses a JOIN sources s ON s.message = a.message"
        f" LEFT JOIN files f ON f.path = s.path WHERE a.email != '' AND s.kind NOT IN ({marks})"
        f" AND (s.kind != 'quote' OR f.kind IS NULL OR f.kind NOT IN ({marks}))",
        (*kinds, *kinds),
    )
    return {email for (email,) in rows}


def derive_people(conn: sqlite3.Connection, aliases=()) -> None:
    """People and their organisations from every address seen, with ``aliases`` applied; each address row names its person."""
    from .people import correspondents_of, resolve_people

    occurrences = [
        (Address(r[0], r[1], r[2]), r[3])
        for r in conn.execute(
            "SELECT name, email, redacted, count(*) FROM addresses GROUP BY name, email, redacted ORDER BY name, email, redacted"
        )
    ]
    index = resolve_people(occurrences, aliases, correspondents_of(conn.execute("SELECT message, email FROM addresses")),
                           typed=typed_addresses(conn))
    conn.execute("DELETE FROM people")
    from ..mail.marks.orgs import organisation

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
        # rows already naming their person are left alone (a refresh rewrites only what changed)
        "UPDATE addresses SET person=? WHERE name=? AND email=? AND redacted IS ? AND person IS NOT ?",
        [(person, a.name, a.email, a.redacted, person) for a, _ in occurrences for person in (index.person_of(a),)],
    )


def resolve_names_in_threads(conn: sqlite3.Connection) -> int:
    """Give a name-only participant (a printed or quoted "Chen, Michael") the address that the same
    name has elsewhere in its thread, when exactly one address fits.

    Two people may share a name across organisations; within one conversation the
    people who took part are the evidence of which one a quote meant. Failing that,
    a same-name address at a domain the thread's other participants write from is
    taken, when exactly one fits. Returns how many addresses were filled in.
    """
    from ..mail.addresses import normalise_name

    everywhere: dict[str, set[str]] = defaultdict(set)
    for name, email in conn.execute("SELECT DISTINCT name, email FROM addresses WHERE email != '' AND name != ''"):
        key = normalise_name(name)
        if key:
            everywhere[key].add(email)

    # Only threads with a name-only participant can change: the others are not read.
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS name_only_threads (id TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM name_only_threads")
    conn.execute(
        "INSERT OR IGNORE INTO name_only_threads (id) SELECT DISTINCT m.thread_id FROM addresses a"
        " JOIN messages m ON m.id = a.message WHERE a.email = '' AND a.name != '' AND a.redacted IS NULL"
        " AND m.thread_id IS NOT NULL"
    )
    by_thread: dict[str, list[tuple]] = defaultdict(list)
    for row in conn.execute(
        "SELECT m.thread_id, a.message, a.role, a.position, a.name, a.email FROM name_only_threads t"
        " JOIN messages m ON m.thread_id = t.id JOIN addresses a ON a.message = m.id WHERE a.redacted IS NULL"
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
            if all(w.replace(tzinfo=zone).astimezone(UTC) == t for w, t in pairs):
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
                updates.append((iso(wall.replace(tzinfo=None).replace(tzinfo=zone).astimezone(UTC)), mid))
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


__all__ = ["derive_threads", "derive_people", "infer_print_zones", "load_thread_inputs", "resolve_names_in_threads", "thread_figures", "Message"]
