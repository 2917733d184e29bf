"""Pages of printed email (a PDF's text layer, an OCR'd text file) to messages: furniture, stamps, release marks, documents."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ...mail.marks.provenance import (
    Stamp,
    classification_marks,
    declassify_continuation,
    find_stamps,
    is_page_furniture,
    split_classification,
)
from ...model import Document, Message, Problem, Source
from .split import PrintedLine, message_from_printed, opens_printout, split_printed

# Lines at the top and bottom of a page where running headers, footers and stamps live.
FURNITURE_ZONE = 5
# Text lines a release adds to a page beyond what the furniture rules catch: a title above the first printout, a stamp on a scan.
TOP_FURNITURE_LINES = 2
_TITLE_CHARS = 120

_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
HEADER_LABEL = re.compile(r"^\s*(?:from|sent|date|to|cc|bcc|subject|attachments?|importance)\s*:", re.IGNORECASE)
# The date a release stamps on its pages ("... Doc No. C05765907 Date: 08/31/2015"): nothing in it was written later.
_RELEASE_DATE = re.compile(r"Date:\s*(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})(?!\d)")
# The line of codes a release stamp prints under "RELEASE IN PART" when they did not fit beside it.
_CODES_LINE = re.compile(r"(?:(?:B\d(?:\(\s?[A-Fa-f]\s?\)|[A-Fa-f](?![A-Za-z]))?|1\.\d\s?\(\s?[A-Ha-h]\s?\))[\s,;]*)+")
_CODE = re.compile(r"B\d(?:\(\s?[A-Fa-f]\s?\)|[A-Fa-f](?![A-Za-z]))?|1\.\d\s?\(\s?[A-Ha-h]\s?\)")
# Stamps that name the document itself: kept on every message of it, whatever page it sits on.
_DOCUMENT_IDS = ("control", "case")


@dataclass(slots=True)
class Page:
    """One printed page: its raw text, then (after ``clean_page``) content lines, stamps and marks."""

    number: int
    text: str
    has_image: bool = False
    lines: list[str] = field(default_factory=list)
    stamps: list[Stamp] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)
    released: datetime | None = None
    needs_ocr: bool = False


def _shape(line: str) -> str:
    """A line with numbers and spacing folded, so "Page 3 of 7" on each page compares equal."""
    return _SPACES.sub(" ", _DIGITS.sub("#", line)).strip().lower()


def _zone(lines: Sequence[str]) -> list[tuple[int, str, int]]:
    """The content lines where furniture lives: (index, side, distance in lines from that edge)."""
    content = [index for index, line in enumerate(lines) if line.strip()]
    if not content:
        return []
    top = content[:FURNITURE_ZONE]
    bottom = [index for index in content[-FURNITURE_ZONE:] if index not in top]
    last = len(lines) - 1
    return [(index, "top", index) for index in top] + [(index, "bottom", last - index) for index in bottom]


def _next_content(lines: Sequence[str], index: int) -> str:
    for line in lines[index + 1:]:
        if line.strip():
            return line
    return ""


RunningKey = tuple[str, str]


def running_lines(pages: Sequence[Page]) -> set[RunningKey]:
    """(side, shape) of lines repeated at the same place at the top or bottom of nearly every page.

    Running headers, footers and "Page N of M" sit at a fixed distance from the
    page edge; a signature that ends many one-page emails does not, in
    layout-preserving text, so the distance is part of the test.
    """
    with_text = [page for page in pages if page.text.strip()]
    if len(with_text) < 2:
        return set()
    places: dict[RunningKey, Counter[int]] = {}
    for page in with_text:
        lines = page.text.split("\n")
        seen: set[tuple[RunningKey, int]] = set()
        for index, side, distance in _zone(lines):
            shape = _shape(lines[index])
            if shape and ((side, shape), distance) not in seen:
                seen.add(((side, shape), distance))
                places.setdefault((side, shape), Counter())[distance] += 1
    needed = max(2, -(-len(with_text) * 4 // 5))
    running: set[RunningKey] = set()
    for key, distances in places.items():
        usual = distances.most_common(1)[0][0]
        near = sum(count for distance, count in distances.items() if abs(distance - usual) <= 1)
        if near >= needed:
            running.add(key)
    return running


def _is_furniture_text(text: str, side: str, running: set[RunningKey]) -> bool:
    """Whether a line (or what is left of it once stamps are taken out) is only page furniture."""
    stripped = text.strip()
    if not stripped or is_page_furniture(stripped) or (side, _shape(stripped)) in running:
        return True
    parts = [part for part in re.split(r"\s{3,}", stripped) if part]
    return len(parts) > 1 and all(is_page_furniture(part) or (side, _shape(part)) in running for part in parts)


def _release_date(line: str) -> datetime | None:
    match = _RELEASE_DATE.search(line)
    if match is None:
        return None
    month, day, year = (int(part) for part in match.groups())
    try:
        # The end of the stamped day: a message sent that day is not after the release.
        return datetime(year, month, day, 23, 59, 59, tzinfo=UTC)
    except ValueError:
        return None


def _add_stamps(page: Page, stamps: Sequence[Stamp]) -> None:
    for stamp in stamps:
        if stamp.kind == "release":
            if stamp.value not in page.marks:
                page.marks.append(stamp.value)
        else:
            page.stamps.append(stamp)


def clean_page(page: Page, running: set[RunningKey]) -> None:
    """Split the page's text into content lines, provenance stamps and release marks; furniture goes."""
    lines = page.text.split("\n")
    drop: set[int] = set()
    page.stamps, page.marks, page.released = [], [], None
    for index, side, _ in _zone(lines):
        line = lines[index]
        if HEADER_LABEL.match(line):
            continue
        stamps = find_stamps(line)
        # A name line above a header block repeats on every page when one person printed them all
        # (a line of stamps alone, "RELEASE IN PART B5" above the header, is no name).
        if not (stamps and is_page_furniture(line)) and opens_printout(line, _next_content(lines, index)):
            continue
        remainder = line
        for text in sorted({stamp.text for stamp in stamps}, key=len, reverse=True):
            remainder = remainder.replace(text, " ") if text else remainder
        # Stamps count only on lines that are wholly furniture; one inside a sentence is the sentence's.
        if _is_furniture_text(line, side, running) or (stamps and _is_furniture_text(remainder, side, running)):
            drop.add(index)
            _add_stamps(page, stamps)
            page.released = page.released or _release_date(line)
            continue
        # A release stamp set in its own column beside a title or a header line: the stamp goes, the text stays.
        for stamp in stamps:
            if stamp.kind == "release":
                column = re.search(r"\s{3,}" + re.escape(stamp.text) + r"\s*$", lines[index])
                if column:
                    lines[index] = lines[index][: column.start()]
                    _add_stamps(page, [stamp])
    _join_broken_stamp(page, lines, drop)
    _join_stamp_codes(page, lines, drop)
    # Classification blocks print wherever the declassifier put them, not only at the page edges.
    for index, line in enumerate(lines):
        if index in drop or HEADER_LABEL.match(line):
            continue
        before, marks, after = split_classification(line)
        if not marks:
            continue
        _add_stamps(page, [stamp for stamp in find_stamps(line) if stamp.kind == "release"])
        _finish_wrapped_block(marks, lines, index, drop)
        page.marks.extend(mark for mark in marks if mark not in page.marks)
        # The text printed before the block, and the margin codes after it, are the message's.
        rest = "   ".join(part for part in (before, after) if part.strip())
        if rest.strip():
            lines[index] = rest
        else:
            drop.add(index)
    kept = [line.rstrip() for index, line in enumerate(lines) if index not in drop]
    while kept and not kept[0].strip():
        kept.pop(0)
    while kept and not kept[-1].strip():
        kept.pop()
    page.lines = kept


# The first words of a release stamp the scan broke over lines ("RELEASE IN" / "PART B5,B6").
_STAMP_HEAD = re.compile(r"^\s*(?:RELEASED?|DENY|DENIED)(?:\s+IN)?\s*$")


def _join_broken_stamp(page: Page, lines: list[str], drop: set[int]) -> None:
    """A release stamp broken over two or three lines at the top of the page is one stamp: its lines go."""
    content = [index for index, line in enumerate(lines) if line.strip()][:FURNITURE_ZONE + 2]
    for place, index in enumerate(content):
        if index in drop or not _STAMP_HEAD.match(lines[index]):
            continue
        for size in (2, 3):
            parts = content[place:place + size]
            joined = " ".join(lines[j].strip() for j in parts)
            stamps = [stamp for stamp in find_stamps(joined) if stamp.kind == "release"]
            if len(parts) == size and stamps and is_page_furniture(joined) and not any(j in drop for j in parts[1:]):
                # The codes line may follow ("RELEASE IN" / "PART" / "B1,1.4(D)"): the longest reading wins.
                longer = " ".join(lines[j].strip() for j in content[place:place + size + 1])
                if size == 2 and len(content) > place + 2 and is_page_furniture(longer) and find_stamps(longer):
                    continue
                drop.update(parts)
                _add_stamps(page, stamps)
                break


def _finish_wrapped_block(marks: list[str], lines: list[str], index: int, drop: set[int]) -> None:
    """A block wrapped over two lines leaves "Declassify" or "Declassify on:" without its date, which
    prints on one of the next two lines (after a word of the body the OCR set beside it): join them."""
    following = [j for j in range(index + 1, min(len(lines), index + 4)) if lines[j].strip() and j not in drop][:2]
    for position in following:
        finished = declassify_continuation(marks, lines[position])
        if finished is None:
            continue
        marks[-1], rest = finished
        if rest.strip():
            lines[position] = rest
        else:
            drop.add(position)
        return


def _join_stamp_codes(page: Page, lines: list[str], drop: set[int]) -> None:
    """A "RELEASE IN PART" stamp with its codes on the line under it: the codes join the mark and the line goes
    (it is not an inline redaction of the text)."""
    for index in sorted(drop):
        bare = [mark for mark in page.marks if mark.endswith(" IN PART") and mark in _release_values(lines[index])]
        if not bare:
            continue
        following = next((j for j in range(index + 1, min(len(lines), index + 4)) if lines[j].strip()), None)
        if following is None or following in drop or not _CODES_LINE.fullmatch(lines[following].strip()):
            continue
        drop.add(following)
        codes = ", ".join(_SPACES.sub("", code).upper() for code in _CODE.findall(lines[following]))
        page.marks = [f"{mark} {codes}" if mark == bare[0] else mark for mark in page.marks]


def _release_values(line: str) -> set[str]:
    return {stamp.value for stamp in find_stamps(line) if stamp.kind == "release"}


def page_label(first: int, last: int) -> str:
    return f"page {first}" if first == last else f"pages {first}-{last}"


def locator(prefix: str, kind: str, first: int, last: int) -> str:
    """Where a span of pages sits: ``pdf:pages 1-2``, ``txt:page 3``, after the container's locator."""
    return f"{prefix}{kind}:{page_label(first, last)}"


def _paragraph_ends_at_break(last: str, first: str, before: Sequence[PrintedLine]) -> bool:
    """Whether the page break fell between paragraphs, so the joined text keeps a blank line there.

    A mail client fills each line of a paragraph to the margin; a short line
    ending a sentence was the paragraph's last.
    """
    if not last.rstrip().endswith((".", "!", "?")) or HEADER_LABEL.match(last) or HEADER_LABEL.match(first):
        return False
    page = before[-1].page
    widths = [len(line.text.strip()) for line in before[-60:] if line.page == page]
    return len(last.strip()) < 0.75 * max(widths, default=0)


def _document_stamps(pages: Sequence[Page]) -> set[str]:
    """Stamps printed unchanged on nearly every page (a request number, a banner): they name the
    document, not a page, so they do not tell one message's pages from another's."""
    with_stamps = [page for page in pages if page.lines]
    if len(with_stamps) < 2:
        return set()
    counts = Counter(value for page in with_stamps for value in {stamp.value for stamp in page.stamps})
    needed = max(2, -(-len(with_stamps) * 4 // 5))
    return {value for value, count in counts.items() if count >= needed}


def _document_ids(pages: Sequence[Page]) -> list[str]:
    ids: list[str] = []
    for page in pages:
        for stamp in page.stamps:
            if stamp.kind in _DOCUMENT_IDS and stamp.value not in ids:
                ids.append(stamp.value)
    return ids


def document_marks(pages: Sequence[Page]) -> list[str]:
    marks: list[str] = []
    for page in pages:
        marks.extend(mark for mark in page.marks if mark not in marks)
    return marks


def release_date(pages: Sequence[Page]) -> datetime | None:
    """The release date stamped on the pages (the latest, when pages disagree)."""
    dates = [page.released for page in pages if page.released is not None]
    return max(dates) if dates else None


def is_release(pages: Sequence[Page]) -> bool:
    """Whether the pages carry a release's furniture: a case or control number, a banner or a release mark."""
    return any(page.marks or page.stamps for page in pages)


def _title(lines: Sequence[PrintedLine]) -> str:
    for line in lines:
        text = _SPACES.sub(" ", line.text).strip()
        if len(text) >= 3:
            return text if len(text) <= _TITLE_CHARS else text[: _TITLE_CHARS - 1].rstrip() + "…"
    return ""


# Labels only an email's header prints: a memo headed For:/From:/Re: has none of them.
_MAIL_LABEL = re.compile(r"(?:^|\s)(sent|subject)\s*[:;]", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(r"-{2,}\s*Original\s+Message\s*-{2,}", re.IGNORECASE)


def _has_mail_labels(lines: Sequence[PrintedLine]) -> bool:
    """Whether the text shows an email whose header could not be read (so it is a Problem, not a Document):
    a Sent: or Subject: label, or an "Original Message" divider. Memos print To:, From: and Date: too."""
    labels: set[str] = set()
    for line in lines:
        if _ORIGINAL_MESSAGE.search(line.text):
            return True
        labels.update(match.group(1).lower() for match in _MAIL_LABEL.finditer(line.text[:200]))
    return bool(labels & {"sent", "subject"})


def messages_from_pages(
    pages: Sequence[Page], path: str, prefix: str, kind: str, *, documents: bool = False,
    not_after: datetime | None = None,
) -> Iterator[Message | Problem | Document]:
    """The printed messages in a run of pages that all have text.

    ``documents``: text with no printed email header at all is a released document
    (a Document), not a Problem. ``not_after`` bounds message dates when the pages
    carry no release date of their own.
    """
    lines: list[PrintedLine] = []
    for page in pages:
        if lines and page.lines and _paragraph_ends_at_break(lines[-1].text, page.lines[0], lines):
            lines.append(PrintedLine("", lines[-1].page))
        lines.extend(PrintedLine(text, page.number) for text in page.lines)
    if not lines:
        return
    by_number = {page.number: page for page in pages}
    document_wide = _document_stamps(pages)
    ids = _document_ids(pages)
    marks = document_marks(pages)
    spans = split_printed(lines)
    lead_end = spans[0].start if spans else len(lines)
    lead = [line for line in lines[:lead_end] if line.text.strip()]
    if spans and len(lead) <= TOP_FURNITURE_LINES and all(line.page == lines[lead_end].page for line in lead):
        # A line or two above the first printout on its page is a heading the release put there
        # (a case title, a print view's window title), not a message that lost its header.
        lead = []
    if lead and not spans and documents and not _has_mail_labels(lead):
        first, last = pages[0].number, pages[-1].number
        source = Source(path=path, locator=locator(prefix, kind, first, last), kind=kind,
                        provenance=[*ids, *(s.value for p in pages for s in p.stamps if s.kind not in _DOCUMENT_IDS
                                            and s.kind != "classification")],
                        marks=list(marks))
        source.provenance = list(dict.fromkeys(source.provenance))
        yield Document(source=source, title=_title(lead), text="\n".join(line.text for line in lines).strip(),
                       pages=len(pages))
        return
    if lead:
        first, last = lead[0].page, lead[-1].page
        what = "text before the first printed email header" if spans else "text with no printed email header"
        yield Problem(path, locator(prefix, kind, first, last), f"{what} ({len(lead)} lines) was not read as a message")
    context: datetime | None = None
    for span in spans:
        span_lines = lines[span.start:span.end]
        while span_lines and not span_lines[-1].text.strip():
            span_lines.pop()
        first, last = span_lines[0].page, span_lines[-1].page
        provenance: list[str] = [value for value in ids if value in document_wide]
        for number in range(first, last + 1):
            for stamp in by_number[number].stamps if number in by_number else []:
                if stamp.value not in provenance and stamp.value not in document_wide:
                    provenance.append(stamp.value)
        source = Source(path=path, locator=locator(prefix, kind, first, last), kind=kind, provenance=provenance,
                        marks=list(marks))
        text = "\n".join(line.text for line in span_lines)
        message = message_from_printed(text, source, thread_subject=span.thread_subject, not_after=not_after,
                                       context_date=context)
        # A date printed without a year takes it from the messages printed before it in the document.
        context = message.date or context
        yield message


def messages_in_order(pages: Sequence[Page], path: str, prefix: str, kind: str, need: str, *,
                      documents: bool = False, not_after: datetime | None = None) -> Iterator[Message | Problem | Document]:
    """Messages from each run of pages with text; a Problem for each run of pages without."""
    group: list[Page] = []
    gap: list[int] = []
    bound = release_date(pages) or not_after
    whole = all(not page.needs_ocr for page in pages)
    for page in pages:
        if not page.needs_ocr:
            if gap:
                yield _no_text_problem(path, prefix, kind, gap, need)
                gap = []
            group.append(page)
            continue
        if group:
            yield from messages_from_pages(group, path, prefix, kind, documents=documents and whole, not_after=bound)
            group = []
        gap.append(page.number)
    if group:
        yield from messages_from_pages(group, path, prefix, kind, documents=documents and whole, not_after=bound)
    if gap:
        yield _no_text_problem(path, prefix, kind, gap, need)


def _no_text_problem(path: str, prefix: str, kind: str, numbers: Sequence[int], need: str) -> Problem:
    first, last = numbers[0], numbers[-1]
    span = f"page {first} has" if first == last else f"pages {first}\u2013{last} have"
    return Problem(path, locator(prefix, kind, first, last), f"{span} no text layer; {need}")


__all__ = [
    "TOP_FURNITURE_LINES",
    "Page",
    "classification_marks",
    "clean_page",
    "document_marks",
    "is_release",
    "locator",
    "messages_from_pages",
    "messages_in_order",
    "page_label",
    "release_date",
    "running_lines",
]
