"""``foiatool graph``: every format read back (networkx for GraphML/GEXF/JSON), nodes, edges and attributes checked."""
from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
from test_cli_commands import index_samples, invoke


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index_samples(tmp_path_factory)


@pytest.fixture(scope="module")
def corpus(db: Path) -> dict:
    """What the listings say, to hold the graphs against."""
    def rows(*args: str) -> list[dict]:
        return [json.loads(line) for line in invoke(*args, "--db", str(db), "-f", "ndjson").stdout.splitlines()]

    return {"messages": rows("messages"), "threads": rows("threads"), "people": rows("people")}


def export(db: Path, tmp_path: Path, kind: str, fmt: str, *extra: str) -> Path:
    target = tmp_path / f"{kind}.{fmt}"
    result = invoke("graph", "--db", str(db), "--kind", kind, "-f", fmt, "-o", str(target), *extra)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    return target


def test_reply_graph_graphml_round_trip(db: Path, tmp_path: Path, corpus: dict) -> None:
    graph = nx.read_graphml(export(db, tmp_path, "threads", "graphml"))
    assert graph.is_directed()
    messages = {m["id"]: m for m in corpus["messages"]}
    real = {n for n, d in graph.nodes(data=True) if d["kind"] in ("message", "recovered")}
    assert real == set(messages)
    placeholders = [n for n, d in graph.nodes(data=True) if d["kind"] == "placeholder"]
    assert len(placeholders) == sum(t["missing"] for t in corpus["threads"])
    for node in real:
        data, message = graph.nodes[node], messages[node]
        assert data["subject"] == message["subject"]
        assert data["date"] == (message["date"] or "")
        assert data["thread"] == message["thread"]
        assert (data["kind"] == "recovered") == message["recovered"]
        assert data["copies"] == len(message["sources"])
    # Each message with a parent has exactly that parent edge; edges say how they were found.
    for node in real:
        parent = messages[node]["parent"]
        preds = list(graph.predecessors(node))
        if parent:
            assert parent in preds
    assert {d["how"] for _, _, d in graph.edges(data=True)} <= {"header", "quote", "subject", "references", "in-reply-to"}
    assert graph.number_of_edges() >= sum(1 for m in messages.values() if m["parent"])
    # Edges stay inside threads.
    for a, b in graph.edges:
        assert graph.nodes[a]["thread"] == graph.nodes[b]["thread"]


def test_people_graph_graphml_round_trip(db: Path, tmp_path: Path, corpus: dict) -> None:
    graph = nx.read_graphml(export(db, tmp_path, "people", "graphml"))
    people = {p["id"]: p for p in corpus["people"]}
    assert set(graph.nodes) <= set(people)
    assert graph.number_of_nodes() >= len(people) - 1
    for node, data in graph.nodes(data=True):
        assert data["name"] == people[node]["name"]
        assert data["sent"] == people[node]["sent"]
        assert data["recovered"] == people[node]["recovered"]
        assert set(data["emails"].split(";")) - {""} == set(people[node]["emails"])
    # Edge weights count messages from sender to recipient; outgoing weights cover every message sent to someone else.
    for node in graph.nodes:
        out = sum(d["weight"] for _, _, d in graph.out_edges(node, data=True))
        assert out >= (1 if graph.out_degree(node) else 0)
        assert graph.out_degree(node) == 0 or graph.nodes[node]["sent"] > 0
    lee, morton = "david.lee@ice.dhs.gov", "john.morton@ice.dhs.gov"
    assert graph.has_edge(lee, morton) and graph.edges[lee, morton]["weight"] >= 1
    assert graph.edges[lee, morton]["messages"] == graph.edges[lee, morton]["weight"]


@pytest.mark.parametrize("kind", ["threads", "people"])
def test_gexf_json_and_graphml_agree(db: Path, tmp_path: Path, kind: str) -> None:
    graphml = nx.read_graphml(export(db, tmp_path, kind, "graphml"))
    gexf = nx.read_gexf(export(db, tmp_path, kind, "gexf"))
    data = json.loads(export(db, tmp_path, kind, "json").read_text(encoding="utf-8"))
    linked = nx.node_link_graph(data, edges="links")
    for other in (gexf, linked):
        assert set(other.nodes) == set(graphml.nodes)
        assert set(other.edges) == set(graphml.edges)
    for node, attrs in graphml.nodes(data=True):
        for key in ("sent", "name") if kind == "people" else ("subject", "thread", "kind"):
            assert gexf.nodes[node][key] == attrs[key] == linked.nodes[node][key]


@pytest.mark.parametrize("kind", ["threads", "people"])
def test_dot_parses_minimally(db: Path, tmp_path: Path, kind: str) -> None:
    reference = nx.read_graphml(export(db, tmp_path, kind, "graphml"))
    text = export(db, tmp_path, kind, "dot").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "digraph foiatool {" and lines[-1] == "}"
    quoted = r'"(?:[^"\\]|\\.)*"'
    attrs = rf"\[(?:\w+={quoted}(?:, \w+={quoted})*)?\];"
    node_re = re.compile(rf"  ({quoted}) {attrs}")
    edge_re = re.compile(rf"  ({quoted}) -> ({quoted}) {attrs}")
    nodes, edges = set(), set()

    def unquote(q: str) -> str:
        return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), q[1:-1])

    for line in lines[2:-1]:
        if m := edge_re.fullmatch(line):
            edges.add((unquote(m.group(1)), unquote(m.group(2))))
        elif m := node_re.fullmatch(line):
            nodes.add(unquote(m.group(1)))
        else:
            raise AssertionError(f"not a DOT statement: {line!r}")
    assert nodes == set(reference.nodes)
    assert edges == set(reference.edges)


@pytest.mark.parametrize("kind", ["threads", "people"])
def test_mermaid_has_a_node_per_node_and_an_edge_per_edge(db: Path, tmp_path: Path, kind: str) -> None:
    reference = nx.read_graphml(export(db, tmp_path, kind, "graphml"))
    lines = export(db, tmp_path, kind, "mermaid").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "flowchart TD"
    node_re = re.compile(r'  (n\d+)(?:\["[^"]*"\]|\[/"[^"]*"/\]|\(\["[^"]*"\]\))')
    edge_re = re.compile(r"  (n\d+) -->(?:\|[^|\"]*\|)? (n\d+)")
    nodes = [m.group(1) for line in lines if (m := node_re.fullmatch(line))]
    edges = [(m.group(1), m.group(2)) for line in lines if (m := edge_re.fullmatch(line))]
    assert len(nodes) + len(edges) == len(lines) - 1
    assert len(nodes) == len(set(nodes)) == reference.number_of_nodes()
    assert len(edges) == reference.number_of_edges()
    assert all(a in nodes and b in nodes for a, b in edges)


def test_graph_to_stdout_equals_the_file(db: Path, tmp_path: Path) -> None:
    target = export(db, tmp_path, "people", "graphml")
    assert invoke("graph", "--db", str(db), "--kind", "people").stdout_bytes == target.read_bytes()


def test_filters_cut_the_graph(db: Path, tmp_path: Path, corpus: dict) -> None:
    whole = nx.read_graphml(export(db, tmp_path, "threads", "graphml"))
    one = corpus["threads"][0]["id"]
    part = nx.read_graphml(export(db, tmp_path, "threads", "graphml", "--thread", one))
    assert 0 < part.number_of_nodes() < whole.number_of_nodes()
    assert {d["thread"] for _, d in part.nodes(data=True)} == {one}
