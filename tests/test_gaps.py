"""``foiatool gaps`` through the real command: each kind of gap, with the evidence it cites,
on the sample release and on small dumps built here."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import foiatool_exe
from markdown_it import MarkdownIt

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
COLUMNS = ["Kind", "Item", "What", "Evidence"]




def run(*args: str | Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    env["TZ"] = "UTC"
    proc = subprocess.run([str(foiatool_exe()), *map(str, args)], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def gaps(*args: str | Path) -> list[dict]:
    return json.loads(run("gaps", *args, "-q", "-f", "json"))


def of_kind(rows: list[dict], kind: str) -> list[dict]:
    return [r for r in rows if r["kind"] == kind]


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("gaps") / "samples.db"
    run("index", SAMPLES / "dump", SAMPLES / "release", "--db", db, "-q")
    return db


@pytest.fixture(scope="module")
def sample_gaps(sample_db: Path) -> list[dict]:
    return gaps("--db", sample_db)


def location(truth: dict, key: str) -> str:
    """Where truth.json says a message is, written the way a citation writes it."""
    message = next(m for m in truth["messages"] if m["key"] == key)
    first = message["locations"][0]
    return str((SAMPLES / first["path"]).resolve()) + (f" [{first['locator']}]" if first["locator"] else "")


# --- on the sample release ------------------------------------------------------------------------


def test_every_gap_cites_a_file_that_exists(sample_db: Path, sample_gaps: list[dict]) -> None:
    messages = json.loads(run("messages", "--db", sample_db, "-f", "json"))
    files = {s["path"] for m in messages for s in m["sources"]}
    assert files and all(Path(f).exists() for f in files)
    assert sample_gaps
    for row in sample_gaps:
        assert row["kind"] and row["item"] and row["detail"] and row["evidence"], row
        assert row["messages"], row
        assert any(f in row["evidence"] for f in files), row


def test_the_bates_gap_is_listed_with_the_pages_either_side(sample_gaps: list[dict], truth: dict) -> None:
    [gap] = of_kind(sample_gaps, "bates-gap")
    assert [gap["item"]] == truth["pdf"]["bates_gap"] == ["ICE-2011-FOIA-000104"]
    pdf = str((SAMPLES / truth["pdf"]["path"]).resolve())
    # Stamp 103 is on page 3 and 105 on page 4, where the printed messages say they are.
    assert gap["evidence"] == f"ICE-2011-FOIA-000103 on {pdf} [pdf:page 3]; ICE-2011-FOIA-000105 on {pdf} [pdf:page 4]"
    assert "ICE-2011-FOIA-000103 is followed by ICE-2011-FOIA-000105" in gap["detail"]


def test_withheld_messages_that_survive_as_quotes_are_listed(sample_gaps: list[dict], truth: dict) -> None:
    quoted = of_kind(sample_gaps, "quoted-only")
    for key in truth["features"]["withheld_quoted"]:
        withheld = next(m for m in truth["messages"] if m["key"] == key)
        printed_sender = withheld["quoted_in"][0]["printed_sender"]
        [row] = [r for r in quoted if f"{printed_sender}: {withheld['subject']}" in r["detail"]]
        # Cited by a message that quotes it, where that message is.
        holders = [m for q in withheld["quoted_in"] for m in truth["messages"] if m["key"] == q["message"] and m["in_dump"]]
        assert any(location(truth, holder["key"]) in row["evidence"] for holder in holders), key


def test_a_quoted_only_message_is_cited_by_every_message_quoting_it(sample_gaps: list[dict], truth: dict) -> None:
    quoted = of_kind(sample_gaps, "quoted-only")
    for key in truth["features"]["withheld_quoted"]:
        withheld = next(m for m in truth["messages"] if m["key"] == key)
        [row] = [r for r in quoted if f"{withheld['quoted_in'][0]['printed_sender']}: {withheld['subject']}" in r["detail"]]
        for q in withheld["quoted_in"]:
            holder = next(m for m in truth["messages"] if m["key"] == q["message"])
            if holder["in_dump"]:
                assert location(truth, holder["key"]) in row["evidence"], (key, q["message"])


def test_exactly_the_withheld_messages_are_quoted_only(sample_gaps: list[dict], truth: dict) -> None:
    assert len(of_kind(sample_gaps, "quoted-only")) == truth["counts"]["withheld_quoted"]


def test_withheld_message_quoted_in_the_pdf_is_cited_by_page_and_bates(sample_gaps: list[dict], truth: dict) -> None:
    opt_w = next(m for m in truth["messages"] if m["key"] == "opt-w")
    [row] = [r for r in of_kind(sample_gaps, "quoted-only") if opt_w["subject"] in r["detail"]
             and "Morton" in r["detail"]]
    printed = next(p for p in truth["pdf"]["messages"] if p["message"] == "opt-2")
    pdf = str((SAMPLES / truth["pdf"]["path"]).resolve())
    assert f"{pdf} [pdf:pages 1-3] ({', '.join(printed['bates'])})" in row["evidence"]


def test_referenced_message_ids_are_the_ones_not_produced(sample_gaps: list[dict], truth: dict) -> None:
    produced = {m["message_id"] for m in truth["messages"] if m["in_dump"] and m["has_message_id"]}
    missing = {m["referenced_message_id"] for m in truth["messages"]
               if m["referenced_message_id"] and m["referenced_message_id"] not in produced}
    referenced = {r["item"] for r in of_kind(sample_gaps, "referenced-not-produced")}
    assert referenced and referenced <= missing
    # A referenced id whose message was recovered is listed once, with the quote.
    quoted_details = " ".join(r["detail"] for r in of_kind(sample_gaps, "quoted-only"))
    for ref in missing - referenced:
        assert f"Message-ID {ref} is referenced" in quoted_details
    for row in of_kind(sample_gaps, "referenced-not-produced"):
        assert row["evidence"].startswith("referenced by 2011-")


def test_a_stripped_message_id_is_pointed_out(sample_gaps: list[dict], truth: dict) -> None:
    """ident-1 is in the dump without its Message-ID; the reply that names that id says so."""
    ident_1 = next(m for m in truth["messages"] if m["key"] == "ident-1")
    assert not ident_1["has_message_id"] and ident_1["in_dump"]
    [row] = [r for r in of_kind(sample_gaps, "referenced-not-produced") if r["item"] == ident_1["referenced_message_id"]]
    assert f"{ident_1['sender_name']}: {ident_1['subject']}, has no Message-ID" in row["detail"]


def test_attachment_named_on_a_printed_page_is_listed_absent(sample_gaps: list[dict], truth: dict) -> None:
    listed = [(p, name) for p in truth["pdf"]["messages"] for name in p["attachments_listed"]]
    rows = of_kind(sample_gaps, "attachment-named-absent")
    assert [r["item"] for r in rows] == [name for _, name in listed]
    for (printed, _), row in zip(listed, rows, strict=True):
        pdf = str((SAMPLES / truth["pdf"]["path"]).resolve())
        pages = printed["pages"]
        assert f"{pdf} [pdf:page {pages[0]}] ({', '.join(printed['bates'])})" in row["evidence"]
        assert "named but absent" in row["detail"]


def test_saying_nothing_is_attached_is_not_a_gap(sample_gaps: list[dict], truth: dict) -> None:
    # act-1 says "I am attaching nothing today".
    act_1 = next(m for m in truth["messages"] if m["key"] == "act-1")
    assert not any(act_1["subject"] in r["detail"] and r["kind"].startswith("attachment") for r in sample_gaps)


def test_the_silence_before_the_extended_deadline_is_listed(sample_gaps: list[dict], truth: dict) -> None:
    """The records request thread goes quiet between the deadline (April 7) and its extension (April 21)."""
    [row] = of_kind(sample_gaps, "thread-silence")
    assert "California Public Records Act Request" in row["detail"]
    assert "silent from 2011-04-07 to 2011-04-21" in row["detail"]
    assert location(truth, "pra-6") in row["evidence"] and location(truth, "pra-7") in row["evidence"]


def test_silence_in_a_persons_correspondence_is_listed(sample_gaps: list[dict], truth: dict) -> None:
    rows = [r for r in of_kind(sample_gaps, "person-silence") if r["item"] == "john.morton@ice.dhs.gov"]
    [row] = [r for r in rows if "silent from 2011-03-21 to 2011-04-13" in r["detail"]]
    assert "last before:" in row["evidence"] and location(truth, "brf-3") in row["evidence"]
    assert location(truth, "prs-1") in row["evidence"]
    # A week or less is ordinary in one person's mail.
    assert all(int(r["detail"].split("(")[-1].split(" day")[0]) >= 7 for r in of_kind(sample_gaps, "person-silence"))


def test_markdown_is_one_table_an_appeal_can_append(sample_db: Path, sample_gaps: list[dict]) -> None:
    text = run("gaps", "--db", sample_db, "-f", "markdown")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["Gaps in the release"]
    assert sum(t.type == "table_open" for t in tokens) == 1
    header: list[str] = []
    rows: list[list[str]] = []
    section = ""
    for i, t in enumerate(tokens):
        if t.type in ("thead_open", "tbody_open"):
            section = t.type
        elif t.type == "tr_open" and section == "tbody_open":
            rows.append([])
        elif t.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            cell = "".join(c.content for c in t.children or [] if c.type in ("text", "code_inline"))
            (header if section == "thead_open" else rows[-1]).append(cell)
    assert header == COLUMNS
    assert [[r["kind"], r["item"], r["detail"], r["evidence"]] for r in sample_gaps] == rows
    assert ["bates-gap", "ICE-2011-FOIA-000104"] in [row[:2] for row in rows]


def test_filters_narrow_the_messages_and_leave_out_bates(sample_db: Path, sample_gaps: list[dict]) -> None:
    narrowed = gaps("--db", sample_db, "--participant", "john.morton@ice.dhs.gov")
    assert narrowed and len(narrowed) < len(sample_gaps)
    assert not of_kind(narrowed, "bates-gap")
    # Silences are measured over all of a person's mail, so a filter never makes new ones.
    silences = {(r["item"], r["detail"]) for r in sample_gaps if r["kind"].endswith("silence")}
    narrowed_silences = {(r["item"], r["detail"]) for r in narrowed if r["kind"].endswith("silence")}
    assert narrowed_silences and narrowed_silences <= silences
    assert ("john.morton@ice.dhs.gov", next(d for i, d in silences if i == "john.morton@ice.dhs.gov")) in narrowed_silences
    early = gaps("--db", sample_db, "--until", "2011-03-15")
    assert not of_kind(early, "thread-silence")  # the records request went quiet in April
    assert all(r["detail"].split("silent from ")[1] < "2011-03-16" for r in of_kind(early, "person-silence"))


# --- on dumps built here --------------------------------------------------------------------------


def _eml(headers: list[tuple[str, str]], body: str) -> str:
    lines = [f"{k}: {v}" for k, v in headers if v]
    lines += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="us-ascii"', "", body, ""]
    return "\n".join(lines)


def write(folder: Path, name: str, *, date: str, sender: str, to: str, subject: str, body: str,
          message_id: str = "", in_reply_to: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(_eml([
        ("Message-ID", message_id), ("In-Reply-To", in_reply_to), ("Date", date), ("From", sender), ("To", to),
        ("Subject", subject)], body), encoding="utf-8")


ANNA = '"Reyes, Anna" <anna.reyes@agency.example.gov>'
BEN = '"Ortiz, Ben" <ben.ortiz@agency.example.gov>'
CARL = '"Nakamura, Carl" <carl.nakamura@county.example.org>'


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    root = tmp_path_factory.mktemp("built")
    dump = root / "dump"
    # A reply to a Message-ID that is not in the dump, that says a file is attached but carries none.
    write(dump, "contract-reply.eml", date="Tue, 1 Mar 2011 10:00:00 -0500", sender=ANNA, to=BEN,
          subject="RE: Detention contract", message_id="<c2@agency.example.gov>",
          in_reply_to="<c1-never-produced@agency.example.gov>",
          body="Ben,\n\nPlease see the attached memo on the renewal terms.\n\nAnna")
    # A reply with no headers to thread by, no quote, and no earlier message.
    write(dump, "orphan.eml", date="Wed, 2 Mar 2011 10:00:00 -0500", sender=CARL, to=ANNA,
          subject="RE: Quarterly detainer report", body="Anna,\n\nThe county figures are the same as last quarter.\n\nCarl")
    # Saying nothing is attached is not a gap.
    write(dump, "nothing-attached.eml", date="Wed, 2 Mar 2011 11:00:00 -0500", sender=BEN, to=ANNA,
          subject="Site visit", body="Anna,\n\nI am attaching nothing today; the schedule follows.\n\nBen")
    # A reply quoting a message that is not in the dump: recovered from the quote.
    write(dump, "quotes-withheld.eml", date="Thu, 3 Mar 2011 09:30:00 -0500", sender=ANNA, to=CARL,
          subject="RE: Booking data request",
          body="Carl,\n\nWe can take the weekly extract from April.\n\nAnna\n\n-----Original Message-----\n"
               "From: Nakamura, Carl\nSent: Wednesday, March 02, 2011 4:10 PM\nTo: Reyes, Anna\n"
               "Subject: Booking data request\n\nAnna,\n\nCould ICE receive the booking extract weekly instead of daily?\n\nCarl")
    # A thread answered every day, then silent for three weeks.
    previous = ""
    days = [7, 8, 9, 10, 11, 31, 32]
    for number, day in enumerate(days):
        month, mday = (3, day) if day <= 31 else (4, day - 31)
        mid = f"<plan-{number}@agency.example.gov>"
        write(dump / "plan", f"plan-{number}.eml", date=f"{mday} {'Mar' if month == 3 else 'Apr'} 2011 10:00:00 -0500",
              sender=ANNA if number % 2 == 0 else BEN, to=BEN if number % 2 == 0 else ANNA,
              subject="Transfer plan" if number == 0 else "RE: Transfer plan", message_id=mid, in_reply_to=previous,
              body=f"Step {number} of the transfer plan is agreed; next step tomorrow. Message {number}.")
        previous = mid
    # A person writing daily in separate one-message threads, then nothing for three weeks.
    for number, (month, day) in enumerate([("Mar", 14), ("Mar", 15), ("Mar", 16), ("Mar", 17), ("Apr", 8), ("Apr", 9)]):
        write(dump / "carl", f"carl-{number}.eml", date=f"{day} {month} 2011 15:00:00 -0500", sender=CARL,
              to='"Lane, Dana" <dana.lane@county.example.org>', subject=f"Daily count {month} {day}",
              message_id=f"<count-{number}@county.example.org>",
              body=f"Dana,\n\nToday's jail count is {200 + number}.\n\nCarl")
    # A printed release with two Bates numbers withheld and an attachment named on one printout.
    from pdfmaker import PrintedEmail, release_pdf

    printed = [
        PrintedEmail(sender="Reyes, Anna", date="Monday, March 14, 2011 9:00 AM", to="Ortiz, Ben",
                     subject="Renewal memo", body="Ben,\n\nThe renewal memo is below.\n\nAnna",
                     attachments="Renewal_terms_v2.docx; Cost_table.xlsx"),
        PrintedEmail(sender="Ortiz, Ben", date="Monday, March 14, 2011 11:00 AM", to="Reyes, Anna",
                     subject="RE: Renewal memo", body="Anna,\n\nAgreed on all terms.\n\nBen"),
        PrintedEmail(sender="Reyes, Anna", date="Tuesday, March 15, 2011 8:00 AM", to="Ortiz, Ben",
                     subject="Signature page", body="Ben,\n\nThe signature page goes out today.\n\nAnna"),
    ]
    release = root / "release"
    release.mkdir()
    (release / "DHS-release.pdf").write_bytes(
        release_pdf(printed, bates_prefix="DHS-", bates_start=41, bates_skip=[43, 44]))
    db = root / "built.db"
    run("index", dump, release, "--db", db, "-q")
    return root, gaps("--db", db)


def test_reference_to_an_unproduced_message(built: tuple[Path, list[dict]]) -> None:
    root, rows = built
    [row] = of_kind(rows, "referenced-not-produced")
    assert row["item"] == "<c1-never-produced@agency.example.gov>"
    assert row["evidence"] == (f"referenced by 2011-03-01 Reyes, Anna: RE: Detention contract — "
                               f"{(root / 'dump' / 'contract-reply.eml').resolve()}")


def test_reply_without_parent(built: tuple[Path, list[dict]]) -> None:
    root, rows = built
    [row] = of_kind(rows, "reply-without-parent")
    assert "RE: Quarterly detainer report" in row["detail"] and "subject is a reply's" in row["detail"]
    assert row["evidence"].endswith(str((root / "dump" / "orphan.eml").resolve()))


def test_message_only_quoted(built: tuple[Path, list[dict]]) -> None:
    root, rows = built
    [row] = of_kind(rows, "quoted-only")
    assert row["detail"].endswith("Nakamura, Carl: Booking data request")
    assert row["evidence"] == (f"quoted in 2011-03-03 Reyes, Anna: RE: Booking data request — "
                               f"{(root / 'dump' / 'quotes-withheld.eml').resolve()}")


def test_attachments_named_or_mentioned_but_absent(built: tuple[Path, list[dict]]) -> None:
    root, rows = built
    named = of_kind(rows, "attachment-named-absent")
    assert [r["item"] for r in named] == ["Renewal_terms_v2.docx", "Cost_table.xlsx"]
    assert all(f"{(root / 'release' / 'DHS-release.pdf').resolve()} [pdf:page 1] (DHS-000041)" in r["evidence"]
               for r in named)
    [mentioned] = of_kind(rows, "attachment-mentioned-absent")
    assert "'the attached'" in mentioned["detail"] and "RE: Detention contract" in mentioned["detail"]
    assert not any("Site visit" in r["detail"] for r in rows)


def test_silences_in_a_thread_and_in_a_persons_mail(built: tuple[Path, list[dict]]) -> None:
    root, rows = built
    [thread] = of_kind(rows, "thread-silence")
    assert "(Transfer plan) silent from 2011-03-11 to 2011-03-31 (20 days; usual gap 1 day)" in thread["detail"]
    assert f"{(root / 'dump' / 'plan' / 'plan-4.eml').resolve()}; first after:" in thread["evidence"]
    assert thread["evidence"].endswith(str((root / "dump" / "plan" / "plan-5.eml").resolve()))
    people = {r["item"]: r for r in of_kind(rows, "person-silence")}
    carl = people["carl.nakamura@county.example.org"]
    assert "silent from 2011-03-17 to 2011-04-08 (22 days; usual gap 1 day)" in carl["detail"]
    assert "carl-3.eml; first after:" in carl["evidence"] and carl["evidence"].endswith("carl-4.eml")
    # Carl's one-message threads have no silence of their own.
    assert not any("Daily count" in r["detail"] for r in of_kind(rows, "thread-silence"))


def test_bates_range_gap(built: tuple[Path, list[dict]]) -> None:
    root, rows = built
    [gap] = of_kind(rows, "bates-gap")
    assert gap["item"] == "DHS-000043–DHS-000044"
    assert gap["detail"] == "2 Bates numbers missing from the sequence: DHS-000042 is followed by DHS-000045"
    pdf = (root / "release" / "DHS-release.pdf").resolve()
    assert gap["evidence"] == f"DHS-000042 on {pdf} [pdf:page 2]; DHS-000045 on {pdf} [pdf:page 3]"


def test_gap_kinds_come_in_a_stable_order(built: tuple[Path, list[dict]]) -> None:
    from foiatool.analysis.gaps import KINDS

    _, rows = built
    order = [KINDS.index(r["kind"]) for r in rows]
    assert order == sorted(order)
    assert {r["kind"] for r in rows} == set(KINDS)
