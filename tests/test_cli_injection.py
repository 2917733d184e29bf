"""Hostile mail through the real commands: escape sequences, Rich markup, spreadsheet formulas, HTML, pipes.

A message whose subject, sender name, body and attachment name carry an OSC 52
clipboard write, an SGR colour, ``[bold red]`` markup, ``=HYPERLINK(...)``,
``<script>`` and ``|`` is indexed by the real command; every output must show
that text as inert data: on a terminal (a real pseudo-terminal, with and
without ``--color``), in CSV/TSV, in Markdown tables and reports, and in the
Mermaid blocks of the report.
"""
from __future__ import annotations

import csv
import io
import json
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from conftest import run_on_pty
from markdown_it import MarkdownIt
from test_cli_commands import exe_env, foiatool_exe, invoke, run_exe

OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
SUBJECT = f'=HYPERLINK("http://evil.example/x","click") {OSC52}[bold red]ALERT[/bold red] <script>alert(1)</script> a|b "q" ] end'
SENDER_NAME = "=cmd|' /C calc'!A0 [bold]Eve[/bold] <script>x</script>"
BODY = (
    "Body line \x1b[31mred\x1b[0m [bold]markup[/bold]\n"
    "<script>alert(2)</script>\n"
    "=SUM(A1:A2)\n"
    "| col | col |\n"
    "```\n"
    "# not a heading\n"
)
ATTACHMENT = "=cmd|' /C calc'!A0 ../../../escape.txt"
# What the text formats must never contain: the injected sequences, whole or in part.
INJECTED = ("\x1b]52", "\x07", "\x1b[31mred")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("hostile")
    mail = root / "mail"
    mail.mkdir()
    first = EmailMessage()
    first["Subject"] = SUBJECT
    first["From"] = f'"{SENDER_NAME}" <eve@evil.example>'
    first["To"] = "Bob <bob@example.org>"
    first["Date"] = "Mon, 07 Mar 2011 10:00:00 +0000"
    first["Message-ID"] = "<hostile-1@evil.example>"
    first.set_content(BODY)
    first.add_attachment(b"payload\n", maintype="text", subtype="plain", filename=ATTACHMENT)
    (mail / "hostile.eml").write_bytes(bytes(first))
    reply = EmailMessage()
    reply["Subject"] = "RE: " + SUBJECT
    reply["From"] = "Bob <bob@example.org>"
    reply["To"] = f'"{SENDER_NAME}" <eve@evil.example>'
    reply["Date"] = "Tue, 08 Mar 2011 10:00:00 +0000"
    reply["Message-ID"] = "<hostile-2@example.org>"
    reply["In-Reply-To"] = "<hostile-1@evil.example>"
    reply.set_content("Reply [red]x[/red] \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\\n")
    # A file name is untrusted too: reports cite it.
    (mail / "reply`\n# Injected heading.eml").write_bytes(bytes(reply))
    db = root / "hostile.db"
    proc = run_exe("index", str(mail), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in run_exe("messages", "--db", str(db), "-f", "ndjson").stdout.splitlines()]
    assert len(rows) == 2
    first_row = next(r for r in rows if r["message_id"] == "hostile-1@evil.example")
    return {"root": root, "db": db, "first": first_row["id"], "thread": first_row["thread"], "mail": mail}


def visible(text: str) -> str:
    """Text with runs of whitespace made single spaces: the header folding of a long subject is not our concern."""
    return " ".join(text.split())


def run_tty(*args: str, **env: str) -> tuple[int, str, str]:
    """Run foiatool with stdout on a pseudo-terminal (it must believe a person is reading)."""
    return run_on_pty([str(foiatool_exe()), *args], pty_for="stdout", env=exe_env(COLUMNS="400", **env))


SGR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize("color", ["--color", "--no-color"])
@pytest.mark.parametrize("command", [["messages"], ["threads"], ["show", "FIRST"], ["search", "ALERT"], ["attachments"]])
def test_terminal_output_is_inert(hostile: dict, color: str, command: list[str]) -> None:
    args = [hostile["first"] if a == "FIRST" else a for a in command]
    if command[0] == "show":
        args += ["--full"]
    code, out, err = run_tty(color, *args, "--db", str(hostile["db"]))
    assert code == 0, err
    assert out.strip()
    for bad in INJECTED:
        assert bad not in out
    if color == "--no-color":
        assert "\x1b" not in out
    else:
        # The only escapes left are foiatool's own colours (SGR); none is an OSC, a cursor move or a link.
        assert SGR.sub("", out).count("\x1b") == 0
        assert "\x1b[" in out, "--color on a terminal does colour"
    plain = visible(SGR.sub("", out))
    # Rich markup is shown as written, not read.
    assert ("calc'!A0 ../../../escape.txt" if command[0] == "attachments" else "[bold") in plain
    if command[0] == "show":
        assert "[bold]markup[/bold]" in plain and "Reply [red]x[/red]" in plain
        assert "<script>alert(2)</script>" in plain
        assert "\x1b]8" not in out  # no hidden hyperlink


def test_terminal_output_is_inert_with_force_color_on_a_pipe(hostile: dict) -> None:
    proc = run_exe("show", hostile["first"], "--db", str(hostile["db"]), "--full", "-f", "tree", FORCE_COLOR="1")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert "\x1b[" in out
    assert SGR.sub("", out).count("\x1b") == 0


def test_show_text_format_is_inert(hostile: dict) -> None:
    proc = run_exe("show", hostile["thread"], "--db", str(hostile["db"]), "--full")
    text = proc.stdout.decode()
    assert "\x1b" not in text and "\x07" not in text
    assert "[bold]markup[/bold]" in text


@pytest.mark.parametrize("command", [["messages"], ["threads"], ["search", "ALERT"], ["timeline", "--events"], ["attachments"]])
def test_csv_and_tsv_cells_are_defused(hostile: dict, command: list[str]) -> None:
    columns = {"messages": "from_label,subject,to_label", "threads": "subject", "search": "from_label,subject",
               "timeline": "from_label,subject", "attachments": "name,subject"}[command[0]]
    csv_text = invoke(*command, "--db", str(hostile["db"]), "-f", "csv", "--columns", columns).stdout
    tsv_text = invoke(*command, "--db", str(hostile["db"]), "-f", "tsv", "--columns", columns).stdout
    rows = list(csv.reader(io.StringIO(csv_text)))[1:]
    assert rows
    for row in rows:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@"), cell  # a spreadsheet shows it as text
            assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", cell.replace("\n", "")), repr(cell)
    cells = [cell for row in rows for cell in row]
    assert any(visible(cell).startswith("'=") for cell in cells)
    assert any("[bold red]ALERT[/bold red]" in visible(cell) or "calc" in cell for cell in cells)
    tsv_rows = [line.split("\t") for line in tsv_text.splitlines()[1:]]
    assert len(tsv_rows) == len(rows)
    assert all(len(r) == len(columns.split(",")) for r in tsv_rows)
    for row in tsv_rows:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@")
            assert "\x1b" not in cell


def test_json_keeps_the_data_exactly_and_escaped(hostile: dict) -> None:
    out = invoke("messages", "--db", str(hostile["db"]), "-f", "ndjson", "--body", "full").stdout
    assert "\x1b" not in out and "\x07" not in out  # JSON writes them as \u001b, \u0007
    rows = [json.loads(line) for line in out.splitlines()]
    first = next(r for r in rows if r["id"] == hostile["first"])
    assert visible(first["subject"]) == visible(SUBJECT)
    assert first["from"]["name"] == SENDER_NAME
    assert "\x1b[31mred" in first["body"]  # the evidence is kept as it was


def md_parse(text: str) -> list:
    # commonmark allows raw HTML: exactly what must never get through.
    return MarkdownIt("commonmark").enable("table").parse(text)


def inline_text(token) -> str:
    return "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline"))


def test_markdown_listing_table_holds(hostile: dict) -> None:
    out = invoke("messages", "--db", str(hostile["db"]), "-f", "markdown", "--columns", "id,from_label,subject").stdout
    tokens = md_parse(out)
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
    assert not [c for t in tokens for c in t.children or [] if c.type in ("html_inline", "link_open", "image")]
    cells = [inline_text(t) for i, t in enumerate(tokens) if t.type == "inline" and tokens[i - 1].type == "td_open"]
    assert len(cells) == 2 * 3
    subjects = cells[2::3]
    assert visible(SUBJECT.replace(OSC52, "")) in [visible(s) for s in subjects]


def report_tokens(hostile: dict, *extra: str) -> tuple[str, list]:
    proc = run_exe("report", "--db", str(hostile["db"]), *extra)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode()
    return text, md_parse(text)


ANCHOR_HTML = re.compile(r'<a id="[\w-]+">|</a>|<a id="[\w-]+"></a>\n')


def assert_only_anchor_html(tokens: list) -> None:
    """The only raw HTML in a report is its own ``<a id>`` anchors; nothing from the mail."""
    for t in tokens:
        if t.type == "html_block":
            assert ANCHOR_HTML.fullmatch(t.content), t.content
        for c in t.children or []:
            if c.type == "html_inline":
                assert ANCHOR_HTML.fullmatch(c.content), c.content


def test_report_is_inert_and_keeps_its_structure(hostile: dict) -> None:
    text, tokens = report_tokens(hostile)
    assert "\x1b" not in text and "\x07" not in text
    assert_only_anchor_html(tokens)
    # No link or image came from the mail (the table of contents links are the report's own).
    for t in tokens:
        for c in t.children or []:
            if c.type == "link_open":
                assert c.attrs["href"].startswith("#"), c.attrs
            assert c.type != "image"
    # The timeline table: one row per message, the subject whole in its own cell.
    rows = []
    in_body = False
    for i, t in enumerate(tokens):
        if t.type == "tbody_open":
            in_body = True
            rows.append([])
        elif t.type == "tbody_close":
            in_body = False
        elif in_body and t.type == "inline" and tokens[i - 1].type == "td_open":
            rows[-1].append(inline_text(t))
    timeline = next(r for r in rows if visible(SUBJECT.replace(OSC52, "")) in [visible(c) for c in r])
    assert len(timeline) == 2 * 6
    assert visible(timeline[2]).startswith(visible(SENDER_NAME))
    # Each body is a fenced block that its own ``` cannot close.
    fences = [t for t in tokens if t.type == "fence" and t.info == "text"]
    body = next(f.content for f in fences if "=SUM(A1:A2)" in f.content)
    assert "# not a heading" in body and "<script>alert(2)</script>" in body
    headings = [inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert "not a heading" not in " ".join(headings)
    assert "Injected heading" not in " ".join(headings)
    assert "Injected heading" in text  # still cited, on one line
    assert any(visible(SUBJECT.replace(OSC52, "")) in visible(h) for h in headings)


MERMAID_LINE = re.compile(
    r'\s*(?:flowchart TD|timeline|title [^"\n]*'
    r'|[np]\d+(?:\["[^"]*"\]|\[/"[^"]*"/\]|\(\["[^"]*"\]\))'
    r'|[np]\d+ -->\|[^|"]*\| [np]\d+'
    r'|\d{4}-\d\d-\d\d \d\d#58;\d\d : [^:]*)'
)


def test_report_mermaid_blocks_are_not_broken_by_labels(hostile: dict) -> None:
    _, tokens = report_tokens(hostile)
    blocks = [t.content for t in tokens if t.type == "fence" and t.info == "mermaid"]
    assert len(blocks) == 2  # the reply tree and the timeline of the one thread
    for block in blocks:
        for line in block.splitlines():
            assert MERMAID_LINE.fullmatch(line), repr(line)
            assert not re.search("[\x00-\x1f\x7f]", line)
    assert "#91;bold red#93;ALERT" in blocks[1]


def test_report_split_is_inert_too(hostile: dict, tmp_path: Path) -> None:
    out = tmp_path / "split"
    proc = run_exe("report", "--db", str(hostile["db"]), "--split", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    for page in out.iterdir():
        text = page.read_text(encoding="utf-8")
        assert "\x1b" not in text
        assert_only_anchor_html(md_parse(text))
    assert {p.name for p in out.iterdir()} == {"index.md", f"thread-{hostile['thread']}.md"}


def test_graph_files_stay_readable(hostile: dict, tmp_path: Path) -> None:
    import networkx as nx

    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        target = tmp_path / f"g.{fmt}"
        assert run_exe("graph", "--db", str(hostile["db"]), "-f", fmt, "-o", str(target)).returncode == 0
        graph = read(target)
        assert graph.number_of_nodes() == 2
        subjects = [d["subject"] for _, d in graph.nodes(data=True)]
        assert any("[bold red]ALERT" in visible(s) for s in subjects)
        assert not any("\x1b" in s for s in subjects)
    mermaid = run_exe("graph", "--db", str(hostile["db"]), "-f", "mermaid").stdout.decode()
    for line in mermaid.splitlines():
        assert MERMAID_LINE.fullmatch(line), repr(line)
    dot = run_exe("graph", "--db", str(hostile["db"]), "-f", "dot").stdout.decode()
    assert "\x1b" not in dot


def test_attachment_extraction_stays_inside_the_folder(hostile: dict, tmp_path: Path) -> None:
    target = tmp_path / "out"
    proc = run_exe("attachments", "--db", str(hostile["db"]), "--extract", str(target), "-f", "ids")
    assert proc.returncode == 0, proc.stderr
    written = list(target.iterdir())
    assert len(written) == 1 and written[0].read_bytes() == b"payload\n"
    assert written[0].parent == target
    assert not (tmp_path / "escape.txt").exists()


def test_a_subject_search_marks_the_hostile_subject_inertly(hostile: dict) -> None:
    # subject:ALERT is marked in Python, not by FTS5: the hostile subject's controls must still
    # be defused in the snippet, and the marks must be FTS5's own
    from foiatool.index.search import search_briefs
    from foiatool.index.store import connect

    tsv = invoke("search", "subject:ALERT", "--db", str(hostile["db"]), "-f", "tsv").stdout
    lines = tsv.splitlines()
    assert lines[0].split("\t")[-1] == "Hit" and len(lines) == 3
    for line in lines[1:]:
        snippet = line.split("\t")[-1]
        assert "«ALERT»" in snippet
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", line)
    conn = connect(hostile["db"])
    assert search_briefs(conn, "subject:ALERT") == search_briefs(conn, "subject:ALERT", mark_here=False)
