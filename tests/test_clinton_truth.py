"""foiatool against hand-checked answers on a real OCR'd release (300 documents of the Clinton August release).

The answers (tests/data/clinton_truth) were written by a person reading each document; the
measures are bench/clinton.py's, run on the real `foiatool index` output. The floors are the
issue's: documents read >= 0.99, top message sender and day >= 0.98, subject >= 0.97, no date
outside 2008..the release date.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import clinton as bench  # noqa: E402

TRUTH = bench.load_truth(REPO / "tests" / "data" / "clinton_truth")


def _sample(source: Path, target: Path, ids: list[str]) -> Path:
    target.mkdir()
    for doc in ids:
        (target / f"{doc}.txt").symlink_to(source / f"{doc}.txt")
    return target


def _report(result: dict) -> str:
    return "\n".join(f"{m['doc']} {m['what']}: found {m['found']!r}, truth {m['truth']!r}" for m in result["misses"])


@pytest.fixture(scope="module")
def text_result(clinton: Path, tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("clinton-text")
    folder = _sample(clinton, work / "docs", sorted(TRUTH))
    db = work / "index.sqlite"
    bench.run_index(folder, db)
    return bench.measure(folder, db, TRUTH, clinton)


def test_the_sample_is_the_seeded_300() -> None:
    assert len(TRUTH) == 300
    assert sum(1 for row in TRUTH.values() if row["email"]) >= 280


def test_text_documents_are_read(text_result: dict) -> None:
    assert text_result["documents"] == 300
    assert text_result["read_share"] >= 0.99, text_result["unreadable"]
    assert text_result["kind_share"] >= 0.98, _report(text_result)


def test_top_message_sender_day_and_subject(text_result: dict) -> None:
    assert text_result["sender_share"] >= 0.98, _report(text_result)
    assert text_result["day_share"] >= 0.98, _report(text_result)
    assert text_result["subject_share"] >= 0.97, _report(text_result)


def test_no_date_outside_2008_and_the_release_date(text_result: dict) -> None:
    assert text_result["dates_outside"] == 0, text_result["dates_outside_examples"]


def test_text_pdfs_of_the_same_documents_read_alike(clinton: Path, tmp_path: Path) -> None:
    """Forty of the documents as text PDFs (one page per form-feed page): the same answers."""
    import clinton_pdfs

    ids = sorted(TRUTH)[::7][:40]
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for doc in ids:
        clinton_pdfs.text_pdf((clinton / f"{doc}.txt").read_text(encoding="utf-8", errors="replace"), folder / f"{doc}.pdf")
    db = tmp_path / "pdf.sqlite"
    bench.run_index(folder, db)
    truth = {doc: TRUTH[doc] for doc in ids}
    result = bench.measure(folder, db, truth, clinton)
    assert result["read_share"] >= 0.97, result["unreadable"]
    assert result["sender_share"] >= 0.95 and result["day_share"] >= 0.95, _report(result)
    assert result["subject_share"] >= 0.95, _report(result)
    assert result["dates_outside"] == 0
