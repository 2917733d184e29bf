"""Activity over time: messages per day/week/month, and quiet periods that break a usual rhythm."""
from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from statistics import median

from ..dates import from_iso
from ..query import Filters, message_where

PERIODS = ("day", "week", "month")
# A silence is "quiet" when it is this many times the usual gap, and at least this long.
QUIET_FACTOR = 4.0
QUIET_MINIMUM = timedelta(days=3)


def period_start(when: datetime, by: str, tz: tzinfo | None) -> date:
    local = when.astimezone(tz) if tz is not None else when.astimezone(timezone.utc)
    d = local.date()
    if by == "day":
        return d
    if by == "week":
        return d - timedelta(days=d.weekday())
    return d.replace(day=1)


def next_period(d: date, by: str) -> date:
    if by == "day":
        return d + timedelta(days=1)
    if by == "week":
        return d + timedelta(days=7)
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def period_label(d: date, by: str) -> str:
    if by == "month":
        return d.strftime("%Y-%m")
    if by == "week":
        iso = d.isocalendar()
        return f"{iso[0]}-W{iso[1]:02d}"
    return d.isoformat()


def activity(conn: sqlite3.Connection, filters: Filters, by: str = "month", tz: tzinfo | None = None) -> list[dict]:
    """Counts per period over the filtered messages, empty periods included so gaps show."""
    where, params = message_where(filters)
    counts: Counter[date] = Counter()
    senders: dict[date, set[str]] = defaultdict(set)
    threads: dict[date, set[str]] = defaultdict(set)
    undated = 0
    for mid, d, sender, thread in conn.execute(
        f"SELECT m.id, m.date, coalesce(nullif(m.from_email, ''), lower(m.from_name)), m.thread_id FROM messages m WHERE {where}",
        params,
    ):
        when = from_iso(d)
        if when is None:
            undated += 1
            continue
        key = period_start(when, by, tz)
        counts[key] += 1
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
                }
            )
            cur = next_period(cur, by)
    if undated:
        rows.append({"period": "undated", "start": None, "messages": undated, "senders": None, "threads": None})
    return rows


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
    if len(ordered) < 4:
        return []
    gaps = [b - a for a, b in zip(ordered, ordered[1:])]
    positive = [g for g in gaps if g > timedelta(0)]
    if not positive:
        return []
    usual = median(positive)
    threshold = max(usual * factor, minimum)
    return [QuietPeriod(a, b, usual) for a, b in zip(ordered, ordered[1:]) if b - a > threshold]


def dated_messages(conn: sqlite3.Connection, filters: Filters) -> list[datetime]:
    """Dates of the filtered messages whose dates are trustworthy (guessed dates stay out)."""
    where, params = message_where(filters)
    out = []
    for (d,) in conn.execute(f"SELECT m.date FROM messages m WHERE {where} AND m.date_status = 'ok'", params):
        when = from_iso(d)
        if when is not None:
            out.append(when)
    return out


def sparkline(values: list[int]) -> str:
    """A one-line chart (▁▂▃▄▅▆▇█) of monthly counts for the summary screen."""
    if not values:
        return ""
    blocks = "▁▂▃▄▅▆▇█"
    top = max(values) or 1
    return "".join(" " if v == 0 else blocks[min(len(blocks) - 1, (v * (len(blocks) - 1) + top - 1) // top)] for v in values)
