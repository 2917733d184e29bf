"""Every format of every listing command, parsed back and checked against the sample release's answer key."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from test_cli_commands import index_samples, invoke, ndjson_rows, query, truth  # noqa: F401 (fixture)

FLATTEN = re.compile(r"\r\n?|[\n\t]")

# (name, arguments, the key the ids format prints, a column header every tabular format shows)
LISTINGS = [
    ("messages", ["messages"], "id", "Subject"),
    ("threads", ["threads"], "id", "Subject"),
    ("people", ["people"], "id", "Name"),
    # --by month: without it the period follows the span of the dates (issue 15).
    ("timeline", ["timeline", "--by", "month"], "period", "Messages"),
    ("timeline-events", ["timeline", "--events"], "id", "Subject"),
    ("search", ["search", "detainer"], "id", "Subject"),
    ("search-threads", ["search", "detainer", "--threads"], "id", "Subject"),
    ("redactions", ["redactions"], "code", "Marks"),
    ("redactions-by-thread", ["redactions", "--by", "thread"], "thread", "Marks"),
    ("gaps", ["gaps"], "item", "What"),
    ("attachments", ["attachments"], "message", "Name"),
    ("problems", ["problems"], "path", "Reason"),
]
FORMATS = ("table", "tsv", "csv", "json", "ndjson", "markdown", "ids")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index_samples(tmp_path_factory)


@pytest.fixture(scope="module")
def outputs(db: Path) -> dict[tuple[str, str], str]:
    """stdout of every listing in every format."""
    out = {}
    for name, args, _, _ in LISTINGS:
        for fmt in FORMATS:
            # A wide console, so the table shows whole cells to compare.
            result = invoke(*args, "--db", str(db), "-f", fmt, env={"COLUMNS": "250"})
            assert result.exit_code == 0, (name, fmt, result.output)
            assert result.stderr == "", (name, fmt, result.stderr)
            out[name, fmt] = result.stdout
    return out


def markdown_table(text: str) -> tuple[list[str], list[list[str]]]:
    """The header cells and body rows of the one table in ``text``, as markdown-it reads them."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert sum(t.type == "table_open" for t in tokens) == 1
    header: list[str] = []
    rows: list[list[str]] = []
    section = None
    for i, t in enumerate(tokens):
        if t.type in ("thead_open", "tbody_open"):
            section = t.type
        elif t.type == "tr_open" and section == "tbody_open":
            rows.append([])
        elif t.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            # The cell as a reader sees it: escapes and entities resolved.
            text = "".join(c.content for c in t.children or [] if c.type in ("text", "code_inline"))
            (header if section == "thead_open" else rows[-1]).append(text)
    return header, rows


def parsed(outputs: dict, name: str) -> dict[str, list]:
    """Each machine format of one listing, read back with its own parser."""
    tsv = [line.split("\t") for line in outputs[name, "tsv"].splitlines()]
    return {
        "tsv": tsv,
        "csv": list(csv.reader(io.StringIO(outputs[name, "csv"]))),
        "json": json.loads(outputs[name, "json"]),
        "ndjson": ndjson_rows(outputs[name, "ndjson"]),
        "ids": outputs[name, "ids"].splitlines(),
    }


@pytest.mark.parametrize("name", [listing[0] for listing in LISTINGS])
def test_every_format_holds_the_same_rows(outputs: dict, name: str) -> None:
    _, _, id_key, shown = next(listing for listing in LISTINGS if listing[0] == name)
    p = parsed(outputs, name)
    count = len(p["json"])
    assert count > 0, f"{name}: the samples give rows for every listing"
    assert len(p["ndjson"]) == count
    assert len(p["tsv"]) == count + 1 and len(p["csv"]) == count + 1
    assert len({len(row) for row in p["tsv"]}) == 1, "a TSV record is one line with the same number of cells"
    assert len(p["ids"]) == count and all(p["ids"]), "one non-empty id per row"
    assert p["ids"] == [str(row[id_key]) for row in p["json"]]
    assert p["json"] == p["ndjson"]
    header, rows = markdown_table(outputs[name, "markdown"])
    assert len(rows) == count and header == p["csv"][0] == p["tsv"][0]
    # The same cells in csv, tsv (which flattens tabs and line breaks) and markdown (which escapes).
    assert [[FLATTEN.sub(" ", cell) for cell in row] for row in p["csv"]] == p["tsv"]
    col = header.index(shown)
    assert [" ".join(r[col].split()) for r in rows] == [" ".join(r[col].split()) for r in p["csv"][1:]]
    # The table is for people, but it must say the same things.
    table = outputs[name, "table"]
    assert "\x1b" not in table
    assert header[col] in table
    for row in rows[:5]:
        # Columns with a width hint end in "…" when longer; the start is always there.
        assert " ".join(row[col].split())[:20] in table


def test_messages_carry_the_documented_json_fields(outputs: dict, truth: dict) -> None:
    rows = parsed(outputs, "messages")["json"]
    for row in rows:
        for key in ("id", "message_id", "date", "from", "to", "cc", "subject", "sources", "recovered", "duplicate_of", "inclusive"):
            assert key in row, key
        assert row["sources"] and all(s["path"] for s in row["sources"])
        assert "from_label" not in row  # tabular-only keys stay out of JSON
    # Every Message-ID the dump holds is listed, and act-1 says what the answer key says.
    have = {r["message_id"] for r in rows}
    assert {m["message_id"].strip("<>") for m in truth["messages"] if m["in_dump"] and m["has_message_id"]} <= have
    act1 = next(m for m in truth["messages"] if m["key"] == "act-1")
    row = next(r for r in rows if r["message_id"] == act1["message_id"].strip("<>"))
    assert row["subject"] == act1["subject"]
    assert row["from"]["email"] == act1["sender"]
    assert row["date"] == act1["date"]
    assert [a["email"] for a in row["to"]] == act1["to"]
    assert {(s["path"].split("samples/", 1)[1], s["locator"]) for s in row["sources"]} == {
        (loc["path"], loc["locator"]) for loc in act1["locations"]
    }
    # The same row in csv, tsv and markdown.
    p = parsed(outputs, "messages")
    index = [r["id"] for r in rows].index(row["id"])
    assert p["csv"][index + 1][0] == row["id"] and p["csv"][index + 1][4] == act1["subject"]
    assert p["csv"][0] == ["ID", "Date", "From", "To", "Subject"]
    assert p["tsv"][index + 1][2].endswith(f"<{act1['sender']}>")
    _, md_rows = markdown_table(outputs["messages", "markdown"])
    assert md_rows[index][4] == act1["subject"]


def test_threads_json_lists_each_threads_messages(outputs: dict, db: Path) -> None:
    threads = parsed(outputs, "threads")["json"]
    messages = {m["id"]: m for m in parsed(outputs, "messages")["json"]}
    listed = [m["id"] for t in threads for m in t["messages"]]
    assert sorted(listed) == sorted(messages), "every message in exactly one thread"
    for t in threads:
        # Near-duplicate copies are listed, flagged, and not counted again.
        assert t["message_count"] == sum(1 for m in t["messages"] if not m["duplicate_of"])
        assert all(m["thread"] == t["id"] for m in t["messages"])
        for key in ("message_id", "date", "from", "to", "cc", "subject", "sources", "recovered", "duplicate_of"):
            assert key in t["messages"][0]
    tsv = parsed(outputs, "threads")["tsv"]
    assert tsv[0] == ["Thread", "First", "Last", "Msgs", "People", "Subject"]
    assert [int(r[3]) for r in tsv[1:]] == [t["message_count"] for t in threads]


def test_people_listing_matches_the_answer_key(outputs: dict, truth: dict) -> None:
    rows = parsed(outputs, "people")["json"]
    for person in truth["people"]:
        # Every address of every person in the answer key belongs to one listed person.
        owners = {r["id"] for r in rows for a in person["addresses"] if a in r["emails"]}
        assert len(owners) == 1, (person["id"], owners)
    morton = next(r for r in rows if "john.morton@ice.dhs.gov" in r["emails"])
    assert morton["name"] == "John Morton"


def test_timeline_formats(outputs: dict) -> None:
    periods = parsed(outputs, "timeline")["json"]
    assert [p["period"] for p in periods][:3] == ["2011-03", "2011-04", "2011-05"]
    events = parsed(outputs, "timeline-events")["json"]
    assert sum(p["messages"] for p in periods) == len(events)
    dated = [e["date"] for e in events if e["date"]]
    assert dated == sorted(dated)
    assert parsed(outputs, "timeline-events")["csv"][0][:4] == ["Date", "From", "To", "Subject"]


def test_search_and_search_threads_agree(outputs: dict) -> None:
    hits = parsed(outputs, "search")["json"]
    threads = parsed(outputs, "search-threads")["ids"]
    assert set(threads) == {h["thread"] for h in hits if h["thread"]}


def test_redactions_match_the_summary(outputs: dict, db: Path) -> None:
    by_code = {r["code"]: r["marks"] for r in parsed(outputs, "redactions")["json"]}
    summary = json.loads(query(db, "summary", "-f", "json").stdout)
    assert by_code == summary["redactions"]["by_code"]
    assert "b6" in by_code
    by_thread = parsed(outputs, "redactions-by-thread")["json"]
    assert sum(r["marks"] for r in by_thread) == sum(by_code.values())


def test_gaps_cite_their_evidence(outputs: dict) -> None:
    gaps = parsed(outputs, "gaps")["json"]
    assert "referenced-not-produced" in {g["kind"] for g in gaps}
    for g in gaps:
        assert g["detail"] and g["evidence"], g


def test_attachments_match_the_answer_key(outputs: dict, truth: dict) -> None:
    rows = parsed(outputs, "attachments")["json"]
    have = {(r["name"], r["size"], r["sha256"]) for r in rows}
    for m in truth["messages"]:
        for a in m.get("attachments", []):
            assert (a["name"], a["size"], a["sha256"]) in have


def test_problems_list_the_unreadable_items(outputs: dict, truth: dict) -> None:
    paths = {r["path"] for r in parsed(outputs, "problems")["json"]}
    for problem in truth["problems"]:
        assert any(p.endswith(problem["path"]) for p in paths), problem


@pytest.mark.parametrize("fmt", ["tsv", "csv", "markdown", "table"])
def test_columns_choose_and_order_the_columns(db: Path, fmt: str) -> None:
    out = query(db, "messages", "-f", fmt, "--columns", "subject,id").stdout
    if fmt == "tsv":
        assert out.splitlines()[0] == "Subject\tID"
    elif fmt == "csv":
        assert next(csv.reader(io.StringIO(out))) == ["Subject", "ID"]
    elif fmt == "markdown":
        assert markdown_table(out)[0] == ["Subject", "ID"]
    else:
        first = out.splitlines()[0]
        assert first.index("Subject") < first.index("ID")


def test_columns_limit_json_keys_and_can_show_hidden_columns(db: Path) -> None:
    rows = ndjson_rows(query(db, "messages", "-f", "ndjson", "--columns", "id,source_paths,flags").stdout)
    assert rows and all(set(r) == {"id", "source_paths", "flags"} for r in rows)
    assert any("recovered" in r["flags"] for r in rows)
    tsv = query(db, "threads", "-f", "tsv", "--columns", "id,recovered,missing,root").stdout.splitlines()
    assert tsv[0] == "Thread\tRecovered\tMissing\tRoot"


def test_unknown_column_is_a_usage_error_naming_the_valid_ones(db: Path) -> None:
    result = invoke("messages", "--db", str(db), "--columns", "id,nonsense")
    assert result.exit_code == 2
    assert "nonsense" in result.stderr and "subject" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("fmt", ["tsv", "csv", "table"])
def test_no_headers_drops_the_header_line(db: Path, fmt: str) -> None:
    with_headers = query(db, "threads", "-f", fmt).stdout.splitlines()
    without = query(db, "threads", "-f", fmt, "--no-headers").stdout.splitlines()
    assert "Subject" in with_headers[0] and all("Subject" not in line for line in without)
    if fmt != "table":
        assert without == with_headers[1:]


def test_no_headers_markdown_keeps_a_valid_table(db: Path) -> None:
    header, rows = markdown_table(query(db, "threads", "-f", "markdown", "--no-headers").stdout)
    assert header == [""] * 6
    assert len(rows) == len(query(db, "threads", "-f", "ids").stdout.splitlines())


def test_piped_default_is_tsv(db: Path) -> None:
    assert query(db, "threads").stdout == query(db, "threads", "-f", "tsv").stdout


def test_ids_feed_back_into_the_other_commands(db: Path) -> None:
    threads = query(db, "threads", "-f", "ids").stdout
    all_messages = ndjson_rows(query(db, "messages", "-f", "ndjson").stdout)
    # thread ids -> --thread -
    in_threads = query(db, "messages", "--thread", "-", "-f", "ids", input=threads).stdout.splitlines()
    assert sorted(in_threads) == sorted(m["id"] for m in all_messages if m["thread"])
    one = threads.splitlines()[0]
    only = ndjson_rows(query(db, "messages", "--thread", one, "-f", "ndjson").stdout)
    assert only and all(m["thread"] == one for m in only)
    # message ids (from search) -> show -
    hits = query(db, "search", "detainer", "-f", "ids").stdout
    shown = [json.loads(line)["id"] for line in query(db, "show", "-", "-f", "ndjson", input=hits).stdout.splitlines()]
    assert set(shown) == {m["thread"] for m in all_messages if m["id"] in set(hits.split())}
    # person ids -> --participant: every message names one of the person's addresses or names.
    person = ndjson_rows(query(db, "people", "-f", "ndjson").stdout)[0]
    theirs = ndjson_rows(query(db, "messages", "--participant", person["id"], "-f", "ndjson").stdout)
    assert len(theirs) >= max(person["sent"], person["received"])
    known = {e.lower() for e in person["emails"]} | {n.lower() for n in person["names"]}
    for m in theirs:
        said = {(a["email"] or "").lower() for a in [m["from"], *m["to"], *m["cc"], *m["bcc"]]}
        said |= {(a["name"] or "").lower() for a in [m["from"], *m["to"], *m["cc"], *m["bcc"]]}
        assert said & known, m["id"]
    # attachment ids are message ids
    carriers = query(db, "attachments", "-f", "ids").stdout
    shown_threads = ndjson_rows(query(db, "show", "-", "-f", "ndjson", input=carriers).stdout)
    assert {m["id"] for t in shown_threads for m in t["messages"]} >= set(carriers.split())


def test_dates_in_machine_formats_are_utc_whatever_tz(db: Path) -> None:
    utc = query(db, "messages", "-f", "csv").stdout
    assert query(db, "messages", "-f", "csv", "--tz", "America/Los_Angeles").stdout == utc
    table = query(db, "messages", "-f", "markdown", "--tz", "America/Los_Angeles", "--columns", "date").stdout
    assert "2011-03-01 07:14 PST" in table  # 15:14:22 UTC


@pytest.mark.parametrize("listing", ["messages", "threads", "search"])
def test_ids_are_never_cut_in_a_narrow_table(db: Path, listing: str) -> None:
    args = [listing, "detainer"] if listing == "search" else [listing]
    ids = query(db, *args, "-f", "ids").stdout.split()
    table = invoke(*args, "--db", str(db), "-f", "table", env={"COLUMNS": "80"}).stdout
    assert max(len(line) for line in table.splitlines()) <= 80
    assert all(i in table for i in ids)
