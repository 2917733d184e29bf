"""Outlook .msg files through extract-msg: headers from the kept transport headers, body from the item."""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ..mail.addresses import parse_address, parse_address_list
from ..mail.htmltext import html_to_text
from ..mail.message_ids import normalise_message_id, parse_in_reply_to, parse_references
from ..mail.parse import HeaderFields, parse_transport_headers
from ..mail.text import fix_text, repair_c1
from ..model import Address, Attachment, DateStatus, Message, Problem, Source
from .outlook import OutlookOpenError, close_quietly, mapi_utc, open_msg, safe
from .rtf import rtf_to_text

# extract-msg reports its own recoveries through logging; they must not reach the terminal.
logging.getLogger("extract_msg").addHandler(logging.NullHandler())

_RECIPIENT_LISTS = {1: "to", 2: "cc", 3: "bcc"}
_MSGFLAG_UNSENT = 0x8


def read_msg(source: str | bytes, path: str, locator: str, kind: str) -> Iterator[Message | Problem]:
    """The one item in an Outlook .msg (a file path, or the bytes of an archive member)."""
    try:
        item = open_msg(source)
    except OutlookOpenError as error:
        yield Problem(path, locator, str(error))
        return
    try:
        # importable: open_msg imported extract_msg
        from extract_msg.msg_classes import MessageBase

        if not isinstance(item, MessageBase):
            yield Problem(path, locator, f"Outlook item of type {type(item).__name__} is not a message")
            return
        yield _message_from_item(item, Source(path=path, locator=locator, kind=kind))
    except Exception as error:
        yield Problem(path, locator, f"could not read Outlook .msg: {type(error).__name__}: {error}")
    finally:
        close_quietly(item)


def _property(item: Any, tag: str) -> Any:
    prop = safe(lambda: item.props.get(tag))
    return getattr(prop, "value", None) if prop is not None else None


def _item_date(item: Any) -> tuple[datetime | None, DateStatus]:
    """When it was sent; for a draft (never sent), when it was last saved, marked guessed."""
    sent = mapi_utc(safe(lambda: item.date)) or mapi_utc(_property(item, "00390040"))
    if sent is not None:
        return sent, "ok"
    unsent = bool((_property(item, "0E070003") or 0) & _MSGFLAG_UNSENT)
    order = (("30080040", "guessed"), ("30070040", "guessed")) if unsent else (("0E060040", "ok"),)
    for tag, status in (*order, ("30080040", "guessed"), ("30070040", "guessed")):
        value = mapi_utc(_property(item, tag))
        if value is not None:
            return value, status
    return None, "missing"


def _recipients(item: Any) -> dict[str, list[Address]]:
    lists: dict[str, list[Address]] = {"to": [], "cc": [], "bcc": []}
    for recipient in safe(lambda: item.recipients) or []:
        address, kind = _recipient(recipient)
        if address.name or address.email or address.redacted:
            lists[_RECIPIENT_LISTS.get(kind & 0x3, "to")].append(address)
    return lists


def _recipient(recipient: Any) -> tuple[Address, int]:
    """One recipient's address and its MAPI recipient type (1 = to, 2 = cc, 3 = bcc)."""
    name = fix_text(safe(lambda: recipient.name) or "").strip()
    email = fix_text(safe(lambda: recipient.smtpAddress) or safe(lambda: recipient.email) or "").strip()
    kind = safe(lambda: int(recipient.type)) or 1
    if "@" in email:
        return Address(name="" if name.lower() == email.lower() else name, email=email.lower()), kind
    return parse_address(name or email), kind


def _sender(item: Any) -> Address | None:
    text = fix_text(safe(lambda: item.sender) or "")
    if not text.strip():
        return None
    found = parse_address_list(text)
    return found[0] if found else None


def _body(item: Any, defects: list[str]) -> str:
    plain = safe(lambda: item.body)
    if isinstance(plain, bytes):
        plain = plain.decode("utf-8", "replace")
    if plain and plain.strip("\x00 \r\n"):
        return repair_c1(fix_text(plain)).replace("\r\n", "\n").strip("\x00").rstrip()
    html = safe(lambda: item.htmlBody)
    if html:
        text = html.decode("utf-8", "replace") if isinstance(html, bytes) else str(html)
        return html_to_text(fix_text(text))
    rtf = safe(lambda: item.rtfBody)
    if rtf:
        defects.append("body converted from RTF")
        return rtf_to_text(rtf)
    return ""


def attachment_parts(item: Any) -> Iterator[tuple[str, str, bytes | None]]:
    """(file name, MIME type, bytes) of each attachment of an extract-msg item, as this reader records it.

    The bytes are None for an attached Outlook item or OLE object, which is no plain byte stream;
    its type is then ``application/vnd.ms-outlook`` unless it states one.
    """
    for attachment in safe(lambda: item.attachments) or []:
        yield _attachment_part(attachment)


def _attachment_part(attachment: Any) -> tuple[str, str, bytes | None]:
    """One extract-msg attachment as attachment_parts describes it."""
    name = fix_text(safe(lambda: attachment.longFilename) or safe(lambda: attachment.shortFilename)
                    or safe(lambda: attachment.name) or "")
    content_type = str(safe(lambda: attachment.mimetype) or "application/octet-stream").lower()
    data = safe(lambda: attachment.data)
    if isinstance(data, bytes):
        return name, content_type, data
    return name, ("application/vnd.ms-outlook" if content_type == "application/octet-stream"
                  else content_type), None


def _attachments(item: Any, defects: list[str]) -> list[Attachment]:
    found: list[Attachment] = []
    for index, (name, content_type, data) in enumerate(attachment_parts(item)):
        if data is None:
            defects.append(f"attachment {name or index} is an embedded item; only its name is kept")
            data = b""
        found.append(Attachment(name=name, content_type=content_type, size=len(data),
                                sha256=hashlib.sha256(data).hexdigest()))
    return found


def _message_from_item(item: Any, source: Source) -> Message:
    defects: list[str] = []
    headers_text = fix_text(safe(lambda: item.headerText) or "")
    fields = parse_transport_headers(headers_text) if headers_text.strip() else HeaderFields()
    defects.extend(fields.defects)
    recipients = _recipients(item) if not (fields.to or fields.cc or fields.bcc) else {}
    date, status = (fields.date, fields.date_status) if fields.date is not None else _item_date(item)
    subject = fields.subject or repair_c1(fix_text(safe(lambda: item.subject) or "")).strip()
    message_id = fields.message_id or normalise_message_id(safe(lambda: item.messageId))
    in_reply_to = fields.in_reply_to or parse_in_reply_to(safe(lambda: item.inReplyTo))
    references = fields.references or parse_references([_property(item, "1039001F")])
    return Message(
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        subject=subject,
        sender=fields.sender or _sender(item),
        to=fields.to or recipients.get("to", []),
        cc=fields.cc or recipients.get("cc", []),
        bcc=fields.bcc or recipients.get("bcc", []),
        date=date,
        date_status=status,
        body=_body(item, defects),
        attachments=_attachments(item, defects),
        defects=defects,
        sources=[source],
    )
