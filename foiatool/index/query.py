"""Reading the index back: the common filters, and messages and threads as plain records."""
from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..errors import UsageError
from ..mail.dates import iso, parse_date
from ..model import Address


@dataclass(slots=True)
class Filters:
    """The filters every listing command shares (--from, --to, --participant, ...)."""

    sender: list[str] = field(default_factory=list)
    recipient: list[str] = field(default_factory=list)
    participant: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    since: datetime | None = None
    until: datetime | None = None
    subject: list[str] = field(default_factory=list)
    contains: list[str] = field(default_factory=list)
    thread: list[str] = field(default_factory=list)
    person: list[str] = field(default_factory=list)
    include_recovered: bool = True
    # False leaves out near-duplicate copies (duplicate_of set), counting each message once.
    include_duplicates: bool = True

    def empty(self) -> bool:
        return not (
            self.sender or self.recipient or self.participant or self.domain or self.since or self.until
            or self.subject or self.contains or self.thread or self.person
        )


def parse_when(text: str, *, end: bool = False) -> datetime:
    """A --since/--until value in any common form ("2011-03", "March 7, 2011", "2011-03-07T16:00Z").

    A partial date names a period: --since takes its start, --until its end.
    """
    import re
    from datetime import timedelta

    raw = text.strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?", raw)
    if m:
        year, month = int(m.group(1)), int(m.group(2) or 0)
        if month and not 1 <= month <= 12:
            raise UsageError(f"not a date: {text!r}")
        start = datetime(year, month or 1, 1, tzinfo=UTC)
        if not end:
            return start
        if month:
            nxt = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
        else:
            nxt = datetime(year + 1, 1, 1, tzinfo=UTC)
        return nxt - timedelta(seconds=1)
    value, status = parse_date(raw)
    if value is None:
        raise UsageError(f"not a date: {text!r} (try 2011-03-07, 2011-03 or 'March 7, 2011')")
    if end and re.fullmatch(r"[^:]*", raw):  # a day without a time: the whole day
        value = value.replace(hour=23, minute=59, second=59)
    return value


def _like(term: str) -> str:
    return "%" + term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def message_where(f: Filters, alias: str = "m") -> tuple[str, list]:
    """SQL conditions (AND-ed) for the filters, over ``messages`` aliased ``alias``."""
    conds: list[str] = []
    params: list = []

    def addr_cond(roles: Sequence[str], terms: list[str]) -> None:
        role_sql = ",".join(f"'{r}'" for r in roles)
        ors = []
        for term in terms:
            ors.append(
                f"EXISTS (SELECT 1 FROM addresses a WHERE a.message = {alias}.id AND a.role IN ({role_sql})"
                " AND (lower(a.email) LIKE ? ESCAPE '\\' OR lower(a.name) LIKE ? ESCAPE '\\' OR a.person = ?))"
            )
            params.extend([_like(term), _like(term), term])
        conds.append("(" + " OR ".join(ors) + ")")

    if f.sender:
        addr_cond(["from"], f.sender)
    if f.recipient:
        addr_cond(["to", "cc", "bcc"], f.recipient)
    if f.participant:
        addr_cond(["from", "to", "cc", "bcc"], f.participant)
    if f.person:
        ors = []
        for term in f.person:
            ors.append(f"EXISTS (SELECT 1 FROM addresses a WHERE a.message = {alias}.id AND a.person = ?)")
            params.append(term)
        conds.append("(" + " OR ".join(ors) + ")")
    if f.domain:
        ors = []
        for d in f.domain:
            d = d.lower().lstrip("@.")
            ors.append(
                f"EXISTS (SELECT 1 FROM addresses a WHERE a.message = {alias}.id"
                " AND (a.email LIKE ? ESCAPE '\\' OR a.email LIKE ? ESCAPE '\\'))"
            )
            params.extend(["%@" + d.replace("_", "\\_"), "%." + d.replace("_", "\\_")])
        conds.append("(" + " OR ".join(ors) + ")")
    if f.since:
        conds.append(f"{alias}.date >= ?")
        params.append(iso(f.since))
    if f.until:
        conds.append(f"{alias}.date <= ?")
        params.append(iso(f.until))
    for term in f.subject:
        conds.append(f"lower({alias}.subject) LIKE ? ESCAPE '\\'")
        params.append(_like(term))
    for term in f.contains:
        conds.append(f"(lower({alias}.body) LIKE ? ESCAPE '\\' OR lower({alias}.subject) LIKE ? ESCAPE '\\')")
        params.extend([_like(term), _like(term)])
    if f.thread:
        conds.append(f"{alias}.thread_id IN ({','.join('?' * len(f.thread))})")
        params.extend(f.thread)
    if not f.include_recovered:
        conds.append(f"{alias}.recovered = 0")
    if not f.include_duplicates:
        conds.append(f"{alias}.duplicate_of IS NULL")
    return (" AND ".join(conds) or "1"), params


def _addr_obj(name: str, email: str, redacted: str | None) -> Address:
    return Address(name, email, redacted)


def message_records(conn: sqlite3.Connection, ids: Sequence[str] | None = None, where: tuple[str, list] | None = None,
                    order: str = "m.date IS NULL, m.date, m.id", body: str = "none") -> Iterator[dict]:
    """Messages as the documented JSON records (see README "Machine-readable output").

    ``body``: "none", "new" (the author's own text) or "full".
    """
    if ids is not None:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            yield from _records(conn, f"m.id IN ({marks})", chunk, order, body)
        return
    sql, params = where or ("1", [])
    yield from _records(conn, sql, params, order, body)


def _records(conn: sqlite3.Connection, sql: str, params: list, order: str, body: str, batch: int = 500) -> Iterator[dict]:
    # The texts are read only when asked for: they are most of a row's bytes.
    texts = {"none": "'' AS new_text, '' AS body", "new": "x.new_text, '' AS body"}.get(body, "x.new_text, x.body")
    join = "" if body == "none" else " JOIN message_texts x ON x.message = m.rowid"
    cur = conn.execute(
        "SELECT m.id, m.message_id, m.in_reply_to, m.subject, m.date, m.date_status, m.thread_id, m.recovered,"
        " m.duplicate_of, m.inclusive, m.parent_id, m.reply_seconds, m.from_name, m.from_email, m.from_redacted,"
        f" m.defects, {texts} FROM messages m{join} WHERE {sql} ORDER BY {order}",
        params,
    )
    while True:
        rows = cur.fetchmany(batch)
        if not rows:
            return
        keys = [r["id"] for r in rows]
        marks = ",".join("?" * len(keys))
        addrs: dict[str, dict[str, list[Address]]] = defaultdict(lambda: {"to": [], "cc": [], "bcc": []})
        persons: dict[str, str | None] = {}
        for a in conn.execute(
            f"SELECT message, role, name, email, redacted, person FROM addresses WHERE message IN ({marks}) ORDER BY message, role, position",
            keys,
        ):
            if a["role"] == "from":
                persons[a["message"]] = a["person"]
                continue
            addrs[a["message"]][a["role"]].append(_addr_obj(a["name"], a["email"], a["redacted"]))
        sources: dict[str, list[dict]] = defaultdict(list)
        for s in conn.execute(
            f"SELECT message, path, locator, kind, provenance FROM sources WHERE message IN ({marks}) ORDER BY message, path, locator",
            keys,
        ):
            sources[s["message"]].append(
                {"path": s["path"], "locator": s["locator"], "kind": s["kind"], "provenance": json.loads(s["provenance"])}
            )
        atts: dict[str, list[dict]] = defaultdict(list)
        for a in conn.execute(
            f"SELECT message, name, content_type, size, sha256 FROM attachments WHERE message IN ({marks}) ORDER BY message, position",
            keys,
        ):
            atts[a["message"]].append({"name": a["name"], "content_type": a["content_type"], "size": a["size"], "sha256": a["sha256"]})
        reds: dict[str, list[dict]] = defaultdict(list)
        for a in conn.execute(f"SELECT message, field, code FROM redactions WHERE message IN ({marks})", keys):
            reds[a["message"]].append({"field": a["field"], "code": a["code"]})
        for r in rows:
            mid = r["id"]
            sender = _addr_obj(r["from_name"], r["from_email"], r["from_redacted"])
            a = addrs.get(mid, {"to": [], "cc": [], "bcc": []})
            rec = {
                "id": mid,
                "message_id": r["message_id"],
                "date": r["date"],
                "date_status": r["date_status"],
                "from": sender,
                "from_person": persons.get(mid),
                "to": a["to"],
                "cc": a["cc"],
                "bcc": a["bcc"],
                "subject": r["subject"],
                "thread": r["thread_id"],
                "in_reply_to": r["in_reply_to"],
                "parent": r["parent_id"],
                "reply_seconds": r["reply_seconds"],
                "recovered": bool(r["recovered"]),
                "duplicate_of": r["duplicate_of"],
                "inclusive": bool(r["inclusive"]),
                "attachments": atts.get(mid, []),
                "redactions": reds.get(mid, []),
                "defects": json.loads(r["defects"]),
                "sources": sources.get(mid, []),
            }
            if body == "new":
                rec["body"] = r["new_text"]
            elif body == "full":
                rec["body"] = r["body"]
                rec["new_text"] = r["new_text"]
            yield rec


def flat_message(rec: dict) -> dict:
    """A message record with address objects also given as readable labels, for tabular output."""
    out = dict(rec)
    out["from_label"] = rec["from"].label()
    out["to_label"] = [a.label() for a in rec["to"]]
    out["cc_label"] = [a.label() for a in rec["cc"]]
    out["source_paths"] = [s["path"] + (f" [{s['locator']}]" if s["locator"] else "") for s in rec["sources"]]
    flags = []
    if rec["recovered"]:
        flags.append("recovered")
    if rec["duplicate_of"]:
        flags.append("duplicate")
    if rec["date_status"] != "ok":
        flags.append(f"date {rec['date_status']}")
    if len(rec["sources"]) > 1:
        flags.append(f"{len(rec['sources'])} copies")
    out["flags"] = flags
    return out


def thread_ids_matching(conn: sqlite3.Connection, f: Filters) -> list[str] | None:
    """Threads with at least one message passing the filters (None: no filter, all threads)."""
    if f.empty():
        return None
    sql, params = message_where(f)
    return [r[0] for r in conn.execute(f"SELECT DISTINCT m.thread_id FROM messages m WHERE {sql} AND m.thread_id IS NOT NULL", params)]


def thread_records(conn: sqlite3.Connection, f: Filters | None = None, *, with_messages: bool = False,
                   sort: str = "first", ids: Iterable[str] | None = None) -> Iterator[dict]:
    wanted: list[str] | None
    if ids is not None:
        wanted = list(ids)
    else:
        wanted = thread_ids_matching(conn, f) if f is not None else None
    order = {
        "first": "t.first IS NULL, t.first, t.id",
        "last": "t.last IS NULL, t.last DESC, t.id",
        "messages": "t.messages DESC, t.first, t.id",
        "participants": "t.participants DESC, t.first, t.id",
        "subject": "lower(t.subject), t.id",
    }.get(sort)
    if order is None:
        raise UsageError(f"unknown sort {sort!r}")
    base = "SELECT t.* FROM threads t"
    if wanted is not None:
        rows: list[sqlite3.Row] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows.extend(conn.execute(f"{base} WHERE t.id IN ({','.join('?' * len(chunk))})", chunk))
        keymap = {"first": lambda r: (r["first"] is None, r["first"] or "", r["id"]),
                  "last": lambda r: (r["last"] is None, "" if r["last"] is None else _neg(r["last"]), r["id"]),
                  "messages": lambda r: (-r["messages"], r["first"] or "", r["id"]),
                  "participants": lambda r: (-r["participants"], r["first"] or "", r["id"]),
                  "subject": lambda r: (r["subject"].lower(), r["id"])}
        rows.sort(key=keymap[sort])
        if ids is not None:
            position = {t: i for i, t in enumerate(wanted)}
            rows.sort(key=lambda r: position.get(r["id"], 0))
        it: Iterable[sqlite3.Row] = rows
    else:
        it = conn.execute(f"{base} ORDER BY {order}")
    for r in it:
        rec = {
            "id": r["id"],
            "first": r["first"],
            "last": r["last"],
            "messages": r["messages"],
            "participants": r["participants"],
            "subject": r["subject"],
            "root": r["root"],
            "recovered": r["recovered"],
            "missing": r["missing"],
            "median_reply_seconds": r["median_reply_seconds"],
        }
        if with_messages:
            rec["message_list"] = list(message_records(conn, where=("m.thread_id = ?", [r["id"]])))
        yield rec


def _neg(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in text)


def problem_count(conn: sqlite3.Connection) -> int:
    """How many input items the index lists as problems."""
    return conn.execute("SELECT count(*) FROM problems").fetchone()[0]


__all__ = ["Filters", "parse_when", "message_where", "message_records", "problem_count", "thread_records", "flat_message"]
