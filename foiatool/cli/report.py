"""``foiatool report``: a markdown report of the release, one file or one file per thread."""
from __future__ import annotations

from pathlib import Path

import click

from .common import corpus_options, filter_options, get_app, open_corpus


@click.command("report")
@corpus_options()
@filter_options
@click.option("-o", "--output", "out_path", type=click.Path(dir_okay=False), help="Write the report to this file (default: stdout).")
@click.option("--split", "split_dir", type=click.Path(file_okay=False), help="Write one file per thread plus index.md into this folder.")
@click.option("--title", default="Email release report", show_default=True, help="The report's top heading.")
@click.option("--full-bodies", is_flag=True, help="Print whole bodies instead of collapsing quoted history.")
def command(paths, db, jobs, strict, quiet, tz, filters, out_path, split_dir, title, full_bodies) -> None:
    """Write a markdown report to publish from or attach to an appeal: the summary;
    per thread its participants, a timeline table, each message's new text,
    recovered and missing messages, redactions, and where every message came
    from (file and locator) so each statement can be cited; Mermaid diagrams of
    the reply tree and timeline; a table of contents with working anchors.
    Filters choose which threads go in.
    """
    from ..analysis.summary import summary
    from ..render.report import ReportOptions, build_report, write_split

    if out_path and split_dir:
        raise click.UsageError("use either -o FILE or --split DIR, not both")
    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    opts = ReportOptions(title=title, tz=corpus.tz, full_bodies=full_bodies)
    data = summary(corpus.conn, corpus.tz)
    terminal = get_app().terminal
    if split_dir:
        written = write_split(corpus.conn, filters, opts, data, Path(split_dir))
        if not quiet:
            terminal.info(f"wrote {len(written)} files to {split_dir}")
    else:
        text = build_report(corpus.conn, filters, opts, data)
        if out_path:
            Path(out_path).write_text(text, encoding="utf-8")
            if not quiet:
                terminal.info(f"wrote {out_path}")
        else:
            click.echo(text, nl=False)
    corpus.finish()
