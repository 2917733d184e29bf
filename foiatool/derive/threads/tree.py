"""The reply tree under construction: the nodes made from the inputs (near-duplicates merged) and the edits every pass makes to it."""
from __future__ import annotations

from collections.abc import Iterable

from ...mail.message_ids import clean_message_id
from ...model import PRINTED_KINDS
from ..dedupe import find_near_duplicates
from .records import (
    ThreadInput,
    _Copy,
    _date_sort_key,
    _Node,
    _reaches,
    _subject_key,
    _Text,
)


def _input_node(message: ThreadInput) -> _Node:
    message_id = clean_message_id(message.message_id)
    return _Node(
        id=message.id,
        kind="recovered" if message.recovered else "message",
        date=message.date,
        date_status=message.date_status,
        subject=message.subject or "",
        subject_key=_subject_key(message.subject or ""),
        sender=message.sender,
        to=message.to,
        cc=message.cc,
        text=_Text(message.new_text or ""),
        quoted=message.quoted or [],
        # the header's own string when it needed no cleaning: every reference to it shares it
        message_id=message.message_id if message_id == message.message_id else message_id,
        path=message.sources[0].path if message.sources else "",
        from_input=True,
        references=message.references or [],
        in_reply_to=message.in_reply_to,
        printed=any(source.kind in PRINTED_KINDS for source in message.sources),
    )


class Forest:
    """The nodes and the reply tree the passes build: parent and children links, placeholders, conflicts."""

    def __init__(self, messages: Iterable[ThreadInput]) -> None:
        # Each input becomes a node as it is read, keeping only what linking needs (sharing the
        # input's text and lists, never changed here), so inputs streamed in are freed at once.
        read: dict[str, _Node] = {}
        copies: dict[str, _Copy] = {}
        for message in messages:
            if message.id in read:
                continue  # the index already merged copies with one id
            copies[message.id] = _Copy(message.id, message.message_id, message.subject, message.sender,
                                       message.date, message.date_status, message.new_text)
            read[message.id] = _input_node(message)
        ids = sorted(read)
        self.near_duplicates = find_near_duplicates([copies[k] for k in ids])
        self.nodes: dict[str, _Node] = {k: read[k] for k in ids if k not in self.near_duplicates}
        del ids, read
        self.parent: dict[str, str] = {}
        self.children: dict[str, list[str]] = {}
        self.how: dict[str, str] = {}
        self.placeholders: dict[str, list[str]] = {}
        self.id_conflicts: dict[str, list[str]] = {}
        self.owner: dict[str, str] = {}
        self.absorbed_placeholders: dict[str, str] = {}
        for duplicate, canonical in self.near_duplicates.items():  # in id order: the first copy's id wins
            message_id = copies[duplicate].message_id
            if message_id and self.nodes[canonical].message_id is None:
                self.nodes[canonical].message_id = clean_message_id(message_id)
        del copies
        self.order = sorted(self.nodes.values(), key=_date_sort_key)
        self.recovered_nodes: list[_Node] = []
        # printer -> (UTC timestamp, offset) of each quote matched to a dated message
        self.offset_votes: dict[str, list[tuple[float, float]]] = {}

    # -------------------------------------------------------------- tree edits
    def would_loop(self, parent: str, child: str) -> bool:
        """Whether making ``parent`` the parent of ``child`` would close a loop."""
        return _reaches(self.parent, parent, child)

    def link(self, parent: str, child: str, how: str) -> bool:
        if parent == child or self.would_loop(parent, child):
            return False
        old = self.parent.get(child)
        if old is not None:
            self.children[old].remove(child)
        self.parent[child] = parent
        self.children.setdefault(parent, []).append(child)
        self.how[child] = how
        return True


    def unlink(self, child: str) -> None:
        old = self.parent.pop(child, None)
        if old is not None:
            self.children[old].remove(child)
        self.how.pop(child, None)
