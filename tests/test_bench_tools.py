"""The benchmark's own tools: pairwise partition scores, the notmuch comparison and bench/run.py end to end."""
from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import notmuch_compare  # noqa: E402
import run as bench_run  # noqa: E402
from partition import groups, joined_groups, pair_score, split_groups  # noqa: E402

# ------------------------------------------------------------------ partition helpers

def test_pair_score_counts_pairs_both_ways():
    reference = {"a": 1, "b": 1, "c": 1, "d": 2}
    predicted = {"a": "x", "b": "x", "c": "y", "d": "y"}
    score = pair_score(reference, predicted)
    assert (score.items, score.reference_pairs, score.predicted_pairs, score.shared_pairs) == (4, 3, 2, 1)
    assert score.precision == pytest.approx(0.5)
    assert score.recall == pytest.approx(1 / 3)
    assert (score.split_pairs, score.joined_pairs) == (2, 1)


def test_same_partition_under_other_names_scores_one():
    reference = {"a": 1, "b": 1, "c": 2, "d": 3}
    predicted = {"a": "p", "b": "p", "c": "q", "d": "r"}
    score = pair_score(reference, predicted)
    assert score.precision == score.recall == 1.0
    assert split_groups(reference, predicted) == []
    assert joined_groups(reference, predicted) == []


def test_items_on_one_side_only_are_left_out():
    score = pair_score({"a": 1, "b": 1, "z": 1}, {"a": 5, "b": 5, "y": 5})
    assert score.items == 2
    assert score.precision == score.recall == 1.0


def test_all_singletons_have_no_pairs_and_score_one():
    score = pair_score({"a": 1, "b": 2}, {"a": 1, "b": 2})
    assert score.reference_pairs == score.predicted_pairs == 0
    assert score.precision == score.recall == 1.0


def test_split_and_joined_groups_name_the_pieces():
    reference = {"a": 1, "b": 1, "c": 1, "d": 2}
    predicted = {"a": "x", "b": "x", "c": "y", "d": "y"}
    assert split_groups(reference, predicted) == [[frozenset({"a", "b"}), frozenset({"c"})]]
    assert joined_groups(reference, predicted) == [[frozenset({"c"}), frozenset({"d"})]]
    assert groups(reference) == {1: {"a", "b", "c"}, 2: {"d"}}


def test_worst_split_comes_first():
    reference = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 2, "f": 2}
    predicted = {"a": 1, "b": 2, "c": 3, "d": 3, "e": 4, "f": 4}
    found = split_groups(reference, predicted)
    assert [sum(map(len, pieces)) for pieces in found] == [4, 2]


def _brute(reference: dict, predicted: dict) -> tuple[int, int, int]:
    common = sorted(set(reference) & set(predicted))
    ref = pred = both = 0
    for x, y in itertools.combinations(common, 2):
        r = reference[x] == reference[y]
        p = predicted[x] == predicted[y]
        ref += r
        pred += p
        both += r and p
    return ref, pred, both


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.integers(0, 30), st.integers(0, 5), max_size=30),
       st.dictionaries(st.integers(0, 30), st.integers(0, 5), max_size=30))
def test_pair_score_matches_counting_every_pair(reference, predicted):
    score = pair_score(reference, predicted)
    assert (score.reference_pairs, score.predicted_pairs, score.shared_pairs) == _brute(reference, predicted)
    # Every pair one side joins and the other splits lies between the pieces of exactly one group.
    split_pairs = sum(_pairs_between(pieces) for pieces in split_groups(reference, predicted))
    assert split_pairs == score.split_pairs
    joined_pairs = sum(_pairs_between(pieces) for pieces in joined_groups(reference, predicted))
    assert joined_pairs == score.joined_pairs


def _pairs_between(pieces) -> int:
    return sum(len(a) * len(b) for a, b in itertools.combinations(pieces, 2))


# ------------------------------------------------------------------ laying out and comparing

def _releasegen():
    try:
        import releasegen
    except Exception as exc:  # the generator is a bench script; an unusable one skips these tests
        pytest.skip(f"bench/releasegen.py is not usable: {exc!r}")
    return releasegen


def test_flatten_release_gives_one_file_per_message(tmp_path):
    releasegen = _releasegen()
    release = tmp_path / "release"
    truth = releasegen.generate_release(release, 300, seed=3, stripped=False)
    mail = tmp_path / "mail"
    count = notmuch_compare.flatten_release(release, mail)
    assert count == len(truth["files"])
    written = sorted(p for p in mail.rglob("*") if p.is_file())
    assert len(written) == count
    assert not any(p.name == "truth.json" for p in written)
    mbox_items = [k for k in truth["files"] if ".mbox#" in k]
    assert mbox_items, "the generator writes some custodians as mbox"
    first = mbox_items[0]
    name, index = first.split("#")
    piece = mail / Path(name).with_suffix("") / f"{int(index):06d}.eml"
    data = piece.read_bytes()
    assert not data.startswith(b"From "), "the mbox separator line is not part of the message"
    assert b"\nMessage-ID: <" in data


def _eml(path: Path, mid: str, subject: str, sender: str, date: str, refs: list[str] = (), body: str = "Text.\n") -> None:
    head = [f"From: {sender}", "To: Pat Lee <pat.lee@agency.gov>", f"Subject: {subject}", f"Date: {date}",
            f"Message-ID: <{mid}>"]
    if refs:
        head.append(f"In-Reply-To: <{refs[-1]}>")
        head.append("References: " + " ".join(f"<{r}>" for r in refs))
    path.write_text("\n".join(head) + "\n\n" + body, encoding="utf-8")


@pytest.mark.skipif(shutil.which("notmuch") is None, reason="notmuch is not installed (make bench-deps)")
def test_compare_with_notmuch_on_a_small_folder(tmp_path):
    mail = tmp_path / "mail"
    mail.mkdir()
    _eml(mail / "1.eml", "a@x", "Budget", "Ann Roe <ann.roe@agency.gov>", "Mon, 2 Jan 2017 10:00:00 -0500")
    _eml(mail / "2.eml", "b@x", "RE: Budget", "Pat Lee <pat.lee@agency.gov>", "Mon, 2 Jan 2017 11:00:00 -0500",
         ["a@x"], "Fine by me.\n")
    _eml(mail / "3.eml", "c@x", "RE: Budget", "Ann Roe <ann.roe@agency.gov>", "Mon, 2 Jan 2017 12:00:00 -0500",
         ["a@x", "b@x"], "Good.\n")
    _eml(mail / "4.eml", "d@x", "Parking", "Sam Poe <sam.poe@agency.gov>", "Tue, 3 Jan 2017 09:00:00 -0500")
    # A reply to a message absent from the folder: notmuch and foiatool both keep it on its own.
    _eml(mail / "5.eml", "e@x", "RE: Travel", "Sam Poe <sam.poe@agency.gov>", "Tue, 3 Jan 2017 10:00:00 -0500",
         ["gone@x"], "See below.\n")
    db = tmp_path / "index.sqlite"
    subprocess.run([*bench_run.foiatool_cmd(), "index", str(mail), "--db", str(db), "-q"], check=True,
                   stdout=subprocess.DEVNULL)
    config = notmuch_compare.write_config(tmp_path / "nm", mail)
    subprocess.run(["notmuch", "new", "--quiet"], env=notmuch_compare.notmuch_env(config), check=True)
    threads = notmuch_compare.notmuch_threads(config)
    assert sorted(len(t) for t in threads) == [1, 1, 3]
    assert {m.message_id for t in threads for m in t} == {"a@x", "b@x", "c@x", "d@x", "e@x"}
    comparison = notmuch_compare.compare("small", config, db)
    assert comparison.score.items == 5
    assert comparison.notmuch_threads == 3
    assert comparison.score.reference_pairs == 3
    assert (comparison.score.precision, comparison.score.recall) == (1.0, 1.0)
    assert comparison.differences == []
    assert "precision 1.0000 recall 1.0000" in notmuch_compare.describe(comparison, db)


@pytest.mark.skipif(shutil.which("notmuch") is None, reason="notmuch is not installed (make bench-deps)")
def test_a_difference_is_explained_by_the_link_that_made_it(tmp_path):
    mail = tmp_path / "mail"
    mail.mkdir()
    # No headers link these two, so notmuch keeps them apart; when foiatool joins them
    # the comparison must name foiatool's own edge as the cause.
    _eml(mail / "1.eml", "p@x", "Detainer statistics", "Ann Roe <ann.roe@agency.gov>", "Mon, 2 Jan 2017 10:00:00 -0500")
    _eml(mail / "2.eml", "q@x", "RE: Detainer statistics", "Pat Lee <pat.lee@agency.gov>",
         "Mon, 2 Jan 2017 11:00:00 -0500", body="Numbers attached.\n\n-----Original Message-----\n"
         "From: Roe, Ann\nSent: Monday, January 02, 2017 10:00 AM\nTo: Lee, Pat\nSubject: Detainer statistics\n\nText.\n")
    db = tmp_path / "index.sqlite"
    subprocess.run([*bench_run.foiatool_cmd(), "index", str(mail), "--db", str(db), "-q"], check=True,
                   stdout=subprocess.DEVNULL)
    config = notmuch_compare.write_config(tmp_path / "nm", mail)
    subprocess.run(["notmuch", "new", "--quiet"], env=notmuch_compare.notmuch_env(config), check=True)
    comparison = notmuch_compare.compare("quoted", config, db)
    assert comparison.notmuch_threads == 2
    if comparison.foiatool_threads == 1:
        assert comparison.score.precision == 0.0
        [difference] = comparison.differences
        assert difference.kind == "joined"
        assert difference.cause.startswith("foiatool link: ")
        assert "quote" in difference.cause or "subject" in difference.cause
        assert "p@x" in difference.detail and "q@x" in difference.detail
    else:
        assert comparison.differences == []


# ------------------------------------------------------------------ run.py end to end

def test_markdown_block_replaces_only_its_own_text(tmp_path):
    path = tmp_path / "B.md"
    bench_run.write_markdown(path, "first\n")
    text = path.read_text()
    assert bench_run.BEGIN in text and "first" in text
    path.write_text("# Mine\n\nnotes above\n\n" + text[text.index(bench_run.BEGIN):] + "\nnotes below\n")
    bench_run.write_markdown(path, "second\n")
    text = path.read_text()
    assert "notes above" in text and "notes below" in text
    assert "second" in text and "first" not in text


def test_run_on_a_tiny_release_without_notmuch(tmp_path):
    _releasegen()
    out = tmp_path / "out"
    md = tmp_path / "BENCHMARKS.md"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--out", str(out), "--sizes", "120,240", "--skip-notmuch",
         "--repeat", "1", "--quality-size", "120", "--markdown", str(md)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads((out / "results.json").read_text())
    assert results["skip_notmuch"] is True
    assert set(results["runs"]) == {"120", "240"}
    for run in results["runs"].values():
        index = run["foiatool"]["index"]
        assert run["files"] > 100
        if index["rc"] != 0:
            pytest.fail(f"foiatool index failed on the generated release: {index['error']}")
        assert index["seconds"] > 0
        assert run["foiatool"]["msgs_per_s"] > 0
        assert set(run["warm"]) == {"threads", "summary", "search", "rerun"}
        assert len(run["warm"]["threads"]["runs"]) == 1
        assert run["threading"]["messages"] > 0
        assert "notmuch" not in run and "compare" not in run
    quality = results["quality"]
    assert 0.0 <= quality["precision"] <= 1.0 and 0.0 <= quality["recall"] <= 1.0
    assert quality["withheld_quoted"] > 0
    text = md.read_text()
    assert "notmuch was not run" in text
    assert "### Floors" in text and "| no-change re-run of `index`" in text
    assert "### Growth from 120 to 240" in text
    assert proc.stdout.strip() in text
    # Re-rendering the saved figures gives the same report.
    again = subprocess.run([sys.executable, str(BENCH / "run.py"), "--from-json", str(out / "results.json")],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0
    assert again.stdout == proc.stdout


def test_incremental_bench_adds_and_removes_one_file_and_leaves_the_index_as_it_was(tmp_path: Path) -> None:
    from test_index_incremental import assert_same_index, foiatool

    release = tmp_path / "release"
    subprocess.run([sys.executable, str(BENCH / "releasegen.py"), str(release), "--messages", "120", "--seed", "3"],
                   check=True, capture_output=True)
    db, reference = tmp_path / "i.sqlite", tmp_path / "ref.sqlite"
    foiatool("index", release, "--db", db)
    foiatool("index", release, "--db", reference)
    before = sorted(p.relative_to(release) for p in release.rglob("*"))
    out = subprocess.run([sys.executable, str(BENCH / "incremental.py"), str(release), str(db), "--repeat", "2"],
                         check=True, capture_output=True, text=True)
    data = json.loads(out.stdout)
    assert data["no_change"]["parsed"] == 0
    assert len(data["rounds"]) == 2
    for round_ in data["rounds"]:
        assert round_["add"]["parsed"] == 1 and round_["add"]["removed"] == 0
        assert round_["remove"]["parsed"] == 0 and round_["remove"]["removed"] == 1
        assert round_["add"]["phases"]["derive"] > 0 and round_["add"]["seconds"] >= round_["add"]["phases"]["derive"]
        # every derive stage is timed by name, from the indexer's own progress events
        from foiatool.refresh.derive import STAGES

        assert set(STAGES) <= round_["add"]["phases"].keys()
        assert round_["add"]["phases"]["reading and storing"] > 0
    assert sorted(p.relative_to(release) for p in release.rglob("*")) == before
    assert_same_index(db, reference)


def test_touched_region_is_at_least_the_new_message_and_at_most_the_index(tmp_path: Path) -> None:
    from test_index_incremental import foiatool

    release = tmp_path / "release"
    subprocess.run([sys.executable, str(BENCH / "releasegen.py"), str(release), "--messages", "150", "--seed", "4"],
                   check=True, capture_output=True)
    db = tmp_path / "i.sqlite"
    foiatool("index", release, "--db", db)
    out = subprocess.run([sys.executable, str(BENCH / "touched_region.py"), str(db), "--samples", "8"],
                         check=True, capture_output=True, text=True)
    data = json.loads(out.stdout)
    conn = sqlite3.connect(db)
    real = conn.execute("SELECT count(*) FROM messages WHERE recovered = 0").fetchone()[0]
    assert data["messages"] == real
    assert len(data["region_messages"]) == 8
    assert all(1 <= n <= real for n in data["region_messages"])
    # a reply reaches the whole thread of the message it answers
    child, parent = conn.execute("SELECT id, parent_id FROM messages WHERE parent_id IS NOT NULL AND recovered = 0"
                                 " AND parent_id IN (SELECT id FROM messages WHERE recovered = 0) LIMIT 1").fetchone()
    parent_thread = conn.execute("SELECT count(*) FROM messages WHERE recovered = 0 AND thread_id ="
                                 " (SELECT thread_id FROM messages WHERE id = ?)", (parent,)).fetchone()[0]
    out = subprocess.run([sys.executable, str(BENCH / "touched_region.py"), str(db), "--message", child],
                         check=True, capture_output=True, text=True)
    assert json.loads(out.stdout)["region_messages"][0] >= parent_thread >= 2
