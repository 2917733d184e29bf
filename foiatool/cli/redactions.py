"""``foiatool redactions``: redaction marks counted by exemption code, thread, person or month."""
from __future__ import annotations

import click

from ..render import Column
from .common import corpus_options, filter_options, open_corpus
from .output import output_options

KEY_COLUMNS = {
    "code": [Column("code", "Code"), Column("marks", "Marks", "int"), Column("messages", "Messages", "int"),
             Column("stamped", "Stamped docs", "int"), Column("family", "Family"), Column("meaning", "Meaning", width=60)],
    "thread": [Column("thread", "Thread", "id"), Column("subject", "Subject", width=50), Column("marks", "Marks", "int"),
               Column("messages", "Messages", "int")],
    "person": [Column("person", "Sender", "id"), Column("name", "Name"), Column("marks", "Marks", "int"), Column("messages", "Messages", "int")],
    "month": [Column("month", "Month"), Column("marks", "Marks", "int"), Column("messages", "Messages", "int")],
    "field": [Column("field", "Field"), Column("marks", "Marks", "int"), Column("messages", "Messages", "int")],
}


@click.command("redactions", short_help="Count redaction marks by exemption code, thread, sender, month or field.")
@corpus_options()
@filter_options
@click.option("--by", type=click.Choice(list(KEY_COLUMNS)), default="code", show_default=True,
              help="Group the counts by exemption code, thread, sender (person), month or header field.")
@output_options
def command(paths, db, jobs, strict, quiet, tz, filters, by, output) -> None:
    """Count redaction marks by exemption code, thread, sender, month or field.

    \b
    A mark is any of the forms releases use, for example:
      (b)(6)  (b)(7)(C)  B6  Gov. Code 6254(c)  [REDACTED]  ███
    By code, each row also gives the code's plain-English meaning.

    A redacted sender or recipient counts as a mark in the 'from', 'to' or
    'cc' field; it is never a person. Each distinct message counts once (a
    near-duplicate copy is left out).

    By code, "Stamped docs" counts the released documents whose release
    stamp cites the code (RELEASE IN PART B5,B6 counts for B5 and for B6);
    a row "full" counts the documents stamped RELEASE IN FULL, and a row
    "denied" those stamped DENIED IN FULL.
    """
    from ..analysis.redactions import redaction_rows

    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    output.emit(redaction_rows(corpus.conn, filters, by), KEY_COLUMNS[by], id_key=by)
    corpus.finish()
