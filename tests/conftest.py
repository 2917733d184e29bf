"""Shared fixtures: the real-email corpora beside the repository, and the project's samples."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


def _corpora_dir() -> Path:
    override = os.environ.get("FOIATOOL_CORPORA")
    return Path(override) if override else REPO.parent / "shared" / "corpora"


def need_corpus(path: Path) -> Path:
    """``path`` (inside ``../shared/corpora``), or a clean skip when it is absent; in CI (CI=true) a failure."""
    if not path.is_dir():
        message = f"corpora folder not found at {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI must have ../shared/corpora beside the clone)")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def corpora() -> Path:
    """``../shared/corpora``: real mail from other projects; tests skip cleanly when it is absent (fail in CI)."""
    return need_corpus(_corpora_dir())


@pytest.fixture(scope="session")
def clinton() -> Path:
    """``clinton-august/``: 4,366 OCR text documents of the State Department's Clinton release."""
    return need_corpus(_corpora_dir() / "clinton-august")


@pytest.fixture(scope="session")
def ham_db(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``spamassassin-ham`` (2,405 real messages) indexed by ``foiatool index``, once per test process."""
    db = tmp_path_factory.mktemp("ham") / "ham.db"
    proc = subprocess.run([str(foiatool_exe()), "index", str(corpora / "spamassassin-ham"), "--db", str(db)],
                          capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    return db


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


def foiatool_exe() -> Path:
    """The installed console script: beside this interpreter, else on PATH."""
    beside = Path(sys.executable).with_name("foiatool")
    if beside.exists():
        return beside
    found = shutil.which("foiatool")
    if found is None:
        pytest.skip("the foiatool console script is not installed")
    return Path(found)


def run_on_pty(argv: list[str], *, pty_for: str, env: dict[str, str] | None = None,
               timeout: float = 120) -> tuple[int, str, str]:
    """Run ``argv`` with one stream (``pty_for``: "stdout" or "stderr") on a pseudo-terminal and the
    other piped, as a person at a terminal or a shell pipeline sees it. Returns (exit status, stdout, stderr)."""
    import os
    import pty
    import subprocess
    import threading

    master, slave = pty.openpty()
    streams = {"stdout": slave, "stderr": subprocess.PIPE} if pty_for == "stdout" else {"stdout": subprocess.PIPE, "stderr": slave}
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, env=env, **streams)
    os.close(slave)
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal closes when the process ends
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read)
    reader.start()
    piped = proc.stderr if pty_for == "stdout" else proc.stdout
    other = piped.read() if piped else b""
    proc.wait(timeout=timeout)
    reader.join(timeout=30)
    os.close(master)
    on_tty = b"".join(chunks).decode("utf-8", "replace")
    other_text = other.decode("utf-8", "replace")
    return (proc.returncode, on_tty, other_text) if pty_for == "stdout" else (proc.returncode, other_text, on_tty)
