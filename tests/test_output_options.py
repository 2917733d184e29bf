"""The shared output options and the Terminal: auto format, column choice, colour rules, stderr."""
from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import click
import pytest
from click.testing import CliRunner

from foiatool.cli.output import OutputOptions, output_options
from foiatool.cli.terminal import Terminal, color_option, current_terminal, use_terminal
from foiatool.render import Column

COLUMNS = [
    Column("id", "ID", "id"),
    Column("date", "Date", "date"),
    Column("subject", "Subject"),
    Column("count", "Messages", "int"),
]
ROWS = [
    {"id": "m1", "date": datetime(2002, 8, 22, 20, 9, 8, tzinfo=UTC), "subject": "Budget", "count": 3,
     "messages": [{"id": "x"}]},
    {"id": "m2", "date": None, "subject": "[bold]Re: 会议[/bold]", "count": 1, "messages": []},
]


@click.command()
@color_option
@click.option("--limit", type=int, default=None, help="Show at most this many.")
@output_options
def listing(limit: int | None, output: OutputOptions) -> None:
    """List two threads."""
    written = output.emit(iter(ROWS[:limit]), COLUMNS, title="Threads", tz=UTC)
    current_terminal().info(f"{written} threads")


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner(catch_exceptions=False)


# The variables that would change the output, unset so the tests see only what they set.
CLEAN_ENV: dict[str, str | None] = {"NO_COLOR": None, "FORCE_COLOR": None, "COLUMNS": None, "TTY_COMPATIBLE": None}


def run(runner: CliRunner, *args: str, env: dict[str, str | None] | None = None):
    return runner.invoke(listing, list(args), env={**CLEAN_ENV, **(env or {})})


def test_piped_output_defaults_to_tsv(runner: CliRunner) -> None:
    result = run(runner)
    assert result.exit_code == 0
    assert result.stdout == (
        "ID\tDate\tSubject\tMessages\n"
        "m1\t2002-08-22T20:09:08Z\tBudget\t3\n"
        "m2\t\t[bold]Re: 会议[/bold]\t1\n"
    )
    assert result.stderr == "2 threads\n"


def test_format_overrides_the_default(runner: CliRunner) -> None:
    assert run(runner, "--format", "ids").stdout == "m1\nm2\n"
    assert run(runner, "-f", "csv", "--limit", "1").stdout == (
        "ID,Date,Subject,Messages\nm1,2002-08-22T20:09:08Z,Budget,3\n"
    )
    ndjson = run(runner, "-f", "ndjson").stdout.splitlines()
    assert json.loads(ndjson[0]) == {
        "id": "m1", "date": "2002-08-22T20:09:08Z", "subject": "Budget", "count": 3, "messages": [{"id": "x"}],
    }
    assert json.loads(run(runner, "-f", "json").stdout)[1] == {
        "id": "m2", "date": None, "subject": "[bold]Re: 会议[/bold]", "count": 1, "messages": [],
    }
    assert run(runner, "-f", "markdown", "--limit", "1").stdout == (
        "## Threads\n\n"
        "| ID | Date | Subject | Messages |\n"
        "| --- | --- | --- | ---: |\n"
        "| m1 | 2002-08-22 20:09 UTC | Budget | 3 |\n"
    )
    table = run(runner, "-f", "table").stdout
    assert "Threads" in table and "2002-08-22 20:09 UTC" in table and "[bold]Re: 会议[/bold]" in table
    assert "\x1b" not in table


def test_columns_select_and_order(runner: CliRunner) -> None:
    assert run(runner, "--columns", "subject, id").stdout == "Subject\tID\nBudget\tm1\n[bold]Re: 会议[/bold]\tm2\n"
    # json then carries only the chosen keys, in the chosen order
    chosen = json.loads(run(runner, "-f", "json", "--columns", "count,id").stdout)
    assert [list(item.items()) for item in chosen] == [[("count", 3), ("id", "m1")], [("count", 1), ("id", "m2")]]


def test_unknown_column_is_a_usage_error_naming_the_valid_ones(runner: CliRunner) -> None:
    result = run(runner, "--columns", "id,sender,body")
    assert result.exit_code == 2
    assert result.stdout == ""
    # The valid columns are named as the headers show them, then by key (issue 15).
    assert ("Error: unknown columns sender, body; valid columns: ID, Date, Subject, Messages"
            " (or their keys: id, date, subject, count)") in result.stderr
    empty = run(runner, "--columns", " , ")
    assert empty.exit_code == 2 and "name at least one column" in empty.stderr
    bad_format = run(runner, "--format", "xml")
    assert bad_format.exit_code == 2 and "'xml' is not one of" in bad_format.stderr


def test_no_headers(runner: CliRunner) -> None:
    assert run(runner, "--no-headers", "--columns", "id,count").stdout == "m1\t3\nm2\t1\n"
    assert run(runner, "--no-headers", "-f", "csv", "--columns", "id").stdout == "m1\nm2\n"


def test_help_lists_the_shared_options(runner: CliRunner) -> None:
    text = run(runner, "--help").stdout
    assert "-f, --format [table|tsv|csv|json|ndjson|markdown|ids]" in text
    assert "--columns KEYS" in text and "--no-headers" in text and "--color / --no-color" in text
    assert "--limit INTEGER" in text


def test_a_terminal_stdout_gets_a_table() -> None:
    out, err = io.StringIO(), io.StringIO()
    terminal = Terminal(stdout=out, stderr=err, stdout_isatty=True, width=60, env={"NO_COLOR": "1"})
    with listing.make_context("listing", ["--limit", "1"]) as ctx:
        use_terminal(ctx, terminal)
        listing.invoke(ctx)
    assert out.getvalue() == (
        "                  Threads                  \n"
        "ID  Date                  Subject  Messages\n"
        "───────────────────────────────────────────\n"
        "m1  2002-08-22 20:09 UTC  Budget          3\n"
    )
    assert err.getvalue() == "1 threads\n"
    assert OutputOptions(terminal=terminal).resolved_format() == "table"
    assert OutputOptions(terminal=Terminal(stdout=io.StringIO(), env={})).resolved_format() == "tsv"
    assert OutputOptions(fmt="ndjson", terminal=terminal).resolved_format() == "ndjson"


# -- colour -----------------------------------------------------------------------------------


def test_force_color_colours_a_pipe(runner: CliRunner) -> None:
    assert "\x1b[1m" in run(runner, "-f", "table", env={"FORCE_COLOR": "1"}).stdout


def test_no_color_wins_over_force_color(runner: CliRunner) -> None:
    result = run(runner, "-f", "table", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b" not in result.stdout and "Budget" in result.stdout


def test_explicit_color_flag_wins_over_the_environment(runner: CliRunner) -> None:
    assert "\x1b[1m" in run(runner, "--color", "-f", "table", env={"NO_COLOR": "1"}).stdout
    assert "\x1b" not in run(runner, "--no-color", "-f", "table", env={"FORCE_COLOR": "1"}).stdout


def test_color_decision_rules() -> None:
    def decide(color: bool | None, env: dict[str, str], isatty: bool) -> bool:
        return Terminal(stdout=io.StringIO(), color=color, env=env).color_enabled(isatty)

    assert decide(None, {}, True) is True
    assert decide(None, {}, False) is False
    assert decide(None, {"NO_COLOR": "1"}, True) is False
    assert decide(None, {"NO_COLOR": ""}, True) is True  # empty means unset, per no-color.org
    assert decide(None, {"FORCE_COLOR": "1"}, False) is True
    assert decide(None, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True) is False
    assert decide(True, {"NO_COLOR": "1"}, False) is True
    assert decide(False, {"FORCE_COLOR": "1"}, True) is False


# -- messages and progress --------------------------------------------------------------------


def test_messages_go_to_stderr_escaped_and_never_read_as_markup() -> None:
    out, err = io.StringIO(), io.StringIO()
    terminal = Terminal(stdout=out, stderr=err, env={}, width=20)
    terminal.info("[bold]read[/bold] \x1b]52;c;ZXZpbA==\x07 a.eml, a rather long message that must not be wrapped")
    terminal.warn("date guessed in \x1b[31mb.eml")
    terminal.error("cannot open c.pst\u202e")
    assert out.getvalue() == ""
    assert err.getvalue() == (
        "[bold]read[/bold]  a.eml, a rather long message that must not be wrapped\n"
        "foiatool: warning: date guessed in b.eml\n"
        "foiatool: error: cannot open c.pst\n"
    )


def test_quiet_silences_info_but_not_warnings_or_errors() -> None:
    err = io.StringIO()
    terminal = Terminal(stdout=io.StringIO(), stderr=err, quiet=True, env={})
    terminal.info("indexed 3 messages")
    terminal.warn("1 problem")
    terminal.error("stopped")
    assert err.getvalue() == "foiatool: warning: 1 problem\nfoiatool: error: stopped\n"


def test_coloured_error_on_a_terminal() -> None:
    err = io.StringIO()
    Terminal(stdout=io.StringIO(), stderr=err, stderr_isatty=True, env={}).error("boom")
    assert err.getvalue() == "\x1b[1;31mfoiatool: error: \x1b[0mboom\n"


def test_progress_is_silent_when_stderr_is_not_a_terminal_or_quiet() -> None:
    for terminal in (
        Terminal(stdout=io.StringIO(), stderr=io.StringIO(), env={}),
        Terminal(stdout=io.StringIO(), stderr=io.StringIO(), stderr_isatty=True, quiet=True, env={}),
    ):
        with terminal.progress(3, "Indexing") as task:
            for _ in range(3):
                task.advance()
            task.update(total=4, description="Indexing more")
            task.advance()
        assert terminal.stderr.getvalue() == ""
        assert terminal.stdout.getvalue() == ""


def test_progress_on_a_terminal_shows_counts_on_stderr_only() -> None:
    out, err = io.StringIO(), io.StringIO()
    terminal = Terminal(stdout=out, stderr=err, stderr_isatty=True, width=100, env={"NO_COLOR": "1"})
    with terminal.progress(None, "Reading [b]mbox[/b]\x1b[2J") as task:
        task.update(total=5)
        for _ in range(5):
            task.advance()
    assert out.getvalue() == ""
    shown = err.getvalue()
    assert "Reading [b]mbox[/b]" in shown and "5/5" in shown
    assert "\x1b[2J" not in shown


def test_the_color_flag_on_a_group_reaches_its_commands(runner: CliRunner) -> None:
    @click.group()
    @color_option
    @click.option("--quiet", is_flag=True)
    def main(quiet: bool) -> None:
        current_terminal().quiet = quiet

    main.add_command(listing)
    env = {**CLEAN_ENV, "NO_COLOR": "1"}
    coloured = runner.invoke(main, ["--color", "--quiet", "listing", "-f", "table"], env=env)
    assert "\x1b[1m" in coloured.stdout and coloured.stderr == ""
    plain = runner.invoke(main, ["listing", "-f", "table"], env=env)
    assert "\x1b" not in plain.stdout and plain.stderr == "2 threads\n"


@click.command("digest")
@output_options
def digest(output: OutputOptions) -> None:
    """Rows with a flattened key for tables and a structured one for JSON."""
    rows = ({**row, "subject_label": f"«{row['subject']}»"} for row in ROWS)
    output.emit(rows, [*COLUMNS, Column("subject_label", "Label")], default_columns=["subject_label", "id"],
                drop_keys=("subject_label",))


def test_default_columns_and_keys_kept_out_of_json(runner: CliRunner) -> None:
    assert runner.invoke(digest, env=CLEAN_ENV, args=[]).stdout == "Label\tID\n«Budget»\tm1\n«[bold]Re: 会议[/bold]»\tm2\n"
    assert runner.invoke(digest, env=CLEAN_ENV, args=["--columns", "count"]).stdout == "Messages\n3\n1\n"
    records = [json.loads(line) for line in runner.invoke(digest, env=CLEAN_ENV, args=["-f", "ndjson"]).stdout.splitlines()]
    assert [sorted(record) for record in records] == [["count", "date", "id", "messages", "subject"]] * 2
    chosen = json.loads(runner.invoke(digest, env=CLEAN_ENV, args=["-f", "json", "--columns", "subject_label"]).stdout)
    assert chosen == [{"subject_label": "«Budget»"}, {"subject_label": "«[bold]Re: 会议[/bold]»"}]


def test_a_terminal_carried_by_the_root_object_is_the_one_used(runner: CliRunner) -> None:
    class App:
        def __init__(self, terminal: Terminal) -> None:
            self.terminal = terminal

    @click.group()
    @click.option("--color/--no-color", default=None)
    @click.pass_context
    def main(ctx: click.Context, color: bool | None) -> None:
        ctx.obj = App(Terminal.from_flags(color))

    main.add_command(listing)
    env = {**CLEAN_ENV, "NO_COLOR": "1"}
    assert "\x1b[1m" in runner.invoke(main, ["--color", "listing", "-f", "table"], env=env).stdout
    assert "\x1b" not in runner.invoke(main, ["listing", "-f", "table"], env=env).stdout


def test_progress_can_be_silenced_per_call() -> None:
    err = io.StringIO()
    terminal = Terminal(stdout=io.StringIO(), stderr=err, stderr_isatty=True, env={})
    with terminal.progress(2, "Indexing", quiet=True) as task:
        task.advance(2)
    assert err.getvalue() == ""
