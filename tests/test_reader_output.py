"""What a reader meets first (issue 15): missing paths, folded timelines, wrapped tables, options anywhere."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_cli_commands import index_samples, invoke, query, run_exe

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index_samples(tmp_path_factory)


# --- a path that does not exist ----------------------------------------------------------------


@pytest.mark.parametrize("command", ["summary", "messages", "index"])
def test_a_missing_path_is_an_error_naming_it(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "no-such-dump"
    proc = run_exe(command, str(SAMPLES / "dump"), str(missing), "--db", str(tmp_path / "x.db"))
    assert proc.returncode == 2
    assert str(missing) in proc.stderr.decode()
    assert "does not exist" in proc.stderr.decode()
    assert proc.stdout == b""
    assert not (tmp_path / "x.db").exists()  # nothing was indexed from half the input


def test_a_missing_path_on_stdin_is_an_error_too(tmp_path: Path) -> None:
    proc = run_exe("messages", "-", "--db", str(tmp_path / "x.db"), input=f"{tmp_path / 'gone.eml'}\n".encode())
    assert proc.returncode == 2
    assert "gone.eml" in proc.stderr.decode()
