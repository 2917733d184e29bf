"""Pass 2, quoted-history links: each reply's quoted messages matched to messages of the dump by sender, printed date, subject and text."""
from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from ..dedupe import ocr_contained, ocr_same_words
from .records import (
    DATE_SLACK_SECONDS,
    MAX_OFFSET_SECONDS,
    OFFSET_STEP_SECONDS,
    TEXT_SIMILARITY,
    _Node,
    _same_person,
    _sender_keys,
    _subject_key,
    _Text,
)
from .recovery import _identifiable, _printer_key, add_quote_source, recover

if TYPE_CHECKING:
    from ...mail.quoting import QuotedMessage
    from .tree import Forest


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

    __slots__ = ("latest", "timestamp", "trusted")

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


class QuoteLinker:
    """Links replies to the messages their quotes describe, recovering those not in the dump."""

    def __init__(self, forest: Forest) -> None:
        self.forest = forest

    def _build_indexes(self) -> None:
        # Buckets hold the nodes themselves: (UTC timestamp, id, node), sorted by time then id.
        self.by_sender: dict[str, list[tuple[float, str, _Node]]] = {}
        self.by_subject: dict[str, list[tuple[float, str, _Node]]] = {}
        self.undated_by_sender: dict[str, list[_Node]] = {}
        self.undated_by_subject: dict[str, list[_Node]] = {}
        self.by_time: list[tuple[float, str, _Node]] = []
        for node in self.forest.order:  # already in (date, id) order: appending keeps every bucket sorted
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
        add(self.by_time, entry)
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
        return self._score_fitting(quote, quote_subject, quote_text, candidate, fit, exact, reply.printed)

    @staticmethod
    def _score_fitting(quote: QuotedMessage, quote_subject: str, quote_text: _Text, candidate: _Node,
                       fit: tuple[bool, bool, float | None], exact: bool,
                       printed_reply: bool = False) -> tuple[float, float | None] | None:
        """``_score`` for a candidate whose date already fits (see ``_QuoteDate.fit``).

        OCR's misreadings are allowed for only when one side came through a printer: mail a
        program wrote quotes exactly, and a near miss there is another message.
        """
        date_known, zone_known, offset = fit
        ocr = printed_reply or candidate.printed
        if exact and not quote_text.same_fold(candidate.text):
            return None
        person = _same_person(quote.sender, candidate.sender, ocr)
        if person is False:
            return None
        subject_agrees: bool | None = None
        if quote_subject and candidate.subject_key:
            subject_agrees = ocr_same_words(quote_subject, candidate.subject_key) if ocr else quote_subject == candidate.subject_key
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
                fragment = bool(zone_known and person and quote_text.comparable
                                and quote_text.comparable in candidate.text.comparable)
                # A printed release quotes its own printed originals, cut short and misread by OCR:
                # from the same person at a fitting time, a quote the original's text holds is it.
                printed_copy = bool(ocr and candidate.kind == "message" and person and date_known
                                    and ocr_contained(quote_text.comparable, candidate.text.comparable))
                if not (fragment or printed_copy):
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

    def _candidate_tiers(self, quote: QuotedMessage, subject: str, ocr: bool = False) -> Iterator[list[_Node]]:
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
        else:
            by_subject = {}
        if ts is not None and ocr:
            # Sender and subject both misread by OCR leave no key in common: the same person, fuzzily,
            # writing at the printed time is the last way to find the original.
            yield [
                node for _, node_id, node in self._window(self.by_time, ts)
                if node_id not in by_sender and node_id not in by_subject
                and node.kind == "message" and _same_person(quote.sender, node.sender, True)
            ]

    def _match(self, quote: QuotedMessage, quote_text: _Text, reply: _Node,
               exclude: set[str]) -> tuple[_Node, float | None] | None:
        quote_subject = _subject_key(quote.subject or "")
        quote_date = _QuoteDate(quote, reply)
        for tier in self._candidate_tiers(quote, quote_subject or reply.subject_key, reply.printed):
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
                    scored = self._score_fitting(quote, quote_subject, quote_text, candidate, fit, exact, reply.printed)
                    if scored is None:
                        continue
                    score, offset = scored
                    if best is None or score > best[0] or (score == best[0] and candidate.id < best[1]):
                        best = (score, candidate.id, offset)
                if best is not None:
                    return self.forest.nodes[best[1]], best[2]
        return None


    def _vote_offset(self, reply: _Node, offset: float | None, candidate: _Node) -> None:
        if offset is None or candidate.kind != "message" or candidate.date_status != "ok":
            return
        assert candidate.date is not None
        self.forest.offset_votes.setdefault(_printer_key(reply), []).append((candidate.date.timestamp(), offset))

    def thread_by_quotes(self) -> None:
        self._build_indexes()
        for reply in self.forest.order:
            if not reply.quoted:
                continue
            header_parent = self.forest.parent.get(reply.id)
            if header_parent is not None and self.forest.nodes[header_parent].kind != "placeholder":
                continue
            self._follow_quotes(reply)
        del self.by_sender, self.by_subject, self.undated_by_sender, self.undated_by_subject, self.by_time

    def _follow_quotes(self, reply: _Node) -> None:
        current = reply
        levels = reply.quoted
        for depth, quote in enumerate(levels):
            parent_id = self.forest.parent.get(current.id)
            parent = self.forest.nodes[parent_id] if parent_id is not None else None
            if parent is not None and parent.kind != "placeholder":
                # Only recovered ancestors learn from this reply: it is one more place they were quoted.
                if parent.kind != "recovered" or parent.from_input:
                    return
                if self._score(quote, _subject_key(quote.subject or ""), reply.level(depth), parent, reply) is None:
                    return
                add_quote_source(parent, reply)
                current = parent
                continue
            if depth > 0 and current.kind == "message" and current.quoted:
                return  # that message's own quoted history speaks for its ancestors
            found = self._match(quote, reply.level(depth), reply, {reply.id, current.id})
            if found is not None:
                target, offset = found
                if self.forest.would_loop(target.id, current.id):
                    return
                if parent is not None and not self._may_absorb(parent, target):
                    return
                self._vote_offset(reply, offset, target)
            elif _identifiable(quote):
                target = recover(self.forest, quote, reply, depth)
                self._index(target)
            else:
                return  # "> text" with no attribution: too little to stand as a message of its own
            add_quote_source(target, reply)
            if parent is not None:
                self._absorb_placeholder(parent.id, target)
            elif not self.forest.link(target.id, current.id, "quote"):
                return
            current = target

    def _may_absorb(self, placeholder: _Node, target: _Node) -> bool:
        """Whether a message the quote matched can stand for an absent Message-ID without contradiction."""
        if self.forest.parent.get(target.id) is not None:
            return False
        if target.message_id is not None and target.message_id != placeholder.message_id:
            return False
        return not self.forest.would_loop(placeholder.id, target.id)

    def _absorb_placeholder(self, placeholder: str, target: _Node) -> None:
        """The quote says what the absent parent was: the matched or recovered message takes its place."""
        ph = self.forest.nodes[placeholder]
        grand = self.forest.parent.get(placeholder)
        how = self.forest.how.get(placeholder, "header")
        kids = list(self.forest.children.get(placeholder, []))
        self.forest.unlink(placeholder)
        for kid in kids:
            kid_how = self.forest.how.get(kid, "header")
            self.forest.unlink(kid)
            self.forest.link(target.id, kid, kid_how)
        if grand is not None and self.forest.parent.get(target.id) is None:
            self.forest.link(grand, target.id, how)
        self.forest.children.pop(placeholder, None)
        del self.forest.nodes[placeholder]
        if target.message_id is None and ph.message_id:
            target.message_id = ph.message_id
        self.forest.absorbed_placeholders[placeholder] = target.id

