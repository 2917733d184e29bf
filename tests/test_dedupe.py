"""Near-duplicate copies: a printed copy (name only, guessed local time) joins its original."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from foiatool.derive.dedupe import find_near_duplicates
from foiatool.model import Address

TEXT = "Director, below is the draft paragraph for the response to Santa Clara County Counsel, for your review."


@dataclass
class Copy:
    id: str
    message_id: str | None
    subject: str
    sender: Address | None
    date: datetime | None
    new_text: str
    date_status: str = "ok"


def utc(h: int, m: int, s: int = 0) -> datetime:
    return datetime(2011, 3, 7, h, m, s, tzinfo=UTC)


def test_printed_copy_with_guessed_local_time_joins_the_original():
    original = Copy("m1", "abc@ice", "County opt-out language", Address("Lee, David", "david.lee@ice.dhs.gov"), utc(19, 30, 12), TEXT)
    printed = Copy("m2", None, "County opt-out language", Address("Lee, David", ""), utc(14, 30), TEXT, "guessed")
    assert find_near_duplicates([original, printed]) == {"m2": "m1"}


def test_two_trustworthy_dates_hours_apart_are_two_messages():
    a = Copy("m1", None, "Weekly statistics", Address("Lee, David", "david.lee@ice.dhs.gov"), utc(9, 0), TEXT)
    b = Copy("m2", None, "Weekly statistics", Address("Lee, David", "david.lee@ice.dhs.gov"), utc(14, 0), TEXT)
    assert find_near_duplicates([a, b]) == {}


def test_offset_that_is_no_time_zone_or_another_sender_keeps_them_apart():
    original = Copy("m1", None, "Subject", Address("Lee, David", "david.lee@ice.dhs.gov"), utc(19, 30), TEXT)
    odd_offset = Copy("m2", None, "Subject", Address("Lee, David", ""), utc(14, 37), TEXT, "guessed")
    other_sender = Copy("m3", None, "Subject", Address("Chen, Michael", ""), utc(14, 30), TEXT, "guessed")
    assert find_near_duplicates([original, odd_offset, other_sender]) == {}


def test_short_texts_are_never_enough():
    a = Copy("m1", None, "Re: call", Address("Lee, David", "david.lee@ice.dhs.gov"), utc(19, 30), "Thanks.")
    b = Copy("m2", None, "Re: call", Address("Lee, David", ""), utc(14, 30), "Thanks.", "guessed")
    assert find_near_duplicates([a, b]) == {}


def test_the_copy_with_headers_stands_for_the_group_whatever_its_id():
    printed = Copy("m0", None, "County opt-out language", Address("Lee, David", ""), utc(14, 30), TEXT, "guessed")
    original = Copy("m9", "abc@ice", "County opt-out language", Address("Lee, David", "david.lee@ice.dhs.gov"), utc(19, 30, 12), TEXT)
    assert find_near_duplicates([printed, original]) == {"m0": "m9"}
