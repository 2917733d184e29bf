"""Several foiatool processes on one index at once: one writes, the others wait (saying so) or read."""
from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_index_incremental import FOIATOOL, assert_same_index, foiatool, read_counts

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    base = tmp_path_factory.mktemp("concurrency")
    out = base / "release"
    subprocess.run([sys.executable, str(REPO / "bench" / "releasegen.py"), str(out), "--messages", "1200",
                    "--seed", "2"], check=True, capture_output=True)
    reference = base / "clean.sqlite"
    foiatool("index", out, "--db", reference, "-j", "1")
    return out, reference, sum(1 for p in out.rglob("*") if p.is_file())


def _start(*args: str | os.PathLike[str]) -> subprocess.Popen:
    return subprocess.Popen([*FOIATOOL, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _lock_is_held(db: Path) -> bool:
    lock = Path(f"{db}.lock")
    if not lock.exists():
        return False
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _wait_until(condition, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, "the first run ended too soon"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def _files_stored(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM files").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _finish(proc: subprocess.Popen) -> tuple[int, str]:
    _, err = proc.communicate(timeout=300)
    stderr = err.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    return proc.returncode, stderr


def test_two_index_runs_at_once_one_waits_and_the_index_equals_a_clean_run(release, tmp_path: Path) -> None:
    release_dir, reference, total = release
    db = tmp_path / "shared.sqlite"
    first = _start("index", release_dir, "--db", db, "-j", "2")
    _wait_until(lambda: _lock_is_held(db), first)
    second = _start("index", release_dir, "--db", db, "-j", "2")
    first_code, first_err = _finish(first)
    second_code, second_err = _finish(second)
    assert (first_code, second_code) == (0, 0), (first_err, second_err)
    assert "another foiatool process is updating" in second_err and "waiting" in second_err
    assert "another foiatool process" not in first_err
    assert read_counts(first_err) == (total, 0, 0)
    assert read_counts(second_err) == (0, total, 0), "the waiting run found the work done"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    assert_same_index(db, reference)


def test_readers_are_never_blocked_by_a_writer(release, tmp_path: Path) -> None:
    release_dir, reference, total = release
    db = tmp_path / "shared.sqlite"
    writer = _start("index", release_dir, "--db", db, "-j", "2")
    _wait_until(lambda: _files_stored(db) > 0, writer)
    readers = [_start(command, "--db", db, "-f", "ids") for command in ("messages", "threads", "people", "problems")]
    for reader in readers:
        code, stderr = _finish(reader)
        assert code == 0, stderr
        assert "locked" not in stderr
    assert writer.poll() is None or writer.returncode == 0, "readers ran while the index was being written"
    code, stderr = _finish(writer)
    assert code == 0, stderr
    assert_same_index(db, reference)


def test_a_listing_command_that_refreshes_waits_for_the_indexer(release, tmp_path: Path) -> None:
    release_dir, reference, total = release
    db = tmp_path / "shared.sqlite"
    indexer = _start("index", release_dir, "--db", db, "-j", "2")
    _wait_until(lambda: _lock_is_held(db), indexer)
    lister = _start("messages", release_dir, "--db", db, "-f", "ids", "--no-recovered")
    out, err = lister.communicate(timeout=300)
    assert lister.returncode == 0 and "Traceback" not in err.decode()
    assert "waiting for it to finish" in err.decode()
    code, stderr = _finish(indexer)
    assert code == 0, stderr
    conn = sqlite3.connect(f"file:{reference}?mode=ro", uri=True)
    expected = conn.execute("SELECT count(*) FROM messages WHERE recovered = 0").fetchone()[0]
    conn.close()
    assert len(out.decode().split()) == expected, "the listing shows the finished index, not a half-built one"
    assert_same_index(db, reference)
