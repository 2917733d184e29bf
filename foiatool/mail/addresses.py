"""Reading names and addresses as printed in headers and quoted headers, comparing people's names,
and the OCR misreadings of both (the one home of accent folding and of reading a name from a local part)."""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Container

from ..model import Address
from .marks.redactions import redaction_in_field, strip_redactions

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_WS = re.compile(r"\s+")
_EMAIL = re.compile(r"[^\s@<>()\[\]\"',;:]+@[^\s@<>()\[\]\"',;:]+\.[^\s@<>()\[\]\"',;:]+")
_EMAIL_ONLY = re.compile(r"(?:mailto:)?(" + _EMAIL.pattern + r")", re.IGNORECASE)
_ANGLE = re.compile(r"<([^<>]*)>")
_MAILTO_BRACKET = re.compile(r"\[\s*mailto:\s*([^\]\s]*)\s*\]", re.IGNORECASE)
_QUOTES = "\"'\u201c\u201d\u2018\u2019`"
# OCR reads a printed "@" as "©" ("hrod17©clintonemail.com"); only between an address's two halves.
_OCR_AT = re.compile(r"(?<=[\w.\-])\s?\u00a9\s?(?=[\w\-]+\.[A-Za-z])")
# Long fields are pasted bodies or hostile input, not headers; nobody's address is this long.
_MAX_FIELD = 4000


def _clean(text: str) -> str:
    return _WS.sub(" ", _CONTROL.sub(" ", text)).strip()


def _unquote(text: str) -> str:
    text = text.strip()
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text.strip(_QUOTES + " ").strip()


def _as_email(text: str) -> str:
    """The address when ``text`` is only an address (quoted, with mailto: or not), else ''.

    A full stop after the address ends the printed line, not the domain.
    """
    match = _EMAIL_ONLY.fullmatch(_unquote(text).strip("<>[]() ;,"))
    return match.group(1).lower().rstrip(".") if match else ""


def _has_letters(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _split_redacted_name(name: str) -> tuple[str, str | None]:
    """Separate the readable part of a name from the redaction marks inside it."""
    readable, marks = strip_redactions(name)
    if not marks:
        return name, None
    code = next((m.code for m in marks if m.family != "uncoded"), "redacted")
    readable = readable.strip(",;:/ ")
    return (readable if _has_letters(readable) else ""), code


def parse_address(text: str) -> Address:
    """One mailbox from a printed header field; never raises.

    Handles ``Name <addr>``, ``"Last, First" <addr>``, ``Name [mailto:addr]``,
    bare and quoted addresses, ``addr (Name)``, names alone and FOIA
    redaction marks (which give an Address with only ``redacted`` set).
    """
    # The same few hundred senders head most quoted messages of a release: each spelling is
    # read once per process (an Address is frozen, so one object can be handed out many times).
    if type(text) is str and len(text) <= 256:
        return _parse_address_cached(text)
    return _parse_address(text)


def _parse_address(text: str) -> Address:
    if not text:
        return Address()
    raw = _OCR_AT.sub("@", _clean(str(text)[:_MAX_FIELD]))
    if not raw:
        return Address()
    code = redaction_in_field(raw)
    if code:
        return Address(redacted=code)

    name, email = raw, ""
    angle = _ANGLE.search(raw)
    bracket = _MAILTO_BRACKET.search(raw)
    if angle:
        inside = angle.group(1).strip()
        email = _as_email(inside)
        name = (raw[: angle.start()] + " " + raw[angle.end():]).strip()
        if not email and inside:
            inner_code = redaction_in_field(inside)
            if inner_code:
                clean_name, name_code = _split_redacted_name(_unquote(name))
                return Address(name=clean_name, redacted=inner_code or name_code)
            if not name:
                name = inside
    elif bracket:
        email = _as_email(bracket.group(1))
        name = (raw[: bracket.start()] + " " + raw[bracket.end():]).strip()
    else:
        whole = _as_email(raw)
        if whole:
            return Address(email=whole)
        # the old RFC 822 form: "john@x.gov (John Morton)"
        lead = re.match(r"^\s*(\S+@\S+)\s*\((.*)\)\s*$", raw)
        if lead and _as_email(lead.group(1)):
            email, name = _as_email(lead.group(1)), lead.group(2)

    name = _clean(_unquote(name))
    name_as_email = _as_email(name)
    if name_as_email:
        if not email or name_as_email == email:
            return Address(email=name_as_email)
    if not _has_letters(name):
        name = ""
    name, name_code = _split_redacted_name(name)
    if not name and not email and not name_code:
        return Address()
    return Address(name=name, email=email, redacted=name_code)


_parse_address_cached = functools.lru_cache(maxsize=16384)(_parse_address)


def _split_outside(text: str, separator: str) -> list[str]:
    """Split on ``separator`` where it is not inside quotes, <>, [] or ()."""
    pieces: list[str] = []
    depth = 0
    in_quote = False
    start = 0
    for index, ch in enumerate(text):
        if ch == '"':
            in_quote = not in_quote
        elif in_quote:
            continue
        elif ch in "<[(":
            depth += 1
        elif ch in ">])":
            depth = max(0, depth - 1)
        elif ch == separator and depth == 0:
            pieces.append(text[start:index])
            start = index + 1
    pieces.append(text[start:])
    return pieces


def _contains_email(text: str) -> bool:
    return bool(_EMAIL.search(text))


def _comma_groups(field: str) -> list[str]:
    """Group comma-separated pieces so that each group ends with an address.

    "Morton, John <jm@x>, Smith, Ann <as@x>" gives two people; "Morton, John"
    (Outlook's printed form for one person) stays whole because no piece is an address.
    """
    pieces = [p.strip() for p in _split_outside(field, ",")]
    if len(pieces) == 1 or not any(_contains_email(p) for p in pieces):
        return [field]
    groups: list[str] = []
    pending: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if _contains_email(piece):
            if pending and all(redaction_in_field(p) for p in pending):
                groups.append(", ".join(pending))
                pending = []
            pending.append(piece)
            groups.append(", ".join(pending))
            pending = []
        else:
            pending.append(piece)
    if pending:
        groups.append(", ".join(pending))
    return groups


def parse_address_list(text: str) -> list[Address]:
    """Every mailbox in a printed To:/Cc: field, in order; empty pieces are skipped."""
    if not text:
        return []
    raw = _clean(str(text)[: _MAX_FIELD * 25])
    found: list[Address] = []
    for field in _split_outside(raw, ";"):
        field = field.strip()
        if not field:
            continue
        if redaction_in_field(field):
            found.append(parse_address(field))
            continue
        for group in _comma_groups(field):
            address = parse_address(group)
            if address.name or address.email or address.redacted:
                found.append(address)
    return found


_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "hon", "sir", "rev", "amb", "gen", "col", "capt", "sgt", "lt", "adm", "judge", "sen", "rep", "gov"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "cpa", "jd", "dds", "mba", "ret", "usa", "usn", "usaf", "usmc"}
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}|<[^<>]*>")


def fold_accents(text: str) -> str:
    """``text`` without its accents ("Müller" gives "Muller"); ASCII text is returned as is."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_fold_accents = fold_accents


def _name_tokens(words: str) -> list[str]:
    tokens = []
    for word in words.split():
        bare = word.strip(".'-")
        if bare in _TITLES or bare in _SUFFIXES:
            continue
        tokens.append(word.strip("."))
    return [t for t in tokens if t]


def normalise_name(name: str) -> str:
    """The comparable form of a person's name: "Morton, John (ICE)" and "JOHN MORTON" give "john morton".

    Accents are folded, titles, suffixes, organisation tags, addresses and middle
    initials dropped, and "Last, First" turned round. Gives "" when no name is left.
    """
    if not name:
        return ""
    text = _fold_accents(_clean(str(name)[:_MAX_FIELD])).lower()
    previous = None
    while previous != text:
        previous = text
        text = _BRACKETED.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = re.sub(r"[\"\u201c\u201d`]", " ", text)
    text = text.replace("\u2019", "'").replace("_", " ")
    text = re.sub(r"[^\w\s,.'-]", " ", text)
    text = re.sub(r"(?<=\w)\.(?=\w)", ". ", text)
    parts = [_name_tokens(p) for p in text.split(",")]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    if len(parts) >= 2:
        # "Morton, John A." -> John A. Morton; anything after a third comma is noise
        tokens = parts[1] + parts[0]
    else:
        tokens = parts[0]
    tokens = [t.strip("'-") for t in tokens]
    tokens = [t for t in tokens if t and not t.isdigit()]
    if len(tokens) > 2:
        middle = [t for t in tokens[1:-1] if len(t) > 1]
        tokens = [tokens[0], *middle, tokens[-1]]
    return " ".join(tokens)


def local_part(email: str) -> str:
    """The mailbox part of an address as a name is read from it: lower case, accents folded, no "+tag"."""
    return fold_accents(email.strip().lower()).split("@", 1)[0].split("+", 1)[0]


def compact_local(email: str) -> str:
    """The local part with trailing digits and every separator dropped ("john.morton2" gives "johnmorton")."""
    return re.sub(r"[\W_]+", "", local_part(email).rstrip("0123456789"))


def name_from_local_part(email: str) -> str:
    """The name a separated local part spells ("john.morton2@x" gives "john morton"); "" for one word."""
    parts = [p for p in re.split(r"[._\-]+", local_part(email).rstrip("0123456789")) if p]
    return normalise_name(" ".join(parts)) if len(parts) >= 2 else ""


def spellings(tokens: list[str], separators: tuple[str, ...] = (".", "_", "-", "")) -> set[str]:
    """The local parts that spell a name given as its tokens: last, jlast, lastj, j.last, first.last, last.first..."""
    tokens = [t for t in (re.sub(r"['-]", "", fold_accents(t)) for t in tokens) if t]
    if not tokens:
        return set()
    if len(tokens) == 1:
        return {tokens[0]}
    first, last = tokens[0], tokens[-1]
    # "holbrooker", "millscd": the last name and the initials, as a government directory writes them
    initials = "".join(t[0] for t in tokens[:-1])
    found = {last, first[0] + last, last + first[0], last + initials}
    if "." in separators:
        found.add(first[0] + "." + last)
    for sep in separators:
        found.add(first + sep + last)
        found.add(last + sep + first)
    return found


def name_matches_address(name: str, email: str) -> bool:
    """Whether an address's local part is one of the usual spellings of this person's name.

    For "John Morton": john.morton, jmorton, j.morton, morton.john, john_morton,
    john-morton, johnmorton, morton (digits after them allowed). A one-word
    name matches only itself.
    """
    if not email or "@" not in email:
        return False
    return local_part(email).rstrip("0123456789") in spellings(normalise_name(name).split())


# OCR misreadings of printed addresses and names. Each class holds letters a scanner confuses; a
# string's skeleton writes each class with one letter, so two strings with one skeleton differ only
# by confusions. Multi-letter confusions are read first ("rn" printed small is read for "m").
_OCR_MULTI = (("rn", "m"), ("nn", "m"), ("cl", "d"), ("vv", "w"))
_OCR_CLASSES = {"1": "l", "i": "l", "|": "l", "!": "l", "j": "l", "0": "o", "y": "v"}
_OCR_SKELETON = str.maketrans(_OCR_CLASSES)
# Endings a scanner gives a domain's last label; each repaired only when the corpus has the repair.
_OCR_TLD = (
    (re.compile(r"\.c[o0]rn$"), ".com", "OCR .corn for .com"),
    (re.compile(r"\.c[o0]nn$"), ".com", "OCR .conn for .com"),
    (re.compile(r"\.g[o0]y$"), ".gov", "OCR .goy for .gov"),
)


def ocr_skeleton(text: str) -> str:
    """``text`` with every OCR-confusable letter written one way and doubled letters written once."""
    text = fold_accents(text.lower()).translate(_OCR_SKELETON)
    for seen, meant in _OCR_MULTI:
        text = text.replace(seen.translate(_OCR_SKELETON), meant)
    # a word's last "n" printed at a line's edge is read as "r" ("Jake.Sullivar")
    text = re.sub(r"r\b", "n", text)
    return re.sub(r"(.)\1+", r"\1", text)


def ocr_difference(seen: str, meant: str) -> str:
    """How ``seen`` reads ``meant`` through OCR confusions and at most one dropped or extra letter, or "".

    "" also when they are equal or differ by anything else: "jsmyth" is not a
    misreading of "jsmith" (no scanner reads "i" as "y"), so it gives "".
    """
    from rapidfuzz.distance import Levenshtein

    seen, meant = seen.lower(), meant.lower()
    if seen == meant:
        return ""
    a, b = ocr_skeleton(seen), ocr_skeleton(meant)
    if a != b and not (abs(len(a) - len(b)) == 1 and Levenshtein.distance(a, b) == 1):
        return ""
    return describe_edits(seen, meant)


def describe_edits(seen: str, meant: str) -> str:
    """What changed from ``meant`` to ``seen``, one piece per run of differences ("OCR 'rn' for 'm'")."""
    from rapidfuzz.distance import Levenshtein

    pieces: list[str] = []
    run_a, run_b = "", ""
    for op in Levenshtein.opcodes(seen, meant):
        if op.tag == "equal":
            if run_a or run_b:
                pieces.append(_describe(run_a, run_b))
                run_a, run_b = "", ""
            continue
        run_a += seen[op.src_start:op.src_end]
        run_b += meant[op.dest_start:op.dest_end]
    if run_a or run_b:
        pieces.append(_describe(run_a, run_b))
    return ", ".join(pieces)


def _describe(seen: str, meant: str) -> str:
    if not seen:
        return f"dropped {meant!r}"
    if not meant:
        return f"extra {seen!r}"
    return f"OCR {seen!r} for {meant!r}"


def repair_address(email: str, known_domains: Container[str] = ()) -> tuple[str, str]:
    """An address with clear OCR damage repaired, and what was repaired ("" when nothing was).

    Trailing punctuation ("millscd@state.gov.") is always dropped; a damaged
    ending (".corn", ".goy") is repaired only when ``known_domains`` holds the
    repaired domain, so a real domain is never rewritten into one not seen.
    """
    text = email.strip().lower().replace("\u00a9", "@")
    why: list[str] = []
    if text != email.strip().lower():
        why.append("OCR '\u00a9' for '@'")
    bare = text.rstrip(".,;:'\"`)]>")
    if bare != text:
        why.append("trailing punctuation")
        text = bare
    if "@" in text:
        local, domain = text.rsplit("@", 1)
        for ending, meant, reason in _OCR_TLD:
            fixed = ending.sub(meant, domain)
            if fixed != domain and fixed in known_domains:
                text = f"{local}@{fixed}"
                why.append(reason)
                break
    return text, ", ".join(why)


__all__ = [
    "parse_address", "parse_address_list", "normalise_name", "name_matches_address", "fold_accents",
    "local_part", "compact_local", "name_from_local_part", "spellings", "ocr_skeleton", "ocr_difference",
    "describe_edits", "repair_address",
]
