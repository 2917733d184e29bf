"""Shared fixtures: the real-email corpora beside the repository, and the project's samples."""
from __future__ import annotations

import os
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
