"""A crude RTF-to-text reduction for Outlook bodies that exist only as RTF."""
from __future__ import annotations

import re

_TOKEN = re.compile(rb"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}\r\n]+)|[\r\n]+", re.S)
# Destinations whose content is formatting, not text.
_SKIPPED_GROUPS = frozenset({
    b"fonttbl", b"colortbl", b"stylesheet", b"info", b"pict", b"object", b"header", b"footer",
    b"listtable", b"listoverridetable", b"rsidtbl", b"generator", b"themedata", b"datastore", b"xmlnstbl",
    b"latentstyles", b"filetbl", b"revtbl", b"pgdsctbl",
})
_BREAKS = {b"par": "\n", b"line": "\n", b"sect": "\n\n", b"page": "\n\n", b"tab": "\t", b"cell": "\t", b"row": "\n"}


def rtf_to_text(rtf: bytes) -> str:
    """Visible text of an RTF document: control words dropped, paragraphs and escapes kept."""
    out: list[str] = []
    stack: list[tuple[bool, int]] = []
    skipping = False
    unicode_skip = 1
    pending_skip = 0
    group_start = False
    codepage = "cp1252"
    for match in _TOKEN.finditer(rtf):
        word, arg, hex_byte, symbol, brace, text = match.groups()
        if brace == b"{":
            stack.append((skipping, unicode_skip))
            group_start = True
            continue
        if brace == b"}":
            if stack:
                skipping, unicode_skip = stack.pop()
            group_start = False
            continue
        starting = group_start
        group_start = False
        if symbol is not None:
            if symbol == b"*" and starting:
                skipping = True
                group_start = True  # the next word names the ignorable destination
            elif not skipping and symbol in (b"\\", b"{", b"}"):
                out.append(symbol.decode())
            elif not skipping and symbol == b"~":
                out.append("\u00a0")
            continue
        if word is not None:
            if starting and word in _SKIPPED_GROUPS:
                skipping = True
            if word == b"ansicpg" and arg:
                codepage = f"cp{int(arg)}"
            elif word == b"uc" and arg:
                unicode_skip = int(arg)
            elif word == b"u" and arg and not skipping:
                value = int(arg)
                out.append(chr(value + 65536 if value < 0 else value))
                pending_skip = unicode_skip
            elif word in _BREAKS and not skipping:
                out.append(_BREAKS[word])
            continue
        if hex_byte is not None:
            if pending_skip:
                pending_skip -= 1
                continue
            if not skipping:
                try:
                    out.append(bytes([int(hex_byte, 16)]).decode(codepage))
                except (LookupError, UnicodeDecodeError):
                    out.append(bytes([int(hex_byte, 16)]).decode("cp1252", "replace"))
            continue
        if text is not None and not skipping:
            if pending_skip:
                text = text[pending_skip:]
                pending_skip = 0
            out.append(text.decode("cp1252", "replace"))
    lines = [line.rstrip() for line in "".join(out).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
