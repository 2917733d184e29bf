"""Rebuilding reply threads: header links (JWZ), quoted-history links and recovery, guarded subject grouping.

Links are made in three passes, each only for messages the previous pass left
without a parent:

1. **Headers.** Jamie Zawinski's algorithm over Message-ID / References /
   In-Reply-To. Referenced-but-absent Message-IDs become placeholder nodes
   (``"ph:<message-id>"``); loops and self-references are broken; a junk
   In-Reply-To loses to the last References entry; two different messages
   carrying one Message-ID are kept apart and reported. JWZ's subject merge
   is not done here.
2. **Quoted history.** A reply's first quoted message describes its parent.
   It is matched to a message in the dump by sender ("Morton, John" against
   john.morton@ice.dhs.gov), date (printed in some local time without a zone:
   any quarter-hour offset within ±14 h, minute precision), subject without
   RE:/FW: prefixes, and text (whitespace- and redaction-mark-insensitive).
   When no message matches, the quote becomes a *recovered* message; deeper
   quoted levels become its parent in turn, so one withheld message quoted by
   three replies is one recovered message with three sources.
3. **Subject, last resort.** A message still without a parent joins a thread
   of the same normalised subject only when its subject is a reply/forward
   form, it shares a participant with the thread, and it falls between the
   thread's first message and 14 days after its last. A recurring subject
   ("Weekly statistics") therefore never glues unrelated threads.

Near-duplicates (see :mod:`foiatool.dedupe`) are merged into one node, the
canonical copy (smallest id); the others are listed in
``ThreadingResult.near_duplicates`` and mapped in ``thread_of`` to the same
thread, but are not graph nodes.
"""
from __future__ import annotations

import gc
import hashlib
import re
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from functools import lru_cache
from typing import TYPE_CHECKING

import networkx as nx

from ..mail.addresses import name_matches_address, normalise_name
from ..model import Address, Message, Source
from .dedupe import (
    comparable_text,
    find_near_duplicates,
    folded_text,
    is_reply_subject,
    strip_reply_prefixes,
    subject_key,
)

if TYPE_CHECKING:
    from ..mail.quoting import QuotedMessage

PLACEHOLDER_PREFIX = "ph:"
# A printed date may be in any zone from UTC-12 to UTC+14; quarter hours cover Nepal and Chatham too.
MAX_OFFSET_SECONDS = 14 * 3600
OFFSET_STEP_SECONDS = 15 * 60
# Printed dates drop the seconds; allow for that plus a little clock skew.
DATE_SLACK_SECONDS = 150
TEXT_SIMILARITY = 0.8
SUBJECT_WINDOW = timedelta(days=14)
# Threads larger than this check containment (inclusive flags) against descendants only.
_INCLUSIVE_ALL_PAIRS_LIMIT = 300


@dataclass(slots=True)
class ThreadInput:
    """What the threader needs of one stored message."""

    id: str
    message_id: str | None
    in_reply_to: str | None
    references: list[str]
    subject: str
    sender: Address | None
    to: list[Address]
    cc: list[Address]
    date: datetime | None
    date_status: str
    new_text: str
    quoted: list[QuotedMessage]
    sources: list[Source]
    recovered: bool = False


@dataclass(slots=True)
class Thread:
    id: str
    message_ids: list[str]
    root: str
    subject: str
    first: datetime | None
    last: datetime | None


@dataclass(slots=True)
class ThreadingResult:
    graph: nx.DiGraph
    threads: list[Thread]
    thread_of: dict[str, str]
    recovered: list[Message]
    placeholders: dict[str, list[str]]
    near_duplicates: dict[str, str]
    id_conflicts: dict[str, list[str]]
    inclusive: set[str]


def thread_input(message: Message) -> ThreadInput:
    """A parsed message as the threader takes it, its body split into new text and quoted history."""
    from ..mail.quoting import split_quoted

    split = split_quoted(message.body)
    return ThreadInput(
        id=message.id,
        message_id=message.message_id,
        in_reply_to=message.in_reply_to,
        references=list(message.references),
        subject=message.subject,
        sender=message.sender,
        to=list(message.to),
        cc=list(message.cc),
        date=message.date,
        date_status=message.date_status,
        new_text=split.new_text,
        quoted=list(split.quoted),
        sources=list(message.sources),
        recovered=message.recovered,
    )


# ------------------------------------------------------------------ Message-IDs

_ID_TOKEN = re.compile(r"<\s*([^<>\s]+?)\s*>|([^\s<>,;\"'()]+@[^\s<>,;\"'()]+)")


def message_ids_in(text: str | None) -> list[str]:
    """The Message-IDs in a header value, in order: bracketed ones, or bare ``x@y`` tokens."""
    if not text:
        return []
    found = []
    for match in _ID_TOKEN.finditer(text):
        value = (match.group(1) or match.group(2) or "").strip()
        if value:
            found.append(value)
    return found


# A value without brackets, spaces or separators is its own Message-ID, whatever else it holds.
_ID_BREAK = re.compile(r"[\s<>,;\"'()]")


def clean_message_id(value: str | None) -> str | None:
    """One Message-ID without its brackets, or None when the value holds none."""
    if value and not _ID_BREAK.search(value):
        return value
    ids = message_ids_in(value)
    if ids:
        return ids[0]
    if value and value.strip() and not any(c.isspace() for c in value.strip()):
        return value.strip().strip("<>") or None
    return None


def _reference_chain(message: ThreadInput | _Node, own: str | None,
                     ids_in: Callable[[str | None], list[str]] = message_ids_in) -> list[str]:
    """The ancestors named in the headers, oldest first, ending with the parent."""
    refs: list[str] = []
    for entry in message.references or []:
        refs.extend(ids_in(entry))
    if not refs:
        # Junk In-Reply-To values put a sender's address before the Message-ID
        # ("Message from John <j@x> of ... <id@x>"); the id comes last.
        irt = ids_in(message.in_reply_to)
        if irt:
            refs = [irt[-1]]
    chain: list[str] = []
    seen: set[str] = set()
    for ref in refs:
        if ref == own or ref in seen:
            continue
        seen.add(ref)
        chain.append(ref)
    return chain


# ------------------------------------------------------------------ working records


class _Text:
    """A text with a fingerprint of its folded form; the folded and comparable forms are made when needed.

    Keeping the folded form of every body and quote would hold the corpus in memory
    twice over; equal folded forms have equal fingerprints, and a fingerprint match
    is confirmed on the texts themselves.
    """

    __slots__ = ("raw", "_fingerprint", "_comparable")

    def __init__(self, raw: str) -> None:
        self.raw = raw or ""
        self._fingerprint: int | None = None
        self._comparable: str | None = None

    @property
    def blank(self) -> bool:
        """Nothing but whitespace: the folded form is empty."""
        return not self.raw or self.raw.isspace()

    @property
    def fingerprint(self) -> int | None:
        """A hash of the folded form (None when it is empty), made on first use."""
        if self._fingerprint is None and not self.blank:
            self._fingerprint = hash(folded_text(self.raw))
        return self._fingerprint

    @property
    def fold(self) -> str:
        """Lower-cased, whitespace-folded (see ``folded_text``)."""
        return folded_text(self.raw)

    def pairs(self) -> set[tuple[str, str]]:
        """Adjacent word pairs: a cheap first test of whether two texts can be alike at all.

        Not kept: a text meets few fuzzy comparisons, and the pairs take several times its size.
        """
        words = self.comparable.split()
        return set(zip(words, words[1:]))

    @property
    def comparable(self) -> str:
        if self._comparable is None:
            self._comparable = comparable_text(self.raw)
        return self._comparable

    def same_fold(self, other: "_Text") -> bool:
        """The same non-empty folded text."""
        if self.blank or other.blank:
            return False
        return self.raw == other.raw or (self.fingerprint == other.fingerprint and self.fold == other.fold)

    def same_words(self, other: "_Text") -> bool:
        """Equal text, allowing for whitespace, punctuation and redaction-mark spelling."""
        if self.blank or other.blank:
            return False
        if self.same_fold(other):
            return True
        shorter, longer = sorted((len(self.fold), len(other.fold)))
        return shorter >= 0.75 * longer and self.comparable == other.comparable

    def similarity(self, other: "_Text") -> float | None:
        """1.0 for the same words; None when either side is empty."""
        if self.blank or other.blank:
            return None
        if self.same_fold(other):
            return 1.0
        mine, theirs = self.pairs(), other.pairs()
        if mine and theirs and len(mine & theirs) < 0.6 * min(len(mine), len(theirs)):
            return 0.0  # too few shared word pairs for any similarity near the threshold
        return text_similarity(self.comparable, other.comparable)


@dataclass(slots=True)
class _Node:
    """The threader's view of one message, recovered message or placeholder."""

    id: str
    kind: str                                # "message" | "recovered" | "placeholder"
    date: datetime | None = None
    date_status: str = "missing"
    subject: str = ""
    subject_key: str = ""
    sender: Address | None = None
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    text: _Text = field(default_factory=lambda: _Text(""))   # the author's own text
    quoted: list = field(default_factory=list)
    message_id: str | None = None
    sources: list[Source] | None = None      # recovered: the replies that quote it
    path: str = ""                           # given: the file it was first found in
    printer: str = ""                        # recovered: who printed the quote it came from
    defects: list[str] | None = None         # recovered: what had to be guessed
    from_input: bool = False                 # given to the threader, not rebuilt by it
    references: list[str] = field(default_factory=list)
    in_reply_to: str | None = None
    level_texts: list[_Text | None] | None = None

    @property
    def timestamp(self) -> float | None:
        return self.date.timestamp() if self.date is not None else None

    def level(self, depth: int) -> _Text:
        """The text of the quoted message ``depth`` levels down (0 = the parent), computed once."""
        if self.level_texts is None:
            self.level_texts = [None] * len(self.quoted)
        text = self.level_texts[depth]
        if text is None:
            text = self.level_texts[depth] = _Text(self.quoted[depth].body or "")
        return text


@dataclass(slots=True)
class _Copy:
    """What near-duplicate detection compares of one input (a ``dedupe.DuplicateCandidate``)."""

    id: str
    message_id: str | None
    subject: str
    sender: Address | None
    date: datetime | None
    date_status: str
    new_text: str


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
    )


@lru_cache(maxsize=1 << 16)
def _normal_name(name: str) -> str:
    return normalise_name(name)


@lru_cache(maxsize=1 << 16)
def _name_matches(name: str, email: str) -> bool:
    return name_matches_address(name, email)


@lru_cache(maxsize=1 << 16)
def _name_from_local_part(email: str) -> str:
    local = email.split("@", 1)[0]
    parts = [p for p in re.split(r"[._\-]+", local.rstrip("0123456789")) if p]
    if len(parts) >= 2:
        return _normal_name(" ".join(parts))
    return ""


@lru_cache(maxsize=1 << 16)
def _subject_key(subject: str) -> str:
    return subject_key(subject)


@lru_cache(maxsize=1 << 16)
def _sender_keys(address: Address | None) -> tuple[str, ...]:
    """Index keys for a sender: the address and every name it can be known by."""
    if address is None:
        return ()
    keys = []
    if address.email:
        keys.append("e:" + address.email.lower())
        derived = _name_from_local_part(address.email)
        if derived:
            keys.append("n:" + derived)
    if address.name:
        name = _normal_name(address.name)
        if name:
            keys.append("n:" + name)
    return tuple(dict.fromkeys(keys))


def _same_person(a: Address | None, b: Address | None) -> bool | None:
    """True/False when both are known; None when either side says nothing."""
    if a is None or b is None or not (a.email or a.name) or not (b.email or b.name):
        return None
    if a.email and b.email and a.email.lower() == b.email.lower():
        return True
    name_a, name_b = _normal_name(a.name), _normal_name(b.name)
    if name_a and name_b and name_a == name_b:
        return True
    if a.name and b.email and _name_matches(a.name, b.email):
        return True
    if b.name and a.email and _name_matches(b.name, a.email):
        return True
    if a.email and b.email and not name_a and not name_b:
        return _name_from_local_part(a.email) == _name_from_local_part(b.email) != ""
    return False


def _printed_offset(quoted_ts: float, real_ts: float, zone_known: bool) -> float | None:
    """The zone offset that makes a printed date match a real one, or None when none can."""
    delta = quoted_ts - real_ts
    if zone_known:
        return 0.0 if abs(delta) <= DATE_SLACK_SECONDS else None
    if abs(delta) > MAX_OFFSET_SECONDS + DATE_SLACK_SECONDS:
        return None
    step = round(delta / OFFSET_STEP_SECONDS) * OFFSET_STEP_SECONDS
    return float(step) if abs(delta - step) <= DATE_SLACK_SECONDS else None


class _QuoteDate:
    """What the date tests need of a quote and the reply quoting it, worked out once per quote."""

    __slots__ = ("timestamp", "trusted", "latest")

    def __init__(self, quote: QuotedMessage, reply: _Node) -> None:
        self.timestamp = quote.date.timestamp() if quote.date is not None else None
        self.trusted = quote.date_status == "ok"
        # a parent is never written after its reply
        self.latest = reply.date + timedelta(minutes=2) if reply.date is not None and reply.date_status == "ok" else None

    def fit(self, candidate: _Node) -> tuple[bool, bool, float | None] | None:
        """Whether a candidate's date allows it to be the quoted message: (both dates known, zone
        known, printing offset), or None when the dates rule it out."""
        if self.timestamp is None or candidate.date is None:
            return False, False, None
        trusted = candidate.date_status == "ok" and candidate.kind == "message"
        zone_known = self.trusted and trusted
        offset = _printed_offset(self.timestamp, candidate.date.timestamp(), zone_known)
        if offset is None:
            return None
        if trusted and self.latest is not None and candidate.date > self.latest:
            return None
        return True, zone_known, offset


def text_similarity(a: str, b: str) -> float:
    """How alike two comparable texts are (1.0 equal); a quote cut short still scores high."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    share = len(short) / len(long_)
    if short in long_:
        # A trimmed quote keeps most of its message; a short note ("Thanks" and a signature)
        # inside a longer one from the same person is not the same message.
        return max(0.85, share) if share >= 0.5 or len(short) >= 400 else share
    words_a, words_b = a.split(), b.split()
    matcher = SequenceMatcher(None, words_a, words_b, autojunk=False)
    if matcher.real_quick_ratio() < TEXT_SIMILARITY * 0.75:
        return matcher.real_quick_ratio()
    if matcher.quick_ratio() < TEXT_SIMILARITY * 0.75:
        return matcher.quick_ratio()
    matched = sum(block.size for block in matcher.get_matching_blocks())
    ratio = 2.0 * matched / (len(words_a) + len(words_b))
    shorter = min(len(words_a), len(words_b))
    cover = matched / shorter if shorter else 0.0
    longer = max(len(words_a), len(words_b))
    if cover >= 0.95 and (shorter >= 0.5 * longer or shorter >= 60):
        return max(ratio, 0.85)
    return ratio


def _date_sort_key(node: _Node) -> tuple:
    return (node.date is None, node.date.timestamp() if node.date else 0.0, node.id)


class _Threader:
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
    def _would_loop(self, parent: str, child: str) -> bool:
        """Whether making ``parent`` the parent of ``child`` would close a loop."""
        return _reaches(self.parent, parent, child)

    def _link(self, parent: str, child: str, how: str) -> bool:
        if parent == child or self._would_loop(parent, child):
            return False
        old = self.parent.get(child)
        if old is not None:
            self.children[old].remove(child)
        self.parent[child] = parent
        self.children.setdefault(parent, []).append(child)
        self.how[child] = how
        return True

    # -------------------------------------------------------------- pass 1: headers
    def _container(self, message_id: str) -> str:
        owner = self.owner.get(message_id)
        if owner is not None:
            return owner
        node_id = PLACEHOLDER_PREFIX + message_id
        if node_id not in self.nodes:
            self.nodes[node_id] = _Node(id=node_id, kind="placeholder", message_id=message_id)
        return node_id

    def thread_by_headers(self) -> None:
        for node in self.order:
            mid = node.message_id
            if not mid:
                continue
            owner = self.owner.get(mid)
            if owner is None:
                self.owner[mid] = node.id
            else:
                conflict = self.id_conflicts.setdefault(mid, [owner])
                conflict.append(node.id)
        for ids in self.id_conflicts.values():
            ids.sort()
        # A Message-ID is named by every later message of its thread: read each one once.
        read: dict[str | None, list[str]] = {}

        def ids_in(entry: str | None) -> list[str]:
            found = read.get(entry)
            if found is None:
                found = read[entry] = message_ids_in(entry)
            return found

        for node in self.order:
            if not node.from_input:
                continue
            chain = _reference_chain(node, node.message_id, ids_in)
            if not chain:
                continue
            for ref in chain:
                if ref not in self.owner:
                    self.placeholders.setdefault(ref, []).append(node.id)
            containers = [self._container(ref) for ref in chain]
            for older, newer in zip(containers, containers[1:]):
                if newer != node.id and newer not in self.parent:
                    self._link(older, newer, "header")
            parent = containers[-1]
            if parent != node.id and self.parent.get(node.id) != parent:
                self._link(parent, node.id, "header")
        for refs in self.placeholders.values():
            refs.sort()

    def prune_placeholders(self) -> None:
        """Drop placeholders that neither stand for a message's missing parent nor join branches."""
        pending = sorted(n for n, v in self.nodes.items() if v.kind == "placeholder")
        while pending:
            node_id = pending.pop()
            if node_id not in self.nodes or self.nodes[node_id].kind != "placeholder":
                continue
            kids = self.children.get(node_id, [])
            has_message_child = any(self.nodes[k].kind != "placeholder" for k in kids)
            if has_message_child or len(kids) >= 2:
                continue
            grand = self.parent.get(node_id)
            for kid in list(kids):
                self._unlink(kid)
                if grand is not None:
                    self._link(grand, kid, self.how.get(node_id, "header"))
                pending.append(kid)
            self._unlink(node_id)
            self.children.pop(node_id, None)
            del self.nodes[node_id]
            if grand is not None:
                pending.append(grand)

    def _unlink(self, child: str) -> None:
        old = self.parent.pop(child, None)
        if old is not None:
            self.children[old].remove(child)
        self.how.pop(child, None)

    # -------------------------------------------------------------- pass 2: quoted history
    def _build_indexes(self) -> None:
        # Buckets hold the nodes themselves: (UTC timestamp, id, node), sorted by time then id.
        self.by_sender: dict[str, list[tuple[float, str, _Node]]] = {}
        self.by_subject: dict[str, list[tuple[float, str, _Node]]] = {}
        self.undated_by_sender: dict[str, list[_Node]] = {}
        self.undated_by_subject: dict[str, list[_Node]] = {}
        for node in self.order:  # already in (date, id) order: appending keeps every bucket sorted
            self._index(node, add=list.append)

    def _index(self, node: _Node, add: Callable[[list, tuple[float, str, _Node]], None] = insort) -> None:
        ts = node.timestamp
        keys = _sender_keys(node.sender)
        if ts is None:
            for key in keys:
                self.undated_by_sender.setdefault(key, []).append(node)
            if node.subject_key:
                self.undated_by_subject.setdefault(node.subject_key, []).append(node)
            return
        entry = (ts, node.id, node)
        for key in keys:
            add(self.by_sender.setdefault(key, []), entry)
        if node.subject_key:
            add(self.by_subject.setdefault(node.subject_key, []), entry)

    @staticmethod
    def _window(bucket: list[tuple[float, str, _Node]] | None, ts: float | None) -> list[tuple[float, str, _Node]]:
        if not bucket:
            return []
        if ts is None:
            return bucket
        reach = MAX_OFFSET_SECONDS + DATE_SLACK_SECONDS
        lo = bisect_left(bucket, (ts - reach, ""))
        hi = bisect_right(bucket, (ts + reach, "\uffff"))
        return bucket[lo:hi]

    def _score(self, quote: QuotedMessage, quote_subject: str, quote_text: _Text,
               candidate: _Node, reply: _Node, exact: bool = False) -> tuple[float, float | None] | None:
        """How well a candidate fits a quote, with the printing offset it implies; None when it cannot be.

        With ``exact`` only a candidate with the same (whitespace-folded) words can fit.
        """
        fit = _QuoteDate(quote, reply).fit(candidate)
        if fit is None:
            return None
        return self._score_fitting(quote, quote_subject, quote_text, candidate, fit, exact)

    @staticmethod
    def _score_fitting(quote: QuotedMessage, quote_subject: str, quote_text: _Text, candidate: _Node,
                       fit: tuple[bool, bool, float | None], exact: bool) -> tuple[float, float | None] | None:
        """``_score`` for a candidate whose date already fits (see ``_QuoteDate.fit``)."""
        date_known, zone_known, offset = fit
        if exact and not quote_text.same_fold(candidate.text):
            return None
        person = _same_person(quote.sender, candidate.sender)
        if person is False:
            return None
        subject_agrees: bool | None = None
        if quote_subject and candidate.subject_key:
            subject_agrees = quote_subject == candidate.subject_key
        similarity: float | None
        if subject_agrees is False:
            # Under another subject only the same words, from the same person at a fitting time, will do.
            if not (person and date_known and quote_text.same_words(candidate.text)):
                return None
            similarity = 1.0
        else:
            similarity = quote_text.similarity(candidate.text)
            if similarity is not None and similarity < TEXT_SIMILARITY:
                # Mailing-list replies quote only the lines they answer: a fragment of the
                # candidate will do when the printed date carried its zone and fits exactly.
                if not (zone_known and person and quote_text.comparable
                        and quote_text.comparable in candidate.text.comparable):
                    return None
                similarity = TEXT_SIMILARITY
        evidence = (person is True) + date_known + (subject_agrees is True) + (similarity is not None)
        if similarity is None and not (person and date_known):
            return None
        if evidence < 2:
            return None
        score = (similarity if similarity is not None else 0.5) + 0.2 * evidence
        if candidate.kind == "message":
            score += 0.05
        return score, offset

    def _candidate_tiers(self, quote: QuotedMessage, subject: str) -> Iterator[list[_Node]]:
        """Messages that could be the quoted one: first by sender, then (when none fits) by subject.

        The second tier covers a sender redacted or missing on either side.
        """
        ts = quote.date.timestamp() if quote.date is not None else None
        by_sender: dict[str, _Node] = {}
        for key in _sender_keys(quote.sender):
            for _, node_id, node in self._window(self.by_sender.get(key), ts):
                by_sender.setdefault(node_id, node)
            for node in self.undated_by_sender.get(key, ()):
                by_sender.setdefault(node.id, node)
        yield list(by_sender.values())
        if subject:
            by_subject: dict[str, _Node] = {}
            for _, node_id, node in self._window(self.by_subject.get(subject), ts):
                if node_id not in by_sender:
                    by_subject.setdefault(node_id, node)
            for node in self.undated_by_subject.get(subject, ()):
                if node.id not in by_sender:
                    by_subject.setdefault(node.id, node)
            yield list(by_subject.values())

    def _match(self, quote: QuotedMessage, quote_text: _Text, reply: _Node,
               exclude: set[str]) -> tuple[_Node, float | None] | None:
        quote_subject = _subject_key(quote.subject or "")
        quote_date = _QuoteDate(quote, reply)
        for tier in self._candidate_tiers(quote, quote_subject or reply.subject_key):
            # Dates are cheap to compare and turn most candidates away: once, before the texts.
            fitting = []
            for candidate in tier:
                if candidate.id in exclude or candidate.kind == "placeholder":
                    continue
                fit = quote_date.fit(candidate)
                if fit is not None:
                    fitting.append((candidate, fit))
            # The same words are the usual case and settle it; fuzzy comparison is for the rest.
            for exact in (True, False):
                best: tuple[float, str, float | None] | None = None
                for candidate, fit in fitting:
                    scored = self._score_fitting(quote, quote_subject, quote_text, candidate, fit, exact)
                    if scored is None:
                        continue
                    score, offset = scored
                    if best is None or score > best[0] or (score == best[0] and candidate.id < best[1]):
                        best = (score, candidate.id, offset)
                if best is not None:
                    return self.nodes[best[1]], best[2]
        return None

    def _recover(self, quote: QuotedMessage, reply: _Node, depth: int) -> _Node:
        node_id = f"rq:{len(self.recovered_nodes):08d}"
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
        self.nodes[node_id] = node
        self.recovered_nodes.append(node)
        self._index(node)
        return node

    def _add_quote_source(self, node: _Node, reply: _Node) -> None:
        if node.kind != "recovered" or node.from_input:
            return
        locator = f"quoted-in:{reply.id}"
        if node.sources is None:
            node.sources = []
        if not any(s.locator == locator for s in node.sources):
            node.sources.append(Source(path=reply.path, locator=locator, kind="quote"))

    def _vote_offset(self, reply: _Node, offset: float | None, candidate: _Node) -> None:
        if offset is None or candidate.kind != "message" or candidate.date_status != "ok":
            return
        assert candidate.date is not None
        self.offset_votes.setdefault(_printer_key(reply), []).append((candidate.date.timestamp(), offset))

    def thread_by_quotes(self) -> None:
        self._build_indexes()
        for reply in self.order:
            if not reply.quoted:
                continue
            header_parent = self.parent.get(reply.id)
            if header_parent is not None and self.nodes[header_parent].kind != "placeholder":
                continue
            self._follow_quotes(reply)
        del self.by_sender, self.by_subject, self.undated_by_sender, self.undated_by_subject

    def _follow_quotes(self, reply: _Node) -> None:
        current = reply
        levels = reply.quoted
        for depth, quote in enumerate(levels):
            parent_id = self.parent.get(current.id)
            parent = self.nodes[parent_id] if parent_id is not None else None
            if parent is not None and parent.kind != "placeholder":
                # Only recovered ancestors learn from this reply: it is one more place they were quoted.
                if parent.kind != "recovered" or parent.from_input:
                    return
                if self._score(quote, _subject_key(quote.subject or ""), reply.level(depth), parent, reply) is None:
                    return
                self._add_quote_source(parent, reply)
                current = parent
                continue
            if depth > 0 and current.kind == "message" and current.quoted:
                return  # that message's own quoted history speaks for its ancestors
            found = self._match(quote, reply.level(depth), reply, {reply.id, current.id})
            if found is not None:
                target, offset = found
                if self._would_loop(target.id, current.id):
                    return
                if parent is not None and not self._may_absorb(parent, target):
                    return
                self._vote_offset(reply, offset, target)
            elif _identifiable(quote):
                target = self._recover(quote, reply, depth)
            else:
                return  # "> text" with no attribution: too little to stand as a message of its own
            self._add_quote_source(target, reply)
            if parent is not None:
                self._absorb_placeholder(parent.id, target)
            elif not self._link(target.id, current.id, "quote"):
                return
            current = target

    def _may_absorb(self, placeholder: _Node, target: _Node) -> bool:
        """Whether a message the quote matched can stand for an absent Message-ID without contradiction."""
        if self.parent.get(target.id) is not None:
            return False
        if target.message_id is not None and target.message_id != placeholder.message_id:
            return False
        return not self._would_loop(placeholder.id, target.id)

    def _absorb_placeholder(self, placeholder: str, target: _Node) -> None:
        """The quote says what the absent parent was: the matched or recovered message takes its place."""
        ph = self.nodes[placeholder]
        grand = self.parent.get(placeholder)
        how = self.how.get(placeholder, "header")
        kids = list(self.children.get(placeholder, []))
        self._unlink(placeholder)
        for kid in kids:
            kid_how = self.how.get(kid, "header")
            self._unlink(kid)
            self._link(target.id, kid, kid_how)
        if grand is not None and self.parent.get(target.id) is None:
            self._link(grand, target.id, how)
        self.children.pop(placeholder, None)
        del self.nodes[placeholder]
        if target.message_id is None and ph.message_id:
            target.message_id = ph.message_id
        self.absorbed_placeholders[placeholder] = target.id

    def convert_recovered_dates(self) -> None:
        """Printed dates of recovered messages to UTC, by the offset the same reader's quotes showed."""
        for votes in self.offset_votes.values():
            votes.sort()  # gathered in reading order; looked up by time
        overall: Counter[float] = Counter(o for votes in self.offset_votes.values() for _, o in votes)
        common = max(overall.items(), key=lambda kv: (kv[1], -abs(kv[0]), kv[0]))[0] if overall else None
        for node in self.recovered_nodes:
            if node.date is None or node.date_status == "ok":
                continue
            offset = _nearest_offset(self.offset_votes.get(node.printer), node.date.timestamp())
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

    # -------------------------------------------------------------- pass 3: subject
    def thread_by_subject(self) -> None:
        # Only a message left without a parent, dated, with a reply-form subject and someone
        # named on it may join by subject; threads are worked out only for the subjects they use.
        candidates = sorted(
            (
                node for node in (*self.order, *(n for n in self.recovered_nodes if n.id in self.nodes))
                if node.id not in self.parent and node.date is not None and node.subject_key
                and is_reply_subject(node.subject) and _participants(node)
            ),
            key=_date_sort_key,
        )
        if not candidates:
            return
        wanted = {node.subject_key for node in candidates}
        union: dict[str, str] = {}

        def find(x: str) -> str:
            root = x
            while union.get(root, root) != root:
                root = union[root]
            while union.get(x, x) != root:
                union[x], x = root, union[x]
            return root

        for child, parent in self.parent.items():
            a, b = find(child), find(parent)
            if a != b:
                union[a] = b
        members: dict[str, list[str]] = {}
        for node_id, node in self.nodes.items():
            members.setdefault(find(node_id), []).append(node_id)
        info: dict[str, _Component] = {}
        by_subject: dict[str, list[tuple[float, str]]] = {}
        for comp, ids in members.items():
            if not any(self.nodes[node_id].subject_key in wanted for node_id in ids):
                continue
            component = _Component()
            for node_id in ids:
                component.add(self.nodes[node_id])
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
            target = self._subject_parent(members[comp], node)
            if target is None or not self._link(target, node.id, "subject"):
                continue
            union[own] = comp
            members[comp].extend(members.pop(own))
            info[comp].merge(info.pop(own))

    def _subject_parent(self, ids: list[str], node: _Node) -> str | None:
        """The thread member this message most plausibly answers: the latest earlier one of its
        subject, preferring one whose sender it addresses."""
        assert node.date is not None
        addressed = {k for a in [*node.to, *node.cc] for k in _sender_keys(a)}
        best: tuple[tuple, str] | None = None
        for node_id in ids:
            member = self.nodes[node_id]
            if member.kind == "placeholder" or member.date is None or member.date > node.date:
                continue
            speaks_to = bool(addressed & set(_sender_keys(member.sender)))
            rank = (member.subject_key == node.subject_key, speaks_to, member.date, node_id)
            if best is None or rank > best[0]:
                best = (rank, node_id)
        return best[1] if best else None

    # -------------------------------------------------------------- results
    def finish(self) -> ThreadingResult:
        recovered_messages = self._finalise_recovered()
        # Two quotes recovered into identical content (or into a real message's) cannot both keep
        # one id: the later folds into the first and adds its sources.
        final_of: dict[str, str] = {}
        folded: set[str] = set()
        messages_by_id: dict[str, Message] = {}
        for node, msg in recovered_messages:
            final_of[node.id] = msg.id
            node.date, node.date_status = msg.date, msg.date_status
            if msg.id in messages_by_id or msg.id in self.nodes:
                folded.add(node.id)
                keeper = messages_by_id.get(msg.id)
                if keeper is not None:
                    keeper.sources.extend(s for s in msg.sources if s not in keeper.sources)
                continue
            messages_by_id[msg.id] = msg

        def final(node_id: str) -> str:
            return final_of.get(node_id, node_id)

        nodes_by_final: dict[str, _Node] = {}
        for node_id, node in self.nodes.items():
            nodes_by_final.setdefault(final(node_id), node)
        final_parent: dict[str, str] = {}
        how_of: dict[str, str] = {}
        for child, parent in self.parent.items():
            a, b = final(parent), final(child)
            if a == b or b in final_parent:
                continue
            if (parent in folded or child in folded) and _reaches(final_parent, a, b):
                continue  # folding two recovered copies together must not close a loop
            final_parent[b] = a
            how_of[b] = self.how.get(child, "header")

        root_of: dict[str, str] = {}
        for fid in nodes_by_final:
            path = []
            node_id = fid
            while node_id not in root_of and node_id in final_parent:
                path.append(node_id)
                node_id = final_parent[node_id]
            top = root_of.get(node_id, node_id)
            root_of[node_id] = top
            for step in path:
                root_of[step] = top
        components: dict[str, list[str]] = {}
        for fid in nodes_by_final:
            components.setdefault(root_of[fid], []).append(fid)

        threads: list[Thread] = []
        thread_of: dict[str, str] = {}
        # placeholders last, then by date (undated after dated), then by id
        order_key = {
            fid: (node.kind == "placeholder", node.date is None, node.date.timestamp() if node.date else 0.0, fid)
            for fid, node in nodes_by_final.items()
        }
        for root, component in components.items():
            ordered = sorted(component, key=order_key.__getitem__)
            dated = [nodes_by_final[n].date for n in ordered if nodes_by_final[n].date is not None]
            first_real = next((nodes_by_final[n] for n in ordered if nodes_by_final[n].kind != "placeholder"), None)
            root_node = nodes_by_final[root]
            subject_source = root_node if root_node.kind != "placeholder" else first_real
            thread = Thread(
                id="t" + hashlib.sha256(root.encode("utf-8", "surrogatepass")).hexdigest()[:15],
                message_ids=ordered,
                root=root,
                subject=_display_subject(subject_source.subject if subject_source else ""),
                first=min(dated) if dated else None,
                last=max(dated) if dated else None,
            )
            threads.append(thread)
            for n in ordered:
                thread_of[n] = thread.id
        threads.sort(key=lambda t: (t.first is None, t.first.timestamp() if t.first else 0.0, t.id))
        for duplicate, canonical in self.near_duplicates.items():
            thread_of[duplicate] = thread_of[canonical]
        for placeholder, target in self.absorbed_placeholders.items():
            thread_of[placeholder] = thread_of[final(target)]
        inclusive = self._inclusive(final_parent, threads, nodes_by_final)
        self._release_texts()

        graph = nx.DiGraph()
        duplicates: dict[str, list[str]] = {}
        for duplicate, canonical in sorted(self.near_duplicates.items()):
            duplicates.setdefault(canonical, []).append(duplicate)
        graph.add_nodes_from(
            (
                fid,
                {
                    "kind": node.kind,
                    "date": node.date,
                    "date_status": node.date_status,
                    "subject": node.subject,
                    "sender": node.sender.label() if node.sender else "",
                    "message_id": node.message_id,
                    "duplicates": duplicates.get(fid, []),
                },
            )
            for fid, node in nodes_by_final.items()
        )
        graph.add_edges_from((a, b, {"how": how_of[b]}) for b, a in final_parent.items())
        return ThreadingResult(
            graph=graph,
            threads=threads,
            thread_of=thread_of,
            recovered=[messages_by_id[k] for k in sorted(messages_by_id)],
            placeholders={k: self.placeholders[k] for k in sorted(self.placeholders)},
            near_duplicates=dict(sorted(self.near_duplicates.items())),
            id_conflicts={k: self.id_conflicts[k] for k in sorted(self.id_conflicts)},
            inclusive=inclusive,
        )

    def _finalise_recovered(self) -> list[tuple[_Node, Message]]:
        """Recovered messages as Message records."""
        out = []
        for node in self.recovered_nodes:
            if node.id not in self.nodes:
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

    def _release_texts(self) -> None:
        """Texts and quotes are done with once threads and inclusive flags are known: let them go
        before the graph is built, so the two are never held at once."""
        empty = _Text("")
        for node in self.nodes.values():
            node.text = empty
            node.quoted = []
            node.level_texts = None

    def _inclusive(self, parent_of: dict[str, str], threads: list[Thread], nodes: dict[str, _Node]) -> set[str]:
        """Messages whose own text no later message of the thread carries in its quoted history."""
        inclusive: set[str] = set()
        children_of: dict[str, list[str]] | None = None
        # Folded quotes are made one thread at a time and dropped after it.
        folds: dict[str, str] = {}

        def level_fold(quote: QuotedMessage) -> str:
            body = quote.body or ""
            fold = folds.get(body)
            if fold is None:
                fold = folds[body] = folded_text(body)
            return fold

        for thread in threads:
            members = [n for n in thread.message_ids if nodes[n].kind == "message"]
            if len(members) == 1:
                inclusive.add(members[0])
                continue
            folds.clear()
            big = len(members) > _INCLUSIVE_ALL_PAIRS_LIMIT
            # A quote that is exactly the text, as written, settles most messages without
            # folding or a substring search.
            last_quoted_raw: dict[str, int] = {}
            for position, node_id in enumerate(members):
                for quote in nodes[node_id].quoted:
                    last_quoted_raw[quote.body or ""] = position
            for position, node_id in enumerate(members):
                node = nodes[node_id]
                if not big:
                    if position == len(members) - 1:
                        inclusive.add(node_id)  # nothing comes later to carry it
                        continue
                    if not node.text.blank and last_quoted_raw.get(node.text.raw, -1) > position:
                        continue
                text = node.text.fold
                bare_forward = not text
                if bare_forward:
                    # A forward without a word of its own: its content is what it forwards.
                    text = " ".join(level_fold(q) for q in node.quoted)
                if not text:
                    inclusive.add(node_id)
                    continue
                if big:
                    if children_of is None:
                        children_of = {}
                        for child, parent in parent_of.items():
                            children_of.setdefault(parent, []).append(child)
                    later = [nodes[d] for d in _descendants(children_of, node_id) if d in nodes and nodes[d].kind == "message"]
                else:
                    later = [nodes[n] for n in members[position + 1:]]
                if not _carried_by(later, text, bare_forward, level_fold):
                    inclusive.add(node_id)
        return inclusive


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

    def merge(self, other: "_Component") -> None:
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


def _reaches(parent_of: dict[str, str], start: str, target: str) -> bool:
    """Whether walking up from ``start`` meets ``target``."""
    node: str | None = start
    while node is not None:
        if node == target:
            return True
        node = parent_of.get(node)
    return False


def _descendants(children_of: dict[str, list[str]], top: str) -> list[str]:
    """Every node below ``top`` in the reply tree."""
    found: list[str] = []
    stack = list(children_of.get(top, ()))
    while stack:
        node_id = stack.pop()
        found.append(node_id)
        stack.extend(children_of.get(node_id, ()))
    return found


def _holds(level: str, text: str) -> bool:
    """Whether a quoted level is this text (allowing a trimmed or lightly extended quote)."""
    if level == text:
        return True
    if not level:
        return False
    # Lengths first: the substring search is the costly part, and it only counts within 80%.
    if len(text) <= len(level):
        return len(text) >= 0.8 * len(level) and text in level
    return len(level) >= 0.8 * len(text) and level in text


def _carried_by(later: list[_Node], text: str, whole_history: bool,
                level_fold: Callable[[QuotedMessage], str]) -> bool:
    """Whether a later message's quoted history carries this text; nearest levels are tried first."""
    for other in later:
        if other.quoted and _holds(level_fold(other.quoted[0]), text):
            return True
    for other in later:
        for quote in other.quoted[1:]:
            if _holds(level_fold(quote), text):
                return True
    if whole_history:
        for other in later:
            if len(other.quoted) > 1:
                whole = " ".join(level_fold(q) for q in other.quoted)
                if _holds(whole, text):
                    return True
    return False


def _display_subject(subject: str) -> str:
    return strip_reply_prefixes(subject or "")


def build_threads(messages: Iterable[ThreadInput]) -> ThreadingResult:
    """Thread a corpus. The result does not depend on the order of ``messages``."""
    # Threading allocates millions of small objects and frees almost none; the cyclic
    # collector would rescan the whole corpus again and again for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        threader = _Threader(messages)
        threader.thread_by_headers()
        threader.prune_placeholders()
        threader.thread_by_quotes()
        threader.convert_recovered_dates()
        threader.thread_by_subject()
        return threader.finish()
    finally:
        if collecting:
            gc.enable()


__all__ = [
    "ThreadInput", "Thread", "ThreadingResult", "build_threads", "thread_input",
    "message_ids_in", "clean_message_id", "text_similarity",
]
