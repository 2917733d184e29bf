"""``foiatool problems``: every input item that could not be read, and why."""
from __future__ import annotations

import click

from ..render import Column
from .common import corpus_options, open_corpus
from .output import output_options

COLUMNS = [Column("path", "Path"), Column("locator", "Where"), Column("reason", "Reason"), Column("kind", "Kind")]
# A released document that holds no email was read, not lost: listed here so nothing is unaccounted for,
# but it is not an error (--strict does not fail on it).
NOT_EMAIL = "not email"
SUSPECT_DATE = "suspect date"


@click.command("problems")
@corpus_options()
@output_options
def command(paths, db, jobs, strict, quiet, tz, output) -> None:
    """List every input item that did not become a message: path, where inside it, and why.

    Nothing is dropped silently: every file, archive member, mbox entry and
    PST item ends as a message or as one of these rows. Released documents
    that hold no email (see 'foiatool documents') are listed with kind
    "not email", and messages whose printed date cannot be true (after the
    release, before 1990) with kind "suspect date"; neither is an error, and
    --strict does not fail on them.
    """
    from ..index.documents import document_rows, problem_rows, suspect_date_rows

    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    rows = [{**row, "kind": "problem"} for row in problem_rows(corpus.conn)]
    rows += [
        {"path": d["path"], "locator": d["locator"],
         "reason": f"a released document that holds no email ({d['pages']} {'page' if d['pages'] == 1 else 'pages'}):"
                   f" {d['title'] or '(untitled)'}", "kind": NOT_EMAIL}
        for d in document_rows(corpus.conn)
    ]
    # a message kept, its printed date not trusted: listed so a reader can check the page
    rows += [{**row, "kind": SUSPECT_DATE} for row in suspect_date_rows(corpus.conn)]
    rows.sort(key=lambda row: (row["path"], row["locator"], row["reason"]))
    output.emit(rows, COLUMNS, id_key="path")
    corpus.finish()
