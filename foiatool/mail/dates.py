"""Turning the many ways emails write dates into timezone-aware UTC, saying when we had to guess."""
from __future__ import annotations

import difflib
import functools
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

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


@functools.cache
def _dateutil_parser() -> tuple[Any, Any, dict[str, Any]]:
    """dateutil's parser module, its parserinfo and our zones: loaded on the first loose date
    (machine-written mail and the listings never need it)."""
    from dateutil import parser
    from dateutil.tz import tzoffset

    return parser, parser.parserinfo(), {k: tzoffset(k, v) for k, v in TZ_ABBREVIATIONS.items()}

# Dates outside this span are corrupt (year 0, 9999) rather than real mail.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
# A printed (released, OCR'd) email older than this is a misread, not a real message.
PRINTED_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# A release date ("Date: 08/31/2015") is a day; mail of that whole day, in any zone, is before it.
_RELEASE_DAY_SLACK = timedelta(days=1, hours=14)
# A quoted time in the sender's zone can read a few hours after the enclosing reply read as UTC.
_CONTEXT_SLACK = timedelta(hours=14)

# dateutil fills fields the text lacks from ``default``; parsing with two defaults that differ in
# every field shows which ones were really printed, so no missing year becomes "this year".
_DEFAULT_A = datetime(2000, 1, 1, 0, 0)
# Also a leap year (a year-less "Feb 29" still parses), and its day more than a week from A's: a
# weekday with no day ("Wednesday, ep em er 8") lands dateutil on different days from the two.
_DEFAULT_B = datetime(2004, 2, 16, 0, 0)

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


_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_NUMBER = {name[:3].title(): number for number, name in enumerate(_MONTHS, 1)}  # "Jan": 1
_WEEKDAY_NUMBER = {name[:3].title(): number for number, name in enumerate(_WEEKDAYS)}  # "Mon": 0
# The form nearly every mail program writes: "Tue, 01 Jan 2019 09:40:56 +0000", one space apart.
_COMMON_RFC = re.compile(
    rf"(?:({'|'.join(_WEEKDAY_NUMBER)}), )?(\d{{1,2}}) ({'|'.join(_MONTH_NUMBER)}) "
    r"((?:19|20)\d\d) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d) ([+-])([01]\d|2[0-3])([0-5]\d)\Z")


@functools.lru_cache(maxsize=64)  # a plain message's Date is read here twice: to check it, then to parse it
def common_rfc_date(raw: str) -> datetime | None:
    """The UTC time of a date written exactly in the common RFC 5322 form, a real day of a year
    from 1970 to 2099 with its weekday (if given) right and a numeric zone other than -0000;
    None for anything else. Such a date reads the same in the standard library's parser (so
    parse_date gives the same answer) and leaves mail-parser nothing to report."""
    match = _COMMON_RFC.match(raw)
    if match is None:
        return None
    weekday, day, month, year, hour, minute, second, sign, zone_hours, zone_minutes = match.groups()
    if not 1970 <= int(year) < 2100 or (sign == "-" and zone_hours == "00" and zone_minutes == "00"):
        return None
    try:
        local = datetime(int(year), _MONTH_NUMBER[month], int(day), int(hour), int(minute), int(second), tzinfo=UTC)
    except ValueError:  # 30 February
        return None
    if weekday is not None and _WEEKDAY_NUMBER[weekday] != local.weekday():
        return None
    offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes))
    return local - offset if sign == "+" else local + offset


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
    common = common_rfc_date(raw)
    if common is not None:
        return (common, "ok") if _plausible(common) else (None, "missing")
    return _parse_date(raw, default_tz)


def _parse_date(raw: str, default_tz: tzinfo | None) -> tuple[datetime | None, DateStatus]:
    """parse_date for text that is not in the common form."""
    parsed = None
    shape = _RFC_SHAPE.match(_PAREN_COMMENT.sub(" ", raw))
    if shape:
        year = _RFC_YEAR.search(raw)
        if year and len(year.group(1)) == 4 and not 1970 <= int(year.group(1)) < 2100:
            # The standard library reads "0000" or "0001" as 2000/2001; such a year is corrupt.
            return None, "missing"
        from email.utils import parsedate_to_datetime  # loaded on the first RFC date: a listing needs none

        try:
            parsed = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed = None
    if parsed is not None:
        try:
            if parsed.tzinfo is not None:
                utc = parsed.astimezone(UTC)
                return (utc, "ok") if _plausible(utc) else (None, "missing")
            # "-0000" means the zone is unknown (RFC 5322 §3.3)
            guessed = parsed.replace(tzinfo=default_tz or UTC).astimezone(UTC)
        except (OverflowError, ValueError):  # year 9999 pushed past the end of time by its zone
            return None, "missing"
        return (guessed, "guessed") if _plausible(guessed) else (None, "missing")
    return _parse_loose(raw, default_tz)


_WORD = re.compile(r"[A-Za-z]{3,}")
# "June 11,2009": OCR drops the space after the comma, and dateutil then reads "11,2009" as junk.
_COMMA_YEAR = re.compile(r"(\d),(?=(?:19|20)\d\d\b)")
# "June 15, 20106:21 PM": the year ran into the hour.
_YEAR_INTO_HOUR = re.compile(r"\b((?:19|20)\d\d)(\d{1,2}:\d\d)")
# "2O10", "1O:05": a letter O read inside a number.
_LETTER_O_DIGIT = re.compile(r"(?<=\d)[Oo](?=\d)")


# "2010.5:59 PM": a stray mark between the year and the hour.
_YEAR_DOT_HOUR = re.compile(r"\b((?:19|20)\d\d)[.,;](\d{1,2}:\d\d)")
# "7 58 AM", "858 PM": the colon of the time lost.
_TIME_SPACED = re.compile(r"\b(\d{1,2}) (\d\d)(\s*[AaPp]\.?[Mm]\b)")
_TIME_RUN = re.compile(r"(?<![\d:])([1-9]|1[0-2])([0-5]\d)(\s*[AaPp]\.?[Mm]\b)")
# "WednesdayFebrua 10": the space after the weekday lost.
_DAY_INTO_MONTH = re.compile(r"(?<=day)(?=[A-Z])")
# BlackBerry's "Fri Jan 0110:46:13 2010" (the day ran into the hour), "17 12:52:512010" (the seconds
# into the year).
_DAY_INTO_TIME = re.compile(r"\b([A-Za-z]{3},?\s+\d\d)(\d\d:\d\d:\d\d)\b")
_SECONDS_INTO_YEAR = re.compile(r"\b(\d{1,2}:\d\d:\d\d)((?:19|20)\d\d)\b")
# Exemption stamps printed in the margin on the date's line ("... 5:02 PM      B6", "1.4(B),B1");
# quoted text folds the gap to one space.
_TRAILING_STAMPS = re.compile(r"\s+(?:[(\[]?\s*(?:[Bb]\s?\d{1,2}|\(b\)\s*\(\d\)|1\.4\s*\(?[A-Ha-h]?\)?)[\])]?[\s,;]*)+$")
# "Fe ruary", "A ril", "A\u2022ril": a month name broken by a lost or misread letter.
_BROKEN_WORD = re.compile(r"\b([A-Za-z]{1,4})[ \u2022\u00b7.']([a-z]{2,})\b")


def _month_like(word: str) -> str | None:
    """The month an OCR-damaged word names ("Janua", "Septernber", "Aril"), if it surely names one."""
    lowered = word.lower().replace("rn", "m")
    if lowered in _MONTHS:
        return lowered
    if len(lowered) < 4:
        return None
    matches = [month for month in _MONTHS if month.startswith(lowered)]
    if len(matches) == 1:
        return matches[0]
    close = difflib.get_close_matches(lowered, _MONTHS, n=2, cutoff=0.8)
    return close[0] if len(close) == 1 else None


def _has_month(text: str) -> bool:
    info = _dateutil_parser()[1]
    return any(info.month(word) is not None for word in _WORD.findall(text))


def _ocr_repaired(text: str) -> str:
    """Undo the damage OCR does to printed dates, only where the repair cannot change a good date."""
    text = _TRAILING_STAMPS.sub("", text).rstrip(" .-,;")
    text = _LETTER_O_DIGIT.sub("0", text)
    text = _COMMA_YEAR.sub(r"\1, ", text)
    text = _YEAR_INTO_HOUR.sub(r"\1 \2", text)
    text = _YEAR_DOT_HOUR.sub(r"\1 \2", text)
    text = _DAY_INTO_TIME.sub(r"\1 \2", text)
    text = _SECONDS_INTO_YEAR.sub(r"\1 \2", text)
    text = _TIME_SPACED.sub(r"\1:\2\3", text)
    text = _TIME_RUN.sub(r"\1:\2\3", text)
    text = _DAY_INTO_MONTH.sub(" ", text)
    if _has_month(text):
        return text
    # No month survived as written: try the damaged forms, joining a word OCR broke in two.
    joined = _BROKEN_WORD.sub(lambda match: _month_like(match.group(1) + match.group(2)) or match.group(0), text)
    return _WORD.sub(lambda match: _month_like(match.group(0)) or match.group(0), joined)


def _dateutil(cleaned: str, default: datetime) -> datetime:
    with warnings.catch_warnings():
        # Unknown zone names ("tzname F/US") are handled by the caller as a missing zone.
        warnings.simplefilter("ignore")
        parser, _, zones = _dateutil_parser()
        return parser.parse(cleaned, tzinfos=zones, fuzzy=True, default=default)


# The printed forms most released mail shows, one space apart, every field there: Outlook's
# "Friday, August 21, 2009 7:23 AM" (and Gmail's "Wed, Jan 28, 2015 at 1:53 PM") and the
# BlackBerry's "Fri Jan 01 10:46:13 2010". dateutil reads each field of these as written (a
# weekday beside a day is ignored), so they are read here without it.
_MONTH_OF = {name: number for number, month in enumerate(_MONTHS, 1) for name in (month, month[:3])} | {"sept": 9}
_WEEKDAY_NAMES = "|".join(name for day in _WEEKDAYS for name in (day, day[:3]))
_MONTH_NAMES = "|".join(sorted(_MONTH_OF, key=len, reverse=True))  # "september" before "sep"
_PRINTED_OUTLOOK = re.compile(
    rf"(?:(?:{_WEEKDAY_NAMES}), )?({_MONTH_NAMES}) (\d{{1,2}}), ((?:19|20)\d\d) (?:at )?(1[0-2]|0?[1-9]):([0-5]\d)(?::([0-5]\d))? ([AP]M)\Z",
    re.IGNORECASE)
_PRINTED_CTIME = re.compile(
    rf"(?:{_WEEKDAY_NAMES}) ({_MONTH_NAMES}) (\d{{1,2}}) ([01]?\d|2[0-3]):([0-5]\d):([0-5]\d) ((?:19|20)\d\d)\Z", re.IGNORECASE)


def _printed_common(raw: str) -> datetime | None:
    """The naive time of a date printed in one of the common forms above, exactly; None otherwise."""
    match = _PRINTED_OUTLOOK.match(raw)
    try:
        if match is not None:
            month, day, year, hour, minute, second, half = match.groups()
            hour_24 = int(hour) % 12 + (12 if half.upper() == "PM" else 0)
            return datetime(int(year), _MONTH_OF[month.lower()], int(day), hour_24, int(minute), int(second or 0))
        match = _PRINTED_CTIME.match(raw)
        if match is not None:
            month, day, hour, minute, second, year = match.groups()
            return datetime(int(year), _MONTH_OF[month.lower()], int(day), int(hour), int(minute), int(second))
    except ValueError:  # 30 February, year 0: what dateutil makes of it is left to dateutil
        return None
    return None


def _read_fields(raw: str) -> tuple[datetime | None, bool]:
    """The date dateutil reads from loose text, and whether the text printed a year.

    None when it printed no month or no day (a time or a year alone is no date).
    A year-less result carries ``_DEFAULT_A``'s year, to be replaced from context.
    """
    common = _printed_common(raw)
    if common is not None:
        return common, True
    return _read_loose_fields(raw)


def _read_loose_fields(raw: str) -> tuple[datetime | None, bool]:
    """_read_fields through dateutil: the text cleaned of OCR damage, then read with two defaults."""
    cleaned = _PAREN_COMMENT.sub(" ", raw)
    cleaned = re.sub(r"\bat\b", " ", cleaned, flags=re.IGNORECASE)  # "March 7, 2011 at 4:12 PM"
    cleaned = _ocr_repaired(cleaned).replace(" ,", ",").strip(" ,;")
    try:
        first = _dateutil(cleaned, _DEFAULT_A)
        second = _dateutil(cleaned, _DEFAULT_B)
    except Exception:  # ValueError, OverflowError, dateutil's ParserError and odd things on hostile input: a bad date is never fatal
        return None, False
    if first.month != second.month or first.day != second.day:
        return None, False
    return first, first.year == second.year


def _parse_loose(raw: str, default_tz: tzinfo | None) -> tuple[datetime | None, DateStatus]:
    value, has_year = _read_fields(raw)
    if value is None or not has_year:
        return None, "missing"
    return _to_utc(value, default_tz)


def _to_utc(value: datetime, default_tz: tzinfo | None) -> tuple[datetime | None, DateStatus]:
    status: DateStatus = "ok"
    if value.tzinfo is None:
        value = value.replace(tzinfo=default_tz or UTC)
        status = "guessed"
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None, "missing"
    return (utc, status) if _plausible(utc) else (None, "missing")


@dataclass(frozen=True, slots=True)
class DateReading:
    """What a printed date says once checked: the date (or None), how far to trust it, the printed
    text (kept whenever the date was not read cleanly), and a defect naming why it was refused."""

    date: datetime | None
    status: DateStatus
    text: str = ""
    defect: str = ""


def _with_year(value: datetime, context: datetime, default_tz: tzinfo | None) -> datetime | None:
    """``value`` (month, day, time) in the latest year that keeps it not after ``context``."""
    limit = context.astimezone(UTC) + _CONTEXT_SLACK
    for year in range(context.year + 1, context.year - 8, -1):
        try:
            candidate = value.replace(year=year)
        except ValueError:  # Feb 29 in a common year
            continue
        utc, _status = _to_utc(candidate, default_tz)
        if utc is not None and utc <= limit:
            return utc
    return None


def refusal(value: datetime, not_after: datetime | None, bound: str = "the release date") -> str:
    """Why a printed date cannot be true ("" when it can): before 1990, or after ``not_after``
    (the release date, the enclosing message) by more than a day of zone slack."""
    if value < PRINTED_EARLIEST:
        return f"reads as {value:%Y-%m-%d}, before 1990"
    if not_after is not None and value > not_after.astimezone(UTC) + _RELEASE_DAY_SLACK:
        return f"reads as {value:%Y-%m-%d}, after {bound} {not_after:%Y-%m-%d}"
    return ""


def read_date(
    text: str | None,
    *,
    context: datetime | None = None,
    not_after: datetime | None = None,
    default_tz: tzinfo | None = None,
) -> DateReading:
    """Read a printed or quoted date that may be OCR-damaged, year-less or impossible.

    ``context`` (the enclosing message's date) gives the year to a date printed without
    one: the latest year that keeps it not after the context, status "year-inferred";
    without context such a date stays undated. A date after ``not_after`` (the release
    date) or before 1990 is "suspect": no date, the text kept, a "suspect date:" defect.
    """
    raw = _JUNK.sub(" ", str(text or "")).strip()
    if not raw:
        return DateReading(None, "missing")
    if len(raw) > _MAX_LEN:
        return DateReading(None, "missing", raw[:_MAX_LEN])
    value, status = parse_date(raw, default_tz)
    if value is None:
        fields, has_year = _read_fields(raw)
        if fields is None or has_year:
            return DateReading(None, "missing", raw)
        if context is None:
            return DateReading(None, "missing", raw, f"date without a year, nothing to take it from: {raw[:80]!r}")
        value = _with_year(fields, context, default_tz)
        if value is None:
            return DateReading(None, "missing", raw)
        status = "year-inferred"
    why = refusal(value, not_after)
    if why:
        return DateReading(None, "suspect", raw, f"suspect date: {raw[:80]!r} {why}")
    return DateReading(value, status, raw if status == "year-inferred" else "")


def to_zone(value: datetime | None, zone: tzinfo | None) -> datetime | None:
    """A UTC datetime shown in the user's zone (None = the machine's local zone)."""
    if value is None:
        return None
    return value.astimezone(zone) if zone is not None else value.astimezone()


def is_utc(tz: tzinfo | None) -> bool:
    """Whether ``tz`` is UTC itself (None, the machine's local zone, is not)."""
    if tz is None:
        return False
    return tz is UTC or tz.tzname(None) == "UTC" or type(tz).__name__ == "tzutc"


def iso(value: datetime | None) -> str | None:
    """The stable machine form: ISO 8601 in UTC with a 'Z'."""
    if value is None:
        return None
    utc = value.astimezone(UTC)
    if utc.year < 1000:  # strftime writes such a year unpadded, as it always has here
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    return utc.isoformat(timespec="seconds")[:-6] + "Z"  # "+00:00" off: several times faster than strftime


def from_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    # fromisoformat reads "...Z" since Python 3.11 and is many times faster than strptime
    return datetime.fromisoformat(text)


__all__ = ["DateReading", "read_date", "refusal", "parse_date", "to_zone", "is_utc", "iso", "from_iso", "TZ_ABBREVIATIONS", "timedelta"]
