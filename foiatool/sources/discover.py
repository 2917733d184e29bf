"""Finding the input files under the paths a user names: plain files, folders, maildirs."""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..model import Problem
from .detect import IGNORED_DIRECTORY_NAMES, is_ignored_name, is_maildir_metadata


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file to read: ``path`` as the user reached it (absolute, symlinks kept in the path)."""

    path: str
    size: int
    mtime_ns: int
    kind_hint: str  # "maildir" for a message file in a maildir's cur/ or new/, else ""


def discover(paths: Iterable[str]) -> Iterator[InputFile | Problem]:
    """Every input file under ``paths``, in a stable order, and a Problem for each path that cannot be read.

    Files named directly are always read. Folders are walked recursively, entries
    sorted by name. A folder holding ``cur/`` and ``new/`` (``tmp/`` optional) is a
    maildir: the files in cur/ and new/ are its messages, tmp/ (half-delivered mail)
    is ignored, its other sub-folders (Maildir++ ``.Sent`` and such) are walked.

    Skipped without a problem record because they are never mail: ``.DS_Store``,
    ``Thumbs.db``, ``desktop.ini``, ``.localized``, ``.mh_sequences``, AppleDouble
    ``._*`` files, the folders ``__MACOSX``, ``.git``, ``.svn``, ``.hg``, ``.Trashes``,
    ``.Spotlight-V100``, ``.fseventsd``, and in a maildir's top folder the server's
    index files (``dovecot-uidlist``, ``dovecot-keywords``, ``dovecot-uidvalidity*``,
    ``dovecot.index*``, ``dovecot.list.index*``, ``subscriptions``, ``maildirfolder``,
    ``maildirsize``, ``courierimap*`` files). Symbolic-link loops, broken links,
    unreadable folders and missing paths become Problems.
    """
    for given in paths:
        path = os.path.abspath(given)
        yield from _discover_path(path, set(), named=True)


def _link_problem(path: str, error: OSError) -> Problem:
    if error.errno == errno.ELOOP:
        return Problem(path, "", "symbolic link loop")
    if os.path.islink(path):
        return Problem(path, "", f"broken symbolic link (target {os.readlink(path)!r} does not exist)")
    if error.errno == errno.ENOENT:
        return Problem(path, "", "no such file or directory")
    return Problem(path, "", f"cannot read: {error.strerror or error}")


def _discover_path(path: str, ancestors: set[tuple[int, int]], named: bool = False,
                   kind_hint: str = "") -> Iterator[InputFile | Problem]:
    try:
        info = os.stat(path)
    except OSError as error:
        yield _link_problem(path, error)
        return
    if stat.S_ISDIR(info.st_mode):
        yield from _walk_directory(path, info, ancestors)
    elif stat.S_ISREG(info.st_mode):
        if not os.access(path, os.R_OK):
            yield Problem(path, "", "cannot read: permission denied")
            return
        yield InputFile(path=path, size=info.st_size, mtime_ns=info.st_mtime_ns, kind_hint=kind_hint)
    else:
        yield Problem(path, "", "not a regular file (device, socket or FIFO)")


def _walk_directory(path: str, info: os.stat_result, ancestors: set[tuple[int, int]]) -> Iterator[InputFile | Problem]:
    identity = (info.st_dev, info.st_ino)
    if identity in ancestors:
        yield Problem(path, "", "symbolic link loop: leads back to a folder that contains it")
        return
    try:
        # scandir knows from the directory itself which entries are folders, so a tree of
        # 100,000 files costs one stat per file instead of several calls
        with os.scandir(path) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as error:
        yield Problem(path, "", f"cannot read folder: {error.strerror or error}")
        return
    inner = ancestors | {identity}
    names = {e.name: e for e in entries}
    is_maildir = "cur" in names and "new" in names and _entry_is_dir(names["cur"]) and _entry_is_dir(names["new"])
    for entry in entries:
        name = entry.name
        if name in IGNORED_DIRECTORY_NAMES and _entry_is_dir(entry):
            continue
        if is_ignored_name(name):
            continue
        if is_maildir:
            if name == "tmp" or is_maildir_metadata(name):
                continue
            if name in ("cur", "new"):
                yield from _maildir_messages(entry.path, inner)
                continue
        yield from _discover_entry(entry, inner)


def _entry_is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _discover_entry(entry: os.DirEntry, ancestors: set[tuple[int, int]], kind_hint: str = "") -> Iterator[InputFile | Problem]:
    """Like _discover_path, but a plain file costs only the one stat scandir needs."""
    try:
        plain_file = not entry.is_symlink() and entry.is_file(follow_symlinks=False)
    except OSError:
        plain_file = False
    if not plain_file:
        yield from _discover_path(entry.path, ancestors, kind_hint=kind_hint)
        return
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError as error:
        yield _link_problem(entry.path, error)
        return
    yield InputFile(path=entry.path, size=info.st_size, mtime_ns=info.st_mtime_ns, kind_hint=kind_hint)


def _maildir_messages(folder: str, ancestors: set[tuple[int, int]]) -> Iterator[InputFile | Problem]:
    try:
        names = sorted(os.listdir(folder))
    except OSError as error:
        yield Problem(folder, "", f"cannot read folder: {error.strerror or error}")
        return
    for name in names:
        if is_ignored_name(name):
            continue
        yield from _discover_path(os.path.join(folder, name), ancestors, kind_hint="maildir")
