"""The people network: a weighted who-writes-to-whom graph, and who is central in it."""
from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import replace

import networkx as nx

from ..index.query import Filters, message_where


def person_rows(conn: sqlite3.Connection, filters: Filters | None = None) -> Iterator[tuple[str, str, str, int]]:
    """(message, role, person, recovered) for every address of a person in the messages ``filters``
    select, near-duplicate copies left out: what people_graph is made of. Streamed, not held."""
    # A near-duplicate copy is the same message again, not another one A wrote B.
    where, params = message_where(replace(filters or Filters(), include_duplicates=False))
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(
        "SELECT a.message, a.role, a.person, m.recovered FROM addresses a JOIN messages m ON m.id = a.message"
        f" WHERE a.person IS NOT NULL AND {where}",
        params,
    )


def people_graph(conn: sqlite3.Connection, filters: Filters | None = None) -> nx.DiGraph:
    """Nodes are persons (with name, organisation, messages sent); an edge A→B weighs the messages A sent B.

    ``sent`` counts messages in the release and ``recovered`` those rebuilt from
    quoted history, as ``foiatool people`` does; edges count both, since a
    recovered message is evidence that A wrote to B.
    """
    senders: dict[str, str] = {}
    recovered_ids: set[str] = set()
    recipients: dict[str, set[str]] = defaultdict(set)
    for mid, role, person, rec in person_rows(conn, filters):
        if role == "from":
            senders[mid] = person
            if rec:
                recovered_ids.add(mid)
        else:
            recipients[mid].add(person)
    weights: Counter[tuple[str, str]] = Counter()
    sent: Counter[str] = Counter()
    recovered: Counter[str] = Counter()
    for mid, sender in senders.items():
        (recovered if mid in recovered_ids else sent)[sender] += 1
        for rcpt in recipients.get(mid, ()):
            if rcpt != sender:
                weights[(sender, rcpt)] += 1
    graph = nx.DiGraph()
    involved = set(sent) | set(recovered) | {p for ps in recipients.values() for p in ps}
    for r in conn.execute("SELECT id, name, emails, org, org_label FROM people ORDER BY id"):
        if r["id"] in involved:
            graph.add_node(
                r["id"], label=r["name"], name=r["name"], emails=";".join(json.loads(r["emails"])),
                org=r["org"] or "", org_label=r["org_label"] or "", sent=sent.get(r["id"], 0),
                recovered=recovered.get(r["id"], 0),
            )
    for (a, b), w in sorted(weights.items()):
        if a in graph and b in graph:
            graph.add_edge(a, b, weight=w, messages=w)
    return graph


# people × links above which betweenness is not computed (about half a second at this size)
BETWEENNESS_MAX_WORK = 2_000_000


def _tie_at_top(nodes, correspondents: dict, weight: dict, top: int) -> bool:
    """Whether the order of the first ``top`` people depends on a tie in (correspondents, weight)."""
    ranked = sorted(((correspondents[n], weight[n]) for n in nodes), reverse=True)[:top + 1]
    return len(set(ranked)) < len(ranked)


def central_people(graph: nx.DiGraph, top: int = 5) -> list[dict]:
    """The most central people: most distinct correspondents (degree centrality), then most traffic, then betweenness.

    Distinct correspondents come first because traffic alone ranks a feed
    that writes hundreds of messages to its one reader above the person
    everyone writes to. ``messages`` is what the person sent plus what others
    sent them; ``weight`` counts each message once per recipient, as the
    graph's edges do.
    """
    if graph.number_of_nodes() == 0:
        return []
    weight = dict(graph.degree(weight="weight"))
    received = dict(graph.in_degree(weight="weight"))
    correspondents = {n: len(set(graph.successors(n)) | set(graph.predecessors(n))) for n in graph.nodes}
    # Betweenness only breaks ties, and it costs people × links (Brandes): it is computed only
    # when two people tie on both counts where the top is cut, and on large graphs not at all
    # (even a sampled run costs seconds): then it is None and ties fall back to the id.
    computed = _tie_at_top(graph.nodes, correspondents, weight, top) and (
        graph.number_of_nodes() * max(graph.number_of_edges(), 1) <= BETWEENNESS_MAX_WORK)
    if computed:
        # on a plain undirected copy: about twice as fast as through a view of the directed graph
        plain = nx.Graph()
        plain.add_nodes_from(graph)
        plain.add_edges_from(graph.edges())
        between = {n: round(v, 12) for n, v in nx.betweenness_centrality(plain, seed=7).items()}
    else:
        between = dict.fromkeys(graph.nodes, 0.0)  # for ranking only
    ranked = sorted(graph.nodes, key=lambda n: (-correspondents[n], -weight[n], -between[n], n))[:top]
    return [
        {
            "id": n,
            "name": graph.nodes[n].get("name", n),
            "org": graph.nodes[n].get("org", ""),
            "correspondents": correspondents[n],
            "sent": graph.nodes[n].get("sent", 0),
            "received": received[n],
            "messages": graph.nodes[n].get("sent", 0) + received[n],
            "weight": weight[n],
            "betweenness": round(between[n], 4) if computed else None,
        }
        for n in ranked
    ]
