"""Sender names as quoted history prints them, cleaned to the name a person goes by.

An attribution or a quoted ``From:`` line carries more than the name: the quote markers
of the reader that quoted it (``>>Hal DeVore said:``, supercite's ``DQ>``), Gnus initials
(``"CW" == Carlo Wood writes:``), prose before the name (``Once upon a time, Joshua wrote:``,
``In a message dated 9/23/2002 ...``) and Outlook's ``[mailto:addr]``. Recovered
messages take their sender from these lines, so whatever is not the name must go.
"""
from __future__ import annotations

import re

# The marks a mail reader puts before quoted lines: ">", "> >", "|", supercite's initials "DQ>".
QUOTE_MARKERS = re.compile(r"^(?:\s*(?:[A-Za-z]{1,4}>(?=[\s>(\"'])|[>|]))+\s*")
# Gnus and supercite write '"CW" == Carlo Wood <carlo@x> writes:': the initials, then the name.
GNUS_INITIALS = re.compile(r'"[^"\n]{1,12}"\s*==\s*')
# Outlook's "[mailto:addr]" after a printed name; a release may cut it or redact the address,
# and OCR reads its bracket as a parenthesis.
MAILTO = re.compile(r"[\[(]\s*mailto\b:?\s*([^\])\s]*)\s*[\])]?", re.IGNORECASE)
# Outlook's delegate form, also without a space after the "[mailto:...]" before it.
ON_BEHALF = re.compile(r"\s*\bon behalf of\b.*$", re.IGNORECASE)
_EMPTY_BRACKETS = re.compile(r"\s*(?:\(\s*\)|\[\s*\]|<\s*>)")
_TRAILING_RULES = re.compile(r"(?:\s+[_|]+)+\s*$")
_SPACES = re.compile(r"\s+")
# AOL's attribution opens "In a message dated 9/23/2002 6:30:31 PM, x@y writes:".
AOL_PREFIX = re.compile(r"^\s*in a message dated\b", re.IGNORECASE)

# Lower-case words that belong inside names ("Declan de Lacy Murphy", "Ludwig van Beethoven").
_PARTICLES = frozenset({"de", "da", "di", "del", "della", "dos", "das", "van", "von", "der", "den", "du", "la",
                        "le", "ter", "ten", "bin", "ibn", "al", "el", "y", "e", "st", "mac", "zu", "and", "&"})
# A pronoun is who wrote, but no name to file a person under ("I wrote:", "In detail, he wrote:").
_PRONOUNS = frozenset({"i", "he", "she", "we", "they", "you", "it", "me", "someone", "one"})
# Single words that open a sentence before the writer's name ("Anyway, Matthias wrote:").
_DISCOURSE = frozenset({"anyway", "anyways", "well", "so", "also", "hi", "hello", "hey", "yes", "no", "ok", "okay",
                        "actually", "then", "earlier", "yesterday", "today", "previously", "meanwhile", "again",
                        "and", "but", "oh", "ah", "hmm", "indeed", "apparently", "recently", "once"})


def _is_prose(text: str, *, before_name: bool = False) -> bool:
    """Words that read as a phrase, not as a name: a digit or symbol, an ellipsis, many words, or
    lower-case words ("kevin lyda" is a name; three lower-case words, or one before a comma, are not)."""
    words = text.split()
    if not words:
        return False
    if re.search(r"[\d/%{}=@]|\.{2,}|…", text):
        return True
    lower = [w for w in words if w[:1].islower() and w.lower().strip(".,") not in _PARTICLES]
    return len(lower) >= (1 if before_name else 3) or len(words) > 5


def strip_prose_before_name(name: str) -> str:
    """``Once upon a time, Joshua`` -> ``Joshua``; ``Rose, Bobby`` (Last, First) is kept whole.

    Only for names read from an attribution line, where what stands before the last comma
    is a date, a time zone or a phrase more often than a surname.
    """
    left, comma, right = name.rpartition(",")
    if not comma or not right.strip():
        return name
    bare = left.strip(" \"'")
    if bare.lower() in _DISCOURSE or _is_prose(bare, before_name=True) or bare.startswith(("-", "(", "[")):
        return right.strip()
    return name


def clean_name(name: str) -> str:
    """The name left once quote markers, Gnus initials, an Outlook ``[mailto:...]`` remnant,
    empty brackets and stray quotes are gone; "" when what is left is a pronoun or prose."""
    name = QUOTE_MARKERS.sub("", name)
    name = GNUS_INITIALS.sub("", name)
    name = MAILTO.sub("", name)
    name = _EMPTY_BRACKETS.sub("", name)
    name = _TRAILING_RULES.sub("", name)  # "_ _" a redaction or the scan left after the name
    name = _SPACES.sub(" ", name).strip(" \"'`,;:")
    if name.startswith("(") and name.endswith(")") and name.count("(") == 1:
        name = name[1:-1].strip()
    if name.lower() in _PRONOUNS or _is_prose(name):
        return ""
    return name


def mailto_address(value: str) -> str:
    """The address inside an Outlook ``[mailto:addr]``, or "" when it was cut or redacted."""
    match = MAILTO.search(value)
    found = match.group(1) if match else ""
    return found.lower() if "@" in found else ""  # addresses are kept lower-case, as parse_address keeps them
