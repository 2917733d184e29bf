"""``foiatool summary``: what is in this release, on one screen."""
from __future__ import annotations

import click

from .common import corpus_options, get_app, open_corpus, parse_tz


@click.command("summary")
@corpus_options()
@click.option("--format", "-f", "fmt", type=click.Choice(["screen", "json", "markdown"]), default=None,
              help="screen on a terminal, json when piped; markdown for reports.")
@click.option("--top", type=click.IntRange(1, 100), default=5, show_default=True, help="Rows in each top list.")
def command(paths, db, jobs, strict, quiet, tz, fmt, top) -> None:
    """Messages, sources and problems; date range with a monthly sparkline; threads by
    size; top senders, recipients and organisations; busiest days; duplicates,
    recovered messages and redaction counts; the most central people of the
    who-writes-to-whom network.

    Months and busiest days are counted in the --tz zone; without --tz, in
    local time on the screen and in UTC for json and markdown, so those are
    the same on every machine.
    """
    from ..analysis.summary import summary
    from ..render.values import json_text
    from .people import ensure_aliases

    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    ensure_aliases(corpus)
    terminal = get_app().terminal
    fmt = fmt or ("screen" if terminal.stdout_isatty else "json")
    zone = parse_tz(tz) if (tz is not None or fmt == "screen") else parse_tz("UTC")
    data = summary(corpus.conn, zone, top)
    if fmt == "json":
        click.echo(json_text(data, indent=2))
    elif fmt == "markdown":
        from ..render.report import summary_markdown

        click.echo(summary_markdown(data, data["counts"]), nl=False)
    else:
        from ..render.charts import summary_screen

        summary_screen(terminal.console_out, data, corpus.tz)
    corpus.finish()
