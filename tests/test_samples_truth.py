"""The sample release: it regenerates byte for byte, and truth.json and README.md tell the truth about its files.

The dump is read here with the standard library only (email, mailbox, zipfile),
so the answer key is checked against the files themselves, not against
foiatool's own readers.
"""
from __future__ import annotations

import email
import json
import mailbox
import re
import subprocess
import sys
import zipfile
from datetime import UTC
from email.header import decode_header, make_header
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

import pytest

GENERATED_TOP = ("dump", "release", "truth.json", "README.md")
MAILDIR_CUR = re.compile(r"^\d+\.M\d+P\d+Q\d+\.[A-Za-z0-9-]+:2,[A-Z]*$")
MAILDIR_NEW = re.compile(r"^\d+\.M\d+P\d+Q\d+\.[A-Za-z0-9-]+$")
FORMS = {
    "(b)(6)": (re.compile(r"\(b\)\(6\)"), "b6"),
    "(b)(7)(C)": (re.compile(r"\(b\)\(7\)\(C\)"), "b7c"),
    "b6": (re.compile(r"\bb6\b"), "b6"),
    "b7c": (re.compile(r"\bb7c\b"), "b7c"),
    "[REDACTED]": (re.compile(r"\[REDACTED\]"), "uncoded"),
    "\u2588 run": (re.compile("\u2588+"), "uncoded"),
}


@pytest.fixture(scope="module")
def truth(samples: Path) -> dict:
    return json.loads((samples / "truth.json").read_text(encoding="utf-8"))


def generated_tree(root: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for top in GENERATED_TOP:
        path = root / top
        if path.is_file():
            files[top] = path.read_bytes()
        elif path.is_dir():
            for item in sorted(path.rglob("*")):
                if item.is_file():
                    files[item.relative_to(root).as_posix()] = item.read_bytes()
    return files


def regenerate(samples: Path, out: Path) -> dict[str, bytes]:
    out.mkdir()
    subprocess.run([sys.executable, str(samples / "make_samples.py"), "--out", str(out)], check=True,
                   capture_output=True)
    return generated_tree(out)


def decoded(value: str | None) -> str:
    if value is None:
        return ""
    return str(make_header(decode_header(value)))


def raw_location(samples: Path, location: dict) -> bytes:
    """The stored bytes of one message place: a file, an mbox entry (without its From_ line), a zip member."""
    path = samples / location["path"]
    locator = location["locator"]
    if locator.startswith("mbox#"):
        box = mailbox.mbox(path, create=False)
        try:
            return box.get_bytes(sorted(box.keys())[int(locator[5:])])
        finally:
            box.close()
    if locator.startswith("zip:"):
        with zipfile.ZipFile(path) as archive:
            return archive.read(locator[4:])
    return path.read_bytes()


def read_location(samples: Path, location: dict) -> Message:
    return email.message_from_bytes(raw_location(samples, location), policy=compat32)


def body_text(message: Message) -> str:
    for part in message.walk():
        if part.is_multipart() or part.get_filename():
            continue
        if part.get_content_type() in ("text/plain", "text/html"):
            payload = part.get_payload(decode=True)
            return payload.decode(part.get_content_charset() or "us-ascii")
    return ""


def folded(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def sender_of(message: Message) -> str:
    return getaddresses([message.get("From", "")])[0][1].lower()


def inventory(samples: Path, truth: dict) -> tuple[set[tuple[str, str]], set[str]]:
    """Every message place in dump/, found by walking the files; and the files that hold no message."""
    ignored = {item["path"] for item in truth["ignored"]}
    found: set[tuple[str, str]] = set()
    leftovers: set[str] = set()
    dump = samples / "dump"
    for path in sorted(p for p in dump.rglob("*") if p.is_file()):
        relative = path.relative_to(samples).as_posix()
        if relative in ignored:
            continue
        if relative.startswith("dump/mbox/"):
            box = mailbox.mbox(path, create=False)
            found.update((relative, f"mbox#{i}") for i in range(len(box)))
            box.close()
        elif relative.startswith("dump/maildir/"):
            found.add((relative, ""))
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                found.update((relative, f"zip:{name}") for name in archive.namelist() if not name.endswith("/"))
        else:
            message = email.message_from_bytes(path.read_bytes(), policy=compat32)
            if message.get("From") and message.get("Date"):
                found.add((relative, ""))
            else:
                leftovers.add(relative)
    return found, leftovers


def dump_messages(truth: dict) -> list[dict]:
    return [m for m in truth["messages"] if m["in_dump"]]


# --------------------------------------------------------------------------- regeneration


def test_regeneration_is_byte_identical_and_matches_committed_files(samples: Path, tmp_path: Path) -> None:
    first = regenerate(samples, tmp_path / "one")
    second = regenerate(samples, tmp_path / "two")
    assert first == second
    committed = generated_tree(samples)
    assert sorted(committed) == sorted(first)
    drifted = [name for name in first if committed[name] != first[name]]
    assert drifted == []


# --------------------------------------------------------------------------- README


def test_readme_numbers_equal_truth(samples: Path, truth: dict) -> None:
    readme = (samples / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| [^|]+ \| (\d+) \| `counts\.(\w+)` \|$", readme, flags=re.MULTILINE)
    assert len(rows) >= 12
    for number, key in rows:
        assert int(number) == truth["counts"][key], key
    listed = {key for _, key in rows}
    assert {"messages_total", "messages_in_dump", "messages_in_pdf", "withheld_quoted", "threads", "people",
            "organisations", "problems", "duplicate_copies"} <= listed
    redactions = truth["redactions"]
    assert (f"b6 {redactions['dump']['b6']}, b7c {redactions['dump']['b7c']}, "
            f"uncoded {redactions['dump']['uncoded']}") in readme
    assert f"b6 {redactions['pdf']['b6']}, b7c {redactions['pdf']['b7c']}" in readme
    for gap in truth["pdf"]["bates_gap"]:
        assert gap in readme


# --------------------------------------------------------------------------- the dump


def test_every_message_place_in_the_dump_is_in_the_truth_and_nothing_else(samples: Path, truth: dict) -> None:
    found, leftovers = inventory(samples, truth)
    claimed = {(loc["path"], loc["locator"]) for m in truth["messages"] for loc in m["locations"]}
    assert found == claimed
    assert leftovers == {p["path"] for p in truth["problems"]}
    assert len(found) == truth["counts"]["message_copies_in_dump"]


def test_problems_are_really_unreadable(samples: Path, truth: dict) -> None:
    assert len(truth["problems"]) == truth["counts"]["problems"] == 2
    sizes = sorted((samples / p["path"]).stat().st_size for p in truth["problems"])
    assert sizes[0] == 0 and sizes[1] > 0
    for problem in truth["problems"]:
        message = email.message_from_bytes((samples / problem["path"]).read_bytes(), policy=compat32)
        assert message.keys() == []


def test_each_copy_says_what_the_truth_says(samples: Path, truth: dict) -> None:
    for entry in dump_messages(truth):
        for location in entry["locations"]:
            message = read_location(samples, location)
            where = f"{entry['key']} at {location}"
            assert sender_of(message) == entry["sender"], where
            assert folded(decoded(message["Subject"])) == entry["subject"], where
            assert folded(message["Date"]) == entry["date_header"], where
            if entry["date_header_status"] == "ok":
                parsed = parsedate_to_datetime(message["Date"]).astimezone(UTC)
                assert parsed.strftime("%Y-%m-%dT%H:%M:%SZ") == entry["date"], where
            assert (message.get("Message-ID") is not None) == entry["has_message_id"], where
            if entry["has_message_id"]:
                assert message["Message-ID"].strip() == entry["message_id"], where
            else:
                assert message.get("In-Reply-To") is None and message.get("References") is None, where
            assert message.get_content_type() == entry["content_type"], where
            first_text = next(p for p in message.walk() if p.get_content_maintype() == "text")
            assert (first_text.get_content_charset() or "us-ascii") == entry["charset"], where
            attachments = [
                {"name": part.get_filename(), "size": len(part.get_payload(decode=True))}
                for part in message.walk() if part.get_filename()
            ]
            assert attachments == [{"name": a["name"], "size": a["size"]} for a in entry["attachments"]], where


def test_copies_of_one_message_agree_and_distinct_messages_differ(samples: Path, truth: dict) -> None:
    fingerprints: dict[tuple, str] = {}
    for entry in dump_messages(truth):
        seen = set()
        for location in entry["locations"]:
            message = read_location(samples, location)
            seen.add((message.get("Message-ID"), sender_of(message), folded(decoded(message["Subject"])),
                      folded(body_text(message))))
        assert len(seen) == 1, entry["key"]
        fingerprint = seen.pop()
        assert fingerprint not in fingerprints, (entry["key"], fingerprints.get(fingerprint))
        fingerprints[fingerprint] = entry["key"]
    assert len(fingerprints) == truth["counts"]["messages_in_dump"]
    copies = sum(len(m["locations"]) for m in dump_messages(truth))
    assert copies - len(fingerprints) == truth["counts"]["duplicate_copies"]


def test_duplicates_are_what_they_claim(samples: Path, truth: dict) -> None:
    kinds = {d["kind"]: d for d in truth["duplicates"]}
    identical = kinds["identical"]
    raw = [raw_location(samples, location) for location in identical["locations"]]
    assert [bool(loc["locator"]) for loc in identical["locations"]] == [False, False, True]
    assert raw[0] == raw[1]
    # mbox keeps the message followed by the blank line that separates it from the next From_ line
    assert raw[2].rstrip(b"\n") == raw[0].rstrip(b"\n")
    near = kinds["near-duplicate"]
    a, b = (read_location(samples, loc) for loc in near["locations"])
    assert a["Message-ID"] == b["Message-ID"]
    assert a.as_bytes() != b.as_bytes()
    assert folded(body_text(a)) == folded(body_text(b))
    assert (a.get("Received") is None) != (b.get("Received") is None)


def test_about_a_third_of_the_dump_has_no_message_id(truth: dict) -> None:
    without = [m for m in dump_messages(truth) if not m["has_message_id"]]
    assert len(without) == truth["counts"]["dump_messages_without_message_id"]
    assert 0.25 <= len(without) / truth["counts"]["messages_in_dump"] <= 0.45


def test_redaction_counts_recount_from_the_files(samples: Path, truth: dict) -> None:
    by_code = {"b6": 0, "b7c": 0, "uncoded": 0}
    by_form = {form: 0 for form in FORMS}
    for entry in dump_messages(truth):
        message = read_location(samples, entry["locations"][0])
        text = "\n".join([decoded(message.get("To")), decoded(message.get("Cc")), body_text(message)])
        mine = {"b6": 0, "b7c": 0, "uncoded": 0}
        for form, (pattern, code) in FORMS.items():
            hits = len(pattern.findall(text))
            by_form[form] += hits
            by_code[code] += hits
            mine[code] += hits
        assert {k: v for k, v in mine.items() if v} == entry["redactions"], entry["key"]
    assert by_code == truth["redactions"]["dump"]
    assert by_form == truth["redactions"]["dump_by_form"]
    assert all(by_form[form] > 0 for form in FORMS)


def test_people_and_organisations_cover_every_header_address(samples: Path, truth: dict) -> None:
    by_address = {}
    for person in truth["people"]:
        for address in person["addresses"]:
            assert address not in by_address
            by_address[address] = person
    domains = {d: o["id"] for o in truth["organisations"] for d in o["domains"]}
    for person in truth["people"]:
        for address in person["addresses"]:
            assert domains[address.split("@")[1]] == person["organisation"]
    used: set[str] = set()
    for entry in dump_messages(truth):
        for location in entry["locations"]:
            message = read_location(samples, location)
            fields = [message.get(name, "") for name in ("From", "To", "Cc")]
            for raw_name, address in getaddresses(fields):
                if not address:
                    continue  # a "(b)(6)" recipient: a participant, never a person
                person = by_address[address.lower()]
                name = decoded(raw_name)
                assert name in person["display_names"], (entry["key"], name)
                used.add(person["id"])
    assert len(truth["people"]) == truth["counts"]["people"]
    assert len(truth["organisations"]) == truth["counts"]["organisations"]
    chens = [p for p in truth["people"] if p["name"] == "Michael Chen"]
    assert len(chens) == 2 and chens[0]["organisation"] != chens[1]["organisation"]
    assert set(chens[0]["display_names"]) & set(chens[1]["display_names"])
    lee = next(p for p in truth["people"] if p["id"] == "lee_david")
    assert len(lee["addresses"]) == 2
    morton = next(p for p in truth["people"] if p["id"] == "morton_john")
    assert {"Morton, John", "John Morton", "JOHN MORTON", "'john.morton@ice.dhs.gov'"} <= set(
        morton["display_names"])


def test_threads_partition_the_messages(truth: dict) -> None:
    keys = [key for thread in truth["threads"] for key in thread]
    assert sorted(keys) == sorted(m["key"] for m in truth["messages"])
    assert len(truth["threads"]) == truth["counts"]["threads"]
    by_key = {m["key"]: m for m in truth["messages"]}
    for index, thread in enumerate(truth["threads"]):
        assert all(by_key[key]["thread"] == index for key in thread)
        dates = [by_key[key]["date"] for key in thread]
        assert dates == sorted(dates)
    recurring = truth["features"]["recurring_subject"]
    first, second = (truth["threads"][i] for i in recurring["threads"])
    senders = [{by_key[k]["sender"] for k in thread if by_key[k]["subject"] == recurring["subject"]}
               for thread in (first, second)]
    assert senders[0] and senders[1] and not senders[0] & senders[1]
    assert {by_key[k]["date"][:7] for k in first}.isdisjoint({by_key[k]["date"][:7] for k in second})


def test_withheld_messages_survive_only_as_quoted_history(samples: Path, truth: dict) -> None:
    withheld = [m for m in truth["messages"] if m["withheld"]]
    assert len(withheld) == truth["counts"]["withheld_quoted"] >= 3
    by_key = {m["key"]: m for m in truth["messages"]}
    for entry in withheld:
        assert entry["locations"] == [] and not entry["in_pdf"]
        assert entry["quoted_in"]
        for quote in entry["quoted_in"]:
            holder = by_key[quote["message"]]
            assert holder["in_dump"]
            text = body_text(read_location(samples, holder["locations"][0]))
            if quote["style"] == "on-wrote":
                lead = f"On {quote['printed_date']}, {quote['printed_sender']} <{entry['sender']}> wrote:"
                assert lead in text
            else:
                block = re.search(
                    rf"^From: {re.escape(quote['printed_sender'])}( \[mailto:[^\]]+\])?\n"
                    rf"Sent: {re.escape(quote['printed_date'])}\n(?:.*\n){{1,2}}"
                    rf"Subject: {re.escape(entry['subject'])}$", text, flags=re.MULTILINE)
                assert block, (entry["key"], holder["key"])


def test_messy_features_are_in_the_files(samples: Path, truth: dict) -> None:
    features = truth["features"]
    by_key = {m["key"]: m for m in truth["messages"]}
    escaped_per_file: dict[str, int] = {}
    for escape in features["mbox_from_escaped"]:
        escaped_per_file[escape["path"]] = escaped_per_file.get(escape["path"], 0) + escape["lines"]
        assert body_text(read_location(samples, escape)).count("\n>From ") == escape["lines"]
    for path, lines in escaped_per_file.items():
        assert (samples / path).read_bytes().count(b"\n>From ") == lines
    assert "." not in Path(features["mbox_without_extension"][0]).name
    for path in features["wrong_extension"]:
        assert path.endswith(".txt") and read_location(samples, {"path": path, "locator": ""})["From"]
    maildir = samples / features["maildir"][0]
    box = mailbox.Maildir(maildir, factory=None, create=False)
    assert len(box) == len(list((maildir / "cur").iterdir())) + len(list((maildir / "new").iterdir()))
    assert all(MAILDIR_CUR.match(p.name) for p in (maildir / "cur").iterdir())
    assert all(MAILDIR_NEW.match(p.name) for p in (maildir / "new").iterdir())
    assert (maildir / "tmp").is_dir()
    with zipfile.ZipFile(samples / features["zip"][0]) as archive:
        names = archive.namelist()
    assert any(n.startswith(features["zip_nested_folder"]) and n.endswith(".eml") for n in names)
    assert any("/" not in n and n.endswith(".eml") for n in names)
    assert {"windows-1252", "iso-2022-jp", "utf-8"} <= set(features["charsets"].values())
    for key in features["rfc2047_subjects"] + features["rfc2047_display_names"]:
        raw = (samples / by_key[key]["locations"][0]["path"])
        message = read_location(samples, by_key[key]["locations"][0])
        assert "=?" in (message["Subject"] + message["From"]), (key, raw)
    assert {s for s in (m.get("date_header_status") for m in truth["messages"]) if s} == {"ok", "guessed", "missing"}
    for key, malformed in features["malformed_dates"].items():
        message = read_location(samples, by_key[key]["locations"][0])
        assert message["Date"] == malformed["header"]
        assert by_key[key]["date_header_status"] == malformed["parse"]
        assert by_key[key]["date"] == malformed["true_date"]
        assert not re.search(r"\d{2}:\d{2}:\d{2} [+-]\d{4}$", malformed["header"])
    for key in features["html_only"]:
        assert read_location(samples, by_key[key]["locations"][0]).get_content_type() == "text/html"
    kinds = {a["content_type"] for k in features["attachments"] for a in by_key[k]["attachments"]}
    assert {"application/pdf", "text/plain"} <= kinds
    for key in features["redacted_recipients"]:
        message = read_location(samples, by_key[key]["locations"][0])
        assert "(b)(6)" in {(message.get("To") or "").strip(), (message.get("Cc") or "").strip()}
    quoting = body_text(read_location(samples, by_key[features["blackberry_quoted"][0]]["locations"][0]))
    assert "Sent from my BlackBerry" in quoting
    pdf_magic = [a for k in features["attachments"] for a in by_key[k]["attachments"]
                 if a["content_type"] == "application/pdf"]
    for attachment in pdf_magic:
        holder = next(k for k in features["attachments"] if attachment in by_key[k]["attachments"])
        message = read_location(samples, by_key[holder]["locations"][0])
        part = next(p for p in message.walk() if p.get_filename() == attachment["name"])
        assert part.get_payload(decode=True).startswith(b"%PDF-")


# --------------------------------------------------------------------------- the PDF release


def pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


def test_release_pdf_matches_truth(samples: Path, truth: dict) -> None:
    release = truth["pdf"]
    pages = pdf_pages(samples / release["path"])
    assert len(pages) == release["pages"] == truth["counts"]["pdf_pages"]
    for number, (text, bates) in enumerate(zip(pages, release["bates"], strict=True), start=1):
        assert release["running_header"] in text
        assert f"Page {number} of {len(pages)}" in text
        assert bates in text
    everything = "\n".join(pages)
    for gap in release["bates_gap"]:
        assert gap not in everything
    numbers = [int(b.rsplit("-", 1)[1]) for b in release["bates"]]
    missing = {f"{release['bates'][0].rsplit('-', 1)[0]}-{n:06d}"
               for n in range(numbers[0], numbers[-1] + 1)} - set(release["bates"])
    assert missing == set(release["bates_gap"])
    assert everything.count("(b)(6)") == truth["redactions"]["pdf"]["b6"]
    assert everything.count("(b)(7)(C)") == truth["redactions"]["pdf"]["b7c"]
    assert len(release["messages"]) == truth["counts"]["messages_in_pdf"]
    assert any(p["pages"][0] != p["pages"][1] for p in release["messages"])
    assert any(p["starts_mid_page"] for p in release["messages"])
    for printed in release["messages"]:
        first = pages[printed["pages"][0] - 1]
        assert f"Sent: {printed['sent_printed']}" in first
        assert f"Subject: {printed['subject']}" in first
        assert f"From: {printed['sender_name']}" in first
        assert printed["bates"] == release["bates"][printed["pages"][0] - 1:printed["pages"][1]]


def test_printed_messages_also_in_the_dump_have_the_same_body(samples: Path, truth: dict) -> None:
    release = truth["pdf"]
    furniture = re.compile(rf"^({re.escape(release['running_header'])}|Page \d+ of \d+|ICE-2011-FOIA-\d{{6}})$")
    pages = pdf_pages(samples / release["path"])
    flowing = folded("\n".join(line for page in pages for line in page.split("\n") if not furniture.match(line)))
    by_key = {m["key"]: m for m in truth["messages"]}
    joined = [p for p in release["messages"] if by_key[p["message"]]["in_dump"]]
    assert len(joined) == truth["counts"]["messages_in_pdf_and_dump"] >= 1
    for printed in joined:
        entry = by_key[printed["message"]]
        assert (entry["sender"], entry["date"], entry["subject"]) == (
            printed["sender"], printed["date"], printed["subject"])
        body = folded(body_text(read_location(samples, entry["locations"][0])))
        assert body in flowing, printed["message"]


def test_scanned_page_has_no_text_layer(samples: Path, truth: dict) -> None:
    from pypdf import PdfReader

    reader = PdfReader(samples / truth["scanned"]["path"])
    assert len(reader.pages) == truth["scanned"]["pages"] == 1
    assert reader.pages[0].extract_text().strip() == ""
    assert len(reader.pages[0].images) == 1
