"""Shared fixtures: the real-email corpora beside the repository, and the project's samples."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


def _corpora_dir() -> Path:
    override = os.environ.get("FOIATOOL_CORPORA")
    return Path(override) if override else REPO.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def corpora() -> Path:
    """``../shared/corpora``: real mail from other projects; tests skip cleanly when it is absent."""
    path = _corpora_dir()
    if not path.is_dir():
        pytest.skip(f"corpora folder not found at {path}")
    return path


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
