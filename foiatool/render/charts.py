"""Terminal drawings: activity bars, the summary screen, and reply trees (Rich, markup off)."""
from __future__ import annotations

from datetime import tzinfo
from typing import Any

from .escape import terminal_safe


def _text(value: Any) -> str:
    return terminal_safe("" if value is None else str(value), multiline=False)


def activity_chart(console, rows: list[dict], title: str = "Messages", width: int | None = None) -> None:
    """One bar per period, scaled to the busiest; empty periods drawn empty so gaps show.

    A "Guessed" column appears when some dates had to be guessed, so the reader
    knows which bars rest partly on them; undated messages get their own row.
    """
    from rich.table import Table
    from rich.text import Text

    if not rows:
        console.print(Text(f"{title}: no messages match"))
        return
    show_guessed = any(r.get("guessed") for r in rows)
    table = Table(title=title, show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("Period", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("Msgs", justify="right")
    table.add_column("Senders", justify="right")
    if show_guessed:
        table.add_column("Guessed", justify="right")
    if width is None:
        # what the period, count and sender columns need; the bars get the rest, up to 50 cells
        label = max((len(str(r["period"])) for r in rows if not r.get("quiet")), default=7)
        width = max(10, min(50, console.width - label - (30 if show_guessed else 21)))
    top = max((r["messages"] for r in rows if r.get("messages")), default=0) or 1
    for r in rows:
        if r.get("quiet"):
            # A folded run of empty periods: one dim row that says how long the silence was.
            # The words go in the bar column: a long label in the period column would widen it for every row.
            cells: list[Text | str] = [Text("⋮", style="dim"), Text(_text(r["period"]), style="dim"), "", ""]
            if show_guessed:
                cells.append("")
            table.add_row(*cells)
            continue
        n = r.get("messages") or 0
        length = 0 if n == 0 else max(1, round(n * width / top))
        cells = [Text(_text(r["period"])), Text("█" * length, style="cyan"), str(n), "" if r.get("senders") is None else str(r["senders"])]
        if show_guessed:
            cells.append("" if not r.get("guessed") else str(r["guessed"]))
        table.add_row(*cells)
    console.print(table)


def quiet_periods_table(console, rows: list[dict], tz: tzinfo | None = None) -> None:
    """The quiet periods under the activity chart, one small table per person or thread."""
    from rich.table import Table
    from rich.text import Text

    from .values import cell_text

    if not rows:
        console.print(Text("Quiet periods: none (no silence much longer than the usual rhythm)"))
        return
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["scope"], r["id"]), []).append(r)
    for (scope, key), members in groups.items():
        name = members[0].get("name")
        who = f"{name} ({key})" if name else key
        table = Table(title=_text(f"Quiet periods of {scope} {who}"), title_justify="left", show_header=True,
                      header_style="bold", box=None, pad_edge=False)
        for header in ("Silent from", "Until"):
            table.add_column(header, no_wrap=True)
        for header in ("Days", "Usual gap", "Guessed in gap"):
            table.add_column(header, justify="right", no_wrap=True)
        for r in members:
            table.add_row(
                Text(_text(cell_text(r["start"], human=True, kind="date", tz=tz))),
                Text(_text(cell_text(r["end"], human=True, kind="date", tz=tz))),
                f"{r['days']:g}",
                f"{r['usual_gap_days']:g} days",
                str(r["guessed_in_gap"]) if r["guessed_in_gap"] else "",
            )
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
            *_count_rows(d),
            ("Dates", f"{_day(d['first'], tz)} to {_day(d['last'], tz)}  ({d['guessed_dates']} guessed, {d.get('inferred_dates', 0)} zone inferred)"),
            ("Monthly", _monthly_line(d["monthly"], d["sparkline"])),
            ("Threads", f"{d['threads']}  (sizes: " + ", ".join(f"{k}: {v}" for k, v in d["thread_sizes"].items()) + ")"),
            ("People", f"{d['people']} in {d['organisations']} organisations ({d['parent_organisations']} parent organisations)"),
            ("Copies", f"{d['sources']} copies found ({kinds}); {dup['messages_with_copies']} messages found more than once"),
            ("Withheld?", f"{d['referenced_not_in_dump']} messages referenced but not in the dump"),
            ("Redactions", f"{d['redactions']['marks']} marks in {d['redactions']['messages']} messages"
             + (" (" + ", ".join(f"{k}: {v}" for k, v in d["redactions"]["by_code"].items()) + ")" if d["redactions"]["by_code"] else "")),
            *([("Release stamps", "documents stamped " + ", ".join(
                f"{k}: {v}" for k, v in d["redactions"]["release_stamps"].items()))]
              if d["redactions"].get("release_stamps") else []),
        ],
    )
    parts = [overview]
    parts.append(list_table("Largest threads", ["Thread", "Subject", "Msgs"], [[t["id"], t["subject"], t["messages"]] for t in d["largest_threads"]]))
    parts.append(list_table("Top senders", ["Person", "Name", "Msgs"], [[p["id"], p["name"], p["messages"]] for p in d["top_senders"]]))
    parts.append(list_table("Top recipients", ["Person", "Name", "Msgs"], [[p["id"], p["name"], p["messages"]] for p in d["top_recipients"]]))
    parts.append(list_table("Organisations", ["Domain", "Organisation", "Part of", "Msgs"],
                            [[o["org"], o["label"], o["parent_label"] if o["parent"] != o["org"] else "", o["messages"]] for o in d["top_organisations"]]))
    parts.append(list_table("Most central people", ["Person", "Name", "Correspondents", "Msgs"],
                            [[p["id"], p["name"], p["correspondents"], p["messages"]] for p in d["central_people"]]))
    parts.append(list_table("Busiest days", ["Day", "Msgs"], [[x["day"], x["messages"]] for x in d["busiest_days"]]))
    console.print(Panel(Group(*[_spaced(p) for p in parts]), title="foiatool summary", title_align="left"))


def _count_rows(d: dict) -> list[tuple[str, str]]:
    """The shared headline counts (analysis/counts.py), one row each, in their order and words."""
    from ..analysis.counts import COUNT_LABELS

    counts = d.get("counts") or {}
    notes = {
        "files_read": f" of {counts.get('files', 0)} files found",
        "messages": " (each printed or exported copy counted)",
        "distinct": " (duplicates counted once)",
        "problems": " (see 'foiatool problems')" if counts.get("problems") else "",
        "not_email": " (see 'foiatool documents')" if counts.get("not_email") else "",
    }
    return [(label[0].upper() + label[1:], f"{counts.get(key, 0)}{notes.get(key, '')}")
            for key, label in COUNT_LABELS if key != "files"]


def _day(value: str | None, tz: tzinfo | None) -> str:
    """A stored UTC timestamp as the day it was in the user's zone."""
    from ..mail.dates import from_iso, to_zone

    moment = to_zone(from_iso(value), tz)
    return moment.strftime("%Y-%m-%d") if moment is not None else "?"


# A run of this many months or more without mail is drawn as one "┆": a stray
# date decades away (a sender's clock) would otherwise stretch the line across the screen.
_LONG_SILENCE = 12


def _monthly_line(monthly: list[dict], line: str) -> str:
    """The monthly sparkline between its first and last month, long empty runs folded."""
    from itertools import groupby

    if not line:
        return "-"
    pieces = []
    for char, run in groupby(line):
        length = len(list(run))
        pieces.append("┆" if char == " " and length >= _LONG_SILENCE else char * length)
    folded = "".join(pieces)
    note = "  (┆: a year or more without mail)" if folded != line else ""
    return f"{monthly[0]['month']} {folded} {monthly[-1]['month']}{note}"


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
