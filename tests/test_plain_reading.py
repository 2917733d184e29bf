"""The plain-message reading (standard library only) gives exactly mail-parser's answers, and is taken only for plain mail."""
from __future__ import annotations

import email
import random
from dataclasses import asdict
from pathlib import Path

import pytest

from foiatool.mail import parse, plain
from foiatool.model import Source

PLAIN = (b"From: Alice Smith <Alice.Smith@Example.com>\nTo: dev@lists.example.org, \"Bob Jones\" <bob@example.net>\n"
         b"Subject: Re: weekly\n build report\nDate: Tue, 01 Jan 2019 10:38:22 +0000\nMessage-ID: <1.a@example.com>\n"
         b"In-Reply-To: <0.b@example.com>\nReferences: <0.a@example.com>\n <0.b@example.com>\n\n"
         b"On Tue, someone wrote:\n> the build\n\nIt works now.\r\n\n")
NOT_PLAIN = {
    "encoded subject": PLAIN.replace(b"Subject: Re: weekly", b"Subject: =?utf-8?q?caf=C3=A9?="),
    "8-bit body not in its charset": PLAIN.replace(b"It works now.", "Ça marche.".encode("cp1252")),
    "8-bit body in an unknown charset": PLAIN.replace(b"\n\nOn Tue", b"\nContent-Type: text/plain; charset=x-mac-unknown\n\nOn Tue")
    .replace(b"It works now.", "Ça marche.".encode()),
    "multipart": PLAIN.replace(b"\n\nOn Tue", b"\nContent-Type: multipart/mixed; boundary=x\n\n--x\n\nOn Tue") + b"--x--\n",
    "base64": PLAIN.replace(b"\n\nOn Tue", b"\nContent-Transfer-Encoding: base64\n\nOn Tue"),
    "address with a comment": PLAIN.replace(b"To: dev@lists", b"To: (list) dev@lists"),
    "delivered-to phrase": PLAIN.replace(b"Subject:", b"Delivered-To: mailing list dev@lists.example.org\nSubject:"),
    "no date timezone": PLAIN.replace(b"10:38:22 +0000", b"10:38:22"),
    "attached text part": PLAIN.replace(b"\n\nOn Tue", b"\nContent-Disposition: inline; filename=notes.txt\n\nOn Tue"),
    "named text part": PLAIN.replace(b"\n\nOn Tue", b"\nContent-Type: text/plain; name=notes.txt\n\nOn Tue"),
    "RFC 2231 parameter": PLAIN.replace(b"\n\nOn Tue", b"\nContent-Type: text/plain; charset*=us-ascii'en'x\n\nOn Tue"),
}
# A 7-bit ASCII text part reads the same whatever its parameters say of the charset.
PLAIN_TYPES = ["text/plain; encoding=utf-8", 'text/plain; charset="Windows-1252"; format=flowed',
               "text/plain; delsp=yes; charset=US-ASCII; format=flowed", "TEXT/PLAIN; charset=iso-8859-15;"]


def _both(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, dict]:
    out = []
    for fast in (True, False):
        monkeypatch.setattr(parse, "_FAST_PATH", fast)
        fields = asdict(parse.parse_rfc822(data, Source(path="m.eml", locator="", kind="eml")))
        out.append(fields)
    return out[0], out[1]


def test_plain_message_is_read_without_mail_parser_and_gives_its_answers(monkeypatch):
    assert plain.plain_reading(email.message_from_bytes(PLAIN)) is not None
    fast, slow = _both(PLAIN, monkeypatch)
    assert fast == slow
    assert fast["subject"] == "Re: weekly build report"
    assert [a["email"] for a in fast["to"]] == ["dev@lists.example.org", "bob@example.net"]
    assert (fast["sender"]["name"], fast["sender"]["email"]) == ("Alice Smith", "alice.smith@example.com")
    assert fast["references"] == ["0.a@example.com", "0.b@example.com"]
    assert fast["body"] == "On Tue, someone wrote:\n> the build\n\nIt works now."


@pytest.mark.parametrize("content_type", PLAIN_TYPES)
def test_text_parameters_keep_the_plain_reading(content_type, monkeypatch):
    data = PLAIN.replace(b"\n\nOn Tue", f"\nContent-Type: {content_type}\n\nOn Tue".encode())
    assert plain.plain_reading(email.message_from_bytes(data)) is not None
    fast, slow = _both(data, monkeypatch)
    assert fast == slow


@pytest.mark.parametrize(("charset", "codec"), [("", "utf-8"), ("; charset=windows-1252", "cp1252"),
                                              ("; charset=ISO-8859-1", "latin-1"), ('; charset="utf-8"', "utf-8")])
def test_8_bit_text_in_its_declared_charset_keeps_the_plain_reading(charset, codec, monkeypatch):
    # mail-parser decodes such a body with its charset (UTF-8 when none is declared), as this does
    data = PLAIN.replace(b"\n\nOn Tue", f"\nContent-Type: text/plain{charset}\nContent-Transfer-Encoding: 8bit\n\nOn Tue".encode())
    data = data.replace(b"It works now.", "Ça marche, naïve “quotes”.".encode(codec, "replace"))
    assert plain.plain_reading(email.message_from_bytes(data)) is not None
    fast, slow = _both(data, monkeypatch)
    assert fast == slow
    assert "a marche, na" in fast["body"] and fast["defects"] == []


def test_an_inline_disposition_keeps_the_plain_reading(monkeypatch):
    data = PLAIN.replace(b"\n\nOn Tue", b"\nContent-Disposition: INLINE \n\nOn Tue")
    assert plain.plain_reading(email.message_from_bytes(data)) is not None
    fast, slow = _both(data, monkeypatch)
    assert fast == slow


def test_older_address_forms_keep_the_plain_reading(monkeypatch):
    data = PLAIN.replace(b"From: Alice Smith <Alice.Smith@Example.com>", b"From: alice@example.com (Alice  Smith)")
    data = data.replace(b'"Bob Jones" <bob@example.net>', b"Bob  Jones <bob@example.net>, carol@example.org ()")
    assert plain.plain_reading(email.message_from_bytes(data)) is not None
    fast, slow = _both(data, monkeypatch)
    assert fast == slow
    assert fast["sender"]["name"] == "Alice  Smith"  # a comment is kept as written
    assert [a["name"] for a in fast["to"]] == ["", "Bob Jones", ""]  # a phrase is words


def test_generated_address_lists_read_the_same_both_ways(monkeypatch):
    """Mailboxes in every form the plain reading takes, with names of spaces, dots, quotes and
    digits, under text/plain parameters of every kind: both readings agree on each message."""
    rng = random.Random(7)

    def mailbox() -> str:
        addr = rng.choice(["a@b.com", "Skip.M@Pobox.COM", "x+y=z/w@d-e.org", "A@B"])
        name = "".join(rng.choice(["A", "a", "B", "z", "0", "9", "'", " ", "  ", ".", "-"]) for _ in range(rng.randint(0, 6)))
        return rng.choice([addr, f"{addr} ({name})", f"{addr}({name})", f"{name} <{addr}>", f'"{name}" <{addr}>',
                           f" {addr} ( {name} ) "])

    types = ["text/plain", "text/plain; encoding=utf-8", 'text/plain; charset="utf-16"', "text/plain; charset=utf-7",
             "text/plain;charset=x-unknown; format=fixed", 'text/plain; charset=""', "text/plain; charset = us-ascii"]
    taken = 0
    for _ in range(400):
        lists = [",".join(mailbox() for _ in range(rng.randint(1, 3))) for _ in range(2)]
        data = (f"From: {mailbox()}\nTo: {lists[0]}\nCc: {lists[1]}\nDelivered-To: {mailbox()}\nSubject: x\n"
                f"Date: Tue, 01 Jan 2019 10:38:22 +0000\nContent-Type: {rng.choice(types)}\n\n+AGEAYgBj- body\n").encode()
        taken += plain.plain_reading(email.message_from_bytes(data)) is not None
        fast, slow = _both(data, monkeypatch)
        assert fast == slow, data
    assert taken >= 80


@pytest.mark.parametrize("name", sorted(NOT_PLAIN))
def test_anything_else_goes_to_mail_parser_with_the_same_answers(name, monkeypatch):
    data = NOT_PLAIN[name]
    assert plain.plain_reading(email.message_from_bytes(data)) is None
    fast, slow = _both(data, monkeypatch)
    assert fast == slow


def test_every_sample_and_test_message_reads_the_same_both_ways(monkeypatch):
    root = Path(__file__).resolve().parent.parent
    files = [p for d in ("samples", "tests/data") for p in (root / d).rglob("*") if p.is_file() and p.suffix in (".eml", "")]
    compared = 0
    for path in files:
        data = path.read_bytes()
        try:
            fast, slow = _both(data, monkeypatch)
        except parse.ParseError:
            monkeypatch.setattr(parse, "_FAST_PATH", False)
            with pytest.raises(parse.ParseError):
                parse.parse_rfc822(data, Source(path=str(path), locator="", kind="eml"))
            continue
        assert fast == slow, path
        compared += 1
    assert compared >= 10


def _same_as_the_standard_library(data: bytes) -> bool | None:
    """None when quick_parse leaves ``data`` to the feed parser; else whether both parses agree."""
    quick = plain.quick_parse(data)
    if quick is None:
        return None
    full = email.message_from_bytes(data)
    return (list(quick.raw_items()) == list(full.raw_items()) and quick.get_payload() == full.get_payload()
            and quick.defects == full.defects == [] and not full.is_multipart()
            and plain.plain_reading(quick) == plain.plain_reading(full))


def test_quick_parse_is_the_standard_library_parse_or_stands_aside() -> None:
    plain_text = plain.quick_parse(PLAIN)
    assert plain_text is not None and plain_text["Subject"] == "Re: weekly\n build report"
    assert _same_as_the_standard_library(PLAIN)
    assert _same_as_the_standard_library(PLAIN.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    stands_aside = {
        "bare CR": PLAIN.replace(b"weekly\n", b"weekly\r"),
        "8-bit": PLAIN.replace(b"It works now.", "Ça marche.".encode()),
        "multipart": NOT_PLAIN["multipart"],
        "no blank line": PLAIN.split(b"\n\n")[0],
        "a line that is no header": PLAIN.replace(b"Subject:", b"Subject line without colon\nSubject:"),
        "continuation first": b" folded\n" + PLAIN,
        "form feed in a header": PLAIN.replace(b"Re: weekly", b"Re:\x0cweekly"),
        "message/rfc822": PLAIN.replace(b"\n\nOn Tue", b"\nContent-Type: message/rfc822\n\nOn Tue"),
    }
    for name, data in stands_aside.items():
        assert plain.quick_parse(data) is None, name
        assert plain.read_plain(data)[0] is not None, name


def test_quick_parse_agrees_on_every_real_message(corpora: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    folders = [root / "samples", root / "tests" / "data", corpora]
    agreed = 0
    for path in (p for folder in folders for p in folder.rglob("*") if p.is_file() and p.suffix in (".eml", "")):
        verdict = _same_as_the_standard_library(path.read_bytes())
        assert verdict is not False, path
        agreed += bool(verdict)
    assert agreed >= 2000


def test_generated_8_bit_bodies_read_the_same_both_ways(monkeypatch):
    """Bodies of 8-bit bytes and words in several scripts, under charsets that are ASCII-compatible,
    multi-byte, UTF-16/32, stateful or unknown, and every 7/8-bit transfer encoding: both readings agree."""
    rng = random.Random(11)
    charsets = ["", "; charset=utf-8", "; charset=windows-1252", "; charset=iso-8859-1", "; charset=utf-16",
                "; charset=utf-7", "; charset=koi8-r", "; charset=x-bogus", "; charset=ascii", "; charset=shift_jis",
                "; charset=iso-2022-jp", "; charset=utf-16-le", "; charset=big5", "; charset=utf-32"]
    encodings = ["", "Content-Transfer-Encoding: 8bit\n", "Content-Transfer-Encoding: 7bit\n", "Content-Transfer-Encoding: binary\n"]
    words = [w.encode(codec, "replace") for w in ["café", "naïve", "Ωμέγα", "Привет", "日本語", "ﬁ", "\u212b", "A\u030a", "豈"]
             for codec in ["utf-8", "cp1252", "latin-1", "koi8-r", "shift_jis", "utf-16-le"]]
    taken = 0
    for _ in range(600):
        body = b"".join(rng.choice(words) if rng.random() < 0.3 else
                        bytes([rng.randrange(256) if rng.random() < 0.2 else rng.choice(b"abc \n\r.")])
                        for _ in range(rng.randint(0, 40)))
        data = ("From: a@b.com\nTo: c@d.org\nSubject: x\nDate: Tue, 01 Jan 2019 10:38:22 +0000\nContent-Type: text/plain"
                + rng.choice(charsets) + "\n" + rng.choice(encodings) + "\n").encode() + body
        taken += plain.read_plain(data)[1] is not None
        fast, slow = _both(data, monkeypatch)
        assert fast == slow, data
    assert taken >= 100
