"""Each input file is read once for both its content and its sha256, whatever its size."""
from __future__ import annotations

import hashlib
import os

import pytest

from foiatool.refresh import ingest


@pytest.mark.parametrize("size", [0, 1, 700, 65536, 3 * 1024 * 1024 + 5])
def test_content_and_hash_of_a_file_kept_whole(tmp_path, size):
    path = tmp_path / "m.eml"
    content = os.urandom(size)
    path.write_bytes(content)
    data, sha = ingest._read_and_hash(str(path), keep=8 * 1024 * 1024)
    assert data == content
    assert sha == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize("size", [11, 2 * ingest.HASH_CHUNK + 3])
def test_a_file_over_the_limit_is_hashed_whole_and_not_kept(tmp_path, size):
    path = tmp_path / "big.mbox"
    content = os.urandom(size)
    path.write_bytes(content)
    data, sha = ingest._read_and_hash(str(path), keep=10)
    assert data is None
    assert sha == hashlib.sha256(content).hexdigest()
    assert ingest.file_sha256(str(path)) == sha


def test_a_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "fifo.eml"
    os.mkfifo(fifo)
    with pytest.raises(ingest.NotRegularFile):
        ingest._read_and_hash(str(fifo), keep=100)
