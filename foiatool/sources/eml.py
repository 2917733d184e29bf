"""Single-message files: one RFC 822 message per file (.eml, maildir entries, archive members)."""
from __future__ import annotations

from typing import Iterator

from ..mail.parse import ParseError, parse_rfc822
from ..model import Message, Problem, Source
from . import archives
from .archives import size_text


def read_message(data: bytes, path: str, locator: str, kind: str) -> Iterator[Message | Problem]:
    """The one message in ``data``, or a Problem saying why there is none. Never raises."""
    if not data.strip():
        yield Problem(path, locator, "empty file" if not locator or not data else "empty message")
        return
    if len(data) > archives.MAX_MESSAGE_BYTES:
        yield Problem(path, locator, f"message of {size_text(len(data))} is over the "
                                     f"{size_text(archives.MAX_MESSAGE_BYTES)} limit for one message (MAX_MESSAGE_BYTES)")
        return
    try:
        yield parse_rfc822(data, Source(path=path, locator=locator, kind=kind))
    except ParseError as error:
        yield Problem(path, locator, str(error))
    except Exception as error:  # a reader never lets one bad item stop the run
        yield Problem(path, locator, f"could not read message: {type(error).__name__}: {error}")
