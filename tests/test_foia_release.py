"""The FOIA-release features end to end through the real ``foiatool`` command, on the sample release.

Printed PDF messages (senders, dates, subjects, page spans, Bates numbers),
redaction counts by code / thread / person / month / field against
``samples/truth.json``, redacted participants, the report's citations, and
OCR of scanned pages.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import foiatool_exe

from foiatool.mail.marks.redactions import describe, find_redactions

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
RELEASE = SAMPLES / "release"
DUMP = SAMPLES / "dump"
PDF = RELEASE / "ICE-2011-FOIA-000123.pdf"
SCANNED = RELEASE / "scanned-page.pdf"
PRINTED_FORMAT = "%A, %B %d, %Y %I:%M %p"
PRINT_ZONES = {"ET": ZoneInfo("America/New_York"), "PT": ZoneInfo("America/Los_Angeles")}
OCR_TOOLS = shutil.which("tesseract") is not None and shutil.which("pdftoppm") is not None




def run(*args: str | Path) -> subprocess.CompletedProcess:
    """The installed command, which must succeed; stdout as text."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    env["TZ"] = "UTC"
    proc = subprocess.run([str(foiatool_exe()), *map(str, args)], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


def as_json(*args: str | Path) -> list | dict:
    return json.loads(run(*args, "-q", "-f", "json").stdout)


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """The release folder indexed by ``foiatool messages samples/release --db X -f json``, and what it listed."""
    db = tmp_path_factory.mktemp("release") / "release.db"
    return db, as_json("messages", RELEASE, "--db", db)


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    db = tmp_path_factory.mktemp("dump") / "dump.db"
    return db, as_json("messages", DUMP, "--db", db)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    db = tmp_path_factory.mktemp("both") / "both.db"
    return db, as_json("messages", DUMP, RELEASE, "--db", db)


def printed_wall_clock(text: str) -> datetime:
    return datetime.strptime(text, PRINTED_FORMAT)


def wall_clock(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).replace(tzinfo=None)


def truth_utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def page_locator(pages: list[int]) -> str:
    first, last = pages
    return f"pdf:page {first}" if first == last else f"pdf:pages {first}-{last}"


def shows_printed_time(row: dict, printed: dict) -> bool:
    """The row's date is the printed time: as printed (no zone known), or placed in the zone the
    release was printed in (inferred from copies that carry headers)."""
    if not row["date"]:
        return False
    if row["date_status"] == "inferred":
        local = printed_wall_clock(printed["sent_printed"]).replace(tzinfo=PRINT_ZONES[printed["printed_zone"]])
        return truth_utc(row["date"]) == local
    return wall_clock(row["date"]) == printed_wall_clock(printed["sent_printed"])


def printed_match(rows: list[dict], printed: dict) -> list[dict]:
    """Our PDF copy of the printed message: its page span, printed sender name, subject and time."""
    return [
        r for r in rows
        if not r["recovered"] and r["from"]["name"] == printed["sender_name"] and r["subject"] == printed["subject"]
        and any(s["kind"] == "pdf" and s["locator"] == page_locator(printed["pages"]) for s in r["sources"])
        and shows_printed_time(r, printed)
    ]


# --- the printed messages ------------------------------------------------------------------------


def test_release_holds_exactly_the_printed_messages(release: tuple[Path, list[dict]], truth: dict) -> None:
    _, rows = release
    produced = [r for r in rows if not r["recovered"]]
    assert len(produced) == truth["counts"]["messages_in_pdf"] == len(truth["pdf"]["messages"])
    for printed in truth["pdf"]["messages"]:
        [row] = printed_match(rows, printed)
        [source] = row["sources"]
        assert Path(source["path"]) == PDF.resolve()
        assert source["kind"] == "pdf"
        assert source["locator"] == page_locator(printed["pages"]), printed["message"]
        assert source["provenance"] == printed["bates"], printed["message"]
        assert [a["name"] for a in row["attachments"]] == printed["attachments_listed"]


def test_release_senders_are_names_only(release: tuple[Path, list[dict]], truth: dict) -> None:
    _, rows = release
    for printed in truth["pdf"]["messages"]:
        [row] = printed_match(rows, printed)
        # A printout shows "Lee, David", not the address; the name is all there is to keep.
        assert row["from"] == {"name": printed["sender_name"], "email": "", "redacted": None}
    senders = Counter(r["from"]["name"] for r in rows if not r["recovered"])
    assert senders == Counter(p["sender_name"] for p in truth["pdf"]["messages"])


def test_printed_times_are_kept_as_printed_and_marked_guessed(release: tuple[Path, list[dict]], truth: dict) -> None:
    _, rows = release
    for printed in truth["pdf"]["messages"]:
        [row] = printed_match(rows, printed)
        assert row["date_status"] == "guessed"
        assert wall_clock(row["date"]) == printed_wall_clock(printed["sent_printed"])


def test_printed_zone_is_unknown_so_the_instant_is_off_by_the_print_zone(
    release: tuple[Path, list[dict]], truth: dict
) -> None:
    """A printed time carries no zone: it is stored as if it were UTC, so the instant differs from the
    true one by exactly the zone the page was printed in (US Eastern here)."""
    _, rows = release
    for printed in truth["pdf"]["messages"]:
        [row] = printed_match(rows, printed)
        true = truth_utc(printed["date"])
        offset = true.astimezone(PRINT_ZONES[printed["printed_zone"]]).utcoffset()
        assert offset is not None
        ours = truth_utc(row["date"])
        # The true time can carry seconds the printout dropped.
        assert abs(ours - (true + offset)) < timedelta(minutes=1), printed["message"]


def test_printed_times_take_the_zone_shown_by_copies_with_headers(both: tuple[Path, list[dict]], truth: dict) -> None:
    """With the dump beside it, the printed copies also found as .eml show the release was printed in
    US Eastern time; every printed date is then placed in that zone and marked inferred."""
    _, rows = both
    for printed in truth["pdf"]["messages"]:
        [row] = printed_match(rows, printed)
        assert row["date_status"] == "inferred", printed["message"]
        # The true time can carry seconds the printout dropped.
        assert timedelta(0) <= truth_utc(printed["date"]) - truth_utc(row["date"]) < timedelta(minutes=1)


def test_message_running_across_a_page_break_is_one_message(release: tuple[Path, list[dict]], truth: dict) -> None:
    _, rows = release
    spanning = [p for p in truth["pdf"]["messages"] if p["pages"][0] != p["pages"][1]]
    assert spanning
    for printed in spanning:
        [row] = printed_match(rows, printed)
        assert row["sources"][0]["locator"] == page_locator(printed["pages"])
        assert len(row["sources"][0]["provenance"]) == printed["pages"][1] - printed["pages"][0] + 1


def test_withheld_message_quoted_in_the_release_is_recovered(release: tuple[Path, list[dict]], truth: dict) -> None:
    _, rows = release
    quoted_in_pdf = [m for m in truth["messages"] if m["withheld"]
                     and any(q["message"] in {p["message"] for p in truth["pdf"]["messages"]} for q in m["quoted_in"])]
    recovered = [r for r in rows if r["recovered"]]
    assert len(recovered) == len(quoted_in_pdf) == 1
    [withheld], [row] = quoted_in_pdf, recovered
    assert row["subject"] == withheld["subject"]
    assert row["from"]["name"] == withheld["sender_name"]
    quoting = next(p for p in truth["pdf"]["messages"] if p["message"] == withheld["quoted_in"][0]["message"])
    [quoting_row] = printed_match(rows, quoting)
    assert [s["locator"] for s in row["sources"]] == [f"quoted-in:{quoting_row['id']}"]


def test_scanned_page_without_ocr_is_a_problem(tmp_path: Path, truth: dict) -> None:
    db = tmp_path / "scan.db"
    assert as_json("messages", SCANNED, "--db", db) == []
    [problem] = as_json("problems", "--db", db)
    assert Path(problem["path"]) == SCANNED.resolve()
    assert problem["locator"] == "pdf:page 1"
    assert truth["scanned"]["expect"] in problem["reason"]
    assert problem["reason"] == "page 1 has no text layer; OCR needed (run with --ocr)"


@pytest.mark.skipif(not OCR_TOOLS, reason="needs tesseract and pdftoppm")
def test_scanned_sample_page_with_ocr_says_ocr_read_nothing(tmp_path: Path) -> None:
    db = tmp_path / "scan.db"
    assert as_json("messages", SCANNED, "--db", db, "--ocr") == []
    [problem] = as_json("problems", "--db", db)
    assert problem["reason"] == "page 1 has no text layer; OCR read no text"


def image_only_release(folder: Path) -> Path:
    """A printed email drawn as text, rasterised by poppler, and wrapped again as a page image only."""
    from fpdf import FPDF
    from pdfmaker import PrintedEmail, release_pdf

    email = PrintedEmail(
        sender="Morton, John", date="Tuesday, March 08, 2011 9:00 AM", to="Lee, David",
        subject="Detainer guidance for Santa Clara",
        body="David,\n\nPlease hold the county guidance until OPLA has reviewed it.\n\nJM",
    )
    text_pdf = folder / "printed.pdf"
    text_pdf.write_bytes(release_pdf([email]))
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", "-singlefile", str(text_pdf), str(folder / "page")],
                   check=True, capture_output=True, timeout=120)
    scan = FPDF(format="letter", unit="mm")
    scan.add_page()
    scan.image(str(folder / "page.png"), x=0, y=0, w=scan.w, h=scan.h)
    out = folder / "release" / "scanned-email.pdf"
    out.parent.mkdir()
    scan.output(str(out))
    return out


@pytest.mark.skipif(not OCR_TOOLS, reason="needs tesseract and pdftoppm")
def test_ocr_reads_the_printed_email_on_an_image_only_page(tmp_path: Path) -> None:
    from foiatool.sources.printed.pdf import pdf_pages_text

    scan = image_only_release(tmp_path)
    assert pdf_pages_text(scan.read_bytes()) == [""]  # the words are only in the pixels

    assert as_json("messages", scan.parent, "--db", tmp_path / "plain.db") == []
    [problem] = as_json("problems", "--db", tmp_path / "plain.db")
    assert "no text layer; OCR needed" in problem["reason"]

    [row] = as_json("messages", scan.parent, "--db", tmp_path / "ocr.db", "--ocr")
    assert row["subject"] == "Detainer guidance for Santa Clara"
    # OCR may split a word ("J ohn"); the surname and the recipient come through.
    assert row["from"]["name"].startswith("Morton,")
    assert [a["name"] for a in row["to"]] == ["Lee, David"]
    assert wall_clock(row["date"]) == datetime(2011, 3, 8, 9, 0) and row["date_status"] == "guessed"
    assert row["sources"][0]["locator"] == "pdf:page 1"
    assert as_json("problems", "--db", tmp_path / "ocr.db") == []


# --- redaction counts ------------------------------------------------------------------------------


def counts(db: Path, by: str) -> dict:
    return {row[by]: row["marks"] for row in as_json("redactions", "--db", db, "--by", by)}


def truth_code(code: str) -> str:
    return "redacted" if code == "uncoded" else code


def dump_truth_marks(truth: dict) -> list[tuple[dict, str, int]]:
    """(truth message, code, marks) for every distinct dump message that has marks."""
    return [(m, truth_code(code), n) for m in truth["messages"] if m["in_dump"]
            for code, n in (m.get("redactions") or {}).items()]


def test_dump_redactions_by_code_equal_truth(dump: tuple[Path, list[dict]], truth: dict) -> None:
    expected = {truth_code(code): n for code, n in truth["redactions"]["dump"].items()}
    assert counts(dump[0], "code") == expected


def test_pdf_redactions_by_code_equal_truth(release: tuple[Path, list[dict]], truth: dict) -> None:
    assert counts(release[0], "code") == truth["redactions"]["pdf"]


def test_dump_redactions_by_month_equal_truth(dump: tuple[Path, list[dict]], truth: dict) -> None:
    # A Date header truth.json says cannot be read leaves the message undated (month None).
    undated = {key for key, d in truth["features"]["malformed_dates"].items() if d["parse"] == "missing"}
    expected: Counter[str | None] = Counter()
    for message, _, n in dump_truth_marks(truth):
        expected[None if message["key"] in undated else message["date"][:7]] += n
    assert None in expected
    assert counts(dump[0], "month") == dict(expected)


def test_dump_redactions_by_person_equal_truth(dump: tuple[Path, list[dict]], truth: dict) -> None:
    person_of = {address: p["id"] for p in truth["people"] for address in p["addresses"]}
    expected: Counter[str] = Counter()
    for message, _, n in dump_truth_marks(truth):
        expected[message["person"]] += n
    ours = {person_of.get(key, key): n for key, n in counts(dump[0], "person").items()}
    assert ours == dict(expected)


def test_dump_redactions_by_thread_equal_truth(dump: tuple[Path, list[dict]], truth: dict) -> None:
    expected: Counter[int] = Counter()
    for message, _, n in dump_truth_marks(truth):
        expected[message["thread"]] += n
    assert sorted(counts(dump[0], "thread").values()) == sorted(expected.values())


def test_redacted_header_fields_are_counted_by_field(dump: tuple[Path, list[dict]], release: tuple[Path, list[dict]],
                                                     truth: dict) -> None:
    for db, where in ((dump[0], "in_dump"), (release[0], "in_pdf")):
        expected = Counter()
        for m in truth["messages"]:
            if m[where]:
                expected["to"] += sum(a == "(b)(6)" for a in m["to"])
                expected["cc"] += sum(a == "(b)(6)" for a in m["cc"])
        by_field = counts(db, "field")
        assert expected["cc"] > 0
        assert {f: by_field.get(f, 0) for f in ("from", "to", "cc")} == {"from": 0, **expected}


@pytest.mark.parametrize("corpus", ["dump", "release", "both"])
def test_every_grouping_counts_the_same_marks(corpus: str, request: pytest.FixtureRequest) -> None:
    db, _ = request.getfixturevalue(corpus)
    totals = {by: sum(counts(db, by).values()) for by in ("code", "thread", "person", "month", "field")}
    summary = as_json("summary", "--db", db)
    assert set(totals.values()) == {summary["redactions"]["marks"]}, totals
    assert counts(db, "code") == summary["redactions"]["by_code"]


def test_codes_carry_their_plain_english_meaning(both: tuple[Path, list[dict]]) -> None:
    rows = as_json("redactions", "--db", both[0], "--by", "code")
    assert {r["code"] for r in rows} >= {"b6", "b7c"}
    for row in rows:
        assert row["meaning"] == describe(row["code"]) and not row["meaning"].startswith("Unrecognised")
        assert row["messages"] <= row["marks"]
    b6 = next(r for r in rows if r["code"] == "b6")
    assert b6["family"] == "federal" and b6["meaning"] == "Personal privacy: personnel, medical and similar files"


def test_markdown_redaction_table_is_a_table(both: tuple[Path, list[dict]]) -> None:
    from markdown_it import MarkdownIt

    text = run("redactions", "--db", both[0], "--by", "code", "-f", "markdown").stdout
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert sum(t.type == "table_open" for t in tokens) == 1
    cells = [t.content for t in tokens if t.type == "inline"]
    assert "Meaning" in cells and "b6" in cells


def test_thread_grouping_names_the_thread(both: tuple[Path, list[dict]]) -> None:
    rows = as_json("redactions", "--db", both[0], "--by", "thread")
    threads = {t["id"]: t["subject"] for t in as_json("threads", "--db", both[0])}
    assert rows and all(r["subject"] == threads[r["thread"]] for r in rows)


# --- the "Electronic Communications Privacy Act" trap ------------------------------------------------


def test_a_law_named_in_a_confidentiality_notice_is_not_a_redaction(dump: tuple[Path, list[dict]], truth: dict) -> None:
    assert any("Electronic Communications Privacy Act" in note for note in truth["redactions"]["not_marks"])
    db, _ = dump
    bodies = [r["body"] for r in as_json("messages", "--db", db, "--body", "full")
              if "Electronic Communications Privacy Act" in r["body"]]
    assert bodies, "the sample's California DOJ notice is gone"
    for body in bodies:
        assert "privacy-act" not in {m.code for m in find_redactions(body)}
    assert "privacy-act" not in counts(db, "code")


@pytest.mark.parametrize(
    ("text", "marks"),
    [
        ("may violate applicable laws including the Electronic Communications Privacy Act.", []),
        ("ELECTRONIC COMMUNICATIONS PRIVACY ACT", []),
        ("records protected by the Right to Financial Privacy Act", []),
        ("the Family Educational Rights and Privacy Act (FERPA)", []),
        ("Contact the FOIA/Privacy Act Officer", []),
        ("See the Privacy Act Statement below.", []),
        # The 1974 Act cited as the reason for withholding still counts.
        ("Privacy Act", ["privacy-act"]),
        ("withheld under the Privacy Act (k)(2)", ["privacy-act"]),
        ("Under Privacy Act exemption (k)(5)", ["privacy-act"]),
        ("Exempt under FOIA and Privacy Act", ["privacy-act"]),
        ("the Freedom of Information Act and Privacy Act", ["privacy-act"]),
        ("5 U.S.C. § 552a(k)(2)", ["privacy-act"]),
    ],
)
def test_privacy_act_needs_the_act_itself(text: str, marks: list[str]) -> None:
    assert [m.code for m in find_redactions(text)] == marks


# --- redacted participants -------------------------------------------------------------------------


def test_redacted_cc_on_the_printed_page_is_a_participant_not_a_person(both: tuple[Path, list[dict]], truth: dict) -> None:
    db, rows = both
    printed = next(p for p in truth["pdf"]["messages"] if p["message"] == "i247-p")
    [row] = printed_match(rows, printed)
    assert row["cc"] == [{"name": "", "email": "", "redacted": "b6"}]
    people = as_json("people", "--db", db)
    assert not any("(b)" in json.dumps(p) or "b6" in p["id"] for p in people)
    # It threads with the dump's copies of the same exchange.
    thread_keys = next(t for t in truth["threads"] if "i247-p" in t)
    dump_subjects = {m["subject"] for m in truth["messages"] if m["key"] in thread_keys and m["in_dump"]}
    same = {r["thread"] for r in rows if r["subject"] in dump_subjects and r["sources"][0]["kind"] != "pdf"}
    assert same == {row["thread"]}


ORIGINAL = """John,

The draft budget memo for the detention contract renewal is ready for your review.
Please send comments by Thursday so that the program office can finalise the figures.

Jane"""
REPLY = "Jane,\n\nThe contract figures in section two do not match the February obligations report. Can you check them?"


def _eml(headers: list[tuple[str, str]], body: str) -> str:
    lines = [f"{k}: {v}" for k, v in headers]
    lines += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="us-ascii"', "", body, ""]
    return "\n".join(lines)


def _quote(sender: str, sent: str, to: str, subject: str, body: str) -> str:
    return f"\n\n-----Original Message-----\nFrom: {sender}\nSent: {sent}\nTo: {to}\nSubject: {subject}\n\n{body}"


def redacted_exchange(folder: Path) -> Path:
    """Three messages with no threading headers after the first: a redacted sender replies, and the
    answer goes back to the redacted address (To and Cc); each quotes the one before."""
    folder.mkdir()
    (folder / "1-original.eml").write_text(_eml([
        ("Message-ID", "<budget-1@agency.example.gov>"), ("Date", "Mon, 7 Mar 2011 14:30:00 -0500"),
        ("From", '"Smith, Jane" <jane.smith@agency.example.gov>'), ("To", '"Doe, John" <john.doe@agency.example.gov>'),
        ("Subject", "Budget memo"),
    ], ORIGINAL))
    original_quote = _quote("Smith, Jane", "Monday, March 07, 2011 2:30 PM", "Doe, John", "Budget memo", ORIGINAL)
    (folder / "2-from-redacted.eml").write_text(_eml([
        ("Date", "Tue, 8 Mar 2011 09:15:00 -0500"), ("From", "(b)(6)"),
        ("To", '"Smith, Jane" <jane.smith@agency.example.gov>'), ("Subject", "RE: Budget memo"),
    ], REPLY + original_quote))
    (folder / "3-to-redacted.eml").write_text(_eml([
        ("Date", "Tue, 8 Mar 2011 11:40:00 -0500"), ("From", '"Smith, Jane" <jane.smith@agency.example.gov>'),
        ("To", "(b)(6)"), ("Cc", '(b)(6), "Doe, John" <john.doe@agency.example.gov>'), ("Subject", "RE: Budget memo"),
    ], "Corrected; the February report had the old totals. Revised memo to follow."
       + _quote("(b)(6)", "Tuesday, March 08, 2011 9:15 AM", "Smith, Jane", "RE: Budget memo", REPLY)
       + original_quote))
    return folder


def test_redacted_sender_and_recipients_are_participants_that_thread(tmp_path: Path) -> None:
    folder = redacted_exchange(tmp_path / "exchange")
    db = tmp_path / "exchange.db"
    rows = sorted(as_json("messages", folder, "--db", db), key=lambda r: r["date"])
    assert [r["recovered"] for r in rows] == [False, False, False]
    original, from_redacted, to_redacted = rows
    assert from_redacted["from"] == {"name": "", "email": "", "redacted": "b6"}
    assert to_redacted["to"] == [{"name": "", "email": "", "redacted": "b6"}]
    assert to_redacted["cc"][0] == {"name": "", "email": "", "redacted": "b6"}
    # Still one thread, each reply under the message it quotes.
    assert len({r["thread"] for r in rows}) == 1
    assert from_redacted["parent"] == original["id"]
    assert to_redacted["parent"] == from_redacted["id"]
    # Never a person called "(b)(6)".
    people = as_json("people", "--db", db)
    assert sorted(p["id"] for p in people) == ["jane.smith@agency.example.gov", "john.doe@agency.example.gov"]
    assert not any("(b)" in json.dumps(p) for p in people)
    # Counted where they were blacked out, and under a sender that names nobody.
    assert {f: n for f, n in counts(db, "field").items() if f in ("from", "to", "cc")} == {"from": 1, "to": 1, "cc": 1}
    by_person = as_json("redactions", "--db", db, "--by", "person")
    redacted_row = next(r for r in by_person if r["person"] is None)
    assert redacted_row["name"] == "(redacted sender)" and redacted_row["messages"] == 1


# --- the eml and the PDF copy of one message ---------------------------------------------------------


def test_printed_copy_and_dump_copy_are_one_message_in_one_thread(both: tuple[Path, list[dict]], truth: dict) -> None:
    _, rows = both
    joined = [m for m in truth["messages"] if m["in_dump"] and m["in_pdf"]]
    assert len(joined) == truth["counts"]["messages_in_pdf_and_dump"]
    for message in joined:
        printed = next(p for p in truth["pdf"]["messages"] if p["message"] == message["key"])
        at_page = page_locator(printed["pages"])
        pdf_copies = [r for r in rows if r["subject"] == printed["subject"]
                      and any(s["kind"] == "pdf" and s["locator"] == at_page for s in r["sources"])]
        eml_copies = [r for r in rows if r["message_id"] and f"<{r['message_id']}>" == message["message_id"]]
        assert len(pdf_copies) == 1 and len(eml_copies) == 1, message["key"]
        [pdf_copy], [eml_copy] = pdf_copies, eml_copies
        assert pdf_copy["thread"] == eml_copy["thread"], message["key"]
        # One message with both sources, or two rows of which one is flagged a copy of the other.
        assert (pdf_copy["id"] == eml_copy["id"] or pdf_copy["duplicate_of"] == eml_copy["id"]
                or eml_copy["duplicate_of"] == pdf_copy["id"]), message["key"]


def test_printed_reply_in_the_dump_shares_its_thread(both: tuple[Path, list[dict]], truth: dict) -> None:
    """The printed reply that quotes a withheld message lands in the thread its .eml copy is in."""
    _, rows = both
    printed = next(p for p in truth["pdf"]["messages"] if p["message"] == "opt-2")
    message = next(m for m in truth["messages"] if m["key"] == "opt-2")
    [pdf_copy] = printed_match(rows, printed)
    [dump_copy] = [r for r in rows if r["message_id"] and f"<{r['message_id']}>" == message["message_id"]]
    assert pdf_copy["thread"] == dump_copy["thread"]


# --- the report -----------------------------------------------------------------------------------


def test_report_cites_pages_and_bates_beside_each_printed_message(release: tuple[Path, list[dict]], truth: dict,
                                                                 tmp_path: Path) -> None:
    db, rows = release
    out = tmp_path / "report.md"
    run("report", "--db", db, "-q", "-o", out)
    text = out.read_text(encoding="utf-8")
    found_in = [line for line in text.splitlines() if line.startswith("- **Found in:**")]
    for printed in truth["pdf"]["messages"]:
        [row] = printed_match(rows, printed)
        section = text[text.index(f"`{row['id']}`"):]
        line = next(line for line in section.splitlines() if line.startswith("- **Found in:**"))
        # Cited as a reader checks it (issue #15): the file, the page span in words, the Bates range.
        pages = printed["pages"]
        span = f"page {pages[0]}" if pages[0] == pages[-1] else f"pages {pages[0]}-{pages[-1]}"
        bates = printed["bates"]
        stamp = f"Bates {bates[0]}" if bates[0] == bates[-1] else f"Bates {bates[0]} to {bates[-1]}"
        assert f"ICE-2011-FOIA-000123.pdf, {span} ({stamp})" in line, line
    assert len(found_in) == len(rows)
    marks = sum(counts(db, "code").values())
    assert f"| Redaction marks | {marks} |" in text
    assert "### Redactions by exemption" in text
