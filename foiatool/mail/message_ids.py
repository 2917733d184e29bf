"""Message-IDs, the one home of their grammar: a message's own id, the id a reply answers, the
References list (read strictly when a message is parsed), and the ids in any stored value (read
tolerantly by the threader, whatever an older index or a caller kept)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .text import fix_text

MAX_REFERENCES = 1000
_ANGLE_TOKEN = re.compile(r"<([^<>]*)>")
_SPACES = re.compile(r"\s+")


def normalise_message_id(value: Any) -> str | None:
    """``<abc@x>`` → ``abc@x``; whitespace removed; None when nothing is left."""
    if value is None:
        return None
    text = fix_text(str(value)).strip()
    if not text:
        return None
    tokens = _ANGLE_TOKEN.findall(text)
    if tokens:
        text = tokens[0]
    text = _SPACES.sub("", text).strip("<>")
    return text or None


def parse_references(values: Iterable[Any]) -> list[str]:
    """Ids from References headers, in order, once each, at most the MAX_REFERENCES most recent.

    Tolerant of folding inside an id and of junk between ids: only ``<...@...>`` tokens count.
    """
    seen: dict[str, None] = {}
    for value in values:
        if value is None:
            continue
        for token in _ANGLE_TOKEN.findall(fix_text(str(value))):
            ident = _SPACES.sub("", token)
            if "@" in ident and ident not in seen:
                seen[ident] = None
    ids = list(seen)
    return ids[-MAX_REFERENCES:]


def parse_in_reply_to(value: Any) -> str | None:
    """The one id a reply answers: the last ``<...@...>`` token (else the last ``<...>``)."""
    if value is None:
        return None
    text = fix_text(str(value))
    tokens = [_SPACES.sub("", t) for t in _ANGLE_TOKEN.findall(text)]
    tokens = [t for t in tokens if t]
    with_at = [t for t in tokens if "@" in t]
    if with_at:
        return with_at[-1]
    if tokens:
        return tokens[-1]
    bare = [t for t in text.split() if "@" in t]
    return bare[-1].strip("<>,;\"'()") if bare else None


_ID_TOKEN = re.compile(r"<\s*([^<>\s]+?)\s*>|([^\s<>,;\"'()]+@[^\s<>,;\"'()]+)")


def message_ids_in(text: str | None) -> list[str]:
    """The Message-IDs in a header value, in order: bracketed ones, or bare ``x@y`` tokens."""
    if not text:
        return []
    found = []
    for match in _ID_TOKEN.finditer(text):
        value = (match.group(1) or match.group(2) or "").strip()
        if value:
            found.append(value)
    return found


# A value without brackets, spaces or separators is its own Message-ID, whatever else it holds.
_ID_BREAK = re.compile(r"[\s<>,;\"'()]")


def clean_message_id(value: str | None) -> str | None:
    """One Message-ID without its brackets, or None when the value holds none."""
    if value and not _ID_BREAK.search(value):
        return value
    ids = message_ids_in(value)
    if ids:
        return ids[0]
    if value and value.strip() and not any(c.isspace() for c in value.strip()):
        return value.strip().strip("<>") or None
    return None
