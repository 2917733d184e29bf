"""Plain one-part text messages read with the standard library alone, with exactly mail-parser's answers.

Most mail in a dump is one 7-bit text/plain part under a few plain headers. For such a
message mail-parser's reading is fully determined by the standard library's (compat32)
parse: the body is the part's text as stored, the addresses are ``Name <addr>`` items,
there are no attachments and no defects. Building mail-parser's objects for it was
about two thirds of the per-message parse time, so such messages are read here; every
other message (MIME, 8-bit or encoded headers, odd address lists, any defect) goes
to mail-parser (foiatool.mail.parse). bench/fastpath_check.py compares both readings
over whole corpora; tests/test_plain_reading.py does so in the suite.

The standard library's parse itself goes line by line through a feed parser; for an ASCII
message whose header lines are all ``Name: value`` or folded continuations, its answer is
a plain split at the first blank line (quick_parse), checked the same ways.
"""
from __future__ import annotations

import email.message
import re
import unicodedata

from ..model import Address
from .dates import common_rfc_date, parse_date
from .message_ids import normalise_message_id, parse_in_reply_to, parse_references
from .parse import _FOLD, HeaderFields, _unfold, received_date

_PLAIN_TE = frozenset({"", "7bit", "8bit"})
# text/plain with plain parameters. For a 7- or 8-bit part of ASCII text mail-parser returns the
# stored text whatever the charset says (charset=windows-1252, encoding=utf-8, format=flowed...);
# only a "name" makes the part an attachment, and RFC 2231 forms (name*0=, charset*=) or odd
# quoting go to mail-parser.
_PLAIN_TYPE = re.compile(
    r'\s*text/plain\s*(?:;\s*(?!name\s*=)[A-Za-z0-9._-]+\s*=\s*(?:"[A-Za-z0-9._+ -]*"|[A-Za-z0-9._+-]+)\s*)*;?\s*\Z', re.I)
# One mailbox: ``addr@dom``, ``Name <addr@dom>``, ``"Name" <addr@dom>`` or the older
# ``addr@dom (Name)``, with nothing that needs RFC 5322's phrase rules (no groups, escapes,
# nested comments or specials in the name).
_PLAIN_ADDR = r"[A-Za-z0-9._%+=/-]+@[A-Za-z0-9.-]+"
_PLAIN_NAME = r"[A-Za-z0-9'][A-Za-z0-9' .-]*"
_PLAIN_MAILBOX = re.compile(
    rf'\s*(?:(?P<bare>{_PLAIN_ADDR})(?:\s*\(\s*(?P<cname>{_PLAIN_NAME})?\))?'
    rf'|(?:"(?P<qname>{_PLAIN_NAME})"|(?P<name>{_PLAIN_NAME}))?\s*<(?P<addr>{_PLAIN_ADDR})>)\s*\Z')
_ADDRESS_HEADERS = ("from", "to", "cc", "bcc")
# mail-parser checks these too (a defect is recorded when one does not read cleanly).
_CHECKED_ADDRESS_HEADERS = ("delivered-to", "reply-to")
_UNSAFE_HEADERS = frozenset({"content-id", "resent-from", "resent-to", "resent-date"})


def _date_is_clean(values: list[str]) -> bool:
    """mail-parser finds nothing to report about the Date header (it records defects for odd ones)."""
    from mailparser.dates import date_diagnostics, parse_mail_date

    for occurrence, raw in enumerate(values):
        if common_rfc_date(raw) is not None:
            continue  # the common form, a real time: mail-parser reports nothing (no need to ask it)
        if date_diagnostics(parse_mail_date(raw), raw, "date", occurrence):
            return False
    return True


def _plain_addresses(values: list[str]) -> list[Address] | None:
    """The mailboxes of a plain address header, or None when any item needs the full reader."""
    found: list[Address] = []
    for value in values:
        if not value.strip():
            continue
        for item in value.split(","):
            match = _PLAIN_MAILBOX.match(item)
            if match is None:
                return None
            addr = (match["bare"] or match["addr"]).lower()
            # an unquoted name is a phrase of words: one space between them, as mail-parser reads it
            name = (match["qname"] or " ".join((match["name"] or "").split()) or match["cname"] or "").strip()
            if name.lower() == addr:
                name = ""
            found.append(Address(name=name, email=addr))
    return found


# The characters str.splitlines also breaks on, where the feed parser does not.
_OTHER_LINE_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e]")
# The feed parser's header line: a name of printable characters but ':', then ':'.
_HEADER_START = re.compile(r"[\x21-\x39\x3b-\x7e]+:")


def quick_parse(data: bytes) -> email.message.Message | None:
    """``email.message_from_bytes(data)`` (compat32) for a simple message, without the feed parser.

    Taken only when the answer is certain: ASCII throughout, lines ending in LF or CRLF, a
    blank line after the headers, every header line ``Name:`` or a folded continuation, and
    no Content-Type but text/*.
    The headers are then exactly compat32's raw (name, value) pairs and the payload is the
    text after the blank line; otherwise None, and the feed parser reads the message.
    """
    if not data.isascii() or data.count(b"\r") != data.count(b"\r\n") or data[:1] in (b"\n", b"\r"):
        return None
    text = data.decode("ascii")
    ends = [at for at in (text.find("\n\n"), text.find("\n\r\n")) if at >= 0]
    if not ends:
        return None
    end = min(ends) + 1
    block = text[:end]
    if _OTHER_LINE_BREAKS.search(block):
        return None
    headers: list[tuple[str, str]] = []
    lines: list[str] = []
    for line in block.splitlines(keepends=True):
        if line[0] in " \t":
            if not lines:
                return None
            lines.append(line)
            continue
        if _HEADER_START.match(line) is None or line.startswith("From "):
            return None
        if lines:
            headers.append(_raw_header(lines))
        lines = [line]
    if lines:
        headers.append(_raw_header(lines))
    if any(name.lower() == "content-type" and not value.strip().lower().startswith("text/") for name, value in headers):
        return None  # multipart/* and message/* parts are parsed by the feed parser
    message = email.message.Message()
    message._headers = headers  # type: ignore[attr-defined]  # what compat32's parser sets, by set_raw
    message._payload = text[end + (2 if text.startswith("\r\n", end) else 1):]  # type: ignore[attr-defined]
    return message


def _raw_header(lines: list[str]) -> tuple[str, str]:
    # compat32's header_source_parse
    name, value = lines[0].split(":", 1)
    return name, (value.lstrip(" \t") + "".join(lines[1:])).rstrip("\r\n")


def read_plain(data: bytes) -> tuple[email.message.Message | None, tuple[HeaderFields, str] | None]:
    """The standard library's parse of ``data`` (None when it failed: mail-parser will say why),
    and its plain reading when it has one (see plain_reading)."""
    quick = quick_parse(data)
    if quick is not None:
        reading = plain_reading(quick)
        if reading is not None:
            return quick, reading
    try:
        message = email.message_from_bytes(data)
        return message, (None if quick is not None else plain_reading(message))
    except Exception:  # whatever the standard library trips on, mail-parser reads again
        return None, None


def plain_reading(message: email.message.Message) -> tuple[HeaderFields, str] | None:
    """Header fields and body of a plain one-part text message; None when mail-parser must read it."""
    if message.defects or message.is_multipart():
        return None
    headers: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        if not isinstance(value, str) or not value.isascii() or "=?" in value:
            return None
        headers.setdefault(name.lower(), []).append(value)
    if not headers.keys().isdisjoint(_UNSAFE_HEADERS):
        return None
    # A bare "inline" changes nothing for a one-part text message; a file name makes it an attachment.
    if any(v.strip().lower() != "inline" for v in headers.get("content-disposition", ())):
        return None
    content_type = headers.get("content-type")
    if content_type is not None and (len(content_type) > 1 or not _PLAIN_TYPE.match(_unfold(content_type[0]))):
        return None
    encoding = headers.get("content-transfer-encoding", [""])
    if len(encoding) > 1 or encoding[0].strip().lower() not in _PLAIN_TE:
        return None
    payload = getattr(message, "_payload", None)  # the stored text, as mail-parser returns it for 7bit/8bit parts
    if not isinstance(payload, str) or "\x1b" in payload:
        return None
    if not payload.isascii():
        # 8-bit text (its bytes held as surrogate escapes): mail-parser decodes the bytes with the
        # declared charset (UTF-8 when none is) and returns the text in NFC; a charset that fails
        # is a defect it reports.
        try:
            payload = payload.encode("ascii", "surrogateescape").decode(message.get_content_charset("utf-8"))
            payload.encode("utf-8")  # a codec that leaves lone surrogates: a defect too
        except (LookupError, UnicodeError):
            return None
        payload = unicodedata.normalize("NFC", payload)
    fields = HeaderFields()
    lists: dict[str, list[Address]] = {}
    for name in _ADDRESS_HEADERS:
        found = _plain_addresses([_unfold(v) for v in headers.get(name, ())])
        if found is None:
            return None
        lists[name] = found
    for name in _CHECKED_ADDRESS_HEADERS:
        if _plain_addresses([_unfold(v) for v in headers.get(name, ())]) is None:
            return None
    date_values = headers.get("date") or []
    if not _date_is_clean(date_values):
        return None
    fields.sender = lists["from"][0] if lists["from"] else None
    if "from" not in headers:
        fields.defects.append("no From header")
    fields.to, fields.cc, fields.bcc = lists["to"], lists["cc"], lists["bcc"]
    subject = headers.get("subject", [""])[0]
    fields.subject = _FOLD.sub(" ", subject).strip()
    ids = headers.get("message-id") or []
    fields.message_id = normalise_message_id(ids[0]) if ids else None
    reply_to_ids = headers.get("in-reply-to") or []
    fields.in_reply_to = parse_in_reply_to(reply_to_ids[0]) if reply_to_ids else None
    fields.references = parse_references(headers.get("references") or [])
    if date_values:
        fields.date, fields.date_status = parse_date(date_values[0])
        if fields.date is None:
            fields.defects.append("unparseable Date")
    if fields.date is None:
        fields.date = received_date(headers.get("received") or [])
        fields.date_status = "guessed" if fields.date is not None else "missing"
    body = payload.strip("\r\n").replace("\r\n", "\n") if payload.strip() else ""
    return fields, body
