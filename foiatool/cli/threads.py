"""``foiatool threads``: one row per reconstructed thread."""
from __future__ import annotations

import click

from ..render import Column
from .common import corpus_options, filter_options, open_corpus
from .output import output_options

COLUMNS = [
    Column("id", "Thread", "id"),
    Column("first", "First", "date"),
    Column("last", "Last", "date"),
    Column("messages", "Msgs", "int"),
    Column("participants", "People", "int"),
    Column("subject", "Subject", width=56),
    Column("recovered", "Recovered", "int"),
    Column("missing", "Missing", "int"),
    Column("median_reply_seconds", "Median reply (s)", "float"),
    Column("root", "Root", "id"),
]
DEFAULT = ["id", "first", "last", "messages", "participants", "subject"]


@click.command("threads")
@corpus_options()
@filter_options
@click.option("--sort", type=click.Choice(["first", "last", "messages", "participants", "subject"]), default="first",
              show_default=True, help="Order of the threads.")
@click.option("--min-messages", type=click.IntRange(1), default=1, help="Only threads with at least this many messages.")
@click.option("--body", type=click.Choice(["none", "new", "full"]), default="none", show_default=True,
              help="With json/ndjson: include each message's new text or whole body.")
@output_options
def command(paths, db, jobs, strict, quiet, tz, filters, sort, min_messages, body, output) -> None:
    """List the reply threads rebuilt from headers, quoted history and (last) subjects.

    With --format json or ndjson each thread carries its messages, each with
    message_id (or null), date, from, to, cc, subject, sources and the
    recovered / duplicate_of / inclusive flags. --format ids prints thread ids
    for `foiatool show -`.
    """
    from ..index.query import message_records, thread_records

    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    want_messages = output.fmt in ("json", "ndjson")

    def rows():
        for t in thread_records(corpus.conn, filters, sort=sort):
            if t["messages"] < min_messages:
                continue
            if want_messages:
                # JSON threads list their messages; the count moves to message_count.
                t["message_count"] = t["messages"]
                t["messages"] = list(message_records(corpus.conn, where=("m.thread_id = ?", [t["id"]]), body=body))
            yield t

    output.emit(rows(), COLUMNS, default_columns=DEFAULT, tz=corpus.tz)
    corpus.finish()
