"""The renderers and the escaping: exact output per format, injection attempts, streaming."""
from __future__ import annotations

import csv
import html
import io
import itertools
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from foiatool.cli.terminal import Terminal
from foiatool.model import Address
from foiatool.render import FORMATS, Column, render
from foiatool.render.escape import (
    csv_safe,
    markdown_anchor,
    markdown_block,
    markdown_inline,
    terminal_safe,
)
from foiatool.render.table import fit_widths

UTC = UTC
EDT = timezone(timedelta(hours=-4), "EDT")

ROWS = [
    {
        "id": "m3f1c2a9b8e7d6c5",
        "date": datetime(2002, 8, 22, 20, 9, 8, tzinfo=UTC),
        "sender": Address("Ann Örtegren", "ann@example.org"),
        "to": ["bob@example.org", "carol@example.org"],
        "subject": "Budget — Q3 «draft» ✓",
        "count": 3,
        "recovered": False,
        "messages": [{"id": "x1", "subject": "inner"}, {"id": "x2", "subject": "inner 2"}],
    },
    {
        "id": "m000000000000001",
        "date": None,
        "sender": None,
        "to": [],
        "subject": "Re: 会议",
        "count": 0,
        "recovered": True,
        "messages": [],
    },
]
COLUMNS = [
    Column("id", "ID", "id"),
    Column("date", "Date", "date"),
    Column("sender", "From"),
    Column("to", "To", "list"),
    Column("subject", "Subject"),
    Column("count", "Messages", "int"),
    Column("recovered", "Recovered", "bool"),
    Column("messages", "Thread"),
]


def fixed_console(out: io.StringIO, width: int = 200):
    """The CLI's console, independent of the environment running the tests (COLUMNS, FORCE_COLOR)."""
    return Terminal(stdout=out, width=width, env={}).console_for(out)


def rendered(fmt: str, rows=ROWS, columns=COLUMNS, **options) -> str:
    out = io.StringIO()
    if fmt == "table":
        options.setdefault("console_factory", fixed_console)
    written = render(iter(rows), columns, fmt, out, **options)
    assert written == len(rows)
    return out.getvalue()


# -- every format, exact ----------------------------------------------------------------------


def test_tsv_exact() -> None:
    assert rendered("tsv") == (
        "ID\tDate\tFrom\tTo\tSubject\tMessages\tRecovered\tThread\n"
        "m3f1c2a9b8e7d6c5\t2002-08-22T20:09:08Z\tAnn Örtegren <ann@example.org>\t"
        "bob@example.org; carol@example.org\tBudget — Q3 «draft» ✓\t3\tfalse\t2 items\n"
        "m000000000000001\t\t\t\tRe: 会议\t0\ttrue\t\n"
    )


def test_csv_exact() -> None:
    assert rendered("csv") == (
        "ID,Date,From,To,Subject,Messages,Recovered,Thread\n"
        "m3f1c2a9b8e7d6c5,2002-08-22T20:09:08Z,Ann Örtegren <ann@example.org>,"
        "bob@example.org; carol@example.org,Budget — Q3 «draft» ✓,3,false,2 items\n"
        "m000000000000001,,,,Re: 会议,0,true,\n"
    )


def test_markdown_exact_in_the_asked_zone() -> None:
    assert rendered("markdown", tz=EDT, title="Threads") == (
        "## Threads\n"
        "\n"
        "| ID | Date | From | To | Subject | Messages | Recovered | Thread |\n"
        "| --- | --- | --- | --- | --- | ---: | --- | --- |\n"
        "| m3f1c2a9b8e7d6c5 | 2002-08-22 16:09 EDT | Ann Örtegren &lt;ann@example.org&gt; | "
        "bob@example.org; carol@example.org | Budget — Q3 «draft» ✓ | 3 | no | 2 items |\n"
        "| m000000000000001 |  |  |  | Re: 会议 | 0 | yes |  |\n"
    )


def test_ndjson_exact_with_nested_values_whole() -> None:
    assert rendered("ndjson", tz=EDT) == (
        '{"id": "m3f1c2a9b8e7d6c5", "date": "2002-08-22T20:09:08Z", '
        '"sender": {"name": "Ann Örtegren", "email": "ann@example.org", "redacted": null}, '
        '"to": ["bob@example.org", "carol@example.org"], "subject": "Budget — Q3 «draft» ✓", '
        '"count": 3, "recovered": false, '
        '"messages": [{"id": "x1", "subject": "inner"}, {"id": "x2", "subject": "inner 2"}]}\n'
        '{"id": "m000000000000001", "date": null, "sender": null, "to": [], "subject": "Re: 会议", '
        '"count": 0, "recovered": true, "messages": []}\n'
    )


def test_ids_exact() -> None:
    assert rendered("ids") == "m3f1c2a9b8e7d6c5\nm000000000000001\n"
    assert rendered("ids", rows=[{"key": "a"}, {"key": "b"}], id_key="key") == "a\nb\n"


def test_json_is_the_same_document_as_json_dumps_and_parses_back() -> None:
    text = rendered("json", tz=EDT)
    expected = [
        {
            **ROWS[0],
            "date": "2002-08-22T20:09:08Z",
            "sender": {"name": "Ann Örtegren", "email": "ann@example.org", "redacted": None},
        },
        ROWS[1],
    ]
    assert json.loads(text) == expected
    assert text == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"


def test_json_with_explicit_columns_keeps_only_their_keys_in_their_order() -> None:
    columns = [Column("subject", "Subject"), Column("id", "ID", "id")]
    for fmt in ("json", "ndjson"):
        text = rendered(fmt, columns=columns, json_all_keys=False)
        parsed = json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
        assert [list(item) for item in parsed] == [["subject", "id"], ["subject", "id"]]
        assert parsed[1] == {"subject": "Re: 会议", "id": "m000000000000001"}


def test_empty_input() -> None:
    assert rendered("json", rows=[]) == "[]\n"
    assert rendered("ndjson", rows=[]) == ""
    assert rendered("ids", rows=[]) == ""
    assert rendered("tsv", rows=[]) == "ID\tDate\tFrom\tTo\tSubject\tMessages\tRecovered\tThread\n"
    assert rendered("tsv", rows=[], headers=False) == ""
    assert rendered("table", rows=[], headers=False) == ""


def test_no_headers() -> None:
    assert rendered("tsv", headers=False).splitlines()[0].startswith("m3f1c2a9b8e7d6c5\t")
    assert rendered("csv", headers=False).splitlines()[0].startswith("m3f1c2a9b8e7d6c5,")
    table = rendered("table", headers=False)
    assert "Subject" not in table and "Re: 会议" in table
    markdown = rendered("markdown", headers=False)
    assert markdown.splitlines()[0] == "|  |  |  |  |  |  |  |  |"


def test_table_contains_every_cell_in_the_asked_zone() -> None:
    out = io.StringIO()
    render(iter(ROWS), COLUMNS, "table", out, tz=EDT, title="Threads", console_factory=fixed_console)
    text = out.getvalue()
    for cell in (
        "Threads", "ID", "Subject", "m3f1c2a9b8e7d6c5", "2002-08-22 16:09 EDT", "Ann Örtegren <ann@example.org>",
        "bob@example.org; carol@example.org", "Budget — Q3 «draft» ✓", "2 items", "Re: 会议", "yes", "no",
    ):
        assert cell in text, cell
    assert "\x1b" not in text
    body = [line for line in text.splitlines() if "m000000000000001" in line]
    assert len(body) == 1  # one row, one line at this width


def test_long_text_wraps_instead_of_being_cut() -> None:
    # Issue 15: a width hint no longer cuts text with "…"; on a wide terminal the column takes
    # what its text needs, on a narrow one the text wraps onto more lines, every word kept.
    columns = [Column("id", "ID", "id"), Column("subject", "Subject", width=8)]
    wide = io.StringIO()
    render(iter(ROWS[:1]), columns, "table", wide, console_factory=fixed_console)
    assert wide.getvalue().splitlines()[2] == "m3f1c2a9b8e7d6c5  Budget — Q3 «draft» ✓"
    narrow = io.StringIO()
    render(iter(ROWS[:1]), columns, "table", narrow, console_factory=lambda o: fixed_console(o, 30))
    lines = narrow.getvalue().splitlines()
    assert "…" not in narrow.getvalue() and max(len(line) for line in lines) <= 30
    assert " ".join(line[18:].strip() for line in lines[2:]) == "Budget — Q3 «draft» ✓"


def test_a_narrow_terminal_squeezes_text_first_and_never_cuts_ids_or_numbers() -> None:
    out = io.StringIO()
    rows = [{**ROWS[0], "subject": "Secure Communities activation - Santa Clara County " * 2}, ROWS[1]]
    render(iter(rows), COLUMNS, "table", out, tz=EDT, console_factory=lambda o: fixed_console(o, 72))
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 72
    first = next(i for i, line in enumerate(lines) if line.startswith("m3f1c2a9b8e7d6c5  2002-08-22 "))
    assert lines[first + 1].startswith(" " * 18 + "16:09 EDT")  # the date folded after the day
    assert any(line.startswith("m000000000000001  ") and " 0  yes" in line for line in lines)
    # with a little more room the dates stay whole and only the text columns wrap
    wider = io.StringIO()
    render(iter(rows), COLUMNS, "table", wider, tz=EDT, console_factory=lambda o: fixed_console(o, 110))
    wide_lines = wider.getvalue().splitlines()
    assert wide_lines[0].split() == ["ID", "Date", "From", "To", "Subject", "Messages", "Recovered", "Thread"]
    assert wide_lines[2].startswith("m3f1c2a9b8e7d6c5  2002-08-22 16:09 EDT  ")
    assert max(len(line) for line in wide_lines) <= 110


def test_fit_widths() -> None:
    assert fit_widths([16, 20, 40], [16, 10, 10], 100) == [16, 20, 40]
    assert fit_widths([16, 20, 40], [16, 10, 10], 60) == [16, 20, 24]
    assert fit_widths([16, 20, 40], [16, 10, 10], 40) == [16, 12, 12]
    assert fit_widths([16, 20, 40], [16, 10, 10], 20) == [16, 10, 10]
    assert fit_widths([30, 30], [5, 5], 41) == [20, 21] or fit_widths([30, 30], [5, 5], 41) == [21, 20]


def test_dates_in_machine_formats_are_utc_whatever_the_zone() -> None:
    eastern = datetime(2002, 8, 22, 16, 9, 8, tzinfo=EDT)
    naive = datetime(2002, 8, 22, 20, 9, 8)
    rows = [{"id": "a", "when": eastern, "day": date(2002, 8, 22)}, {"id": "b", "when": naive, "day": None}]
    columns = [Column("id", "ID", "id"), Column("when", "When", "date"), Column("day", "Day", "date")]
    for tz in (None, EDT, UTC):
        assert rendered("tsv", rows=rows, columns=columns, tz=tz) == (
            "ID\tWhen\tDay\na\t2002-08-22T20:09:08Z\t2002-08-22\nb\t2002-08-22T20:09:08Z\t\n"
        )
        assert [json.loads(line)["when"] for line in rendered("ndjson", rows=rows, columns=columns).splitlines()] == [
            "2002-08-22T20:09:08Z",
            "2002-08-22T20:09:08Z",
        ]
    assert "| 2002-08-22 20:09 UTC | 2002-08-22 |" in rendered("markdown", rows=rows, columns=columns, tz=UTC)


def test_unknown_format_and_kind_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render([], COLUMNS, "xml", io.StringIO())
    with pytest.raises(ValueError, match="unknown column kind"):
        Column("x", "X", kind="money")
    with pytest.raises(ValueError, match="no 'id'"):
        render([{"id": None}], COLUMNS, "ids", io.StringIO())
    assert FORMATS == ("table", "tsv", "csv", "json", "ndjson", "markdown", "ids")


def test_tsv_keeps_one_record_per_line() -> None:
    rows = [{"id": "a", "subject": "line one\nline two\r\nthree\tfour\rfive"}]
    columns = [Column("id", "ID", "id"), Column("subject", "Subject")]
    assert rendered("tsv", rows=rows, columns=columns) == "ID\tSubject\na\tline one line two three four five\n"
    # csv quotes instead, so the line breaks survive
    parsed = list(csv.reader(io.StringIO(rendered("csv", rows=rows, columns=columns))))
    assert parsed == [["ID", "Subject"], ["a", "line one\nline two\nthree\tfour\nfive"]]


def test_negative_numbers_stay_numbers_in_csv_and_tsv() -> None:
    rows = [{"id": "a", "delta": -5, "ratio": -3.25, "text": "-5"}]
    columns = [Column("id", "ID"), Column("delta", "Delta", "int"), Column("ratio", "Ratio", "float"), Column("text", "T")]
    assert rendered("tsv", rows=rows, columns=columns, headers=False) == "a\t-5\t-3.25\t-5\n"
    assert rendered("csv", rows=rows, columns=columns, headers=False) == "a,-5,-3.25,-5\n"


# -- injection --------------------------------------------------------------------------------

OSC52 = "\x1b]52;c;ZXZpbA==\x07"
PAYLOADS = [
    f"clipboard{OSC52}grab",
    "\x1b[31mred\x1b[0m alert",
    "[bold red]x[/bold red]",
    '=HYPERLINK("http://evil","x")',
    "<script>alert(1)</script>",
    "left | right",
    "+cmd",
    "@SUM(1)",
    "\tindented",
    "abc\u202etxt.exe",
    "-2+3",
]
ALL_AT_ONCE = "".join(PAYLOADS)
HOSTILE_ROWS = [{"id": f"m{i}", "subject": text, "sender": text} for i, text in enumerate([*PAYLOADS, ALL_AT_ONCE])]
HOSTILE_COLUMNS = [Column("id", "ID", "id"), Column("subject", "Subject"), Column("sender", "From")]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def test_table_neutralises_escapes_and_never_reads_markup() -> None:
    for color in (False, True):
        out = io.StringIO()
        terminal = Terminal(stdout=out, width=400, stdout_isatty=True, color=color, env={})
        render(iter(HOSTILE_ROWS), HOSTILE_COLUMNS, "table", out, console_factory=terminal.console_for)
        text = out.getvalue()
        assert "[bold red]x[/bold red]" in text
        assert "\u202e" not in text and "\x07" not in text and "\x9b" not in text
        assert "]52;" not in text and "ZXZpbA==" not in text
        if color:
            # the header is bold; nothing else may produce an escape
            assert set(re.findall(r"\x1b\[[0-9;]*m", text)) <= {"\x1b[1m", "\x1b[0m"}
            assert "\x1b[31m" not in text
        else:
            assert "\x1b" not in text
        assert "clipboardgrab" in text and "red alert" in text and "abctxt.exe" in text


def test_csv_defuses_formulas_and_removes_controls() -> None:
    text = rendered("csv", rows=HOSTILE_ROWS, columns=HOSTILE_COLUMNS)
    assert "\x1b" not in text and "\u202e" not in text
    records = list(csv.reader(io.StringIO(text)))
    assert len(records) == len(HOSTILE_ROWS) + 1
    for record in records[1:]:
        assert len(record) == 3
        for cell in record[1:]:
            assert not cell.lstrip().startswith(FORMULA_START), cell
    by_id = {record[0]: record[1] for record in records[1:]}
    assert by_id["m3"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert by_id["m6"] == "'+cmd"
    assert by_id["m7"] == "'@SUM(1)"
    assert by_id["m8"] == "'\tindented"
    assert by_id["m10"] == "'-2+3"
    assert by_id["m0"] == "clipboardgrab"


def _assert_tsv_defused(text: str, rows: int) -> None:
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) == rows + 2
    for line in lines[1:-1]:
        cells = line.split("\t")
        assert len(cells) == 3
        for cell in cells[1:]:
            assert not cell.lstrip().startswith(FORMULA_START), cell
    assert "m3\t'=HYPERLINK(\"http://evil\",\"x\")\t" in text
    assert "m8\t' indented\t' indented\n" in text


def test_tsv_defuses_formulas_and_keeps_the_grid() -> None:
    _assert_tsv_defused(rendered("tsv", rows=HOSTILE_ROWS, columns=HOSTILE_COLUMNS), len(HOSTILE_ROWS))


@pytest.mark.parametrize("at", [0, 1, 499, 500, 777, 1199])
def test_tsv_of_a_list_is_written_in_chunks_with_the_same_care(at: int) -> None:
    # rows already in a list go out in chunks, checked chunk by chunk: hostile rows anywhere
    # among clean ones are defused, and the text equals rows arriving one at a time
    clean = [{"id": f"c{n}", "subject": f"subject {n}", "sender": "Ann <ann@x.org>"} for n in range(1200)]
    rows = [*clean[:at], *HOSTILE_ROWS, *clean[at:]]
    out = io.StringIO()
    assert render(rows, HOSTILE_COLUMNS, "tsv", out) == len(rows)
    _assert_tsv_defused(out.getvalue(), len(rows))
    assert out.getvalue() == rendered("tsv", rows=rows, columns=HOSTILE_COLUMNS)


def _table_cells(markdown: str) -> list[list[str]]:
    tokens = MarkdownIt().enable("table").parse(markdown)
    rows: list[list[str]] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows and token.level > 0:
            rows[-1].append(token.content)
    return rows


def test_markdown_table_structure_survives_hostile_cells() -> None:
    text = rendered("markdown", rows=HOSTILE_ROWS, columns=HOSTILE_COLUMNS, title="[bold]<b>hi</b>")
    html_out = MarkdownIt().enable("table").render(text)
    assert "<script>" not in html_out and "<b>" not in html_out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_out
    assert "\x1b" not in text and "\u202e" not in text
    assert html_out.count("<tr>") == len(HOSTILE_ROWS) + 1
    assert html_out.count("<td>") == 3 * len(HOSTILE_ROWS)
    assert "<td>left | right</td>" in html_out
    assert "<td>[bold red]x[/bold red]</td>" in html_out
    assert "<td>=HYPERLINK(&quot;http://evil&quot;,&quot;x&quot;)</td>" in html_out
    assert html_out.startswith("<h2>[bold]&lt;b&gt;hi&lt;/b&gt;</h2>")


def test_json_escapes_itself_and_round_trips_hostile_text() -> None:
    text = rendered("ndjson", rows=HOSTILE_ROWS, columns=HOSTILE_COLUMNS)
    assert "\x1b" not in text and "\x07" not in text
    assert [json.loads(line) for line in text.splitlines()] == HOSTILE_ROWS


# -- streaming --------------------------------------------------------------------------------


class Enough(Exception):
    pass


class StopsAfterLines(io.StringIO):
    """A writer that gives up after a few lines, the way `head` does."""

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.left = lines

    def write(self, text: str) -> int:
        written = super().write(text)
        self.left -= text.count("\n")
        if self.left <= 0:
            raise Enough
        return written


@pytest.mark.parametrize("fmt", ["tsv", "csv", "ndjson", "json", "ids", "markdown"])
def test_streaming_formats_write_before_the_input_ends(fmt: str) -> None:
    produced = 0

    def endless() -> Iterator[dict[str, object]]:
        nonlocal produced
        for number in itertools.count():
            produced += 1
            yield {"id": f"m{number}", "subject": f"subject {number}", "count": number}

    out = StopsAfterLines(25)
    with pytest.raises(Enough):
        render(endless(), [Column("id", "ID", "id"), Column("subject", "Subject")], fmt, out)
    assert produced <= 25
    assert "m1" in out.getvalue()


def test_hundred_thousand_rows_stream_through() -> None:
    rows = ({"id": f"m{n:015d}", "subject": f"Re: item {n}", "count": n} for n in range(100_000))
    columns = [Column("id", "ID", "id"), Column("subject", "Subject"), Column("count", "N", "int")]
    for fmt in ("tsv", "ndjson"):
        out = io.StringIO()
        assert render(rows, columns, fmt, out) == 100_000
        lines = out.getvalue().splitlines()
        assert lines[-1] in ("m000000000099999\tRe: item 99999\t99999",
                             '{"id": "m000000000099999", "subject": "Re: item 99999", "count": 99999}')
        rows = ({"id": f"m{n:015d}", "subject": f"Re: item {n}", "count": n} for n in range(100_000))


# -- escape functions ------------------------------------------------------------------------


def test_terminal_safe() -> None:
    assert terminal_safe(f"a{OSC52}b") == "ab"
    assert terminal_safe("\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\") == "click"
    assert terminal_safe("\x1b[31mred\x1b[0m") == "red"
    assert terminal_safe("\x9b31mred") == "red"
    assert terminal_safe("\x1bcreset") == "reset"
    assert terminal_safe("a\x1b]52;unterminated") == "a52;unterminated"
    assert terminal_safe("bell\x07 nul\x00 del\x7f") == "bell nul del"
    assert terminal_safe("abc\u202etxt\u2066.exe\u2069") == "abctxt.exe"
    assert terminal_safe("good\rEVIL") == "good\nEVIL"
    assert terminal_safe("one\ntwo\tthree") == "one\ntwo\tthree"
    assert terminal_safe("one\r\ntwo\tthree", multiline=False) == "one two three"
    assert terminal_safe("bad \udcff byte") == "bad \ufffd byte"
    assert terminal_safe("[bold]Über café ✓[/bold]") == "[bold]Über café ✓[/bold]"


def test_csv_safe() -> None:
    assert csv_safe("=1+1") == "'=1+1"
    assert csv_safe("+1") == "'+1"
    assert csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("-cmd") == "'-cmd"
    assert csv_safe("\t=1") == "'\t=1"
    assert csv_safe("\r=1") == "'\n=1"
    assert csv_safe("   =1") == "'   =1"
    assert csv_safe("\x1b[31m=1") == "'=1"
    assert csv_safe("\u202e=1") == "'=1"
    for number in ("-5", "-3.2", "-0.5", "-1e5", "-.5", " -7"):
        assert csv_safe(number) == number
    assert csv_safe("-5-5") == "'-5-5"
    assert csv_safe("plain, text") == "plain, text"
    assert csv_safe("") == ""
    assert csv_safe("a=b") == "a=b"


def test_markdown_inline() -> None:
    assert markdown_inline("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert markdown_inline("a | b") == "a \\| b"
    assert markdown_inline("*bold* _it_ `code` [x](y) ~s~ #1 $5") == (
        "\\*bold\\* \\_it\\_ \\`code\\` \\[x\\](y) \\~s\\~ \\#1 \\$5"
    )
    assert markdown_inline("- item") == "\\- item"
    assert markdown_inline("12. point") == "12\\. point"
    assert markdown_inline("line\nbreak\ttab  ") == "line break tab"
    assert markdown_inline("a & b \\ c") == "a &amp; b \\\\ c"
    assert markdown_inline("3.5 - 2 + (x)") == "3.5 - 2 + (x)"


def test_markdown_block_cannot_be_escaped() -> None:
    body = "Hi,\n```\n<script>alert(1)</script>\n````` not the end\n# heading\n\x1b[31mred"
    block = markdown_block(body)
    assert block.startswith("``````text\n") and block.endswith("\n``````\n")
    html_out = MarkdownIt().render(block + "after\n")
    assert html_out.count("<pre>") == 1 and "<script>" not in html_out and "<h1>" not in html_out
    assert html.unescape(re.search(r"<code[^>]*>(.*)</code>", html_out, re.S).group(1)) == (
        "Hi,\n```\n<script>alert(1)</script>\n````` not the end\n# heading\nred\n"
    )
    assert html_out.endswith("<p>after</p>\n")
    assert markdown_block("") == "```text\n```\n"
    assert markdown_block("x", info="") == "```\nx\n```\n"


def test_markdown_anchor_matches_github() -> None:
    assert markdown_anchor("Hello, World!") == "hello-world"
    assert markdown_anchor("C++ & Python") == "c--python"
    assert markdown_anchor("Über straße 2024-05") == "über-straße-2024-05"
    assert markdown_anchor("emoji 🎉 party") == "emoji--party"
    assert markdown_anchor("snake_case (b)(6)") == "snake_case-b6"
    seen: dict[str, int] = {}
    assert [markdown_anchor(h, seen) for h in ("Notes", "Notes", "Notes-1", "Notes")] == [
        "notes", "notes-1", "notes-1-1", "notes-2",
    ]


# -- properties -------------------------------------------------------------------------------

HOSTILE_ALPHABET = st.characters(codec="utf-8") | st.sampled_from(
    list("\x1b\x07\x9b\x9d\x00\r\n\t|`*_[]<>&\\#-+=@!()~$\u202e\u2066\u2028") + ["\x1b[31m", OSC52, "1. ", "<b>"]
)
hostile_text = st.lists(HOSTILE_ALPHABET, max_size=40).map("".join)
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@settings(max_examples=200, deadline=None)
@given(hostile_text)
def test_terminal_safe_leaves_no_control(text: str) -> None:
    once = terminal_safe(text, multiline=False)
    assert not _UNSAFE.search(once) and "\n" not in once and "\t" not in once
    assert terminal_safe(once, multiline=False) == once


@settings(max_examples=200, deadline=None)
@given(hostile_text)
def test_csv_cells_never_start_a_formula(text: str) -> None:
    cell = csv_safe(text)
    stripped = cell.lstrip()
    assert not _UNSAFE.search(cell)
    assert cell.startswith("'") or not stripped.startswith(FORMULA_START) or re.fullmatch(r" *-[\d.eE+-]+ *", cell)


@settings(max_examples=200, deadline=None)
@given(hostile_text)
def test_markdown_inline_renders_as_exactly_the_text(text: str) -> None:
    escaped = markdown_inline(text)
    expected = terminal_safe(text, multiline=False).strip()
    table = MarkdownIt().enable("table").render(f"| a | b |\n| --- | --- |\n| {escaped} | z |\n")
    cells = re.findall(r"<td>(.*?)</td>", table, re.S)
    assert len(cells) == 2 and cells[1] == "z"
    assert "<" not in cells[0]
    assert html.unescape(cells[0]) == expected
    if expected:
        paragraph = MarkdownIt().render(escaped + "\n")
        inner = re.fullmatch(r"<p>(.*)</p>\n", paragraph, re.S)
        assert inner and "<" not in inner.group(1) and html.unescape(inner.group(1)) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries({"id": st.text(max_size=5), "subject": hostile_text}), max_size=5))
def test_machine_formats_round_trip(rows: list[dict[str, str]]) -> None:
    columns = [Column("id", "ID", "id"), Column("subject", "Subject")]
    assert [json.loads(line) for line in rendered("ndjson", rows=rows, columns=columns).split("\n")[:-1]] == rows
    assert json.loads(rendered("json", rows=rows, columns=columns)) == rows
    tsv = rendered("tsv", rows=rows, columns=columns).split("\n")
    assert len(tsv) == len(rows) + 2 and all(line.count("\t") == 1 for line in tsv[:-1])
    assert len(list(csv.reader(io.StringIO(rendered("csv", rows=rows, columns=columns))))) == len(rows) + 1
