"""Dates in every form mail writes them, to UTC, flagged when guessed; corrupt ones are missing, never a crash."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from foiatool.mail.dates import parse_date


@pytest.mark.parametrize(
    "text, expected, status",
    [
        ("Thu, 22 Aug 2002 13:09:08 -0700 (PDT)", datetime(2002, 8, 22, 20, 9, 8), "ok"),
        ("Mon, 7 Mar 2011 16:12:00 EST", datetime(2011, 3, 7, 21, 12), "ok"),
        ("Monday, March 7, 2011 4:12 PM", datetime(2011, 3, 7, 16, 12), "guessed"),
        ("Tuesday, March 08, 2011 9:03 AM -0500", datetime(2011, 3, 8, 14, 3), "ok"),
        ("On Mon, Mar 7, 2011 at 4:12 PM", datetime(2011, 3, 7, 16, 12), "guessed"),
        ("22 Aug 2002 13:09:08 -0000", datetime(2002, 8, 22, 13, 9, 8), "guessed"),
    ],
)
def test_forms(text, expected, status):
    assert parse_date(text) == (expected.replace(tzinfo=UTC), status)


@pytest.mark.parametrize(
    "text",
    [
        "", "garbage", "2011-13-45", "31 Dec 9999 23:59 EST", "Fri, 31 Dec 9999 23:59:59 -1200",
        "Tue, 01 Mar 0000 10:00:00 +0000", "Mon, 01 Jan 0001 00:00:00 +0000", "Thu, 1 Jan 9999 00:00:00 +0000",
        "x" * 500, "\x00\x01",
    ],
)
def test_corrupt_dates_are_missing(text):
    assert parse_date(text) == (None, "missing")


def _date_texts(seed: int, n: int) -> list[str]:
    """Dates near and in the common RFC 5322 form, wrong weekdays, days, times and zones among them."""
    import random

    rng = random.Random(seed)
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    texts = []
    for _ in range(n):
        year = rng.choice([1899, 1900, 1969, 1970, 1971, 1999, 2000, 2011, 2024, 2099, 2100, 2101, rng.randint(1970, 2099)])
        day, month = rng.randint(0, 32), rng.choice(months)
        clock = f"{rng.randint(0, 24):02d}:{rng.randint(0, 60):02d}:{rng.randint(0, 60):02d}"
        if rng.random() < 0.1:
            clock = f"{rng.randint(0, 9)}:{rng.randint(0, 59):02d}"
        zone = rng.choice(["+0000", "-0000", "-0700", "+0530", "+2359", "+2400", "-2500", "+0060", "EST", "GMT",
                           f"{rng.choice('+-')}{rng.randint(0, 14):02d}{rng.choice(['00', '30', '45'])}"])
        weekday = rng.choice([*days, "", "", "Xyz"])
        try:
            if rng.random() < 0.5:
                weekday = days[datetime(year, months.index(month) + 1, day).weekday()]  # the right one
        except ValueError:
            pass
        text = f"{weekday + ', ' if weekday else ''}{day:0{rng.choice([1, 2])}d} {month} {year} {clock} {zone}"
        texts.append(rng.choice([text, text, text, text.replace(" ", "  ", 1), " " + text, text.lower()]))
    return texts


def test_the_common_form_reads_as_the_general_path_reads_it() -> None:
    # parse_date takes the common RFC 5322 form itself; everything it takes, the standard
    # library's path (as before) must read the same, and it must take most of them
    from foiatool.mail import dates

    taken = 0
    for text in _date_texts(7, 20000):
        if dates.common_rfc_date(text) is not None:
            taken += 1
        assert dates.parse_date(text) == dates._parse_date(text.strip(), None), text
    assert taken > 1000


def test_mail_parser_finds_nothing_to_report_in_a_common_form_date() -> None:
    from mailparser.dates import date_diagnostics, parse_mail_date

    from foiatool.mail.dates import common_rfc_date

    for text in _date_texts(8, 20000):
        common = common_rfc_date(text)
        if common is not None:
            result = parse_mail_date(text)
            assert date_diagnostics(result, text, "date", 0) == [], text
            assert result.value == common, text


def test_every_real_date_header_reads_the_same_in_the_common_form(corpora) -> None:
    from email.parser import BytesHeaderParser

    from mailparser.dates import date_diagnostics, parse_mail_date

    from foiatool.mail import dates

    seen = common = 0
    for path in sorted(corpora.rglob("*.eml")):
        value = BytesHeaderParser().parsebytes(path.read_bytes()).get("Date")
        if not isinstance(value, str):
            continue
        seen += 1
        if dates.common_rfc_date(value) is not None:
            common += 1
            assert date_diagnostics(parse_mail_date(value), value, "date", 0) == [], path
        assert dates.parse_date(value) == dates._parse_date(dates._JUNK.sub(" ", value).strip(), None), path
    assert seen > 2000 and common > 1000


def test_the_machine_form_of_a_date_is_utc_to_the_second_with_a_z() -> None:
    """iso() writes what strftime("%Y-%m-%dT%H:%M:%SZ") of the UTC time writes, faster: for
    every offset, with and without microseconds, naive (local) times, and years below 1000."""
    import random
    from datetime import timedelta, timezone

    from foiatool.mail.dates import iso

    rng = random.Random(5)
    assert iso(datetime(2019, 1, 1, 9, 40, 56, 999999, tzinfo=UTC)) == "2019-01-01T09:40:56Z"
    assert iso(None) is None
    compared = 0
    while compared < 20000:
        year = rng.choice([rng.randint(2, 9998), rng.randint(1990, 2030)])
        zone = rng.choice([UTC, timezone(timedelta(minutes=rng.randint(-900, 900))), None])
        value = datetime(year, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59),
                         rng.randint(0, 59), rng.choice([0, rng.randint(0, 999999)]), tzinfo=zone)
        assert iso(value) == value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), value
        compared += 1


def _printed_texts(seed: int, count: int) -> list[str]:
    """Printed dates in the Outlook, Gmail and BlackBerry forms, right and wrong in every field."""
    import random

    rng = random.Random(seed)
    weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Mon", "Tue", "Wed",
                "Thu", "Fri", "Sat", "Sun", "Tues", "Thur", "Weds", "Sonntag"]
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov",
              "Dec", "Janua", "Septernber", "Mai", "Juni"]
    def pick(usual: list, odd: list, share: float = 0.85):
        return rng.choice(usual if rng.random() < share else odd)

    texts = []
    for _ in range(count):
        weekday, month = pick(weekdays[:14], weekdays[14:]), pick(months[:24], months[24:])
        day = pick([rng.randint(1, 28)], [0, 29, 30, 31, 32])
        day_text = f"{day:0{rng.choice([1, 2])}d}"
        year = pick([rng.randint(1990, 2030)], [rng.randint(1890, 2110), rng.randint(0, 9999)])
        minute, second = pick([rng.randint(0, 59)], [60, 99]), pick([rng.randint(0, 59)], [60, 61])
        if rng.random() < 0.6:
            hour = pick([rng.randint(1, 12)], [0, 13, 23, 24, 25])
            clock = f"{hour:0{rng.choice([1, 2])}d}:{minute:02d}" + rng.choice(["", f":{second:02d}"])
            half = pick(["AM", "PM", "am", "pm"], ["A.M.", "a", "", "PM PM"], 0.8)
            text = (f"{weekday + ', ' if rng.random() < 0.8 else ''}{month} {day_text}, {year}"
                    f" {rng.choice(['', '', 'at '])}{clock} {half}").rstrip()
        else:
            hour = pick([rng.randint(0, 23)], [24, 25, 99])
            clock = f"{hour:0{rng.choice([1, 2])}d}:{minute:02d}:{second:02d}"
            text = f"{weekday} {month[:3] if rng.random() < 0.9 else month} {day_text} {clock} {year}"
        texts.append(pick([text], [text.upper(), text.lower(), text + " EST", text.replace(" ", "  ", 1),
                                   text.replace(", ", " ", 1), " " + text, text.replace(":", ".", 1)], 0.6))
    return texts


def test_the_common_printed_forms_read_as_dateutil_reads_them(corpora) -> None:
    """Outlook's "Friday, August 21, 2009 7:23 AM", Gmail's "... at 1:53 PM" and the BlackBerry's
    "Fri Jan 01 10:46:13 2010" are read without dateutil: on every generated form, right or wrong
    in any field, and on every Sent:/Date: line of the Clinton release, the answer is dateutil's."""
    import re

    from foiatool.mail import dates

    texts = _printed_texts(11, 20000)
    taken = sum(dates._printed_common(text) is not None for text in texts)
    printed = [match.group(1).strip() for path in sorted((corpora / "clinton-august").rglob("*.txt"))
               for match in re.finditer(r"(?m)^(?:Sent|Date):[ \t]*(.+)$", path.read_text("utf-8", "replace"))]
    assert taken > 3000 and len(printed) > 5000
    real_taken = 0
    for text in texts + printed:
        real_taken += dates._printed_common(text) is not None
        assert dates._read_fields(text) == dates._read_loose_fields(text), text
    assert real_taken - taken > 3000  # most of the release's dates take the common forms
