"""Pass 3, subject links, last and bounded: a reply-form subject joins an earlier thread only with shared people and within days."""
from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ..dedupe import is_reply_subject
from ..unionfind import UnionFind
from .records import SUBJECT_WINDOW, _date_sort_key, _Node, _sender_keys

if TYPE_CHECKING:
    from .tree import Forest


def thread_by_subject(forest: Forest) -> None:
    # Only a message left without a parent, dated, with a reply-form subject and someone
    # named on it may join by subject; threads are worked out only for the subjects they use.
    candidates = sorted(
        (
            node for node in (*forest.order, *(n for n in forest.recovered_nodes if n.id in forest.nodes))
            if node.id not in forest.parent and node.date is not None and node.subject_key
            and is_reply_subject(node.subject) and _participants(node)
        ),
        key=_date_sort_key,
    )
    if not candidates:
        return
    wanted = {node.subject_key for node in candidates}
    sets = UnionFind()
    find = sets.find
    for child, parent in forest.parent.items():
        # the parent's root stays: components are keyed by it below
        sets.attach(find(child), find(parent))
    members: dict[str, list[str]] = {}
    for node_id in forest.nodes:
        members.setdefault(find(node_id), []).append(node_id)
    info: dict[str, _Component] = {}
    by_subject: dict[str, list[tuple[float, str]]] = {}
    for comp, ids in members.items():
        if not any(forest.nodes[node_id].subject_key in wanted for node_id in ids):
            continue
        component = _Component()
        for node_id in ids:
            component.add(forest.nodes[node_id])
        info[comp] = component
        if component.first is None:
            continue  # nothing dated: no time window to join in
        for key in component.subjects:
            by_subject.setdefault(key, []).append((component.first.timestamp(), comp))
    for entries in by_subject.values():
        entries.sort()
    # Candidates come in date order, so a thread whose window has closed stays closed:
    # each subject keeps only the threads that have started and are still open.
    admitted: dict[str, int] = {}
    open_threads: dict[str, list[str]] = {}
    for node in candidates:
        assert node.date is not None
        people = _participants(node)
        # a reply without a quote answers someone who wrote to its sender
        answers = {(r, s) for s, r in _exchanges(node)}
        key = node.subject_key
        entries = by_subject.get(key, [])
        when = node.date.timestamp()
        start = admitted.get(key, 0)
        stop = bisect_right(entries, (when, "\uffff"), lo=start)
        still_open = open_threads.setdefault(key, [])
        still_open.extend(comp for _, comp in entries[start:stop])
        admitted[key] = stop
        own = find(node.id)
        best: tuple[tuple[bool, float], str] | None = None
        keep: list[str] = []
        seen: set[str] = set()
        for comp_ref in still_open:
            comp = find(comp_ref)
            if comp in seen:
                continue
            seen.add(comp)
            component = info[comp]
            if component.last is None or node.date > component.last + SUBJECT_WINDOW:
                continue  # closed for good
            keep.append(comp)
            shared = len(people & component.people)
            if comp == own or not shared:
                continue
            latest = component.latest_before(node.date)
            if latest is None:
                continue
            rank = (bool(answers & component.exchanges), latest.timestamp())
            if best is None or rank > best[0] or (rank == best[0] and comp < best[1]):
                best = (rank, comp)
        open_threads[key] = keep
        if best is None:
            continue
        comp = best[1]
        target = _subject_parent(forest, members[comp], node)
        if target is None or not forest.link(target, node.id, "subject"):
            continue
        sets.attach(own, comp)
        members[comp].extend(members.pop(own))
        info[comp].merge(info.pop(own))

def _subject_parent(forest: Forest, ids: list[str], node: _Node) -> str | None:
    """The thread member this message most plausibly answers: the latest earlier one of its
    subject, preferring one whose sender it addresses."""
    assert node.date is not None
    addressed = {k for a in [*node.to, *node.cc] for k in _sender_keys(a)}
    best: tuple[tuple, str] | None = None
    for node_id in ids:
        member = forest.nodes[node_id]
        if member.kind == "placeholder" or member.date is None or member.date > node.date:
            continue
        speaks_to = bool(addressed & set(_sender_keys(member.sender)))
        rank = (member.subject_key == node.subject_key, speaks_to, member.date, node_id)
        if best is None or rank > best[0]:
            best = (rank, node_id)
    return best[1] if best else None



@dataclass(slots=True)
class _Component:
    """What the subject pass needs of a thread so far: its people, subjects and dates."""

    people: set[str] = field(default_factory=set)
    subjects: set[str] = field(default_factory=set)
    members: list[_Node] = field(default_factory=list)
    known_exchanges: set[tuple[str, str]] | None = None
    dates: list[datetime] = field(default_factory=list)

    @property
    def first(self) -> datetime | None:
        return self.dates[0] if self.dates else None

    @property
    def last(self) -> datetime | None:
        return self.dates[-1] if self.dates else None

    def add(self, node: _Node) -> None:
        if node.kind == "placeholder":
            return
        self.people |= _participants(node)
        self.members.append(node)
        self.known_exchanges = None
        if node.subject_key:
            self.subjects.add(node.subject_key)
        if node.date is not None:
            insort(self.dates, node.date)

    def merge(self, other: _Component) -> None:
        self.people |= other.people
        self.members.extend(other.members)
        self.known_exchanges = None
        self.subjects |= other.subjects
        self.dates = sorted(self.dates + other.dates)

    @property
    def exchanges(self) -> set[tuple[str, str]]:
        """Who wrote to whom in this thread; worked out only for threads a message may join."""
        if self.known_exchanges is None:
            self.known_exchanges = set().union(*(_exchanges(n) for n in self.members))
        return self.known_exchanges

    def latest_before(self, when: datetime) -> datetime | None:
        index = bisect_right(self.dates, when)
        return self.dates[index - 1] if index else None


def _participants(node: _Node) -> set[str]:
    """Every key the sender and recipients can be known by (a printed "Last, First" meets its address)."""
    return {key for address in [node.sender, *node.to, *node.cc] for key in _sender_keys(address)}


def _exchanges(node: _Node) -> set[tuple[str, str]]:
    """(sender key, recipient key) for each recipient: who wrote to whom."""
    senders = _sender_keys(node.sender)
    return {(s, r) for address in [*node.to, *node.cc] for r in _sender_keys(address) for s in senders}
