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
