"""mbox files (mboxo and mboxrd): splitting on ``From `` separator lines and unescaping ``>From ``."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from ..model import Message, Problem
from . import archives
from .archives import size_text
from .eml import read_message

# A separator names a sender and carries a time of day: "From jo@x.org Thu Aug 22 12:46:39 2002".
_SEPARATOR = re.compile(rb"^From \S+[ \t]+[^\r\n]*\d{1,2}:\d{2}")
# A separator that is fully an asctime date is trusted even without a blank line before it.
_STRICT_SEPARATOR = re.compile(
    rb"^From \S+[ \t]+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    rb" [ \d]\d \d{2}:\d{2}:\d{2}(?: [+-]\d{4})? \d{4}\s*$"
)
_ESCAPED_FROM = re.compile(rb"^>+From ")


def is_separator(line: bytes, after_blank_line: bool) -> bool:
    if not line.startswith(b"From "):
        return False
    return bool(_STRICT_SEPARATOR.match(line)) or (after_blank_line and bool(_SEPARATOR.match(line)))


def split_mbox(stream: BinaryIO) -> Iterator[tuple[int, bytes | None, int]]:
    """``(index, message bytes, size)`` for each message; bytes is None when the message is over the size limit.

    Reads line by line, so an mbox of any size is never held in memory whole.
    """
    index = -1
    lines: list[bytes] = []
    size = 0
    oversize = False
    previous_blank = True
    started = False
    for line in stream:
        bare = line.rstrip(b"\r\n")
        if is_separator(bare, previous_blank):
            if started:
                yield index, (None if oversize else _finish(lines)), size
            index += 1
            lines, size, oversize, started = [], 0, False, True
            previous_blank = False
            continue
        if not started:
            if not bare.strip():
                continue
            # text before the first separator is kept as a message of its own
            index, started = 0, True
        previous_blank = not bare.strip()
        size += len(line)
        if oversize:
            continue
        if size > archives.MAX_MESSAGE_BYTES:
            oversize, lines = True, []
            continue
        lines.append(line[1:] if _ESCAPED_FROM.match(line) else line)
    if started:
        yield index, (None if oversize else _finish(lines)), size


def _finish(lines: list[bytes]) -> bytes:
    # the blank line before the next separator belongs to the mbox format, not the message
    if lines and not lines[-1].strip():
        lines = lines[:-1]
    return b"".join(lines)


def read_mbox(stream: BinaryIO, path: str, locator: str) -> Iterator[Message | Problem]:
    """Every message in an mbox stream; a damaged one becomes a Problem and the rest go on."""
    prefix = f"{locator}!" if locator else ""
    count = 0
    try:
        for index, data, size in split_mbox(stream):
            count += 1
            where = f"{prefix}mbox#{index}"
            if data is None:
                yield Problem(path, where, f"message of {size_text(size)} is over the {size_text(archives.MAX_MESSAGE_BYTES)}"
                                           " limit for one message (MAX_MESSAGE_BYTES)")
                continue
            if not data.strip():
                yield Problem(path, where, "empty message")
                continue
            yield from read_message(data, path, where, "mbox")
    except OSError as error:
        yield Problem(path, f"{prefix}mbox#{count}", f"read error in mbox: {error}")
    if count == 0:
        yield Problem(path, locator, "mbox without any message")
