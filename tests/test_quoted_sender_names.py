"""Recovered messages (rebuilt from quoted history) carry the sender's name only: the real command on real bytes."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_index_incremental import foiatool

from foiatool.mail.quoting import split_quoted
from foiatool.model import Address

# (attribution or quoted From: line as mail clients and list archives wrote it, the sender it names)
ATTRIBUTIONS = [
    (">>Hal DeVore said:", Address(name="Hal DeVore")),
    ("Once upon a time, Joshua wrote :", Address(name="Joshua")),
    ('Once upon a time, ""Angles" wrote :', Address(name="Angles")),
    ("Anyway, Matthias wrote:", Address(name="Matthias")),
    ('>>>> "CW" == Carlo Wood <carlo@alinoe.com> writes:', Address(name="Carlo Wood", email="carlo@alinoe.com")),
    ('>>>>> On Tue, 8 Oct 2002, "Dag" == Dag Nygren <dag@newtech.fi> writes:',
     Address(name="Dag Nygren", email="dag@newtech.fi")),
    ("DQ> (Justin Mason) writes:", Address(name="Justin Mason")),
    ("On Thursday, Sep 19, 2002, at 14:51 Europe/London, Bill Kearney wrote:", Address(name="Bill Kearney")),
    ("%{!Thu, Sep 05, 2002 at 3:55:16PM +0100}, Darragh wrote:", Address(name="Darragh")),
    ("In a message dated 9/23/2002 6:30:31 PM, khare@alumni.caltech.edu writes:",
     Address(email="khare@alumni.caltech.edu")),
    ("CO> On Sat, 21 Sep 2002, bitbitch@magnesium.net wrote:", Address(email="bitbitch@magnesium.net")),
    ("kevin lyda wrote:", Address(name="kevin lyda")),
    ("Declan de Lacy Murphy wrote:", Address(name="Declan de Lacy Murphy")),
]
# Attributions that name nobody: a pronoun, a phrase.
NO_NAME = ["I wrote:", "In detail, he wrote:", "A guy who models plasma all day... wrote:"]
# Outlook header blocks: the "[mailto:...]" goes, its address stays; a delegate's line keeps the sender.
HEADER_FROM = [
    ("Alec Ross [mailto:", Address(name="Alec Ross")),
    ("Saif Khan [mailto:skhan@state.gov]", Address(name="Saif Khan", email="skhan@state.gov")),
    ("Stanger, Allison [mailto", Address(name="Stanger, Allison")),
    ("fork-admin@xent.com [mailto:fork-admin@xent.com]On Behalf Of Tom", Address(email="fork-admin@xent.com")),
    ("Ellen Clary ( )", Address(name="Ellen Clary")),
    # OCR of released printouts: a parenthesis for the bracket, the redacted address left as "_ _"
    ("H (mailto:HDR22@clintonemail.com]", Address(name="H", email="hdr22@clintonemail.com")),
    ("Shervin Pishevar [mailto _ _", Address(name="Shervin Pishevar")),
]
# What is never part of a name ("Clayton, Nik [IT]" is a name: Outlook shows departments so).
JUNK = re.compile(r">|\[\s*mailto|mailto:|\[\s*\]|\(\s*\)|==|[Oo]n [Bb]ehalf|[Oo]nce upon|In a message|In detail|\.\.\.|^(?:I|he)$|Europe/|%\{")


def _reply(line: str, n: int = 0) -> str:
    return f"Agreed, let us talk on Monday.\n\n{line}\n> The budget figures ({n}) are in the shared folder.\n> Please check them.\n"


def _outlook_reply(sender: str, n: int = 0) -> str:
    return ("Agreed, let us talk on Monday.\n\n-----Original Message-----\n"
            f"From: {sender}\nSent: March {n + 1:02d}, 2011 9:12 AM\nTo: Bob Ortiz\nSubject: budget {n}\n\n"
            f"The budget figures ({n}) are in the shared folder.\n")


@pytest.mark.parametrize("line, sender", ATTRIBUTIONS)
def test_an_attribution_gives_the_name_only(line: str, sender: Address) -> None:
    [quoted] = split_quoted(_reply(line)).quoted
    assert quoted.sender == sender


@pytest.mark.parametrize("line", NO_NAME)
def test_an_attribution_naming_nobody_gives_no_sender(line: str) -> None:
    [quoted] = split_quoted(_reply(line)).quoted
    assert quoted.sender is None


@pytest.mark.parametrize("value, sender", HEADER_FROM)
def test_a_quoted_outlook_from_line_gives_the_name_and_keeps_the_address(value: str, sender: Address) -> None:
    [quoted] = split_quoted(_outlook_reply(value)).quoted
    assert quoted.sender == sender


def test_last_first_stays_a_name() -> None:
    [quoted] = split_quoted(_reply("Rose, Bobby wrote:")).quoted
    assert quoted.sender == Address(name="Rose, Bobby")


def _eml(i: int, body: str) -> bytes:
    return (f"From: Bob Ortiz <bob.ortiz@county.gov>\nTo: clerk@county.gov\nSubject: reply {i}\n"
            f"Date: Tue, 15 Mar 2011 1{i % 10}:00:00 -0500\nMessage-ID: <reply{i}@county.gov>\n\n{body}").encode()


def test_recovered_senders_and_people_have_clean_names(tmp_path: Path) -> None:
    dump = tmp_path / "dump"
    dump.mkdir()
    lines = [line for line, _ in ATTRIBUTIONS] + NO_NAME
    bodies = [_reply(line, n) for n, line in enumerate(lines)]
    bodies += [_outlook_reply(value, n) for n, (value, _) in enumerate(HEADER_FROM)]
    for i, body in enumerate(bodies):
        (dump / f"reply {i:02d}.eml").write_bytes(_eml(i, body))
    db = tmp_path / "index.sqlite"
    foiatool("index", dump, "--db", db, "-q")
    rows = [json.loads(line) for line in foiatool("messages", "--db", db, "--recovered", "-f", "ndjson").stdout.splitlines()]
    recovered = [r for r in rows if r["recovered"]]
    # one recovered message per quote that names a sender; a quote naming nobody, with no date, stays a quote
    assert len(recovered) == len(ATTRIBUTIONS) + len(HEADER_FROM)
    got = {((r["from"] or {}).get("name", ""), (r["from"] or {}).get("email", "")) for r in recovered}
    assert got == {(s.name, s.email) for _, s in ATTRIBUTIONS + HEADER_FROM}
    names = {name for name, _ in got}
    assert not [n for n in names if JUNK.search(n)], names
    people = foiatool("people", "--db", db, "--format", "tsv").stdout.splitlines()
    shown = [line.split("\t")[1] for line in people[1:]]
    assert "Hal DeVore" in shown and "Carlo Wood" in shown
    assert not [n for n in shown if JUNK.search(n)], shown


@pytest.mark.corpora
def test_spamassassin_ham_recovers_no_junk_sender_names(corpora: Path, tmp_path: Path) -> None:
    ham = corpora / "spamassassin-ham"
    if not ham.is_dir():
        pytest.skip("spamassassin-ham corpus absent")
    db = tmp_path / "ham.sqlite"
    foiatool("index", ham, "--db", db, "-q")
    rows = [json.loads(line) for line in foiatool("messages", "--db", db, "--recovered", "-f", "ndjson").stdout.splitlines()]
    names = [(r["from"] or {}).get("name", "") for r in rows if r["recovered"]]
    assert len(names) > 250
    assert not [n for n in names if JUNK.search(n)], sorted(n for n in names if JUNK.search(n))
    # the cleaned names are still there, not dropped with the junk
    assert {"Hal DeVore", "Carlo Wood", "Joshua", "Bill Kearney"} <= set(names)
