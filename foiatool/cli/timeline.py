"""``foiatool timeline``: activity per period (bars on a terminal), events, and quiet periods."""
from __future__ import annotations

import click

from ..render import Column
from .common import corpus_options, filter_options, get_app, open_corpus
from .messages import COLUMNS as MESSAGE_COLUMNS, FLAT_ONLY
from .output import output_options

COLUMNS = [
    Column("period", "Period"),
    Column("messages", "Messages", "int"),
    Column("senders", "Senders", "int"),
    Column("threads", "Threads", "int"),
    Column("start", "Start"),
]
EVENT_DEFAULT = ["date", "from_label", "to_label", "subject", "thread"]


@click.command("timeline")
@corpus_options()
@filter_options
@click.option("--person", "persons", multiple=True, metavar="P", help="Only messages P sent or received (person id, address or name).")
@click.option("--by", type=click.Choice(["day", "week", "month"]), default="month", show_default=True, help="Period of the activity chart.")
@click.option("--events", is_flag=True, help="List the events (who sent what to whom, in order) instead of counts per period.")
@output_options
def command(paths, db, jobs, strict, quiet, tz, filters, persons, by, events, output) -> None:
    """Activity over time: messages per day, week or month, drawn as bars on a
    terminal and given as data when piped; --events lists who sent what to whom.

    With --person or --thread, quiet periods (silences much longer than the
    usual rhythm, which often mark withheld material) are listed on stderr.
    Messages with guessed or missing dates are shown as such.
    """
    from ..analysis.people import find_people
    from ..analysis.timeline import activity, dated_messages, quiet_periods
    from ..query import flat_message, message_records, message_where

    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    for p in persons:
        ids = find_people(corpus.conn, p)
        if not ids:
            raise click.UsageError(f"no person matches {p!r}")
        filters.person.extend(ids)
    terminal = get_app().terminal
    if events:
        rows = (flat_message(r) for r in message_records(corpus.conn, where=message_where(filters)))
        output.emit(rows, MESSAGE_COLUMNS, default_columns=EVENT_DEFAULT, tz=corpus.tz, drop_keys=FLAT_ONLY)
    else:
        rows = activity(corpus.conn, filters, by, corpus.tz)
        if output.resolved_format() == "table":
            from ..render.charts import activity_chart

            activity_chart(terminal.console_out, rows, title=f"Messages per {by}")
        else:
            output.emit(rows, COLUMNS, id_key="period")
    if (persons or filters.thread) and not quiet:
        for q in quiet_periods(dated_messages(corpus.conn, filters)):
            terminal.warn(
                f"quiet period: {q.start:%Y-%m-%d} to {q.end:%Y-%m-%d} ({q.length.days} days; usual gap {_human(q.usual_gap)})"
            )
    corpus.finish()


def _human(delta) -> str:
    seconds = delta.total_seconds()
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
