"""What a release implies but does not contain, each item with the evidence that points to it.

Kinds, in the order they are listed:

* ``referenced-not-produced``: a Message-ID named in In-Reply-To/References
  that no message in the release carries.
* ``quoted-only``: a message not produced whose text survives as quoted
  history in later messages (recovered), cited by the messages that quote it;
  a missing Message-ID that is this message's is listed here, not above.
* ``reply-without-parent``: a reply (In-Reply-To, or a RE:/AW:/SV: subject)
  whose parent is nowhere in the release, not even as a quote.
* ``attachment-named-absent``: an attachment named on a printed message's
  "Attachments:" line (the file itself is not in the release).
* ``attachment-mentioned-absent``: a message whose own text says something is
  attached but that carries no attachment.
* ``thread-silence`` / ``person-silence``: a silence far longer than the
  usual rhythm inside an active thread, or in one person's correspondence.
* ``bates-gap``: Bates numbers missing from a printed sequence.

Each row carries ``kind``, ``item``, ``detail``, ``evidence`` (the files,
places inside them and Bates numbers to cite) and ``messages`` (the ids involved).
"""
from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..index.query import Filters, message_where
from ..mail.dates import from_iso
from .timeline import QUIET_MINIMUM, QuietPeriod, quiet_periods

KINDS = (
    "referenced-not-produced",
    "quoted-only",
    "reply-without-parent",
    "attachment-named-absent",
    "attachment-mentioned-absent",
    "thread-silence",
    "person-silence",
    "bates-gap",
)
# Words that say a file was attached: a message saying so with no attachment is a gap.
_ATTACHED = re.compile(
    r"\b(?:attached (?:is|are|please find|you will find|file|document|memo|report|letter|spreadsheet|copy|draft|table|list)"
    r"|(?:is|are) attached|the attached\b|see attached|(?:please )?find attached|i(?:'ve| have) attached"
    r"|attachments?:[ \t]*\S)",
    re.IGNORECASE,
)
# "nothing is attached", "Attachments: none" say the opposite.
_NEGATION_BEFORE = re.compile(r"\b(?:no|not|nothing|never|without)\b[^.!?\n]{0,20}$", re.IGNORECASE)
_NOTHING_AFTER = re.compile(r"\s*(?:none|nothing|n/a)\b", re.IGNORECASE)
# Reply prefixes only: a forward without its original is not a missing parent.
_REPLY_SUBJECT = re.compile(r"^\s*(?:\[[^\]]{0,40}\]\s*)*(?:re|aw|sv|vs|antw|rif|r)\s*(?:\[\d+\]|\(\d+\))?\s*[:\uff1a]", re.IGNORECASE)
_QUOTED_IN = "quoted-in:"
# How many citing messages one row names before saying how many more there are.
_MAX_CITED = 5
_TRAILING_DIGITS = re.compile(r"(\d+)$")


class _Citations:
    """Where each message can be found, as text to cite; a recovered message is cited by the messages quoting it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._cites: dict[str, str] = {}
        self._labels: dict[str, str] = {}

    def label(self, message: str) -> str:
        if message not in self._labels:
            row = self.conn.execute(
                "SELECT date, from_name, from_email, from_redacted, subject FROM messages WHERE id=?", (message,)
            ).fetchone()
            if row is None:
                self._labels[message] = message
            else:
                date, name, email, redacted, subject = row
                who = name or email or (f"[redacted {redacted}]" if redacted else "unknown sender")
                self._labels[message] = f"{(date or 'undated')[:10]} {who}: {subject or '(no subject)'}"
        return self._labels[message]

    def places(self, message: str) -> list[str]:
        """Each place the message was found, its near-duplicate copies' included: path [locator] (Bates and other stamps)."""
        out = []
        for path, locator, provenance in self.conn.execute(
            "SELECT DISTINCT path, locator, provenance FROM sources WHERE message = ?"
            " OR message IN (SELECT id FROM messages WHERE duplicate_of = ?) ORDER BY path, locator",
            (message, message),
        ):
            if locator.startswith(_QUOTED_IN):
                continue
            place = path + (f" [{locator}]" if locator else "")
            stamps = json.loads(provenance or "[]")
            if stamps:
                place += " (" + ", ".join(stamps) + ")"
            out.append(place)
        return out

    def cite(self, message: str) -> str:
        """``label — places``, or for a recovered message the messages that quote it."""
        if message not in self._cites:
            places = self.places(message)
            if places:
                self._cites[message] = f"{self.label(message)} — {'; '.join(places)}"
            else:
                quoting = self.quoted_in(message)
                self._cites[message] = "; ".join(f"quoted in {self.cite(q)}" for q in quoting) or self.label(message)
        return self._cites[message]

    def quoted_in(self, message: str) -> list[str]:
        return [
            locator[len(_QUOTED_IN):]
            for (locator,) in self.conn.execute(
                "SELECT locator FROM sources WHERE message=? AND locator LIKE ? ORDER BY locator", (message, _QUOTED_IN + "%")
            )
        ]


def _several(cites: list[str]) -> str:
    text = "; ".join(cites[:_MAX_CITED])
    return text + (f"; and {len(cites) - _MAX_CITED} more" if len(cites) > _MAX_CITED else "")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _days(period: QuietPeriod) -> str:
    usual = period.usual_gap
    usual_text = _count(usual.days, "day") if usual.days >= 1 else _count(max(1, round(usual.total_seconds() / 3600)), "hour")
    return f"{_count(period.length.days, 'day')}; usual gap {usual_text}"


def gap_rows(conn: sqlite3.Connection, filters: Filters | None = None) -> Iterator[dict]:
    """Every gap among the messages ``filters`` select, in a stable order (see the module docstring).

    Bates gaps are about the release as a whole, not about messages, so they
    are listed only when no filter is given.
    """
    filters = filters or Filters()
    where, params = message_where(filters)
    cites = _Citations(conn)
    references = _references(conn)
    yield from _referenced(conn, references, where, params, cites)
    yield from _quoted_only(conn, references, where, params, cites)
    yield from _replies_without_parent(conn, references, where, params, cites)
    yield from _attachments(conn, where, params, cites)
    yield from _thread_silences(conn, filters, cites)
    yield from _person_silences(conn, filters, cites)
    if filters.empty():
        yield from _bates_gaps(conn, cites)


@dataclass(slots=True)
class _Reference:
    """A Message-ID the release names but no produced message carries, and who names it."""

    ref: str
    by: list[str]
    recovered: str | None = None  # the recovered message that is (or most probably is) the one referenced


def _references(conn: sqlite3.Connection) -> dict[str, _Reference]:
    """Every referenced Message-ID that no produced message carries, by id.

    Read from every copy's own headers (a duplicate copy's In-Reply-To is evidence
    too). A recovered message carrying the id is the referenced message; so is a
    recovered message, without an id, that the naming reply quotes as its parent:
    the reply's In-Reply-To and its quote describe the same message.
    """
    found: dict[str, _Reference] = {}
    for ref, by in conn.execute(
        "SELECT DISTINCT ref, id FROM ("
        " SELECT m.in_reply_to AS ref, m.id, m.date FROM messages m WHERE m.recovered = 0 AND m.in_reply_to IS NOT NULL"
        " AND m.in_reply_to != ''"
        " UNION SELECT r.value, m.id, m.date FROM messages m, json_each(m.refs) r WHERE m.recovered = 0)"
        " WHERE ref IS NOT NULL AND ref != ''"
        " AND NOT EXISTS (SELECT 1 FROM messages x WHERE x.message_id = ref AND x.recovered = 0)"
        " ORDER BY ref, date, id"
    ):
        found.setdefault(ref, _Reference(ref, [])).by.append(by)
    for reference in found.values():
        row = conn.execute("SELECT id FROM messages WHERE message_id = ? AND recovered = 1", (reference.ref,)).fetchone()
        if row:
            reference.recovered = row[0]
            continue
        for by in reference.by:
            row = conn.execute(
                "SELECT p.id FROM messages c JOIN messages p ON p.id = c.parent_id JOIN messages own ON own.id = ?"
                " WHERE c.id = coalesce(own.duplicate_of, own.id) AND own.in_reply_to = ? AND p.recovered = 1"
                " AND (p.message_id IS NULL OR p.message_id = '')",
                (by, reference.ref),
            ).fetchone()
            if row:
                reference.recovered = row[0]
                break
    return found


def _referenced(conn: sqlite3.Connection, references: dict[str, _Reference], where: str, params: list,
                cites: _Citations) -> Iterator[dict]:
    for ref in sorted(references):
        reference = references[ref]
        if reference.recovered:
            continue  # its text survives: listed once, as quoted-only, with this reference
        chosen = set(_chosen(conn, reference.by, where, params))
        bys = [b for b in reference.by if b in chosen]
        if not bys:
            continue
        detail = f"Message-ID referenced (In-Reply-To/References) by {len(bys)} message(s) but not in the release"
        stripped = _parent_without_id(conn, bys)
        if stripped:
            detail += (f"; the reply's parent in the release, {cites.label(stripped)}, has no Message-ID: "
                       "it may be this message with its headers stripped")
        yield {
            "kind": "referenced-not-produced",
            "item": f"<{ref}>",
            "detail": detail,
            "evidence": _several([f"referenced by {cites.cite(b)}" for b in bys]),
            "messages": bys,
        }


def _chosen(conn: sqlite3.Connection, ids: list[str], where: str, params: list) -> list[str]:
    """Those of ``ids`` the filters select."""
    marks = ",".join("?" * len(ids))
    return [r[0] for r in conn.execute(f"SELECT m.id FROM messages m WHERE m.id IN ({marks}) AND {where}", [*ids, *params])]


def _parent_without_id(conn: sqlite3.Connection, referencing: list[str]) -> str | None:
    for by in referencing:
        row = conn.execute(
            "SELECT p.id FROM messages own JOIN messages c ON c.id = coalesce(own.duplicate_of, own.id)"
            " JOIN messages p ON p.id = c.parent_id"
            " WHERE own.id = ? AND p.recovered = 0 AND (p.message_id IS NULL OR p.message_id = '')",
            (by,),
        ).fetchone()
        if row:
            return row[0]
    return None


def _canonical(conn: sqlite3.Connection, message: str) -> str:
    row = conn.execute("SELECT coalesce(duplicate_of, id) FROM messages WHERE id = ?", (message,)).fetchone()
    return row[0] if row else message


def _quoted_only(conn: sqlite3.Connection, references: dict[str, _Reference], where: str, params: list,
                 cites: _Citations) -> Iterator[dict]:
    named_as: dict[str, list[_Reference]] = defaultdict(list)
    for reference in references.values():
        if reference.recovered:
            named_as[reference.recovered].append(reference)
    for mid, message_id in conn.execute(
        f"SELECT m.id, m.message_id FROM messages m WHERE m.recovered = 1 AND {where} ORDER BY m.date IS NULL, m.date, m.id", params
    ):
        quoting = cites.quoted_in(mid)
        detail = f"Not produced, but quoted in {len(quoting)} later message(s): {cites.label(mid)}"
        evidence = [f"quoted in {cites.cite(q)}" for q in quoting]
        involved = [mid, *quoting]
        for reference in named_as.get(mid, []):
            how = "its Message-ID" if reference.ref == message_id else "most probably the Message-ID"
            detail += f"; {how} <{reference.ref}> is referenced by {len(reference.by)} message(s)"
            for by in reference.by:
                # A copy of a quoting message is cited already, with that message's places.
                if by not in involved and _canonical(conn, by) not in involved:
                    evidence.append(f"referenced by {cites.cite(by)}")
                if by not in involved:
                    involved.append(by)
        yield {
            "kind": "quoted-only",
            "item": mid,
            "detail": detail,
            "evidence": _several(evidence) or cites.label(mid),
            "messages": involved,
        }


def _replies_without_parent(conn: sqlite3.Connection, references: dict[str, _Reference], where: str, params: list,
                            cites: _Citations) -> Iterator[dict]:
    # A reply naming a Message-ID that is missing is listed with that reference already.
    naming = {by for reference in references.values() for by in reference.by}
    for mid, subject, in_reply_to in conn.execute(
        "SELECT m.id, m.subject, m.in_reply_to FROM messages m"
        " WHERE m.recovered = 0 AND m.duplicate_of IS NULL AND m.parent_id IS NULL"
        f" AND {where} ORDER BY m.date IS NULL, m.date, m.id",
        params,
    ):
        if mid in naming or (not in_reply_to and not _REPLY_SUBJECT.match(subject or "")):
            continue
        why = "answers a Message-ID" if in_reply_to else "its subject is a reply's"
        yield {
            "kind": "reply-without-parent",
            "item": mid,
            "detail": f"A reply ({why}) whose parent is not in the release, not even quoted: {cites.label(mid)}",
            "evidence": cites.cite(mid),
            "messages": [mid],
        }


def _attachments(conn: sqlite3.Connection, where: str, params: list, cites: _Citations) -> Iterator[dict]:
    # A printed page names the file on its "Attachments:" line; only the name reached the index.
    for mid, name in conn.execute(
        "SELECT a.message, a.name FROM attachments a JOIN messages m ON m.id = a.message"
        f" WHERE a.sha256 = '' AND a.size = 0 AND m.duplicate_of IS NULL AND {where}"
        " ORDER BY m.date IS NULL, m.date, m.id, a.position",
        params,
    ):
        yield {
            "kind": "attachment-named-absent",
            "item": name,
            "detail": f"Attachment named but absent: {name!r} is listed on {cites.label(mid)}, and the file is not in the release",
            "evidence": cites.cite(mid),
            "messages": [mid],
        }
    for mid, text in conn.execute(
        "SELECT m.id, x.new_text FROM messages m JOIN message_texts x ON x.message = m.rowid"
        " WHERE m.recovered = 0 AND m.duplicate_of IS NULL"
        f" AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.message = m.id) AND {where}"
        " ORDER BY m.date IS NULL, m.date, m.id",
        params,
    ):
        hit = _says_attached(text or "")
        if hit:
            yield {
                "kind": "attachment-mentioned-absent",
                "item": mid,
                "detail": f"Says {hit.group(0)!r} but carries no attachment: {cites.label(mid)}",
                "evidence": cites.cite(mid),
                "messages": [mid],
            }


def _says_attached(text: str) -> re.Match[str] | None:
    for hit in _ATTACHED.finditer(text):
        if _NEGATION_BEFORE.search(text, max(0, hit.start() - 30), hit.start()):
            continue
        if hit.group(0).lower().startswith("attachment") and _NOTHING_AFTER.match(text, hit.end() - 1):
            continue
        return hit
    return None


def _silence_row(kind: str, item: str, what: str, period: QuietPeriod, before: str, after: str, cites: _Citations) -> dict:
    return {
        "kind": kind,
        "item": item,
        "detail": f"{what} silent from {period.start:%Y-%m-%d} to {period.end:%Y-%m-%d} ({_days(period)})",
        "evidence": f"last before: {cites.cite(before)}; first after: {cites.cite(after)}",
        "messages": [before, after],
    }


def _silences(dated: list[tuple[datetime, str]], minimum: timedelta = QUIET_MINIMUM) -> Iterator[tuple[QuietPeriod, str, str]]:
    """Each quiet period in ``dated`` (date, message id) with the messages either side of it."""
    dated.sort()
    first_at: dict[datetime, str] = {}
    last_at: dict[datetime, str] = {}
    for when, mid in dated:
        first_at.setdefault(when, mid)
        last_at[when] = mid
    for period in quiet_periods([when for when, _ in dated], minimum=minimum):
        yield period, last_at[period.start], first_at[period.end]


# One person's mail in a release is a sample (whose mailboxes were searched): a weekend or a
# few days away is ordinary, so only a silence of more than a week is listed.
PERSON_QUIET_MINIMUM = timedelta(days=7)
# Only dates read from a clean header: a guessed date could make or hide a silence.
_DATED = "m.recovered = 0 AND m.duplicate_of IS NULL AND m.date_status = 'ok' AND m.date IS NOT NULL"


def _in_window(period: QuietPeriod, filters: Filters) -> bool:
    return (filters.since is None or period.end >= filters.since) and (filters.until is None or period.start <= filters.until)


# A silence is measured over all of a thread's or a person's mail (leaving messages out would
# make silences of its own); filters choose which threads and people are looked at.
def _thread_silences(conn: sqlite3.Connection, filters: Filters, cites: _Citations) -> Iterator[dict]:
    where, params = message_where(filters)
    chosen = {r[0] for r in conn.execute(f"SELECT DISTINCT m.thread_id FROM messages m WHERE {where}", params)}
    by_thread: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    subjects = dict(conn.execute("SELECT id, subject FROM threads"))
    for tid, mid, d in conn.execute(f"SELECT m.thread_id, m.id, m.date FROM messages m WHERE {_DATED} AND m.thread_id IS NOT NULL"):
        when = from_iso(d)
        if when is not None and tid in chosen:
            by_thread[tid].append((when, mid))
    for tid in sorted(by_thread):
        for period, before, after in _silences(by_thread[tid]):
            if not _in_window(period, filters):
                continue
            what = f"Thread {tid} ({subjects.get(tid) or 'no subject'})"
            yield _silence_row("thread-silence", tid, what, period, before, after, cites)


def _person_silences(conn: sqlite3.Connection, filters: Filters, cites: _Citations) -> Iterator[dict]:
    where, params = message_where(filters)
    chosen = {r[0] for r in conn.execute(
        f"SELECT DISTINCT a.person FROM addresses a JOIN messages m ON m.id = a.message WHERE a.person IS NOT NULL AND {where}",
        params,
    )}
    by_person: dict[str, dict[str, datetime]] = defaultdict(dict)
    for person, mid, d in conn.execute(
        "SELECT DISTINCT a.person, m.id, m.date FROM addresses a JOIN messages m ON m.id = a.message"
        f" WHERE a.person IS NOT NULL AND {_DATED}"
    ):
        when = from_iso(d)
        if when is not None and person in chosen:
            by_person[person][mid] = when
    names = dict(conn.execute("SELECT id, name FROM people"))
    for person in sorted(by_person):
        dated = [(when, mid) for mid, when in by_person[person].items()]
        for period, before, after in _silences(dated, PERSON_QUIET_MINIMUM):
            if not _in_window(period, filters):
                continue
            what = f"Correspondence of {names.get(person) or person} ({person})"
            yield _silence_row("person-silence", person, what, period, before, after, cites)


_PAGE_SPAN = re.compile(r"pages? (\d+)(?:-(\d+))?\]?$")


def _narrowest(found: list[tuple[str, str]]) -> str:
    """The place that pins a stamp down best: the source spanning the fewest pages."""

    def pages(place: str) -> int:
        span = _PAGE_SPAN.search(place)
        return int(span.group(2) or span.group(1)) - int(span.group(1)) if span else 0

    return min((place for _, place in found), key=lambda place: (pages(place), place))


def _bates_gaps(conn: sqlite3.Connection, cites: _Citations) -> Iterator[dict]:
    from ..mail.marks.provenance import bates_gaps, bates_number

    where_found: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    widths: dict[str, int] = {}
    stamps: set[str] = set()
    for message, path, locator, provenance in conn.execute(
        "SELECT message, path, locator, provenance FROM sources WHERE provenance != '[]' ORDER BY path, locator, message"
    ):
        for stamp in json.loads(provenance):
            parsed = bates_number(stamp)
            if parsed is None:
                continue
            stamps.add(stamp)
            where_found[parsed].append((message, path + (f" [{locator}]" if locator else "")))
            digits = _TRAILING_DIGITS.search(stamp)
            if digits:
                widths[parsed[0]] = max(widths.get(parsed[0], 0), len(digits.group(1)))
    for prefix, low, high in bates_gaps(stamps):
        width = widths.get(prefix, 0)

        def number(n: int, prefix: str = prefix, width: int = width) -> str:
            return f"{prefix}{n:0{width}d}"

        item = number(low) if low == high else f"{number(low)}–{number(high)}"
        count = high - low + 1
        before, after = where_found[prefix, low - 1], where_found[prefix, high + 1]


        yield {
            "kind": "bates-gap",
            "item": item,
            "detail": f"{count} Bates number{'s' if count > 1 else ''} missing from the sequence: "
                      f"{number(low - 1)} is followed by {number(high + 1)}",
            "evidence": f"{number(low - 1)} on {_narrowest(before)}; {number(high + 1)} on {_narrowest(after)}",
            "messages": list(dict.fromkeys(message for message, _ in before + after)),
        }
