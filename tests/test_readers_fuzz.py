"""Random and mutated bytes through read_bytes: nothing escapes, every input is accounted for."""
from __future__ import annotations

from archivemaker import zip_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foiatool.model import Document, Message, Problem
from foiatool.sources import read_bytes

SEEDS = [
    b"From: Ann Lee <ann@example.org>\nTo: bob@example.org, (b)(6)\nSubject: =?utf-8?q?caf=C3=A9?=\n"
    b"Date: Tue, 01 Mar 2011 10:00:00 -0500\nMessage-ID: <a1@example.org>\nReferences: <r@x> <s@y>\n\nHello\n",
    b"From a@b.c Tue Mar  1 10:00:00 2011\nFrom: a@b.c\nSubject: one\n\nbody\n>From escaped\n\n"
    b"From a@b.c Tue Mar  1 10:00:01 2011\nFrom: a@b.c\nSubject: two\n\nbody two\n",
    b"From: x@y.org\nSubject: s\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/html; "
    b"charset=x-unknown\n\n<p>caf\xe9<br>ok</p>\n--B\nContent-Type: application/pdf; name=a.pdf\n"
    b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--B--\n",
    b"From: fork-admin@xent.com  Thu Aug 22 12:46:39 2002\nReturn-Path: <a@b>\nFrom: Real <real@x.org>\n"
    b"Subject: trap\n\nbody\n",
]


SEEDS.append(zip_of({"inner.eml": SEEDS[0], "box.mbox": b"From a@b Tue Mar  1 10:00:00 2011\n" + SEEDS[0]}))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["truncate", "flip", "nul", "from_line", "splice", "dup"]))
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        if action == "truncate":
            del data[position:]
        elif action == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif action == "nul":
            data[position:position] = b"\x00" * draw(st.integers(1, 8))
        elif action == "from_line":
            data[position:position] = b"\nFrom someone@x.org Wed Mar  2 11:00:00 2011\n"
        elif action == "splice":
            data[position:position] = draw(st.binary(max_size=64))
        else:
            data[position:position] = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


def _check(data: bytes) -> None:
    items = list(read_bytes(data, "/fuzz/input", "zip:fuzz.eml", depth=1))
    for item in items:
        assert isinstance(item, (Message, Problem, Document))
        if isinstance(item, Message):
            item.body.encode("utf-8")
            item.subject.encode("utf-8")
            assert item.sources and item.sources[0].path == "/fuzz/input"
    if not data:
        assert items == [Problem("/fuzz/input", "zip:fuzz.eml", "empty file")]
    else:
        assert items, "every non-empty input gives a message or a problem"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_messages_never_raise(data: bytes) -> None:
    _check(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_never_raise(data: bytes) -> None:
    _check(data)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"!BDN", b"\x1f\x8b\x08", b"%PDF-1.4\n",
                        b"BZh9", b"\xfd7zXZ\x00", b"From a@b Tue Mar  1 10:00:00 2011\n"]),
       st.binary(max_size=1024))
def test_format_magic_followed_by_junk(magic: bytes, tail: bytes) -> None:
    _check(magic + tail)
