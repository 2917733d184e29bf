"""Reading agency releases that arrive as PDFs of printed emails: page text, furniture, OCR, one Message per printout."""
from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import FoiatoolError, MissingToolError
from ...model import Document, Message, Problem
from .ocr import PageTask, ocr_tools, one_page_pdf, page_key, run_page
from .pages import (
    TOP_FURNITURE_LINES,
    Page,
    clean_page,
    is_release,
    messages_in_order,
    page_label,
    running_lines,
)

if TYPE_CHECKING:
    from pypdf import PdfReader

# pypdf reports damaged files through logging; without a handler of its own,
# Python's last-resort handler would write those warnings to stderr.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

# A hostile or absurd file is read only this far; a Problem says so.
MAX_PAGES = 20_000
MAX_PAGE_CHARS = 1_000_000
MAX_TOTAL_CHARS = 200_000_000
_PDFTOTEXT_TIMEOUT = 600


class PdfReadError(FoiatoolError):
    """A PDF that cannot be read at all: corrupt, truncated or locked with a password."""


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


def _is_scan(page: Page) -> bool:
    """A page image with at most a stamp line or two of text: the words are only in the pixels."""
    content = [line for line in page.lines if line.strip()]
    if not content:
        return page.has_image
    return page.has_image and len(content) <= TOP_FURNITURE_LINES and sum(len(line.strip()) for line in content) <= 160


def _extract(data: bytes, path: str, locator: str, text_tool: str) -> tuple[list[Page], list[Problem], PdfReader]:
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
                                                   f"({page_label(index + 1, count)})"))
            texts = texts[:index]
            break
        read += len(text)
    pages = []
    for index, text in enumerate(texts):
        try:
            has_image = _page_has_image(reader.pages[index])
        except Exception:
            has_image = False
        pages.append(Page(number=index + 1, text=text, has_image=has_image))
    return pages, problems, reader


def read_pdf(
    data: bytes, path: str, locator: str = "", *, ocr: bool = False, text_tool: str = "pypdf",
    ocr_texts: Mapping[str, str] | None = None,
) -> Iterator[Message | Problem | Document | PageTask]:
    """Every printed email in a release PDF, and a Problem for whatever could not be read; never raises.

    ``locator`` is where the PDF itself sits (an archive member); page spans are
    appended to it. ``text_tool`` picks the text extractor (one of TEXT_TOOLS;
    "pdftotext" falls back to pypdf when poppler is not installed).

    With ``ocr``, pages that are only pictures are recognised: here, one after another,
    when ``ocr_texts`` is None; otherwise their text is looked up in ``ocr_texts`` by
    page key, and a page not found there is yielded as a PageTask for the caller's
    executor (the indexer runs them in parallel and reads the file again with their text).
    """
    prefix = f"{locator}!" if locator else ""
    try:
        # pypdf warns about damaged files through the warnings module; the
        # filter is scoped to the reading, not to the consumer between yields.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pages, problems, reader = _extract(data, path, locator, text_tool)
            running = running_lines(pages)
            for page in pages:
                clean_page(page, running)
                page.needs_ocr = _is_scan(page)
    except PdfReadError as error:
        yield Problem(path, locator, str(error))
        return
    except Exception as error:  # the last guard: a hostile file gives a Problem, not a traceback
        yield Problem(path, locator, f"PDF could not be read ({type(error).__name__}: {str(error)[:200]})")
        return
    yield from problems
    scanned = [page for page in pages if page.needs_ocr]
    ocr_ran = False
    if scanned and ocr:
        recognised: dict[int, str] = {}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                keys = {page.number: page_key(reader.pages[page.number - 1]) for page in scanned}
            if ocr_texts is None:
                ocr_tools()
                for page in scanned:
                    done = run_page(PageTask(path, locator, page.number, keys[page.number], one_page_pdf(reader, page.number)))
                    recognised[page.number] = done.text
                ocr_ran = True
            else:
                waiting = [number for number, key in keys.items() if key not in ocr_texts]
                if waiting:
                    for number in waiting:
                        # A PDF on disk is opened by path where the task runs; one inside an archive travels as its page.
                        one = one_page_pdf(reader, number) if locator else None
                        yield PageTask(path, locator, number, keys[number], one)
                    return
                recognised = {number: ocr_texts[key] for number, key in keys.items()}
                ocr_ran = True
        except MissingToolError as error:
            yield Problem(path, locator, str(error))
        except OSError as error:  # no room for the page images, an unwritable temp folder
            yield Problem(path, locator, f"OCR could not run: {error}")
        for page in pages:
            if page.number in recognised:
                page.text = recognised[page.number]
                clean_page(page, running)
                page.needs_ocr = not any(line.strip() for line in page.lines)
    try:
        need = "OCR read no text" if ocr_ran else ("OCR could not run" if ocr else "OCR needed (run with --ocr)")
        yield from messages_in_order(pages, path, prefix, "pdf", need, documents=is_release(pages))
    except Exception as error:  # parsing bugs on strange text must not cost the rest of the run
        yield Problem(path, locator, f"printed emails could not be split ({type(error).__name__}: {str(error)[:200]})")


__all__ = ["MAX_PAGES", "PdfReadError", "pdf_pages_text", "read_pdf"]
