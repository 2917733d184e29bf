"""``foiatool report``: a markdown report of the release (one file or one file per thread), or one static HTML page."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from .common import corpus_options, filter_options, get_app, open_corpus


@click.command("report")
@corpus_options()
@filter_options
@click.option("-f", "--format", "fmt", type=click.Choice(["markdown", "html"]), default="markdown", show_default=True,
              help="markdown (with Mermaid diagrams), or html: one self-contained page with no scripts, charts as inline SVG.")
@click.option("-o", "--output", "out_path", type=click.Path(dir_okay=False), help="Write the report to this file (default: stdout).")
@click.option("--split", "split_dir", type=click.Path(file_okay=False), help="Write one markdown file per thread plus index.md into this folder.")
@click.option("--title", default="Email release report", show_default=True, help="The report's top heading.")
@click.option("--full-bodies", is_flag=True, help="Print whole bodies instead of collapsing quoted history.")
@click.option("--max-threads", type=click.IntRange(1), default=None, metavar="N",
              help="Only the N largest threads (most messages); a note says how many were left out.")
def command(paths, db, jobs, strict, quiet, tz, filters, fmt, out_path, split_dir, title, full_bodies, max_threads) -> None:
    """Write a report to publish from or attach to an appeal: the summary;
    per thread its participants, a timeline table, each message's new text,
    recovered and missing messages, redactions, and where every message came
    from (the release file relative to the dump, its pages, Bates or Doc
    numbers) so each statement can be cited; a table of contents.

    \b
    Markdown has Mermaid diagrams of each reply tree (cut at 40 nodes, with a
    note) and folds threads of more than 8 messages in <details>. HTML is one
    file with no JavaScript and nothing loaded from elsewhere: threads, people,
    a timeline chart by month, redactions by code, gaps.
    Filters choose which threads go in; --thread ID (repeatable) takes thread
    or message ids.
    """
    from ..analysis.summary import summary
    from ..analysis.threadview import resolve_thread_ids
    from ..render.report import ReportOptions, build_report, write_split

    if out_path and split_dir:
        raise click.UsageError("use either -o FILE or --split DIR, not both")
    if split_dir and fmt == "html":
        raise click.UsageError("--split writes markdown files; for HTML use -f html -o FILE")
    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    if filters.thread:
        # A message id names its thread, and an id the index does not hold is an error, not an empty report.
        try:
            filters.thread = resolve_thread_ids(corpus.conn, filters.thread)
        except UsageError as exc:
            raise click.UsageError(str(exc)) from exc
    opts = ReportOptions(title=title, tz=corpus.tz, full_bodies=full_bodies, max_threads=max_threads)
    data = summary(corpus.conn, corpus.tz)
    terminal = get_app().terminal
    if split_dir:
        written = write_split(corpus.conn, filters, opts, data, Path(split_dir))
        if not quiet:
            terminal.info(f"wrote {len(written)} files to {split_dir}")
    else:
        if fmt == "html":
            from ..render.html import build_html

            text = build_html(corpus.conn, filters, opts, data)
        else:
            text = build_report(corpus.conn, filters, opts, data)
        if out_path:
            Path(out_path).write_text(text, encoding="utf-8")
            if not quiet:
                terminal.info(f"wrote {out_path}")
        else:
            click.echo(text, nl=False)
    corpus.finish()
