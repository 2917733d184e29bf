"""``foiatool problems``: every input item that could not be read, and why."""
from __future__ import annotations

import click

from ..render import Column
from .common import corpus_options, open_corpus
from .output import output_options

COLUMNS = [Column("path", "Path"), Column("locator", "Where"), Column("reason", "Reason")]


@click.command("problems")
@corpus_options()
@output_options
def command(paths, db, jobs, strict, quiet, tz, output) -> None:
    """List every input item that did not become a message: path, where inside it, and why.

    Nothing is dropped silently: every file, archive member, mbox entry and
    PST item ends as a message or as one of these rows.
    """
    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    rows = (
        {"path": r[0], "locator": r[1], "reason": r[2]}
        for r in corpus.conn.execute("SELECT path, locator, reason FROM problems ORDER BY path, locator, reason")
    )
    output.emit(rows, COLUMNS, id_key="path")
    corpus.finish()
