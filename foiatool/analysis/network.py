"""The people network: a weighted who-writes-to-whom graph, and who is central in it."""
from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict

import networkx as nx

from ..query import Filters, message_where


def people_graph(conn: sqlite3.Connection, filters: Filters | None = None) -> nx.DiGraph:
    """Nodes are persons (with name, organisation, messages sent); an edge A→B weighs the messages A sent B."""
    where, params = message_where(filters or Filters())
    senders: dict[str, str] = {}
    recipients: dict[str, set[str]] = defaultdict(set)
    for mid, role, person in conn.execute(
        f"SELECT a.message, a.role, a.person FROM addresses a JOIN messages m ON m.id = a.message WHERE a.person IS NOT NULL AND {where}",
        params,
    ):
        if role == "from":
            senders[mid] = person
        else:
            recipients[mid].add(person)
    weights: Counter[tuple[str, str]] = Counter()
    sent: Counter[str] = Counter()
    for mid, sender in senders.items():
        sent[sender] += 1
        for rcpt in recipients.get(mid, ()):
            if rcpt != sender:
                weights[(sender, rcpt)] += 1
    graph = nx.DiGraph()
    involved = set(sent) | {p for ps in recipients.values() for p in ps}
    for r in conn.execute("SELECT id, name, emails, org, org_label FROM people ORDER BY id"):
        if r["id"] in involved:
            graph.add_node(
                r["id"], label=r["name"], name=r["name"], emails=";".join(json.loads(r["emails"])),
                org=r["org"] or "", org_label=r["org_label"] or "", sent=sent.get(r["id"], 0),
            )
    for (a, b), w in sorted(weights.items()):
        if a in graph and b in graph:
            graph.add_edge(a, b, weight=w, messages=w)
    return graph


def central_people(graph: nx.DiGraph, top: int = 5) -> list[dict]:
    """The most central people: weighted degree (messages in and out), with betweenness as a tie-breaker."""
    if graph.number_of_nodes() == 0:
        return []
    degree = dict(graph.degree(weight="weight"))
    # Betweenness is quadratic; sample on large graphs so `summary` stays instant.
    k = None if graph.number_of_nodes() <= 500 else 200
    between = nx.betweenness_centrality(graph.to_undirected(as_view=True), k=k, seed=7)
    ranked = sorted(graph.nodes, key=lambda n: (-degree[n], -between[n], n))[:top]
    return [
        {
            "id": n,
            "name": graph.nodes[n].get("name", n),
            "org": graph.nodes[n].get("org", ""),
            "messages": degree[n],
            "correspondents": len(set(graph.successors(n)) | set(graph.predecessors(n))),
            "betweenness": round(between[n], 4),
        }
        for n in ranked
    ]
