"""Fuzz targets: every reader (through read_bytes) and the text analysers on hostile input.

Short under ``make test``; ``make fuzz`` runs them long (FOIATOOL_FUZZ_EXAMPLES=20000).
Whatever a reader yields must also go through enrichment and into the index, since a
message that cannot be stored is as lost as one that was never read.
"""
from __future__ import annotations

import bz2
import gzip
import lzma
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from archivemaker import tar_of, zip_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foiatool.index import store
from foiatool.mail.addresses import parse_address_list
from foiatool.mail.dates import parse_date
from foiatool.mail.marks.redactions import find_redactions
from foiatool.mail.quoting import split_quoted
from foiatool.model import Address, Document, Message, Problem
from foiatool.refresh.ingest import enrich
from foiatool.sources import read_bytes

EXAMPLES = int(os.environ.get("FOIATOOL_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])

PATH = "/fuzz/input.bin"

EML = (b"From: \"Lee, Ann\" <ann.lee@agency.gov>\nTo: bob@county.gov, (b)(6); \"Ortiz, Bob\" <bob@x.org>\n"
       b"Cc: =?utf-8?q?Ren=C3=A9e?= <renee@x.org>\nSubject: =?iso-8859-1?q?R=E9union?= RE: FW: plan\n"
       b"Date: Tue, 01 Mar 2011 10:00:00 -0500\nMessage-ID: <a1@agency.gov>\nIn-Reply-To: <a0@agency.gov>\n"
       b"References: <r@x> <a0@agency.gov>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n"
       b"--B\nContent-Type: multipart/alternative; boundary=\"C\"\n\n--C\nContent-Type: text/plain; charset=utf-8\n"
       b"Content-Transfer-Encoding: quoted-printable\n\nNew text (b)(6) here.=0A\n\n-----Original Message-----\n"
       b"From: Ortiz, Bob\nSent: Monday, February 28, 2011 4:12 PM\nTo: Lee, Ann\nSubject: plan\n\n> older\n"
       b"--C\nContent-Type: text/html; charset=windows-1252\n\n<p>caf\xe9 <b>bold</b></p>\n--C--\n"
       b"--B\nContent-Type: application/pdf; name=\"memo.pdf\"\nContent-Transfer-Encoding: base64\n\n"
       b"JVBERi0xLjQK\n--B--\n")
MBOX = (b"From ann@agency.gov Tue Mar  1 10:00:00 2011\n" + EML + b"\n"
        b"From bob@county.gov Tue Mar  1 10:00:01 2011\nFrom: bob@county.gov\nSubject: two\n\n>From escaped\nbody\n\n")


def _pdf() -> bytes:
    from pdfmaker import PrintedEmail, release_pdf

    return release_pdf([PrintedEmail(sender="Lee, Ann", date="Tuesday, March 01, 2011 10:00 AM",
                                     subject="Plan", to="Ortiz, Bob", body="Please see (b)(6).\nThanks.")])


def _corpus_file(*names: str) -> bytes | None:
    root = Path(os.environ.get("FOIATOOL_CORPORA") or Path(__file__).resolve().parents[2] / "shared" / "corpora")
    for name in names:
        path = root / name
        if path.is_file() and path.stat().st_size < 400_000:
            return path.read_bytes()
    return None


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SEEDS: dict[str, bytes] = {
    "eml": EML,
    "mbox": MBOX,
    "zip": zip_of({"a/one.eml": EML, "box.mbox": MBOX, "inner.zip": zip_of({"deep.eml": EML})}),
    "tar": tar_of({"one.eml": EML, "../escape.eml": EML}, symlinks={"link.eml": "/etc/passwd"}),
    "gzip": gzip.compress(MBOX),
    "bzip2": bz2.compress(EML),
    "xz": lzma.compress(tar_of({"x.eml": EML}, symlinks={"link.eml": "/etc/passwd"})),
    "msg": _corpus_file("outlook-msg-perl/plain_uc_unsent.msg", "msg-extractor/strangeDate.msg")
           or OLE_MAGIC + bytes(504) + EML,
    "pst": _corpus_file("go-pst/32-bit.pst") or b"!BDN" + bytes(508) + EML,
    "pdf": _pdf(),
}


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(0, 5))):
        action = draw(st.sampled_from(["truncate", "flip", "nul", "splice", "repeat", "crlf", "overwrite"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if action == "truncate":
            del data[at:]
        elif action == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif action == "nul":
            data[at:at] = b"\x00" * draw(st.integers(1, 16))
        elif action == "splice":
            data[at:at] = draw(st.binary(max_size=64))
        elif action == "repeat":
            end = draw(st.integers(at, min(len(data), at + 256)))
            data[at:at] = data[at:end] * draw(st.integers(1, 20))
        elif action == "crlf":
            data = bytearray(bytes(data).replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\n\r"]))))
        else:
            chunk = draw(st.binary(min_size=1, max_size=16))
            data[at:at + len(chunk)] = chunk
    return bytes(data)


_DB: list[sqlite3.Connection] = []


def _index() -> sqlite3.Connection:
    if not _DB:
        _DB.append(store.connect(":memory:"))
    return _DB[0]


def check_items(data: bytes, locator: str = "", *, may_be_silent: bool = False) -> list[Message | Problem]:
    """Read ``data``; every item is a Message or a Problem, and every message can be enriched and stored."""
    items = list(read_bytes(data, PATH, locator))
    assert items or may_be_silent, "a non-empty input always gives a message or a problem"
    conn = _index()
    conn.execute("SAVEPOINT fuzz")
    try:
        for item in items:
            assert isinstance(item, (Message, Problem, Document)), item
            if isinstance(item, Problem):
                assert item.path == PATH and item.reason
                continue
            if isinstance(item, Document):
                # a released document that holds no email is a record of its own (issue #13), never a message
                assert item.source.path == PATH
                store.insert_document(conn, item, 1)
                continue
            assert item.sources and item.sources[0].path == PATH
            # a printed date without a year takes it from its context ("year-inferred", issue #13)
            assert item.date is None or (item.date.tzinfo is not None and item.date_status in ("ok", "guessed", "year-inferred"))
            store.insert_message(conn, store.prepare_rows(enrich(item)), 1)
    finally:
        conn.execute("ROLLBACK TO fuzz")
        conn.execute("RELEASE fuzz")
    return items


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_fuzz_seed_is_read(kind: str) -> None:
    """Each unmutated seed reaches its reader and gives at least one message."""
    if kind in ("msg", "pst") and not SEEDS[kind].startswith((OLE_MAGIC + bytes(8), b"!BDN" + bytes(8))):
        assert any(isinstance(i, Message) for i in check_items(SEEDS[kind]))
    elif kind not in ("msg", "pst"):
        assert any(isinstance(i, Message) for i in check_items(SEEDS[kind])), kind


def _reader_target(kind: str):
    @FUZZ
    @given(data=mutated(SEEDS[kind]))
    def target(data: bytes) -> None:
        if data:
            # A PDF without a printed email, or a PST whose folder list cannot be read, yields
            # nothing at the reader level; the indexer lists such a file as a problem (test_bad_input).
            check_items(data, may_be_silent=kind in ("pdf", "pst"))
        else:
            assert list(read_bytes(data, PATH, "zip:x")) == [Problem(PATH, "zip:x", "empty file")]

    target.__name__ = f"test_fuzz_reader_{kind}"
    return target


for _kind in SEEDS:
    globals()[f"test_fuzz_reader_{_kind}"] = _reader_target(_kind)


HEADER_NAMES = st.sampled_from(["From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "In-Reply-To",
                                "References", "Content-Type", "Content-Transfer-Encoding", "MIME-Version",
                                "Received", "X-\x00", "from", "TO", "Content-Disposition"])
HOSTILE_TEXT = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["=?utf-8?b?!!!?=", "=?x-unknown?q?caf=E9?=", "=?utf-8?q?", "multipart/mixed; boundary=",
                     "multipart/mixed; boundary=\"B\"", "text/plain; charset=\"utf-99\"", "base64", "quoted-printable",
                     "<a@b> <a@b> <c@d", "(b)(6)", "\"Lee, Ann\" <ann@x.org>", "Tue, 01 Mar 0000 10:00:00 -0500",
                     "undisclosed-recipients:;", "<>", "\x00", "\r", "a" * 5000]),
)


@st.composite
def structured_message(draw: st.DrawFn) -> bytes:
    headers = draw(st.lists(st.tuples(HEADER_NAMES, HOSTILE_TEXT), min_size=1, max_size=12))
    body = draw(st.one_of(st.text(max_size=300), st.sampled_from(["--B\n\nx\n--B--\n", "--B\n" * 50, "=\n=3D=ZZ"])))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(f"{name}: {value}" for name, value in headers) + newline * 2 + body
    return text.encode("utf-8", "surrogatepass")


@FUZZ
@given(structured_message())
def test_fuzz_structured_messages(data: bytes) -> None:
    check_items(data)
    check_items(b"From x@y Tue Mar  1 10:00:00 2011\n" + data + b"\n\n" + b"From x@y Tue Mar  1 10:00:00 2011\n" + data)


@FUZZ
@given(st.binary(max_size=4096))
def test_fuzz_random_bytes(data: bytes) -> None:
    if data:
        check_items(data, "zip:random")


# --------------------------------------------------------------------------- text analysers

QUOTE_LINES = st.sampled_from([
    "-----Original Message-----", "From: Lee, Ann", "Sent: Monday, February 28, 2011 4:12 PM", "To: (b)(6)",
    "Subject: RE: plan", "On Mon, Mar 7, 2011 at 4:12 PM, Ann <a@x.org> wrote:", "> quoted", ">> deeper",
    "> > > spaced", "---------- Forwarded message ---------", "Date: 2011-03-07", "", "   ", "Thanks,", "-- ",
    ">" * 200, "From: " + "x" * 300,
])


@FUZZ
@given(st.lists(st.one_of(QUOTE_LINES, st.text(max_size=60)), max_size=60))
def test_fuzz_split_quoted(lines: list[str]) -> None:
    text = "\n".join(lines)
    split = split_quoted(text)
    assert isinstance(split.new_text, str) and isinstance(split.quoted_text, str)
    for quoted in split.quoted:
        assert quoted.date is None or quoted.date.tzinfo is not None
        assert quoted.date_status in ("ok", "guessed", "missing")


@FUZZ
@given(st.one_of(st.text(max_size=400), st.lists(st.sampled_from(
    ["(b)(6)", "(b)(7)(C)", "(b) (6)", "b6", "[REDACTED]", "████", "(b)(", "(b)(6", "Exemption 6", "XXXXXXXX",
     "[withheld]", "(b)(6),(b)(7)(C)", "§ 6254(c)", "CPRA", " ", "\n", "(", ")", "[", "]"]), max_size=60).map("".join)))
def test_fuzz_find_redactions(text: str) -> None:
    previous_end = 0
    for mark in find_redactions(text):
        assert 0 <= mark.start < mark.end <= len(text)
        assert text[mark.start:mark.end] == mark.text
        assert mark.start >= previous_end, "marks are in order and do not overlap"
        previous_end = mark.end
        assert mark.code and mark.family


@FUZZ
@given(st.one_of(st.text(max_size=300), st.lists(st.sampled_from(
    ["Lee, Ann", "<ann@x.org>", "\"Ortiz, Bob\"", "(b)(6)", ";", ",", "[mailto:a@b.c]", "'", "\"", "<", ">", "@",
     "undisclosed-recipients:;", "=?utf-8?q?R=C3=A9n?=", " ", "Group: a@b.c, c@d.e;", "\\"]), max_size=40).map("".join)))
def test_fuzz_parse_address_list(text: str) -> None:
    for address in parse_address_list(text):
        assert isinstance(address, Address)
        assert address.name or address.email or address.redacted
        assert address.email == address.email.lower()


@st.composite
def rfc_like_date(draw: st.DrawFn) -> str:
    day = draw(st.integers(0, 99))
    month = draw(st.sampled_from(["Jan", "Feb", "Mar", "Dec", "Foo", "03", ""]))
    year = draw(st.sampled_from(["0", "0000", "0001", "1969", "1970", "2011", "2099", "2100", "9998", "99999", "11"]))
    clock = draw(st.sampled_from(["10:00:00", "23:59:59", "24:00", "99:99:99", "0:0", "12:00 PM", ""]))
    zone = draw(st.sampled_from(["-0500", "+0000", "+1400", "-1200", "+9999", "-0000", "EST", "GMT", "XYZ", ""]))
    weekday = draw(st.sampled_from(["Tue, ", "", "Xyz, "]))
    return f"{weekday}{day} {month} {year} {clock} {zone}".strip()


@FUZZ
@given(st.one_of(rfc_like_date(), st.text(max_size=120)))
def test_fuzz_parse_date(text: str) -> None:
    value, status = parse_date(text)
    if value is None:
        assert status == "missing"
    else:
        assert status in ("ok", "guessed")
        assert value.tzinfo is not None and value.utcoffset().total_seconds() == 0
        assert datetime(1970, 1, 1, tzinfo=UTC) <= value < datetime(2100, 1, 1, tzinfo=UTC)
