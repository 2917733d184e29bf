"""Printed dates that can be trusted: OCR damage repaired, missing years taken from context, impossible
dates refused. The date strings are "Sent:" values and attributions from the State Department's Clinton
release (case F-2014-20439); the document number is named beside each."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from foiatool.mail.dates import parse_date, read_date
from foiatool.mail.quoting import split_quoted
from foiatool.model import Source
from foiatool.sources.printed.split import message_from_printed

UTC = UTC
RELEASED = datetime(2015, 8, 31, tzinfo=UTC)
SOURCE = Source(path="/release/C0000000.pdf", locator="pdf:page 1", kind="pdf")


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("Thursday, June 11,2009 12:29 PM", "2009-06-11T12:29:00"),  # the comma ate the space
        ("Friday, December 11,2009 1:16 PM", "2009-12-11T13:16:00"),  # C05766048
        ("June 15, 20106:21 PM", "2010-06-15T18:21:00"),  # the year ran into the hour
        ("Wednesday, December 15, 201011:01 PM", "2010-12-15T23:01:00"),  # C05778447
        ("6/11/2009 3:05:17 PM", "2009-06-11T15:05:17"),
        ("Thu Jun 11 2009", "2009-06-11T00:00:00"),
        ("Tue Mar 02 14:20:17 2010", "2010-03-02T14:20:17"),  # C05767867, BlackBerry form
        ("Janua 29, 2010", "2010-01-29T00:00:00"),  # the month cut short
        ("Saturday, Fe ruary 13, 2010 10:19 AM", "2010-02-13T10:19:00"),  # C05767164
        ("Tuesday, Aril 20, 2010 9:26 AM", "2010-04-20T09:26:00"),  # C05774981
        ("WednesdayFebrua 10, 2010 6:20 PM", "2010-02-10T18:20:00"),  # C05773867
        ("Friday, March 12, 2010 7 58 AM", "2010-03-12T07:58:00"),  # C05768756, the colon lost
        ("Thursday, July 15, 2010 858 PM", "2010-07-15T20:58:00"),  # C05770475
        ("Sunday, February 7, 2010.5:59 PM", "2010-02-07T17:59:00"),  # C05773357
        ("Wednesday, December 23, 2009 5:02 PM                                               B6",
         "2009-12-23T17:02:00"),  # C05766678, the margin stamp on the date's line
        ("Tuesday, October 12, 2010 2:02 PM                            1.4(B),B1,1.4(D)",
         "2010-10-12T14:02:00"),  # C05772738
        ("Tue Dec 28 11:43:49 2010 B6", "2010-12-28T11:43:49"),  # a quoted date, the gap folded
        ("Fri Jan 0110:46:13 2010", "2010-01-01T10:46:13"),  # the day ran into the hour
        ("Sun Jan 17 12:52:512010", "2010-01-17T12:52:51"),  # the seconds ran into the year
    ],
)
def test_ocr_forms_parse(printed: str, expected: str):
    value, status = parse_date(printed)
    assert value is not None, printed
    assert value.replace(tzinfo=None).isoformat() == expected
    assert status == "guessed"
    reading = read_date(printed, not_after=RELEASED)
    assert reading.date == value and reading.status == "guessed" and reading.defect == ""


@pytest.mark.parametrize("printed", ["Tuesday, August 25 10:03 AM", "Aug 25", "June 11", "December 25 at 9:14 PM"])
def test_no_year_is_never_this_year(printed: str):
    # dateutil fills a missing year from today; no path may.
    assert parse_date(printed) == (None, "missing")
    reading = read_date(printed)
    assert reading.date is None and reading.status == "missing"
    assert reading.text == printed


@pytest.mark.parametrize(
    "printed",
    # C05769428 lost its day; C05772118's month is unreadable, so dateutil's "8" would become the month.
    ["June 2009", "12:30 PM", "Sunday, January          12:07 PM", "Wednesday, ep em er 8, 2010 3:48 PM"],
)
def test_no_day_or_no_month_is_no_date(printed: str):
    assert parse_date(printed) == (None, "missing")
    assert read_date(printed, context=datetime(2010, 1, 20, tzinfo=UTC)).date is None


def test_year_taken_from_context():
    reading = read_date("Tuesday, August 25 10:03 AM", context=datetime(2009, 8, 26, 14, 0, tzinfo=UTC))
    assert reading.date == datetime(2009, 8, 25, 10, 3, tzinfo=UTC)
    assert reading.status == "year-inferred"
    assert reading.text == "Tuesday, August 25 10:03 AM"


def test_year_from_context_never_after_it():
    # A December date quoted in a January reply is from the year before.
    reading = read_date("On Dec 30", context=datetime(2010, 1, 2, 9, 0, tzinfo=UTC))
    assert reading.date == datetime(2009, 12, 30, tzinfo=UTC)
    assert reading.status == "year-inferred"


def test_after_the_release_is_suspect():
    # "June 11,2009" once read as June 11 of the current year; a printed date after release cannot be.
    reading = read_date("Thursday, June 11, 2026 12:29 PM", not_after=RELEASED)
    assert reading.date is None and reading.status == "suspect"
    assert reading.text == "Thursday, June 11, 2026 12:29 PM"
    assert reading.defect.startswith("suspect date:") and "after the release date 2015-08-31" in reading.defect


def test_before_1990_is_suspect():
    reading = read_date("1/1/1985 3:00 PM")
    assert reading.date is None and reading.status == "suspect"
    assert reading.defect.startswith("suspect date:") and "before 1990" in reading.defect


def test_the_release_day_itself_is_not_suspect():
    assert read_date("Monday, August 31, 2015 11:50 PM", not_after=RELEASED).status == "guessed"


HEADER = """From:                             Mills, Cheryl D <MillsCD@state.gov>
Sent:                             {date}
To:                               H
Subject:                          Re: call

ok"""


def test_printed_message_date_after_release_is_suspect():
    message = message_from_printed(HEADER.format(date="Friday, December 11, 2026 11:21 AM"), SOURCE,
                                   not_after=RELEASED)
    assert message.date is None and message.date_status == "suspect"
    assert message.date_text == "Friday, December 11, 2026 11:21 AM"
    assert [d for d in message.defects if d.startswith("suspect date:")]


def test_printed_message_without_year_takes_context():
    text = HEADER.format(date="Tuesday, August 25 10:03 AM")
    message = message_from_printed(text, SOURCE, context_date=datetime(2009, 9, 2, tzinfo=UTC), not_after=RELEASED)
    assert message.date == datetime(2009, 8, 25, 10, 3, tzinfo=UTC)
    assert message.date_status == "year-inferred"
    assert message.date_text == "Tuesday, August 25 10:03 AM"
    alone = message_from_printed(text, SOURCE)
    assert alone.date is None and alone.date_status == "missing"
    assert alone.date_text == "Tuesday, August 25 10:03 AM"


def test_printed_message_ocr_date():
    # C05766047: "Friday, December 11,2009 11:21 AM" once came back as December 11 of the current year.
    message = message_from_printed(HEADER.format(date="Friday, December 11,2009 11:21 AM"), SOURCE,
                                   not_after=RELEASED)
    assert message.date == datetime(2009, 12, 11, 11, 21, tzinfo=UTC)
    assert message.date_status == "guessed"
    assert message.defects == []


CHAIN = """Thanks, see below.

On Aug 25, Jake Sullivan wrote:
> Draft attached.

-----Original Message-----
From: Abedin, Huma
Sent: Tuesday, August 25 10:03 AM
To: H
Subject: Re: call

ok

-----Original Message-----
From: Mills, Cheryl D
Sent: Thursday, June 11, 2026 12:29 PM
To: H
Subject: call
"""


def test_quoted_dates_take_the_enclosing_date():
    split = split_quoted(CHAIN, context_date=datetime(2009, 8, 26, 14, 0, tzinfo=UTC))
    assert [(q.date, q.date_status) for q in split.quoted] == [
        (datetime(2009, 8, 25, tzinfo=UTC), "year-inferred"),
        (datetime(2009, 8, 25, 10, 3, tzinfo=UTC), "year-inferred"),
        (None, "suspect"),  # after the message that quotes it
    ]
    assert split.quoted[2].date_text == "Thursday, June 11, 2026 12:29 PM"


def test_quoted_dates_without_context_stay_undated():
    split = split_quoted(CHAIN)
    assert [(q.date, q.date_status) for q in split.quoted][:2] == [(None, "missing"), (None, "missing")]
    assert split.quoted[0].date_text == "Aug 25"


def test_quoted_year_follows_the_chain():
    # The nearer quoted message gives the year to the older one (across the new year).
    body = """Happy new year.

-----Original Message-----
From: Abedin, Huma
Sent: Saturday, January 2, 2010 9:00 AM
To: H
Subject: Re: plans

yes

-----Original Message-----
From: H
Sent: Wednesday, December 30 8:15 PM
To: Abedin, Huma
Subject: plans
"""
    split = split_quoted(body, context_date=datetime(2010, 1, 3, 12, 0, tzinfo=UTC))
    assert split.quoted[0].date == datetime(2010, 1, 2, 9, 0, tzinfo=UTC)
    assert split.quoted[1].date == datetime(2009, 12, 30, 20, 15, tzinfo=UTC)
    assert split.quoted[1].date_status == "year-inferred"
