"""Writing graphs: GraphML and GEXF (Gephi, networkx), node-link JSON, Graphviz DOT, Mermaid."""
from __future__ import annotations

import io
import json
import re
from typing import TextIO

import networkx as nx

GRAPH_FORMATS = ("graphml", "gexf", "json", "dot", "mermaid")


def write_graph(graph: nx.DiGraph, fmt: str, out: TextIO) -> None:
    if fmt == "graphml":
        buf = io.BytesIO()
        nx.write_graphml(graph, buf, encoding="utf-8")
        out.write(buf.getvalue().decode("utf-8"))
    elif fmt == "gexf":
        buf = io.BytesIO()
        nx.write_gexf(graph, buf, encoding="utf-8")
        out.write(buf.getvalue().decode("utf-8"))
    elif fmt == "json":
        data = nx.node_link_data(graph, edges="links")
        out.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    elif fmt == "dot":
        out.write(to_dot(graph))
    elif fmt == "mermaid":
        out.write(to_mermaid(graph))
    else:
        raise ValueError(f"unknown graph format {fmt!r}")


def _dot_quote(value: object) -> str:
    text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: nx.DiGraph) -> str:
    lines = ["digraph foiatool {", "  node [shape=box];"]
    for node, attrs in graph.nodes(data=True):
        body = ", ".join(f"{k}={_dot_quote(v)}" for k, v in sorted(attrs.items()))
        lines.append(f"  {_dot_quote(node)} [{body}];")
    for a, b, attrs in graph.edges(data=True):
        body = ", ".join(f"{k}={_dot_quote(v)}" for k, v in sorted(attrs.items()))
        lines.append(f"  {_dot_quote(a)} -> {_dot_quote(b)} [{body}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


_MERMAID_UNSAFE = re.compile(r'["<>`#;{}\[\]()|\\]')


def mermaid_label(text: object) -> str:
    """Label text that cannot break out of a Mermaid node: specials become HTML entities Mermaid decodes."""
    cleaned = " ".join(str(text).split())
    return _MERMAID_UNSAFE.sub(lambda m: f"#{ord(m.group())};", cleaned)


def to_mermaid(graph: nx.DiGraph, direction: str = "TD") -> str:
    ids = {node: f"n{i}" for i, node in enumerate(graph.nodes)}
    lines = [f"flowchart {direction}"]
    for node, attrs in graph.nodes(data=True):
        label = attrs.get("label") or attrs.get("name") or node
        extra = attrs.get("date", "")[:10] if attrs.get("date") else ""
        text = mermaid_label(f"{label} {extra}".strip())
        shape = ("([", "])") if attrs.get("kind") == "placeholder" else (("[/", "/]") if attrs.get("kind") == "recovered" else ('["', '"]'))
        if shape[0] == '["':
            lines.append(f'  {ids[node]}["{text}"]')
        else:
            lines.append(f'  {ids[node]}{shape[0]}"{text}"{shape[1]}')
    for a, b, attrs in graph.edges(data=True):
        how = attrs.get("how") or (str(attrs["weight"]) if "weight" in attrs else "")
        lines.append(f"  {ids[a]} -->|{mermaid_label(how)}| {ids[b]}" if how else f"  {ids[a]} --> {ids[b]}")
    return "\n".join(lines) + "\n"
