"""Citations a reader can check: a message's source as the release file (relative to the dump), place in it, and stamp numbers.

The index stores absolute local paths and machine locators (``pdf:pages 3-5``,
``zip:a.zip!mbox#3``, ``quoted-in:m34caf46a5b619fc``). A citation meant for
people names the file relative to the folder the indexed files share (so it
reads the same on the requester's machine as on the agency's), the place
inside it in words (``pages 3-5``, ``message 4``), and the Bates, Doc and
Case numbers printed on its pages. A message rebuilt from quoted history is
cited as "quoted in" the citation of the message that quotes it.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3

from ..mail.marks.provenance import bates_number

__all__ = ["Citer", "locator_words", "stamp_words"]

_DOC_NO = re.compile(r"C\d{8}")
_CASE_NO = re.compile(r"[FM]-\d{4}-\d{4,6}")
_BANNER = re.compile(r"(?:UNCLASSIFIED|SENSITIVE BUT UNCLASSIFIED|CONFIDENTIAL|SECRET|TOP SECRET|U)(?://.*)?|"
                     r"FOR OFFICIAL USE ONLY|LAW ENFORCEMENT SENSITIVE")
_NUMBERED = re.compile(r"(?P<kind>mbox|pst:(?P<folder>.*))#(?P<n>\d+)")


def stamp_words(provenance: list[str]) -> list[str]:
    """Stamp values with the label a reader searches a release by; classification banners are left out
    (they say how a page was marked, not where it is)."""
    out: list[str] = []
    bates: list[str] = []
    for value in provenance:
        if _DOC_NO.fullmatch(value):
            out.append(f"Doc No. {value}")
        elif _CASE_NO.fullmatch(value):
            out.append(f"Case No. {value}")
        elif _BANNER.fullmatch(value):
            continue
        elif bates_number(value) is not None:
            bates.append(value)
        else:
            out.append(value)
    return list(dict.fromkeys(_bates_ranges(bates) + out))


def _bates_ranges(values: list[str]) -> list[str]:
    """Consecutive Bates numbers of one prefix as one range: ``Bates ICE-000101 to ICE-000103``."""
    out: list[str] = []
    run: list[tuple[str, int, str]] = []
    for value in values:
        prefix, number = bates_number(value) or ("", -1)
        if run and (run[-1][0] != prefix or number != run[-1][1] + 1):
            out.append(_range_text(run))
            run = []
        run.append((prefix, number, value))
    if run:
        out.append(_range_text(run))
    return out


def _range_text(run: list[tuple[str, int, str]]) -> str:
    return f"Bates {run[0][2]}" if len(run) == 1 else f"Bates {run[0][2]} to {run[-1][2]}"


def _segment_words(segment: str) -> str:
    """One ``!``-separated step of a locator in words."""
    numbered = _NUMBERED.fullmatch(segment)
    if numbered:
        # Locators count from 0; people count from 1.
        n = int(numbered.group("n")) + 1
        if numbered.group("kind") == "mbox":
            return f"message {n}"
        return f"folder {numbered.group('folder') or '/'}, item {n}"
    kind, sep, rest = segment.partition(":")
    if sep and kind in ("pdf", "txt"):
        return rest
    if sep and kind in ("zip", "tar", "gz", "bz2", "xz", "7z", "rar"):
        return rest
    return segment


def locator_words(locator: str) -> str:
    """``zip:inner.zip!mbox#3`` -> ``inner.zip › message 4``; ``pdf:pages 3-5`` -> ``pages 3-5``."""
    if not locator:
        return ""
    return " › ".join(_segment_words(s) for s in locator.split("!") if s)


class Citer:
    """Citations for the messages of one index; the root folder is worked out once, from the files indexed."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._root: str | None = None
        self._cache: dict[str, list[str]] = {}

    @property
    def root(self) -> str:
        """The folder every indexed file lies under (the dump); paths in citations are relative to it."""
        if self._root is None:
            folders = {os.path.dirname(p) for (p,) in self.conn.execute("SELECT path FROM files")}
            folders |= {os.path.dirname(p) for (p,) in self.conn.execute("SELECT DISTINCT path FROM sources")}
            try:
                self._root = os.path.commonpath(sorted(folders)) if folders else ""
            except ValueError:  # absolute and relative paths, or different drives: keep them as stored
                self._root = ""
        return self._root

    def path(self, path: str) -> str:
        """``path`` relative to the dump, with forward slashes."""
        if self.root and os.path.isabs(path) and path.startswith(self.root):
            path = os.path.relpath(path, self.root)
        return path.replace(os.sep, "/")

    def source(self, source: dict, _seen: frozenset[str] = frozenset()) -> str:
        """One source record (``path``, ``locator``, ``provenance``) as a citation."""
        locator = source.get("locator") or ""
        if locator.startswith("quoted-in:"):
            citing = locator.split(":", 1)[1]
            where = self.message(citing, _seen) if citing not in _seen else []
            return "quoted in " + (where[0] if where else self.path(source["path"]))
        text = self.path(source["path"])
        words = locator_words(locator)
        if words:
            text += f", {words}"
        stamps = stamp_words(list(source.get("provenance") or []))
        if stamps:
            text += f" ({', '.join(stamps)})"
        return text

    def message(self, message_id: str, _seen: frozenset[str] = frozenset()) -> list[str]:
        """Every citation of one message, first the one a reader should check first (a copy in a file before a quote)."""
        if message_id in self._cache:
            return self._cache[message_id]
        rows = self.conn.execute(
            "SELECT path, locator, provenance FROM sources WHERE message=? ORDER BY locator LIKE 'quoted-in:%', path, locator",
            (message_id,),
        ).fetchall()
        seen = _seen | {message_id}
        cites = [self.source({"path": p, "locator": loc, "provenance": json.loads(prov or "[]")}, seen) for p, loc, prov in rows]
        cites = list(dict.fromkeys(cites))
        self._cache[message_id] = cites
        return cites
