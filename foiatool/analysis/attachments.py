"""Attachments: listing them from the index, and writing them out without ever escaping the target folder."""
from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import sqlite3
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..index.query import Filters, message_where
from ..model import Problem

# Longest file name written; most filesystems allow 255 bytes.
MAX_NAME_BYTES = 200
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
# Unicode controls, bidi overrides (a name that displays as "txt.exe" backwards), surrogates, line separators.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def attachment_rows(conn: sqlite3.Connection, filters: Filters | None = None, *, unique: bool = False) -> Iterator[dict]:
    """Every attachment of the messages ``filters`` selects, identical contents (same sha256) next to each other.

    ``copies`` is how many messages in the whole index carry the same content. An
    attachment known only by name (listed in a printed message, sha256 empty) is
    never counted as a copy of another one.
    """
    where, params = message_where(filters or Filters())
    copies = dict(conn.execute(
        "SELECT sha256, count(DISTINCT message) FROM attachments WHERE sha256 != '' GROUP BY sha256").fetchall())
    seen: set[str] = set()
    for r in conn.execute(
        "SELECT a.message, a.position, a.name, a.content_type, a.size, a.sha256, m.date, m.from_name, m.from_email, m.subject"
        f" FROM attachments a JOIN messages m ON m.id = a.message WHERE {where} ORDER BY a.sha256, m.date, a.message, a.position",
        params,
    ):
        if unique and r["sha256"]:
            if r["sha256"] in seen:
                continue
            seen.add(r["sha256"])
        yield {
            "message": r["message"],
            "position": r["position"],
            "name": r["name"],
            "content_type": r["content_type"],
            "size": r["size"],
            "sha256": r["sha256"],
            "copies": copies.get(r["sha256"], 1),
            "date": r["date"],
            "from": r["from_email"] or r["from_name"],
            "subject": r["subject"],
        }


def safe_name(name: str, fallback: str = "attachment") -> str:
    """A file name that is only a name: no directories, no control or bidi characters, no dot-files,
    no Windows device names, at most MAX_NAME_BYTES bytes of UTF-8.
    """
    base = unicodedata.normalize("NFC", name or "")
    base = base.replace("\\", "/").split("/")[-1]
    base = "".join("\x00" if unicodedata.category(ch) in _UNSAFE_CATEGORIES else ch for ch in base)
    base = _UNSAFE.sub("_", base).strip(" .")
    if not base:
        base = fallback
    if base.split(".", 1)[0].rstrip(" ").upper() in _RESERVED:
        base = "_" + base
    if len(base.encode("utf-8")) > MAX_NAME_BYTES:
        stem, dot, ext = base.rpartition(".")
        suffix = "." + ext if dot and stem and len(ext.encode("utf-8")) <= 16 else ""
        if not suffix:
            stem = base
        room = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
        # cut on a character boundary, never inside a multi-byte UTF-8 sequence
        stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .")
        base = (stem or "attachment") + suffix
    return base


def _numbered(name: str, n: int) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return f"{name} ({n})"
    return f"{stem} ({n}).{ext}"


def write_inside(directory: Path, name: str, data: bytes, fallback: str = "attachment") -> Path:
    """Write ``data`` as a new file named ``name`` (made safe) directly inside ``directory``.

    Never overwrites and never follows a link: a name already taken (by a file, a
    folder or a symlink, even a dangling one) gets " (2)", " (3)" ... before its extension.
    """
    return place_inside(directory, name, data, fallback, keep_identical=False)[0]


def place_inside(directory: Path, name: str, data: bytes, fallback: str = "attachment", *,
                 keep_identical: bool = True) -> tuple[Path, bool]:
    """Where ``data`` is inside ``directory`` under ``name`` (made safe), and whether it was written now.

    As write_inside, except that with ``keep_identical`` a regular file already holding
    exactly ``data`` under the name, or under one of its numbered forms tried before a
    free one, is the answer and nothing is written: extracting twice makes no copies.
    """
    directory.mkdir(parents=True, exist_ok=True)
    root = directory.resolve()
    base = safe_name(name, fallback)
    n = 1
    while True:
        path = root / (base if n == 1 else _numbered(base, n))
        if path.parent != root:
            raise ValueError(f"refusing to write outside {root}: {name!r}")
        try:
            # O_EXCL: an existing name, or a symlink planted there, is never followed or replaced
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except FileExistsError:
            if keep_identical and _holds(path, data):
                return path, False
            n += 1
            continue
        break
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path, True


def _holds(path: Path, data: bytes) -> bool:
    """A regular file (never a link, never followed) whose bytes are exactly ``data``."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    with os.fdopen(fd, "rb") as fh:
        return fh.read(len(data) + 1) == data


def _fallback_name(content_type: str) -> str:
    extension = mimetypes.guess_extension((content_type or "").split(";")[0].strip()) or ""
    return "attachment" + extension


def extract_attachments(conn: sqlite3.Connection, rows: list[dict],
                        directory: Path) -> tuple[list[Path], list[Path], list[Problem]]:
    """Write each listed attachment into ``directory``; return the files written, the files
    already there with the same bytes under that name (not written again), and what could not be.

    The index keeps only each attachment's sha256, so messages are read again: each
    source file once for all the messages wanted from it, and a message's other
    sources only when the first no longer holds bytes with that sha256. An attachment
    known only by name, or recorded as empty, is reported, not written.
    """
    from ..sources.payloads import (
        attachment_payloads,
        carries_bytes,
        payloads_by_locator,
    )

    written: list[Path] = []
    already: list[Path] = []
    problems: list[Problem] = []
    by_message: dict[str, dict[int, dict]] = {}
    for row in sorted(rows, key=lambda r: (r["message"], r["position"])):
        by_message.setdefault(row["message"], {}).setdefault(row["position"], row)

    wanted: dict[str, list[dict]] = {}
    sources: dict[str, list[tuple[str, str]]] = {}
    for message, positions in by_message.items():
        found_at: list[tuple[str, str]] = [(path, locator) for path, locator in conn.execute(
            "SELECT path, locator FROM sources WHERE message=? ORDER BY path, locator", (message,))]
        # problems name where the message was found; a message with no source left is named by its id
        where: tuple[str, str] = found_at[0] if found_at else (f"message {message}", "")
        for row in positions.values():
            label = row["name"] or f"#{row['position'] + 1}"
            if not row["sha256"]:
                problems.append(Problem(*where, f"attachment {label!r} is known only by name "
                                                "(listed in a printed message); nothing to write"))
            elif not row["size"]:
                problems.append(Problem(*where, f"attachment {label!r} has no content in the source "
                                                "(an empty part, or an embedded Outlook item); nothing written"))
            else:
                wanted.setdefault(message, []).append(row)
        readable = [s for s in found_at if carries_bytes(s[1])]
        if message in wanted:
            if readable:
                sources[message] = readable
            else:
                problems.append(Problem(*where, "no source left that holds the attachments' bytes"))
                del wanted[message]

    def write(message: str, contents: dict[str, bytes]) -> None:
        still: list[dict] = []
        for row in wanted[message]:
            data = contents.get(row["sha256"])
            if data is None:
                still.append(row)
                continue
            try:
                path, new = place_inside(directory, row["name"], data, _fallback_name(row["content_type"]))
            except (OSError, ValueError) as exc:
                problems.append(Problem(str(directory), "", f"cannot write {row['name']!r}: {exc}"))
            else:
                (written if new else already).append(path)
        wanted[message] = still

    failures: dict[str, list[Problem]] = {}
    # first pass: each message from its first source, one read of each file for all its messages
    plan: dict[str, dict[str, list[str]]] = {}
    for message, readable in sources.items():
        path, locator = readable[0]
        plan.setdefault(path, {}).setdefault(locator, []).append(message)
    for path in sorted(plan):
        for locator, found in payloads_by_locator(path, plan[path]):
            for message in plan[path].get(locator, []):
                if isinstance(found, Exception):
                    failures.setdefault(message, []).append(Problem(path, locator, f"cannot re-read attachments: {found}"))
                else:
                    write(message, _matching(found, wanted[message]))
    # then, for what is still missing, the message's other sources one by one
    for message, readable in sources.items():
        for path, locator in readable[1:]:
            if not wanted[message]:
                break
            try:
                write(message, _matching(attachment_payloads(path, locator), wanted[message]))
            except Exception as exc:  # a source that moved or broke since indexing is a problem, not a crash
                failures.setdefault(message, []).append(Problem(path, locator, f"cannot re-read attachments: {exc}"))
        if wanted[message]:
            if message in failures:
                problems.extend(failures[message])
            else:
                path, locator = readable[0]
                problems.extend(Problem(path, locator, f"attachment {row['name']!r} not found again "
                                                       "(file changed since indexing?)") for row in wanted[message])
    return written, already, problems


def _matching(payloads: Iterable[tuple[str, str, bytes]], rows: list[dict]) -> dict[str, bytes]:
    """The payloads whose sha256 one of ``rows`` wants, by sha256."""
    needed = {row["sha256"] for row in rows}
    found: dict[str, bytes] = {}
    for _name, _type, data in payloads:
        digest = hashlib.sha256(data).hexdigest()
        if digest in needed:
            found.setdefault(digest, data)
    return found
