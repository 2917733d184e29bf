"""Recovered messages: a quote matching nothing in the dump becomes a message of its own, its printed date put in UTC by the printer's zone."""
from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING

from ...model import Message, Source
from ..dedupe import strip_reply_prefixes
from .records import _Node, _sender_keys, _subject_key

if TYPE_CHECKING:
    from ...mail.quoting import QuotedMessage
    from .tree import Forest


def recover(forest: Forest, quote: QuotedMessage, reply: _Node, depth: int) -> _Node:
    node_id = f"rq:{len(forest.recovered_nodes):08d}"
    subject = quote.subject or ""
    defects = []
    if not subject and reply.subject:
        # "On ..., X wrote:" quotes print no subject; the reply's, less its prefix, is the best guess.
        subject = strip_reply_prefixes(reply.subject)
        defects.append("subject taken from the reply that quoted it")
    node = _Node(
        id=node_id,
        kind="recovered",
        date=quote.date,
        date_status="guessed" if quote.date is not None else "missing",
        subject=subject,
        subject_key=_subject_key(subject) or reply.subject_key,
        sender=quote.sender,
        to=list(quote.to or []),
        cc=list(quote.cc or []),
        text=reply.level(depth),
        quoted=list(reply.quoted[depth + 1:]),
        printer=_printer_key(reply),
        defects=defects,
    )
    if quote.date is not None and quote.date_status == "ok":
        node.date_status = "ok"
    forest.nodes[node_id] = node
    forest.recovered_nodes.append(node)
    return node

def add_quote_source(node: _Node, reply: _Node) -> None:
    if node.kind != "recovered" or node.from_input:
        return
    locator = f"quoted-in:{reply.id}"
    if node.sources is None:
        node.sources = []
    if not any(s.locator == locator for s in node.sources):
        node.sources.append(Source(path=reply.path, locator=locator, kind="quote"))



def convert_recovered_dates(forest: Forest) -> None:
    """Printed dates of recovered messages to UTC, by the offset the same reader's quotes showed."""
    for votes in forest.offset_votes.values():
        votes.sort()  # gathered in reading order; looked up by time
    overall: Counter[float] = Counter(o for votes in forest.offset_votes.values() for _, o in votes)
    common = max(overall.items(), key=lambda kv: (kv[1], -abs(kv[0]), kv[0]))[0] if overall else None
    for node in forest.recovered_nodes:
        if node.date is None or node.date_status == "ok":
            continue
        offset = _nearest_offset(forest.offset_votes.get(node.printer), node.date.timestamp())
        if offset is None:
            offset = common
        if node.defects is None:
            node.defects = []
        if offset is not None:
            node.date = node.date - timedelta(seconds=offset)
            node.defects.append(
                f"printed date had no zone; taken as UTC{_offset_text(offset)} from other quotes printed by the same reader"
            )
        else:
            node.defects.append("printed date had no zone; taken as UTC")



def finalise_recovered(forest: Forest) -> list[tuple[_Node, Message]]:
    """Recovered messages as Message records."""
    out = []
    for node in forest.recovered_nodes:
        if node.id not in forest.nodes:
            continue
        date = node.date
        quoted_body = node.text.raw
        message = Message(
            message_id=node.message_id,
            subject=node.subject,
            sender=node.sender,
            to=list(node.to),
            cc=list(node.cc),
            date=date,
            date_status="guessed" if date is not None and node.date_status != "ok" else node.date_status,  # type: ignore[arg-type]
            body=quoted_body,
            sources=sorted(node.sources or [], key=lambda s: (s.path, s.locator)),
            recovered=True,
            defects=list(node.defects or []),
        )
        out.append((node, message))
    return out


def _offset_text(offset: float) -> str:
    minutes = int(round(offset / 60))
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _nearest_offset(votes: list[tuple[float, float]] | None, when: float) -> float | None:
    """The zone offset this printer used nearest in time (so daylight saving is followed)."""
    if not votes:
        return None
    index = bisect_left(votes, (when, float("-inf")))
    near = [votes[i] for i in (index - 1, index) if 0 <= i < len(votes)]
    return min(near, key=lambda v: (abs(v[0] - when), v[1]))[1]


def _identifiable(quote: QuotedMessage) -> bool:
    """Whether a quote says who wrote it or when: the least a recovered message must carry."""
    sender = quote.sender
    return quote.date is not None or (sender is not None and bool(sender.name or sender.email or sender.redacted))


def _printer_key(reply: _Node) -> str:
    keys = _sender_keys(reply.sender)
    return keys[0] if keys else ""
