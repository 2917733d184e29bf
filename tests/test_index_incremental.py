"""Incremental indexing: unchanged inputs are not read again, and every update equals a clean run.

"Equals a clean run" compares a canonical dump of the whole index (messages with their
sources, addresses, attachments, redaction marks, full-text rows, threads, reply edges,
people, problems, files) between the updated index and a fresh index of the same inputs.
The helpers here (``foiatool``, ``canonical_dump``, ``read_counts``) serve the other
reliability tests too.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

FOIATOOL = [sys.executable, "-m", "foiatool"]


def foiatool(*args: str | os.PathLike[str], check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real ``foiatool`` command; never a Python traceback on stderr."""
    proc = subprocess.run([*FOIATOOL, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          errors="replace")
    assert "Traceback" not in proc.stderr, proc.stderr
    if check:
        assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr}"
    return proc


_COUNTS = re.compile(r"\((\d+) read, (\d+) unchanged, (\d+) removed\)")


def read_counts(stderr: str) -> tuple[int, int, int]:
    """``(read, unchanged, removed)`` from the account line of ``foiatool index``."""
    match = _COUNTS.search(stderr)
    assert match, f"no account line in: {stderr!r}"
    return int(match[1]), int(match[2]), int(match[3])


def index(inputs: Path | list[Path], db: Path, *extra: str) -> tuple[int, int, int]:
    paths = inputs if isinstance(inputs, list) else [inputs]
    return read_counts(foiatool("index", *paths, "--db", db, *extra).stderr)


def canonical_dump(db: Path) -> dict[str, list[tuple]]:
    """Everything the index holds, in a fixed order, without row ids that depend on history."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        def rows(sql: str) -> list[tuple]:
            return [tuple(r) for r in conn.execute(sql)]

        return {
            "messages": rows(
                "SELECT m.id, m.message_id, m.in_reply_to, m.refs, m.subject, m.from_name, m.from_email, m.from_redacted,"
                " m.date, m.date_status, x.body, x.new_text, x.quoted, m.defects, m.recovered, m.thread_id, m.duplicate_of,"
                " m.inclusive, m.parent_id, m.reply_seconds FROM messages m LEFT JOIN message_texts x ON x.message = m.rowid"
                " ORDER BY m.id"),
            # every message has its texts, under its own rowid, and no texts are left without a message
            "texts_rows": rows(
                "SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM message_texts),"
                " (SELECT count(*) FROM message_texts x JOIN messages m ON m.rowid = x.message)"),
            "sources": rows("SELECT message, path, locator, kind, provenance, file_id IS NULL FROM sources ORDER BY 1, 2, 3"),
            "addresses": rows("SELECT * FROM addresses ORDER BY message, role, position"),
            "attachments": rows("SELECT * FROM attachments ORDER BY message, position"),
            "redactions": rows("SELECT * FROM redactions ORDER BY 1, 2, 3, 4, 5"),
            "fts": rows("SELECT id, subject, sender, recipients, body FROM messages_fts ORDER BY id"),
            # every message has exactly one full-text row, on its own rowid, and none is left waiting
            "fts_rows": rows(
                "SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM messages_fts),"
                " (SELECT count(*) FROM messages_fts f JOIN messages m ON m.rowid = f.rowid AND m.id = f.id),"
                " (SELECT count(*) FROM fts_pending)"),
            "threads": rows("SELECT * FROM threads ORDER BY id"),
            "edges": rows("SELECT * FROM edges ORDER BY parent, child"),
            "placeholders": rows("SELECT * FROM placeholders ORDER BY 1, 2, 3"),
            "people": rows("SELECT * FROM people ORDER BY id"),
            "problems": rows("SELECT path, locator, reason, file_id IS NULL FROM problems ORDER BY 1, 2, 3"),
            "files": rows("SELECT path, size, mtime_ns, sha256, kind, messages, problems FROM files ORDER BY path"),
            "meta": rows("SELECT key, value FROM meta ORDER BY key"),
            # a bulk load builds its secondary indexes at the end: every index is there all the same
            "indexes": rows("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' ORDER BY name"),
        }
    finally:
        conn.close()


def assert_same_index(db: Path, reference: Path) -> None:
    got, want = canonical_dump(db), canonical_dump(reference)
    messages, texts, joined = got["texts_rows"][0]
    assert messages == texts == joined, f"{messages} messages, {texts} texts rows, {joined} of them matched"
    for table in want:
        extra = sorted(set(got[table]) - set(want[table]), key=repr)[:3]
        missing = sorted(set(want[table]) - set(got[table]), key=repr)[:3]
        assert got[table] == want[table], f"{table}: unexpected {extra}, missing {missing}"


def clean_index(inputs: Path | list[Path], db: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    index(inputs, db)
    return db


# --------------------------------------------------------------------------- a small dump

def eml(mid: str, sender: str, to: str, subject: str, day: int, body: str, reply_to: str | None = None,
        refs: tuple[str, ...] = (), bcc: str | None = None) -> bytes:
    lines = [
        f"From: {sender}",
        f"To: {to}",
        *([f"Bcc: {bcc}"] if bcc else []),
        f"Subject: {subject}",
        f"Date: Tue, {day:02d} Mar 2011 10:{day:02d}:00 -0500",
        f"Message-ID: <{mid}>",
        *([f"In-Reply-To: <{reply_to}>"] if reply_to else []),
        *([f"References: {' '.join(f'<{r}>' for r in refs)}"] if refs else []),
        "",
        body,
        "",
    ]
    return "\n".join(lines).encode()


ANN = "Ann Lee <ann.lee@agency.gov>"
BOB = "Bob Ortiz <bob.ortiz@county.gov>"
CY = "Cy Park <cy.park@agency.gov>"


def write_dump(root: Path) -> Path:
    """Custodian folders with a thread and a shared message, an mbox, a maildir and a zip."""
    a = root / "custodian_a"
    b = root / "custodian_b"
    a.mkdir(parents=True)
    b.mkdir()
    chain: list[str] = []
    for i in range(6):
        mid = f"t{i}@agency.gov"
        sender, to = (ANN, BOB) if i % 2 == 0 else (BOB, ANN)
        subject = "Detainer statistics" if i == 0 else "RE: Detainer statistics"
        body = f"Message {i} about the detainer numbers for week {i}.\nPlease see (b)(6) for details."
        (a / f"{i:02d}.eml").write_bytes(eml(mid, sender, to, subject, i + 1, body, chain[-1] if chain else None,
                                              tuple(chain)))
        chain.append(mid)
    shared = eml("shared@agency.gov", CY, ANN, "Budget call", 9, "Call at noon about the budget.", bcc=BOB)
    (a / "shared.eml").write_bytes(shared)
    # The recipient's copy of the same message: no Bcc line (the content id is the same).
    (b / "shared copy.eml").write_bytes(eml("shared@agency.gov", CY, ANN, "Budget call", 9,
                                            "Call at noon about the budget."))
    (b / "lone.eml").write_bytes(eml("lone@county.gov", BOB, CY, "Site visit", 10, "Visit on Friday."))
    mbox = b"".join(
        b"From x@y Tue Mar  1 10:00:00 2011\n" + eml(f"mb{i}@county.gov", BOB, CY, f"Roster {i}", 11 + i,
                                                     f"Roster number {i}.") + b"\n"
        for i in range(3)
    )
    (root / "box.mbox").write_bytes(mbox)
    maildir = root / "maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "cur" / "1.host:2,S").write_bytes(eml("md1@agency.gov", CY, BOB, "Maildir one", 15, "First."))
    (maildir / "new" / "2.host").write_bytes(eml("md2@agency.gov", CY, BOB, "Maildir two", 16, "Second."))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zipped/one.eml", eml("z1@agency.gov", ANN, CY, "Zipped one", 17, "Zip one."))
        archive.writestr("zipped/two.eml", eml("z2@agency.gov", ANN, CY, "Zipped two", 18, "Zip two."))
    (root / "release.zip").write_bytes(buffer.getvalue())
    return root


FILES_IN_DUMP = 13  # 6 thread + 2 shared copies + lone + mbox + 2 maildir + zip
MESSAGES_IN_DUMP = 15  # 6 thread + 1 shared (two copies) + lone + 3 mbox + 2 maildir + 2 zipped


@pytest.fixture()
def dump(tmp_path: Path) -> Path:
    return write_dump(tmp_path / "dump")


def message_ids(db: Path) -> dict[str, list[tuple[str, str]]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        out: dict[str, list[tuple[str, str]]] = {}
        for mid, path, locator in conn.execute(
            "SELECT m.message_id, s.path, s.locator FROM messages m JOIN sources s ON s.message = m.id"
            " WHERE m.recovered = 0 ORDER BY 1, 2, 3"
        ):
            out.setdefault(mid, []).append((path, locator))
        return out
    finally:
        conn.close()


# --------------------------------------------------------------------------- tests

def test_first_run_reads_everything_and_second_run_nothing(dump: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    assert index(dump, db) == (FILES_IN_DUMP, 0, 0)
    assert len(message_ids(db)) == MESSAGES_IN_DUMP
    before = canonical_dump(db)
    assert index(dump, db) == (0, FILES_IN_DUMP, 0)
    assert canonical_dump(db) == before


def test_full_text_rows_name_senders_and_recipients_as_messages_do(tmp_path: Path) -> None:
    from foiatool.model import Address

    root = tmp_path / "dump"
    root.mkdir()
    (root / "a.eml").write_bytes(eml("a@x", ANN, f"{BOB}, cy.park@agency.gov", "Plans", 1, "Body one"))
    (root / "b.eml").write_bytes(
        b"From: (b)(6)\nTo: Bob Ortiz <bob.ortiz@county.gov>\nCc: Dee\nBcc: eve@agency.gov\n"
        b"Subject: Re: Plans\nDate: Wed, 02 Mar 2011 10:00:00 -0500\n\nBody two\n")
    db = tmp_path / "i.sqlite"
    index(root, db)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    checked = 0
    for m in conn.execute("SELECT m.id, m.from_name, m.from_email, m.from_redacted, f.sender, f.recipients"
                          " FROM messages m JOIN messages_fts f ON f.rowid = m.rowid"):
        want = Address(m["from_name"], m["from_email"], m["from_redacted"]).label() if (
            m["from_name"] or m["from_email"] or m["from_redacted"]) else ""
        assert m["sender"] == want
        people = [Address(r["name"], r["email"], r["redacted"]).label() for r in conn.execute(
            "SELECT * FROM addresses WHERE message=? AND role != 'from'"
            " ORDER BY CASE role WHEN 'to' THEN 0 WHEN 'cc' THEN 1 ELSE 2 END, position", (m["id"],))]
        assert m["recipients"] == " ".join(people)
        checked += 1
    assert checked == 2
    labels = {r[0]: r[1] for r in conn.execute("SELECT sender, recipients FROM messages_fts")}
    assert labels["Ann Lee <ann.lee@agency.gov>"] == "Bob Ortiz <bob.ortiz@county.gov> cy.park@agency.gov"
    assert labels["[redacted b6]"] == "Bob Ortiz <bob.ortiz@county.gov> Dee eve@agency.gov"
    found = foiatool("search", "recipients:eve", "--db", db, "-f", "ids").stdout.split()
    assert len(found) == 1


def test_progress_counts_the_files_read_then_the_derive_steps(dump: Path, tmp_path: Path) -> None:
    from foiatool.refresh.ingest import refresh

    class Recorder:
        def __init__(self) -> None:
            self.events: list[tuple] = []

        def start(self, total: int, description: str) -> None:
            self.events.append(("start", description, total))

        def advance(self, n: int = 1) -> None:
            self.events.append(("advance", n))

        def finish(self) -> None:
            self.events.append(("finish",))

    files = sum(1 for p in dump.rglob("*") if p.is_file())
    recorder = Recorder()
    refresh([str(dump)], tmp_path / "p.sqlite", jobs=1, progress=recorder)
    starts = [e for e in recorder.events if e[0] == "start"]
    assert starts == [("start", "Reading", files), ("start", "Threads, people, summary", 6)]
    derive_part = recorder.events[recorder.events.index(starts[1]):]
    assert derive_part.count(("advance", 1)) == 6 and derive_part[-1] == ("finish",)
    # nothing changed: nothing to read and nothing to derive
    recorder.events.clear()
    refresh([str(dump)], tmp_path / "p.sqlite", jobs=1, progress=recorder)
    assert recorder.events == []


def test_touched_but_unchanged_files_are_not_read_again(dump: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    index(dump, db)
    before = canonical_dump(db)
    later = 1_900_000_000
    for path in dump.rglob("*"):
        if path.is_file():
            os.utime(path, (later, later))
    assert index(dump, db) == (0, FILES_IN_DUMP, 0)
    # the new times were recorded, so a third run needs no hashing either and sees the same
    assert index(dump, db) == (0, FILES_IN_DUMP, 0)
    after = canonical_dump(db)
    assert {k: v for k, v in after.items() if k != "files"} == {k: v for k, v in before.items() if k != "files"}
    assert_same_index(db, clean_index(dump, tmp_path / "clean.sqlite"))


def test_an_added_file_is_read_alone(dump: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    index(dump, db)
    reply = eml("t6@agency.gov", ANN, BOB, "RE: Detainer statistics", 20, "Message 6, late reply.",
                "t5@agency.gov", tuple(f"t{i}@agency.gov" for i in range(6)))
    (dump / "custodian_a" / "06.eml").write_bytes(reply)
    assert index(dump, db) == (1, FILES_IN_DUMP, 0)
    assert "t6@agency.gov" in message_ids(db)
    assert_same_index(db, clean_index(dump, tmp_path / "clean.sqlite"))


def test_a_changed_file_is_read_alone_and_the_index_equals_a_clean_run(dump: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    index(dump, db)
    target = dump / "custodian_a" / "03.eml"
    target.write_bytes(target.read_bytes().replace(b"week 3", b"week three, corrected"))
    assert index(dump, db) == (1, FILES_IN_DUMP - 1, 0)
    assert_same_index(db, clean_index(dump, tmp_path / "clean.sqlite"))


def test_a_message_appended_to_an_mbox(dump: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    index(dump, db)
    with open(dump / "box.mbox", "ab") as fh:
        fh.write(b"From x@y Tue Mar  1 10:00:00 2011\n" + eml("mb3@county.gov", BOB, CY, "Roster 3", 19, "Three.")
                 + b"\n")
    assert index(dump, db) == (1, FILES_IN_DUMP - 1, 0)
    assert message_ids(db)["mb3@county.gov"] == [(str(dump / "box.mbox"), "mbox#3")]
    assert_same_index(db, clean_index(dump, tmp_path / "clean.sqlite"))


def test_a_removed_file_takes_its_messages_with_it(dump: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    index(dump, db)
    (dump / "custodian_b" / "lone.eml").unlink()
    (dump / "release.zip").unlink()
    assert index(dump, db) == (0, FILES_IN_DUMP - 2, 2)
    ids = message_ids(db)
    assert not {"lone@county.gov", "z1@agency.gov", "z2@agency.gov"} & set(ids)
    assert len(ids) == MESSAGES_IN_DUMP - 3
    assert_same_index(db, clean_index(dump, tmp_path / "clean.sqlite"))


def test_a_message_also_found_elsewhere_stays_with_one_source_fewer(dump: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    index(dump, db)
    copy_a = str(dump / "custodian_a" / "shared.eml")
    copy_b = str(dump / "custodian_b" / "shared copy.eml")
    assert message_ids(db)["shared@agency.gov"] == [(copy_a, ""), (copy_b, "")]
    (dump / "custodian_b" / "shared copy.eml").unlink()
    assert index(dump, db) == (0, FILES_IN_DUMP - 1, 1)
    assert message_ids(db)["shared@agency.gov"] == [(copy_a, "")]
    assert_same_index(db, clean_index(dump, tmp_path / "clean.sqlite"))


def test_removing_the_copy_the_index_showed_shows_the_remaining_copy(dump: Path, tmp_path: Path) -> None:
    """The sender's copy (with Bcc) is the one shown while it exists; once removed, the index
    shows the recipient's copy exactly as a clean run of the remaining files would."""
    db = tmp_path / "x.sqlite"
    index(dump, db)
    conn = sqlite3.connect(db)
    bcc = conn.execute("SELECT a.email FROM addresses a JOIN messages m ON m.id = a.message"
                       " WHERE m.message_id = 'shared@agency.gov' AND a.role = 'bcc'").fetchall()
    conn.close()
    assert bcc == [("bob.ortiz@county.gov",)]
    (dump / "custodian_a" / "shared.eml").unlink()
    read, unchanged, removed = index(dump, db)
    assert (read, removed) == (1, 1)  # the other copy is read again: it is what the index now shows
    conn = sqlite3.connect(db)
    bcc = conn.execute("SELECT a.email FROM addresses a JOIN messages m ON m.id = a.message"
                       " WHERE m.message_id = 'shared@agency.gov' AND a.role = 'bcc'").fetchall()
    conn.close()
    assert bcc == []
    assert_same_index(db, clean_index(dump, tmp_path / "clean.sqlite"))


def test_changing_the_shown_copy_so_it_no_longer_holds_the_message(dump: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    index(dump, db)
    (dump / "custodian_a" / "shared.eml").write_bytes(
        eml("other@agency.gov", CY, ANN, "Another call", 12, "A different message now."))
    read, _, removed = index(dump, db)
    assert (read, removed) == (2, 0)
    assert message_ids(db)["shared@agency.gov"] == [(str(dump / "custodian_b" / "shared copy.eml"), "")]
    assert_same_index(db, clean_index(dump, tmp_path / "clean.sqlite"))


def test_a_removed_folder_and_a_renamed_file(dump: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    index(dump, db)
    shutil.rmtree(dump / "maildir")
    (dump / "custodian_a" / "05.eml").rename(dump / "custodian_a" / "05 renamed.eml")
    read, _, removed = index(dump, db)
    assert (read, removed) == (1, 3)
    assert_same_index(db, clean_index(dump, tmp_path / "clean.sqlite"))


def test_many_changes_at_once_equal_a_clean_run(dump: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    index(dump, db)
    (dump / "custodian_a" / "00.eml").write_bytes(b"")  # now a problem, not a message
    (dump / "custodian_a" / "01.eml").unlink()
    (dump / "custodian_b" / "new.eml").write_bytes(eml("t1@agency.gov", BOB, ANN, "RE: Detainer statistics", 2,
                                                       "Message 1 about the detainer numbers for week 1.\n"
                                                       "Please see (b)(6) for details.", "t0@agency.gov",
                                                       ("t0@agency.gov",)))
    (dump / "box.mbox").write_bytes((dump / "box.mbox").read_bytes()[:200])  # truncated
    index(dump, db)
    problems = foiatool("problems", "--db", db, "-f", "tsv").stdout
    assert f"{dump / 'custodian_a' / '00.eml'}\t\tempty file" in problems
    assert_same_index(db, clean_index(dump, tmp_path / "clean.sqlite"))


def test_the_same_inputs_read_in_parallel_or_not_give_the_same_index(tmp_path: Path) -> None:
    """Enough files for the worker pool; copies of one message that differ outside the
    content id (Bcc) are spread over many batches, so their reading order varies."""
    root = tmp_path / "many"
    root.mkdir()
    for i in range(90):
        bcc = f"watcher{i}@agency.gov" if i % 3 == 0 else None
        (root / f"{i:03d}.eml").write_bytes(
            eml(f"copy{i % 9}@agency.gov", CY, ANN, f"Copies {i % 9}", 5, f"Same body {i % 9}.", bcc=bcc))
    serial = tmp_path / "serial.sqlite"
    parallel = tmp_path / "parallel.sqlite"
    foiatool("index", root, "--db", serial, "-j", "1")
    foiatool("index", root, "--db", parallel, "-j", "2")
    assert_same_index(parallel, serial)
    conn = sqlite3.connect(serial)
    shown = conn.execute(
        "SELECT m.message_id, group_concat(a.email) FROM messages m LEFT JOIN addresses a"
        " ON a.message = m.id AND a.role = 'bcc' GROUP BY m.id ORDER BY 1").fetchall()
    conn.close()
    # each message shows the copy in the first file holding it: 000.eml, 001.eml ... 008.eml
    assert shown == [(f"copy{k}@agency.gov", f"watcher{k}@agency.gov" if k % 3 == 0 else None) for k in range(9)]


def test_a_bulk_load_into_a_new_index_equals_one_file_at_a_time(tmp_path: Path) -> None:
    """A new index given many files builds its secondary indexes once the rows are in; the
    index is the one a run of a few files, then the rest, makes (which grows them row by row)."""
    from foiatool.index.store import SECONDARY_INDEXES
    from foiatool.refresh.ingest import BULK_LOAD_FILES

    root = tmp_path / "bulk"
    root.mkdir()
    for i in range(BULK_LOAD_FILES + 20):
        refs = (f"m{i - 1}@agency.gov",) if i % 4 else ()
        (root / f"{i:05d}.eml").write_bytes(eml(f"m{i}@agency.gov", [ANN, BOB, CY][i % 3], ANN, f"Topic {i // 4}",
                                                1 + i % 28, f"Note {i}.", reply_to=refs[0] if refs else None, refs=refs))
    bulk = tmp_path / "bulk.sqlite"
    assert index(root, bulk) == (BULK_LOAD_FILES + 20, 0, 0)
    held = tmp_path / "held"
    held.mkdir()
    later = sorted(root.iterdir())[10:]
    for path in later:
        path.rename(held / path.name)
    stepwise = tmp_path / "stepwise.sqlite"
    assert index(root, stepwise) == (10, 0, 0)
    for path in later:
        (held / path.name).rename(path)
    assert index(root, stepwise) == (BULK_LOAD_FILES + 10, 10, 0)
    assert len(SECONDARY_INDEXES) >= 10
    assert_same_index(bulk, stepwise)
    assert len(canonical_dump(bulk)["threads"]) > 200


def test_an_interrupted_bulk_load_gets_its_indexes_back(tmp_path: Path) -> None:
    from foiatool.index import store

    root = tmp_path / "dump"
    root.mkdir()
    (root / "a.eml").write_bytes(eml("a@agency.gov", ANN, BOB, "Memo", 3, "Body."))
    db = tmp_path / "x.sqlite"
    index(root, db)
    want = canonical_dump(db)["indexes"]
    conn = sqlite3.connect(db)
    with conn:
        store.drop_secondary_indexes(conn)  # where a bulk load killed mid-way leaves the index
    conn.close()
    assert canonical_dump(db)["indexes"] != want
    assert index(root, db) == (0, 1, 0)
    assert canonical_dump(db)["indexes"] == want


def test_non_utf8_file_names_are_indexed_and_kept_track_of(tmp_path: Path) -> None:
    root = tmp_path / "names"
    root.mkdir()
    latin1 = os.fsdecode(bytes(root) + b"/caf\xe9 memo.eml")
    with open(latin1, "wb") as fh:
        fh.write(eml("latin@agency.gov", ANN, BOB, "Memo", 3, "Body."))
    (root / "plain.eml").write_bytes(eml("plain@agency.gov", ANN, BOB, "Plain", 4, "Body."))
    db = tmp_path / "x.sqlite"
    assert index(root, db) == (2, 0, 0)
    assert message_ids(db)["latin@agency.gov"] == [(str(root) + "/caf\\xe9 memo.eml", "")]
    assert index(root, db) == (0, 2, 0)
    os.unlink(latin1)
    assert index(root, db) == (0, 1, 1)
    assert set(message_ids(db)) == {"plain@agency.gov"}


def _index_with_stderr_on_a_terminal(*args: str | os.PathLike[str]) -> tuple[int, str, str]:
    """``foiatool index`` with stdout piped and stderr on a pseudo-terminal, as in a shell pipeline."""
    from conftest import run_on_pty

    code, out, err = run_on_pty([*FOIATOOL, "index", *map(str, args)], pty_for="stderr",
                                env={**os.environ, "COLUMNS": "120"}, timeout=300)
    return code, out, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", err)


def test_index_draws_its_progress_on_a_terminal_and_keeps_stdout_for_the_index_path(dump: Path, tmp_path: Path) -> None:
    db = tmp_path / "tty.sqlite"
    code, out, err = _index_with_stderr_on_a_terminal(dump, "--db", db)
    assert code == 0, err
    assert out == f"{db}\n"
    assert "Reading" in err and "Threads, people, summary" in err
    files = sum(1 for p in dump.rglob("*") if p.is_file())
    assert f"{files}/{files}" in err and "6/6" in err
    assert "read, 0 unchanged, 0 removed" in err
    code, out, err = _index_with_stderr_on_a_terminal(dump, "--db", db, "-q")
    assert code == 0 and out == f"{db}\n" and err.strip() == ""


def test_a_bulk_full_text_load_leaves_fts5_merging_as_it_found_it(tmp_path: Path) -> None:
    # Above BULK_FTS rows the merging waits for the statement's end; afterwards the default is back
    # and the rows are all there, searchable.
    from foiatool.index import store

    db = tmp_path / "bulk.db"
    conn = store.connect(db)
    with conn:
        for n in range(store.BULK_FTS + 10):
            cur = conn.execute("INSERT INTO messages (id, subject) VALUES (?, ?)", (f"m{n:06d}", f"weekly report {n}"))
            conn.execute("INSERT INTO fts_pending (rowid) VALUES (?)", (cur.lastrowid,))
        assert store.sync_fts(conn) == store.BULK_FTS + 10
    automerge = conn.execute("SELECT v FROM messages_fts_config WHERE k = 'automerge'").fetchone()
    assert automerge is not None and int(automerge[0]) == store.FTS5_AUTOMERGE
    assert conn.execute("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'weekly'").fetchone()[0] == store.BULK_FTS + 10
    assert conn.execute("SELECT count(*) FROM fts_pending").fetchone()[0] == 0
    conn.close()
