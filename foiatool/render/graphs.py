"""Writing graphs: GraphML and GEXF (Gephi, networkx), node-link JSON, Graphviz DOT, Mermaid."""
from __future__ import annotations

import io
import json
import re
from typing import TextIO

import networkx as nx

from .escape import strip_controls

GRAPH_FORMATS = ("graphml", "gexf", "json", "dot", "mermaid")


def _clean(value: object) -> object:
    return strip_controls(value) if isinstance(value, str) else value


def xml_safe(graph: nx.DiGraph) -> nx.DiGraph:
    """A copy of ``graph`` whose text holds only characters XML 1.0 allows.

    Subjects and names come from the mail; one escape or control character in
    them would make the whole GraphML or GEXF file unreadable (not well-formed).
    """
    safe = graph.__class__()
    safe.graph.update({key: _clean(value) for key, value in graph.graph.items()})
    for node, attrs in graph.nodes(data=True):
        safe.add_node(_clean(node), **{key: _clean(value) for key, value in attrs.items()})
    for a, b, attrs in graph.edges(data=True):
        safe.add_edge(_clean(a), _clean(b), **{key: _clean(value) for key, value in attrs.items()})
    return safe


def write_graph(graph: nx.DiGraph, fmt: str, out: TextIO) -> None:
    if fmt == "graphml":
        buf = io.BytesIO()
        nx.write_graphml(xml_safe(graph), buf, encoding="utf-8")
        out.write(buf.getvalue().decode("utf-8"))
    elif fmt == "gexf":
        buf = io.BytesIO()
        nx.write_gexf(xml_safe(graph), buf, encoding="utf-8")
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
    text = strip_controls(str(value))
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


# ":" separates a timeline period from its events, so it is escaped too.
_MERMAID_UNSAFE = re.compile(r'["<>`#;:{}\[\]()|\\]')


def mermaid_label(text: object) -> str:
    """Label text that cannot break out of a Mermaid node: specials become HTML entities Mermaid decodes.

    Escape sequences and control characters go first, so none reaches a page or terminal that shows the source.
    """
    cleaned = " ".join(strip_controls(str(text)).split())
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
