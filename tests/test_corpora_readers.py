"""The readers on real mail from other projects (../shared/corpora), checked against known answers."""
from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
from datetime import timedelta
from pathlib import Path

import pytest

from foiatool.mail.dates import parse_date
from foiatool.model import Message, Problem, normalise_text
from foiatool.sources import InputFile, discover, read_path

pytestmark = pytest.mark.corpora


def read_all(path: Path) -> tuple[list[Message], list[Problem]]:
    items = list(read_path(str(path)))
    return [i for i in items if isinstance(i, Message)], [i for i in items if isinstance(i, Problem)]


def stdlib_last_from(path: Path) -> str:
    """The address of the LAST From: header, as the standard library reads it."""
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
    return email.utils.parseaddr(str(parsed.get_all("from")[-1]))[1].lower()


def test_spamassassin_ham_every_file_one_message_with_the_real_sender(corpora: Path) -> None:
    files = sorted((corpora / "spamassassin-ham").glob("*.eml"))
    assert len(files) == 2405
    wrong: list[tuple[str, str, str | None]] = []
    messages = 0
    for path in files:
        found, problems = read_all(path)
        assert problems == [], path
        assert len(found) == 1, path
        messages += 1
        expected = stdlib_last_from(path)
        sender = found[0].sender.email if found[0].sender else None
        if sender != expected:
            wrong.append((path.name, expected, sender))
        assert found[0].sources[0].kind == "eml"
    assert messages == 2405
    assert wrong == []


def test_spamassassin_ham_threading_headers(corpora: Path) -> None:
    path = next((corpora / "spamassassin-ham").glob("0002.*.eml"))
    message = read_all(path)[0][0]
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
    assert message.message_id == str(parsed["Message-ID"]).strip().strip("<>")
    assert message.subject == str(parsed["Subject"]).strip()
    assert message.date == parse_date(str(parsed["Date"]))[0]


def _eml_reference(msg_path: Path) -> Message:
    messages, problems = read_all(msg_path.with_suffix(".eml"))
    assert problems == [] and len(messages) == 1
    return messages[0]


@pytest.mark.parametrize("name", ["charset", "gpg_signed", "plain_jpeg_attached", "plain_uc_unsent",
                                  "plain_uc_wc_unsent", "plain_unsent"])
def test_outlook_msg_matches_the_eml_msgconvert_made(corpora: Path, name: str) -> None:
    msg_path = corpora / "outlook-msg-perl" / f"{name}.msg"
    messages, problems = read_all(msg_path)
    assert problems == [] and len(messages) == 1
    ours, reference = messages[0], _eml_reference(msg_path)
    assert ours.sources[0].kind == "msg" and ours.sources[0].locator == ""
    assert ours.subject == reference.subject
    assert ours.sender == reference.sender
    assert (ours.to, ours.cc, ours.bcc) == (reference.to, reference.cc, reference.bcc)
    # unsent drafts carry no Date; both take the time the draft was last saved (ours says "guessed")
    assert ours.date == reference.date
    assert normalise_text(ours.body) == normalise_text(reference.body)
    assert ours.message_id == reference.message_id
    # attachment lists legitimately differ: msgconvert also writes the RTF body as a part of its own


def test_outlook_msg_attachment_matches_the_eml_attachment(corpora: Path) -> None:
    msg_path = corpora / "outlook-msg-perl" / "plain_jpeg_attached.msg"
    ours = read_all(msg_path)[0][0]
    reference = _eml_reference(msg_path)
    jpeg = [a for a in reference.attachments if a.name == "test.jpg"]
    assert [(a.name, a.content_type, a.size, a.sha256) for a in ours.attachments] == \
        [(a.name, a.content_type, a.size, a.sha256) for a in jpeg]


def test_unsent_outlook_draft_date_is_guessed(corpora: Path) -> None:
    ours = read_all(corpora / "outlook-msg-perl" / "plain_unsent.msg")[0][0]
    assert ours.date_status == "guessed"
    assert ours.sender is None


# msg-extractor's expected outputs print the date in US Pacific time although they label it GMT
_PACIFIC_STANDARD = timedelta(hours=-8)


@pytest.mark.parametrize(("name", "folder", "to", "cc"), [
    ("unicode", "2013-11-18_0026 Test for TIF files", ["brianzhou@me.com"], ["brizhou@gmail.com"]),
    ("strangeDate", "2016-02-23_0657 MSG Test File", ["time2talk@online-convert.com"], []),
])
def test_msg_extractor_files_match_expected_outputs(corpora: Path, name: str, folder: str,
                                                    to: list[str], cc: list[str]) -> None:
    root = corpora / "msg-extractor"
    messages, problems = read_all(root / f"{name}.msg")
    assert problems == [] and len(messages) == 1
    message = messages[0]
    expected = (root / "expected-outputs" / folder / "message.text").read_text("utf-8", "replace")
    header, body = expected.split("-----------------", 1)
    fields = {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in header.splitlines() if ":" in line}
    assert message.subject == fields["Subject"]
    assert [a.email for a in message.to] == to
    assert [a.email for a in message.cc] == cc
    printed = parse_date(fields["Date"].replace("GMT", "").strip())[0]
    assert printed is not None and message.date is not None
    assert message.date + _PACIFIC_STANDARD == printed
    assert normalise_text(message.body) == normalise_text(body)
    for attachment in message.attachments:
        saved = root / "expected-outputs" / folder / attachment.name
        assert hashlib.sha256(saved.read_bytes()).hexdigest() == attachment.sha256
        assert attachment.size == saved.stat().st_size
    assert len(message.attachments) == (2 if name == "unicode" else 0)


# Files in these folders that are not mail at all (fixture text, git metadata).
_NOT_MAIL = {
    "imap_tools": {".gitattributes"},
    "mail-parser": set(),
    "talon-replies": {"iphone_reply_text", "sparrow_reply_text"},
}


@pytest.mark.parametrize("folder", sorted(_NOT_MAIL))
def test_every_file_gives_a_message_or_a_problem(corpora: Path, folder: str) -> None:
    found = list(discover([str(corpora / folder)]))
    assert found and all(isinstance(f, InputFile) for f in found)
    problem_files: set[str] = set()
    for entry in found:
        items = list(read_path(entry.path, entry.kind_hint))
        assert items, entry.path
        for item in items:
            assert isinstance(item, (Message, Problem))
            if isinstance(item, Problem):
                problem_files.add(Path(item.path).name)
                continue
            assert item.sources[0].path == entry.path
            item.body.encode("utf-8")
            item.subject.encode("utf-8")
    assert problem_files == _NOT_MAIL[folder]


def test_imap_tools_known_answers(corpora: Path) -> None:
    root = corpora / "imap_tools"
    simple = read_all(root / "simple.eml")[0][0]
    parsed = email.message_from_bytes((root / "simple.eml").read_bytes(), policy=email.policy.default)
    assert simple.subject == str(parsed["subject"])
    assert simple.sender is not None and simple.sender.email == parsed["from"].addresses[0].addr_spec.lower()
    plain = parsed.get_body(("plain",))
    if plain is not None:
        assert normalise_text(simple.body) == normalise_text(plain.get_content())


def test_mail_parser_outlook_sample_is_read_as_msg(corpora: Path) -> None:
    messages, problems = read_all(corpora / "mail-parser" / "mail_outlook_1")
    assert problems == [] and len(messages) == 1
    assert messages[0].sources[0].kind == "msg"
    assert messages[0].subject


def test_go_pst_support_pst(corpora: Path) -> None:
    messages, problems = read_all(corpora / "go-pst" / "support.pst")
    assert problems == []
    assert len(messages) == 17
    folders = [m.sources[0].locator.rsplit("#", 1)[0] for m in messages]
    assert folders.count("pst:/Top of Personal Folders/Drafts") == 6
    assert folders.count("pst:/Top of Personal Folders/Sent Messages") == 11
    assert [m.sources[0].locator for m in messages][6] == "pst:/Top of Personal Folders/Sent Messages#0"
    assert all(m.sources[0].kind == "pst" for m in messages)
    test = next(m for m in messages if m.subject == "test")
    assert test.sender is not None and test.sender.email == "support@hackingteam.com"
    assert [a.email for a in test.to] == ["vale@hackingteam.it"]
    assert test.message_id == "A2E2D8FE-61EC-49CA-855D-925EFDA4A28F@hackingteam.com"
    assert test.body.strip() == "test"
    assert len({m.id for m in messages}) == 17


def test_outlook_files_inside_a_zip(corpora: Path, tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "outlook.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(corpora / "go-pst" / "32-bit.pst", "custodian/32-bit.pst")
        archive.write(corpora / "outlook-msg-perl" / "charset.msg", "custodian/charset.msg")
    messages, problems = read_all(path)
    assert problems == []
    assert [(m.sources[0].locator, m.sources[0].kind) for m in messages] == [
        ("zip:custodian/32-bit.pst!pst:/Top of Personal Folders/Calendar#0", "pst"),
        ("zip:custodian/charset.msg", "zip"),
    ]
    on_disk = read_all(corpora / "outlook-msg-perl" / "charset.msg")[0][0]
    assert messages[1].id == on_disk.id


def test_go_pst_32_bit_pst(corpora: Path) -> None:
    messages, problems = read_all(corpora / "go-pst" / "32-bit.pst")
    assert problems == []
    assert [m.sources[0].locator for m in messages] == ["pst:/Top of Personal Folders/Calendar#0"]
    message = messages[0]
    assert message.subject == "Updated: Olympus training for new hires"
    assert message.body.startswith("Patty will provide Olympus training")
    assert message.sender is not None and message.sender.name == "Cyndy Foulkrod"
