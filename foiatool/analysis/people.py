"""Per-person figures from the index: names and addresses seen, traffic, first and last seen, correspondents, latency."""
from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import replace
from statistics import median

from ..index.query import Filters, message_where


def people_records(conn: sqlite3.Connection, filters: Filters | None = None, sort: str = "messages", top: int = 3) -> list[dict]:
    """One record per person, for `foiatool people`; filters restrict the messages counted.

    A near-duplicate copy (``duplicate_of`` set: a printed page of an .eml) is
    not another message: it is never counted.
    """
    where, params = message_where(replace(filters or Filters(include_recovered=True), include_duplicates=False))
    rows = conn.execute(
        "SELECT a.person, a.role, m.id, m.date, m.recovered, m.reply_seconds FROM addresses a JOIN messages m ON m.id = a.message"
        f" WHERE a.person IS NOT NULL AND {where}",
        params,
    ).fetchall()
    sent: Counter[str] = Counter()
    received: Counter[str] = Counter()
    recovered: Counter[str] = Counter()
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    latency: dict[str, list[float]] = defaultdict(list)
    sender_of: dict[str, str] = {}
    recipients_of: dict[str, set[str]] = defaultdict(set)
    for person, role, mid, date, rec, reply in rows:
        if role == "from":
            sender_of[mid] = person
            if rec:
                recovered[person] += 1
            else:
                sent[person] += 1
            if reply is not None:
                latency[person].append(reply)
        else:
            if person not in recipients_of[mid]:
                recipients_of[mid].add(person)
                if not rec:
                    received[person] += 1
        if date:
            if person not in first or date < first[person]:
                first[person] = date
            if person not in last or date > last[person]:
                last[person] = date
    pair: dict[str, Counter[str]] = defaultdict(Counter)
    for mid, sender in sender_of.items():
        for rcpt in recipients_of.get(mid, ()):
            if rcpt != sender:
                pair[sender][rcpt] += 1
                pair[rcpt][sender] += 1
    # Everyone named in the selected messages, a recipient of a recovered (quoted) message included.
    involved = {person for person, *_ in rows}
    out: list[dict] = []
    for r in conn.execute("SELECT id, name, emails, names, org, org_label, org_kind, unit, unit_label, evidence FROM people"):
        pid = r["id"]
        if pid not in involved:
            continue
        names = json.loads(r["names"])
        out.append(
            {
                "id": pid,
                "name": r["name"],
                "emails": json.loads(r["emails"]),
                "names": sorted(names, key=lambda n: (-names[n], n)),
                "org": r["org"],
                "org_label": r["org_label"],
                "org_kind": r["org_kind"],
                "unit": r["unit"],
                "unit_label": r["unit_label"],
                "sent": sent.get(pid, 0),
                "received": received.get(pid, 0),
                "recovered": recovered.get(pid, 0),
                "messages": sent.get(pid, 0) + received.get(pid, 0),
                "first": first.get(pid),
                "last": last.get(pid),
                "top_correspondents": [p for p, _ in sorted(pair[pid].items(), key=lambda kv: (-kv[1], kv[0]))[:top]],
                "median_reply_seconds": median(latency[pid]) if latency.get(pid) else None,
                "evidence": json.loads(r["evidence"]),
            }
        )
    keys = {
        "messages": lambda p: (-p["messages"], p["id"]),
        "sent": lambda p: (-p["sent"], p["id"]),
        "received": lambda p: (-p["received"], p["id"]),
        "name": lambda p: (p["name"].lower(), p["id"]),
        "first": lambda p: (p["first"] is None, p["first"] or "", p["id"]),
        "last": lambda p: (p["last"] is None, "" if p["last"] is None else "".join(chr(0x10FFFF - ord(c)) for c in p["last"]), p["id"]),
        "org": lambda p: (p["org"] or "~", p["id"]),
    }
    out.sort(key=keys[sort])
    return out


def find_people(conn: sqlite3.Connection, query: str) -> list[str]:
    """Person ids for a user's --person / --explain value: an id, an address, or a name."""
    q = query.strip().lower()
    if not q:
        return []
    hits: list[str] = []
    for r in conn.execute("SELECT id, name, emails, names FROM people ORDER BY id"):
        emails = [e.lower() for e in json.loads(r["emails"])]
        names = [n.lower() for n in json.loads(r["names"])]
        if q == r["id"].lower() or q in emails:
            return [r["id"]]
        if q == r["name"].lower() or q in names:
            hits.append(r["id"])
    if hits:
        return hits
    for r in conn.execute("SELECT id, name, emails FROM people ORDER BY id"):
        if q in r["name"].lower() or any(q in e.lower() for e in json.loads(r["emails"])):
            hits.append(r["id"])
    return hits
