"""Telling input formats apart by their first bytes, and which file names are never mail."""
from __future__ import annotations

import posixpath
import re

from ..mail.parse import looks_like_message
from .printed.text import looks_like_printed_text

# Read at least this much of a file before calling detect_kind.
HEAD_BYTES = 8192

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MBOX_SEPARATOR = re.compile(rb"^From \S+[^\r\n]*\d{1,2}:\d{2}")
_TRANSPORT_FIELD = re.compile(
    rb"^(?:date|message-id|mime-version|content-type|received|return-path|delivered-to|x-[\w-]+)[ \t]*:",
    re.IGNORECASE | re.MULTILINE)
_FIELD_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]{1,200}[ \t]*:")

# Files that operating systems and archivers leave beside real data; they are never
# mail, so they are skipped without a problem record (anywhere, also inside archives).
IGNORED_FILE_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", ".localized", ".mh_sequences"})
IGNORED_DIRECTORY_NAMES = frozenset({"__MACOSX", ".git", ".svn", ".hg", ".Trashes", ".Spotlight-V100", ".fseventsd"})
# Index and state files a mail server keeps in a maildir's top folder, beside cur/ new/ tmp/.
MAILDIR_METADATA_NAMES = frozenset({
    "dovecot-uidlist", "dovecot-keywords", "dovecot-uidvalidity", "subscriptions", "maildirfolder",
    "maildirsize", "courierimapsubscribed", "courierimapuiddb", "courierimapacl", "courierimapkeywords",
})
MAILDIR_METADATA_PREFIXES = ("dovecot.index", "dovecot.list.index", "dovecot-uidvalidity.")


def is_ignored_name(relative_path: str) -> bool:
    """True for OS clutter: .DS_Store, Thumbs.db, desktop.ini, AppleDouble ``._x`` files, __MACOSX/ trees."""
    parts = [p for p in relative_path.replace("\\", "/").split("/") if p]
    if not parts:
        return False
    if any(p in IGNORED_DIRECTORY_NAMES for p in parts[:-1]):
        return True
    name = parts[-1]
    return name in IGNORED_FILE_NAMES or name.startswith("._")


def is_maildir_metadata(name: str) -> bool:
    return name in MAILDIR_METADATA_NAMES or name.startswith(MAILDIR_METADATA_PREFIXES)


def detect_kind(head: bytes, name: str) -> str:
    """The format of a file from its first bytes (at least HEAD_BYTES when the file is longer).

    Returns one of "eml", "mbox", "msg", "pst", "zip", "tar", "gzip", "bzip2", "xz",
    "pdf", "printed-text", "empty" or "unknown". Content decides; the name only breaks ties
    (an old-style tar without the ustar mark; a ``.txt`` that reads both as a message and
    as printed email, e.g. one starting with a printed ``From:`` line, is printed email;
    binary bytes named ``.eml``, a damaged compound file among them, are "eml" so that the
    message reader names them a bad .eml rather than a bad Outlook .msg).
    "printed-text" is the text of printed email or of a released document (OCR output).
    """
    if not head:
        return "empty"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(OLE_MAGIC):
        # Only a sound compound-file header can hold an Outlook item (a .msg renamed .eml is
        # still read); eight magic bytes before junk are a binary file, named as such, unless
        # the name says .msg, where the Outlook reader's own reason is the clearer one.
        if sound_ole_header(head) or name.lower().endswith(".msg"):
            return "msg"
        return "eml" if name.lower().endswith(".eml") else "unknown"
    if head.startswith(b"!BDN"):
        return "pst"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and len(head) > 3 and head[3:4].isdigit():
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    stripped = head.lstrip(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if not stripped:
        return "empty"
    if stripped.startswith(b"From "):
        first, _, rest = stripped.partition(b"\n")
        if _MBOX_SEPARATOR.match(first) or _FIELD_LINE.match(rest):
            return "mbox"
    lower = name.lower()
    if looks_like_message(stripped):
        # A printed Outlook header (From:/Sent:/To:/Subject:) also reads as a message header;
        # a transmitted message has a Date:, a Message-ID: or MIME headers, a printout never does.
        block = re.split(rb"\r?\n\r?\n", stripped, maxsplit=1)[0]
        if lower.endswith(".txt") and not _TRANSPORT_FIELD.search(block) and looks_like_printed_text(head):
            return "printed-text"
        return "eml"
    if looks_like_printed_text(head):
        return "printed-text"
    if len(head) >= HEAD_BYTES and looks_like_message(stripped, whole=False):
        # header lines to the end of the head and no mail field among them yet (a 5 MB header
        # block, a first field megabytes long): the parser reads the whole block and decides
        return "eml"
    if lower.endswith(".tar") and len(head) >= 512 and plausible_v7_tar(head):
        return "tar"
    if lower.endswith(".eml") and looks_binary(head):
        # binary bytes under a name that promises a message: the .eml reader says why it is none
        return "eml"
    return "unknown"


_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


def looks_binary(head: bytes) -> bool:
    """NUL bytes, or more than one byte in twenty a control character, in the first KiB:
    no text format foiatool reads looks like that (tabs, line breaks, form feeds and the
    escape of ISO-2022 text are not counted)."""
    start = head[:1024]
    return b"\x00" in start or len(_CONTROL_BYTES.findall(start)) * 20 > len(start)


def sound_ole_header(head: bytes) -> bool:
    """The fixed fields of a compound-file (OLE2) header hold their only legal values:
    byte order FFFE, version 3 with 512-byte sectors or version 4 with 4096-byte ones,
    64-byte mini sectors. Random bytes after the magic fail this all but surely."""
    if len(head) < 0x22 or not head.startswith(OLE_MAGIC):
        return False
    major = int.from_bytes(head[0x1A:0x1C], "little")
    byte_order = head[0x1C:0x1E]
    sector_shift = int.from_bytes(head[0x1E:0x20], "little")
    mini_shift = int.from_bytes(head[0x20:0x22], "little")
    return (byte_order == b"\xfe\xff" and (major, sector_shift) in ((3, 9), (4, 12)) and mini_shift == 6)


def plausible_v7_tar(head: bytes) -> bool:
    """An old tar header: a NUL-padded name, then octal mode/size fields and a valid checksum."""
    block = head[:512]
    try:
        stored = int(block[148:156].replace(b"\x00", b" ").strip() or b"-1", 8)
    except ValueError:
        return False
    computed = sum(block[:148]) + 8 * 32 + sum(block[156:512])
    return stored == computed


def member_stem(name: str) -> str:
    """``mail/x.mbox.gz`` → ``x.mbox``: the name of what a compressed file holds."""
    base = posixpath.basename(name.replace("\\", "/"))
    for suffix in (".gz", ".gzip", ".bz2", ".xz", ".z"):
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return base
