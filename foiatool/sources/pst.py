"""Outlook .pst / .ost files through libpff (pypff): every message-like item in every folder."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO

from ..mail.addresses import parse_address
from ..mail.htmltext import html_to_text
from ..mail.message_ids import normalise_message_id, parse_in_reply_to, parse_references
from ..mail.parse import HeaderFields, parse_transport_headers
from ..mail.text import fix_text, repair_c1
from ..model import Address, Attachment, DateStatus, Message, Problem, Source
from .outlook import OutlookOpenError, close_quietly, mapi_utc, open_pst
from .rtf import rtf_to_text

# MAPI property tags (PidTag...) read from an item's first record set.
_SENDER_EMAIL_TAGS = (0x5D01, 0x0C1F, 0x0065)  # SenderSmtpAddress, SenderEmailAddress, SentRepresentingEmailAddress
_SENDER_NAME_TAGS = (0x0C1A, 0x0042)
_INTERNET_MESSAGE_ID = 0x1035
_IN_REPLY_TO = 0x1042
_REFERENCES = 0x1039
_ATTACH_MIME_TAG = 0x370E
_RECIPIENT_NAME = 0x3001
_RECIPIENT_EMAIL = 0x3003
_RECIPIENT_SMTP = 0x39FE
_RECIPIENT_TYPE = 0x0C15
_MESSAGE_FLAGS = 0x0E07
_MSGFLAG_UNSENT = 0x8
_MAX_FOLDER_DEPTH = 64
_CHUNK = 1 << 20


def read_pst(opened: str | BinaryIO, path: str, locator: str) -> Iterator[Message | Problem]:
    """Every item pypff exposes as a message (mail, calendar, tasks ...), folder by folder.

    ``opened`` is a file path or a seekable binary stream (a .pst inside an archive).
    """
    try:
        store = open_pst(opened)
    except OutlookOpenError as error:
        yield Problem(path, locator, str(error))
        return
    prefix = f"{locator}!" if locator else ""
    try:
        root = store.get_root_folder()
        yield from _walk(root, "", path, prefix, 0)
    except Exception as error:
        yield Problem(path, locator, f"damaged Outlook .pst file: {error}")
    finally:
        close_quietly(store)


def _walk(folder: Any, folder_path: str, path: str, prefix: str, depth: int) -> Iterator[Message | Problem]:
    shown = folder_path or "/"
    try:
        count = folder.number_of_sub_messages
    except Exception as error:
        yield Problem(path, f"{prefix}pst:{shown}", f"unreadable folder: {error}")
        count = 0
    for index in range(count):
        where = f"{prefix}pst:{shown}#{index}"
        try:
            item = folder.get_sub_message(index)
            yield _message_from_item(item, Source(path=path, locator=where, kind="pst"))
        except Exception as error:  # one damaged item never hides the rest of the folder
            yield Problem(path, where, f"unreadable Outlook item: {error}")
    try:
        folders = folder.number_of_sub_folders
    except Exception:
        folders = 0
    for index in range(folders):
        try:
            sub = folder.get_sub_folder(index)
            name = fix_text(sub.name or "")
        except Exception as error:
            yield Problem(path, f"{prefix}pst:{folder_path}/[folder {index}]", f"unreadable folder: {error}")
            continue
        if depth >= _MAX_FOLDER_DEPTH:
            yield Problem(path, f"{prefix}pst:{folder_path}/{name}", "folders nested too deep; not read")
            continue
        yield from _walk(sub, f"{folder_path}/{name}", path, prefix, depth + 1)


def _properties(item: Any) -> dict[int, Any]:
    found: dict[int, Any] = {}
    try:
        if not item.number_of_record_sets:
            return found
        for entry in item.get_record_set(0).entries:
            try:
                found.setdefault(entry.entry_type, entry)
            except Exception:
                continue
    except Exception:
        return found
    return found


def _string(entry: Any) -> str:
    if entry is None:
        return ""
    try:
        value = entry.data_as_string
        if value:
            return fix_text(str(value)).replace("\x00", "").strip()
    except Exception:
        pass
    try:
        data = entry.data or b""
    except Exception:
        return ""
    encoding = "utf-16-le" if entry.value_type == 0x001F else "cp1252"
    return data.decode(encoding, "replace").replace("\x00", "").strip()


def _text(data: bytes | str | None) -> str:
    if not data:
        return ""
    if isinstance(data, str):
        return fix_text(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _recipients(item: Any) -> tuple[list[Address], list[Address], list[Address]]:
    lists: dict[int, list[Address]] = {1: [], 2: [], 3: []}
    recipients = item.recipients
    if recipients is None:
        return [], [], []
    for index in range(recipients.number_of_record_sets):
        entries: dict[int, Any] = {}
        for entry in recipients.get_record_set(index).entries:
            entries.setdefault(entry.entry_type, entry)
        name = _string(entries.get(_RECIPIENT_NAME))
        email = _string(entries.get(_RECIPIENT_SMTP)) or _string(entries.get(_RECIPIENT_EMAIL))
        kind = entries.get(_RECIPIENT_TYPE)
        try:
            recipient_type = int(kind.data_as_integer) if kind is not None else 1
        except Exception:
            recipient_type = 1
        address = _address(name, email)
        if address is not None:
            lists.get(recipient_type & 0x3, lists[1]).append(address)
    return lists[1], lists[2], lists[3]


def _address(name: str, email: str) -> Address | None:
    if "@" in email:
        return Address(name="" if name.lower() == email.lower() else name, email=email.lower())
    if not name and not email:
        return None
    # an Exchange-internal "/O=ORG/OU=..." address is no mail address; keep the name
    parsed = parse_address(name or email)
    return parsed if (parsed.name or parsed.email or parsed.redacted) else None


def attachment_name_and_type(attachment: Any) -> tuple[str, str]:
    """An Outlook attachment's file name (long name, then the MAPI name properties) and MIME type."""
    try:
        name = fix_text(getattr(attachment, "long_filename", None) or "")
    except Exception:
        name = ""
    props = _properties(attachment)
    if not name:
        name = _string(props.get(0x3707)) or _string(props.get(0x3704)) or _string(props.get(0x3001))
    content_type = (_string(props.get(_ATTACH_MIME_TAG)) or "application/octet-stream").lower()
    return name, content_type


def attachment_chunks(attachment: Any) -> Iterator[bytes]:
    """A libpff attachment's bytes in chunks, up to its stated size and no further than the first short read.

    Raises what libpff raises for an attachment with no plain data stream (an embedded message or
    OLE object); the chunks given before that are what this reader hashed.
    """
    remaining = attachment.size or 0
    attachment.seek_offset(0)
    while remaining > 0:
        chunk = attachment.read_buffer(min(remaining, _CHUNK))
        if not chunk:
            return
        yield chunk
        remaining -= len(chunk)


def _attachments(item: Any, defects: list[str]) -> list[Attachment]:
    found: list[Attachment] = []
    for index in range(item.number_of_attachments):
        try:
            attachment = item.get_attachment(index)
        except Exception:
            defects.append(f"unreadable attachment {index}")
            continue
        name, content_type = attachment_name_and_type(attachment)
        digest = hashlib.sha256()
        size = 0
        try:
            for chunk in attachment_chunks(attachment):
                digest.update(chunk)
                size += len(chunk)
        except Exception:
            # embedded messages and OLE objects have no plain data stream
            defects.append(f"attachment {name or index} has no readable content")
        found.append(Attachment(name=name, content_type=content_type, size=size, sha256=digest.hexdigest()))
    return found


def _message_from_item(item: Any, source: Source) -> Message:
    defects: list[str] = []
    props = _properties(item)
    headers_text = ""
    try:
        headers_text = _text(item.transport_headers)
    except Exception:
        defects.append("unreadable transport headers")
    fields = parse_transport_headers(headers_text) if headers_text.strip() else HeaderFields()
    defects.extend(fields.defects)

    subject = fields.subject or fix_text(item.subject or "")
    sender = fields.sender
    if sender is None:
        email = next((e for e in (_string(props.get(tag)) for tag in _SENDER_EMAIL_TAGS) if "@" in e), "")
        name = fix_text(item.sender_name or "") or next(
            (n for n in (_string(props.get(tag)) for tag in _SENDER_NAME_TAGS) if n), "")
        sender = _address(name, email)
    to, cc, bcc = fields.to, fields.cc, fields.bcc
    if not (to or cc or bcc):
        try:
            to, cc, bcc = _recipients(item)
        except Exception as error:
            defects.append(f"unreadable recipients: {error}")

    date, status = fields.date, fields.date_status
    if date is None:
        date, status = _item_date(item, props)

    body = repair_c1(_text(item.plain_text_body)).replace("\r\n", "\n").strip("\x00").rstrip()
    if not body.strip():
        html = _text(item.html_body)
        if html.strip():
            body = html_to_text(html)
        else:
            rtf = item.rtf_body
            if rtf:
                body = rtf_to_text(rtf)
                defects.append("body converted from RTF")

    message_id = fields.message_id or normalise_message_id(_string(props.get(_INTERNET_MESSAGE_ID)))
    in_reply_to = fields.in_reply_to or parse_in_reply_to(_string(props.get(_IN_REPLY_TO)) or None)
    references = fields.references or parse_references([_string(props.get(_REFERENCES))])
    return Message(
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        subject=subject,
        sender=sender,
        to=to,
        cc=cc,
        bcc=bcc,
        date=date,
        date_status=status,
        body=body,
        attachments=_attachments(item, defects),
        defects=defects,
        sources=[source],
    )


def _item_date(item: Any, props: dict[int, Any]) -> tuple[datetime | None, DateStatus]:
    """When it was sent; for a draft (never sent), when it was last saved, marked guessed."""
    try:
        unsent = bool(int(props[_MESSAGE_FLAGS].data_as_integer) & _MSGFLAG_UNSENT) if _MESSAGE_FLAGS in props else False
    except Exception:
        unsent = False
    order = (("client_submit_time", "ok"),) + ((("modification_time", "guessed"),) if unsent else ()) + (
        ("delivery_time", "ok"), ("modification_time", "guessed"), ("creation_time", "guessed"))
    for attribute, status in order:
        try:
            value = mapi_utc(getattr(item, attribute))
        except Exception:
            value = None
        if value is not None:
            return value, status  # type: ignore[return-value]
    return None, "missing"

