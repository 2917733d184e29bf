"""Help texts, the version, exit codes, and the README's usage examples run exactly as written."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from test_cli_commands import REPO, SAMPLES, exe_env, index_samples, invoke, run_exe

from foiatool import __version__
from foiatool.cli import COMMANDS, cli
from foiatool.cli.status import ExitStatus


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index_samples(tmp_path_factory)


def command(name: str) -> click.Command:
    found = cli.get_command(click.Context(cli), name)
    assert found is not None, name
    return found


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_help_and_every_option_says_what_it_does(name: str) -> None:
    cmd = command(name)
    assert cmd.help and len(cmd.help.split()) >= 8, f"{name} needs a help text"
    assert cmd.get_short_help_str().strip()
    for param in cmd.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{name} {'/'.join(param.opts)} has no help text"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_help_exits_zero_and_goes_to_stdout(name: str) -> None:
    result = invoke(name, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: foiatool {name} ")
    assert result.stderr == ""
    assert invoke(name, "-h").stdout == result.stdout


def test_top_level_help_lists_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    listed = re.findall(r"(?m)^  (\w+)\s{2,}\S", result.stdout.split("Commands:", 1)[1])
    assert listed == list(COMMANDS)
    assert "Examples:" in result.stdout


def test_version_from_the_real_executable() -> None:
    proc = run_exe("--version")
    assert proc.returncode == 0
    assert proc.stdout.decode() == f"foiatool, version {__version__}\n"


def test_python_dash_m_runs_the_same_command() -> None:
    import sys

    proc = subprocess.run([sys.executable, "-m", "foiatool", "--version"], capture_output=True, env=exe_env(), timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.decode() == f"foiatool, version {__version__}\n"


@pytest.mark.parametrize(
    "args",
    [
        ["messages", "--no-such-option"],
        ["no-such-command"],
        ["messages", "--format", "xml"],
        ["threads", "--since", "yesterday-ish"],
        ["timeline", "--by", "fortnight"],
    ],
)
def test_usage_errors_exit_2_with_a_message_on_stderr(args: list[str], db: Path) -> None:
    proc = run_exe(*args, "--db", str(db))
    assert proc.returncode == ExitStatus.USAGE == 2
    assert proc.stdout == b""
    assert proc.stderr.strip()
    assert b"Traceback" not in proc.stderr


def test_no_paths_and_no_db_is_a_usage_error() -> None:
    proc = run_exe("messages")
    assert proc.returncode == 2
    assert b"PATH" in proc.stderr


def test_unknown_id_for_show_exits_2(db: Path) -> None:
    proc = run_exe("show", "t-no-such-thread", "--db", str(db))
    assert proc.returncode == 2
    assert b"t-no-such-thread" in proc.stderr
    assert proc.stdout == b""


def test_missing_index_is_a_failure_not_a_traceback(tmp_path: Path) -> None:
    proc = run_exe("messages", "--db", str(tmp_path / "absent.db"))
    assert proc.returncode == ExitStatus.FAILURE
    assert proc.stderr.startswith(b"foiatool: error: ")
    assert b"Traceback" not in proc.stderr


def test_unwritable_output_is_a_failure(db: Path, tmp_path: Path) -> None:
    proc = run_exe("report", "--db", str(db), "-o", str(tmp_path / "no" / "such" / "dir" / "r.md"))
    assert proc.returncode == ExitStatus.FAILURE
    assert proc.stderr.startswith(b"foiatool: error: ")


def test_strict_exits_1_when_items_could_not_be_read(db: Path, tmp_path: Path) -> None:
    # The samples hold unreadable items: with --strict the status says so, without it the run is fine.
    problems = run_exe("problems", "--db", str(db), "-f", "ids").stdout.split()
    assert problems
    assert run_exe("messages", "--db", str(db), "-f", "ids").returncode == 0
    strict = run_exe("messages", "--db", str(db), "-f", "ids", "--strict")
    assert strict.returncode == ExitStatus.PROBLEMS == 1
    assert strict.stdout == run_exe("messages", "--db", str(db), "-f", "ids").stdout  # the data still comes
    refreshed = run_exe("threads", str(SAMPLES / "dump"), "--db", str(tmp_path / "d.db"), "-q", "--strict", "-f", "ids")
    assert refreshed.returncode == 1


def test_strict_exits_0_when_everything_was_read(tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    clean.mkdir()
    source = SAMPLES / "dump" / "custodians" / "lee_david" / "County opt-out language.eml"
    (clean / "one.eml").write_bytes(source.read_bytes())
    proc = run_exe("messages", str(clean), "--db", str(tmp_path / "c.db"), "--strict", "-q", "-f", "ids")
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.split()) >= 1


def test_in_process_runner_sees_the_same_exit_codes(db: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["messages", "--db", str(db), "--strict", "-f", "ids"]).exit_code == 1
    assert runner.invoke(cli, ["show", "nope", "--db", str(db)]).exit_code == 2


# --- the README's usage examples --------------------------------------------------------------


def readme_usage_commands() -> list[str]:
    readme = REPO / "README.md"
    if not readme.exists():
        pytest.skip("README.md is not written yet")
    text = readme.read_text(encoding="utf-8")
    section = re.search(r"(?ms)^## Usage\n(.*?)(?=^## )", text + "\n## end\n")
    if section is None:
        pytest.skip("README.md has no '## Usage' section yet")
    lines = []
    for block in re.findall(r"(?ms)^```sh\n(.*?)^```", section.group(1)):
        for line in block.splitlines():
            # Every line that runs foiatool: at its start, or fed by another command through a pipe;
            # and the lines that write a file an example reads (a terms list).
            if line.startswith("foiatool ") or re.search(r"\|\s*foiatool ", line) or re.match(r"(printf|echo) .*> \S+$", line):
                lines.append(line)
    if not lines:
        pytest.skip("the Usage section has no ```sh examples yet")
    return lines


def test_readme_usage_examples_run_as_written(tmp_path: Path) -> None:
    lines = readme_usage_commands()
    # The examples name samples/... relative to the repository and write their outputs
    # (sample.db, reports) beside it; a scratch folder with a samples link keeps the repository clean.
    (tmp_path / "samples").symlink_to(SAMPLES, target_is_directory=True)
    for line in lines:
        proc = subprocess.run(["bash", "-o", "pipefail", "-c", line], cwd=tmp_path, capture_output=True,
                              env=exe_env(), timeout=300)
        assert proc.returncode == 0, f"{line}\n{proc.stderr.decode()}"
        assert b"Traceback" not in proc.stderr, line
        if line.startswith("foiatool") and "-o " not in line and "| " not in line.split("foiatool", 1)[0]:
            assert proc.stdout.strip() or "index" in line, f"{line} printed nothing"


def test_readme_index_table_names_every_table_and_only_real_columns(db: Path) -> None:
    """The README's "The index" table is what users write SQL from: every table of a real index
    has a row, and every `name` a row lists is a column of that table (or its rowid)."""
    import sqlite3

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The index", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| (.*) \|$", section, re.MULTILINE))
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT GLOB '*_fts_*'")]
        columns = {t: {r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')} for t in tables}
    finally:
        conn.close()
    assert sorted(rows) == sorted(tables)
    # what a row may name besides its own columns: another table, the rowid, the id a rowid is, a meta key
    elsewhere = {*tables, "rowid", "id", "schema_version"}
    for table, text in rows.items():
        named = set(re.findall(r"`(\w+)`", text))
        assert named - columns[table] - elsewhere == set(), table
