"""The threader's records: inputs and results, node and text types, and the person, date and text comparisons every pass uses."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

import networkx as nx

from ...mail.addresses import name_from_local_part, name_matches_address, normalise_name
from ...model import Address, Message, Source
from ..dedupe import comparable_text, folded_text, ocr_same_words, subject_key

if TYPE_CHECKING:
    from ...mail.quoting import QuotedMessage

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
    from ...mail.quoting import split_quoted

    split = split_quoted(message.body, context_date=message.date)
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


@lru_cache(maxsize=256)
def _word_pairs(comparable: str) -> frozenset[tuple[str, str]]:
    # Not kept with each text: the pairs take several times its size. The last few hundred are:
    # a quote is compared with each candidate in turn, and replies quote the same parent.
    return frozenset(pairwise(comparable.split()))


class _Text:
    """A text with a fingerprint of its folded form; the folded and comparable forms are made when needed.

    Keeping the folded form of every body and quote would hold the corpus in memory
    twice over; equal folded forms have equal fingerprints, and a fingerprint match
    is confirmed on the texts themselves.
    """

    __slots__ = ("_comparable", "_fingerprint", "raw")

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

    def pairs(self) -> frozenset[tuple[str, str]]:
        """Adjacent word pairs: a cheap first test of whether two texts can be alike at all."""
        return _word_pairs(self.comparable)

    @property
    def comparable(self) -> str:
        if self._comparable is None:
            self._comparable = comparable_text(self.raw)
        return self._comparable

    def same_fold(self, other: _Text) -> bool:
        """The same non-empty folded text."""
        if self.blank or other.blank:
            return False
        return self.raw == other.raw or (self.fingerprint == other.fingerprint and self.fold == other.fold)

    def same_words(self, other: _Text) -> bool:
        """Equal text, allowing for whitespace, punctuation and redaction-mark spelling."""
        if self.blank or other.blank:
            return False
        if self.same_fold(other):
            return True
        shorter, longer = sorted((len(self.fold), len(other.fold)))
        return shorter >= 0.75 * longer and self.comparable == other.comparable

    def similarity(self, other: _Text) -> float | None:
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
    printed: bool = False                    # given: its text came through a printer (OCR may have misread it)

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


@lru_cache(maxsize=1 << 16)
def _normal_name(name: str) -> str:
    return normalise_name(name)


@lru_cache(maxsize=1 << 16)
def _name_matches(name: str, email: str) -> bool:
    return name_matches_address(name, email)


@lru_cache(maxsize=1 << 16)
def _name_from_local_part(email: str) -> str:
    return name_from_local_part(email)


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


def _same_person(a: Address | None, b: Address | None, ocr: bool = False) -> bool | None:
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
    if not ocr:
        return False
    # a printed copy: the same name or address with a letter or two misread
    if name_a and name_b and ocr_same_words(name_a, name_b):
        return True
    return bool(a.email and b.email and ocr_same_words(a.email.lower(), b.email.lower()))


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

