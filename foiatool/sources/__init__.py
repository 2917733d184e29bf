"""Every input reader: finding files, telling formats apart, and turning each into messages or problems.

``discover`` lists the files under the paths a user gives; ``read_path`` reads one
file (run in worker processes, so it and its results are picklable) and
``read_bytes`` reads bytes found inside another file. Locators say where inside a
file a message was found: ``mbox#3``, ``zip:a/b.zip!zip:c.eml``, ``tar:x.mbox!mbox#0``,
``pst:/Top of Personal Folders/Inbox#2``, ``gzip:x.mbox!mbox#0``. ``Source.kind``
names the innermost container: "eml", "mbox", "maildir", "msg", "pst", "zip",
"tar", "gzip", "bzip2" or "xz" (a single .eml or .msg inside a zip has kind "zip").
"""
from __future__ import annotations

from .detect import detect_kind
from .discover import InputFile, discover
from .dispatch import (
    ReaderOptions,
    read_bytes,
    read_path,
    reader_options,
    set_reader_options,
)

__all__ = ["InputFile", "discover", "read_path", "read_bytes", "detect_kind", "ReaderOptions", "reader_options", "set_reader_options"]
