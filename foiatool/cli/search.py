"""``foiatool search``: full-text search, results as messages or as threads."""
from __future__ import annotations

import click

from ..errors import UsageError
from .common import corpus_options, filter_options, open_corpus
from .messages import COLUMNS as MESSAGE_COLUMNS
from .messages import DEFAULT as MESSAGE_DEFAULT
from .messages import FLAT_ONLY
from .output import output_options
from .threads import COLUMNS as THREAD_COLUMNS
from .threads import DEFAULT as THREAD_DEFAULT


@click.command("search")
@click.argument("query")
@corpus_options()
@filter_options
@click.option("--threads", "as_threads", is_flag=True, help="One row per thread holding a match, instead of per message.")
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many results.")
@output_options
def command(query, paths, db, jobs, strict, quiet, tz, filters, as_threads, limit, output) -> None:
    """Search subjects, names, addresses and bodies.

    \b
    QUERY syntax:
      detainer statistics        both words (AND)
      "weekly statistics"        a phrase
      detain*                    a prefix
      a OR b, a NOT b, (a OR b) AND c
      from:morton  to:chen  cc:lee  subject:detainer  body:"(b)(6)"
    """
    from ..index.query import flat_message, message_records, thread_records
    from ..index.search import search_ids

    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    try:
        ids = search_ids(corpus.conn, query, filters=filters)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from exc
    if as_threads:
        # Threads in the order of their best-ranked match, as messages are.
        thread_of = {row["id"]: row["thread"] for row in message_records(corpus.conn, ids=ids, order="m.id")}
        tids = list(dict.fromkeys(thread_of[mid] for mid in ids if thread_of.get(mid)))
        threads = list(thread_records(corpus.conn, ids=tids))
        output.emit(threads[:limit] if limit else threads, THREAD_COLUMNS, default_columns=THREAD_DEFAULT, tz=corpus.tz)
    else:
        ids = ids[:limit] if limit else ids
        order = {mid: i for i, mid in enumerate(ids)}
        rows = sorted(message_records(corpus.conn, ids=ids), key=lambda r: order[r["id"]])
        output.emit((flat_message(r) for r in rows), MESSAGE_COLUMNS, default_columns=MESSAGE_DEFAULT, tz=corpus.tz, drop_keys=FLAT_ONLY)
    corpus.finish()
