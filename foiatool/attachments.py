"""Attachments: listing them from the index, and writing them out without ever escaping the target folder."""
from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from .model import Problem
from .query import Filters, message_where

# Longest file name written; most filesystems allow 255 bytes.
MAX_NAME_BYTES = 200
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def attachment_rows(conn: sqlite3.Connection, filters: Filters | None = None, *, unique: bool = False) -> Iterator[dict]:
    where, params = message_where(filters or Filters())
    copies = dict(conn.execute("SELECT sha256, count(DISTINCT message) FROM attachments GROUP BY sha256").fetchall())
    seen: set[str] = set()
    for r in conn.execute(
        "SELECT a.message, a.position, a.name, a.content_type, a.size, a.sha256, m.date, m.from_name, m.from_email, m.subject"
        f" FROM attachments a JOIN messages m ON m.id = a.message WHERE {where} ORDER BY a.sha256, m.date, a.message, a.position",
        params,
    ):
        if unique:
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
    """A file name that is only a name: no directories, no control characters, no dot-files, bounded length."""
    base = unicodedata.normalize("NFC", name or "")
    base = base.replace("\\", "/").split("/")[-1]
    base = _UNSAFE.sub("_", base).strip(" .")
    if not base or base in (".", ".."):
        base = fallback
    stem, dot, ext = base.rpartition(".")
    if stem.upper() in _RESERVED or base.upper() in _RESERVED:
        base = "_" + base
    while len(base.encode("utf-8")) > MAX_NAME_BYTES:
        stem, dot, ext = base.rpartition(".")
        if dot and len(ext) < 16 and stem:
            base = stem[:-1] + "." + ext
        else:
            base = base[:-1]
    return base


def _unique_path(directory: Path, name: str) -> Path:
    candidate = directory / name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n = 1
    while os.path.lexists(candidate):
        n += 1
        candidate = directory / (f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})")
    return candidate


def write_inside(directory: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as a new file named ``name`` (made safe) inside ``directory``; never overwrite."""
    directory.mkdir(parents=True, exist_ok=True)
    root = directory.resolve()
    path = _unique_path(root, safe_name(name))
    if path.parent != root:
        raise ValueError(f"refusing to write outside {root}: {name!r}")
    # O_EXCL: a file (or symlink) appearing between the check and the write is never followed or replaced.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


def extract_attachments(conn: sqlite3.Connection, rows: list[dict], directory: Path) -> tuple[list[Path], list[Problem]]:
    """Re-read each attachment's message from its first source and write the bytes whose sha256 matches."""
    from .sources.payloads import attachment_payloads

    written: list[Path] = []
    problems: list[Problem] = []
    done: set[tuple[str, int]] = set()
    for row in rows:
        key = (row["message"], row["position"])
        if key in done:
            continue
        src = conn.execute("SELECT path, locator FROM sources WHERE message=? ORDER BY path, locator LIMIT 1", (row["message"],)).fetchone()
        if src is None:
            problems.append(Problem("", row["message"], "no source left to read the attachment from"))
            continue
        try:
            payloads = list(attachment_payloads(src[0], src[1]))
        except Exception as exc:  # a source that moved or broke since indexing is a problem, not a crash
            problems.append(Problem(src[0], src[1], f"cannot re-read attachments: {exc}"))
            continue
        match = next((p for p in payloads if hashlib.sha256(p[2]).hexdigest() == row["sha256"]), None)
        if match is None:
            problems.append(Problem(src[0], src[1], f"attachment {row['name']!r} not found again (file changed since indexing?)"))
            continue
        written.append(write_inside(directory, row["name"] or match[0], match[2]))
        done.add(key)
    return written, problems
