"""Activity over time: messages per day/week/month, and quiet periods that break a usual rhythm."""
from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from itertools import pairwise

from ..index.query import Filters, message_where
from ..mail.dates import from_iso, is_utc, iso, to_zone

PERIODS = ("day", "week", "month", "year")
# The default period follows the span of the dates: the finest one that still gives a chart
# a person can take in (a few to a few dozen rows). Spans in days, inclusive upper bounds.
AUTO_PERIODS = ((31, "day"), (182, "week"), (366 * 8, "month"))
# A run of this many empty periods or more is drawn as one "... N quiet months ..." row.
FOLD_RUN = 4
# A silence is "quiet" when it is this many times the usual gap, and at least this long.
QUIET_FACTOR = 4.0
QUIET_MINIMUM = timedelta(days=3)
# Fewer dated messages than this give no usual rhythm to break.
QUIET_MIN_MESSAGES = 4


def period_start(when: datetime, by: str, tz: tzinfo | None) -> date:
    """The first day of the day/week (Monday)/month holding ``when`` in zone ``tz`` (None: the local zone)."""
    local = to_zone(when, tz)
    assert local is not None
    d = local.date()
    if by == "day":
        return d
    if by == "week":
        return d - timedelta(days=d.weekday())
    if by == "year":
        return d.replace(month=1, day=1)
    return d.replace(day=1)


def period_reader(by: str, tz: tzinfo | None) -> Callable[[str | None], date | None]:
    """The period (see period_start) of a date as the index stores it, ISO text in UTC (None
    for no date). In UTC a period follows from the day alone: each day's text is read once."""
    if not is_utc(tz):
        return lambda text: None if (when := from_iso(text)) is None else period_start(when, by, tz)
    periods: dict[str, date] = {}

    def read(text: str | None) -> date | None:
        if not text:
            return None
        day = text[:10]
        found = periods.get(day)
        if found is None:
            when = from_iso(text)
            assert when is not None
            found = periods[day] = period_start(when, by, tz)
        return found

    return read


def next_period(d: date, by: str) -> date:
    if by == "day":
        return d + timedelta(days=1)
    if by == "week":
        return d + timedelta(days=7)
    if by == "year":
        return date(d.year + 1, 1, 1)
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def period_label(d: date, by: str) -> str:
    if by == "year":
        return str(d.year)
    if by == "month":
        return d.strftime("%Y-%m")
    if by == "week":
        iso_week = d.isocalendar()
        return f"{iso_week[0]}-W{iso_week[1]:02d}"
    return d.isoformat()


def activity(conn: sqlite3.Connection, filters: Filters, by: str = "month", tz: tzinfo | None = None) -> list[dict]:
    """Counts per period over the filtered messages, empty periods included so gaps show.

    ``guessed`` counts the messages of a period whose date had to be guessed
    (no zone, a non-standard form, a printed date); messages with no date at
    all are counted in a last row whose period is ``undated``. A near-duplicate
    copy (``duplicate_of`` set) is the same message again and is not counted.
    """
    where, params = message_where(replace(filters, include_duplicates=False))
    counts: Counter[date] = Counter()
    guessed: Counter[date] = Counter()
    senders: dict[date, set[str]] = defaultdict(set)
    threads: dict[date, set[str]] = defaultdict(set)
    undated = 0
    period_of = period_reader(by, tz)
    for d, status, sender, thread in conn.execute(
        "SELECT m.date, m.date_status, coalesce(nullif(m.from_email, ''), lower(m.from_name)), m.thread_id"
        f" FROM messages m WHERE {where}",
        params,
    ):
        key = period_of(d)
        if key is None:
            undated += 1
            continue
        counts[key] += 1
        if status != "ok":
            guessed[key] += 1
        if sender:
            senders[key].add(sender)
        if thread:
            threads[key].add(thread)
    rows: list[dict] = []
    if counts:
        cur, end = min(counts), max(counts)
        while cur <= end:
            rows.append(
                {
                    "period": period_label(cur, by),
                    "start": cur.isoformat(),
                    "messages": counts.get(cur, 0),
                    "senders": len(senders.get(cur, ())),
                    "threads": len(threads.get(cur, ())),
                    "guessed": guessed.get(cur, 0),
                }
            )
            cur = next_period(cur, by)
    if undated:
        rows.append({"period": "undated", "start": None, "messages": undated, "senders": None, "threads": None, "guessed": None})
    return rows


def choose_period(dates: Sequence[datetime]) -> str:
    """The period a chart of these dates reads best in, from their span.

    The span is taken between the 1st and 99th percentile, so a handful of stray
    dates (a sender's clock decades off) do not turn months of mail into one bar.
    """
    ordered = sorted(dates)
    if not ordered:
        return "month"
    trim = len(ordered) // 100
    span = (ordered[-1 - trim] - ordered[trim]).days
    for longest, by in AUTO_PERIODS:
        if span <= longest:
            return by
    return "year"


def auto_period(conn: sqlite3.Connection, filters: Filters) -> str:
    """``choose_period`` over the dates of the filtered messages (near-duplicate copies once)."""
    where, params = message_where(replace(filters, include_duplicates=False))
    dates = [when for (d,) in conn.execute(f"SELECT m.date FROM messages m WHERE {where} AND m.date IS NOT NULL", params)
             if (when := from_iso(d)) is not None]
    return choose_period(dates)


def fold_quiet(rows: list[dict], by: str, run: int = FOLD_RUN) -> list[dict]:
    """The activity rows with each run of ``run`` or more empty periods folded into one row.

    A folded row has ``quiet`` (how many periods), ``start``/``end`` (the first and last of
    them) and a ``period`` that says it: ``... 14 quiet months ...``. Short silences stay
    as they are, since a missing week inside busy months is worth seeing.
    """
    out: list[dict] = []
    empty: list[dict] = []

    def flush() -> None:
        if len(empty) >= run:
            unit = by if len(empty) == 1 else by + "s"
            out.append({"period": f"... {len(empty)} quiet {unit} ...", "start": empty[0]["start"], "end": empty[-1]["start"],
                        "messages": 0, "senders": None, "threads": None, "guessed": None, "quiet": len(empty)})
        else:
            out.extend(empty)
        empty.clear()

    for row in rows:
        if row["period"] != "undated" and not row["messages"]:
            empty.append(row)
            continue
        flush()
        out.append(row)
    flush()
    return out


@dataclass(slots=True)
class QuietPeriod:
    start: datetime
    end: datetime
    usual_gap: timedelta

    @property
    def length(self) -> timedelta:
        return self.end - self.start


def quiet_periods(dates: list[datetime], factor: float = QUIET_FACTOR, minimum: timedelta = QUIET_MINIMUM) -> list[QuietPeriod]:
    """Silences within an active span much longer than its usual rhythm (median gap)."""
    ordered = sorted(dates)
    if len(ordered) < QUIET_MIN_MESSAGES:
        return []
    gaps = [b - a for a, b in pairwise(ordered)]
    positive = [g for g in gaps if g > timedelta(0)]
    if not positive:
        return []
    usual = _median(positive)
    threshold = max(usual * factor, minimum)
    return [QuietPeriod(a, b, usual) for a, b in pairwise(ordered) if b - a > threshold]


def _median(gaps: list[timedelta]) -> timedelta:
    """statistics.median's answer for timedeltas (its type hints only admit numbers)."""
    ordered = sorted(gaps)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _days(delta: timedelta) -> float:
    return round(delta.total_seconds() / 86400, 1)


def _quiet_rows(scope: str, key: str, name: str, trusted: list[datetime], guessed: list[datetime]) -> list[dict]:
    rows = []
    for q in quiet_periods(trusted):
        rows.append(
            {
                "scope": scope,
                "id": key,
                "name": name,
                "start": iso(q.start),
                "end": iso(q.end),
                "days": _days(q.length),
                "usual_gap_days": _days(q.usual_gap),
                "dated_messages": len(trusted),
                "guessed_in_gap": sum(1 for g in guessed if q.start < g < q.end),
            }
        )
    return rows


def quiet_period_rows(
    conn: sqlite3.Connection, filters: Filters, persons: Sequence[str] = (), threads: Sequence[str] = ()
) -> list[dict]:
    """Quiet periods of each named person and thread, or of every person and thread in the filtered messages.

    A person's rhythm is every message they sent or received, a thread's every
    message in it. Only dates read from a clean header (``ok``) set the rhythm
    and the gaps: a guessed date can be hours (or, for a day/month swap, weeks)
    off. A message with a guessed date that falls inside a gap is counted in
    ``guessed_in_gap`` (a recovered, withheld message often is one), so the
    reader sees that the silence may be broken. Near-duplicate copies are left
    out: a copy would be a zero gap that shortens the usual rhythm.
    """
    filters = replace(filters, include_duplicates=False)
    dated: dict[tuple[str, str], tuple[list[datetime], list[datetime]]] = defaultdict(lambda: ([], []))
    names: dict[tuple[str, str], str] = {}

    def add(key: tuple[str, str], d: str | None, status: str) -> None:
        when = from_iso(d)
        if when is not None:
            dated[key][0 if status == "ok" else 1].append(when)

    if persons or threads:
        for person in persons:
            where, params = message_where(replace(filters, person=[person], thread=[]))
            for d, status in conn.execute(f"SELECT m.date, m.date_status FROM messages m WHERE {where}", params):
                add(("person", person), d, status)
            dated.setdefault(("person", person), ([], []))
        for thread in threads:
            where, params = message_where(replace(filters, person=[], thread=[thread]))
            for d, status in conn.execute(f"SELECT m.date, m.date_status FROM messages m WHERE {where}", params):
                add(("thread", thread), d, status)
            dated.setdefault(("thread", thread), ([], []))
    else:
        where, params = message_where(filters)
        for person, d, status in conn.execute(
            "SELECT pm.person, m.date, m.date_status FROM messages m JOIN"
            " (SELECT DISTINCT message, person FROM addresses WHERE person IS NOT NULL) pm ON pm.message = m.id"
            f" WHERE {where}",
            params,
        ):
            add(("person", person), d, status)
        for thread, d, status in conn.execute(
            f"SELECT m.thread_id, m.date, m.date_status FROM messages m WHERE m.thread_id IS NOT NULL AND {where}", params
        ):
            add(("thread", thread), d, status)
    for scope, table, column in (("person", "people", "name"), ("thread", "threads", "subject")):
        wanted = [k for s, k in dated if s == scope]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for key, name in conn.execute(f"SELECT id, {column} FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                names[(scope, key)] = name
    out: list[dict] = []
    for key, (trusted, guessed) in dated.items():
        out.extend(_quiet_rows(key[0], key[1], names.get(key, ""), trusted, guessed))
    if not (persons or threads):
        # Every person and thread: the longest silences first.
        out.sort(key=lambda r: (-r["days"], r["scope"], r["id"], r["start"]))
    return out


def sparkline(values: list[int]) -> str:
    """A one-line chart (▁▂▃▄▅▆▇█) of monthly counts for the summary screen; a month with none is a space."""
    if not values:
        return ""
    blocks = "▁▂▃▄▅▆▇█"
    top = max(values) or 1
    return "".join(" " if v == 0 else blocks[min(len(blocks) - 1, (v * (len(blocks) - 1) + top - 1) // top)] for v in values)
