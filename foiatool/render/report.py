"""Markdown reports a reporter can publish from or attach to an appeal: summary, threads, citations."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from ..analysis.citations import Citer
from ..analysis.threadview import ThreadTree, thread_tree
from ..index.documents import message_date_texts, message_marks
from ..index.query import Filters, message_records, thread_records
from ..mail.dates import from_iso
from .escape import markdown_anchor, markdown_block, markdown_inline, terminal_safe
from .graphs import mermaid_label

# A thread longer than this shows its messages folded in <details>; a Mermaid diagram keeps this many nodes.
COLLAPSE_OVER = 8
TREE_NODES = 40


def _md(text: object) -> str:
    return markdown_inline("" if text is None else str(text))


def _when(value: str | None, tz: tzinfo | None, status: str = "ok") -> str:
    when = from_iso(value)
    if when is None:
        return "date unknown"
    if status == "guessed":
        # A printed time whose zone nothing in the release shows: give it as printed.
        return when.strftime("%Y-%m-%d %H:%M") + " (as printed; zone unknown)"
    shown = when.astimezone(tz) if tz is not None else when
    text = shown.strftime("%Y-%m-%d %H:%M ") + (shown.strftime("%Z") or "UTC")
    return text + (" (zone inferred)" if status == "inferred" else "")


def _table(headers: list[str], rows: Iterable[list[str]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    for row in rows:
        out.append("| " + " | ".join(c if c else " " for c in row) + " |")
    return "\n".join(out) + "\n"


def summary_markdown(data: dict, counts: dict[str, int]) -> str:
    """The corpus summary as a markdown section; the release's counts in the words every command uses."""
    from ..analysis.counts import COUNT_LABELS

    d = data
    rows = [[label[:1].upper() + label[1:], str(counts[key])] for key, label in COUNT_LABELS if key in counts]
    rows += [
        ["Threads", str(d["threads"])],
        ["People", str(d["people"])],
        ["Organisations", str(d["organisations"])],
        ["First message", _md((d["first"] or "")[:10])],
        ["Last message", _md((d["last"] or "")[:10])],
        ["Referenced but not in the release", str(d["referenced_not_in_dump"])],
        ["Redaction marks", str(d["redactions"]["marks"])],
    ]
    lines = ["## Summary", "", _table(["What", "Count"], rows)]
    if d["redactions"]["by_code"]:
        from ..mail.marks.redactions import describe

        lines += ["### Redactions by exemption", "", _table(["Code", "Marks", "Meaning"], [[_md(k), str(v), _md(describe(k))] for k, v in d["redactions"]["by_code"].items()])]
    if d["redactions"].get("release_stamps"):
        lines += ["### Release stamps", "", _table(["Code", "Documents stamped"],
                                                   [[_md(k), str(v)] for k, v in d["redactions"]["release_stamps"].items()])]
    if d["top_senders"]:
        lines += ["### Top senders", "", _table(["Person", "Name", "Messages"], [[f"`{_code(p['id'], in_table=True)}`", _md(p["name"]), str(p["messages"])] for p in d["top_senders"]])]
    if d["monthly"]:
        lines += ["### Activity by month", "", _table(["Month", "Messages"], [[m["month"], str(m["messages"])] for m in d["monthly"]])]
    return "\n".join(lines) + "\n"


def _code(text: str, *, in_table: bool = False) -> str:
    """Text for a `code span`: one line (a line break could start a heading or end the list),
    no control characters, no backtick to close the span early, and in a table no bare pipe."""
    code = terminal_safe(str(text), multiline=False).replace("`", "'")
    return code.replace("|", "\\|") if in_table else code


@dataclass(slots=True)
class ReportOptions:
    title: str = "Email release report"
    tz: tzinfo | None = None
    full_bodies: bool = False
    max_threads: int | None = None     # keep the largest N threads (the rest are named in a note)
    collapse_over: int = COLLAPSE_OVER  # a thread with more messages shows them inside <details>
    tree_nodes: int = TREE_NODES       # Mermaid diagrams beyond this many nodes are cut, with a note


@dataclass(slots=True)
class ThreadData:
    """Everything a report shows of one thread, read once for the markdown and the HTML report."""

    thread: dict
    messages: list[dict]
    tree: ThreadTree
    number: dict[str, int]
    cites: dict[str, list[str]]
    marks: dict[str, list[str]]
    date_texts: dict[str, str]
    redactions: dict[str, int]
    participants: list[str]


def thread_data(conn: sqlite3.Connection, thread: dict, citer: Citer) -> ThreadData:
    messages = list(message_records(conn, where=("m.thread_id = ?", [thread["id"]]), body="full"))
    tree = thread_tree(conn, thread["id"], messages)
    participants: set[str] = set()
    reds: dict[str, int] = {}
    for m in messages:
        participants.update(a.label() for a in [m["from"], *m["to"], *m["cc"]] if a.label())
        if m["duplicate_of"]:
            continue  # a near-duplicate repeats its original's marks; count them once, as `redactions` does
        for r in m["redactions"]:
            reds[r["code"]] = reds.get(r["code"], 0) + 1
    return ThreadData(
        thread=thread, messages=messages, tree=tree,
        number={m["id"]: i + 1 for i, m in enumerate(messages)},
        cites={m["id"]: citer.message(m["id"]) for m in messages},
        marks=message_marks(conn, (m["id"] for m in messages)),
        date_texts=message_date_texts(conn, (m["id"] for m in messages)),
        redactions=dict(sorted(reds.items())), participants=sorted(participants),
    )


def choose_threads(conn: sqlite3.Connection, filters: Filters | None, max_threads: int | None) -> tuple[list[dict], int]:
    """The threads a report holds, oldest first, and how many matched: with ``max_threads``, the largest
    (most messages; the earlier one on a tie)."""
    threads = list(thread_records(conn, filters, sort="first"))
    total = len(threads)
    if max_threads is not None and total > max_threads:
        keep = {t["id"] for t in sorted(threads, key=lambda t: -t["messages"])[:max_threads]}
        threads = [t for t in threads if t["id"] in keep]
    return threads, total


def _tree_lines(data: ThreadData, limit: int) -> tuple[list[str], int]:
    """The Mermaid flowchart of the reply tree, at most ``limit`` nodes (the earliest, walking the tree
    from its roots), and how many nodes were left out."""
    nodes = list(data.tree.walk())
    kept = {n.id for n in nodes[:limit]}
    lines = ["flowchart TD"]
    placeholder_ids: dict[str, str] = {}

    def node_id(key: str) -> str:
        if key in data.number:
            return f"n{data.number[key]}"
        return placeholder_ids.setdefault(key, f"p{len(placeholder_ids) + 1}")

    for node in nodes[:limit]:
        nid = node_id(node.id)
        if node.record is None:
            lines.append(f'  {nid}(["{mermaid_label(f"missing: {node.id[3:]}")}"])')
        else:
            label = mermaid_label(f"#{data.number[node.id]} {node.record['from'].label() or '?'} {(node.record['date'] or '')[:10]}")
            shape = ('[/"', '"/]') if node.kind == "recovered" else ('["', '"]')
            lines.append(f"  {nid}{shape[0]}{label}{shape[1]}")
        for child in node.children:
            if child.id in kept:
                lines.append(f"  {nid} -->|{mermaid_label(child.how or 'header')}| {node_id(child.id)}")
    return lines, max(0, len(nodes) - limit)


def _flags(m: dict, number: dict[str, int]) -> str:
    flags = []
    if m["recovered"]:
        flags.append("recovered from a quote")
    if m["duplicate_of"]:
        flags.append(f"near-duplicate of #{number.get(m['duplicate_of'], '?')}")
    if m["date_status"] != "ok":
        flags.append(f"date {m['date_status']}")
    return "; ".join(flags)


def thread_section(data: ThreadData, opts: ReportOptions, anchors: dict[str, int], level: int = 2) -> tuple[str, str]:
    """One thread's section; returns (heading text, markdown)."""
    from ..mail.marks.redactions import describe

    thread, messages, number = data.thread, data.messages, data.number
    heading = f"Thread {thread['id']}: {thread['subject'] or '(no subject)'}"
    anchor = markdown_anchor(heading, anchors)
    h = "#" * level
    out = [f'<a id="{anchor}"></a>', "", f"{h} {_md(heading)}", ""]
    out.append(
        f"{len(messages)} messages from {_md(_when(thread['first'], opts.tz))} to {_md(_when(thread['last'], opts.tz))}; "
        f"{thread['recovered']} recovered from quoted history; {thread['missing']} referenced but not in the release."
    )
    out.append("")
    out.append("**Participants:** " + (", ".join(_md(p) for p in data.participants) or "none identified"))
    out.append("")
    if data.redactions:
        out.append("**Redactions:** " + ", ".join(f"{_md(k)} × {v} ({_md(describe(k))})" for k, v in data.redactions.items()))
        out.append("")
    out.append(f"{h}# Timeline")
    out.append("")
    rows = [[str(number[m["id"]]), _md(_when(m["date"], opts.tz, m["date_status"])), _md(m["from"].label()),
             _md(", ".join(a.label() for a in m["to"])), _md(m["subject"]), _md(_flags(m, number))] for m in messages]
    out.append(_table(["#", "Date", "From", "To", "Subject", "Notes"], rows))
    out.append(f"{h}# Reply tree")
    out.append("")
    tree, left_out = _tree_lines(data, opts.tree_nodes)
    out += ["```mermaid", *tree, "```", ""]
    if left_out:
        out += [f"*The diagram shows the first {opts.tree_nodes} messages of the reply tree; "
                f"{left_out} more are left out of it (all are in the timeline table above).*", ""]
    dated = [m for m in messages if m["date"]]
    if dated:
        out += ["```mermaid", "timeline", f"  title {mermaid_label(thread['subject'] or thread['id'])}"]
        for m in dated[: opts.tree_nodes]:
            out.append(f"  {m['date'][:16].replace('T', ' ').replace(':', '#58;')} : #{number[m['id']]} {mermaid_label(m['from'].label() or '?')}")
        out += ["```", ""]
        if len(dated) > opts.tree_nodes:
            out += [f"*The timeline diagram shows the first {opts.tree_nodes} of {len(dated)} dated messages.*", ""]
    out.append(f"{h}# Messages")
    out.append("")
    collapse = len(messages) > opts.collapse_over
    if collapse:
        # GitHub and most renderers read markdown inside <details> when blank lines surround it.
        out += ["<details>", f"<summary>{len(messages)} messages (click to open)</summary>", ""]
    for m in messages:
        out += _message_lines(m, data, opts, h)
    if collapse:
        out += ["</details>", ""]
    return heading, "\n".join(out) + "\n"


def _message_lines(m: dict, data: ThreadData, opts: ReportOptions, h: str) -> list[str]:
    number = data.number
    out = [f"{h}## #{number[m['id']]} {_md(m['from'].label() or '(no sender)')}, {_md(_when(m['date'], opts.tz, m['date_status']))}", ""]
    out.append(f"- **Id:** `{_code(m['id'])}`" + (f" (Message-ID `{_code(m['message_id'])}`)" if m["message_id"] else " (no Message-ID)"))
    out.append(f"- **To:** {_md(', '.join(a.label() for a in m['to'])) or 'none'}")
    if m["cc"]:
        out.append(f"- **Cc:** {_md(', '.join(a.label() for a in m['cc']))}")
    out.append(f"- **Subject:** {_md(m['subject'])}")
    if m["recovered"]:
        out.append("- **Recovered:** this message is not in the release; it was rebuilt from quoted history in a later message.")
    if m["parent"] and m["parent"] in number:
        out.append(f"- **Reply to:** #{number[m['parent']]}")
    if m["attachments"]:
        out.append("- **Attachments:** " + "; ".join(f"{_md(a['name'])} ({a['size']} bytes, sha256 `{a['sha256'][:12]}…`)" for a in m["attachments"]))
    cites = data.cites.get(m["id"]) or []
    out.append("- **Found in:** " + ("; ".join(_md(c) for c in cites) if cites else "nowhere (placeholder)"))
    if data.marks.get(m["id"]):
        out.append("- **Release marks:** " + "; ".join(_md(mark) for mark in data.marks[m["id"]]))
    if data.date_texts.get(m["id"]) and m["date_status"] in ("suspect", "year-inferred"):
        out.append(f"- **Date as printed:** {_md(data.date_texts[m['id']])} ({_md(m['date_status'])})")
    out.append("")
    text = m["body"] if opts.full_bodies else (m.get("new_text") or m["body"])
    out.append(markdown_block(text.strip() or "(no text)"))
    out.append("")
    if not opts.full_bodies and m.get("new_text") is not None and m["body"].strip() != (m.get("new_text") or "").strip():
        repeats = [number[c["id"]] for c in data.messages if c["id"] == m["parent"]]
        pointer = f" (it repeats message #{repeats[0]})" if repeats else ""
        out.append(f"*Quoted history collapsed{pointer}.*")
        out.append("")
    return out


def _left_out_note(shown: int, total: int) -> list[str]:
    if shown == total:
        return []
    return [f"*This report holds the {shown} largest of {total} threads (--max-threads {shown}); "
            "`foiatool threads` lists them all.*", ""]


def build_report(conn: sqlite3.Connection, filters: Filters | None, opts: ReportOptions, summary: dict) -> str:
    """The whole report as one markdown document, with a table of contents that links."""
    from ..analysis.counts import release_counts

    anchors: dict[str, int] = {}
    citer = Citer(conn)
    threads, total = choose_threads(conn, filters, opts.max_threads)
    sections = [thread_section(thread_data(conn, t, citer), opts, anchors) for t in threads]
    out = [f"# {_md(opts.title)}", "", "## Contents", ""]
    out.append(f"- [Summary](#{markdown_anchor('Summary', {})})")
    for (heading, body), t in zip(sections, threads, strict=True):
        anchor = body.split('"', 2)[1]
        out.append(f"- [{_md(heading)}](#{anchor}) ({t['messages']} messages)")
    out.append("")
    out += _left_out_note(len(threads), total)
    out.append(summary_markdown(summary, release_counts(conn)))
    for _, body in sections:
        out.append(body)
    return "\n".join(out)


def write_split(conn: sqlite3.Connection, filters: Filters | None, opts: ReportOptions, summary: dict, directory: Path) -> list[Path]:
    """One file per thread plus index.md; never writes outside ``directory``."""
    from ..analysis.counts import release_counts

    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    citer = Citer(conn)
    threads, total = choose_threads(conn, filters, opts.max_threads)
    index = [f"# {_md(opts.title)}", "", summary_markdown(summary, release_counts(conn)), "## Threads", "", *_left_out_note(len(threads), total)]
    for t in threads:
        name = f"thread-{t['id']}.md"
        heading, body = thread_section(thread_data(conn, t, citer), opts, {}, level=1)
        path = directory / name
        path.write_text(body, encoding="utf-8")
        written.append(path)
        index.append(f"- [{_md(heading)}]({name}) ({t['messages']} messages)")
    index_path = directory / "index.md"
    index_path.write_text("\n".join(index) + "\n", encoding="utf-8")
    written.append(index_path)
    return written
