"""Printed header blocks as OCR leaves them: lost colons, misread labels, margin stamps, redacted senders.

The header lines are short excerpts of real released documents (State Department Clinton release,
case F-2014-20439), spacing as pdftotext lays them out; the document number is named beside each.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fpdf import FPDF

from foiatool.cli import cli
from foiatool.model import Source
from foiatool.sources.printed.split import PrintedLine, message_from_printed, printed_header_at, split_printed

SOURCE = Source(path="/release/C0000000.pdf", locator="pdf:page 1", kind="pdf")


def _lines(*pages: str) -> list[PrintedLine]:
    return [PrintedLine(text, number) for number, page in enumerate(pages) for text in page.split("\n")]


def _header(text: str) -> dict[str, str] | None:
    lines = text.split("\n")
    for index in range(len(lines)):
        header = printed_header_at(lines, index)
        if header:
            return header.fields
    return None


# C05767181: "Sent" and "Subject" printed without their colons, the value in pdftotext's column.
C05767181 = """From:                             Abedin, Huma <AbedinH@state.gov>
Sent                              Saturday, February 13, 2010 9:28 PM
To:                                               Huma Abedin; H
Subject                           Re: hi huma/

About to land in shannon. Will call soon."""

# C05767617: the margin stamp of a redacted address printed on a line of its own inside the block.
C05767617 = """From:                              Capricia Marshall
                                                                                                                 B6
Sent:                              Saturday, January 9, 2010 2:20 PM
To:                                H; Huma Abedin; valmorolj@state.gov
Subject:                           Alfalfa Dinner

Vernon just called to invite you and the President to lunch at his home."""

# C05767995: "Sent" without colon and an empty "To:" (the recipient redacted away entirely).
C05767995 = """From:                            Slaughter, Anne-Marie <SlaughterA@state.gov>
Sent                             Monday, March 15, 2010 10:07 AM
To:
Cc:                              Sullivan, Jacob J
Subject:                         Aipac speech

Here are my thoughts."""

# C05772859: specks of a redaction box's edge read as "1" and "I" in the right margin.
C05772859 = """From:                             jake.sullivan                                                                      B6
                                                                                                                      1
Sent:                             Monday, November 8, 2010 11:04 PM                                                       I
To:                               H; 'sullivanjj@state.gov'
Subject:                          Re: Did you get any feedback from BC?

Yes."""

# C05766243: From and Sent only; the rest of the block was withheld.
C05766243 = """From:                                sbwhoeop
Sent:                                Thursday, December 17, 2009 9:18 AM


http://tpmcafe.talkingpointsmerno.com/2009/12/16/"""


def test_labels_without_colons_in_a_column_layout():
    message = message_from_printed(C05767181, SOURCE)
    assert message.sender is not None and message.sender.email == "abedinh@state.gov"
    assert message.date is not None and message.date.isoformat() == "2010-02-13T21:28:00+00:00"
    assert message.subject == "Re: hi huma/"
    assert [a.name for a in message.to] == ["Huma Abedin", "H"]
    assert message.body == "About to land in shannon. Will call soon."


def test_a_stamp_line_inside_the_block_does_not_end_it():
    fields = _header(C05767617)
    assert fields is not None
    assert fields["from"] == "Capricia Marshall"
    assert fields["subject"] == "Alfalfa Dinner"
    message = message_from_printed(C05767617, SOURCE)
    assert message.sender is not None and message.sender.name == "Capricia Marshall"
    assert message.body.startswith("Vernon just called")


def test_empty_to_is_still_a_header():
    message = message_from_printed(C05767995, SOURCE)
    assert message.sender is not None and message.sender.name == "Slaughter, Anne-Marie"
    assert message.to == []
    assert [a.name for a in message.cc] == ["Sullivan, Jacob J"]
    assert message.subject == "Aipac speech"
    assert message.date is not None and message.date.date().isoformat() == "2010-03-15"


def test_margin_specks_inside_the_block():
    message = message_from_printed(C05772859, SOURCE)
    assert message.subject == "Re: Did you get any feedback from BC?"
    assert message.date is not None and message.date.isoformat() == "2010-11-08T23:04:00+00:00"
    assert message.body == "Yes."


def test_from_and_sent_alone_with_a_real_date():
    fields = _header(C05766243)
    assert fields == {"from": "sbwhoeop", "sent": "Thursday, December 17, 2009 9:18 AM"}


@pytest.mark.parametrize(
    "block",
    [
        # The forms OCR makes of the labels: ";" or "." for the colon, "i" or "c" for a letter.
        "From:  Mills, Cheryl D <MillsCD@state.gov>\nSent;  Thursday, June 11,2009 12:29 PM\nTo;  H\nSubiect:  Re: call",
        "From   Mills, Cheryl D <MillsCD@state.gov>\nSent.  Thursday, June 11,2009 12:29 PM\nTo:  H\nSubjcct  Re: call",
        "FROM:  Mills, Cheryl D <MillsCD@state.gov>\nSENT:  Thursday, June 11,2009 12:29 PM\nTO  H\nSUBJECT  Re: call",
    ],
)
def test_damaged_labels(block: str):
    message = message_from_printed(block + "\n\nok", SOURCE)
    assert message.sender is not None and message.sender.email == "millscd@state.gov"
    assert [a.name for a in message.to] == ["H"]
    assert message.subject == "Re: call"
    assert message.date is not None and message.date.isoformat() == "2009-06-11T12:29:00+00:00"
    assert message.body == "ok"


def test_value_wrapped_onto_the_next_line():
    # C05767867: a long To list runs onto a second line.
    text = """From:                             Mitchell, George
Sent:                             Tuesday, March 02, 2010 10:57 PM
To:                               Hale, David M; Hof, Frederic C; Rudman, Mara;
                                  Irwin, Matthew T
Subject:                          Re: Jordan FM on State of Play

fyi"""
    message = message_from_printed(text, SOURCE)
    assert [a.name for a in message.to] == ["Hale, David M", "Hof, Frederic C", "Rudman, Mara", "Irwin, Matthew T"]
    assert message.subject == "Re: Jordan FM on State of Play"


def test_address_list_wrapped_without_indent():
    # C05767009: the last recipient broken over two lines, the second flush left.
    text = """From: Tillemann, Tomicah S
Sent: Monday, December 21, 2009 2:33 PM
To: Mills, Cheryl D; Toiv, Nora F; Sullivan, Jacob 3; Ross, Alec J; Slaughter, Anne-Marie; ChoIlet, Derek H; C
3
Cc: Muscatine, Lissa; S_SpecialAssistants
Subject: Fw: 12/21 Revisions to Internet Freedom Speech

Folks,"""
    message = message_from_printed(text, SOURCE)
    assert message.subject == "Fw: 12/21 Revisions to Internet Freedom Speech"
    assert [a.name for a in message.cc] == ["Muscatine, Lissa", "S_SpecialAssistants"]
    assert message.body == "Folks,"


def test_stray_mark_before_a_label():
    # C05771729: a speck read as a quote mark before "To:".
    text = """  From:                              Slaughter, Anne-Marie <SlaughterA@state.gov>
  Sent:                              Sunday, August 22, 2010 3:39 PM
' To:                                H; Abedin, Huma
  Subject:                           Foreign Affairs Draft

text"""
    message = message_from_printed(text, SOURCE)
    assert [a.name for a in message.to] == ["H", "Abedin, Huma"]
    assert message.subject == "Foreign Affairs Draft"


FIRST_PAGE = """From:                             Sullivan, Jacob J <SullivanJJ@state.gov>
Sent:                             Tuesday, March 2, 2010 5:16 PM
To:                               H
Subject:                          Fw: State of Play

Fyi"""


@pytest.mark.parametrize(
    "second_page",
    [
        # The sender redacted, the label's colon lost beside the box (C05767956).
        "From                                                                                                                B6\n"
        "Sent: Friday, January 15, 2010 7:48 PM\nTo: Jacobson, Roberta S\nSubject: Conference Call of Friends of Haiti\n\nRoberta,",
        "From                                                          (b)(6)\n"
        "Sent;                             Friday, January 15, 2010 7:48 PM\nTo:\n"
        "Subject                          Conference Call of Friends of Haiti\n\nRoberta,",
        # The stamp printed above the "From" line, at the very top of the page (C05767867).
        "                                                                                                     B6\n"
        "From:\nSent: Friday, January 15, 2010 7:48 PM\nTo: Jacobson, Roberta S\n"
        "Subject: Conference Call of Friends of Haiti\n\nRoberta,",
    ],
)
def test_redacted_sender_after_a_page_break_starts_a_message(second_page: str):
    lines = _lines(FIRST_PAGE, second_page)
    spans = split_printed(lines)
    assert len(spans) == 2
    assert "Fyi" in "\n".join(line.text for line in lines[spans[0].start:spans[0].end])
    text = "\n".join(line.text for line in lines[spans[1].start:spans[1].end])
    message = message_from_printed(text, SOURCE)
    assert message.sender is not None and message.sender.redacted == "b6"
    assert message.subject == "Conference Call of Friends of Haiti"
    assert message.body == "Roberta,"
    assert "printed: no sender in From line" not in message.defects


def test_quoted_chain_with_damaged_labels_stays_in_the_body():
    text = FIRST_PAGE + """

-----Original Message-----
From                              Rudman, Mara
Sent;                             Tue Mar 02 16:10:17 2010
To:                               Sullivan, Jacob J
Subiect:                          State of Play

fyi"""
    spans = split_printed(_lines(text))
    assert len(spans) == 1
    message = message_from_printed(text, SOURCE)
    assert "Rudman, Mara" in message.body and "Subiect:" in message.body
    assert message.subject == "Fw: State of Play"


@pytest.mark.parametrize(
    "prose",
    [
        "From the desk of Jane Smith\nSent: Tuesday, March 2, 2010 5:16 PM\nTo the editor of the Post\nSubject: letters",
        "From the start, we had doubts.\nDate: soon\nTo the editor:\nSubject to approval by the board.",
        "From  the outset the talks went badly.\nThe parties met on Monday.\nTo  be sure, nobody expected a deal.",
        "FROM: Mike\nCC:           Cheryl, Jake\nSUBJECT: Issues I Cover\n\nIn addition to the day-to-day projects",
    ],
)
def test_prose_and_memos_are_not_headers(prose: str):
    lines = prose.split("\n")
    assert all(printed_header_at(lines, index) is None for index in range(len(lines)))
    assert split_printed(_lines(prose)) == []


def _write_pdf(path: Path, lines: list[str]) -> None:
    pdf = FPDF(format="letter", unit="mm")
    pdf.add_page()
    pdf.set_font("Courier", "", 9)  # fixed pitch: the label column survives text extraction
    for line in lines:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def test_cli_reads_a_pdf_with_ocr_damaged_header(tmp_path: Path):
    pdf = tmp_path / "release.pdf"
    _write_pdf(pdf, [
        "From                         Abedin, Huma <AbedinH@state.gov>",
        "Sent;                        Thursday, June 11,2009 12:29 PM",
        "To:                          H",
        "Subiect:                     Re: call",
        "",
        "Will call soon.",
    ])
    result = CliRunner().invoke(cli, ["messages", str(pdf), "--db", str(tmp_path / "x.db"), "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output[result.output.index("["):])
    assert len(rows) == 1
    assert rows[0]["from"]["email"] == "abedinh@state.gov"
    assert rows[0]["date"] == "2009-06-11T12:29:00Z"
    assert rows[0]["subject"] == "Re: call"


# Real documents whose only header block is OCR-damaged; none was found before.
DAMAGED = ["C05767181", "C05767617", "C05767995", "C05768016", "C05770127", "C05772859", "C05766243"]


@pytest.mark.parametrize("doc", DAMAGED)
def test_real_documents_have_their_header_found(clinton: Path, doc: str):
    path = clinton / f"{doc}.txt"
    if not path.exists():
        pytest.skip(f"{path.name} is not in this copy of the corpus")
    lines = [PrintedLine(text, number) for number, page in enumerate(path.read_text(encoding="utf-8").split("\f"))
             for text in page.split("\n")]
    spans = split_printed(lines)
    assert spans, doc
    message = message_from_printed("\n".join(line.text for line in lines[spans[0].start:spans[0].end]), SOURCE)
    assert message.date is not None and 2008 <= message.date.year <= 2015, (doc, message.defects)
    assert message.sender is not None, doc
