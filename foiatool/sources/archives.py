"""Reading zip, tar and compressed files in memory, member by member, within fixed safety limits.

Nothing is ever extracted to disk, so member names such as ``../../x.eml`` or
``/etc/x`` are harmless; they are reported in locators exactly as stored.

Limits (each one, when exceeded, gives a Problem that names it):

- ``MAX_NESTING_DEPTH`` = 5: archives inside archives are opened up to five
  levels deep (the archive named on the command line is level 1); a sixth-level
  archive is reported, not opened.
- ``MAX_ARCHIVE_BYTES`` = 2 GiB: total uncompressed bytes read from one archive
  named on the command line, nested archives included; past it the rest of that
  archive is not read.
- ``MAX_COMPRESSION_RATIO`` = 200 (200:1), checked for zip members that expand
  past ``RATIO_CHECK_MIN_BYTES`` = 1 MiB (declared sizes first, then the bytes
  actually produced) and for a whole gzip / bzip2 / xz stream; such a member is
  skipped (the rest of a zip goes on; a compressed stream stops there).
- ``MAX_ARCHIVE_MEMBERS`` = 100,000 members per archive named on the command line.
- ``MAX_MEMBER_BYTES`` = 1 GiB: the largest member held in memory (an mbox or
  a .pst inside a zip); ``MAX_MESSAGE_BYTES`` = 100 MiB: the largest single
  message (an .eml, one message of an mbox).

Tar symbolic links, hard links, devices and FIFOs are never followed: each is a Problem.
"""
from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol, TypeVar, cast

from ..model import Problem
from .detect import is_ignored_name, member_stem, plausible_v7_tar

MAX_NESTING_DEPTH = 5
MAX_ARCHIVE_BYTES = 2 * 1024 ** 3
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_MIN_BYTES = 1024 ** 2
MAX_ARCHIVE_MEMBERS = 100_000
MAX_MEMBER_BYTES = 1024 ** 3
MAX_MESSAGE_BYTES = 100 * 1024 ** 2

_CHUNK = 1024 * 1024

# What the callback yields for each member (the dispatcher's messages, documents and pages; the payload
# finder's answers): an archive passes them on unchanged, among its own Problems.
Item = TypeVar("Item")


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

# (data, path, locator, depth, budget) -> items: the dispatcher, passed in to avoid an import cycle
DataReader = Callable[[bytes, str, str, int, "ArchiveBudget"], Iterator[Item]]


def size_text(size: int) -> str:
    """Bytes as a short human size: ``300 MiB``, ``2 GiB``, ``512 bytes``."""
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if value >= 10 or value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


class LimitExceeded(Exception):
    """A safety limit was reached; the message names the limit."""


@dataclass(slots=True)
class ArchiveBudget:
    """What one archive named on the command line has used so far, nested archives included."""

    uncompressed_bytes: int = 0
    members: int = 0

    def charge(self, size: int) -> None:
        self.uncompressed_bytes += size
        if self.uncompressed_bytes > MAX_ARCHIVE_BYTES:
            raise LimitExceeded(_total_limit_reason())


def _total_limit_reason() -> str:
    return (f"archive expands past {size_text(MAX_ARCHIVE_BYTES)} in total (MAX_ARCHIVE_BYTES); "
            "the rest of it was not read")


def _ratio_reason(produced: int, compressed: int) -> str:
    ratio = produced / max(compressed, 1)
    return (f"expands {ratio:.0f}:1, over the {MAX_COMPRESSION_RATIO}:1 limit for members over "
            f"{size_text(RATIO_CHECK_MIN_BYTES)} (MAX_COMPRESSION_RATIO); skipped as a likely zip bomb")


def member_size_reason(size: int) -> str:
    """Why a member of ``size`` bytes is not read (the MAX_MEMBER_BYTES limit)."""
    return (f"member of {size_text(size)} is over the {size_text(MAX_MEMBER_BYTES)} limit for one member "
            "(MAX_MEMBER_BYTES)")


def _depth_reason() -> str:
    return f"archive nested more than {MAX_NESTING_DEPTH} levels deep (MAX_NESTING_DEPTH); not opened"


def _members_reason() -> str:
    return (f"archive has more than {MAX_ARCHIVE_MEMBERS:,} members (MAX_ARCHIVE_MEMBERS); "
            "the rest were not read")


def join_locator(outer: str, inner: str) -> str:
    return f"{outer}!{inner}" if outer else inner


# ----------------------------------------------------------------------------- zip

def read_zip(stream: BinaryIO, path: str, locator: str, depth: int, budget: ArchiveBudget,
             read_data: DataReader[Item]) -> Iterator[Item | Problem]:
    """Every message in a zip archive (``stream`` must be seekable), recursing into nested archives."""
    level = depth + 1
    if level > MAX_NESTING_DEPTH:
        yield Problem(path, locator, _depth_reason())
        return
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        yield Problem(path, locator, f"damaged zip archive: {error}")
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir() or is_ignored_name(info.filename):
                continue
            where = join_locator(locator, f"zip:{info.filename}")
            budget.members += 1
            if budget.members > MAX_ARCHIVE_MEMBERS:
                yield Problem(path, locator, _members_reason())
                return
            refusal = zip_member_refusal(info)
            if refusal is not None:
                yield Problem(path, where, refusal)
                continue
            if budget.uncompressed_bytes + info.file_size > MAX_ARCHIVE_BYTES:
                yield Problem(path, where, _total_limit_reason())
                return
            try:
                data = read_zip_member(archive, info, budget)
            except LimitExceeded as error:
                yield Problem(path, where, str(error))
                if "MAX_ARCHIVE_BYTES" in str(error):
                    return
                continue
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError,
                    EOFError, ValueError, lzma.LZMAError) as error:
                yield Problem(path, where, f"damaged zip member: {type(error).__name__}: {error}")
                continue
            yield from read_data(data, path, where, level, budget)


def zip_member_refusal(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member is not read, from what its header says (encrypted, too large, a likely bomb); None to read it."""
    if info.flag_bits & 0x1:
        return "encrypted zip member: a password is needed to read it"
    if info.file_size > RATIO_CHECK_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        return _ratio_reason(info.file_size, info.compress_size)
    if info.file_size > MAX_MEMBER_BYTES:
        return member_size_reason(info.file_size)
    return None


def read_zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: ArchiveBudget) -> bytes:
    """The member's bytes, checking the real output size (headers can lie about it); LimitExceeded says which limit."""
    chunks: list[bytes] = []
    produced = 0
    with archive.open(info) as member:
        while True:
            chunk = member.read(_CHUNK)
            if not chunk:
                break
            produced += len(chunk)
            if produced > RATIO_CHECK_MIN_BYTES and produced > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
                raise LimitExceeded(_ratio_reason(produced, info.compress_size))
            if produced > MAX_MEMBER_BYTES:
                raise LimitExceeded(member_size_reason(produced))
            budget.charge(len(chunk))
            chunks.append(chunk)
    return b"".join(chunks)


# ----------------------------------------------------------------------------- tar

def read_tar(stream: Readable, path: str, locator: str, depth: int, budget: ArchiveBudget,
             read_data: DataReader[Item]) -> Iterator[Item | Problem]:
    """Every message in a tar archive, read as a stream (members in stored order)."""
    level = depth + 1
    if level > MAX_NESTING_DEPTH:
        yield Problem(path, locator, _depth_reason())
        return
    try:
        archive = tarfile.open(fileobj=cast(BinaryIO, stream), mode="r|")
    except LimitExceeded as error:
        yield Problem(path, locator, str(error))
        return
    except (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError, ValueError) as error:
        yield Problem(path, locator, f"damaged tar archive: {error}")
        return
    where = locator
    try:
        with archive:
            for member in archive:
                if member.isdir() or is_ignored_name(member.name):
                    continue
                where = join_locator(locator, f"tar:{member.name}")
                budget.members += 1
                if budget.members > MAX_ARCHIVE_MEMBERS:
                    yield Problem(path, locator, _members_reason())
                    return
                if member.issym():
                    yield Problem(path, where, f"tar symbolic link to {member.linkname!r} skipped: links are never followed")
                    continue
                if member.islnk():
                    yield Problem(path, where, f"tar hard link to {member.linkname!r} skipped: links are never followed")
                    continue
                if not member.isfile():
                    yield Problem(path, where, "tar device, FIFO or special file skipped")
                    continue
                if member.size > MAX_MEMBER_BYTES:
                    yield Problem(path, where, member_size_reason(member.size))
                    continue
                if budget.uncompressed_bytes + member.size > MAX_ARCHIVE_BYTES:
                    yield Problem(path, where, _total_limit_reason())
                    return
                extracted = archive.extractfile(member)
                data = extracted.read() if extracted is not None else b""
                budget.charge(len(data))
                yield from read_data(data, path, where, level, budget)
    except LimitExceeded as error:
        yield Problem(path, where, str(error))
    except (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError, ValueError) as error:
        yield Problem(path, where, f"damaged tar archive: {type(error).__name__}: {error}")


# ----------------------------------------------------------------------------- gzip / bzip2 / xz

class _GuardedStream(io.RawIOBase):
    """A decompressing reader that stops at the total-size and compression-ratio limits."""

    def __init__(self, decompressed: Readable, compressed_size: int, budget: ArchiveBudget) -> None:
        self._inner = decompressed
        self._compressed_size = max(compressed_size, 1)
        self._budget = budget
        self._prefix = b""
        self.produced = 0

    def readable(self) -> bool:
        return True

    def peek_head(self, size: int) -> bytes:
        """Up to ``size`` first bytes, which later reads return again."""
        parts: list[bytes] = []
        got = 0
        while got < size:
            chunk = self._read_inner(size - got)
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        head = b"".join(parts)
        self._prefix = head + self._prefix
        return head

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            if size is None or size < 0:
                data, self._prefix = self._prefix + self._read_inner(-1), b""
                return data
            data, self._prefix = self._prefix[:size], self._prefix[size:]
            return data
        return self._read_inner(size)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _read_inner(self, size: int) -> bytes:
        if size is None or size < 0:
            parts: list[bytes] = []
            while True:
                chunk = self._read_inner(_CHUNK)
                if not chunk:
                    return b"".join(parts)
                parts.append(chunk)
        data = self._inner.read(size)
        self.produced += len(data)
        if self.produced > RATIO_CHECK_MIN_BYTES and self.produced > MAX_COMPRESSION_RATIO * self._compressed_size:
            raise LimitExceeded("compressed stream " + _ratio_reason(self.produced, self._compressed_size))
        self._budget.charge(len(data))
        return data


_DECOMPRESSORS: dict[str, Callable[[BinaryIO], Readable]] = {
    "gzip": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),
    "bzip2": lambda raw: bz2.BZ2File(raw, mode="rb"),
    "xz": lambda raw: lzma.LZMAFile(raw, mode="rb"),
}


def read_compressed(stream: BinaryIO, compressed_size: int, kind: str, path: str, member_name: str,
                    locator: str, depth: int, budget: ArchiveBudget, read_data: DataReader[Item]) -> Iterator[Item | Problem]:
    """A gzip / bzip2 / xz file: a tar inside is read as an archive, anything else as the one file it holds."""
    guarded = _GuardedStream(_DECOMPRESSORS[kind](stream), compressed_size, budget)
    try:
        head = guarded.peek_head(512)
    except LimitExceeded as error:
        yield Problem(path, locator, str(error))
        return
    except (OSError, EOFError, zlib.error, lzma.LZMAError, ValueError) as error:
        yield Problem(path, locator, f"damaged {kind} file: {error}")
        return
    if len(head) == 512 and (head[257:262] == b"ustar" or plausible_v7_tar(head)):
        yield from read_tar(guarded, path, locator, depth, budget, read_data)
        return
    level = depth + 1
    if level > MAX_NESTING_DEPTH:
        yield Problem(path, locator, _depth_reason())
        return
    where = join_locator(locator, f"{kind}:{member_stem(member_name)}")
    try:
        data = _read_capped(guarded, MAX_MEMBER_BYTES)
    except LimitExceeded as error:
        yield Problem(path, where, str(error))
        return
    except (OSError, EOFError, zlib.error, lzma.LZMAError, ValueError) as error:
        yield Problem(path, where, f"damaged {kind} file: {type(error).__name__}: {error}")
        return
    if data is None:
        yield Problem(path, where, f"content over the {size_text(MAX_MEMBER_BYTES)} limit for one member (MAX_MEMBER_BYTES)")
        return
    yield from read_data(data, path, where, level, budget)


def _read_capped(stream: Readable, cap: int) -> bytes | None:
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > cap:
            return None
        chunks.append(chunk)
