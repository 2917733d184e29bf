"""Comparable forms of message text, and near-duplicate copies of one message found by them."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Protocol

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..mail.addresses import normalise_name
from ..model import Address

# FOIA exemption marks in their many spellings: "(b)(6)", "(b) (7)(C)", "b6", "[REDACTED]",
# blacked-out blocks. Two releases of one message often differ only here. This is a
# deliberately fast approximation of redactions.find_redactions: it runs over every body
# in the corpus, and removing a few extra ordinary tokens on both sides of a comparison
# cannot make two different texts equal in practice.
# Every alternative starts with a literal character (the word-start tests look behind
# after it), so the regex engine skips straight to the few places a mark can begin:
# four times faster over a corpus than leading look-behinds and character sets.
_MARKS = re.compile(
    r"""
      \(\s*[a-z]\s*\)(?:\s*\(\s*\d{1,2}\s*\))+(?:\s*\(\s*[a-z]\s*\))*
    | b(?<![a-z0-9_]b)(?:\s?\(\s?\d{1,2}\s?\)(?:\s?\(\s?[a-f]\s?\))*|\d{1,2}[a-f]?\b)
    | redacted | withheld | exemptions?\s+\d+
    | \u2588[\u2588\u25a0\u2587\u2589\u258c]* | \u25a0[\u2588\u25a0\u2587\u2589\u258c]*
    | \u2587[\u2588\u25a0\u2587\u2589\u258c]* | \u2589[\u2588\u25a0\u2587\u2589\u258c]*
    | \u258c[\u2588\u25a0\u2587\u2589\u258c]*
    | x(?<![a-z0-9_]x)xx+\b
    """,
    re.VERBOSE,
)
_WORD = re.compile(r"\w+")
_SIGNATURE_RULE = re.compile(r"^[ \t]*--[ \t]*$", re.MULTILINE)
_DEVICE_LINES = re.compile(
    r"^[ \t]*(?:sent from my \w[^\n]*|sent (?:with|via|using) \w[^\n]*|get outlook for \w[^\n]*|"
    r"sent from (?:mail|outlook|yahoo mail|samsung|windows mail)[^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:\[[^\]]{0,40}\]\s*)|(?:(?:re|fw|fwd|aw|wg|tr|sv|vs|antw|rif|r)\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:\uff1a]\s*))+",
    re.IGNORECASE,
)
_REPLY_FORM = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)*(?:re|fw|fwd|aw|wg|tr|sv|vs|antw|rif|r)\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:\uff1a]",
    re.IGNORECASE,
)
_WS = re.compile(r"\s+")


def comparable_text(text: str) -> str:
    """Lower-cased words only, redaction marks removed: what two copies of one text share.

    Whitespace, line wrapping, punctuation, quote markers and the spelling of
    redaction marks all disappear, so a release that wrote "(b) (6)" and one
    that wrote "(b)(6)" give the same form.
    """
    if not text:
        return ""
    return " ".join(_WORD.findall(_MARKS.sub(" ", text.lower())))


def folded_text(text: str) -> str:
    """Lower-cased, whitespace-folded text: the cheap first comparison before ``comparable_text``."""
    return " ".join(text.lower().split()) if text else ""


def without_signature(text: str) -> str:
    """The text before a "-- " signature rule, without "Sent from my iPhone" lines."""
    if "--" in text:
        rule = _SIGNATURE_RULE.search(text)
        if rule:
            text = text[: rule.start()]
    lower = text.lower()
    if "sent " in lower or "get outlook" in lower:
        text = _DEVICE_LINES.sub("", text)
    return text


def subject_key(subject: str) -> str:
    """The subject without reply/forward prefixes (any number, several languages) or list tags, folded."""
    if not subject:
        return ""
    return _WS.sub(" ", _REPLY_PREFIX.sub("", subject)).strip().lower()


def strip_reply_prefixes(subject: str) -> str:
    """The subject as written, less its reply/forward prefixes and leading list tags."""
    return _REPLY_PREFIX.sub("", subject or "").strip()


def is_reply_subject(subject: str) -> bool:
    """Whether the subject is written as a reply or forward (RE:, FW:, AW:, WG:, TR: ...)."""
    return bool(subject) and bool(_REPLY_FORM.match(subject))


def sender_key(sender: Address | None) -> str:
    """The one key copies of a message agree on for its sender: address, else normalised name."""
    if sender is None:
        return ""
    return sender.email or _normalised_name(sender.name)


# A corpus has far fewer names and subjects than messages.
_normalised_name = lru_cache(maxsize=1 << 16)(normalise_name)
_subject_key = lru_cache(maxsize=1 << 16)(subject_key)


class DuplicateCandidate(Protocol):
    id: str
    message_id: str | None
    subject: str
    sender: Address | None
    date: datetime | None
    new_text: str


def near_duplicate_key(message: DuplicateCandidate) -> tuple[str, str, str, str]:
    """Sender, date to the minute, subject and signature-free comparable text."""
    return (*_header_key(message), comparable_text(without_signature(message.new_text)))


def _header_key(message: DuplicateCandidate) -> tuple[str, str, str]:
    minute = message.date.isoformat(timespec="minutes")[:16] if message.date else ""
    return sender_key(message.sender), minute, _subject_key(message.subject)


def find_near_duplicates(messages: Iterable[DuplicateCandidate]) -> dict[str, str]:
    """Each near-duplicate copy's id -> the canonical copy's id (the copy with headers, else the smallest id).

    Copies must share sender, minute, subject and text (see ``near_duplicate_key``).
    Two copies carrying different Message-IDs are different messages and are
    never merged; a copy without a Message-ID joins the group it matches.
    """
    by_header: dict[tuple[str, str, str], list[DuplicateCandidate]] = {}
    for message in messages:
        by_header.setdefault(_header_key(message), []).append(message)
    duplicate_of: dict[str, str] = {}
    # Comparable text is the costly part: made only for messages a cheap test left in play, once.
    texts: dict[str, str] = {}

    def text_of(message: DuplicateCandidate) -> str:
        text = texts.get(message.id)
        if text is None:
            text = texts[message.id] = comparable_text(without_signature(message.new_text))
        return text

    for header, members in by_header.items():
        if len(members) < 2:
            continue  # the text is compared only where the cheap fields already agree
        groups: dict[str, list[DuplicateCandidate]] = {}
        for message in members:
            text = text_of(message)
            if not header[0] and not text:
                continue  # nothing to compare on: no sender and no text
            groups.setdefault(text, []).append(message)
        for same in groups.values():
            if len(same) < 2:
                continue
            for group in _split_by_message_id(sorted(same, key=lambda m: m.id)):
                canonical = min(group, key=_canonical_rank).id
                for other in group:
                    if other.id != canonical:
                        duplicate_of[other.id] = canonical
    for copy, original in _printed_copies(by_header, duplicate_of, text_of).items():
        duplicate_of.setdefault(copy, duplicate_of.get(original, original))
    return dict(sorted(duplicate_of.items()))


# A printed copy (a PDF page, a stripped export) shows the time in the sender's zone without
# saying which; real zones are whole, half or quarter hours within ±14 h of UTC.
_MAX_PRINT_OFFSET = 14 * 3600
_PRINT_OFFSET_STEP = 15 * 60
# Texts this short ("Thanks.", "Agreed.") say too little to call two messages one.
_MIN_PRINTED_TEXT = 40


def _printed_copies(by_header: dict, already: dict[str, str],
                    text_of: Callable[[DuplicateCandidate], str]) -> dict[str, str]:
    """Copies whose header key could not agree: a printed copy with a guessed date and a sender
    known only by name. Same subject and text, dates a zone offset apart, and a sender whose
    name fits the other copy's make them one message."""
    from ..mail.addresses import name_matches_address

    # Every printed copy has an untrusted date: only subjects that have one are looked at.
    open_subjects = {
        subject for (_, _, subject), members in by_header.items()
        for message in members if message.date is not None and _untrusted(message)
    }
    by_subject: dict[str, list[DuplicateCandidate]] = {}
    for (_, _, subject), members in by_header.items():
        if subject not in open_subjects:
            continue
        for message in members:
            if message.id not in already and message.date is not None:
                by_subject.setdefault(subject, []).append(message)
    by_text: dict[tuple[str, str], list[DuplicateCandidate]] = {}
    for subject, members in by_subject.items():
        for message in _may_pair_in_time(members):
            text = text_of(message)
            if len(text) >= _MIN_PRINTED_TEXT:
                by_text.setdefault((subject, text), []).append(message)
    found: dict[str, str] = {}
    for members in by_text.values():
        if len(members) < 2:
            continue
        members = sorted(members, key=lambda m: m.id)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if b.id in found or a.id in found:
                    continue
                if not _untrusted(a) and not _untrusted(b):
                    continue  # two trustworthy dates that disagree are two messages
                if a.message_id and b.message_id and a.message_id != b.message_id:
                    continue
                if not _zone_apart(a, b):
                    continue
                if not _same_sender(a.sender, b.sender, name_matches_address):
                    continue
                keep, copy = sorted((a, b), key=_canonical_rank)
                found[copy.id] = keep.id
    return found


def _untrusted(message: DuplicateCandidate) -> bool:
    return getattr(message, "date_status", "ok") != "ok"


def _zone_apart(a: DuplicateCandidate, b: DuplicateCandidate) -> bool:
    """Whether two dates can be one moment printed in two zones (printed times stop at the minute)."""
    seconds = abs((a.date.replace(second=0, microsecond=0) - b.date.replace(second=0, microsecond=0)).total_seconds())  # type: ignore[union-attr]
    return seconds <= _MAX_PRINT_OFFSET and not seconds % _PRINT_OFFSET_STEP


def _may_pair_in_time(members: list[DuplicateCandidate]) -> list[DuplicateCandidate]:
    """The messages of one subject that have a partner a zone offset away, one of the two with an
    untrusted date: only these can be printed copies, so only their text is worth comparing."""
    if len(members) < 2 or not any(_untrusted(m) for m in members):
        return []
    ordered = sorted(members, key=lambda m: m.date.timestamp())  # type: ignore[union-attr]
    times = [m.date.timestamp() for m in ordered]  # type: ignore[union-attr]
    reach = _MAX_PRINT_OFFSET + 60  # the minute truncation can widen a gap by under a minute
    keep: set[int] = set()
    for i, message in enumerate(ordered):
        if not _untrusted(message):
            continue
        for j in range(bisect_left(times, times[i] - reach), bisect_right(times, times[i] + reach)):
            if j != i and _zone_apart(message, ordered[j]):
                keep.update((i, j))
    return [ordered[i] for i in sorted(keep)]


def _canonical_rank(message: DuplicateCandidate) -> tuple:
    """The copy that stands for the group: the one with headers, a trustworthy date and an address."""
    return (
        not message.message_id,
        getattr(message, "date_status", "ok") != "ok",
        not (message.sender and message.sender.email),
        message.id,
    )


def _same_sender(a: Address | None, b: Address | None, name_matches_address) -> bool:
    if a is None or b is None:
        return False
    if a.email and b.email:
        return a.email == b.email
    named, other = (a, b) if not a.email else (b, a)
    if not named.name:
        return False
    key = normalise_name(named.name)
    if other.name and normalise_name(other.name) == key:
        return True
    return bool(other.email) and name_matches_address(named.name, other.email)


def _split_by_message_id(members: Sequence[DuplicateCandidate]) -> list[list[DuplicateCandidate]]:
    by_id: dict[str, list[DuplicateCandidate]] = {}
    without: list[DuplicateCandidate] = []
    for member in members:
        if member.message_id:
            by_id.setdefault(member.message_id, []).append(member)
        else:
            without.append(member)
    groups = [by_id[k] for k in sorted(by_id, key=lambda k: by_id[k][0].id)]
    if groups:
        groups[0].extend(without)
        groups[0].sort(key=lambda m: m.id)
    elif without:
        groups.append(without)
    return [g for g in groups if len(g) > 1]


# ------------------------------------------------------------------ OCR-damaged printed copies

# OCR changes a letter or two of a printed name, address or subject ("Sullivan, Jacobi" for
# "Sullivan, Jacob J", "state.goy", "Subiect"): scores out of 100 that still mean the same words.
OCR_SAME_WORDS = 88
# A quoted copy is the original's text cut short and re-read by OCR: this share of its characters
# must line up with a stretch of the original.
OCR_CONTAINED = 90
# Below this length a few changed letters are a different word, not damage.
_OCR_MIN_LENGTH = 5


def ocr_same_words(a: str, b: str) -> bool:
    """Two short printed strings (names, addresses, subject keys) that are equal but for OCR damage."""
    if not a or not b:
        return False
    if a == b:
        return True
    if min(len(a), len(b)) < _OCR_MIN_LENGTH:
        return False
    # one misread letter ("DecIan") costs a short word more than the ratio allows
    return Levenshtein.distance(a, b, score_cutoff=1) <= 1 or fuzz.ratio(a, b, score_cutoff=OCR_SAME_WORDS) > 0


def ocr_contained(part: str, whole: str) -> bool:
    """Whether a comparable text is, but for OCR damage, a stretch of another: a quoted copy of a
    printed message, cut short by the quoting client or the page, still holds in the original."""
    if not part or not whole:
        return False
    if part in whole:
        return True
    # damage changes letters, it does not make the copy much longer than what it copies
    if len(part) > 1.1 * len(whole) or len(part) < 2 * _OCR_MIN_LENGTH:
        return False
    return fuzz.partial_ratio(part, whole, score_cutoff=OCR_CONTAINED) > 0


__all__ = [
    "comparable_text", "folded_text", "without_signature", "subject_key", "strip_reply_prefixes", "is_reply_subject", "sender_key",
    "near_duplicate_key", "find_near_duplicates", "ocr_same_words", "ocr_contained",
]
