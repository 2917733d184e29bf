"""Page-level OCR in the indexer: pages run in parallel as tasks, their text is kept in the index by page content."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from conftest import foiatool_exe
from pdfmaker import ImagePage, release_pdf

OCR_TOOLS = shutil.which("tesseract") is not None and shutil.which("pdftoppm") is not None
needs_ocr = pytest.mark.skipif(not OCR_TOOLS, reason="needs tesseract and pdftoppm (make ocr-deps)")


def _page(subject: str, sender: str = "Morton, John") -> ImagePage:
    return ImagePage([sender, "", f"From: {sender}", "Sent: Tuesday, March 08, 2011 9:00 AM",
                      "To: Lee, David", f"Subject: {subject}", "", "Please call me about the county."])


def _run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(foiatool_exe()), *map(str, args)], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


def _messages(db: Path, env: dict[str, str] | None = None) -> list[dict]:
    out = _run("messages", "--db", db, "--format", "json", env=env).stdout
    return sorted(json.loads(out), key=lambda m: m["subject"])


def _cached_pages(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM ocr_pages").fetchone()[0]


@needs_ocr
def test_pages_of_many_files_are_recognised_in_parallel_and_kept(tmp_path: Path) -> None:
    release = tmp_path / "release"
    release.mkdir()
    subjects = ["Detainer guidance", "County opt-out", "Weekly statistics"]
    (release / "a.pdf").write_bytes(release_pdf([_page(subjects[0]), _page(subjects[1])]))
    (release / "b.pdf").write_bytes(release_pdf([_page(subjects[2])]))
    db = tmp_path / "index.sqlite"
    proc = _run("index", release, "--db", db, "--ocr", "-j", "2")
    assert "OCR: 3 pages recognised, 0 from the index" in proc.stderr
    rows = _messages(db)
    assert [r["subject"] for r in rows] == sorted(subjects)
    assert all(r["from"]["name"].startswith("Morton") for r in rows)
    assert {r["sources"][0]["locator"] for r in rows if r["sources"][0]["path"].endswith("a.pdf")} == {"pdf:page 1", "pdf:page 2"}
    assert _cached_pages(db) == 3
    assert json.loads(_run("problems", "--db", db, "--format", "json").stdout) == []


@needs_ocr
def test_a_second_run_recognises_nothing_again(tmp_path: Path) -> None:
    """The same pages under another name: their text comes from the index, so tesseract is not even needed."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    data = release_pdf([_page("Detainer guidance")])
    (first / "scan.pdf").write_bytes(data)
    (second / "renamed-scan.pdf").write_bytes(data)
    db = tmp_path / "index.sqlite"
    _run("index", first, "--db", db, "--ocr")
    before = _messages(db)
    # No OCR tools on PATH for the second run: only the cache can give the text.
    bare = tmp_path / "bin"
    bare.mkdir()
    env = dict(os.environ, PATH=str(bare))
    proc = _run("index", second, "--db", db, "--ocr", env=env)
    assert "tesseract" not in proc.stderr
    assert "OCR: 0 pages recognised, 1 from the index" in proc.stderr
    after = _messages(db, env)
    assert [(r["subject"], r["from"]) for r in after] == [(r["subject"], r["from"]) for r in before]
    assert after[0]["sources"][0]["path"].endswith("renamed-scan.pdf")
    assert json.loads(_run("problems", "--db", db, "--format", "json", env=env).stdout) == []


@needs_ocr
def test_without_the_tools_each_scanned_file_says_which_is_missing(tmp_path: Path) -> None:
    release = tmp_path / "release"
    release.mkdir()
    (release / "scan.pdf").write_bytes(release_pdf([_page("Detainer guidance")]))
    bare = tmp_path / "bin"
    bare.mkdir()
    db = tmp_path / "index.sqlite"
    _run("index", release, "--db", db, "--ocr", env=dict(os.environ, PATH=str(bare)))
    reasons = [p["reason"] for p in json.loads(_run("problems", "--db", db, "--format", "json").stdout)]
    assert any("OCR needs tesseract" in r and "make ocr-deps" in r for r in reasons), reasons
    assert _cached_pages(db) == 0


def _die_once(marker: str) -> str:
    """Kill the worker process the first time it is asked (a crash in a C library); answer the second time."""
    path = Path(marker)
    if not path.exists():
        path.write_text("died")
        os._exit(1)
    return path.name


def test_local_pool_runs_again_the_tasks_of_a_worker_that_died(tmp_path: Path) -> None:
    from foiatool.refresh.executors import LocalPool

    markers = [str(tmp_path / f"task-{i}") for i in range(4)]
    results = dict(LocalPool(2).run(_die_once, markers))
    assert results == {m: Path(m).name for m in markers}


def _always_die(_: str) -> str:
    os._exit(1)


def test_local_pool_gives_up_a_task_that_always_kills_its_worker() -> None:
    from foiatool.refresh.executors import LocalPool

    assert list(LocalPool(1).run(_always_die, ["x"])) == [("x", None)]


def test_page_key_is_the_page_content_not_the_file() -> None:
    import io

    from pypdf import PdfReader

    from foiatool.sources.printed.ocr import page_key

    a = PdfReader(io.BytesIO(release_pdf([_page("One"), _page("Two")])))
    b = PdfReader(io.BytesIO(release_pdf([_page("Two")])))
    keys = [page_key(p) for p in a.pages]
    assert keys[0] != keys[1]
    assert page_key(b.pages[0]) == keys[1]
