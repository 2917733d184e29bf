"""The mail-parser adapter: headers, addresses, dates, bodies, attachments and broken input."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from foiatool.mail.htmltext import html_to_text
from foiatool.mail.message_ids import parse_in_reply_to, parse_references
from foiatool.mail.parse import (
    ParseError,
    looks_like_message,
    parse_rfc822,
    parse_transport_headers,
    strip_envelope_lines,
)
from foiatool.model import Address, Source

SOURCE = Source(path="/case/a.eml", kind="eml")


def parse(text: str | bytes):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_rfc822(data, SOURCE)


BASIC = """From: Ann Lee <Ann.Lee@Example.ORG>
To: bob@example.org
Subject: Plain
Date: Tue, 01 Mar 2011 10:00:00 -0500
Message-ID: <m1@example.org>

Body text.
"""


def test_basic_fields_and_source() -> None:
    message = parse(BASIC)
    assert message.subject == "Plain"
    assert message.sender == Address(name="Ann Lee", email="ann.lee@example.org")
    assert message.to == [Address(email="bob@example.org")]
    assert message.date == datetime(2011, 3, 1, 15, 0, tzinfo=UTC)
    assert message.date_status == "ok"
    assert message.message_id == "m1@example.org"
    assert message.body == "Body text."
    assert message.defects == []
    assert message.sources == [SOURCE]
    assert message.id.startswith("m") and len(message.id) == 16


@pytest.mark.parametrize(("header", "expected"), [
    ('"Smith, John" <John.Smith@agency.gov>', [Address("Smith, John", "john.smith@agency.gov")]),
    ("john@agency.gov (John Smith)", [Address("John Smith", "john@agency.gov")]),
    ("<bare@agency.gov>", [Address("", "bare@agency.gov")]),
    ("=?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <jm@example.de>", [Address("Jürgen Müller", "jm@example.de")]),
    ("a@x.org, B <b@x.org>", [Address("", "a@x.org"), Address("B", "b@x.org")]),
    ("Team: a@x.org, b@x.org;", [Address("", "a@x.org"), Address("", "b@x.org")]),
    ("undisclosed-recipients:;", []),
    ("(b)(6)", [Address(redacted="b6")]),
    ("(b)(6), Ann Lee <ann@x.org>", [Address(redacted="b6"), Address("Ann Lee", "ann@x.org")]),
    ("Smith, John; Doe, Jane", [Address("Smith, John"), Address("Doe, Jane")]),
])
def test_address_forms(header: str, expected: list[Address]) -> None:
    message = parse(f"From: x@y.org\nTo: {header}\nSubject: s\n\nb\n")
    assert message.to == expected


def test_redacted_sender() -> None:
    message = parse("From: (b)(6)\nTo: a@x.org\nSubject: s\n\nb\n")
    assert message.sender == Address(redacted="b6")


def test_repeated_to_headers_are_all_kept() -> None:
    message = parse("From: x@y.org\nTo: a@x.org\nTo: b@x.org\nSubject: s\n\nb\n")
    assert [a.email for a in message.to] == ["a@x.org", "b@x.org"]


def test_rfc2047_subject() -> None:
    message = parse("From: x@y.org\nSubject: =?utf-8?B?Q2Fmw6kgbWVldGluZw==?=\n =?iso-8859-1?q?_=E0_midi?=\n\nb\n")
    assert message.subject == "Café meeting à midi"


def test_undeclared_8bit_subject_and_unknown_charset_word() -> None:
    message = parse(b"From: x@y.org\nSubject: caf\xe9 =?x-unknown?q?na=EFve?=\n\nb\n")
    assert message.subject == "café naïve"
    assert "8-bit header text without a declared charset" in message.defects


def test_malformed_date_is_guessed() -> None:
    message = parse("From: x@y.org\nSubject: s\nDate: 3/7/2011 4:12 PM\n\nb\n")
    assert message.date == datetime(2011, 3, 7, 16, 12, tzinfo=UTC)
    assert message.date_status == "guessed"


def test_missing_date_falls_back_to_newest_received() -> None:
    message = parse(
        "Received: from b by c; Wed, 02 Mar 2011 09:00:00 +0000\n"
        "Received: from a by b; Wed, 02 Mar 2011 08:59:00 +0000\n"
        "From: x@y.org\nSubject: s\n\nb\n")
    assert message.date == datetime(2011, 3, 2, 9, 0, tzinfo=UTC)
    assert message.date_status == "guessed"
    assert "unparseable Date" not in message.defects


def test_missing_date_without_received() -> None:
    message = parse("From: x@y.org\nSubject: s\n\nb\n")
    assert message.date is None
    assert message.date_status == "missing"


def test_unparseable_date_is_a_defect() -> None:
    message = parse("From: x@y.org\nSubject: s\nDate: sometime last week\n\nb\n")
    assert message.date is None and message.date_status == "missing"
    assert "unparseable Date" in message.defects


def test_no_from_header_is_a_defect() -> None:
    message = parse("To: a@x.org\nSubject: s\n\nb\n")
    assert message.sender is None
    assert "no From header" in message.defects


def test_html_only_body() -> None:
    html = ("<html><head><title>T</title><style>p {color: red}</style></head><body>"
            "<p>Hello&nbsp;&amp; welcome</p><ul><li>one</li><li>two</li></ul>"
            "<p>See <a href=\"https://example.org/r\">the report</a> and <a href=\"https://x.org\">https://x.org</a>"
            "<br>Thanks<script>alert(1)</script></p></body></html>")
    message = parse(f"From: x@y.org\nSubject: s\nContent-Type: text/html; charset=utf-8\n\n{html}\n")
    assert message.body == ("Hello & welcome\n\n- one\n- two\n\n"
                            "See the report <https://example.org/r> and https://x.org\nThanks")


def test_plain_preferred_over_html() -> None:
    message = parse(
        "From: x@y.org\nSubject: s\nContent-Type: multipart/alternative; boundary=B\n\n"
        "--B\nContent-Type: text/plain\n\nPlain version\n--B\nContent-Type: text/html\n\n<p>HTML version</p>\n--B--\n")
    assert message.body.strip() == "Plain version"


def test_attachments_with_sha256() -> None:
    payload = b"%PDF-1.4 fake report\x00\x01\x02"
    import base64

    encoded = base64.b64encode(payload).decode()
    message = parse(
        "From: x@y.org\nSubject: s\nContent-Type: multipart/mixed; boundary=B\n\n"
        "--B\nContent-Type: text/plain\n\nSee attached.\n"
        "--B\nContent-Type: application/pdf; name=\"report.pdf\"\n"
        "Content-Disposition: attachment; filename=\"report.pdf\"\nContent-Transfer-Encoding: base64\n\n"
        f"{encoded}\n"
        "--B\nContent-Type: text/plain; charset=us-ascii\nContent-Disposition: attachment; filename=\"notes.txt\"\n\n"
        "line one\n--B--\n")
    assert message.body.strip() == "See attached."
    first, second = message.attachments
    assert (first.name, first.content_type, first.size) == ("report.pdf", "application/pdf", len(payload))
    assert first.sha256 == hashlib.sha256(payload).hexdigest()
    assert (second.name, second.content_type) == ("notes.txt", "text/plain")
    assert second.sha256 == hashlib.sha256(b"line one\n").hexdigest() or second.size == len(b"line one")


def test_unnamed_rtf_part_gets_no_invented_name() -> None:
    message = parse(
        "From: x@y.org\nSubject: s\nContent-Type: multipart/mixed; boundary=B\n\n"
        "--B\nContent-Type: text/plain\n\nBody\n--B\nContent-Type: application/rtf\n\n{\\rtf1 hi}\n--B--\n")
    assert [(a.name, a.content_type) for a in message.attachments] == [("", "application/rtf")]


def test_references_junk_folding_duplicates() -> None:
    message = parse(
        "From: x@y.org\nSubject: s\nMessage-ID:  < spaced@id.org >\n"
        "In-Reply-To: Your message of Tue, 1 Mar <first@h.org> (sic) <second@h.org>\n"
        "References: <r1@h.org> junk text <r2\n @h.org> <r1@h.org> <no-at-sign> \"<r3@h.org>\"\n\nb\n")
    assert message.message_id == "spaced@id.org"
    assert message.in_reply_to == "second@h.org"
    assert message.references == ["r1@h.org", "r2@h.org", "r3@h.org"]


def test_references_capped_at_most_recent_thousand() -> None:
    ids = " ".join(f"<r{i}@h.org>" for i in range(1500))
    refs = parse_references([ids])
    assert len(refs) == 1000
    assert refs[0] == "r500@h.org" and refs[-1] == "r1499@h.org"


def test_in_reply_to_forms() -> None:
    assert parse_in_reply_to("<a@b>") == "a@b"
    assert parse_in_reply_to("a@b.org") == "a@b.org"
    assert parse_in_reply_to("<only-token>") == "only-token"
    assert parse_in_reply_to("no id here") is None
    assert parse_in_reply_to(None) is None


@pytest.mark.parametrize(("charset", "text"), [
    ("iso-8859-1", "Grüße aus Köln"),
    ("windows-1252", "“Quoted” – dash"),
    ("koi8-r", "Привет"),
    ("shift_jis", "こんにちは"),
    ("gb2312", "你好"),
])
def test_non_utf8_charsets(charset: str, text: str) -> None:
    data = (f"From: x@y.org\nSubject: s\nContent-Type: text/plain; charset={charset}\n"
            "Content-Transfer-Encoding: 8bit\n\n").encode() + text.encode(charset) + b"\n"
    message = parse(data)
    assert message.body.strip() == text
    assert message.defects == []


def test_unknown_charset_decodes_with_replacement_and_defect() -> None:
    data = b"From: x@y.org\nSubject: s\nContent-Type: text/plain; charset=x-made-up\n\ncaf\xe9 ok\n"
    message = parse(data)
    assert message.body.strip() == "caf\ufffd ok"
    assert "CharsetDecodeDefect" in message.defects
    message.body.encode("utf-8")


def test_undeclared_charset_8bit_body() -> None:
    message = parse(b"From: x@y.org\nSubject: s\n\nna\xefve\n")
    message.body.encode("utf-8")
    assert message.body.startswith("na")


def test_spamassassin_pseudo_header_is_dropped() -> None:
    data = (b"Forwarded: Wed, 09 Oct 2002 11:09:47 +0100\n"
            b"From: fork-admin@xent.com  Wed Oct  9 10:55:17 2002\n"
            b"Return-Path: <fork-admin@xent.com>\n"
            b"From: \"R. A. Hettinga\" <rah@shipwright.com>\nSubject: s\n\nb\n")
    message = parse(data)
    assert message.sender == Address("R. A. Hettinga", "rah@shipwright.com")
    stripped, envelope = strip_envelope_lines(data)
    assert envelope == "fork-admin@xent.com"
    assert b"fork-admin@xent.com  Wed" not in stripped


def test_pseudo_header_alone_still_names_the_sender() -> None:
    message = parse(b"From: list-admin@x.org  Thu Aug 22 12:46:39 2002\nSubject: s\n\nb\n")
    assert message.sender == Address(email="list-admin@x.org")
    assert "sender taken from the mbox separator line" in message.defects


def test_not_a_message_raises_parse_error() -> None:
    with pytest.raises(ParseError):
        parse(b"just some prose\nwithout headers\n")
    with pytest.raises(ParseError):
        parse(b"   \n")
    assert not looks_like_message(b"Hello: world\nNot: mail\n\n")
    assert looks_like_message(b"X-Junk: 1\nSubject: hi\n\n")


def test_transport_headers_of_an_outlook_item() -> None:
    fields = parse_transport_headers(
        "Received: from a by b; Mon, 9 Dec 2013 15:06:50 +0100\r\nFrom: ht <support@example.com>\r\n"
        "Subject: test\r\nMessage-ID: <A2E2@example.com>\r\nDate: Mon, 9 Dec 2013 15:06:48 +0100\r\n"
        "To: vale@example.it\r\nContent-Type: multipart/mixed; boundary=x\r\n\x00")
    assert fields.sender == Address("ht", "support@example.com")
    assert fields.to == [Address("", "vale@example.it")]
    assert fields.message_id == "A2E2@example.com"
    assert fields.date == datetime(2013, 12, 9, 14, 6, 48, tzinfo=UTC)
    assert fields.defects == []


def test_html_to_text_on_broken_markup() -> None:
    assert html_to_text("<div>unclosed <b>bold <p>para<table><tr><td>a<td>b</table>&copy; 2011 &bogus;") == \
        "unclosed bold\npara\n\na b\n\n© 2011 &bogus;"
    assert html_to_text("") == ""
    assert html_to_text("<<<>>><a href='mailto:x@y.org'>x@y.org</a>") == "<<<>>>x@y.org"
    assert html_to_text("<ol><li>first<li>second</ol>") == "1. first\n2. second"


def test_seven_bit_iso_2022_jp_body_is_decoded():
    body = "Steven さん\n\n住民向けお知らせの日本語訳です。\n".encode("iso2022_jp")
    data = (
        b'From: "Tanaka, Yuki" <yuki.tanaka@sccgov.org>\r\nTo: steven.park@sccgov.org\r\n'
        b"Subject: test\r\nDate: Fri, 1 Apr 2011 14:00:00 -0700\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="iso-2022-jp"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n' + body
    )
    message = parse_rfc822(data, Source("x.eml"))
    assert "\x1b" not in message.body
    assert "住民向けお知らせの日本語訳です。" in message.body


def test_folded_subject_is_unfolded_to_one_line():
    data = b"From: a@example.org\r\nSubject: [bold\r\n red] weekly\r\n  statistics\r\nDate: Fri, 1 Apr 2011 14:00:00 -0700\r\n\r\nbody\r\n"
    assert parse_rfc822(data, Source("x.eml")).subject == "[bold red] weekly statistics"


def test_envelope_lines_are_stripped_the_same_on_every_call() -> None:
    """The last answer is kept for the same bytes object (the kind check, then the parser):
    other bytes, equal or not, are read afresh."""
    from foiatool.mail.parse import strip_envelope_lines

    mangled = b"From: sender@example.org  Tue Mar  1 10:00:00 2011\nFrom: Real <real@example.org>\nSubject: x\n\nbody\n"
    plain = b"From: Real <real@example.org>\nSubject: y\n\nbody\n"
    first = strip_envelope_lines(mangled)
    assert first == (b"From: Real <real@example.org>\nSubject: x\n\nbody\n", "sender@example.org")
    assert strip_envelope_lines(mangled) is first
    assert strip_envelope_lines(plain) == (plain, "")
    assert strip_envelope_lines(bytes(bytearray(mangled))) == first
    assert strip_envelope_lines(b"\n\n" + plain) == (plain, "")


def test_a_header_block_stops_where_the_first_other_line_begins(corpora) -> None:
    """The block is matched line by line; it stops at the first line start that is neither a field
    nor a continuation (what a search at every line start finds), on every file of the corpora and
    on generated bytes."""
    import random
    import re

    from foiatool.mail import parse

    at_line_starts = re.compile(rb"^(?![ \t]|[\x21-\x39\x3b-\x7e]{1,200}[ \t]*:)", re.MULTILINE)
    rng = random.Random(3)
    pieces = [b"a", b"B", b":", b" ", b"\t", b"\n", b"\r\n", b"From", b"x-y", b"\x80", b"\n\n", b"::", b"-", b"a" * 199]
    bodies = [p.read_bytes()[:65536] for p in sorted(corpora.rglob("*")) if p.is_file()]
    bodies += [b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(20000)]
    for body in bodies:
        found = at_line_starts.search(body)
        assert parse._BLOCK_LINES.match(body).end() == (found.start() if found else len(body)), body[:300]
