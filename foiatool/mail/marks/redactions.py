"""Redaction marks in released text: FOIA / Privacy Act / California PRA exemption codes and uncoded blackouts.

What counts as a mark (each becomes one ``RedactionMark`` with its span):

* Federal FOIA exemptions, 5 U.S.C. § 552(b)(1)-(9) and (b)(7)(A)-(F):
  ``(b)(6)``, ``(b) (7) (C)``, ``b(6)``, ``b6``, ``B7C``, ``B7(C)``, ``Ex. 6``,
  ``Exemption 6``, ``Exemptions 6 and 7(C)`` (one mark per code),
  ``Exemption (b)(6)``, ``5 U.S.C. § 552(b)(6)``. A parenthesised ``(b)(N)`` is
  always a mark, even inside prose. ``(b)(10)`` is not: there are nine.
* A bare ``b6`` / ``B7C`` is a mark only when it stands alone as a token.
  Its neighbours must be white space, the text's ends, brackets, quotes,
  ``,`` or ``;`` (``:`` and ``.`` when not followed by a letter or digit), so
  hex strings, base64, uuencoded lines and binary noise give nothing
  (``ab6c``, ``0x3b6f``, ``#b6b6b6``). Not a spreadsheet cell (``=SUM(B6:B9)``,
  ``=B6+C7``), not half of a slash pair with a non-code (``A4/B5``; ``b6/b7c``
  is two marks), not the head of a hyphenated name (``B6-bomber``; a hyphen
  and a digit, as in the FBI's ``b7C-1``, is allowed), not beside a word that
  makes it something else (``vitamin B6``, ``cell B6``, ``B1/B2 visa``), and
  not between two lower-case words unless the word before cites it
  (``saw it b4 lunch`` is chat; ``withheld under b6 and`` is a mark).
* Privacy Act: ``Privacy Act``, ``5 U.S.C. § 552a`` (with any subsection), and
  ``(j)(2)`` / ``(k)(1)``-``(k)(7)`` only within 80 characters after one of those.
  ``Privacy Act`` that ends another law's name (``Electronic Communications
  Privacy Act``, ``Right to Financial Privacy Act``, ``Family Educational
  Rights and Privacy Act``) or begins a longer one (``Privacy Act Officer``,
  ``Privacy Act Statement``) is not a mark.
* California Public Records Act: ``Gov. Code § 6254(c)``, ``Government Code
  section 6254(k)``, ``GC 6254(f)``, ``Gov't Code § 7927.700``, ``Cal. Gov.
  Code 7922.000``. ``GC`` counts only as a word of its own followed by a
  space or ``§`` and a four-digit section, so ids such as
  ``...602.GC6266@host`` do not. Sections 6250-6276.48 (the Act before 2023)
  and 7920.000-7931.000 (its recodification), or any section after ``Cal.``,
  give ``ca-<section>[(<subdivision>)]``; a "Gov. Code" with no section, or a
  section outside those ranges, gives the generic ``gov-code`` (family
  ``state``, or ``california`` after ``Cal.``).
* Uncoded: ``[REDACTED]`` and bracketed tags that open with REDACTED,
  REDACTION or WITHHELD (``[[REDACTED-EX B6]]``, ``[Redacted by agency]``), a
  bare upper-case ``REDACTED``, a run of 4+ ``X`` (or ``x``) that is a token
  of its own (``XXL``, ``Xerox`` are not), and runs of 3+ ``█`` or ``■``
  (single spaces inside a run allowed). Uncoded marks separated only by
  spaces, hyphens or dots are one mark (``XXXX-XXXX-XXXX``).
* An uncoded mark next to a code (only spaces and punctuation between, at
  most 8 characters), or containing one (``[[REDACTED-EX B6]]``), is one mark
  carrying the code. Each code absorbs at most one uncoded neighbour: a block
  pairs with a free code just before it, else with a free code just after it.

Every pattern has bounded repetition except single-character runs, so a scan
is linear in the length of the text.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

__all__ = [
    "EXEMPTIONS",
    "RedactionMark",
    "code_family",
    "describe",
    "find_redactions",
    "redaction_in_field",
    "strip_redactions",
]


@dataclass(frozen=True, slots=True)
class RedactionMark:
    """One redaction printed in a release: its canonical code, its legal family, and where it is."""

    code: str
    family: str
    text: str
    start: int
    end: int


EXEMPTIONS: dict[str, str] = {
    "b1": "National security: information properly classified by Executive Order",
    "b2": "Internal personnel rules and practices of an agency",
    "b3": "Information exempted from disclosure by another federal statute",
    "b4": "Trade secrets and privileged or confidential commercial or financial information",
    "b5": "Inter- or intra-agency memoranda privileged in litigation "
    "(deliberative process, attorney-client, attorney work product)",
    "b6": "Personal privacy: personnel, medical and similar files",
    "b7": "Records or information compiled for law-enforcement purposes",
    "b7a": "Law-enforcement records: interference with enforcement proceedings",
    "b7b": "Law-enforcement records: deprivation of a right to a fair trial or impartial adjudication",
    "b7c": "Law-enforcement records: unwarranted invasion of personal privacy",
    "b7d": "Law-enforcement records: identity of, or information from, a confidential source",
    "b7e": "Law-enforcement records: investigative techniques, procedures or guidelines",
    "b7f": "Law-enforcement records: danger to the life or physical safety of an individual",
    "b8": "Examination, operating or condition reports about regulated financial institutions",
    "b9": "Geological and geophysical information and data concerning wells",
    "privacy-act": "Privacy Act of 1974 (5 U.S.C. § 552a): records about an individual "
    "withheld under one of its exemptions",
    "ca-6254": "California Public Records Act, Gov. Code § 6254 (exempt records; subdivision not stated)",
    "ca-6254(a)": "California PRA: preliminary drafts, notes and interagency or intra-agency "
    "memoranda not retained in the ordinary course of business",
    "ca-6254(b)": "California PRA: records pertaining to pending litigation or claims",
    "ca-6254(c)": "California PRA: personnel, medical or similar files (unwarranted invasion of personal privacy)",
    "ca-6254(d)": "California PRA: records of agencies regulating securities or financial institutions",
    "ca-6254(e)": "California PRA: geological, geophysical, utility or crop data obtained in confidence",
    "ca-6254(f)": "California PRA: law-enforcement investigatory, intelligence and security records",
    "ca-6254(g)": "California PRA: test questions, scoring keys and other examination data",
    "ca-6254(h)": "California PRA: real estate appraisals and engineering or feasibility estimates "
    "for property acquisition",
    "ca-6254(i)": "California PRA: taxpayer information received in confidence",
    "ca-6254(j)": "California PRA: library circulation records identifying the borrower",
    "ca-6254(k)": "California PRA: records exempt or prohibited from disclosure by other federal or "
    "state law, including privileges",
    "ca-6254(l)": "California PRA: correspondence of and to the Governor or the Governor's office",
    "ca-6255": "California PRA: public interest in withholding clearly outweighs disclosure (catch-all)",
    "ca-7922.000": "California PRA: public interest in withholding clearly outweighs disclosure "
    "(catch-all; formerly § 6255)",
    "ca-7923.600": "California PRA: law-enforcement investigatory, intelligence and security records "
    "(formerly § 6254(f))",
    "ca-7927.200": "California PRA: records pertaining to pending litigation (formerly § 6254(b))",
    "ca-7927.500": "California PRA: preliminary drafts, notes and memoranda not retained in the "
    "ordinary course of business (formerly § 6254(a))",
    "ca-7927.700": "California PRA: personnel, medical or similar files, unwarranted invasion of "
    "personal privacy (formerly § 6254(c))",
    "ca-7927.705": "California PRA: records exempt or prohibited from disclosure by other federal or "
    "state law, including privileges (formerly § 6254(k))",
    "gov-code": "Withheld under a state Government Code provision (section not recognised)",
    "redacted": "Redacted without a stated exemption",
}

# -- patterns ---------------------------------------------------------------

# Every top-level branch starts with a plain literal character, so the regex
# engine skips straight to candidate characters instead of trying every branch
# at every position; "not preceded by a letter" checks therefore sit after the
# first character, as a two-character lookbehind.
_NOT_AFTER_LETTER = r"(?<![A-Za-z][\s\S])"
_NOT_AFTER_ALNUM = r"(?<![A-Za-z0-9][\s\S])"
_NOT_AFTER_DIGIT = r"(?<![0-9][\s\S])"
_NOT_AFTER_ALNUM_OR_DOT = r"(?<![A-Za-z0-9.@][\s\S])"

# "(6)" or "(7)(C)": nine FOIA exemptions, and only 7 takes a sub-letter.
_DIGIT_PAREN = r"\(\s{0,2}(?:7\s{0,2}\)(?:\s{0,3}\(\s{0,2}[A-Fa-f]\s{0,2}\))?|[1-689]\s{0,2}\))"
_B_PAREN = r"\(\s{0,2}[bB]\s{0,2}\)\s{0,3}" + _DIGIT_PAREN
_LIST_CODE = r"(?:7(?:\s?\(\s?[A-Fa-f]\s?\)|[A-Fa-f])?|[1-689])(?![0-9A-Za-z])"
_LIST_TAIL = r"\s{0,2}" + _LIST_CODE + r"(?:\s{0,2}(?:,|;|&|/|and|or|AND|OR)\s{0,2}" + _LIST_CODE + r"){0,10}"
_USC_REST = r"\s?U\.?\s?S\.?\s?C\.?\s{0,2}(?:§{1,2}\s{0,2})?552"  # after the leading "5"
_PA_TAIL = r"a(?:\s?\(\s?[a-z]\s?\)(?:\s?\(\s?\d{1,2}\s?\))?)?(?![A-Za-z0-9])"
_GOV_TAIL = (
    r"(?:,?\s{0,2}(?:§{1,2}|(?:[Ss]ec(?:tion)?s?|SEC(?:TION)?S?)\.?)?\s{0,2}"
    r"(?<![0-9])\d{3,5}(?:\.\d{1,3})?(?![0-9A-Za-z@])"
    r"(?:,?\s{0,2}(?:subd(?:ivision|\.)?\s{0,2})?\(\s?[a-z]{1,2}\s?\))?"
    r"(?:\s?\(\s?\d{1,2}\s?\))?)?"
)
_GOV_WORDS = r"(?:ov|OV)(?:ernment|ERNMENT|'t|’t|t|T)?\.?\s{0,2}(?:Code|CODE)(?![A-Za-z])"
_EXEMPTION_E = r"(?:xemptions?|XEMPTIONS?|xs?\.|XS?\.)\s{0,2}"
_EXEMPTION_e = r"(?:xemptions?|xs?\.)\s{0,2}"
_BARE = r"(?:7(?:\(\s?[A-Fa-f]\s?\)|[A-Fa-f])?|[1-689]|" + _DIGIT_PAREN + r")(?![0-9A-Za-z])"

# (group name, first character, rest of the pattern). The group name's prefix
# says what was found: pa = Privacy Act, gov = Government Code, fp = federal
# "(b)(N)", fl = federal "Exemption N" list, fb = bare "b6".
_CODED_BRANCHES = [
    # Privacy Act citations come before FOIA ones so "552a(b)(3)" never reads as (b)(3).
    ("pa_usc", "5", _NOT_AFTER_DIGIT + _USC_REST + _PA_TAIL),
    ("pa_552", "5", _NOT_AFTER_DIGIT + "52" + _PA_TAIL),
    ("pa_sect", "§", r"§?\s{0,2}552" + _PA_TAIL),
    (
        "pa_name",
        "P",
        _NOT_AFTER_LETTER + r"(?:rivacy|RIVACY)\s{1,3}(?:Act|ACT)(?![A-Za-z])(?:\s{1,3}of\s{1,3}1974)?"
        r"(?:,?\s{0,3}(?:[Ee]xemptions?\s{0,3})?\(\s?[jk]\s?\)\s?\(\s?[1-7]\s?\))?",
    ),
    ("gov_cal", "C", _NOT_AFTER_LETTER + r"(?:al(?:ifornia|\.)?|AL(?:IFORNIA|\.)?)\s{0,2}"
     r"G" + _GOV_WORDS + _GOV_TAIL),
    ("gov_code", "G", _NOT_AFTER_LETTER + _GOV_WORDS + _GOV_TAIL),
    # "GC" alone is too short to trust: it needs a space or "§" and a four-digit section.
    ("gov_gc", "G", _NOT_AFTER_ALNUM_OR_DOT + r"C(?:\s{1,2}§?|§)\s{0,2}\d{4}(?:\.\d{1,3})?(?![0-9A-Za-z@.])"
     r"(?:\s?\(\s?[a-z]{1,2}\s?\))?"),
    ("fp_paren", "(", r"\s{0,2}[bB]\s{0,2}\)\s{0,3}" + _DIGIT_PAREN),
    ("fp_ex", "E", _NOT_AFTER_LETTER + _EXEMPTION_E + _B_PAREN),
    ("fp_ex2", "e", _NOT_AFTER_LETTER + _EXEMPTION_e + _B_PAREN),
    ("fp_usc", "5", _NOT_AFTER_DIGIT + _USC_REST + r"\s?" + _B_PAREN),
    ("fp_552", "5", _NOT_AFTER_DIGIT + r"52\s?" + _B_PAREN),
    ("fp_sect", "§", r"§?\s{0,2}552\s?" + _B_PAREN),
    ("fl_ex", "E", _NOT_AFTER_LETTER + _EXEMPTION_E + _LIST_TAIL),
    ("fl_ex2", "e", _NOT_AFTER_LETTER + _EXEMPTION_e + _LIST_TAIL),
    ("fb_lower", "b", _NOT_AFTER_ALNUM + _BARE),
    ("fb_upper", "B", _NOT_AFTER_ALNUM + _BARE),
]
# What may follow each first character in some branch. Looked at before a branch's look-behind,
# it turns the commonest letters (most "e"s and "b"s of any text) away at once: a quarter less
# time over the corpora's texts, with the same marks.
_SECOND_CHARACTER = {"5": r"[\sU5]", "§": r"[§\s5]", "P": "[rR]", "C": "[aA]", "G": "[oOC]", "(": r"[\sbB]",
                     "E": "[xX]", "e": "x", "b": "[1-9(]", "B": "[1-9(]"}
_CODED = re.compile("|".join(f"{re.escape(first)}(?={_SECOND_CHARACTER[first]})(?P<{name}>{rest})"
                             for name, first, rest in _CODED_BRANCHES))

_GOV_SECTION = re.compile(
    r"(?<![0-9.])(\d{3,5}(?:\.\d{1,3})?)(?![0-9])(?:,?\s{0,2}(?:subd(?:ivision|\.)?\s{0,2})?\(\s?([a-z]{1,2})\s?\))?"
)
_PAREN_PARTS = re.compile(r"\(\s*[bB]\s*\)\s*\(\s*([1-9])\s*\)(?:\s*\(\s*([A-Fa-f])\s*\))?")
_LIST_ITEM = re.compile(r"(7)(?:\s?\(\s?([A-Fa-f])\s?\)|([A-Fa-f]))?|([1-689])")
_LIST_LEAD = re.compile(r"[A-Za-z]+\.?\s{0,2}")
_BARE_PARTS = re.compile(r"[bB]\(?\s?([1-9])\s?\)?(?:\s?\(\s?([A-Fa-f])\s?\)|([A-Fa-f]))?")
_PRIVACY_SUB = re.compile(r"\(\s?[jk]\s?\)\s?\(\s?[1-7]\s?\)")
_PRIVACY_WINDOW = 80
# A capitalised word just before "Privacy Act" (or before "and Privacy Act") makes it the end
# of another law's name, unless the word is one that introduces a citation of the 1974 Act.
_NAME_BEFORE_ACT = re.compile(r"([A-Z][A-Za-z'’]+)(?:\s{1,3}(?:and|&)\s{1,3}|\s{1,3})$")
_CITING_BEFORE_ACT = frozenset(
    "the under per see pursuant federal foia and or exemption exemptions exempt withheld redacted "
    "act acts".split()
)
# A capitalised word right after it makes it part of a title or office ("Privacy Act Officer").
_NAME_AFTER_ACT = re.compile(r"[ \t]{1,2}([A-Z][a-z]{2,}|[A-Z]{3,})(?![A-Za-z])")
_CITING_AFTER_ACT = frozenset("exemption exemptions exempt and or of section sections subsection".split())

_UNCODED = re.compile(
    r"\[\[?\s{0,2}(?:REDACTED|[Rr]edacted|REDACTION|[Rr]edaction|WITHHELD|[Ww]ithheld)(?![A-Za-z])"
    r"[^\[\]\n]{0,60}?\]\]?"
    r"|R" + _NOT_AFTER_LETTER + r"EDACTED(?![A-Za-z])"
    r"|X" + _NOT_AFTER_ALNUM + r"XXX+(?![A-Za-z0-9])"
    r"|x" + _NOT_AFTER_ALNUM + r"xxx+(?![A-Za-z0-9])"
    r"|█[█■]*(?: [█■]+)*"
    r"|■[█■]*(?: [█■]+)*"
)

# Words that make a bare "B6" something other than an exemption.
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\.?\s{1,3}$")
_STOP_BEFORE = frozenset(
    "vitamin vitamins cell cells column col row room rm gate seat suite ste apt apartment building bldg "
    "hall lot bay level floor size paper format envelope grade model type version ver route hwy highway "
    "sheet tab pin exit unit locker box formula range".split()
)
_STOP_AFTER = re.compile(
    r"(?:\s?/\s?[bB][1-9][A-Za-z]?)*[\s\-]{0,2}"
    r"(?:visas?|bombers?|paper|size|envelopes?|format|sheets?|cells?|vitamins?)(?![A-Za-z])",
    re.IGNORECASE,
)
_STOP_AFTER_INITIALS = frozenset("vbpsefcVBPSEFC")
_CODE_TOKEN = re.compile(r"[bB][1-9](?:[A-Fa-f]|\([A-Fa-f]\))?")
_PLAIN_BEFORE = frozenset(["", " ", "\n", "\r", "\t", "\xa0", ",", ";", "[", "<", "{", '"', "'", "“", "‘"])
_PLAIN_AFTER = frozenset(["", " ", "\n", "\r", "\t", "\xa0", ",", ";", "]", ">", ")", "}", '"', "'", "”", "’"])
_ENCLOSING = frozenset("[]<>(){}\"'“”‘’")
_CITING_WORDS = frozenset(
    "under per and or see cites citing cited code codes exemption exemptions withheld redacted "
    "pursuant part in of to".split()
)
_HYPHEN_OK_BEFORE = frozenset({"redacted", "redaction", "withheld", "ex", "exemption"})

_GLUE = re.compile(r"[\s\-–—:;,.\[\](){}<>/|*_]*")
_UNCODED_JOIN = re.compile(r"[\s\-.]{0,3}")
_MAX_GLUE = 8
_BLOCKS = "█■"
_MIN_BLOCKS = 3

_CPRA_RANGES = ((6250.0, 6277.0), (7920.0, 7932.0))


# -- helpers ----------------------------------------------------------------


def _federal(digit: str, sub: str | None) -> str:
    return f"b{digit}{sub.lower()}" if digit == "7" and sub else f"b{digit}"


def _slash_neighbour_is_code(text: str, pos: int, forward: bool) -> bool:
    if forward:
        m = _CODE_TOKEN.match(text, pos)
        return m is not None and (m.end() >= len(text) or not text[m.end()].isalnum())
    window = text[max(0, pos - 6):pos]
    m = re.search(r"[bB][1-9](?:[A-Fa-f]|\([A-Fa-f]\))?$", window)
    if not m:
        return False
    begin = pos - (len(window) - m.start())
    return begin == 0 or not text[begin - 1].isalnum()


def _bare_is_mark(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else ""
    before2 = text[start - 2] if start > 1 else ""
    after = text[end] if end < len(text) else ""
    after2 = text[end + 1] if end + 1 < len(text) else ""
    # A bracket or quote must open or close the token, not sit inside a run.
    if before in _ENCLOSING and before2.isalnum():
        return False
    if after in _ENCLOSING and after2.isalnum():
        return False
    # Only listed neighbours are allowed: binary noise, base64 and uuencoded
    # lines put codes beside every other kind of character.
    if before not in _PLAIN_BEFORE:
        if before == "/":
            if not _slash_neighbour_is_code(text, start - 1, forward=False):
                return False
        elif before == "-":
            preceding = re.search(r"([A-Za-z]+)$", text[max(0, start - 12):start - 1])
            if not preceding or preceding.group(1).lower() not in _HYPHEN_OK_BEFORE:
                return False
        elif before == ":" or before == "(":
            if before2.isalnum():
                return False
        else:
            return False
    if after not in _PLAIN_AFTER:
        if after == "/":
            if not _slash_neighbour_is_code(text, end + 1, forward=True):
                return False
        elif after == "-":
            if not (after2.isdigit() or after2 in " \t\n"):
                return False
        elif after in ":.":
            if after2.isalnum() or after2 == after:
                return False
        else:
            return False
    if before2.isalpha() or before2 == ".":
        found = _WORD_BEFORE.search(text, max(0, start - 16), start)
        word = found.group(1).lower() if found else ""
        if word in _STOP_BEFORE:
            return False
        # Inside a lower-case sentence ("mentioned it b4 lunch") a bare code is
        # chat shorthand unless the word before introduces a citation.
        in_sentence = before == " " and after == " " and before2.islower() and after2.islower()
        if in_sentence and word not in _CITING_WORDS:
            return False
    if after and (after2 in _STOP_AFTER_INITIALS or after in "/-" or after2 == "/"):
        if _STOP_AFTER.match(text, end, min(len(text), end + 40)):
            return False
    return True


def _federal_code_of(written: str, bare: bool) -> str:
    parts = _BARE_PARTS.match(written) if bare else _PAREN_PARTS.search(written)
    if parts is None:
        return ""
    return _federal(parts.group(1), parts.group(2) or (parts.group(3) if bare else None))


def _california(cited: str, cal: bool) -> tuple[str, str]:
    found = _GOV_SECTION.search(cited)
    if found is None:
        return "gov-code", "california" if cal else "state"
    section, sub = found.group(1), found.group(2)
    number = float(section)
    if not (cal or any(lo <= number < hi for lo, hi in _CPRA_RANGES)):
        return "gov-code", "state"
    if "." in section and number >= 7920:
        whole, frac = section.split(".")
        section = f"{whole}.{frac.ljust(3, '0')}"
    return (f"ca-{section}({sub})" if sub else f"ca-{section}"), "california"


def _coded_spans(text: str) -> list[tuple[int, int, str, str]]:
    found: list[tuple[int, int, str, str]] = []
    privacy_ends: list[int] = []
    append = found.append
    # Hostile input repeats one form millions of times; parse each spelling once.
    cache: dict[str, str] = {}
    for m in _CODED.finditer(text):
        kind = m.lastgroup or ""
        start, end = m.start(), m.end()
        if kind[0] == "f" and kind[1] in "bp":
            if kind[1] == "b" and not _bare_is_mark(text, start, end):
                continue
            written = m.group()
            code = cache.get(written)
            if code is None:
                code = _federal_code_of(written, kind[1] == "b")
                if len(cache) < 4096:
                    cache[written] = code
            if code:
                append((start, end, code, "federal"))
        elif kind.startswith("pa"):
            if kind == "pa_name" and _names_another_law(text, start, end):
                continue
            append((start, end, "privacy-act", "privacy-act"))
            privacy_ends.append(end)
        elif kind.startswith("gov"):
            code, family = _california(m.group(), kind == "gov_cal")
            append((start, end, code, family))
        elif kind.startswith("fl"):
            lead = _LIST_LEAD.match(text, start, end)
            first = True
            for item in _LIST_ITEM.finditer(text, lead.end() if lead else start, end):
                if not first and text[item.start() - 1].isalnum():
                    continue
                code = _federal(item.group(1) or item.group(4), item.group(2) or item.group(3))
                append((start if first else item.start(), item.end(), code, "federal"))
                first = False
    if privacy_ends:
        found = _add_privacy_subsections(text, found, privacy_ends)
    return found


def _names_another_law(text: str, start: int, end: int) -> bool:
    """Whether "Privacy Act" at ``start:end`` is part of a longer proper name, not the 1974 Act cited."""
    before = _NAME_BEFORE_ACT.search(text, max(0, start - 40), start)
    if before and before.group(1).lower() not in _CITING_BEFORE_ACT:
        return True
    after = _NAME_AFTER_ACT.match(text, end)
    return after is not None and after.group(1).lower() not in _CITING_AFTER_ACT


def _add_privacy_subsections(
    text: str, found: list[tuple[int, int, str, str]], privacy_ends: list[int]
) -> list[tuple[int, int, str, str]]:
    taken = sorted((s, e) for s, e, _, _ in found)
    extra: dict[int, tuple[int, int, str, str]] = {}
    for end in privacy_ends:
        for sub in _PRIVACY_SUB.finditer(text, end, min(len(text), end + _PRIVACY_WINDOW)):
            s, e = sub.start(), sub.end()
            if s in extra or _overlaps(taken, s, e):
                continue
            extra[s] = (s, e, "privacy-act", "privacy-act")
    return sorted([*found, *extra.values()])


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect.bisect_left(spans, (start, start))
    for j in (i - 1, i):
        if 0 <= j < len(spans):
            s, e = spans[j]
            if s < end and start < e:
                return True
    return False


def _uncoded_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _UNCODED.finditer(text):
        run = m.group()
        if run[0] in _BLOCKS and len(run) - run.count(" ") < _MIN_BLOCKS:
            continue
        if spans and _UNCODED_JOIN.fullmatch(text, spans[-1][1], m.start()):
            spans[-1] = (spans[-1][0], m.end())
        else:
            spans.append((m.start(), m.end()))
    return spans


def _is_glue(text: str, start: int, end: int) -> bool:
    return 0 <= end - start <= _MAX_GLUE and _GLUE.fullmatch(text, start, end) is not None


def _merge(
    text: str, coded: list[tuple[int, int, str, str]], uncoded: list[tuple[int, int]]
) -> list[tuple[int, int, str, str]]:
    if not uncoded:
        return coded
    if not coded:
        return [(s, e, "redacted", "uncoded") for s, e in uncoded]
    items: list[tuple[int, int, int, str, str]] = [(s, e, 0, c, f) for s, e, c, f in coded]
    items += [(s, e, 1, "redacted", "uncoded") for s, e in uncoded]
    items.sort(key=lambda t: (t[0], t[2]))
    used = [False] * len(items)
    span: list[list[int]] = [[s, e] for s, e, *_ in items]
    dropped = [False] * len(items)

    def joinable(i: int, j: int) -> bool:
        a, b = (i, j) if items[i][0] <= items[j][0] else (j, i)
        ea, sb = items[a][1], items[b][0]
        return sb < ea or _is_glue(text, ea, sb)

    for k, item in enumerate(items):
        if item[2] != 1:
            continue
        partner = -1
        for j in (k - 1, k + 1):
            if 0 <= j < len(items) and items[j][2] == 0 and not used[j]:
                if items[j][0] < item[1] and item[0] < items[j][1]:
                    partner = j
                    break
        if partner < 0:
            for j in (k - 1, k + 1):
                if 0 <= j < len(items) and items[j][2] == 0 and not used[j] and joinable(k, j):
                    partner = j
                    break
        if partner >= 0:
            used[partner] = True
            dropped[k] = True
            span[partner][0] = min(span[partner][0], item[0])
            span[partner][1] = max(span[partner][1], item[1])
    merged = [
        (span[k][0], span[k][1], item[3], item[4]) for k, item in enumerate(items) if not dropped[k]
    ]
    merged.sort()
    return merged


# -- public API -------------------------------------------------------------


def find_redactions(text: str) -> list[RedactionMark]:
    """Every redaction mark in ``text``, in order, each with its canonical code and span."""
    if not text:
        return []
    merged = _merge(text, _coded_spans(text), _uncoded_spans(text))
    return [RedactionMark(code, family, text[s:e], s, e) for s, e, code, family in merged]


_EMPTY_PAIRS = re.compile(r"\(\s*\)|\[\s*\]|<\s*>|\{\s*\}")
_WS = re.compile(r"\s+")
_FIELD_WORDS = re.compile(r"(?<![A-Za-z])(?:redacted|withheld)(?![A-Za-z])", re.IGNORECASE)
_ONLY_PUNCT = re.compile(r"[\W_]*")


def strip_redactions(text: str) -> tuple[str, list[RedactionMark]]:
    """``text`` with every mark removed and whitespace folded, and the marks that were removed.

    ``"John Smith (b)(6)"`` gives ``("John Smith", [<b6 mark>])``; brackets left
    empty by the removal go too.
    """
    marks = find_redactions(text)
    if not marks:
        return _WS.sub(" ", text).strip(), marks
    pieces: list[str] = []
    pos = 0
    for mark in marks:
        if mark.start > pos:
            pieces.append(text[pos:mark.start])
        pieces.append(" ")
        pos = max(pos, mark.end)
    pieces.append(text[pos:])
    rest = _EMPTY_PAIRS.sub(" ", "".join(pieces))
    return _WS.sub(" ", rest).strip(), marks


def redaction_in_field(text: str) -> str | None:
    """The exemption code when a From/To/Cc value is nothing but redaction marks, else None.

    Returns the first code found (``"redacted"`` when the marks carry none).
    A value that keeps a name or address beside the mark (``"John Smith
    (b)(6)"``) gives None; use :func:`strip_redactions` to keep the rest. In a
    header field the plain words "redacted" / "withheld" in any case count as
    uncoded marks.
    """
    if not text or not text.strip():
        return None
    marks = find_redactions(text)
    rest, _ = strip_redactions(text) if marks else (text, marks)
    rest, words = _FIELD_WORDS.subn(" ", rest)
    if not marks and not words:
        return None
    if not _ONLY_PUNCT.fullmatch(rest):
        return None
    for mark in marks:
        if mark.family != "uncoded":
            return mark.code
    return "redacted"


def code_family(code: str) -> str:
    """The legal family of a code, as :func:`find_redactions` gives it to a mark with that code.

    ``b1``-``b9`` and ``b7a``-``b7f`` are "federal", ``privacy-act`` is "privacy-act", ``ca-...`` is
    "california", ``gov-code`` is "state" and ``redacted`` is "uncoded". A code as written rather than
    canonical (``"(b)(6)"``, ``"B7C"``) is read as one mark first; what reads as no single coded mark
    (``"b10"``: there are nine exemptions) is "uncoded", since no law can be named for it. The code
    alone cannot say that ``gov-code`` came from a "Cal. Gov. Code" without a section, so it is "state"
    here while that one mark carries "california".
    """
    written = code.strip() if code else ""
    key = written.lower()
    if key in _NAMED_FAMILIES:
        return _NAMED_FAMILIES[key]
    if key.startswith("ca-"):
        return "california"
    if key in EXEMPTIONS:  # what is left of its keys are the federal b-codes
        return "federal"
    marks = find_redactions(written) if written else []
    if len(marks) == 1 and (marks[0].start, marks[0].end) == (0, len(written)):
        return marks[0].family
    return "uncoded"


_NAMED_FAMILIES = {"privacy-act": "privacy-act", "gov-code": "state", "redacted": "uncoded"}


def describe(code: str) -> str:
    """Plain-English meaning of a canonical code (``"b6"``) or of a mark as written (``"(b)(7)(C)"``)."""
    key = code.strip().lower() if code else ""
    if key in EXEMPTIONS:
        return EXEMPTIONS[key]
    if key.startswith("ca-"):
        base = key.split("(", 1)[0]
        if base in EXEMPTIONS:
            return EXEMPTIONS[base]
        section = base[3:]
        try:
            number = float(section)
        except ValueError:
            return f"California Government Code {section}"
        if 7920 <= number < 7932:
            return f"California Public Records Act, Government Code § {section}"
        if 6250 <= number < 6277:
            return f"California Public Records Act (before 2023), Government Code § {section}"
        return f"California Government Code § {section}"
    marks = find_redactions(code) if code else []
    if len(marks) == 1 and marks[0].code in EXEMPTIONS:
        return EXEMPTIONS[marks[0].code]
    return f"Unrecognised redaction code {code!r}"
