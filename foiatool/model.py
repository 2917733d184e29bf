"""The typed records every part of foiatool passes around: messages, addresses, sources, problems."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# Sources whose text came through a printer (and often a scanner and OCR): only there can a name,
# an address or a subject be misread.
PRINTED_KINDS = frozenset({"pdf", "txt"})

# "inferred": a printed local time placed in the zone its document was shown to be printed in.
# "year-inferred": a printed date without a year, the year taken from its context (the enclosing
# message, the chain around it). "suspect": a date that was read but cannot be true (after the
# release, before 1990): ``date`` is None and ``Message.date_text`` keeps what was printed.
DateStatus = Literal["ok", "guessed", "inferred", "year-inferred", "suspect", "missing"]


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox as written in a header: display name and lower-cased address.

    ``email`` is empty when only a name survived (a printed PDF header, a
    stripped release). ``redacted`` holds the exemption code (e.g. ``"b6"``)
    when the field was blacked out in the release; such an address is still a
    participant, never a person called "(b)(6)".
    """

    name: str = ""
    email: str = ""
    redacted: str | None = None

    def label(self) -> str:
        if self.redacted and not self.email and not self.name:
            return f"[redacted {self.redacted}]"
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.email or self.name


@dataclass(slots=True)
class Source:
    """One place a message was found.

    ``path`` is the file on disk as the user named it (absolute); ``locator``
    says where inside it: ``mbox#12`` (0-based message index), ``zip:dir/a.eml``
    (archive member, nested members joined by ``!``), ``pst:/Top/Inbox#3``,
    ``pdf:pages 3-5``, ``quoted-in:<message id>`` for recovered messages.
    ``provenance`` carries Bates / control numbers printed on the pages.
    """

    path: str
    locator: str = ""
    kind: str = ""
    provenance: list[str] = field(default_factory=list)
    # Release marks printed on the document: "RELEASE IN PART B5,B6", "Classified by: ...",
    # "Reason: 1.4(B)", "Declassify on: ...".
    marks: list[str] = field(default_factory=list)

    def cite(self) -> str:
        return f"{self.path} [{self.locator}]" if self.locator else self.path


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Problem:
    """An input item that did not become a message, and why."""

    path: str
    locator: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.path} [{self.locator}]" if self.locator else self.path
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class Message:
    """One email, however it arrived.

    ``date`` is timezone-aware UTC or None; ``date_status`` says whether the
    date came from a clean header (``ok``), had to be guessed (``guessed``:
    non-RFC form, no zone, taken from a transport header) or is ``missing``.
    """

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
    body: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    recovered: bool = False
    id: str = ""
    # The date as printed, kept when it could not be trusted (date_status "suspect") or had no year.
    date_text: str = ""
    # Redaction codes printed in place of (part of) the subject, taken out of the subject text.
    subject_redactions: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.id:
            self.id = content_id(self)

    def recipients(self) -> list[Address]:
        return [*self.to, *self.cc, *self.bcc]


@dataclass(slots=True)
class Document:
    """A released document that holds no email (a speech draft, a schedule, an article sent as an
    attachment): its own kind of record, counted, listed and searchable, never a message."""

    source: Source
    title: str
    text: str
    pages: int = 1




def normalise_text(text: str) -> str:
    """Whitespace-folded text, so copies that differ only in wrapping compare equal."""
    # str.split() splits on exactly what r"\s+" matches (str.isspace), several times faster
    return " ".join(text.split())


def content_id(message: Message) -> str:
    """A stable id derived from what the message says, not where it was found.

    Two copies of one message (two custodians, an .eml and an mbox copy) get
    the same id; the id is the same on every run and every machine.
    """
    parts = [
        message.message_id or "",
        message.date.isoformat() if message.date else "",
        (message.sender.email or message.sender.name.lower()) if message.sender else "",
        normalise_text(message.subject).lower(),
        normalise_text(message.body),
    ]
    import hashlib  # loaded when a message is first made, not by every listing

    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return "m" + digest[:15]
