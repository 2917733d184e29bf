"""How much of an index a touched-only re-threading would have to read again, for one new message.

    python bench/touched_region.py INDEX [--samples 20] [--seed 1] [--message ID ...]

For an exact result, re-threading only "where touched" must take in every message the threader
could compare with the new one, then everything those could be compared with, and so on, each
with its whole old thread. The threader compares a message with:

- the messages its Message-ID, In-Reply-To and References name, and those naming it;
- for each quoted message it holds: the messages of that quoted sender (any of the sender's keys)
  within the printed-date reach (14 h and slack; all of them when the quote has no date), and of
  the quote's subject within the same reach; the messages holding a quote of the same sender
  within that reach (two replies quoting one absent message share a recovered message);
- as a candidate: the messages holding a quote of its sender within that reach;
- the messages with the same reply subject within the subject window (14 days).

Messages of the index are taken in turn as if just added, and this closure is computed from the
index's inputs. Prints one JSON object: the region's size (messages and share of the index) for
each sample, and the median.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from foiatool.derive.steps import load_thread_inputs  # noqa: E402
from foiatool.derive.threads import (  # noqa: E402
    DATE_SLACK_SECONDS,
    MAX_OFFSET_SECONDS,
    SUBJECT_WINDOW,
    _sender_keys,
    _subject_key,
)
from foiatool.index import store  # noqa: E402

REACH = MAX_OFFSET_SECONDS + DATE_SLACK_SECONDS
SUBJECT_REACH = SUBJECT_WINDOW.total_seconds()


class Buckets:
    """Message numbers under a key, by timestamp; undated ones apart."""

    def __init__(self) -> None:
        self.dated: dict[str, list[tuple[float, int]]] = defaultdict(list)
        self.undated: dict[str, list[int]] = defaultdict(list)

    def add(self, key: str, ts: float | None, n: int) -> None:
        (self.undated[key].append(n) if ts is None else self.dated[key].append((ts, n)))

    def freeze(self) -> None:
        for entries in self.dated.values():
            entries.sort()

    def near(self, key: str, ts: float | None, reach: float) -> list[int]:
        entries = self.dated.get(key, [])
        if ts is None:
            found = [n for _, n in entries]
        else:
            found = [n for _, n in entries[bisect_left(entries, (ts - reach, -1)):bisect_right(entries, (ts + reach, 1 << 62))]]
        return found + self.undated.get(key, [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--message", action="append", default=[], help="take this message (index id) as the new one")
    args = parser.parse_args(argv)

    conn = store.connect(args.db, readonly=True)
    started = time.perf_counter()
    inputs = list(load_thread_inputs(conn))
    load_s = time.perf_counter() - started
    thread_of = {r[0]: r[1] for r in conn.execute("SELECT id, thread_id FROM messages WHERE recovered = 0")}
    members: dict[str, list[int]] = defaultdict(list)
    for n, m in enumerate(inputs):
        members[thread_of.get(m.id) or m.id].append(n)

    ts = [m.date.timestamp() if m.date is not None else None for m in inputs]
    by_message_id: dict[str, list[int]] = defaultdict(list)
    naming: dict[str, list[int]] = defaultdict(list)
    senders, quote_senders, subjects, quote_subjects = Buckets(), Buckets(), Buckets(), Buckets()
    for n, m in enumerate(inputs):
        if m.message_id:
            by_message_id[m.message_id].append(n)
        for ref in {*(m.references or []), *([m.in_reply_to] if m.in_reply_to else [])}:
            naming[ref].append(n)
        for key in _sender_keys(m.sender):
            senders.add(key, ts[n], n)
        subject = _subject_key(m.subject or "")
        if subject:
            subjects.add(subject, ts[n], n)
        for q in m.quoted:
            qts = q.date.timestamp() if q.date is not None else None
            for key in _sender_keys(q.sender):
                quote_senders.add(key, qts, n)
            qsubject = _subject_key(q.subject or "")
            if qsubject:
                quote_subjects.add(qsubject, qts, n)
    for b in (senders, quote_senders, subjects, quote_subjects):
        b.freeze()

    def neighbours(n: int) -> list[int]:
        m = inputs[n]
        out: list[int] = []
        if m.message_id:
            out += naming.get(m.message_id, [])
        for ref in {*(m.references or []), *([m.in_reply_to] if m.in_reply_to else [])}:
            out += by_message_id.get(ref, [])
        for key in _sender_keys(m.sender):
            out += quote_senders.near(key, ts[n], REACH)  # its sender quoted nearby: it may be that quote
        subject = _subject_key(m.subject or "")
        if subject:
            out += subjects.near(subject, ts[n], SUBJECT_REACH)
            out += quote_subjects.near(subject, ts[n], REACH)
        for q in m.quoted:
            qts = q.date.timestamp() if q.date is not None else None
            for key in _sender_keys(q.sender):
                out += senders.near(key, qts, REACH)
                out += quote_senders.near(key, qts, REACH)
            qsubject = _subject_key(q.subject or "") or subject
            if qsubject:
                out += subjects.near(qsubject, qts, REACH)
        return out

    def region(seed: int) -> int:
        seen = {seed}
        todo = [seed]
        while todo:
            n = todo.pop()
            # the new message brings no old thread of its own; every message it reaches brings its whole thread
            own = [] if n == seed else members[thread_of.get(inputs[n].id) or inputs[n].id]
            for other in [*own, *neighbours(n)]:
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return len(seen)

    if args.message:
        position = {m.id: n for n, m in enumerate(inputs)}
        picks = [position[mid] for mid in args.message]
    else:
        picks = random.Random(args.seed).sample(range(len(inputs)), min(args.samples, len(inputs)))
    started = time.perf_counter()
    sizes = [region(n) for n in picks]
    closure_s = (time.perf_counter() - started) / max(len(picks), 1)
    total = len(inputs)
    out = {
        "messages": total,
        "load_inputs_s": round(load_s, 2),
        "closure_s_per_sample": round(closure_s, 2),
        "region_messages": sizes,
        "region_share": [round(s / total, 4) for s in sizes],
        "median_share": round(statistics.median(s / total for s in sizes), 4),
        "min_share": round(min(sizes) / total, 4),
        "max_share": round(max(sizes) / total, 4),
    }
    json.dump(out, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
