"""Reading agency releases that arrive as PDFs of printed emails: page text, furniture, OCR, one Message per printout."""
from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from ...errors import FoiatoolError, MissingToolError
from ...mail.marks.provenance import find_stamps, is_page_furniture
from ...model import Message, Problem, Source
from .split import PrintedLine, message_from_printed, opens_printout, split_printed

if TYPE_CHECKING:
    from pypdf import PdfReader

# pypdf reports damaged files through logging; without a handler of its own,
# Python's last-resort handler would write those warnings to stderr.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

# A hostile or absurd file is read only this far; a Problem says so.
MAX_PAGES = 20_000
MAX_PAGE_CHARS = 1_000_000
MAX_TOTAL_CHARS = 200_000_000
# Lines at the top and bottom of a page where running headers, footers and stamps live.
_FURNITURE_ZONE = 5
_OCR_TIMEOUT = 300
# Text lines a release adds to a page beyond what the furniture rules catch: a title above the first printout, a stamp on a scan.
_TOP_FURNITURE_LINES = 2
_PDFTOTEXT_TIMEOUT = 600
_OCR_INSTALL = "install it with `apt-get install tesseract-ocr poppler-utils` (or `make ocr-deps`)"

_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_HEADER_LABEL = re.compile(r"^\s*(?:from|sent|date|to|cc|bcc|subject|attachments?|importance)\s*:", re.IGNORECASE)


class PdfReadError(FoiatoolError):
    """A PDF that cannot be read at all: corrupt, truncated or locked with a password."""


@dataclass(slots=True)
class _Page:
    number: int
    text: str
    has_image: bool = False
    lines: list[str] = field(default_factory=list)
    stamps: list[str] = field(default_factory=list)
    needs_ocr: bool = False


def _open_reader(data: bytes) -> PdfReader:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError
    from pypdf.errors import PdfReadError as PypdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")
            except (NotImplementedError, FileNotDecryptedError) as error:
                raise PdfReadError(f"encrypted PDF that cannot be opened: {error}") from error
            if not unlocked:
                raise PdfReadError("encrypted PDF: it needs a password to open")
        return reader
    except PdfReadError:
        raise
    except (PypdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            RecursionError, AssertionError, NotImplementedError, ZeroDivisionError) as error:
        raise PdfReadError(f"not a readable PDF ({type(error).__name__}: {str(error)[:200]})") from error


def _page_has_image(page: Any, depth: int = 0) -> bool:
    """Whether the page (or a form it draws) paints an image: a scan, when it also has no text."""
    try:
        resources = page.get("/Resources") if depth == 0 else page
        if resources is None:
            return False
        resources = resources.get_object()
        xobjects = resources.get("/XObject")
        if xobjects is None:
            return False
        xobjects = xobjects.get_object()
        for key in list(xobjects.keys())[:200]:
            item = xobjects[key].get_object()
            subtype = item.get("/Subtype")
            if subtype == "/Image":
                return True
            if subtype == "/Form" and depth < 3:
                inner = item.get("/Resources")
                if inner is not None and _page_has_image(inner, depth + 1):
                    return True
    except Exception:  # a damaged resource dictionary only means we cannot tell
        return False
    return False


def _pypdf_pages(reader: PdfReader, count: int, layout: bool = True) -> list[str]:
    texts: list[str] = []
    total = 0
    for index in range(count):
        if total > MAX_TOTAL_CHARS:
            texts.append("")
            continue
        try:
            page = reader.pages[index]
            text = page.extract_text(extraction_mode="layout") if layout else page.extract_text()
        except Exception:  # pypdf raises many types on damaged content streams
            try:
                text = reader.pages[index].extract_text()
            except Exception:  # an unreadable page reads as empty; it is then reported as having no text
                text = ""
        texts.append((text or "")[:MAX_PAGE_CHARS])
        total += len(texts[-1])
    return texts


def _pdftotext_pages(data: bytes, count: int) -> list[str] | None:
    """poppler's text for each page, or None when it is absent or fails (pypdf is used instead)."""
    tool = shutil.which("pdftotext")
    if not tool:
        return None
    with tempfile.TemporaryDirectory(prefix="foiatool-pdf-") as folder:
        pdf_path = Path(folder) / "release.pdf"
        pdf_path.write_bytes(data)
        try:
            result = subprocess.run(
                [tool, "-layout", "-enc", "UTF-8", "-l", str(count), str(pdf_path), "-"],
                capture_output=True, timeout=_PDFTOTEXT_TIMEOUT,
            )
        except (subprocess.SubprocessError, OSError):
            return None
    if result.returncode != 0:
        return None
    pages = result.stdout.decode("utf-8", "replace").split("\f")
    if len(pages) < count:
        return None
    return [page[:MAX_PAGE_CHARS] for page in pages[:count]]


# pypdf's layout mode is the default: bench/pdf_compare.py finds pdftotext -layout reads the same
# messages, bodies and paragraphs (it is only about twice as fast), and one extractor everywhere
# keeps the output the same on every machine. Plain mode loses the blank lines between paragraphs.
TEXT_TOOLS = ("pypdf", "pypdf-plain", "pdftotext")


def _page_texts(reader: PdfReader, data: bytes, count: int, text_tool: str) -> list[str]:
    if text_tool == "pdftotext":
        texts = _pdftotext_pages(data, count)
        if texts is not None:
            return texts
    return _pypdf_pages(reader, count, layout=text_tool != "pypdf-plain")


def pdf_pages_text(data: bytes) -> list[str]:
    """The text of each page, in order, positions kept as spaces (pypdf's layout mode).

    Raises ``PdfReadError`` for a file that is not a readable PDF.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = _open_reader(data)
        try:
            count = len(reader.pages)
        except Exception as error:
            raise PdfReadError(f"the page tree cannot be read ({type(error).__name__})") from error
        return _pypdf_pages(reader, min(count, MAX_PAGES))


def _shape(line: str) -> str:
    """A line with numbers and spacing folded, so "Page 3 of 7" on each page compares equal."""
    return _SPACES.sub(" ", _DIGITS.sub("#", line)).strip().lower()


def _zone(lines: Sequence[str]) -> list[tuple[int, str, int]]:
    """The content lines where furniture lives: (index, side, distance in lines from that edge)."""
    content = [index for index, line in enumerate(lines) if line.strip()]
    if not content:
        return []
    top = content[:_FURNITURE_ZONE]
    bottom = [index for index in content[-_FURNITURE_ZONE:] if index not in top]
    last = len(lines) - 1
    return [(index, "top", index) for index in top] + [(index, "bottom", last - index) for index in bottom]


def _next_content(lines: Sequence[str], index: int) -> str:
    for line in lines[index + 1:]:
        if line.strip():
            return line
    return ""


RunningKey = tuple[str, str]


def _running_lines(pages: Sequence[_Page]) -> set[RunningKey]:
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


def _clean_page(page: _Page, running: set[RunningKey]) -> None:
    """Split the page's text into content lines and provenance stamps; furniture goes."""
    lines = page.text.split("\n")
    drop: set[int] = set()
    page.stamps = []
    for index, side, _ in _zone(lines):
        line = lines[index]
        if _HEADER_LABEL.match(line):
            continue
        # A name line above a header block repeats on every page when one person printed them all.
        if opens_printout(line, _next_content(lines, index)):
            continue
        stamps = find_stamps(line)
        remainder = line
        for text in sorted({stamp.text for stamp in stamps}, key=len, reverse=True):
            remainder = remainder.replace(text, " ") if text else remainder
        # Stamps count only on lines that are wholly furniture; one inside a sentence is the sentence's.
        if _is_furniture_text(line, side, running) or (stamps and _is_furniture_text(remainder, side, running)):
            drop.add(index)
            page.stamps.extend(stamp.value for stamp in stamps)
    kept = [line.rstrip() for index, line in enumerate(lines) if index not in drop]
    while kept and not kept[0].strip():
        kept.pop(0)
    while kept and not kept[-1].strip():
        kept.pop()
    page.lines = kept


def _page_label(first: int, last: int) -> str:
    return f"page {first}" if first == last else f"pages {first}-{last}"


def _locator(prefix: str, first: int, last: int) -> str:
    return f"{prefix}pdf:{_page_label(first, last)}"


def _runs(numbers: Sequence[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


def _ocr_tools() -> tuple[str, str]:
    tesseract, pdftoppm = shutil.which("tesseract"), shutil.which("pdftoppm")
    missing = [name for name, found in (("tesseract", tesseract), ("pdftoppm (poppler-utils)", pdftoppm)) if not found]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise MissingToolError(f"OCR needs {' and '.join(missing)}, which {verb} not installed; {_OCR_INSTALL}")
    return tesseract or "", pdftoppm or ""


def _ocr_pages(data: bytes, numbers: Sequence[int]) -> dict[int, str]:
    """OCR text for the given 1-based pages; raises MissingToolError when a tool is absent."""
    tesseract, pdftoppm = _ocr_tools()
    texts: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="foiatool-ocr-") as folder:
        pdf_path = Path(folder) / "release.pdf"
        pdf_path.write_bytes(data)
        for number in numbers:
            image = Path(folder) / f"page-{number}"
            try:
                subprocess.run(
                    [pdftoppm, "-r", "300", "-gray", "-png", "-singlefile", "-f", str(number), "-l", str(number),
                     str(pdf_path), str(image)],
                    check=True, capture_output=True, timeout=_OCR_TIMEOUT,
                )
                result = subprocess.run(
                    [tesseract, f"{image}.png", "stdout"], check=True, capture_output=True, timeout=_OCR_TIMEOUT,
                )
            except (subprocess.SubprocessError, OSError):
                continue
            texts[number] = result.stdout.decode("utf-8", "replace")[:MAX_PAGE_CHARS]
            Path(f"{image}.png").unlink(missing_ok=True)
    return texts


def _is_scan(page: _Page) -> bool:
    """A page image with at most a stamp line or two of text: the words are only in the pixels."""
    content = [line for line in page.lines if line.strip()]
    if not content:
        return page.has_image
    return page.has_image and len(content) <= _TOP_FURNITURE_LINES and sum(len(line.strip()) for line in content) <= 160


def _paragraph_ends_at_break(last: str, first: str, before: Sequence[PrintedLine]) -> bool:
    """Whether the page break fell between paragraphs, so the joined text keeps a blank line there.

    A mail client fills each line of a paragraph to the margin; a short line
    ending a sentence was the paragraph's last.
    """
    if not last.rstrip().endswith((".", "!", "?")) or _HEADER_LABEL.match(last) or _HEADER_LABEL.match(first):
        return False
    page = before[-1].page
    widths = [len(line.text.strip()) for line in before[-60:] if line.page == page]
    return len(last.strip()) < 0.75 * max(widths, default=0)


def _document_stamps(pages: Sequence[_Page]) -> set[str]:
    """Stamps printed unchanged on nearly every page (a request number, a banner): they name the
    document, not a page, so they do not tell one message's pages from another's."""
    with_stamps = [page for page in pages if page.lines]
    if len(with_stamps) < 2:
        return set()
    counts = Counter(value for page in with_stamps for value in set(page.stamps))
    needed = max(2, -(-len(with_stamps) * 4 // 5))
    return {value for value, count in counts.items() if count >= needed}


def _messages_from_pages(
    pages: Sequence[_Page], path: str, prefix: str
) -> Iterator[Message | Problem]:
    """The printed messages in a run of pages that all have text."""
    lines: list[PrintedLine] = []
    for page in pages:
        if lines and page.lines and _paragraph_ends_at_break(lines[-1].text, page.lines[0], lines):
            lines.append(PrintedLine("", lines[-1].page))
        lines.extend(PrintedLine(text, page.number) for text in page.lines)
    if not lines:
        return
    by_number = {page.number: page for page in pages}
    document_wide = _document_stamps(pages)
    spans = split_printed(lines)
    lead_end = spans[0].start if spans else len(lines)
    lead = [line for line in lines[:lead_end] if line.text.strip()]
    if spans and len(lead) <= _TOP_FURNITURE_LINES and all(line.page == lines[lead_end].page for line in lead):
        # A line or two above the first printout on its page is a heading the release put there
        # (a case title, a print view's window title), not a message that lost its header.
        lead = []
    if lead:
        first, last = lead[0].page, lead[-1].page
        what = "text before the first printed email header" if spans else "text with no printed email header"
        yield Problem(path, _locator(prefix, first, last), f"{what} ({len(lead)} lines) was not read as a message")
    for span in spans:
        span_lines = lines[span.start:span.end]
        while span_lines and not span_lines[-1].text.strip():
            span_lines.pop()
        first, last = span_lines[0].page, span_lines[-1].page
        provenance: list[str] = []
        for number in range(first, last + 1):
            for stamp in by_number[number].stamps if number in by_number else []:
                if stamp not in provenance and stamp not in document_wide:
                    provenance.append(stamp)
        source = Source(path=path, locator=_locator(prefix, first, last), kind="pdf", provenance=provenance)
        text = "\n".join(line.text for line in span_lines)
        yield message_from_printed(text, source, thread_subject=span.thread_subject)


def _extract(data: bytes, path: str, locator: str, text_tool: str) -> tuple[list[_Page], list[Problem]]:
    problems: list[Problem] = []
    reader = _open_reader(data)
    try:
        count = len(reader.pages)
    except Exception as error:
        raise PdfReadError(f"the page tree cannot be read ({type(error).__name__})") from error
    if count > MAX_PAGES:
        problems.append(Problem(path, locator, f"the PDF has {count} pages; only the first {MAX_PAGES} were read"))
        count = MAX_PAGES
    texts = _page_texts(reader, data, count, text_tool)
    read = 0
    for index, text in enumerate(texts):
        if read > MAX_TOTAL_CHARS:
            problems.append(Problem(path, locator, f"text beyond {MAX_TOTAL_CHARS} characters was not read "
                                                   f"({_page_label(index + 1, count)})"))
            texts = texts[:index]
            break
        read += len(text)
    pages = []
    for index, text in enumerate(texts):
        try:
            has_image = _page_has_image(reader.pages[index])
        except Exception:
            has_image = False
        pages.append(_Page(number=index + 1, text=text, has_image=has_image))
    return pages, problems


def read_pdf(
    data: bytes, path: str, locator: str = "", *, ocr: bool = False, text_tool: str = "pypdf"
) -> Iterator[Message | Problem]:
    """Every printed email in a release PDF, and a Problem for whatever could not be read; never raises.

    ``locator`` is where the PDF itself sits (an archive member); page spans are
    appended to it. ``text_tool`` picks the text extractor (one of TEXT_TOOLS;
    "pdftotext" falls back to pypdf when poppler is not installed).
    """
    prefix = f"{locator}!" if locator else ""
    try:
        # pypdf warns about damaged files through the warnings module; the
        # filter is scoped to the reading, not to the consumer between yields.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pages, problems = _extract(data, path, locator, text_tool)
            running = _running_lines(pages)
            for page in pages:
                _clean_page(page, running)
                page.needs_ocr = _is_scan(page)
    except PdfReadError as error:
        yield Problem(path, locator, str(error))
        return
    except Exception as error:  # the last guard: a hostile file gives a Problem, not a traceback
        yield Problem(path, locator, f"PDF could not be read ({type(error).__name__}: {str(error)[:200]})")
        return
    yield from problems
    scanned = [page.number for page in pages if page.needs_ocr]
    ocr_ran = False
    if scanned and ocr:
        try:
            recognised = _ocr_pages(data, scanned)
            ocr_ran = True
        except MissingToolError as error:
            yield Problem(path, locator, str(error))
            recognised = {}
        except OSError as error:  # no room for the page images, an unwritable temp folder
            yield Problem(path, locator, f"OCR could not run: {error}")
            recognised = {}
        for page in pages:
            if page.number in recognised:
                page.text = recognised[page.number]
                _clean_page(page, running)
                page.needs_ocr = not any(line.strip() for line in page.lines)
    try:
        need = "OCR read no text" if ocr_ran else ("OCR could not run" if ocr else "OCR needed (run with --ocr)")
        yield from _messages_in_order(pages, path, prefix, need)
    except Exception as error:  # parsing bugs on strange text must not cost the rest of the run
        yield Problem(path, locator, f"printed emails could not be split ({type(error).__name__}: {str(error)[:200]})")


def _messages_in_order(pages: Sequence[_Page], path: str, prefix: str, need: str) -> Iterator[Message | Problem]:
    """Messages from each run of pages with text; a Problem for each run of pages without."""
    group: list[_Page] = []
    gap: list[int] = []
    for page in pages:
        if not page.needs_ocr:
            if gap:
                yield _no_text_problem(path, prefix, gap, need)
                gap = []
            group.append(page)
            continue
        if group:
            yield from _messages_from_pages(group, path, prefix)
            group = []
        gap.append(page.number)
    if group:
        yield from _messages_from_pages(group, path, prefix)
    if gap:
        yield _no_text_problem(path, prefix, gap, need)


def _no_text_problem(path: str, prefix: str, numbers: Sequence[int], need: str) -> Problem:
    first, last = numbers[0], numbers[-1]
    span = f"page {first} has" if first == last else f"pages {first}\u2013{last} have"
    return Problem(path, _locator(prefix, first, last), f"{span} no text layer; {need}")


__all__ = ["read_pdf", "pdf_pages_text", "PdfReadError", "MAX_PAGES"]
