"""Graphs for export: the reply graph of messages, and the people network."""
from __future__ import annotations

import sqlite3

import networkx as nx

from ..index.query import Filters, message_where, thread_ids_matching


def reply_graph(conn: sqlite3.Connection, filters: Filters | None = None) -> nx.DiGraph:
    """Messages (real, recovered) and placeholders as nodes; parent→reply edges labelled by how they were found."""
    f = filters or Filters()
    tids = thread_ids_matching(conn, f)
    graph = nx.DiGraph()
    if tids is None:
        where, params = "1", []
    else:
        if not tids:
            return graph
        where, params = f"m.thread_id IN ({','.join('?' * len(tids))})", list(tids)
    for r in conn.execute(
        "SELECT m.id, m.message_id, m.subject, m.date, m.date_status, m.from_name, m.from_email, m.thread_id, m.recovered,"
        " m.duplicate_of, m.inclusive, (SELECT count(*) FROM sources s WHERE s.message = m.id) AS copies"
        f" FROM messages m WHERE {where} ORDER BY m.id",
        params,
    ):
        graph.add_node(
            r["id"],
            kind="recovered" if r["recovered"] else "message",
            label=(r["subject"] or "")[:80],
            message_id=r["message_id"] or "",
            subject=r["subject"] or "",
            date=r["date"] or "",
            date_status=r["date_status"],
            sender=r["from_email"] or r["from_name"] or "",
            thread=r["thread_id"] or "",
            duplicate_of=r["duplicate_of"] or "",
            inclusive=bool(r["inclusive"]),
            copies=int(r["copies"]),
        )
    for ref, by, thread in conn.execute("SELECT ref_message_id, referenced_by, thread_id FROM placeholders ORDER BY ref_message_id"):
        node = f"ph:{ref}"
        if by in graph and node not in graph:
            graph.add_node(node, kind="placeholder", label=f"<{ref}>", message_id=ref, subject="", date="", date_status="missing",
                           sender="", thread=thread or "", duplicate_of="", inclusive=False, copies=0)
    for parent, child, how in conn.execute("SELECT parent, child, how FROM edges ORDER BY parent, child"):
        if parent in graph and child in graph:
            graph.add_edge(parent, child, how=how)
    return graph


__all__ = ["reply_graph", "message_where"]
