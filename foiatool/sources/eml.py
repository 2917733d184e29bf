"""Single-message files: one RFC 822 message per file (.eml, maildir entries, archive members)."""
from __future__ import annotations

from collections.abc import Iterator

from ..mail.parse import ParseError, parse_rfc822
from ..model import Message, Problem, Source
from . import archives
from .archives import size_text
from .detect import OLE_MAGIC, looks_binary, sound_ole_header


def _binary_reason(data: bytes) -> str | None:
    """Why binary bytes that did not parse are no message; None for text (its parse error says why).

    Only a file named .eml reaches the message reader with binary bytes (see detect_kind)."""
    if data.startswith(OLE_MAGIC) and not sound_ole_header(data):
        return ("bad .eml file: binary content, not the text of an email message (it starts like an "
                "Outlook .msg or other Office compound file, but its header is damaged)")
    if looks_binary(data):
        return "bad .eml file: binary content, not the text of an email message (NUL or control bytes at its start)"
    return None


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
        # an mbox entry is no .eml file: its parse error says what is wrong with it
        yield Problem(path, locator, (_binary_reason(data) if kind != "mbox" else None) or str(error))
    except Exception as error:  # a reader never lets one bad item stop the run
        yield Problem(path, locator, f"could not read message: {type(error).__name__}: {error}")
