"""``foiatool timeline``: counts per period equal a direct count from truth.json, bars on a terminal and
rows when piped, the filters, the zone, and quiet periods on a constructed release."""
from __future__ import annotations

import io
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cli_commands import (  # noqa: F401 (fixtures)
    index_samples,
    invoke,
    ndjson_rows,
    query,
    sample_db,
    truth,
)

from foiatool.analysis.timeline import next_period, period_label, period_start
from foiatool.cli.common import App
from foiatool.cli.terminal import Terminal
from foiatool.cli.timeline import command as timeline_command


def truth_dates(truth: dict, keep=lambda m: True) -> tuple[list[datetime], int]:
    """The true dates of the messages ``keep`` selects, and how many of them foiatool cannot date.

    A Date header nobody can read (wk2-2: "2011-13-45") leaves its message undated,
    so the direct count puts it on the 'undated' row, as the tool must.
    """
    unreadable = {k for k, v in truth["features"]["malformed_dates"].items() if v["parse"] == "missing"}
    dates, undated = [], 0
    for m in truth["messages"]:
        if not keep(m):
            continue
        if m["key"] in unreadable:
            undated += 1
        else:
            dates.append(datetime.strptime(m["date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC))
    return dates, undated


def direct_periods(dates: list[datetime], undated: int, by: str) -> list[tuple[str, int]]:
    """(period, messages) from the first to the last period, empty ones included, as the timeline lists them."""
    counts = Counter(period_start(d, by, UTC) for d in dates)
    rows = []
    if counts:
        cur = min(counts)
        while cur <= max(counts):
            rows.append((period_label(cur, by), counts.get(cur, 0)))
            cur = next_period(cur, by)
    if undated:
        rows.append(("undated", undated))
    return rows


def timeline_rows(db: Path, *args: str) -> list[dict]:
    return ndjson_rows(query(db, "timeline", "--tz", "UTC", *args, "-f", "ndjson").stdout)


# The timeline counts the summary's distinct messages (the released ones); --recovered adds those
# rebuilt from quoted history, which truth.json marks "withheld" (issue 15: one true count).
def released(m: dict) -> bool:
    return not m["withheld"]


@pytest.mark.parametrize("by", ["month", "week", "day"])
def test_counts_per_period_equal_a_direct_count_from_truth(sample_db: Path, truth: dict, by: str) -> None:
    rows = timeline_rows(sample_db, "--by", by)
    assert [(r["period"], r["messages"]) for r in rows] == direct_periods(*truth_dates(truth, released), by)
    rows = timeline_rows(sample_db, "--by", by, "--recovered")
    assert [(r["period"], r["messages"]) for r in rows] == direct_periods(*truth_dates(truth), by)


def test_the_period_helpers_count_weeks_from_monday() -> None:
    sunday_night = datetime(2011, 3, 6, 23, 30, tzinfo=UTC)
    assert period_start(sunday_night, "week", UTC) == date(2011, 2, 28)
    assert period_label(date(2011, 2, 28), "week") == "2011-W09"
    assert next_period(date(2011, 12, 1), "month") == date(2012, 1, 1)


@pytest.mark.parametrize("by", ["day", "week", "month", "year"])
def test_periods_in_utc_read_from_the_text_equal_the_general_reading(sample_db: Path, by: str) -> None:
    # In UTC a stored date's period is read once per day from its text; Etc/GMT is the same
    # zone taken the general way, date by date
    from zoneinfo import ZoneInfo

    from foiatool.analysis.summary import compute_summary
    from foiatool.analysis.timeline import activity
    from foiatool.index.query import Filters
    from foiatool.index.store import connect

    conn = connect(sample_db)
    gmt = ZoneInfo("Etc/GMT")
    for filters in (Filters(), Filters(include_recovered=True)):
        assert activity(conn, filters, by, UTC) == activity(conn, filters, by, gmt)
    assert compute_summary(conn, UTC)["busiest_days"] == compute_summary(conn, gmt)["busiest_days"]


@pytest.mark.parametrize(
    ("option", "value", "selects"),
    [
        ("--person", "john.morton@ice.dhs.gov",
         lambda m: "john.morton@ice.dhs.gov" in [m["sender"], *m["to"], *m["cc"]]),
        ("--domain", "doj.ca.gov",
         lambda m: any(a.endswith("@doj.ca.gov") for a in [m["sender"], *m["to"], *m["cc"]])),
        ("--domain", "pcl-project.org",
         lambda m: any(a.endswith("@pcl-project.org") for a in [m["sender"], *m["to"], *m["cc"]])),
    ],
)
def test_filters_count_what_truth_says(sample_db: Path, truth: dict, option: str, value: str, selects) -> None:
    rows = timeline_rows(sample_db, option, value, "--by", "week", "--recovered")
    assert [(r["period"], r["messages"]) for r in rows] == direct_periods(*truth_dates(truth, selects), "week")
    rows = timeline_rows(sample_db, option, value, "--by", "week")
    assert [(r["period"], r["messages"]) for r in rows] == direct_periods(
        *truth_dates(truth, lambda m: selects(m) and released(m)), "week")


def test_thread_filter_counts_the_thread(sample_db: Path, truth: dict) -> None:
    messages = ndjson_rows(query(sample_db, "messages", "-f", "ndjson").stdout)
    act_1 = next(m for m in truth["messages"] if m["key"] == "act-1")
    thread = next(m["thread"] for m in messages if m["message_id"] and f"<{m['message_id']}>" == act_1["message_id"])
    in_thread = {m["key"] for m in truth["messages"] if m["thread"] == act_1["thread"]}
    rows = timeline_rows(sample_db, "--thread", thread, "--by", "day")
    assert [(r["period"], r["messages"]) for r in rows] == direct_periods(
        *truth_dates(truth, lambda m: m["key"] in in_thread), "day"
    )
    assert sum(r["messages"] for r in rows) == len(in_thread)


def test_piped_output_is_data_only(sample_db: Path) -> None:
    result = query(sample_db, "timeline", "--person", "david.lee@ice.dhs.gov", "--by", "week")
    lines = result.stdout.splitlines()
    assert lines[0] == "Period\tMessages\tSenders\tThreads\tStart"
    assert all(len(line.split("\t")) == 5 for line in lines)
    assert "█" not in result.stdout and "quiet" not in result.stdout.lower()
    # The quiet periods are said on stderr, with where to get them as data.
    assert "quiet period:" in result.stderr and "--quiet-periods" in result.stderr
    rows = json.loads(query(sample_db, "timeline", "-f", "json", "--tz", "UTC").stdout)
    assert {"period", "start", "messages", "senders", "threads", "guessed"} <= set(rows[0])


def on_a_terminal(args: list[str], width: int = 100) -> tuple[str, str]:
    """Run the timeline command with stdout taken for a terminal; returns (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    terminal = Terminal(stdout=out, stderr=err, stdout_isatty=True, width=width, env={"NO_COLOR": "1"})
    result = CliRunner(catch_exceptions=False).invoke(timeline_command, args, obj=App(terminal=terminal))
    assert result.exit_code == 0, result.output + err.getvalue()
    return out.getvalue(), err.getvalue()


def test_bars_on_a_terminal_with_quiet_periods_under_the_chart(sample_db: Path, truth: dict) -> None:
    out, err = on_a_terminal(["--db", str(sample_db), "--tz", "UTC", "--person", "david.lee@ice.dhs.gov", "--by", "month"])
    chart, _, below = out.partition("Quiet periods of person")
    assert "Messages per month" in chart
    bars = {line.split()[0]: line.count("█") for line in chart.splitlines() if line[:4].isdigit()}
    assert set(bars) == {"2011-03", "2011-04", "2011-05"}
    assert bars["2011-03"] == max(bars.values()) > bars["2011-04"] > bars["2011-05"] > 0
    assert "David Lee (david.lee@ice.dhs.gov)" in below
    data = ndjson_rows(query(sample_db, "timeline", "--quiet-periods", "--person", "david.lee@ice.dhs.gov", "-f", "ndjson").stdout)
    assert data and all(r["start"][:10] in below and r["end"][:10] in below for r in data)
    assert "quiet period" not in err


# --- quiet periods and zones on a constructed release ---------------------------------------------


def write_eml(folder: Path, name: str, sender: str, to: str, date_header: str, subject: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(
        f"From: {sender}\nTo: {to}\nDate: {date_header}\nSubject: {subject}\nMessage-ID: <{name}@test.invalid>\n\n{subject}\n",
        encoding="utf-8",
    )


@pytest.fixture()
def rhythm(tmp_path: Path) -> Path:
    """Ann writes Bob every day for ten days, falls silent for 31 days, then writes daily for five more;
    one undated-zone (guessed) message sits inside the silence."""
    dump = tmp_path / "dump"
    start = datetime(2011, 3, 1, 15, 0, tzinfo=UTC)
    days = [start + timedelta(days=i) for i in range(10)] + [start + timedelta(days=40 + i) for i in range(5)]
    for i, when in enumerate(days):
        write_eml(dump, f"{i:02d}.eml", "Ann Bell <ann@example.org>", "Bob Carr <bob@example.org>",
                  when.strftime("%a, %d %b %Y %H:%M:%S +0000"), f"day {i}")
    write_eml(dump, "guessed.eml", "Ann Bell <ann@example.org>", "Bob Carr <bob@example.org>",
              "Tuesday, March 22, 2011 9:03 AM", "no zone")
    return dump


def test_quiet_periods_of_a_constructed_silence(rhythm: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    result = invoke("timeline", str(rhythm), "--db", str(db), "-q", "--quiet-periods", "--person", "ann@example.org",
                    "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "scope": "person", "id": "ann@example.org", "name": "Ann Bell",
            "start": "2011-03-10T15:00:00Z", "end": "2011-04-10T15:00:00Z",
            "days": 31.0, "usual_gap_days": 1.0, "dated_messages": 15, "guessed_in_gap": 1,
        }
    ]
    # Without --person: every person and thread; each message is its own thread here, too short for a rhythm.
    everyone = ndjson_rows(invoke("timeline", "--db", str(db), "--quiet-periods", "-f", "ndjson").stdout)
    assert [(r["scope"], r["id"], r["days"]) for r in everyone] == [
        ("person", "ann@example.org", 31.0), ("person", "bob@example.org", 31.0)
    ]
    tsv = invoke("timeline", "--db", str(db), "--quiet-periods", "-f", "tsv").stdout.splitlines()
    assert tsv[0].split("\t")[:3] == ["Scope", "Person or thread", "Name or subject"]
    assert len(tsv) == 3
    out, _ = on_a_terminal(["--db", str(db), "--tz", "UTC", "--person", "bob@example.org", "--by", "week"])
    assert "█" in out
    assert "Quiet periods of person Bob Carr (bob@example.org)" in out
    assert "2011-03-10 15:00" in out and "2011-04-10 15:00" in out


def test_a_steady_rhythm_has_no_quiet_period(tmp_path: Path) -> None:
    dump = tmp_path / "dump"
    for i in range(12):
        when = datetime(2011, 3, 1, 9, tzinfo=UTC) + timedelta(days=2 * i)
        write_eml(dump, f"{i}.eml", "Ann Bell <ann@example.org>", "Bob Carr <bob@example.org>",
                  when.strftime("%a, %d %b %Y %H:%M:%S +0000"), f"n{i}")
    result = invoke("timeline", str(dump), "--db", str(tmp_path / "s.db"), "-q", "--quiet-periods", "-f", "json")
    assert json.loads(result.stdout) == []


def test_periods_follow_the_zone_and_guessed_dates_are_counted_as_such(rhythm: Path, tmp_path: Path) -> None:
    dump = rhythm
    write_eml(dump, "late.eml", "Ann Bell <ann@example.org>", "Bob Carr <bob@example.org>",
              "Thu, 31 Mar 2011 23:30:00 +0000", "end of March in UTC")
    db = tmp_path / "z.db"
    assert invoke("index", str(dump), "--db", str(db), "-q").exit_code == 0

    def months(*args: str) -> dict[str, tuple[int, int]]:
        # --by month: without it the period follows the span of the dates (issue 15).
        rows = ndjson_rows(invoke("timeline", "--db", str(db), "--by", "month", "-f", "ndjson", *args).stdout)
        return {r["period"]: (r["messages"], r["guessed"]) for r in rows}

    # Data without --tz is counted in UTC, so it is the same on every machine.
    assert months() == months("--tz", "UTC") == {"2011-03": (12, 1), "2011-04": (5, 0)}
    assert months("--tz", "Asia/Tokyo") == {"2011-03": (11, 1), "2011-04": (6, 0)}
    events = ndjson_rows(invoke("timeline", "--db", str(db), "--events", "-f", "ndjson").stdout)
    assert [e["date_status"] for e in events if e["subject"] == "no zone"] == ["guessed"]
    tsv = invoke("timeline", "--db", str(db), "--events", "-f", "tsv").stdout.splitlines()
    assert tsv[0].split("\t") == ["Date", "From", "To", "Subject", "Thread", "Flags"]
    assert any(line.endswith("\tdate guessed") and "\tno zone\t" in line for line in tsv)


def test_an_unknown_person_is_a_usage_error(sample_db: Path) -> None:
    result = invoke("timeline", "--db", str(sample_db), "--person", "nobody@example.invalid", "--quiet-periods")
    assert result.exit_code == 2
    assert "no person matches" in result.stderr
