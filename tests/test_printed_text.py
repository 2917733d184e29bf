"""Text files of printed email (OCR'd releases): read like a PDF's pages, documents that hold no email, release marks."""
from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import foiatool_exe

from foiatool.sources.detect import detect_kind
from foiatool.sources.printed.pages import classification_marks
from foiatool.sources.printed.text import read_printed_text

FF = "\f"
BANNER = "      UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. {doc} Date: 08/31/2015"

# The first lines of two real documents of the Clinton release (C05765911, C05766185), as pdftotext laid them out.
EMAIL_DOC = "\n".join([
    BANNER.format(doc="C05765911"), "", "", "",
    " " * 90 + "RELEASE IN PART",
    " " * 90 + "B6", "", "",
    "From:                             Mills, Cheryl D <MillsCD@state.gov>",
    "Sent:                             Friday, December 4, 2009 9:35 AM",
    "To:                               H",
    "Subject:                          FW: Frm SecState Trip to Middle East", "", "", "",
    "From: Macmanus, Joseph E",
    "Sent: Friday, December 04, 2009 9:09 AM",
    "To: Mills, Cheryl D; Abedin, Huma; Burns, William J",
    "Subject: Frm SecState Trip to Middle East", "",
    "Joe -", "",
    "Just wanted to give you a heads-up that former Secretary Rice will be traveling to the UAE and Saudi Arabia",
    "December 11-14. This is purely a business trip.", "", "", "",
    BANNER.format(doc="C05765911"),
    FF + BANNER.format(doc="C05765911"), "", "",
    "Hope all is well.", "",
    "Best,",
    "Colby", "", "",
    BANNER.format(doc="C05765911"), FF,
])
NOT_EMAIL_DOC = "\n".join([
    BANNER.format(doc="C05766185"), "", "", "", "",
    "Amnesty International USA Statement" + " " * 40 + "RELEASE IN FULL",
    "Monday, December 14, 2009", "", "",
    "Larry Cox, executive director, Amnesty International USA, on Monday welcomed",
    "Secretary of State Hillary Clinton's affirmation that protecting human rights is central to",
    "helping countries worldwide achieve the goal of reducing or eliminating poverty.", "", "",
    BANNER.format(doc="C05766185"),
    FF + BANNER.format(doc="C05766185"), "", "",
    "\"We welcome Secretary Clinton's affirmation that the basics of well being are human rights.\"", "", "",
    BANNER.format(doc="C05766185"), FF,
])
CLASSIFIED_LINE = ("Classified by DAS, A/GIS, DoS on 08/27/2015 \u2014 Class: CONFIDENTIAL \u2014 "
                   "Reason: 1.4(B), 1.4(D) \u2014 Declassify on: 12/07/2025")


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "TZ": "UTC"}
    proc = subprocess.run([str(foiatool_exe()), *args], capture_output=True, text=True, env=env, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def ndjson(*args: str) -> list[dict]:
    return [json.loads(line) for line in run(*args, "-f", "ndjson").stdout.splitlines()]


@pytest.fixture
def release(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "C05765911.txt").write_text(EMAIL_DOC, encoding="utf-8")
    (folder / "C05766185.txt").write_text(NOT_EMAIL_DOC, encoding="utf-8")
    db = tmp_path / "index.sqlite"
    run("index", str(folder), "--db", str(db))
    return folder, db


def test_printed_text_is_detected_by_content_not_name() -> None:
    assert detect_kind(EMAIL_DOC.encode(), "C05765911.txt") == "printed-text"
    assert detect_kind(NOT_EMAIL_DOC.encode(), "statement") == "printed-text"
    assert detect_kind(b"Shopping list\neggs\nmilk\n", "notes.txt") == "unknown"
    printed = b"From: Mills, Cheryl D <MillsCD@state.gov>\nSent: Friday, December 4, 2009 9:35 AM\nTo: H\nSubject: Iran\n\nTx.\n"
    assert detect_kind(printed, "C1.txt") == "printed-text"
    sent = b"From: a@b.org\nTo: c@d.org\nSubject: Iran\nDate: Fri, 4 Dec 2009 09:35:00 -0500\nMessage-ID: <1@b.org>\n\nTx.\n"
    assert detect_kind(sent, "saved.txt") == "eml"


def test_email_text_reads_like_a_pdf_of_it(release: tuple[Path, Path]) -> None:
    folder, db = release
    rows = ndjson("messages", "--db", str(db), "--body", "full")
    assert [(r["from"]["name"], r["subject"]) for r in rows if not r["recovered"]] == [
        ("Mills, Cheryl D", "FW: Frm SecState Trip to Middle East")]
    message = next(r for r in rows if not r["recovered"])
    source = message["sources"][0]
    assert source["path"] == str(folder / "C05765911.txt")
    assert source["locator"] == "txt:pages 1-2"
    # The document's control and case numbers are its provenance; the banner and stamps never reach the body.
    assert source["provenance"][:2] == ["F-2014-20439", "C05765911"]
    assert message["marks"] == ["RELEASE IN PART B6"]
    assert message["date"] == "2009-12-04T09:35:00Z"
    assert "Hope all is well." in message["body"]
    for furniture in ("UNCLASSIFIED", "Doc No.", "RELEASE IN PART"):
        assert furniture not in message["body"]
    assert "\nB6\n" not in message["body"]


def test_a_document_with_no_email_is_a_document(release: tuple[Path, Path]) -> None:
    folder, db = release
    docs = ndjson("documents", "--db", str(db))
    assert [(d["path"], d["locator"], d["pages"], d["title"], d["marks"]) for d in docs] == [
        (str(folder / "C05766185.txt"), "txt:pages 1-2", 2, "Amnesty International USA Statement", ["RELEASE IN FULL"])]
    assert docs[0]["provenance"][:2] == ["F-2014-20439", "C05766185"]
    assert [d["title"] for d in ndjson("documents", "--db", str(db), "--search", "poverty")] == [
        "Amnesty International USA Statement"]
    assert ndjson("documents", "--db", str(db), "--search", "detainer") == []
    # Never a message: not in messages, threads or people.
    assert all("Amnesty" not in r["subject"] for r in ndjson("messages", "--db", str(db)))
    assert all("Cox" not in (p.get("name") or "") for p in ndjson("people", "--db", str(db)))


def test_problems_list_documents_as_not_email_and_strict_does_not_fail(release: tuple[Path, Path]) -> None:
    folder, db = release
    rows = ndjson("problems", "--db", str(db))
    assert [(r["path"], r["kind"]) for r in rows] == [(str(folder / "C05766185.txt"), "not email")]
    assert "no email" in rows[0]["reason"]
    assert run("problems", "--db", str(db), "--strict", "-f", "ids", check=False).returncode == 0


def test_summary_counts_documents_not_email(release: tuple[Path, Path]) -> None:
    _, db = release
    data = json.loads(run("summary", "--db", str(db), "-f", "json").stdout)
    assert data["documents_not_email"] == 1
    assert data["files_read"] == 2
    assert data["problems"] == 0
    assert data["redactions"]["release_stamps"] == {"b6": 1, "full": 1}
    markdown = run("summary", "--db", str(db), "-f", "markdown").stdout
    assert "| Documents not email | 1 |" in markdown


def test_redactions_count_release_stamps_beside_inline_marks(release: tuple[Path, Path]) -> None:
    _, db = release
    rows = {r["code"]: r for r in ndjson("redactions", "--db", str(db))}
    assert rows["b6"]["stamped"] == 1
    assert rows["full"]["stamped"] == 1 and rows["full"]["marks"] == 0
    table = run("redactions", "--db", str(db), "-f", "tsv").stdout
    assert "Stamped docs" in table.splitlines()[0]


def test_show_and_report_name_the_release_marks(release: tuple[Path, Path], tmp_path: Path) -> None:
    _, db = release
    message = next(r for r in ndjson("messages", "--db", str(db)) if not r["recovered"])
    shown = run("show", message["id"], "--db", str(db), "-f", "text").stdout
    assert "Release marks: RELEASE IN PART B6" in shown
    report = tmp_path / "report.md"
    run("report", "--db", str(db), "-o", str(report))
    assert "**Release marks:** RELEASE IN PART B6" in report.read_text(encoding="utf-8")


def test_a_zip_of_text_files_and_a_random_text(tmp_path: Path) -> None:
    archive = tmp_path / "release.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("docs/C05765911.txt", EMAIL_DOC)
        zf.writestr("docs/C05766185.txt", NOT_EMAIL_DOC)
    (tmp_path / "notes.txt").write_text("Shopping list\neggs\nmilk\n", encoding="utf-8")
    db = tmp_path / "index.sqlite"
    run("index", str(archive), str(tmp_path / "notes.txt"), "--db", str(db))
    locators = {s["locator"] for r in ndjson("messages", "--db", str(db)) for s in r["sources"] if not r["recovered"]}
    assert "zip:docs/C05765911.txt!txt:pages 1-2" in locators
    assert [d["locator"] for d in ndjson("documents", "--db", str(db))] == ["zip:docs/C05766185.txt!txt:pages 1-2"]
    problems = [r for r in ndjson("problems", "--db", str(db)) if r["kind"] == "problem"]
    assert [(Path(r["path"]).name, r["reason"]) for r in problems] == [
        ("notes.txt", "not an email, mbox, Outlook, archive or PDF file (text without an email header block)")]
    assert run("problems", "--db", str(db), "--strict", check=False).returncode == 1


def test_classification_block_becomes_marks() -> None:
    assert classification_marks(CLASSIFIED_LINE) == [
        "Classified by DAS, A/GIS, DoS on 08/27/2015", "Class: CONFIDENTIAL", "Reason: 1.4(B), 1.4(D)",
        "Declassify on: 12/07/2025"]
    assert classification_marks("We were classified as late by the board.") == []
    text = EMAIL_DOC.replace("Best,", CLASSIFIED_LINE + "\nBest,")
    message = next(iter(read_printed_text(text.encode(), "/r/C05765911.txt")))
    assert message.sources[0].marks == ["RELEASE IN PART B6", *classification_marks(CLASSIFIED_LINE)]
    assert "Declassify" not in message.body


def test_release_date_bounds_message_dates() -> None:
    late = EMAIL_DOC.replace("Friday, December 4, 2009 9:35 AM", "Friday, December 4, 2019 9:35 AM")
    message = next(iter(read_printed_text(late.encode(), "/r/C05765911.txt")))
    # Printed after the release stamped on the page (08/31/2015): an OCR misreading, kept only as text.
    assert message.date is None
    assert message.date_status == "suspect"
    assert "2019" in message.date_text


def test_real_release_is_read(clinton: Path, tmp_path: Path) -> None:
    names = sorted(p.name for p in clinton.glob("*.txt"))[:120]
    folder = tmp_path / "subset"
    folder.mkdir()
    for name in names:
        (folder / name).symlink_to(clinton / name)
    db = tmp_path / "clinton.sqlite"
    run("index", str(folder), "--db", str(db))
    data = json.loads(run("summary", "--db", str(db), "-f", "json").stdout)
    assert data["files"] == len(names)
    assert data["files_read"] >= 0.98 * len(names)
    assert data["documents_not_email"] >= 1
    assert data["redactions"]["release_stamps"].get("b6", 0) >= 10


def test_a_date_after_the_release_is_listed_in_problems(tmp_path: Path) -> None:
    """Issue #13: a date that cannot be true is kept raw, flagged, and listed by `foiatool problems`."""
    folder = tmp_path / "release"
    folder.mkdir()
    late = EMAIL_DOC.replace("Friday, December 4, 2009 9:35 AM", "Friday, December 4, 2019 9:35 AM")
    (folder / "C05765911.txt").write_text(late, encoding="utf-8")
    db = str(tmp_path / "late.sqlite")
    run("index", str(folder), "--db", db, "--strict")
    rows = json.loads(run("problems", "--db", db, "-f", "json").stdout)
    [row] = [r for r in rows if r["kind"] == "suspect date"]
    assert row["path"].endswith("C05765911.txt") and row["locator"].startswith("txt:page")
    assert row["reason"].startswith("suspect date:") and "2019" in row["reason"]
    messages = json.loads(run("messages", "--db", db, "-f", "json").stdout)
    [message] = [m for m in messages if m["date_status"] == "suspect"]
    assert message["date"] is None
