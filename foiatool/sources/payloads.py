"""Re-reading indexed messages from their path and locator to get their attachments' bytes back."""
from __future__ import annotations

import io
import lzma
import os
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from ..errors import FoiatoolError
from ..mail.parse import ParseError, attachment_contents
from ..mail.text import fix_text
from ..model import Problem
from . import archives
from .archives import ArchiveBudget, LimitExceeded, join_locator, size_text
from .detect import HEAD_BYTES, detect_kind, is_ignored_name
from .mbox import split_mbox
from .msg import attachment_parts
from .outlook import OutlookOpenError, close_quietly, open_msg, open_pst
from .pst import attachment_chunks, attachment_name_and_type

# (file name as the sender gave it, content type, the bytes whose sha256 the index holds)
Payload = tuple[str, str, bytes]
# What was found for one locator: its attachments, or why the message could not be read again.
Found = tuple[str, "list[Payload] | PayloadError"]
# (the part of a locator still to follow from here, the whole locator)
Wanted = list[tuple[str, str]]

_MBOX_ITEM = re.compile(r"mbox#(\d+)")
# Messages printed in a PDF or recovered from a quote carry attachment names at most, never bytes.
_NO_BYTES = re.compile(r"(?:^|!)pdf:[^!]*$|^quoted-in:")
_COMPRESSED_KINDS = ("gzip", "bzip2", "xz")


class PayloadError(FoiatoolError):
    """The message named by a path and locator cannot be read again (moved, changed or damaged)."""


def carries_bytes(locator: str) -> bool:
    """False for a message printed in a PDF or recovered from a quote: its attachments are names only."""
    return not _NO_BYTES.search(locator)


def attachment_payloads(path: str, locator: str) -> Iterator[Payload]:
    """(name, content type, bytes) of each attachment of the message at ``path`` + ``locator``,
    in the order its reader recorded them, the bytes being exactly those the reader hashed.

    Raises PayloadError when the message is no longer there or cannot be read.
    """
    for _locator, found in payloads_by_locator(path, [locator]):
        if isinstance(found, PayloadError):
            raise found
        yield from found


def payloads_by_locator(path: str, locators: Iterable[str]) -> Iterator[Found]:
    """(locator, its attachments or a PayloadError) for each of ``locators`` inside the file at ``path``,
    in the order the file holds them, reading the file once.

    Only the containers on the way to those messages are opened: an mbox is scanned
    once up to the last wanted message, a zip member is opened by name, a tar is
    streamed past the members not wanted. The limits of ``sources.archives`` apply.
    """
    wanted: Wanted = []
    for locator in dict.fromkeys(locators):
        if _NO_BYTES.search(locator):
            yield locator, []
        else:
            wanted.append((locator, locator))
    if not wanted:
        return
    try:
        stream = open(path, "rb")
    except OSError as error:
        yield from _all_failed(wanted, PayloadError(f"cannot open {path}: {error.strerror or error}"))
        return
    with stream:
        try:
            size = os.fstat(stream.fileno()).st_size
            head = stream.read(HEAD_BYTES)
            stream.seek(0)
        except OSError as error:
            yield from _all_failed(wanted, PayloadError(f"cannot read {path}: {error.strerror or error}"))
            return
        kind = detect_kind(head, os.path.basename(path))
        yield from _guarded(wanted, lambda: _inside(stream, size, kind, os.path.basename(path), wanted, "", 0,
                                                    ArchiveBudget(), path))


def _all_failed(wanted: Wanted, error: PayloadError) -> Iterator[Found]:
    for _rest, locator in wanted:
        yield locator, error


def _guarded(wanted: Wanted, navigate: Callable[[], Iterator[Found]]) -> Iterator[Found]:
    """Run a navigation; whatever breaks it fails every locator it had not answered yet."""
    answered: set[str] = set()
    try:
        for locator, found in navigate():
            answered.add(locator)
            yield locator, found
    except PayloadError as error:
        yield from _all_failed([w for w in wanted if w[1] not in answered], error)
    except LimitExceeded as error:
        yield from _all_failed([w for w in wanted if w[1] not in answered], PayloadError(str(error)))
    except OSError as error:
        yield from _all_failed([w for w in wanted if w[1] not in answered], PayloadError(f"read error: {error}"))


def _inside(stream: BinaryIO, size: int, kind: str, name: str, wanted: Wanted, seen: str, depth: int,
            budget: ArchiveBudget, on_disk: str | None) -> Iterator[Found]:
    """Follow each wanted locator into ``stream``, a ``kind`` file named ``name``.

    ``seen`` is the part of the locators already followed (for messages); ``on_disk``
    the file's path when ``stream`` is the file named on the command line, else None.
    """
    where = seen or "the file"
    whole = [w for w in wanted if not w[0]]
    deeper = [w for w in wanted if w[0]]
    if whole:
        yield from _guarded(whole, lambda: _single(stream, size, kind, whole, where, on_disk))
    if not deeper:
        return
    prefix = {"zip": "zip:", "tar": "tar:", "pst": "pst:"}.get(kind, "")
    if kind in _COMPRESSED_KINDS:
        yield from _compressed_payloads(stream, size, kind, name, deeper, seen, depth, budget)
        return
    if kind == "mbox":
        yield from _mbox_payloads(stream, deeper, seen)
        return
    fitting = [w for w in deeper if prefix and w[0].startswith(prefix)]
    yield from _all_failed([w for w in deeper if w not in fitting],
                           PayloadError(f"{where} holds {kind} content; the locator cannot be followed into it"))
    if not fitting:
        return
    inner = [(rest[len(prefix):], locator) for rest, locator in fitting]
    if kind == "pst":
        yield from _pst_payloads(on_disk if on_disk is not None else stream, inner, seen)
    elif kind == "zip":
        yield from _zip_payloads(stream, inner, seen, depth, budget)
    else:
        yield from _tar_payloads(stream, inner, seen, depth, budget)


def _single(stream: BinaryIO, size: int, kind: str, whole: Wanted, where: str, on_disk: str | None) -> Iterator[Found]:
    if kind == "msg":
        found = _msg_payloads(on_disk if on_disk is not None else stream.read())
    elif kind in ("eml", "mbox", "unknown"):
        # an mbox-looking file with an empty locator is a maildir entry read as one message
        if size > archives.MAX_MESSAGE_BYTES:
            raise PayloadError(_message_size_reason(size))
        found = _rfc822_payloads(stream.read())
    else:
        raise PayloadError(f"{where} holds {kind} content, not one message; the locator names no item in it")
    for _rest, locator in whole:
        yield locator, found


def _member(data: bytes, member_name: str, wanted: Wanted, seen: str, depth: int, budget: ArchiveBudget) -> Iterator[Found]:
    """An archive member, followed on its own: what breaks inside it fails only the locators through it."""
    kind = detect_kind(data[:HEAD_BYTES], member_name)
    return _guarded(wanted, lambda: _inside(io.BytesIO(data), len(data), kind, member_name, wanted, seen, depth,
                                            budget, None))


def _split_member(target: str, names: Iterable[str]) -> tuple[str, str] | None:
    """Which member ``target`` ("name" or "name!inner locator") names, and the inner locator.

    A member name may itself hold "!": the exact name wins, then the longest name that is
    followed by "!".
    """
    best: str | None = None
    for name in names:
        if name == target:
            return name, ""
        if target.startswith(name + "!") and (best is None or len(name) > len(best)):
            best = name
    return None if best is None else (best, target[len(best) + 1:])


def _message_size_reason(size: int) -> str:
    return (f"message of {size_text(size)} is over the {size_text(archives.MAX_MESSAGE_BYTES)} "
            "limit for one message (MAX_MESSAGE_BYTES)")


# ----------------------------------------------------------------------------- single messages

def _rfc822_payloads(data: bytes) -> list[Payload]:
    if len(data) > archives.MAX_MESSAGE_BYTES:
        raise PayloadError(_message_size_reason(len(data)))
    if not data.strip():
        raise PayloadError("the message is empty")
    try:
        return attachment_contents(data)
    except ParseError as error:
        raise PayloadError(str(error)) from error


def _mbox_payloads(stream: BinaryIO, wanted: Wanted, seen: str) -> Iterator[Found]:
    by_index: dict[int, list[str]] = {}
    for rest, locator in wanted:
        match = _MBOX_ITEM.fullmatch(rest)
        if match is None:
            yield locator, PayloadError(f"locator {rest!r} names no message of an mbox (expected mbox#N)")
        else:
            by_index.setdefault(int(match.group(1)), []).append(locator)
    # split_mbox keeps one message in memory at a time; the ones not wanted are dropped as read
    for index, data, size in split_mbox(stream):
        if not by_index:
            return
        locators = by_index.pop(index, None)
        if locators is None:
            continue
        try:
            if data is None:
                raise PayloadError(_message_size_reason(size))
            found: list[Payload] | PayloadError = _rfc822_payloads(data)
        except PayloadError as error:
            found = error
        for locator in locators:
            yield locator, found
    for index, locators in by_index.items():
        absent = PayloadError(f"{join_locator(seen, f'mbox#{index}')}: the mbox has no message number {index}")
        for locator in locators:
            yield locator, absent


def _msg_payloads(source: str | bytes) -> list[Payload]:
    """What sources.msg hashes: each attachment's ``data``, or no bytes for an embedded Outlook item."""
    try:
        item = open_msg(source)
    except OutlookOpenError as error:
        raise PayloadError(str(error)) from error
    try:
        # the reader records an embedded Outlook item as empty; there are no bytes to give back
        return [(name, content_type, data or b"") for name, content_type, data in attachment_parts(item)]
    finally:
        close_quietly(item)


def _pst_payloads(opened: str | BinaryIO, wanted: Wanted, seen: str) -> Iterator[Found]:
    try:
        store = open_pst(opened)
    except OutlookOpenError as error:
        raise PayloadError(str(error)) from error
    try:
        root = store.get_root_folder()
        for rest, locator in wanted:
            try:
                found: list[Payload] | PayloadError = _pst_item_payloads(root, rest, seen)
            except PayloadError as error:
                found = error
            except Exception as error:  # libpff's errors on a damaged item
                found = PayloadError(f"damaged Outlook .pst item: {error}")
            yield locator, found
    finally:
        close_quietly(store)


def _pst_item_payloads(root: Any, rest: str, seen: str) -> list[Payload]:
    """What sources.pst records for the item at ``/folder/path#N``: names and types read its way."""
    folder_path, hash_sign, number = rest.rpartition("#")
    if not hash_sign or not number.isdigit():
        raise PayloadError(f"locator pst:{rest!r} names no item (expected pst:/folder#N)")
    folder = _pst_folder(root, "" if folder_path == "/" else folder_path)
    if folder is None:
        raise PayloadError(f"{join_locator(seen, 'pst:' + folder_path)}: no such folder in the .pst")
    index = int(number)
    if index >= folder.number_of_sub_messages:
        raise PayloadError(f"{join_locator(seen, 'pst:' + rest)}: the folder has no item number {index}")
    item = folder.get_sub_message(index)
    found: list[Payload] = []
    for position in range(item.number_of_attachments):
        try:
            attachment = item.get_attachment(position)
        except Exception:  # the reader skips an unreadable attachment without recording it
            continue
        name, content_type = attachment_name_and_type(attachment)
        found.append((name, content_type, _pst_attachment_bytes(attachment)))
    return found


def _pst_attachment_bytes(attachment: Any) -> bytes:
    """The bytes sources.pst hashes: read in chunks up to the stated size, stopping at the first failure."""
    chunks: list[bytes] = []
    try:
        for chunk in attachment_chunks(attachment):  # one by one: what came before a failure is kept
            chunks.append(chunk)  # noqa: PERF402
    except Exception:  # embedded messages and OLE objects have no plain data stream; the reader hashed what came
        pass
    return b"".join(chunks)


def _pst_folder(folder: Any, path: str) -> Any:
    """The folder at ``path`` ("/A/B"), names read as sources.pst reads them; a name may itself hold "/"."""
    if not path:
        return folder
    if not path.startswith("/"):
        return None
    remaining = path[1:]
    try:
        count = folder.number_of_sub_folders
    except Exception:
        return None
    for index in range(count):
        try:
            sub = folder.get_sub_folder(index)
            name = fix_text(sub.name or "")
        except Exception:
            continue
        if remaining == name:
            return sub
        if remaining.startswith(name + "/"):
            deeper = _pst_folder(sub, remaining[len(name):])
            if deeper is not None:
                return deeper
    return None


# ----------------------------------------------------------------------------- archives

def _check_depth(level: int, seen: str) -> None:
    if level > archives.MAX_NESTING_DEPTH:
        raise PayloadError(f"{seen or 'the file'}: archive nested more than {archives.MAX_NESTING_DEPTH} levels deep "
                           "(MAX_NESTING_DEPTH); not opened")


def _zip_payloads(stream: BinaryIO, wanted: Wanted, seen: str, depth: int, budget: ArchiveBudget) -> Iterator[Found]:
    level = depth + 1
    _check_depth(level, seen)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise PayloadError(f"{seen or 'the file'}: damaged zip archive: {error}") from error
    with archive:
        members: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            if not info.is_dir() and not is_ignored_name(info.filename):
                members.setdefault(info.filename, info)  # of two members named alike, the reader's first
        groups: dict[str, Wanted] = {}
        for rest, locator in wanted:
            split = _split_member(rest, members)
            if split is None:
                yield locator, PayloadError(f"{join_locator(seen, 'zip:' + rest)}: no such member in the zip archive")
            else:
                groups.setdefault(split[0], []).append((split[1], locator))
        for member_name in (name for name in members if name in groups):
            where = join_locator(seen, f"zip:{member_name}")
            try:
                data = _zip_member_bytes(archive, members[member_name], budget, where)
            except PayloadError as error:
                yield from _all_failed(groups[member_name], error)
                continue
            yield from _member(data, member_name, groups[member_name], where, level, budget)


def _zip_member_bytes(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: ArchiveBudget, where: str) -> bytes:
    """The member's bytes, refused or cut off for the same reasons, in the same words, as the reader."""
    refusal = archives.zip_member_refusal(info)
    if refusal is not None:
        raise PayloadError(f"{where}: {refusal}")
    try:
        return archives.read_zip_member(archive, info, budget)
    except LimitExceeded as error:
        raise PayloadError(f"{where}: {error}") from error
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError,
            EOFError, ValueError, lzma.LZMAError) as error:
        raise PayloadError(f"{where}: damaged zip member: {type(error).__name__}: {error}") from error


def _tar_payloads(stream: Any, wanted: Wanted, seen: str, depth: int, budget: ArchiveBudget) -> Iterator[Found]:
    level = depth + 1
    _check_depth(level, seen)
    try:
        archive = tarfile.open(fileobj=stream, mode="r|")
    except (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError, ValueError) as error:
        raise PayloadError(f"{seen or 'the file'}: damaged tar archive: {error}") from error
    pending = list(wanted)
    try:
        with archive:
            # streamed: members not wanted are skipped over, never held in memory
            for member in archive:
                if not pending:
                    break
                if member.isdir() or is_ignored_name(member.name):
                    continue
                matched: Wanted = []
                for rest, locator in pending:
                    split = _split_member(rest, (member.name,))
                    if split is not None:
                        matched.append((split[1], locator))
                if not matched:
                    continue
                answered = {locator for _, locator in matched}
                pending = [w for w in pending if w[1] not in answered]
                where = join_locator(seen, f"tar:{member.name}")
                if not member.isfile():
                    yield from _all_failed(matched, PayloadError(f"{where}: a tar link or special file, never followed"))
                    continue
                if member.size > archives.MAX_MEMBER_BYTES:
                    yield from _all_failed(matched, PayloadError(f"{where}: {archives.member_size_reason(member.size)}"))
                    continue
                extracted = archive.extractfile(member)
                data = extracted.read() if extracted is not None else b""
                budget.charge(len(data))
                yield from _member(data, member.name, matched, where, level, budget)
    except (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, ValueError) as error:
        raise PayloadError(f"{seen or 'the file'}: damaged tar archive: {type(error).__name__}: {error}") from error
    for rest, locator in pending:
        yield locator, PayloadError(f"{join_locator(seen, 'tar:' + rest)}: no such member in the tar archive")


def _compressed_payloads(stream: BinaryIO, size: int, kind: str, name: str, wanted: Wanted, seen: str, depth: int,
                         budget: ArchiveBudget) -> Iterator[Found]:
    """A gzip / bzip2 / xz file, opened by the reader's own code so its limits and locators are the same.

    The reader hands each thing it finds (the one file inside, or each member of a tar
    inside) to a callback; only the ones on the way to a wanted message are followed.
    """
    pending = list(wanted)
    unanswered = {locator for _, locator in wanted}

    def follow(data: bytes, _path: str, where: str, level: int, _budget: ArchiveBudget) -> Iterator[Any]:
        nonlocal pending
        matched: Wanted = []
        for rest, locator in pending:
            split = _split_member(rest, (where,))
            if split is not None:
                matched.append((split[1], locator))
        if not matched:
            return iter(())
        answered = {locator for _, locator in matched}
        pending = [w for w in pending if w[1] not in answered]
        return _member(data, where.split(":", 1)[-1], matched, join_locator(seen, where), level, budget)

    for item in archives.read_compressed(stream, size, kind, "", name, "", depth, budget, follow):
        if isinstance(item, Problem):
            # a problem the reader met matters to the locators it stands on the way to
            blocked = [w for w in pending if not item.locator or w[0] == item.locator
                       or w[0].startswith(item.locator + "!")]
            pending = [w for w in pending if w not in blocked]
            found: Iterable[Found] = _all_failed(
                blocked, PayloadError(f"{join_locator(seen, item.locator) or 'the file'}: {item.reason}"))
        else:
            found = [item]
        for locator, result in found:
            unanswered.discard(locator)
            yield locator, result
        if not unanswered:
            return
    for rest, locator in pending:
        yield locator, PayloadError(f"{join_locator(seen, rest)}: not found in the {kind} file")
