"""Input discovery and every container format, on files each test builds itself."""
from __future__ import annotations

import gzip
import io
import os
import pickle
import tarfile
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest
from archivemaker import zip_of

from foiatool.model import Message, Problem
from foiatool.sources import (
    InputFile,
    archives,
    detect_kind,
    discover,
    read_bytes,
    read_path,
)


def make_eml(subject: str, sender: str = "Ann Lee <ann@example.org>", body: str = "Hello there.\n",
             message_id: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "Bob Ray <bob@example.org>"
    message["Subject"] = subject
    message["Date"] = "Tue, 01 Mar 2011 10:00:00 -0500"
    message["Message-ID"] = message_id or f"<{abs(hash(subject))}@example.org>"
    message.set_content(body)
    return message.as_bytes()


def read_all(path: Path | str, kind_hint: str = "") -> tuple[list[Message], list[Problem]]:
    items = list(read_path(str(path), kind_hint))
    return [i for i in items if isinstance(i, Message)], [i for i in items if isinstance(i, Problem)]


def locators(items: list[Message]) -> list[str]:
    return [m.sources[0].locator for m in items]


# ----------------------------------------------------------------------------- single files

def test_eml_file(tmp_path: Path) -> None:
    path = tmp_path / "one.eml"
    path.write_bytes(make_eml("Budget meeting"))
    messages, problems = read_all(path)
    assert problems == []
    assert len(messages) == 1
    message = messages[0]
    assert message.subject == "Budget meeting"
    assert message.sender is not None and message.sender.email == "ann@example.org"
    assert message.sources[0].path == str(path)
    assert message.sources[0].locator == ""
    assert message.sources[0].kind == "eml"


def test_eml_named_msg_is_read_by_content(tmp_path: Path) -> None:
    path = tmp_path / "actually-rfc822.msg"
    path.write_bytes(make_eml("Wrong extension"))
    messages, problems = read_all(path)
    assert problems == []
    assert [m.subject for m in messages] == ["Wrong extension"]
    assert messages[0].sources[0].kind == "eml"


def test_empty_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "empty.eml"
    path.write_bytes(b"")
    messages, problems = read_all(path)
    assert messages == []
    assert problems == [Problem(str(path), "", "empty file")]


def test_garbage_eml_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "garbage.eml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    messages, problems = read_all(path)
    assert messages == []
    assert len(problems) == 1
    assert problems[0].reason == "bad .eml file: binary content, not the text of an email message (NUL or control bytes at its start)"


def test_prose_text_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Meeting notes\nWe talked about the budget.\n")
    messages, problems = read_all(path)
    assert messages == []
    assert problems[0].reason == "not an email, mbox, Outlook, archive or PDF file (text without an email header block)"


# ----------------------------------------------------------------------------- mbox

def _mbox(*messages: bytes) -> bytes:
    parts = []
    for index, data in enumerate(messages):
        parts.append(f"From sender{index}@example.org Tue Mar  1 10:00:0{index} 2011\n".encode() + data.rstrip(b"\n") + b"\n\n")
    return b"".join(parts)


def test_mbox_unescapes_from_and_keeps_going_past_a_damaged_message(tmp_path: Path) -> None:
    first = make_eml("First", body="Line one\n>From here on it is escaped\n>>From the mboxrd double escape\n")
    damaged = b"\x00\x01\x02 this is no header\nneither is this\n"
    third = make_eml("Third")
    path = tmp_path / "box.mbox"
    path.write_bytes(_mbox(first, damaged, third))
    messages, problems = read_all(path)
    assert [m.subject for m in messages] == ["First", "Third"]
    assert locators(messages) == ["mbox#0", "mbox#2"]
    assert all(m.sources[0].kind == "mbox" for m in messages)
    assert "From here on it is escaped" in messages[0].body.splitlines()
    assert ">From the mboxrd double escape" in messages[0].body.splitlines()
    assert problems == [Problem(str(path), "mbox#1", "not an email message: no header block at the start")]


def test_mbox_named_txt_and_unescaped_from_in_body(tmp_path: Path) -> None:
    # mboxo writers do not always escape "From " in a body; without a date it is no separator
    body = "Dear all,\n\nFrom what I hear the plan is fine.\n"
    path = tmp_path / "export.txt"
    path.write_bytes(_mbox(make_eml("A", body=body), make_eml("B")))
    messages, problems = read_all(path)
    assert problems == []
    assert [m.subject for m in messages] == ["A", "B"]
    assert "From what I hear the plan is fine." in messages[0].body


def test_single_message_with_leading_separator_line(tmp_path: Path) -> None:
    path = tmp_path / "msg.eml"
    path.write_bytes(b"From ann@example.org Tue Mar  1 10:00:00 2011\n" + make_eml("Separator first"))
    messages, problems = read_all(path)
    assert problems == []
    assert [(m.subject, m.sender.email if m.sender else None) for m in messages] == [("Separator first", "ann@example.org")]


# ----------------------------------------------------------------------------- maildir and discovery

def test_maildir_discovery_and_reading(tmp_path: Path) -> None:
    root = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"):
        (root / sub).mkdir(parents=True)
    (root / "cur" / "1300000000.1.host:2,S").write_bytes(make_eml("In cur"))
    (root / "new" / "1300000001.2.host").write_bytes(b"From ann@example.org Tue Mar  1 10:00:00 2011\n" + make_eml("In new"))
    (root / "tmp" / "1300000002.3.host").write_bytes(make_eml("Half delivered"))
    (root / ".Sent" / "cur" / "1300000003.4.host:2,S").write_bytes(make_eml("Sent one"))
    (root / "dovecot-uidlist").write_text("3 V1 N4\n")
    (root / "dovecot.index.log").write_bytes(b"\x01\x02")
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")

    found = list(discover([str(root)]))
    assert all(isinstance(f, InputFile) for f in found)
    assert [(os.path.relpath(f.path, root), f.kind_hint) for f in found] == [
        (".Sent/cur/1300000003.4.host:2,S", "maildir"),
        ("cur/1300000000.1.host:2,S", "maildir"),
        ("new/1300000001.2.host", "maildir"),
    ]
    subjects = []
    for entry in found:
        messages, problems = read_all(entry.path, entry.kind_hint)
        assert problems == []
        assert messages[0].sources[0].kind == "maildir"
        assert messages[0].sources[0].locator == ""
        subjects.append(messages[0].subject)
    assert subjects == ["Sent one", "In cur", "In new"]


def test_discover_order_sizes_and_problems(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.eml").write_bytes(b"x" * 7)
    (tmp_path / "a.eml").write_bytes(b"abc")
    (tmp_path / "._a.eml").write_bytes(b"apple double")
    (tmp_path / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "__MACOSX").mkdir()
    (tmp_path / "__MACOSX" / "x.eml").write_bytes(b"junk")
    os.symlink(tmp_path / "missing.eml", tmp_path / "broken-link.eml")
    os.symlink(tmp_path, tmp_path / "b" / "loop")

    found = list(discover([str(tmp_path), str(tmp_path / "nowhere")]))
    files = [(os.path.relpath(f.path, tmp_path), f.size) for f in found if isinstance(f, InputFile)]
    problems = [(os.path.relpath(p.path, tmp_path), p.reason) for p in found if isinstance(p, Problem)]
    assert files == [("a.eml", 3), ("b/z.eml", 7)]
    assert problems == [
        ("b/loop", "symbolic link loop: leads back to a folder that contains it"),
        ("broken-link.eml", f"broken symbolic link (target {str(tmp_path / 'missing.eml')!r} does not exist)"),
        ("nowhere", "no such file or directory"),
    ]
    mtime = next(f for f in found if isinstance(f, InputFile)).mtime_ns
    assert mtime == os.stat(tmp_path / "a.eml").st_mtime_ns


def test_self_referencing_symlink(tmp_path: Path) -> None:
    os.symlink(tmp_path / "self", tmp_path / "self")
    found = list(discover([str(tmp_path)]))
    assert found == [Problem(str(tmp_path / "self"), "", "symbolic link loop")]


def test_symlinked_path_is_kept_as_given(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "m.eml").write_bytes(make_eml("Via link"))
    os.symlink(real, tmp_path / "link")
    found = list(discover([str(tmp_path / "link")]))
    assert [f.path for f in found] == [str(tmp_path / "link" / "m.eml")]


def test_unreadable_path_given_to_read_path(tmp_path: Path) -> None:
    missing = tmp_path / "gone.eml"
    items = list(read_path(str(missing)))
    assert items == [Problem(str(missing), "", "cannot open: No such file or directory")]


# ----------------------------------------------------------------------------- archives

def test_zip_with_nested_folder(tmp_path: Path) -> None:
    path = tmp_path / "release.zip"
    path.write_bytes(zip_of({
        "top.eml": make_eml("Top"),
        "custodian/inbox/deep.eml": make_eml("Deep"),
        "custodian/.DS_Store": b"\x00\x00\x00\x01Bud1",
        "__MACOSX/custodian/._deep.eml": b"\x00\x05\x16\x07",
    }))
    messages, problems = read_all(path)
    assert problems == []
    assert [(m.subject, m.sources[0].locator, m.sources[0].kind) for m in messages] == [
        ("Top", "zip:top.eml", "zip"),
        ("Deep", "zip:custodian/inbox/deep.eml", "zip"),
    ]


def test_zip_inside_zip_with_mbox(tmp_path: Path) -> None:
    inner = zip_of({"c.eml": make_eml("Inner"), "x.mbox": _mbox(make_eml("M0"), make_eml("M1"))})
    path = tmp_path / "outer.zip"
    path.write_bytes(zip_of({"a/b.zip": inner}))
    messages, problems = read_all(path)
    assert problems == []
    assert [(m.subject, m.sources[0].locator, m.sources[0].kind) for m in messages] == [
        ("Inner", "zip:a/b.zip!zip:c.eml", "zip"),
        ("M0", "zip:a/b.zip!zip:x.mbox!mbox#0", "mbox"),
        ("M1", "zip:a/b.zip!zip:x.mbox!mbox#1", "mbox"),
    ]


def test_tar_gz(tmp_path: Path) -> None:
    path = tmp_path / "dump.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in (("dump/a.eml", make_eml("Tar A")), ("dump/box.mbox", _mbox(make_eml("Tar M")))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    assert detect_kind(path.read_bytes()[:8192], path.name) == "gzip"
    messages, problems = read_all(path)
    assert problems == []
    assert [(m.subject, m.sources[0].locator, m.sources[0].kind) for m in messages] == [
        ("Tar A", "tar:dump/a.eml", "tar"),
        ("Tar M", "tar:dump/box.mbox!mbox#0", "mbox"),
    ]


@pytest.mark.parametrize(("mode", "suffix", "kind"), [("w:bz2", ".tar.bz2", "bzip2"), ("w:xz", ".tar.xz", "xz"),
                                                     ("w", ".tar", "tar")])
def test_other_tar_compressions(tmp_path: Path, mode: str, suffix: str, kind: str) -> None:
    path = tmp_path / f"dump{suffix}"
    with tarfile.open(path, mode) as archive:
        data = make_eml("Packed")
        info = tarfile.TarInfo("a.eml")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    assert detect_kind(path.read_bytes()[:8192], path.name) == kind
    messages, problems = read_all(path)
    assert problems == []
    assert [(m.subject, m.sources[0].locator) for m in messages] == [("Packed", "tar:a.eml")]


def test_gzipped_mbox(tmp_path: Path) -> None:
    path = tmp_path / "list.mbox.gz"
    path.write_bytes(gzip.compress(_mbox(make_eml("G0"), make_eml("G1"))))
    messages, problems = read_all(path)
    assert problems == []
    assert locators(messages) == ["gzip:list.mbox!mbox#0", "gzip:list.mbox!mbox#1"]


def test_tar_links_and_devices_are_never_followed(tmp_path: Path) -> None:
    path = tmp_path / "links.tar"
    with tarfile.open(path, "w") as archive:
        data = make_eml("Real")
        info = tarfile.TarInfo("real.eml")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("passwd.eml")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)
        hard = tarfile.TarInfo("again.eml")
        hard.type = tarfile.LNKTYPE
        hard.linkname = "real.eml"
        archive.addfile(hard)
        device = tarfile.TarInfo("dev/null")
        device.type = tarfile.CHRTYPE
        archive.addfile(device)
    messages, problems = read_all(path)
    assert [m.subject for m in messages] == ["Real"]
    assert [(p.locator, p.reason) for p in problems] == [
        ("tar:passwd.eml", "tar symbolic link to '/etc/passwd' skipped: links are never followed"),
        ("tar:again.eml", "tar hard link to 'real.eml' skipped: links are never followed"),
        ("tar:dev/null", "tar device, FIFO or special file skipped"),
    ]


def test_zip_bomb_member_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    chunk = b"\x00" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("zeros.eml", "w", force_zip64=True) as member:
            for _ in range(300):
                member.write(chunk)
        archive.writestr("after.eml", make_eml("After the bomb"))
    assert path.stat().st_size < 2 * 1024 * 1024
    messages, problems = read_all(path)
    assert [(m.subject, m.sources[0].locator) for m in messages] == [("After the bomb", "zip:after.eml")]
    assert len(problems) == 1
    assert problems[0].locator == "zip:zeros.eml"
    assert "MAX_COMPRESSION_RATIO" in problems[0].reason and "200:1" in problems[0].reason


def test_zip_member_lying_about_its_size_is_caught_while_reading(tmp_path: Path) -> None:
    # declared sizes claim 1:1, the deflated stream expands far beyond: the byte count catches it
    data = b"\x00" * (8 << 20)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("liar.eml", data)
    raw = bytearray(buffer.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo("liar.eml")
    central = raw.rfind(b"PK\x01\x02")
    # the central directory's uncompressed size field (offset 24) now equals the compressed size
    raw[central + 24: central + 28] = info.compress_size.to_bytes(4, "little")
    items = list(read_bytes(bytes(raw), str(tmp_path / "liar.zip")))
    assert len(items) == 1 and isinstance(items[0], Problem)
    assert items[0].locator == "zip:liar.eml"
    assert "MAX_COMPRESSION_RATIO" in items[0].reason or "damaged zip member" in items[0].reason


def _nested_zip(levels: int) -> bytes:
    data = zip_of({"deepest.eml": make_eml("Deepest")})
    for level in range(levels, 1, -1):
        data = zip_of({f"z{level}.zip": data})
    return data


def test_five_deep_nested_zip_is_read(tmp_path: Path) -> None:
    path = tmp_path / "z1.zip"
    path.write_bytes(_nested_zip(5))
    messages, problems = read_all(path)
    assert problems == []
    assert locators(messages) == ["zip:z2.zip!zip:z3.zip!zip:z4.zip!zip:z5.zip!zip:deepest.eml"]


def test_six_deep_nested_zip_stops_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "z1.zip"
    path.write_bytes(_nested_zip(6))
    messages, problems = read_all(path)
    assert messages == []
    assert problems == [Problem(str(path), "zip:z2.zip!zip:z3.zip!zip:z4.zip!zip:z5.zip!zip:z6.zip",
                                "archive nested more than 5 levels deep (MAX_NESTING_DEPTH); not opened")]


def test_zip_member_with_parent_path_is_read_not_written(tmp_path: Path) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    path = work / "evil.zip"
    path.write_bytes(zip_of({"../../evil.eml": make_eml("Traversal"), "/abs/path.eml": make_eml("Absolute")}))
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    messages, problems = read_all(path)
    assert problems == []
    assert locators(messages) == ["zip:../../evil.eml", "zip:/abs/path.eml"]
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
    assert not (tmp_path / "evil.eml").exists()


def test_member_count_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_ARCHIVE_MEMBERS", 2)
    path = tmp_path / "many.zip"
    path.write_bytes(zip_of({f"{i}.eml": make_eml(f"N{i}") for i in range(4)}))
    messages, problems = read_all(path)
    assert [m.subject for m in messages] == ["N0", "N1"]
    assert problems == [Problem(str(path), "", "archive has more than 2 members (MAX_ARCHIVE_MEMBERS); the rest were not read")]


def test_total_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = make_eml("Fits")
    monkeypatch.setattr(archives, "MAX_ARCHIVE_BYTES", len(first) + 10)
    path = tmp_path / "big.zip"
    path.write_bytes(zip_of({"1.eml": first, "2.eml": make_eml("Does not fit")}))
    messages, problems = read_all(path)
    assert [m.subject for m in messages] == ["Fits"]
    assert len(problems) == 1 and problems[0].locator == "zip:2.eml"
    assert "MAX_ARCHIVE_BYTES" in problems[0].reason


def test_message_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small, large = make_eml("Small"), make_eml("Large", body="x" * 5000 + "\n")
    monkeypatch.setattr(archives, "MAX_MESSAGE_BYTES", 2048)
    box = tmp_path / "box.mbox"
    box.write_bytes(_mbox(small, large, small))
    messages, problems = read_all(box)
    assert locators(messages) == ["mbox#0", "mbox#2"]
    assert [(p.locator, p.reason.endswith("limit for one message (MAX_MESSAGE_BYTES)")) for p in problems] == \
        [("mbox#1", True)]
    single = tmp_path / "large.eml"
    single.write_bytes(large)
    messages, problems = read_all(single)
    assert messages == [] and len(problems) == 1 and "2 KiB limit for one message" in problems[0].reason


def test_damaged_zip_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "cut.zip"
    path.write_bytes(zip_of({"a.eml": make_eml("Cut")})[:60])
    messages, problems = read_all(path)
    assert messages == []
    assert len(problems) == 1 and problems[0].reason.startswith("damaged zip archive")


# ----------------------------------------------------------------------------- bytes, kinds, workers

def test_read_bytes_empty_and_locator() -> None:
    assert list(read_bytes(b"", "/x.zip", "zip:empty.eml")) == [Problem("/x.zip", "zip:empty.eml", "empty file")]
    items = list(read_bytes(make_eml("From memory"), "/x.zip", "zip:m.eml", depth=1))
    assert [(i.subject, i.sources[0].locator, i.sources[0].kind) for i in items] == [("From memory", "zip:m.eml", "zip")]


@pytest.mark.parametrize(("head", "name", "kind"), [
    (b"", "a.eml", "empty"),
    (b"  \n\n", "a.eml", "empty"),
    (b"PK\x03\x04rest", "a.zip", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "a.msg", "msg"),
    (b"!BDNrest", "a.pst", "pst"),
    (b"\x1f\x8b\x08rest", "a.gz", "gzip"),
    (b"%PDF-1.7\n", "a.pdf", "pdf"),
    (b"From a@b.c Tue Mar  1 10:00:00 2011\nSubject: x\n\nbody", "a.txt", "mbox"),
    (b"From: a@b.c\nSubject: x\n\nbody", "a.msg", "eml"),
    (b"From: x@y.z  Thu Aug 22 12:46:39 2002\nReturn-Path: <a@b>\n\n", "0001.eml", "eml"),
    (b"Dear reader,\nthis is prose.\n", "a.eml", "unknown"),
    (b"Note: not mail\nAuthor: me\n\ntext", "a.txt", "unknown"),
])
def test_detect_kind(head: bytes, name: str, kind: str) -> None:
    assert detect_kind(head, name) == kind


def test_results_survive_pickling_for_worker_processes(tmp_path: Path) -> None:
    path = tmp_path / "box.mbox"
    path.write_bytes(_mbox(make_eml("P0"), b"junk line\n"))
    items = list(read_path(str(path)))
    assert [type(i).__name__ for i in items] == ["Message", "Problem"]
    restored = pickle.loads(pickle.dumps(items))
    assert restored[0].subject == "P0" and restored[0].id == items[0].id
    assert restored[1] == items[1]


def test_pdf_is_dispatched_and_never_raises(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    items = list(read_path(str(path)))
    assert items, "a PDF gives messages or a problem, never nothing"
    assert all(i.sources[0].path == str(path) if isinstance(i, Message) else i.path == str(path) for i in items)
