"""Terminal drawings: activity bars, the summary screen, and reply trees (Rich, markup off)."""
from __future__ import annotations

from datetime import tzinfo
from typing import Any

from .escape import terminal_safe


def _text(value: Any) -> str:
    return terminal_safe("" if value is None else str(value), multiline=False)


def activity_chart(console, rows: list[dict], title: str = "Messages", width: int = 50) -> None:
    """One bar per period, scaled to the busiest; empty periods drawn empty so gaps show."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("Period", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("Msgs", justify="right")
    table.add_column("Senders", justify="right")
    top = max((r["messages"] for r in rows if r.get("messages")), default=0) or 1
    for r in rows:
        n = r.get("messages") or 0
        length = 0 if n == 0 else max(1, round(n * width / top))
        table.add_row(Text(_text(r["period"])), Text("█" * length, style="cyan"), str(n), "" if r.get("senders") is None else str(r["senders"]))
    console.print(table)


def summary_screen(console, data: dict, tz: tzinfo | None = None) -> None:
    """The `foiatool summary` screen."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    def kv_table(title: str, rows: list[tuple[str, str]]) -> Table:
        t = Table(title=title, title_justify="left", show_header=False, box=None, pad_edge=False)
        t.add_column(style="bold", no_wrap=True)
        t.add_column()
        for k, v in rows:
            t.add_row(Text(k), Text(_text(v)))
        return t

    def list_table(title: str, headers: list[str], rows: list[list[Any]]) -> Table:
        t = Table(title=title, title_justify="left", box=None, pad_edge=False, header_style="bold")
        for i, h in enumerate(headers):
            t.add_column(h, justify="right" if i == len(headers) - 1 else "left", overflow="ellipsis", max_width=48)
        for row in rows:
            t.add_row(*[Text(_text(c)) for c in row])
        return t

    d = data
    dup = d["duplicates"]
    kinds = ", ".join(f"{n} {k or 'other'}" for k, n in d["source_kinds"].items())
    overview = kv_table(
        "Release",
        [
            ("Messages", f"{d['messages']} distinct, from {d['files']} files ({d['sources']} copies: {kinds})"),
            ("Problems", f"{d['problems']} items could not be read" + (" (see 'foiatool problems')" if d["problems"] else "")),
            ("Dates", f"{(d['first'] or '?')[:10]} to {(d['last'] or '?')[:10]}  ({d['guessed_dates']} guessed, {d['undated']} undated)"),
            ("Monthly", d["sparkline"] or "-"),
            ("Threads", f"{d['threads']}  (sizes: " + ", ".join(f"{k}: {v}" for k, v in d["thread_sizes"].items()) + ")"),
            ("People", f"{d['people']} in {d['organisations']} organisations ({d['parent_organisations']} parent organisations)"),
            ("Duplicates", f"{dup['messages_with_copies']} messages found more than once ({dup['extra_copies']} extra copies); {dup['near_duplicates']} near-duplicates"),
            ("Withheld?", f"{d['recovered']} messages recovered from quoted history; {d['referenced_not_in_dump']} referenced but not in the dump"),
            ("Redactions", f"{d['redactions']['marks']} marks in {d['redactions']['messages']} messages"
             + (" (" + ", ".join(f"{k}: {v}" for k, v in d["redactions"]["by_code"].items()) + ")" if d["redactions"]["by_code"] else "")),
        ],
    )
    parts = [overview]
    parts.append(list_table("Largest threads", ["Thread", "Subject", "Msgs"], [[t["id"], t["subject"], t["messages"]] for t in d["largest_threads"]]))
    parts.append(list_table("Top senders", ["Person", "Name", "Msgs"], [[p["id"], p["name"], p["messages"]] for p in d["top_senders"]]))
    parts.append(list_table("Top recipients", ["Person", "Name", "Msgs"], [[p["id"], p["name"], p["messages"]] for p in d["top_recipients"]]))
    parts.append(list_table("Organisations", ["Domain", "Organisation", "Part of", "Msgs"],
                            [[o["org"], o["label"], o["parent_label"] if o["parent"] != o["org"] else "", o["messages"]] for o in d["top_organisations"]]))
    parts.append(list_table("Most central people", ["Person", "Name", "Msgs"], [[p["id"], p["name"], p["messages"]] for p in d["central_people"]]))
    parts.append(list_table("Busiest days", ["Day", "Msgs"], [[x["day"], x["messages"]] for x in d["busiest_days"]]))
    console.print(Panel(Group(*[_spaced(p) for p in parts]), title="foiatool summary", title_align="left"))


def _spaced(renderable):
    from rich.padding import Padding

    return Padding(renderable, (0, 0, 1, 0))


def reply_tree(console, tree, tz: tzinfo | None = None, lines: int | None = 3) -> None:
    """A thread as a Rich Tree: headline per message, marks, and its first lines of new text."""
    from rich.text import Text
    from rich.tree import Tree

    root = Tree(Text(_text(f"Thread {tree.thread_id}: {tree.subject}"), style="bold"))

    def add(parent, node, subject: str) -> None:
        label = Text(_text(node.headline(tz)), style="dim" if node.kind == "placeholder" else ("yellow" if node.kind == "recovered" else ""))
        marks = node.marks()
        if marks:
            label.append("  (" + _text("; ".join(marks)) + ")", style="magenta")
        rec = node.record or {}
        if rec.get("subject") and rec["subject"] != subject:
            label.append("\nSubject: " + _text(rec["subject"]), style="bold")
        for ln in node.text_lines(lines):
            label.append("\n" + _text(ln), style="")
        branch = parent.add(label)
        for child in node.children:
            add(branch, child, rec.get("subject", subject))

    for r in tree.roots:
        add(root, r, tree.subject)
    console.print(root)
