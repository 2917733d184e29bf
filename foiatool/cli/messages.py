"""``foiatool messages``: one row per message."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import click

from ..render import Column
from .common import corpus_options, filter_options, open_corpus
from .output import output_options

COLUMNS = [
    Column("id", "ID", "id"),
    Column("date", "Date", "date"),
    Column("from_label", "From", width=32),
    Column("to_label", "To", "list", width=32),
    Column("subject", "Subject", width=48),
    Column("thread", "Thread", "id"),
    Column("flags", "Flags", "list"),
    Column("cc_label", "Cc", "list"),
    Column("message_id", "Message-ID"),
    Column("date_status", "Date status"),
    Column("source_paths", "Sources", "list"),
    Column("marks", "Marks", "list", width=32),
    Column("date_text", "Date as printed"),
]
DEFAULT = ["id", "date", "from_label", "to_label", "subject"]


@click.command("messages")
@corpus_options()
@filter_options
@click.option("--body", type=click.Choice(["none", "new", "full"]), default="none", show_default=True,
              help="Include message text in json/ndjson: the author's new text, or the whole body.")
@click.option("--recovered/--no-recovered", default=True, help="Include messages rebuilt from quoted history.")
@output_options
def command(paths, db, jobs, strict, quiet, tz, filters, body, recovered, output) -> None:
    """List every message: date, sender, recipients, subject and id.

    JSON records carry message_id (or null), date (UTC), from, to, cc,
    subject, sources (each with path and locator) and the recovered,
    duplicate_of and inclusive flags.
    """
    from ..index.query import flat_message, message_records, message_where

    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    filters.include_recovered = recovered
    records = message_records(corpus.conn, where=message_where(filters), body=body)
    rows = (flat_message(r) for r in with_marks(corpus.conn, records))
    shown = output.emit(rows, COLUMNS, default_columns=DEFAULT, tz=corpus.tz, drop_keys=FLAT_ONLY)
    if output.resolved_format() == "table":
        from ..analysis.counts import release_counts, rows_note

        # A table is for people: say what its rows are, in the words the summary uses.
        click.echo(rows_note(release_counts(corpus.conn), shown, recovered=recovered))
    corpus.finish()


def with_marks(conn, records: Iterable[dict], batch: int = 500) -> Iterator[dict]:
    """Message records with the release marks of the documents they were found in and their printed date text."""
    from ..index.documents import message_date_texts, message_marks

    it = iter(records)
    while chunk := list(islice(it, batch)):
        ids = [record["id"] for record in chunk]
        marks, texts = message_marks(conn, ids), message_date_texts(conn, ids)
        for record in chunk:
            record["marks"] = marks.get(record["id"], [])
            record["date_text"] = texts.get(record["id"], "")
            yield record


# Keys that exist only for tabular output; JSON carries the structured forms instead.
FLAT_ONLY = ("from_label", "to_label", "cc_label", "source_paths", "flags")
