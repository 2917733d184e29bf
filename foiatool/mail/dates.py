"""Turning the many ways emails write dates into timezone-aware UTC, saying when we had to guess."""
from __future__ import annotations

import email.utils
import re
import warnings
from datetime import datetime, timedelta, timezone, tzinfo

from dateutil import parser as _du_parser
from dateutil.tz import tzoffset

from ..model import DateStatus

# Zone abbreviations that US government mail prints; dateutil knows none of them by default.
_H = 3600
TZ_ABBREVIATIONS: dict[str, int] = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
    "EST": -5 * _H, "EDT": -4 * _H, "CST": -6 * _H, "CDT": -5 * _H,
    "MST": -7 * _H, "MDT": -6 * _H, "PST": -8 * _H, "PDT": -7 * _H,
    "AKST": -9 * _H, "AKDT": -8 * _H, "HST": -10 * _H,
    "BST": 1 * _H, "CET": 1 * _H, "CEST": 2 * _H, "IST": 1 * _H,
}
_TZINFOS = {k: tzoffset(k, v) for k, v in TZ_ABBREVIATIONS.items()}

# Dates outside this span are corrupt (year 0, 9999) rather than real mail.
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)

_PAREN_COMMENT = re.compile(r"\([^)]*\)")
_JUNK = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MAX_LEN = 200
_RFC_YEAR = re.compile(r"^\s*(?:[A-Za-z]{3},?\s*)?\d{1,2}\s+[A-Za-z]{3}\s+(\d{2,4})\b")
# The shape of an RFC 5322 date ("Thu, 22 Aug 2002 13:09:08 -0700"); the standard
# library's parser silently drops "PM" from other forms, so only this shape goes to it.
_RFC_SHAPE = re.compile(
    r"^\s*(?:[A-Za-z]{3},?\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s+\S+)?\s*$"
)


def _plausible(value: datetime) -> bool:
    return EARLIEST <= value < LATEST


def parse_date(text: str | None, default_tz: tzinfo | None = None) -> tuple[datetime | None, DateStatus]:
    """Parse a header or printed date.

    Returns ``(utc_datetime, "ok")`` for a clean RFC 5322 date, ``(..., "guessed")``
    when the form was non-standard or carried no zone (then ``default_tz``,
    or UTC, is assumed), and ``(None, "missing")`` when nothing usable is there.
    """
    if not text:
        return None, "missing"
    raw = _JUNK.sub(" ", str(text)).strip()
    if not raw or len(raw) > _MAX_LEN:
        return None, "missing"
    parsed = None
    shape = _RFC_SHAPE.match(_PAREN_COMMENT.sub(" ", raw))
    if shape:
        year = _RFC_YEAR.search(raw)
        if year and len(year.group(1)) == 4 and not 1970 <= int(year.group(1)) < 2100:
            # The standard library reads "0000" or "0001" as 2000/2001; such a year is corrupt.
            return None, "missing"
        try:
            parsed = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed = None
    if parsed is not None:
        try:
            if parsed.tzinfo is not None:
                utc = parsed.astimezone(timezone.utc)
                return (utc, "ok") if _plausible(utc) else (None, "missing")
            # "-0000" means the zone is unknown (RFC 5322 §3.3)
            guessed = parsed.replace(tzinfo=default_tz or timezone.utc).astimezone(timezone.utc)
        except (OverflowError, ValueError):  # year 9999 pushed past the end of time by its zone
            return None, "missing"
        return (guessed, "guessed") if _plausible(guessed) else (None, "missing")
    return _parse_loose(raw, default_tz)


def _parse_loose(raw: str, default_tz: tzinfo | None) -> tuple[datetime | None, DateStatus]:
    cleaned = _PAREN_COMMENT.sub(" ", raw)
    cleaned = re.sub(r"\bat\b", " ", cleaned, flags=re.IGNORECASE)  # "March 7, 2011 at 4:12 PM"
    cleaned = cleaned.replace(" ,", ",").strip(" ,;")
    try:
        with warnings.catch_warnings():
            # Unknown zone names ("tzname F/US") are handled below as a missing zone.
            warnings.simplefilter("ignore")
            value = _du_parser.parse(cleaned, tzinfos=_TZINFOS, fuzzy=True)
    except (ValueError, OverflowError, TypeError, _du_parser.ParserError):
        return None, "missing"
    except Exception:  # dateutil raises odd things on hostile input; a bad date is never fatal
        return None, "missing"
    status: DateStatus = "ok"
    if value.tzinfo is None:
        value = value.replace(tzinfo=default_tz or timezone.utc)
        status = "guessed"
    try:
        utc = value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None, "missing"
    return (utc, status) if _plausible(utc) else (None, "missing")


def to_zone(value: datetime | None, zone: tzinfo | None) -> datetime | None:
    """A UTC datetime shown in the user's zone (None = the machine's local zone)."""
    if value is None:
        return None
    return value.astimezone(zone) if zone is not None else value.astimezone()


def iso(value: datetime | None) -> str | None:
    """The stable machine form: ISO 8601 in UTC with a 'Z'."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    # fromisoformat reads "...Z" since Python 3.11 and is many times faster than strptime
    return datetime.fromisoformat(text)


__all__ = ["parse_date", "to_zone", "iso", "from_iso", "TZ_ABBREVIATIONS", "timedelta"]
