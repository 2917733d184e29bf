"""Hostile and broken input through the real ``foiatool`` command.

Every bad item must end as a problem line naming its file and the reason (or as a
message read with a defect); every good message around it must still be read; no
traceback may reach stderr; time and memory must stay bounded (checked by size
doubling, with generous slack, rather than by fixed wall-clock limits).
"""
from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
from archivemaker import zip_of
from test_index_incremental import FOIATOOL, foiatool

from foiatool.mail.message_ids import MAX_REFERENCES
from foiatool.sources.archives import MAX_COMPRESSION_RATIO, MAX_NESTING_DEPTH

GOOD = 6  # good messages spread around the bad ones


def good(i: int) -> bytes:
    return (f"From: Good Sender <good{i}@agency.gov>\nTo: clerk@county.gov\nSubject: good {i}\n"
            f"Date: Tue, 01 Mar 2011 10:{i:02d}:00 -0500\nMessage-ID: <good{i}@agency.gov>\n\nGood body {i}.\n").encode()


def mbox_of(messages: list[bytes]) -> bytes:
    return b"".join(b"From sender@x.org Tue Mar  1 10:00:00 2011\n" + m.rstrip(b"\n") + b"\n\n" for m in messages)


# 42 Date headers that are broken, hostile or at the edge of the calendar (year 0 and 9999 among them).
HOSTILE_DATES = [
    "", "   ", "Tue, 00 Mar 2011 10:00:00 -0500", "Tue, 32 Mar 2011 10:00:00 -0500",
    "Tue, 01 Foo 2011 10:00:00 -0500", "Tue, 01 Mar 0000 10:00:00 -0500", "Fri, 31 Dec 9999 23:59:59 +0000",
    "Fri, 31 Dec 9999 23:59:59 +1200", "Mon, 01 Jan 0001 00:00:00 +0000", "0000-00-00 00:00:00",
    "9999-12-31T23:59:59Z", "Tue, 01 Mar 2011 25:61:61 -0500", "Tue, 01 Mar 2011 10:00:00 +9999",
    "Tue, 01 Mar 2011 10:00:00 -2500", "Tue, 01 Mar 2011 10:00:00 XYZ", "2011-13-45",
    "99999999999999999999999999", "-1", "0", "1e308", "nan", "Tue, 01 Mar 20111 10:00:00 -0500",
    "01/03/2011", "3/1/11 10:00 PM", "yesterday", "Tue,,, 01 Mar", "\x01\x02\x03",
    "Tue, 01 Mar 2011 10:00:00 -0500 (EST) (((", "((((((((((((", "Tue, 01 Mar 2011 10:00:00 -0500 " * 40,
    "Tue 01 Mar 2011 10.00.00", "Feb 30, 2011 10:00 AM", "2011-02-29 10:00",
    "=?utf-8?b?VHVlLCAwMSBNYXIgMjAxMQ==?=", "2011年3月1日 10時", "12:00", "March",
    "Sat, 1 Jan 1900 00:00:00 +0000", "Thu, 01 Jan 1970 00:00:00 -0001", "-0500",
    "Tue, 01 Mar 2011 10:00:00 -0500\x00garbage", "Sun, 31 Dec 2099 23:59:59 -1400",
]


def write_bad_dump(root: Path, outside: Path) -> dict[str, Path]:
    """The small bad inputs, each named, with good messages around them."""
    root.mkdir(parents=True)
    outside.mkdir(parents=True)
    for i in range(GOOD):
        (root / f"{i * 10:02d} good.eml").write_bytes(good(i))
    files: dict[str, Path] = {}

    def put(key: str, name: str, data: bytes) -> None:
        path = root / name
        path.write_bytes(data)
        files[key] = path

    put("empty", "empty.eml", b"")
    put("blank", "blank.eml", b"\n\r\n   \n")
    put("garbage", "garbage.eml", random.Random(7).randbytes(20000))
    put("prose", "prose.eml", b"Dear records officer,\nplease find the documents attached.\n" * 50)
    multipart = (b"From: a@x.org\nSubject: cut short\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=Q\n\n"
                 b"--Q\nContent-Type: text/plain\n\nthe start of a long message that was cut")
    put("truncated_mbox", "truncated.mbox", mbox_of([good(90), good(91)]) + b"From x@y Tue Mar  1 10:00:00 2011\n" + multipart)
    put("cut_header_mbox", "cut header.mbox", mbox_of([good(92)]) + b"From x@y Tue Mar  1 10:00:00 2011\nFrom: a@x.org\nSubj")
    put("pdf_named", "looks like.pdf", good(93))
    put("zip_named_eml", "archive.eml", zip_of({"inner/one.eml": good(94)}))
    put("mbox_named_txt", "mailbox.txt", mbox_of([good(95), good(96)]))
    put("fake_zip", "fake.zip", b"PK\x03\x04" + b"\x00" * 200)
    put("fake_pdf", "fake.pdf", b"%PDF-1.7\n" + random.Random(3).randbytes(3000))
    put("fake_msg", "fake.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(4).randbytes(3000))
    put("ole_named_eml", "spreadsheet.eml", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(8).randbytes(3000))
    put("binary_named_eml", "program.eml", Path(sys.executable).resolve().read_bytes()[:40000])
    put("fake_pst", "fake.pst", b"!BDN" + random.Random(5).randbytes(3000))
    put("fake_gz", "fake.mbox.gz", b"\x1f\x8b\x08\x00" + random.Random(6).randbytes(500))
    import pypdf

    blank = io.BytesIO()
    writer = pypdf.PdfWriter()
    writer.add_blank_page(612, 792)
    writer.write(blank)
    put("blank_pdf", "blank page.pdf", blank.getvalue())
    put("charsets", "charsets.eml",
        b"From: a@x.org\nSubject: =?x-unknown?q?caf=E9?= =?utf-8?b?!!!?= =?koi8-r?b?8NLJ18XU?=\n"
        b"Content-Type: text/plain; charset=\"utf-99\"\n\nbody caf\xe9 ends\n")
    put("charset_parts", "charset parts.eml",
        b"From: a@x.org\nSubject: parts with charsets\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=B\n\n"
        b"--B\nContent-Type: text/plain; charset=\"\"\n\nempty charset \xff\n"
        b"--B\nContent-Type: text/plain; charset=x-\x00\xff\n\nbinary charset name\n--B--\n")
    put("nul", "nul.eml", b"From: a@x.org\x00evil\nSubject: nul\x00here\nTo: b@\x00x.org\nX-\x00: v\n\nbody\x00x\n")
    put("mixed_endings", "mixed endings.eml",
        b"From: a@x.org\r\nSubject: mixed endings\nTo: b@x.org\r\nDate: Tue, 01 Mar 2011 10:00:00 -0500\n\r\n"
        b"line1\r\nline2\nline3\rline4\n")
    refs = " ".join(f"<r{i}@list.example.org>" for i in range(10_000))
    put("references", "references.eml",
        f"From: a@x.org\nSubject: ten thousand references\nMessage-ID: <refs@x.org>\nReferences: {refs}\n"
        f"In-Reply-To: <r9999@list.example.org>\n\nbody\n".encode())
    put("self_ancestor", "self ancestor.eml",
        b"From: a@x.org\nSubject: my own ancestor\nMessage-ID: <self@x.org>\nIn-Reply-To: <self@x.org>\n"
        b"References: <self@x.org> <self@x.org>\n\nbody\n")
    for name, mid, parent in (("cycle a.eml", "ca", "cc"), ("cycle b.eml", "cb", "ca"), ("cycle c.eml", "cc", "cb")):
        put(f"cycle_{mid}", name, f"From: a@x.org\nSubject: cycle {mid}\nMessage-ID: <{mid}@x.org>\n"
                                  f"In-Reply-To: <{parent}@x.org>\nReferences: <{parent}@x.org>\n\nbody {mid}\n".encode())
    dated = [f"From: a@x.org\nSubject: date {i}\nDate: {d}\n\nbody {i}\n".encode() for i, d in enumerate(HOSTILE_DATES)]
    put("dates", "dates.mbox", mbox_of(dated))

    # Things that are not readable files. Tests run as root, so chmod 000 would not stop a read.
    (root / "broken link.eml").symlink_to(root / "nowhere.eml")
    files["broken_link"] = root / "broken link.eml"
    os.mkfifo(root / "fifo.eml")
    files["fifo"] = root / "fifo.eml"
    (root / "folder.eml").mkdir()
    (root / "folder.eml" / "inside.eml").write_bytes(good(97))
    files["folder_named_eml"] = root / "folder.eml"
    (root / "loop a").symlink_to(root / "loop b")
    (root / "loop b").symlink_to(root / "loop a")
    files["loop"] = root / "loop a"
    (root / "sub").mkdir()
    (root / "sub" / "back up").symlink_to(root)
    files["dir_loop"] = root / "sub" / "back up"
    # a link to a message outside the named folder is followed (the user linked it in)
    (outside / "linked.eml").write_bytes(good(98))
    (root / "link to outside.eml").symlink_to(outside / "linked.eml")
    files["link_outside"] = root / "link to outside.eml"
    return files


class Indexed:
    """One real ``foiatool index`` run, with ``problems`` and ``messages`` read back as JSON."""

    def __init__(self, root: Path, db: Path, *extra: str) -> None:
        started = time.perf_counter()
        self.index = foiatool("index", root, "--db", db, *extra)
        self.seconds = time.perf_counter() - started
        self.problems = [json.loads(line) for line in foiatool("problems", "--db", db, "-f", "ndjson").stdout.splitlines()]
        self.messages = [json.loads(line) for line in
                         foiatool("messages", "--db", db, "-f", "ndjson", "--body", "full").stdout.splitlines()]

    def problems_for(self, path: Path) -> list[dict]:
        return [p for p in self.problems if p["path"] == str(path)]

    def messages_from(self, path: Path) -> list[dict]:
        return [m for m in self.messages if any(s["path"] == str(path) for s in m["sources"])]

    def subjects(self) -> set[str]:
        return {m["subject"] for m in self.messages}


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> tuple[Indexed, dict[str, Path]]:
    base = tmp_path_factory.mktemp("bad")
    files = write_bad_dump(base / "dump", base / "outside")
    return Indexed(base / "dump", base / "index.sqlite"), files


def one_problem(run: Indexed, path: Path, *words: str) -> dict:
    found = run.problems_for(path)
    assert len(found) == 1, (path, found)
    for word in words:
        assert word.lower() in found[0]["reason"].lower(), found[0]
    return found[0]


# --------------------------------------------------------------------------- the mixed dump

def test_every_good_message_around_the_bad_ones_is_read(bad) -> None:
    run, _ = bad
    subjects = run.subjects()
    assert {f"good {i}" for i in range(GOOD)} <= subjects
    assert {f"good {i}" for i in (90, 91, 92, 93, 94, 95, 96, 97, 98)} <= subjects
    assert "messages from" in run.index.stderr and "see 'foiatool problems'" in run.index.stderr


@pytest.mark.parametrize("key, words", [
    ("empty", ["empty"]),
    ("blank", ["empty"]),
    ("garbage", ["bad .eml file", "binary content"]),
    ("ole_named_eml", ["bad .eml file", "binary content", "header is damaged"]),
    ("binary_named_eml", ["bad .eml file", "binary content"]),
    ("prose", ["not an email", "without an email header"]),
    ("fake_zip", ["zip"]),
    ("fake_pdf", ["pdf"]),
    ("fake_msg", ["outlook"]),
    ("fake_pst", ["pst"]),
    ("fake_gz", ["gzip"]),
    ("blank_pdf", []),
    ("broken_link", ["broken symbolic link", "nowhere.eml"]),
    ("fifo", ["not a regular file"]),
    ("loop", ["symbolic link loop"]),
    ("dir_loop", ["symbolic link loop"]),
])
def test_a_bad_file_is_one_clear_problem_line(bad, key: str, words: list[str]) -> None:
    run, files = bad
    one_problem(run, files[key], *words)
    assert not run.messages_from(files[key])


def test_a_binary_eml_is_a_bad_eml_not_a_bad_outlook_msg(bad) -> None:
    run, files = bad
    for key in ("garbage", "ole_named_eml", "binary_named_eml"):
        reason = one_problem(run, files[key])["reason"]
        assert reason.startswith("bad .eml file: binary content"), reason
        assert "not a readable Outlook .msg" not in reason
    # a .msg keeps the Outlook reader's own reason
    assert one_problem(run, files["fake_msg"])["reason"].startswith("not a readable Outlook .msg file")


def test_an_outlook_msg_named_eml_is_still_read(corpora: Path, tmp_path: Path) -> None:
    root = tmp_path / "dump"
    root.mkdir()
    (root / "renamed.eml").write_bytes((corpora / "outlook-msg-perl" / "plain_unsent.msg").read_bytes())
    (root / "real.msg").write_bytes((corpora / "outlook-msg-perl" / "plain_unsent.msg").read_bytes())
    run = Indexed(root, tmp_path / "x.sqlite")
    assert not run.problems
    [message] = run.messages
    assert sorted(s["path"] for s in message["sources"]) == [str(root / "real.msg"), str(root / "renamed.eml")]


def test_a_truncated_mbox_keeps_its_whole_messages_and_reads_the_cut_one_with_a_defect(bad) -> None:
    run, files = bad
    got = {m["subject"]: m for m in run.messages_from(files["truncated_mbox"])}
    assert set(got) == {"good 90", "good 91", "cut short"}
    assert got["cut short"]["defects"], "the cut message carries a defect"
    assert "the start of a long message" in got["cut short"]["body"]
    assert not run.problems_for(files["truncated_mbox"])


def test_an_mbox_cut_inside_a_header_keeps_what_came_before(bad) -> None:
    run, files = bad
    subjects = [m["subject"] for m in run.messages_from(files["cut_header_mbox"])]
    assert "good 92" in subjects
    # the cut entry is either a message with what its header held or a problem naming mbox#1
    leftovers = len(subjects) - 1 + len(run.problems_for(files["cut_header_mbox"]))
    assert leftovers == 1


@pytest.mark.parametrize("key, subjects", [
    ("pdf_named", {"good 93"}),
    ("zip_named_eml", {"good 94"}),
    ("mbox_named_txt", {"good 95", "good 96"}),
    ("link_outside", {"good 98"}),
])
def test_content_decides_not_the_extension(bad, key: str, subjects: set[str]) -> None:
    run, files = bad
    assert {m["subject"] for m in run.messages_from(files[key])} == subjects
    assert not run.problems_for(files[key])


def test_a_folder_named_like_a_message_is_walked(bad) -> None:
    run, files = bad
    inside = files["folder_named_eml"] / "inside.eml"
    assert [m["subject"] for m in run.messages_from(inside)] == ["good 97"]
    assert not run.problems_for(files["folder_named_eml"])


def test_unknown_and_invalid_charsets_are_read_with_defects(bad) -> None:
    run, files = bad
    [message] = run.messages_from(files["charsets"])
    assert message["body"].startswith("body caf") and message["body"].endswith("ends")
    assert message["defects"]
    [parts] = run.messages_from(files["charset_parts"])
    assert "empty charset" in parts["body"] or "binary charset name" in parts["body"]


def test_nul_bytes_in_headers_do_not_stop_the_message(bad) -> None:
    run, files = bad
    [message] = run.messages_from(files["nul"])
    assert message["subject"].replace("\x00", "") == "nulhere"
    assert "body" in message["body"]
    # every output format survives the NUL
    for fmt in ("table", "tsv", "csv", "markdown"):
        out = foiatool("messages", "--db", str(Path(run.index.stdout.strip())), "-f", fmt, "--subject", "nul")
        assert out.stdout.strip()


def test_mixed_line_endings(bad) -> None:
    run, files = bad
    [message] = run.messages_from(files["mixed_endings"])
    assert message["subject"] == "mixed endings"
    assert message["date"] == "2011-03-01T15:00:00Z"
    for word in ("line1", "line2", "line3", "line4"):
        assert word in message["body"]


def test_ten_thousand_references_are_capped(bad) -> None:
    run, files = bad
    [message] = run.messages_from(files["references"])
    assert message["in_reply_to"] == "r9999@list.example.org"
    db = run.index.stdout.strip()
    shown = json.loads(foiatool("show", message["id"], "--db", db, "-f", "json").stdout)
    refs = shown["references"] if isinstance(shown, dict) and "references" in shown else None
    if refs is not None:
        assert len(refs) == MAX_REFERENCES and refs[-1] == "r9999@list.example.org"


def test_a_message_that_is_its_own_ancestor_and_a_reply_cycle(bad) -> None:
    run, files = bad
    db = run.index.stdout.strip()
    [me] = run.messages_from(files["self_ancestor"])
    assert me["parent"] is None
    cycle = [run.messages_from(files[f"cycle_{k}"])[0] for k in ("ca", "cb", "cc")]
    assert len({m["thread"] for m in cycle}) == 1
    parents = {m["id"]: m["parent"] for m in cycle}
    assert sum(1 for p in parents.values() if p is None) == 1, "the cycle is broken at exactly one place"
    threads = [json.loads(line) for line in foiatool("threads", "--db", db, "-f", "ndjson").stdout.splitlines()]
    members = [m["id"] for t in threads for m in t["messages"] if not m.get("recovered")]
    assert len(members) == len(set(members)), "every message is in one thread only"


def test_hostile_dates_never_lose_the_message(bad) -> None:
    run, files = bad
    got = {m["subject"]: m for m in run.messages_from(files["dates"])}
    assert set(got) == {f"date {i}" for i in range(len(HOSTILE_DATES))}
    assert not run.problems_for(files["dates"])
    for message in got.values():
        assert message["date_status"] in ("ok", "guessed", "missing")
        if message["date"] is not None:
            assert "1970-01-01" <= message["date"] < "2100-01-01", message
        else:
            assert message["date_status"] == "missing"
    for i in (6, 7, 9, 10):  # year 9999 and a zero date are corrupt, never a date
        assert got[f"date {i}"]["date"] is None


def test_no_output_format_chokes_on_the_bad_dump(bad) -> None:
    run, _ = bad
    db = run.index.stdout.strip()
    runs = [(command, fmt) for command in ("messages", "threads", "people", "problems", "timeline", "gaps",
                                           "redactions", "attachments") for fmt in ("json", "tsv", "markdown")]
    runs += [("summary", "json"), ("summary", "markdown")]
    for command, fmt in runs:
        proc = foiatool(command, "--db", db, "-f", fmt, check=False)
        assert proc.returncode == 0, (command, fmt, proc.stderr)
    report = foiatool("report", "--db", db, "-o", Path(db).with_suffix(".md"))
    assert report.returncode == 0 and Path(db).with_suffix(".md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- a file that vanishes

def test_a_file_that_disappears_between_discovery_and_reading(tmp_path: Path) -> None:
    """The indexer's progress hook runs after discovery and before reading: the file goes then."""
    from foiatool.refresh.ingest import refresh

    root = tmp_path / "dump"
    root.mkdir()
    for i in range(3):
        (root / f"{i}.eml").write_bytes(good(i))
    doomed = root / "1.eml"

    class DeleteOnStart:
        def start(self, total: int, description: str) -> None:
            if description != "Reading":
                return  # the derive step that follows
            doomed.unlink()
            (root / "2.eml").unlink()
            os.mkfifo(root / "2.eml")  # a FIFO in its place must not block the run

        def advance(self, n: int = 1) -> None:
            pass

        def finish(self) -> None:
            pass

    db = tmp_path / "x.sqlite"
    report = refresh([str(root)], db, jobs=1, progress=DeleteOnStart())
    assert report.messages == 1
    problems = {p["path"]: p["reason"] for p in
                (json.loads(line) for line in foiatool("problems", "--db", db, "-f", "ndjson").stdout.splitlines())}
    assert "no such file" in problems[str(doomed)].lower()
    assert "not a regular file" in problems[str(root / "2.eml")].lower()
    # the next run sees the FIFO at discovery and the missing file as removed
    foiatool("index", root, "--db", db)
    problems = [json.loads(line) for line in foiatool("problems", "--db", db, "-f", "ndjson").stdout.splitlines()]
    assert [p["path"] for p in problems] == [str(root / "2.eml")]


# --------------------------------------------------------------------------- size and nesting

def run_measured(*args: str | os.PathLike[str], timeout: float = 300) -> tuple[subprocess.CompletedProcess, float, int]:
    """Run foiatool in a fresh process; return (result, seconds, peak RSS in MiB of that process)."""
    probe = ("import resource, subprocess, sys, time\n"
             "t = time.perf_counter(); p = subprocess.run(sys.argv[1:], capture_output=True)\n"
             "sys.stdout.write(f'{time.perf_counter() - t} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n')\n"
             "sys.stdout.flush(); sys.stderr.buffer.write(p.stderr); sys.exit(p.returncode)\n")
    proc = subprocess.run([sys.executable, "-c", probe, *FOIATOOL, *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, errors="replace")
    assert "Traceback" not in proc.stderr, proc.stderr
    seconds, rss_kib = proc.stdout.split()
    return proc, float(seconds), int(rss_kib) // 1024


def test_a_50_mib_header_line_is_read_in_bounded_time_and_memory(tmp_path: Path) -> None:
    root = tmp_path / "dump"
    root.mkdir()
    (root / "a good.eml").write_bytes(good(1))
    with open(root / "long header.eml", "wb") as fh:
        fh.write(b"From: a@x.org\nSubject: long header\nX-Long: ")
        block = b"abcdefgh" * (1 << 17)  # 1 MiB
        for _ in range(50):
            fh.write(block)
        fh.write(b"\nDate: Tue, 01 Mar 2011 10:00:00 -0500\n\nshort body\n")
    (root / "z good.eml").write_bytes(good(2))
    db = tmp_path / "x.sqlite"
    proc, seconds, rss = run_measured("index", root, "--db", db)
    assert proc.returncode == 0, proc.stderr
    messages = [json.loads(line) for line in foiatool("messages", "--db", db, "-f", "ndjson").stdout.splitlines()]
    assert sorted(m["subject"] for m in messages) == ["good 1", "good 2", "long header"]
    # the whole message is held a few times over while parsing, never unboundedly
    assert rss < 1600, f"{rss} MiB for a 50 MiB header"


def _nested(depth: int, tag: str = "") -> bytes:
    parts = [b"From: Ann Lee <ann.lee@agency.gov>\nDate: Tue, 01 Mar 2011 10:00:00 -0500\n"
             b"Subject: nested %d%s\nMIME-Version: 1.0\n" % (depth, tag.encode())]
    for level in range(depth):
        parts.append(b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (level, level))
    parts.append(b"Content-Type: text/plain\n\nthe deepest text\n")
    parts.extend(b"--b%d--\n" % level for level in reversed(range(depth)))
    return b"".join(parts)


def _kept_headers(message: dict) -> None:
    assert message["from"]["email"] == "ann.lee@agency.gov" and message["from"]["name"] == "Ann Lee"
    assert message["date"] == "2011-03-01T15:00:00Z"


def test_mime_nested_a_thousand_deep(tmp_path: Path) -> None:
    root = tmp_path / "dump"
    root.mkdir()
    (root / "deep.eml").write_bytes(_nested(1000))
    (root / "shallow.eml").write_bytes(_nested(20))
    (root / "good.eml").write_bytes(good(1))
    run = Indexed(root, tmp_path / "x.sqlite")
    assert {"good 1", "nested 20"} <= run.subjects()
    [read] = run.messages_from(root / "deep.eml")
    assert read["subject"] == "nested 1000"
    _kept_headers(read)  # the body could not be read; sender, date and subject still are
    assert "MIME parts nested too deep to read: headers only" in read["defects"]


def test_mime_nested_300_deep_keeps_its_headers_in_a_file_a_zip_and_an_mbox(tmp_path: Path) -> None:
    root = tmp_path / "dump"
    root.mkdir()
    (root / "deep.eml").write_bytes(_nested(300))
    (root / "deep.zip").write_bytes(zip_of({"inner/deep.eml": _nested(300, " zipped")}))
    (root / "deep.mbox").write_bytes(mbox_of([_nested(300, " in mbox"), good(3)]))
    run = Indexed(root, tmp_path / "x.sqlite")
    assert not run.problems
    assert run.subjects() == {"nested 300", "nested 300 zipped", "nested 300 in mbox", "good 3"}
    for message in run.messages:
        if message["subject"].startswith("nested"):
            _kept_headers(message)
            assert message["body"] == "the deepest text" or "headers only" in " ".join(message["defects"])


@pytest.mark.parametrize("shape", ["many fields", "one long first field", "long folded subject"])
def test_a_5_mb_header_block_is_a_message_not_text(tmp_path: Path, shape: str) -> None:
    """Megabytes of header lines before the mail fields: detection sees only the first KiB, the parser all of it."""
    root = tmp_path / "dump"
    root.mkdir()
    with open(root / "big header.eml", "wb") as fh:
        if shape == "many fields":
            for i in range(70_000):  # 5.3 MB of X- fields, From/Subject/Date at the end
                fh.write(b"X-Filler-%d: %s\n" % (i, b"v" * 60))
        elif shape == "one long first field":
            fh.write(b"X-Scanner-Report: " + b"abcdefgh" * (5 << 17) + b"\n")
        else:
            fh.write(b"X-Thread-Note: start\n" + b"  folded continuation line of the note\n" * 130_000)
        fh.write(b"From: Ann Lee <ann.lee@agency.gov>\nSubject: big header block\n"
                 b"Date: Tue, 01 Mar 2011 10:00:00 -0500\n\nthe body after five megabytes\n")
    assert (root / "big header.eml").stat().st_size > 5_000_000
    (root / "neighbour.eml").write_bytes(good(1))
    run = Indexed(root, tmp_path / "x.sqlite")
    assert not run.problems, run.problems
    [message] = run.messages_from(root / "big header.eml")
    assert message["subject"] == "big header block"
    _kept_headers(message)
    assert message["body"].strip() == "the body after five megabytes"
    assert run.subjects() == {"big header block", "good 1"}


def test_text_of_header_like_lines_without_a_mail_field_is_still_not_a_message(tmp_path: Path) -> None:
    root = tmp_path / "dump"
    root.mkdir()
    (root / "notes.eml").write_bytes(b"".join(b"Item-%d: note about the request\n" % i for i in range(2000)))
    (root / "notes.txt").write_bytes(b"".join(b"Item-%d: note about the request\n" % i for i in range(20)))
    run = Indexed(root, tmp_path / "x.sqlite")
    assert not run.messages
    assert one_problem(run, root / "notes.eml", "not an email message", "no header block")
    assert one_problem(run, root / "notes.txt", "not an email", "without an email header")


# --------------------------------------------------------------------------- archives

def _nested_zip(levels: int, leaf: bytes) -> bytes:
    data = zip_of({"leaf.eml": leaf})
    for level in range(levels - 1):
        data = zip_of({f"level{level}.zip": data})
    return data


def test_zip_bombs_and_deep_nesting_stop_at_the_documented_limits(tmp_path: Path) -> None:
    root = tmp_path / "dump"
    root.mkdir()
    zeros = b"\0" * (64 * 1024 * 1024)  # 64 MiB that deflate to about 64 KiB: over 200:1
    (root / "bomb.zip").write_bytes(zip_of({"a good.eml": good(1), "bomb.eml": zeros, "z good.eml": good(2)}))
    import gzip

    (root / "bomb.mbox.gz").write_bytes(gzip.compress(zeros, compresslevel=9))
    (root / "deep ok.zip").write_bytes(_nested_zip(MAX_NESTING_DEPTH, good(3)))
    (root / "too deep.zip").write_bytes(_nested_zip(MAX_NESTING_DEPTH + 1, good(4)))
    # a bomb inside a nested zip: stored (not compressed) at the outer level, deflated inside
    (root / "nested bomb.zip").write_bytes(zip_of({"inner.zip": zip_of({"b.eml": zeros, "ok.eml": good(5)})},
                                                method=zipfile.ZIP_STORED))
    proc, seconds, rss = run_measured("index", root, "--db", tmp_path / "x.sqlite")
    assert proc.returncode == 0
    run = Indexed(root, tmp_path / "x.sqlite")
    assert {"good 1", "good 2", "good 3", "good 5"} <= run.subjects()
    assert "good 4" not in run.subjects()
    ratio = f"{MAX_COMPRESSION_RATIO}:1"
    [bomb] = run.problems_for(root / "bomb.zip")
    assert bomb["locator"] == "zip:bomb.eml" and ratio in bomb["reason"] and "MAX_COMPRESSION_RATIO" in bomb["reason"]
    [gz] = run.problems_for(root / "bomb.mbox.gz")
    assert ratio in gz["reason"]
    [deep] = run.problems_for(root / "too deep.zip")
    assert "MAX_NESTING_DEPTH" in deep["reason"] and deep["locator"].count("!") == MAX_NESTING_DEPTH - 1
    [nested] = run.problems_for(root / "nested bomb.zip")
    assert nested["locator"] == "zip:inner.zip!zip:b.eml" and ratio in nested["reason"]
    assert not run.problems_for(root / "deep ok.zip")
    # a bomb is refused before it is inflated: memory stays far below what it would expand to
    assert rss < 400, f"{rss} MiB"


def test_archive_member_names_never_escape(tmp_path: Path) -> None:
    root = tmp_path / "in" / "dump"
    root.mkdir(parents=True)
    work = tmp_path / "cwd"
    work.mkdir()
    absolute = tmp_path / "absolute-target.eml"
    members = {"../../escaped.eml": good(1), "../escaped-too.eml": good(2), str(absolute): good(3),
               "ok/../../../../etc/x.eml": good(4), "./plain.eml": good(5)}
    (root / "names.zip").write_bytes(zip_of(members))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    (root / "names.tar").write_bytes(buffer.getvalue())
    before = sorted(p for p in tmp_path.rglob("*"))
    proc = subprocess.run([*FOIATOOL, "index", str(root), "--db", str(tmp_path / "x.sqlite")], cwd=work,
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    created = sorted(set(tmp_path.rglob("*")) - set(before))
    assert all(p.name.startswith("x.sqlite") for p in created), created
    assert not absolute.exists() and not list(work.iterdir())
    run = Indexed(root, tmp_path / "x.sqlite")
    for archive_name, kind in (("names.zip", "zip"), ("names.tar", "tar")):
        got = {m["subject"]: s["locator"] for m in run.messages_from(root / archive_name)
               for s in m["sources"] if s["path"] == str(root / archive_name)}
        assert got["good 1"] == f"{kind}:../../escaped.eml"
        assert got["good 3"] == f"{kind}:{absolute}"
        assert set(got) == {f"good {i}" for i in range(1, 6)}


def test_tar_links_are_never_followed(tmp_path: Path) -> None:
    root = tmp_path / "dump"
    root.mkdir()
    secret = tmp_path / "secret.eml"
    secret.write_bytes(good(7).replace(b"good 7", b"secret outside the archive"))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("a.eml")
        info.size = len(good(1))
        archive.addfile(info, io.BytesIO(good(1)))
        for name, target, kind in (("abs.eml", str(secret), tarfile.SYMTYPE), ("rel.eml", "../secret.eml", tarfile.SYMTYPE),
                                   ("passwd.eml", "/etc/passwd", tarfile.SYMTYPE), ("hard.eml", "a.eml", tarfile.LNKTYPE),
                                   ("fifo.eml", "", tarfile.FIFOTYPE)):
            link = tarfile.TarInfo(name)
            link.type = kind
            link.linkname = target
            archive.addfile(link)
    (root / "links.tar").write_bytes(buffer.getvalue())
    run = Indexed(root, tmp_path / "x.sqlite")
    assert [m["subject"] for m in run.messages] == ["good 1"]
    reasons = {p["locator"]: p["reason"] for p in run.problems_for(root / "links.tar")}
    assert set(reasons) == {"tar:abs.eml", "tar:rel.eml", "tar:passwd.eml", "tar:hard.eml", "tar:fifo.eml"}
    for locator in ("tar:abs.eml", "tar:rel.eml", "tar:passwd.eml", "tar:hard.eml"):
        assert "never followed" in reasons[locator]


def test_a_million_tiny_mime_parts(tmp_path: Path) -> None:
    """Written as a stream (7 MB); the first MAX_MIME_PARTS parts are read and the cut is a defect."""
    root = tmp_path / "dump"
    root.mkdir()
    with open(root / "million.eml", "wb") as fh:
        fh.write(b"From: a@x.org\nSubject: a million parts\nMIME-Version: 1.0\n"
                 b"Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nfirst part\n")
        chunk = b"--B\n\nx\n" * 10_000
        for _ in range(100):
            fh.write(chunk)
        fh.write(b"--B--\n")
    (root / "neighbour.eml").write_bytes(good(1))
    db = tmp_path / "x.sqlite"
    proc, seconds, rss = run_measured("index", root, "--db", db, timeout=600)
    assert proc.returncode == 0, proc.stderr
    run = Indexed(root, db)
    assert run.subjects() == {"a million parts", "good 1"}
    [message] = run.messages_from(root / "million.eml")
    assert message["body"].startswith("first part")
    assert any("MIME parts: only the first 10,000 were read" in d for d in message["defects"])
    assert rss < 1200, f"{rss} MiB for a 7 MB message of a million parts"
