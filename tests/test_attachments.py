"""`foiatool attachments`: listing, grouping identical contents, and extraction that never leaves its folder."""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
from pathlib import Path
from urllib.parse import quote

import pytest
from archivemaker import tar_of, zip_of
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from foiatool.analysis.attachments import MAX_NAME_BYTES, safe_name, write_inside
from foiatool.cli import cli
from foiatool.model import Message
from foiatool.sources import read_path
from foiatool.sources.payloads import (
    PayloadError,
    attachment_payloads,
    payloads_by_locator,
)

Part = tuple[str, str, bytes]


def make_eml(subject: str, parts: list[Part], message_id: str | None = None) -> bytes:
    """A multipart message whose attachments carry exactly the given names (RFC 2231, so any character survives)."""
    boundary = "=-=part=-="
    lines = [
        "From: Ann Lee <ann@example.org>",
        "To: Bob Ray <bob@example.org>",
        f"Subject: {subject}",
        "Date: Tue, 01 Mar 2011 10:00:00 -0500",
        f"Message-ID: {message_id or '<' + hashlib.sha1(subject.encode()).hexdigest() + '@example.org>'}",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
        "",
        f"--{boundary}",
        "Content-Type: text/plain; charset=utf-8",
        "",
        f"Message about {subject}.",
    ]
    for name, content_type, data in parts:
        lines += [
            f"--{boundary}",
            f"Content-Type: {content_type}",
            f"Content-Disposition: attachment; filename*=utf-8''{quote(name, safe='')}",
            "Content-Transfer-Encoding: base64",
            "",
            base64.encodebytes(data).decode("ascii").rstrip("\n"),
        ]
    lines += [f"--{boundary}--", ""]
    return "\r\n".join(lines).encode("utf-8")


def mbox_of(*messages: bytes) -> bytes:
    return b"".join(b"From ann@example.org Tue Mar  1 10:00:00 2011\n" + m.replace(b"\r\n", b"\n") + b"\n"
                    for m in messages)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run(db: Path, *args: str) -> tuple[list[dict], str]:
    """The command's JSON rows and its stderr; any exit status but 0 fails the test."""
    result = CliRunner().invoke(cli, ["attachments", *args, "--db", str(db), "-j", "1", "-f", "json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def files_in(directory: Path) -> dict[str, str]:
    """Name → sha256 of every regular file directly in ``directory`` (links are left out)."""
    return {p.name: sha(p.read_bytes()) for p in directory.iterdir() if p.is_file() and not p.is_symlink()}


def tree(root: Path, skip: Path) -> dict[str, str]:
    """Everything under ``root`` but ``skip``: each path with its content hash, link target or kind."""
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        if here == skip or skip in here.parents:
            continue
        for name in dirnames + filenames:
            path = here / name
            if path == skip:
                continue
            key = str(path.relative_to(root))
            if path.is_symlink():
                found[key] = "link:" + os.readlink(path)
            elif path.is_dir():
                found[key] = "dir"
            else:
                found[key] = sha(path.read_bytes())
    return found


# ----------------------------------------------------------------------------- listing

def test_samples_listing_matches_the_answer_key(samples: Path, tmp_path: Path) -> None:
    truth = json.loads((samples / "truth.json").read_text())
    expected = sorted(
        (a["name"], a["content_type"], a["size"], a["sha256"])
        for m in truth["messages"] if m["in_dump"] for a in m["attachments"]
    )
    rows, _ = run(tmp_path / "index.db", str(samples / "dump"))
    assert sorted((r["name"], r["content_type"], r["size"], r["sha256"]) for r in rows) == expected
    assert len(expected) == 2
    assert all(r["copies"] == 1 and r["message"] for r in rows)


def test_samples_extract_writes_the_indexed_bytes(samples: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    rows, stderr = run(tmp_path / "index.db", str(samples / "dump"), "--extract", str(out))
    assert files_in(out) == {r["name"]: r["sha256"] for r in rows}
    assert {p.suffix for p in out.iterdir()} == {".pdf", ".txt"}
    assert (out / "ICE_consultation_SCC-PRA-2011-0412.pdf").read_bytes().startswith(b"%PDF-")
    assert "extracted 2 files" in stderr


def test_identical_attachments_across_messages_are_grouped(tmp_path: Path) -> None:
    memo = b"%PDF-1.4 the same memo, sent twice\n"
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "first.eml").write_bytes(make_eml("First", [("memo.pdf", "application/pdf", memo)]))
    (dump / "second.eml").write_bytes(make_eml("Second", [("memo-copy.pdf", "application/pdf", memo),
                                                          ("notes.txt", "text/plain", b"other notes\n")]))
    rows, _ = run(tmp_path / "index.db", str(dump))
    assert sorted((r["name"], r["size"], r["copies"]) for r in rows) == [
        ("memo-copy.pdf", len(memo), 2), ("memo.pdf", len(memo), 2), ("notes.txt", 12, 1)]
    assert len({r["message"] for r in rows if r["sha256"] == sha(memo)}) == 2

    unique, _ = run(tmp_path / "index.db", str(dump), "--unique")
    assert sorted((r["sha256"], r["copies"]) for r in unique) == sorted([(sha(memo), 2), (sha(b"other notes\n"), 1)])

    out = tmp_path / "out"
    run(tmp_path / "index.db", str(dump), "--unique", "--extract", str(out))
    assert sorted(files_in(out).values()) == sorted([sha(memo), sha(b"other notes\n")])


def test_extracting_twice_writes_no_copies_and_a_different_file_keeps_its_own_name(tmp_path: Path) -> None:
    memo = b"%PDF-1.4 the memo\n"
    dump = tmp_path / "dump"
    dump.mkdir()
    # the same memo in two messages, and another file that happens to share its name
    (dump / "first.eml").write_bytes(make_eml("First", [("memo.pdf", "application/pdf", memo)]))
    (dump / "second.eml").write_bytes(make_eml("Second", [("memo.pdf", "application/pdf", memo)]))
    (dump / "third.eml").write_bytes(make_eml("Third", [("memo.pdf", "application/pdf", b"%PDF-1.4 a new draft\n")]))
    out = tmp_path / "out"
    rows, stderr = run(tmp_path / "index.db", str(dump), "--extract", str(out))
    assert len(rows) == 3
    assert files_in(out) == {"memo.pdf": sha(memo), "memo (2).pdf": sha(b"%PDF-1.4 a new draft\n")}
    assert f"extracted 2 files to {out}; 1 already there with the same content, skipped" in stderr
    assert f"skipped memo.pdf: already in {out} with the same content" in stderr
    first = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    _, again = run(tmp_path / "index.db", "--extract", str(out))
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == first
    assert f"extracted 0 files to {out}; 3 already there with the same content, skipped" in again
    assert f"skipped memo (2).pdf: already in {out} with the same content" in again

    # a file changed by hand under that name is kept, and the attachment gets a name of its own
    (out / "memo.pdf").write_bytes(b"annotated by the reporter")
    _, third = run(tmp_path / "index.db", "--extract", str(out))
    assert (out / "memo.pdf").read_bytes() == b"annotated by the reporter"
    assert files_in(out)["memo (3).pdf"] == sha(memo)
    assert f"extracted 1 files to {out}; 2 already there with the same content, skipped" in third


def test_filters_narrow_the_listing(tmp_path: Path) -> None:
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "a.eml").write_bytes(make_eml("Budget", [("budget.xlsx", "application/octet-stream", b"numbers")]))
    (dump / "b.eml").write_bytes(make_eml("Travel", [("trip.txt", "text/plain", b"itinerary")]))
    rows, _ = run(tmp_path / "index.db", str(dump), "--subject", "travel")
    assert [r["name"] for r in rows] == ["trip.txt"]
    assert rows[0]["subject"] == "Travel"


# ----------------------------------------------------------------------------- hostile names

HOSTILE: list[tuple[str, str]] = [
    ("../../etc/passwd", "passwd"),
    ("/abs/path.txt", "path.txt"),
    ("..", "attachment.pdf"),
    ("", "attachment (2).pdf"),
    ("CON", "_CON"),
    ("a\x00b.txt", "a_b.txt"),
    ("dir\\sub\\win.txt", "win.txt"),
    ("x" * 396 + ".txt", "x" * (MAX_NAME_BYTES - 4) + ".txt"),
    ("Résumé – 日本語.pdf", "Résumé – 日本語.pdf"),
    ("Cafe\u0301.txt", "Café.txt"),
    ("invoice\u202etxt.exe", "invoice_txt.exe"),
    ("report.pdf", "report.pdf"),
    ("report.pdf", "report (2).pdf"),
]


def hostile_dump(sandbox: Path) -> tuple[Path, dict[str, bytes]]:
    parts = [(name, "application/pdf" if name in ("", "..") else "application/octet-stream",
              f"content of part {i}: {name!r}".encode()) for i, (name, _) in enumerate(HOSTILE)]
    dump = sandbox / "dump"
    dump.mkdir(parents=True)
    (dump / "hostile.eml").write_bytes(make_eml("Hostile names", parts))
    return dump, {expected: data for (_, expected), (_, _, data) in zip(HOSTILE, parts, strict=True)}


def test_hostile_names_are_written_as_plain_names_inside_the_folder(tmp_path: Path) -> None:
    sandbox = tmp_path / "sandbox"
    dump, expected = hostile_dump(sandbox)
    out = sandbox / "jail" / "out"
    before = tree(sandbox, out)
    rows, stderr = run(tmp_path / "index.db", str(dump), "--extract", str(out))
    assert len(rows) == len(HOSTILE)
    assert tree(sandbox, out) == {**before, "jail": "dir"}
    assert not (sandbox / "etc").exists() and not Path("/abs/path.txt").exists()
    written = sorted(out.iterdir())
    assert all(p.parent == out and p.is_file() and not p.is_symlink() for p in written)
    assert files_in(out) == {name: sha(data) for name, data in expected.items()}
    assert all(len(p.name.encode("utf-8")) <= MAX_NAME_BYTES for p in written)
    assert f"extracted {len(HOSTILE)} files" in stderr


def test_existing_files_and_planted_links_are_never_overwritten_or_followed(tmp_path: Path) -> None:
    sandbox = tmp_path / "sandbox"
    dump, expected = hostile_dump(sandbox)
    out = sandbox / "out"
    out.mkdir()
    secret = sandbox / "secret.txt"
    secret.write_bytes(b"outside the target folder\n")
    (out / "report.pdf").write_bytes(b"kept as it was")
    (out / "passwd").symlink_to(secret)
    (out / "path.txt").symlink_to(sandbox / "would-be-created.txt")  # dangling: following it would create a file
    os.symlink(sandbox, out / "_CON")
    before = tree(sandbox, out)

    run(tmp_path / "index.db", str(dump), "--extract", str(out))

    assert tree(sandbox, out) == before
    assert secret.read_bytes() == b"outside the target folder\n"
    assert not (sandbox / "would-be-created.txt").exists()
    assert (out / "report.pdf").read_bytes() == b"kept as it was"
    assert os.readlink(out / "passwd") == str(secret)
    regular = files_in(out)
    assert regular["passwd (2)"] == sha(expected["passwd"])
    assert regular["path (2).txt"] == sha(expected["path.txt"])
    assert regular["_CON (2)"] == sha(expected["_CON"])
    assert regular["report (2).pdf"] == sha(expected["report.pdf"])
    assert regular["report (3).pdf"] == sha(expected["report (2).pdf"])

    # a second run finds every file already there with its content: nothing is written or changed
    snapshot = {p.name: (p.is_symlink(), p.read_bytes() if p.is_file() and not p.is_symlink() else b"")
                for p in out.iterdir()}
    _, stderr = run(tmp_path / "index.db", "--extract", str(out))
    assert {p.name: (p.is_symlink(), p.read_bytes() if p.is_file() and not p.is_symlink() else b"")
            for p in out.iterdir()} == snapshot
    assert f"extracted 0 files to {out}; {len(HOSTILE)} already there with the same content, skipped" in stderr
    assert tree(sandbox, out) == before


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=300))
def test_any_name_becomes_one_plain_file_name(name: str) -> None:
    safe = safe_name(name)
    assert safe and safe not in (".", "..") and not safe.startswith(".")
    assert not any(c in safe for c in "/\\\x00:*?\"<>|")
    assert len(safe.encode("utf-8")) <= MAX_NAME_BYTES
    assert safe == safe_name(safe)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=6))
def test_write_inside_keeps_every_file_inside_and_distinct(tmp_path_factory: pytest.TempPathFactory,
                                                            names: list[str]) -> None:
    root = tmp_path_factory.mktemp("box")
    target = root / "out"
    paths = [write_inside(target, name, name.encode("utf-8", "replace")) for name in names]
    assert len(set(paths)) == len(names)
    assert all(p.parent == target.resolve() for p in paths)
    assert [p.read_bytes() for p in paths] == [n.encode("utf-8", "replace") for n in names]
    assert sorted(x.name for x in root.iterdir()) == ["out"]


# ----------------------------------------------------------------------------- every container

def _message_parts(tag: str) -> list[Part]:
    return [(f"{tag}.pdf", "application/pdf", f"%PDF-1.4 {tag}\n".encode()), (f"{tag}.txt", "text/plain", f"{tag}\n".encode())]


def _layouts(corpora_dir: Path | None) -> dict[str, bytes]:
    mail = {tag: make_eml(tag, _message_parts(tag)) for tag in ("plain", "member", "nested", "inner", "tarred", "gz")}
    layouts = {
        "mail.mbox": mbox_of(make_eml("first", []), mail["plain"], make_eml("third", _message_parts("third"))),
        "bundle.zip": zip_of({"dir/member.eml": mail["member"],
                              "inner.zip": zip_of({"nested.eml": mail["nested"],
                                                   "box.mbox": mbox_of(make_eml("x", []), mail["inner"])})}),
        "bundle.tar.gz": gzip.compress(tar_of({"t/tarred.eml": mail["tarred"], "t/box.mbox": mbox_of(mail["gz"])})),
    }
    if corpora_dir is not None:
        layouts["outlook.zip"] = zip_of({"m/plain_jpeg_attached.msg":
                                         (corpora_dir / "outlook-msg-perl" / "plain_jpeg_attached.msg").read_bytes(),
                                         "support.pst": (corpora_dir / "go-pst" / "support.pst").read_bytes()})
    return layouts


def _indexed_attachments(path: Path) -> list[tuple[str, str, str]]:
    found = []
    for item in read_path(str(path)):
        if isinstance(item, Message):
            found += [(item.sources[0].locator, a.name, a.sha256) for a in item.attachments]
    return found


def test_payloads_match_the_readers_hash_in_every_container(tmp_path: Path, corpora: Path) -> None:
    locators: set[str] = set()
    for name, data in _layouts(corpora).items():
        path = tmp_path / name
        path.write_bytes(data)
        indexed = _indexed_attachments(path)
        assert indexed, name
        locators |= {locator for locator, _, _ in indexed}
        by_locator: dict[str, list[tuple[str, str]]] = {}
        for locator, attachment, digest in indexed:
            by_locator.setdefault(locator, []).append((attachment, digest))
        for locator, attachments in by_locator.items():
            again = [(n, sha(d)) for n, _t, d in attachment_payloads(str(path), locator)]
            assert again == attachments, (name, locator)
        # all of a file's messages in one read, with a locator that names nothing failing on its own
        asked = [*by_locator, "zip:no-such.eml", "mbox#999"]
        answers = dict(payloads_by_locator(str(path), asked))
        assert sorted(answers) == sorted(asked)
        for locator, attachments in by_locator.items():
            assert [(n, sha(d)) for n, _t, d in answers[locator]] == attachments, (name, locator)
        assert isinstance(answers["zip:no-such.eml"], PayloadError)
        assert isinstance(answers["mbox#999"], PayloadError)
    assert {"mbox#1", "mbox#2", "zip:dir/member.eml", "zip:inner.zip!zip:nested.eml",
            "zip:inner.zip!zip:box.mbox!mbox#1", "tar:t/tarred.eml", "tar:t/box.mbox!mbox#0",
            "zip:m/plain_jpeg_attached.msg", "zip:support.pst!pst:/Top of Personal Folders/Sent Messages#5"} <= locators


def test_extract_from_mbox_zip_nested_zip_and_tar_gz(tmp_path: Path) -> None:
    dump = tmp_path / "dump"
    dump.mkdir()
    for name, data in _layouts(None).items():
        (dump / name).write_bytes(data)
    out = tmp_path / "out"
    rows, stderr = run(tmp_path / "index.db", str(dump), "--extract", str(out))
    tags = ("plain", "third", "member", "nested", "inner", "tarred", "gz")
    assert len(rows) == 2 * len(tags)
    expected = {sha(data) for tag in tags for _, _, data in _message_parts(tag)}
    assert {r["sha256"] for r in rows} == expected
    assert sorted(files_in(out).values()) == sorted(expected)
    assert "warning" not in stderr


def test_extract_from_outlook_msg(tmp_path: Path, corpora: Path) -> None:
    msg = corpora / "outlook-msg-perl" / "plain_jpeg_attached.msg"
    out = tmp_path / "out"
    rows, _ = run(tmp_path / "index.db", str(msg), "--extract", str(out))
    assert rows and all(r["size"] > 0 for r in rows)
    assert any(r["content_type"] == "image/jpeg" for r in rows)
    written = files_in(out)
    assert sorted(written.values()) == sorted(r["sha256"] for r in rows)
    jpeg = next(p for p in out.iterdir() if written[p.name] == next(r["sha256"] for r in rows if r["content_type"] == "image/jpeg"))
    assert jpeg.read_bytes()[:3] == b"\xff\xd8\xff"


def test_extract_from_outlook_pst(tmp_path: Path, corpora: Path) -> None:
    pst = corpora / "go-pst" / "support.pst"
    out = tmp_path / "out"
    rows, stderr = run(tmp_path / "index.db", str(pst), "--extract", str(out))
    with_content = [r for r in rows if r["size"] > 0]
    assert {r["name"] for r in with_content} >= {"support@hackingteam.it.asc", "ATT00001.htm"}
    assert sorted(files_in(out).values()) == sorted(r["sha256"] for r in with_content)
    assert (out / "support@hackingteam.it.asc").read_bytes().startswith(b"-----BEGIN PGP")
    assert f"extracted {len(with_content)} files" in stderr


# ----------------------------------------------------------------------------- when the source is gone or changed

def test_changed_or_missing_source_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    dump = tmp_path / "dump"
    dump.mkdir()
    changed = dump / "changed.eml"
    changed.write_bytes(make_eml("Changed", [("plan.txt", "text/plain", b"first plan\n")]))
    gone = dump / "gone.eml"
    gone.write_bytes(make_eml("Gone", [("gone.txt", "text/plain", b"soon gone\n")]))
    db = tmp_path / "index.db"
    run(db, str(dump))
    changed.write_bytes(make_eml("Changed", [("plan.txt", "text/plain", b"second plan\n")]))
    gone.unlink()
    out = tmp_path / "out"
    rows, stderr = run(db, "--extract", str(out))  # no PATH: the index is used as it stands
    assert len(rows) == 2
    assert not out.exists()
    assert "'plan.txt' not found again" in stderr
    assert "gone.eml" in stderr and "cannot re-read attachments: cannot open" in stderr
    assert "extracted 0 files" in stderr


def test_printed_attachments_are_listed_but_not_grouped_or_written(samples: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    rows, stderr = run(tmp_path / "index.db", str(samples / "release"), "--extract", str(out))
    printed = [r for r in rows if not r["sha256"]]
    assert printed and all(r["copies"] == 1 and r["size"] == 0 for r in printed)
    assert "known only by name" in stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_locator_that_names_nothing_raises(tmp_path: Path) -> None:
    path = tmp_path / "mail.mbox"
    path.write_bytes(mbox_of(make_eml("only", _message_parts("only"))))
    assert [n for n, _, _ in attachment_payloads(str(path), "mbox#0")] == ["only.pdf", "only.txt"]
    with pytest.raises(PayloadError, match="no message number 5"):
        list(attachment_payloads(str(path), "mbox#5"))
    with pytest.raises(PayloadError):
        list(attachment_payloads(str(path), "zip:a.eml"))
    with pytest.raises(PayloadError, match="cannot open"):
        list(attachment_payloads(str(tmp_path / "missing.eml"), ""))
    assert list(attachment_payloads(str(path), "pdf:pages 3-5")) == []
    assert list(attachment_payloads(str(path), "quoted-in:m123")) == []


def test_a_member_the_reader_refuses_is_refused_in_the_same_words_when_read_again(tmp_path: Path) -> None:
    # A message that deflates past the compression-ratio limit (a likely zip bomb); a file changed
    # after indexing is where the re-reader meets it.
    bomb = make_eml("padding", []) + b" " * (2 * 1024 ** 2)
    path = tmp_path / "changed.zip"
    path.write_bytes(zip_of({"mail.eml": bomb}))
    [problem] = list(read_path(str(path)))
    assert problem.locator == "zip:mail.eml" and "MAX_COMPRESSION_RATIO" in problem.reason
    [(locator, found)] = list(payloads_by_locator(str(path), ["zip:mail.eml"]))
    assert locator == "zip:mail.eml" and isinstance(found, PayloadError)
    assert str(found) == f"zip:mail.eml: {problem.reason}"
