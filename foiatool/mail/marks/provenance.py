"""Provenance stamps printed on released pages: Bates and control numbers, case numbers, banners, release stamps.

Rules, chosen so that ordinary numbers in mail are not taken for stamps:

* Bates number: an upper-case prefix of 2-10 letters (up to three such
  words joined by ``-``), then ``-`` or a space and 5-10 digits
  (``DHS-001234``, ``DHS 001234``, ``FBI-0001234``), or directly 6-10 digits
  (``STATE-SCB0045149``, ``ABC000123``); or the long form
  prefix-year-letters-number with 4-10 digits (``ICE-2011-FOIA-000123``,
  ``ICE2011FOIA000123``). It stands alone: not inside a path, address,
  message id, URL or MIME boundary (``BOUNDARY_2131626``), nor a mail
  server's queue id (``with ESMTP id DCBE9294206``). Never a match:
  a one-letter prefix (``I-95``, ``H-1B``, ``Form I-247``), fewer digits
  (``COVID-19``), bare digits (phone numbers, dates), a number that runs on
  into ``-digits`` or ``.digits`` (ZIP+4, amounts), a state abbreviation
  with five digits (``CA 94105``, ``USA 02138``: ZIP codes), and prefixes
  that label other numbers (``TEL``, ``FAX``, ``ZIP``, ``PAGE``, ``USD``,
  ``CVE``, ``ISO``, ``KB``, months ...).
  The value is normalised to ``-`` between parts: ``DHS 001234`` ->
  ``DHS-001234``, ``ICE2011FOIA000123`` -> ``ICE-2011-FOIA-000123``.
* Control number (State Department): ``C`` and 8 digits, optionally after
  ``Doc No.``; value ``C05739545``.
* Case number: after ``Case No.`` / ``Case Number`` / ``FOIA Request No.``,
  or a bare State Department case ``F-2014-20439`` / ``M-2015-01234``.
* Classification banner (upper case only): ``UNCLASSIFIED``, ``SENSITIVE BUT
  UNCLASSIFIED``, ``CONFIDENTIAL``, ``SECRET``, ``TOP SECRET``, ``FOR
  OFFICIAL USE ONLY``, ``LAW ENFORCEMENT SENSITIVE``, with known ``//``
  dissemination controls (``UNCLASSIFIED//FOR OFFICIAL USE ONLY``,
  ``SECRET//NOFORN``, ``U//FOUO``; ``-//W3C//DTD`` is not one).
* Release stamp (upper case only): ``RELEASE IN PART B6``, ``RELEASED IN
  PART B6, B7(C)``, ``RELEASE IN FULL``, ``DENY IN FULL``.

Classification blocks of declassified pages (``Classified by DAS, A/GIS, DoS on
08/27/2015 — Class: CONFIDENTIAL — Reason: 1.4(B), 1.4(D) — Declassify on:
12/07/2025``) are release marks too: :func:`split_classification` takes one out
of a line, apart from the text before it and the margin codes after it.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise

__all__ = [
    "Stamp",
    "bates_gaps",
    "bates_number",
    "classification_marks",
    "declassify_continuation",
    "find_stamps",
    "is_page_furniture",
    "split_classification",
]


@dataclass(frozen=True, slots=True)
class Stamp:
    """One provenance mark on a page: what kind it is, its normalised value, and the text as printed."""

    kind: str
    value: str
    text: str


_SEP = r"[- ]?"
_BATES_CORE = (
    r"(?P<bp>[A-Z]{2,10}(?:-[A-Z]{2,10}){0,2})"
    r"(?:" + _SEP + r"(?P<by>(?:19|20)\d{2})(?:" + _SEP + r"(?P<bp2>[A-Z]{2,10}))?)?"
    r"(?P<bs>" + _SEP + r")"
    r"(?P<bn>\d{4,10})"
)
# Not inside a path, address, message id or longer number.
_BATES_START = r"(?<![A-Za-z0-9\-./@_:=&?])"
_BATES_END = r"(?![A-Za-z0-9@_])(?![-.:]\w)"

_CLASS_LEVEL = (
    r"(?:SENSITIVE BUT UNCLASSIFIED|UNCLASSIFIED|TOP SECRET|SECRET|CONFIDENTIAL"
    r"|FOR OFFICIAL USE ONLY|LAW ENFORCEMENT SENSITIVE|(?:TS|U|C|S)(?=\s?//))"
)
# Dissemination controls that follow "//" in US government markings.
_CLASS_CAVEAT = (
    r"(?:\s?//\s?(?:FOR OFFICIAL USE ONLY|LAW ENFORCEMENT SENSITIVE|SENSITIVE BUT UNCLASSIFIED"
    r"|FOUO|NOFORN|NF|SBU|LES|ORCON|PROPIN|RELIDO|FVEY|NOCONTRACT|IMCON|SI|TK|HCS|REL TO USA(?:, [A-Z]{3,4}){0,8})"
    r"(?![A-Za-z]))"
)
_RELEASE_CODE = r"[Bb][1-9](?:\(\s?[A-Fa-f]\s?\)|[A-Fa-f])?(?![A-Za-z0-9])"

_STAMP = re.compile(
    r"(?P<release>(?<![A-Za-z])(?:RELEASED?|DENY|DENIED)\s{1,3}IN\s{1,3}(?:PART|FULL)(?![A-Za-z])"
    r"(?:[\s,;]{1,4}" + _RELEASE_CODE + r"){0,12})"
    r"|(?P<case>(?<![A-Za-z])(?:FOIA\s{1,2}(?:Request|REQUEST)|Case|CASE)\s{0,2}(?:No\.?|NO\.?|Number|NUMBER|#)"
    r"\s{0,2}:?\s{0,2}(?P<case_v>[A-Za-z0-9](?:[A-Za-z0-9:.\-]{0,38}[A-Za-z0-9])?))"
    r"|(?P<control>(?:(?<![A-Za-z])(?:Doc|DOC)(?:ument|UMENT)?\s{0,2}(?:No\.?|NO\.?|Number|NUMBER|#)\s{0,2}:?\s{0,2})?"
    r"(?<![A-Za-z0-9])(?P<control_v>C\d{8})(?![A-Za-z0-9]))"
    r"|(?P<classification>(?<![A-Za-z0-9/\-])" + _CLASS_LEVEL + _CLASS_CAVEAT + r"{0,4}(?![A-Za-z0-9/]))"
    r"|(?P<dos_case>(?<![A-Za-z0-9-])[FM]-(?:19|20)\d{2}-\d{4,6}(?![A-Za-z0-9]))"
    r"|(?P<bates>" + _BATES_START + _BATES_CORE + _BATES_END + r")"
)
_BATES_ONLY = re.compile(r"\s*" + _BATES_CORE + r"\s*")
_WS = re.compile(r"\s+")
_SLASHES = re.compile(r"\s*//\s*")
_RELEASE_CODES = re.compile(_RELEASE_CODE)
_RELEASE_HEAD = re.compile(r"(RELEASED?|DENY|DENIED)\s+IN\s+(PART|FULL)")

# Prefixes that label numbers other than Bates numbers.
_NOT_BATES_PREFIX = frozenset(
    "TEL FAX PH PHONE CELL MOBILE ZIP PO BOX NO NUM NR ID EXT RM STE APT SUITE ROOM FY CY PAGE PG PP "
    "ISBN ISSN EIN SSN DUNS TIN ACCT REF INV USD EUR GBP CAD AUD JPY CHF CNY INR MXN "
    "JAN FEB MAR APR MAY JUN JUL AUG SEP SEPT OCT NOV DEC AM PM "
    "CVE CAN RFC ISO IEC EN DIN ANSI KB SKU UPC EAN ASIN VIN NDC".split()
)
_US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY "
    "NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP".split()
)


def _bates_value(match: re.Match[str]) -> str | None:
    prefix, year, prefix2, separator, number = match.group("bp", "by", "bp2", "bs", "bn")
    if prefix in _NOT_BATES_PREFIX or prefix.split("-")[-1] in _NOT_BATES_PREFIX:
        return None
    if year is None:
        if len(number) < (5 if separator else 6):
            return None
        if len(number) == 5 and (prefix in _US_STATES or prefix in ("US", "USA")):
            return None
    parts = [prefix, year, prefix2, number]
    return "-".join(p for p in parts if p)


def _after_queue_id_word(text: str, start: int) -> bool:
    # Mail servers log queue ids as "with ESMTP id DCBE9294206".
    return text[max(0, start - 3):start] in ("id ", "ID ", "Id ")


def _release_value(written: str) -> str:
    head = _RELEASE_HEAD.match(written)
    phrase = f"{head.group(1)} IN {head.group(2)}" if head else _WS.sub(" ", written).strip()
    codes = [_WS.sub("", c).upper() for c in _RELEASE_CODES.findall(written, head.end() if head else 0)]
    return f"{phrase} {', '.join(codes)}" if codes else phrase


def _iter_stamps(text: str) -> Iterator[tuple[Stamp, int, int]]:
    for m in _STAMP.finditer(text):
        written = m.group()
        if m.group("bates") is not None:
            value = _bates_value(m)
            if value is None or _after_queue_id_word(text, m.start()):
                continue
            yield Stamp("bates", value, written), m.start(), m.end()
        elif m.group("release") is not None:
            yield Stamp("release", _release_value(written), written), m.start(), m.end()
        elif m.group("case") is not None:
            value = m.group("case_v")
            if not any(ch.isdigit() for ch in value):
                continue
            yield Stamp("case", value, written), m.start(), m.end()
        elif m.group("dos_case") is not None:
            yield Stamp("case", written, written), m.start(), m.end()
        elif m.group("control") is not None:
            yield Stamp("control", m.group("control_v"), written), m.start(), m.end()
        elif m.group("classification") is not None:
            yield Stamp("classification", _SLASHES.sub("//", _WS.sub(" ", written)), written), m.start(), m.end()


def find_stamps(text: str) -> list[Stamp]:
    """Every provenance stamp in ``text``, in order of appearance."""
    if not text:
        return []
    return [stamp for stamp, _, _ in _iter_stamps(text)]


def bates_number(value: str) -> tuple[str, int] | None:
    """Split a Bates number into prefix and sequence number: ``"DHS-001234"`` -> ``("DHS-", 1234)``.

    Accepts any spelling :func:`find_stamps` recognises (``"DHS 001234"``,
    ``"ICE2011FOIA000123"``); returns None for anything that is not a Bates number.
    """
    if not value:
        return None
    m = _BATES_ONLY.fullmatch(value)
    if m is None:
        return None
    normalised = _bates_value(m)
    if normalised is None:
        return None
    prefix, _, digits = normalised.rpartition("-")
    return prefix + "-", int(digits)


def bates_gaps(values: Iterable[str]) -> list[tuple[str, int, int]]:
    """Missing inclusive ranges in each Bates prefix's sequence, sorted by prefix then start.

    Values that are not Bates numbers are ignored; duplicates are harmless.
    """
    seen: dict[str, set[int]] = defaultdict(set)
    for value in values:
        parsed = bates_number(value)
        if parsed is not None:
            seen[parsed[0]].add(parsed[1])
    gaps: list[tuple[str, int, int]] = []
    for prefix in sorted(seen):
        numbers = sorted(seen[prefix])
        for low, high in pairwise(numbers):
            if high - low > 1:
                gaps.append((prefix, low + 1, high - 1))
    return gaps


_PAGE_NUMBER = re.compile(
    r"(?:(?:Page|PAGE|page|Pg\.?|PG\.?)\s*\d{1,5}(?:\s*(?:of|OF|/)\s*\d{1,5})?"
    r"|[-–—]\s*\d{1,5}\s*[-–—]"
    r"|\d{1,5}\s+(?:of|OF)\s+\d{1,5})"
)
_PRINTED = re.compile(r"(?:Printed|PRINTED|printed)\s+(?:on|at|ON|AT)\b.{0,150}")
# Fixed wording that production pages print beside their stamps.
_FURNITURE_WORDS = re.compile(
    r"U\.\s?S\.\s+Department\s+of\s+State|Department\s+of\s+State"
    r"|Date:\s*\d{1,2}/\d{1,2}/\d{2,4}"
    r"|(?:Page|PAGE)\s*\d{1,5}(?:\s*(?:of|OF)\s*\d{1,5})?"
    r"|STATE\s+DEPT\.\s*-\s*PRODUCED\s+TO\s+HOUSE\s+SELECT\s+BENGHAZI\s+COMM\."
    r"|SUBJECT\s+TO\s+AGREEMENT\s+ON\s+SENSITIVE\s+INFORMATION\s+&\s+REDACTIONS\."
    r"|NO\s+FOIA\s+WAIVER\.?"
)
_ONLY_PUNCT = re.compile(r"[\W_]*")
_MAX_FURNITURE_LINE = 400


def is_page_furniture(line: str) -> bool:
    """True for a line that is page furniture, not message content.

    Page numbers (``Page 3 of 7``, ``- 3 -``, ``3 of 7``), ``Printed on ...``
    lines, and lines made only of stamps (a Bates number, a banner, a release
    stamp, the State Department header) and the fixed words printed with them.
    A line of fixed words alone (``Date: 05/13/2015``) is content.
    """
    s = line.strip()
    if not s or len(s) > _MAX_FURNITURE_LINE:
        return False
    if _PAGE_NUMBER.fullmatch(s) or _PRINTED.fullmatch(s):
        return True
    spans = [(start, end) for _, start, end in _iter_stamps(s)]
    if not spans:
        return False
    pieces: list[str] = []
    pos = 0
    for start, end in spans:
        pieces.append(s[pos:start])
        pos = end
    pieces.append(s[pos:])
    rest = _FURNITURE_WORDS.sub(" ", " ".join(pieces))
    return _ONLY_PUNCT.fullmatch(rest) is not None


# Where a derivative classification block begins in a line (after any text printed before it).
_CLASSIFICATION_START = re.compile(
    r"(?:[—–-]\s*)?(?:Classified\s+by\b|Declassify\s+on\b|Reason:\s*1\.\d|Class:\s*(?:CONFIDENTIAL|SECRET|TOP SECRET)?\s*(?:$|[—–-]))",
    re.IGNORECASE,
)
_CLASSIFICATION_PART = re.compile(
    r"\s+[—–]\s*|\s+-\s+|\s*[—–]\s+|\s+(?=(?:Classified\s+by|Class:|Reason:|Declassify)\b)", re.IGNORECASE
)
_MARK_PREFIX = re.compile(r"^(?:Classified\s+by|Class:|Reason:|Declassify)", re.IGNORECASE)
_STAMP_IN_BLOCK = re.compile(r"\s*(?:RELEASED?|DENY|DENIED)\s+IN\s+(?:PART|FULL)\b.*$")
# Exemption codes printed in the margin after the block's date ("... Declassify on: 12/07/2025   B1").
_TRAILING_CODES = re.compile(
    r"(?<=\d)(?P<codes>(?:\s+(?:PART\s+)?(?:B\d(?:\([A-Fa-f]\)|[A-Fa-f](?![A-Za-z]))?|1\.\d\s?\([A-Ha-h]\))[,;]?)+)\s*$"
)
# A mark the block's wrap cut short: "Declassify" or "Declassify on:" without its date.
_CUT_DECLASSIFY = re.compile(r"Declassify(?P<on>\s+on:?)?$", re.IGNORECASE)
_DATE_TAIL = re.compile(r"(?:^|(?<=\s))(?P<on>on:?\s*)?(?P<date>\d{1,2}/\d{1,2}/\d{2,4})\s*$", re.IGNORECASE)
_SPACE_RUN = re.compile(r"\s+")


def split_classification(line: str) -> tuple[str, list[str], str]:
    """A line holding a classification block: (text printed before it, the block's marks, codes after it).

    ``("", [], "")`` when the line holds none. The text before ("cdm", "-----Original
    Message-----") is the message's; the codes after the date are margin redaction marks.
    """
    match = _CLASSIFICATION_START.search(line)
    if match is None:
        return "", [], ""
    before, block = line[: match.start()].rstrip(), line[match.start():]
    block = _STAMP_IN_BLOCK.sub("", block).strip()
    after = ""
    trailing = _TRAILING_CODES.search(block)
    if trailing:
        after, block = trailing.group("codes").strip(), block[: trailing.start()]
    marks: list[str] = []
    for part in _CLASSIFICATION_PART.split(block):
        part = _SPACE_RUN.sub(" ", part).strip(" —–-")
        if not part:
            continue
        if _MARK_PREFIX.match(part) or not marks:
            marks.append(part)
        else:
            marks[-1] = f"{marks[-1]} {part}"
    return before, marks, after


def classification_marks(line: str) -> list[str]:
    """The parts of a derivative classification line ("Classified by ... — Reason: 1.4(B) — Declassify on: ..."), or []."""
    return split_classification(line)[1]


def declassify_continuation(marks: list[str], line: str) -> tuple[str, str] | None:
    """When the block's last mark lost its date to a wrap, the date on ``line`` (the next line):
    (the whole mark, what is left of the line); None when ``line`` does not finish it."""
    if not marks:
        return None
    cut = _CUT_DECLASSIFY.search(marks[-1])
    tail = _DATE_TAIL.search(line)
    if cut is None or tail is None or not (cut.group("on") or tail.group("on")):
        return None
    return f"Declassify on: {tail.group('date')}", line[: tail.start()].rstrip()
