"""The commands end to end on the sample release: the shared index fixture, and what each command says.

The helpers here (``foiatool_exe``, ``run_exe``, ``invoke``, ``index_samples``)
are imported by the other test_cli_* modules, so the samples are indexed once
per test process, by the real ``foiatool index`` command.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import foiatool_exe  # noqa: F401 (re-exported for the other CLI tests)

from foiatool.cli import cli

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
# Variables that would change what the commands write; tests set what they need.
CLEAN_ENV = {"NO_COLOR": None, "FORCE_COLOR": None, "COLUMNS": None, "LINES": None, "TTY_COMPATIBLE": None,
             "TZ": "UTC"}




def exe_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    env["TZ"] = "UTC"
    env["PATH"] = f"{foiatool_exe().parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def run_exe(*args: str, input: bytes | None = None, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    """Run the real executable; stdout and stderr are kept apart, as bytes."""
    return subprocess.run([str(foiatool_exe()), *args], input=input, capture_output=True, cwd=cwd, env=exe_env(**env),
                          timeout=300)


def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    """Run the command in-process with CliRunner (stdout is not a terminal, stderr kept apart)."""
    return CliRunner(catch_exceptions=False).invoke(cli, list(args), input=input, env={**CLEAN_ENV, **(env or {})},
                                                    prog_name="foiatool")


def index_samples(factory: pytest.TempPathFactory) -> Path:
    """``samples/dump`` and ``samples/release`` indexed by ``foiatool index`` into a fresh --db, once per process."""
    root = factory.getbasetemp() / "cli-sample-index"
    db = root / "samples.db"
    done = root / "indexed"
    if done.exists():
        return db
    root.mkdir(exist_ok=True)
    proc = run_exe("index", str(SAMPLES / "dump"), str(SAMPLES / "release"), "--db", str(db))
    assert proc.returncode == 0, proc.stderr.decode()
    # stdout carries only the index's path; the account goes to stderr.
    assert proc.stdout.decode() == f"{db}\n"
    assert b"messages from" in proc.stderr
    done.touch()
    return db


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index_samples(tmp_path_factory)


@pytest.fixture(scope="session")
def truth() -> dict:
    return json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))


def ndjson_rows(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def query(db: Path, *args: str, input: str | None = None) -> Result:
    """A command over the sample index, which must succeed."""
    result = invoke(*args, "--db", str(db), input=input)
    assert result.exit_code == 0, result.output
    return result


# --- summary ---------------------------------------------------------------------------------


def test_summary_json_agrees_with_the_listings(sample_db: Path) -> None:
    data = json.loads(query(sample_db, "summary", "-f", "json").stdout)
    messages = ndjson_rows(query(sample_db, "messages", "-f", "ndjson").stdout)
    threads = ndjson_rows(query(sample_db, "threads", "-f", "ndjson").stdout)
    problems = ndjson_rows(query(sample_db, "problems", "-f", "ndjson").stdout)
    people = query(sample_db, "people", "-f", "ids").stdout.splitlines()
    # A message counts once: neither recovered ones nor near-duplicate copies are "messages".
    distinct = [m for m in messages if not m["recovered"] and not m["duplicate_of"]]
    assert data["messages"] == len(distinct)
    assert data["recovered"] == sum(m["recovered"] for m in messages)
    assert data["threads"] == len(threads)
    assert data["problems"] == len(problems)
    assert data["people"] == len(people)
    assert data["sources"] == sum(len(m["sources"]) for m in messages if not m["recovered"])
    assert sum(m["messages"] for m in data["monthly"]) == sum(1 for m in distinct if m["date"])
    assert data["redactions"]["by_code"] == {
        r["code"]: r["marks"] for r in ndjson_rows(query(sample_db, "redactions", "-f", "ndjson").stdout)
    }
    assert data["first"][:10] == "2011-03-01"


def test_summary_defaults_to_json_when_piped_and_markdown_parses(sample_db: Path) -> None:
    from markdown_it import MarkdownIt

    assert json.loads(query(sample_db, "summary").stdout)["messages"] > 0
    tokens = MarkdownIt("commonmark").enable("table").parse(query(sample_db, "summary", "-f", "markdown").stdout)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[0] == "Summary"
    assert "Top senders" in headings
    assert any(t.type == "table_open" for t in tokens)


def test_summary_screen_names_the_release(sample_db: Path) -> None:
    out = query(sample_db, "summary", "-f", "screen").stdout
    assert "foiatool summary" in out
    assert "Largest threads" in out
    assert "\x1b" not in out  # not a terminal, no colour asked for


# --- show --------------------------------------------------------------------------------------


def thread_of_truth_message(db: Path, truth: dict, key: str) -> tuple[dict, str]:
    wanted = next(m for m in truth["messages"] if m["key"] == key)
    for row in ndjson_rows(query(db, "messages", "-f", "ndjson").stdout):
        if row["message_id"] and f"<{row['message_id']}>" == wanted["message_id"]:
            return wanted, row["id"]
    raise AssertionError(f"{key} not in the index")


def test_show_accepts_thread_ids_message_ids_and_message_id_headers(sample_db: Path, truth: dict) -> None:
    wanted, mid = thread_of_truth_message(sample_db, truth, "act-1")
    by_message = query(sample_db, "show", mid, "-f", "json").stdout
    record = json.loads(by_message)
    assert record["subject"] == wanted["subject"]
    assert mid in [m["id"] for m in record["messages"]]
    assert record["message_count"] == sum(1 for m in record["messages"] if not m["duplicate_of"])
    # The tree holds every message of the thread exactly once.
    seen: list[str] = []

    def walk(nodes: list[dict]) -> None:
        for node in nodes:
            seen.append(node["id"])
            walk(node["children"])

    walk(record["tree"])
    assert sorted(i for i in seen if not i.startswith("ph:")) == sorted(m["id"] for m in record["messages"])
    assert json.loads(query(sample_db, "show", record["id"], "-f", "json").stdout)["id"] == record["id"]
    assert json.loads(query(sample_db, "show", wanted["message_id"], "-f", "json").stdout)["id"] == record["id"]


def test_show_text_when_piped_names_every_message(sample_db: Path, truth: dict) -> None:
    _, mid = thread_of_truth_message(sample_db, truth, "act-1")
    record = json.loads(query(sample_db, "show", mid, "-f", "json").stdout)
    text = query(sample_db, "show", mid).stdout
    assert text.startswith(f"Thread {record['id']}: {record['subject']}\n")
    for m in record["messages"]:
        assert f"[{m['id']}]" in text
    assert "Captain Chen, Ms. Okafor," in text  # the first line of act-1's new text
    tree = query(sample_db, "show", mid, "-f", "tree").stdout
    assert f"[{mid}]" in tree


def test_show_marks_recovered_messages(sample_db: Path) -> None:
    rows = ndjson_rows(query(sample_db, "messages", "-f", "ndjson").stdout)
    recovered = [r for r in rows if r["recovered"]]
    assert recovered, "the samples hold messages that survive only as quoted history"
    text = query(sample_db, "show", recovered[0]["id"]).stdout
    assert "recovered from quoted history" in text


def test_show_ndjson_is_one_line_per_thread(sample_db: Path) -> None:
    ids = query(sample_db, "threads", "-f", "ids").stdout.splitlines()[:3]
    out = query(sample_db, "show", ",".join(ids), "-f", "ndjson").stdout
    assert [r["id"] for r in ndjson_rows(out)] == ids


# --- people, timeline, attachments, search -----------------------------------------------------


def test_people_merges_on_evidence_and_explains_it(sample_db: Path, truth: dict) -> None:
    lee = next(p for p in truth["people"] if p["id"] == "lee_david")
    rows = {r["id"]: r for r in ndjson_rows(query(sample_db, "people", "-f", "ndjson").stdout)}
    person = next(r for r in rows.values() if lee["addresses"][0] in r["emails"])
    assert set(lee["addresses"]) <= set(person["emails"])
    explained = ndjson_rows(query(sample_db, "people", "--explain", lee["addresses"][1], "-f", "ndjson").stdout)
    assert explained and all(e["id"] == person["id"] for e in explained)
    assert any(lee["addresses"][1] in e["explanation"] for e in explained)
    # Two different people named "Chen, Michael": never one person across organisations.
    chens = [r for r in rows.values() if r["name"] and "chen" in r["name"].lower() and r["emails"]]
    assert len({r["org"] for r in chens}) >= 2


def test_people_explain_of_nobody_is_a_usage_error(sample_db: Path) -> None:
    result = invoke("people", "--db", str(sample_db), "--explain", "nobody-at-all@example.invalid")
    assert result.exit_code == 2
    assert "no person matches" in result.stderr


def test_timeline_counts_every_event_once(sample_db: Path) -> None:
    events = ndjson_rows(query(sample_db, "timeline", "--events", "-f", "ndjson").stdout)
    assert events
    for by in ("day", "week", "month"):
        periods = ndjson_rows(query(sample_db, "timeline", "--by", by, "-f", "ndjson").stdout)
        assert sum(p["messages"] for p in periods) == len(events), by
        undated = [p for p in periods if p["period"] == "undated"]
        assert sum(p["messages"] for p in undated) == sum(1 for e in events if not e["date"])
    # Without --by the period follows the span of the dates (issue 15); months are asked for.
    months = [p["period"] for p in ndjson_rows(query(sample_db, "timeline", "--by", "month", "-f", "ndjson").stdout)]
    assert months[:3] == ["2011-03", "2011-04", "2011-05"]


def test_timeline_for_a_person_lists_quiet_periods_on_stderr_only(sample_db: Path) -> None:
    result = query(sample_db, "timeline", "--person", "david.lee@ice.dhs.gov", "-f", "tsv")
    assert "quiet period" not in result.stdout
    assert "quiet period:" in result.stderr
    assert result.stdout.splitlines()[0] == "Period\tMessages\tSenders\tThreads\tStart"


def test_timeline_person_unknown_is_a_usage_error(sample_db: Path) -> None:
    result = invoke("timeline", "--db", str(sample_db), "--person", "nobody@example.invalid")
    assert result.exit_code == 2


def test_attachments_extract_writes_the_real_bytes(sample_db: Path, truth: dict, tmp_path: Path) -> None:
    import hashlib

    out = tmp_path / "extracted"
    query(sample_db, "attachments", "--extract", str(out), "-q", "-f", "ids")
    expected = {a["name"]: a["sha256"] for m in truth["messages"] for a in m.get("attachments", [])}
    written = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir()}
    assert written == expected


def test_search_results_really_match(sample_db: Path) -> None:
    hits = ndjson_rows(query(sample_db, "search", "detainer", "-f", "ndjson").stdout)
    assert hits
    bodies = {r["id"]: r for r in ndjson_rows(query(sample_db, "messages", "--body", "full", "-f", "ndjson").stdout)}
    for hit in hits:
        full = bodies[hit["id"]]
        assert "detainer" in (full["subject"] + " " + (full["body"] or "")).lower()
    subject_only = ndjson_rows(query(sample_db, "search", "subject:detainer NOT weekly", "-f", "ndjson").stdout)
    assert subject_only
    for hit in subject_only:
        assert "detainer" in hit["subject"].lower() and "weekly" not in hit["subject"].lower()


def test_search_threads_follow_the_rank_of_their_best_match(sample_db: Path) -> None:
    messages = ndjson_rows(query(sample_db, "search", "from:morton", "-f", "ndjson").stdout)
    threads = query(sample_db, "search", "from:morton", "--threads", "-f", "ids").stdout.splitlines()
    assert threads == list(dict.fromkeys(m["thread"] for m in messages if m["thread"]))
    assert query(sample_db, "search", "from:morton", "--threads", "--limit", "1", "-f", "ids").stdout.splitlines() == threads[:1]


@pytest.mark.parametrize("bad", ["nosuchfield:x", "", 'unclosed "quote', "NOT alone"])
def test_bad_search_queries_are_usage_errors(sample_db: Path, bad: str) -> None:
    result = invoke("search", bad, "--db", str(sample_db))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""


def test_filters_narrow_every_listing(sample_db: Path) -> None:
    march = ndjson_rows(query(sample_db, "messages", "--since", "2011-03", "--until", "2011-03", "-f", "ndjson").stdout)
    assert march and all(m["date"].startswith("2011-03") for m in march)
    lee = ndjson_rows(query(sample_db, "messages", "--from", "david.lee@ice.dhs.gov", "-f", "ndjson").stdout)
    assert lee and all(m["from"]["email"] in ("david.lee@ice.dhs.gov", "dlee@ice.dhs.gov") or m["from_person"] == "david.lee@ice.dhs.gov" for m in lee)
    doj = ndjson_rows(query(sample_db, "messages", "--domain", "ca.gov", "-f", "ndjson").stdout)
    assert doj and all(
        any(a["email"] and a["email"].endswith("ca.gov") for a in [m["from"], *m["to"], *m["cc"], *m["bcc"]]) for m in doj
    )
    threads = ndjson_rows(query(sample_db, "threads", "--subject", "detainer", "-f", "ndjson").stdout)
    assert threads and all(any("detainer" in (x["subject"] or "").lower() for x in t["messages"]) for t in threads)


def test_bad_date_is_a_usage_error(sample_db: Path) -> None:
    result = invoke("messages", "--db", str(sample_db), "--since", "2011-13")
    assert result.exit_code == 2
    assert "not a date" in result.stderr
