"""``foiatool summary``: what is in this release, on one screen."""
from __future__ import annotations

import click

from .common import corpus_options, get_app, open_corpus


@click.command("summary")
@corpus_options()
@click.option("--format", "-f", "fmt", type=click.Choice(["screen", "json", "markdown"]), default=None,
              help="screen on a terminal, json when piped; markdown for reports.")
@click.option("--top", type=click.IntRange(1, 100), default=5, show_default=True, help="Rows in each top list.")
def command(paths, db, jobs, strict, quiet, tz, fmt, top) -> None:
    """Messages, sources and problems; date range with a monthly sparkline; threads by
    size; top senders, recipients and organisations; busiest days; duplicates,
    recovered messages and redaction counts.
    """
    from ..analysis.summary import summary
    from ..render.values import json_text

    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    data = summary(corpus.conn, corpus.tz, top)
    terminal = get_app().terminal
    fmt = fmt or ("screen" if terminal.stdout_isatty else "json")
    if fmt == "json":
        click.echo(json_text(data, indent=2))
    elif fmt == "markdown":
        from ..report import summary_markdown

        click.echo(summary_markdown(data), nl=False)
    else:
        from ..render.charts import summary_screen

        summary_screen(terminal.console_out, data, corpus.tz)
    corpus.finish()
