"""Markdown reports a reporter can publish from or attach to an appeal: summary, threads, citations."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from ..analysis.threadview import thread_tree
from ..index.documents import message_date_texts, message_marks
from ..index.query import Filters, message_records, thread_records
from ..mail.dates import from_iso
from .escape import markdown_anchor, markdown_block, markdown_inline, terminal_safe
from .graphs import mermaid_label


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


def summary_markdown(data: dict) -> str:
    """The corpus summary as a markdown section."""
    d = data
    dup = d["duplicates"]
    lines = [
        "## Summary",
        "",
        _table(
            ["What", "Count"],
            [
                ["Distinct messages", str(d["messages"])],
                ["Files read", str(d["files"])],
                ["Copies found (sources)", str(d["sources"])],
                ["Items that could not be read", str(d["problems"])],
                ["Documents not email", str(d.get("documents_not_email", 0))],
                ["Threads", str(d["threads"])],
                ["People", str(d["people"])],
                ["Organisations", str(d["organisations"])],
                ["First message", _md((d["first"] or "")[:10])],
                ["Last message", _md((d["last"] or "")[:10])],
                ["Messages with more than one copy", str(dup["messages_with_copies"])],
                ["Near-duplicates", str(dup["near_duplicates"])],
                ["Recovered from quoted history (withheld?)", str(d["recovered"])],
                ["Referenced but not in the release", str(d["referenced_not_in_dump"])],
                ["Redaction marks", str(d["redactions"]["marks"])],
            ],
        ),
    ]
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


def thread_section(conn: sqlite3.Connection, thread: dict, opts: ReportOptions, anchors: dict[str, int], level: int = 2) -> tuple[str, str]:
    """One thread's section; returns (heading text, markdown)."""
    from ..mail.marks.redactions import describe

    messages = list(message_records(conn, where=("m.thread_id = ?", [thread["id"]]), body="full"))
    tree = thread_tree(conn, thread["id"], messages)
    marks = message_marks(conn, (m["id"] for m in messages))
    date_texts = message_date_texts(conn, (m["id"] for m in messages))
    heading = f"Thread {thread['id']}: {thread['subject'] or '(no subject)'}"
    anchor = markdown_anchor(heading, anchors)
    h = "#" * level
    out = [f'<a id="{anchor}"></a>', "", f"{h} {_md(heading)}", ""]
    participants: dict[str, str] = {}
    for m in messages:
        for a in [m["from"], *m["to"], *m["cc"]]:
            label = a.label()
            if label:
                participants.setdefault(label, label)
    reds: dict[str, int] = {}
    for m in messages:
        if m["duplicate_of"]:
            continue  # a near-duplicate repeats its original's marks; count them once, as `redactions` does
        for r in m["redactions"]:
            reds[r["code"]] = reds.get(r["code"], 0) + 1
    out.append(
        f"{len(messages)} messages from {_md(_when(thread['first'], opts.tz))} to {_md(_when(thread['last'], opts.tz))}; "
        f"{thread['recovered']} recovered from quoted history; {thread['missing']} referenced but not in the release."
    )
    out.append("")
    out.append("**Participants:** " + (", ".join(_md(p) for p in sorted(participants)) or "none identified"))
    out.append("")
    if reds:
        out.append("**Redactions:** " + ", ".join(f"{_md(k)} × {v} ({_md(describe(k))})" for k, v in sorted(reds.items())))
        out.append("")
    # Timeline table
    number = {m["id"]: i + 1 for i, m in enumerate(messages)}
    out.append(f"{h}# Timeline")
    out.append("")
    rows = []
    for m in messages:
        flags = []
        if m["recovered"]:
            flags.append("recovered from a quote")
        if m["duplicate_of"]:
            flags.append(f"near-duplicate of #{number.get(m['duplicate_of'], '?')}")
        if m["date_status"] != "ok":
            flags.append(f"date {m['date_status']}")
        rows.append([
            str(number[m["id"]]), _md(_when(m["date"], opts.tz, m["date_status"])), _md(m["from"].label()),
            _md(", ".join(a.label() for a in m["to"])), _md(m["subject"]), _md("; ".join(flags)),
        ])
    out.append(_table(["#", "Date", "From", "To", "Subject", "Notes"], rows))
    # Mermaid diagrams: reply tree and timeline
    out.append(f"{h}# Reply tree")
    out.append("")
    out.append("```mermaid")
    out.append("flowchart TD")
    placeholder_ids: dict[str, str] = {}

    def node_id(key: str) -> str:
        if key in number:
            return f"n{number[key]}"
        return placeholder_ids.setdefault(key, f"p{len(placeholder_ids) + 1}")

    for node in tree.walk():
        nid = node_id(node.id)
        if node.record is None:
            label = mermaid_label(f"missing: {node.id[3:]}")
            out.append(f'  {nid}(["{label}"])')
        else:
            label = mermaid_label(f"#{number[node.id]} {node.record['from'].label() or '?'} {(node.record['date'] or '')[:10]}")
            shape = ('[/"', '"/]') if node.kind == "recovered" else ('["', '"]')
            out.append(f"  {nid}{shape[0]}{label}{shape[1]}")
        for child in node.children:
            cid = node_id(child.id)
            out.append(f"  {nid} -->|{mermaid_label(child.how or 'header')}| {cid}")
    out.append("```")
    out.append("")
    dated = [m for m in messages if m["date"]]
    if dated:
        out.append("```mermaid")
        out.append("timeline")
        out.append(f"  title {mermaid_label(thread['subject'] or thread['id'])}")
        for m in dated:
            out.append(f"  {m['date'][:16].replace('T', ' ').replace(':', '#58;')} : #{number[m['id']]} {mermaid_label(m['from'].label() or '?')}")
        out.append("```")
        out.append("")
    # Messages
    out.append(f"{h}# Messages")
    out.append("")
    for m in messages:
        out.append(f"{h}## #{number[m['id']]} {_md(m['from'].label() or '(no sender)')}, {_md(_when(m['date'], opts.tz, m['date_status']))}")
        out.append("")
        facts = [
            f"- **Id:** `{_code(m['id'])}`" + (f" (Message-ID `{_code(m['message_id'])}`)" if m["message_id"] else " (no Message-ID)"),
            f"- **To:** {_md(', '.join(a.label() for a in m['to'])) or 'none'}",
        ]
        if m["cc"]:
            facts.append(f"- **Cc:** {_md(', '.join(a.label() for a in m['cc']))}")
        facts.append(f"- **Subject:** {_md(m['subject'])}")
        if m["recovered"]:
            facts.append("- **Recovered:** this message is not in the release; it was rebuilt from quoted history in a later message.")
        if m["parent"] and m["parent"] in number:
            facts.append(f"- **Reply to:** #{number[m['parent']]}")
        if m["attachments"]:
            facts.append("- **Attachments:** " + "; ".join(f"{_md(a['name'])} ({a['size']} bytes, sha256 `{a['sha256'][:12]}…`)" for a in m["attachments"]))
        cites = []
        for s in m["sources"]:
            cite = f"`{_code(s['path'])}`" + (f" at `{_code(s['locator'])}`" if s["locator"] else "")
            if s.get("provenance"):
                cite += " (" + ", ".join(_md(p) for p in s["provenance"]) + ")"
            cites.append(cite)
        facts.append("- **Found in:** " + ("; ".join(cites) if cites else "nowhere (placeholder)"))
        if marks.get(m["id"]):
            facts.append("- **Release marks:** " + "; ".join(_md(mark) for mark in marks[m["id"]]))
        if date_texts.get(m["id"]) and m["date_status"] in ("suspect", "year-inferred"):
            facts.append(f"- **Date as printed:** {_md(date_texts[m['id']])} ({_md(m['date_status'])})")
        out.extend(facts)
        out.append("")
        text = m["body"] if opts.full_bodies else (m.get("new_text") or m["body"])
        out.append(markdown_block(text.strip() or "(no text)"))
        out.append("")
        if not opts.full_bodies and m.get("new_text") is not None and m["body"].strip() != (m.get("new_text") or "").strip():
            repeats = [number[c["id"]] for c in messages if c["id"] == m["parent"]]
            pointer = f" (it repeats message #{repeats[0]})" if repeats else ""
            out.append(f"*Quoted history collapsed{pointer}.*")
            out.append("")
    return heading, "\n".join(out) + "\n"


def build_report(conn: sqlite3.Connection, filters: Filters | None, opts: ReportOptions, summary: dict) -> str:
    """The whole report as one markdown document, with a table of contents that links."""
    anchors: dict[str, int] = {}
    threads = list(thread_records(conn, filters, sort="first"))
    sections = [thread_section(conn, t, opts, anchors) for t in threads]
    out = [f"# {_md(opts.title)}", "", "## Contents", ""]
    out.append(f"- [Summary](#{markdown_anchor('Summary', {})})")
    for heading, body in sections:
        anchor = body.split('"', 2)[1]
        out.append(f"- [{_md(heading)}](#{anchor})")
    out.append("")
    out.append(summary_markdown(summary))
    for _, body in sections:
        out.append(body)
    return "\n".join(out)


def write_split(conn: sqlite3.Connection, filters: Filters | None, opts: ReportOptions, summary: dict, directory: Path) -> list[Path]:
    """One file per thread plus index.md; never writes outside ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    index = [f"# {_md(opts.title)}", "", summary_markdown(summary), "## Threads", ""]
    for t in thread_records(conn, filters, sort="first"):
        name = f"thread-{t['id']}.md"
        heading, body = thread_section(conn, t, opts, {}, level=1)
        path = directory / name
        path.write_text(body, encoding="utf-8")
        written.append(path)
        index.append(f"- [{_md(heading)}]({name}) ({t['messages']} messages)")
    index_path = directory / "index.md"
    index_path.write_text("\n".join(index) + "\n", encoding="utf-8")
    written.append(index_path)
    return written
