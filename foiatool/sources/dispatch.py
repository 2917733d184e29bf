"""Reading one input (a file on disk or bytes from an archive): detect its format, hand it to its reader."""
from __future__ import annotations

import functools
import io
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from ..model import Document, Message, Problem
from . import archives
from .archives import ArchiveBudget, read_compressed, read_tar, read_zip, size_text
from .detect import HEAD_BYTES, detect_kind
from .eml import read_message
from .mbox import read_mbox
from .printed.ocr import PageTask

Item = Message | Problem | Document | PageTask


@dataclass(frozen=True, slots=True)
class ReaderOptions:
    """Choices that change what a reader produces; the indexer sets them in every worker."""

    ocr: bool = False
    # Text of scanned pages by page key (see printed/ocr.py); None: recognise pages in the reader.
    ocr_texts: Mapping[str, str] | None = None


_options = ReaderOptions()


def set_reader_options(options: ReaderOptions) -> None:
    global _options
    _options = options


def reader_options() -> ReaderOptions:
    return _options

_ARCHIVE_KINDS = ("zip", "tar")
_COMPRESSED_KINDS = ("gzip", "bzip2", "xz")


def _single_message_kind(locator: str, default: str) -> str:
    """The Source.kind of a single-message file: its own kind on disk, else its innermost container's."""
    if not locator:
        return default
    last = locator.rsplit("!", 1)[-1]
    return last.split(":", 1)[0] if ":" in last else default


def read_path(path: str, kind_hint: str = "", data: bytes | None = None) -> Iterator[Item]:
    """Every message in the file at ``path``, and a Problem for every item that could not be read.

    ``data``, when given, is the file's content already read by the caller (who hashed it):
    the file is then not read again.
    Never raises: whatever goes wrong becomes a Problem naming the path (and locator).
    """
    try:
        yield from _read_path(path, kind_hint, data)
    except Exception as error:  # a bug or an odd library error must still end as a listed problem
        yield Problem(path, "", f"unexpected error while reading: {type(error).__name__}: {error}")


def read_bytes(data: bytes, path: str, locator: str = "", depth: int = 0) -> Iterator[Item]:
    """Every message in ``data`` (an archive member), found at ``locator`` inside ``path``. Never raises."""
    try:
        yield from read_data(data, path, locator, depth, ArchiveBudget())
    except Exception as error:
        yield Problem(path, locator, f"unexpected error while reading: {type(error).__name__}: {error}")


def _read_path(path: str, kind_hint: str, data: bytes | None = None) -> Iterator[Item]:
    try:
        stream = io.BytesIO(data) if data is not None else open(path, "rb")
    except OSError as error:
        yield Problem(path, "", f"cannot open: {error.strerror or error}")
        return
    with stream:
        try:
            size = len(data) if data is not None else os.fstat(stream.fileno()).st_size
            head = stream.read(HEAD_BYTES)
            stream.seek(0)
        except OSError as error:
            yield Problem(path, "", f"cannot read: {error.strerror or error}")
            return
        kind = detect_kind(head, os.path.basename(path))
        if kind == "mbox" and kind_hint == "maildir":
            kind = "eml"  # a maildir file holds one message; a leading "From " line is only a delivery stamp
        if kind in ("eml", "unknown", "empty"):
            if size > archives.MAX_MESSAGE_BYTES:
                yield _unrecognised(path, "", head) if kind == "unknown" else Problem(
                    path, "", f"file of {size_text(size)} is over the {size_text(archives.MAX_MESSAGE_BYTES)} limit "
                              "for one message (MAX_MESSAGE_BYTES)")
                return
            data = stream.read()
            yield from _read_kind(kind, data, path, "", 0, ArchiveBudget(), kind_hint or "eml")
        elif kind == "mbox":
            yield from read_mbox(stream, path, "")
        elif kind == "msg":
            from .msg import read_msg

            yield from read_msg(path, path, "", "msg")
        elif kind == "pst":
            from .pst import read_pst

            yield from read_pst(path, path, "")
        elif kind == "zip":
            yield from read_zip(stream, path, "", 0, ArchiveBudget(), read_data)
        elif kind == "tar":
            yield from read_tar(stream, path, "", 0, ArchiveBudget(), read_data)
        elif kind in _COMPRESSED_KINDS:
            yield from read_compressed(stream, size, kind, path, os.path.basename(path), "", 0,
                                       ArchiveBudget(), read_data)
        else:
            yield from _read_kind(kind, stream.read(), path, "", 0, ArchiveBudget(), "")


def read_data(data: bytes, path: str, locator: str, depth: int, budget: ArchiveBudget) -> Iterator[Item]:
    """The dispatcher for bytes in memory; archives call it back for each member."""
    head = data[:HEAD_BYTES]
    name = locator.rsplit("!", 1)[-1].split(":", 1)[-1] if locator else os.path.basename(path)
    kind = detect_kind(head, name)
    return _read_kind(kind, data, path, locator, depth, budget, _single_message_kind(locator, "eml"))


@dataclass(frozen=True, slots=True)
class _Input:
    """One input in memory, as every reader in the table below takes it."""

    data: bytes
    path: str
    locator: str
    depth: int
    budget: ArchiveBudget
    message_kind: str

    @property
    def name(self) -> str:
        return self.locator.rsplit("!", 1)[-1].split(":", 1)[-1] if self.locator else os.path.basename(self.path)


def _read_msg(item: _Input) -> Iterator[Item]:
    from .msg import read_msg

    return read_msg(item.data, item.path, item.locator, _single_message_kind(item.locator, "msg"))


def _read_pst(item: _Input) -> Iterator[Item]:
    from .pst import read_pst

    return read_pst(io.BytesIO(item.data), item.path, item.locator)


def _read_compressed(item: _Input, kind: str) -> Iterator[Item]:
    return read_compressed(io.BytesIO(item.data), len(item.data), kind, item.path, item.name, item.locator,
                           item.depth, item.budget, read_data)


# Each kind sources/detect.py can tell, and its reader.
_READERS: dict[str, Callable[[_Input], Iterator[Item]]] = {
    "empty": lambda item: iter([Problem(item.path, item.locator, "empty file")]),
    "eml": lambda item: read_message(item.data, item.path, item.locator, item.message_kind),
    "mbox": lambda item: read_mbox(io.BytesIO(item.data), item.path, item.locator),
    "msg": _read_msg,
    "pst": _read_pst,
    "zip": lambda item: read_zip(io.BytesIO(item.data), item.path, item.locator, item.depth, item.budget, read_data),
    "tar": lambda item: read_tar(io.BytesIO(item.data), item.path, item.locator, item.depth, item.budget, read_data),
    **{kind: functools.partial(_read_compressed, kind=kind) for kind in _COMPRESSED_KINDS},
    "pdf": lambda item: _read_pdf(item.data, item.path, item.locator),
    "printed-text": lambda item: _read_printed_text(item.data, item.path, item.locator),
}


def _read_kind(kind: str, data: bytes, path: str, locator: str, depth: int, budget: ArchiveBudget,
               message_kind: str) -> Iterator[Item]:
    reader = _READERS.get(kind)
    if reader is None:
        yield _unrecognised(path, locator, data[:HEAD_BYTES])
        return
    yield from reader(_Input(data, path, locator, depth, budget, message_kind))


def _read_pdf(data: bytes, path: str, locator: str) -> Iterator[Item]:
    try:
        from .printed.pdf import read_pdf
    except Exception as error:  # the PDF reader is optional; its absence is a listed problem, not a crash
        yield Problem(path, locator, f"PDF reader unavailable: {type(error).__name__}: {error}")
        return
    try:
        yield from read_pdf(data, path, locator, ocr=_options.ocr, ocr_texts=_options.ocr_texts)
    except Exception as error:
        yield Problem(path, locator, f"could not read PDF: {type(error).__name__}: {error}")


def _read_printed_text(data: bytes, path: str, locator: str) -> Iterator[Item]:
    from .printed.text import read_printed_text

    # A file on disk that carries no release date of its own was printed no later than it was saved.
    not_after = None
    if not locator:
        try:
            not_after = datetime.fromtimestamp(os.stat(path).st_mtime, tz=UTC)
        except (OSError, ValueError, OverflowError):
            not_after = None
    try:
        yield from read_printed_text(data, path, locator, not_after=not_after)
    except Exception as error:
        yield Problem(path, locator, f"could not read printed email text: {type(error).__name__}: {error}")


def _unrecognised(path: str, locator: str, head: bytes) -> Problem:
    if b"\x00" in head[:1024]:
        what = "binary file"
    else:
        what = "text without an email header block"
    return Problem(path, locator, f"not an email, mbox, Outlook, archive or PDF file ({what})")

