"""Header and body text safe for any UTF-8 sink: undecoded bytes and C1 controls read as the mail meant them."""
from __future__ import annotations

import re

SURROGATES = re.compile("[\ud800-\udfff]")
_C1_CONTROLS = re.compile("[\x80-\x9f]")


def fix_text(text: str) -> str:
    """Text safe for any UTF-8 sink: undecoded bytes (surrogate escapes) read as UTF-8 or else cp1252."""
    if not text or not SURROGATES.search(text):
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that no byte produced
        return SURROGATES.sub("\ufffd", text)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def repair_c1(text: str) -> str:
    """Characters 0x80-0x9F are never meant in mail text: they are cp1252 bytes that were read as Latin-1."""
    if not _C1_CONTROLS.search(text):
        return text
    return _C1_CONTROLS.sub(lambda m: bytes([ord(m.group())]).decode("cp1252", "replace"), text)
