"""Text files of printed email (a release's OCR or pdftotext output): telling them by content, reading them like a PDF's pages."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from ...mail.marks.provenance import find_stamps
from ...model import Document, Message, Problem
from .pages import Page, clean_page, messages_in_order, running_lines
from .split import printed_header_at

# A hostile or absurd file is read only this far; a Problem says so.
MAX_TEXT_CHARS = 200_000_000
# A printed header block or a release's furniture sits this near the top of a printout.
_HEAD_LINES = 60
_STATE_FURNITURE = re.compile(r"Department\s+of\s+State|Case\s+No\.|Doc\s+No\.|RELEASED?\s+IN\s+(?:PART|FULL)")
# Kinds of stamp that say a text is a released document (not an ordinary number in prose).
_RELEASE_STAMPS = frozenset({"control", "case", "release", "bates"})


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # OCR output that is not UTF-8 is nearly always Windows-1252; Latin-1 never fails.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def looks_like_printed_text(head: bytes) -> bool:
    """Whether text (the first bytes of a file) is printed email or a released document.

    Either a printed header block (``From:`` / ``Sent:`` / ``To:`` / ``Subject:``, a Gmail
    or Lotus Notes print) among the first lines, or a release's page furniture there (a
    case or control number, a release stamp, a Bates number) on a line of its own.
    """
    if b"\x00" in head[:4096]:
        return False
    text = _decode(head).replace("\f", "\n")
    lines = text.split("\n")[:_HEAD_LINES * 3]
    content = [index for index, line in enumerate(lines) if line.strip()][:_HEAD_LINES]
    for index in content[:12]:
        line = lines[index]
        if _STATE_FURNITURE.search(line) and any(stamp.kind in _RELEASE_STAMPS for stamp in find_stamps(line)):
            return True
    return any(printed_header_at(lines, index) is not None for index in content)


def pages_of(text: str) -> list[Page]:
    """One Page per form-feed-separated part; the empty part after a final form feed is not a page."""
    parts = text.split("\f")
    while len(parts) > 1 and not parts[-1].strip():
        parts.pop()
    return [Page(number=index + 1, text=part) for index, part in enumerate(parts)]


def read_printed_text(
    data: bytes, path: str, locator: str = "", *, not_after: datetime | None = None
) -> Iterator[Message | Problem | Document]:
    """Every printed email in a text file, a Document when it holds none, and Problems; never raises.

    The file is read exactly like a PDF's text layer: form feeds are page breaks,
    furniture and stamps are taken off each page, spans are located as ``txt:pages 1-2``.
    ``not_after`` (the file's own time) bounds message dates when no release date is stamped.
    """
    prefix = f"{locator}!" if locator else ""
    text = _decode(data)
    if len(text) > MAX_TEXT_CHARS:
        yield Problem(path, locator, f"text beyond {MAX_TEXT_CHARS} characters was not read")
        text = text[:MAX_TEXT_CHARS]
    try:
        pages = pages_of(text.replace("\r\n", "\n").replace("\r", "\n"))
        running = running_lines(pages)
        for page in pages:
            clean_page(page, running)
        yield from messages_in_order(pages, path, prefix, "txt", "", documents=True, not_after=not_after)
    except Exception as error:  # parsing bugs on strange text must not cost the rest of the run
        yield Problem(path, locator, f"printed emails could not be split ({type(error).__name__}: {str(error)[:200]})")


__all__ = ["MAX_TEXT_CHARS", "looks_like_printed_text", "pages_of", "read_printed_text"]
