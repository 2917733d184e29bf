"""What a reader meets first (issue 15): missing paths, folded timelines, wrapped tables, options anywhere."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_cli_commands import index_samples, invoke, query, run_exe

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index_samples(tmp_path_factory)


# --- a path that does not exist ----------------------------------------------------------------


@pytest.mark.parametrize("command", ["summary", "messages", "index"])
def test_a_missing_path_is_an_error_naming_it(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "no-such-dump"
    proc = run_exe(command, str(SAMPLES / "dump"), str(missing), "--db", str(tmp_path / "x.db"))
    assert proc.returncode == 2
    assert str(missing) in proc.stderr.decode()
    assert "does not exist" in proc.stderr.decode()
    assert proc.stdout == b""
    assert not (tmp_path / "x.db").exists()  # nothing was indexed from half the input


def test_a_missing_path_on_stdin_is_an_error_too(tmp_path: Path) -> None:
    proc = run_exe("messages", "-", "--db", str(tmp_path / "x.db"), input=f"{tmp_path / 'gone.eml'}\n".encode())
    assert proc.returncode == 2
    assert "gone.eml" in proc.stderr.decode()


# --- timelines: a default period from the span, long silences folded ---------------------------


def test_timeline_default_period_follows_the_span(sample_db: Path) -> None:
    # The sample release runs from 1 March to 12 May 2011: about ten weeks, so weeks.
    periods = [r.split("\t")[0] for r in query(sample_db, "timeline", "--tz", "UTC").stdout.splitlines()[1:]]
    assert periods[0] == "2011-W09" and periods[-2:] == ["2011-W19", "undated"]
    # One thread over a few days reads in days.
    tsv = query(sample_db, "threads", "--sort", "messages", "-f", "ids").stdout.split()
    days = query(sample_db, "timeline", "--tz", "UTC", "--thread", tsv[0]).stdout.splitlines()[1:]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", line.split("\t")[0]) for line in days if not line.startswith("undated"))
    years = query(sample_db, "timeline", "--tz", "UTC", "--by", "year").stdout.splitlines()[1:]
    assert [line.split("\t")[:2] for line in years] == [["2011", "56"], ["undated", "1"]]


def test_the_screen_folds_long_silences_and_data_keeps_every_period(sample_db: Path) -> None:
    screen = invoke("timeline", "--db", str(sample_db), "--tz", "UTC", "--by", "day", "-f", "table",
                    env={"COLUMNS": "100"}).stdout
    # 22 April to 1 May 2011 holds no mail: one row says so instead of ten empty ones.
    assert "... 10 quiet days ..." in screen
    assert "2011-04-25" not in screen
    assert "2011-04-19" in screen  # a short silence (one or two days) stays visible as it is
    data = query(sample_db, "timeline", "--tz", "UTC", "--by", "day").stdout
    assert "2011-04-25\t0\t" in data and "quiet" not in data
    lines = screen.splitlines()
    assert len(lines) < len(data.splitlines()) + 3


def test_fold_quiet_keeps_short_silences() -> None:
    from foiatool.analysis.timeline import fold_quiet

    def row(period: str, n: int) -> dict:
        return {"period": period, "start": period, "messages": n, "senders": n, "threads": n, "guessed": 0}

    rows = [row("a", 1), row("b", 0), row("c", 0), row("d", 1)] + [row(f"e{i}", 0) for i in range(14)] + [row("f", 2)]
    folded = fold_quiet(rows, "month")
    assert [r["period"] for r in folded] == ["a", "b", "c", "d", "... 14 quiet months ...", "f"]
    assert folded[4]["start"] == "e0" and folded[4]["end"] == "e13" and folded[4]["quiet"] == 14


# --- tables a person can read -------------------------------------------------------------------


def test_columns_take_the_headers_the_table_shows(sample_db: Path) -> None:
    by_key = query(sample_db, "messages", "--columns", "from_label,date_status,subject").stdout
    by_header = query(sample_db, "messages", "--columns", "From,Date status,SUBJECT").stdout
    assert by_key == by_header
    assert by_key.splitlines()[0] == "From\tDate status\tSubject"
    wrong = invoke("messages", "--db", str(sample_db), "--columns", "Frm")
    assert wrong.exit_code == 2
    assert "did you mean 'From'?" in wrong.stderr
    assert "valid columns: ID, Date, From, To, Subject" in wrong.stderr


def test_the_why_of_people_explain_wraps_whole_at_the_terminal_width(sample_db: Path) -> None:
    data = query(sample_db, "people", "--explain", "david.lee@ice.dhs.gov", "-f", "json").stdout
    import json

    why = " ".join(" ".join(str(r["explanation"]).split()) for r in json.loads(data))
    assert len(why) > 60
    for width in ("60", "160"):
        table = invoke("people", "--db", str(sample_db), "--explain", "david.lee@ice.dhs.gov", "-f", "table",
                       env={"COLUMNS": width}).stdout
        lines = table.splitlines()
        assert "…" not in table
        assert max(len(line) for line in lines) <= int(width)
        if width == "160":
            # Every word of the explanation is on the screen.
            words = table.split()
            for word in why.split():
                assert word in words, word


def test_wide_terminals_get_whole_subjects_on_one_line(sample_db: Path) -> None:
    subjects = [line for line in query(sample_db, "messages", "--columns", "subject").stdout.splitlines()[1:]]
    longest = max(subjects, key=len)
    table = invoke("messages", "--db", str(sample_db), "-f", "table", "--columns", "id,date,from,subject",
                   env={"COLUMNS": "220"}).stdout
    assert any(longest in line for line in table.splitlines())
    assert "…" not in table
    # A narrow terminal wraps the same subject instead of cutting it.
    narrow = invoke("messages", "--db", str(sample_db), "-f", "table", env={"COLUMNS": "80"}).stdout
    assert "…" not in narrow and max(len(line) for line in narrow.splitlines()) <= 80
    assert set(longest.split()) <= set(narrow.split())


# --- global options anywhere, and the nearest name for a typo ---------------------------------


def test_no_color_after_the_command_name_is_accepted(sample_db: Path) -> None:
    after = run_exe("timeline", "--db", str(sample_db), "--no-color", "-f", "table", FORCE_COLOR="1")
    before = run_exe("--no-color", "timeline", "--db", str(sample_db), "-f", "table", FORCE_COLOR="1")
    coloured = run_exe("timeline", "--db", str(sample_db), "-f", "table", FORCE_COLOR="1")
    assert after.returncode == before.returncode == 0, after.stderr.decode()
    assert after.stdout == before.stdout and b"\x1b[" not in after.stdout
    assert b"\x1b[" in coloured.stdout
    forced = run_exe("messages", "--db", str(sample_db), "-f", "table", "--color")
    assert forced.returncode == 0 and b"\x1b[" in forced.stdout


def test_a_global_flag_after_double_dash_stays_a_value() -> None:
    from foiatool.cli import hoist_global_flags

    assert hoist_global_flags(["search", "--db", "x", "--no-color", "--", "--color"]) == [
        "--no-color", "search", "--db", "x", "--", "--color"]
    assert hoist_global_flags(["--version"]) == ["--version"]


def test_an_unknown_command_or_option_names_the_nearest_one(sample_db: Path) -> None:
    typo = run_exe("mesages", "--db", str(sample_db))
    assert typo.returncode == 2
    assert "Did you mean 'messages'?" in typo.stderr.decode()
    option = run_exe("messages", "--db", str(sample_db), "--form", "json")
    assert option.returncode == 2
    assert "--format" in option.stderr.decode()


# --- make demo ---------------------------------------------------------------------------------


def test_make_demo_shows_the_tools_own_output_and_ends_with_the_summary() -> None:
    import os
    import shutil
    import subprocess
    import sys

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    venv = Path(sys.executable).parent.parent
    if not (venv / "bin" / "foiatool").exists():
        pytest.skip("the demo runs from a virtual environment with foiatool installed")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL")}
    proc = subprocess.run(["make", "--no-print-directory", "demo", f"VENV={venv}"], cwd=REPO, capture_output=True,
                          timeout=600, env=env, check=False)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 0, err
    for noise in ("pip", "setuptools", "WARNING", "DEPRECATION", "Traceback"):
        assert noise not in out + err, noise
    assert "distinct messages from" in err  # the account line
    lines = [line for line in out.splitlines() if line.strip()]
    table_at = next(i for i, line in enumerate(lines) if line.startswith("Date "))
    summary_at = next(i for i, line in enumerate(lines) if "foiatool summary" in line)
    assert table_at < summary_at
    assert "rows shown, of" in lines[summary_at - 1]  # a short table, then the summary
    assert lines[-1].startswith("╰")  # the summary's frame closes the demo
    assert summary_at - table_at < 20


def test_gap_descriptions_wrap_whole(sample_db: Path) -> None:
    import json

    gaps = json.loads(query(sample_db, "gaps", "-f", "json").stdout)
    longest = max((g["detail"] or "" for g in gaps), key=len)
    assert len(longest) > 120
    table = invoke("gaps", "--db", str(sample_db), "-f", "table", env={"COLUMNS": "100"}).stdout
    assert "…" not in table
    assert max(len(line) for line in table.splitlines()) <= 100
    words = table.split()
    assert all(word in words for word in longest.split() if len(word) < 20), longest
