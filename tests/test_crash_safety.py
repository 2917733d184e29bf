"""A real ``foiatool index`` killed at any moment leaves an index that opens, passes SQLite's
integrity check, and is completed by the next run into exactly what a clean run makes."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_index_incremental import (
    FOIATOOL,
    assert_same_index,
    canonical_dump,
    foiatool,
    read_counts,
)

REPO = Path(__file__).resolve().parents[1]
MESSAGES = 2000


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """A generated release of a few thousand messages, and a clean index of it."""
    base = tmp_path_factory.mktemp("crash")
    out = base / "release"
    subprocess.run([sys.executable, str(REPO / "bench" / "releasegen.py"), str(out), "--messages", str(MESSAGES),
                    "--seed", "1"], check=True, capture_output=True)
    files = sum(1 for p in out.rglob("*") if p.is_file())
    reference = base / "clean.sqlite"
    foiatool("index", out, "--db", reference, "-j", "2")
    return out, reference, files


def _start(release_dir: Path, db: Path) -> subprocess.Popen:
    # its own session: the test can signal the whole process group, as Ctrl-C in a terminal does,
    # and find any worker process it left behind
    return subprocess.Popen([*FOIATOOL, "index", str(release_dir), "--db", str(db), "-j", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _state(db: Path) -> tuple[int, str | None]:
    """(files stored, the 'derived' flag) as another process sees them; (-1, None) before the index exists."""
    if not db.exists():
        return -1, None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            files = conn.execute("SELECT count(*) FROM files").fetchone()[0]
            row = conn.execute("SELECT value FROM meta WHERE key='derived'").fetchone()
            return files, (row[0] if row else None)
        finally:
            conn.close()
    except sqlite3.Error:
        return -1, None


def _wait_for(proc: subprocess.Popen, db: Path, ready, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready(*_state(db)):
            return
        assert proc.poll() is None, "the run ended before the moment to interrupt it"
        time.sleep(0.005)
    raise AssertionError("the moment to interrupt never came")


def _session_processes(session: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(entry))
    return found


def _no_processes_left(session: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while _session_processes(session) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _session_processes(session), "worker processes outlived the killed run"


def _check_recovers(release_dir: Path, db: Path, reference: Path) -> None:
    if db.exists():
        listing = foiatool("messages", "--db", db, "-f", "ids")  # opens while half-built
        assert listing.returncode == 0
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.close()
    foiatool("index", release_dir, "--db", db, "-j", "2")
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    assert_same_index(db, reference)


MOMENTS = {
    "at 0.3 s": None,
    "after the first files are stored": lambda files, derived: files > 0,
    "half way through reading": lambda files, derived: files >= RELEASE_HALF[0],
    "while deriving threads and people": lambda files, derived: files >= RELEASE_TOTAL[0] and derived == "0",
}
RELEASE_TOTAL = [0]
RELEASE_HALF = [0]


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_sigkill_at_any_moment(release, tmp_path: Path, moment: str) -> None:
    release_dir, reference, total = release
    RELEASE_TOTAL[0], RELEASE_HALF[0] = total, total // 2
    db = tmp_path / "killed.sqlite"
    proc = _start(release_dir, db)
    ready = MOMENTS[moment]
    if ready is None:
        time.sleep(0.3)
    else:
        _wait_for(proc, db, ready)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    if moment.startswith("while deriving"):
        assert _state(db) == (total, "0"), "killed before the derive step committed"
    _no_processes_left(proc.pid)
    _check_recovers(release_dir, db, reference)


@pytest.mark.parametrize("group", [True, False], ids=["ctrl-c to the process group", "sigint to the main process"])
def test_ctrl_c_exits_130_saying_interrupted(release, tmp_path: Path, group: bool) -> None:
    release_dir, reference, total = release
    db = tmp_path / "interrupted.sqlite"
    proc = _start(release_dir, db)
    _wait_for(proc, db, lambda files, derived: files > 0)
    if group:
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, err = proc.communicate(timeout=60)
    stopped_after = time.monotonic() - started
    stderr = err.decode("utf-8", "replace")
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr, stderr
    assert stopped_after < 10, "Ctrl-C waited for the workers to finish their batches"
    _no_processes_left(proc.pid)
    files, derived = _state(db)
    assert 0 < files < total and derived == "0"
    read, unchanged, _ = read_counts(foiatool("index", release_dir, "--db", db, "-j", "2").stderr)
    assert (read, unchanged) == (total - files, files), "the files stored before Ctrl-C are not read again"
    assert_same_index(db, reference)


def test_an_interrupt_in_the_middle_of_storing_a_file_keeps_no_half_file(tmp_path: Path, monkeypatch) -> None:
    """Ctrl-C can land between two rows of one file: that file must be read again next time."""
    from foiatool.index import batch, store
    from foiatool.refresh import ingest as indexer

    root = tmp_path / "dump"
    root.mkdir()
    mbox = b"".join(
        f"From x@y Tue Mar  1 10:00:00 2011\nFrom: a{i}@x.org\nSubject: entry {i}\nMessage-ID: <e{i}@x.org>\n\n"
        f"body {i}\n\n".encode() for i in range(5))
    (root / "a.mbox").write_bytes(mbox)
    (root / "b.eml").write_bytes(b"From: b@x.org\nSubject: single\n\nbody\n")
    real_insert = store.insert_message
    calls = []

    def insert_then_interrupt(conn, rows, file_id):
        calls.append(rows.id)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_insert(conn, rows, file_id)

    monkeypatch.setattr(store, "insert_message", insert_then_interrupt)
    monkeypatch.setattr(batch, "insert_new_files", lambda conn, files: None)  # file by file (tests/test_store_batch.py: all at once)
    db = tmp_path / "x.sqlite"
    with pytest.raises(KeyboardInterrupt):
        indexer.refresh([str(root)], db, jobs=1)
    monkeypatch.setattr(store, "insert_message", real_insert)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM files WHERE path LIKE '%a.mbox'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
    conn.close()
    report = indexer.refresh([str(root)], db, jobs=1)
    assert report.parsed == 2 and report.messages == 6
    clean = tmp_path / "clean.sqlite"
    indexer.refresh([str(root)], clean, jobs=1)
    assert canonical_dump(db) == canonical_dump(clean)


def test_an_index_left_by_another_version_or_damaged_is_handled(tmp_path: Path) -> None:
    root = tmp_path / "dump"
    root.mkdir()
    (root / "a.eml").write_bytes(b"From: a@x.org\nSubject: one\n\nbody\n")
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    proc = foiatool("index", root, "--db", garbage, check=False)
    assert proc.returncode == 3 and "not a usable foiatool index" in proc.stderr
    old = tmp_path / "old.sqlite"
    conn = sqlite3.connect(old)
    conn.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
                       "INSERT INTO meta VALUES ('schema_version', '1'); CREATE TABLE files (x);")
    conn.close()
    readonly = foiatool("messages", "--db", old, check=False)
    assert readonly.returncode == 3 and "another version" in readonly.stderr
    foiatool("index", root, "--db", old)
    assert foiatool("messages", "--db", old, "-f", "ids").stdout.strip()


def _workers(main: int) -> list[int]:
    """The pool's worker processes: in the run's session, children of the fork server, not of the main process."""
    workers = []
    for pid in _session_processes(main):
        try:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
        if pid != main and parent != main:
            workers.append(pid)
    return workers


def test_a_worker_killed_mid_run_costs_nothing(release, tmp_path: Path) -> None:
    """The out-of-memory killer picks a worker: its batch is read again, the run finishes whole."""
    release_dir, reference, total = release
    db = tmp_path / "worker.sqlite"
    proc = _start(release_dir, db)
    _wait_for(proc, db, lambda files, derived: files > 0)
    deadline = time.monotonic() + 30
    while not (victims := _workers(proc.pid)):
        assert time.monotonic() < deadline, "no worker process found"
        time.sleep(0.01)
    os.kill(victims[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    stderr = err.decode("utf-8", "replace")
    assert proc.returncode == 0 and "Traceback" not in stderr, stderr
    assert read_counts(stderr) == (total, 0, 0)
    assert_same_index(db, reference)
