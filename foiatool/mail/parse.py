"""The one adapter around mail-parser: raw RFC 822 bytes (or an Outlook item's transport headers) to typed fields."""
from __future__ import annotations

import base64
import binascii
import email.header
import email.message
import hashlib
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..model import Address, Attachment, DateStatus, Message, Source
from .addresses import parse_address_list
from .dates import parse_date
from .htmltext import html_to_text
from .message_ids import normalise_message_id, parse_in_reply_to, parse_references
from .text import SURROGATES, fix_text

# mail-parser logs through the logging module; without a handler of its own,
# Python's last-resort handler would write its warnings to stderr.
logging.getLogger("mailparser").addHandler(logging.NullHandler())

# Plain one-part text messages are read with the standard library alone (foiatool/mail/plain.py);
# FOIATOOL_NO_FAST_PATH=1 sends every message through mail-parser (bench/fastpath_check.py).
_FAST_PATH = os.environ.get("FOIATOOL_NO_FAST_PATH", "") != "1"

# Names of header fields that only email carries; a header block needs one of them.
_MAIL_FIELDS = frozenset({
    b"from", b"to", b"cc", b"bcc", b"subject", b"date", b"message-id", b"received", b"return-path",
    b"mime-version", b"content-type", b"delivered-to", b"sender", b"reply-to", b"in-reply-to",
    b"references", b"x-mailer", b"envelope-to", b"thread-topic", b"x-original-to", b"resent-from",
    b"resent-date", b"content-transfer-encoding", b"x-sender", b"x-originating-ip", b"user-agent",
})
_FIELD_LINE = re.compile(rb"^([\x21-\x39\x3b-\x7e]{1,200})[ \t]*:")
_ASCTIME = rb"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s+[A-Z]{2,5}|\s+[+-]\d{4})?\s+\d{4}"
# "From: fork-admin@xent.com  Thu Aug 22 12:46:39 2002": an mbox separator that a
# conversion tool turned into a header line; the real From: comes further down.
_PSEUDO_FROM = re.compile(rb"^From:[ \t]*(\S+)[ \t]{2,}" + _ASCTIME + rb"[ \t]*(?:\r?\n|\Z)", re.M)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
# "From addr date": the mbox separator itself, left at the top of a single-message file.
_ENVELOPE_FROM = re.compile(rb"^>?From [^\r\n]*\r?$")
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
_SYNTHETIC_NAME = re.compile(r"^[a-z]{10}\.(?:rtf|txt)$")


_BODY_STRUCTURE_DEFECTS = frozenset({
    "MultipartInvariantViolationDefect", "StartBoundaryNotFoundDefect", "NoBoundaryInMultipartDefect",
    "CloseBoundaryNotFoundDefect", "FirstHeaderLineIsContinuationDefect",
})


class ParseError(Exception):
    """The bytes are clearly not an email message (no header block at the start)."""


@dataclass(slots=True)
class HeaderFields:
    """What the header block of one message says, already normalised."""

    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    subject: str = ""
    sender: Address | None = None
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    bcc: list[Address] = field(default_factory=list)
    date: datetime | None = None
    date_status: DateStatus = "missing"
    defects: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- bytes before parsing

_last_stripped: tuple[bytes | None, tuple[bytes, str]] = (None, (b"", ""))


def strip_envelope_lines(data: bytes) -> tuple[bytes, str]:
    """Drop what is not part of the real header block: a BOM, leading blank lines,
    an mbox ``From `` separator line at the top, and the mangled ``From: addr  <asctime>``
    pseudo-header that conversion tools write in place of that separator (usually
    first, sometimes after a few ``Forwarded:`` lines; the real From: comes later).

    Returns the remaining bytes and the address the pseudo-header named ("" if none),
    which serves as the sender only when no real From: follows.
    """
    global _last_stripped
    last = _last_stripped  # the kind check and then the parser ask about the same bytes object
    if last[0] is data and type(data) is bytes:
        return last[1]
    stripped = _strip_envelope_lines(data)
    _last_stripped = (data, stripped)
    return stripped


def _strip_envelope_lines(data: bytes) -> tuple[bytes, str]:
    start = 0
    if data.startswith(b"\xef\xbb\xbf"):
        start = 3
    length = len(data)
    while start < length and data[start] in b" \t\r\n":
        start += 1
    for _ in range(3):
        end = data.find(b"\n", start)
        line = data[start:] if end < 0 else data[start:end]
        if not _ENVELOPE_FROM.match(line):
            break
        start = length if end < 0 else end + 1
    if start:
        data = data[start:]
    block_end = _HEADER_END.search(data)
    pseudo = _PSEUDO_FROM.search(data, 0, block_end.start() if block_end else len(data))
    if pseudo is None:
        return data, ""
    envelope_address = pseudo.group(1).decode("ascii", "replace").strip("<>")
    data = data[: pseudo.start()] + data[pseudo.end():]
    return data, envelope_address


def looks_like_message(head: bytes, *, whole: bool = True) -> bool:
    """True when ``head`` opens with a header block naming a mail field.

    With ``whole=False`` ``head`` is only the first bytes of a file: a block of well-formed
    header lines that runs on past them (a 5 MB header block, a first field megabytes
    long) counts as a message too, since its mail fields may come later; the parser,
    which sees every byte, has the last word.
    """
    verdict = _header_block_verdict(strip_envelope_lines(head)[0], whole=whole)
    return verdict is not False


# The lines of a header block: fields and continuations. Where it stops, a blank line or a line that
# is neither begins (matched line by line, not looked for at every byte).
_BLOCK_LINES = re.compile(rb"(?:(?:[ \t]|[\x21-\x39\x3b-\x7e]{1,200}[ \t]*:)[^\n]*(?:\n|\Z))*")
_MAIL_FIELD_LINE = re.compile(
    rb"^(?:" + b"|".join(re.escape(name) for name in sorted(_MAIL_FIELDS)) + rb")[ \t]*:", re.IGNORECASE | re.MULTILINE)


def _opens_with_header_block(body: bytes) -> bool:
    """The first line is a header field, and the header block names at least one mail field."""
    return _header_block_verdict(body, whole=True) is True


def _header_block_verdict(body: bytes, *, whole: bool) -> bool | None:
    """True when ``body`` opens with a header block naming a mail field, False when it does not,
    None when ``body`` is a cut-off start whose header lines run to its end without one yet.

    Junk after the first line is a defect the parser reports; the block up to it still counts.
    The whole block is scanned (at C speed), however long: a header block of megabytes is
    still a message.
    """
    if _FIELD_LINE.match(body) is None:
        return False
    end = _BLOCK_LINES.match(body).end()  # type: ignore[union-attr]  # "*" always matches
    stopped = end < len(body)  # else the text ends with the block (or with a line break)
    if not whole and stopped and body.find(b"\n", end) < 0:
        end = len(body)  # the last line was cut by the end of the head: it is not junk
        stopped = False
    if _MAIL_FIELD_LINE.search(body, 0, end):
        return True
    return None if (not stopped and not whole) else False


_FOLD = re.compile(r"\r?\n[ \t]*")

# ----------------------------------------------------------------------------- small normalisers

def decode_header_text(raw: str, defects: list[str] | None = None) -> str:
    """RFC 2047 words decoded, unknown charsets and undeclared 8-bit bytes read with replacement."""
    if SURROGATES.search(raw):
        if defects is not None:
            defects.append("8-bit header text without a declared charset")
        raw = fix_text(raw)
    if "=?" not in raw:
        return _unfold(raw)
    try:
        parts = email.header.decode_header(raw)
    except Exception:  # a malformed encoded word is left as written
        return _unfold(raw)
    out: list[str] = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            out.append(chunk)
            continue
        try:
            out.append(chunk.decode(charset or "ascii"))
        except (LookupError, UnicodeError):
            if charset and defects is not None:
                defects.append(f"unknown or wrong charset {charset!r} in a header")
            try:
                out.append(chunk.decode("utf-8"))
            except UnicodeDecodeError:
                out.append(chunk.decode("cp1252", "replace"))
    return _unfold("".join(out))


def _unfold(text: str) -> str:
    return _FOLD.sub(" ", text).strip()


# ----------------------------------------------------------------------------- addresses

def _split_top_level(value: str) -> list[str]:
    """Comma-separated items outside quotes, <>, () and group syntax; empty items dropped."""
    items: list[str] = []
    depth = 0
    quoted = False
    escaped = False
    current: list[str] = []
    for ch in value:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif not quoted:
            if ch in "<(":
                depth += 1
            elif ch in ">)":
                depth = max(0, depth - 1)
            elif depth == 0 and ch in ",;":
                items.append("".join(current))
                current = []
                continue
            elif depth == 0 and ch == ":":
                current = []  # a group name "Team:" is no mailbox
                continue
        current.append(ch)
    items.append("".join(current))
    return [item for item in items if item.strip()]


def _clean_pairs(pairs: list[tuple[str, str]]) -> list[Address]:
    found: list[Address] = []
    for name, addr in pairs:
        addr = fix_text(addr).strip().lower()
        name = fix_text(name or "").strip()
        if name.lower() == addr:
            name = ""
        found.append(Address(name=name, email=addr))
    return found


def addresses_from_header(raw_values: list[str], first_pairs: list[tuple[str, str]] | None,
                          defective_occurrences: set[int]) -> list[Address]:
    """Mailboxes from every occurrence of one address header.

    mail-parser's ``(name, address)`` pairs are used when they account for every
    item in the value; otherwise (redaction marks such as ``(b)(6)``, names without
    an address, Outlook's ``;`` lists) the printed-field reader of
    :mod:`foiatool.addresses` reads the whole value.
    """
    from mailparser.utils import get_addresses

    found: list[Address] = []
    for occurrence, raw in enumerate(raw_values):
        raw_text = fix_text(str(raw))
        if not raw_text.strip():
            continue
        if occurrence == 0 and first_pairs is not None:
            pairs = first_pairs
        else:
            pairs = [(n, a) for n, a in get_addresses(raw_text, decode_names=True) if a]
        items = _split_top_level(raw_text)
        if occurrence not in defective_occurrences and len(pairs) == len(items) and all("@" in a for _, a in pairs):
            found.extend(_clean_pairs(pairs))
        else:
            found.extend(parse_address_list(decode_header_text(raw_text)))
    return found


# ----------------------------------------------------------------------------- the parser of record

def _raw_items(message: email.message.Message) -> dict[str, list[str]]:
    """Header name (lower case) → raw values as stored, with undecoded bytes as surrogate escapes."""
    index: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        index.setdefault(name.lower(), []).append(value if isinstance(value, str) else str(value))
    return index


def header_fields_from_parser(parser: Any, received: list[str] | None = None) -> HeaderFields:
    """Typed header fields from a mail-parser ``MailParser`` (the only caller of its objects).

    ``received`` holds the Received headers when they were taken off the message
    before mail-parser saw it.
    """
    message = parser.message
    headers = _raw_items(message) if message is not None else {}
    if received is not None:
        headers["received"] = received
    fields = HeaderFields()
    defects = fields.defects

    subject_raw = headers.get("subject", [""])[0]
    subject = parser.subject if not SURROGATES.search(subject_raw) else ""
    if isinstance(subject, list):
        subject = subject[0] if subject else ""
    subject = str(subject or "")
    if not subject or _ENCODED_WORD.search(subject) or SURROGATES.search(subject):
        subject = decode_header_text(subject_raw, defects) if subject_raw else subject
    # RFC 5322 unfolding: a folded Subject is one line.
    fields.subject = _FOLD.sub(" ", fix_text(subject)).strip()

    ids = headers.get("message-id") or []
    fields.message_id = normalise_message_id(ids[0]) if ids else None
    reply_to_ids = headers.get("in-reply-to") or []
    fields.in_reply_to = parse_in_reply_to(reply_to_ids[0]) if reply_to_ids else None
    fields.references = parse_references(headers.get("references") or [])

    defective: dict[str, set[int]] = {}
    for defect in getattr(parser, "address_header_defects", None) or []:
        defective.setdefault(str(defect.get("header", "")), set()).add(int(defect.get("occurrence", 0)))
    address_lists: dict[str, list[Address]] = {}
    for name in ("from", "to", "cc", "bcc"):
        raw_values = headers.get(name) or []
        # mail-parser resolves "from_" (a Python keyword otherwise) as the From header
        pairs = getattr(parser, name + "_") if raw_values else []
        address_lists[name] = addresses_from_header(raw_values, pairs, defective.get(name, set()))
    senders = address_lists["from"]
    fields.sender = senders[0] if senders else None
    if "from" not in headers:
        defects.append("no From header")
    fields.to, fields.cc, fields.bcc = address_lists["to"], address_lists["cc"], address_lists["bcc"]

    date_values = headers.get("date") or []
    if date_values:
        fields.date, fields.date_status = parse_date(fix_text(date_values[0]))
        if fields.date is None:
            defects.append("unparseable Date")
    if fields.date is None:
        fields.date = received_date(headers.get("received") or [])
        fields.date_status = "guessed" if fields.date is not None else "missing"

    categories = getattr(parser, "defects_categories", None) or set()
    defects.extend(sorted(str(c) for c in categories))
    return fields


def received_date(received_values: list[str]) -> datetime | None:
    """The date of the newest (topmost) Received header that carries one."""
    for value in received_values:
        text = fix_text(value)
        if ";" not in text:
            continue
        when, _status = parse_date(_unfold(text.rsplit(";", 1)[1]))
        if when is not None:
            return when
    return None


def _text_bytes(text: str) -> bytes:
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate no byte produced
        return text.encode("utf-8", "replace")


def _attachment_records(parser: Any, data: bytes) -> list[Attachment]:
    return [
        Attachment(name=name, content_type=content_type, size=len(content), sha256=hashlib.sha256(content).hexdigest())
        for name, content_type, content in _attachment_contents(parser, data)
    ]


def attachment_contents(data: bytes) -> list[tuple[str, str, bytes]]:
    """(name, content type, decoded bytes) of each attachment of one RFC 822 message,
    in the order and with the exact bytes whose sha256 parse_rfc822 records.
    """
    body_bytes, _envelope_address = strip_envelope_lines(data)
    try:
        parser, _received = _mail_parser(body_bytes)
    except Exception as error:  # mail-parser's own errors and anything the stdlib raises underneath
        raise ParseError(f"mail parser failed: {type(error).__name__}: {error}") from error
    return list(_attachment_contents(parser, data))


def _attachment_contents(parser: Any, data: bytes) -> Iterable[tuple[str, str, bytes]]:
    for item in parser.attachments:
        payload = item.get("payload") or ""
        if item.get("binary"):
            try:
                content = base64.b64decode(payload)
            except (binascii.Error, ValueError):
                content = payload.encode("ascii", "replace") if isinstance(payload, str) else bytes(payload)
        else:
            content = _text_bytes(payload) if isinstance(payload, str) else bytes(payload)
        name = fix_text(str(item.get("filename") or ""))
        # mail-parser invents a random name for unnamed rtf / text parts; a random
        # name would make every run differ, so such a part stays unnamed.
        if _SYNTHETIC_NAME.match(name) and name.encode() not in data:
            name = ""
        yield name, str(item.get("mail_content_type") or "application/octet-stream").lower(), content


# The 7-bit ISO-2022 charsets (Japanese mail especially) are "7bit" on the wire, and
# mail-parser hands such parts back with their escape sequences undecoded.
_ISO2022_CODECS = ("iso2022_jp_ext", "iso2022_jp_2", "iso2022_kr")


def decode_iso2022(text: str) -> str:
    """Text still carrying ISO-2022 escape sequences (ESC $ B ...), decoded; other text unchanged."""
    if "\x1b" not in text:
        return text
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        return text
    for codec in _ISO2022_CODECS:
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return text


def _body_text(parser: Any) -> str:
    plain = [decode_iso2022(fix_text(p)) for p in parser.text_plain if p and p.strip()]
    if plain:
        return "\n\n".join(p.strip("\r\n") for p in plain).replace("\r\n", "\n")
    html = [fix_text(h) for h in parser.text_html if h and h.strip()]
    if html:
        return "\n\n".join(html_to_text(h) for h in html)
    other = [fix_text(t) for t in parser.text_not_managed if t and t.strip()]
    return "\n\n".join(t.strip("\r\n") for t in other).replace("\r\n", "\n")


def _mail_parser(data: bytes, message: email.message.Message | None = None) -> tuple[Any, list[str]]:
    """mail-parser's reading of ``data`` (or of its already parsed ``message``), and the
    Received headers taken off before it.

    mail-parser analyses every Received hop (relay IPs, per-hop delays); foiatool
    only needs the newest one's date, and that analysis was 40% of all parsing
    time on the SpamAssassin corpus, so the hops are kept aside instead.
    """
    import mailparser

    if message is None:
        message = email.message_from_bytes(data)
    received = [v if isinstance(v, str) else str(v) for _name, v in message.raw_items() if _name.lower() == "received"]
    if received:
        del message["received"]
    return mailparser.MailParser(message), received


# A message with more parts than this is hostile or broken; reading a million tiny parts
# costs tens of seconds, so only the first parts are read (and the cut is a defect).
MAX_MIME_PARTS = 10_000
_DELIMITER_LINE = re.compile(rb"^--", re.MULTILINE)


def _bounded_parts(data: bytes) -> tuple[bytes, str | None]:
    if data.count(b"\n--") <= MAX_MIME_PARTS:
        return data, None
    for count, match in enumerate(_DELIMITER_LINE.finditer(data), 1):
        if count > MAX_MIME_PARTS:
            return data[: match.start()], f"more than {MAX_MIME_PARTS:,} MIME parts: only the first {MAX_MIME_PARTS:,} were read"
    return data, None


def _headers_only(data: bytes) -> bytes:
    end = re.search(rb"\r?\n\r?\n", data)
    return (data[: end.end()] if end else data) + b"\n"


def parse_rfc822(data: bytes, source: Source) -> Message:
    """One RFC 822 message as a typed Message found at ``source``.

    Raises ParseError only when the bytes are clearly not a message; every other
    oddity (bad charset, broken MIME, junk headers) becomes a defect on the message.
    """
    if not data or not data.strip():
        raise ParseError("empty message")
    body_bytes, envelope_address = strip_envelope_lines(data)
    if not _opens_with_header_block(body_bytes):
        raise ParseError("not an email message: no header block at the start")
    body_bytes, too_many_parts = _bounded_parts(body_bytes)
    nested_too_deep = False
    message = plain = None
    if _FAST_PATH and not too_many_parts:
        from .plain import read_plain  # same floor; it builds on this module's header helpers

        message, plain = read_plain(body_bytes)
    if plain is not None:
        fields, body = plain
        return _message_of(fields, body, [], envelope_address, source)
    try:
        parser, received = _mail_parser(body_bytes, message)
    except RecursionError:
        # MIME nested hundreds deep: the headers are still worth having.
        nested_too_deep = True
        parser, received = _mail_parser(_headers_only(body_bytes))
    except Exception as error:  # mail-parser's own errors and anything the stdlib raises underneath
        raise ParseError(f"mail parser failed: {type(error).__name__}: {error}") from error
    fields = header_fields_from_parser(parser, received)
    try:
        body, attachments = _body_text(parser), _attachment_records(parser, data)
    except RecursionError:
        # parsed, but walking the parts went deeper than Python's stack: the sender, date and
        # subject are kept, the parts are not
        nested_too_deep = True
        body, attachments = "", []
    if too_many_parts:
        fields.defects.append(too_many_parts)
    if nested_too_deep:
        fields.defects.append("MIME parts nested too deep to read: headers only")
    return _message_of(fields, body, attachments, envelope_address, source)


def _message_of(fields: HeaderFields, body: str, attachments: list[Attachment], envelope_address: str | None,
                source: Source) -> Message:
    if fields.sender is None and envelope_address:
        fields.sender = Address(email=envelope_address.lower())
        fields.defects.append("sender taken from the mbox separator line")
    return Message(message_id=fields.message_id, in_reply_to=fields.in_reply_to, references=fields.references,
                   subject=fields.subject, sender=fields.sender, to=fields.to, cc=fields.cc, bcc=fields.bcc,
                   date=fields.date, date_status=fields.date_status, body=body, attachments=attachments,
                   defects=fields.defects, sources=[source])


def parse_transport_headers(text: str) -> HeaderFields:
    """Header fields from the transport headers an Outlook item kept (.msg / .pst)."""
    import mailparser

    block = text.replace("\r\n", "\n").replace("\x00", "").strip("\n") + "\n\n"
    try:
        parser = mailparser.parse_from_string(block)
    except Exception:  # a damaged header block yields no fields rather than no message
        return HeaderFields(defects=["unreadable transport headers"])
    fields = header_fields_from_parser(parser)
    # only the header block was kept, so complaints about a missing MIME body are not defects
    fields.defects = [d for d in fields.defects if d != "no From header" and d not in _BODY_STRUCTURE_DEFECTS]
    return fields
