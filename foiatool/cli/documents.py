"""``foiatool documents``: released documents that hold no email (speech drafts, schedules, articles)."""
from __future__ import annotations

import click

from ..render import Column
from .common import corpus_options, open_corpus
from .output import output_options

COLUMNS = [
    Column("path", "Path"),
    Column("locator", "Where"),
    Column("pages", "Pages", "int"),
    Column("title", "Title", width=60),
    Column("marks", "Marks", "list", width=40),
    Column("provenance", "Provenance", "list"),
    Column("kind", "Kind"),
]
DEFAULT = ["path", "locator", "pages", "title", "marks"]


@click.command("documents")
@corpus_options()
@click.option("--search", "term", default=None, metavar="TERM",
              help='Only documents whose text matches TERM (full-text: words, "a phrase", prefix*, a OR b).')
@click.option("--text", is_flag=True, help="Include each document's text in json/ndjson.")
@output_options
def command(paths, db, jobs, strict, quiet, tz, term, text, output) -> None:
    """List the released documents that hold no email: path, where, pages, title and release marks.

    They are kept apart from messages (never in threads or people), counted
    by 'summary' and listed by 'problems' as "not email".
    """
    from ..errors import UsageError
    from ..index.documents import document_rows, document_text

    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    try:
        rows = document_rows(corpus.conn, term)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from exc
    if text:
        for row in rows:
            row["text"] = document_text(corpus.conn, row["path"], row["locator"])
    output.emit(rows, COLUMNS, default_columns=DEFAULT, id_key="path")
    corpus.finish()
