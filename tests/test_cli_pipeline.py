"""The real ``foiatool`` executable in shell pipelines: stdout carries data only, ids chain, a closed pipe is no error."""
from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli_commands import SAMPLES, exe_env, index_samples, run_exe


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index_samples(tmp_path_factory)


def sh(script: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``script`` in bash with pipefail, so a failure anywhere in a pipe shows in the status."""
    return subprocess.run(["bash", "-o", "pipefail", "-c", script], capture_output=True, cwd=cwd, env=exe_env(), timeout=300)


def q(path: Path | str) -> str:
    return shlex.quote(str(path))


def test_threads_ids_pipe_into_show(tmp_path: Path) -> None:
    # The first command refreshes a new index from PATHs, so it writes its account line to stderr.
    db = tmp_path / "idx.db"
    first = run_exe("threads", str(SAMPLES / "dump"), str(SAMPLES / "release"), "--db", str(db), "-f", "ids")
    assert first.returncode == 0
    account = first.stderr.decode().strip()
    assert "messages from" in account
    assert account not in first.stdout.decode()
    thread_ids = first.stdout.decode().split()
    assert thread_ids and all(t.startswith("t") for t in thread_ids)

    proc = sh(f"foiatool threads --db {q(db)} -f ids | foiatool show - --db {q(db)}")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    text = proc.stdout.decode()
    for tid in thread_ids:
        assert f"Thread {tid}: " in text
    assert "\x1b" not in text


def test_stderr_never_reaches_stdout(tmp_path: Path) -> None:
    db = tmp_path / "idx.db"
    script = (
        f"foiatool threads {q(SAMPLES / 'dump')} {q(SAMPLES / 'release')} --db {q(db)} -f ids 2>{q(tmp_path / 'err1')}"
        f" | foiatool show - --db {q(db)} -f ndjson 2>{q(tmp_path / 'err2')}"
        f" | {q(sys.executable)} -c 'import sys, json; rows = [json.loads(l) for l in sys.stdin]; print(len(rows))'"
    )
    proc = sh(script)
    assert proc.returncode == 0, proc.stderr
    stderr_text = (tmp_path / "err1").read_bytes()
    assert b"messages from" in stderr_text  # the account line went where it belongs
    count = int(proc.stdout)
    assert count == len(run_exe("threads", "--db", str(db), "-f", "ids").stdout.split())


def test_ndjson_through_a_pipe_parses_line_by_line(db: Path) -> None:
    for command in ("messages", "threads", "people", "search detainer", "gaps", "timeline --events"):
        script = (
            f"foiatool {command} --db {q(db)} --format ndjson"
            f" | {q(sys.executable)} -c 'import sys, json; rows = [json.loads(l) for l in sys.stdin]; print(len(rows))'"
        )
        proc = sh(script)
        assert proc.returncode == 0, (command, proc.stderr)
        assert proc.stderr == b""
        direct = run_exe(*command.split(), "--db", str(db), "-f", "ids")
        assert int(proc.stdout) == len(direct.stdout.splitlines()) > 0, command


def test_json_with_paths_given_is_still_pure_json(tmp_path: Path) -> None:
    db = tmp_path / "idx.db"
    proc = sh(
        f"foiatool summary {q(SAMPLES / 'dump')} {q(SAMPLES / 'release')} --db {q(db)} -f json"
        f" | {q(sys.executable)} -c 'import sys, json; print(json.load(sys.stdin)[\"messages\"])'"
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) > 0
    assert b"messages from" in proc.stderr


def test_paths_from_stdin(tmp_path: Path) -> None:
    db = tmp_path / "eml-only.db"
    proc = sh(f"find {q(SAMPLES / 'dump')} -name '*.eml' | foiatool messages - --db {q(db)} -f ndjson")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    listed = {str(p) for p in (SAMPLES / "dump").rglob("*.eml")}
    assert rows
    # Only the files that came on stdin were read ...
    found_in = {s["path"] for r in rows for s in r["sources"]}
    assert found_in <= listed
    # ... and every one of them became messages or a listed problem.
    problems = {json.loads(line)["path"] for line in run_exe("problems", "--db", str(db), "-f", "ndjson").stdout.splitlines()}
    assert found_in | problems == listed
    assert b"messages from" in proc.stderr


def test_paths_from_stdin_and_ids_from_stdin_cannot_both_be_asked() -> None:
    proc = run_exe("show", "-", "-", input=b"")
    assert proc.returncode == 2
    assert b"stdin" in proc.stderr
    assert proc.stdout == b""


@pytest.mark.parametrize(
    "command",
    [
        "messages --body full -f ndjson",
        "threads --body full -f json",
        "messages -f tsv",
        "report",
        "graph -f graphml",
    ],
)
def test_a_reader_that_stops_early_is_no_error(db: Path, command: str) -> None:
    # Reading one line and leaving closes the pipe while foiatool still writes; the bigger outputs
    # here exceed the pipe's buffer, so foiatool is sure to meet the closed pipe.
    proc = sh(
        f"foiatool {command} --db {q(db)} | {q(sys.executable)} -c 'import sys; sys.stdin.readline()';"
        ' echo "status=${PIPESTATUS[0]}" >&2'
    )
    assert b"status=0" in proc.stderr, proc.stderr
    assert b"Traceback" not in proc.stderr
    assert b"Error" not in proc.stderr and b"error" not in proc.stderr


def test_head_one(db: Path) -> None:
    proc = sh(f"foiatool messages --db {q(db)} -f tsv | head -1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"ID\tDate\tFrom\tTo\tSubject\n"
    assert proc.stderr == b""


def test_grep_cut_on_the_default_piped_format(db: Path) -> None:
    proc = sh(f"foiatool messages --db {q(db)} | grep -c 'Secure Communities activation'")
    assert proc.returncode == 0
    assert int(proc.stdout) >= 5
    proc = sh(f"foiatool threads --db {q(db)} --no-headers | cut -f1 | sort -u | wc -l")
    assert int(proc.stdout) == len(run_exe("threads", "--db", str(db), "-f", "ids").stdout.split())


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_piped_output_is_whole_and_a_closed_pipe_quiet_with_or_without_pythonunbuffered(db: Path, unbuffered: str) -> None:
    # Under PYTHONUNBUFFERED stdout to a pipe is given a buffer of its own (a row is not a
    # system call); what arrives must be the same bytes, and `| head` must still end quietly.
    env = f"PYTHONUNBUFFERED={unbuffered}" if unbuffered else "env -u PYTHONUNBUFFERED"
    whole = sh(f"{env} foiatool messages --db {q(db)} -f ndjson")
    assert whole.returncode == 0, whole.stderr
    assert whole.stdout == run_exe("messages", "--db", str(db), "-f", "ndjson").stdout
    assert len(whole.stdout.splitlines()) > 20
    first = sh(f"{env} foiatool messages --db {q(db)} -f tsv | head -1")
    assert first.returncode == 0, first.stderr
    assert first.stdout == b"ID\tDate\tFrom\tTo\tSubject\n" and first.stderr == b""
