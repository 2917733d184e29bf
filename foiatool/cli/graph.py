"""``foiatool graph``: export the reply graph or the people network."""
from __future__ import annotations

import click

from .common import corpus_options, filter_options, get_app, open_corpus


@click.command("graph")
@corpus_options()
@filter_options
@click.option("--kind", type=click.Choice(["threads", "people"]), default="threads", show_default=True,
              help="threads: messages and parent→reply edges; people: who writes to whom, weighted.")
@click.option("--format", "-f", "fmt", type=click.Choice(["graphml", "gexf", "json", "dot", "mermaid"]), default="graphml", show_default=True,
              help="graphml/gexf for Gephi and networkx, json (node-link), dot for Graphviz, mermaid for Markdown pages.")
@click.option("-o", "--output", "out_path", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of stdout.")
def command(paths, db, jobs, strict, quiet, tz, filters, kind, fmt, out_path) -> None:
    """Export a graph for Gephi, networkx, Graphviz or Mermaid, with node and edge
    attributes (dates, senders, counts, organisations; how each reply was linked).
    """
    from ..analysis.graphs import reply_graph
    from ..analysis.network import people_graph
    from ..render.graphs import write_graph

    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    graph = reply_graph(corpus.conn, filters) if kind == "threads" else people_graph(corpus.conn, filters)
    if out_path:
        with open(out_path, "w", encoding="utf-8") as fh:
            write_graph(graph, fmt, fh)
    else:
        # The terminal's stdout, like every other command (click.get_text_stream is deprecated).
        write_graph(graph, fmt, get_app().terminal.stdout)
    corpus.finish()
