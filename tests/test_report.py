"""The markdown report of the sample release, read back with a Markdown parser: headings, tables, anchors, Mermaid."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt
from test_cli_commands import index_samples, invoke, run_exe, truth  # noqa: F401 (fixture)

from foiatool.render.escape import markdown_anchor


def md(text: str) -> list:
    return MarkdownIt("commonmark").enable("table").parse(text)


def inline_text(token) -> str:
    return "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline"))


def headings(tokens: list) -> list[tuple[int, str]]:
    return [(int(t.tag[1]), inline_text(tokens[i + 1])) for i, t in enumerate(tokens) if t.type == "heading_open"]


def anchors(tokens: list) -> set[str]:
    """Every id a link can land on: GitHub's heading slugs (with -1, -2 on repeats) and explicit <a id>."""
    seen: dict[str, int] = {}
    found = {markdown_anchor(text, seen) for _, text in headings(tokens)}
    for t in tokens:
        for piece in [t, *(t.children or [])]:
            if piece.type in ("html_block", "html_inline"):
                found.update(re.findall(r'<a id="([^"]+)">', piece.content))
    return found


def links(tokens: list) -> list[tuple[str, str]]:
    """(text, href) of every link."""
    out = []
    for t in tokens:
        children = t.children or []
        for i, c in enumerate(children):
            if c.type == "link_open":
                text = []
                for d in children[i + 1:]:
                    if d.type == "link_close":
                        break
                    text.append(d.content)
                # markdown-it percent-encodes the href; a browser matches the decoded fragment.
                out.append(("".join(text), unquote(c.attrs["href"])))
    return out


def tables(tokens: list) -> list[tuple[list[str], list[list[str]]]]:
    out: list[tuple[list[str], list[list[str]]]] = []
    section = None
    for i, t in enumerate(tokens):
        if t.type == "table_open":
            out.append(([], []))
        elif t.type in ("thead_open", "tbody_open"):
            section = t.type
        elif t.type == "tr_open" and section == "tbody_open":
            out[-1][1].append([])
        elif t.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            (out[-1][0] if section == "thead_open" else out[-1][1][-1]).append(inline_text(t))
    return out


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index_samples(tmp_path_factory)


@pytest.fixture(scope="module")
def threads(db: Path) -> list[dict]:
    out = invoke("threads", "--db", str(db), "-f", "ndjson", "--body", "new").stdout
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture(scope="module")
def report(db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    target = tmp_path_factory.mktemp("report") / "report.md"
    proc = run_exe("report", "--db", str(db), "-o", str(target), "--title", "Secure Communities release")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b""
    assert str(target).encode() in proc.stderr
    return target.read_text(encoding="utf-8")


def test_report_to_stdout_equals_the_file(db: Path, report: str) -> None:
    assert invoke("report", "--db", str(db), "--title", "Secure Communities release").stdout == report


def test_headings_title_summary_and_a_section_per_thread(report: str, threads: list[dict]) -> None:
    tokens = md(report)
    heads = headings(tokens)
    assert heads[0] == (1, "Secure Communities release")
    assert sum(level == 1 for level, _ in heads) == 1
    assert (2, "Contents") in heads and (2, "Summary") in heads
    thread_heads = [text for level, text in heads if level == 2 and text.startswith("Thread ")]
    assert thread_heads == [f"Thread {t['id']}: {t['subject']}" for t in threads]
    # Each thread section has its timeline, reply tree and messages, one heading per message.
    for part in ("Timeline", "Reply tree", "Messages"):
        assert sum(1 for level, text in heads if level == 3 and text == part) == len(threads)
    message_heads = [text for level, text in heads if level == 4]
    assert len(message_heads) == sum(len(t["messages"]) for t in threads)


def test_every_contents_link_lands_on_an_anchor(report: str, threads: list[dict]) -> None:
    tokens = md(report)
    targets = anchors(tokens)
    toc = [(text, href) for text, href in links(tokens) if href.startswith("#")]
    assert len(toc) == 1 + len(threads)
    for text, href in toc:
        assert href[1:] in targets, (text, href)
    assert [text for text, _ in toc][1:] == [f"Thread {t['id']}: {t['subject']}" for t in threads]
    # Each thread's anchor is its own (two threads share a subject in the samples).
    assert len({href for _, href in toc}) == len(toc)


def test_summary_table_counts_match_the_index(report: str, db: Path) -> None:
    summary = json.loads(invoke("summary", "--db", str(db), "-f", "json").stdout)
    first = tables(md(report))[0]
    assert first[0] == ["What", "Count"]
    counts = dict(first[1])
    # The release's counts in the words every command uses (analysis/counts.py), the same numbers as summary.
    assert counts["Distinct messages"] == str(summary["counts"]["distinct"])
    assert counts["Messages"] == str(summary["counts"]["messages"])
    assert counts["Recovered from quoted history"] == str(summary["counts"]["recovered"])
    assert counts["Threads"] == str(summary["threads"])
    assert counts["Problems"] == str(summary["counts"]["problems"])
    assert counts["Redaction marks"] == str(summary["redactions"]["marks"])


def test_thread_sections_have_timeline_tables_and_citations(report: str, threads: list[dict], truth: dict) -> None:
    tokens = md(report)
    timelines = [(h, rows) for h, rows in tables(tokens) if h == ["#", "Date", "From", "To", "Subject", "Notes"]]
    assert [len(rows) for _, rows in timelines] == [len(t["messages"]) for t in threads]
    for (_, rows), thread in zip(timelines, threads, strict=True):
        assert [r[0] for r in rows] == [str(i + 1) for i in range(len(rows))]
        assert [r[4] for r in rows] == [m["subject"] for m in thread["messages"]]
        for row, message in zip(rows, thread["messages"], strict=True):
            if message["recovered"]:
                assert "recovered from a quote" in row[5]
    # Every message cites where it was found, relative to the dump: each source of act-1 appears as a reader
    # can check it (the file under dump/ or release/, the place inside it in words), never as a local path.
    act1 = next(m for m in truth["messages"] if m["key"] == "act-1")
    for loc in act1["locations"]:
        assert loc["path"].replace("_", "\\_") in report
    assert report.count("- **Found in:** ") == sum(len(t["messages"]) for t in threads)
    assert str(Path(__file__).resolve().parents[1]) not in report
    assert "quoted-in:" not in report and "pdf:page" not in report


def test_new_text_is_shown_and_quoted_history_collapsed(report: str, threads: list[dict]) -> None:
    tokens = md(report)
    bodies = [t.content for t in tokens if t.type == "fence" and t.info == "text"]
    assert len(bodies) == sum(len(t["messages"]) for t in threads)
    # A reply's block holds its new text only, and says which message its quoted history repeats.
    replies = [m for t in threads for m in t["messages"] if m["parent"] and m["body"]]
    assert replies
    assert "*Quoted history collapsed (it repeats message #" in report
    for m in replies[:5]:
        assert m["body"].strip().splitlines()[0] in report


def test_recovered_and_missing_messages_are_marked(report: str, threads: list[dict]) -> None:
    recovered = sum(t["recovered"] for t in threads)
    missing = sum(t["missing"] for t in threads)
    assert recovered and missing, "the samples hold both"
    assert report.count("- **Recovered:** ") == recovered
    # Missing messages are placeholders in the reply tree.
    assert report.count("missing#58; ") == missing


def test_redaction_counts_per_thread(report: str, db: Path) -> None:
    by_thread = {
        r["thread"]: r["marks"]
        for r in map(json.loads, invoke("redactions", "--db", str(db), "--by", "thread", "-f", "ndjson").stdout.splitlines())
    }
    sections = re.split(r'(?m)^<a id="thread-', report)[1:]
    assert len(sections) == len(invoke("threads", "--db", str(db), "-f", "ids").stdout.split())
    for section in sections:
        tid = section.split("-", 1)[0]
        line = re.search(r"(?m)^\*\*Redactions:\*\* (.*)$", section)
        marks = sum(int(n) for n in re.findall(r"× (\d+)", line.group(1))) if line else 0
        assert marks == by_thread.get(tid, 0), tid


MERMAID_NODE = re.compile(r'  ([np]\d+)(?:\["[^"\n]*"\]|\[/"[^"\n]*"/\]|\(\["[^"\n]*"\]\))')
MERMAID_EDGE = re.compile(r"  ([np]\d+) -->\|(header|quote|subject|[a-z-]+)\| ([np]\d+)")


def test_mermaid_reply_trees_and_timelines(report: str, threads: list[dict]) -> None:
    tokens = md(report)
    blocks = [t.content for t in tokens if t.type == "fence" and t.info == "mermaid"]
    trees = [b for b in blocks if b.startswith("flowchart TD\n")]
    timelines = [b for b in blocks if b.startswith("timeline\n")]
    assert len(trees) == len(threads)
    assert len(timelines) == sum(1 for t in threads if any(m["date"] for m in t["messages"]))
    for tree, thread in zip(trees, threads, strict=True):
        nodes, edges = set(), []
        for line in tree.splitlines()[1:]:
            node, edge = MERMAID_NODE.fullmatch(line), MERMAID_EDGE.fullmatch(line)
            assert node or edge, repr(line)
            if node:
                nodes.add(node.group(1))
            else:
                edges.append((edge.group(1), edge.group(3)))
        assert {f"n{i + 1}" for i in range(len(thread["messages"]))} <= nodes
        assert all(a in nodes and b in nodes for a, b in edges)
        assert len(edges) == len(nodes) - sum(1 for n in nodes if all(b != n for _, b in edges))
    for block in timelines:
        lines = block.splitlines()
        assert lines[1].startswith("  title ")
        assert all(re.fullmatch(r"  \d{4}-\d\d-\d\d \d\d#58;\d\d : #\d+ [^:\n]+", line) for line in lines[2:]), block


def test_split_writes_a_file_per_thread_and_an_index(db: Path, tmp_path: Path, threads: list[dict]) -> None:
    out = tmp_path / "split"
    result = invoke("report", "--db", str(db), "--split", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["index.md", *(f"thread-{t['id']}.md" for t in threads)])
    index_tokens = md((out / "index.md").read_text(encoding="utf-8"))
    file_links = [href for _, href in links(index_tokens)]
    assert sorted(file_links) == sorted(f"thread-{t['id']}.md" for t in threads)
    for href in file_links:
        page = md((out / href).read_text(encoding="utf-8"))
        heads = headings(page)
        assert heads[0][0] == 1 and heads[0][1].startswith("Thread ")
        assert any(t.type == "fence" and t.info == "mermaid" for t in page)
        for _, target in links(page):
            assert not target.startswith("#") or target[1:] in anchors(page)
    assert "Summary" in [text for _, text in headings(index_tokens)]


def test_split_and_output_file_together_is_a_usage_error(db: Path, tmp_path: Path) -> None:
    proc = run_exe("report", "--db", str(db), "--split", str(tmp_path / "a"), "-o", str(tmp_path / "b.md"))
    assert proc.returncode == 2
    assert not (tmp_path / "a").exists() and not (tmp_path / "b.md").exists()


def test_filters_choose_the_threads(db: Path, threads: list[dict]) -> None:
    text = invoke("report", "--db", str(db), "--subject", "detainer").stdout
    heads = [h for level, h in headings(md(text)) if level == 2 and h.startswith("Thread ")]
    assert heads and len(heads) < len(threads)
    assert all(any("detainer" in (m["subject"] or "").lower() for m in t["messages"])
               for t in threads if any(h.startswith(f"Thread {t['id']}:") for h in heads))


def test_thread_option_takes_message_ids_and_rejects_unknown_ones(db: Path, threads: list[dict]) -> None:
    big = max(threads, key=lambda t: len(t["messages"]))
    text = invoke("report", "--db", str(db), "--thread", big["messages"][-1]["id"]).stdout
    assert [h for level, h in headings(md(text)) if level == 2 and h.startswith("Thread ")] == [f"Thread {big['id']}: {big['subject']}"]
    bad = invoke("report", "--db", str(db), "--thread", "mnosuchmessage00")
    assert bad.exit_code == 2 and "no thread or message with id 'mnosuchmessage00'" in bad.stderr


def test_show_cites_sources_relative_to_the_dump(db: Path) -> None:
    tid = invoke("search", "subject:opt-out", "--db", str(db), "--threads", "-f", "ids").stdout.split()[0]
    out = invoke("show", tid, "--db", str(db), "-f", "text").stdout
    assert "release/ICE-2011-FOIA-000123.pdf, page" in out and "(Bates ICE-2011-FOIA-0001" in out
    assert "quoted in dump/mbox/morton_john.mbox, message " in out
    assert "quoted-in:" not in out and str(Path(__file__).resolve().parents[1]) not in out


def test_a_large_real_dump_gives_a_bounded_report(corpora: Path, tmp_path: Path) -> None:
    """2,400 real messages: --max-threads keeps the largest, long threads fold, Mermaid trees stay small."""
    ham = corpora / "spamassassin-ham"
    if not ham.is_dir():
        pytest.skip("spamassassin-ham not in the corpora folder")
    db = tmp_path / "ham.db"
    assert run_exe("index", str(ham), "--db", str(db), "-q").returncode == 0
    all_threads = [json.loads(line) for line in invoke("threads", "--db", str(db), "-f", "ndjson", "--columns", "id,messages").stdout.splitlines()]
    proc = run_exe("report", "--db", str(db), "--max-threads", "15")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode()
    tokens = md(text)
    shown = [h for level, h in headings(tokens) if level == 2 and h.startswith("Thread ")]
    assert len(shown) == 15
    sizes = sorted((len(t["messages"]) if isinstance(t["messages"], list) else t["messages"] for t in all_threads), reverse=True)
    assert f"the 15 largest of {len(all_threads)} threads" in text
    toc = [href for _, href in links(tokens) if href.startswith("#")]
    assert len(toc) == 16 and all(h[1:] in anchors(tokens) for h in toc)
    assert text.count("<details>") == sum(1 for n in sizes[:15] if n > 8)
    assert text.count("<details>") == text.count("</details>")
    for block in (t.content for t in tokens if t.type == "fence" and t.info == "mermaid"):
        nodes = [line for line in block.splitlines()[1:] if "-->" not in line and not line.startswith("  title")]
        assert len(nodes) <= 40
    if sizes[0] > 40:
        assert "more are left out of it (all are in the timeline table above)" in text
    assert str(ham) not in text
