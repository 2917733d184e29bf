"""Header lines as tesseract reads a scanned page of the Clinton release: the label column closed to one space."""
from __future__ import annotations

from foiatool.model import Source
from foiatool.sources.printed.split import message_from_printed, printed_header_at

# C05766036, page 1, as OCR read a scan of it (the printed label column is gone).
KISSINGER = """From: Sullivan, Jacob J <SullivanJJ@state.gov>
Sent: Friday, December 11, 2009 6:28 AM
To: H; preines
Subject Re: Kissinger interview
We are meeting with you at noon to discuss."""

# C05770206: "Cc:" read as "Ce:".
GERMANY = """From: McHale, Judith A <McHaleJA@state.gov>
Sent: Tuesday, August 3, 2010 10:52 AM
To: H; Lew, Jacob J; Mills, Cheryl D; Sullivan, Jacob 1
Ce: DiMartino, Kitty
Subject FW: PA Germany Restructuring
Attachments: PA Germany Strategy Doc.doc; StateSeal.gif
During the past year we have discussed the size of the Germany PD budget"""

# C05777544: the classification reason printed beside the subject, one space away after OCR.
MORE = """From: Sullivan, Jacob J <SullivanJJ@state.gov>
Sent: Sunday, December 19, 2010 9:02 PM
To: H
Subject: Re: More 1.4(D)
Will do."""


def _message(text: str):
    return message_from_printed(text, Source(path="/release/scan.pdf", locator="pdf:page 1", kind="pdf"))


def test_a_label_one_space_from_its_value_inside_a_block() -> None:
    message = _message(KISSINGER)
    assert message.subject == "Re: Kissinger interview"
    assert message.body == "We are meeting with you at noon to discuss."


def test_ce_is_cc() -> None:
    header = printed_header_at(GERMANY.split("\n"), 0)
    assert header is not None
    assert header.fields["cc"] == "DiMartino, Kitty"
    assert header.fields["subject"] == "FW: PA Germany Restructuring"
    message = _message(GERMANY)
    assert [a.name for a in message.cc] == ["DiMartino, Kitty"]


def test_a_reason_code_one_space_after_the_subject_is_a_mark() -> None:
    message = _message(MORE)
    assert message.subject == "Re: More"
    assert any("1.4(D)" in mark for mark in message.sources[0].marks)


def test_prose_after_a_header_is_not_read_as_a_label() -> None:
    """"To" and "Subject" starting body lines after a blank line stay body text."""
    text = KISSINGER.replace("Subject Re: Kissinger interview\n", "Subject: Kissinger\n\nTo be clear, we meet at noon.")
    message = _message(text)
    assert message.subject == "Kissinger"
    assert message.body.startswith("To be clear")
