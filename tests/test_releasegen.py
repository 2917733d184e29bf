"""The generated release: deterministic, realistic enough to matter, and threaded above the floors."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

from releasegen import generate_messages, generate_release  # noqa: E402


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_release_is_deterministic_for_a_seed(tmp_path):
    generate_release(tmp_path / "a", 120, seed=9)
    generate_release(tmp_path / "b", 120, seed=9)
    generate_release(tmp_path / "c", 120, seed=10)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_stripped_release_has_no_threading_headers_and_truth_lists_every_file(tmp_path):
    truth = generate_release(tmp_path, 300, seed=4)
    emls = sorted(tmp_path.rglob("*.eml"))
    mboxes = sorted(tmp_path.rglob("*.mbox"))
    assert emls and mboxes
    for path in [*emls, *mboxes]:
        head = path.read_text(encoding="utf-8")
        for header in ("\nMessage-ID:", "\nIn-Reply-To:", "\nReferences:"):
            assert header not in head
        assert "X-MS-Exchange-Organization-AuthAs:" in head
        assert "\nReceived: from " in head or head.startswith("Received: from ")
    listed = {f.split("#")[0] for f in truth["files"]}
    on_disk = {str(p.relative_to(tmp_path)) for p in [*emls, *mboxes]}
    assert listed == on_disk
    assert json.loads((tmp_path / "truth.json").read_text()) == truth
    messages = truth["messages"]
    withheld = [k for k, v in messages.items() if v["withheld"]]
    assert 0.03 * len(messages) <= len(withheld) <= 0.07 * len(messages)
    assert all(messages[k]["quoted_in"] for k in withheld)
    assert set(truth["files"].values()).isdisjoint(withheld)
    assert 0.03 * len(truth["files"]) <= len(truth["duplicates"]) <= 0.07 * len(truth["files"])
    bodies = "\n".join(p.read_text(encoding="utf-8") for p in emls)
    assert "-----Original Message-----" in bodies
    assert " wrote:" in bodies
    assert "Sent: " in bodies


def test_with_headers_keeps_message_ids(tmp_path):
    generate_release(tmp_path, 60, seed=4, stripped=False)
    texts = [p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.eml")]
    assert texts and all("\nMessage-ID: <" in t for t in texts)
    assert any("\nReferences: <" in t for t in texts)


def test_recurring_subjects_are_shared_by_unrelated_threads():
    _, truth = generate_messages(2000, seed=2)
    threads_by_subject: dict[str, set[str]] = {}
    for value in truth["messages"].values():
        if value["parent"] is None:
            threads_by_subject.setdefault(value["subject"], set()).add(value["thread"])
    assert max(len(v) for v in threads_by_subject.values()) >= 20


def test_small_release_threads_above_the_floors_through_the_real_readers(tmp_path):
    pytest.importorskip("foiatool.sources")
    from thread_quality import measure

    generate_release(tmp_path, 300, seed=17)
    quality, inputs = measure(tmp_path)
    assert quality.problems == 0
    assert quality.messages == len(set(json.loads((tmp_path / "truth.json").read_text())["files"].values()))
    assert quality.precision >= 0.95, quality.report()
    assert quality.recall >= 0.95, quality.report()
    assert quality.recovered_fraction >= 0.90, quality.report()
    assert quality.withheld_quoted > 0
