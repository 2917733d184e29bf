"""Marks the release printed beside header values and around the page: margin codes, classification
blocks wrapped over two lines, release stamps broken over lines, a From line the OCR damaged.

Header lines are short excerpts of real released documents (State Department Clinton release, case
F-2014-20439), spacing as pdftotext lays them out; the document number is named beside each.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import foiatool_exe

from foiatool.sources.printed.text import read_printed_text

BANNER = "UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. {doc} Date: 08/31/2015"


def _doc(doc: str, *lines: str) -> bytes:
    return "\n".join([BANNER.format(doc=doc), "", "", *lines, "", "", BANNER.format(doc=doc), ""]).encode()


def _read(doc: str, *lines: str) -> list:
    return list(read_printed_text(_doc(doc, *lines), f"/r/{doc}.txt"))


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(foiatool_exe()), *args], capture_output=True, text=True, check=True)


def test_a_margin_code_beside_the_subject_is_a_redaction_not_words() -> None:
    # C05771087
    message, = _read("C05771087",
                     "From:                        Abedin, Huma <AbedinH@state.gov>",
                     "Sent:                        Friday, May 14, 2010 10:02 AM",
                     "To:                          H",
                     "Subject:                     Out of Office AutoReply:           References                            B6",
                     "", "I am out of the office.")
    assert message.subject == "Out of Office AutoReply: References"
    assert "B6" in message.subject_redactions


def test_a_subject_that_is_only_a_code_is_empty_and_redacted() -> None:
    # C05778279: the subject redacted under B5, the edge of the box read as "1".
    message, = _read("C05778279",
                     "From:                            Sullivan, Jacob J <SullivanJJ@state.gov>",
                     "Sent:                            Tuesday, December 21, 2010 8:14 AM",
                     "To:                              H",
                     "Cc:                              *ake.sullivan                                                            B6",
                     "Subject:                                                                                                  B51",
                     "", "Fyi")
    assert message.subject == ""
    assert "B5" in message.subject_redactions
    # The code beside a Cc stays that field's redaction; the name keeps no code.
    assert [(a.name, a.redacted) for a in message.cc] == [("*ake.sullivan", "b6")]


def test_classification_text_and_reason_codes_beside_header_values_are_release_marks() -> None:
    # C05773844 (the block set in the margin of To and Subject), C05775511 (1.4(D) above a B1).
    message, = _read("C05773844",
                     "From:                               H <hrod17@clintonemail.com>",
                     "Sent:                               Wednesday, February 10, 2010 2:32 PM",
                     "To:                                'sullivanjj@state.gov'Classified by DAS, A/GIS, DoS on 07/30/2015 \u2014 Class: CONFIDENTIAL",
                     "Subject:                           Re: Iran              \u2014 Reason: 1.4(B), 1.4(D) \u2014 Declassify on: 02/10/2025",
                     "", "Ok.")
    assert message.subject == "Re: Iran"
    assert [a.email for a in message.to] == ["sullivanjj@state.gov"]
    assert message.sources[0].marks == ["Classified by DAS, A/GIS, DoS on 07/30/2015", "Class: CONFIDENTIAL",
                                        "Reason: 1.4(B), 1.4(D)", "Declassify on: 02/10/2025"]
    message, = _read("C05775511",
                     "From:                               H <hrod17@clintonemail.com>",
                     "Sent:                               Saturday, April 24, 2010 7:30 PM",
                     "To:                                'sullivanjj@state.gov'",
                     "Subject:                           Re: Amano                                                                                1.4(D)",
                     "                                                                                                                            B1",
                     "", "Tx.")
    assert message.subject == "Re: Amano"
    assert "Reason: 1.4(D)" in message.sources[0].marks
    assert "B1" in message.subject_redactions


def test_a_classification_block_wrapped_over_two_lines_gives_whole_marks() -> None:
    # C05770709 (date on the next line after "on:"), and a block whose date the OCR set beside "Best,".
    body = ["From:                             Sullivan, Jacob J <SullivanJJ@state.gov>",
            "Sent:                             Sunday, July 25, 2010 12:21 PM",
            "To:                               H",
            "Subject:                          Fw: GM's conversation with FM Frattini", "", "Fyi"]
    message, = _read("C05770709", *body,
                     " Classified by DAS, A/GIS, DoS on 08/27/2015 \u2014 Class: CONFIDENTIAL \u2014 Reason: 1.4(B), 1.4(D) \u2014 Declassify",
                     " on: 02/20/2025", "Thanks")
    assert message.sources[0].marks[-2:] == ["Reason: 1.4(B), 1.4(D)", "Declassify on: 02/20/2025"]
    assert "on: 02/20/2025" not in message.body and "Thanks" in message.body
    message, = _read("C05770709", *body,
                     "        Classified by DAS, A/GIS, DoS on 08/27/2015 \u2014 Class: CONFIDENTIAL \u2014 Reason: 1.4(B), 1.4(D) \u2014 Declassify",
                     "Best, on: 03/03/2020")
    assert message.sources[0].marks[-1] == "Declassify on: 03/03/2020"
    assert message.body.endswith("Best,")
    # The text printed before a block on its line is the message's.
    message, = _read("C05770709", *body,
                     "cdm Classified by DAS, A/GIS, DoS on 08/27/2015 \u2014 Class: CONFIDENTIAL \u2014 Reason: 1.4(D) \u2014 Declassify on:",
                     "    01/14/2025")
    assert message.sources[0].marks[-1] == "Declassify on: 01/14/2025"
    assert message.body.endswith("cdm")


def test_a_release_stamp_broken_over_lines_and_a_cut_sender() -> None:
    # C05769992: "RELEASE IN" / "PART B5,B6" above the header; the sender's address cut after "<preines".
    items = _read("C05769992",
                  " " * 100 + "RELEASE IN",
                  " " * 100 + "PART B5,B6", "", "",
                  "From:                             PIR <preines",
                  "Sent:                             Wednesday, June 23, 2010 5:26 PM",
                  "To:                               H",
                  "Subject:                          Tonight", "", "Now hearing that")
    message, = items  # no Problem for the stamp's lines
    assert "RELEASE IN PART B5, B6" in message.sources[0].marks
    assert (message.sender.name, message.sender.email) == ("PIR", "")


def test_a_header_whose_from_label_the_ocr_lost(tmp_path: Path) -> None:
    # C05769395: the "From:" label lost in scan noise; the sender's name is left alone above "Sent:".
    path = tmp_path / "C05769395.txt"
    path.write_bytes(_doc("C05769395",
                          "                                                                       sbwhoeop",
                          "Sent:                                                                 Saturday, January 23, 2010 4:23 PM",
                          "To:",
                          "Subject:                                                              Re: H: FYI",
                          "", "Me, too. He shouldn't retire"))
    db = tmp_path / "index.sqlite"
    _run("index", str(path), "--db", str(db), "-q")
    rows = [json.loads(line) for line in _run("messages", "--db", str(db), "-f", "ndjson").stdout.splitlines()]
    assert [row["subject"] for row in rows] == ["Re: H: FYI"]
    assert "sbwhoeop" in json.dumps(rows[0])
    problems = [json.loads(line) for line in _run("problems", "--db", str(db), "-f", "ndjson").stdout.splitlines()]
    assert [p for p in problems if p["kind"] == "problem"] == []
    # Prose above a "Sent:" line is not a sender.
    assert _read("C05769395", "We will talk about this tomorrow at the meeting.",
                 "Sent: Saturday, January 23, 2010 4:23 PM", "To: H", "Subject: Re: H: FYI", "", "Me too")[0].__class__.__name__ == "Problem"


def test_margin_codes_beside_to_are_counted_in_that_field(tmp_path: Path) -> None:
    # C05767556: "H" and a margin code beside To; the code is the To field's redaction, not the name's.
    path = tmp_path / "C05767556.txt"
    path.write_bytes(_doc("C05767556",
                          "  From:                                Mills, Cheryl D <MillsCD@state.gov>",
                          "  Sent:                                Thursday, January 7, 2010 8:31 AM",
                          "  To:                                  H                                                         B6",
                          "  Subject                             Re:                                                       B6",
                          "", "Ok"))
    db = tmp_path / "index.sqlite"
    _run("index", str(path), "--db", str(db), "-q")
    rows = [json.loads(line) for line in _run("redactions", "--db", str(db), "--by", "field", "-f", "ndjson").stdout.splitlines()]
    assert {row["field"]: row["marks"] for row in rows}.get("to") == 1
    message, = [json.loads(line) for line in _run("messages", "--db", str(db), "-f", "ndjson").stdout.splitlines()]
    assert message["subject"] == "Re:"
