"""Marks a release printed beside a printed header's values: margin exemption codes, classification text, cut addresses."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...mail.marks.provenance import split_classification
from ...mail.marks.redactions import find_redactions

# Exemption codes and classification reasons the release printed in the margin column beside a header
# value, after a wide gap ("Re: Amano      1.4(D)", "References      B6"); a speck of the redaction
# box's edge may follow the code ("B51"). A value that is nothing but codes was redacted whole.
_MARGIN_CODE = r"(?:\(?[Bb]\)?\s?\(?[1-9]\)?(?:\s?\([A-Fa-f]\)|[A-Fa-f](?![A-Za-z]))?|1\.\d\s?\([A-Ha-h]\))"
_MARGIN_CODES = re.compile(
    rf"(?:^|\s{{2,}})(?P<codes>{_MARGIN_CODE}(?:[\s,;]+{_MARGIN_CODE})*)[,;]?(?:\s?[1Il|])?\s*$"
)
_REASON_CODE = re.compile(r"^1\.\d\s?\([A-Ha-h]\)$")
# A classification reason ends no real subject or name: after one space too (OCR closes the gap).
_TRAILING_REASONS = re.compile(r"\s(?P<codes>1\.\d\s?\([A-Ha-h]\)(?:[\s,;]+1\.\d\s?\([A-Ha-h]\))*)[,;]?\s*$")


@dataclass(slots=True)
class MarginMarks:
    """What the release printed beside a header value: exemption codes (redactions of that field) and
    release marks (classification reasons, a classification block)."""

    codes: list[str] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)


def strip_margin(value: str, found: MarginMarks) -> str:
    """``value`` without the classification text and margin codes printed after it; they go to ``found``."""
    before, marks, after = split_classification(value)
    if marks:
        found.marks.extend(mark for mark in marks if mark not in found.marks)
        value = f"{before}   {after}" if after else before
    match = _MARGIN_CODES.search(value) or _TRAILING_REASONS.search(value)
    if match is None:
        return value.strip()
    for code in re.split(r"[\s,;]+(?=[Bb(1])", match.group("codes")):
        code = re.sub(r"\s+", "", code)
        if _REASON_CODE.match(code):
            reason = f"Reason: {code.upper()}"
            if not any(code.upper() in mark for mark in found.marks):
                found.marks.append(reason)
        elif find_redactions(code):
            found.codes.append(code)
    return value[: match.start()].strip()


# "PIR <preines", "sbwhoeop <sbwhoeop": a display name, then an address a redaction or the margin cut short.
_CUT_ADDRESS = re.compile(r"^(?P<name>[^<>;]*?)\s*<(?P<inside>[^<>;,]*)$")
_WHOLE_ADDRESS = re.compile(r"^[\w.+'-]+@[\w-]+(?:\.[\w-]+)+$")


def mend_cut_address(value: str) -> str:
    """The name as printed when the address after it was cut; the address too only if it still is one."""
    codes = _MARGIN_CODES.search(value)
    printed, margin = (value[: codes.start()], value[codes.start():]) if codes and codes.start() else (value, "")
    match = _CUT_ADDRESS.match(printed.strip())
    if match is None or not match.group("name"):
        return value
    inside = match.group("inside").strip()
    mended = f"{match.group('name')} <{inside}>" if _WHOLE_ADDRESS.match(inside) else match.group("name")
    return f"{mended}{margin}"


__all__ = ["MarginMarks", "mend_cut_address", "strip_margin"]
