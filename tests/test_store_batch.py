"""The writer stores plain files of new messages many at a time: the same index as file by file, and a
Ctrl-C inside such a write leaves none of that batch's files half-stored."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.test_index_incremental import canonical_dump


def _dump(root: Path) -> None:
    root.mkdir()
    mbox = b"".join(
        f"From x@y Tue Mar  1 10:00:00 2011\nFrom: A {i} <a{i}@x.org>\nTo: b@x.org\nSubject: entry {i}\n"
        f"Message-ID: <e{i}@x.org>\n\nbody {i} (b)(6)\n\n".encode() for i in range(5))
    (root / "a.mbox").write_bytes(mbox)
    for i in range(60):
        (root / f"m{i:02d}.eml").write_bytes(
            f"From: c{i % 7}@x.org\nTo: d@x.org\nSubject: Re: plan {i % 9}\nMessage-ID: <m{i}@x.org>\n"
            f"In-Reply-To: <m{max(i - 1, 0)}@x.org>\nDate: Tue, 1 Mar 2011 10:{i:02d}:00 +0000\n\n"
            f"Reply {i}.\n\n> earlier text\n".encode())
    # the same message in two files: stored once, with the copy the file-by-file path keeps
    (root / "copy.eml").write_bytes((root / "m07.eml").read_bytes())
    (root / "empty.eml").write_bytes(b"")


def test_batched_and_file_by_file_writes_give_the_same_index(tmp_path: Path, monkeypatch) -> None:
    from foiatool.index import batch
    from foiatool.refresh import ingest

    root = tmp_path / "dump"
    _dump(root)
    monkeypatch.setattr(ingest, "STORE_BATCH", 8)  # several batches: some all new, one holding a copy
    batched = tmp_path / "batched.sqlite"
    report = ingest.refresh([str(root)], batched, jobs=1)
    assert report.messages == 65 and report.problems == 1
    monkeypatch.setattr(batch, "insert_new_files", lambda conn, files: None)
    one_by_one = tmp_path / "one.sqlite"
    ingest.refresh([str(root)], one_by_one, jobs=1)
    assert canonical_dump(batched) == canonical_dump(one_by_one)


def test_an_interrupt_inside_a_batched_write_keeps_none_of_its_files(tmp_path: Path, monkeypatch) -> None:
    from foiatool.index import batch
    from foiatool.refresh import ingest

    root = tmp_path / "dump"
    _dump(root)
    real = batch.insert_new_files

    def write_then_interrupt(conn, files):
        real(conn, files)  # every row of the batch written, not yet released
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "insert_new_files", write_then_interrupt)
    db = tmp_path / "x.sqlite"
    with pytest.raises(KeyboardInterrupt):
        ingest.refresh([str(root)], db, jobs=1)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM files").fetchone()[0] == 0
    conn.close()
    monkeypatch.setattr(batch, "insert_new_files", real)
    report = ingest.refresh([str(root)], db, jobs=1)
    assert report.parsed == 63 and report.messages == 65
    clean = tmp_path / "clean.sqlite"
    ingest.refresh([str(root)], clean, jobs=1)
    assert canonical_dump(db) == canonical_dump(clean)
