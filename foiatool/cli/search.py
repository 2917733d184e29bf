"""``foiatool search``: full-text search, results as messages (with the hit marked) or as threads; or a list of terms at once."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from ..render import Column
from .common import corpus_options, filter_options, open_corpus
from .messages import COLUMNS as MESSAGE_COLUMNS
from .messages import FLAT_ONLY
from .output import output_options
from .threads import COLUMNS as THREAD_COLUMNS
from .threads import DEFAULT as THREAD_DEFAULT

SNIPPET = Column("snippet", "Hit", width=60)
HIT_COLUMNS = [*MESSAGE_COLUMNS, SNIPPET]
HIT_DEFAULT = ["id", "date", "from_label", "subject", "snippet"]

TERM_COLUMNS = [
    Column("term", "Term", width=30),
    Column("messages", "Messages", "int"),
    Column("threads", "Threads", "int"),
    Column("people", "People", "int"),
    Column("top_people", "Most involved", width=60),
    Column("query", "Query"),
    Column("line", "Line", "int"),
    Column("message_ids", "Message ids", "list"),
    Column("thread_ids", "Thread ids", "list"),
]
TERM_DEFAULT = ["term", "messages", "threads", "people", "top_people"]


def read_terms(path: str) -> list[tuple[int, str]]:
    """(line number, term) for each line of a terms file that is not blank or a # comment."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise click.UsageError(f"cannot read the terms file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise click.UsageError(f"the terms file {path} is not UTF-8 text (byte {exc.start})") from exc
    terms = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not terms:
        raise click.UsageError(f"the terms file {path} holds no terms (one term or phrase a line; # starts a comment)")
    return terms


@click.command("search")
@click.argument("query", required=False)
@corpus_options()
@filter_options
@click.option("--threads", "as_threads", is_flag=True, help="One row per thread holding a match, instead of per message.")
@click.option("--terms", "terms_file", type=click.Path(dir_okay=False), default=None,
              help="Run every term of FILE (one term or phrase a line, # comments) and report per term the messages, threads and people it hits.")
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many results.")
@output_options
def command(query, paths, db, jobs, strict, quiet, tz, filters, as_threads, terms_file, limit, output) -> None:
    """Search subjects, names, addresses and bodies; each message row shows
    where it matched, the hit between « and » (JSON: the "snippet" key).

    \b
    QUERY syntax:
      detainer statistics        both words (AND)
      "weekly statistics"        a phrase
      detain*                    a prefix
      a OR b, a NOT b, (a OR b) AND c
      from:morton  to:chen  cc:lee  subject:detainer  body:"(b)(6)"
      "AND"                      the word "and" itself (operators are upper case)

    \b
    --terms FILE runs a list at once, one row per term: a line of plain
    words is one phrase (Cheryl Mills); a line with quotes, AND/OR/NOT,
    parentheses, field: or * is read as a query.
    """
    from ..index.query import flat_message, message_records, thread_records
    from ..index.search import BRIEF_KEYS, search_briefs, term_hits, term_query

    if terms_file and query:
        raise click.UsageError("give either QUERY or --terms FILE, not both")
    if not terms_file and not query:
        raise click.UsageError("give a search QUERY, or --terms FILE with one term a line")
    if terms_file:
        from ..index.search import fts_query

        terms = read_terms(terms_file)
        for line, term in terms:
            try:
                fts_query(term_query(term))
            except UsageError as exc:  # every line checked before the index is touched: no half-run batch
                raise click.UsageError(f"{terms_file}, line {line}: {exc}") from exc
    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    if terms_file:
        rows = []
        for line, term in terms:
            q = term_query(term)
            rows.append({"term": term, "query": q, "line": line, **term_hits(corpus.conn, q, filters=filters)})
        output.emit(rows, TERM_COLUMNS, default_columns=TERM_DEFAULT, tz=corpus.tz, id_key="term")
        corpus.finish()
        return
    needed = output.keys_needed(HIT_COLUMNS, HIT_DEFAULT)
    short = needed if needed is not None and needed <= BRIEF_KEYS else None  # the short rows will do
    keys = {"thread"} if as_threads else short or {"snippet"}
    try:
        # one FTS5 query gives each hit's own columns, its thread and its snippet
        briefs = search_briefs(corpus.conn, query, limit=None if as_threads else limit, filters=filters, keys=keys)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from exc
    if as_threads:
        # Threads in the order of their best-ranked match, as messages are.
        tids = list(dict.fromkeys(b["thread"] for b in briefs if b["thread"]))
        threads = list(thread_records(corpus.conn, ids=tids))
        output.emit(threads[:limit] if limit else threads, THREAD_COLUMNS, default_columns=THREAD_DEFAULT, tz=corpus.tz)
    elif short is not None:
        output.emit(briefs, HIT_COLUMNS, default_columns=HIT_DEFAULT, tz=corpus.tz)
    else:
        # a column beyond the short rows (recipients, sources, marks): whole records, in rank order
        snippet = {b["id"]: b["snippet"] for b in briefs}
        order = {mid: i for i, mid in enumerate(snippet)}
        rows = sorted(message_records(corpus.conn, ids=list(snippet)), key=lambda r: order[r["id"]])
        output.emit(({**flat_message(r), "snippet": snippet[r["id"]]} for r in rows), HIT_COLUMNS,
                    default_columns=HIT_DEFAULT, tz=corpus.tz, drop_keys=FLAT_ONLY)
    corpus.finish()
