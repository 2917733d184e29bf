"""The static HTML report: one self-contained page for readers who never open a terminal.

No JavaScript at all, nothing loaded from elsewhere (a Content-Security-Policy
says so to the browser too), every piece of text from the mail escaped with
``html.escape`` after control characters are removed, charts drawn as inline
SVG. Sections: summary counts, a timeline bar chart by month, redactions by
code, people, gaps, and the threads (long ones folded in ``<details>``), each
message linked to its source citation in the list of sources at the end.
"""
from __future__ import annotations

import html
import sqlite3
from collections.abc import Iterable

from ..analysis.citations import Citer
from ..index.query import Filters
from .escape import strip_controls
from .report import ReportOptions, ThreadData, _flags, _when, choose_threads, thread_data

__all__ = ["build_html", "bar_chart_svg"]

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:72rem;margin:0 auto;padding:1rem;line-height:1.4;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.2rem .4rem;text-align:left;vertical-align:top}
td.n{text-align:right}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem;border:1px solid #ddd}
nav li{margin:.1rem 0}.note{color:#555;font-style:italic}summary{cursor:pointer;font-weight:600}
svg{max-width:100%;height:auto}.bar{fill:#3b6ea5}.label{font-size:11px;fill:#333}
"""
# A report opened from disk must not reach the network: no scripts, no remote styles, fonts or images.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def esc(value: object) -> str:
    """Untrusted text made inert in HTML text and attribute values."""
    return html.escape(strip_controls("" if value is None else str(value)), quote=True)


def _table(headers: list[str], rows: Iterable[list[str]], numeric: Iterable[int] = ()) -> str:
    """A table whose cells are already-escaped HTML; columns in ``numeric`` are right-aligned."""
    right = set(numeric)
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{c}</td>' if i in right else f"<td>{c}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>\n"


def bar_chart_svg(items: list[tuple[str, int]], *, title: str, horizontal: bool = False) -> str:
    """A bar chart as inline SVG (well-formed XML); each bar's <title> gives its exact label and value."""
    if not items:
        return f'<p class="note">{esc(title)}: nothing to chart.</p>\n'
    peak = max(v for _, v in items) or 1
    if horizontal:
        row, width = 22, 640
        height = row * len(items) + 10
        parts = []
        for i, (label, value) in enumerate(items):
            y = 5 + i * row
            w = max(1.0, 440 * value / peak)
            parts.append(f'<rect class="bar" x="150" y="{y}" width="{w:.1f}" height="{row - 6}"><title>{esc(label)}: {value}</title></rect>'
                         f'<text class="label" x="145" y="{y + row - 10}" text-anchor="end">{esc(label[:24])}</text>'
                         f'<text class="label" x="{150 + w + 4:.1f}" y="{y + row - 10}">{value}</text>')
    else:
        width, height, base = 720, 220, 180
        step = 680 / len(items)
        parts = [f'<line x1="30" y1="{base}" x2="{30 + 680}" y2="{base}" stroke="#999"/>',
                 f'<text class="label" x="2" y="20">{peak}</text>']
        for i, (label, value) in enumerate(items):
            h = 160 * value / peak
            x = 30 + i * step
            parts.append(f'<rect class="bar" x="{x:.1f}" y="{base - h:.1f}" width="{max(0.5, step * 0.85):.1f}" height="{h:.1f}">'
                         f"<title>{esc(label)}: {value}</title></rect>")
            # Label the first bar and each January (or every bar when there are few) so the axis stays readable.
            if len(items) <= 12 or i == 0 or label.endswith("-01"):
                parts.append(f'<text class="label" x="{x:.1f}" y="{base + 14 + (i % 2) * 12}">{esc(label)}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
            f"<title>{esc(title)}</title>{''.join(parts)}</svg>\n")


def _summary(counts: dict[str, int], data: dict) -> str:
    from ..analysis.counts import COUNT_LABELS

    rows = [[esc(label[:1].upper() + label[1:]), str(counts[key])] for key, label in COUNT_LABELS if key in counts]
    rows += [["Threads", str(data["threads"])], ["People", str(data["people"])],
             ["First message", esc((data["first"] or "")[:10])], ["Last message", esc((data["last"] or "")[:10])],
             ["Referenced but not in the release", str(data["referenced_not_in_dump"])],
             ["Redaction marks", str(data["redactions"]["marks"])]]
    return '<h2 id="summary">Summary</h2>\n' + _table(["What", "Count"], rows, numeric=[1])


def _timeline(data: dict) -> str:
    monthly = [(m["month"], int(m["messages"])) for m in data["monthly"]]
    return ('<h2 id="timeline">Timeline</h2>\n<p>Messages per month (dated messages only).</p>\n'
            + bar_chart_svg(monthly, title="Messages per month"))


def _redactions(data: dict) -> str:
    from ..mail.marks.redactions import describe

    by_code = data["redactions"]["by_code"]
    out = ['<h2 id="redactions">Redactions</h2>\n']
    out.append(bar_chart_svg([(k, int(v)) for k, v in by_code.items()], title="Redaction marks by exemption code", horizontal=True))
    if by_code:
        out.append(_table(["Code", "Marks", "Meaning"], [[esc(k), str(v), esc(describe(k))] for k, v in by_code.items()], numeric=[1]))
    return "".join(out)


def _people(conn: sqlite3.Connection, filters: Filters | None, limit: int = 100) -> str:
    from ..analysis.people import people_records

    people = people_records(conn, filters, sort="messages")
    rows = [[esc(p["name"]), esc(", ".join(p["emails"])), esc(p.get("unit_label") or p.get("org_label") or ""),
             str(p["sent"]), str(p["received"]), esc((p["first"] or "")[:10]), esc((p["last"] or "")[:10])]
            for p in people[:limit]]
    note = f'<p class="note">The {limit} most involved of {len(people)} people.</p>\n' if len(people) > limit else ""
    return ('<h2 id="people">People</h2>\n' + note
            + _table(["Name", "Addresses", "Organisation", "Sent", "Received", "First", "Last"], rows, numeric=[3, 4]))


def _gaps(conn: sqlite3.Connection, filters: Filters | None, citer: Citer, shown: set[str]) -> str:
    from ..analysis.gaps import gap_rows

    rows = []
    root = citer.root.rstrip("/") + "/" if citer.root else ""
    for g in gap_rows(conn, filters or Filters()):
        evidence = (g.get("evidence") or "").replace(root, "") if root else (g.get("evidence") or "")
        links = ", ".join(f'<a href="#msg-{esc(m)}">{esc(m)}</a>' if m in shown else esc(m) for m in g.get("messages") or [])
        rows.append([esc(g["kind"]), esc(g["item"]), esc(g["detail"]), esc(evidence), links])
    if not rows:
        return '<h2 id="gaps">Gaps</h2>\n<p>Nothing the release implies is missing from it.</p>\n'
    return ('<h2 id="gaps">Gaps</h2>\n<p>What the release implies but does not contain, each with its evidence.</p>\n'
            + _table(["Kind", "Item", "Detail", "Evidence", "Messages"], rows))


def _thread(data: ThreadData, opts: ReportOptions) -> str:
    t, number = data.thread, data.number
    head = f"Thread {t['id']}: {t['subject'] or '(no subject)'}"
    out = [f'<section id="thread-{esc(t["id"])}"><h3>{esc(head)}</h3>\n',
           f"<p>{len(data.messages)} messages from {esc(_when(t['first'], opts.tz))} to {esc(_when(t['last'], opts.tz))}; "
           f"{t['recovered']} recovered from quoted history; {t['missing']} referenced but not in the release.</p>\n",
           f"<p><strong>Participants:</strong> {esc(', '.join(data.participants)) or 'none identified'}</p>\n"]
    if data.redactions:
        out.append("<p><strong>Redactions:</strong> " + esc(", ".join(f"{k} × {v}" for k, v in data.redactions.items())) + "</p>\n")
    rows = []
    for m in data.messages:
        cite = (data.cites.get(m["id"]) or ["nowhere (placeholder)"])[0]
        rows.append([str(number[m["id"]]), esc(_when(m["date"], opts.tz, m["date_status"])), esc(m["from"].label()),
                     esc(", ".join(a.label() for a in m["to"])), esc(m["subject"]), esc(_flags(m, number)),
                     f'<a href="#src-{esc(m["id"])}">{esc(cite)}</a>'])
    out.append(_table(["#", "Date", "From", "To", "Subject", "Notes", "Source"], rows, numeric=[0]))
    folded = len(data.messages) > opts.collapse_over
    out.append(f"<details{'' if folded else ' open'}><summary>{len(data.messages)} messages</summary>\n")
    for m in data.messages:
        text = m["body"] if opts.full_bodies else (m.get("new_text") or m["body"])
        out.append(f'<article id="msg-{esc(m["id"])}"><h4>#{number[m["id"]]} {esc(m["from"].label() or "(no sender)")}, '
                   f'{esc(_when(m["date"], opts.tz, m["date_status"]))}</h4>\n'
                   f'<p>Subject: {esc(m["subject"])}<br>Source: <a href="#src-{esc(m["id"])}">'
                   f'{esc("; ".join(data.cites.get(m["id"]) or []) or "nowhere (placeholder)")}</a></p>\n'
                   f"<pre>{esc(text.strip() or '(no text)')}</pre></article>\n")
    out.append("</details></section>\n")
    return "".join(out)


def build_html(conn: sqlite3.Connection, filters: Filters | None, opts: ReportOptions, summary: dict) -> str:
    """The whole report as one HTML document."""
    from ..analysis.counts import release_counts

    citer = Citer(conn)
    threads, total = choose_threads(conn, filters, opts.max_threads)
    datas = [thread_data(conn, t, citer) for t in threads]
    shown = {m["id"] for d in datas for m in d.messages}
    toc = "".join(f'<li><a href="#{a}">{t}</a></li>' for a, t in
                  [("summary", "Summary"), ("timeline", "Timeline"), ("redactions", "Redactions"), ("people", "People"),
                   ("gaps", "Gaps"), ("threads", "Threads"), ("sources", "Sources")])
    thread_toc = "".join(f'<li><a href="#thread-{esc(d.thread["id"])}">{esc(d.thread["subject"] or "(no subject)")}</a> '
                         f'({len(d.messages)} messages)</li>' for d in datas)
    left_out = (f'<p class="note">This report holds the {len(threads)} largest of {total} threads.</p>\n'
                if len(threads) < total else "")
    sources = "".join(
        f'<li id="src-{esc(m["id"])}"><a href="#msg-{esc(m["id"])}">{esc(m["id"])}</a>: '
        + esc("; ".join(d.cites.get(m["id"]) or ["nowhere (placeholder)"])) + "</li>"
        for d in datas for m in d.messages)
    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{esc(opts.title)}</title><style>{_STYLE}</style></head><body>\n",
        f"<h1>{esc(opts.title)}</h1>\n<nav><h2>Contents</h2><ul>{toc}</ul></nav>\n",
        _summary(release_counts(conn), summary), _timeline(summary), _redactions(summary),
        _people(conn, filters), _gaps(conn, filters, citer, shown),
        f'<h2 id="threads">Threads</h2>\n{left_out}<ul>{thread_toc}</ul>\n',
        *(_thread(d, opts) for d in datas),
        '<h2 id="sources">Sources</h2>\n<p>Where each message is found in the release: the file relative to the dump, '
        "the pages or place inside it, and the Bates or Doc numbers printed on it.</p>\n",
        f"<ol>{sources}</ol>\n</body></html>\n",
    ]
    return "".join(parts)
