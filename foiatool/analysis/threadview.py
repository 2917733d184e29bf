"""A thread as a reply tree: nodes for real, recovered and placeholder messages, read from the index."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import tzinfo

from ..errors import UsageError
from ..mail.dates import from_iso
from .citations import Citer


@dataclass(slots=True)
class TreeNode:
    id: str
    kind: str                    # "message" | "recovered" | "placeholder"
    record: dict | None          # the message record (None for placeholders)
    how: str = ""                # how this node was linked to its parent: header | quote | subject
    children: list[TreeNode] = field(default_factory=list)
    cites: list[str] = field(default_factory=list)  # where a reader finds it in the release (see citations)

    def marks(self) -> list[str]:
        out: list[str] = []
        if self.kind == "placeholder":
            out.append("referenced, not in the dump")
        if self.kind == "recovered":
            out.append("recovered from quoted history")
        r = self.record or {}
        if r.get("duplicate_of"):
            out.append(f"near-duplicate of {r['duplicate_of']}")
        if self.cites:
            out.append(self.cites[0])
        if len(r.get("sources") or []) > 1:
            out.append(f"{len(r['sources'])} copies")
        if r.get("date_status") and r["date_status"] != "ok":
            out.append(f"date {r['date_status']}")
        if self.how and self.how != "header":
            out.append(f"linked by {self.how}")
        return out

    def headline(self, tz: tzinfo | None) -> str:
        if self.record is None:
            return f"<{self.id[3:] if self.id.startswith('ph:') else self.id}>"
        r = self.record
        when = from_iso(r.get("date"))
        shown = when.astimezone(tz).strftime("%Y-%m-%d %H:%M") if (when and tz) else (when.astimezone().strftime("%Y-%m-%d %H:%M") if when else "date unknown")
        to = ", ".join(a.label() for a in r.get("to", [])[:3])
        if len(r.get("to", [])) > 3:
            to += f" +{len(r['to']) - 3}"
        return f"{shown}  {r['from'].label() or '(no sender)'} → {to or '(no recipients)'}  [{r['id']}]"

    def text_lines(self, lines: int | None) -> list[str]:
        if self.record is None:
            return []
        body = (self.record.get("body") or "").strip()
        out = [ln.rstrip() for ln in body.splitlines() if ln.strip()]
        return out if lines is None else out[:lines]

    def as_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "how": self.how or None, "children": [c.as_json() for c in self.children]}

    def as_text(self, tz: tzinfo | None = None, lines: int | None = 3, depth: int = 0, subject: str = "") -> str:
        pad = "    " * depth
        out = [f"{pad}{self.headline(tz)}"]
        marks = self.marks()
        if marks:
            out.append(f"{pad}  ({'; '.join(marks)})")
        if self.record is not None and self.record.get("subject") and self.record["subject"] != subject:
            out.append(f"{pad}  Subject: {self.record['subject']}")
        out.extend(f"{pad}  | {ln}" for ln in self.text_lines(lines))
        text = "\n".join(out) + "\n"
        for child in self.children:
            text += child.as_text(tz, lines, depth + 1, (self.record or {}).get("subject", subject))
        return text


@dataclass(slots=True)
class ThreadTree:
    thread_id: str
    subject: str
    roots: list[TreeNode]

    def as_json(self) -> list[dict]:
        return [r.as_json() for r in self.roots]

    def as_text(self, tz: tzinfo | None = None, lines: int | None = 3) -> str:
        head = f"Thread {self.thread_id}: {self.subject}\n"
        return head + "".join(r.as_text(tz, lines, 1, self.subject) for r in self.roots) + "\n"

    def walk(self):
        stack = list(reversed(self.roots))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


def resolve_thread_ids(conn: sqlite3.Connection, wanted: list[str]) -> list[str]:
    """Thread ids for user-given ids: thread ids, message ids, or Message-IDs, in the order given."""
    out: list[str] = []
    for raw in wanted:
        key = raw.strip().split("\t")[0].strip()
        if not key:
            continue
        row = conn.execute("SELECT id FROM threads WHERE id=?", (key,)).fetchone()
        if row is None:
            row = conn.execute("SELECT thread_id FROM messages WHERE id=? OR message_id=?", (key, key.strip("<>"))).fetchone()
        if row is None or row[0] is None:
            raise UsageError(f"no thread or message with id {key!r} in this index")
        if row[0] not in out:
            out.append(row[0])
    if not out:
        raise UsageError("no ids given")
    return out


def thread_tree(conn: sqlite3.Connection, thread_id: str, messages: list[dict]) -> ThreadTree:
    """The reply tree of one thread from the index's edges; each message node carries its citations."""
    citer = Citer(conn)
    by_id = {m["id"]: m for m in messages}
    subject_row = conn.execute("SELECT subject FROM threads WHERE id=?", (thread_id,)).fetchone()
    nodes: dict[str, TreeNode] = {
        mid: TreeNode(mid, "recovered" if m["recovered"] else "message", m, cites=citer.message(mid)) for mid, m in by_id.items()
    }
    for ref, in conn.execute("SELECT DISTINCT ref_message_id FROM placeholders WHERE thread_id=?", (thread_id,)):
        nodes.setdefault(f"ph:{ref}", TreeNode(f"ph:{ref}", "placeholder", None))
    has_parent: set[str] = set()
    keys = list(nodes)
    for start in range(0, len(keys), 400):
        chunk = keys[start : start + 400]
        marks = ",".join("?" * len(chunk))
        for parent, child, how in conn.execute(
            f"SELECT parent, child, how FROM edges WHERE child IN ({marks}) ORDER BY parent, child", chunk
        ):
            if parent in nodes and child in nodes and child not in has_parent and parent != child:
                nodes[child].how = how
                nodes[parent].children.append(nodes[child])
                has_parent.add(child)

    def order(n: TreeNode) -> tuple:
        date = (n.record or {}).get("date")
        return (date is None, date or "", n.id)

    for n in nodes.values():
        n.children.sort(key=order)
    roots = sorted((n for k, n in nodes.items() if k not in has_parent), key=order)
    return ThreadTree(thread_id, subject_row[0] if subject_row else "", roots)
