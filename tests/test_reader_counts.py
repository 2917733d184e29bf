"""One true count: the headline counts are defined once (analysis/counts.py) and every command says them alike."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_cli_commands import index_samples, invoke, ndjson_rows, query, run_exe

from foiatool.analysis.counts import COUNT_LABELS

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index_samples(tmp_path_factory)


@pytest.fixture(scope="module")
def counts(sample_db: Path) -> dict:
    return json.loads(query(sample_db, "summary", "-f", "json").stdout)["counts"]


def test_counts_add_up_and_match_the_message_rows(sample_db: Path, counts: dict) -> None:
    assert [key for key, _ in COUNT_LABELS] == list(counts)
    rows = ndjson_rows(query(sample_db, "messages", "-f", "ndjson").stdout)
    release = [r for r in rows if not r["recovered"]]
    assert counts["messages"] == len(release)
    assert counts["distinct"] == sum(1 for r in release if not r["duplicate_of"])
    assert counts["duplicates"] == counts["messages"] - counts["distinct"] > 0
    assert counts["recovered"] == sum(1 for r in rows if r["recovered"]) > 0
    assert counts["undated"] == sum(1 for r in release if not r["duplicate_of"] and r["date"] is None)
    assert counts["problems"] == len(ndjson_rows(query(sample_db, "problems", "-f", "ndjson").stdout))
    assert 0 < counts["files_read"] <= counts["files"]


def test_stderr_account_says_the_summary_numbers_in_the_same_words(tmp_path: Path, counts: dict) -> None:
    proc = run_exe("summary", str(SAMPLES / "dump"), str(SAMPLES / "release"), "--db", str(tmp_path / "s.db"), "-f", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    account = proc.stderr.decode()
    for key in ("distinct", "messages", "duplicates", "files_read", "files", "recovered", "undated", "problems"):
        label = dict(COUNT_LABELS)[key]
        assert re.search(rf"\b{counts[key]} {re.escape(label)}\b", account), (key, account)


def test_summary_screen_and_markdown_use_the_shared_labels(sample_db: Path, counts: dict) -> None:
    screen = invoke("summary", "-f", "screen", "--db", str(sample_db), env={"COLUMNS": "120"}).stdout
    markdown = query(sample_db, "summary", "-f", "markdown").stdout
    for key, label in COUNT_LABELS:
        if key == "files":
            continue
        title = label[0].upper() + label[1:]
        assert re.search(rf"{re.escape(title)}\s+{counts[key]}\b", screen), (title, screen)
        assert f"| {title} | {counts[key]} |" in markdown


def test_messages_table_says_what_its_rows_are(sample_db: Path, counts: dict) -> None:
    out = query(sample_db, "messages", "-f", "table").stdout
    total = counts["distinct"] + counts["duplicates"] + counts["recovered"]
    assert (f"{total} rows: {counts['distinct']} distinct messages + {counts['duplicates']} duplicates"
            f" + {counts['recovered']} recovered from quoted history") in out
    narrowed = query(sample_db, "messages", "-f", "table", "--no-recovered").stdout
    assert f"{total - counts['recovered']} rows: {counts['distinct']} distinct messages + {counts['duplicates']} duplicates\n" in narrowed


def test_timeline_counts_the_distinct_messages_and_their_undated(sample_db: Path, counts: dict) -> None:
    rows = ndjson_rows(query(sample_db, "timeline", "-f", "ndjson").stdout)
    assert sum(r["messages"] for r in rows) == counts["distinct"]
    undated = [r["messages"] for r in rows if r["period"] == "undated"]
    assert (undated[0] if undated else 0) == counts["undated"]
    with_recovered = ndjson_rows(query(sample_db, "timeline", "-f", "ndjson", "--recovered").stdout)
    assert sum(r["messages"] for r in with_recovered) == counts["distinct"] + counts["recovered"]
    screen = query(sample_db, "timeline", "-f", "table").stdout
    assert f"{counts['distinct']} distinct messages" in screen
    assert f"{counts['recovered']} recovered from quoted history not counted" in screen


def test_readme_walkthrough_shows_the_counts_the_tool_prints(tmp_path: Path) -> None:
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    quoted = re.search(r"on `samples/`: `([^`]+)`", readme)
    assert quoted, "the README quotes the account line of samples/"
    proc = run_exe("summary", str(SAMPLES / "dump"), str(SAMPLES / "release"), "--db", str(tmp_path / "s.db"), "-f", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    assert " ".join(proc.stderr.decode().split()) == quoted.group(1)
    table = query(tmp_path / "s.db", "messages", "-f", "table").stdout.splitlines()[-1]
    assert f"`{table}`" in readme
