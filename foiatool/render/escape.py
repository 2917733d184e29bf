"""Making untrusted text (subjects, names, bodies, file names) inert for each output target."""
from __future__ import annotations

import re
import unicodedata

# Terminal escape sequences, 7-bit and 8-bit forms (ECMA-48). String sequences
# (OSC, DCS, SOS, PM, APC) are dropped with their payload, so an OSC 52
# clipboard write or an OSC 8 hyperlink leaves nothing behind; an
# unterminated one loses only its introducer, which is enough to disarm it.
_ESCAPE_SEQUENCE = re.compile(
    r"""
      (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) [^\x07\x1b\x9c]* (?:\x07|\x1b\\|\x9c)
    | (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]
    | \x1b [\x20-\x2f]* [\x30-\x7e]
    """,
    re.VERBOSE,
)
# C0 controls other than tab and line feed, DEL, C1 controls, and the bidi
# embedding/override/isolate characters that can make text display in an
# order other than the one it is stored in ("Trojan Source").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Lone surrogates come from undecodable bytes kept with surrogateescape; they
# cannot be written as UTF-8, so they become the replacement character.
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAK = re.compile(r"\r\n?|\n")
_TAB_OR_BREAK = re.compile(r"\r\n?|[\n\t]")
_ANYTHING_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def strip_controls(text: str) -> str:
    """``text`` without escape sequences, control characters (tab and LF kept) or bidi overrides.

    Carriage returns become line feeds first, so "good\\rEVIL" cannot overprint.
    """
    if not _ANYTHING_UNSAFE.search(text):
        return text
    text = _LINE_BREAK.sub("\n", text)
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _CONTROL.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


def terminal_safe(text: str, *, multiline: bool = True) -> str:
    """Text that prints on a terminal as exactly what it says.

    Removes ANSI/OSC escape sequences, C0/C1 control characters and bidi
    overrides. With ``multiline=False`` (a table cell, a one-line message)
    tabs and line breaks become single spaces. Rich markup is not this
    function's business: print through ``rich.text.Text`` or a Console made
    with ``markup=False`` so "[bold]" stays literal.
    """
    text = strip_controls(text)
    if not multiline:
        text = _TAB_OR_BREAK.sub(" ", text)
    return text


# A number like "-5", "-3.2", "-1.5e3" is data, not a formula; spreadsheets
# read it as a number, and quoting it would turn it into text.
_PLAIN_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(cell: str) -> str:
    """A CSV/TSV cell that a spreadsheet will show as text, never run as a formula.

    Following OWASP's CSV-injection advice, a cell whose first character
    (after any leading spaces, which some spreadsheets skip) is ``=``, ``+``,
    ``-``, ``@``, tab, CR or LF gets a leading single quote. A plain negative
    number ("-5", "-3.2") is left alone so it stays a number. Control
    characters, escape sequences and bidi overrides are removed; tabs and line
    breaks inside the cell are kept (CSV quoting carries them; the TSV writer
    flattens them afterwards).
    """
    cell = strip_controls(cell)
    if not cell:
        return cell
    starts_like_formula = cell[0] in _FORMULA_TRIGGERS or cell.lstrip()[:1] in _FORMULA_TRIGGERS
    if starts_like_formula and not _PLAIN_NUMBER.fullmatch(cell.strip(" ")):
        return "'" + cell
    return cell


_MD_ALWAYS = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "_": "\\_",
    "[": "\\[",
    "]": "\\]",
    "{": "\\{",
    "}": "\\}",
    "|": "\\|",
    "~": "\\~",
    "#": "\\#",
    "$": "\\$",  # GitHub renders $...$ as maths; amounts of money would be garbled
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
}
_MD_TABLE = str.maketrans(_MD_ALWAYS)
# Only meaningful at the start of a line: list bullets, setext underlines, ordered lists.
_MD_LEADING = re.compile(r"^(?:([-+=])|(\d{1,9})([.)])(?=[ \t]|$))")


def markdown_inline(text: str) -> str:
    """Text that renders literally inside a Markdown paragraph, heading, list item or table cell.

    Markdown specials that can start emphasis, code, links, images, tables,
    strike-through or maths are backslash-escaped everywhere; ``-``, ``+``,
    ``=`` and "1." are escaped only at the start, the one place they mean
    something once brackets are escaped. HTML is written as entities
    (``<script>`` becomes ``&lt;script&gt;``), so raw HTML never reaches the
    page. Line breaks and tabs become spaces and the ends are trimmed, so the
    result is always one line and cannot break a table row.
    """
    text = terminal_safe(text, multiline=False).strip()
    text = text.translate(_MD_TABLE)
    match = _MD_LEADING.match(text)
    if match:
        if match.group(1):
            text = "\\" + text
        else:
            digits = match.group(2)
            text = digits + "\\" + text[len(digits):]
    return text


_BACKTICK_RUN = re.compile(r"`+")


def markdown_block(text: str, *, info: str = "text") -> str:
    """A body of text as a fenced code block that no Markdown or HTML inside it can escape.

    The fence is one backtick longer than the longest backtick run in the
    text (and at least three), so no line of the text can close it; inside a
    fence, renderers show HTML and Markdown as written. Line breaks are kept;
    other control characters are removed. Ends with a newline.
    """
    body = strip_controls(text).rstrip("\n")
    longest = max((len(run) for run in _BACKTICK_RUN.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}\n" if body else f"{fence}{info}\n{fence}\n"


def markdown_anchor(heading: str, seen: dict[str, int] | None = None) -> str:
    """The anchor GitHub gives a heading with this text (``#`` + the result links to it).

    GitHub's slugger lower-cases the text, drops everything but letters,
    marks, digits, connector punctuation (``_``), hyphens and spaces, and
    turns each space into a hyphen. Pass the same ``seen`` dict for every
    heading of one document to get GitHub's ``-1``, ``-2`` suffixes on repeats.
    """
    kept = []
    for char in strip_controls(heading).strip().lower():
        category = unicodedata.category(char)
        if char in " -" or category[0] in "LMN" or category == "Pc":
            kept.append("-" if char == " " else char)
    slug = "".join(kept)
    if seen is None:
        return slug
    base = slug
    if base in seen:
        count = seen[base]
        while True:
            count += 1
            slug = f"{base}-{count}"
            if slug not in seen:
                break
        seen[base] = count
    seen.setdefault(slug, 0)
    return slug
