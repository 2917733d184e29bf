"""What a release implies but does not contain, each item with the evidence that points to it."""
from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterator

from ..dates import from_iso
from ..query import Filters
from .timeline import quiet_periods

# Words that say a file was attached: a message saying so with no attachment is a gap.
_ATTACHED = re.compile(r"\b(attached (?:is|are|please find|you will find|file|document|memo|report|letter|spreadsheet)|see attached|please find attached|i(?:'ve| have) attached|attachments?:\s*\S)", re.IGNORECASE)


def _cite(conn: sqlite3.Connection, message: str) -> str:
    rows = conn.execute("SELECT path, locator, provenance FROM sources WHERE message=? ORDER BY path, locator", (message,)).fetchall()
    out = []
    for path, locator, prov in rows:
        cite = path + (f" [{locator}]" if locator else "")
        stamps = json.loads(prov)
        if stamps:
            cite += " (" + ", ".join(stamps[:3]) + ")"
        out.append(cite)
    return "; ".join(out)


def _label(conn: sqlite3.Connection, message: str) -> str:
    r = conn.execute("SELECT date, from_name, from_email, subject FROM messages WHERE id=?", (message,)).fetchone()
    if r is None:
        return message
    who = r[1] or r[2] or "unknown sender"
    return f"{(r[0] or 'undated')[:10]} {who}: {r[3] or '(no subject)'}"


def gap_rows(conn: sqlite3.Connection, filters: Filters | None = None) -> Iterator[dict]:
    """Every gap, in a stable order: kind, what is missing, and where the evidence is."""
    # 1. Referenced by headers but not produced.
    refs: dict[str, list[str]] = defaultdict(list)
    for ref, by in conn.execute("SELECT ref_message_id, referenced_by FROM placeholders ORDER BY ref_message_id, referenced_by"):
        refs[ref].append(by)
    for ref, bys in refs.items():
        yield {
            "kind": "referenced-not-produced",
            "item": f"<{ref}>",
            "detail": f"Message-ID referenced by {len(bys)} message(s) (In-Reply-To/References) but not in the release",
            "evidence": "; ".join(f"{b} ({_cite(conn, b)})" for b in bys[:5]) + (" …" if len(bys) > 5 else ""),
        }
    # 2. Messages that exist only as quoted history.
    for mid, in conn.execute("SELECT id FROM messages WHERE recovered = 1 ORDER BY date, id"):
        yield {
            "kind": "quoted-only",
            "item": mid,
            "detail": f"Not produced, but quoted in later messages: {_label(conn, mid)}",
            "evidence": _cite(conn, mid),
        }
    # 3. Replies whose parent is missing (a reply form with no parent found at all).
    for mid, subject in conn.execute(
        "SELECT id, subject FROM messages WHERE recovered = 0 AND parent_id IS NULL AND"
        " (in_reply_to IS NOT NULL OR lower(subject) LIKE 're:%' OR lower(subject) LIKE 'aw:%') ORDER BY date, id"
    ):
        has_placeholder = conn.execute("SELECT 1 FROM placeholders WHERE referenced_by=?", (mid,)).fetchone()
        if has_placeholder:
            continue
        yield {
            "kind": "reply-without-parent",
            "item": mid,
            "detail": f"A reply whose parent is not in the release: {_label(conn, mid)}",
            "evidence": _cite(conn, mid),
        }
    # 4. Attachments named or mentioned but absent.
    for mid, body in conn.execute(
        "SELECT m.id, m.new_text FROM messages m WHERE m.recovered = 0 AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.message = m.id) ORDER BY m.date, m.id"
    ):
        hit = _ATTACHED.search(body or "")
        if hit:
            yield {
                "kind": "attachment-missing",
                "item": mid,
                "detail": f"Says {hit.group(0)!r} but carries no attachment: {_label(conn, mid)}",
                "evidence": _cite(conn, mid),
            }
    # 5. Long silences inside active threads.
    by_thread: dict[str, list] = defaultdict(list)
    for tid, d in conn.execute("SELECT thread_id, date FROM messages WHERE date_status = 'ok' AND thread_id IS NOT NULL AND recovered = 0"):
        when = from_iso(d)
        if when:
            by_thread[tid].append(when)
    for tid in sorted(by_thread):
        for q in quiet_periods(by_thread[tid]):
            yield {
                "kind": "quiet-period",
                "item": tid,
                "detail": f"Thread silent from {q.start:%Y-%m-%d} to {q.end:%Y-%m-%d} ({q.length.days} days; usual gap {q.usual_gap.days} days)",
                "evidence": f"thread {tid}",
            }
    # 6. Pages / Bates numbers missing from a sequence.
    from ..provenance import bates_gaps

    stamps: set[str] = set()
    where_seen: dict[str, str] = {}
    for path, prov in conn.execute("SELECT path, provenance FROM sources WHERE provenance != '[]'"):
        for s in json.loads(prov):
            stamps.add(s)
            where_seen.setdefault(s, path)
    for prefix, lo, hi in bates_gaps(stamps):
        yield {
            "kind": "bates-gap",
            "item": f"{prefix}{lo}" + (f"–{prefix}{hi}" if hi != lo else ""),
            "detail": f"Bates/control numbers {lo}–{hi} with prefix {prefix!r} are missing from the sequence",
            "evidence": ", ".join(sorted({where_seen[s] for s in stamps if s.startswith(prefix)})[:3]),
        }
