"""Release PDFs of printed emails: splitting into messages, page furniture and provenance, scans, broken files."""
from __future__ import annotations

import io
import json
import shutil
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdfmaker import (
    BOX,
    PAGE_BREAK,
    ImagePage,
    PrintedEmail,
    release_pdf,
    varied_emails,
)

from foiatool.mail.dates import iso, parse_date
from foiatool.model import Address, Document, Message, Problem, Source
from foiatool.sources.printed import pdf as pdf_source
from foiatool.sources.printed.pdf import pdf_pages_text, read_pdf
from foiatool.sources.printed.split import message_from_printed

RUNNING_HEADER = "U.S. Immigration and Customs Enforcement - FOIA 2011-FOIA-123"
BANNER = "UNCLASSIFIED//FOR OFFICIAL USE ONLY"


def _read(data: bytes, **options) -> tuple[list[Message], list[Problem]]:
    results = list(read_pdf(data, "/release/test.pdf", **options))
    messages = [r for r in results if isinstance(r, Message)]
    problems = [r for r in results if isinstance(r, Problem)]
    assert len(messages) + len(problems) == len(results)
    return messages, problems


def _long_paragraph(words: int, seed: str) -> str:
    return " ".join(f"{seed}{n}" for n in range(words)) + "."


OUTLOOK_EMAILS = [
    PrintedEmail(
        sender="Lee, David", date="Monday, March 07, 2011 2:30 PM", to="Morton, John",
        cc=f"{BOX} (b)(6)", subject="County opt-out language",
        body="Director,\n\nBelow is the draft paragraph.\n\nDavid",
    ),
    PrintedEmail(
        sender="Morton, John", date="Monday, March 07, 2011 4:12 PM", to="Lee, David; Alvarez, Robert",
        subject="RE: County opt-out language", new_page=False, importance="High",
        body="David -\n\nFine with the second sentence.\n\nJM\n\n-----Original Message-----\n"
             "From: Lee, David\nSent: Monday, March 07, 2011 2:30 PM\nTo: Morton, John\n"
             "Subject: County opt-out language\n\nDirector,\n\nBelow is the draft paragraph.",
    ),
    PrintedEmail(
        sender="O'Neill, Karen", date="Friday, March 18, 2011 8:55 AM", to="Lee, David",
        subject="RE: I-247 revision", attachments="I-247_CBP_markup_031811.pdf",
        body=f"David,\n\n{_long_paragraph(40, 'alpha')}\n{PAGE_BREAK}\nsecond page words here.\n\nKaren",
    ),
    PrintedEmail(
        sender="Chen, Michael", date="Wednesday, April 20, 2011 4:25 PM", to="Lee, David",
        subject="Santa Clara County - detainer compliance", new_page=False,
        body=f"David,\n\nOfficer {BOX} (b)(6), (b)(7)(C) reports the jail released six subjects.\n\nMichael",
    ),
]


@pytest.fixture(scope="module")
def outlook_release() -> tuple[list[Message], list[Problem]]:
    data = release_pdf(OUTLOOK_EMAILS, banner=BANNER, bates_start=101, bates_skip=[103],
                       release_stamp="RELEASED IN PART B6")
    return _read(data)


def test_outlook_messages_senders_dates_subjects(outlook_release):
    messages, problems = outlook_release
    assert problems == []
    assert [m.sender for m in messages] == [
        Address(name="Lee, David"), Address(name="Morton, John"),
        Address(name="O'Neill, Karen"), Address(name="Chen, Michael"),
    ]
    assert [m.subject for m in messages] == [e.subject for e in OUTLOOK_EMAILS]
    assert [iso(m.date) for m in messages] == [
        "2011-03-07T14:30:00Z", "2011-03-07T16:12:00Z", "2011-03-18T08:55:00Z", "2011-04-20T16:25:00Z",
    ]
    # printed local times carry no zone
    assert {m.date_status for m in messages} == {"guessed"}
    assert all(m.message_id is None for m in messages)


def test_outlook_page_spans_and_bates(outlook_release):
    messages, _ = outlook_release
    sources = [m.sources[0] for m in messages]
    assert [s.locator for s in sources] == ["pdf:page 1", "pdf:page 1", "pdf:pages 2-3", "pdf:page 3"]
    assert {s.kind for s in sources} == {"pdf"}
    assert {s.path for s in sources} == {"/release/test.pdf"}
    assert [s.provenance for s in sources] == [
        ["ICE-2011-FOIA-000101"],
        ["ICE-2011-FOIA-000101"],
        ["ICE-2011-FOIA-000102", "ICE-2011-FOIA-000104"],  # 000103 was withheld
        ["ICE-2011-FOIA-000104"],
    ]


def test_outlook_recipients_redactions_and_attachments(outlook_release):
    messages, _ = outlook_release
    assert messages[0].to == [Address(name="Morton, John")]
    assert messages[0].cc == [Address(redacted="b6")]
    assert messages[1].to == [Address(name="Lee, David"), Address(name="Alvarez, Robert")]
    assert [a.name for a in messages[2].attachments] == ["I-247_CBP_markup_031811.pdf"]
    assert "(b)(6), (b)(7)(C) reports" in messages[3].body


def test_quoted_history_stays_in_its_message(outlook_release):
    messages, _ = outlook_release
    reply = messages[1]
    assert reply.body.startswith("David -\n\nFine with the second sentence.")
    assert "-----Original Message-----\nFrom: Lee, David\nSent: Monday, March 07, 2011 2:30 PM" in reply.body
    assert reply.body.endswith("Below is the draft paragraph.")
    assert messages[0].body == "Director,\n\nBelow is the draft paragraph.\n\nDavid"


def test_message_across_a_page_break_is_one_message(outlook_release):
    messages, _ = outlook_release
    body = messages[2].body
    assert body.startswith("David,\n\nalpha0 alpha1")
    assert "alpha39.\n\nsecond page words here.\n\nKaren" in body
    words = [w for w in body.replace("\n", " ").split(" ") if w.startswith("alpha")]
    assert len(words) == 40


def test_page_furniture_is_not_in_bodies(outlook_release):
    messages, _ = outlook_release
    for message in messages:
        for furniture in ("Immigration and Customs", "Page ", "ICE-2011-FOIA", "UNCLASSIFIED", "RELEASED IN PART"):
            assert furniture not in message.body, (furniture, message.body)


def test_gmail_layout():
    emails = [
        PrintedEmail(sender="Jane Smith", sender_email="jsmith@gmail.com", date="Mon, Mar 7, 2011 at 5:20 PM",
                     to="John Morton <john.morton@ice.dhs.gov>", subject="Lunch", layout="gmail",
                     body="See you at noon.", thread_size=2),
        PrintedEmail(sender="John Morton", sender_email="john.morton@ice.dhs.gov",
                     date="Mon, Mar 7, 2011 at 5:25 PM", to="Jane Smith <jsmith@gmail.com>",
                     cc="Ann Roe <aroe@gmail.com>", subject="Lunch", layout="gmail", body="OK.", new_page=False),
        PrintedEmail(sender="Jane Smith", sender_email="jsmith@gmail.com", date="Tue, Mar 8, 2011 at 9:02 AM",
                     to="John Morton <john.morton@ice.dhs.gov>", subject="Budget call", layout="gmail",
                     body=f"First page.\n{PAGE_BREAK}\nSecond page."),
    ]
    messages, problems = _read(release_pdf(emails, bates_prefix="DHS-", bates_start=7))
    assert problems == []
    assert [m.sender for m in messages] == [
        Address("Jane Smith", "jsmith@gmail.com"), Address("John Morton", "john.morton@ice.dhs.gov"),
        Address("Jane Smith", "jsmith@gmail.com"),
    ]
    assert [m.subject for m in messages] == ["Lunch", "Lunch", "Budget call"]
    assert [iso(m.date) for m in messages] == ["2011-03-07T17:20:00Z", "2011-03-07T17:25:00Z", "2011-03-08T09:02:00Z"]
    assert messages[1].cc == [Address("Ann Roe", "aroe@gmail.com")]
    assert [m.body for m in messages] == ["See you at noon.", "OK.", "First page.\n\nSecond page."]
    assert [m.sources[0].locator for m in messages] == ["pdf:page 1", "pdf:page 1", "pdf:pages 2-3"]
    assert [m.sources[0].provenance for m in messages] == [["DHS-000007"], ["DHS-000007"], ["DHS-000008", "DHS-000009"]]


def test_lotus_notes_layout():
    emails = [
        PrintedEmail(sender="John Morton/ICE/DHS", sent_by="Mary Doe/ICE/DHS", date="03/07/2011 04:12 PM",
                     to="Jane Smith/ICE/DHS@DHS, Bob Lee/ICE/DHS@DHS", cc="Ann Roe/ICE/DHS@DHS",
                     subject="Notes memo", layout="lotus", body="Body of the memo.\n\nJM"),
        PrintedEmail(sender="Jane Smith/ICE/DHS", date="03/08/2011 09:30 AM", to=f"John Morton/ICE/DHS@DHS, {BOX} (b)(6)",
                     subject="Re: Notes memo", layout="lotus", body="Noted."),
    ]
    messages, problems = _read(release_pdf(emails))
    assert problems == []
    assert [m.sender for m in messages] == [Address(name="John Morton"), Address(name="Jane Smith")]
    assert messages[0].to == [Address(name="Jane Smith"), Address(name="Bob Lee")]
    assert messages[0].cc == [Address(name="Ann Roe")]
    assert messages[1].to == [Address(name="John Morton"), Address(redacted="b6")]
    assert [m.subject for m in messages] == ["Notes memo", "Re: Notes memo"]
    assert [iso(m.date) for m in messages] == ["2011-03-07T16:12:00Z", "2011-03-08T09:30:00Z"]
    assert [m.body for m in messages] == ["Body of the memo.\n\nJM", "Noted."]
    assert [m.sources[0].locator for m in messages] == ["pdf:page 1", "pdf:page 2"]


@pytest.mark.parametrize("layout, seed", [("outlook", 11), ("gmail", 12), ("lotus", 13)])
def test_many_generated_messages_come_back_exactly(layout: str, seed: int):
    emails = varied_emails(seed, 25, layout)
    messages, problems = _read(release_pdf(emails, banner=BANNER, bates_skip=range(5, 8)))
    assert problems == []
    assert len(messages) == len(emails)
    for email, message in zip(emails, messages, strict=True):
        assert message.subject == email.subject
        assert message.date == parse_date(email.date)[0]
        expected_name = email.sender.split("/")[0]
        assert message.sender is not None and message.sender.name == expected_name
        expected_words = email.body.replace(PAGE_BREAK, " ").replace(BOX, " ").split()
        assert message.body.split() == expected_words


def test_signature_ending_every_page_is_not_taken_for_a_footer():
    emails = [
        PrintedEmail(sender="Lee, David", date=f"Monday, March {day:02d}, 2011 9:00 AM", to="Morton, John",
                     subject=f"Update {day}", body="Short note " * (day * 3) + "\n\nThanks,\nDavid")
        for day in range(1, 6)
    ]
    messages, _ = _read(release_pdf(emails))
    assert len(messages) == 5
    assert all(m.body.endswith("Thanks,\nDavid") for m in messages)


def test_image_only_page_gives_ocr_needed_problem():
    items = [
        OUTLOOK_EMAILS[0],
        ImagePage(["From: Morton, John", "Sent: Tuesday, March 08, 2011 9:00 AM", "To: Lee, David", "Subject: Scan"]),
        ImagePage(["Scanned second page"]),
        OUTLOOK_EMAILS[2],
    ]
    messages, problems = _read(release_pdf(items))
    assert [m.subject for m in messages] == ["County opt-out language", "RE: I-247 revision"]
    assert [m.sources[0].locator for m in messages] == ["pdf:page 1", "pdf:pages 4-5"]
    assert [(p.locator, p.reason) for p in problems] == [
        ("pdf:pages 2-3", "pages 2\u20133 have no text layer; OCR needed (run with --ocr)"),
    ]


def test_locator_of_a_pdf_inside_an_archive():
    results = list(read_pdf(release_pdf(OUTLOOK_EMAILS[:1]), "/in/prod.zip", "zip:Sheriff/release.pdf"))
    assert [r.sources[0].locator for r in results] == ["zip:Sheriff/release.pdf!pdf:page 1"]
    assert results[0].sources[0].cite() == "/in/prod.zip [zip:Sheriff/release.pdf!pdf:page 1]"


@pytest.mark.skipif(shutil.which("tesseract") is not None, reason="tesseract is installed; the real OCR test runs")
def test_ocr_without_tesseract_says_which_tool_is_missing():
    messages, problems = _read(release_pdf([ImagePage(["From: Morton, John"])]), ocr=True)
    assert messages == []
    reasons = [p.reason for p in problems]
    assert any("tesseract" in r and "apt-get install tesseract-ocr poppler-utils" in r and "make ocr-deps" in r
               for r in reasons), reasons
    assert any("no text layer" in r for r in reasons)


@pytest.mark.skipif(
    shutil.which("tesseract") is None or shutil.which("pdftoppm") is None, reason="needs tesseract and pdftoppm"
)
def test_ocr_reads_a_scanned_page():
    page = ImagePage(["Morton, John", "", "From: Morton, John", "Sent: Tuesday, March 08, 2011 9:00 AM",
                      "To: Lee, David", "Subject: Scanned memo", "", "Please call me."])
    messages, problems = _read(release_pdf([page]), ocr=True)
    assert problems == []
    assert len(messages) == 1
    assert messages[0].sender is not None and "Morton" in messages[0].sender.name


def test_truncated_pdf_gives_a_problem():
    data = release_pdf(OUTLOOK_EMAILS)
    results = list(read_pdf(data[: len(data) // 3], "/release/cut.pdf"))
    assert results and all(isinstance(r, Problem) for r in results)
    assert results[0].path == "/release/cut.pdf"


@pytest.mark.parametrize("data", [b"", b"not a pdf at all", b"%PDF-1.4\n%%EOF", b"\x00" * 500])
def test_not_a_pdf_gives_one_problem(data: bytes):
    results = list(read_pdf(data, "/release/x.pdf"))
    assert len(results) == 1 and isinstance(results[0], Problem)


def test_password_protected_pdf_gives_a_problem():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(release_pdf(OUTLOOK_EMAILS[:1]))).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    results = list(read_pdf(out.getvalue(), "/release/locked.pdf"))
    assert len(results) == 1 and isinstance(results[0], Problem)
    assert "password" in results[0].reason


def test_page_cap_is_reported(monkeypatch):
    monkeypatch.setattr(pdf_source, "MAX_PAGES", 2)
    messages, problems = _read(release_pdf(OUTLOOK_EMAILS))
    assert "only the first 2 were read" in problems[0].reason
    assert max(int(m.sources[0].locator.split()[-1].split("-")[-1]) for m in messages) <= 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=4000), junk=st.binary(min_size=0, max_size=64))
def test_damaged_pdfs_never_raise(cut: int, junk: bytes):
    data = _SMALL_PDF
    position = cut % max(1, len(data))
    damaged = data[:position] + junk + data[position + len(junk):]
    for result in read_pdf(damaged, "/release/damaged.pdf"):
        assert isinstance(result, (Message, Problem, Document))


_SMALL_PDF = release_pdf(OUTLOOK_EMAILS[:2])


def test_pdf_pages_text_gives_one_text_per_page():
    texts = pdf_pages_text(release_pdf(OUTLOOK_EMAILS))
    assert len(texts) == 3
    assert "From:" in texts[0] and "Page 1 of 3" in texts[0]


def test_message_from_printed_wrapped_and_redacted_fields():
    text = (
        "From:        (b)(6)\n"
        "Sent:        Thursday, April 21, 2011 7:55 AM\n"
        "To:          Lee, David; Chen, Michael; Alvarez, Robert; Okafor, Margaret;\n"
        "             Park, Steven\n"
        "Subject:     RE: Santa Clara County\n"
        "\n"
        "Agree.\n"
    )
    message = message_from_printed(text, Source("/r.pdf", "pdf:page 4", "pdf"))
    assert message.sender == Address(redacted="b6")
    assert [a.name for a in message.to] == ["Lee, David", "Chen, Michael", "Alvarez, Robert", "Okafor, Margaret", "Park, Steven"]
    assert message.subject == "RE: Santa Clara County"
    assert message.body == "Agree."
    assert message.sources == [Source("/r.pdf", "pdf:page 4", "pdf")]


def test_message_from_printed_without_a_header_keeps_the_text():
    message = message_from_printed("just some words\nand more", Source("/r.pdf", "pdf:page 1", "pdf"))
    assert message.sender is None and message.body == "just some words\nand more"
    assert message.defects == ["printed: no header block found"]


def _sample_paths(samples: Path) -> tuple[Path, dict]:
    truth_path = samples / "truth.json"
    if not truth_path.exists():
        pytest.skip("samples/truth.json is not there yet")
    truth = json.loads(truth_path.read_text())
    release = truth.get("pdf")
    if not release or not (samples / release["path"]).exists():
        pytest.skip("the sample release PDF is not there yet")
    return samples / release["path"], truth


def test_sample_release_matches_truth(samples: Path):
    pdf_path, truth = _sample_paths(samples)
    release = truth["pdf"]
    messages, problems = _read(pdf_path.read_bytes())
    assert problems == []
    expected = release["messages"]
    assert len(messages) == len(expected) == truth["counts"]["messages_in_pdf"]
    for message, want in zip(messages, expected, strict=True):
        assert message.sender is not None and message.sender.name == want["sender_name"]
        assert message.subject == want["subject"]
        assert message.date == parse_date(want["sent_printed"])[0]
        assert message.date_status == "guessed"
        # the printed time is the true time in the printing zone (Eastern), to the minute
        in_eastern = parse_date(want["sent_printed"], ZoneInfo("America/New_York"))[0]
        true_date = parse_date(want["date"])[0]
        assert in_eastern is not None and true_date is not None
        assert abs(in_eastern - true_date) < timedelta(minutes=1)
        first, last = want["pages"]
        span = f"pdf:page {first}" if first == last else f"pdf:pages {first}-{last}"
        assert message.sources[0].locator == span
        assert message.sources[0].provenance == want["bates"]
        assert [a.name for a in message.attachments] == want["attachments_listed"]
    for message in messages:
        assert "Page " not in message.body and "FOIA 2011-FOIA" not in message.body


def test_sample_scanned_page_needs_ocr(samples: Path):
    _, truth = _sample_paths(samples)
    scanned = truth.get("scanned")
    if not scanned or not (samples / scanned["path"]).exists():
        pytest.skip("the sample scanned page is not there yet")
    messages, problems = _read((samples / scanned["path"]).read_bytes())
    assert messages == []
    assert [p.reason for p in problems] == ["page 1 has no text layer; OCR needed (run with --ocr)"]
