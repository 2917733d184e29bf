"""search: snippets with the hit marked, clear messages for query mistakes, and --terms FILE over the sample release."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from test_cli_commands import index_samples, invoke


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index_samples(tmp_path_factory)


def test_json_rows_carry_a_snippet_with_the_hit_marked(db: Path) -> None:
    result = invoke("search", "detainer", "--db", str(db), "-f", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows
    for row in rows:
        assert "«" in row["snippet"] and "»" in row["snippet"]
        marked = row["snippet"].split("«", 1)[1].split("»", 1)[0]
        assert marked.lower().startswith("detainer")


def test_table_shows_the_hit_column(db: Path) -> None:
    result = invoke("search", '"records act"', "--db", str(db), "-f", "tsv")
    lines = result.stdout.splitlines()
    assert lines[0].split("\t")[-1] == "Hit"
    assert all("«records» «act»" in line.lower() or "«records act»" in line.lower() for line in lines[1:])


@pytest.mark.parametrize(("query", "says"), [
    ("AND", "AND is a search operator and needs a word or phrase before it"),
    ("detainer OR", "OR is a search operator and needs a word or phrase after it"),
    ("(detainer", "'(' in the search query is never closed"),
    ("detainer)", "')' in the search query has no '(' before it"),
    ('"records act', "never closed"),
    ("*", "'*' alone matches nothing"),
])
def test_query_mistakes_say_what_is_wrong_and_how_to_quote(db: Path, query: str, says: str) -> None:
    result = invoke("search", query, "--db", str(db))
    assert result.exit_code == 2
    assert says in result.stderr
    assert "fts5" not in result.stderr.lower()
    assert "double quotes" in result.stderr or "close the phrase" in result.stderr or "detain*" in result.stderr


def test_quoted_operator_and_a_group_beside_a_word_work(db: Path) -> None:
    assert invoke("search", '"AND"', "--db", str(db), "-f", "ids").exit_code == 0
    grouped = invoke("search", "detainer (weekly OR statistics)", "--db", str(db), "-f", "ids")
    both = invoke("search", "(weekly OR statistics) detainer", "--db", str(db), "-f", "ids")
    assert grouped.exit_code == 0 and grouped.stdout and sorted(grouped.stdout.split()) == sorted(both.stdout.split())


@pytest.fixture()
def terms(tmp_path: Path) -> Path:
    path = tmp_path / "terms.txt"
    path.write_text("# people and subjects to look for\nJohn Morton\n\ndetainer NOT weekly\n  \"records act\"\nnosuchwordanywhere\n",
                    encoding="utf-8")
    return path


def test_terms_file_reports_each_term_in_json(db: Path, terms: Path) -> None:
    result = invoke("search", "--terms", str(terms), "--db", str(db), "-f", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["term"] for r in rows] == ["John Morton", "detainer NOT weekly", '"records act"', "nosuchwordanywhere"]
    assert [r["line"] for r in rows] == [2, 4, 5, 6]
    for row in rows:
        # Each term's hits are exactly what a single search for its query finds.
        single = invoke("search", row["query"], "--db", str(db), "-f", "ids").stdout.split()
        assert sorted(row["message_ids"]) == sorted(single) and row["messages"] == len(single)
        threads = invoke("search", row["query"], "--db", str(db), "--threads", "-f", "ids").stdout.split()
        assert sorted(row["thread_ids"]) == sorted(threads) and row["threads"] == len(threads)
        assert row["people"] == len(row["people_hit"])
    assert rows[0]["query"] == '"John Morton"'  # plain words are one phrase
    assert rows[0]["messages"] > 0 and any(p["name"] == "John Morton" for p in rows[0]["people_hit"])
    assert rows[-1]["messages"] == rows[-1]["threads"] == rows[-1]["people"] == 0


@pytest.mark.parametrize("fmt", ["table", "tsv", "csv", "ndjson", "markdown", "ids"])
def test_terms_file_in_every_format(db: Path, terms: Path, fmt: str) -> None:
    result = invoke("search", "--terms", str(terms), "--db", str(db), "-f", fmt)
    assert result.exit_code == 0, result.output
    out = result.stdout
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [r["Term"] for r in rows][0] == "John Morton" and rows[-1]["Messages"] == "0"
    elif fmt == "ndjson":
        assert len(out.splitlines()) == 4
    elif fmt == "ids":
        assert out.splitlines() == ["John Morton", "detainer NOT weekly", '"records act"', "nosuchwordanywhere"]
    else:
        assert "John Morton" in out and "nosuchwordanywhere" in out


def test_a_bad_line_names_the_file_and_line(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("detainer\nfoo AND\n", encoding="utf-8")
    result = invoke("search", "--terms", str(path), "--db", str(db))
    assert result.exit_code == 2
    assert f"{path}, line 2: AND is a search operator" in result.stderr
    missing = invoke("search", "--terms", str(tmp_path / "none.txt"), "--db", str(db))
    assert missing.exit_code == 2 and "cannot read the terms file" in missing.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("# only a comment\n\n", encoding="utf-8")
    assert "holds no terms" in invoke("search", "--terms", str(empty), "--db", str(db)).stderr
    both = invoke("search", "detainer", "--terms", str(path), "--db", str(db))
    assert both.exit_code == 2 and "not both" in both.stderr


@pytest.mark.parametrize("query", ["detainer", "subject:detainer", 'from:morton OR "records act"'])
def test_short_rows_equal_the_whole_records_they_stand_for(db: Path, query: str) -> None:
    # The default columns come from one query (search_briefs); --columns with the recipients
    # takes the whole-record path. The shared columns must agree row for row, in rank order.
    short = invoke("search", query, "--db", str(db), "-f", "tsv", "--columns", "id,date,from,subject,hit,thread")
    whole = invoke("search", query, "--db", str(db), "-f", "tsv",
                   "--columns", "id,date,from,subject,hit,thread,to")
    assert short.exit_code == 0 and whole.exit_code == 0, short.stderr + whole.stderr
    short_rows = [line.split("\t") for line in short.stdout.splitlines()]
    whole_rows = [line.split("\t")[:6] for line in whole.stdout.splitlines()]
    assert len(short_rows) > 1
    assert short_rows == whole_rows


def test_a_subject_query_takes_its_snippet_from_the_subject(db: Path) -> None:
    rows = json.loads(invoke("search", "subject:detainer", "--db", str(db), "-f", "json").stdout)
    assert rows
    for row in rows:
        assert row["snippet"].replace("«", "").replace("»", "").strip("…").strip() in row["subject"]


def test_a_long_subject_is_cut_to_twelve_words_around_the_hit(tmp_path: Path) -> None:
    words = [f"word{i}" for i in range(30)]
    words[15] = "detainer"
    mail = tmp_path / "mail"
    mail.mkdir()
    (mail / "long.eml").write_text(
        "From: Ann Lee <ann.lee@agency.gov>\nTo: bob@agency.gov\nSubject: " + " ".join(words)
        + "\nDate: Tue, 08 Mar 2011 09:00:00 -0500\nMessage-ID: <long@agency.gov>\n\nBody.\n", encoding="ascii")
    db = tmp_path / "x.sqlite"
    assert invoke("index", str(mail), "--db", str(db)).exit_code == 0
    row, = json.loads(invoke("search", "subject:detainer", "--db", str(db), "-f", "json").stdout)
    snippet = row["snippet"]
    assert "«detainer»" in snippet and snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet.strip("…").split()) == 12
    assert snippet.strip("…").replace("«detainer»", "detainer") in row["subject"]


def test_a_phrase_hit_is_never_cut_in_half() -> None:
    from foiatool.index.search import snippet_of_highlight

    words = [f"w{i}" for i in range(30)]
    words[12:15] = ["«weekly", "detainer", "statistics»"]
    cut = snippet_of_highlight(" ".join(words))
    assert "«weekly detainer statistics»" in cut
    assert snippet_of_highlight("Re: «weekly»  report\n") == "Re: «weekly» report"
